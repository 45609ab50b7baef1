/**
 * DeliveryEngine.manifests() (the default): a plan's step picks the weight the routes render,
 * and the analysis becomes a PrometheusRule whose alerts say to roll back.
 */
import { Chart, Duration, Testing } from 'cdk8s';
import {
  BlueGreenColor, BlueGreenRelease, BlueGreenReleaseProps, CanaryAnalysis, CanaryRelease, CanaryReleaseProps, CanaryStep,
  DeliveryEngine, HeaderMatch, PrometheusAnalysisOptions, TrafficRouter,
} from '../../../src';
import { routeGatewayApi } from '../../../src/testing/simulate-gateway-api';
import { routeIstio } from '../../../src/testing/simulate-istio';
import { routeNginx } from '../../../src/testing/simulate-nginx';
import { Manifest, Outcome, SimRequest } from '../../../src/testing/simulated-objects';
import { K8sObject, find, objectIds, ofKind, podsSelectedBy, synthValid } from '../../util';
import { promqlOperators } from '../../promql-operators';

const app = { containerPort: 80, servicePort: 8080 };
const v1 = { version: 'v1', image: 'myapp:v1', replicas: 3 };
const v2 = { version: 'v2', image: 'myapp:v2', replicas: 1 };

/** An internal check (weight 0, testers only by header), 5% for 2 hours, 50% for 4 hours, then everyone. */
const PLAN = [
  CanaryStep.pause(),
  CanaryStep.shiftTraffic(5), CanaryStep.pause(Duration.hours(2)),
  CanaryStep.shiftTraffic(50), CanaryStep.pause(Duration.hours(4)),
  CanaryStep.shiftTraffic(100),
];
/** The weight in force at each step of PLAN: that of the last shiftTraffic at or before it. */
const PLAN_WEIGHTS = [0, 5, 5, 50, 50, 100];
const TESTER = HeaderMatch.exact('x-canary', 'internal');

function canary(props: Partial<CanaryReleaseProps>): K8sObject[] {
  const chart = Testing.chart();
  new CanaryRelease(chart, 'myapp', { ...app, stable: v1, ...props });
  return synthValid(chart);
}

function blueGreen(props: Partial<BlueGreenReleaseProps>): K8sObject[] {
  const chart = Testing.chart();
  new BlueGreenRelease(chart, 'myapp', { ...app, blue: v1, green: { ...v2, replicas: 3 }, active: BlueGreenColor.BLUE, ...props });
  return synthValid(chart);
}

/** Version -> share, without versions that get nothing, rounded to 1e-9. */
function shares(outcome: Outcome): Outcome {
  const out: Outcome = {};
  for (const [version, share] of Object.entries(outcome)) if (share > 1e-12) out[version] = Math.round(share * 1e9) / 1e9;
  return out;
}

type Route = (manifests: Manifest[], req: SimRequest) => Outcome;
const routers: Array<[string, () => TrafficRouter, Route]> = [
  ['nginx', () => TrafficRouter.nginx({ host: 'myapp.example.com' }), (m, r) => routeNginx(m, 'myapp', r)],
  ['istio by host', () => TrafficRouter.istio(), (m, r) => routeIstio(m, 'myapp', r)],
  ['istio by subset', () => TrafficRouter.istio({ subsets: true }), (m, r) => routeIstio(m, 'myapp', r)],
  ['gateway api', () => TrafficRouter.gatewayApi({ parentRefs: [{ name: 'public' }] }), (m, r) => routeGatewayApi(m, 'myapp', r, 'full')],
];

