import { Construct } from 'constructs';
import type { GrpcRoute, GrpcRouteSpecRules, GrpcRouteSpecRulesMatchesHeaders } from '../../../imports/gateway.networking.k8s.io';
import { objectMetadata } from '../../private/metadata';
import { gatewayApiApi } from '../../private/upstream';
import { fail } from '../../private/validation';
import { PathMatchType } from '../path-match';
import { describePaths } from '../route-paths';
import { ReleaseRoutes, RequestMatch, Route } from '../routing-model';
import { GatewayApiRouting } from './gateway-api-options';
import { headerMatchParts, parentRefs, requestMirror } from './route-parts';

/**
 * A GRPCRoute matches a gRPC service and method and headers, never a path: a router path
 * other than '/' cannot be kept, so it is refused rather than dropped.
 */
export function checkGrpcRoutePath(options: GatewayApiRouting, routes: ReleaseRoutes): void {
  const [only, ...others] = options.paths;
  if (others.length > 0 || only.type !== PathMatchType.PREFIX || only.normalizedPath !== '/') {
    fail(routes.owner, 'router', `TrafficRouter.gatewayApi({ paths: [${describePaths(options.paths)}] })`,
      'sets a path, which a GRPCRoute cannot match (it matches gRPC services, methods and headers; a call\'s path is /<package>.<Service>/<Method>): leave path and paths out with appProtocol AppProtocol.GRPC');
  }
}

/**
 * For a gRPC app, GRPCRoute `<name>` (gateway.networking.k8s.io/v1) in place of the HTTPRoute:
 * one rule per rule of the main route in order, each header or cookie rule matching one header
 * and the last rule matching every call; with a preview route, GRPCRoute `<name>-preview` at
 * its host. Gateway API ranks a GRPCRoute's rules by the number of header matches before list
 * order (no method match here), so the header and cookie rules outrank the last rule, and list
 * order settles header before cookie, as for the HTTPRoute. The routes passed
 * `checkGatewayApiRoutes`.
 * @see https://gateway-api.sigs.k8s.io/api-types/grpcroute/
 */
export function bindGrpcRoutes(scope: Construct, options: GatewayApiRouting, routes: ReleaseRoutes): void {
  grpcRoute(scope, 'GrpcRoute', routes.main, options.hostnames, options, routes);
  if (routes.preview) grpcRoute(scope, 'PreviewGrpcRoute', routes.preview, [routes.preview.host!], options, routes);
}

function grpcRoute(scope: Construct, id: string, route: Route, hostnames: string[] | undefined, options: GatewayApiRouting, routes: ReleaseRoutes): GrpcRoute {
  const { GrpcRoute, GrpcRouteSpecRulesFiltersType } = gatewayApiApi();
  const rules: GrpcRouteSpecRules[] = route.rules.map((rule) => ({
    name: rule.name,
    matches: rule.match ? [{ headers: [grpcHeaderMatch(rule.match)] }] : undefined,
    filters: rule.mirror ? [{ type: GrpcRouteSpecRulesFiltersType.REQUEST_MIRROR, requestMirror: requestMirror(rule, routes) }] : undefined,
    backendRefs: rule.destinations.map((d) => ({ name: d.backend.serviceName, port: routes.servicePort, weight: d.weight })),
  }));
  return new GrpcRoute(scope, id, {
    metadata: objectMetadata(route.name, routes.metadata.labels, routes.metadata.annotations),
    spec: {
      parentRefs: parentRefs(options.parentRefs),
      hostnames,
      rules,
    },
  });
}

/**
 * A rule's match as a GRPCRoute header match, as for the HTTPRoute; the cookie rule reads the
 * `cookie` metadata key (gRPC metadata keys are lowercase; HTTP/2 sends header names in lowercase
 * anyway).
 */
function grpcHeaderMatch(match: RequestMatch): GrpcRouteSpecRulesMatchesHeaders {
  const { GrpcRouteSpecRulesMatchesHeadersType: Type } = gatewayApiApi();
  const { name, regex, value } = headerMatchParts(match, 'cookie');
  return { name, type: regex ? Type.REGULAR_EXPRESSION : Type.EXACT, value };
}
