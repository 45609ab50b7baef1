import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct, IConstruct } from 'constructs';
import type { RolloutSpecStrategyCanaryTrafficRouting } from '../../../imports/argoproj.io';
import type { FlaggerRouting } from '../../engines/flagger/flagger-engine';
import { HeaderMatchType } from '../header-match';
import { stringMatch } from '../request-match';
import { objectMetadata } from '../../private/metadata';
import type { BlueGreenRouting, CanaryRouting } from '../traffic-router';
import { QUALIFIED_NAME, checkDnsSubdomain, checkHost, checkPath, fail, isIpAddress, isQualifiedName } from '../../private/validation';
import { flaggerApi } from '../../private/upstream';

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

const PREFIX = 'nginx.ingress.kubernetes.io/';
const OWNER = 'TrafficRouter.nginx';
const AFFINITY_ANNOTATIONS = [`${PREFIX}affinity`, `${PREFIX}affinity-canary-behavior`, `${PREFIX}upstream-hash-by`];
/**
 * ingress-nginx's annotation validation (parser.BasicCharsRegex) accepts only these characters in
 * canary-by-header, canary-by-header-value and canary-by-cookie; any other value is logged and
 * replaced by '' (the rule silently disappears).
 */
const NGINX_BASIC_CHARS = /^[-._~a-zA-Z0-9/:]+$/;
/** ...and these in canary-by-header-pattern (parser.IsValidRegex). */
const NGINX_REGEX_CHARS = /^[-._~a-zA-Z0-9/:^$[\](){}*+?|&=\\]+$/;

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
function checkNginxAnnotations(owner: string, prop: string, annotations: { [key: string]: string } | undefined): void {
  for (const [key, value] of Object.entries(annotations ?? {})) {
    if (key.startsWith(`${PREFIX}canary`)) {
      fail(owner, `${prop}[${JSON.stringify(key)}]`, value, 'is not allowed: the canary annotations are written by the library, on the canary Ingress only');
    }
    if (AFFINITY_ANNOTATIONS.includes(key)) {
      fail(owner, `${prop}[${JSON.stringify(key)}]`, value, 'is not allowed: with session affinity or consistent hashing ingress-nginx keeps every request that is already bound to the main backend there, skipping the header, cookie and weight rules');
    }
  }
}

/** Main Ingress `<name>` to Service `<name>`; canary Ingress `<name>-canary` with the canary annotations. */
export function bindNginxCanary(scope: Construct, options: NginxRouterOptions, routing: CanaryRouting): void {
  mainIngress(scope, options, routing, routing.service);

  if (!routing.canary || !routing.canaryService) return;
  const annotations: { [key: string]: string } = { ...routing.metadata.annotations, [`${PREFIX}canary`]: 'true' };
  for (const [key, value] of Object.entries(canaryRuleAnnotations(routing))) annotations[`${PREFIX}${key}`] = value;
  annotations[`${PREFIX}canary-weight`] = String(routing.weight);
  annotations[`${PREFIX}canary-weight-total`] = String(routing.weightTotal);
  ingress(scope, 'CanaryIngress', `${routing.name}-canary`, options, routing.canaryService, routing.servicePort, routing.metadata.labels, annotations, false);
}

/**
 * For Argo Rollouts: the main Ingress `<name>` only (Argo Rollouts creates the canary Ingress
 * `<name>-<name>-canary` and sets its weight), and the Rollout's `trafficRouting` carrying the
 * header and cookie rules as `additionalIngressAnnotations`.
 * @internal
 */
export function nginxArgoTrafficRouting(scope: Construct, options: NginxRouterOptions, routing: CanaryRouting): RolloutSpecStrategyCanaryTrafficRouting {
  mainIngress(scope, options, routing, routing.service);
  const additionalIngressAnnotations = canaryRuleAnnotations(routing);
  return {
    nginx: {
      stableIngress: routing.name,
      ...(Object.keys(additionalIngressAnnotations).length > 0 ? { additionalIngressAnnotations } : {}),
    },
  };
}