describe('steps and the canary\'s step pick the rendered weight', () => {
  describe.each(routers)('on %s', (_label, router, route) => {
    test.each(PLAN_WEIGHTS.map((weight, step) => [step, weight]))('at step %i the canary gets %i% of requests, and testers always reach it', (step, weight) => {
      const manifests = canary({ router: router(), steps: PLAN, canary: { ...v2, step, traffic: { header: TESTER } } }) as Manifest[];
      const expected: Outcome = weight === 0 ? { v1: 1 } : weight === 100 ? { v2: 1 } : { v1: (100 - weight) / 100, v2: weight / 100 };
      expect(shares(route(manifests, {}))).toEqual(expected);
      expect(shares(route(manifests, { headers: { 'x-canary': 'internal' } }))).toEqual({ v2: 1 });
    });
  });

  test('nginx at step 1 (5%): the canary Ingress is at 5 out of 100, and nothing else says so', () => {
    const manifests = canary({ router: TrafficRouter.nginx({ host: 'myapp.example.com' }), steps: PLAN, canary: { ...v2, step: 1 } });
    expect(objectIds(manifests)).toEqual(['Deployment/myapp-v1', 'Deployment/myapp-v2', 'PodDisruptionBudget/myapp-v1', 'PodDisruptionBudget/myapp-v2', 'Service/myapp', 'Service/myapp-canary', 'Ingress/myapp', 'Ingress/myapp-canary']);
    expect(find(manifests, 'Ingress', 'myapp-canary').metadata.annotations).toMatchObject({
      'nginx.ingress.kubernetes.io/canary-weight': '5',
      'nginx.ingress.kubernetes.io/canary-weight-total': '100',
    });
    expect(find(manifests, 'Ingress', 'myapp-canary').metadata.annotations).toEqual({
      'nginx.ingress.kubernetes.io/canary': 'true',
      'nginx.ingress.kubernetes.io/canary-weight': '5',
      'nginx.ingress.kubernetes.io/canary-weight-total': '100',
    });
    expect(find(manifests, 'Ingress', 'myapp').metadata.annotations).toBeUndefined();
    expect(podsSelectedBy(find(manifests, 'Service', 'myapp'), manifests)).toEqual(['myapp-v1']);
    expect(podsSelectedBy(find(manifests, 'Service', 'myapp-canary'), manifests)).toEqual(['myapp-v2']);
  });

  test('moving on is a one-number change: from step 1 to step 3 only the weight changes', () => {
    const at = (step: number) => canary({ router: TrafficRouter.nginx({ host: 'myapp.example.com' }), steps: PLAN, canary: { ...v2, step } });
    const before = at(1);
    const after = at(3);
    expect(objectIds(after)).toEqual(objectIds(before));
    const changed = after.filter((o, i) => JSON.stringify(o) !== JSON.stringify(before[i]));
    expect(objectIds(changed)).toEqual(['Ingress/myapp-canary']);
    const annotations = (o: K8sObject) => o.metadata.annotations!;
    const { ['nginx.ingress.kubernetes.io/canary-weight']: w1, ...rest1 } = annotations(find(before, 'Ingress', 'myapp-canary'));
    const { ['nginx.ingress.kubernetes.io/canary-weight']: w3, ...rest3 } = annotations(find(after, 'Ingress', 'myapp-canary'));
    expect([w1, w3]).toEqual(['5', '50']);
    expect(rest3).toEqual(rest1);
  });

  test('a weight out of weightTotal: step 1 of a plan out of 1000 renders 5 out of 1000', () => {
    const manifests = canary({
      router: TrafficRouter.istio(),
      steps: [CanaryStep.shiftTraffic(5), CanaryStep.pause(), CanaryStep.shiftTraffic(500)],
      canary: { ...v2, step: 1, traffic: { weightTotal: 1000 } },
    });
    const weighted = find(manifests, 'VirtualService', 'myapp').spec.http.find((h: any) => h.name === 'weighted');
    expect(weighted.route.map((r: any) => r.weight)).toEqual([995, 5]);
    expect(shares(routeIstio(manifests as Manifest[], 'myapp', {}))).toEqual({ v1: 0.995, v2: 0.005 });
  });

  test('without a step, the canary\'s own traffic.weight is rendered and the plan waits', () => {
    const manifests = canary({ router: TrafficRouter.nginx(), steps: PLAN, canary: { ...v2, traffic: { weight: 20 } } });
    expect(find(manifests, 'Ingress', 'myapp-canary').metadata.annotations!['nginx.ingress.kubernetes.io/canary-weight']).toBe('20');
  });

  test('DeliveryEngine.manifests() is the default: the same objects either way', () => {
    const props: Partial<CanaryReleaseProps> = { router: TrafficRouter.nginx(), steps: PLAN, canary: { ...v2, step: 3 } };
    expect(canary({ ...props, engine: DeliveryEngine.manifests() })).toEqual(canary(props));
  });
});

const PROMETHEUS = 'http://prometheus.monitoring:9090';
const analysis = (options: Partial<PrometheusAnalysisOptions> = {}) => CanaryAnalysis.prometheus({ address: PROMETHEUS, maxErrorRate: 5, ...options });

