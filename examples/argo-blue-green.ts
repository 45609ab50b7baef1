/**
 * Scenario 10: blue-green on Argo Rollouts, the old color kept for 24 hours.
 *
 * One Rollout `myapp` over the Services `myapp` (active) and `myapp-preview`. The idle color
 * (green, v2) is what the Rollout brings up as the preview, at full size, reachable at
 * preview.myapp.example.com; it waits there until `kubectl argo rollouts promote myapp`
 * (autoPromotion is off). After the promotion Argo Rollouts keeps v1's pods for 24 hours
 * (`scaleDownDelay`), so going back to v1 in that time needs no new pods.
 *
 * The Rollout's pod template is the idle color's when there is one (what gets previewed), else
 * the active one's. Record the promotion in git as green active, blue removed (the template
 * stays v2). `active: GREEN` with blue still present would mean "preview v1": a rollback.
 */
import { App, Chart, Duration } from 'cdk8s';
import { BlueGreenColor, BlueGreenRelease, DeliveryEngine } from 'cdk8s-progressive-delivery';
import { MYAPP_CONTAINER, MYAPP_HOST, MYAPP_PORTS, exampleChart, myappRouter } from './myapp';

export function addArgoBlueGreen(app: App): Chart {
  const chart = exampleChart(app, 'argo-rollouts-blue-green');
  new BlueGreenRelease(chart, 'myapp', {
    ...MYAPP_PORTS,
    container: MYAPP_CONTAINER,
    router: myappRouter(),
    engine: DeliveryEngine.argoRollouts({ scaleDownDelay: Duration.hours(24) }),
    blue: { version: 'v1', image: 'myapp:v1', replicas: 3 },
    green: { version: 'v2', image: 'myapp:v2', replicas: 3 },
    active: BlueGreenColor.BLUE,
    previewHost: `preview.${MYAPP_HOST}`,
  });
  return chart;
}
