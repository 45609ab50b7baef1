/**
 * A sticky canary: a user the weight sends to the canary stays there. The canary's responses to
 * weighted requests set `<name>-canary=<v>`, and a rule after the header and cookie rules sends
 * whoever carries it to the canary, on Istio and Gateway API alike.
 */
import { Duration, Testing } from 'cdk8s';
import { AppProtocol, CanaryRelease, CanaryReleaseProps, CanaryStep, CanaryTraffic, DeliveryEngine, HeaderMatch, TrafficRouter } from '../../src';
import { routeGatewayApi } from '../../src/testing/simulate-gateway-api';
import { routeIstio } from '../../src/testing/simulate-istio';
import { Manifest, Outcome, SimRequest } from '../../src/testing/simulated-objects';
import { find, synthValid } from '../util';

const v1 = { version: 'v1', image: 'myapp:v1', replicas: 3 };
const v2 = { version: 'v2', image: 'myapp:v2', replicas: 1 };
const SET_COOKIE = 'myapp-canary=v2; Path=/; Max-Age=86400; HttpOnly; SameSite=Lax';
const FLAGGER_PLAN = [CanaryStep.shiftTraffic(20), CanaryStep.pause(Duration.minutes(5)), CanaryStep.shiftTraffic(100)];
const gatewayApi = () => TrafficRouter.gatewayApi({ parentRefs: [{ name: 'public' }] });

function synth(router: TrafficRouter, traffic: CanaryTraffic, props: Partial<CanaryReleaseProps> = {}): Manifest[] {
  const chart = Testing.chart();
  new CanaryRelease(chart, 'myapp', { containerPort: 80, stable: v1, canary: { ...v2, traffic }, router, ...props });
  return synthValid(chart) as Manifest[];
}

const traffic: CanaryTraffic = { header: HeaderMatch.exact('stage', 'gray'), cookie: 'canary', weight: 10, sticky: true };

describe('Istio: a cookie route, and the canary\'s responses set the cookie', () => {
  const vs = find(synth(TrafficRouter.istio(), traffic), 'VirtualService', 'myapp');

  test('the sticky route comes after the header and cookie routes, before the weighted one', () => {
    expect(vs.spec.http.map((h: any) => h.name)).toEqual(['canary-by-header', 'canary-by-cookie', 'stable-by-cookie', 'canary-by-sticky-cookie', 'weighted']);
    const sticky = vs.spec.http[3];
    expect(sticky.match).toEqual([{ headers: { cookie: { regex: '^(?:.*;\\s*)?myapp-canary=v2(?:\\s*;.*)?$' } } }]);
    expect(sticky.route).toEqual([{ destination: { host: 'myapp-canary', port: { number: 80 } } }]);
  });

  test('only the weighted route\'s canary destination sets the cookie, added to the app\'s own', () => {
    const weighted = vs.spec.http[4];

    expect(weighted.route[1].headers).toEqual({ response: { add: { 'set-cookie': SET_COOKIE } } });
    expect(weighted.route[0].headers).toBeUndefined();
    expect(vs.spec.http.slice(0, 4).every((h: any) => h.route.every((r: any) => r.headers === undefined))).toBe(true);
  });

  test('with subsets, the same, by subset', () => {
    const bySubset = find(synth(TrafficRouter.istio({ subsets: true }), traffic), 'VirtualService', 'myapp');

    expect(bySubset.spec.http[3].route).toEqual([{ destination: { host: 'myapp', subset: 'v2', port: { number: 80 } } }]);
    expect(bySubset.spec.http[4].route[1].headers.response.add['set-cookie']).toBe(SET_COOKIE);
  });
});

describe('Gateway API: a cookie rule, and the canary\'s backendRef adds the cookie to its responses', () => {
  const route = find(synth(gatewayApi(), traffic), 'HTTPRoute', 'myapp');

  test('the sticky rule and the weighted rule\'s ResponseHeaderModifier', () => {
    expect(route.spec.rules.map((r: any) => r.name)).toEqual(['canary-by-header', 'canary-by-cookie', 'stable-by-cookie', 'canary-by-sticky-cookie', 'weighted']);
    const weighted = route.spec.rules[4];
    expect(weighted.backendRefs[1].filters).toEqual([{ type: 'ResponseHeaderModifier', responseHeaderModifier: { add: [{ name: 'Set-Cookie', value: SET_COOKIE }] } }]);
    expect(weighted.backendRefs[0].filters).toBeUndefined();
    expect(weighted.filters).toBeUndefined();
  });
});

