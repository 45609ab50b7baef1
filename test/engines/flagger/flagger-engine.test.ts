/**
 * DeliveryEngine.flagger(): one Deployment `<name>` running the newest version and a Flagger
 * Canary `<name>` (flagger.app/v1beta1); Flagger generates the Services, the primary Deployment
 * and the routes. The plan becomes stepWeights and interval, the analysis MetricTemplates whose
 * queries read 0 while there is no data, header and cookie rules an A/B test, blue-green the
 * kubernetes provider. Every object is checked against the upstream CRD's schema (test/util.ts).
 */
import { Chart, Duration, Testing } from 'cdk8s';
import {
  BlueGreenColor, BlueGreenRelease, BlueGreenReleaseProps, CanaryAnalysis, CanaryRelease, CanaryReleaseProps,
  CanaryStep, DeliveryEngine, FlaggerOptions, HeaderMatch, TrafficRouter,
} from '../../../src';
import { K8sObject, find, objectIds, ofKind, promqlExpressions, promqlSyntaxErrors, synthValid } from '../../util';
import { promqlOperators } from '../../promql-operators';
import { RecordingRouter } from '../../routing/recording-router';

const app = { containerPort: 80, servicePort: 8080 };
const v1 = { version: 'v1', image: 'myapp:v1', replicas: 3 };
/** Flagger runs the canary at the target Deployment's size: the canary track has no replicas. */
const v2 = { version: 'v2', image: 'myapp:v2' };
/** Flagger's own default --metrics-server: the analysis queries it through MetricTemplates all the same. */
const FLAGGER_PROMETHEUS = 'http://prometheus:9090';
const OTHER_PROMETHEUS = 'http://prometheus.monitoring:9090';
/** Recipe 8's plan with equal pauses (Flagger holds every step for one interval): 5% for 1 hour, 50% for 1 hour, then everyone. */
const PLAN = [
  CanaryStep.shiftTraffic(5), CanaryStep.pause(Duration.hours(1)),
  CanaryStep.shiftTraffic(50), CanaryStep.pause(Duration.hours(1)),
  CanaryStep.shiftTraffic(100),
];
const TESTER_RULES = { header: HeaderMatch.exact('stage', 'gray'), cookie: 'canary' };
const nginx = () => TrafficRouter.nginx({ host: 'myapp.example.com' });
const istio = () => TrafficRouter.istio({ hosts: ['myapp.com', 'myapp'], gateways: ['istio-system/public-gateway', 'mesh'] });
const gatewayApi = (path?: string) => TrafficRouter.gatewayApi({
  parentRefs: [{ name: 'public', namespace: 'gateways', sectionName: 'https' }, { name: 'internal' }], hostnames: ['myapp.com'], path,
});
const rollback = (address = FLAGGER_PROMETHEUS) => CanaryAnalysis.prometheus({ address, maxErrorRate: 5, maxLatency: Duration.millis(500) });

function canary(props: Partial<CanaryReleaseProps>, chart: Chart = Testing.chart()): K8sObject[] {
  new CanaryRelease(chart, 'myapp', { ...app, stable: v1, router: nginx(), steps: PLAN, engine: DeliveryEngine.flagger(), ...props });
  return synthValid(chart);
}

function blueGreen(props: Partial<BlueGreenReleaseProps>, chart: Chart = Testing.chart()): K8sObject[] {
  new BlueGreenRelease(chart, 'myapp', {
    ...app, blue: v1, green: { ...v2, replicas: 3 }, active: BlueGreenColor.BLUE, router: nginx(), engine: DeliveryEngine.flagger(), ...props,
  });
  return synthValid(chart);
}

const canarySpec = (manifests: K8sObject[]) => find(manifests, 'Canary', 'myapp').spec;
const analysisOf = (manifests: K8sObject[]) => canarySpec(manifests).analysis;

describe('the target Deployment <name>', () => {
  test('runs the canary\'s image at stable.replicas, labelled app and version, selecting {app} only; no Services, VirtualService or canary Ingress', () => {
    const manifests = canary({ canary: v2 });
    expect(objectIds(manifests)).toEqual(['Deployment/myapp', 'PodDisruptionBudget/myapp-primary', 'PodDisruptionBudget/myapp', 'Ingress/myapp', 'Canary/myapp']);
    const deployment = find(manifests, 'Deployment', 'myapp');
    expect(deployment.metadata.labels).toEqual({ app: 'myapp', version: 'v2' });
    expect(deployment.spec.replicas).toBe(3);
    // Flagger's primary copies the Deployment with app=<name>-primary: the selector must not pin the version.
    expect(deployment.spec.selector).toEqual({ matchLabels: { app: 'myapp' } });
    expect(deployment.spec.selector.matchLabels).not.toHaveProperty(['app.kubernetes.io/version']);
    expect(deployment.spec.template.metadata.labels).toEqual({ 'app': 'myapp', 'version': 'v2', 'app.kubernetes.io/name': 'myapp', 'app.kubernetes.io/version': 'v2' });
    expect(deployment.spec.template.spec.containers.map((c: any) => c.image)).toEqual(['myapp:v2']);
    expect(ofKind(manifests, 'Service')).toEqual([]);
    expect(ofKind(manifests, 'Ingress').map((i) => i.metadata.name)).toEqual(['myapp']);
  });

  test('without a canary it runs the stable track', () => {
    const deployment = find(canary({}), 'Deployment', 'myapp');
    expect(deployment.spec.template.spec.containers[0].image).toBe('myapp:v1');
    expect(deployment.spec.template.metadata.labels).toEqual({ 'app': 'myapp', 'version': 'v1', 'app.kubernetes.io/name': 'myapp', 'app.kubernetes.io/version': 'v1' });
    expect(deployment.spec.replicas).toBe(3);
    expect(find(canary({ stable: { version: 'v1', image: 'myapp:v1' } }), 'Deployment', 'myapp').spec.replicas).toBe(1);
  });

  test('its pod template is the one the canary track\'s Deployment gets under plain manifests', () => {
    const plain = Testing.chart();
    new CanaryRelease(plain, 'myapp', { ...app, stable: v1, canary: v2, router: nginx(), podMetadata: { labels: { tier: 'web' } } });
    const flagger = canary({ canary: v2, podMetadata: { labels: { tier: 'web' } } });
    expect(JSON.stringify(find(flagger, 'Deployment', 'myapp').spec.template)).toBe(JSON.stringify(find(synthValid(plain), 'Deployment', 'myapp-v2').spec.template));
  });

  test('the release exposes targetDeployment; service and stableDeployment say why they do not exist', () => {
    const release = new CanaryRelease(Testing.chart(), 'myapp', { ...app, stable: v1, canary: v2, router: nginx(), steps: PLAN, engine: DeliveryEngine.flagger() });
    expect(release.targetDeployment?.name).toBe('myapp');
    expect(release.canaryDeployment).toBeUndefined();
    expect(release.canaryService).toBeUndefined();
    expect(release.rollout).toBeUndefined();
    expect(() => release.service).toThrow('CanaryRelease \'myapp\': service is not emitted with this engine: Flagger generates the Services <name>, <name>-canary and <name>-primary');
    expect(() => release.stableDeployment).toThrow('CanaryRelease \'myapp\': stableDeployment does not exist with this engine');
  });
});

