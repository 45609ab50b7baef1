import { QUALIFIED_NAME, checkDnsSubdomain, checkHost, checkPath, fail, isIpAddress, isQualifiedName } from '../../private/validation';
import { PathMatch } from '../path-match';
import { EVERY_PATH, checkPaths } from '../route-paths';

/** A host the Ingresses serve, with its paths and TLS: one rule of the main and the canary Ingress. */
export interface NginxRoute {
  /**
   * The host (`*.`-wildcards allowed, no IP address).
   * @default - every host (a rule without a host; at most one route may leave it out)
   * @see https://kubernetes.io/docs/concepts/services-networking/ingress/#ingress-rules
   */
  readonly host?: string;

  /**
   * The paths served at this host.
   * @default [PathMatch.prefix('/')]
   * @see https://kubernetes.io/docs/concepts/services-networking/ingress/#path-types
   */
  readonly paths?: PathMatch[];

  /**
   * A TLS Secret for this host, on the main Ingress only (the canary Ingress inherits it).
   * Needs `host`.
   * @default - no TLS
   * @see https://kubernetes.github.io/ingress-nginx/user-guide/tls/
   */
  readonly tlsSecretName?: string;
}

/** Options of `TrafficRouter.nginx()`. */
export interface NginxRouterOptions {
  /**
   * The host the Ingresses serve. The canary Ingress always carries the same host, as
   * ingress-nginx requires. The short form of one route: not together with `routes`.
   * @default - every host (no host in the rule)
   * @see https://kubernetes.io/docs/concepts/services-networking/ingress/#ingress-rules
   */
  readonly host?: string;

  /**
   * The path prefix the Ingresses serve (pathType `Prefix`). Not together with `routes`.
   * @default '/'
   */
  readonly path?: string;

  /**
   * Several hosts, each with its paths and TLS Secret, served in lockstep: the main Ingress has
   * a rule per route, and the canary Ingress repeats every rule exactly (ingress-nginx applies a
   * canary only at a host and path its main Ingress serves). Instead of `host`, `path` and
   * `tlsSecretName`.
   * @default - one route: `host`, `path` and `tlsSecretName`
   * @see https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/#canary
   */
  readonly routes?: NginxRoute[];

  /**
   * The IngressClass of both Ingresses.
   * @default 'nginx'
   * @see https://kubernetes.github.io/ingress-nginx/user-guide/k8s-122-migration/#what-is-an-ingressclass-and-why-is-it-important-for-users-of-ingress-nginx-controller-now
   */
  readonly ingressClassName?: string;

  /**
   * A TLS Secret for `host`, on the main Ingress only (the canary Ingress inherits it).
   * Needs `host`. Not together with `routes` (give each route its own).
   * @default - no TLS
   * @see https://kubernetes.github.io/ingress-nginx/user-guide/tls/
   */
  readonly tlsSecretName?: string;

  /**
   * A TLS Secret for a blue-green release's `previewHost`, on the Ingress `<name>-preview`
   * (a certificate for `host` rarely covers the preview's host, so `tlsSecretName` is not
   * reused there). Needs a `BlueGreenRelease` with `previewHost`.
   * @default - the preview is served without TLS
   * @see https://kubernetes.github.io/ingress-nginx/user-guide/tls/
   */
  readonly previewTlsSecretName?: string;

  /**
   * Extra annotations on the main Ingress only (ingress-nginx ignores those of a canary
   * Ingress). `nginx.ingress.kubernetes.io/canary*` annotations are the library's own, and
   * session affinity is refused because ingress-nginx then skips the canary rules for
   * every request that carries the affinity cookie.
   * @default - none
   * @see https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/
   */
  readonly annotations?: { [key: string]: string };
}

/** The prefix of ingress-nginx's annotations. */
export const PREFIX = 'nginx.ingress.kubernetes.io/';
const OWNER = 'TrafficRouter.nginx';
const AFFINITY_ANNOTATIONS = [`${PREFIX}affinity`, `${PREFIX}affinity-canary-behavior`, `${PREFIX}upstream-hash-by`];
/** A route of `TrafficRouter.nginx()` with its defaults filled in. */
export interface ResolvedNginxRoute {
  readonly host?: string;
  readonly paths: PathMatch[];
  readonly tlsSecretName?: string;
}

/** `TrafficRouter.nginx()`'s options, checked, with the defaults filled in and the short form as one route. */
export interface NginxRouting {
  readonly ingressClassName: string;
  /** At least one; each host once. */
  readonly routes: ResolvedNginxRoute[];
  readonly previewTlsSecretName?: string;
  readonly annotations?: { [key: string]: string };
  /** How error messages name the router, e.g. `TrafficRouter.nginx({ host: "a.example.com", path: "/" })`. */
  readonly displayName: string;
}

