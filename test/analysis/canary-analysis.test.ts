/**
 * CanaryAnalysis.prometheus(): its options, the PromQL each router's metrics give (or the
 * user's own), and that every query the library writes parses as PromQL.
 */
import { Chart, Duration, Testing } from 'cdk8s';
import {
  BlueGreenColor, BlueGreenRelease, CanaryAnalysis, CanaryRelease, CanaryStep, DeliveryEngine, PrometheusAnalysisOptions, TrafficRouter,
} from '../../src';
import { K8sObject, find, promqlExpressions, promqlSyntaxErrors, synthValid } from '../util';

const PROMETHEUS = 'http://prometheus.monitoring:9090';
const analysis = (options: Partial<PrometheusAnalysisOptions> = {}) => CanaryAnalysis.prometheus({ address: PROMETHEUS, maxErrorRate: 5, ...options });
const app = { containerPort: 80, servicePort: 8080 };
const v1 = { version: 'v1', image: 'myapp:v1', replicas: 3 };
const v2 = { version: 'v2', image: 'myapp:v2', replicas: 1 };
const PLAN = [CanaryStep.shiftTraffic(5), CanaryStep.pause(Duration.hours(2)), CanaryStep.shiftTraffic(50), CanaryStep.pause(Duration.hours(4)), CanaryStep.shiftTraffic(100)];

interface Queries { readonly errorRate: string; readonly latencyP99?: string }

/** The queries a canary release renders (PrometheusRule with manifests, AnalysisTemplate with Argo Rollouts), without the alert's threshold. */
function canaryQueries(router: TrafficRouter, a: CanaryAnalysis, opts: { engine?: DeliveryEngine; namespace?: string } = {}): Queries {
  const chart = new Chart(Testing.app(), 'test', { namespace: opts.namespace });
  new CanaryRelease(chart, 'myapp', { ...app, stable: v1, canary: { version: 'v2', image: 'myapp:v2' }, router, analysis: a, engine: opts.engine });
  return queriesOf(synthValid(chart));
}

function queriesOf(manifests: K8sObject[]): Queries {
  const rules = manifests.filter((o) => o.kind === 'PrometheusRule');
  if (rules.length > 0) {
    const [errorRate, latency] = find(manifests, 'PrometheusRule', 'myapp').spec.groups[0].rules.map((r: any) => String(r.expr).replace(/^\((.*)\) > [0-9.]+$/s, '$1'));
    return { errorRate, latencyP99: latency };
  }
  const [errorRate, latency] = find(manifests, 'AnalysisTemplate', 'myapp').spec.metrics.map((m: any) => m.provider.prometheus.query);
  return { errorRate, latencyP99: latency };
}

