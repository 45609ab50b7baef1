import { Construct } from 'constructs';
import type {
  HttpRoute,
  HttpRouteSpecRules,
  HttpRouteSpecRulesBackendRefs,
  HttpRouteSpecRulesMatches,
  HttpRouteSpecRulesMatchesHeaders,
} from '../../../imports/gateway.networking.k8s.io';
import { cookieHeaderPattern, stringMatch } from '../request-match';
import type { FlaggerRouting } from '../../engines/flagger/flagger-engine';
import { HeaderMatch, HeaderMatchType } from '../header-match';
import { objectMetadata } from '../../private/metadata';
import type { BlueGreenRouting, CanaryRouting } from '../traffic-router';
import { checkDns1123Label, checkHost, checkPath, fail, isIpAddress } from '../../private/validation';
import { flaggerApi, gatewayApiApi } from '../../private/upstream';

/** A Gateway (or a listener of one) that an HTTPRoute attaches to. */
export interface GatewayParentRef {
  /**
   * The Gateway's name.
   * @see https://gateway-api.sigs.k8s.io/reference/spec/#parentreference
   */
  readonly name: string;

  /**
   * The Gateway's namespace (it must allow routes from the route's namespace).
   * @default - the route's namespace
   */
  readonly namespace?: string;

  /**
   * The listener of the Gateway to attach to.
   * @default - every listener that accepts the route
   */
  readonly sectionName?: string;
}

/** Options of `TrafficRouter.gatewayApi()`. */
export interface GatewayApiRouterOptions {
  /**
   * The Gateways the HTTPRoute attaches to (at least one).
   * @see https://gateway-api.sigs.k8s.io/api-types/httproute/#parentrefs
   */
  readonly parentRefs: GatewayParentRef[];

  /**
   * The hostnames the HTTPRoute serves (`*.`-wildcards allowed, no IP addresses).
   * @default - every hostname of the listeners it attaches to
   * @see https://gateway-api.sigs.k8s.io/api-types/httproute/#hostnames
   */
  readonly hostnames?: string[];

  /**
   * The path prefix every rule matches (`PathPrefix`).
   * @default '/'
   */
  readonly path?: string;
}

const OWNER = 'TrafficRouter.gatewayApi';

/** Validates the options of `TrafficRouter.gatewayApi()` and fills in the defaults. */
export function validateGatewayApiOptions(options: GatewayApiRouterOptions): GatewayApiRouterOptions {
  if (options === undefined || options === null || !Array.isArray(options.parentRefs) || options.parentRefs.length === 0) {
    fail(OWNER, 'options.parentRefs', options?.parentRefs, 'must list at least one Gateway, e.g. [{ name: \'public\', namespace: \'gateways\' }]');
  }
  if (options.parentRefs.length > 32) {
    fail(OWNER, 'options.parentRefs', options.parentRefs.length, 'must list at most 32 Gateways');
  }
  options.parentRefs.forEach((ref, i) => {
    const prop = `options.parentRefs[${i}]`;
    if (typeof ref?.name !== 'string' || ref.name.includes('*')) fail(OWNER, `${prop}.name`, ref?.name, 'must be a Gateway name (a DNS subdomain)');
    checkHost(OWNER, `${prop}.name`, ref.name);
    if (ref.namespace !== undefined) checkDns1123Label(OWNER, `${prop}.namespace`, ref.namespace);
    if (ref.sectionName !== undefined) {
      if (typeof ref.sectionName !== 'string' || ref.sectionName.includes('*')) fail(OWNER, `${prop}.sectionName`, ref.sectionName, 'must be a listener name (a DNS subdomain)');
      checkHost(OWNER, `${prop}.sectionName`, ref.sectionName);
    }
  });
  if (options.hostnames !== undefined) {
    if (!Array.isArray(options.hostnames) || options.hostnames.length === 0 || options.hostnames.length > 16) {
      fail(OWNER, 'options.hostnames', options.hostnames, 'must list 1 to 16 hostnames, or be left out for every hostname of the Gateway');
    }
    options.hostnames.forEach((hostname, i) => checkHostname(`options.hostnames[${i}]`, hostname));
  }
  const path = options.path ?? '/';
  checkPath(OWNER, 'options.path', path);
  return { ...options, path };
}

/** A Gateway API hostname: a DNS subdomain, optionally `*.`-prefixed, not an IP address. */
export function checkHostname(prop: string, hostname: string, owner = OWNER): void {
  checkHost(owner, prop, hostname);
  if (isIpAddress(hostname)) fail(owner, prop, hostname, 'must be a hostname, not an IP address (Gateway API rejects them)');
}

/**
 * HTTPRoute `<name>`: header -> canary, cookie always -> canary, cookie never -> stable, then
 * the weighted rule. Every rule matches the same path, so the header and cookie rules (one
 * header match each) outrank the weighted rule, and list order settles header before cookie.
 */