describe('a Canary per router', () => {
  test('nginx: provider nginx, ingressRef to the emitted Ingress <name> whose backend is the Service <name> Flagger generates', () => {
    const manifests = canary({ canary: v2, analysis: rollback() });
    // The whole chart, once per construct under Flagger (this one and the blue-green one below):
    // what a user applies, every object and field, the Deployment's defaults included, so a change
    // to any of them shows up here in review. The other tests assert fields and snapshot nothing.
    expect(manifests).toMatchSnapshot();
    const spec = canarySpec(manifests);
    expect(spec.provider).toBe('nginx');
    expect(spec.targetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'myapp' });
    expect(spec.ingressRef).toEqual({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'myapp' });
    expect(spec.service).toEqual({ port: 8080, targetPort: 80 });
    // Flagger copies this Ingress into <name>-canary, replacing the backend <name> by <name>-canary:
    // the backend must be the Service named like the target.
    const ingress = find(manifests, 'Ingress', 'myapp');
    expect(ingress.spec.rules[0].http.paths[0].backend.service).toEqual({ name: 'myapp', port: { number: 8080 } });
    expect(ingress.metadata.annotations).toBeUndefined();
  });

  test('Istio: provider istio, service.hosts and gateways from the router; no VirtualService or DestinationRule', () => {
    const manifests = canary({ router: istio(), canary: v2 });
    expect(objectIds(manifests)).toEqual(['Deployment/myapp', 'PodDisruptionBudget/myapp-primary', 'PodDisruptionBudget/myapp', 'Canary/myapp']);
    const spec = canarySpec(manifests);
    expect(spec.provider).toBe('istio');
    expect(spec.ingressRef).toBeUndefined();
    expect(spec.service).toEqual({ port: 8080, targetPort: 80, hosts: ['myapp.com', 'myapp'], gateways: ['istio-system/public-gateway', 'mesh'] });
    expect(spec.targetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'myapp' });
    expect(spec.analysis).toEqual({ interval: '60m', threshold: 1, stepWeights: [5, 50] });
  });

  test('Istio without hosts: Flagger routes the Service <name> in the mesh', () => {
    expect(canarySpec(canary({ router: TrafficRouter.istio(), canary: v2 })).service).toEqual({ port: 8080, targetPort: 80 });
  });

  test('Gateway API: provider gatewayapi:v1, gatewayRefs from parentRefs, hosts from hostnames, the path as a uri prefix match; no HTTPRoute', () => {
    const manifests = canary({ router: gatewayApi('/shop'), canary: v2 });
    expect(objectIds(manifests)).toEqual(['Deployment/myapp', 'PodDisruptionBudget/myapp-primary', 'PodDisruptionBudget/myapp', 'Canary/myapp']);
    const spec = canarySpec(manifests);
    expect(spec.provider).toBe('gatewayapi:v1');
    expect(spec.service).toEqual({
      port: 8080,
      targetPort: 80,
      gatewayRefs: [{ name: 'public', namespace: 'gateways', sectionName: 'https' }, { name: 'internal' }],
      hosts: ['myapp.com'],
      match: [{ uri: { prefix: '/shop' } }],
    });
    expect(spec.targetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'myapp' });
    expect(spec.ingressRef).toBeUndefined();
    expect(spec.analysis).toEqual({ interval: '60m', threshold: 1, stepWeights: [5, 50] });
  });

  test('Gateway API on `/`: no match (Flagger matches every path by default)', () => {
    expect(canarySpec(canary({ router: gatewayApi(), canary: v2 })).service.match).toBeUndefined();
    expect(canarySpec(canary({ router: gatewayApi('/'), canary: v2 })).service.match).toBeUndefined();
  });

  test('metadata labels and annotations go on the Deployment, the Canary and the Ingress', () => {
    const manifests = canary({ canary: v2, metadata: { labels: { team: 'shop' }, annotations: { owner: 'shop-team' } } });
    for (const o of manifests) {
      expect([o.kind, o.metadata.labels?.team, o.metadata.annotations?.owner]).toEqual([o.kind, 'shop', 'shop-team']);
    }
    expect(find(manifests, 'Canary', 'myapp').metadata.labels).toEqual({ team: 'shop', app: 'myapp' });
  });
});

describe('the plan as stepWeights and interval', () => {
  test('every shift but the last is a step weight; the pauses are the interval; the last shift is the promotion', () => {
    const analysis = analysisOf(canary({ canary: v2 }));
    expect(analysis).toEqual({ interval: '60m', threshold: 1, stepWeights: [5, 50] });
    expect(analysis.iterations).toBeUndefined();
  });

  test('weights are percentages of weightTotal', () => {
    const steps = [CanaryStep.shiftTraffic(50), CanaryStep.pause(Duration.minutes(10)), CanaryStep.shiftTraffic(500), CanaryStep.pause(Duration.minutes(10)), CanaryStep.shiftTraffic(1000)];
    expect(analysisOf(canary({ steps, canary: { ...v2, traffic: { weightTotal: 1000 } } })).stepWeights).toEqual([5, 50]);
  });

  test('durations in minutes or seconds, as Flagger\'s CRD requires (no hours)', () => {
    const plan = (d: Duration) => [CanaryStep.shiftTraffic(10), CanaryStep.pause(d), CanaryStep.shiftTraffic(100)];
    expect(analysisOf(canary({ steps: plan(Duration.seconds(90)), canary: v2 })).interval).toBe('90s');
    expect(analysisOf(canary({ steps: plan(Duration.minutes(30)), canary: v2 })).interval).toBe('30m');
    expect(analysisOf(canary({ steps: plan(Duration.hours(2)), canary: v2 })).interval).toBe('120m');
    expect(analysisOf(canary({ steps: plan(Duration.days(1)), canary: v2 })).interval).toBe('1440m');
    expect(analysisOf(canary({ steps: plan(Duration.seconds(3630)), canary: v2 })).interval).toBe('3630s');
  });

  test('a plan that ends with a pause: every shift is a step weight, and Flagger promotes after holding the last one, as every engine promotes when the plan ends', () => {
    const steps = [CanaryStep.shiftTraffic(5), CanaryStep.pause(Duration.minutes(60)), CanaryStep.shiftTraffic(50), CanaryStep.pause(Duration.minutes(60))];
    expect(analysisOf(canary({ steps, canary: v2 }))).toEqual({ interval: '60m', threshold: 1, stepWeights: [5, 50] });
  });

  test('a single step: one weight for one interval, then promotion', () => {
    const steps = [CanaryStep.shiftTraffic(20), CanaryStep.pause(Duration.minutes(15)), CanaryStep.shiftTraffic(100)];
    expect(analysisOf(canary({ steps, canary: v2 }))).toEqual({ interval: '15m', threshold: 1, stepWeights: [20] });
  });

  test('threshold is failureLimit + 1: Flagger rolls back on the threshold-th failed check', () => {
    const threshold = (failureLimit?: number) => analysisOf(canary({
      canary: v2, analysis: CanaryAnalysis.prometheus({ address: FLAGGER_PROMETHEUS, maxErrorRate: 5, failureLimit }),
    })).threshold;
    expect(threshold()).toBe(3); // failureLimit defaults to 2
    expect(threshold(0)).toBe(1);
    expect(threshold(5)).toBe(6);
    // Without an analysis nothing is measured: the first failed check (e.g. the canary not becoming ready) rolls back.
    expect(analysisOf(canary({ canary: v2 })).threshold).toBe(1);
  });
});

