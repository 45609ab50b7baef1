/**
 * Scenario 2: weight canary. The same app as the header canary, now sending a share of all
 * requests to v2, drawn per request (not sticky): 10% first, then, once v2's error rate and
 * latency look right, 20%. Each step is a one-line edit of `weight`; only the annotation
 * `nginx.ingress.kubernetes.io/canary-weight` of the Ingress `myapp-canary` changes.
 */
import { App, Chart } from 'cdk8s';
import { CanaryRelease } from 'cdk8s-progressive-delivery';
import { MYAPP_CONTAINER, MYAPP_PORTS, exampleChart, myappRouter } from './myapp';

/** One step of the weight canary: `weight` out of 100 requests go to v2. */
export function addWeightCanaryStep(app: App, id: string, weight: number): Chart {
  const chart = exampleChart(app, id);
  new CanaryRelease(chart, 'myapp', {
    ...MYAPP_PORTS,
    container: MYAPP_CONTAINER,
    router: myappRouter(),
    stable: { version: 'v1', image: 'myapp:v1', replicas: 3 },
    canary: {
      version: 'v2',
      image: 'myapp:v2',
      replicas: 1,
      traffic: { weight, weightTotal: 100 },
    },
  });
  return chart;
}

/** Step 1: 10% of requests to v2; step 2: 20%. */
export function addWeightCanary(app: App): Chart[] {
  return [
    addWeightCanaryStep(app, 'weight-canary-10', 10),
    addWeightCanaryStep(app, 'weight-canary-20', 20),
  ];
}
