/**
 * What must hold of the synthesized objects of a valid release, checked against the model
 * (release-model.ts). Each check throws an Error saying which invariant broke and on what.
 */
import { BlueGreenSpec, CanarySpec, ReleaseSpec, RequestSpec, TrackSpec } from './arbitraries';
import { describeViolations, checkPodSecurity } from './pod-security';
import {
  CONFIG_MAX_BYTES, DEFAULT_LOAD_TESTER_URL, ExpectedSmoke, Outcome, appNameOf, budgetOf, configFingerprint, engineOf, expectedArgoSteps, expectedAutoscalerRef, expectedAutoscalers,
  expectedBudgets, expectedCanaryOutcome, expectedConfig, expectedEnv, expectedFlaggerSchedule, expectedMetrics, expectedObjects, expectedPodLabels, expectedPssControls,
  expectedReplicaRatio, expectedSelection, expectedSmoke, isAbTest, isConfigMapKey, isQualifiedName, mergeSecurity, newestTrack, promDuration, flaggerDuration, renderedWeight, slug,
  smokeJobVersion, trackOutcomeOf, weightTotalOf,
} from './release-model';
import { routeGatewayApi } from '../src/testing/simulate-gateway-api';
import { routeIstio } from '../src/testing/simulate-istio';
import { routeNginx } from '../src/testing/simulate-nginx';
import { Manifest, serviceVersions } from '../src/testing/simulated-objects';
import { K8sObject, PATH_LABEL, podsSelectedBy, promqlExpressions, promqlSyntaxErrors } from './util';

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
    if (o.kind === 'ConfigMap') {
      // IsConfigMapKey, and at most 1 MiB of data (in bytes, as the API server counts).
      const bytes = Object.entries<string>(o.data ?? {}).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
      for (const key of Object.keys(o.data ?? {})) if (!isConfigMapKey(key)) fail(`ConfigMap "${o.metadata.name}": invalid key`, key);
      if (bytes > CONFIG_MAX_BYTES) fail(`ConfigMap "${o.metadata.name}": more than 1 MiB of data`, `${bytes} bytes`);
    }
    const template = o.kind === 'Deployment' || o.kind === 'Rollout' || o.kind === 'Job' ? o.spec.template : undefined;
    if (template) {
      // Volume names, and the mount paths of a container, are unique.
      const volumes = (template.spec.volumes ?? []).map((v: { name: string }) => v.name);
      if (new Set(volumes).size !== volumes.length) fail(`${o.kind} "${o.metadata.name}": two volumes of one name`, volumes);
      for (const c of template.spec.containers) {
        const paths = (c.volumeMounts ?? []).map((m: { mountPath: string }) => m.mountPath);
        if (new Set(paths).size !== paths.length) fail(`${o.kind} "${o.metadata.name}": two mounts at one path`, paths);
        for (const m of c.volumeMounts ?? []) if (!volumes.includes(m.name)) fail(`${o.kind} "${o.metadata.name}": a mount of no volume`, m);
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
  // A ConfigMap <name>-<v>-<10 hex> counts as <name>-<v>-#<fingerprint of its data>, as the model names it.
  const id = (o: K8sObject) => (o.kind === 'ConfigMap' && /-[0-9a-f]{10}$/.test(o.metadata.name)
    ? `ConfigMap/${o.metadata.name.slice(0, -11)}-#${configFingerprint(o.data ?? {})}`
    : `${o.kind}/${o.metadata.name}`);
  const actual = manifests.map(id).sort();
  const expected = specs.flatMap(expectedObjects).sort();
  eq('the objects emitted', actual, expected);
}

function tracksOf(spec: ReleaseSpec): TrackSpec[] {
  if (spec.type === 'canary') return spec.canary ? [spec.stable, spec.canary] : [spec.stable];
  return [spec.blue, spec.green].filter((t): t is TrackSpec => t !== undefined);
}

/** A pod template of one track: its labels, its one container (image, port, env) and its Pod Security Standards outcome. */
function checkPodTemplate(where: string, template: any, spec: ReleaseSpec, track: TrackSpec): void {
  const labels = template.metadata.labels;
  if (labels[PATH_LABEL] !== undefined) fail(`${where} pod template carries the path label`, labels);
  eq(`${where} pod labels`, labels, expectedPodLabels(spec, track));
  const containers = template.spec.containers;
  eq(`${where} containers`, containers.length, 1);
  const c = containers[0];
  eq(`${where} image`, c.image, track.image);
  eq(`${where} ports`, c.ports, [{ containerPort: spec.containerPort, name: 'http' }]);
  const env: Array<[string, string]> = (c.env ?? []).map((e: { name: string; value: string }) => [e.name, e.value]);
  const expectedEnvVars = expectedEnv(spec, track);
  eq(`${where} env names (each once)`, [...new Set(env.map(([k]) => k))].length, env.length);
  eq(`${where} env`, Object.fromEntries(env), Object.fromEntries(expectedEnvVars));
  // The order: the library's variables first (a user variable can read them), then the user's.
  const order = (vars: Array<[string, string]>) => vars.map(([k]) => k);
  eq(`${where} env order`, order(env), order(expectedEnvVars));
  const merged = mergeSecurity(spec.container?.securityContext, track.container?.securityContext);
  const controls = [...new Set(checkPodSecurity(template.spec, template.metadata).map((v) => `${v.profile}/${v.control}`))].sort();
  const expected = expectedPssControls(merged);
  if (JSON.stringify(controls) !== JSON.stringify(expected)) {
    fail(`${where} Pod Security Standards`, { expected, got: describeViolations(checkPodSecurity(template.spec, template.metadata)), merged });
  }
}

/** A workload's selector selects its own pod template (else the API server, or Argo Rollouts, refuses it). */
function checkSelectsOwnPods(where: string, workload: K8sObject): void {
  const labels = workload.spec.template.metadata.labels;
  for (const [k, v] of Object.entries<string>(workload.spec.selector.matchLabels)) {
    if (labels[k] !== v) fail(`${where} selector ${k}=${v} does not select its pod template`, labels);
  }
}

function checkServicePorts(spec: ReleaseSpec, s: K8sObject): void {
  eq(`Service "${s.metadata.name}" ports`, s.spec.ports, [{ name: 'http', port: spec.servicePort ?? spec.containerPort, targetPort: spec.containerPort }]);
  if (s.metadata.labels?.app !== appNameOf(spec)) fail(`Service "${s.metadata.name}" app label`, s.metadata.labels);
  // The recommended labels say what the pods are, on the pods only: a Service selects by app and version.
  const recommended = Object.keys(s.spec.selector ?? {}).filter((k) => k.startsWith('app.kubernetes.io/'));
  if (recommended.length > 0) fail(`Service "${s.metadata.name}" selects by a recommended label`, s.spec.selector);
}

/** A track's ConfigMaps: `<name>-<v>-<10 hex>`. */
function trackConfigMaps(spec: ReleaseSpec, track: TrackSpec, manifests: K8sObject[]): K8sObject[] {
  const prefix = `${appNameOf(spec)}-${slug(track.version)}-`;
  return manifests.filter((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith(prefix) && /^[0-9a-f]{10}$/.test(o.metadata.name.slice(prefix.length)));
}

/**
 * Versioned configuration (README): every track with configuration, under every engine (also
 * one a controller runs no pods of now: it returns to it), has exactly one ConfigMap
 * `<name>-<v>-<10 hex>`, immutable, whose data is the shared `config` with the track's own
 * merged over it; a track without configuration has none. Under Flagger its config tracking is
 * off: the ConfigMaps are versioned already.
 */
function checkConfigMaps(spec: ReleaseSpec, manifests: K8sObject[]): void {
  for (const track of tracksOf(spec)) {
    const found = trackConfigMaps(spec, track, manifests);
    const data = expectedConfig(spec, track);
    const where = `the ConfigMap of ${appNameOf(spec)} ${track.version}`;
    if (!data) {
      eq(`${where}: none without configuration`, found.map((o) => o.metadata.name), []);
      continue;
    }
    eq(`${where}: exactly one`, found.map((o) => o.metadata.name).length, 1);
    eq(`${where}: immutable`, found[0].immutable, true);
    eq(`${where}: data`, found[0].data, data);
    if (engineOf(spec) === 'flagger') eq(`${where}: Flagger's config tracking`, found[0].metadata.annotations?.['flagger.app/config-tracking'], 'disabled');
  }
}

/**
 * What a track's pods read: their own track's ConfigMap, as `envFrom` (nothing else), or as a
 * read-only volume of all its keys at configMountPath; and the track's Secrets, each read-only
 * at its mount path. No other volume and no other mount.
 */
function checkTrackMounts(where: string, pod: any, spec: ReleaseSpec, track: TrackSpec, manifests: K8sObject[]): void {
  const c = pod.containers[0];
  const configMap = expectedConfig(spec, track) ? trackConfigMaps(spec, track, manifests)[0]?.metadata.name : undefined;
  const asFiles = spec.configMountPath !== undefined;
  eq(`${where} envFrom`, c.envFrom, configMap && !asFiles ? [{ configMapRef: { name: configMap } }] : undefined);
  const volumes = new Map<string, any>((pod.volumes ?? []).map((v: { name: string }) => [v.name, v]));
  const source = (v: any) => (v?.configMap ? `ConfigMap ${v.configMap.name}${v.configMap.items ? ' (some keys)' : ''}`
    : v?.secret ? `Secret ${v.secret.secretName}${v.secret.items ? ' (some keys)' : ''}` : `no such volume: ${JSON.stringify(v)}`);
  const mounts = (c.volumeMounts ?? []).map((m: any) => [source(volumes.get(m.name)), m.mountPath, m.readOnly === true]);
  const expected = [
    ...(configMap && asFiles ? [[`ConfigMap ${configMap}`, spec.configMountPath, true]] : []),
    ...(track.secrets ?? []).map((secret) => [`Secret ${secret.secretName}`, secret.mountPath, true]),
  ];
  const sorted = (list: unknown[][]) => list.map((m) => JSON.stringify(m)).sort();
  eq(`${where} mounts (source, path, read-only)`, sorted(mounts), sorted(expected));
  eq(`${where} volumes, each mounted`, volumes.size, expected.length);
}

/** POSIX shell quoting of one word. */
function shellWord(s: string): string {
  return `'${s.replace(/'/g, '\'\\\'\'')}'`;
}

/**
 * The smoke test's loop: it requests `<url><path>` (one word), with exactly the expected
 * headers, `requests` times, wanting `expectedStatus`, and reads the version header when given.
 */
function checkSmokeScript(where: string, script: string, smoke: ExpectedSmoke): void {
  const target = shellWord(`${smoke.url}${smoke.path}`);
  if (!script.includes(target)) fail(`${where}: the smoke test does not request ${target}`, script);
  for (const h of smoke.headers) if (!script.includes(`-H ${shellWord(h)}`)) fail(`${where}: the smoke test does not send the header ${h}`, script);
  eq(`${where}: the smoke test's headers`, (script.match(/(^| )-H /g) ?? []).length, smoke.headers.length);
  if (!new RegExp(`\\b${smoke.requests}\\b`).test(script)) fail(`${where}: the smoke test does not count ${smoke.requests} requests`, script);
  if (!new RegExp(`\\b${smoke.expectedStatus}\\b`).test(script)) fail(`${where}: the smoke test does not want status ${smoke.expectedStatus}`, script);
  if (smoke.versionHeader !== undefined && !script.includes(smoke.versionHeader)) fail(`${where}: the smoke test does not read ${smoke.versionHeader}`, script);
}

/**
 * The pod that runs the smoke test (README): the image (needs `sh` and `curl`), the loop, no
 * restart, Pod Security "restricted", and labels no Service of the chart selects.
 */
function checkSmokePod(where: string, template: any, smoke: ExpectedSmoke, manifests: K8sObject[]): void {
  eq(`${where} containers`, template.spec.containers.length, 1);
  const c = template.spec.containers[0];
  eq(`${where} image`, c.image, smoke.image);
  eq(`${where} command`, c.command.slice(0, 2), ['sh', '-c']);
  checkSmokeScript(where, c.command[2], smoke);
  eq(`${where} restartPolicy`, template.spec.restartPolicy, 'Never');
  const violations = checkPodSecurity(template.spec, template.metadata);
  if (violations.length > 0) fail(`${where} Pod Security Standards "restricted"`, describeViolations(violations));
  const labels = template.metadata?.labels ?? {};
  for (const service of manifests.filter((o) => o.kind === 'Service')) {
    const selector: Record<string, string> = service.spec.selector ?? {};
    if (Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v)) {
      fail(`${where}: Service "${service.metadata.name}" selects the smoke test's pod`, { selector, labels });
    }
  }
}

/**
 * The smoke test as each engine runs it (README, "A smoke test before traffic"): plain
 * manifests, the Job `<name>-smoke-<v>` of the new version (the canary, or the idle color) and
 * none without one; Argo Rollouts, the AnalysisTemplate `<name>-smoke` of one Job metric, which a
 * canary's steps run before the first weight and a blue-green release's pre-promotion analysis
 * names; Flagger, a pre-rollout webhook to its load tester that runs the loop with bash.
 */
function checkSmoke(spec: ReleaseSpec, manifests: K8sObject[]): void {
  const name = appNameOf(spec);
  const engine = engineOf(spec);
  const smoke = expectedSmoke(spec);
  if (engine === 'manifests') {
    const v = smokeJobVersion(spec);
    const jobs = manifests.filter((o) => o.kind === 'Job' && o.metadata.name.startsWith(`${name}-smoke-`));
    eq(`the smoke Jobs of ${name}`, jobs.map((j) => j.metadata.name), smoke && v !== undefined ? [`${name}-smoke-${slug(v)}`] : []);
    if (!smoke || v === undefined) return;
    const where = `Job "${jobs[0].metadata.name}"`;
    eq(`${where}: no retry, deleted a day after it finished`, [jobs[0].spec.backoffLimit, jobs[0].spec.ttlSecondsAfterFinished], [0, 24 * 60 * 60]);
    checkSmokePod(where, jobs[0].spec.template, smoke, manifests);
    return;
  }
  if (engine === 'argoRollouts') {
    const templates = manifests.filter((o) => o.kind === 'AnalysisTemplate' && o.metadata.name === `${name}-smoke`);
    eq(`AnalysisTemplates "${name}-smoke"`, templates.length, smoke ? 1 : 0);
    const rollout = byId(manifests, 'Rollout', name);
    if (!smoke) return;
    const where = `AnalysisTemplate "${name}-smoke"`;
    const metrics = templates[0].spec.metrics;
    eq(`${where} metrics`, metrics.length, 1);
    checkSmokePod(where, metrics[0].provider.job.spec.template, smoke, manifests);
    if (spec.type === 'canary') {
      const steps: any[] = rollout.spec.strategy.canary.steps;
      const smokeStep = steps.findIndex((s) => s.analysis?.templates?.some((t: { templateName: string }) => t.templateName === `${name}-smoke`));
      const firstWeight = steps.findIndex((s) => (s.setWeight ?? 0) > 0);
      if (smokeStep < 0 || (firstWeight >= 0 && firstWeight < smokeStep)) fail(`Rollout "${name}": the smoke test's analysis must come before the first weight`, steps);
    } else {
      const names = (rollout.spec.strategy.blueGreen.prePromotionAnalysis?.templates ?? []).map((t: { templateName: string }) => t.templateName);
      if (!names.includes(`${name}-smoke`)) fail(`Rollout "${name}": the pre-promotion analysis does not run the smoke test`, names);
    }
    return;
  }
  const hooks = byId(manifests, 'Canary', name).spec.analysis.webhooks ?? [];
  eq(`Canary "${name}" webhooks`, hooks.length, smoke ? 1 : 0);
  if (!smoke) return;
  const loadTester = (spec.engine as { loadTesterUrl?: string }).loadTesterUrl ?? DEFAULT_LOAD_TESTER_URL;
  eq(`Canary "${name}" smoke test webhook`, [hooks[0].type, hooks[0].url, hooks[0].metadata?.type], ['pre-rollout', loadTester, 'bash']);
  checkSmokeScript(`Canary "${name}" webhook`, hooks[0].metadata.cmd, smoke);
}

/** Plain manifests: a Deployment per track, Services selecting exactly their tracks' pods. */
export function checkWorkloads(spec: ReleaseSpec, manifests: K8sObject[]): void {
  const name = appNameOf(spec);
  const deployments = manifests.filter((o) => o.kind === 'Deployment');
  for (const track of tracksOf(spec)) {
    const d = byId(manifests, 'Deployment', `${name}-${slug(track.version)}`);
    const where = `Deployment "${d.metadata.name}"`;
    eq(`${where} selector`, d.spec.selector, { matchLabels: { app: name, version: track.version } });
    // An autoscaled Deployment has no replicas: the autoscaler sizes it.
    eq(`${where} replicas`, d.spec.replicas, autoscaled(spec, 'Deployment', d.metadata.name) ? undefined : track.replicas ?? 1);
    checkPodTemplate(where, d.spec.template, spec, track);
    checkTrackMounts(where, d.spec.template.spec, spec, track, manifests);
  }
  for (const [service, selected] of Object.entries(expectedSelection(spec))) {
    const s = byId(manifests, 'Service', service);
    eq(`Service "${service}" selects`, podsSelectedBy(s, deployments), selected);
    checkServicePorts(spec, s);
  }
}

/**
 * Argo Rollouts: the Rollout runs the newest track's pod template and selects its pods by app;
 * every Service selects the app only (Argo Rollouts adds its pod-template hash); the canary
 * strategy names the emitted Services and routing objects, and walks the plan; blue-green
 * switches `<name>` and `<name>-preview`.
 */
function checkRollout(spec: ReleaseSpec, manifests: K8sObject[]): void {
  const name = appNameOf(spec);
  const rollout = byId(manifests, 'Rollout', name);
  const where = `Rollout "${name}"`;
  const newest = newestTrack(spec);
  eq(`${where} selector`, rollout.spec.selector, { matchLabels: { app: name } });
  checkSelectsOwnPods(where, rollout);
  checkPodTemplate(where, rollout.spec.template, spec, newest);
  checkTrackMounts(where, rollout.spec.template.spec, spec, newest, manifests);
  for (const id of expectedObjects(spec).filter((o) => o.startsWith('Service/'))) {
    const s = byId(manifests, 'Service', id.slice('Service/'.length));
    eq(`Service "${s.metadata.name}" selector`, s.spec.selector, { app: name });
    checkServicePorts(spec, s);
  }
  const e = spec.engine as { scaleDownDelay?: number; autoPromotion?: boolean };
  const analysis = spec.analysis ? { templates: [{ templateName: byId(manifests, 'AnalysisTemplate', name).metadata.name }] } : undefined;
  const scaled = autoscaled(spec, 'Rollout', name);
  if (spec.type === 'blueGreen') {
    eq(`${where} replicas`, rollout.spec.replicas, scaled ? undefined : newest.replicas ?? 1);
    const { prePromotionAnalysis, ...blueGreen } = rollout.spec.strategy.blueGreen;
    eq(`${where} blueGreen`, blueGreen, {
      activeService: byId(manifests, 'Service', name).metadata.name,
      previewService: spec.preview ?? true ? byId(manifests, 'Service', `${name}-preview`).metadata.name : undefined,
      autoPromotionEnabled: e.autoPromotion ?? false,
      maxUnavailable: 0,
      scaleDownDelaySeconds: e.scaleDownDelay,
    });
    // Before promotion: the analysis and the smoke test (in any order), each an emitted template.
    const templates = [...(spec.analysis ? [name] : []), ...(spec.smokeTest ? [`${name}-smoke`] : [])].map((t) => byId(manifests, 'AnalysisTemplate', t).metadata.name);
    eq(`${where} prePromotionAnalysis`, prePromotionAnalysis?.templates.map((t: { templateName: string }) => t.templateName).sort(), templates.length > 0 ? templates.sort() : undefined);
    return;
  }
  eq(`${where} replicas`, rollout.spec.replicas, scaled ? undefined : spec.stable.replicas ?? 1);
  const strategy = rollout.spec.strategy.canary;
  const router = spec.router;
  const routed = router.kind !== 'service';
  // Autoscaled with traffic routing, the stable shrinks as the canary grows (README, "Capacity").
  eq(`${where} dynamicStableScale`, strategy.dynamicStableScale, scaled && routed ? true : undefined);
  const total = weightTotalOf(spec);
  eq(`${where} canaryService`, strategy.canaryService, byId(manifests, 'Service', `${name}-canary`).metadata.name);
  // With Istio subsets the subsets are of <name>'s endpoints: <name> must keep every pod.
  eq(`${where} stableService`, strategy.stableService, routed && !(router.kind === 'istio' && router.subsets) ? name : undefined);
  eq(`${where} steps`, strategy.steps, expectedArgoSteps(spec));
  eq(`${where} analysis`, strategy.analysis, analysis);
  eq(`${where} scaleDownDelaySeconds`, strategy.scaleDownDelaySeconds, routed ? e.scaleDownDelay : undefined);
  const trafficRouting = strategy.trafficRouting;
  if (!routed) {
    eq(`${where} trafficRouting (a basic canary)`, trafficRouting, undefined);
    // The model sizes a basic canary's pods with this surge (argoBasicCanaryPods).
    eq(`${where} maxSurge (a basic canary)`, strategy.maxSurge, '25%');
    return;
  }
  eq(`${where} maxTrafficWeight`, trafficRouting.maxTrafficWeight, total !== 100 ? total : undefined);
  // The weighted route the controller rewrites exists, at everything to stable.
  const weights = (backends: Array<[string, number]>) => eq(`${where}: the weighted route starts at ${total}/0`, backends, [[name, total], [`${name}-canary`, 0]]);
  if (router.kind === 'nginx') {
    eq(`${where} stableIngress`, trafficRouting.nginx.stableIngress, byId(manifests, 'Ingress', name).metadata.name);
  } else if (router.kind === 'istio') {
    eq(`${where} virtualService`, trafficRouting.istio.virtualService, { name: byId(manifests, 'VirtualService', name).metadata.name, routes: ['weighted'] });
    const weighted = byId(manifests, 'VirtualService', name).spec.http.find((h: { name: string }) => h.name === 'weighted');
    if (!weighted) fail(`VirtualService "${name}" has no route "weighted"`, byId(manifests, 'VirtualService', name).spec.http);
    weights(weighted.route.map((r: any) => [router.subsets ? (r.destination.subset === 'stable' ? name : `${name}-canary`) : r.destination.host, r.weight]));
    if (router.subsets) {
      eq(`${where} destinationRule`, trafficRouting.istio.destinationRule, { name: byId(manifests, 'DestinationRule', name).metadata.name, stableSubsetName: 'stable', canarySubsetName: 'canary' });
      eq(`DestinationRule "${name}" subsets (Argo Rollouts labels them)`, byId(manifests, 'DestinationRule', name).spec.subsets, [{ name: 'stable' }, { name: 'canary' }]);
    }
  } else {
    eq(`${where} Gateway API plugin`, trafficRouting.plugins['argoproj-labs/gatewayAPI'].httpRoute, byId(manifests, 'HTTPRoute', name).metadata.name);
    const weighted = byId(manifests, 'HTTPRoute', name).spec.rules.find((r: { name: string }) => r.name === 'weighted');
    if (!weighted) fail(`HTTPRoute "${name}" has no rule "weighted"`, byId(manifests, 'HTTPRoute', name).spec.rules);
    weights(weighted.backendRefs.map((b: { name: string; weight: number }) => [b.name, b.weight]));
  }
}

/**
 * Flagger: the Deployment `<name>` runs the newest track's pod template; the Canary targets
 * it, names the emitted Ingress (nginx canary), says the router's provider and walks the
 * plan (stepWeights), the A/B test or the blue-green iterations.
 */
function checkFlagger(spec: ReleaseSpec, manifests: K8sObject[]): void {
  const name = appNameOf(spec);
  const d = byId(manifests, 'Deployment', name);
  const newest = newestTrack(spec);
  eq(`Deployment "${name}" selector`, d.spec.selector, { matchLabels: { app: name } });
  checkSelectsOwnPods(`Deployment "${name}"`, d);
  checkPodTemplate(`Deployment "${name}"`, d.spec.template, spec, newest);
  checkTrackMounts(`Deployment "${name}"`, d.spec.template.spec, spec, newest, manifests);
  // A canary runs at stable's size; blue-green's new color at its own.
  eq(`Deployment "${name}" replicas`, d.spec.replicas, autoscaled(spec, 'Deployment', name) ? undefined : (spec.type === 'canary' ? spec.stable.replicas : newest.replicas) ?? 1);
  const canary = byId(manifests, 'Canary', name).spec;
  const where = `Canary "${name}"`;
  eq(`${where} targetRef`, canary.targetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: d.metadata.name });
  // The autoscaler Flagger copies for <name>-primary: an emitted one, with the stable's bounds where the canary's differ.
  eq(`${where} autoscalerRef`, canary.autoscalerRef, expectedAutoscalerRef(spec));
  if (canary.autoscalerRef) byId(manifests, 'HorizontalPodAutoscaler', canary.autoscalerRef.name);
  eq(`${where} ports`, [canary.service.port, canary.service.targetPort], [spec.servicePort ?? spec.containerPort, spec.containerPort]);
  const provider = spec.type === 'blueGreen' ? 'kubernetes' : { nginx: 'nginx', istio: 'istio', gatewayApi: 'gatewayapi:v1', service: '(none)' }[spec.router.kind];
  eq(`${where} provider`, canary.provider, provider);
  if (spec.type === 'canary' && spec.router.kind === 'nginx') {
    const ingress = byId(manifests, 'Ingress', name);
    eq(`${where} ingressRef`, canary.ingressRef, { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: ingress.metadata.name });
    // Flagger copies it into <name>-canary, replacing the backend <name> (the Service it generates) by <name>-canary.
    eq(`Ingress "${name}" backend`, ingress.spec.rules[0].http.paths[0].backend.service, { name, port: { number: spec.servicePort ?? spec.containerPort } });
  } else {
    eq(`${where} ingressRef`, canary.ingressRef, undefined);
  }
  const a = canary.analysis;
  eq(`${where} schedule`, { interval: a.interval, iterations: a.iterations, stepWeights: a.stepWeights }, expectedFlaggerSchedule(spec));
  eq(`${where} threshold`, a.threshold, spec.analysis ? (spec.analysis.failureLimit ?? 2) + 1 : 1);
  const rules = spec.type === 'canary' && isAbTest(spec) ? [spec.canary?.traffic?.header, spec.canary?.traffic?.cookie].filter((r) => r !== undefined).length : 0;
  eq(`${where} A/B matches`, a.match?.length ?? 0, rules);
  const metrics = spec.analysis ? [
    { name: 'error-rate', max: spec.analysis.maxErrorRate, template: `${name}-error-rate` },
    ...(spec.analysis.maxLatencyMs !== undefined ? [{ name: 'latency-p99', max: spec.analysis.maxLatencyMs / 1000, template: `${name}-latency-p99` }] : []),
  ] : [];
  const window = flaggerDuration(Math.max(60, 2 * (spec.analysis?.interval ?? 60)));
  eq(`${where} metrics`, a.metrics, metrics.length > 0
    ? metrics.map((m) => ({ name: m.name, interval: window, templateRef: { name: byId(manifests, 'MetricTemplate', m.template).metadata.name }, thresholdRange: { max: m.max } }))
    : undefined);
}