describe('the analysis', () => {
  test('on Istio too: MetricTemplates, never Flagger\'s built-in request-success-rate and request-duration, whose "no data" fails the check', () => {
    const manifests = canary({ canary: v2, analysis: rollback(), router: istio() });
    expect(objectIds(manifests)).toEqual(['Deployment/myapp', 'PodDisruptionBudget/myapp-primary', 'PodDisruptionBudget/myapp', 'MetricTemplate/myapp-error-rate', 'MetricTemplate/myapp-latency-p99', 'Canary/myapp']);
    expect(analysisOf(manifests).metrics).toEqual([
      { name: 'error-rate', interval: '2m', templateRef: { name: 'myapp-error-rate' }, thresholdRange: { max: 5 } },
      { name: 'latency-p99', interval: '2m', templateRef: { name: 'myapp-latency-p99' }, thresholdRange: { max: 0.5 } },
    ]);
    expect(find(manifests, 'MetricTemplate', 'myapp-error-rate').spec.provider).toEqual({ type: 'prometheus', address: FLAGGER_PROMETHEUS });
  });

  test('the error rate only, without maxLatency; fractions of a percent kept', () => {
    const metrics = analysisOf(canary({ canary: v2, router: istio(), analysis: CanaryAnalysis.prometheus({ address: FLAGGER_PROMETHEUS, maxErrorRate: 0.5 }) })).metrics;
    expect(metrics).toEqual([{ name: 'error-rate', interval: '2m', templateRef: { name: 'myapp-error-rate' }, thresholdRange: { max: 0.5 } }]);
  });

  test('the metric interval is the analysis window: twice the analysis interval, at least a minute, in minutes or seconds', () => {
    const windowOf = (interval: Duration) => analysisOf(canary({
      canary: v2, router: istio(), analysis: CanaryAnalysis.prometheus({ address: FLAGGER_PROMETHEUS, maxErrorRate: 5, interval }),
    })).metrics[0].interval;
    expect(windowOf(Duration.seconds(20))).toBe('1m');
    expect(windowOf(Duration.seconds(45))).toBe('90s');
    expect(windowOf(Duration.minutes(2))).toBe('4m');
    expect(windowOf(Duration.minutes(30))).toBe('60m');
  });

  test('ingress-nginx: always MetricTemplates, since Flagger\'s built-in nginx metrics count the whole Ingress (old and new version) and take a mean latency', () => {
    const manifests = canary({ canary: v2, analysis: rollback() });
    expect(analysisOf(manifests).metrics.map((m: any) => [m.name, m.templateRef?.name, m.thresholdRange])).toEqual([
      ['error-rate', 'myapp-error-rate', { max: 5 }],
      ['latency-p99', 'myapp-latency-p99', { max: 0.5 }],
    ]);
    // The canary's requests only: ingress-nginx labels them with the canary upstream.
    expect(find(manifests, 'MetricTemplate', 'myapp-error-rate').spec.query).toContain('ingress="myapp",canary!=""');
  });

  test('another Prometheus: MetricTemplates <name>-error-rate and <name>-latency-p99 with the router\'s queries, and templateRefs', () => {
    const manifests = canary({ canary: v2, analysis: rollback(OTHER_PROMETHEUS) }, new Chart(Testing.app(), 'shop', { namespace: 'shop' }));
    expect(objectIds(manifests)).toEqual(['Deployment/myapp', 'PodDisruptionBudget/myapp-primary', 'PodDisruptionBudget/myapp', 'Ingress/myapp', 'MetricTemplate/myapp-error-rate', 'MetricTemplate/myapp-latency-p99', 'Canary/myapp']);
    const errorRate = find(manifests, 'MetricTemplate', 'myapp-error-rate');
    expect(errorRate.spec.provider).toEqual({ type: 'prometheus', address: OTHER_PROMETHEUS });
    // ingress-nginx counts the canary's requests on the main Ingress <name>, with the canary upstream in `canary`.
    expect(errorRate.spec.query).toBe('((100 * sum(rate(nginx_ingress_controller_requests{namespace="shop",ingress="myapp",canary!="",status=~"5.."}[2m]))'
      + ' / sum(rate(nginx_ingress_controller_requests{namespace="shop",ingress="myapp",canary!=""}[2m]))) >= 0) or on() vector(0)');
    expect(find(manifests, 'MetricTemplate', 'myapp-latency-p99').spec.query)
      .toBe('((histogram_quantile(0.99, sum by (le) (rate(nginx_ingress_controller_request_duration_seconds_bucket{namespace="shop",ingress="myapp",canary!=""}[2m])))) >= 0) or on() vector(0)');
    expect(analysisOf(manifests).metrics).toEqual([
      { name: 'error-rate', interval: '2m', thresholdRange: { max: 5 }, templateRef: { name: 'myapp-error-rate' } },
      { name: 'latency-p99', interval: '2m', thresholdRange: { max: 0.5 }, templateRef: { name: 'myapp-latency-p99' } },
    ]);
    for (const o of manifests) expect([o.kind, o.metadata.name, o.metadata.namespace]).toEqual([o.kind, o.metadata.name, 'shop']);
  });

  test('MetricTemplates on Istio and Gateway API: Istio\'s metrics of the canary\'s version', () => {
    for (const router of [istio(), gatewayApi()]) {
      const manifests = canary({ router, canary: v2, analysis: rollback(OTHER_PROMETHEUS) });
      expect(find(manifests, 'MetricTemplate', 'myapp-error-rate').spec.query).toBe(
        '((100 * sum(rate(istio_requests_total{reporter="destination",destination_app="myapp",destination_version="v2",response_code=~"5.."}[2m]))'
        + ' / sum(rate(istio_requests_total{reporter="destination",destination_app="myapp",destination_version="v2"}[2m]))) >= 0) or on() vector(0)');
    }
  });

  test('custom queries: the placeholders filled in, guarded like the library\'s own (no data reads 0)', () => {
    const analysis = CanaryAnalysis.prometheus({
      address: FLAGGER_PROMETHEUS,
      maxErrorRate: 2,
      maxLatency: Duration.seconds(1),
      errorRateQuery: '100 * sum(rate(http_requests_total{service="{{service}}",version="{{version}}",code=~"5.."}[{{window}}])) / sum(rate(http_requests_total{service="{{service}}",version="{{version}}"}[{{window}}]))',
      latencyQuery: 'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{app="{{name}}",version="{{version}}"}[{{window}}])))',
    });
    const manifests = canary({ canary: v2, analysis });
    expect(find(manifests, 'MetricTemplate', 'myapp-error-rate').spec).toEqual({
      provider: { type: 'prometheus', address: FLAGGER_PROMETHEUS },
      query: '((100 * sum(rate(http_requests_total{service="myapp-canary",version="v2",code=~"5.."}[2m])) / sum(rate(http_requests_total{service="myapp-canary",version="v2"}[2m]))) >= 0) or on() vector(0)',
    });
    expect(find(manifests, 'MetricTemplate', 'myapp-latency-p99').spec.query).toBe('((histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{app="myapp",version="v2"}[2m])))) >= 0) or on() vector(0)');
    expect(analysisOf(manifests).metrics.map((m: any) => [m.name, m.thresholdRange])).toEqual([['error-rate', { max: 2 }], ['latency-p99', { max: 1 }]]);
  });

  test('every MetricTemplate query is valid PromQL', () => {
    const manifests = [
      ...canary({ canary: v2, analysis: rollback(OTHER_PROMETHEUS) }),
      ...canary({ router: istio(), canary: v2, analysis: rollback(OTHER_PROMETHEUS) }, new Chart(Testing.app(), 'shop', { namespace: 'shop' })),
      ...canary({ router: gatewayApi(), canary: { ...v2, traffic: TESTER_RULES }, steps: undefined, analysis: rollback(OTHER_PROMETHEUS) }),
      ...blueGreen({ router: istio(), analysis: rollback(OTHER_PROMETHEUS) }),
    ];
    const expressions = promqlExpressions(manifests);
    expect(expressions).toHaveLength(8);
    for (const [where, query] of expressions) expect({ where, errors: promqlSyntaxErrors(query) }).toEqual({ where, errors: [] });
  });

  test('without a canary the analysis names the stable version (the Deployment <name> runs it)', () => {
    const manifests = canary({ router: istio(), analysis: rollback(OTHER_PROMETHEUS) });
    expect(find(manifests, 'MetricTemplate', 'myapp-error-rate').spec.query).toContain('destination_version="v1"');
  });
});

