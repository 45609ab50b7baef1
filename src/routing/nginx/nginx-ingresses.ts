import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct, IConstruct } from 'constructs';
import { objectMetadata } from '../../private/metadata';
import { fail, isIpAddress } from '../../private/validation';
import { setCookies } from '../sticky-cookie';
import { refuseMirror } from '../route-mirror';
import { ReleaseRoutes } from '../routing-model';
import { backendProtocolAnnotations, checkNginxBackendProtocol } from './nginx-backend-protocol';
import { NginxCanary, canaryRuleAnnotations, checkNginxCharacters, nginxCanary } from './nginx-canary-rules';
import { NginxRouting, PREFIX, ResolvedNginxRoute, checkNginxAnnotations } from './nginx-options';

/**
 * What ingress-nginx cannot serve, checked before any object is created: canary and affinity
 * annotations in the release's metadata (which goes on every Ingress), a preview TLS Secret
 * without a preview, a preview host that is an IP or the router's own host, and routes its
 * canary Ingress cannot express.
 */
export function checkNginxRoutes(scope: Construct, options: NginxRouting, routes: ReleaseRoutes): void {
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
  if (routes.stickyCookie !== undefined || setCookies(routes).length > 0) {
    fail(routes.owner, 'canary.traffic.sticky', true, 'cannot be expressed with TrafficRouter.nginx(): ingress-nginx applies session affinity only from the main Ingress (a canary Ingress\'s affinity annotations are ignored, controller.go), '
      + 'which pins every user to the version they first got, and a request pinned to the main backend skips the header, cookie and weight rules (balancer.lua, route_to_alternative_balancer). '
      + 'Use canary.traffic.cookie and have the canary set <cookie>=always itself, or Istio or Gateway API');
  }
  checkNginxBackendProtocol(options, routes);
  checkNginxCharacters(routes.owner, nginxCanary(routes, routes.main));
  if (routes.preview) nginxCanary(routes, routes.preview);
  checkLocation(scope, options, routes.owner);
  const previewHost = routes.preview?.host;
  if (previewHost !== undefined) {
    if (isIpAddress(previewHost)) {
      fail(routes.owner, 'previewHost', previewHost, 'must be a DNS name, not an IP address, with TrafficRouter.nginx() (the API server rejects an Ingress host that is an IP)');
    }
    if (options.routes.some((route) => route.host === previewHost)) {
      fail(routes.owner, 'previewHost', previewHost, 'must differ from the router\'s hosts: two Ingresses for one host and path would fight over it');
    }
  }
}

/**
 * The main Ingress `<name>`, a rule per route; with a canary, the canary Ingress `<name>-canary`
 * with exactly the same class, rules, hosts and paths (ingress-nginx attaches a canary only
 * where a main Ingress serves the same host and path) and no TLS of its own (it inherits the main
 * one's), with the canary annotations; with a preview route, the Ingress `<name>-preview` at its
 * host.
 */
export function bindNginxIngresses(scope: Construct, options: NginxRouting, routes: ReleaseRoutes): void {
  const canary = mainIngress(scope, options, routes);
  if (canary.canary) {
    const annotations: { [key: string]: string } = { ...routes.metadata.annotations, [`${PREFIX}canary`]: 'true' };
    for (const [key, value] of Object.entries(canaryRuleAnnotations(canary))) annotations[`${PREFIX}${key}`] = value;
    annotations[`${PREFIX}canary-weight`] = String(canary.weight);
    annotations[`${PREFIX}canary-weight-total`] = String(routes.weightTotal);
    ingress(scope, { id: 'CanaryIngress', name: `${routes.main.name}-canary`, ingressClassName: options.ingressClassName, hosts: options.routes, serviceName: canary.canary.serviceName, routes, annotations, tls: false });
  }
  const preview = routes.preview;
  if (preview) {
    const { main } = nginxCanary(routes, preview);
    // The preview serves every path of the router at its own host, over its own certificate.
    const paths = options.routes.flatMap((route) => route.paths).filter((p, i, all) => all.findIndex((q) => q.type === p.type && q.normalizedPath === p.normalizedPath) === i);
    ingress(scope, {
      id: 'PreviewIngress',
      name: preview.name,
      ingressClassName: options.ingressClassName,
      hosts: [{ host: preview.host, paths, tlsSecretName: options.previewTlsSecretName }],
      serviceName: main.serviceName,
      routes,
      annotations: backendProtocolAnnotations(routes, { ...routes.metadata.annotations, ...options.annotations }),
      tls: true,
    });
  }
}