/**
 * The analysis as each engine runs it: a PrometheusRule of alerts on the analysed version,
 * an AnalysisTemplate, or MetricTemplates that read 0 while there is no data. Every query is
 * PromQL that parses, with every placeholder filled in.
 */
function checkAnalysis(spec: ReleaseSpec, manifests: K8sObject[]): void {
  const a = spec.analysis;
  const name = appNameOf(spec);
  for (const [where, query] of promqlExpressions(manifests.filter((o) => o.metadata.name.startsWith(name)))) {
    const errors = promqlSyntaxErrors(query);
    if (errors.length > 0) fail(`${where}: PromQL syntax`, { query, errors });
    if (query.includes('{{')) fail(`${where}: a placeholder left`, query);
  }
  if (!a) return;
  const latency = a.maxLatencyMs !== undefined;
  const engine = engineOf(spec);
  if (engine === 'manifests') {
    if (spec.type === 'canary' && !spec.canary) return;
    const rule = byId(manifests, 'PrometheusRule', name);
    eq(`PrometheusRule "${name}" labels`, rule.metadata.labels, { ...spec.metadata?.labels, ...a.ruleLabels, app: name });
    // The alerts are about the canary, or blue-green's active color.
    const version = spec.type === 'canary' ? spec.canary!.version : (spec.active === 'blue' ? spec.blue : spec.green)!.version;
    const rules = rule.spec.groups[0].rules;
    eq(`PrometheusRule "${name}" alerts`, rules.map((r: any) => [r.alert, r.labels]), [
      ['ReleaseErrorRateHigh', { severity: 'critical', app: name, version }],
      ...(latency ? [['ReleaseLatencyHigh', { severity: 'critical', app: name, version }]] : []),
    ]);
    eq(`PrometheusRule "${name}" interval`, rule.spec.groups[0].interval, promDuration(a.interval ?? 60));
  } else if (engine === 'argoRollouts') {
    const template = byId(manifests, 'AnalysisTemplate', name);
    eq(`AnalysisTemplate "${name}" metrics`, template.spec.metrics.map((m: any) => [m.name, m.interval, m.failureLimit, m.provider.prometheus.address]), [
      ['error-rate', promDuration(a.interval ?? 60), a.failureLimit ?? 2, a.address],
      ...(latency ? [['latency-p99', promDuration(a.interval ?? 60), a.failureLimit ?? 2, a.address]] : []),
    ]);
  } else {
    for (const suffix of ['error-rate', ...(latency ? ['latency-p99'] : [])]) {
      const template = byId(manifests, 'MetricTemplate', `${name}-${suffix}`);
      eq(`MetricTemplate "${name}-${suffix}" provider`, template.spec.provider, { type: 'prometheus', address: a.address });
      // No data yet reads 0: Flagger would count it as a failed check.
      if (!template.spec.query.endsWith(') >= 0) or on() vector(0)')) fail(`MetricTemplate "${name}-${suffix}" query is not guarded`, template.spec.query);
    }
  }
}

