/**
 * Scenario 1: header canary. v1 serves everyone; v2 runs next to it and receives only the
 * requests that carry the header `name: huazi` (e.g. testers:
 * `curl -H 'name: huazi' http://myapp.example.com/`). Everyone else stays on v1.
 */
import { App, Chart } from 'cdk8s';
import { CanaryRelease, HeaderMatch } from 'cdk8s-progressive-delivery';
import { MYAPP_CONTAINER, MYAPP_PORTS, exampleChart, myappRouter } from './myapp';

export function addHeaderCanary(app: App): Chart {
  const chart = exampleChart(app, 'header-canary');
  new CanaryRelease(chart, 'myapp', {
    ...MYAPP_PORTS,
    container: MYAPP_CONTAINER,
    router: myappRouter(),
    stable: { version: 'v1', image: 'myapp:v1', replicas: 3 },
    canary: {
      version: 'v2',
      image: 'myapp:v2',
      replicas: 1,
      // Only this header reaches v2: the weight stays 0.
      traffic: { header: HeaderMatch.exact('name', 'huazi') },
    },
  });
  return chart;
}
