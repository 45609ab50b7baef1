/**
 * Sends a request through synthesized manifests the way each controller would, and says which
 * versions receive it (as fractions, for weighted rules). Written from the controllers' code:
 * ingress-nginx's balancer.lua (route_to_alternative_balancer), Istio's in-order HTTP routes
 * with Envoy's full-match RE2 regexes, and Gateway API's match precedence (HTTPRoute and
 * GRPCRoute). `mirrorIstio` and `mirrorGatewayApi` say, for the same request, the share of such
 * requests copied to each version (a mirror, whose responses are discarded).
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

/** A request's host against a rule's host: exact, or a `*.` wildcard standing for one label; a rule without a host takes every host. */
function hostFits(ruleHost: string | undefined, reqHost: string | undefined): boolean {
  if (ruleHost === undefined) return true;
  if (reqHost === undefined) return false;
  if (ruleHost.startsWith('*.')) {
    const rest = ruleHost.slice(1);
    return reqHost.endsWith(rest) && !reqHost.slice(0, -rest.length).includes('.') && reqHost.length > rest.length;
  }
  return ruleHost === reqHost;
}

/** An Ingress / Gateway API path: `Exact`, or a prefix element by element (a trailing '/' ignored). */
function pathFits(type: string, value: string, reqPath: string): boolean {
  if (type === 'Exact') return reqPath === value;
  const prefix = value.replace(/\/+$/, '');
  return prefix === '' || reqPath === prefix || reqPath.startsWith(`${prefix}/`);
}

/**
 * The location ingress-nginx serves a request from among an Ingress's rules: the server whose
 * host fits (the rule without a host is the default server `_`; a request with no host is taken to
 * the first rule's), then an exact path before the
 * longest prefix. Undefined when no rule fits (a 404).
 */
function nginxLocation(ingress: Manifest, req: SimRequest): { host?: string; path: any } | undefined {
  const path = req.path ?? '/';
  const servers = ingress.spec.rules as Array<{ host?: string; http: { paths: any[] } }>;
  // A request that names no host is taken to the first rule's host.
  const server = req.host === undefined ? servers[0] : servers.find((r) => r.host !== undefined && r.host === req.host)
    ?? servers.find((r) => r.host !== undefined && r.host.startsWith('*.') && hostFits(r.host, req.host))
    ?? servers.find((r) => r.host === undefined);
  if (!server) return undefined;
  const fits = server.http.paths.filter((p) => pathFits(p.pathType, p.path, path));
  const best = fits.find((p) => p.pathType === 'Exact') ?? fits.sort((a, b) => b.path.length - a.path.length)[0];
  return best ? { host: server.host, path: best } : undefined;
}

/**
 * ingress-nginx: the location of main Ingress `name` that serves the request, and the canary
 * Ingress of the same class with exactly that host, path and pathType (controller.go,
 * mergeAlternativeBackends). A request no rule serves gets nothing (a 404).
 */
