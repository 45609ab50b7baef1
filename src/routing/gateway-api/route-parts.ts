/**
 * What an HTTPRoute and a GRPCRoute write alike: the Gateways they attach to, a rule's header or
 * cookie match, and its mirror. Each renderer wraps these in its own kind's types.
 */
import { HeaderMatchType } from '../header-match';
import { cookieHeaderPattern } from '../match-patterns';
import { ReleaseRoutes, RequestMatch, RouteRule } from '../routing-model';
import { GatewayParentRef } from './gateway-api-options';

/** The Gateways (or listeners) a route attaches to, as the routes' `parentRefs` (and Flagger's `gatewayRefs`) write them. */
export function parentRefs(refs: GatewayParentRef[]): GatewayParentRef[] {
  return refs.map((ref) => ({ name: ref.name, namespace: ref.namespace, sectionName: ref.sectionName }));
}

/** A rule's match as one header match of either kind: an exact value, or an anchored RE2 regex. */
export interface HeaderMatchParts {
  readonly name: string;
  /** Whether the value is a regular expression (`RegularExpression`), else `Exact`. */
  readonly regex: boolean;
  readonly value: string;
}

/**
 * A rule's match as a header match: header names are case-insensitive in Gateway API; regexes
 * are anchored so a search and a whole-value match agree; a cookie is a regex on `cookieHeader`
 * (`Cookie` for HTTP, the lowercase gRPC metadata key `cookie` for gRPC).
 */
export function headerMatchParts(match: RequestMatch, cookieHeader: string): HeaderMatchParts {
  const header = match.header;
  if (!header) return { name: cookieHeader, regex: true, value: cookieHeaderPattern(match.cookie!.name, match.cookie!.value) };
  return header.type === HeaderMatchType.EXACT
    ? { name: header.name, regex: false, value: header.value }
    : { name: header.name, regex: true, value: header.anchoredPattern };
}

/**
 * A rule's mirror as a RequestMirror filter's body: the canary's Service and port, and `percent`
 * (standard channel since Gateway API v1.3, GEP-3171).
 */
export function requestMirror(rule: RouteRule, routes: ReleaseRoutes): { backendRef: { name: string; port: number }; percent: number } | undefined {
  return rule.mirror ? { backendRef: { name: rule.mirror.backend.serviceName, port: routes.servicePort }, percent: rule.mirror.percent } : undefined;
}
