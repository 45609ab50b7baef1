/**
 * Several hosts and paths through ingress-nginx: the canary Ingress repeats the main one's rules
 * exactly, because ingress-nginx attaches a canary only at a host, path and pathType its main
 * Ingress serves (controller.go, mergeAlternativeBackends).
 */
import { Testing } from 'cdk8s';
import { BlueGreenColor, BlueGreenRelease, CanaryRelease, DeliveryEngine, HeaderMatch, PathMatch, TrafficRouter } from '../../../src';
import { routeNginx } from '../../../src/testing/simulate-nginx';
import { Manifest } from '../../../src/testing/simulated-objects';
import { K8sObject, find, ofKind, synthValid } from '../../util';

const myapp = { containerPort: 80, servicePort: 8080 };
const v1 = { version: 'v1', image: 'myapp:v1', replicas: 3 };
const v2 = { version: 'v2', image: 'myapp:v2', replicas: 1 };

/** api.example.com/ and example.com/api, each over its own certificate. */
const twoHosts = () => TrafficRouter.nginx({
  routes: [
    { host: 'api.example.com', tlsSecretName: 'api-tls' },
    { host: 'example.com', paths: [PathMatch.prefix('/api'), PathMatch.exact('/healthz')], tlsSecretName: 'example-tls' },
  ],
});

function synthCanary(router: TrafficRouter, engine?: DeliveryEngine, flagger = false): K8sObject[] {
  const chart = Testing.chart();
  new CanaryRelease(chart, 'myapp', {
    ...myapp,
    stable: v1,
    // Flagger runs the canary at the stable's size, and an A/B test has no weight.
    canary: { ...v2, replicas: flagger ? undefined : v2.replicas, traffic: { header: HeaderMatch.exact('stage', 'gray'), weight: flagger ? undefined : 20 } },
    router,
    engine,
  });
  return synthValid(chart);
}