describe('CanaryAnalysis.prometheus()', () => {
  test('defaults: measured every minute over a 2m window, 2 failures tolerated, latency not analysed', () => {
    const a = analysis();
    expect([a.address, a.maxErrorRate, a.maxLatency, a.interval.toSeconds(), a.failureLimit, a.window]).toEqual([PROMETHEUS, 5, undefined, 60, 2, '2m']);
  });

  test.each([
    [Duration.seconds(30), '1m'],
    [Duration.seconds(45), '90s'],
    [Duration.minutes(5), '10m'],
    [Duration.hours(1), '2h'],
  ])('the rate window is twice the interval, at least a minute (%#)', (interval, window) => {
    expect(analysis({ interval }).window).toBe(window);
  });

  test.each([
    ['prometheus:9090'],
    ['ftp://prometheus:9090'],
    ['http://'],
    ['http://prometheus monitoring:9090'],
    ['http://prometheus:9090?q=1'],
  ])('throws when the address is not an http:// or https:// URL: %p', (address) => {
    expect(() => analysis({ address })).toThrow(`CanaryAnalysis.prometheus: options.address (${JSON.stringify(address)}) must be an http:// or https:// URL of Prometheus, e.g. http://prometheus.monitoring:9090`);
  });

  test('accepts an https address with a path', () => {
    expect(analysis({ address: 'https://thanos.example.com/prometheus' }).address).toBe('https://thanos.example.com/prometheus');
  });

  test.each([[0], [100], [-1], [150], [NaN]])('throws when maxErrorRate is %p: a percentage above 0 and below 100', (maxErrorRate) => {
    expect(() => analysis({ maxErrorRate })).toThrow(`CanaryAnalysis.prometheus: options.maxErrorRate (${maxErrorRate}) must be a percentage above 0 and below 100 (5 means 5% of requests failing with 5xx)`);
  });

  test('maxErrorRate may be a fraction of a percent', () => {
    expect(analysis({ maxErrorRate: 0.5 }).maxErrorRate).toBe(0.5);
  });

  test('throws when maxLatency or interval is zero, or interval not whole seconds', () => {
    expect(() => analysis({ maxLatency: Duration.seconds(0) })).toThrow('CanaryAnalysis.prometheus: options.maxLatency ("0 seconds") must be longer than zero');
    expect(() => analysis({ interval: Duration.seconds(0) })).toThrow('CanaryAnalysis.prometheus: options.interval ("0 seconds") must be longer than zero');
    expect(() => analysis({ interval: Duration.millis(1500) })).toThrow('CanaryAnalysis.prometheus: options.interval ("1500ms") must be a whole number of seconds');
  });

  test('throws when failureLimit is not a whole number from 0 to 1000', () => {
    expect(() => analysis({ failureLimit: -1 })).toThrow('CanaryAnalysis.prometheus: options.failureLimit (-1) must be a whole number between 0 and 1000');
    expect(() => analysis({ failureLimit: 1.5 })).toThrow('CanaryAnalysis.prometheus: options.failureLimit (1.5) must be a whole number between 0 and 1000');
  });

  test('throws when a query uses an unknown placeholder, listing the known ones', () => {
    expect(() => analysis({ errorRateQuery: 'sum(rate(x_total{app="{{app}}"}[{{window}}]))' }))
      .toThrow('CanaryAnalysis.prometheus: options.errorRateQuery ("sum(rate(x_total{app=\\"{{app}}\\"}[{{window}}]))") uses unknown placeholders (app): only {{name}}, {{namespace}}, {{version}}, {{service}}, {{route}}, {{window}}');
    expect(() => analysis({ latencyQuery: 'x{v="{{ Version }}"}' })).toThrow('uses unknown placeholders (Version)');
  });

  test('throws when a query is empty', () => {
    expect(() => analysis({ errorRateQuery: '  ' })).toThrow('CanaryAnalysis.prometheus: options.errorRateQuery ("  ") must be a PromQL expression');
  });

  test('throws when a custom error-rate query comes with maxLatency but no latency query', () => {
    expect(() => analysis({ errorRateQuery: 'x', maxLatency: Duration.seconds(1) }))
      .toThrow('CanaryAnalysis.prometheus: options.latencyQuery (undefined) must be given with maxLatency when errorRateQuery is: the router\'s latency metric would not match the custom error-rate source');
  });

  test('ruleLabels: kept as given, a copy; none by default', () => {
    const labels = { 'release': 'kube-prometheus-stack', 'example.com/team': 'payments', 'empty': '' };
    const a = analysis({ ruleLabels: labels });
    labels.release = 'changed';
    expect(a.ruleLabels).toEqual({ 'release': 'kube-prometheus-stack', 'example.com/team': 'payments', 'empty': '' });
    expect(analysis().ruleLabels).toBeUndefined();
  });

  test.each(['app', 'version'])('throws when ruleLabels sets %s, the library\'s own label', (key) => {
    expect(() => analysis({ ruleLabels: { release: 'kube-prometheus-stack', [key]: 'myapp' } }))
      .toThrow(`CanaryAnalysis.prometheus: options.ruleLabels.${key} ("myapp") is not allowed: the library sets the '${key}' label itself and selects by it`);
  });

  test('throws when a ruleLabels key or value is one Kubernetes would refuse', () => {
    expect(() => analysis({ ruleLabels: { 'release name': 'x' } }))
      .toThrow('CanaryAnalysis.prometheus: options.ruleLabels key ("release name") must be a label key: an optional DNS subdomain prefix and \'/\', then at most 63 letters, digits, \'-\', \'_\' and \'.\', alphanumeric at both ends');
    expect(() => analysis({ ruleLabels: { release: 'kube prometheus' } }))
      .toThrow('CanaryAnalysis.prometheus: options.ruleLabels.release ("kube prometheus") must be a label value: at most 63 letters, digits, \'-\', \'_\' and \'.\', alphanumeric at both ends, or empty');
    expect(() => analysis({ ruleLabels: { release: 'x'.repeat(64) } })).toThrow('options.ruleLabels.release');
    expect(() => analysis({ ruleLabels: { release: 1 as unknown as string } })).toThrow('CanaryAnalysis.prometheus: options.ruleLabels.release (1) must be a label value');
  });

  test('throws when ruleLabels is not a map', () => {
    expect(() => analysis({ ruleLabels: ['release'] as unknown as { [key: string]: string } }))
      .toThrow('CanaryAnalysis.prometheus: options.ruleLabels (["release"]) must be a map of label keys to values, e.g. { release: \'kube-prometheus-stack\' }');
    expect(() => analysis({ ruleLabels: 'release=kube-prometheus-stack' as unknown as { [key: string]: string } }))
      .toThrow('CanaryAnalysis.prometheus: options.ruleLabels ("release=kube-prometheus-stack") must be a map of label keys to values');
  });
});

