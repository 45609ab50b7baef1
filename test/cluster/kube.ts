/**
 * What the cluster tests use to talk to the cluster that `npm run cluster:up` started: kubectl
 * (built from the same Kubernetes release as the API server) with that cluster's kubeconfig,
 * and the fake Prometheus. Read from the environment that test/cluster/run-tests.sh sets:
 * KUBECONFIG, KUBECTL and FAKE_PROMETHEUS_URL.
 */
import { execFileSync, spawn } from 'child_process';
import { request } from 'https';
import { App, Chart, Testing, Yaml } from 'cdk8s';
import { CanaryRelease, CanaryReleaseProps } from '../../src';
import { K8sObject } from '../util';

function env(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: the cluster tests run against the cluster of \`npm run cluster:up\`; run them with \`npm run test:cluster\``);
  }
  return value;
}

/** Runs kubectl against the test cluster; on failure, throws with its stderr. */
export function kubectl(args: string[], input?: string): string {
  try {
    return execFileSync(env('KUBECTL'), args, {
      input,
      encoding: 'utf-8',
      env: { ...process.env, KUBECONFIG: env('KUBECONFIG') },
      stdio: ['pipe', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
      // A hung call would block the event loop, and with it jest's own test timeout.
      timeout: 120_000,
    });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`kubectl ${args.join(' ')}: ${err.stderr?.trim() || err.message}`);
  }
}

/** The objects of a chart, as `cdk8s synth` writes them. */
export function synthChart(chart: Chart): K8sObject[] {
  return Testing.synth(chart) as K8sObject[];
}

/** A chart in namespace `ns` holding the CanaryRelease `myapp` of `props`, synthesized. */
export function canaryReleaseChart(ns: string | undefined, props: CanaryReleaseProps): K8sObject[] {
  const chart = new Chart(new App(), 'c', { namespace: ns });
  new CanaryRelease(chart, 'myapp', props);
  return synthChart(chart);
}

/**
 * The objects that decide where a request goes in namespace `ns`, as the API server holds them:
 * the Deployments and Services, and the route objects of `kinds` (e.g. `ingresses`).
 */
export function routingObjects(ns: string, kinds: string[]): K8sObject[] {
  return ['deployments', 'services', ...kinds].flatMap((kind) => list(kind, ns));
}

/**
 * Server-side apply of the YAML `cdk8s synth` writes, as a GitOps tool does: the API server validates every object (schemas,
 * CEL rules, admission including Pod Security) and rejects the whole request on an error.
 */
export function apply(objects: K8sObject[], namespace?: string): void {
  // cdk8s's own serializer, the one `cdk8s synth` writes dist/ with (it quotes `yes`, `on`, ...
  // which YAML 1.1 readers such as kubectl would take for booleans).
  const yaml = Yaml.stringify(...objects);
  kubectl(['apply', '--server-side', '--force-conflicts', '--field-manager=cdk8s-progressive-delivery', ...(namespace ? ['-n', namespace] : []), '-f', '-'], yaml);
}

/** Deletes objects that are gone from git (what `--prune` would do), waiting for them. */
export function remove(kind: string, name: string, namespace: string): void {
  kubectl(['delete', kind, name, '-n', namespace, '--ignore-not-found', '--wait=true', '--timeout=60s']);
}

export type PodSecurityLevel = 'restricted' | 'baseline';

/** A namespace whose Pod Security admission enforces `level`. */
export function namespace(name: string, level: PodSecurityLevel): string {
  apply([{
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: { 'pod-security.kubernetes.io/enforce': level, 'pod-security.kubernetes.io/enforce-version': 'latest' } },
  }]);
  return name;
}

export function get(kind: string, name: string, namespace: string): K8sObject {
  return JSON.parse(kubectl(['get', kind, name, '-n', namespace, '-o', 'json']));
}