/**
 * For Flagger: the main Ingress `<name>` to the Service `<name>` that Flagger generates (it
 * copies the Ingress into `<name>-canary` itself). In an A/B test Flagger turns a `cookie`
 * match's `exact` value into `canary-by-cookie` (the cookie's name) and a header's
 * `exact`/`regex` into `canary-by-header-value`/`-pattern` (pkg/router/ingress.go).
 * @internal
 */
export function nginxFlaggerRouting(scope: Construct, options: NginxRouterOptions, routing: CanaryRouting): FlaggerRouting {
  const { CanarySpecIngressRefKind, CanarySpecProvider } = flaggerApi();
  checkNginxCharacters(routing);
  mainIngress(scope, options, routing, routing.service);
  return {
    provider: CanarySpecProvider.NGINX,
    ingressRef: { apiVersion: 'networking.k8s.io/v1', kind: CanarySpecIngressRefKind.INGRESS, name: routing.name },
    service: {},
    // Flagger reads the key `cookie` (exactly) as the cookie rule; a header rule on the Cookie
    // header keeps its meaning as `Cookie` (ingress-nginx matches header names case-insensitively).
    headerMatch: (header) => ({
      headers: { [header.name === 'cookie' ? 'Cookie' : header.name]: stringMatch(header) },
    }),
    cookieMatch: (cookie) => ({ headers: { cookie: { exact: cookie } } }),
  };
}

/**
 * The header and cookie rules as canary annotations (without the `nginx.ingress.kubernetes.io/`
 * prefix). What ingress-nginx's balancer.lua (route_to_alternative_balancer) does with them, in
 * order: 1. the header: `canary-by-header-value` is compared for equality,
 * `canary-by-header-pattern` with ngx.re.match (a PCRE search, hence the anchors); a miss falls
 * through; 2. the cookie: `always` -> canary, `never` -> main, anything else falls through;
 * 3. the weight: math.random(total) <= weight, total = canary-weight-total when above 100.
 */
function canaryRuleAnnotations(routing: CanaryRouting): { [key: string]: string } {
  checkNginxCharacters(routing);
  const annotations: { [key: string]: string } = {};
  if (routing.header) {
    annotations['canary-by-header'] = routing.header.name;
    if (routing.header.type === HeaderMatchType.EXACT) {
      annotations['canary-by-header-value'] = routing.header.value;
    } else {
      annotations['canary-by-header-pattern'] = routing.header.anchoredPattern;
    }
  }
  if (routing.cookie) {
    annotations['canary-by-cookie'] = routing.cookie;
  }
  return annotations;
}

/** Ingress `<name>` to the active Service; with `previewHost`, Ingress `<name>-preview` there. */
export function bindNginxBlueGreen(scope: Construct, options: NginxRouterOptions, routing: BlueGreenRouting): void {
  mainIngress(scope, options, routing, routing.activeService);
  if (routing.previewHost && routing.previewService) {
    if (isIpAddress(routing.previewHost)) {
      fail(routing.owner, 'previewHost', routing.previewHost, 'must be a DNS name, not an IP address, with TrafficRouter.nginx() (the API server rejects an Ingress host that is an IP)');
    }
    if (routing.previewHost === options.host) {
      fail(routing.owner, 'previewHost', routing.previewHost, 'must differ from the router\'s host: two Ingresses for one host and path would fight over it');
    }
    const preview: NginxRouterOptions = { ...options, host: routing.previewHost, tlsSecretName: options.previewTlsSecretName };
    ingress(scope, 'PreviewIngress', `${routing.name}-preview`, preview, routing.previewService, routing.servicePort, routing.metadata.labels, {
      ...routing.metadata.annotations,
      ...options.annotations,
    }, true);
  }
}

/** Per app: `<class> <host> <path>` -> the release whose main Ingress serves it. */
const locations = new WeakMap<IConstruct, Map<string, string>>();

/**
 * ingress-nginx merges every Ingress of one class, host and path into one location: two
 * releases there would fight over it (and a canary Ingress would attach to either). Checked
 * among the releases of one namespace of an app.
 */
