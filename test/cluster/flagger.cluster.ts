/**
 * The real Flagger controller runs what the library writes: it initialises the Canary (the
 * primary Deployment, its Services and the routes), progresses on healthy metrics, rolls back
 * on 7% errors, and at a step its generated routes send requests where the library's plain
 * manifests at that weight send them (compared with the route simulator). A/B (header) and
 * blue-green modes included.
 */
import { App, Chart, Duration } from 'cdk8s';
import {
  BlueGreenColor, BlueGreenRelease, CanaryAnalysis, CanaryRelease, CanaryReleaseProps, CanaryStep, DeliveryEngine, FlaggerOptions, HeaderMatch, TrafficRouter,
} from '../../src';
import { routeGatewayApi } from '../../src/testing/simulate-gateway-api';
import { routeIstio } from '../../src/testing/simulate-istio';
import { routeNginx } from '../../src/testing/simulate-nginx';
import { Manifest, Outcome, SimRequest } from '../../src/testing/simulated-objects';
import { K8sObject } from '../util';
import { NO_DATA, apply, get, kubectl, namespace, prometheusAddress, prometheusAnswers, prometheusQueries, routingObjects, synthChart, waitFor } from './kube';

const v1 = { version: 'v1', image: 'registry.example/myapp:v1', replicas: 2 };
const v2 = { version: 'v2', image: 'registry.example/myapp:v2' };
const ports = { containerPort: 8080, servicePort: 80 };
/** Flagger holds each step for one interval: 20% and 50% for 5 seconds each, then promotion. */
const PLAN = [CanaryStep.shiftTraffic(20), CanaryStep.pause(Duration.seconds(5)), CanaryStep.shiftTraffic(50), CanaryStep.pause(Duration.seconds(5)), CanaryStep.shiftTraffic(100)];
const analysis = () => CanaryAnalysis.prometheus({ address: prometheusAddress(), maxErrorRate: 5, interval: Duration.seconds(5), failureLimit: 1 });

interface RouterCase {
  readonly router: () => TrafficRouter;
  /** Where a request goes through these objects. */
  readonly route: (objects: Manifest[], req: SimRequest) => Outcome;
}

const ROUTERS: { [id: string]: RouterCase } = {
  nginx: { router: () => TrafficRouter.nginx({ host: 'myapp.example.com' }), route: (o, req) => routeNginx(o, 'myapp', req) },
  istio: { router: () => TrafficRouter.istio({ hosts: ['myapp'] }), route: (o, req) => routeIstio(o, 'myapp', req) },
  'gateway-api': {
    router: () => TrafficRouter.gatewayApi({ parentRefs: [{ name: 'public', namespace: 'gateways' }], hostnames: ['myapp.example.com'] }),
    route: (o, req) => routeGatewayApi(o, 'myapp', { host: 'myapp.example.com', ...req }, 'full'),
  },
};

function canaryChart(ns: string, props: Partial<CanaryReleaseProps>, engine: FlaggerOptions = {}): K8sObject[] {
  const chart = new Chart(new App(), 'c', { namespace: ns });
  new CanaryRelease(chart, 'myapp', { ...ports, stable: v1, engine: DeliveryEngine.flagger(engine), ...props } as CanaryReleaseProps);
  return synthChart(chart);
}

/** What plain manifests write for the same release at plan step `step`. */
function manifestsAt(router: () => TrafficRouter, step: number): K8sObject[] {
  const chart = new Chart(new App(), 'c');
  new CanaryRelease(chart, 'myapp', { ...ports, stable: v1, router: router(), steps: PLAN, canary: { ...v2, step } });
  return synthChart(chart);
}

/** The objects in the namespace that decide where a request goes: Deployments, Services and routes. */
function liveObjects(ns: string): Manifest[] {
  return routingObjects(ns, ['ingresses', 'virtualservices', 'destinationrules', 'httproutes']) as Manifest[];
}

const canary = (ns: string) => get('canary.flagger.app', 'myapp', ns);

// Every test has its own namespace (flagger-test-*: the examples' namespaces are named after
// their charts, flagger-nginx and so on), which the library's queries name, so one set of answers
// serves them all and the tests run side by side (Flagger's checks take most of their time).
// (Set by each test, since concurrent tests may start before a beforeAll hook has finished.)
const answers = () => prometheusAnswers([
  { match: 'flagger-test-rollback-', result: 7 },
  { match: 'flagger-test-no-data-nan"', result: 'nan' },
  { match: 'flagger-test-(nginx|istio|gateway-api)"', result: 0.5 },
], 'empty');
function waitPhase(ns: string, phases: string[], timeoutMs = 180_000): Promise<K8sObject> {
  return waitFor(`Canary ${ns}/myapp in phase ${phases.join(' or ')}`, () => {
    const c = canary(ns);
    return phases.includes(c.status?.phase) ? c : undefined;
  }, timeoutMs);
}

