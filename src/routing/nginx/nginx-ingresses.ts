import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct, IConstruct } from 'constructs';
import { objectMetadata } from '../../private/metadata';
import { fail, isIpAddress } from '../../private/validation';
import { refuseMirror } from '../route-mirror';
import { ReleaseRoutes } from '../routing-model';
import { NginxCanary, canaryRuleAnnotations, checkNginxCharacters, nginxCanary } from './nginx-canary-rules';
import { NginxRouterOptions, PREFIX, checkNginxAnnotations } from './nginx-options';

/**
 * What ingress-nginx cannot serve, checked before any object is created: canary and affinity
 * annotations in the release's metadata (which goes on every Ingress), a preview TLS Secret
 * without a preview, a preview host that is an IP or the router's own host, and routes its
 * canary Ingress cannot express.
 */
export function checkNginxRoutes(scope: Construct, options: NginxRouterOptions, routes: ReleaseRoutes): void {
  // ingress-nginx controller-v1.15.1: mirror-target has no percentage (annotations/mirror/main.go:64-69),
  // a canary Ingress's location annotations are ignored (controller.go:1330, 1405), and on the
  // main Ingress nginx's `mirror` (nginx.tmpl:1161) copies every request of the location.
  refuseMirror(routes, 'cannot be expressed with TrafficRouter.nginx(): ingress-nginx\'s mirror-target annotation copies every request of the location, '
    + 'those its canary Ingress sends to the canary included, with no percentage (and a canary Ingress\'s own mirror annotations are ignored); '
    + 'mirror with TrafficRouter.istio() or TrafficRouter.gatewayApi()');
  if (options.previewTlsSecretName !== undefined && routes.preview === undefined) {
    fail(routes.owner, 'router', `TrafficRouter.nginx({ previewTlsSecretName: ${JSON.stringify(options.previewTlsSecretName)} })`,
      'needs a BlueGreenRelease with previewHost (and a preview): there is no Ingress <name>-preview to serve over TLS');
  }
  checkNginxAnnotations(routes.owner, 'metadata.annotations', routes.metadata.annotations);
  checkNginxCharacters(routes.owner, nginxCanary(routes, routes.main));
  if (routes.preview) nginxCanary(routes, routes.preview);
  checkLocation(scope, options, routes.owner);
  const previewHost = routes.preview?.host;
  if (previewHost !== undefined) {
    if (isIpAddress(previewHost)) {
      fail(routes.owner, 'previewHost', previewHost, 'must be a DNS name, not an IP address, with TrafficRouter.nginx() (the API server rejects an Ingress host that is an IP)');
    }
    if (previewHost === options.host) {
      fail(routes.owner, 'previewHost', previewHost, 'must differ from the router\'s host: two Ingresses for one host and path would fight over it');
    }
  }
}

/**
 * The main Ingress `<name>`; with a canary, the canary Ingress `<name>-canary` (same class, host
 * and path, no TLS of its own: it inherits the main one's) with the canary annotations; with a
 * preview route, the Ingress `<name>-preview` at its host.
 */
export function bindNginxIngresses(scope: Construct, options: NginxRouterOptions, routes: ReleaseRoutes): void {
  const canary = mainIngress(scope, options, routes);
  if (canary.canary) {
    const annotations: { [key: string]: string } = { ...routes.metadata.annotations, [`${PREFIX}canary`]: 'true' };
    for (const [key, value] of Object.entries(canaryRuleAnnotations(canary))) annotations[`${PREFIX}${key}`] = value;
    annotations[`${PREFIX}canary-weight`] = String(canary.weight);
    annotations[`${PREFIX}canary-weight-total`] = String(routes.weightTotal);
    ingress(scope, { id: 'CanaryIngress', name: `${routes.main.name}-canary`, options, serviceName: canary.canary.serviceName, routes, annotations, tls: false });
  }
  const preview = routes.preview;
  if (preview) {
    const { main } = nginxCanary(routes, preview);
    ingress(scope, {
      id: 'PreviewIngress',
      name: preview.name,
      options: { ...options, host: preview.host, tlsSecretName: options.previewTlsSecretName },
      serviceName: main.serviceName,
      routes,
      annotations: { ...routes.metadata.annotations, ...options.annotations },
      tls: true,
    });
  }
}

/**
 * The main Ingress `<name>` to the main route's main backend, with the router's extra
 * annotations and TLS; returns the route read as ingress-nginx's canary. The routes passed
 * `checkNginxRoutes`.
 */
export function mainIngress(scope: Construct, options: NginxRouterOptions, routes: ReleaseRoutes): NginxCanary {
  const canary = nginxCanary(routes, routes.main);
  claimLocation(scope, options, routes.owner);
  ingress(scope, {
    id: 'Ingress',
    name: routes.main.name,
    options,
    serviceName: canary.main.serviceName,
    routes,
    annotations: { ...routes.metadata.annotations, ...options.annotations },
    tls: true,
  });
  return canary;
}

/** Per app: `<class> <host> <path>` -> the release whose main Ingress serves it. */
const locations = new WeakMap<IConstruct, Map<string, string>>();

/**
 * ingress-nginx merges every Ingress of one class, host and path into one location: two
 * releases there would fight over it (and a canary Ingress would attach to either). Checked
 * among the releases of one namespace of an app.
 */
function checkLocation(scope: Construct, options: NginxRouterOptions, owner: string): void {
  const other = locations.get(scope.node.root)?.get(locationKey(scope, options));
  if (other !== undefined && other !== owner) {
    fail(owner, 'router', `TrafficRouter.nginx({ host: ${JSON.stringify(options.host)}, path: ${JSON.stringify(options.path)} })`,
      `serves the same IngressClass, host and path as ${other}: ingress-nginx would merge both releases into one location; give each its own host or path`);
  }
}

/** Records the location of a release's main Ingress (see `checkLocation`). */
function claimLocation(scope: Construct, options: NginxRouterOptions, owner: string): void {
  checkLocation(scope, options, owner);
  const claimed = locations.get(scope.node.root) ?? new Map<string, string>();
  locations.set(scope.node.root, claimed);
  claimed.set(locationKey(scope, options), owner);
}

/** Per namespace, like object names: charts of one app may go to different clusters. */
function locationKey(scope: Construct, options: NginxRouterOptions): string {
  return `${Chart.of(scope).namespace ?? ''} ${options.ingressClassName} ${options.host ?? '*'} ${options.path}`;
}

/** One Ingress of a release. */
interface IngressSpec {
  readonly id: string;
  readonly name: string;
  readonly options: NginxRouterOptions;
  readonly serviceName: string;
  readonly routes: ReleaseRoutes;
  readonly annotations: { [key: string]: string };
  /** Whether it carries the TLS Secret of its host, if any (a canary Ingress never does). */
  readonly tls: boolean;
}

function ingress(scope: Construct, spec: IngressSpec): k8s.KubeIngress {
  const { options, routes } = spec;
  return new k8s.KubeIngress(scope, spec.id, {
    metadata: objectMetadata(spec.name, routes.metadata.labels, spec.annotations),
    spec: {
      ingressClassName: options.ingressClassName,
      rules: [{
        host: options.host,
        http: {
          paths: [{
            backend: { service: { name: spec.serviceName, port: { number: routes.servicePort } } },
            path: options.path,
            pathType: 'Prefix',
          }],
        },
      }],
      tls: spec.tls && options.tlsSecretName && options.host ? [{ hosts: [options.host], secretName: options.tlsSecretName }] : undefined,
    },
  });
}