function claimLocation(scope: Construct, options: NginxRouterOptions, owner: string): void {
  const root = scope.node.root;
  const claimed = locations.get(root) ?? new Map<string, string>();
  locations.set(root, claimed);
  // Per namespace, like object names: charts of one app may go to different clusters.
  const key = `${Chart.of(scope).namespace ?? ''} ${options.ingressClassName} ${options.host ?? '*'} ${options.path}`;
  const other = claimed.get(key);
  if (other !== undefined) {
    fail(owner, 'router', `TrafficRouter.nginx({ host: ${JSON.stringify(options.host)}, path: ${JSON.stringify(options.path)} })`,
      `serves the same IngressClass, host and path as ${other}: ingress-nginx would merge both releases into one location; give each its own host or path`);
  }
  claimed.set(key, owner);
}

/**
 * The main Ingress `<name>` to `service`, with the router's extra annotations and TLS, after
 * refusing canary and affinity annotations in the release's metadata (which goes on every Ingress).
 */
function mainIngress(scope: Construct, options: NginxRouterOptions, routing: CanaryRouting | BlueGreenRouting, service: kplus.Service): kplus.Ingress {
  if (options.previewTlsSecretName !== undefined && !('previewHost' in routing && routing.previewHost !== undefined && routing.previewService !== undefined)) {
    fail(routing.owner, 'router', `TrafficRouter.nginx({ previewTlsSecretName: ${JSON.stringify(options.previewTlsSecretName)} })`,
      'needs a BlueGreenRelease with previewHost (and a preview): there is no Ingress <name>-preview to serve over TLS');
  }
  checkNginxAnnotations(routing.owner, 'metadata.annotations', routing.metadata.annotations);
  claimLocation(scope, options, routing.owner);
  return ingress(scope, 'Ingress', routing.name, options, service, routing.servicePort, routing.metadata.labels, {
    ...routing.metadata.annotations,
    ...options.annotations,
  }, true);
}

function ingress(
  scope: Construct,
  id: string,
  name: string,
  options: NginxRouterOptions,
  service: kplus.Service,
  port: number,
  labels: { [key: string]: string } | undefined,
  annotations: { [key: string]: string },
  withTls: boolean,
): kplus.Ingress {
  const backend = kplus.IngressBackend.fromService(service, { port });
  const tls = withTls && options.tlsSecretName && options.host
    ? [{ hosts: [options.host], secret: kplus.Secret.fromSecretName(scope, `${id}TlsSecret`, options.tlsSecretName) }]
    : undefined;
  return new kplus.Ingress(scope, id, {
    metadata: objectMetadata(name, labels, annotations),
    className: options.ingressClassName,
    rules: [{ host: options.host, path: options.path, pathType: kplus.HttpIngressPathType.PREFIX, backend }],
    tls,
  });
}

/** Refuses what ingress-nginx's annotation validation would silently replace by ''. */
function checkNginxCharacters(routing: CanaryRouting): void {
  const why = 'with TrafficRouter.nginx() ingress-nginx\'s annotation validation drops it with only a log line';
  if (routing.header && routing.header.type === HeaderMatchType.EXACT && !NGINX_BASIC_CHARS.test(routing.header.value)) {
    fail(routing.owner, 'canary.traffic.header value', routing.header.value, `must contain only letters, digits and '-._~/:' (${why})`);
  }
  if (routing.header && routing.header.type === HeaderMatchType.REGULAR_EXPRESSION && !NGINX_REGEX_CHARS.test(routing.header.anchoredPattern)) {
    fail(routing.owner, 'canary.traffic.header pattern', routing.header.value, `must contain only letters, digits and '-._~/:^$[](){}*+?|&=\\' (no spaces, commas or other punctuation: ${why})`);
  }
  if (routing.cookie !== undefined && !NGINX_BASIC_CHARS.test(routing.cookie)) {
    fail(routing.owner, 'canary.traffic.cookie', routing.cookie, `must contain only letters, digits and '-._~/:' (${why})`);
  }
}