/** Validates the options and fills in the defaults: `host`, `path` and `tlsSecretName` become one route. */
export function validateNginxOptions(options: NginxRouterOptions): NginxRouting {
  const ingressClassName = options.ingressClassName ?? 'nginx';
  if (ingressClassName.includes('*')) fail(OWNER, 'options.ingressClassName', ingressClassName, 'must be a DNS subdomain');
  checkHost(OWNER, 'options.ingressClassName', ingressClassName);
  if (options.previewTlsSecretName !== undefined) checkSecretName('options.previewTlsSecretName', options.previewTlsSecretName);
  checkNginxAnnotations(OWNER, 'options.annotations', options.annotations);
  for (const [key, value] of Object.entries(options.annotations ?? {})) {
    if (!isQualifiedName(key)) {
      fail(OWNER, 'options.annotations key', key, `must be an annotation key: ${QUALIFIED_NAME}`);
    }
    if (typeof value !== 'string') {
      fail(OWNER, `options.annotations[${JSON.stringify(key)}]`, value, 'must be a string');
    }
  }
  const common = { ingressClassName, previewTlsSecretName: options.previewTlsSecretName, annotations: options.annotations };
  if (options.routes === undefined) {
    const path = options.path ?? '/';
    checkPath(OWNER, 'options.path', path);
    const route = checkRoute('options', { host: options.host, paths: [PathMatch.prefix(path)], tlsSecretName: options.tlsSecretName });
    return { ...common, routes: [route], displayName: `TrafficRouter.nginx({ host: ${JSON.stringify(options.host)}, path: ${JSON.stringify(path)} })` };
  }
  for (const key of ['host', 'path', 'tlsSecretName'] as const) {
    if (options[key] !== undefined) {
      fail(OWNER, `options.${key}`, options[key], 'must be left out with options.routes: give each route its host, paths and tlsSecretName');
    }
  }
  if (!Array.isArray(options.routes) || options.routes.length === 0) {
    fail(OWNER, 'options.routes', options.routes, 'must list at least one route ({ host, paths, tlsSecretName }), or be left out for one route from host and path');
  }
  const routes = options.routes.map((route, i) => checkRoute(`options.routes[${i}]`, route ?? {}));
  routes.forEach((route, i) => {
    const first = routes.findIndex((r) => r.host === route.host);
    if (first !== i) {
      fail(OWNER, `options.routes[${i}].host`, route.host ?? '(every host)', `must not repeat options.routes[${first}].host: list every path of a host in one route (ingress-nginx merges them into one server)`);
    }
  });
  return { ...common, routes, displayName: 'TrafficRouter.nginx({ routes })' };
}

/** One route: a DNS host (not an IP), its paths, and TLS for a host only. */
function checkRoute(prop: string, route: NginxRoute): ResolvedNginxRoute {
  const at = (field: string) => prop === 'options' ? `options.${field}` : `${prop}.${field}`;
  if (route.host !== undefined) {
    checkHost(OWNER, at('host'), route.host);
    if (isIpAddress(route.host)) fail(OWNER, at('host'), route.host, 'must be a DNS name, not an IP address (the API server rejects an Ingress host that is an IP)');
  }
  const paths = route.paths === undefined ? EVERY_PATH : checkPaths(OWNER, at('paths'), route.paths);
  if (route.tlsSecretName !== undefined) {
    checkSecretName(at('tlsSecretName'), route.tlsSecretName);
    if (route.host === undefined) fail(OWNER, at('tlsSecretName'), route.tlsSecretName, `needs ${at('host')}: a TLS certificate is served for a host`);
  }
  return { host: route.host, paths, tlsSecretName: route.tlsSecretName };
}

function checkSecretName(prop: string, secret: string): void {
  checkDnsSubdomain(OWNER, prop, secret, 'the name of a TLS Secret in the release\'s namespace');
}

/**
 * Refuses the canary annotations (the library's own) and session affinity, whether they come
 * from the router's `annotations` or from the release's `metadata`, which goes on every Ingress.
 */
export function checkNginxAnnotations(owner: string, prop: string, annotations: { [key: string]: string } | undefined): void {
  for (const [key, value] of Object.entries(annotations ?? {})) {
    if (key.startsWith(`${PREFIX}canary`)) {
      fail(owner, `${prop}[${JSON.stringify(key)}]`, value, 'is not allowed: the canary annotations are written by the library, on the canary Ingress only');
    }
    if (AFFINITY_ANNOTATIONS.includes(key)) {
      fail(owner, `${prop}[${JSON.stringify(key)}]`, value, 'is not allowed: with session affinity or consistent hashing ingress-nginx keeps every request that is already bound to the main backend there, skipping the header, cookie and weight rules');
    }
  }
}
