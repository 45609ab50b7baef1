/**
 * What must hold of the synthesized objects of a valid release, checked against the model
 * (release-model.ts). Each check throws an Error saying which invariant broke and on what.
 */
import { BlueGreenSpec, CanarySpec, ReleaseSpec, RequestSpec, TrackSpec } from './arbitraries';
import { describeViolations, checkPodSecurity } from './pod-security';
import {
  Outcome, appNameOf, expectedCanaryOutcome, expectedObjects, expectedPssControls, expectedReplicaRatio, expectedSelection,
  isQualifiedName, mergeSecurity, slug, trackOutcomeOf,
} from './release-model';
import { Manifest, routeGatewayApi, routeIstio, routeNginx, serviceVersions } from './route-simulator';
import { K8sObject, PATH_LABEL, podsSelectedBy } from './util';

function fail(what: string, detail: unknown): never {
  throw new Error(`${what}: ${typeof detail === 'string' ? detail : JSON.stringify(detail)}`);
}

/** JSON with object keys sorted, so that key order does not matter. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v));
}

function eq(what: string, actual: unknown, expected: unknown): void {
  const a = canonical(actual);
  const e = canonical(expected);
  if (a !== e) fail(what, `expected ${e}, got ${a}`);
}

function byId(manifests: K8sObject[], kind: string, name: string): K8sObject {
  const found = manifests.filter((o) => o.kind === kind && o.metadata.name === name);
  if (found.length !== 1) fail(`expected one ${kind} "${name}"`, `found ${found.length}`);
  return found[0];
}

/** What the API server checks beyond the OpenAPI schemas (and beyond util.ts's checks). */
export function checkApiServerExtras(manifests: K8sObject[]): void {
  for (const o of manifests) {
    for (const key of Object.keys(o.metadata.annotations ?? {})) {
      if (!isQualifiedName(key)) fail(`${o.kind} "${o.metadata.name}": invalid annotation key`, key);
    }
    if (o.kind === 'Ingress') {
      for (const rule of o.spec.rules ?? []) {
        if (rule.host !== undefined && /^\d+(\.\d+){3}$/.test(rule.host)) fail(`Ingress "${o.metadata.name}": host must be a DNS name, not an IP address`, rule.host);
      }
    }
    if (o.kind === 'Deployment') {
      for (const c of o.spec.template.spec.containers) {
        const sc = c.securityContext ?? {};
        if (sc.privileged === true && sc.allowPrivilegeEscalation === false) fail(`Deployment "${o.metadata.name}": privileged with allowPrivilegeEscalation false`, sc);
        for (const kind of ['cpu', 'memory']) {
          const req = c.resources?.requests?.[kind];
          const lim = c.resources?.limits?.[kind];
          if (req !== undefined && lim !== undefined && quantity(req) > quantity(lim)) fail(`Deployment "${o.metadata.name}": ${kind} request above limit`, c.resources);
        }
      }
    }
  }
}

function quantity(q: string): number {
  const m = /^(\d+(?:\.\d+)?)(m|Mi|Gi)?$/.exec(q);
  if (!m) fail('unparsable quantity', q);
  const n = Number(m[1]);
  return m[2] === 'm' ? n / 1000 : m[2] === 'Mi' ? n * 2 ** 20 : m[2] === 'Gi' ? n * 2 ** 30 : n;
}