/** The phase, with Flagger's events about the Canary, so that a failed expectation says why. */
function outcome(ns: string, c: K8sObject): { phase: string; events: string[] } {
  const events = JSON.parse(kubectl(['get', 'events', '-n', ns, '--field-selector', 'involvedObject.kind=Canary', '-o', 'json'])).items;
  return { phase: c.status?.phase, events: events.map((e: any) => e.message) };
}

/** Rounds shares so that 0.2 read from Flagger's weights and from the manifests compare equal. */
const rounded = (o: Outcome) => Object.fromEntries(Object.entries(o).filter(([, s]) => s > 0).map(([v, s]) => [v, Math.round(s * 1000) / 1000]));

describe.each(Object.keys(ROUTERS))('Flagger canary on %s', (id) => {
  const { router, route } = ROUTERS[id];

  test.concurrent('initialises, routes each step as plain manifests do at that weight, and promotes on healthy metrics', async () => {
    await answers();
    const ns = namespace(`flagger-test-${id}`, 'restricted');
    apply(canaryChart(ns, { router: router(), steps: PLAN, analysis: analysis() }));
    await waitPhase(ns, ['Initialized']);
    expect(get('deployment', 'myapp-primary', ns).spec.template.metadata.labels.version).toBe('v1');
    expect(route(liveObjects(ns), {})).toEqual({ v1: 1 });

    apply(canaryChart(ns, { router: router(), steps: PLAN, analysis: analysis(), canary: v2 }));
    const seen = new Map<number, Outcome>();
    await waitFor('Flagger to walk the steps and promote', () => {
      const c = canary(ns);
      const weight = c.status?.canaryWeight ?? 0;
      if (c.status?.phase === 'Progressing' && weight > 0 && !seen.has(weight)) seen.set(weight, rounded(route(liveObjects(ns), {})));
      return c.status?.phase === 'Succeeded' ? c : undefined;
    }, 240_000, 500);

    expect([...seen.keys()]).toEqual(expect.arrayContaining([20, 50]));
    const step = { 20: 1, 50: 3 } as { [w: number]: number };
    for (const w of [20, 50]) {
      expect(seen.get(w)).toEqual(rounded(route(manifestsAt(router, step[w]), {})));
    }
    expect(get('deployment', 'myapp-primary', ns).spec.template.metadata.labels.version).toBe('v2');
    expect(rounded(route(liveObjects(ns), {}))).toEqual({ v2: 1 });
  }, 300_000);
});

test.concurrent.each(Object.keys(ROUTERS))('Flagger rolls back on 7%% errors on %s: all traffic returns to the primary (v1)', async (id) => {
  await answers();
  const ns = namespace(`flagger-test-rollback-${id}`, 'restricted');
  const props = { router: ROUTERS[id].router(), steps: PLAN, analysis: analysis() };
  apply(canaryChart(ns, props));
  await waitPhase(ns, ['Initialized']);
  apply(canaryChart(ns, { ...props, canary: v2 }));

  const failed = await waitPhase(ns, ['Failed', 'Succeeded']);
  expect(outcome(ns, failed)).toMatchObject({ phase: 'Failed' });
  expect(get('deployment', 'myapp-primary', ns).spec.template.metadata.labels.version).toBe('v1');
  expect(rounded(ROUTERS[id].route(liveObjects(ns), {}))).toEqual({ v1: 1 });
  expect(outcome(ns, failed).events.join('\n')).toMatch(new RegExp(`Rolling back myapp\\.${ns} failed checks threshold reached`));
}, 300_000);

test.concurrent.each(NO_DATA)('Flagger does not roll back a canary on %s: it promotes', async (_what, result) => {
  await answers();
  const ns = namespace(`flagger-test-no-data-${result}`, 'restricted');
  const props = { router: TrafficRouter.istio({ hosts: ['myapp'] }), steps: PLAN, analysis: analysis() };
  apply(canaryChart(ns, props));
  await waitPhase(ns, ['Initialized']);
  apply(canaryChart(ns, { ...props, canary: v2 }));

  const done = await waitPhase(ns, ['Succeeded', 'Failed']);
  expect(outcome(ns, done)).toMatchObject({ phase: 'Succeeded' });
  // Flagger asked, the series said `result`, and the library's guard made it a 0.
  const queried = (await prometheusQueries()).filter((q) => q.query.includes(`"${ns}"`));
  expect(queried.length).toBeGreaterThan(0);
  expect(queried.every((q) => q.query.endsWith('or on() vector(0)') && q.result === 0)).toBe(true);
}, 300_000);