describe('many hosts and paths in lockstep', () => {
  test('the main Ingress has a rule per route, each with its paths, and a TLS entry per host', () => {
    const main = find(synthCanary(twoHosts()), 'Ingress', 'myapp');
    const backend = { service: { name: 'myapp', port: { number: 8080 } } };

    expect(main.spec.rules).toEqual([
      { host: 'api.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend }] } },
      { host: 'example.com', http: { paths: [{ path: '/api', pathType: 'Prefix', backend }, { path: '/healthz', pathType: 'Exact', backend }] } },
    ]);
    expect(main.spec.tls).toEqual([{ hosts: ['api.example.com'], secretName: 'api-tls' }, { hosts: ['example.com'], secretName: 'example-tls' }]);
  });

  test('the canary Ingress repeats every host, path and pathType, to the canary, without TLS', () => {
    const manifests = synthCanary(twoHosts());
    const main = find(manifests, 'Ingress', 'myapp');
    const canary = find(manifests, 'Ingress', 'myapp-canary');

    const locations = (ingress: K8sObject) => ingress.spec.rules.flatMap((r: any) => r.http.paths.map((p: any) => `${r.host} ${p.pathType} ${p.path} -> ${p.backend.service.name}`));
    expect(locations(canary)).toEqual(locations(main).map((l: string) => l.replace('-> myapp', '-> myapp-canary')));
    expect(canary.spec.tls).toBeUndefined();
    expect(canary.spec.ingressClassName).toBe(main.spec.ingressClassName);
  });

  test('one TLS Secret for several hosts is one TLS entry', () => {
    const manifests = synthCanary(TrafficRouter.nginx({
      routes: [{ host: 'a.example.com', tlsSecretName: 'wildcard' }, { host: 'b.example.com', tlsSecretName: 'wildcard' }, { host: 'c.example.com' }],
    }));

    expect(find(manifests, 'Ingress', 'myapp').spec.tls).toEqual([{ hosts: ['a.example.com', 'b.example.com'], secretName: 'wildcard' }]);
  });

  test('every host and path routes the same way; a path no route serves reaches nothing', () => {
    const manifests = synthCanary(twoHosts()) as Manifest[];
    const where = (host: string, path: string, headers = {}) => routeNginx(manifests, 'myapp', { host, path, headers });

    for (const [host, path] of [['api.example.com', '/'], ['api.example.com', '/orders'], ['example.com', '/api'], ['example.com', '/api/orders'], ['example.com', '/healthz']]) {
      expect(where(host, path, { stage: 'gray' })).toEqual({ v2: 1 });
      expect(where(host, path)).toEqual({ v1: 0.8, v2: expect.closeTo(0.2, 9) });
    }
    expect(where('example.com', '/')).toEqual({});
    expect(where('example.com', '/apiary')).toEqual({});
    expect(where('example.com', '/healthz/deep')).toEqual({});
  });

  test('the short form is one route', () => {
    const short = synthCanary(TrafficRouter.nginx({ host: 'example.com', path: '/api', tlsSecretName: 'example-tls' }));
    const long = synthCanary(TrafficRouter.nginx({ routes: [{ host: 'example.com', paths: [PathMatch.prefix('/api')], tlsSecretName: 'example-tls' }] }));

    expect(ofKind(long, 'Ingress')).toEqual(ofKind(short, 'Ingress'));
  });

  test('a blue-green preview serves every path of the router at its own host', () => {
    const chart = Testing.chart();
    new BlueGreenRelease(chart, 'myapp', { ...myapp, blue: v1, green: v2, active: BlueGreenColor.BLUE, previewHost: 'preview.example.com', router: twoHosts() });
    const preview = find(synthValid(chart), 'Ingress', 'myapp-preview');

    expect(preview.spec.rules).toHaveLength(1);
    expect(preview.spec.rules[0].host).toBe('preview.example.com');
    expect(preview.spec.rules[0].http.paths.map((p: any) => `${p.pathType} ${p.path}`)).toEqual(['Prefix /', 'Prefix /api', 'Exact /healthz']);
    expect(preview.spec.tls).toBeUndefined();
  });

  test('Argo Rollouts: the stable Ingress has every route; Argo copies each rule to its canary Ingress', () => {
    const manifests = synthCanary(twoHosts(), DeliveryEngine.argoRollouts());

    expect(find(manifests, 'Ingress', 'myapp').spec.rules).toHaveLength(2);
    expect(find(manifests, 'Rollout', 'myapp').spec.strategy.canary.trafficRouting.nginx.stableIngress).toBe('myapp');
    expect(ofKind(manifests, 'Ingress').map((i) => i.metadata.name)).toEqual(['myapp']);
  });

  test('Flagger: the Ingress it copies into myapp-canary has every route', () => {
    const manifests = synthCanary(twoHosts(), DeliveryEngine.flagger(), true);

    expect(find(manifests, 'Ingress', 'myapp').spec.rules.map((r: any) => r.host)).toEqual(['api.example.com', 'example.com']);
    expect(find(manifests, 'Canary', 'myapp').spec.ingressRef.name).toBe('myapp');
  });
});

describe('many routes: bad input', () => {
  test('throws when routes is given with host, path or tlsSecretName', () => {
    expect(() => TrafficRouter.nginx({ host: 'example.com', routes: [{ host: 'api.example.com' }] }))
      .toThrow('TrafficRouter.nginx: options.host ("example.com") must be left out with options.routes: give each route its host, paths and tlsSecretName');
    expect(() => TrafficRouter.nginx({ path: '/api', routes: [{ host: 'api.example.com' }] })).toThrow('options.path ("/api") must be left out with options.routes');
    expect(() => TrafficRouter.nginx({ tlsSecretName: 't', routes: [{ host: 'api.example.com' }] })).toThrow('options.tlsSecretName ("t") must be left out with options.routes');
  });

  test('throws when routes is empty', () => {
    expect(() => TrafficRouter.nginx({ routes: [] })).toThrow('TrafficRouter.nginx: options.routes ([]) must list at least one route');
  });

  test('throws when a host is listed twice', () => {
    expect(() => TrafficRouter.nginx({ routes: [{ host: 'example.com' }, { host: 'api.example.com' }, { host: 'example.com', paths: [PathMatch.prefix('/api')] }] }))
      .toThrow('TrafficRouter.nginx: options.routes[2].host ("example.com") must not repeat options.routes[0].host: list every path of a host in one route (ingress-nginx merges them into one server)');
  });

  test('throws when two routes have no host', () => {
    expect(() => TrafficRouter.nginx({ routes: [{}, { paths: [PathMatch.prefix('/api')] }] })).toThrow('options.routes[1].host ("(every host)") must not repeat options.routes[0].host');
  });

  test('throws when a route\'s TLS Secret has no host', () => {
    expect(() => TrafficRouter.nginx({ routes: [{ tlsSecretName: 'tls' }] }))
      .toThrow('TrafficRouter.nginx: options.routes[0].tlsSecretName ("tls") needs options.routes[0].host: a TLS certificate is served for a host');
  });

  test('throws when a route\'s host is an IP address', () => {
    expect(() => TrafficRouter.nginx({ routes: [{ host: 'example.com' }, { host: '10.0.0.1' }] })).toThrow('options.routes[1].host ("10.0.0.1") must be a DNS name, not an IP address');
  });

  test('throws when the preview host is one of the routes\' hosts', () => {
    expect(() => new BlueGreenRelease(Testing.chart(), 'myapp', { ...myapp, blue: v1, green: v2, active: BlueGreenColor.BLUE, previewHost: 'example.com', router: twoHosts() }))
      .toThrow('BlueGreenRelease \'myapp\': previewHost ("example.com") must differ from the router\'s hosts');
  });

  test('throws when another release serves one of the hosts and paths', () => {
    const chart = Testing.chart();
    new CanaryRelease(chart, 'shop', { ...myapp, stable: v1, router: TrafficRouter.nginx({ host: 'example.com', path: '/shop' }) });

    expect(() => new CanaryRelease(chart, 'myapp', { ...myapp, stable: v1, router: TrafficRouter.nginx({ routes: [{ host: 'api.example.com' }, { host: 'example.com', paths: [PathMatch.exact('/shop')] }] }) }))
      .toThrow('CanaryRelease \'myapp\': router ("TrafficRouter.nginx({ routes })") serves the same IngressClass, host and path as CanaryRelease \'shop\' (example.com, /shop): ingress-nginx would merge both releases into one location');
  });
});