/**
 * Flagger v1.44 runs a MetricTemplate's query with RunQuery (pkg/metrics/providers/prometheus.go),
 * which answers ErrNoValuesFound both for an empty result and for a NaN sample; runMetricChecks
 * (pkg/controller/scheduler_metrics.go) counts that as a failed check, and `threshold` failed
 * checks roll the canary back (pkg/controller/scheduler.go). An idle canary must not be rolled
 * back, so every query the library gives Flagger answers a number while there is no data.
 */
describe('no data yet never rolls back: every MetricTemplate query reads 0 without requests', () => {
  const ERROR_RATE = '100 * sum(rate(nginx_ingress_controller_requests{ingress="myapp",canary!="",status=~"5.."}[2m]))'
    + ' / sum(rate(nginx_ingress_controller_requests{ingress="myapp",canary!=""}[2m]))';
  const LATENCY = 'histogram_quantile(0.99, sum by (le) (rate(nginx_ingress_controller_request_duration_seconds_bucket{ingress="myapp",canary!=""}[2m])))';
  const templates = () => {
    const manifests = canary({ canary: v2, analysis: rollback(OTHER_PROMETHEUS) });
    return [find(manifests, 'MetricTemplate', 'myapp-error-rate').spec.query, find(manifests, 'MetricTemplate', 'myapp-latency-p99').spec.query];
  };

  test('each query is the router\'s, kept where it is 0 or more, or else 0: ((<query>) >= 0) or on() vector(0)', () => {
    expect(templates()).toEqual([`((${ERROR_RATE}) >= 0) or on() vector(0)`, `((${LATENCY}) >= 0) or on() vector(0)`]);
  });

  test('an empty result and a 0/0 ratio read 0, a real value reads itself: how Prometheus groups the operators', () => {
    const [errorRate, latency] = templates();
    // Outermost `or on()`; on its left a filtering comparison (no `bool`), which keeps the samples
    // for which it holds and drops the others. So:
    //  - nobody has called the canary yet: no series, sum() is empty, the comparison is empty,
    //    and `or` adds vector(0): Flagger reads 0, under any limit (thresholdRange.max);
    //  - series but no request in the window: the ratio is 0/0 = NaN (histogram_quantile of
    //    empty buckets too), NaN >= 0 is false, the sample is dropped, and vector(0) answers 0;
    //  - a real 7 (%): 7 >= 0 keeps it, `on()` (no labels) matches it, so `or` adds nothing:
    //    Flagger reads 7, above a limit of 5, and the check fails as it should.
    expect(promqlOperators(errorRate, 2)).toEqual([[`(${ERROR_RATE})`, '>=', '0'], 'or', 'on()', 'vector(0)']);
    expect(promqlOperators(latency, 2)).toEqual([[`(${LATENCY})`, '>=', '0'], 'or', 'on()', 'vector(0)']);
  });

  test('the same guard on every router, on blue-green and on the user\'s own queries', () => {
    const custom = CanaryAnalysis.prometheus({ address: OTHER_PROMETHEUS, maxErrorRate: 5, errorRateQuery: 'my_error_percent{app="{{name}}"}' });
    const queries = [
      ...canary({ router: istio(), canary: v2, analysis: rollback(OTHER_PROMETHEUS) }),
      ...canary({ router: gatewayApi(), canary: v2, analysis: rollback(OTHER_PROMETHEUS) }),
      ...blueGreen({ router: istio(), analysis: rollback(OTHER_PROMETHEUS) }),
      ...canary({ canary: v2, analysis: custom }),
    ].filter((o) => o.kind === 'MetricTemplate').map((o) => o.spec.query);
    expect(queries).toHaveLength(7);
    for (const query of queries) expect(promqlOperators(query, 2)).toEqual([[expect.stringMatching(/^\(.*\)$/s), '>=', '0'], 'or', 'on()', 'vector(0)']);
    expect(queries[6]).toBe('((my_error_percent{app="myapp"}) >= 0) or on() vector(0)');
  });
});

/** What Flagger's nginx router writes on the canary Ingress in an A/B test (pkg/router/ingress.go, SetRoutes). */
function flaggerNginxAnnotations(match: Array<{ headers: { [name: string]: { exact?: string; regex?: string } } }>): { [key: string]: string } {
  let cookie = '';
  let header = '';
  let headerValue = '';
  let headerRegex = '';
  for (const m of match) {
    for (const [k, v] of Object.entries(m.headers)) {
      if (k === 'cookie') {
        cookie = v.exact ?? '';
      } else {
        header = k;
        headerRegex = v.regex ?? '';
        headerValue = v.exact ?? '';
      }
    }
  }
  const out: { [key: string]: string } = {};
  if (cookie) out['canary-by-cookie'] = cookie;
  if (header) out['canary-by-header'] = header;
  if (headerValue) out['canary-by-header-value'] = headerValue;
  if (headerRegex) out['canary-by-header-pattern'] = headerRegex;
  return out;
}

/** The header and cookie annotations the library writes itself on the canary Ingress (plain manifests). */
function plainNginxRuleAnnotations(traffic: { header?: HeaderMatch; cookie?: string }): { [key: string]: string } {
  const chart = Testing.chart();
  new CanaryRelease(chart, 'myapp', { ...app, stable: v1, canary: { ...v2, traffic }, router: nginx() });
  const annotations = find(synthValid(chart), 'Ingress', 'myapp-canary').metadata.annotations ?? {};
  const out: { [key: string]: string } = {};
  for (const [k, v] of Object.entries(annotations)) {
    const key = k.replace('nginx.ingress.kubernetes.io/', '');
    if (key.startsWith('canary-by-')) out[key] = v;
  }
  return out;
}

