/**
 * What the route simulator reads from the manifests, shared by every controller's simulation:
 * the objects, a request in the form the controllers see it, and the versions a Service's pods
 * run. Written from the manifests alone, never from the library's renderers, so that it can
 * disagree with them.
 *
 * Internal: `RouteSimulator` is the public face; the library's own tests call these functions.
 */

/** A Kubernetes object as the manifests hold it. */
export type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string>; labels?: Record<string, string>; ownerReferences?: any[] };
  spec?: any;
};

/** A request: headers by name (any case) and cookies in the order they are sent. */
export interface SimRequest {
  readonly headers?: Record<string, string>;
  readonly cookies?: Array<[string, string]>;
  readonly host?: string;
  readonly path?: string;
}

/** Version -> share of such requests. */
export type Outcome = Record<string, number>;

/** The object of that kind and name; an Error naming both when the manifests hold none. */
export function find(manifests: Manifest[], kind: string, name: string): Manifest {
  const obj = manifests.find((m) => m.kind === kind && m.metadata?.name === name);
  if (!obj) throw new Error(`RouteSimulator: no ${kind} named "${name}" in the manifests`);
  return obj;
}

/**
 * A header's value (names in any case). The Cookie header is the request's cookies, `name=value`
 * joined with `; ` in their order, when it has any.
 */
export function headerValue(req: SimRequest, name: string): string | undefined {
  if (name.toLowerCase() === 'cookie' && req.cookies) return req.cookies.map(([k, v]) => `${k}=${v}`).join('; ');
  const entry = Object.entries(req.headers ?? {}).find(([k]) => k.toLowerCase() === name.toLowerCase());
  return entry?.[1];
}

/**
 * nginx's $cookie_<name>: the first cookie of that name, among the request's cookies or, when it
 * has none, those of its Cookie header (`name=value` pairs separated by `;`).
 */
export function cookieValue(req: SimRequest, name: string): string | undefined {
  const cookies = req.cookies ?? (headerValue(req, 'cookie') ?? '').split(';').map((c) => c.trim()).filter((c) => c.includes('='))
    .map((c): [string, string] => [c.slice(0, c.indexOf('=')), c.slice(c.indexOf('=') + 1)]);
  return cookies.find(([k]) => k === name)?.[1];
}

/** Adds `from`, scaled by `share`, into `into`. */
export function add(into: Outcome, from: Outcome, share: number): void {
  for (const [version, s] of Object.entries(from)) into[version] = (into[version] ?? 0) + s * share;
}

/** Whether a workload's pod template carries every label of the selector. */
function selects(selector: Record<string, string>, workload: Manifest): boolean {
  const labels = workload.spec?.template?.metadata?.labels ?? {};
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/**
 * The versions a Service sends to: its selector against the pod templates of the Deployments
 * (and of the ReplicaSets no Deployment owns, as a live namespace lists them: Argo Rollouts'),
 * each pod counted once, a workload without `replicas` as the API server's default of 1; a pod's
 * version is its `version` label. `extraLabels` narrow the selector (an Istio subset's labels).
 */
export function serviceVersions(manifests: Manifest[], serviceName: string, extraLabels: Record<string, string> = {}): Outcome {
  const service = find(manifests, 'Service', serviceName);
  if (!service.spec?.selector || Object.keys(service.spec.selector).length === 0) {
    throw new Error(`RouteSimulator: Service "${serviceName}" has no selector: the simulator reads the pods a selector picks, not Endpoints written by hand`);
  }
  const selector = { ...service.spec.selector, ...extraLabels };
  const workloads = manifests.filter((m) => (m.kind === 'Deployment'
    || (m.kind === 'ReplicaSet' && !(m.metadata.ownerReferences ?? []).some((o) => o.kind === 'Deployment'))) && selects(selector, m));
  if (workloads.length === 0) {
    const rollout = manifests.find((m) => m.kind === 'Rollout' && selects(selector, m));
    if (rollout) {
      throw new Error(`RouteSimulator: Service "${serviceName}" selects the pods of Rollout "${rollout.metadata.name}", whose versions are the controller's state `
        + '(its ReplicaSets, and the rollouts-pod-template-hash it adds to the selector): simulate the live objects, ReplicaSets included');
    }
  }
  const replicas = (w: Manifest): number => w.spec.replicas ?? 1;
  const total = workloads.reduce((n, w) => n + replicas(w), 0);
  const out: Outcome = {};
  if (total === 0) return out;
  for (const w of workloads) {
    const version = w.spec.template.metadata.labels.version;
    if (version === undefined) throw new Error(`RouteSimulator: ${w.kind} "${w.metadata.name}" behind Service "${serviceName}" has no \`version\` label on its pods`);
    add(out, { [version]: 1 }, replicas(w) / total);
  }
  return out;
}

/**
 * A request's host against a rule's host: exact, or a `*.` wildcard; a rule without a host takes
 * every host. The wildcard stands for one label in ingress-nginx (its server_name regex
 * `~^(?<subdomain>[\w-]+)\.…$`, template.go buildServerName) and for one label or more in
 * Gateway API (`*.example.com` matches `foo.test.example.com`: apis/v1/httproute_types.go) and
 * Istio (an Envoy suffix wildcard): `wildcard` says which.
 */
export function hostFits(ruleHost: string | undefined, reqHost: string | undefined, wildcard: 'one-label' | 'suffix' = 'one-label'): boolean {
  if (ruleHost === undefined) return true;
  if (reqHost === undefined) return false;
  if (ruleHost.startsWith('*.')) {
    const rest = ruleHost.slice(1);
    if (!reqHost.endsWith(rest) || reqHost.length <= rest.length) return false;
    return wildcard === 'suffix' || !reqHost.slice(0, -rest.length).includes('.');
  }
  return ruleHost === reqHost;
}

/** An Ingress / Gateway API path: `Exact`, or a prefix element by element (a trailing '/' ignored). */
export function pathFits(type: string, value: string, reqPath: string): boolean {
  if (type === 'Exact') return reqPath === value;
  const prefix = value.replace(/\/+$/, '');
  return prefix === '' || reqPath === prefix || reqPath.startsWith(`${prefix}/`);
}