/**
 * The main Ingress `<name>` to the main route's main backend, with the router's extra
 * annotations and TLS; returns the route read as ingress-nginx's canary. The routes passed
 * `checkNginxRoutes`.
 */
export function mainIngress(scope: Construct, options: NginxRouting, routes: ReleaseRoutes): NginxCanary {
  const canary = nginxCanary(routes, routes.main);
  claimLocation(scope, options, routes.owner);
  ingress(scope, {
    id: 'Ingress',
    name: routes.main.name,
    ingressClassName: options.ingressClassName,
    hosts: options.routes,
    serviceName: canary.main.serviceName,
    routes,
    annotations: backendProtocolAnnotations(routes, { ...routes.metadata.annotations, ...options.annotations }),
    tls: true,
  });
  return canary;
}

/** Per app: `<namespace> <class> <host> <path>` -> the release whose main Ingress serves it. */
const locations = new WeakMap<IConstruct, Map<string, string>>();

/**
 * ingress-nginx merges every Ingress of one class, host and path into one location: two
 * releases there would fight over it (and a canary Ingress would attach to either). Checked
 * among the releases of one namespace of an app, for every host and path of the router.
 */
function checkLocation(scope: Construct, options: NginxRouting, owner: string): void {
  const claimed = locations.get(scope.node.root);
  for (const [key, route, path] of locationKeys(scope, options)) {
    const other = claimed?.get(key);
    if (other !== undefined && other !== owner) {
      fail(owner, 'router', options.displayName,
        `serves the same IngressClass, host and path as ${other} (${route.host ?? 'every host'}, ${path}): ingress-nginx would merge both releases into one location; give each its own host or path`);
    }
  }
}

/** Records the locations of a release's main Ingress (see `checkLocation`). */
function claimLocation(scope: Construct, options: NginxRouting, owner: string): void {
  checkLocation(scope, options, owner);
  const claimed = locations.get(scope.node.root) ?? new Map<string, string>();
  locations.set(scope.node.root, claimed);
  for (const [key] of locationKeys(scope, options)) claimed.set(key, owner);
}

/**
 * Per namespace, like object names: charts of one app may go to different clusters. By path
 * alone, whatever its type: ingress-nginx serves a `Prefix` path with an exact location as well,
 * so an `Exact` path of another release at the same path would collide.
 */
function locationKeys(scope: Construct, options: NginxRouting): Array<[string, ResolvedNginxRoute, string]> {
  const namespace = Chart.of(scope).namespace ?? '';
  return options.routes.flatMap((route) => route.paths.map((p): [string, ResolvedNginxRoute, string] =>
    [`${namespace} ${options.ingressClassName} ${route.host ?? '*'} ${p.normalizedPath}`, route, p.path]));
}

/** One Ingress of a release. */
interface IngressSpec {
  readonly id: string;
  readonly name: string;
  readonly ingressClassName: string;
  /** A rule per host, in order, each with its paths and TLS Secret. */
  readonly hosts: ResolvedNginxRoute[];
  readonly serviceName: string;
  readonly routes: ReleaseRoutes;
  readonly annotations: { [key: string]: string };
  /** Whether it carries the TLS Secrets of its hosts, if any (a canary Ingress never does). */
  readonly tls: boolean;
}

function ingress(scope: Construct, spec: IngressSpec): k8s.KubeIngress {
  const { routes } = spec;
  const backend = { service: { name: spec.serviceName, port: { number: routes.servicePort } } };
  return new k8s.KubeIngress(scope, spec.id, {
    metadata: objectMetadata(spec.name, routes.metadata.labels, spec.annotations),
    spec: {
      ingressClassName: spec.ingressClassName,
      rules: spec.hosts.map((route) => ({
        host: route.host,
        http: { paths: route.paths.map((p) => ({ backend, path: p.path, pathType: p.type })) },
      })),
      tls: spec.tls ? tlsEntries(spec.hosts) : undefined,
    },
  });
}

/** One entry per TLS Secret, with every host it serves, in the order the hosts are given. */
function tlsEntries(hosts: ResolvedNginxRoute[]): k8s.IngressTls[] | undefined {
  const bySecret = new Map<string, string[]>();
  for (const route of hosts) {
    if (route.tlsSecretName === undefined || route.host === undefined) continue;
    bySecret.set(route.tlsSecretName, [...bySecret.get(route.tlsSecretName) ?? [], route.host]);
  }
  return bySecret.size === 0 ? undefined : [...bySecret].map(([secretName, tlsHosts]) => ({ hosts: tlsHosts, secretName }));
}
