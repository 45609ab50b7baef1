/**
 * DeliveryEngine.argoRollouts(): one Rollout `<name>` instead of the Deployments, the router's
 * objects that Argo Rollouts expects to find (never those it creates), the plan as Argo steps,
 * the analysis as an AnalysisTemplate, and blue-green with preview and scale-down delay.
 */
import { Chart, Duration, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Rollout } from '../../../imports/argoproj.io';
import {
  BlueGreenColor, BlueGreenRelease, BlueGreenReleaseProps, CanaryAnalysis, CanaryRelease, CanaryReleaseProps,
  CanaryStep, DeliveryEngine, HeaderMatch, ReleaseOptions, TrafficRouter,
} from '../../../src';
import { K8sObject, find, objectIds, ofKind, ofKinds, synthValid } from '../../util';
import { RecordingRouter } from '../../routing/recording-router';

const app = { containerPort: 80, servicePort: 8080 };
const v1 = { version: 'v1', image: 'myapp:v1', replicas: 3 };
const v2 = { version: 'v2', image: 'myapp:v2', replicas: 1 };
const PROMETHEUS = 'http://prometheus.monitoring:9090';
/** 5% for 2 hours, 50% for 4 hours, then everyone; roll back above 5% errors. */
const PLAN = [
  CanaryStep.shiftTraffic(5), CanaryStep.pause(Duration.hours(2)),
  CanaryStep.shiftTraffic(50), CanaryStep.pause(Duration.hours(4)),
  CanaryStep.shiftTraffic(100),
];
const PLAN_STEPS = [{ setWeight: 5 }, { pause: { duration: '2h' } }, { setWeight: 50 }, { pause: { duration: '4h' } }, { setWeight: 100 }];
const TESTER_RULES = { header: HeaderMatch.exact('stage', 'gray'), cookie: 'canary' };
const nginx = () => TrafficRouter.nginx({ host: 'myapp.example.com' });
const gatewayApi = () => TrafficRouter.gatewayApi({ parentRefs: [{ name: 'public', namespace: 'gateways' }], hostnames: ['myapp.com'] });
const errorRate = () => CanaryAnalysis.prometheus({ address: PROMETHEUS, maxErrorRate: 5 });

function canary(props: Partial<CanaryReleaseProps>, chart: Chart = Testing.chart()): K8sObject[] {
  new CanaryRelease(chart, 'myapp', { ...app, stable: v1, engine: DeliveryEngine.argoRollouts(), ...props });
  return synthValid(chart);
}

function blueGreen(props: Partial<BlueGreenReleaseProps>): K8sObject[] {
  const chart = Testing.chart();
  new BlueGreenRelease(chart, 'myapp', {
    ...app, blue: v1, green: { ...v2, replicas: 3 }, active: BlueGreenColor.BLUE, engine: DeliveryEngine.argoRollouts(), ...props,
  });
  return synthValid(chart);
}

const canaryStrategy = (manifests: K8sObject[]) => find(manifests, 'Rollout', 'myapp').spec.strategy.canary;

