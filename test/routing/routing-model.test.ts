/**
 * The routes a release hands its router (ReleaseRoutes): one model for every router and
 * engine. A router of its own records them here; the built-in routers render the same model.
 */
import { Testing } from 'cdk8s';
import {
  BlueGreenColor, BlueGreenRelease, CanaryRelease, DeliveryEngine, HeaderMatch, ReleaseRoutes, TrackRole, TrafficRouter, WeightsOwner,
} from '../../src';
import { RecordingRouter } from './recording-router';


const app = { containerPort: 80, servicePort: 8080 };
const v1 = { version: 'v1', image: 'myapp:v1', replicas: 3 };
const v2 = { version: 'v2.1', image: 'myapp:v2.1' };

function canaryRoutes(traffic?: object): ReleaseRoutes {
  const router = new RecordingRouter();
  new CanaryRelease(Testing.chart(), 'myapp', { ...app, router, stable: v1, canary: { ...v2, traffic } });
  return router.routes!;
}

/** A rule as one line: its name, its match, where it sends requests and with which weight. */
const table = (routes: ReleaseRoutes) => routes.main.rules.map((rule) => [
  rule.name,
  rule.match?.header ? `header ${rule.match.header.name}` : rule.match?.cookie ? `cookie ${rule.match.cookie.name}=${rule.match.cookie.value}` : '*',
  rule.destinations.map((d) => `${d.backend.serviceName}${d.weight === undefined ? '' : ` ${d.weight}`}`).join(', '),
]);

describe('a canary release\'s main route', () => {
  test('header first, then the cookie (always to the canary, never to stable), then the weight for the rest', () => {
    const routes = canaryRoutes({ header: HeaderMatch.exact('stage', 'gray'), cookie: 'canary', weight: 10 });
    expect(table(routes)).toEqual([
      ['canary-by-header', 'header stage', 'myapp-canary'],
      ['canary-by-cookie', 'cookie canary=always', 'myapp-canary'],
      ['stable-by-cookie', 'cookie canary=never', 'myapp'],
      ['weighted', '*', 'myapp 90, myapp-canary 10'],
    ]);
    expect(routes.weightsOwner).toBe(WeightsOwner.GIT);
    expect(routes.weightTotal).toBe(100);
  });

  test('only the rules the release asks for; the weighted rule always, at 0 when no weight is given', () => {
    expect(table(canaryRoutes({ cookie: 'canary' }))).toEqual([
      ['canary-by-cookie', 'cookie canary=always', 'myapp-canary'],
      ['stable-by-cookie', 'cookie canary=never', 'myapp'],
      ['weighted', '*', 'myapp 100, myapp-canary 0'],
    ]);
  });

  test('without a canary, one rule to stable', () => {
    const router = new RecordingRouter();
    new CanaryRelease(Testing.chart(), 'myapp', { ...app, router, stable: v1 });
    expect(table(router.routes!)).toEqual([['stable', '*', 'myapp']]);
    expect(router.routes!.tracks.map((t) => t.role)).toEqual([TrackRole.STABLE]);
  });

  test('tracks are roles, with the Service, the subset <v> and the version label under plain manifests', () => {
    expect(canaryRoutes().tracks).toEqual([
      { role: TrackRole.STABLE, serviceName: 'myapp', subsetName: 'v1', podLabels: { version: 'v1' } },
      { role: TrackRole.CANARY, serviceName: 'myapp-canary', subsetName: 'v2-1', podLabels: { version: 'v2.1' } },
    ]);
  });
});