describe('the queries of each router', () => {
  test('ingress-nginx: the main Ingress\'s requests that the canary upstream served', () => {
    const q = canaryQueries(TrafficRouter.nginx({ host: 'myapp.example.com' }), analysis({ maxLatency: Duration.millis(300) }));
    expect(q.errorRate).toBe('100 * sum(rate(nginx_ingress_controller_requests{ingress="myapp",canary!="",status=~"5.."}[2m])) / sum(rate(nginx_ingress_controller_requests{ingress="myapp",canary!=""}[2m]))');
    expect(q.latencyP99).toBe('histogram_quantile(0.99, sum by (le) (rate(nginx_ingress_controller_request_duration_seconds_bucket{ingress="myapp",canary!=""}[2m])))');
  });

  test('ingress-nginx in a namespace: the namespace label too', () => {
    const q = canaryQueries(TrafficRouter.nginx(), analysis(), { namespace: 'shop' });
    expect(q.errorRate).toContain('nginx_ingress_controller_requests{namespace="shop",ingress="myapp",canary!="",status=~"5.."}[2m]');
  });

  test('Istio: the destination sidecar\'s metrics by destination_version, latency in seconds', () => {
    const q = canaryQueries(TrafficRouter.istio(), analysis({ maxLatency: Duration.millis(300) }), { namespace: 'shop' });
    expect(q.errorRate).toBe('100 * sum(rate(istio_requests_total{reporter="destination",destination_workload_namespace="shop",destination_app="myapp",destination_version="v2",response_code=~"5.."}[2m])) / sum(rate(istio_requests_total{reporter="destination",destination_workload_namespace="shop",destination_app="myapp",destination_version="v2"}[2m]))');
    expect(q.latencyP99).toBe('histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{reporter="destination",destination_workload_namespace="shop",destination_app="myapp",destination_version="v2"}[2m]))) / 1000');
  });

  test('Istio by subset measures the same: the pods carry the version label either way', () => {
    expect(canaryQueries(TrafficRouter.istio({ subsets: true }), analysis())).toEqual(canaryQueries(TrafficRouter.istio(), analysis()));
  });

  test('Gateway API: Istio\'s metrics (Gateway API has no request metrics of its own)', () => {
    const a = analysis({ maxLatency: Duration.seconds(1) });
    expect(canaryQueries(TrafficRouter.gatewayApi({ parentRefs: [{ name: 'public' }] }), a)).toEqual(canaryQueries(TrafficRouter.istio(), a));
  });

  test('the same queries with plain manifests and with Argo Rollouts', () => {
    for (const router of [TrafficRouter.nginx(), TrafficRouter.istio(), TrafficRouter.gatewayApi({ parentRefs: [{ name: 'public' }] })]) {
      const a = analysis({ maxLatency: Duration.seconds(1) });
      expect(canaryQueries(router, a, { engine: DeliveryEngine.argoRollouts() })).toEqual(canaryQueries(router, a));
    }
  });

  test('the user\'s own queries replace the router\'s, with the placeholders filled in', () => {
    const a = analysis({
      maxLatency: Duration.seconds(1),
      interval: Duration.seconds(30),
      errorRateQuery: '100 * sum(rate(http_requests_total{namespace="{{namespace}}",app="{{name}}",version="{{version}}",code=~"5.."}[{{window}}])) / sum(rate(http_requests_total{namespace="{{namespace}}",app="{{name}}",version="{{version}}"}[{{window}}]))',
      latencyQuery: 'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{service="{{ service }}"}[{{window}}])))',
    });
    const q = canaryQueries(TrafficRouter.gatewayApi({ parentRefs: [{ name: 'public' }] }), a, { namespace: 'shop' });
    expect(q.errorRate).toBe('100 * sum(rate(http_requests_total{namespace="shop",app="myapp",version="v2",code=~"5.."}[1m])) / sum(rate(http_requests_total{namespace="shop",app="myapp",version="v2"}[1m]))');
    expect(q.latencyP99).toBe('histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{service="myapp-canary"}[1m])))');
  });

  test('only the latency query may be the user\'s: the error rate stays the router\'s', () => {
    const q = canaryQueries(TrafficRouter.istio(), analysis({ maxLatency: Duration.seconds(1), latencyQuery: 'my_p99{app="{{name}}"}' }));
    expect(q.errorRate).toContain('istio_requests_total');
    expect(q.latencyP99).toBe('my_p99{app="myapp"}');
  });

  test('TrafficRouter.service() works with the user\'s own queries', () => {
    const q = canaryQueries(TrafficRouter.service(), analysis({ errorRateQuery: 'my_error_rate{version="{{version}}"}' }));
    expect(q.errorRate).toBe('my_error_rate{version="v2"}');
  });

  test('throws when the analysis has TrafficRouter.service() and no query of its own', () => {
    const message = 'CanaryRelease \'myapp\': analysis ("CanaryAnalysis.prometheus(...)") needs a router whose request metrics the library knows (TrafficRouter.nginx(), .istio() or .gatewayApi()), or your own errorRateQuery (and latencyQuery with maxLatency): TrafficRouter.service() exposes no per-version request metrics';
    expect(() => canaryQueries(TrafficRouter.service(), analysis())).toThrow(message);
    expect(() => canaryQueries(TrafficRouter.service(), analysis(), { engine: DeliveryEngine.argoRollouts() })).toThrow(message);
    expect(() => new BlueGreenRelease(Testing.chart(), 'myapp', { ...app, blue: v1, active: BlueGreenColor.BLUE, analysis: analysis() }))
      .toThrow('BlueGreenRelease \'myapp\': analysis ("CanaryAnalysis.prometheus(...)") needs a router whose request metrics the library knows');
  });

  test('throws when a custom error-rate query on service() meets maxLatency without a latency query', () => {
    // With maxLatency the router's latency metric would be needed, and service() has none: caught by the factory already.
    expect(() => analysis({ errorRateQuery: 'x', maxLatency: Duration.seconds(1) })).toThrow('options.latencyQuery (undefined) must be given with maxLatency');
  });
});

