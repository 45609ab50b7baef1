import { FlaggerRouterSpec } from '../engine-contracts';
import { cookieHeaderPattern, stringMatch } from '../match-patterns';
import { canaryMatchRules } from '../route-table';
import { refuseMirror } from '../route-mirror';
import { ReleaseRoutes } from '../routing-model';
import { GatewayApiRouterOptions } from './gateway-api-options';
import { checkHeaderValueLength } from './http-route';

/** What Flagger cannot run with Gateway API: a header value over the HTTPRoute limit. */
export function checkGatewayApiFlagger(_options: GatewayApiRouterOptions, routes: ReleaseRoutes): void {
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
export function gatewayApiFlaggerSpec(options: GatewayApiRouterOptions, routes: ReleaseRoutes): FlaggerRouterSpec {
  const match = canaryMatchRules(routes.main).map((rule) => {
    const header = rule.match!.header;
    return header
      ? { headers: { [header.name]: stringMatch(header) } }
      : { headers: { Cookie: { regex: cookieHeaderPattern(rule.match!.cookie!.name, rule.match!.cookie!.value) } } };
  });
  return {
    provider: 'gatewayapi:v1',
    service: {
      gatewayRefs: options.parentRefs.map((ref) => ({ name: ref.name, namespace: ref.namespace, sectionName: ref.sectionName })),
      hosts: options.hostnames,
      match: options.path && options.path !== '/' ? [{ uri: { prefix: options.path } }] : undefined,
    },
    match: match.length > 0 ? match : undefined,
    // pkg/router/gateway_api.go: the HTTPRoute takes the apex Service's name.
    generatedObjects: [{ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', name: routes.name }],
  };
}