test.concurrent('Flagger A/B test: the header goes to the canary, everyone else to the primary, then promotion', async () => {
  await answers();
  const ns = namespace('flagger-test-ab', 'restricted');
  const header = HeaderMatch.exact('stage', 'gray');
  const props = { router: TrafficRouter.istio({ hosts: ['myapp'] }), analysis: analysis() };
  // Without a canary the engine needs a weighted plan (no header to match yet); the A/B test's
  // iterations come with the canary's header rule.
  apply(canaryChart(ns, { ...props, steps: PLAN }));
  await waitPhase(ns, ['Initialized']);
  // Three checks, one per analysis interval (5 s), with the testers' header on v2.
  apply(canaryChart(ns, { ...props, canary: { ...v2, traffic: { header } } }, { iterations: 3 }));

  const during = await waitFor('the A/B routes', () => {
    const c = canary(ns);
    if (c.status?.phase !== 'Progressing') return undefined;
    const objects = liveObjects(ns);
    const tester = rounded(routeIstio(objects, 'myapp', { headers: { stage: 'gray' } }));
    return tester.v2 === 1 ? objects : undefined;
  }, 120_000, 500);
  expect(rounded(routeIstio(during, 'myapp', {}))).toEqual({ v1: 1 });
  // The same as plain manifests with the same rule.
  const chart = new Chart(new App(), 'm');
  new CanaryRelease(chart, 'myapp', { ...ports, stable: v1, router: TrafficRouter.istio({ hosts: ['myapp'] }), canary: { ...v2, traffic: { header } } });
  const manifests = synthChart(chart);
  expect(rounded(routeIstio(manifests, 'myapp', { headers: { stage: 'gray' } }))).toEqual({ v2: 1 });
  expect(rounded(routeIstio(manifests, 'myapp', {}))).toEqual({ v1: 1 });

  const done = await waitPhase(ns, ['Succeeded', 'Failed']);
  expect(outcome(ns, done)).toMatchObject({ phase: 'Succeeded' });
}, 300_000);

test.concurrent('Flagger blue-green: the new color behind <name>-canary during the checks, then the switch', async () => {
  await answers();
  const ns = namespace('flagger-test-blue-green', 'restricted');
  const release = (green?: typeof v1) => {
    const chart = new Chart(new App(), 'c', { namespace: ns });
    new BlueGreenRelease(chart, 'myapp', {
      ...ports,
      blue: v1,
      green,
      active: BlueGreenColor.BLUE,
      router: TrafficRouter.service(),
      // TrafficRouter.service() has no request metrics of its own: the app's, by version.
      analysis: CanaryAnalysis.prometheus({
        address: prometheusAddress(), maxErrorRate: 5, interval: Duration.seconds(5), failureLimit: 1,
        errorRateQuery: 'sum(rate(http_errors_total{namespace="{{namespace}}",version="{{version}}"}[{{window}}]))',
      }),
      engine: DeliveryEngine.flagger({ iterations: 2 }),
    });
    return synthChart(chart);
  };
  apply(release());
  await waitPhase(ns, ['Initialized']);
  apply(release({ ...v1, version: 'v2', image: 'registry.example/myapp:v2' }));

  await waitFor('the checks on the new color', () => canary(ns).status?.phase === 'Progressing' ? true : undefined, 120_000, 500);
  const versionsBehind = (service: string) => {
    const objects = liveObjects(ns);
    const selector = (objects.find((o) => o.kind === 'Service' && o.metadata.name === service) as K8sObject).spec.selector;
    return objects.filter((o) => o.kind === 'Deployment' && o.spec.replicas > 0 && Object.entries(selector).every(([k, v]) => o.spec.template.metadata.labels[k] === v))
      .map((o) => o.spec.template.metadata.labels.version);
  };
  expect(versionsBehind('myapp')).toEqual(['v1']);
  expect(versionsBehind('myapp-canary')).toEqual(['v2']);

  const done = await waitPhase(ns, ['Succeeded', 'Failed']);
  expect(outcome(ns, done)).toMatchObject({ phase: 'Succeeded' });
  await waitFor('myapp on v2', () => JSON.stringify(versionsBehind('myapp')) === '["v2"]' ? true : undefined, 60_000);
}, 300_000);
