import { FlaggerRouterSpec } from '../engine-contracts';
import { cookieHeaderPattern, stringMatch } from '../match-patterns';
import { fail } from '../../private/validation';
import { PathMatch, PathMatchType } from '../path-match';
import { canaryMatchRules, isGrpc } from '../route-table';
import { flaggerSessionAffinity } from '../sticky-cookie';
import { refuseMirror } from '../route-mirror';
import { ReleaseRoutes } from '../routing-model';
import { GatewayApiRouting } from './gateway-api-options';
import { parentRefs } from './route-parts';
import { checkHeaderValueLength } from './http-route';

/**
 * What Flagger cannot run with Gateway API: a gRPC app (Flagger v1.44 generates an HTTPRoute
 * only: pkg/router/gateway_api.go builds a v1.HTTPRoute and no GRPCRoute), a header value over
 * the HTTPRoute limit.
 */
export function checkGatewayApiFlagger(_options: GatewayApiRouting, routes: ReleaseRoutes): void {
  if (isGrpc(routes)) {
    fail(routes.owner, 'router', 'TrafficRouter.gatewayApi()', 'cannot route a gRPC app (appProtocol AppProtocol.GRPC) under DeliveryEngine.flagger(): Flagger (v1.44, pkg/router/gateway_api.go) generates an HTTPRoute only, never a GRPCRoute; use TrafficRouter.istio() or TrafficRouter.nginx() with Flagger, or Gateway API with DeliveryEngine.argoRollouts() or DeliveryEngine.manifests()');
  }
  // Flagger v1.44.0 pkg/router/gateway_api.go:385: the RequestMirror filter is added only with
  // iterations (blue-green), never while a canary's weights are shifted.
  refuseMirror(routes, 'cannot be expressed with DeliveryEngine.flagger() and TrafficRouter.gatewayApi(): Flagger\'s Gateway API router mirrors in blue-green analyses only, never in a canary\'s; '
    + 'use TrafficRouter.istio(), or mirror with DeliveryEngine.manifests()');
  for (const rule of routes.main.rules) checkHeaderValueLength(routes.owner, rule.match);
}

/**
 * For Flagger: it generates the HTTPRoute `<name>` from the Canary's `service.gatewayRefs`,
 * `hosts` and `match` (the path); the A/B matches are Istio-style matches it maps to HTTPRoute
 * header matches (pkg/router/gateway_api.go).
 */
export function gatewayApiFlaggerSpec(options: GatewayApiRouting, routes: ReleaseRoutes): FlaggerRouterSpec {
  const match = canaryMatchRules(routes.main).map((rule) => {
    const header = rule.match!.header;
    return header
      ? { headers: { [header.name]: stringMatch(header) } }
      : { headers: { Cookie: { regex: cookieHeaderPattern(rule.match!.cookie!.name, rule.match!.cookie!.value) } } };
  });
  return {
    provider: 'gatewayapi:v1',
    service: {
      gatewayRefs: parentRefs(options.parentRefs),
      hosts: options.hostnames,
      match: flaggerPathMatches(options.paths),
    },
    match: match.length > 0 ? match : undefined,
    sessionAffinity: flaggerSessionAffinity(routes),
    // pkg/router/gateway_api.go: the HTTPRoute takes the apex Service's name.
    generatedObjects: [{ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', name: routes.name }],
  };
}

/**
 * The paths as the Canary's `service.match` uri matches, which Flagger turns into the HTTPRoute's
 * path matches (`uri.exact` -> `Exact`, `uri.prefix` -> `PathPrefix`) and crosses with each A/B
 * match (pkg/router/gateway_api.go, mapRouteMatches and mergeMatchConditions, v1.44.0). Left out
 * for every path: Flagger then matches `PathPrefix /` itself.
 */
function flaggerPathMatches(paths: PathMatch[]): Array<{ [key: string]: any }> | undefined {
  if (paths.length === 1 && paths[0].type === PathMatchType.PREFIX && paths[0].normalizedPath === '/') return undefined;
  return paths.map((p) => ({ uri: p.type === PathMatchType.EXACT ? { exact: p.path } : { prefix: p.path } }));
}