describe('header and cookie rules: Flagger\'s A/B test', () => {
  const abTest = (props: Partial<CanaryReleaseProps>) => canary({ steps: undefined, ...props });

  test('nginx: analysis.match with the header and the cookie as Flagger\'s ingress router reads them; iterations 10 by default', () => {
    const manifests = abTest({ canary: { ...v2, traffic: TESTER_RULES }, analysis: rollback() });
    expect(ofKind(manifests, 'MetricTemplate').map((m) => m.metadata.name)).toEqual(['myapp-error-rate', 'myapp-latency-p99']);
    const analysis = analysisOf(manifests);
    expect(analysis.match).toEqual([{ headers: { stage: { exact: 'gray' } } }, { headers: { cookie: { exact: 'canary' } } }]);
    expect(analysis.iterations).toBe(10);
    expect(analysis.interval).toBe('1m'); // the analysis interval
    expect(analysis.stepWeights).toBeUndefined();
    expect(analysis.threshold).toBe(3);
    expect(analysis.metrics).toEqual([
      { name: 'error-rate', interval: '2m', templateRef: { name: 'myapp-error-rate' }, thresholdRange: { max: 5 } },
      { name: 'latency-p99', interval: '2m', templateRef: { name: 'myapp-latency-p99' }, thresholdRange: { max: 0.5 } },
    ]);
    expect(objectIds(manifests)).toEqual(['Deployment/myapp', 'PodDisruptionBudget/myapp-primary', 'PodDisruptionBudget/myapp', 'Ingress/myapp', 'MetricTemplate/myapp-error-rate', 'MetricTemplate/myapp-latency-p99', 'Canary/myapp']);
    const spec = canarySpec(manifests);
    expect([spec.provider, spec.ingressRef, spec.targetRef]).toEqual([
      'nginx', { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'myapp' }, { apiVersion: 'apps/v1', kind: 'Deployment', name: 'myapp' },
    ]);
    // The rules are Flagger's to write, on the canary Ingress it creates: the Ingress emitted carries none.
    expect(find(manifests, 'Ingress', 'myapp').metadata.annotations).toBeUndefined();
  });

  test.each([
    ['an exact header and a cookie', TESTER_RULES],
    ['a regex header', { header: HeaderMatch.regex('user-agent', '.*Android.*') }],
    ['a cookie alone', { cookie: 'canary' }],
    ['a header rule on the Cookie header itself', { header: HeaderMatch.regex('cookie', '.*beta=1.*') }],
  ])('nginx, %s: Flagger writes the canary annotations the library writes under plain manifests', (_what, traffic) => {
    const match = analysisOf(abTest({ canary: { ...v2, traffic } })).match;
    // ingress-nginx reads the header named in canary-by-header case-insensitively.
    const headerNameLowercased = (a: { [key: string]: string }) => (a['canary-by-header'] ? { ...a, 'canary-by-header': a['canary-by-header'].toLowerCase() } : a);
    expect(headerNameLowercased(flaggerNginxAnnotations(match))).toEqual(headerNameLowercased(plainNginxRuleAnnotations(traffic)));
  });

  test('nginx: a header rule on `cookie` is written as `Cookie`, which Flagger does not mistake for the cookie rule', () => {
    expect(analysisOf(abTest({ canary: { ...v2, traffic: { header: HeaderMatch.regex('cookie', '.*beta=1.*'), cookie: 'canary' } } })).match)
      .toEqual([{ headers: { Cookie: { regex: '^(?:.*beta=1.*)$' } } }, { headers: { cookie: { exact: 'canary' } } }]);
  });

  test('Istio: the matches of the VirtualService the library writes under plain manifests (header lowercased, cookie as a regex on the Cookie header)', () => {
    const traffic = { header: HeaderMatch.regex('X-Beta', 'yes|true'), cookie: 'canary' };
    const match = analysisOf(abTest({ router: istio(), canary: { ...v2, traffic } })).match;
    const plain = Testing.chart();
    new CanaryRelease(plain, 'myapp', { ...app, stable: v1, canary: { ...v2, traffic }, router: istio() });
    const http = find(synthValid(plain), 'VirtualService', 'myapp').spec.http;
    const matchOf = (name: string) => http.find((h: any) => h.name === name).match[0];
    expect(match).toEqual([matchOf('canary-by-header'), matchOf('canary-by-cookie')]);
    expect(match).toEqual([
      { headers: { 'x-beta': { regex: '^(?:yes|true)$' } } },
      { headers: { cookie: { regex: '^(?:.*;\\s*)?canary=always(?:\\s*;.*)?$' } } },
    ]);
  });

  test('Gateway API: Istio-style matches that Flagger maps to the HTTPRoute header matches the library writes under plain manifests', () => {
    const traffic = TESTER_RULES;
    const match = analysisOf(abTest({ router: gatewayApi('/shop'), canary: { ...v2, traffic } })).match;
    const plain = Testing.chart();
    new CanaryRelease(plain, 'myapp', { ...app, stable: v1, canary: { ...v2, traffic }, router: gatewayApi('/shop') });
    const rules = find(synthValid(plain), 'HTTPRoute', 'myapp').spec.rules;
    const headersOf = (name: string) => rules.find((r: any) => r.name === name).matches[0].headers;
    // pkg/router/gateway_api.go mapRouteMatches: exact -> Exact, regex -> RegularExpression, the key as the name.
    const mapped = match.map((m: any) => Object.entries<any>(m.headers).map(([name, v]) => (v.exact !== undefined
      ? { name, type: 'Exact', value: v.exact }
      : { name, type: 'RegularExpression', value: v.regex })));
    expect(mapped).toEqual([headersOf('canary-by-header'), headersOf('canary-by-cookie')]);
  });

  test('iterations from the plan\'s pauses: one iteration per pause, interval their duration', () => {
    const steps = [CanaryStep.pause(Duration.minutes(30)), CanaryStep.pause(Duration.minutes(30)), CanaryStep.pause(Duration.minutes(30)), CanaryStep.shiftTraffic(100)];
    const analysis = analysisOf(abTest({ steps, canary: { ...v2, traffic: TESTER_RULES } }));
    expect([analysis.iterations, analysis.interval, analysis.stepWeights]).toEqual([3, '30m', undefined]);
    // The closing shiftTraffic(weightTotal) is optional: Flagger promotes after the last iteration anyway.
    expect(analysisOf(abTest({ steps: [CanaryStep.pause(Duration.hours(2))], canary: { ...v2, traffic: TESTER_RULES } }))).toMatchObject({ iterations: 1, interval: '120m' });
  });

  test('without a plan: FlaggerOptions.iterations, every analysis interval', () => {
    const analysis = analysisOf(abTest({
      canary: { ...v2, traffic: TESTER_RULES },
      engine: DeliveryEngine.flagger({ iterations: 4 }),
      analysis: CanaryAnalysis.prometheus({ address: FLAGGER_PROMETHEUS, maxErrorRate: 5, interval: Duration.minutes(5) }),
    }));
    expect([analysis.iterations, analysis.interval]).toEqual([4, '5m']);
  });
});

describe('promoting an A/B test: the canary goes, the A/B schedule stays', () => {
  test('the stable version alone keeps the A/B test\'s iterations: the promotion changes the tracks only', () => {
    const release = (canaryTrack?: object) => canary({
      steps: undefined, engine: DeliveryEngine.flagger({ iterations: 12 }), stable: canaryTrack ? v1 : { ...v1, version: 'v2', image: 'myapp:v2' }, canary: canaryTrack as never,
    });
    const before = analysisOf(release({ ...v2, traffic: { header: HeaderMatch.exact('stage', 'gray') } }));
    const after = analysisOf(release());
    expect(before).toEqual({ interval: '1m', iterations: 12, threshold: 1, match: [{ headers: { stage: { exact: 'gray' } } }] });
    expect(after).toEqual({ interval: '1m', iterations: 12, threshold: 1 });
  });

  test('a plan of pauses keeps its iterations without a canary', () => {
    const steps = [CanaryStep.pause(Duration.minutes(5)), CanaryStep.pause(Duration.minutes(5)), CanaryStep.shiftTraffic(100)];
    expect(analysisOf(canary({ steps }))).toEqual({ interval: '5m', iterations: 2, threshold: 1 });
  });
});

describe('the objects Flagger generates count as the release\'s: two releases cannot meet on them', () => {
  test('throws when another release emits the Service <name> that Flagger generates', () => {
    const chart = Testing.chart();
    new CanaryRelease(chart, 'plain', { ...app, name: 'myapp', stable: v1 });
    expect(() => canary({ canary: v2 }, chart))
      .toThrow('CanaryRelease \'myapp\': Service "myapp" in the chart\'s namespace (which Flagger generates) is also emitted by CanaryRelease \'plain\' (test/plain)');
  });

  test('throws when a release named <name>-canary meets what Flagger generates for <name>, the Service <name>-canary first', () => {
    const chart = Testing.chart();
    canary({ canary: v2 }, chart);
    expect(() => new CanaryRelease(chart, 'other', { ...app, name: 'myapp-canary', stable: v1, router: TrafficRouter.nginx({ host: 'other.example.com' }) }))
      .toThrow('CanaryRelease \'other\': Service "myapp-canary" in the chart\'s namespace is also generated by Flagger for CanaryRelease \'myapp\' (test/myapp)');
  });
});

