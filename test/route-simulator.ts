/**
 * Sends a request through synthesized manifests the way each controller would, and says which
 * versions receive it (as fractions, for weighted rules). Written from the controllers' code:
 * ingress-nginx's balancer.lua (route_to_alternative_balancer), Istio's in-order HTTP routes
 * with Envoy's full-match RE2 regexes, and Gateway API's match precedence. `mirrorIstio` and
 * `mirrorGatewayApi` say, for the same request, the share of such requests copied to each
 * version (a mirror, whose responses are discarded).
 */
import { RE2JS } from 're2js';

export type Manifest = { apiVersion: string; kind: string; metadata: { name: string; annotations?: Record<string, string> }; spec?: any };

/** A request: headers by name (any case) and cookies in the order they are sent. */
export interface SimRequest {
  readonly headers?: Record<string, string>;
  readonly cookies?: Array<[string, string]>;
  readonly host?: string;
  readonly path?: string;
}

/** Version -> share of such requests. */
export type Outcome = Record<string, number>;

function find(manifests: Manifest[], kind: string, name: string): Manifest {
  const obj = manifests.find((m) => m.kind === kind && m.metadata.name === name);
  if (!obj) throw new Error(`no ${kind} ${name} in the manifests`);
  return obj;
}

function headerValue(req: SimRequest, name: string): string | undefined {
  if (name.toLowerCase() === 'cookie' && req.cookies) return req.cookies.map(([k, v]) => `${k}=${v}`).join('; ');
  const entry = Object.entries(req.headers ?? {}).find(([k]) => k.toLowerCase() === name.toLowerCase());
  return entry?.[1];
}

/** nginx's $cookie_<name>: the first cookie of that name. */
function cookieValue(req: SimRequest, name: string): string | undefined {
  return req.cookies?.find(([k]) => k === name)?.[1];
}

function add(into: Outcome, from: Outcome, share: number): void {
  for (const [version, s] of Object.entries(from)) into[version] = (into[version] ?? 0) + s * share;
}

/** The versions a Service sends to: its selector against the Deployments' pod labels, by replicas. */
export function serviceVersions(manifests: Manifest[], serviceName: string, extraLabels: Record<string, string> = {}): Outcome {
  const service = find(manifests, 'Service', serviceName);
  const selector = { ...service.spec.selector, ...extraLabels };
  const pods = manifests.filter((m) => m.kind === 'Deployment' && Object.entries(selector).every(([k, v]) => m.spec.template.metadata.labels?.[k] === v));
  const total = pods.reduce((n, d) => n + d.spec.replicas, 0);
  const out: Outcome = {};
  if (total === 0) return out;
  for (const d of pods) add(out, { [d.spec.template.metadata.labels.version]: 1 }, d.spec.replicas / total);
  return out;
}

/** ingress-nginx: main Ingress `name`, and the canary Ingress for the same host, path, class. */
export function routeNginx(manifests: Manifest[], name: string, req: SimRequest): Outcome {
  const main = find(manifests, 'Ingress', name);
  const rule = main.spec.rules[0];
  const path = rule.http.paths[0];
  const canary = manifests.find((m) => m.kind === 'Ingress' && m.metadata.annotations?.['nginx.ingress.kubernetes.io/canary'] === 'true'
    && m.spec.ingressClassName === main.spec.ingressClassName
    && m.spec.rules[0].host === rule.host && m.spec.rules[0].http.paths[0].path === path.path
    && m.spec.rules[0].http.paths[0].pathType === path.pathType);
  const mainVersions = serviceVersions(manifests, path.backend.service.name);
  if (!canary) return mainVersions;
  const canaryVersions = serviceVersions(manifests, canary.spec.rules[0].http.paths[0].backend.service.name);
  const a = (key: string) => canary.metadata.annotations?.[`nginx.ingress.kubernetes.io/${key}`];

  const headerName = a('canary-by-header');
  const header = headerName ? headerValue(req, headerName) : undefined;
  if (header !== undefined) {
    const value = a('canary-by-header-value');
    const pattern = a('canary-by-header-pattern');
    if (value) {
      if (value === header) return canaryVersions;
    } else if (pattern) {
      if (new RegExp(pattern).test(header)) return canaryVersions; // ngx.re.match: a PCRE search
    } else if (header === 'always') {
      return canaryVersions;
    } else if (header === 'never') {
      return mainVersions;
    }
  }
  const cookieName = a('canary-by-cookie');
  const cookie = cookieName ? cookieValue(req, cookieName) : undefined;
  if (cookie === 'always') return canaryVersions;
  if (cookie === 'never') return mainVersions;

  const weight = Number(a('canary-weight') ?? 0);
  const totalAnnotation = Number(a('canary-weight-total') ?? 100);
  const total = totalAnnotation > 100 ? totalAnnotation : 100;
  const p = Math.min(Math.max(weight, 0), total) / total; // math.random(total) <= weight
  const out: Outcome = {};
  add(out, canaryVersions, p);
  add(out, mainVersions, 1 - p);
  return out;
}