describe('a canary Rollout per router', () => {
  test('nginx: the main Ingress only; header and cookie rules as additionalIngressAnnotations; no <name>-canary Ingress', () => {
    const manifests = canary({ router: nginx(), steps: PLAN, canary: { ...v2, traffic: TESTER_RULES }, analysis: errorRate() });
    // The whole chart, once per construct under Argo Rollouts (this one and the blue-green Rollout's
    // below): what a user applies, every object and field, the Rollout's pod template and the
    // Services included, so a change to any default shows up here in review. The other tests assert
    // fields, and snapshot a router's own kinds at most.
    expect(manifests).toMatchSnapshot();
    expect(objectIds(manifests)).toEqual(['Service/myapp', 'Service/myapp-canary', 'Ingress/myapp', 'AnalysisTemplate/myapp', 'Rollout/myapp', 'PodDisruptionBudget/myapp-v1', 'PodDisruptionBudget/myapp-v2']);
    expect(ofKind(manifests, 'Deployment')).toEqual([]);
    const strategy = canaryStrategy(manifests);
    expect(strategy.stableService).toBe('myapp');
    expect(strategy.canaryService).toBe('myapp-canary');
    expect(strategy.trafficRouting).toEqual({
      nginx: {
        stableIngress: 'myapp',
        additionalIngressAnnotations: { 'canary-by-header': 'stage', 'canary-by-header-value': 'gray', 'canary-by-cookie': 'canary' },
      },
    });
    // Argo Rollouts creates the canary Ingress (myapp-myapp-canary) itself; the main one carries no canary annotation.
    const ingress = find(manifests, 'Ingress', 'myapp');
    expect(ingress.metadata.annotations).toBeUndefined();
    expect(ingress.spec.rules[0].http.paths[0].backend.service).toEqual({ name: 'myapp', port: { number: 8080 } });
  });

  test('nginx: a regex header is anchored, as on the canary Ingress of plain manifests', () => {
    const manifests = canary({ router: nginx(), canary: { ...v2, traffic: { header: HeaderMatch.regex('user-agent', '.*Android.*') } } });
    expect(canaryStrategy(manifests).trafficRouting.nginx.additionalIngressAnnotations).toEqual({
      'canary-by-header': 'user-agent', 'canary-by-header-pattern': '^(?:.*Android.*)$',
    });
  });

  test('nginx without header or cookie: no additionalIngressAnnotations', () => {
    expect(canaryStrategy(canary({ router: nginx(), steps: PLAN, canary: v2 })).trafficRouting).toEqual({ nginx: { stableIngress: 'myapp' } });
  });

  test('Istio by host: the VirtualService\'s route `weighted` over <name> and <name>-canary, starting at 100/0', () => {
    const manifests = canary({ router: TrafficRouter.istio({ hosts: ['myapp.com'], gateways: ['istio-system/public'] }), steps: PLAN, canary: { ...v2, traffic: TESTER_RULES } });
    // The VirtualService is the point: the one Argo Rollouts expects to find and reweights.
    expect(ofKind(manifests, 'VirtualService')).toMatchSnapshot();
    expect(objectIds(manifests)).toEqual(['Service/myapp', 'Service/myapp-canary', 'VirtualService/myapp', 'Rollout/myapp', 'PodDisruptionBudget/myapp-v1', 'PodDisruptionBudget/myapp-v2']);
    const strategy = canaryStrategy(manifests);
    expect([strategy.stableService, strategy.canaryService]).toEqual(['myapp', 'myapp-canary']);
    expect(strategy.trafficRouting).toEqual({ istio: { virtualService: { name: 'myapp', routes: ['weighted'] } } });
    const http = find(manifests, 'VirtualService', 'myapp').spec.http;
    expect(http.map((h: any) => h.name)).toEqual(['canary-by-header', 'canary-by-cookie', 'stable-by-cookie', 'weighted']);
    const weighted = http.find((h: any) => h.name === 'weighted');
    expect(weighted.route.map((r: any) => [r.destination.host, r.weight])).toEqual([['myapp', 100], ['myapp-canary', 0]]);
    expect(http[0].route[0].destination.host).toBe('myapp-canary');
  });

  test('Istio by host without a canary: still the route `weighted` Argo Rollouts needs', () => {
    const manifests = canary({ router: TrafficRouter.istio(), steps: PLAN });
    const http = find(manifests, 'VirtualService', 'myapp').spec.http;
    expect(http.map((h: any) => h.name)).toEqual(['weighted']);
    expect(http[0].route.map((r: any) => [r.destination.host, r.weight])).toEqual([['myapp', 100], ['myapp-canary', 0]]);
  });

  test('Istio by subset: DestinationRule subsets `stable` and `canary` without labels, and <name> left alone', () => {
    const manifests = canary({ router: TrafficRouter.istio({ subsets: true }), steps: PLAN, canary: { ...v2, traffic: TESTER_RULES } });
    // The VirtualService and the DestinationRule are the point: the ones Argo Rollouts expects to find and edits.
    expect(ofKinds(manifests, 'VirtualService', 'DestinationRule')).toMatchSnapshot();
    expect(objectIds(manifests)).toEqual(['Service/myapp', 'Service/myapp-canary', 'VirtualService/myapp', 'DestinationRule/myapp', 'Rollout/myapp', 'PodDisruptionBudget/myapp-v1', 'PodDisruptionBudget/myapp-v2']);
    // Argo Rollouts writes its pod-template hashes into the subsets' labels.
    expect(find(manifests, 'DestinationRule', 'myapp').spec).toEqual({ host: 'myapp', subsets: [{ name: 'stable' }, { name: 'canary' }] });
    const strategy = canaryStrategy(manifests);
    expect(strategy.trafficRouting).toEqual({
      istio: {
        virtualService: { name: 'myapp', routes: ['weighted'] },
        destinationRule: { name: 'myapp', stableSubsetName: 'stable', canarySubsetName: 'canary' },
      },
    });
    // The subsets are subsets of <name>'s endpoints: Argo Rollouts must not narrow <name> to the
    // stable pods, or the canary subset would be empty. So no stableService.
    expect(strategy.stableService).toBeUndefined();
    const weighted = find(manifests, 'VirtualService', 'myapp').spec.http.find((h: any) => h.name === 'weighted');
    expect(weighted.route.map((r: any) => [r.destination.host, r.destination.subset, r.weight])).toEqual([['myapp', 'stable', 100], ['myapp', 'canary', 0]]);
    // The routes use subsets of <name>, and <name>-canary stays the canary's own address, for testers and smoke checks.
    expect(strategy.canaryService).toBe('myapp-canary');
  });

  test('Gateway API: the Argo Rollouts Gateway API plugin\'s config, and the HTTPRoute starting at 100/0', () => {
    const manifests = canary({ router: gatewayApi(), steps: PLAN, canary: { ...v2, traffic: TESTER_RULES } });
    // The HTTPRoute is the point: the one the Gateway API plugin expects to find and reweights.
    expect(ofKind(manifests, 'HTTPRoute')).toMatchSnapshot();
    expect(objectIds(manifests)).toEqual(['Service/myapp', 'Service/myapp-canary', 'HTTPRoute/myapp', 'Rollout/myapp', 'PodDisruptionBudget/myapp-v1', 'PodDisruptionBudget/myapp-v2']);
    const strategy = canaryStrategy(manifests);
    expect([strategy.stableService, strategy.canaryService]).toEqual(['myapp', 'myapp-canary']);
    expect(strategy.trafficRouting).toEqual({ plugins: { 'argoproj-labs/gatewayAPI': { httpRoute: 'myapp' } } });
    const weighted = find(manifests, 'HTTPRoute', 'myapp').spec.rules.find((r: any) => r.name === 'weighted');
    expect(weighted.backendRefs).toEqual([{ name: 'myapp', port: 8080, weight: 100 }, { name: 'myapp-canary', port: 8080, weight: 0 }]);
  });

  test('Gateway API in a namespace: the plugin is told the HTTPRoute\'s namespace', () => {
    const manifests = canary({ router: gatewayApi(), steps: PLAN }, new Chart(Testing.app(), 'shop', { namespace: 'shop' }));
    expect(canaryStrategy(manifests).trafficRouting).toEqual({ plugins: { 'argoproj-labs/gatewayAPI': { httpRoute: 'myapp', namespace: 'shop' } } });
  });

  test('TrafficRouter.service(): Argo Rollouts\' basic canary (the weight is a share of the pods), no stableService', () => {
    const manifests = canary({ steps: PLAN, canary: { version: 'v2', image: 'myapp:v2' } });
    expect(objectIds(manifests)).toEqual(['Service/myapp', 'Service/myapp-canary', 'Rollout/myapp', 'PodDisruptionBudget/myapp-v1', 'PodDisruptionBudget/myapp-v2']);
    const strategy = canaryStrategy(manifests);
    expect(strategy.trafficRouting).toBeUndefined();
    expect(strategy.stableService).toBeUndefined();
    expect(strategy.canaryService).toBe('myapp-canary');
    expect(strategy.steps).toEqual(PLAN_STEPS);
  });

  test('every Service selects the app only: Argo Rollouts adds its pod-template hash', () => {
    for (const router of [TrafficRouter.service(), nginx(), TrafficRouter.istio(), TrafficRouter.istio({ subsets: true }), gatewayApi()]) {
      const manifests = canary({ router, steps: PLAN, canary: { version: 'v2', image: 'myapp:v2' } });
      for (const service of ofKind(manifests, 'Service')) expect([service.metadata.name, service.spec.selector]).toEqual([service.metadata.name, { app: 'myapp' }]);
      const rollout = find(manifests, 'Rollout', 'myapp');
      expect(rollout.spec.selector).toEqual({ matchLabels: { app: 'myapp' } });
      expect(rollout.spec.template.metadata.labels).toEqual({ 'app': 'myapp', 'version': 'v2', 'app.kubernetes.io/name': 'myapp', 'app.kubernetes.io/version': 'v2' });
      // The recommended labels are on the pods only: no selector names them.
      for (const selector of [rollout.spec.selector.matchLabels, ...ofKind(manifests, 'Service').map((service) => service.spec.selector)]) {
        expect(selector).not.toHaveProperty(['app.kubernetes.io/name']);
        expect(selector).not.toHaveProperty(['app.kubernetes.io/version']);
      }
    }
  });

  test('the release exposes the Rollout and the Services; asking for a Deployment says why there is none', () => {
    const chart = Testing.chart();
    const release = new CanaryRelease(chart, 'myapp', { ...app, stable: v1, canary: v2, router: nginx(), engine: DeliveryEngine.argoRollouts() });
    expect(release.rollout?.kind).toBe('Rollout');
    expect(release.service.name).toBe('myapp');
    expect(release.canaryService?.name).toBe('myapp-canary');
    expect(release.canaryDeployment).toBeUndefined();
    expect(() => release.stableDeployment).toThrow('CanaryRelease \'myapp\': stableDeployment does not exist with this engine: the rollout controller runs the tracks (see rollout)');
  });
});