describe('analysis with plain manifests: a PrometheusRule <name>', () => {
  test('a canary\'s error rate and p99 latency, labelled with app and version, saying to roll back', () => {
    const manifests = canary({
      router: TrafficRouter.nginx({ host: 'myapp.example.com' }),
      steps: PLAN,
      canary: { ...v2, step: 1 },
      analysis: analysis({ maxLatency: Duration.millis(500) }),
    });
    const rule = find(manifests, 'PrometheusRule', 'myapp');
    expect(rule.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(rule.metadata.labels).toEqual({ app: 'myapp' });
    const [group] = rule.spec.groups;
    expect([group.name, group.interval]).toEqual(['myapp.release', '1m']);
    expect(group.rules.map((r: any) => r.alert)).toEqual(['ReleaseErrorRateHigh', 'ReleaseLatencyHigh']);
    for (const r of group.rules) {
      expect(r.labels).toEqual({ severity: 'critical', app: 'myapp', version: 'v2' });
      expect(r.annotations.summary).toMatch(/^myapp v2 .*: roll back \(remove the canary v2 from the release\)\.$/);
      // Prometheus waits interval x failureLimit (1m x 2) before firing, as Argo Rollouts tolerates failureLimit failures.
      expect(r.for).toBe('2m');
    }
    const [errors, latency] = group.rules;
    expect(errors.expr).toMatch(/^\(100 \* sum\(rate\(nginx_ingress_controller_requests\{.*\}\[2m\]\)\) \/ sum\(rate\(nginx_ingress_controller_requests\{.*\}\[2m\]\)\)\) > 5$/);
    expect(errors.annotations.summary).toBe('myapp v2 fails more than 5% of requests with 5xx: roll back (remove the canary v2 from the release).');
    expect(latency.expr).toMatch(/\) > 0\.5$/);
    expect(errors.annotations.description).toBe('The 5xx rate of myapp v2 is {{ $value | humanize }}%, above the release\'s limit of 5%.');
    expect(latency.annotations).toEqual({
      description: 'The p99 latency of myapp v2 is {{ $value | humanizeDuration }}, above the release\'s limit of 500 millis.',
      summary: 'myapp v2 answers slower than 500 millis at the 99th percentile: roll back (remove the canary v2 from the release).',
    });
    expect(rule.metadata).toEqual({ name: 'myapp', labels: { app: 'myapp' } });
  });

  test.each([
    { every: '30s', interval: Duration.seconds(30), failureLimit: 4, expected: '2m' },
    { every: '90s', interval: Duration.seconds(90), failureLimit: 3, expected: '270s' },
    { every: '5m', interval: Duration.minutes(5), failureLimit: 12, expected: '1h' },
    { every: '1m', interval: Duration.minutes(1), failureLimit: 1, expected: '1m' },
  ])('for is interval x failureLimit: $every x $failureLimit = $expected', ({ interval, failureLimit, expected }) => {
    const manifests = canary({ router: TrafficRouter.istio(), canary: v2, analysis: analysis({ interval, failureLimit }) });
    const [group] = find(manifests, 'PrometheusRule', 'myapp').spec.groups;
    expect(group.rules[0].for).toBe(expected);
  });

  test('failureLimit 0: the alert fires on the first bad evaluation (no for)', () => {
    const manifests = canary({ router: TrafficRouter.istio(), canary: v2, analysis: analysis({ failureLimit: 0 }) });
    expect(find(manifests, 'PrometheusRule', 'myapp').spec.groups[0].rules[0].for).toBeUndefined();
  });

  test('no canary, no PrometheusRule: the alerts are about a canary', () => {
    const manifests = canary({ router: TrafficRouter.nginx(), steps: PLAN, analysis: analysis() });
    expect(ofKind(manifests, 'PrometheusRule')).toEqual([]);
  });

  test('blue-green: the active color is watched, and rolling back is making the other color active', () => {
    const manifests = blueGreen({ router: TrafficRouter.istio(), active: BlueGreenColor.GREEN, analysis: analysis() });
    const [r] = find(manifests, 'PrometheusRule', 'myapp').spec.groups[0].rules;
    expect(r.labels).toEqual({ severity: 'critical', app: 'myapp', version: 'v2' });
    expect(r.expr).toContain('destination_version="v2"');
    expect(r.annotations.summary).toBe('myapp v2 fails more than 5% of requests with 5xx: roll back (set active to the idle color, blue (v1)).');
  });

  test('blue-green after the old color is gone: rolling back is bringing it back', () => {
    const manifests = blueGreen({ router: TrafficRouter.istio(), blue: undefined, active: BlueGreenColor.GREEN, analysis: analysis() });
    const [r] = find(manifests, 'PrometheusRule', 'myapp').spec.groups[0].rules;
    expect(r.annotations.summary).toMatch(/roll back \(bring the previous version back as the other color and make it active\)\.$/);
  });

  /**
   * An alerting rule alerts once per sample its expression returns. `(q) > limit` has no `bool`:
   * it keeps the samples for which it holds and drops the others, so with no data yet it returns
   * nothing and nothing is pending or firing. No guard needed, unlike the controllers' analyses.
   */
  test('no data yet never fires: an empty result and a 0/0 ratio give no sample, a value above the limit does', () => {
    const manifests = canary({ router: TrafficRouter.nginx({ host: 'myapp.example.com' }), canary: v2, analysis: analysis({ maxLatency: Duration.millis(500) }) });
    const [errors, latency] = find(manifests, 'PrometheusRule', 'myapp').spec.groups[0].rules;
    // - nobody has called the canary yet: no series, sum() is empty, nothing to compare: no alert;
    // - series but no request in the window: 0/0 = NaN, and NaN > 5 is false: the sample is dropped, no alert;
    // - a real 7 (%): 7 > 5 holds, the sample is kept: the alert is pending, and fires after `for`.
    expect(promqlOperators(errors.expr, 1)).toEqual([
      '(100 * sum(rate(nginx_ingress_controller_requests{ingress="myapp",canary!="",status=~"5.."}[2m])) / sum(rate(nginx_ingress_controller_requests{ingress="myapp",canary!=""}[2m])))', '>', '5',
    ]);
    expect(promqlOperators(latency.expr, 1)).toEqual([
      '(histogram_quantile(0.99, sum by (le) (rate(nginx_ingress_controller_request_duration_seconds_bucket{ingress="myapp",canary!=""}[2m]))))', '>', '0.5',
    ]);
  });

  test('ruleLabels label the PrometheusRule only: kube-prometheus-stack loads the rules labelled with its release', () => {
    const manifests = canary({
      router: TrafficRouter.istio(), canary: v2, metadata: { labels: { team: 'payments' } },
      analysis: analysis({ ruleLabels: { release: 'kube-prometheus-stack' } }),
    });
    expect(find(manifests, 'PrometheusRule', 'myapp').metadata.labels).toEqual({ team: 'payments', release: 'kube-prometheus-stack', app: 'myapp' });
    for (const o of manifests.filter((m) => m.kind !== 'PrometheusRule')) {
      expect([o.kind, o.metadata.name, o.metadata.labels?.release]).toEqual([o.kind, o.metadata.name, undefined]);
    }
  });

  test('ruleLabels win over the release\'s metadata labels on the PrometheusRule, and there only', () => {
    const manifests = canary({
      router: TrafficRouter.istio(), canary: v2, metadata: { labels: { team: 'payments' } },
      analysis: analysis({ ruleLabels: { team: 'sre' } }),
    });
    expect(find(manifests, 'PrometheusRule', 'myapp').metadata.labels).toEqual({ team: 'sre', app: 'myapp' });
    expect(find(manifests, 'Deployment', 'myapp-v2').metadata.labels).toMatchObject({ team: 'payments' });
  });

  test('ruleLabels on blue-green\'s PrometheusRule too', () => {
    const manifests = blueGreen({ router: TrafficRouter.istio(), analysis: analysis({ ruleLabels: { release: 'kube-prometheus-stack' } }) });
    expect(find(manifests, 'PrometheusRule', 'myapp').metadata.labels).toEqual({ release: 'kube-prometheus-stack', app: 'myapp' });
  });

  test('the PrometheusRule carries the release\'s metadata and the chart\'s namespace', () => {
    const namespaced = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
    new CanaryRelease(namespaced, 'myapp', {
      ...app, stable: v1, canary: v2, router: TrafficRouter.istio(), analysis: analysis(),
      metadata: { labels: { team: 'payments' }, annotations: { owner: 'payments@example.com' } },
    });
    const rule = find(synthValid(namespaced), 'PrometheusRule', 'myapp');
    expect(rule.metadata).toEqual({ name: 'myapp', namespace: 'shop', labels: { team: 'payments', app: 'myapp' }, annotations: { owner: 'payments@example.com' } });
    expect(rule.spec.groups[0].rules[0].expr).toContain('destination_workload_namespace="shop"');
  });
});

