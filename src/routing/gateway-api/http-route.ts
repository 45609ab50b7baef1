import { Construct } from 'constructs';
import type {
  HttpRoute,
  HttpRouteSpecRules,
  HttpRouteSpecRulesMatches,
  HttpRouteSpecRulesMatchesHeaders,
} from '../../../imports/gateway.networking.k8s.io';
import { objectMetadata } from '../../private/metadata';
import { gatewayApiApi } from '../../private/upstream';
import { fail } from '../../private/validation';
import { HeaderMatchType } from '../header-match';
import { cookieHeaderPattern } from '../match-patterns';
import { checkMatches } from '../route-table';
import { ReleaseRoutes, RequestMatch, Route } from '../routing-model';
import { GatewayApiRouterOptions, checkHostname } from './gateway-api-options';

/** What an HTTPRoute cannot hold: a header value over its limit, a preview host that is not a hostname or is one of the router's. */
export function checkGatewayApiRoutes(options: GatewayApiRouterOptions, routes: ReleaseRoutes): void {
  checkMatches(routes, 'TrafficRouter.gatewayApi()');
  for (const rule of routes.main.rules) checkHeaderValueLength(routes.owner, rule.match);
  const previewHost = routes.preview?.host;
  if (previewHost !== undefined) {
    checkHostname('previewHost', previewHost, routes.owner);
    if (options.hostnames?.includes(previewHost)) {
      fail(routes.owner, 'previewHost', previewHost, 'must not be one of the router\'s hostnames: the preview route would compete with the main route for the same requests');
    }
  }
}

/** An HTTPRoute header value is at most 4096 characters. */
export function checkHeaderValueLength(owner: string, match: RequestMatch | undefined): void {
  const header = match?.header;
  if (!header) return;
  const value = header.type === HeaderMatchType.EXACT ? header.value : header.anchoredPattern;
  if (value.length > 4096) {
    fail(owner, 'canary.traffic.header value', value, 'must be at most 4096 characters with TrafficRouter.gatewayApi() (the HTTPRoute limit)');
  }
}

/**
 * HTTPRoute `<name>`, one rule per rule of the main route in order; with a preview route,
 * HTTPRoute `<name>-preview` at its host. Every rule matches the same path, so the header and
 * cookie rules (one header match each) outrank the last rule, and list order settles header
 * before cookie. The routes passed `checkGatewayApiRoutes`.
 */
export function bindHttpRoutes(scope: Construct, options: GatewayApiRouterOptions, routes: ReleaseRoutes): void {
  httpRoute(scope, 'HttpRoute', routes.main, options.hostnames, options, routes);
  if (routes.preview) httpRoute(scope, 'PreviewHttpRoute', routes.preview, [routes.preview.host!], options, routes);
}

function httpRoute(scope: Construct, id: string, route: Route, hostnames: string[] | undefined, options: GatewayApiRouterOptions, routes: ReleaseRoutes): HttpRoute {
  const { HttpRoute } = gatewayApiApi();
  const rules: HttpRouteSpecRules[] = route.rules.map((rule) => ({
    name: rule.name,
    matches: [pathMatch(options, rule.match ? gatewayApiHeaderMatch(rule.match) : undefined)],
    // RequestMirror's percent is in the standard channel since v1.3 (GEP-3171).
    filters: rule.mirror ? [{
      type: gatewayApiApi().HttpRouteSpecRulesFiltersType.REQUEST_MIRROR,
      requestMirror: { backendRef: { name: rule.mirror.backend.serviceName, port: routes.servicePort }, percent: rule.mirror.percent },
    }] : undefined,
    backendRefs: rule.destinations.map((d) => ({ name: d.backend.serviceName, port: routes.servicePort, weight: d.weight })),
  }));
  return new HttpRoute(scope, id, {
    metadata: objectMetadata(route.name, routes.metadata.labels, routes.metadata.annotations),
    spec: {
      parentRefs: options.parentRefs.map((ref) => ({ name: ref.name, namespace: ref.namespace, sectionName: ref.sectionName })),
      hostnames,
      rules,
    },
  });
}

function pathMatch(options: GatewayApiRouterOptions, header?: HttpRouteSpecRulesMatchesHeaders): HttpRouteSpecRulesMatches {
  const { HttpRouteSpecRulesMatchesPathType } = gatewayApiApi();
  return {
    path: { type: HttpRouteSpecRulesMatchesPathType.PATH_PREFIX, value: options.path },
    headers: header ? [header] : undefined,
  };
}

/**
 * A rule's match as an HTTPRoute header match: header names are case-insensitive in Gateway
 * API; regexes are anchored so search and full-match agree; a cookie is a regex on `Cookie`.
 */
function gatewayApiHeaderMatch(match: RequestMatch): HttpRouteSpecRulesMatchesHeaders {
  const { HttpRouteSpecRulesMatchesHeadersType } = gatewayApiApi();
  const header = match.header;
  if (!header) {
    return { name: 'Cookie', type: HttpRouteSpecRulesMatchesHeadersType.REGULAR_EXPRESSION, value: cookieHeaderPattern(match.cookie!.name, match.cookie!.value) };
  }
  return header.type === HeaderMatchType.EXACT
    ? { name: header.name, type: HttpRouteSpecRulesMatchesHeadersType.EXACT, value: header.value }
    : { name: header.name, type: HttpRouteSpecRulesMatchesHeadersType.REGULAR_EXPRESSION, value: header.anchoredPattern };
}