describe('blue-green: Flagger\'s kubernetes provider', () => {
  test('the Deployment <name> runs the idle color; routes to the Services Flagger generates: <name> (primary) and <name>-canary (preview)', () => {
    const manifests = blueGreen({ previewHost: 'preview.myapp.example.com', analysis: rollback() });
    // The whole chart, once per construct under Flagger (see the canary through nginx above).
    expect(manifests).toMatchSnapshot();
    expect(objectIds(manifests)).toEqual(['Deployment/myapp', 'PodDisruptionBudget/myapp-primary', 'PodDisruptionBudget/myapp', 'Ingress/myapp', 'Ingress/myapp-preview', 'MetricTemplate/myapp-error-rate', 'MetricTemplate/myapp-latency-p99', 'Canary/myapp']);
    const deployment = find(manifests, 'Deployment', 'myapp');
    expect([deployment.spec.replicas, deployment.spec.template.metadata.labels]).toEqual([3, { 'app': 'myapp', 'version': 'v2', 'app.kubernetes.io/name': 'myapp', 'app.kubernetes.io/version': 'v2' }]);
    expect(deployment.spec.selector).toEqual({ matchLabels: { app: 'myapp' } });
    const spec = canarySpec(manifests);
    expect(spec.provider).toBe('kubernetes');
    expect(spec.ingressRef).toBeUndefined();
    expect(spec.service).toEqual({ port: 8080, targetPort: 80 });
    // Blue-green's built-in metrics would read the app's own metrics: the library's queries of the
    // preview route go into MetricTemplates.
    expect(spec.analysis).toEqual({
      interval: '1m',
      iterations: 10,
      threshold: 3,
      metrics: [
        { name: 'error-rate', interval: '2m', templateRef: { name: 'myapp-error-rate' }, thresholdRange: { max: 5 } },
        { name: 'latency-p99', interval: '2m', templateRef: { name: 'myapp-latency-p99' }, thresholdRange: { max: 0.5 } },
      ],
    });
    // The new color's requests come through the preview Ingress.
    expect(find(manifests, 'MetricTemplate', 'myapp-error-rate').spec.query).toContain('ingress="myapp-preview",canary=""');
    expect(find(manifests, 'Ingress', 'myapp').spec.rules[0].http.paths[0].backend.service.name).toBe('myapp');
    expect(find(manifests, 'Ingress', 'myapp-preview').spec.rules[0].http.paths[0].backend.service.name).toBe('myapp-canary');
    expect(ofKind(manifests, 'Service')).toEqual([]);
  });

  test('iterations and interval from FlaggerOptions and the analysis', () => {
    const analysis = analysisOf(blueGreen({
      engine: DeliveryEngine.flagger({ iterations: 30 }),
      previewHost: 'preview.myapp.example.com',
      analysis: CanaryAnalysis.prometheus({ address: FLAGGER_PROMETHEUS, maxErrorRate: 1, interval: Duration.hours(1), failureLimit: 0 }),
    }));
    expect([analysis.iterations, analysis.interval, analysis.threshold, analysis.metrics[0].interval]).toEqual([30, '60m', 1, '120m']);
  });

  test('without an analysis: a check a minute, 10 of them', () => {
    expect(analysisOf(blueGreen({}))).toEqual({ interval: '1m', iterations: 10, threshold: 1 });
  });

  test('after cut-over (one color): the Deployment runs it, nothing to preview', () => {
    const manifests = blueGreen({ green: undefined });
    expect(objectIds(manifests)).toEqual(['Deployment/myapp', 'PodDisruptionBudget/myapp-primary', 'PodDisruptionBudget/myapp', 'Ingress/myapp', 'Canary/myapp']);
    expect(find(manifests, 'Deployment', 'myapp').spec.template.metadata.labels.version).toBe('v1');
  });

  test('Istio by host: VirtualServices to the hosts <name> and <name>-canary; MetricTemplates name the preview\'s version', () => {
    const manifests = blueGreen({ router: TrafficRouter.istio({ hosts: ['myapp.com'], gateways: ['istio-system/public-gateway'] }), previewHost: 'preview.myapp.com', analysis: rollback(OTHER_PROMETHEUS) });
    expect(objectIds(manifests)).toEqual(['Deployment/myapp', 'PodDisruptionBudget/myapp-primary', 'PodDisruptionBudget/myapp', 'VirtualService/myapp', 'VirtualService/myapp-preview', 'MetricTemplate/myapp-error-rate', 'MetricTemplate/myapp-latency-p99', 'Canary/myapp']);
    expect(find(manifests, 'VirtualService', 'myapp').spec.http[0].route[0].destination.host).toBe('myapp');
    expect(find(manifests, 'VirtualService', 'myapp-preview').spec.http[0].route[0].destination.host).toBe('myapp-canary');
    expect(find(manifests, 'MetricTemplate', 'myapp-error-rate').spec.query).toContain('destination_version="v2"');
  });

  test('the analysis is of the new color, behind the Service <name>-canary, not of the primary behind <name>', () => {
    const analysis = CanaryAnalysis.prometheus({
      address: FLAGGER_PROMETHEUS,
      maxErrorRate: 5,
      errorRateQuery: '100 * sum(rate(http_requests_total{service="{{service}}",version="{{version}}",code=~"5.."}[{{window}}])) / sum(rate(http_requests_total{service="{{service}}",version="{{version}}"}[{{window}}]))',
    });
    expect(find(blueGreen({ analysis, previewHost: 'preview.myapp.example.com' }), 'MetricTemplate', 'myapp-error-rate').spec.query)
      .toBe('((100 * sum(rate(http_requests_total{service="myapp-canary",version="v2",code=~"5.."}[2m])) / sum(rate(http_requests_total{service="myapp-canary",version="v2"}[2m]))) >= 0) or on() vector(0)');
    // ingress-nginx counts requests by Ingress: the router's query measures the preview Ingress,
    // not the active color's Ingress <name>.
    const nginxQuery = find(blueGreen({ previewHost: 'preview.myapp.example.com', analysis: rollback(OTHER_PROMETHEUS) }), 'MetricTemplate', 'myapp-error-rate').spec.query;
    expect(nginxQuery).toContain('ingress="myapp-preview",canary=""');
    expect(nginxQuery).not.toContain('ingress="myapp",');
  });

  test('throws when the analysis would measure the preview through ingress-nginx without a previewHost', () => {
    expect(() => blueGreen({ analysis: rollback() })).toThrow(
      'BlueGreenRelease \'myapp\': analysis ("CanaryAnalysis.prometheus(...)") needs previewHost under DeliveryEngine.flagger() with this router: the analysis'
      + ' measures the new color\'s requests through the preview route, and without previewHost there is none (the analysis would see no requests and always pass)');
  });

  test('the release exposes targetDeployment; activeService says why it does not exist', () => {
    const release = new BlueGreenRelease(Testing.chart(), 'myapp', { ...app, blue: v1, green: v2, active: BlueGreenColor.BLUE, engine: DeliveryEngine.flagger() });
    expect(release.targetDeployment?.name).toBe('myapp');
    expect([release.blueDeployment, release.greenDeployment, release.previewService, release.rollout]).toEqual([undefined, undefined, undefined, undefined]);
    expect(() => release.activeService).toThrow('BlueGreenRelease \'myapp\': activeService is not emitted with this engine: Flagger generates the Services <name>, <name>-canary and <name>-primary');
  });
});

