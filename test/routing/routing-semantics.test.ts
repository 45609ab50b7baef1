/**
 * One spec, every router: each kind of request lands where the routing-semantics table says
 * (header first, then cookie, then weight), simulated on the synthesized objects the way each
 * controller evaluates them (see route-simulator.ts).
 */
import { Testing } from 'cdk8s';
import { CanaryRelease, CanaryTraffic, HeaderMatch, TrafficRouter } from '../../src';
import { routeGatewayApi } from '../../src/testing/simulate-gateway-api';
import { routeIstio } from '../../src/testing/simulate-istio';
import { routeNginx } from '../../src/testing/simulate-nginx';
import { Manifest, Outcome, SimRequest } from '../../src/testing/simulated-objects';
import { synthValid } from '../util';

type Route = (manifests: Manifest[], req: SimRequest) => Outcome;

const routers: Array<[string, () => TrafficRouter, Route[]]> = [
  ['nginx', () => TrafficRouter.nginx({ host: 'myapp.example.com' }), [(m, r) => routeNginx(m, 'myapp', r)]],
  ['istio by host', () => TrafficRouter.istio(), [(m, r) => routeIstio(m, 'myapp', r)]],
  ['istio by subset', () => TrafficRouter.istio({ subsets: true }), [(m, r) => routeIstio(m, 'myapp', r)]],
  ['gateway api', () => TrafficRouter.gatewayApi({ parentRefs: [{ name: 'public' }] }), [
    (m, r) => routeGatewayApi(m, 'myapp', r, 'search'),
    (m, r) => routeGatewayApi(m, 'myapp', r, 'full'),
  ]],
];

function synth(router: TrafficRouter, traffic: CanaryTraffic): Manifest[] {
  const chart = Testing.chart();
  new CanaryRelease(chart, 'myapp', {
    containerPort: 80,
    servicePort: 8080,
    stable: { version: 'v1', image: 'myapp:v1', replicas: 3 },
    canary: { version: 'v2', image: 'myapp:v2', replicas: 1, traffic },
    router,
  });
  return synthValid(chart) as Manifest[];
}

const testersFirst: CanaryTraffic = { header: HeaderMatch.exact('stage', 'gray'), cookie: 'canary', weight: 10 };
const CANARY = { v2: 1 };
const STABLE = { v1: 1 };
const WEIGHTED = { v1: 0.9, v2: 0.1 };

const cases: Array<[string, SimRequest, Outcome]> = [
  ['a matching header goes to the canary', { headers: { stage: 'gray' } }, CANARY],
  ['the header name matches in any case', { headers: { STAGE: 'gray' } }, CANARY],
  ['the header value is case-sensitive: a miss falls through to the weight', { headers: { stage: 'Gray' } }, WEIGHTED],
  ['a longer value is a miss', { headers: { stage: 'grayer' } }, WEIGHTED],
  ['the header beats cookie never', { headers: { stage: 'gray' }, cookies: [['canary', 'never']] }, CANARY],
  ['cookie always goes to the canary', { cookies: [['canary', 'always']] }, CANARY],
  ['cookie always among other cookies goes to the canary', { cookies: [['session', 'abc'], ['canary', 'always'], ['theme', 'dark']] }, CANARY],
  ['cookie always as the last cookie goes to the canary', { cookies: [['session', 'abc'], ['canary', 'always']] }, CANARY],
  ['cookie never goes to stable', { cookies: [['canary', 'never']] }, STABLE],
  ['cookie never among other cookies goes to stable', { cookies: [['a', '1'], ['canary', 'never'], ['b', '2']] }, STABLE],
  ['a cookie whose name only ends with the cookie name is not it', { cookies: [['mycanary', 'always']] }, WEIGHTED],
  ['a cookie value that only starts with always is not always', { cookies: [['canary', 'alwaysx']] }, WEIGHTED],
  ['another cookie value falls through to the weight', { cookies: [['canary', 'maybe']] }, WEIGHTED],
  ['a non-matching header with cookie always goes to the canary', { headers: { stage: 'blue' }, cookies: [['canary', 'always']] }, CANARY],
  ['the rest is split by weight', {}, WEIGHTED],
];

describe.each(routers)('routing semantics on %s', (_label, router, routes) => {
  const manifests = synth(router(), testersFirst);
  test.each(cases)('%s', (_case, req, expected) => {
    for (const route of routes) {
      expectOutcome(route(manifests, req), expected);
    }
  });

  test('a regex header matches the whole value only', () => {
    const regex = synth(router(), { header: HeaderMatch.regex('x-client', 'android-[0-9]+'), weight: 0 });
    for (const route of routes) {
      expectOutcome(route(regex, { headers: { 'X-Client': 'android-14' } }), CANARY);
      expectOutcome(route(regex, { headers: { 'X-Client': 'android-14-beta' } }), STABLE);
      expectOutcome(route(regex, { headers: { 'X-Client': 'my-android-14' } }), STABLE);
      expectOutcome(route(regex, { headers: { 'X-Client': 'ios-17' } }), STABLE);
    }
  });

  test('weight out of a larger total keeps weight/weightTotal', () => {
    const fine = synth(router(), { weight: 125, weightTotal: 1000 });
    for (const route of routes) expectOutcome(route(fine, {}), { v1: 0.875, v2: 0.125 });
  });

  test('the whole weight sends everything to the canary; none sends nothing', () => {
    for (const route of routes) {
      expectOutcome(route(synth(router(), { weight: 100 }), {}), CANARY);
      expectOutcome(route(synth(router(), {}), { cookies: [['canary', 'always']] }), STABLE);
    }
  });
});

function expectOutcome(actual: Outcome, expected: Outcome): void {
  const versions = new Set([...Object.keys(actual), ...Object.keys(expected)]);
  for (const v of versions) {
    expect({ version: v, share: actual[v] ?? 0 }).toEqual({ version: v, share: expect.closeTo(expected[v] ?? 0, 9) });
  }
}