describe('a blue-green release\'s routes', () => {
  test('the main route to the active color; the preview route at previewHost to the idle one', () => {
    const router = new RecordingRouter();
    new BlueGreenRelease(Testing.chart(), 'myapp', {
      ...app, router, blue: v1, green: v2, active: BlueGreenColor.BLUE, previewHost: 'preview.myapp.com',
    });
    const routes = router.routes!;
    expect(table(routes)).toEqual([['active', '*', 'myapp']]);
    expect(routes.preview).toEqual({
      name: 'myapp-preview',
      host: 'preview.myapp.com',
      rules: [{ name: 'preview', destinations: [{ backend: routes.tracks[1] }] }],
    });
    expect(routes.tracks.map((t) => [t.role, t.serviceName])).toEqual([[TrackRole.ACTIVE, 'myapp'], [TrackRole.PREVIEW, 'myapp-preview']]);
  });

  test('no preview route without previewHost: the preview Service is reachable inside the cluster only', () => {
    const router = new RecordingRouter();
    new BlueGreenRelease(Testing.chart(), 'myapp', { ...app, router, blue: v1, green: v2, active: BlueGreenColor.GREEN });
    expect(router.routes!.preview).toBeUndefined();
    expect(table(router.routes!)).toEqual([['active', '*', 'myapp']]);
  });

  test('under Flagger, the routes name the Services Flagger generates: <name> over the primary, <name>-canary over the new color', () => {
    const router = new RecordingRouter();
    new BlueGreenRelease(Testing.chart(), 'myapp', {
      ...app, router, blue: v1, green: v2, active: BlueGreenColor.BLUE, previewHost: 'preview.myapp.com', engine: DeliveryEngine.flagger(),
    });
    expect(router.routes!.tracks.map((t) => [t.role, t.serviceName, t.podLabels])).toEqual([
      [TrackRole.ACTIVE, 'myapp', undefined], [TrackRole.PREVIEW, 'myapp-canary', undefined],
    ]);
  });
});

describe('ingress-nginx renders only what its canary Ingress can express', () => {
  const routes = (): ReleaseRoutes => {
    const router = new RecordingRouter();
    new CanaryRelease(Testing.chart(), 'myapp', { ...app, router, stable: v1, canary: { ...v2, traffic: { header: HeaderMatch.exact('stage', 'gray'), weight: 10 } } });
    return router.routes!;
  };

  test('throws on a header rule to stable: nginx\'s canary annotations send matches to the canary only', () => {
    const r = routes();
    const stable = r.tracks[0];
    const main = { ...r.main, rules: [{ ...r.main.rules[0], destinations: [{ backend: stable }] }, r.main.rules[1]] };
    expect(() => TrafficRouter.nginx().bind(Testing.chart(), { ...r, main }))
      .toThrow('CanaryRelease \'myapp\': router ("TrafficRouter.nginx()") cannot express the rule "canary-by-header" of the route "myapp": its match or destination has no canary annotation');
  });

  test('throws on a last rule that splits among three tracks', () => {
    const r = routes();
    const last = r.main.rules[1];
    const main = { ...r.main, rules: [{ ...last, destinations: [...last.destinations, { backend: r.tracks[1], weight: 0 }] }] };
    expect(() => TrafficRouter.nginx().bind(Testing.chart(), { ...r, main }))
      .toThrow('cannot express the rule "weighted" of the route "myapp": it splits among more than two tracks');
  });

  test('throws on a cookie rule without its "never" rule, which ingress-nginx always applies', () => {
    const r = routes();
    const main = { ...r.main, rules: [{ name: 'canary-by-cookie', match: { cookie: { name: 'canary', value: 'always' } }, destinations: [{ backend: r.tracks[1] }] }, r.main.rules[1]] };
    expect(() => TrafficRouter.nginx().bind(Testing.chart(), { ...r, main }))
      .toThrow('the cookie "canary" needs its "never" rule to the main backend, which ingress-nginx always applies');
  });
});

describe('Istio and Gateway API render every rule in order, and refuse a match they cannot read', () => {
  test.each([
    ['TrafficRouter.istio()', () => TrafficRouter.istio()],
    ['TrafficRouter.gatewayApi()', () => TrafficRouter.gatewayApi({ parentRefs: [{ name: 'public' }] })],
  ])('%s: throws on a rule that matches a header and a cookie at once', (name, router) => {
    const r = canaryRoutes({ header: HeaderMatch.exact('stage', 'gray') });
    const both = { ...r.main.rules[0], match: { header: HeaderMatch.exact('stage', 'gray'), cookie: { name: 'canary', value: 'always' } } };
    expect(() => router().checkRoutes(Testing.chart(), { ...r, main: { ...r.main, rules: [both, r.main.rules[1]] } }))
      .toThrow(`CanaryRelease 'myapp': router (${JSON.stringify(name)}) cannot express the rule "canary-by-header" of the route "myapp": a match is one header or one cookie`);
  });
});