describe('the plan as Argo Rollouts steps', () => {
  test('shiftTraffic is setWeight, pause(duration) a timed pause, pause() a pause for `kubectl argo rollouts promote`', () => {
    const manifests = canary({ router: nginx(), steps: [CanaryStep.pause(), ...PLAN], canary: { version: 'v2', image: 'myapp:v2' } });
    expect(canaryStrategy(manifests).steps).toEqual([{ pause: {} }, ...PLAN_STEPS]);
    // `pause: {}` survives synthesis: an empty object is what makes Argo Rollouts wait.
    expect(JSON.stringify(canaryStrategy(manifests).steps[0])).toBe('{"pause":{}}');
  });

  test('durations in Argo\'s units: seconds, minutes, hours', () => {
    const manifests = canary({ router: nginx(), steps: [CanaryStep.pause(Duration.seconds(90)), CanaryStep.pause(Duration.minutes(30)), CanaryStep.pause(Duration.days(1))] });
    expect(canaryStrategy(manifests).steps).toEqual([{ pause: { duration: '90s' } }, { pause: { duration: '30m' } }, { pause: { duration: '24h' } }]);
  });

  test('no plan: the canary\'s weight, then a pause for a human', () => {
    expect(canaryStrategy(canary({ router: nginx(), canary: { version: 'v2', image: 'myapp:v2', traffic: { weight: 10 } } })).steps).toEqual([{ setWeight: 10 }, { pause: {} }]);
    expect(canaryStrategy(canary({ router: nginx(), canary: { version: 'v2', image: 'myapp:v2' } })).steps).toEqual([{ setWeight: 0 }, { pause: {} }]);
    expect(canaryStrategy(canary({ router: nginx() })).steps).toEqual([{ setWeight: 0 }, { pause: {} }]);
  });

  test('canary.replicas is setCanaryScale: that many pods while the canary gets no traffic, then its share of the pods', () => {
    const internalCheck = [CanaryStep.pause(), ...PLAN];
    const manifests = canary({ router: nginx(), steps: internalCheck, canary: { ...v2, replicas: 2, traffic: TESTER_RULES } });
    expect(canaryStrategy(manifests).steps).toEqual([
      { setCanaryScale: { replicas: 2 } },
      { pause: {} },
      { setCanaryScale: { weight: 5 } },
      PLAN_STEPS[0],
      { setCanaryScale: { matchTrafficWeight: true } },
      ...PLAN_STEPS.slice(1),
    ]);
    // A plan that starts with traffic: the canary's pods follow the weight from the first step.
    expect(canaryStrategy(canary({ router: nginx(), steps: PLAN, canary: v2 })).steps).toEqual([
      { setCanaryScale: { replicas: 1 } },
      { setCanaryScale: { weight: 5 } },
      PLAN_STEPS[0],
      { setCanaryScale: { matchTrafficWeight: true } },
      ...PLAN_STEPS.slice(1),
    ]);
    // No traffic ever: the canary stays at its own size until a human promotes it.
    expect(canaryStrategy(canary({ router: nginx(), canary: v2 })).steps).toEqual([{ setCanaryScale: { replicas: 1 } }, { setWeight: 0 }, { pause: {} }]);
  });

  test('without canary.replicas there is no setCanaryScale', () => {
    expect(canaryStrategy(canary({ router: nginx(), steps: PLAN, canary: { version: 'v2', image: 'myapp:v2' } })).steps).toEqual(PLAN_STEPS);
  });

  test('the Rollout runs stable.replicas pods', () => {
    expect(find(canary({ router: nginx(), steps: PLAN, canary: v2 }), 'Rollout', 'myapp').spec.replicas).toBe(3);
    expect(find(canary({ router: nginx(), stable: { version: 'v1', image: 'myapp:v1' } }), 'Rollout', 'myapp').spec.replicas).toBe(1);
  });

  test('a weightTotal other than 100 is maxTrafficWeight (nginx, Gateway API plugin)', () => {
    const steps = [CanaryStep.shiftTraffic(5), CanaryStep.pause(Duration.hours(2)), CanaryStep.shiftTraffic(500), CanaryStep.pause(), CanaryStep.shiftTraffic(1000)];
    for (const router of [nginx(), gatewayApi()]) {
      const strategy = canaryStrategy(canary({ router, steps, canary: { version: 'v2', image: 'myapp:v2', traffic: { weightTotal: 1000 } } }));
      expect(strategy.trafficRouting.maxTrafficWeight).toBe(1000);
      expect(strategy.steps.filter((s: any) => s.setWeight !== undefined).map((s: any) => s.setWeight)).toEqual([5, 500, 1000]);
    }
    expect(canaryStrategy(canary({ router: nginx(), steps: PLAN, canary: v2 })).trafficRouting.maxTrafficWeight).toBeUndefined();
  });

  test('scaleDownDelay keeps the old pods after a promotion (with a router that steers traffic)', () => {
    const manifests = canary({ router: nginx(), steps: PLAN, canary: v2, engine: DeliveryEngine.argoRollouts({ scaleDownDelay: Duration.hours(1) }) });
    expect(canaryStrategy(manifests).scaleDownDelaySeconds).toBe(3600);
    expect(canaryStrategy(canary({ router: nginx(), steps: PLAN, canary: v2 })).scaleDownDelaySeconds).toBeUndefined();
  });
});

