/**
 * One release at several hosts and paths, on every router: each route object carries every host
 * and path, every rule repeats the path matches, and the same request lands on the same versions
 * whichever router serves it.
 */
import { Testing } from 'cdk8s';
import { CanaryRelease, CanaryTraffic, DeliveryEngine, HeaderMatch, PathMatch, TrafficRouter } from '../../src';
import { routeGatewayApi } from '../../src/testing/simulate-gateway-api';
import { routeIstio } from '../../src/testing/simulate-istio';
import { routeNginx } from '../../src/testing/simulate-nginx';
import { Manifest, Outcome, SimRequest } from '../../src/testing/simulated-objects';
import { find, synthValid } from '../util';

const v1 = { version: 'v1', image: 'myapp:v1', replicas: 3 };
const v2 = { version: 'v2', image: 'myapp:v2', replicas: 1 };
const traffic: CanaryTraffic = { header: HeaderMatch.exact('stage', 'gray'), cookie: 'canary', weight: 20 };
const hosts = ['api.example.com', 'example.com'];
const paths = [PathMatch.prefix('/api'), PathMatch.exact('/healthz')];

function synth(router: TrafficRouter, engine?: DeliveryEngine, canaryTraffic: CanaryTraffic = traffic, track: { replicas?: number } = v2): Manifest[] {
  const chart = Testing.chart();
  new CanaryRelease(chart, 'myapp', { containerPort: 80, stable: v1, canary: { ...v2, replicas: track.replicas, traffic: canaryTraffic }, router, engine });
  return synthValid(chart) as Manifest[];
}

describe('Istio: every host in the VirtualService, every path in every rule', () => {
  const manifests = synth(TrafficRouter.istio({ hosts, gateways: ['gateways/public'], paths }));
  const vs = find(manifests, 'VirtualService', 'myapp');

  test('a prefix is matched element by element: the path itself, or under it', () => {
    const weighted = vs.spec.http.find((h: any) => h.name === 'weighted');

    expect(weighted.match).toEqual([{ uri: { exact: '/api' } }, { uri: { prefix: '/api/' } }, { uri: { exact: '/healthz' } }]);
  });

  test('the header and cookie rules repeat the path matches, each with its own match', () => {
    const byHeader = vs.spec.http.find((h: any) => h.name === 'canary-by-header');
    const byCookie = vs.spec.http.find((h: any) => h.name === 'canary-by-cookie');

    expect(byHeader.match.map((m: any) => m.uri)).toEqual([{ exact: '/api' }, { prefix: '/api/' }, { exact: '/healthz' }]);
    expect(byHeader.match.every((m: any) => m.headers.stage.exact === 'gray')).toBe(true);
    expect(byCookie.match.every((m: any) => m.headers.cookie.regex !== undefined)).toBe(true);
    expect(vs.spec.hosts).toEqual(hosts);
  });

  test('without paths, rules match every path as before', () => {
    const plain = find(synth(TrafficRouter.istio({ hosts })), 'VirtualService', 'myapp');

    expect(plain.spec.http.find((h: any) => h.name === 'weighted').match).toBeUndefined();
    expect(plain.spec.http.find((h: any) => h.name === 'canary-by-header').match).toEqual([{ headers: { stage: { exact: 'gray' } } }]);
  });
});

describe('Gateway API: every hostname in the HTTPRoute, a match per path in every rule', () => {
  const manifests = synth(TrafficRouter.gatewayApi({ parentRefs: [{ name: 'public' }], hostnames: hosts, paths }));
  const route = find(manifests, 'HTTPRoute', 'myapp');

  test('each rule has a match per path, the header repeated in each', () => {
    const byHeader = route.spec.rules.find((r: any) => r.name === 'canary-by-header');
    const weighted = route.spec.rules.find((r: any) => r.name === 'weighted');

    expect(weighted.matches).toEqual([{ path: { type: 'PathPrefix', value: '/api' } }, { path: { type: 'Exact', value: '/healthz' } }]);
    expect(byHeader.matches).toEqual([
      { path: { type: 'PathPrefix', value: '/api' }, headers: [{ name: 'stage', type: 'Exact', value: 'gray' }] },
      { path: { type: 'Exact', value: '/healthz' }, headers: [{ name: 'stage', type: 'Exact', value: 'gray' }] },
    ]);
    expect(route.spec.hostnames).toEqual(hosts);
  });

  test('throws when path and paths are both given', () => {
    expect(() => TrafficRouter.gatewayApi({ parentRefs: [{ name: 'public' }], path: '/api', paths }))
      .toThrow('TrafficRouter.gatewayApi: options.path ("/api") must be left out with options.paths: list it there');
  });
});

