/**
 * Gateway API v1.6.1, as the spec orders a route's rules (apis/v1/httproute_types.go, the
 * precedence of HTTPRouteRule matches; apis/v1/grpcroute_types.go for GRPCRoute) and as
 * RequestMirror copies requests.
 *
 * Internal: `RouteSimulator` is the public face.
 */
import { RE2JS } from 're2js';
import { Manifest, Outcome, SimRequest, add, find, headerValue, hostFits, pathFits, serviceVersions } from './simulated-objects';

/** How an implementation applies a RegularExpression header match (implementation-specific in the spec). */
export type RegexMode = 'search' | 'full';

function headersFit(req: SimRequest, headers: any[] | undefined, regex: RegexMode): boolean {
  return (headers ?? []).every((h: any) => {
    const v = headerValue(req, h.name);
    if (v === undefined) return false;
    if ((h.type ?? 'Exact') === 'Exact') return v === h.value;
    const re = RE2JS.compile(h.value);
    return regex === 'full' ? re.matches(v) : re.matcher(v).find();
  });
}

/** Whether key `a` ranks before key `b` (the first differing element is larger). */
function ranksBefore(a: number[], b: number[]): boolean {
  const i = a.findIndex((x, j) => x !== b[j]);
  return i >= 0 && a[i] > b[i];
}

/**
 * Gateway API: a hostname that fits the request's (none listed: every host), then among matching
 * rules an Exact path before a prefix, the longest path, then the most header matches, then list
 * order. `regex` says how the implementation applies a RegularExpression header match: a search,
 * or a match of the whole value (implementation-specific).
 */
function httpRouteRule(manifests: Manifest[], name: string, req: SimRequest, regex: RegexMode): any | undefined {
  const route = find(manifests, 'HTTPRoute', name);
  const hostnames = route.spec.hostnames as string[] | undefined;
  if (req.host !== undefined && hostnames !== undefined && !hostnames.some((h) => hostFits(h, req.host, 'suffix'))) return undefined;
  const path = req.path ?? '/';
  let best: { rule: any; key: number[] } | undefined;
  (route.spec.rules ?? []).forEach((rule: any, index: number) => {
    for (const m of rule.matches ?? [{ path: { type: 'PathPrefix', value: '/' } }]) {
      const type: string = m.path?.type ?? 'PathPrefix';
      const prefix: string = m.path?.value ?? '/';
      if (type === 'RegularExpression') throw new Error(`RouteSimulator: HTTPRoute "${name}": the simulator does not read RegularExpression path matches (implementation-specific)`);
      if (m.method !== undefined || (m.queryParams ?? []).length > 0) {
        throw new Error(`RouteSimulator: HTTPRoute "${name}": the simulator does not read method or queryParams matches`);
      }
      if (!pathFits(type, prefix, path) || !headersFit(req, m.headers, regex)) continue;
      const key = [type === 'Exact' ? 1 : 0, prefix.length, (m.headers ?? []).length, -index];
      if (!best || ranksBefore(key, best.key)) best = { rule, key };
    }
  });
  return best?.rule;
}

/**
 * Gateway API's GRPCRoute: among matching rules, the most header matches, then list order (the
 * spec ranks by hostname, then service and method characters, then header matches). A rule
 * without matches takes every call. Header names are case-insensitive; the request's `path` is
 * not read, and a method match is refused.
 */
function grpcRouteRule(manifests: Manifest[], name: string, req: SimRequest, regex: RegexMode): any | undefined {
  const route = find(manifests, 'GRPCRoute', name);
  const hostnames = route.spec.hostnames as string[] | undefined;
  if (req.host !== undefined && hostnames !== undefined && !hostnames.some((h) => hostFits(h, req.host, 'suffix'))) return undefined;
  let best: { rule: any; key: number[] } | undefined;
  (route.spec.rules ?? []).forEach((rule: any, index: number) => {
    for (const m of rule.matches ?? [{}]) {
      if (m.method) throw new Error(`RouteSimulator: GRPCRoute "${name}": the simulator does not read method matches`);
      if (!headersFit(req, m.headers, regex)) continue;
      const key = [(m.headers ?? []).length, -index];
      if (!best || ranksBefore(key, best.key)) best = { rule, key };
    }
  });
  return best?.rule;
}

/** The versions a Gateway API rule sends its requests to, by the weights of its backendRefs. */
function backendRefsOutcome(manifests: Manifest[], rule: any): Outcome {
  const refs = (rule.backendRefs ?? []) as Array<{ name: string; weight?: number }>;
  const total = refs.reduce((n, r) => n + (r.weight ?? 1), 0);
  const out: Outcome = {};
  for (const r of refs) add(out, serviceVersions(manifests, r.name), total === 0 ? 0 : (r.weight ?? 1) / total);
  return out;
}

/**
 * The share of a rule's requests its RequestMirror filters copy to each version (responses
 * discarded): each filter's `percent`, or `fraction` (denominator 100 by default), or every
 * request when it has neither.
 */
function mirrorFilters(manifests: Manifest[], rule: any): Outcome {
  const out: Outcome = {};
  for (const filter of rule?.filters ?? []) {
    if (filter.type !== 'RequestMirror') continue;
    const m = filter.requestMirror;
    const share = m.percent !== undefined ? m.percent / 100 : m.fraction ? m.fraction.numerator / (m.fraction.denominator ?? 100) : 1;
    add(out, serviceVersions(manifests, m.backendRef.name), share);
  }
  return out;
}

/** Gateway API: the versions the HTTPRoute rule that takes such requests sends them to. */
export function routeGatewayApi(manifests: Manifest[], name: string, req: SimRequest, regex: RegexMode): Outcome {
  const rule = httpRouteRule(manifests, name, req, regex);
  return rule ? backendRefsOutcome(manifests, rule) : {};
}

/** Gateway API: the versions the GRPCRoute rule that takes such calls sends them to. */
export function routeGatewayApiGrpc(manifests: Manifest[], name: string, req: SimRequest, regex: RegexMode): Outcome {
  const rule = grpcRouteRule(manifests, name, req, regex);
  return rule ? backendRefsOutcome(manifests, rule) : {};
}

/** Gateway API: the share of such requests the HTTPRoute rule that takes them copies to each version. */
export function mirrorGatewayApi(manifests: Manifest[], name: string, req: SimRequest, regex: RegexMode): Outcome {
  return mirrorFilters(manifests, httpRouteRule(manifests, name, req, regex));
}

/** Gateway API: the share of such calls the GRPCRoute rule that takes them copies to each version. */
export function mirrorGatewayApiGrpc(manifests: Manifest[], name: string, req: SimRequest, regex: RegexMode): Outcome {
  return mirrorFilters(manifests, grpcRouteRule(manifests, name, req, regex));
}