/**
 * The Services Flagger generates for a release (`<name>`, `<name>-primary`, `<name>-canary`):
 * routes name them, but they are not emitted.
 */
function flaggerServices(specs: ReleaseSpec[]): K8sObject[] {
  return specs.filter((s) => engineOf(s) === 'flagger').flatMap((s) => ['', '-primary', '-canary'].map((suffix) => ({
    apiVersion: 'v1', kind: 'Service', metadata: { name: `${appNameOf(s)}${suffix}` }, spec: { ports: [{ port: s.servicePort ?? s.containerPort }] },
  })));
}

/**
 * Every destination of every route exists: Services (with the port; under Flagger those it
 * generates), DestinationRule subsets (selecting one track, or relabelled by the Rollout that
 * names the rule).
 */
export function checkDestinations(manifests: K8sObject[], specs: ReleaseSpec[] = []): void {
  const services = new Map([...flaggerServices(specs), ...manifests.filter((o) => o.kind === 'Service')].map((s) => [s.metadata.name, s]));
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
            if (subset.labels === undefined) {
              const owner = manifests.find((m) => m.kind === 'Rollout' && m.spec.strategy.canary?.trafficRouting?.istio?.destinationRule?.name === rule!.metadata.name);
              if (!owner) fail(`${what}: subset ${d.subset} of ${d.host} has no labels and no Rollout relabels it`, rule!.spec);
              continue;
            }
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

/**
 * nginx: the main Ingress serves the router's class, host, path and TLS, to the Service
 * `<name>`; the canary (and preview) Ingress carries its path and class, the canary its host
 * too, with the weight rendered (traffic.weight, or the plan's at the canary's step).
 */
function checkNginxIngresses(spec: ReleaseSpec, manifests: K8sObject[]): void {
  if (spec.router.kind !== 'nginx') return;
  const name = appNameOf(spec);
  const main = byId(manifests, 'Ingress', name);
  const rule = main.spec.rules[0];
  eq(`Ingress "${name}" class`, main.spec.ingressClassName, spec.router.ingressClassName ?? 'nginx');
  eq(`Ingress "${name}" host`, rule.host, spec.router.host);
  eq(`Ingress "${name}" path`, [rule.http.paths[0].path, rule.http.paths[0].pathType], [spec.router.path ?? '/', 'Prefix']);
  eq(`Ingress "${name}" tls`, main.spec.tls, spec.router.tlsSecretName ? [{ hosts: [spec.router.host], secretName: spec.router.tlsSecretName }] : undefined);
  eq(`Ingress "${name}" backend`, rule.http.paths[0].backend.service.name, name);
  const others = spec.type === 'canary' ? [`${name}-canary`] : [`${name}-preview`];
  for (const other of manifests.filter((o) => o.kind === 'Ingress' && others.includes(o.metadata.name))) {
    const r = other.spec.rules[0];
    const isCanary = other.metadata.name === `${name}-canary` && spec.type === 'canary';
    eq(`Ingress "${other.metadata.name}" class`, other.spec.ingressClassName, main.spec.ingressClassName);
    eq(`Ingress "${other.metadata.name}" path`, [r.http.paths[0].path, r.http.paths[0].pathType], [rule.http.paths[0].path, rule.http.paths[0].pathType]);
    eq(`Ingress "${other.metadata.name}" host`, r.host, isCanary ? rule.host : (spec as BlueGreenSpec).previewHost);
    eq(`Ingress "${other.metadata.name}" tls`, other.spec.tls, undefined);
    // Under Flagger the new color is behind the Service <name>-canary it generates.
    if (!isCanary) eq(`Ingress "${other.metadata.name}" backend`, r.http.paths[0].backend.service.name, engineOf(spec) === 'flagger' ? `${name}-canary` : `${name}-preview`);
    if (isCanary) {
      const a = other.metadata.annotations ?? {};
      const t = (spec as CanarySpec).canary?.traffic ?? {};
      eq(`Ingress "${other.metadata.name}" canary`, a['nginx.ingress.kubernetes.io/canary'], 'true');
      eq(`Ingress "${other.metadata.name}" weight`, [a['nginx.ingress.kubernetes.io/canary-weight'], a['nginx.ingress.kubernetes.io/canary-weight-total']], [String(renderedWeight(spec as CanarySpec)), String(t.weightTotal ?? 100)]);
    }
  }
}

// ------------------------------------------------------------------ capacity: disruption budgets and autoscaling

/** Whether the model says an autoscaler sizes the workload `<kind>/<name>` of the release. */
function autoscaled(spec: ReleaseSpec, kind: string, name: string): boolean {
  return expectedAutoscalers(spec).some((h) => h.target.kind === kind && h.target.name === name);
}

/** The release's labels on one of its objects (README: `metadata` labels go on every object), `app` the library's own. */
function checkReleaseLabels(where: string, o: K8sObject, spec: ReleaseSpec): void {
  const labels = o.metadata.labels ?? {};
  eq(`${where} app label`, labels.app, appNameOf(spec));
  for (const [k, v] of Object.entries(spec.metadata?.labels ?? {})) eq(`${where} label ${k}`, labels[k], v);
  for (const [k, v] of Object.entries(spec.metadata?.annotations ?? {})) eq(`${where} annotation ${k}`, o.metadata.annotations?.[k], v);
}

/**
 * The release's budgets and autoscalers (README, "Capacity"): each PodDisruptionBudget with
 * the selector, the budget as given (maxUnavailable or minAvailable, the default
 * maxUnavailable 1) and `unhealthyPodEvictionPolicy: AlwaysAllow`; each autoscaler on its
 * workload, between its bounds, on the utilisation targets.
 */
function checkCapacity(spec: ReleaseSpec, manifests: K8sObject[]): void {
  const budget = budgetOf(spec);
  for (const b of expectedBudgets(spec)) {
    const pdb = byId(manifests, 'PodDisruptionBudget', b.name);
    const where = `PodDisruptionBudget "${b.name}"`;
    const value = budget.kind === 'maxUnavailable' || budget.kind === 'minAvailable' ? { [budget.kind]: budget.value } : {};
    eq(`${where} spec`, pdb.spec, { selector: { matchLabels: b.selector }, ...value, unhealthyPodEvictionPolicy: 'AlwaysAllow' });
    checkReleaseLabels(where, pdb, spec);
  }
  for (const h of expectedAutoscalers(spec)) {
    const hpa = byId(manifests, 'HorizontalPodAutoscaler', h.name);
    const where = `HorizontalPodAutoscaler "${h.name}"`;
    eq(`${where} spec`, hpa.spec, { scaleTargetRef: h.target, minReplicas: h.minReplicas, maxReplicas: h.maxReplicas, metrics: expectedMetrics(spec) });
    checkReleaseLabels(where, hpa, spec);
  }
}

/** Pods of one workload (one version's, for a Rollout), or a Job's. */
interface PodSet {
  readonly id: string;
  readonly labels: Record<string, string>;
  readonly job: boolean;
}

/**
 * Every set of pods that runs in the namespace: each Deployment's, each version of a Rollout
 * (the newest track's template emitted, the other tracks' as the model says their pods are
 * labelled), Flagger's `<name>-primary` (the stable track's pods, or the active color's, with
 * `app: <name>-primary`), and the pods of Jobs: the smoke Job, an AnalysisTemplate's Job.
 */
function podSets(manifests: K8sObject[], specs: ReleaseSpec[]): PodSet[] {
  const sets: PodSet[] = [];
  for (const o of manifests) {
    const labels = (template: any): Record<string, string> => template?.metadata?.labels ?? {};
    if (o.kind === 'Deployment') sets.push({ id: `Deployment/${o.metadata.name}`, labels: labels(o.spec.template), job: false });
    if (o.kind === 'Rollout') sets.push({ id: `Rollout/${o.metadata.name}@${labels(o.spec.template).version}`, labels: labels(o.spec.template), job: false });
    if (o.kind === 'Job') sets.push({ id: `Job/${o.metadata.name}`, labels: labels(o.spec.template), job: true });
    if (o.kind === 'AnalysisTemplate') {
      for (const m of o.spec.metrics) if (m.provider.job) sets.push({ id: `AnalysisTemplate/${o.metadata.name}/${m.name}`, labels: labels(m.provider.job.spec.template), job: true });
    }
  }
  for (const spec of specs) {
    const name = appNameOf(spec);
    const tracks = spec.type === 'canary' ? [spec.stable, ...(spec.canary ? [spec.canary] : [])] : [spec.blue, spec.green].filter((t): t is TrackSpec => t !== undefined);
    if (engineOf(spec) === 'argoRollouts') {
      for (const t of tracks.filter((track) => track !== newestTrack(spec))) sets.push({ id: `Rollout/${name}@${t.version}`, labels: expectedPodLabels(spec, t), job: false });
    }
    if (engineOf(spec) === 'flagger') {
      const primary = spec.type === 'canary' ? spec.stable : (spec.active === 'blue' ? spec.blue : spec.green)!;
      sets.push({ id: `Deployment/${name}-primary`, labels: { ...expectedPodLabels(spec, primary), app: `${name}-primary` }, job: false });
    }
  }
  return sets;
}

/**
 * Budgets over the namespace's pods: every PodDisruptionBudget selects exactly one set of pods,
 * a workload's (never a Job's, such as the smoke test's), the one of its track the model names;
 * no two budgets select the same pods (every eviction of such a pod would fail).
 */
export function checkBudgetSelection(manifests: K8sObject[], specs: ReleaseSpec[]): void {
  const sets = podSets(manifests, specs);
  const selectedBy = new Map<string, string>();
  const expected = new Map(specs.flatMap((s) => expectedBudgets(s)).map((b) => [b.name, b.pods]));
  for (const pdb of manifests.filter((o) => o.kind === 'PodDisruptionBudget')) {
    const where = `PodDisruptionBudget "${pdb.metadata.name}"`;
    const selector: Record<string, string> = pdb.spec.selector?.matchLabels ?? {};
    if (Object.keys(selector).length === 0 || pdb.spec.selector.matchExpressions !== undefined) fail(`${where}: a selector of labels only, and not empty`, pdb.spec.selector);
    const selected = sets.filter((p) => Object.entries(selector).every(([k, v]) => p.labels[k] === v));
    eq(`${where} selects the pods of exactly one track`, selected.map((p) => p.id), [expected.get(pdb.metadata.name)]);
    if (selected[0].job) fail(`${where} selects a Job's pods`, selected[0]);
    const other = selectedBy.get(selected[0].id);
    if (other !== undefined) fail(`${where} and "${other}" both select the pods of ${selected[0].id}`, selector);
    selectedBy.set(selected[0].id, pdb.metadata.name);
  }
}

/**
 * Autoscalers over the namespace's workloads: each names an emitted workload (apiVersion, kind
 * and name), which has no replicas (the autoscaler sizes it); at least 1 pod, minReplicas at most
 * maxReplicas; no two on one workload.
 */
export function checkAutoscalerTargets(manifests: K8sObject[]): void {
  const targets = new Map<string, string>();
  for (const hpa of manifests.filter((o) => o.kind === 'HorizontalPodAutoscaler')) {
    const where = `HorizontalPodAutoscaler "${hpa.metadata.name}"`;
    const ref = hpa.spec.scaleTargetRef;
    const workload = manifests.find((o) => o.apiVersion === ref.apiVersion && o.kind === ref.kind && o.metadata.name === ref.name);
    if (!workload) fail(`${where}: its scaleTargetRef names no emitted workload`, ref);
    eq(`${where}: the workload it scales has no replicas`, workload.spec.replicas, undefined);
    if (!(hpa.spec.minReplicas >= 1 && hpa.spec.minReplicas <= hpa.spec.maxReplicas)) fail(`${where}: 1 <= minReplicas <= maxReplicas`, hpa.spec);
    const key = `${ref.kind}/${ref.name}`;
    if (targets.has(key)) fail(`${where} and "${targets.get(key)}" both scale ${key}`, ref);
    targets.set(key, hpa.metadata.name);
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
      const share = renderedWeight(spec) / (t?.weightTotal ?? 100);
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

/**
 * Every invariant of one valid release within its chart's manifests. Where requests land is
 * checked with plain manifests only: under a controller the weights are the controller's.
 */
export function checkRelease(spec: ReleaseSpec, manifests: K8sObject[], requests: RequestSpec[] = [], routing = true): void {
  const engine = engineOf(spec);
  if (engine === 'manifests') checkWorkloads(spec, manifests);
  else if (engine === 'argoRollouts') checkRollout(spec, manifests);
  else checkFlagger(spec, manifests);
  checkNginxIngresses(spec, manifests);
  checkAnalysis(spec, manifests);
  checkConfigMaps(spec, manifests);
  checkSmoke(spec, manifests);
  checkCapacity(spec, manifests);
  if (routing && engine === 'manifests') checkRouting(spec, manifests, requests);
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
  checkDestinations(manifests, specs);
  checkBudgetSelection(manifests, specs);
  checkAutoscalerTargets(manifests);
  specs.forEach((spec, i) => checkRelease(spec, manifests, requests[i] ?? [], !sharesNginxLocation(spec, specs)));
}