describe('analysis: an AnalysisTemplate <name>, run in the background from the first step', () => {
  test('error rate and p99 latency, with the failure limit, no data yet not a failure', () => {
    const manifests = canary({
      router: TrafficRouter.istio(),
      steps: PLAN,
      canary: v2,
      analysis: CanaryAnalysis.prometheus({ address: PROMETHEUS, maxErrorRate: 5, maxLatency: Duration.millis(500), interval: Duration.seconds(30), failureLimit: 3 }),
    });
    const template = find(manifests, 'AnalysisTemplate', 'myapp');
    expect(template.apiVersion).toBe('argoproj.io/v1alpha1');
    expect(template.spec.metrics.map((m: any) => [m.name, m.interval, m.failureLimit, m.successCondition, m.provider.prometheus.address])).toEqual([
      ['error-rate', '30s', 3, 'len(result) == 0 || isNaN(result[0]) || result[0] <= 5', PROMETHEUS],
      ['latency-p99', '30s', 3, 'len(result) == 0 || isNaN(result[0]) || result[0] <= 0.5', PROMETHEUS],
    ]);
    expect(template.spec.metrics[0].provider.prometheus.query).toContain('destination_version="v2"');
    expect(canaryStrategy(manifests).analysis).toEqual({ templates: [{ templateName: 'myapp' }] });
    // Istio's metrics of the canary's version, over a window of twice the interval (here 1m).
    expect(template.spec.metrics.map((m: any) => m.provider.prometheus.query)).toEqual([
      '100 * sum(rate(istio_requests_total{reporter="destination",destination_app="myapp",destination_version="v2",response_code=~"5.."}[1m]))'
        + ' / sum(rate(istio_requests_total{reporter="destination",destination_app="myapp",destination_version="v2"}[1m]))',
      'histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{reporter="destination",destination_app="myapp",destination_version="v2"}[1m]))) / 1000',
    ]);
    expect(template.metadata).toEqual({ name: 'myapp', labels: { app: 'myapp' } });
  });

  /**
   * Argo Rollouts v1.9.1 runs the query (metricproviders/prometheus/prometheus.go, Run and
   * processResponse) and hands an instant vector to the condition as `result`, a []float64 of its
   * samples, evaluated by expr v1.15 (utils/evaluate/evaluate.go, EvalCondition): a measurement is
   * Successful when the condition is true, Failed when false (no failureCondition), Error when
   * evaluating it errs, and consecutiveErrorLimit (4 by default) Errors in a row fail the analysis
   * and abort the rollout (argoproj/argo-rollouts#1466). The condition is asserted as emitted; the
   * cluster tests run it in the real controller.
   */
  test('no data yet never rolls back: an empty result and a 0/0 ratio pass, a value above the limit fails', () => {
    const template = find(canary({ router: nginx(), steps: PLAN, canary: v2, analysis: CanaryAnalysis.prometheus({ address: PROMETHEUS, maxErrorRate: 5, maxLatency: Duration.millis(500) }) }), 'AnalysisTemplate', 'myapp');
    // - nobody has called the canary yet: no series, an empty vector, result = []. `len(result) == 0`
    //   is true and expr's `||` stops there (its compiler emits OpJumpIfTrue), so result[0], an
    //   index error on [] (an Error measurement before this fix), is never read: Successful.
    // - series but no request in the window: the ratio is 0/0, result = [NaN]; NaN <= 5 is false
    //   (a Failed measurement without the isNaN), isNaN(result[0]) is true: Successful.
    // - a real 7 (%): result = [7], neither guard holds, 7 <= 5 is false: Failed, as it should be.
    expect(template.spec.metrics.map((m: any) => [m.name, m.successCondition])).toEqual([
      ['error-rate', 'len(result) == 0 || isNaN(result[0]) || result[0] <= 5'],
      ['latency-p99', 'len(result) == 0 || isNaN(result[0]) || result[0] <= 0.5'],
    ]);
    // No failureCondition: a false successCondition is what makes a measurement Failed.
    expect(template.spec.metrics.map((m: any) => m.failureCondition)).toEqual([undefined, undefined]);
  });

  test('without analysis: no AnalysisTemplate, no strategy.canary.analysis', () => {
    const manifests = canary({ router: nginx(), steps: PLAN, canary: v2 });
    expect(ofKind(manifests, 'AnalysisTemplate')).toEqual([]);
    expect(canaryStrategy(manifests).analysis).toBeUndefined();
  });

  test('between releases (no canary) the template measures the stable version, which the next Rollout revision replaces', () => {
    const manifests = canary({ router: TrafficRouter.istio(), steps: PLAN, analysis: errorRate() });
    expect(find(manifests, 'AnalysisTemplate', 'myapp').spec.metrics[0].provider.prometheus.query).toContain('destination_version="v1"');
  });
});