/**
 * One whole-chart snapshot per construct under DeliveryEngine.manifests() (and one per construct
 * under each other engine, in its own test file). What a user applies is the point here: every
 * object and every field, the defaults of the Deployments and Services included, so a change to
 * any of them shows up in review once per construct and engine. Every other test asserts the
 * fields its scenario is about, and snapshots a router's own kinds at most.
 */
describe('the whole chart under plain manifests', () => {
  /** A release as a team runs it: its own namespace and labels, ingress-nginx with TLS, a plan, testers, a rollback rule. */
  const shop = () => new Chart(Testing.app(), 'shop', { namespace: 'shop' });
  const router = () => TrafficRouter.nginx({ host: 'myapp.example.com', tlsSecretName: 'myapp-tls' });
  const rollback = () => analysis({ maxLatency: Duration.millis(500) });

  test('a canary at step 1 of its plan (5%), testers by header and cookie, alerts to roll back on errors or latency', () => {
    const chart = shop();
    new CanaryRelease(chart, 'myapp', {
      ...app,
      metadata: { labels: { team: 'shop' } },
      stable: v1,
      canary: { ...v2, step: 1, traffic: { header: TESTER, cookie: 'canary' } },
      steps: PLAN,
      router: router(),
      analysis: rollback(),
    });
    const manifests = synthValid(chart);

    expect(manifests).toMatchSnapshot();
    expect(objectIds(manifests)).toEqual([
      'Deployment/myapp-v1', 'Deployment/myapp-v2', 'PodDisruptionBudget/myapp-v1', 'PodDisruptionBudget/myapp-v2', 'Service/myapp', 'Service/myapp-canary', 'Ingress/myapp', 'Ingress/myapp-canary', 'PrometheusRule/myapp',
    ]);
    for (const o of manifests) expect([o.kind, o.metadata.name, o.metadata.namespace, o.metadata.labels?.team]).toEqual([o.kind, o.metadata.name, 'shop', 'shop']);
    expect(podsSelectedBy(find(manifests, 'Service', 'myapp'), manifests)).toEqual(['myapp-v1']);
    expect(podsSelectedBy(find(manifests, 'Service', 'myapp-canary'), manifests)).toEqual(['myapp-v2']);
    expect(find(manifests, 'Ingress', 'myapp-canary').metadata.annotations).toEqual({
      'nginx.ingress.kubernetes.io/canary': 'true',
      'nginx.ingress.kubernetes.io/canary-by-header': 'x-canary',
      'nginx.ingress.kubernetes.io/canary-by-header-value': 'internal',
      'nginx.ingress.kubernetes.io/canary-by-cookie': 'canary',
      'nginx.ingress.kubernetes.io/canary-weight': '5',
      'nginx.ingress.kubernetes.io/canary-weight-total': '100',
    });
    expect(find(manifests, 'Ingress', 'myapp').spec.tls).toEqual([{ hosts: ['myapp.example.com'], secretName: 'myapp-tls' }]);
    expect(find(manifests, 'PrometheusRule', 'myapp').spec.groups[0].rules.map((r: any) => [r.alert, r.labels.version])).toEqual([
      ['ReleaseErrorRateHigh', 'v2'], ['ReleaseLatencyHigh', 'v2'],
    ]);
  });

  test('a blue-green release, blue active, green previewed at its own host, alerts to roll back on errors or latency', () => {
    const chart = shop();
    new BlueGreenRelease(chart, 'myapp', {
      ...app,
      metadata: { labels: { team: 'shop' } },
      blue: v1,
      green: { ...v2, replicas: 3 },
      active: BlueGreenColor.BLUE,
      previewHost: 'preview.myapp.example.com',
      router: router(),
      analysis: rollback(),
    });
    const manifests = synthValid(chart);

    expect(manifests).toMatchSnapshot();
    expect(objectIds(manifests)).toEqual([
      'Deployment/myapp-v1', 'Deployment/myapp-v2', 'PodDisruptionBudget/myapp-v1', 'PodDisruptionBudget/myapp-v2', 'Service/myapp', 'Service/myapp-preview', 'Ingress/myapp', 'Ingress/myapp-preview', 'PrometheusRule/myapp',
    ]);
    for (const o of manifests) expect([o.kind, o.metadata.name, o.metadata.namespace, o.metadata.labels?.team]).toEqual([o.kind, o.metadata.name, 'shop', 'shop']);
    expect(podsSelectedBy(find(manifests, 'Service', 'myapp'), manifests)).toEqual(['myapp-v1']);
    expect(podsSelectedBy(find(manifests, 'Service', 'myapp-preview'), manifests)).toEqual(['myapp-v2']);
    expect(find(manifests, 'Ingress', 'myapp-preview').spec.rules[0].host).toBe('preview.myapp.example.com');
    expect(find(manifests, 'Ingress', 'myapp-preview').spec.rules[0].http.paths[0].backend.service.name).toBe('myapp-preview');
    const [errors] = find(manifests, 'PrometheusRule', 'myapp').spec.groups[0].rules;
    expect(errors.labels).toEqual({ severity: 'critical', app: 'myapp', version: 'v1' });
    expect(errors.annotations.summary).toBe('myapp v1 fails more than 5% of requests with 5xx: roll back (set active to the idle color, green (v2)).');
  });
});