describe('where a user goes, the same on Istio and Gateway API', () => {
  const istio = synth(TrafficRouter.istio(), traffic);
  const gateway = synth(gatewayApi(), traffic);
  const routes: Array<[string, (req: SimRequest) => Outcome]> = [
    ['Istio', (req) => routeIstio(istio, 'myapp', req)],
    ['Gateway API (search)', (req) => routeGatewayApi(gateway, 'myapp', req, 'search')],
    ['Gateway API (whole value)', (req) => routeGatewayApi(gateway, 'myapp', req, 'full')],
  ];
  const cases: Array<[string, SimRequest, Outcome]> = [
    ['a user the weight sent to the canary comes back with its cookie: the canary', { cookies: [['session', 'x'], ['myapp-canary', 'v2']] }, { v2: 1 }],
    ['a user with no cookie yet: by weight', {}, { v1: 0.9, v2: 0.1 }],
    ['cookie never takes a kept user back to stable', { cookies: [['canary', 'never'], ['myapp-canary', 'v2']] }, { v1: 1 }],
    ['the testers\' header still goes to the canary', { headers: { stage: 'gray' } }, { v2: 1 }],
    ['a cookie from another canary version is not kept: by weight', { cookies: [['myapp-canary', 'v1']] }, { v1: 0.9, v2: 0.1 }],
    ['another app\'s sticky cookie is not this one\'s', { cookies: [['shop-myapp-canary', 'v2']] }, { v1: 0.9, v2: 0.1 }],
  ];
  test.each(cases)('%s', (_label, req, expected) => {
    for (const [router, route] of routes) {
      const outcome = Object.fromEntries(Object.entries(route(req)).map(([v, s]) => [v, Math.round(s * 1e9) / 1e9]));
      expect({ router, outcome }).toEqual({ router, outcome: expected });
    }
  });
});

describe('at weight 0 (a rollback), nobody is kept', () => {
  test.each<[string, () => TrafficRouter]>([['Istio', () => TrafficRouter.istio()], ['Gateway API', gatewayApi]])('%s: no sticky rule, no cookie set; a kept user is back on stable', (_label, router) => {
    const manifests = synth(router(), { ...traffic, weight: 0 });
    const names = JSON.stringify(manifests.filter((m) => ['VirtualService', 'HTTPRoute'].includes(m.kind)));

    expect(names).not.toContain('canary-by-sticky-cookie');
    expect(names).not.toContain('myapp-canary=v2');
    const route = _label === 'Istio' ? routeIstio(manifests, 'myapp', { cookies: [['myapp-canary', 'v2']] }) : routeGatewayApi(manifests, 'myapp', { cookies: [['myapp-canary', 'v2']] }, 'full');
    expect(route).toEqual({ v1: 1, v2: 0 });
  });

  test('a plan step with a weight keeps users; its first step (no weight yet) does not', () => {
    const steps = [CanaryStep.pause(), CanaryStep.shiftTraffic(20), CanaryStep.pause()];
    const at = (step: number) => JSON.stringify(find(synth(TrafficRouter.istio(), { sticky: true }, { steps, canary: { ...v2, step, traffic: { sticky: true } } }), 'VirtualService', 'myapp'));

    expect(at(0)).not.toContain('canary-by-sticky-cookie');
    expect(at(1)).toContain('canary-by-sticky-cookie');
  });
});

describe('under the controllers', () => {
  test('Flagger with Istio: its own session affinity, with the same cookie name and a day', () => {
    const manifests = synth(TrafficRouter.istio(), { sticky: true }, { steps: FLAGGER_PLAN, engine: DeliveryEngine.flagger(), canary: { ...v2, replicas: undefined, traffic: { sticky: true } } });
    const analysis = find(manifests, 'Canary', 'myapp').spec.analysis;

    expect(analysis.sessionAffinity).toEqual({ cookieName: 'myapp-canary', maxAge: 86400 });
    expect(analysis.match).toBeUndefined();
  });

  test('Flagger with Gateway API: the same', () => {
    const manifests = synth(gatewayApi(), { sticky: true }, { steps: FLAGGER_PLAN, engine: DeliveryEngine.flagger(), canary: { ...v2, replicas: undefined, traffic: { sticky: true } } });

    expect(find(manifests, 'Canary', 'myapp').spec.analysis.sessionAffinity).toEqual({ cookieName: 'myapp-canary', maxAge: 86400 });
  });

  test('throws when sticky is asked of Flagger in an A/B test', () => {
    expect(() => synth(TrafficRouter.istio(), {}, { engine: DeliveryEngine.flagger(), canary: { ...v2, replicas: undefined, traffic: { header: HeaderMatch.exact('stage', 'gray'), sticky: true } } }))
      .toThrow('CanaryRelease \'myapp\': canary.traffic.sticky (true) cannot be kept in an A/B test (header or cookie rules) under DeliveryEngine.flagger(): Flagger\'s session affinity works with a weighted plan only');
  });

  test('throws when sticky is asked of Argo Rollouts', () => {
    expect(() => synth(TrafficRouter.istio(), traffic, { engine: DeliveryEngine.argoRollouts() }))
      .toThrow('CanaryRelease \'myapp\': canary.traffic.sticky (true) cannot be kept under DeliveryEngine.argoRollouts(): it sets only the weights, so after an abort the rule that keeps the canary\'s users would send them on to the canary Service while Argo Rollouts scales its pods down');
  });
});