describe('the same request lands on the same versions through every router', () => {
  const routers: Array<[string, (req: SimRequest) => Outcome]> = [];
  const nginx = synth(TrafficRouter.nginx({ routes: hosts.map((host) => ({ host, paths })) }));
  routers.push(['ingress-nginx', (req) => routeNginx(nginx, 'myapp', req)]);
  const istio = synth(TrafficRouter.istio({ hosts, gateways: ['gateways/public'], paths }));
  routers.push(['Istio', (req) => routeIstio(istio, 'myapp', req)]);
  const gateway = synth(TrafficRouter.gatewayApi({ parentRefs: [{ name: 'public' }], hostnames: hosts, paths }));
  routers.push(['Gateway API', (req) => routeGatewayApi(gateway, 'myapp', req, 'full')]);

  const CANARY = { v2: 1 };
  const STABLE = { v1: 1 };
  const WEIGHTED = { v1: 0.8, v2: 0.2 };
  const cases: Array<[string, SimRequest, Outcome]> = [];
  for (const host of hosts) {
    for (const path of ['/api', '/api/', '/api/orders', '/healthz']) {
      cases.push([`${host}${path} with the header`, { host, path, headers: { stage: 'gray' } }, CANARY]);
      cases.push([`${host}${path} with cookie never`, { host, path, cookies: [['canary', 'never']] }, STABLE]);
      cases.push([`${host}${path} by weight`, { host, path }, WEIGHTED]);
    }
    for (const path of ['/', '/apiary', '/healthz/x', '/other']) cases.push([`${host}${path} is not served`, { host, path, headers: { stage: 'gray' } }, {}]);
  }
  cases.push(['another host is not served', { host: 'other.example.com', path: '/api' }, {}]);

  test.each(cases)('%s', (_label, req, expected) => {
    for (const [router, route] of routers) {
      const actual = route(req);
      expect({ router, outcome: Object.fromEntries(Object.entries(actual).map(([v, s]) => [v, Math.round(s * 1e9) / 1e9])) }).toEqual({ router, outcome: expected });
    }
  });
});

describe('under the controllers', () => {
  test('Argo Rollouts with Istio: the weighted route keeps its path matches', () => {
    const manifests = synth(TrafficRouter.istio({ hosts, gateways: ['gateways/public'], paths }), DeliveryEngine.argoRollouts());
    const vs = find(manifests, 'VirtualService', 'myapp');

    expect(vs.spec.http.find((h: any) => h.name === 'weighted').match).toHaveLength(3);
    expect(find(manifests, 'Rollout', 'myapp').spec.strategy.canary.trafficRouting.istio.virtualService).toEqual({ name: 'myapp', routes: ['weighted'] });
  });

  test('Flagger with Istio: the paths are the Canary\'s service.match, which Flagger crosses with the A/B match', () => {
    const manifests = synth(TrafficRouter.istio({ hosts, gateways: ['gateways/public'], paths }), DeliveryEngine.flagger(), { header: HeaderMatch.exact('stage', 'gray') }, {}); // Flagger runs the canary at the stable's size
    const canary = find(manifests, 'Canary', 'myapp');

    expect(canary.spec.service.hosts).toEqual(hosts);
    expect(canary.spec.service.match).toEqual([{ uri: { exact: '/api' } }, { uri: { prefix: '/api/' } }, { uri: { exact: '/healthz' } }]);
    expect(canary.spec.analysis.match).toEqual([{ headers: { stage: { exact: 'gray' } } }]);
  });

  test('Flagger with Gateway API: the paths are the Canary\'s service.match, prefix as PathPrefix and exact as Exact', () => {
    const manifests = synth(TrafficRouter.gatewayApi({ parentRefs: [{ name: 'public' }], hostnames: hosts, paths }), DeliveryEngine.flagger(), { header: HeaderMatch.exact('stage', 'gray') }, {}); // Flagger runs the canary at the stable's size
    const canary = find(manifests, 'Canary', 'myapp');

    expect(canary.spec.service.hosts).toEqual(hosts);
    expect(canary.spec.service.match).toEqual([{ uri: { prefix: '/api' } }, { uri: { exact: '/healthz' } }]);
  });

  test('Flagger with Gateway API and every path: no service.match, Flagger matches PathPrefix / itself', () => {
    const manifests = synth(TrafficRouter.gatewayApi({ parentRefs: [{ name: 'public' }] }), DeliveryEngine.flagger(), { header: HeaderMatch.exact('stage', 'gray') }, {}); // Flagger runs the canary at the stable's size

    expect(find(manifests, 'Canary', 'myapp').spec.service.match).toBeUndefined();
  });
});
