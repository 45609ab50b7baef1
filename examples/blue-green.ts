/**
 * Scenario 5: blue-green.
 *
 * Before cut-over: blue (v1) is active and serves myapp.example.com; green (v2) runs at full
 * size, idle, reachable through the Service `myapp-preview` and, for testers, at
 * preview.myapp.example.com.
 *
 * Cut-over is one edit, `active: BlueGreenColor.GREEN`: only the selectors of `myapp` and
 * `myapp-preview` change (no pod restarts), so green serves everyone and blue, now idle, is
 * at the preview host: cutting back is the same one-line edit. Once green has proven itself,
 * a later commit removes `blue` (and `previewHost`, as there is nothing left to preview).
 */
import { App, Chart } from 'cdk8s';
import { BlueGreenColor, BlueGreenRelease } from 'cdk8s-progressive-delivery';
import { MYAPP_CONTAINER, MYAPP_HOST, MYAPP_PORTS, exampleChart, myappRouter } from './myapp';

function addBlueGreenChart(app: App, id: string, active: BlueGreenColor): Chart {
  const chart = exampleChart(app, id);
  new BlueGreenRelease(chart, 'myapp', {
    ...MYAPP_PORTS,
    container: MYAPP_CONTAINER,
    router: myappRouter(),
    blue: { version: 'v1', image: 'myapp:v1', replicas: 3 },
    green: { version: 'v2', image: 'myapp:v2', replicas: 3 },
    active,
    previewHost: `preview.${MYAPP_HOST}`,
  });
  return chart;
}

/** Blue (v1) active, green (v2) previewed. */
export function addBlueGreenPreview(app: App): Chart {
  return addBlueGreenChart(app, 'blue-green-preview', BlueGreenColor.BLUE);
}

/** After cut-over: green (v2) active, blue (v1) idle at the preview host. */
export function addBlueGreenCutOver(app: App): Chart {
  return addBlueGreenChart(app, 'blue-green-cut-over', BlueGreenColor.GREEN);
}

export function addBlueGreen(app: App): Chart[] {
  return [addBlueGreenPreview(app), addBlueGreenCutOver(app)];
}
