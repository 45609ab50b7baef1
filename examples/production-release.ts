/**
 * Scenario 12: a release that handles the production pitfalls. The canary of the weight canary
 * (scenario 2), with its configuration versioned with it (a ConfigMap per track, named after its
 * content), the version in every log line, trace and metric (APP_VERSION, OTEL_*), and a smoke
 * test that calls v2 through `myapp-canary` before it gets its first weight: gate that commit on
 * the Job `myapp-smoke-v2` (README, "A smoke test before traffic"). Each track has a
 * PodDisruptionBudget (one pod at a time in a drain) and the stable track an autoscaler instead
 * of a fixed size; the canary, with no traffic yet, runs its one pod (README, "Capacity").
 */
import { App, Chart } from 'cdk8s';
import { CanaryRelease } from 'cdk8s-progressive-delivery';
import { MYAPP_CONTAINER, MYAPP_PORTS, exampleChart, myappRouter } from './myapp';

export function addProductionRelease(app: App): Chart {
  const chart = exampleChart(app, 'production-release');
  new CanaryRelease(chart, 'myapp', {
    ...MYAPP_PORTS,
    container: MYAPP_CONTAINER,
    router: myappRouter(),
    environment: 'production',
    config: { LOG_LEVEL: 'info', REGION: 'eu' },
    smokeTest: { path: '/', requests: 20 },
    // MYAPP_CONTAINER requests 100m of CPU: the autoscaler keeps the pods at 70% of it.
    autoscaling: { minReplicas: 3, maxReplicas: 12, cpuUtilization: 70 },
    stable: { version: 'v1', image: 'myapp:v1' },
    canary: {
      version: 'v2',
      image: 'myapp:v2',
      replicas: 1,
      // v2's own setting, over the shared ones: only v2's ConfigMap (and pods) change with it.
      config: { LOG_LEVEL: 'debug' },
      // No traffic yet: the smoke test runs first; the next commit gives it its weight.
    },
  });
  return chart;
}