export function bindGatewayApiCanary(scope: Construct, options: GatewayApiRouterOptions, routing: CanaryRouting): void {
  const stable: HttpRouteSpecRulesBackendRefs = { name: routing.service.name, port: routing.servicePort };
  const rules: HttpRouteSpecRules[] = [];
  if (routing.canary && routing.canaryService) {
    const canary: HttpRouteSpecRulesBackendRefs = { name: routing.canaryService.name, port: routing.servicePort };
    if (routing.header) {
      checkHeaderValueLength(routing);
      rules.push({ name: 'canary-by-header', matches: [pathMatch(options, headerMatch(routing.header))], backendRefs: [canary] });
    }
    if (routing.cookie) {
      rules.push({ name: 'canary-by-cookie', matches: [pathMatch(options, cookieMatch(routing.cookie, 'always'))], backendRefs: [canary] });
      rules.push({ name: 'stable-by-cookie', matches: [pathMatch(options, cookieMatch(routing.cookie, 'never'))], backendRefs: [stable] });
    }
    rules.push({
      name: 'weighted',
      matches: [pathMatch(options)],
      backendRefs: [
        { ...stable, weight: routing.weightTotal - routing.weight },
        { ...canary, weight: routing.weight },
      ],
    });
  } else {
    rules.push({ name: 'stable', matches: [pathMatch(options)], backendRefs: [stable] });
  }
  httpRoute(scope, 'HttpRoute', routing.name, options, options.hostnames, rules, routing.metadata);
}

/** HTTPRoute `<name>` to the active Service; with `previewHost`, HTTPRoute `<name>-preview` to the preview Service. */
export function bindGatewayApiBlueGreen(scope: Construct, options: GatewayApiRouterOptions, routing: BlueGreenRouting): void {
  httpRoute(scope, 'HttpRoute', routing.name, options, options.hostnames, [
    { name: 'active', matches: [pathMatch(options)], backendRefs: [{ name: routing.activeService.name, port: routing.servicePort }] },
  ], routing.metadata);
  if (routing.previewHost && routing.previewService) {
    checkHostname('previewHost', routing.previewHost, routing.owner);
    if (options.hostnames?.includes(routing.previewHost)) {
      fail(routing.owner, 'previewHost', routing.previewHost, 'must not be one of the router\'s hostnames: the preview route would compete with the main route for the same requests');
    }
    httpRoute(scope, 'PreviewHttpRoute', `${routing.name}-preview`, options, [routing.previewHost], [
      { name: 'preview', matches: [pathMatch(options)], backendRefs: [{ name: routing.previewService.name, port: routing.servicePort }] },
    ], routing.metadata);
  }
}

/**
 * For Flagger: it generates the HTTPRoute `<name>` from the Canary's `service.gatewayRefs`,
 * `hosts` and `match` (the path); the A/B matches are Istio-style matches it maps to HTTPRoute
 * header matches (pkg/router/gateway_api.go).
 * @internal
 */
export function gatewayApiFlaggerRouting(options: GatewayApiRouterOptions, routing: CanaryRouting): FlaggerRouting {
  const { CanarySpecProvider } = flaggerApi();
  if (routing.header) checkHeaderValueLength(routing);
  return {
    provider: CanarySpecProvider.GATEWAYAPI_V1,
    service: {
      gatewayRefs: options.parentRefs.map((ref) => ({ name: ref.name, namespace: ref.namespace, sectionName: ref.sectionName })),
      hosts: options.hostnames,
      match: options.path && options.path !== '/' ? [{ uri: { prefix: options.path } }] : undefined,
    },
    headerMatch: (header) => ({
      headers: { [header.name]: stringMatch(header) },
    }),
    cookieMatch: (cookie) => ({ headers: { Cookie: { regex: cookieHeaderPattern(cookie, 'always') } } }),
  };
}

function checkHeaderValueLength(routing: CanaryRouting): void {
  const value = routing.header!.type === HeaderMatchType.EXACT ? routing.header!.value : routing.header!.anchoredPattern;
  if (value.length > 4096) {
    fail(routing.owner, 'canary.traffic.header value', value, 'must be at most 4096 characters with TrafficRouter.gatewayApi() (the HTTPRoute limit)');
  }
}

function pathMatch(options: GatewayApiRouterOptions, header?: HttpRouteSpecRulesMatchesHeaders): HttpRouteSpecRulesMatches {
  const { HttpRouteSpecRulesMatchesPathType } = gatewayApiApi();
  return {
    path: { type: HttpRouteSpecRulesMatchesPathType.PATH_PREFIX, value: options.path },
    headers: header ? [header] : undefined,
  };
}

/** Header names are case-insensitive in Gateway API; regexes are anchored so search and full-match agree. */
function headerMatch(header: HeaderMatch): HttpRouteSpecRulesMatchesHeaders {
  const { HttpRouteSpecRulesMatchesHeadersType } = gatewayApiApi();
  return header.type === HeaderMatchType.EXACT
    ? { name: header.name, type: HttpRouteSpecRulesMatchesHeadersType.EXACT, value: header.value }
    : { name: header.name, type: HttpRouteSpecRulesMatchesHeadersType.REGULAR_EXPRESSION, value: header.anchoredPattern };
}

function cookieMatch(cookie: string, value: string): HttpRouteSpecRulesMatchesHeaders {
  const { HttpRouteSpecRulesMatchesHeadersType } = gatewayApiApi();
  return { name: 'Cookie', type: HttpRouteSpecRulesMatchesHeadersType.REGULAR_EXPRESSION, value: cookieHeaderPattern(cookie, value) };
}

function httpRoute(
  scope: Construct,
  id: string,
  name: string,
  options: GatewayApiRouterOptions,
  hostnames: string[] | undefined,
  rules: HttpRouteSpecRules[],
  metadata: CanaryRouting['metadata'],
): HttpRoute {
  const { HttpRoute } = gatewayApiApi();
  return new HttpRoute(scope, id, {
    metadata: objectMetadata(name, metadata.labels, metadata.annotations),
    spec: {
      parentRefs: options.parentRefs.map((ref) => ({ name: ref.name, namespace: ref.namespace, sectionName: ref.sectionName })),
      hostnames,
      rules,
    },
  });
}
