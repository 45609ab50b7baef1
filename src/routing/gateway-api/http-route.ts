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
import { PathMatchType } from '../path-match';
import { checkMatches, isGrpc } from '../route-table';
import { setCookieHeader } from '../sticky-cookie';
import { ReleaseRoutes, RequestMatch, Route } from '../routing-model';
import { GatewayApiRouting, checkHostname } from './gateway-api-options';
import { checkGrpcRoutePath } from './grpc-route';
import { headerMatchParts, parentRefs, requestMirror } from './route-parts';

/**
 * What an HTTPRoute (a GRPCRoute for a gRPC app) cannot hold: a header value over its limit, a
 * preview host that is not a hostname or is one of the router's; for a GRPCRoute, a path.
 */
export function checkGatewayApiRoutes(options: GatewayApiRouting, routes: ReleaseRoutes): void {
  checkMatches(routes, 'TrafficRouter.gatewayApi()');
  if (isGrpc(routes)) checkGrpcRoutePath(options, routes);
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
  if (!match?.header) return;
  const { value } = headerMatchParts(match, 'Cookie');
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
export function bindHttpRoutes(scope: Construct, options: GatewayApiRouting, routes: ReleaseRoutes): void {
  httpRoute(scope, 'HttpRoute', routes.main, options.hostnames, options, routes);
  if (routes.preview) httpRoute(scope, 'PreviewHttpRoute', routes.preview, [routes.preview.host!], options, routes);
}

function httpRoute(scope: Construct, id: string, route: Route, hostnames: string[] | undefined, options: GatewayApiRouting, routes: ReleaseRoutes): HttpRoute {
  const { HttpRoute, HttpRouteSpecRulesBackendRefsFiltersType, HttpRouteSpecRulesFiltersType } = gatewayApiApi();
  const rules: HttpRouteSpecRules[] = route.rules.map((rule) => ({
    name: rule.name,
    matches: pathMatches(options, rule.match ? gatewayApiHeaderMatch(rule.match) : undefined),
    filters: rule.mirror ? [{ type: HttpRouteSpecRulesFiltersType.REQUEST_MIRROR, requestMirror: requestMirror(rule, routes) }] : undefined,
    backendRefs: rule.destinations.map((d) => ({
      name: d.backend.serviceName,
      port: routes.servicePort,
      weight: d.weight,
      // A cookie the destination sets: a response header its backendRef adds (standard channel).
      filters: d.setCookie ? [{
        type: HttpRouteSpecRulesBackendRefsFiltersType.RESPONSE_HEADER_MODIFIER,
        responseHeaderModifier: { add: [{ name: 'Set-Cookie', value: setCookieHeader(d.setCookie) }] },
      }] : undefined,
    })),
  }));
  return new HttpRoute(scope, id, {
    metadata: objectMetadata(route.name, routes.metadata.labels, routes.metadata.annotations),
    spec: {
      parentRefs: parentRefs(options.parentRefs),
      hostnames,
      rules,
    },
  });
}

/** A match per path of the router, each with the rule's header match. */
function pathMatches(options: GatewayApiRouting, header?: HttpRouteSpecRulesMatchesHeaders): HttpRouteSpecRulesMatches[] {
  const { HttpRouteSpecRulesMatchesPathType } = gatewayApiApi();
  return options.paths.map((p) => ({
    path: {
      type: p.type === PathMatchType.EXACT ? HttpRouteSpecRulesMatchesPathType.EXACT : HttpRouteSpecRulesMatchesPathType.PATH_PREFIX,
      value: p.path,
    },
    headers: header ? [header] : undefined,
  }));
}

/** A rule's match as an HTTPRoute header match (`Cookie` for the cookie rule). */
function gatewayApiHeaderMatch(match: RequestMatch): HttpRouteSpecRulesMatchesHeaders {
  const { HttpRouteSpecRulesMatchesHeadersType: Type } = gatewayApiApi();
  const { name, regex, value } = headerMatchParts(match, 'Cookie');
  return { name, type: regex ? Type.REGULAR_EXPRESSION : Type.EXACT, value };
}
