import { QUALIFIED_NAME, checkDnsSubdomain, checkHost, checkPath, fail, isIpAddress, isQualifiedName } from '../../private/validation';

/** Options of `TrafficRouter.nginx()`. */
export interface NginxRouterOptions {
  /**
   * The host the Ingresses serve. The canary Ingress always carries the same host, as
   * ingress-nginx requires.
   * @default - every host (no host in the rule)
   * @see https://kubernetes.io/docs/concepts/services-networking/ingress/#ingress-rules
   */
  readonly host?: string;

  /**
   * The path prefix the Ingresses serve (pathType `Prefix`).
   * @default '/'
   */
  readonly path?: string;

  /**
   * The IngressClass of both Ingresses.
   * @default 'nginx'
   * @see https://kubernetes.github.io/ingress-nginx/user-guide/k8s-122-migration/#what-is-an-ingressclass-and-why-is-it-important-for-users-of-ingress-nginx-controller-now
   */
  readonly ingressClassName?: string;

  /**
   * A TLS Secret for `host`, on the main Ingress only (the canary Ingress inherits it).
   * Needs `host`.
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
/** Validates the options and fills in the defaults. */
export function validateNginxOptions(options: NginxRouterOptions): NginxRouterOptions {
  if (options.host !== undefined) {
    checkHost(OWNER, 'options.host', options.host);
    if (isIpAddress(options.host)) fail(OWNER, 'options.host', options.host, 'must be a DNS name, not an IP address (the API server rejects an Ingress host that is an IP)');
  }
  const path = options.path ?? '/';
  checkPath(OWNER, 'options.path', path);
  const ingressClassName = options.ingressClassName ?? 'nginx';
  if (ingressClassName.includes('*')) fail(OWNER, 'options.ingressClassName', ingressClassName, 'must be a DNS subdomain');
  checkHost(OWNER, 'options.ingressClassName', ingressClassName);
  for (const key of ['tlsSecretName', 'previewTlsSecretName'] as const) {
    const secret = options[key];
    if (secret === undefined) continue;
    checkDnsSubdomain(OWNER, `options.${key}`, secret, 'the name of a TLS Secret in the release\'s namespace');
  }
  if (options.tlsSecretName !== undefined && options.host === undefined) {
    fail(OWNER, 'options.tlsSecretName', options.tlsSecretName, 'needs options.host: a TLS certificate is served for a host');
  }
  checkNginxAnnotations(OWNER, 'options.annotations', options.annotations);
  for (const [key, value] of Object.entries(options.annotations ?? {})) {
    if (!isQualifiedName(key)) {
      fail(OWNER, 'options.annotations key', key, `must be an annotation key: ${QUALIFIED_NAME}`);
    }
    if (typeof value !== 'string') {
      fail(OWNER, `options.annotations[${JSON.stringify(key)}]`, value, 'must be a string');
    }
  }
  return { ...options, path, ingressClassName };
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
