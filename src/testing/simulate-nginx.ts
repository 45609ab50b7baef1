/**
 * ingress-nginx v1.15, as its code routes a request: the controller merges a canary Ingress into
 * the main Ingress's location with the same host, path and pathType
 * (internal/ingress/controller/controller.go, mergeAlternativeBackends), and balancer.lua's
 * route_to_alternative_balancer sends a request there by header, then cookie, then weight.
 *
 * Internal: `RouteSimulator` is the public face.
 */
import { Manifest, Outcome, SimRequest, add, cookieValue, find, headerValue, hostFits, pathFits, serviceVersions } from './simulated-objects';

const CANARY = 'nginx.ingress.kubernetes.io/canary';

/** Whether an Ingress is a canary (merged into a main Ingress, never served on its own). */
export function isNginxCanary(ingress: Manifest): boolean {
  return ingress.metadata.annotations?.[CANARY] === 'true';
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
  // The canary Ingress's own path at that location: its backend is the location's alternative one.
  const sameLocation = (m: Manifest) => (m.spec.rules as any[]).filter((r) => r.host === location.host)
    .flatMap((r) => r.http.paths as any[]).find((p) => p.path === path.path && p.pathType === path.pathType);
  const canary = manifests.find((m) => m.kind === 'Ingress' && isNginxCanary(m)
    && m.spec.ingressClassName === main.spec.ingressClassName && sameLocation(m) !== undefined);
  const mainVersions = serviceVersions(manifests, path.backend.service.name);
  if (!canary) return mainVersions;
  const canaryVersions = serviceVersions(manifests, sameLocation(canary).backend.service.name);
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

/**
 * ingress-nginx's mirror copies requests to a URL (`mirror-target`), not to a Service's pods:
 * the simulator cannot say which versions receive the copies, so it says so rather than
 * answering nothing. Without a mirror annotation on the main Ingress, no version gets a copy.
 */
export function mirrorNginx(manifests: Manifest[], name: string, req: SimRequest): Outcome {
  const main = find(manifests, 'Ingress', name);
  const target = main.metadata.annotations?.['nginx.ingress.kubernetes.io/mirror-target'];
  if (target !== undefined && nginxLocation(main, req)) {
    throw new Error(`RouteSimulator: Ingress "${name}" mirrors to the URL ${JSON.stringify(target)} (nginx.ingress.kubernetes.io/mirror-target): the simulator cannot tell which versions a URL reaches`);
  }
  return {};
}