function istioDestination(manifests: Manifest[], destination: { host: string; subset?: string }): Outcome {
  if (!destination.subset) return serviceVersions(manifests, destination.host);
  const rule = manifests.find((m) => m.kind === 'DestinationRule' && m.spec.host === destination.host);
  const subset = rule?.spec.subsets.find((s: any) => s.name === destination.subset);
  if (!subset) return {}; // Envoy: no healthy upstream
  return serviceVersions(manifests, destination.host, subset.labels);
}

/** Istio: the first http route whose match fits; regexes match the whole value (RE2). */
function istioRoute(manifests: Manifest[], name: string, req: SimRequest): any | undefined {
  const vs = find(manifests, 'VirtualService', name);
  return vs.spec.http.find((http: any) => !http.match || http.match.some((m: any) => Object.entries(m.headers ?? {}).every(([h, cond]: [string, any]) => {
    const v = headerValue(req, h);
    if (v === undefined) return false;
    if (cond.exact !== undefined) return v === cond.exact;
    if (cond.regex !== undefined) return RE2JS.compile(cond.regex).matches(v);
    return false;
  })));
}

/** Istio: the versions the first fitting http route sends such requests to. */
export function routeIstio(manifests: Manifest[], name: string, req: SimRequest): Outcome {
  const http = istioRoute(manifests, name, req);
  if (!http) return {};
  const routes = http.route as Array<{ destination: any; weight?: number }>;
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

/**
 * Gateway API: among matching rules, the longest path prefix, then the most header matches,
 * then list order. `regex` says how the implementation applies a RegularExpression header
 * match: a search, or a match of the whole value (implementation-specific).
 */
function gatewayApiRule(manifests: Manifest[], name: string, req: SimRequest, regex: 'search' | 'full'): any | undefined {
  const route = find(manifests, 'HTTPRoute', name);
  const path = req.path ?? '/';
  let best: { rule: any; key: number[] } | undefined;
  route.spec.rules.forEach((rule: any, index: number) => {
    for (const m of rule.matches ?? [{ path: { type: 'PathPrefix', value: '/' } }]) {
      const prefix: string = m.path?.value ?? '/';
      const pathOk = prefix === '/' || path === prefix || path.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`);
      const headersOk = (m.headers ?? []).every((h: any) => {
        const v = headerValue(req, h.name);
        if (v === undefined) return false;
        if ((h.type ?? 'Exact') === 'Exact') return v === h.value;
        const re = RE2JS.compile(h.value);
        return regex === 'full' ? re.matches(v) : re.matcher(v).find();
      });
      if (!pathOk || !headersOk) continue;
      const key = [prefix.length, (m.headers ?? []).length, -index];
      if (!best || key[0] > best.key[0] || (key[0] === best.key[0] && (key[1] > best.key[1] || (key[1] === best.key[1] && key[2] > best.key[2])))) {
        best = { rule, key };
      }
    }
  });
  return best?.rule;
}

/** Gateway API: the versions the rule that takes such requests sends them to. */
export function routeGatewayApi(manifests: Manifest[], name: string, req: SimRequest, regex: 'search' | 'full'): Outcome {
  const rule = gatewayApiRule(manifests, name, req, regex);
  if (!rule) return {};
  const refs = rule.backendRefs as Array<{ name: string; weight?: number }>;
  const total = refs.reduce((n, r) => n + (r.weight ?? 1), 0);
  const out: Outcome = {};
  for (const r of refs) add(out, serviceVersions(manifests, r.name), total === 0 ? 0 : (r.weight ?? 1) / total);
  return out;
}

/**
 * Gateway API: the share of such requests the rule that takes them copies to each version
 * (responses discarded): each RequestMirror filter's `percent`, or `fraction` (denominator 100
 * by default), or every request when it has neither.
 */
export function mirrorGatewayApi(manifests: Manifest[], name: string, req: SimRequest, regex: 'search' | 'full'): Outcome {
  const rule = gatewayApiRule(manifests, name, req, regex);
  const out: Outcome = {};
  for (const filter of rule?.filters ?? []) {
    if (filter.type !== 'RequestMirror') continue;
    const m = filter.requestMirror;
    const share = m.percent !== undefined ? m.percent / 100 : m.fraction ? m.fraction.numerator / (m.fraction.denominator ?? 100) : 1;
    add(out, serviceVersions(manifests, m.backendRef.name), share);
  }
  return out;
}
