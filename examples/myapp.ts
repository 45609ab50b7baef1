/**
 * What every example shares: the app `myapp`, its container and how traffic reaches it.
 *
 * Each chart in examples/ is one state of a GitOps repository, i.e. one commit of a release
 * procedure. They sit in separate namespaces (the chart id) only so that they can be
 * synthesized side by side into dist/<chart-id>.k8s.yaml; in a real repository there is one
 * chart, edited from one commit to the next, and object names never change.
 */
import { App, Chart, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { TrafficRouter } from 'cdk8s-progressive-delivery';

/** The host the ingress-nginx Ingresses serve. */
export const MYAPP_HOST = 'myapp.example.com';

/**
 * The container settings every track of myapp shares.
 *
 * cdk8s-plus makes containers run as non-root with a read-only root filesystem, and the
 * library keeps those defaults. The myapp images are nginx-based: their entrypoint starts as
 * root (to bind port 80 and drop to the `nginx` user) and writes to /var/cache/nginx and
 * /var/run, so they would not start under those defaults. This is the explicit opt-out; an
 * image that runs as non-root with a read-only filesystem needs none of it.
 */
export const MYAPP_CONTAINER: kplus.ContainerOpts = {
  securityContext: {
    ensureNonRoot: false, // the nginx-based image's entrypoint runs as root
    readOnlyRootFilesystem: false, // nginx writes its cache and pid file to the root filesystem
  },
  // cdk8s-plus would request a whole CPU and 512Mi per pod; myapp needs far less.
  resources: {
    cpu: { request: kplus.Cpu.millis(100) },
    memory: { request: Size.mebibytes(64), limit: Size.mebibytes(256) },
  },
};

/** myapp's Services expose port 8080, forwarded to the container's port 80. */
export const MYAPP_PORTS = { containerPort: 80, servicePort: 8080 };

/** ingress-nginx, IngressClass `nginx`, every path under `/` of MYAPP_HOST. */
export function myappRouter(): TrafficRouter {
  return TrafficRouter.nginx({ host: MYAPP_HOST, ingressClassName: 'nginx', path: '/' });
}

/** A chart whose id is also its namespace, so dist/ files and object keys never collide. */
export function exampleChart(app: App, id: string): Chart {
  return new Chart(app, id, { namespace: id });
}