describe('the Rollout\'s pod template is the Deployment\'s of plain manifests, byte for byte', () => {
  // Rich enough to catch a typed converter that drops or renames fields: probes with ports,
  // env, resources, security context, pod metadata, service account and its token.
  const props = (chart: Chart): Partial<CanaryReleaseProps> => ({
    podMetadata: { labels: { 'sidecar.istio.io/inject': 'true' }, annotations: { 'prometheus.io/scrape': 'true' } },
    serviceAccount: kplus.ServiceAccount.fromServiceAccountName(chart, 'sa', 'myapp'),
    automountServiceAccountToken: true,
    container: {
      envVariables: { LOG_LEVEL: kplus.EnvValue.fromValue('info') },
      securityContext: { ensureNonRoot: false, readOnlyRootFilesystem: false },
      resources: { cpu: { request: kplus.Cpu.millis(100) }, memory: { request: Size.mebibytes(64), limit: Size.mebibytes(256) } },
      liveness: kplus.Probe.fromHttpGet('/healthz', { port: 80 }),
      args: ['--port', '80'],
    },
    stable: { ...v1, container: { envVariables: { TRACK: kplus.EnvValue.fromValue('stable') } } },
    canary: { version: '1.4.2', image: 'myapp:1.4.2', replicas: 1, container: { envVariables: { TRACK: kplus.EnvValue.fromValue('canary') }, readiness: kplus.Probe.fromHttpGet('/ready', { port: 80 }) } },
    router: TrafficRouter.istio(),
  });

  test('the newest track (the canary) under Argo equals its Deployment under plain manifests', () => {
    const argoChart = Testing.chart();
    const rollout = find(canary(props(argoChart), argoChart), 'Rollout', 'myapp');
    const plainChart = Testing.chart();
    new CanaryRelease(plainChart, 'myapp', { ...app, stable: v1, ...props(plainChart) } as CanaryReleaseProps);
    const deployment = find(synthValid(plainChart), 'Deployment', 'myapp-1-4-2');
    expect(JSON.stringify(rollout.spec.template)).toBe(JSON.stringify(deployment.spec.template));
    // What a typed round trip through the generated classes would lose.
    expect(rollout.spec.template.spec.setHostnameAsFQDN).toBe(false);
    expect(rollout.spec.template.spec.containers[0].readinessProbe.httpGet).toEqual({ path: '/ready', port: 80, scheme: 'HTTP' });
    expect(rollout.spec.template.spec.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
  });

  test('without a canary: the stable track\'s template', () => {
    const argoChart = Testing.chart();
    const rollout = find(canary({ ...props(argoChart), canary: undefined }, argoChart), 'Rollout', 'myapp');
    const plainChart = Testing.chart();
    new CanaryRelease(plainChart, 'myapp', { ...app, ...props(plainChart), canary: undefined } as CanaryReleaseProps);
    expect(JSON.stringify(rollout.spec.template)).toBe(JSON.stringify(find(synthValid(plainChart), 'Deployment', 'myapp-v1').spec.template));
  });

  test('blue-green: the idle color\'s template (the one to preview)', () => {
    const options: Partial<ReleaseOptions> = { podMetadata: { labels: { tier: 'web' } }, router: TrafficRouter.istio() };
    const argo = blueGreen(options);
    const plainChart = Testing.chart();
    new BlueGreenRelease(plainChart, 'myapp', { ...app, ...options, blue: v1, green: { ...v2, replicas: 3 }, active: BlueGreenColor.BLUE });
    expect(JSON.stringify(find(argo, 'Rollout', 'myapp').spec.template)).toBe(JSON.stringify(find(synthValid(plainChart), 'Deployment', 'myapp-v2').spec.template));
  });

  test('why the template bypasses the generated Rollout class: its converters drop fields', () => {
    // Plain JSON in, typed converter out: this is the pitfall the byte-for-byte tests guard against.
    const template = { spec: { setHostnameAsFQDN: false, containers: [{ name: 'c', image: 'i', readinessProbe: { tcpSocket: { port: 80 } } }] } };
    const typed = Rollout.manifest({ metadata: { name: 'x' }, spec: { selector: { matchLabels: {} }, template: template as any } }).spec.template;
    expect(typed.spec.setHostnameAsFQDN).toBeUndefined();
    expect(typed.spec.containers[0].readinessProbe).toEqual({ tcpSocket: {} });
  });

  test('the scratch chart used to build the template emits nothing into the user\'s chart', () => {
    const chart = Testing.chart();
    canary({ router: nginx(), steps: PLAN, canary: v2 }, chart);
    expect(chart.node.findAll().filter((c) => c.node.id.startsWith('Deployment'))).toEqual([]);
  });
});

describe('the Deployment strategy carries over to the Rollout', () => {
  test('a canary Rollout gets the rolling update\'s maxSurge and maxUnavailable (Argo Rollouts would default maxUnavailable to 25%)', () => {
    const strategy = find(canary({ router: TrafficRouter.istio(), steps: PLAN, canary: v2 }), 'Rollout', 'myapp').spec.strategy.canary;
    expect([strategy.maxSurge, strategy.maxUnavailable]).toEqual(['25%', 0]);
    const custom = find(canary({
      router: TrafficRouter.istio(), steps: PLAN, canary: v2,
      strategy: kplus.DeploymentStrategy.rollingUpdate({ maxSurge: kplus.PercentOrAbsolute.absolute(2), maxUnavailable: kplus.PercentOrAbsolute.percent(10) }),
    }), 'Rollout', 'myapp').spec.strategy.canary;
    expect([custom.maxSurge, custom.maxUnavailable]).toEqual([2, '10%']);
  });

  test('throws when the strategy is Recreate', () => {
    expect(() => canary({ router: TrafficRouter.istio(), steps: PLAN, canary: v2, strategy: kplus.DeploymentStrategy.recreate() })).toThrow(
      'CanaryRelease \'myapp\': strategy ("DeploymentStrategy.recreate()") has no equivalent under DeliveryEngine.argoRollouts()');
  });
});

describe('a blue-green Rollout', () => {
  test('throws when the analysis would measure the preview through ingress-nginx without a previewHost', () => {
    const chart = Testing.chart();
    expect(() => new BlueGreenRelease(chart, 'myapp', {
      containerPort: 80, blue: { version: 'v1', image: 'myapp:v1' }, green: { version: 'v2', image: 'myapp:v2' }, active: BlueGreenColor.BLUE,
      router: TrafficRouter.nginx({ host: 'myapp.com' }), engine: DeliveryEngine.argoRollouts(),
      analysis: CanaryAnalysis.prometheus({ address: 'http://prometheus:9090', maxErrorRate: 5 }),
    })).toThrow('BlueGreenRelease \'myapp\': analysis ("CanaryAnalysis.prometheus(...)") needs previewHost under DeliveryEngine.argoRollouts() with this router');
  });

  test('activeService <name>, previewService <name>-preview, waiting for a human, old color kept for 24 hours, pre-promotion analysis', () => {
    const chart = Testing.chart();
    new BlueGreenRelease(chart, 'myapp', {
      ...app,
      router: nginx(),
      blue: v1,
      green: { ...v2, replicas: 3 },
      active: BlueGreenColor.BLUE,
      previewHost: 'preview.myapp.example.com',
      analysis: errorRate(),
      engine: DeliveryEngine.argoRollouts({ scaleDownDelay: Duration.hours(24) }),
    });
    const manifests = synthValid(chart);
    // The whole chart, once per construct under Argo Rollouts (see the canary Rollout's through nginx above).
    expect(manifests).toMatchSnapshot();
    expect(objectIds(manifests)).toEqual(['Service/myapp', 'Service/myapp-preview', 'Ingress/myapp', 'Ingress/myapp-preview', 'AnalysisTemplate/myapp', 'Rollout/myapp', 'PodDisruptionBudget/myapp-v1', 'PodDisruptionBudget/myapp-v2']);
    const rollout = find(manifests, 'Rollout', 'myapp');
    expect(rollout.spec.strategy).toEqual({
      blueGreen: {
        activeService: 'myapp',
        previewService: 'myapp-preview',
        autoPromotionEnabled: false,
        maxUnavailable: 0,
        scaleDownDelaySeconds: 86400,
        prePromotionAnalysis: { templates: [{ templateName: 'myapp' }] },
      },
    });
    // The idle color is what Argo Rollouts brings up as the preview.
    expect(rollout.spec.replicas).toBe(3);
    expect(rollout.spec.template.metadata.labels).toEqual({ 'app': 'myapp', 'version': 'v2', 'app.kubernetes.io/name': 'myapp', 'app.kubernetes.io/version': 'v2' });
    expect(rollout.spec.selector).toEqual({ matchLabels: { app: 'myapp' } });
    for (const service of ofKind(manifests, 'Service')) expect(service.spec.selector).toEqual({ app: 'myapp' });
    // The pre-promotion analysis measures the preview: nginx counts it on the preview Ingress.
    expect(find(manifests, 'AnalysisTemplate', 'myapp').spec.metrics[0].provider.prometheus.query)
      .toBe('100 * sum(rate(nginx_ingress_controller_requests{ingress="myapp-preview",canary="",status=~"5.."}[2m])) / sum(rate(nginx_ingress_controller_requests{ingress="myapp-preview",canary=""}[2m]))');
    expect(find(manifests, 'Ingress', 'myapp-preview').spec.rules[0].http.paths[0].backend.service.name).toBe('myapp-preview');
  });

  test('defaults: no automatic promotion, Argo\'s own scale-down delay, no analysis', () => {
    const strategy = find(blueGreen({ router: TrafficRouter.istio() }), 'Rollout', 'myapp').spec.strategy.blueGreen;
    // maxUnavailable 0 is the library's default rolling update, which Argo Rollouts would otherwise make 25%.
    expect(strategy).toEqual({ activeService: 'myapp', previewService: 'myapp-preview', autoPromotionEnabled: false, maxUnavailable: 0 });
  });

  test('autoPromotion: true promotes the preview once it is ready', () => {
    const strategy = find(blueGreen({ engine: DeliveryEngine.argoRollouts({ autoPromotion: true }) }), 'Rollout', 'myapp').spec.strategy.blueGreen;
    expect(strategy.autoPromotionEnabled).toBe(true);
  });

  test('Istio by host and Gateway API: the routes point at <name> and <name>-preview, whose selectors Argo Rollouts switches', () => {
    const istio = blueGreen({ router: TrafficRouter.istio({ hosts: ['myapp.com'], gateways: ['istio-system/public'] }), previewHost: 'preview.myapp.com' });
    expect(objectIds(istio)).toEqual(['Service/myapp', 'Service/myapp-preview', 'VirtualService/myapp', 'VirtualService/myapp-preview', 'Rollout/myapp', 'PodDisruptionBudget/myapp-v1', 'PodDisruptionBudget/myapp-v2']);
    expect(find(istio, 'VirtualService', 'myapp').spec.http).toEqual([{ name: 'active', route: [{ destination: { host: 'myapp', port: { number: 8080 } } }] }]);
    expect(find(istio, 'VirtualService', 'myapp-preview').spec.http[0].route[0].destination.host).toBe('myapp-preview');
    const gateway = blueGreen({ router: gatewayApi(), previewHost: 'preview.myapp.com' });
    expect(objectIds(gateway)).toEqual(['Service/myapp', 'Service/myapp-preview', 'HTTPRoute/myapp', 'HTTPRoute/myapp-preview', 'Rollout/myapp', 'PodDisruptionBudget/myapp-v1', 'PodDisruptionBudget/myapp-v2']);
    expect(find(gateway, 'HTTPRoute', 'myapp').spec.rules[0].backendRefs).toEqual([{ name: 'myapp', port: 8080 }]);
  });

  test('with only the active color: its template, and the preview Service waits for the next version', () => {
    const manifests = blueGreen({ router: TrafficRouter.istio(), green: undefined });
    expect(objectIds(manifests)).toEqual(['Service/myapp', 'Service/myapp-preview', 'VirtualService/myapp', 'Rollout/myapp', 'PodDisruptionBudget/myapp-v1']);
    const rollout = find(manifests, 'Rollout', 'myapp');
    expect([rollout.spec.replicas, rollout.spec.template.metadata.labels.version]).toEqual([3, 'v1']);
  });

  test('preview: false: no preview Service and no previewService', () => {
    const manifests = blueGreen({ router: TrafficRouter.istio(), preview: false });
    expect(ofKind(manifests, 'Service').map((s) => s.metadata.name)).toEqual(['myapp']);
    expect(find(manifests, 'Rollout', 'myapp').spec.strategy.blueGreen.previewService).toBeUndefined();
  });
});

describe('bad input under Argo Rollouts', () => {
  test('throws when the analysis has ruleLabels: they label the PrometheusRule of plain manifests, and Argo Rollouts runs an AnalysisTemplate', () => {
    const analysis = CanaryAnalysis.prometheus({ address: PROMETHEUS, maxErrorRate: 5, ruleLabels: { release: 'kube-prometheus-stack' } });
    const why = 'are for the PrometheusRule of DeliveryEngine.manifests(), and DeliveryEngine.argoRollouts() emits none: it runs the analysis itself'
      + ' (an AnalysisTemplate that Argo Rollouts queries Prometheus for); remove ruleLabels';
    expect(() => canary({ router: nginx(), steps: PLAN, canary: v2, analysis }))
      .toThrow(`CanaryRelease 'myapp': analysis.ruleLabels ({"release":"kube-prometheus-stack"}) ${why}`);
    expect(() => blueGreen({ router: nginx(), previewHost: 'preview.myapp.example.com', analysis }))
      .toThrow(`BlueGreenRelease 'myapp': analysis.ruleLabels ({"release":"kube-prometheus-stack"}) ${why}`);
  });

  test('throws when the canary has a step: the controller walks the plan', () => {
    expect(() => canary({ router: nginx(), steps: PLAN, canary: { ...v2, step: 1 } }))
      .toThrow('CanaryRelease \'myapp\': canary.step (1) is for DeliveryEngine.manifests(): with DeliveryEngine.argoRollouts() the controller walks the steps itself; remove step');
  });

  test('throws when traffic.weight comes with steps', () => {
    expect(() => canary({ router: nginx(), steps: PLAN, canary: { ...v2, traffic: { weight: 5 } } }))
      .toThrow('CanaryRelease \'myapp\': canary.traffic.weight (5) cannot be set with steps under DeliveryEngine.argoRollouts(): the steps\' shiftTraffic weights are the plan');
  });

  test('throws when a canary gets autoPromotion, which is for blue-green', () => {
    expect(() => canary({ router: nginx(), engine: DeliveryEngine.argoRollouts({ autoPromotion: true }), canary: v2 }))
      .toThrow('CanaryRelease \'myapp\': engine ("DeliveryEngine.argoRollouts({ autoPromotion: true })") sets autoPromotion, which is for BlueGreenRelease: a canary moves on through its steps (a pause without a duration waits for `kubectl argo rollouts promote`)');
    expect(() => canary({ router: nginx(), engine: DeliveryEngine.argoRollouts({ autoPromotion: false }), canary: v2 })).toThrow('sets autoPromotion, which is for BlueGreenRelease');
  });

  test('throws when Istio gets a weightTotal other than 100: Argo Rollouts takes maxTrafficWeight only from nginx and plugins', () => {
    expect(() => canary({ router: TrafficRouter.istio(), canary: { version: 'v2', image: 'myapp:v2', traffic: { weightTotal: 1000 } } }))
      .toThrow('CanaryRelease \'myapp\': canary.traffic.weightTotal (1000) must be 100 with DeliveryEngine.argoRollouts() and TrafficRouter.istio(): Argo Rollouts accepts maxTrafficWeight only with ingress-nginx and traffic router plugins');
  });

  test('throws when TrafficRouter.service() gets canary.replicas or scaleDownDelay, which need traffic routing', () => {
    expect(() => canary({ canary: { version: 'v2', image: 'myapp:v2', replicas: 2 } }))
      .toThrow('CanaryRelease \'myapp\': canary.replicas (2) cannot be set with DeliveryEngine.argoRollouts() and TrafficRouter.service(): the canary\'s pods are the weight\'s share of stable.replicas');
    expect(() => canary({ engine: DeliveryEngine.argoRollouts({ scaleDownDelay: Duration.hours(1) }) }))
      .toThrow('CanaryRelease \'myapp\': engine ("DeliveryEngine.argoRollouts({ scaleDownDelay: 60 minutes })") needs a router that steers traffic: Argo Rollouts keeps old pods only with traffic routing');
  });

  test('throws when blue-green meets Istio subsets', () => {
    expect(() => blueGreen({ router: TrafficRouter.istio({ subsets: true }) }))
      .toThrow('BlueGreenRelease \'myapp\': router ("TrafficRouter.istio({ subsets: true })") cannot cut over under DeliveryEngine.argoRollouts(): the routes name version subsets, while Argo Rollouts switches the Service selectors; use TrafficRouter.istio() (by host)');
  });

  test('throws when a blue-green analysis has no preview to measure', () => {
    expect(() => blueGreen({ router: TrafficRouter.istio(), preview: false, analysis: errorRate() }))
      .toThrow('BlueGreenRelease \'myapp\': analysis ("CanaryAnalysis.prometheus(...)") needs the preview Service under DeliveryEngine.argoRollouts(): the pre-promotion analysis measures the preview; set preview to true');
  });

  test('throws when scaleDownDelay is not whole seconds above zero or not a Duration, or autoPromotion not a boolean', () => {
    expect(() => DeliveryEngine.argoRollouts({ scaleDownDelay: Duration.millis(1500) }))
      .toThrow('DeliveryEngine.argoRollouts: options.scaleDownDelay ("1500ms") must be a whole number of seconds above zero');
    expect(() => DeliveryEngine.argoRollouts({ scaleDownDelay: Duration.seconds(0) }))
      .toThrow('DeliveryEngine.argoRollouts: options.scaleDownDelay ("0ms") must be a whole number of seconds above zero');
    expect(() => DeliveryEngine.argoRollouts({ scaleDownDelay: 86400 as unknown as Duration }))
      .toThrow('DeliveryEngine.argoRollouts: options.scaleDownDelay (86400) must be a cdk8s Duration, e.g. Duration.hours(24)');
    expect(() => DeliveryEngine.argoRollouts({ autoPromotion: 'yes' as unknown as boolean }))
      .toThrow('DeliveryEngine.argoRollouts: options.autoPromotion ("yes") must be true or false');
  });

  test('throws when a router of its own does not know Argo Rollouts', () => {
    expect(() => canary({ router: new RecordingRouter('PlainRouter'), canary: v2 }))
      .toThrow(`CanaryRelease 'myapp': router ("PlainRouter") cannot run under DeliveryEngine.argoRollouts(): its argoRolloutsRouting() returns no IArgoRolloutsRouting; use TrafficRouter.service(), .nginx(), .istio() or .gatewayApi(), or implement the contract`);
  });
});

describe('moving to Argo Rollouts: first the stable version alone, then the canary', () => {
  // A Rollout's first revision skips the steps: applied first with a canary, v2 would run for
  // everyone at once. README recipe 9 moves in two commits; these are the two charts.
  const release = (canaryTrack?: { version: string; image: string }) => canary({
    router: TrafficRouter.istio({ hosts: ['myapp.com'] }),
    steps: PLAN,
    analysis: errorRate(),
    stable: v1,
    canary: canaryTrack,
  });
  const commit1 = release(undefined);
  const commit2 = release({ version: 'v2', image: 'myapp:v2' });
  const rollout = (manifests: K8sObject[]) => find(manifests, 'Rollout', 'myapp');
  const containers = (manifests: K8sObject[]) => rollout(manifests).spec.template.spec.containers;

  test('commit 1, stable alone: the first revision runs v1, with the plan already in place and the route at 100/0', () => {
    expect(containers(commit1).map((c: any) => c.image)).toEqual(['myapp:v1']);
    expect(rollout(commit1).spec.template.metadata.labels).toEqual({ 'app': 'myapp', 'version': 'v1', 'app.kubernetes.io/name': 'myapp', 'app.kubernetes.io/version': 'v1' });
    expect(canaryStrategy(commit1).steps).toEqual(PLAN_STEPS);
    const weighted = find(commit1, 'VirtualService', 'myapp').spec.http.find((r: any) => r.name === 'weighted');
    expect(weighted.route.map((d: any) => [d.destination.host, d.weight])).toEqual([['myapp', 100], ['myapp-canary', 0]]);
  });

  test('commit 2, the canary added: only the pod template changes (and the canary\'s budget is added), so the Rollout walks the plan from v1 to v2', () => {
    expect(containers(commit2).map((c: any) => c.image)).toEqual(['myapp:v2']);
    expect(rollout(commit2).spec.template.metadata.labels).toEqual({ 'app': 'myapp', 'version': 'v2', 'app.kubernetes.io/name': 'myapp', 'app.kubernetes.io/version': 'v2' });
    const withoutTemplate = (manifests: K8sObject[]) => manifests.map((o) => o.kind === 'Rollout' ? { ...o, spec: { ...o.spec, template: undefined } } : o);
    // The one new object: the PodDisruptionBudget of v2's pods, after the stable's.
    const canaryBudget = find(commit2, 'PodDisruptionBudget', 'myapp-v2');
    expect(canaryBudget.spec.selector).toEqual({ matchLabels: { app: 'myapp', version: 'v2' } });
    expect(withoutTemplate(commit2)).toEqual([...withoutTemplate(commit1).map((o) => o.kind === 'AnalysisTemplate' ? find(commit2, 'AnalysisTemplate', 'myapp') : o), canaryBudget]);
    // The analysis asks about the version it judges; everything else is byte-identical.
    expect(JSON.stringify(find(commit2, 'AnalysisTemplate', 'myapp')).replace(/v2/g, 'v1')).toEqual(JSON.stringify(find(commit1, 'AnalysisTemplate', 'myapp')));
  });
});