describe('one release spec, three engines', () => {
  /** Recipe 8's release: 5% for 1 hour, 50% for 1 hour, then everyone; roll back above 5% of 5xx. */
  const release = (engine: DeliveryEngine): Partial<CanaryReleaseProps> => ({
    router: nginx(),
    steps: PLAN,
    analysis: CanaryAnalysis.prometheus({ address: OTHER_PROMETHEUS, maxErrorRate: 5 }),
    canary: v2,
    engine,
  });
  const engines: Array<[string, () => DeliveryEngine, string[]]> = [
    ['manifests', () => DeliveryEngine.manifests(), ['Deployment/myapp-v1', 'Deployment/myapp-v2', 'PodDisruptionBudget/myapp-v1', 'PodDisruptionBudget/myapp-v2', 'Service/myapp', 'Service/myapp-canary', 'Ingress/myapp', 'Ingress/myapp-canary', 'PrometheusRule/myapp']],
    ['argoRollouts', () => DeliveryEngine.argoRollouts(), ['Service/myapp', 'Service/myapp-canary', 'Ingress/myapp', 'AnalysisTemplate/myapp', 'Rollout/myapp', 'PodDisruptionBudget/myapp-v1', 'PodDisruptionBudget/myapp-v2']],
    ['flagger', () => DeliveryEngine.flagger(), ['Deployment/myapp', 'PodDisruptionBudget/myapp-primary', 'PodDisruptionBudget/myapp', 'Ingress/myapp', 'MetricTemplate/myapp-error-rate', 'Canary/myapp']],
  ];

  test.each(engines)('%s: the same props synthesize valid objects', (_name, engine, ids) => {
    const manifests = canary(release(engine()));
    expect(objectIds(manifests)).toEqual(ids);
    // The Ingress clients reach is the same object under every engine.
    expect(find(manifests, 'Ingress', 'myapp').spec).toEqual(find(canary(release(DeliveryEngine.manifests())), 'Ingress', 'myapp').spec);
    // Every engine measures the canary's 5xx rate with the same query and limit.
    for (const [where, query] of promqlExpressions(manifests)) {
      expect([where, query]).toEqual([where, expect.stringContaining('nginx_ingress_controller_requests{ingress="myapp",canary!="",status=~"5.."}')]);
    }
  });

  test('under Flagger the plan is stepWeights [5, 50] every 60m, and the rollback an error-rate check of at most 5%', () => {
    const analysis = analysisOf(canary(release(DeliveryEngine.flagger())));
    expect(analysis).toEqual({
      interval: '60m',
      threshold: 3,
      stepWeights: [5, 50],
      metrics: [{ name: 'error-rate', interval: '2m', thresholdRange: { max: 5 }, templateRef: { name: 'myapp-error-rate' } }],
    });
  });
});

