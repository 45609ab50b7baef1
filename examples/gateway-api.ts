/**
 * Gateway API (gateway.networking.k8s.io/v1): the same releases as on Istio, as HTTPRoutes
 * attached to the Gateway `public` in the namespace `gateways`.
 *
 * 1. A canary for testers first: header `stage: gray` or cookie `canary=always` to v2, cookie
 *    `canary=never` to v1, and 10% of the rest to v2.
 * 2. Blue-green: the HTTPRoute `myapp` sends myapp.com to the active color, `myapp-preview`
 *    sends preview.myapp.com to the idle one.
 */
import { App, Chart } from 'cdk8s';
import { BlueGreenColor, BlueGreenRelease, CanaryRelease, HeaderMatch, TrafficRouter } from 'cdk8s-progressive-delivery';
import { MYAPP_CONTAINER, MYAPP_PORTS, exampleChart } from './myapp';

const PARENT = { name: 'public', namespace: 'gateways' };

export function addGatewayApiCanary(app: App): Chart {
  const chart = exampleChart(app, 'gateway-api-canary');
  new CanaryRelease(chart, 'myapp', {
    ...MYAPP_PORTS,
    container: MYAPP_CONTAINER,
    router: TrafficRouter.gatewayApi({ parentRefs: [PARENT], hostnames: ['myapp.com'] }),
    stable: { version: 'v1', image: 'myapp:v1', replicas: 3 },
    canary: {
      version: 'v2',
      image: 'myapp:v2',
      replicas: 1,
      traffic: { header: HeaderMatch.exact('stage', 'gray'), cookie: 'canary', weight: 10 },
    },
  });
  return chart;
}

export function addGatewayApiBlueGreen(app: App): Chart {
  const chart = exampleChart(app, 'gateway-api-blue-green');
  new BlueGreenRelease(chart, 'myapp', {
    ...MYAPP_PORTS,
    container: MYAPP_CONTAINER,
    router: TrafficRouter.gatewayApi({ parentRefs: [PARENT], hostnames: ['myapp.com'] }),
    blue: { version: 'v1', image: 'myapp:v1', replicas: 3 },
    green: { version: 'v2', image: 'myapp:v2', replicas: 3 },
    active: BlueGreenColor.BLUE,
    previewHost: 'preview.myapp.com',
  });
  return chart;
}

export function addGatewayApi(app: App): Chart[] {
  return [addGatewayApiCanary(app), addGatewayApiBlueGreen(app)];
}
