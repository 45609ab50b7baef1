/**
 * The same releases on Flagger (flagger.app/v1beta1): the library emits one Deployment `myapp`
 * running the newest version, the routing object Flagger expects to find (nginx: the Ingress
 * `myapp`) and a Canary `myapp`. Flagger creates the rest itself: the Deployment
 * `myapp-primary` (a copy of `myapp`, which it then scales to 0), the Services `myapp`,
 * `myapp-primary` and `myapp-canary`, and the routes (nginx: the Ingress `myapp-canary`; Istio:
 * the VirtualService `myapp` and DestinationRules `myapp-primary`, `myapp-canary`).
 *
 * 1. The plan of recipe 8 on ingress-nginx: 5%, then 50%, then everyone, rolling back above 5% of
 *    the canary's requests failing with 5xx. Flagger holds every step for one and the same
 *    `interval`, so the pauses must be equal: recipe 8's 2 hours at 5% and 4 hours at 50%
 *    become 2 hours each (stepWeights [5, 50], interval 120m). A plan with unequal pauses is an
 *    error under DeliveryEngine.flagger().
 * 2. The same plan on Istio (by host, through the ingress gateway and inside the mesh).
 * 3. A header A/B test: only requests with `stage: gray` reach v2, for 12 checks 5 minutes
 *    apart (an hour), then Flagger promotes v2 if every check passed.
 * 4. Blue-green: Flagger's kubernetes provider brings v2 up as `myapp-canary`, reachable at
 *    preview.myapp.example.com, runs 30 checks a minute apart and then switches `myapp` to it.
 *
 * To start a release, change the canary's version and image in git; Flagger notices the new
 * pod template of `myapp` and walks the plan. Once it has promoted, record that in git (v2 as
 * stable, no canary): the Deployment `myapp` does not change, so Flagger does nothing.
 */
import { App, Chart, Duration } from 'cdk8s';
import { BlueGreenColor, BlueGreenRelease, CanaryAnalysis, CanaryRelease, CanaryStep, DeliveryEngine, HeaderMatch, TrafficRouter } from 'cdk8s-progressive-delivery';
import { MYAPP_CONTAINER, MYAPP_HOST, MYAPP_PORTS, exampleChart, myappRouter } from './myapp';
import { myappRollback } from './progressive-plan';

/**
 * Recipe 8's plan as Flagger can run it: 5% for 2 hours, 50% for 2 hours, then everyone. The
 * pauses are equal because Flagger checks and advances every `interval`, one step per interval.
 */
export const MYAPP_FLAGGER_PLAN = [
  CanaryStep.shiftTraffic(5), CanaryStep.pause(Duration.hours(2)),
  CanaryStep.shiftTraffic(50), CanaryStep.pause(Duration.hours(2)),
  CanaryStep.shiftTraffic(100),
];

/** ingress-nginx: the Canary's ingressRef is the Ingress `myapp`, which Flagger copies into `myapp-canary`. */
export function addFlaggerNginx(app: App): Chart {
  const chart = exampleChart(app, 'flagger-nginx');
  new CanaryRelease(chart, 'myapp', {
    ...MYAPP_PORTS,
    container: MYAPP_CONTAINER,
    router: myappRouter(),
    engine: DeliveryEngine.flagger(),
    steps: MYAPP_FLAGGER_PLAN,
    // Another Prometheus than Flagger's own: MetricTemplates with the library's query of the
    // canary's requests (ingress-nginx counts them on the Ingress `myapp`, canary upstream).
    analysis: myappRollback(),
    stable: { version: 'v1', image: 'myapp:v1', replicas: 3 },
    // No replicas: Flagger runs the canary at the Deployment's size, stable.replicas.
    canary: { version: 'v2', image: 'myapp:v2' },
  });
  return chart;
}

/** Istio by host: Flagger writes the VirtualService `myapp` for these hosts and gateways. */
export function addFlaggerIstio(app: App): Chart {
  const chart = exampleChart(app, 'flagger-istio');
  new CanaryRelease(chart, 'myapp', {
    ...MYAPP_PORTS,
    container: MYAPP_CONTAINER,
    podMetadata: { labels: { 'sidecar.istio.io/inject': 'true' } },
    router: TrafficRouter.istio({ hosts: ['myapp.com', 'myapp'], gateways: ['istio-system/public-gateway', 'mesh'] }),
    engine: DeliveryEngine.flagger(),
    steps: MYAPP_FLAGGER_PLAN,
    analysis: myappRollback(),
    stable: { version: 'v1', image: 'myapp:v1', replicas: 3 },
    canary: { version: 'v2', image: 'myapp:v2' },
  });
  return chart;
}

/** A header A/B test: Flagger's `analysis.match` with `iterations`; weights play no part. */
export function addFlaggerAbTest(app: App): Chart {
  const chart = exampleChart(app, 'flagger-ab-test');
  new CanaryRelease(chart, 'myapp', {
    ...MYAPP_PORTS,
    container: MYAPP_CONTAINER,
    router: myappRouter(),
    // 12 checks, one every 5 minutes: an hour of testers on v2.
    engine: DeliveryEngine.flagger({ iterations: 12 }),
    analysis: CanaryAnalysis.prometheus({ address: 'http://prometheus.monitoring:9090', maxErrorRate: 5, interval: Duration.minutes(5) }),
    stable: { version: 'v1', image: 'myapp:v1', replicas: 3 },
    canary: { version: 'v2', image: 'myapp:v2', traffic: { header: HeaderMatch.exact('stage', 'gray') } },
  });
  return chart;
}

/**
 * Blue-green: `provider: kubernetes`. The Deployment `myapp` runs the idle color (green, v2);
 * the Ingress `myapp` keeps sending myapp.example.com to the Service `myapp` (Flagger points it
 * at the primary), and `myapp-preview` sends preview.myapp.example.com to `myapp-canary`.
 * Without an analysis Flagger promotes after the 30 checks as long as v2's pods stay ready.
 */
export function addFlaggerBlueGreen(app: App): Chart {
  const chart = exampleChart(app, 'flagger-blue-green');
  new BlueGreenRelease(chart, 'myapp', {
    ...MYAPP_PORTS,
    container: MYAPP_CONTAINER,
    router: myappRouter(),
    engine: DeliveryEngine.flagger({ iterations: 30 }),
    blue: { version: 'v1', image: 'myapp:v1', replicas: 3 },
    green: { version: 'v2', image: 'myapp:v2', replicas: 3 },
    active: BlueGreenColor.BLUE,
    previewHost: `preview.${MYAPP_HOST}`,
  });
  return chart;
}

export function addFlagger(app: App): Chart[] {
  return [addFlaggerNginx(app), addFlaggerIstio(app), addFlaggerAbTest(app), addFlaggerBlueGreen(app)];
}
