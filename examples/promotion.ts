/**
 * Scenario 4: promotion of v2, in two commits.
 *
 * Commit A: the canary gets the stable track's replica count and the whole weight, so v2
 * alone serves every request at full capacity while v1 still runs, idle, as the way back.
 *
 * Commit B: the swap. `stable` becomes v2 and `canary` goes away. The Deployment `myapp-v2`
 * keeps its name, selector and pod template, so Kubernetes leaves its pods alone; the Service
 * `myapp` now selects v2; `myapp-v1`, `myapp-canary` and the canary Ingress are deleted.
 *
 * Swapping straight from a one-pod canary would delete v1's 3 pods in the same apply that
 * sends all traffic to v2's single pod.
 */
import { App, Chart } from 'cdk8s';
import { CanaryRelease } from 'cdk8s-progressive-delivery';
import { MYAPP_CONTAINER, MYAPP_PORTS, exampleChart, myappRouter } from './myapp';

/** Commit A: v2 at full weight and at stable's replica count. */
export function addPromotionFullWeight(app: App): Chart {
  const chart = exampleChart(app, 'promotion-1-full-weight');
  new CanaryRelease(chart, 'myapp', {
    ...MYAPP_PORTS,
    container: MYAPP_CONTAINER,
    router: myappRouter(),
    stable: { version: 'v1', image: 'myapp:v1', replicas: 3 },
    canary: {
      version: 'v2',
      image: 'myapp:v2',
      replicas: 3,
      traffic: { weight: 100, weightTotal: 100 },
    },
  });
  return chart;
}

/** Commit B: v2 is stable, there is no canary. */
export function addPromotionSwapped(app: App): Chart {
  const chart = exampleChart(app, 'promotion-2-swapped');
  new CanaryRelease(chart, 'myapp', {
    ...MYAPP_PORTS,
    container: MYAPP_CONTAINER,
    router: myappRouter(),
    stable: { version: 'v2', image: 'myapp:v2', replicas: 3 },
  });
  return chart;
}

export function addPromotion(app: App): Chart[] {
  return [addPromotionFullWeight(app), addPromotionSwapped(app)];
}