describe('every PromQL expression the library writes parses', () => {
  const routers: Array<[string, () => TrafficRouter]> = [
    ['nginx', () => TrafficRouter.nginx({ host: 'myapp.example.com' })],
    ['istio by host', () => TrafficRouter.istio()],
    ['istio by subset', () => TrafficRouter.istio({ subsets: true })],
    ['gateway api', () => TrafficRouter.gatewayApi({ parentRefs: [{ name: 'public' }] })],
  ];
  const engines: Array<[string, () => DeliveryEngine]> = [
    ['manifests', () => DeliveryEngine.manifests()],
    ['argo rollouts', () => DeliveryEngine.argoRollouts()],
  ];
  const cases = routers.flatMap(([r, router]) => engines.map(([e, engine]) => [`${r}, ${e}`, router, engine] as [string, () => TrafficRouter, () => DeliveryEngine]));

  test.each(cases)('%s: canary and blue-green, in a namespace and without', (label, router, engine) => {
    // Argo Rollouts refuses a blue-green release on Istio subsets (see argo-rollouts-engine.test.ts).
    const withBlueGreen = label !== 'istio by subset, argo rollouts';
    const found: Array<[string, string]> = [];
    for (const namespace of [undefined, 'shop']) {
      const a = analysis({ maxLatency: Duration.millis(250), interval: Duration.seconds(45), failureLimit: 3 });
      const c = new Chart(Testing.app(), 'c', { namespace });
      new CanaryRelease(c, 'myapp', { ...app, stable: v1, canary: { version: '1.4.2', image: 'myapp:1.4.2' }, steps: PLAN, router: router(), engine: engine(), analysis: a });
      found.push(...promqlExpressions(synthValid(c)));
      if (!withBlueGreen) continue;
      const b = new Chart(Testing.app(), 'b', { namespace });
      new BlueGreenRelease(b, 'myapp', { ...app, blue: v1, green: { ...v2, replicas: 3 }, active: BlueGreenColor.BLUE, previewHost: 'preview.myapp.com', router: router(), engine: engine(), analysis: a });
      found.push(...promqlExpressions(synthValid(b)));
    }
    expect(found.length).toBeGreaterThanOrEqual(4);
    for (const [where, query] of found) {
      expect({ where, query, errors: promqlSyntaxErrors(query) }).toEqual({ where, query, errors: [] });
    }
  });

  test('the check can fail: a broken query of the user\'s is passed through and caught here', () => {
    const q = canaryQueries(TrafficRouter.istio(), analysis({ errorRateQuery: 'sum(rate(errors_total{app="{{name}}"}[{{window}}])' }));
    expect(q.errorRate).toBe('sum(rate(errors_total{app="myapp"}[2m])');
    expect(promqlSyntaxErrors(q.errorRate)).not.toEqual([]);
  });
});
