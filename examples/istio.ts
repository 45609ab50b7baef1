/**
 * Istio (networking.istio.io/v1, Istio >= 1.22).
 *
 * 1. A weight canary: 90% of myapp.com to v1 and 10% to v2, through the ingress gateway
 *    and inside the mesh, by DestinationRule subsets of the one Service `myapp` (so the
 *    library owns the DestinationRule `myapp`, and a client outside the mesh that calls the
 *    Service directly gets the replica ratio).
 * 2. A header canary by host: requests with `x-canary: yes` go to the Service `myapp-canary`,
 *    everyone else to `myapp`, which selects only v1; no DestinationRule is emitted.
 * 3. Blue-green: the VirtualService `myapp` sends myapp.com to the active color, and
 *    `myapp-preview` sends preview.myapp.com to the idle one.
 *
 * Pods need the sidecar: `podMetadata` labels them for injection.
 */
import { App, Chart } from 'cdk8s';
import { BlueGreenColor, BlueGreenRelease, CanaryRelease, HeaderMatch, TrafficRouter } from 'cdk8s-progressive-delivery';
import { MYAPP_CONTAINER, MYAPP_PORTS, exampleChart } from './myapp';

const SIDECAR = { labels: { 'sidecar.istio.io/inject': 'true' } };
const GATEWAYS = ['istio-system/public-gateway', 'mesh'];

export function addIstioWeightCanary(app: App): Chart {
  const chart = exampleChart(app, 'istio-weight-canary');
  new CanaryRelease(chart, 'myapp', {
    ...MYAPP_PORTS,
    container: MYAPP_CONTAINER,
    podMetadata: SIDECAR,
    router: TrafficRouter.istio({ hosts: ['myapp.com', 'myapp'], gateways: GATEWAYS, subsets: true }),
    stable: { version: 'v1', image: 'myapp:v1', replicas: 3 },
    canary: { version: 'v2', image: 'myapp:v2', replicas: 1, traffic: { weight: 10 } },
  });
  return chart;
}

export function addIstioHeaderCanary(app: App): Chart {
  const chart = exampleChart(app, 'istio-header-canary');
  new CanaryRelease(chart, 'myapp', {
    ...MYAPP_PORTS,
    container: MYAPP_CONTAINER,
    podMetadata: SIDECAR,
    router: TrafficRouter.istio({ hosts: ['myapp.com', 'myapp'], gateways: GATEWAYS }),
    stable: { version: 'v1', image: 'myapp:v1', replicas: 3 },
    canary: { version: 'v2', image: 'myapp:v2', replicas: 1, traffic: { header: HeaderMatch.exact('x-canary', 'yes') } },
  });
  return chart;
}

export function addIstioBlueGreen(app: App): Chart {
  const chart = exampleChart(app, 'istio-blue-green');
  new BlueGreenRelease(chart, 'myapp', {
    ...MYAPP_PORTS,
    container: MYAPP_CONTAINER,
    podMetadata: SIDECAR,
    router: TrafficRouter.istio({ hosts: ['myapp.com'], gateways: ['istio-system/public-gateway'] }),
    blue: { version: 'v1', image: 'myapp:v1', replicas: 3 },
    green: { version: 'v2', image: 'myapp:v2', replicas: 3 },
    active: BlueGreenColor.BLUE,
    previewHost: 'preview.myapp.com',
  });
  return chart;
}

export function addIstio(app: App): Chart[] {
  return [addIstioWeightCanary(app), addIstioHeaderCanary(app), addIstioBlueGreen(app)];
}