describe('bad input under Flagger', () => {
  const pause = (minutes: number) => CanaryStep.pause(Duration.minutes(minutes));
  const E = 'CanaryRelease \'myapp\':';

  test('throws when the pauses differ: Flagger holds every step for one interval', () => {
    expect(() => canary({ canary: v2, steps: [CanaryStep.shiftTraffic(5), pause(120), CanaryStep.shiftTraffic(50), pause(240), CanaryStep.shiftTraffic(100)] }))
      .toThrow(`${E} steps[3].duration ("4h") must equal the first pause (2h) under DeliveryEngine.flagger(): Flagger holds every step for the same interval`);
  });

  test('throws when a pause has no duration: Flagger advances on a timer', () => {
    expect(() => canary({ canary: v2, steps: [CanaryStep.shiftTraffic(5), CanaryStep.pause(), CanaryStep.shiftTraffic(100)] }))
      .toThrow(`${E} steps[1] ("pause()") needs a duration under DeliveryEngine.flagger(): Flagger advances on a timer (gate a step with a Flagger webhook by hand)`);
  });

  test('throws when the plan starts with a pause, or has two shifts in a row', () => {
    expect(() => canary({ canary: v2, steps: [pause(10), CanaryStep.shiftTraffic(5), pause(10), CanaryStep.shiftTraffic(100)] }))
      .toThrow(`${E} steps[0] ("pause") must be a shiftTraffic under DeliveryEngine.flagger(): Flagger has no pause at 0% or between two pauses; shifts and pauses alternate, starting with a shift`);
    expect(() => canary({ canary: v2, steps: [CanaryStep.shiftTraffic(5), CanaryStep.shiftTraffic(10), pause(10), CanaryStep.shiftTraffic(100)] }))
      .toThrow(`${E} steps[1] ("shiftTraffic(10)") must be a pause under DeliveryEngine.flagger(): Flagger holds each weight for one interval, so shifts and pauses alternate, starting with a shift`);
  });

  test('throws when the plan ends with a shift below weightTotal: Flagger would hold it for an interval, where the plan promotes at once', () => {
    expect(() => canary({ canary: v2, steps: [CanaryStep.shiftTraffic(5), pause(10), CanaryStep.shiftTraffic(50)] }))
      .toThrow(`${E} steps ("[..., shiftTraffic(50)]") must end with a pause or with CanaryStep.shiftTraffic(100) under DeliveryEngine.flagger(): Flagger holds every weight for one interval, so a last shift below 100 would be held before the promotion that follows the plan's end at once`);
  });

  test('throws when the plan has no pause: there is no interval', () => {
    expect(() => canary({ canary: v2, steps: [CanaryStep.shiftTraffic(100)] }))
      .toThrow(`${E} steps ("no pause") needs at least one pause with a duration under DeliveryEngine.flagger(): it is Flagger's interval`);
  });

  test('throws when a weight is not a whole percentage of weightTotal', () => {
    const steps = [CanaryStep.shiftTraffic(5), pause(10), CanaryStep.shiftTraffic(1000)];
    expect(() => canary({ canary: { ...v2, traffic: { weightTotal: 1000 } }, steps }))
      .toThrow(`${E} steps[0].weight (5) must be a whole percentage of weightTotal (1000) under DeliveryEngine.flagger(): Flagger's step weights are percentages`);
  });

  test('throws when the weights do not strictly increase, or start at 0', () => {
    expect(() => canary({ canary: v2, steps: [CanaryStep.shiftTraffic(50), pause(10), CanaryStep.shiftTraffic(50), pause(10), CanaryStep.shiftTraffic(100)] }))
      .toThrow(`${E} steps[2].weight (50) must be above 0 and above the previous step's weight under DeliveryEngine.flagger(): Flagger's step weights strictly increase`);
    expect(() => canary({ canary: v2, steps: [CanaryStep.shiftTraffic(0), pause(10), CanaryStep.shiftTraffic(100)] }))
      .toThrow(`${E} steps[0].weight (0) must be above 0 and above the previous step's weight`);
  });

  test('throws when a weighted canary has no plan', () => {
    expect(() => canary({ canary: v2, steps: undefined }))
      .toThrow(`${E} steps (undefined) must be given under DeliveryEngine.flagger(): Flagger walks a plan of shiftTraffic/pause steps and promotes by itself`);
  });

  test('throws when canary.traffic.weight is set: the plan shifts the weights (and an A/B test ignores them)', () => {
    expect(() => canary({ canary: { ...v2, traffic: { weight: 10 } } }))
      .toThrow(`${E} canary.traffic.weight (10) cannot be set under DeliveryEngine.flagger(): Flagger shifts weights by the plan (steps)`);
    expect(() => canary({ steps: undefined, canary: { ...v2, traffic: { ...TESTER_RULES, weight: 10 } } }))
      .toThrow(`${E} canary.traffic.weight (10) cannot be set under DeliveryEngine.flagger(): Flagger shifts weights by the plan (steps), and ignores them altogether in an A/B test (header or cookie rules)`);
  });

  test('throws when canary.step or canary.replicas is set', () => {
    expect(() => canary({ canary: { ...v2, step: 1 } }))
      .toThrow(`${E} canary.step (1) is for DeliveryEngine.manifests(): with DeliveryEngine.flagger() Flagger walks the plan itself; remove step`);
    expect(() => canary({ canary: { ...v2, replicas: 1 } }))
      .toThrow(`${E} canary.replicas (1) cannot be set under DeliveryEngine.flagger(): Flagger runs the canary at the Deployment's size (stable.replicas)`);
  });

  test('throws when header or cookie rules meet weights in the plan: Flagger ignores weights in an A/B test', () => {
    expect(() => canary({ canary: { ...v2, traffic: TESTER_RULES } }))
      .toThrow(`${E} steps[0] ("shiftTraffic(5)") cannot be part of an A/B test (header or cookie rules) under DeliveryEngine.flagger(): Flagger ignores weights when it matches requests; plan pauses only, optionally ending with shiftTraffic(100)`);
  });

  test('throws when an A/B plan has no timed pause, or pauses of different lengths', () => {
    expect(() => canary({ canary: { ...v2, traffic: TESTER_RULES }, steps: [CanaryStep.shiftTraffic(100)] }))
      .toThrow(`${E} steps ("[shiftTraffic(100)]") needs at least one pause with a duration under DeliveryEngine.flagger(): an A/B test runs one iteration per pause, and the pause is Flagger's interval`);
    expect(() => canary({ canary: { ...v2, traffic: TESTER_RULES }, steps: [CanaryStep.pause(), CanaryStep.shiftTraffic(100)] }))
      .toThrow(`${E} steps[0] ("pause()") needs a duration under DeliveryEngine.flagger(): Flagger advances on a timer`);
    expect(() => canary({ canary: { ...v2, traffic: TESTER_RULES }, steps: [pause(10), pause(20)] }))
      .toThrow(`${E} steps[1].duration ("20m") must equal the first pause (10m) under DeliveryEngine.flagger(): Flagger runs every iteration for the same interval`);
  });

  test('throws when iterations come with a plan, or with a weighted canary', () => {
    expect(() => canary({ canary: { ...v2, traffic: TESTER_RULES }, steps: [pause(10), pause(10)], engine: DeliveryEngine.flagger({ iterations: 5 }) }))
      .toThrow(`${E} engine ("DeliveryEngine.flagger({ iterations: 5 })") conflicts with steps: the plan's 2 pauses are the iterations`);
    expect(() => canary({ canary: v2, engine: DeliveryEngine.flagger({ iterations: 5 }) }))
      .toThrow(`${E} engine ("DeliveryEngine.flagger({ iterations: 5 })") sets iterations, which are for an A/B test (header or cookie rules) or a BlueGreenRelease: a weighted canary runs one interval per step of its plan (steps)`);
  });

  test('throws when a canary has TrafficRouter.service(): Flagger\'s kubernetes provider does blue-green only', () => {
    expect(() => canary({ router: TrafficRouter.service(), canary: v2 }))
      .toThrow(`${E} router ("TrafficRouter.service()") cannot shift a canary's traffic under DeliveryEngine.flagger(): use TrafficRouter.nginx(), .istio() or .gatewayApi() (Flagger's kubernetes provider does blue-green only)`);
  });

  test('throws when Istio routes by subset: Flagger owns the DestinationRules', () => {
    expect(() => canary({ router: TrafficRouter.istio({ subsets: true }), canary: v2 }))
      .toThrow(`${E} router ("TrafficRouter.istio({ subsets: true })") cannot be used with DeliveryEngine.flagger(): Flagger generates the VirtualService and its own DestinationRules (<name>-primary, <name>-canary); use TrafficRouter.istio() (by host)`);
    expect(() => blueGreen({ router: TrafficRouter.istio({ subsets: true }) }))
      .toThrow('BlueGreenRelease \'myapp\': router ("TrafficRouter.istio({ subsets: true })") cannot route a blue-green release under DeliveryEngine.flagger(): Flagger\'s kubernetes provider switches Services, not subsets; use TrafficRouter.istio() (by host)');
  });

  test('throws when <name>-primary, the Deployment Flagger creates, would be too long', () => {
    const name = 'a'.repeat(56);
    expect(() => canary({ name, canary: v2 }))
      .toThrow(`${E} name ("${name}") is too long: the Deployment Flagger copies "${name}-primary" would have 64 characters, and at most 63 are allowed; shorten the name or the version`);
  });

  test('throws when a MetricTemplate <name>-latency-p99 would be too long', () => {
    const name = 'a'.repeat(52);
    expect(() => canary({ name, canary: v2, analysis: rollback() }))
      .toThrow(`${E} name ("${name}") is too long: the MetricTemplate "${name}-latency-p99" would have 64 characters, and at most 63 are allowed; shorten the name or the version`);
  });

  test('throws when a step weight is above weightTotal, also while no canary runs', () => {
    expect(() => canary({ steps: [CanaryStep.shiftTraffic(500), CanaryStep.pause(Duration.minutes(1))] }))
      .toThrow(`${E} steps[0].weight (500) must be at most weightTotal (100) under DeliveryEngine.flagger(): the Canary keeps the plan while no canary runs, and without a canary's traffic.weightTotal weights are out of 100`);
  });

  test('throws when metricsServer is given: it chose Flagger\'s built-in metrics, which roll an idle canary back, and is gone', () => {
    expect(() => DeliveryEngine.flagger({ metricsServer: FLAGGER_PROMETHEUS } as FlaggerOptions))
      .toThrow('DeliveryEngine.flagger: options.metricsServer ("http://prometheus:9090") is no longer an option: the analysis always runs as MetricTemplates'
        + ' querying the analysis\'s address (Flagger\'s built-in metrics count "no data yet" as a failed check and would roll an idle canary back); remove metricsServer');
  });

  test('throws when the analysis has ruleLabels: they label the PrometheusRule of plain manifests, and Flagger runs MetricTemplates', () => {
    const analysis = CanaryAnalysis.prometheus({ address: OTHER_PROMETHEUS, maxErrorRate: 5, ruleLabels: { release: 'kube-prometheus-stack' } });
    const why = 'are for the PrometheusRule of DeliveryEngine.manifests(), and DeliveryEngine.flagger() emits none: it runs the analysis itself'
      + ' (MetricTemplates that Flagger queries Prometheus for); remove ruleLabels';
    expect(() => canary({ canary: v2, analysis })).toThrow(`${E} analysis.ruleLabels ({"release":"kube-prometheus-stack"}) ${why}`);
    expect(() => blueGreen({ analysis, previewHost: 'preview.myapp.example.com' }))
      .toThrow(`BlueGreenRelease 'myapp': analysis.ruleLabels ({"release":"kube-prometheus-stack"}) ${why}`);
  });

  test('throws when iterations is not a whole number from 1 to 10000', () => {
    expect(() => DeliveryEngine.flagger({ iterations: 0 }))
      .toThrow('DeliveryEngine.flagger: options.iterations (0) must be a whole number between 1 and 10000');
    expect(() => DeliveryEngine.flagger({ iterations: 2.5 }))
      .toThrow('DeliveryEngine.flagger: options.iterations (2.5) must be a whole number between 1 and 10000');
  });

  test('throws when a router of its own does not know Flagger', () => {
    expect(() => canary({ router: new RecordingRouter('PlainRouter'), canary: v2 }))
      .toThrow(`${E} router ("PlainRouter") cannot run under DeliveryEngine.flagger(): its flaggerRouting() returns no IFlaggerRouting; use TrafficRouter.nginx(), .istio() or .gatewayApi(), or implement the contract`);
  });
});
