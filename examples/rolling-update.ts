/**
 * Scenario 3: rolling update, no canary. One track of 10 pods behind the Service `myapp`
 * (TrafficRouter.service(), the default: no Ingress). When the track's pod template changes
 * (a rebuilt image of the same version, an environment variable, resources), Kubernetes
 * replaces the pods one at a time: at most 1 extra pod (maxSurge 1) and never fewer than 10
 * ready ones (maxUnavailable 0).
 *
 * Changing `version` is not a rolling update: it names a new Deployment (`myapp-<v>`) and
 * deletes the old one. Move to a new version with a canary and the two-commit promotion
 * (examples/promotion.ts).
 */
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { CanaryRelease } from 'cdk8s-progressive-delivery';
import { MYAPP_CONTAINER, MYAPP_PORTS, exampleChart } from './myapp';

export function addRollingUpdate(app: App): Chart {
  const chart = exampleChart(app, 'rolling-update');
  new CanaryRelease(chart, 'myapp', {
    ...MYAPP_PORTS,
    container: MYAPP_CONTAINER,
    strategy: kplus.DeploymentStrategy.rollingUpdate({
      maxSurge: kplus.PercentOrAbsolute.absolute(1),
      maxUnavailable: kplus.PercentOrAbsolute.absolute(0),
    }),
    stable: { version: 'v1', image: 'myapp:v1', replicas: 10 },
  });
  return chart;
}
