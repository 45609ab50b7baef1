/**
 * Istio 1.30 (networking.istio.io/v1), as Envoy applies the routes pilot writes: a
 * VirtualService's http routes in order, the first whose match fits; StringMatch regexes are RE2
 * and match the whole value (Envoy's safe_regex); a subset is the DestinationRule's labels.
 *
 * Internal: `RouteSimulator` is the public face.
 */
import { RE2JS } from 're2js';
import { Manifest, Outcome, SimRequest, add, find, headerValue, hostFits, serviceVersions } from './simulated-objects';

/** A destination host as a Service name: `myapp`, or `myapp.<namespace>[.svc.cluster.local]`. */
function serviceName(host: string): string {
  return host.split('.')[0];
}

function istioDestination(manifests: Manifest[], destination: { host: string; subset?: string }): Outcome {
  const service = serviceName(destination.host);
  if (!destination.subset) return serviceVersions(manifests, service);
  const rule = manifests.find((m) => m.kind === 'DestinationRule' && serviceName(m.spec.host) === service);
  const subset = rule?.spec.subsets?.find((s: any) => s.name === destination.subset);
  if (!subset) return {}; // Envoy: no healthy upstream
  return serviceVersions(manifests, service, subset.labels);
}

/** Istio's StringMatch: exact, a prefix of characters, or an RE2 regex on the whole value. */
function istioStringFits(cond: any, v: string | undefined): boolean {
  if (v === undefined) return false;
  if (cond.exact !== undefined) return v === cond.exact;
  if (cond.prefix !== undefined) return v.startsWith(cond.prefix);
  if (cond.regex !== undefined) return RE2JS.compile(cond.regex).matches(v);
  return false;
}

/**
 * Istio: a VirtualService host that fits the request's host (none given: the mesh's own
 * Service), then the first http route whose match fits (uri and headers); regexes match the
 * whole value (RE2).
 */
function istioRoute(manifests: Manifest[], name: string, req: SimRequest): any | undefined {
  const vs = find(manifests, 'VirtualService', name);
  if (req.host !== undefined && !(vs.spec.hosts as string[]).some((h) => h === '*' || hostFits(h, req.host, 'suffix'))) return undefined;
  return (vs.spec.http ?? []).find((http: any) => !http.match || http.match.some((m: any) => (m.uri === undefined || istioStringFits(m.uri, req.path ?? '/'))
    && Object.entries(m.headers ?? {}).every(([h, cond]: [string, any]) => istioStringFits(cond, headerValue(req, h)))));
}

/** Istio: the versions the first fitting http route sends such requests to. */
export function routeIstio(manifests: Manifest[], name: string, req: SimRequest): Outcome {
  const http = istioRoute(manifests, name, req);
  if (!http) return {};
  const routes = (http.route ?? []) as Array<{ destination: any; weight?: number }>;
  const total = routes.length === 1 ? 1 : routes.reduce((n, r) => n + (r.weight ?? 0), 0);
  const out: Outcome = {};
  for (const r of routes) add(out, istioDestination(manifests, r.destination), routes.length === 1 ? 1 : (r.weight ?? 0) / total);
  return out;
}

/**
 * Istio: the share of such requests the fitting http route copies to each version (responses
 * discarded): `mirror` at `mirrorPercentage` (100% when absent), and each of `mirrors`
 * (pilot/pkg/networking/core/route/route.go, MirrorPercent and MirrorPercentByPolicy).
 */
export function mirrorIstio(manifests: Manifest[], name: string, req: SimRequest): Outcome {
  const http = istioRoute(manifests, name, req);
  const out: Outcome = {};
  if (!http) return out;
  const percent = (p: { value?: number } | undefined) => (p === undefined ? 100 : p.value ?? 0) / 100;
  if (http.mirror) add(out, istioDestination(manifests, http.mirror), percent(http.mirrorPercentage));
  for (const m of http.mirrors ?? []) add(out, istioDestination(manifests, m.destination), percent(m.percentage));
  return out;
}
