/**
 * The reference app: four releases, one chart each, synthesized by `cdk8s synth` (or
 * `node main.js`) into dist/<chart>.k8s.yaml. The Python, Java and Go apps beside this one
 * (../python, ../java, ../go) build the same releases, and test/packages/run.sh checks that
 * their YAML is byte-identical to this app's.
 */
import { App, Chart, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  BlueGreenColor, BlueGreenRelease, CanaryAnalysis, CanaryRelease, CanaryStep, DeliveryEngine, HeaderMatch, TrafficRouter,
} from 'cdk8s-progressive-delivery';

/** myapp's image runs as root and writes to its filesystem; it needs little CPU and memory. */
const CONTAINER: kplus.ContainerOpts = {
  securityContext: { ensureNonRoot: false, readOnlyRootFilesystem: false },
  resources: {
    cpu: { request: kplus.Cpu.millis(100) },
    memory: { request: Size.mebibytes(64), limit: Size.mebibytes(256) },
  },
};
const SIDECAR = { labels: { 'sidecar.istio.io/inject': 'true' } };

const app = new App();

// 1. A header canary on ingress-nginx: only requests with `name: huazi` reach v2.
const headerCanary = new Chart(app, 'header-canary', { namespace: 'header-canary' });
new CanaryRelease(headerCanary, 'myapp', {
  containerPort: 80,
  servicePort: 8080,
  container: CONTAINER,
  router: TrafficRouter.nginx({ host: 'myapp.example.com', ingressClassName: 'nginx', path: '/' }),
  stable: { version: 'v1', image: 'myapp:v1', replicas: 3 },
  canary: { version: 'v2', image: 'myapp:v2', replicas: 1, traffic: { header: HeaderMatch.exact('name', 'huazi') } },
});

// 2. A weighted canary on Istio, by DestinationRule subsets: 10% to v2.
const istioCanary = new Chart(app, 'istio-weight-canary', { namespace: 'istio-weight-canary' });
new CanaryRelease(istioCanary, 'myapp', {
  containerPort: 80,
  servicePort: 8080,
  container: CONTAINER,
  podMetadata: SIDECAR,
  router: TrafficRouter.istio({ hosts: ['myapp.com', 'myapp'], gateways: ['istio-system/public-gateway', 'mesh'], subsets: true }),
  stable: { version: 'v1', image: 'myapp:v1', replicas: 3 },
  canary: { version: 'v2', image: 'myapp:v2', replicas: 1, traffic: { weight: 10 } },
});

// 3. Blue-green on ingress-nginx: blue (v1) serves everyone, green (v2) at the preview host.
const blueGreen = new Chart(app, 'blue-green-preview', { namespace: 'blue-green-preview' });
new BlueGreenRelease(blueGreen, 'myapp', {
  containerPort: 80,
  servicePort: 8080,
  container: CONTAINER,
  router: TrafficRouter.nginx({ host: 'myapp.example.com', ingressClassName: 'nginx', path: '/' }),
  blue: { version: 'v1', image: 'myapp:v1', replicas: 3 },
  green: { version: 'v2', image: 'myapp:v2', replicas: 3 },
  active: BlueGreenColor.BLUE,
  previewHost: 'preview.myapp.example.com',
});

// 4. A plan with analysis on Argo Rollouts (Istio): 5% for 2 hours, 50% for 4 hours, then
// everyone; roll back above 5% of requests failing with 5xx.
const argoPlan = new Chart(app, 'argo-rollouts-plan', { namespace: 'argo-rollouts-plan' });
new CanaryRelease(argoPlan, 'myapp', {
  containerPort: 80,
  servicePort: 8080,
  container: CONTAINER,
  podMetadata: SIDECAR,
  router: TrafficRouter.istio({ hosts: ['myapp.com', 'myapp'], gateways: ['istio-system/public-gateway', 'mesh'] }),
  engine: DeliveryEngine.argoRollouts(),
  steps: [
    CanaryStep.shiftTraffic(5), CanaryStep.pause(Duration.hours(2)),
    CanaryStep.shiftTraffic(50), CanaryStep.pause(Duration.hours(4)),
    CanaryStep.shiftTraffic(100),
  ],
  analysis: CanaryAnalysis.prometheus({ address: 'http://prometheus.monitoring:9090', maxErrorRate: 5 }),
  stable: { version: 'v1', image: 'myapp:v1', replicas: 3 },
  canary: { version: 'v2', image: 'myapp:v2' },
});

app.synth();