export function routeNginx(manifests: Manifest[], name: string, req: SimRequest): Outcome {
  const main = find(manifests, 'Ingress', name);
  const location = nginxLocation(main, req);
  if (!location) return {};
  const path = location.path;
  const canary = manifests.find((m) => m.kind === 'Ingress' && m.metadata.annotations?.['nginx.ingress.kubernetes.io/canary'] === 'true'
    && m.spec.ingressClassName === main.spec.ingressClassName
    && (m.spec.rules as any[]).some((r) => r.host === location.host
      && (r.http.paths as any[]).some((p) => p.path === path.path && p.pathType === path.pathType)));
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
  if (req.host !== undefined && !(vs.spec.hosts as string[]).some((h) => h === '*' || hostFits(h, req.host))) return undefined;
  return vs.spec.http.find((http: any) => !http.match || http.match.some((m: any) => (m.uri === undefined || istioStringFits(m.uri, req.path ?? '/'))
    && Object.entries(m.headers ?? {}).every(([h, cond]: [string, any]) => istioStringFits(cond, headerValue(req, h)))));
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
 * Gateway API: a hostname that fits the request's (none listed: every host), then among matching
 * rules an Exact path before a prefix, the longest path, then the most header matches, then list
 * order. `regex` says how the implementation applies a RegularExpression header match: a search,
 * or a match of the whole value (implementation-specific).
 */
function gatewayApiRule(manifests: Manifest[], name: string, req: SimRequest, regex: 'search' | 'full'): any | undefined {
  const route = find(manifests, 'HTTPRoute', name);
  const hostnames = route.spec.hostnames as string[] | undefined;
  if (req.host !== undefined && hostnames !== undefined && !hostnames.some((h) => hostFits(h, req.host))) return undefined;
  const path = req.path ?? '/';
  let best: { rule: any; key: number[] } | undefined;
  route.spec.rules.forEach((rule: any, index: number) => {
    for (const m of rule.matches ?? [{ path: { type: 'PathPrefix', value: '/' } }]) {
      const type: string = m.path?.type ?? 'PathPrefix';
      const prefix: string = m.path?.value ?? '/';
      const pathOk = pathFits(type, prefix, path);
      const headersOk = (m.headers ?? []).every((h: any) => {
        const v = headerValue(req, h.name);
        if (v === undefined) return false;
        if ((h.type ?? 'Exact') === 'Exact') return v === h.value;
        const re = RE2JS.compile(h.value);
        return regex === 'full' ? re.matches(v) : re.matcher(v).find();
      });
      if (!pathOk || !headersOk) continue;
      const key = [type === 'Exact' ? 1 : 0, prefix.length, (m.headers ?? []).length, -index];
      const better = (a: number[], b: number[]): boolean => a.findIndex((x, i) => x !== b[i]) >= 0 && a[a.findIndex((x, i) => x !== b[i])] > b[a.findIndex((x, i) => x !== b[i])];
      if (!best || better(key, best.key)) best = { rule, key };
    }
  });
  return best?.rule;
}

/** The versions a Gateway API rule sends its requests to, by the weights of its backendRefs. */
function backendRefsOutcome(manifests: Manifest[], rule: any): Outcome {
  const refs = rule.backendRefs as Array<{ name: string; weight?: number }>;
  const total = refs.reduce((n, r) => n + (r.weight ?? 1), 0);
  const out: Outcome = {};
  for (const r of refs) add(out, serviceVersions(manifests, r.name), total === 0 ? 0 : (r.weight ?? 1) / total);
  return out;
}

/**
 * Gateway API's GRPCRoute: among matching rules, the most header matches, then list order (the
 * spec ranks by hostname, then service and method characters, then header matches; the
 * library writes no method match). A rule without matches takes every call. `regex` as for
 * `routeGatewayApi`. Header names are case-insensitive; the request's `path` is not read.
 */
export function routeGatewayApiGrpc(manifests: Manifest[], name: string, req: SimRequest, regex: 'search' | 'full'): Outcome {
  const route = find(manifests, 'GRPCRoute', name);
  let best: { rule: any; key: number[] } | undefined;
  route.spec.rules.forEach((rule: any, index: number) => {
    for (const m of rule.matches ?? [{}]) {
      if (m.method) throw new Error(`GRPCRoute ${name}: the simulator does not read method matches`);
      const headersOk = (m.headers ?? []).every((h: any) => {
        const v = headerValue(req, h.name);
        if (v === undefined) return false;
        if ((h.type ?? 'Exact') === 'Exact') return v === h.value;
        const re = RE2JS.compile(h.value);
        return regex === 'full' ? re.matches(v) : re.matcher(v).find();
      });
      if (!headersOk) continue;
      const key = [(m.headers ?? []).length, -index];
      if (!best || key[0] > best.key[0] || (key[0] === best.key[0] && key[1] > best.key[1])) best = { rule, key };
    }
  });
  return best ? backendRefsOutcome(manifests, best.rule) : {};
}

/** Gateway API: the versions the rule that takes such requests sends them to. */
export function routeGatewayApi(manifests: Manifest[], name: string, req: SimRequest, regex: 'search' | 'full'): Outcome {
  const rule = gatewayApiRule(manifests, name, req, regex);
  return rule ? backendRefsOutcome(manifests, rule) : {};
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