export function list(kind: string, namespace: string, selector?: string): K8sObject[] {
  return JSON.parse(kubectl(['get', kind, '-n', namespace, '-o', 'json', ...(selector ? ['-l', selector] : [])])).items;
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs` saying what it waited for and what it last saw. */
export async function waitFor<T>(what: string, check: () => T | undefined, timeoutMs = 60_000, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = check();
      if (value !== undefined) return value;
      last = undefined;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Waits until a Deployment is Available with every replica updated and ready. */
export function deploymentAvailable(name: string, namespace: string, timeoutMs = 90_000): Promise<K8sObject> {
  return waitFor(`Deployment ${namespace}/${name} to be Available`, () => {
    const d = get('deployment', name, namespace);
    const available = (d.status?.conditions ?? []).some((c: any) => c.type === 'Available' && c.status === 'True');
    const want = d.spec.replicas ?? 1;
    const done = d.status?.observedGeneration >= (d.metadata as { generation?: number }).generation! && (d.status?.updatedReplicas ?? 0) === want
      && (d.status?.readyReplicas ?? 0) === want && (d.status?.replicas ?? 0) === want;
    return available && done ? d : undefined;
  }, timeoutMs);
}

/**
 * The `version` label of each pod behind a Service's ready endpoints, sorted (one entry per
 * endpoint), read from its EndpointSlices and the pods they point to.
 */
export function readyEndpointVersions(service: string, namespace: string): string[] {
  const pods = new Map(list('pods', namespace).map((p) => [p.metadata.name, p]));
  const versions: string[] = [];
  for (const slice of list('endpointslices', namespace, `kubernetes.io/service-name=${service}`)) {
    for (const endpoint of slice.endpoints ?? []) {
      if (endpoint.conditions?.ready !== true) continue;
      const pod = pods.get(endpoint.targetRef?.name);
      versions.push(pod?.metadata.labels?.version ?? `<pod ${endpoint.targetRef?.name} not found>`);
    }
  }
  return versions.sort();
}

/** The API server's answer to a request: its HTTP status code and body (a Status, for most errors). */
export interface ApiAnswer {
  readonly code: number;
  readonly body: any;
}

/**
 * Asks the API server to evict a pod, as `kubectl drain` does: a POST of a policy/v1 Eviction to
 * the pod's `eviction` subresource. Resolves with the HTTP status code (201 evicted, 429 refused by
 * a disruption budget) rather than throwing, which `kubectl create --raw` would do without it.
 * Sent straight to the API server with the kubeconfig's own credentials.
 */
export function evict(pod: string, ns: string): Promise<ApiAnswer> {
  const config = JSON.parse(kubectl(['config', 'view', '--raw', '--minify', '-o', 'json']));
  const { server, 'certificate-authority-data': ca } = config.clusters[0].cluster;
  const { 'client-certificate-data': cert, 'client-key-data': key } = config.users[0].user;
  const data = (b64: string) => Buffer.from(b64, 'base64');
  const body = JSON.stringify({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: pod, namespace: ns } });
  const url = new URL(`/api/v1/namespaces/${ns}/pods/${pod}/eviction`, server);
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      ca: data(ca),
      cert: data(cert),
      key: data(key),
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
      timeout: 30_000,
    }, (res) => {
      let text = '';
      res.setEncoding('utf-8');
      res.on('data', (chunk: string) => { text += chunk; });
      res.on('end', () => {
        try {
          resolve({ code: res.statusCode ?? 0, body: JSON.parse(text) });
        } catch {
          resolve({ code: res.statusCode ?? 0, body: text });
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer to the eviction of ${ns}/${pod} within 30 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** Telling the fake Prometheus what to answer. */
export type PromResult = number | 'nan' | 'empty';

/** The two ways Prometheus says "no data yet", which must never roll a release back. */
export const NO_DATA: Array<[string, PromResult]> = [
  ['an empty result (no requests yet)', 'empty'],
  ['a 0/0 ratio (NaN)', 'nan'],
];

/**
 * A request to the fake Prometheus's control API. Retried twice on a network error: a kept-alive
 * connection that the server closes just as it is reused fails the request, not the server.
 */
async function fakePrometheus(path: string, init?: RequestInit): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetch(`${env('FAKE_PROMETHEUS_URL')}${path}`, init);
    } catch (e) {
      if (attempt === 3) throw new Error(`the fake Prometheus at ${env('FAKE_PROMETHEUS_URL')} did not answer ${path}: ${(e as Error).message}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

export async function prometheusAnswers(answers: Array<{ match: string; result: PromResult }>, fallback: PromResult = 'empty'): Promise<void> {
  const res = await fakePrometheus('/-/answers', { method: 'PUT', body: JSON.stringify({ answers, default: fallback }) });
  if (!res.ok) throw new Error(`fake Prometheus refused the answers: ${res.status} ${await res.text()}`);
}

/** The queries the fake Prometheus received, in order. */
export async function prometheusQueries(): Promise<Array<{ query: string; result: PromResult }>> {
  return (await fakePrometheus('/-/queries')).json() as Promise<Array<{ query: string; result: PromResult }>>;
}

/** The address the library's analysis is given: the fake Prometheus. */
export function prometheusAddress(): string {
  return env('FAKE_PROMETHEUS_URL');
}

/**
 * Splits a stream of concatenated JSON documents (what `kubectl get -w -o json` prints) into
 * objects, calling `onObject` for each complete one.
 */
function jsonStream(onObject: (obj: any) => void): (chunk: string) => void {
  let buffer = '';
  let depth = 0;
  let inString = false;
  let escaped = false;
  let start = -1;
  return (chunk) => {
    for (const ch of chunk) {
      buffer += ch;
      if (inString) {
        if (escaped) escaped = false;
        else if (ch === '\\') escaped = true;
        else if (ch === '"') inString = false;
        continue;
      }
      if (ch === '"') inString = true;
      else if (ch === '{') {
        if (depth === 0) start = buffer.length - 1;
        depth++;
      } else if (ch === '}') {
        depth--;
        if (depth === 0) {
          onObject(JSON.parse(buffer.slice(start)));
          buffer = '';
        }
      }
    }
  };
}

/**
 * Watches the objects of a kind in a namespace (`kubectl get -w -o json --output-watch-events`,
 * optionally narrowed by a label selector), calling `onEvent` with each event's type (ADDED,
 * MODIFIED, DELETED) and object. The initial list arrives as ADDED events: `started` resolves
 * once the first one is in, so at least one object must exist when the watch starts (else it
 * rejects after 30 s).
 */
export function watch(kind: string, ns: string, onEvent: (type: string, obj: any) => void, selector?: string): { started: Promise<void>; stop(): void } {
  const child = spawn(env('KUBECTL'), ['get', kind, '-n', ns, ...(selector ? ['-l', selector] : []), '-w', '-o', 'json', '--output-watch-events'], {
    env: { ...process.env, KUBECONFIG: env('KUBECONFIG') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let resolveStarted: () => void;
  let rejectStarted: (e: Error) => void;
  const started = new Promise<void>((resolve, reject) => { resolveStarted = resolve; rejectStarted = reject; });
  let stderr = '';
  child.stderr.setEncoding('utf-8');
  child.stderr.on('data', (d: string) => { stderr += d; });
  child.stdout.setEncoding('utf-8');
  child.stdout.on('data', jsonStream((event) => {
    onEvent(event.type, event.object);
    resolveStarted();
  }));
  const noEvent = setTimeout(() => rejectStarted(new Error(`no ${kind} event in ${ns}${selector ? ` for ${selector}` : ''} within 30 s: ${stderr.trim() || 'kubectl said nothing'}`)), 30_000);
  started.then(() => clearTimeout(noEvent), () => undefined);
  return { started, stop: () => child.kill('SIGTERM') };
}

/**
 * Watches the EndpointSlices of a Service and records, after every event, the versions of its
 * ready endpoints (from the pod name `<name>-<v>-<hash>-<id>` of each endpoint's targetRef).
 */
export function watchReadyEndpoints(service: string, ns: string): { started: Promise<void>; states: string[][]; stop(): void } {
  const slices = new Map<string, any>();
  const states: string[][] = [];
  const { started, stop } = watch('endpointslices', ns, (type, slice) => {
    if (type === 'DELETED') slices.delete(slice.metadata.name);
    else slices.set(slice.metadata.name, slice);
    const versions: string[] = [];
    for (const s of slices.values()) {
      for (const endpoint of s.endpoints ?? []) {
        if (endpoint.conditions?.ready !== true) continue;
        const m = new RegExp(`^${service.replace(/-(canary|preview)$/, '')}-(.+)-[a-z0-9]+-[a-z0-9]+$`).exec(endpoint.targetRef?.name ?? '');
        versions.push(m ? m[1] : `<${endpoint.targetRef?.name}>`);
      }
    }
    versions.sort();
    if (JSON.stringify(states[states.length - 1]) !== JSON.stringify(versions)) states.push(versions);
  }, `kubernetes.io/service-name=${service}`);
  return { started, states, stop };
}
