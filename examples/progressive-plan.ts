/**
 * Scenarios 8 and 9: a progressive plan with automatic judgement. v2 gets 5% of requests for 2 hours,
 * then 50% for 4 hours, then everyone; roll back as soon as more than 5% of v2's requests fail
 * with a 5xx status.
 *
 * 1. Plain manifests on ingress-nginx (no controller in the cluster): git walks the plan. The
 *    canary's `step` says how far it has got, so moving on is a one-number change (step 1 ->
 *    step 2 changes only the Ingress `myapp-canary`'s `canary-weight`, 5 -> 50). Nothing times
 *    the pauses: they are the plan the people (or the CI job) moving `step` follow. The analysis
 *    is a PrometheusRule `myapp` whose alerts say to roll back; rolling back is removing `canary`.
 * 2. The same plan as an Argo Rollout on Istio: the controller walks the steps, runs the
 *    analysis (AnalysisTemplate `myapp`) from the first step and aborts the rollout on its own.
 *    git only says which version is the newest; `step` does not exist here.
 *
 * The plan and the analysis are the same objects in both: only `engine` (and the router) differ.
 */
import { App, Chart, Duration } from 'cdk8s';
import { CanaryAnalysis, CanaryRelease, CanaryStep, DeliveryEngine, TrafficRouter } from 'cdk8s-progressive-delivery';
import { MYAPP_CONTAINER, MYAPP_PORTS, exampleChart, myappRouter } from './myapp';

/** 5% for 2 hours, 50% for 4 hours, then everyone. */
export const MYAPP_PLAN = [
  CanaryStep.shiftTraffic(5), CanaryStep.pause(Duration.hours(2)),
  CanaryStep.shiftTraffic(50), CanaryStep.pause(Duration.hours(4)),
  CanaryStep.shiftTraffic(100),
];

/** Roll back above 5% of requests failing with 5xx, as the router's metrics count them. */
export function myappRollback(): CanaryAnalysis {
  return CanaryAnalysis.prometheus({ address: 'http://prometheus.monitoring:9090', maxErrorRate: 5 });
}

/** Plain manifests, ingress-nginx: v2 at step 1 of the plan (5%, for 2 hours). */
export function addProgressivePlanManifests(app: App): Chart {
  const chart = exampleChart(app, 'progressive-plan-step-1');
  new CanaryRelease(chart, 'myapp', {
    ...MYAPP_PORTS,
    container: MYAPP_CONTAINER,
    router: myappRouter(),
    steps: MYAPP_PLAN,
    analysis: myappRollback(),
    stable: { version: 'v1', image: 'myapp:v1', replicas: 3 },
    // Step 1 is the 2-hour pause at 5%. Next commits: step: 2 (50%) once the 2 hours passed
    // without an alert, step: 3 (the 4-hour pause at 50%), step: 4 (100%), then promote.
    canary: { version: 'v2', image: 'myapp:v2', replicas: 1, step: 1 },
  });
  return chart;
}

/** Argo Rollouts, Istio (by host): one Rollout `myapp` walking the same plan. */
export function addProgressivePlanArgoIstio(app: App): Chart {
  const chart = exampleChart(app, 'argo-rollouts-istio');
  new CanaryRelease(chart, 'myapp', {
    ...MYAPP_PORTS,
    container: MYAPP_CONTAINER,
    podMetadata: { labels: { 'sidecar.istio.io/inject': 'true' } },
    router: TrafficRouter.istio({ hosts: ['myapp.com', 'myapp'], gateways: ['istio-system/public-gateway', 'mesh'] }),
    engine: DeliveryEngine.argoRollouts(),
    steps: MYAPP_PLAN,
    analysis: myappRollback(),
    stable: { version: 'v1', image: 'myapp:v1', replicas: 3 },
    // Argo Rollouts sizes the canary by its weight; once the rollout is done, the next commit
    // makes v2 the stable track and removes `canary` (the Rollout's pod template stays v2).
    canary: { version: 'v2', image: 'myapp:v2' },
  });
  return chart;
}

export function addProgressivePlan(app: App): Chart[] {
  return [addProgressivePlanManifests(app), addProgressivePlanArgoIstio(app)];
}