describe('sticky: bad input and routers that cannot', () => {
  test('throws with ingress-nginx, saying why and what to do instead', () => {
    expect(() => synth(TrafficRouter.nginx(), traffic)).toThrow(
      'CanaryRelease \'myapp\': canary.traffic.sticky (true) cannot be expressed with TrafficRouter.nginx(): ingress-nginx applies session affinity only from the main Ingress');
    expect(() => synth(TrafficRouter.nginx(), traffic)).toThrow('Use canary.traffic.cookie and have the canary set <cookie>=always itself, or Istio or Gateway API');
  });

  test('throws with ingress-nginx under Flagger too', () => {
    expect(() => synth(TrafficRouter.nginx(), { sticky: true }, { steps: FLAGGER_PLAN, engine: DeliveryEngine.flagger(), canary: { ...v2, replicas: undefined, traffic: { sticky: true } } }))
      .toThrow('canary.traffic.sticky (true) cannot be expressed with TrafficRouter.nginx()');
  });

  test('throws in a set of routers, naming the one that cannot', () => {
    expect(() => synth(TrafficRouter.all(TrafficRouter.nginx(), gatewayApi()), traffic)).toThrow('(TrafficRouter.nginx(), in TrafficRouter.all(TrafficRouter.nginx(), TrafficRouter.gatewayApi())');
  });

  test('throws when sticky is not a boolean', () => {
    expect(() => synth(TrafficRouter.istio(), { weight: 10, sticky: 'yes' as any })).toThrow('CanaryRelease \'myapp\': canary.traffic.sticky ("yes") must be true or false');
  });

  test('throws when the release\'s own cookie rule uses the sticky cookie\'s name', () => {
    expect(() => synth(TrafficRouter.istio(), { cookie: 'myapp-canary', weight: 10, sticky: true }))
      .toThrow('CanaryRelease \'myapp\': canary.traffic.cookie ("myapp-canary") must differ from "myapp-canary" with sticky: that is the cookie a sticky canary sets for the users it keeps');
  });
});

test('throws when a gRPC app asks for a sticky canary: gRPC clients keep no cookies', () => {
  expect(() => synth(TrafficRouter.istio(), traffic, { appProtocol: AppProtocol.GRPC }))
    .toThrow('CanaryRelease \'myapp\': canary.traffic.sticky (true) is not allowed with appProtocol AppProtocol.GRPC: a sticky canary keeps its users with a cookie its responses set, and gRPC clients do not keep cookies');
});

test('throws when Flagger is asked to mirror a sticky canary: its mirror would land on the sticky route', () => {
  expect(() => synth(TrafficRouter.istio(), { mirror: 30, sticky: true }, { steps: [CanaryStep.pause(Duration.minutes(5)), CanaryStep.shiftTraffic(20), CanaryStep.pause(Duration.minutes(5)), CanaryStep.shiftTraffic(100)], engine: DeliveryEngine.flagger(), canary: { ...v2, replicas: undefined, traffic: { mirror: 30, sticky: true } } }))
    .toThrow('CanaryRelease \'myapp\': canary.traffic.mirror (30) cannot be combined with canary.traffic.sticky under DeliveryEngine.flagger(): Flagger puts the mirror on its first route, which with session affinity is its sticky route');
});

test('throws with ingress-nginx at weight 0 too: sticky can never work there, whatever the weight (found by the property tests)', () => {
  expect(() => synth(TrafficRouter.nginx(), { sticky: true })).toThrow('CanaryRelease \'myapp\': canary.traffic.sticky (true) cannot be expressed with TrafficRouter.nginx()');
});