/** No two objects of one kind share a name in a namespace. */
export function checkUniqueNames(manifests: K8sObject[]): void {
  const seen = new Set<string>();
  for (const o of manifests) {
    const key = `${o.apiVersion.split('/')[0]}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    if (seen.has(key)) fail('two objects of one kind share a name in a namespace', key);
    seen.add(key);
  }
}

/** Exactly the expected objects, no more, no fewer. */
export function checkInventory(manifests: K8sObject[], specs: ReleaseSpec[]): void {
  const actual = manifests.map((o) => `${o.kind}/${o.metadata.name}`).sort();
  const expected = specs.flatMap(expectedObjects).sort();
  eq('the objects emitted', actual, expected);
}

function tracksOf(spec: ReleaseSpec): TrackSpec[] {
  if (spec.type === 'canary') return spec.canary ? [spec.stable, spec.canary] : [spec.stable];
  return [spec.blue, spec.green].filter((t): t is TrackSpec => t !== undefined);
}

/** Deployments, Services and their selection, containers and pod security of one release. */
export function checkWorkloads(spec: ReleaseSpec, manifests: K8sObject[]): void {
  const name = appNameOf(spec);
  const deployments = manifests.filter((o) => o.kind === 'Deployment');
  for (const track of tracksOf(spec)) {
    const d = byId(manifests, 'Deployment', `${name}-${slug(track.version)}`);
    const where = `Deployment "${d.metadata.name}"`;
    eq(`${where} selector`, d.spec.selector, { matchLabels: { app: name, version: track.version } });
    const labels = d.spec.template.metadata.labels;
    if (labels[PATH_LABEL] !== undefined) fail(`${where} pod template carries the path label`, labels);
    eq(`${where} pod labels`, labels, { ...spec.podMetadata?.labels, app: name, version: track.version });
    eq(`${where} replicas`, d.spec.replicas, track.replicas ?? 1);
    const containers = d.spec.template.spec.containers;
    eq(`${where} containers`, containers.length, 1);
    const c = containers[0];
    eq(`${where} image`, c.image, track.image);
    eq(`${where} ports`, c.ports, [{ containerPort: spec.containerPort, name: 'http' }]);
    const env = { ...spec.container?.env, ...track.container?.env };
    eq(`${where} env`, Object.fromEntries((c.env ?? []).map((e: { name: string; value: string }) => [e.name, e.value])), env);
    const merged = mergeSecurity(spec.container?.securityContext, track.container?.securityContext);
    const controls = [...new Set(checkPodSecurity(d.spec.template.spec, d.spec.template.metadata).map((v) => `${v.profile}/${v.control}`))].sort();
    const expected = expectedPssControls(merged);
    if (JSON.stringify(controls) !== JSON.stringify(expected)) {
      fail(`${where} Pod Security Standards`, { expected, got: describeViolations(checkPodSecurity(d.spec.template.spec, d.spec.template.metadata)), merged });
    }
  }
  for (const [service, selected] of Object.entries(expectedSelection(spec))) {
    const s = byId(manifests, 'Service', service);
    eq(`Service "${service}" selects`, podsSelectedBy(s, deployments), selected);
    eq(`Service "${service}" ports`, s.spec.ports, [{ name: 'http', port: spec.servicePort ?? spec.containerPort, targetPort: spec.containerPort }]);
    if (s.metadata.labels?.app !== name) fail(`Service "${service}" app label`, s.metadata.labels);
  }
}

/** Every destination of every route exists: Services (with the port), DestinationRule subsets. */
export function checkDestinations(manifests: K8sObject[]): void {
  const services = new Map(manifests.filter((o) => o.kind === 'Service').map((s) => [s.metadata.name, s]));
  const deployments = manifests.filter((o) => o.kind === 'Deployment');
  const service = (what: string, name: string, port: number) => {
    const s = services.get(name);
    if (!s) fail(`${what}: no Service`, name);
    if (!s.spec.ports.some((p: { port: number }) => p.port === port)) fail(`${what}: Service "${name}" has no port ${port}`, s.spec.ports);
    return s;
  };
  for (const o of manifests) {
    const what = `${o.kind} "${o.metadata.name}"`;
    if (o.kind === 'Ingress') {
      for (const rule of o.spec.rules) {
        for (const p of rule.http.paths) service(what, p.backend.service.name, p.backend.service.port.number);
      }
    }
    if (o.kind === 'HTTPRoute') {
      for (const rule of o.spec.rules) for (const ref of rule.backendRefs) service(what, ref.name, ref.port);
    }
    if (o.kind === 'VirtualService') {
      for (const http of o.spec.http) {
        for (const r of http.route) {
          const d = r.destination;
          const s = service(what, d.host, d.port.number);
          if (d.subset !== undefined) {
            const rule = manifests.find((m) => m.kind === 'DestinationRule' && m.spec.host === d.host);
            const subset = rule?.spec.subsets.find((x: { name: string }) => x.name === d.subset);
            if (!subset) fail(`${what}: no DestinationRule subset`, `${d.host}/${d.subset}`);
            const selected = podsSelectedBy({ ...s, spec: { ...s.spec, selector: { ...s.spec.selector, ...subset.labels } } }, deployments);
            if (selected.length !== 1) fail(`${what}: subset ${d.subset} of ${d.host} must select exactly one track`, selected);
          }
        }
      }
    }
  }
}

function close(what: string, actual: Outcome, expected: Outcome): void {
  for (const v of new Set([...Object.keys(actual), ...Object.keys(expected)])) {
    if (Math.abs((actual[v] ?? 0) - (expected[v] ?? 0)) > 1e-9) fail(what, { expected, got: actual });
  }
}

/** nginx: the canary (and preview) Ingress carries the main Ingress's path and class; canary the host too. */
function checkNginxIngresses(spec: ReleaseSpec, manifests: K8sObject[]): void {
  if (spec.router.kind !== 'nginx') return;
  const name = appNameOf(spec);
  const main = byId(manifests, 'Ingress', name);
  const rule = main.spec.rules[0];
  eq(`Ingress "${name}" class`, main.spec.ingressClassName, spec.router.ingressClassName ?? 'nginx');
  eq(`Ingress "${name}" host`, rule.host, spec.router.host);
  eq(`Ingress "${name}" path`, [rule.http.paths[0].path, rule.http.paths[0].pathType], [spec.router.path ?? '/', 'Prefix']);
  eq(`Ingress "${name}" tls`, main.spec.tls, spec.router.tlsSecretName ? [{ hosts: [spec.router.host], secretName: spec.router.tlsSecretName }] : undefined);
  const others = spec.type === 'canary' ? [`${name}-canary`] : [`${name}-preview`];
  for (const other of manifests.filter((o) => o.kind === 'Ingress' && others.includes(o.metadata.name))) {
    const r = other.spec.rules[0];
    const isCanary = other.metadata.name === `${name}-canary` && spec.type === 'canary';
    eq(`Ingress "${other.metadata.name}" class`, other.spec.ingressClassName, main.spec.ingressClassName);
    eq(`Ingress "${other.metadata.name}" path`, [r.http.paths[0].path, r.http.paths[0].pathType], [rule.http.paths[0].path, rule.http.paths[0].pathType]);
    eq(`Ingress "${other.metadata.name}" host`, r.host, isCanary ? rule.host : (spec as BlueGreenSpec).previewHost);
    eq(`Ingress "${other.metadata.name}" tls`, other.spec.tls, undefined);
    if (isCanary) {
      const a = other.metadata.annotations ?? {};
      const t = (spec as CanarySpec).canary?.traffic ?? {};
      eq(`Ingress "${other.metadata.name}" canary`, a['nginx.ingress.kubernetes.io/canary'], 'true');
      eq(`Ingress "${other.metadata.name}" weight`, [a['nginx.ingress.kubernetes.io/canary-weight'], a['nginx.ingress.kubernetes.io/canary-weight-total']], [String(t.weight ?? 0), String(t.weightTotal ?? 100)]);
    }
  }
}

/** Where requests land, through each router as its controller evaluates the objects. */
export function checkRouting(spec: ReleaseSpec, manifests: K8sObject[], requests: RequestSpec[]): void {
  const name = appNameOf(spec);
  const m = manifests as unknown as Manifest[];
  const kind = spec.router.kind;
  // Requests go to the path the routes serve (the Gateway API simulator matches it).
  const path = spec.router.kind === 'gatewayApi' || spec.router.kind === 'nginx' ? spec.router.path ?? '/' : '/';
  // A request without cookies has no Cookie header at all.
  const sim = (r: RequestSpec) => ({ headers: r.headers, cookies: r.cookies.length > 0 ? r.cookies : undefined, path });
  const routes: Array<[string, (routeName: string, req: RequestSpec) => Outcome]> = [];
  if (kind === 'nginx') routes.push(['nginx', (n, r) => routeNginx(m, n, sim(r))]);
  if (kind === 'istio') routes.push(['istio', (n, r) => routeIstio(m, n, sim(r))]);
  if (kind === 'gatewayApi') {
    routes.push(['gateway api (search)', (n, r) => routeGatewayApi(m, n, sim(r), 'search')]);
    routes.push(['gateway api (full match)', (n, r) => routeGatewayApi(m, n, sim(r), 'full')]);
  }
  if (spec.type === 'canary') {
    if (kind === 'service') {
      close(`Service "${name}" replica ratio`, serviceVersions(m, name), expectedReplicaRatio(spec.canary ? [spec.stable, spec.canary] : [spec.stable]));
      return;
    }
    const t = spec.canary?.traffic;
    const all: RequestSpec[] = [{ headers: {}, cookies: [] }, ...requests];
    for (const [label, route] of routes) {
      for (const req of all) close(`${label}: request ${JSON.stringify(req)}`, route(name, req), expectedCanaryOutcome(spec, req));
    }
    // The pure weighted share, stated directly: weight / weightTotal.
    if (spec.canary && (spec.canary.replicas ?? 1) > 0 && (spec.stable.replicas ?? 1) > 0) {
      const share = (t?.weight ?? 0) / (t?.weightTotal ?? 100);
      for (const [label, route] of routes) {
        const out = route(name, { headers: {}, cookies: [] });
        if (Math.abs((out[spec.canary.version] ?? 0) - share) > 1e-9) fail(`${label}: canary share`, { expected: share, got: out });
      }
    }
    return;
  }
  const active = (spec.active === 'blue' ? spec.blue : spec.green)!;
  const idle = spec.active === 'blue' ? spec.green : spec.blue;
  if (kind === 'service') {
    close(`Service "${name}"`, serviceVersions(m, name), trackOutcomeOf(active));
  }
  for (const [label, route] of routes) {
    close(`${label}: ${name}`, route(name, { headers: {}, cookies: [] }), trackOutcomeOf(active));
    if (spec.previewHost !== undefined && idle) close(`${label}: ${name}-preview`, route(`${name}-preview`, { headers: {}, cookies: [] }), trackOutcomeOf(idle));
  }
  if ((spec.preview ?? true) && idle) close(`Service "${name}-preview"`, serviceVersions(m, `${name}-preview`), trackOutcomeOf(idle));
}

/** Every invariant of one valid release within its chart's manifests. */
export function checkRelease(spec: ReleaseSpec, manifests: K8sObject[], requests: RequestSpec[] = [], routing = true): void {
  checkWorkloads(spec, manifests);
  checkNginxIngresses(spec, manifests);
  if (routing) checkRouting(spec, manifests, requests);
}

/**
 * Two nginx releases in one chart on the same class, host and path: ingress-nginx merges
 * their Ingresses into one server location, so neither routes alone (the library does not
 * detect this; see the README). Routing is checked only for releases that do not share.
 */
function sharesNginxLocation(spec: ReleaseSpec, specs: ReleaseSpec[]): boolean {
  const key = (s: ReleaseSpec) => (s.router.kind === 'nginx' ? `${s.router.ingressClassName ?? 'nginx'} ${s.router.host ?? ''} ${s.router.path ?? '/'}` : undefined);
  const mine = key(spec);
  const previewKey = (s: ReleaseSpec) => (s.type === 'blueGreen' && s.router.kind === 'nginx' && s.previewHost !== undefined ? `${s.router.ingressClassName ?? 'nginx'} ${s.previewHost} ${s.router.path ?? '/'}` : undefined);
  const keys = (s: ReleaseSpec) => [key(s), previewKey(s)].filter((k) => k !== undefined);
  return mine !== undefined && specs.some((other) => other !== spec && keys(other).some((k) => keys(spec).includes(k)));
}

/** Every invariant of a chart (its manifests) holding the given valid releases. */
export function checkChart(specs: ReleaseSpec[], manifests: K8sObject[], requests: RequestSpec[][] = []): void {
  checkUniqueNames(manifests);
  checkApiServerExtras(manifests);
  checkInventory(manifests, specs);
  checkDestinations(manifests);
  specs.forEach((spec, i) => checkRelease(spec, manifests, requests[i] ?? [], !sharesNginxLocation(spec, specs)));
}
