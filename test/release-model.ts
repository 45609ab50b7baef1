/**
 * An independent model of the contract (the README): from a release spec alone, which
 * props are wrong (so construction must throw, naming one of them), which objects a valid
 * release emits, which pods each Service selects, and where each request must land.
 *
 * Written from the documented rules, not from the library's code, so that the property tests
 * compare two implementations.
 */
import { createHash } from 'crypto';
import { RE2JS } from 're2js';
import {
  AnalysisSpec, BlueGreenSpec, BudgetSpec, CanarySpec, ConfigSpec, ContainerSpec, EngineKind, MetadataSpec, ReleaseSpec, RequestSpec, ResourcesSpec, RouterSpec, SecuritySpec, ShiftSpec,
  SmokeSpec, StepSpec, TrackSpec, TrafficSpec, configValueOf,
} from './arbitraries';

const DNS_1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const VERSION = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const HEADER_NAME = /^[A-Za-z0-9-]+$/;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const NGINX_BASIC = /^[-._~a-zA-Z0-9/:]+$/;
const NGINX_REGEX = /^[-._~a-zA-Z0-9/:^$[\](){}*+?|&=\\]+$/;
const PATH = /^\/[A-Za-z0-9\-._~/%]*$/;
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;
const IPV4 = /^\d+(\.\d+){3}$/;
const ISTIO_GATEWAY = /^(?:[a-z0-9]([-a-z0-9]*[a-z0-9])?\/)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

export const isDns1035 = (s: unknown): boolean => typeof s === 'string' && s.length <= 63 && DNS_1035.test(s);
export const isDns1123 = (s: unknown): boolean => typeof s === 'string' && s.length <= 63 && DNS_1123.test(s);
const isInt = (n: unknown, min: number, max: number): boolean => typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max;

/** A DNS subdomain, each label a DNS-1123 label, optionally `*.`-prefixed. */
export function isHost(s: unknown, wildcard = true): boolean {
  if (typeof s !== 'string' || s.length === 0 || s.length > 253) return false;
  const bare = wildcard && s.startsWith('*.') ? s.slice(2) : s;
  return bare.length > 0 && bare.split('.').every((l) => isDns1123(l));
}

const isPath = (s: unknown): boolean => typeof s === 'string' && PATH.test(s) && !s.includes('//') && s.length <= 1024;

/** A qualified name (label or annotation key): optional DNS-subdomain prefix and '/', then a 1-63 character name. */
export function isQualifiedName(key: string): boolean {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && !isHost(prefix, false)) return false;
  return name.length > 0 && name.length <= 63 && LABEL_NAME.test(name);
}

export const slug = (version: string): string => version.replace(/\./g, '-');

export function ownerOf(spec: ReleaseSpec): string {
  return spec.type === 'canary' ? `CanaryRelease '${spec.id}'` : `BlueGreenRelease '${spec.id}'`;
}

export function appNameOf(spec: ReleaseSpec): string {
  return spec.name ?? spec.id;
}

/** The engine: plain manifests unless one is given. */
export function engineOf(spec: ReleaseSpec): EngineKind {
  return spec.engine?.kind ?? 'manifests';
}

/** The track whose pod template a controller runs: the canary, else stable; blue-green: the idle color, else the active one. */
export function newestTrack(spec: ReleaseSpec): TrackSpec {
  if (spec.type === 'canary') return spec.canary ?? spec.stable;
  const active = spec.active === 'blue' ? spec.blue : spec.green;
  const idle = spec.active === 'blue' ? spec.green : spec.blue;
  return (idle ?? active)!;
}

/** The tracks whose pod templates are emitted: every track with plain manifests, the newest one under a controller. */
export function renderedTracks(spec: ReleaseSpec): TrackSpec[] {
  if (engineOf(spec) !== 'manifests') return [newestTrack(spec)];
  if (spec.type === 'canary') return spec.canary ? [spec.stable, spec.canary] : [spec.stable];
  return [spec.blue, spec.green].filter((t): t is TrackSpec => t !== undefined);
}

export const isShift = (s: StepSpec): s is ShiftSpec => 'shiftTraffic' in s;

/** The canary's weightTotal (100 without a canary or without traffic). */
export function weightTotalOf(spec: CanarySpec): number {
  return spec.canary?.traffic?.weightTotal ?? 100;
}

/** The weight in force at each step of a plan: that of the last shiftTraffic at or before it, 0 before the first. */
export function weightsInForce(steps: StepSpec[]): number[] {
  let weight = 0;
  return steps.map((s) => (weight = isShift(s) ? s.shiftTraffic : weight));
}

/** The weight plain manifests render: that of the plan at the canary's step, else traffic.weight (0 by default). */
export function renderedWeight(spec: CanarySpec): number {
  const step = spec.canary?.step;
  if (step !== undefined && spec.steps) return weightsInForce(spec.steps)[step];
  return spec.canary?.traffic?.weight ?? 0;
}

/** A Prometheus (and Argo Rollouts) duration: whole hours, else whole minutes, else seconds (`2h`, `90s`). */
export function promDuration(seconds: number): string {
  return seconds % 3600 === 0 ? `${seconds / 3600}h` : seconds % 60 === 0 ? `${seconds / 60}m` : `${seconds}s`;
}

/** A duration as Flagger's CRD takes it: minutes or seconds, no hours (`2h` is `120m`). */
export function flaggerDuration(seconds: number): string {
  return seconds % 60 === 0 ? `${seconds / 60}m` : `${seconds}s`;
}

/** Whether a Flagger canary is an A/B test: it has header or cookie rules. */
export function isAbTest(spec: CanarySpec): boolean {
  const t = spec.canary?.traffic;
  return t?.header !== undefined || t?.cookie !== undefined;
}

/**
 * Whether Flagger runs the release on the A/B schedule (iterations, no stepWeights): an A/B
 * test, and a release without a canary whose plan is one an A/B test could have (no plan, or
 * pauses only, optionally ending with shiftTraffic(weightTotal)). The Canary waits for the next
 * version on the schedule it had: an A/B test is promoted by removing its canary (README,
 * Flagger: "making v2 the stable track and removing canary"), and a weighted plan stays one.
 */
export function isFlaggerAbSchedule(spec: CanarySpec): boolean {
  if (isAbTest(spec)) return true;
  if (spec.canary) return false;
  const steps = spec.steps ?? [];
  const total = weightTotalOf(spec);
  return steps.every((s, i) => !isShift(s) || (i === steps.length - 1 && s.shiftTraffic === total));
}

// ------------------------------------------------------------------ expected errors

/**
 * The props (as message prefixes `<owner>: <prop>`) one of which construction must name when
 * it throws; empty: it must not throw. An entry ending in `*` matches any message starting
 * with it; any other must be followed by ` (` and the bad value.
 */
export function expectedErrors(spec: ReleaseSpec): string[] {
  const errs: string[] = [];
  const owner = ownerOf(spec);
  const err = (prop: string, who = owner) => errs.push(`${who}: ${prop}`);

  routerErrors(spec.router, errs);

  const name = appNameOf(spec);
  if (!isDns1035(name)) err('name');
  if (!isInt(spec.containerPort, 1, 65535)) err('containerPort');
  if (spec.servicePort !== undefined && !isInt(spec.servicePort, 1, 65535)) err('servicePort');
  containerErrors('container', spec.container, err);
  metadataErrors('metadata', spec.metadata, err);
  metadataErrors('podMetadata', spec.podMetadata, err);
  // An OpenTelemetry resource attribute value and a label value: 1 to 63 characters, alphanumeric at both ends.
  if (spec.environment !== undefined && (typeof spec.environment !== 'string' || spec.environment === '' || spec.environment.length > 63 || !LABEL_VALUE.test(spec.environment))) err('environment');
  if (spec.router.kind === 'nginx') {
    for (const key of Object.keys(spec.metadata?.annotations ?? {})) {
      if (isNginxReserved(key)) err('metadata.annotations[*');
    }
  }

  const engine = engineOf(spec);
  const tracks: Array<[string, TrackSpec]> = spec.type === 'canary'
    ? [['stable', spec.stable], ...(spec.canary ? [['canary', spec.canary] as [string, TrackSpec]] : [])]
    : [...(spec.blue ? [['blue', spec.blue] as [string, TrackSpec]] : []), ...(spec.green ? [['green', spec.green] as [string, TrackSpec]] : [])];
  for (const [role, track] of tracks) {
    if (typeof track.version !== 'string' || track.version.length > 63 || !VERSION.test(track.version)) err(`${role}.version`);
    if (typeof track.image !== 'string' || track.image.length === 0 || /\s/.test(track.image)) err(`${role}.image`);
    if (track.replicas !== undefined && !isInt(track.replicas, 0, 1_000_000)) err(`${role}.replicas`);
    containerErrors(`${role}.container`, track.container, err);
    // Kubernetes refuses these pod templates. Every track is checked under every engine, also one
    // a controller does not render yet (the stable track behind Argo's or Flagger's canary): it is
    // the pod template the release returns to.
    const merged = mergeSecurity(spec.container?.securityContext, track.container?.securityContext);
    if (merged.privileged === true && merged.allowPrivilegeEscalation !== true) err('container.securityContext.privileged');
    if (merged.user === 0 && merged.ensureNonRoot !== false) err('container.securityContext.user');
    // The Deployment <name>-<v> exists with plain manifests only.
    if (engine === 'manifests' && `${name}-${slug(track.version)}`.length > 63) err('name');
  }
  analysisErrors(spec.analysis, (prop) => err(prop, 'CanaryAnalysis.prometheus'));
  engineFactoryErrors(spec, errs);
  if (engine !== 'manifests') {
    // A controller runs the analysis itself: nothing carries ruleLabels, the PrometheusRule's.
    if (spec.analysis?.ruleLabels !== undefined) err('analysis.ruleLabels');
    // Every object name is at most 63 characters: Flagger copies the Deployment into <name>-primary.
    if (engine === 'flagger' && `${name}-primary`.length > 63) err('name');
  }
  if (engine === 'flagger' && spec.analysis) {
    // ... and names the MetricTemplates <name>-error-rate and <name>-latency-p99 (the longer, with maxLatency).
    const suffix = spec.analysis.maxLatencyMs !== undefined ? '-latency-p99' : '-error-rate';
    if (`${name}${suffix}`.length > 63) err('name');
  }

  configErrors(spec, tracks, err);
  smokeErrors(spec, err);
  capacityErrors(spec, tracks, err, errs);

  if (spec.type === 'canary') canaryErrors(spec, err);
  else blueGreenErrors(spec, err);
  return errs;
}

// ------------------------------------------------------------------ versioned configuration

const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
/** What a ConfigMap holds: 1 MiB (the API server's limit; the library's rule counts keys and values), in bytes. */
export const CONFIG_MAX_BYTES = 1024 * 1024;

/**
 * A key the API server takes in a ConfigMap (IsConfigMapKey): at most 253 letters, digits, '-',
 * '_' and '.', and neither '.' nor '..' nor starting with '..' (a key is a file name in the
 * volume, beside the `..data` link the kubelet writes).
 */
export function isConfigMapKey(key: string): boolean {
  return key.length <= 253 && CONFIG_KEY.test(key) && key !== '.' && !key.startsWith('..');
}

/** A key `envFrom` takes as a variable (IsEnvVarName), not only as a file. */
const isEnvName = (key: string): boolean => isConfigMapKey(key) && ENV_NAME.test(key);

/** A mount path (README, "Versioned configuration"): an absolute directory other than '/', without '..' or ':'. */
export function isMountPath(p: unknown): boolean {
  return typeof p === 'string' && p.startsWith('/') && p !== '/' && !p.includes(':') && !p.split('/').includes('..') && p.length <= 1024;
}

/** The directory a mount path names: '/etc/a', '/etc/a/', '/etc//a' and '/etc/./a' are one. */
export function mountDirectory(p: string): string {
  return `/${p.split('/').filter((part) => part !== '' && part !== '.').join('/')}`;
}

/** The UTF-8 bytes of a configuration's keys and values (a long value counted without writing it out). */
function configBytes(config: ConfigSpec): number {
  return Object.entries(config).reduce((n, [k, v]) => n + Buffer.byteLength(k) + (typeof v === 'object' ? Buffer.byteLength(v.repeat) * v.times : Buffer.byteLength(String(v))), 0);
}

/** A track's configuration as given: the shared `config` with the track's own merged over it by key; undefined when empty. */
function mergedConfigSpec(spec: ReleaseSpec, track: TrackSpec): ConfigSpec | undefined {
  const merged = { ...spec.config, ...track.config };
  return Object.keys(merged).length > 0 ? merged : undefined;
}

/** The data of a track's ConfigMap (README): the shared `config`, the track's own over it by key; none when both are empty. */
export function expectedConfig(spec: ReleaseSpec, track: TrackSpec): Record<string, string> | undefined {
  const merged = mergedConfigSpec(spec, track);
  return merged && Object.fromEntries(Object.entries(merged).map(([k, v]) => [k, String(configValueOf(v))]));
}

/**
 * Identifies a ConfigMap's content: the model does not know the library's hash (README: "named
 * `<name>-<v>-<hash>` after its content"), only that equal content is an equal name and other
 * content another. The inventory names ConfigMaps `<name>-<v>-#<fingerprint>` on both sides.
 */
export function configFingerprint(data: Record<string, string>): string {
  const canonical = Object.keys(data).sort().map((k) => `${k.length}:${k}=${data[k].length}:${data[k]}`).join(';');
  return createHash('sha1').update(canonical).digest('hex').slice(0, 12);
}

/** `ConfigMap/<name>-<v>-#<fingerprint>` of a track with configuration (see configFingerprint). */
export function configMapId(spec: ReleaseSpec, track: TrackSpec): ObjectId | undefined {
  const data = expectedConfig(spec, track);
  return data && `ConfigMap/${appNameOf(spec)}-${slug(track.version)}-#${configFingerprint(data)}`;
}

/** The keys and values of a `config` map (`prop`: `config`, `canary.config`, ...). */
function configMapErrors(prop: string, config: ConfigSpec | undefined, asFiles: boolean, err: (prop: string) => void): void {
  for (const [key, value] of Object.entries(config ?? {})) {
    // As environment variables, also a variable name (envFrom would skip any other key).
    if (!isConfigMapKey(key) || (!asFiles && !isEnvName(key))) err(`${prop} key`);
    if (typeof value === 'number') err(`${prop}[${JSON.stringify(key)}]`);
  }
}

/**
 * `config`, `configMountPath` and each track's `config` and `secrets` (README, "Versioned
 * configuration"): keys a ConfigMap takes (as variables: variable names), string values, at
 * most 1 MiB per track merged; Secrets by name (a DNS subdomain), each mounted in its own
 * directory (not the configuration's either: configMountPath is taken in every track); and
 * configMountPath needs some configuration to mount.
 */
function configErrors(spec: ReleaseSpec, tracks: Array<[string, TrackSpec]>, err: (prop: string) => void): void {
  const asFiles = spec.configMountPath !== undefined;
  if (asFiles && !isMountPath(spec.configMountPath)) err('configMountPath');
  configMapErrors('config', spec.config, asFiles, err);
  for (const [role, track] of tracks) {
    configMapErrors(`${role}.config`, track.config, asFiles, err);
    const taken = asFiles && isMountPath(spec.configMountPath) ? [mountDirectory(spec.configMountPath!)] : [];
    (track.secrets ?? []).forEach((secret, i) => {
      if (!isHost(secret.secretName, false)) err(`${role}.secrets[${i}].secretName`);
      if (!isMountPath(secret.mountPath)) {
        err(`${role}.secrets[${i}].mountPath`);
        return;
      }
      if (taken.includes(mountDirectory(secret.mountPath))) err(`${role}.secrets[${i}].mountPath`);
      taken.push(mountDirectory(secret.mountPath));
    });
    const merged = mergedConfigSpec(spec, track);
    if (merged && configBytes(merged) > CONFIG_MAX_BYTES) err('config');
    // README: "Every object name is at most 63 characters", the ConfigMap <name>-<v>-<hash> too.
    if (merged && `${appNameOf(spec)}-${slug(track.version)}-0123456789`.length > 63) err('name');
  }
  if (asFiles && tracks.every(([, track]) => mergedConfigSpec(spec, track) === undefined)) err('configMountPath');
}

// ------------------------------------------------------------------ capacity: disruption budgets and autoscaling

/** A budget's value: a whole number of pods, or a percentage written `'<p>%'` (no leading zero). */
const PERCENT = /^(0|[1-9]\d{0,2})%$/;

/**
 * What the budget factories take (README, "Capacity"): a whole number of pods from 1 (at most
 * 1,000,000), or a percentage; maxUnavailable from '1%' to '100%', minAvailable from '1%' to
 * '99%' (100 % blocks every eviction, 0 protects nothing or blocks everything).
 */
function isBudgetValue(kind: 'maxUnavailable' | 'minAvailable', value: unknown): boolean {
  if (typeof value === 'number') return isInt(value, 1, 1_000_000);
  if (typeof value !== 'string' || !PERCENT.test(value)) return false;
  const p = Number(value.slice(0, -1));
  return p >= 1 && p <= (kind === 'maxUnavailable' ? 100 : 99);
}

/** Whether the release emits PodDisruptionBudgets: unless DisruptionBudget.none() (the default is maxUnavailable(1)). */
export function emitsBudgets(spec: ReleaseSpec): boolean {
  return spec.disruptionBudget?.kind !== 'none';
}

/** The budget in force: the default maxUnavailable(1) when left out. */
export function budgetOf(spec: ReleaseSpec): BudgetSpec {
  return spec.disruptionBudget ?? { kind: 'maxUnavailable', value: 1 };
}

/**
 * How many of `pods` healthy pods the disruption controller lets a drain take at once:
 * maxUnavailable of them (a percentage of the pods, rounded up), or those above minAvailable
 * (a percentage rounded up too).
 */
export function evictionsAllowed(budget: BudgetSpec, pods: number): number {
  if (budget.kind !== 'maxUnavailable' && budget.kind !== 'minAvailable') return pods;
  const amount = typeof budget.value === 'string' ? Math.ceil((Number(budget.value.slice(0, -1)) * pods) / 100) : budget.value;
  return budget.kind === 'maxUnavailable' ? Math.min(pods, amount) : Math.max(0, pods - amount);
}

/** A track's autoscaler bounds. */
export interface Bounds {
  readonly minReplicas: number;
  readonly maxReplicas: number;
}

/** `autoscaling` with its defaults (README, "Capacity"): minReplicas 2; CPU at 80 % unless memory alone is a target. */
export interface ExpectedAutoscaling extends Bounds {
  readonly cpuUtilization?: number;
  readonly memoryUtilization?: number;
}

export function autoscalingOf(spec: ReleaseSpec): ExpectedAutoscaling | undefined {
  const a = spec.autoscaling;
  if (a === undefined) return undefined;
  return {
    minReplicas: a.minReplicas ?? 2,
    maxReplicas: a.maxReplicas,
    cpuUtilization: a.cpuUtilization ?? (a.memoryUtilization === undefined ? 80 : undefined),
    memoryUtilization: a.memoryUtilization,
  };
}

/**
 * A canary's bounds (README): the stable's `ceil(bound × weight / weightTotal)`, at least 1 pod;
 * with a share nobody knows (a header or cookie rule), up to the stable's maximum.
 */
export function proportionalBounds(stable: Bounds, weight: number, weightTotal: number, unknownShare: boolean): Bounds {
  const share = (n: number) => Math.max(1, Math.ceil((n * weight) / weightTotal));
  const minReplicas = share(stable.minReplicas);
  return { minReplicas, maxReplicas: unknownShare ? Math.max(minReplicas, stable.maxReplicas) : share(stable.maxReplicas) };
}

/** Plain manifests: the canary takes requests while it has a header or cookie rule, or a weight in force above 0. */
export function canaryTakesRequests(spec: CanarySpec): boolean {
  if (!spec.canary) return false;
  const t = spec.canary.traffic;
  return t?.header !== undefined || t?.cookie !== undefined || renderedWeight(spec) > 0;
}

/** Plain manifests: the autoscaled canary's bounds, while it takes requests (none otherwise: it runs its replicas). */
export function manifestsCanaryBounds(spec: CanarySpec): Bounds | undefined {
  const a = autoscalingOf(spec);
  if (!a || !canaryTakesRequests(spec)) return undefined;
  return proportionalBounds(a, renderedWeight(spec), weightTotalOf(spec), isAbTest(spec));
}

/**
 * Flagger: the bounds of the Deployment `<name>` (README): a weighted canary's, the stable's in
 * proportion to the plan's largest weight (in percent); on the A/B schedule, 1 to the stable's
 * maximum; blue-green, the stable's.
 */
export function flaggerCanaryBounds(spec: ReleaseSpec): Bounds | undefined {
  const a = autoscalingOf(spec);
  if (!a) return undefined;
  if (spec.type === 'blueGreen') return { minReplicas: a.minReplicas, maxReplicas: a.maxReplicas };
  if (isFlaggerAbSchedule(spec)) return proportionalBounds(a, 0, 100, true);
  const weights = spec.steps && spec.steps.length > 0 ? expectedStepWeights(spec.steps, weightTotalOf(spec)) : [];
  return proportionalBounds(a, Math.max(0, ...weights), 100, false);
}

/** A track's PodDisruptionBudget as the model predicts it. */
export interface ExpectedBudget {
  readonly name: string;
  readonly selector: Record<string, string>;
  /**
   * The pods it must select, and no other: `Deployment/<name>` (an emitted Deployment, or the
   * `<name>-primary` Flagger generates), or `Rollout/<name>@<version>` (one version's ReplicaSets
   * of the Rollout).
   */
  readonly pods: string;
  /** The fewest pods the track runs while it runs any (0: none, nothing can be blocked). */
  readonly fewest: number;
}

/** The smallest of the sizes above 0 (0 when there is none). */
function fewestOf(sizes: number[]): number {
  const running = sizes.filter((n) => n > 0);
  return running.length > 0 ? Math.min(...running) : 0;
}

/** A track's size without an autoscaler: its replicas, 1 by default. */
const fixedSize = (t: TrackSpec): number => t.replicas ?? 1;

/** The present colors, blue first. */
function colorsOf(spec: BlueGreenSpec): Array<['blue' | 'green', TrackSpec]> {
  return (['blue', 'green'] as const).filter((c) => spec[c] !== undefined).map((c) => [c, spec[c]!]);
}

/** Blue-green's active and idle tracks, when `active` names a present color. */
function activeAndIdle(spec: BlueGreenSpec): { active: TrackSpec; idle?: TrackSpec } | undefined {
  if (spec.active !== 'blue' && spec.active !== 'green') return undefined;
  const active = spec.active === 'blue' ? spec.blue : spec.green;
  return active ? { active, idle: spec.active === 'blue' ? spec.green : spec.blue } : undefined;
}

/**
 * How Argo Rollouts sizes a basic canary (no traffic routing: the weight is a share of the
 * pods; utils/replicaset/canary.go, approximateWeightedCanaryStableReplicaCounts): of the counts
 * `ceil` and `floor` of `replicas × weight / total`, over `replicas` pods or, when it may surge,
 * `replicas + 1`, the one closest to the weight; never 0 canary pods at a weight between 0 and
 * the total (unless one pod and no surge), and on a tie the larger. Returns [canary, stable].
 */
export function argoBasicCanaryPods(replicas: number, weight: number, total: number, maxSurge: number): [number, number] {
  if (replicas === 0) return [0, 0];
  const exact = (replicas * weight) / total;
  const ceil = Math.ceil(exact);
  const floor = Math.floor(exact);
  const tied = (n: number) => n * (weight / total) - Math.floor(n * (weight / total)) === 0.5;
  const zeroAllowed = weight === total || weight === 0 || (replicas === 1 && maxSurge === 0);
  const options: Array<[number, number]> = [];
  if (ceil < replicas || zeroAllowed) options.push([ceil, replicas]);
  if (!tied(replicas) && (floor !== 0 || zeroAllowed)) options.push([floor, replicas]);
  if (maxSurge > 0) {
    options.push([ceil, replicas + 1]);
    if (!tied(replicas + 1) && (floor !== 0 || zeroAllowed)) options.push([floor, replicas + 1]);
  }
  if (options.length === 0) return [0, replicas];
  const delta = ([c, all]: [number, number]) => Math.abs((c * total) / all - weight);
  const best = options.reduce((a, b) => (delta(b) < delta(a) ? b : a));
  return [best[0], best[1] - best[0]];
}

/**
 * Argo Rollouts' canary: the fewest pods of each version while it runs any, at the Rollout's
 * size (the autoscaler's minimum, or stable.replicas) and each weight of the plan strictly
 * between 0 and weightTotal. With traffic routing the canary runs `ceil(weight × replicas /
 * total)` (or setCanaryScale's replicas before the first weight: canary.replicas, else one pod
 * for the smoke test) and the stable every pod, or with dynamicStableScale (autoscaled) its
 * share rounded up; a basic canary splits the pods as argoBasicCanaryPods (the Rollout's
 * maxSurge is the Deployment default 25 %, rounded up).
 */
function argoCanaryFewest(spec: CanarySpec): { stable: number; canary: number } {
  const a = autoscalingOf(spec);
  const replicas = a ? a.minReplicas : fixedSize(spec.stable);
  const total = weightTotalOf(spec);
  const routed = spec.router.kind !== 'service';
  const weights = (spec.steps && spec.steps.length > 0 ? weightsInForce(spec.steps) : [spec.canary?.traffic?.weight ?? 0]).filter((w) => w > 0 && w < total);
  const maxSurge = Math.ceil(replicas * 0.25);
  const pods = (w: number): [number, number] => (routed
    ? [Math.ceil((w * replicas) / total), a ? Math.ceil(((total - w) * replicas) / total) : replicas]
    : argoBasicCanaryPods(replicas, w, total, maxSurge));
  const scale = spec.canary?.replicas ?? (spec.smokeTest ? 1 : undefined);
  return {
    stable: fewestOf([replicas, ...weights.map((w) => pods(w)[1])]),
    canary: fewestOf([...weights.map((w) => pods(w)[0]), ...(scale !== undefined ? [scale] : [])]),
  };
}

/**
 * Every PodDisruptionBudget of a release (README, "Capacity"), none with DisruptionBudget.none():
 * plain manifests and Argo Rollouts, `<name>-<v>` per track (per present color) over `{app,
 * version}`; Flagger, `<name>-primary` over `{app: <name>-primary}` (the label Flagger gives the
 * primary's pods) and `<name>` over `{app: <name>}`. Each with the fewest pods its track runs:
 *
 * - plain manifests: the autoscaler's minimum (a canary's, in proportion to its weight, while it
 *   takes requests), else the track's replicas;
 * - Argo Rollouts: argoCanaryFewest; blue-green, every color at the Rollout's size (the newest
 *   color's replicas, or the minimum);
 * - Flagger: the primary runs the stable track (blue-green: the active color, until the new one
 *   is promoted into it: both sizes count) at its replicas, or the minimum; `<name>` the newest
 *   track at stable's replicas (blue-green: its own), or the minimum of its bounds; replicas 0
 *   run 1 pod all the same.
 */
export function expectedBudgets(spec: ReleaseSpec): ExpectedBudget[] {
  if (!emitsBudgets(spec)) return [];
  const name = appNameOf(spec);
  const a = autoscalingOf(spec);
  const engine = engineOf(spec);
  const version = (t: TrackSpec, fewest: number, pods = engine === 'argoRollouts' ? `Rollout/${name}@${t.version}` : `Deployment/${name}-${slug(t.version)}`): ExpectedBudget => ({
    name: `${name}-${slug(t.version)}`, selector: { app: name, version: t.version }, pods, fewest,
  });
  // Flagger never runs a Deployment it scales up at 0 pods: it creates <name>-primary with 1
  // pod when <name> has 0 replicas, and scales <name> up to the primary's size (pkg/canary/deployment_controller.go).
  const flaggerSize = (t: TrackSpec): number => Math.max(1, fixedSize(t));
  const flagger = (primary: number, canary: number): ExpectedBudget[] => [
    { name: `${name}-primary`, selector: { app: `${name}-primary` }, pods: `Deployment/${name}-primary`, fewest: primary },
    { name, selector: { app: name }, pods: `Deployment/${name}`, fewest: canary },
  ];
  if (spec.type === 'canary') {
    const { stable, canary } = spec;
    if (engine === 'manifests') {
      const bounds = manifestsCanaryBounds(spec);
      return [version(stable, a ? a.minReplicas : fixedSize(stable)), ...(canary ? [version(canary, bounds ? bounds.minReplicas : fixedSize(canary))] : [])];
    }
    if (engine === 'argoRollouts') {
      const fewest = argoCanaryFewest(spec);
      return [version(stable, fewest.stable), ...(canary ? [version(canary, fewest.canary)] : [])];
    }
    return flagger(a ? a.minReplicas : flaggerSize(stable), a ? flaggerCanaryBounds(spec)!.minReplicas : flaggerSize(stable));
  }
  const tracks = activeAndIdle(spec);
  if (!tracks) return [];
  const newest = tracks.idle ?? tracks.active;
  if (engine === 'manifests') return colorsOf(spec).map(([, t]) => version(t, a ? a.minReplicas : fixedSize(t)));
  if (engine === 'argoRollouts') return colorsOf(spec).map(([, t]) => version(t, a ? a.minReplicas : fixedSize(newest)));
  const primary = fewestOf([flaggerSize(tracks.active), flaggerSize(newest)]);
  return flagger(a ? a.minReplicas : primary, a ? a.minReplicas : flaggerSize(newest));
}

/** Whether some budget leaves a track no eviction at its fewest pods. */
function budgetBlocks(spec: ReleaseSpec, budgets: ExpectedBudget[]): boolean {
  return budgets.some((b) => b.fewest > 0 && evictionsAllowed(budgetOf(spec), b.fewest) === 0);
}

/** A HorizontalPodAutoscaler as the model predicts it. */
export interface ExpectedAutoscaler extends Bounds {
  readonly name: string;
  readonly target: { readonly apiVersion: string; readonly kind: string; readonly name: string };
}

/**
 * Every HorizontalPodAutoscaler of an autoscaled release (README, "Capacity"): plain manifests,
 * `<name>-<v>` on each Deployment with the stable's bounds (each color's too), and on a canary
 * that takes requests with its proportional bounds; Argo Rollouts, one `<name>` on the Rollout
 * with the stable's bounds; Flagger, one `<name>` on the Deployment `<name>` with
 * flaggerCanaryBounds.
 */
export function expectedAutoscalers(spec: ReleaseSpec): ExpectedAutoscaler[] {
  const a = autoscalingOf(spec);
  if (!a) return [];
  const name = appNameOf(spec);
  const stable: Bounds = { minReplicas: a.minReplicas, maxReplicas: a.maxReplicas };
  const engine = engineOf(spec);
  if (engine === 'argoRollouts') return [{ name, target: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name }, ...stable }];
  if (engine === 'flagger') return [{ name, target: { apiVersion: 'apps/v1', kind: 'Deployment', name }, ...flaggerCanaryBounds(spec)! }];
  const onDeployment = (t: TrackSpec, bounds: Bounds): ExpectedAutoscaler => ({
    name: `${name}-${slug(t.version)}`, target: { apiVersion: 'apps/v1', kind: 'Deployment', name: `${name}-${slug(t.version)}` }, ...bounds,
  });
  if (spec.type === 'blueGreen') return colorsOf(spec).map(([, t]) => onDeployment(t, stable));
  const bounds = manifestsCanaryBounds(spec);
  return [onDeployment(spec.stable, stable), ...(spec.canary && bounds ? [onDeployment(spec.canary, bounds)] : [])];
}

/** Flagger's autoscalerRef: the autoscaler `<name>`, with the stable's bounds for `<name>-primary` where the canary's differ. */
export function expectedAutoscalerRef(spec: ReleaseSpec): Record<string, unknown> | undefined {
  const a = autoscalingOf(spec);
  const bounds = flaggerCanaryBounds(spec);
  if (!a || !bounds) return undefined;
  const same = bounds.minReplicas === a.minReplicas && bounds.maxReplicas === a.maxReplicas;
  return {
    apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', name: appNameOf(spec),
    primaryScalerReplicas: same ? undefined : { minReplicas: a.minReplicas, maxReplicas: a.maxReplicas },
  };
}

/** The autoscaler's metrics: average utilisation of the CPU and memory requests it targets. */
export function expectedMetrics(spec: ReleaseSpec): unknown[] {
  const a = autoscalingOf(spec);
  const metric = (name: string, percent: number | undefined) => (percent === undefined ? [] : [{ type: 'Resource', resource: { name, target: { type: 'Utilization', averageUtilization: percent } } }]);
  return a ? [...metric('cpu', a.cpuUtilization), ...metric('memory', a.memoryUtilization)] : [];
}

/** A track's resources: its own container's, when it sets any (they replace the release's), else the release's container's. */
function trackResources(spec: ReleaseSpec, track: TrackSpec): ResourcesSpec | undefined {
  return track.container?.resources ?? spec.container?.resources;
}

/**
 * `disruptionBudget` and `autoscaling` (README, "Capacity"): the factories' arguments; a
 * DisruptionBudget, not a look-alike; autoscaling's bounds (1 to 1,000,000, minReplicas at most
 * maxReplicas) and utilisation targets (1 to 1000 %); no `replicas` on a track the autoscaler
 * sizes (stable, each color, and under plain manifests a canary that takes requests); the
 * request of every resource targeted, in every track; under Argo Rollouts no scaleDownDelay
 * beside autoscaling with a router that steers traffic (dynamicStableScale); and a budget that
 * would block every eviction of a track at its smallest size (expectedBudgets) is refused.
 */
function capacityErrors(spec: ReleaseSpec, tracks: Array<[string, TrackSpec]>, err: (prop: string) => void, errs: string[]): void {
  const b = spec.disruptionBudget;
  if ((b?.kind === 'maxUnavailable' || b?.kind === 'minAvailable') && !isBudgetValue(b.kind, b.value)) errs.push(`DisruptionBudget.${b.kind}: value`);
  if (b?.kind === 'plainObject') err('disruptionBudget');
  const a = spec.autoscaling;
  if (a !== undefined) {
    const maxValid = isInt(a.maxReplicas, 1, 1_000_000);
    if (!maxValid) err('autoscaling.maxReplicas');
    const min = a.minReplicas ?? 2;
    if (!isInt(min, 1, 1_000_000)) err('autoscaling.minReplicas');
    else if (maxValid && min > a.maxReplicas) err('autoscaling.minReplicas');
    for (const key of ['cpuUtilization', 'memoryUtilization'] as const) {
      if (a[key] !== undefined && !isInt(a[key], 1, 1000)) err(`autoscaling.${key}`);
    }
    const targets = autoscalingOf(spec)!;
    for (const [role, track] of tracks) {
      if (role !== 'canary' && track.replicas !== undefined) err(`${role}.replicas`);
      // Utilisation is a share of the request: cdk8s-plus's default request does not count.
      const resources = trackResources(spec, track);
      if (targets.cpuUtilization !== undefined && resources?.cpu?.request === undefined) err(`${role}.container.resources.cpu.request`);
      else if (targets.memoryUtilization !== undefined && resources?.memory?.request === undefined) err(`${role}.container.resources.memory.request`);
    }
    const engine = engineOf(spec);
    if (spec.type === 'canary' && engine === 'manifests' && spec.canary?.replicas !== undefined && canaryTakesRequests(spec)) err('canary.replicas');
    const e = spec.engine as { scaleDownDelay?: number } | undefined;
    if (spec.type === 'canary' && engine === 'argoRollouts' && spec.router.kind !== 'service' && e?.scaleDownDelay !== undefined) err('engine');
  }
  if (b?.kind === 'plainObject' || ((b?.kind === 'maxUnavailable' || b?.kind === 'minAvailable') && !isBudgetValue(b.kind, b.value))) return;
  const budgets = expectedBudgets(spec);
  // Every object name is at most 63 characters (under Argo Rollouts no Deployment <name>-<v> checks it first).
  if (budgets.some((budget) => budget.name.length > 63)) err('name');
  if (budgetBlocks(spec, budgets)) err('disruptionBudget');
}

// ------------------------------------------------------------------ the smoke test

/** The default image (README): public, small, pinned. */
export const SMOKE_TEST_IMAGE = 'curlimages/curl:8.11.1';
/** Where Flagger's load tester answers by default (README). */
export const DEFAULT_LOAD_TESTER_URL = 'http://flagger-loadtester.test/';

/** The version a plain-manifests smoke Job tests: the canary, or the idle color; none without one. */
export function smokeJobVersion(spec: ReleaseSpec): string | undefined {
  if (spec.type === 'canary') return spec.canary?.version;
  return (spec.active === 'blue' ? spec.green : spec.blue)?.version;
}

/** What the smoke test sends, with its defaults (README, "A smoke test before traffic"). */
export interface ExpectedSmoke {
  readonly url: string;
  readonly path: string;
  readonly headers: string[];
  readonly requests: number;
  readonly expectedStatus: number;
  readonly versionHeader?: string;
  readonly image: string;
}

/**
 * Where the smoke test's requests go: `throughRouter`, with the canary's exact header or its
 * cookie (`<cookie>=always`); else straight to the new version's Service at the Service port,
 * `<name>-canary` (blue-green: `<name>-preview`), which Flagger's load tester calls from its own
 * namespace as `<name>-canary.<namespace>` (Flagger's blue-green preview is `<name>-canary` too).
 */
export function expectedSmoke(spec: ReleaseSpec): ExpectedSmoke | undefined {
  const s = spec.smokeTest;
  if (!s) return undefined;
  const name = appNameOf(spec);
  const port = spec.servicePort ?? spec.containerPort;
  const service = spec.type === 'canary' || engineOf(spec) === 'flagger' ? `${name}-canary` : `${name}-preview`;
  const t = spec.type === 'canary' ? spec.canary?.traffic : undefined;
  const headers = s.throughRouter === undefined ? []
    : t?.header?.kind === 'exact' ? [`${t.header.name}: ${t.header.value}`]
      : t?.cookie !== undefined ? [`Cookie: ${t.cookie}=always`] : [];
  return {
    url: s.throughRouter ?? `http://${engineOf(spec) === 'flagger' ? `${service}.${spec.namespace}` : service}:${port}`,
    path: s.path ?? '/',
    headers,
    requests: s.requests ?? 10,
    expectedStatus: s.expectedStatus ?? 200,
    versionHeader: s.versionHeader,
    image: s.image ?? SMOKE_TEST_IMAGE,
  };
}

/** `smokeTest` alone: a Prefix-style path, 1 to 1000 requests, a status of 100 to 599, a header name, a router URL without a path, an image. */
function smokeFieldErrors(s: SmokeSpec, err: (prop: string) => void): void {
  if (s.path !== undefined && !isPath(s.path)) err('smokeTest.path');
  if (s.requests !== undefined && !isInt(s.requests, 1, 1000)) err('smokeTest.requests');
  if (s.expectedStatus !== undefined && !isInt(s.expectedStatus, 100, 599)) err('smokeTest.expectedStatus');
  if (s.versionHeader !== undefined && !(HEADER_NAME.test(s.versionHeader) && s.versionHeader.length <= 256)) err('smokeTest.versionHeader');
  if (s.throughRouter !== undefined && !/^https?:\/\/[^\s/?#'"]+$/.test(s.throughRouter)) err('smokeTest.throughRouter');
  if (s.image !== undefined && (s.image === '' || /\s/.test(s.image))) err('smokeTest.image');
}

/**
 * Where a smoke test cannot run (README, "A smoke test before traffic"): a blue-green release
 * without its preview (the test calls the idle color through it); an Argo Rollouts canary with
 * TrafficRouter.service() (no pods before the first weight); under Flagger straight to the
 * Service without the chart's namespace (the load tester calls `<name>-canary.<namespace>`);
 * through the router to a canary the router cannot be asked for: neither an exact header rule
 * nor a cookie rule (a regex has no value to send; with weights only, the requests land by
 * weight, before the first weight all on stable); a canary of no pods (the README's rule: a
 * version with no pods must not receive requests). And the names `<name>-smoke` (Argo
 * Rollouts' AnalysisTemplate) and `<name>-smoke-<v>` (plain manifests' Job) fit 63 characters.
 */
function smokeErrors(spec: ReleaseSpec, err: (prop: string) => void): void {
  const s = spec.smokeTest;
  if (!s) return;
  smokeFieldErrors(s, err);
  const engine = engineOf(spec);
  const name = appNameOf(spec);
  if (spec.type === 'blueGreen' && spec.preview === false) err('smokeTest');
  if (spec.type === 'canary' && engine === 'argoRollouts' && spec.router.kind === 'service') err('smokeTest');
  if (engine === 'flagger' && s.throughRouter === undefined && spec.namespace === undefined) err('smokeTest');
  if (spec.type === 'canary' && spec.canary) {
    const t = spec.canary.traffic;
    if (s.throughRouter !== undefined && t?.header?.kind !== 'exact' && t?.cookie === undefined) err('smokeTest.throughRouter');
    if (spec.canary.replicas === 0) err('canary.replicas');
  }
  if (engine === 'argoRollouts' && `${name}-smoke`.length > 63) err('name');
  const v = smokeJobVersion(spec);
  if (engine === 'manifests' && v !== undefined && `${name}-smoke-${slug(v)}`.length > 63) err('name');
}

/** Whether the analysis brings its own queries for everything it measures (a router without metrics needs them). */
function ownQueries(a: AnalysisSpec): boolean {
  return a.errorRateQuery !== undefined && (a.maxLatencyMs === undefined || a.latencyQuery !== undefined);
}

function canaryErrors(spec: CanarySpec, err: (prop: string, who?: string) => void): void {
  const name = appNameOf(spec);
  const engine = engineOf(spec);
  const canary = spec.canary;
  const t = canary?.traffic;
  if (canary) {
    if (slug(canary.version) === slug(spec.stable.version)) err('canary.version');
    if (t !== undefined) trafficErrors(t, spec.router, err);
    // A sticky canary: a boolean; its cookie `<name>-canary` is its own; ingress-nginx cannot keep
    // only the canary's users, and Argo Rollouts would leave the rule after an abort; Flagger
    // keeps them in a weighted plan only.
    if (t?.sticky !== undefined && typeof t.sticky !== 'boolean') err('canary.traffic.sticky');
    if (t?.sticky === true) {
      if (t.cookie === `${name}-canary`) err('canary.traffic.cookie');
      if (spec.router.kind === 'nginx') err('canary.traffic.sticky');
      if (engine === 'argoRollouts') err('canary.traffic.sticky');
      if (engine === 'flagger' && isFlaggerAbSchedule(spec)) err('canary.traffic.sticky');
    }
  }
  // The Service <name>-canary: with a canary, and always under a controller.
  if ((canary || engine !== 'manifests') && `${name}-canary`.length > 63) err('name');

  // The plan: weights never go down, and stay within the canary's weightTotal.
  const total = weightTotalOf(spec);
  const steps = spec.steps;
  if (steps !== undefined) {
    if (steps.length === 0) err('steps');
    let previous = 0;
    steps.forEach((s, i) => {
      if (isShift(s)) {
        if (!isInt(s.shiftTraffic, 0, 1_000_000)) err('weight', 'CanaryStep.shiftTraffic');
        if (canary && s.shiftTraffic > total) err(`steps[${i}].weight`);
        if (s.shiftTraffic < previous) err(`steps[${i}].weight`);
        previous = s.shiftTraffic;
      } else if (s.pause !== undefined && !(s.pause > 0 && Number.isInteger(s.pause))) {
        err('duration', 'CanaryStep.pause'); // whole seconds above zero
      }
    });
  }

  // canary.step: plain manifests' position in the plan, not beside traffic.weight.
  const step = canary?.step;
  if (step !== undefined) {
    if (t?.weight !== undefined) err('canary.step');
    if (steps === undefined || !isInt(step, 0, steps.length - 1)) err('canary.step');
    if (spec.router.kind === 'service') err('canary.step');
    if (engine !== 'manifests') err('canary.step');
  }

  const header = t?.header !== undefined;
  const cookie = t?.cookie !== undefined;
  if (engine === 'manifests') {
    // A canary with no pods must not receive requests: they would fail with 503.
    const weight = step !== undefined && steps !== undefined && isInt(step, 0, steps.length - 1) ? renderedWeight(spec) : t?.weight ?? 0;
    if (canary?.replicas === 0 && (header || cookie || (typeof weight === 'number' && weight > 0))) err('canary.replicas');
    // The PrometheusRule watches the canary while there is one.
    if (spec.analysis && canary && spec.router.kind === 'service' && !ownQueries(spec.analysis)) err('analysis');
  } else if (engine === 'argoRollouts') {
    argoCanaryErrors(spec, err);
  } else {
    flaggerCanaryErrors(spec, err);
  }
}

/** DeliveryEngine.argoRollouts() on a canary (the README's "How the plan maps to Argo Rollouts steps"). */
function argoCanaryErrors(spec: CanarySpec, err: (prop: string) => void): void {
  const e = spec.engine as { scaleDownDelay?: number; autoPromotion?: boolean };
  const t = spec.canary?.traffic;
  const router = spec.router;
  const total = weightTotalOf(spec);
  if (e.autoPromotion !== undefined) err('engine'); // blue-green only
  if (t?.weight !== undefined && spec.steps !== undefined && spec.steps.length > 0) err('canary.traffic.weight'); // the steps are the weights
  // The canary is sized by its weight from the first step with traffic: at 0 pods only header and cookie rules could reach it.
  if (spec.canary?.replicas === 0 && (t?.header !== undefined || t?.cookie !== undefined)) err('canary.replicas');
  // The Rollout keeps the plan while no canary runs: its weights are out of weightTotal, 100 without a canary.
  spec.steps?.forEach((s, i) => { if (isShift(s) && s.shiftTraffic > total) err(`steps[${i}].weight`); });
  if (router.kind === 'service') {
    // A basic canary: the weight is a share of stable's pods.
    if (total !== 100) err('canary.traffic.weightTotal');
    if (spec.canary?.replicas !== undefined) err('canary.replicas');
    if (e.scaleDownDelay !== undefined) err('engine');
    if (spec.analysis && !ownQueries(spec.analysis)) err('analysis');
  }
  // maxTrafficWeight is for ingress-nginx and plugins only.
  if (router.kind === 'istio' && total !== 100) err('canary.traffic.weightTotal');
}

/** DeliveryEngine.flagger() on a canary (the README's "How the release spec maps to Flagger's Canary"). */
function flaggerCanaryErrors(spec: CanarySpec, err: (prop: string) => void): void {
  const e = spec.engine as { iterations?: number };
  const t = spec.canary?.traffic;
  if (spec.router.kind === 'service') err('router'); // Flagger's kubernetes provider does blue-green only
  if (spec.router.kind === 'istio' && spec.router.subsets) err('router'); // Flagger writes its own DestinationRules
  if (spec.canary?.replicas !== undefined) err('canary.replicas'); // the canary runs at stable's size
  if (t?.weight !== undefined) err('canary.traffic.weight'); // the plan is the weights
  const total = weightTotalOf(spec);
  const steps = spec.steps;
  if (isFlaggerAbSchedule(spec)) {
    // An A/B test (or a release without a canary and with an A/B test's plan): equal timed pauses
    // (one iteration each), optionally closed by shiftTraffic(weightTotal); iterations without a plan.
    if (steps === undefined) return;
    let interval: number | undefined;
    steps.forEach((s, i) => {
      if (isShift(s)) {
        if (!(i === steps.length - 1 && s.shiftTraffic === total)) err(`steps[${i}]`);
      } else if (s.pause === undefined) {
        err(`steps[${i}]`);
      } else {
        if (interval !== undefined && s.pause !== interval) err(`steps[${i}].duration`);
        interval ??= s.pause;
      }
    });
    if (!steps.some((s) => !isShift(s))) err('steps');
    if (e.iterations !== undefined) err('engine'); // the plan's pauses are the iterations
    return;
  }
  // A weighted canary: iterations are for A/B tests and blue-green. Every weight is at most
  // weightTotal, also without a canary (100 then: the Canary keeps the plan for the next one).
  if (e.iterations !== undefined) err('engine');
  if (steps === undefined || steps.length === 0) {
    err('steps'); // Flagger walks a plan
    return;
  }
  // Shifts and equal timed pauses alternate, starting with a shift; the weights are strictly
  // increasing whole percentages of weightTotal; the plan ends with shiftTraffic(weightTotal)
  // (Flagger's promotion) or with a pause (the plan ends, the canary is promoted).
  let percent = 0;
  let interval: number | undefined;
  steps.forEach((s, i) => {
    if (isShift(s)) {
      if (i % 2 !== 0) err(`steps[${i}]`);
      const p = (s.shiftTraffic * 100) / total;
      if (!Number.isInteger(p) || p <= percent || s.shiftTraffic > total) err(`steps[${i}].weight`);
      percent = p;
    } else {
      if (i % 2 === 0) err(`steps[${i}]`);
      if (s.pause === undefined) {
        err(`steps[${i}]`);
      } else {
        if (interval !== undefined && s.pause !== interval) err(`steps[${i}].duration`);
        interval ??= s.pause;
      }
    }
  });
  const last = steps[steps.length - 1];
  if (isShift(last) && last.shiftTraffic !== total) err('steps');
  if (!steps.some((s) => !isShift(s))) err('steps'); // no interval
}

function blueGreenErrors(spec: BlueGreenSpec, err: (prop: string) => void): void {
  const name = appNameOf(spec);
  if (spec.active !== 'blue' && spec.active !== 'green') {
    err('active');
    return;
  }
  const active = spec.active === 'blue' ? spec.blue : spec.green;
  const idle = spec.active === 'blue' ? spec.green : spec.blue;
  const engine = engineOf(spec);
  if (!active) err('active');
  if (spec.blue && spec.green && slug(spec.blue.version) === slug(spec.green.version)) err('green.version');
  const preview = spec.preview ?? true;
  // The Service <name>-preview: over the idle color; under a controller it waits for the next version.
  if (preview && (idle || engine !== 'manifests') && `${name}-preview`.length > 63) err('name');
  const a = spec.analysis;
  if (a) {
    // The router's metrics, or the analysis's own queries.
    if (spec.router.kind === 'service' && !ownQueries(a)) err('analysis');
    // ingress-nginx counts the new color's requests on the preview Ingress, which needs previewHost.
    if (engine !== 'manifests' && spec.router.kind === 'nginx' && spec.previewHost === undefined) err('analysis');
    // Argo Rollouts' pre-promotion analysis measures the preview Service.
    if (engine === 'argoRollouts' && !preview) err('analysis');
  }
  // Both controllers switch Services, not subsets.
  if (engine !== 'manifests' && spec.router.kind === 'istio' && spec.router.subsets) err('router');
  if (spec.previewHost !== undefined) {
    if (!isHost(spec.previewHost)) err('previewHost');
    if (spec.router.kind === 'service') err('previewHost');
    if (!preview) err('previewHost');
    if (!idle) err('previewHost');
    if (spec.router.kind === 'gatewayApi' && IPV4.test(spec.previewHost)) err('previewHost');
    // The preview route must not compete with the main route for the main host.
    const r = spec.router;
    const mainHosts = r.kind === 'nginx' ? [r.host] : r.kind === 'istio' ? r.hosts ?? [name] : r.kind === 'gatewayApi' ? r.hostnames ?? [] : [];
    if (mainHosts.includes(spec.previewHost)) err('previewHost');
  }
}

function trafficErrors(traffic: TrafficSpec, router: RouterSpec, err: (prop: string, who?: string) => void): void {
  if (router.kind === 'service') err('canary.traffic');
  const h = traffic.header;
  if (h) {
    const factory = h.kind === 'exact' ? 'HeaderMatch.exact' : 'HeaderMatch.regex';
    if (!(HEADER_NAME.test(h.name) && h.name.length <= 256)) err('name', factory);
    // Istio reads these "headers" as the request's URI, scheme, method or authority.
    if (router.kind === 'istio' && ['uri', 'scheme', 'method', 'authority'].includes(h.name.toLowerCase())) err('canary.traffic.header name');
    if (h.kind === 'exact') {
      // eslint-disable-next-line no-control-regex
      if (h.value.length === 0 || h.value.trim() !== h.value || /[\x00-\x1f\x7f]/.test(h.value)) err('value', factory);
      else if (router.kind === 'nginx' && !NGINX_BASIC.test(h.value)) err('canary.traffic.header value');
    } else {
      let valid = h.value.length > 0 && h.value.length <= 1024;
      try {
        RE2JS.compile(h.value);
      } catch {
        valid = false;
      }
      if (!valid) err('pattern', factory);
      else if (router.kind === 'nginx' && !NGINX_REGEX.test(`^(?:${h.value})$`)) err('canary.traffic.header pattern');
    }
  }
  if (traffic.cookie !== undefined) {
    if (!(TOKEN.test(traffic.cookie) && traffic.cookie.length <= 256)) err('canary.traffic.cookie');
    else if (router.kind === 'nginx' && !NGINX_BASIC.test(traffic.cookie)) err('canary.traffic.cookie');
  }
  const total = traffic.weightTotal ?? 100;
  if (!isInt(total, 100, 1_000_000)) err('canary.traffic.weightTotal');
  const weight = traffic.weight ?? 0;
  if (!isInt(weight, 0, isInt(total, 100, 1_000_000) ? total : 1_000_000)) err('canary.traffic.weight');
}

const PLACEHOLDERS = ['name', 'namespace', 'version', 'service', 'route', 'window'];

/** CanaryAnalysis.prometheus(): an http(s) address, a percentage, positive durations of whole seconds, known placeholders. */
function analysisErrors(a: AnalysisSpec | undefined, err: (prop: string) => void): void {
  if (!a) return;
  if (!/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/.test(a.address)) err('options.address');
  if (!(a.maxErrorRate > 0 && a.maxErrorRate < 100)) err('options.maxErrorRate');
  if (a.maxLatencyMs !== undefined && !(a.maxLatencyMs > 0)) err('options.maxLatency');
  if (a.interval !== undefined && !(a.interval > 0 && Number.isInteger(a.interval))) err('options.interval');
  if (a.failureLimit !== undefined && !isInt(a.failureLimit, 0, 1000)) err('options.failureLimit');
  for (const key of ['errorRateQuery', 'latencyQuery'] as const) {
    const q = a[key];
    if (q === undefined) continue;
    const placeholders = [...q.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)].map((m) => m[1]);
    if (q.trim() === '' || placeholders.some((p) => !PLACEHOLDERS.includes(p))) err(`options.${key}`);
  }
  for (const [key, value] of Object.entries(a.ruleLabels ?? {})) {
    if (key === 'app' || key === 'version') err(`options.ruleLabels.${key}`);
    else if (!isQualifiedName(key)) err('options.ruleLabels key');
    else if (value.length > 63 || !LABEL_VALUE.test(value)) err(`options.ruleLabels.${key}`);
  }
  // A custom error-rate query says the router's metrics are not the ones to use: latency needs its own too.
  if (a.maxLatencyMs !== undefined && a.errorRateQuery !== undefined && a.latencyQuery === undefined) err('options.latencyQuery');
}

/** DeliveryEngine.argoRollouts({ scaleDownDelay }): whole seconds above zero; DeliveryEngine.flagger({ iterations }): 1 to 10000. */
function engineFactoryErrors(spec: ReleaseSpec, errs: string[]): void {
  const e = spec.engine;
  if (e?.kind === 'argoRollouts' && e.scaleDownDelay !== undefined && !(e.scaleDownDelay > 0 && Number.isInteger(e.scaleDownDelay))) {
    errs.push('DeliveryEngine.argoRollouts: options.scaleDownDelay');
  }
  if (e?.kind === 'flagger' && e.iterations !== undefined && !isInt(e.iterations, 1, 10_000)) errs.push('DeliveryEngine.flagger: options.iterations');
  // An http(s) URL of Flagger's load tester, without white space or quotes (it goes into the webhook as it is).
  if (e?.kind === 'flagger' && e.loadTesterUrl !== undefined && !/^https?:\/\/[^\s'"]+$/.test(e.loadTesterUrl)) errs.push('DeliveryEngine.flagger: options.loadTesterUrl');
}

function isNginxReserved(key: string): boolean {
  const p = 'nginx.ingress.kubernetes.io/';
  return key.startsWith(`${p}canary`) || [`${p}affinity`, `${p}affinity-canary-behavior`, `${p}upstream-hash-by`].includes(key);
}

function routerErrors(router: RouterSpec, errs: string[]): void {
  switch (router.kind) {
    case 'service':
      return;
    case 'nginx': {
      const e = (prop: string) => errs.push(`TrafficRouter.nginx: options.${prop}`);
      if (router.host !== undefined && !isHost(router.host)) e('host');
      if (router.path !== undefined && !isPath(router.path)) e('path');
      if (router.ingressClassName !== undefined && !isHost(router.ingressClassName, false)) e('ingressClassName');
      if (router.tlsSecretName !== undefined && (!isHost(router.tlsSecretName, false) || router.host === undefined)) e('tlsSecretName');
      for (const key of Object.keys(router.annotations ?? {})) if (isNginxReserved(key)) e('annotations[*');
      return;
    }
    case 'istio': {
      const e = (prop: string) => errs.push(`TrafficRouter.istio: options.${prop}`);
      if (router.hosts !== undefined) {
        if (router.hosts.length === 0) e('hosts');
        router.hosts.forEach((h, i) => { if (!isHost(h)) e(`hosts[${i}]`); });
        if (new Set(router.hosts).size !== router.hosts.length) e('hosts');
      }
      if (router.gateways !== undefined) {
        router.gateways.forEach((g, i) => { if (!ISTIO_GATEWAY.test(g) || g.length > 253) e(`gateways[${i}]`); });
        if (router.hosts === undefined) e('gateways');
      }
      return;
    }
    case 'gatewayApi': {
      const e = (prop: string) => errs.push(`TrafficRouter.gatewayApi: options.${prop}`);
      if (router.parentRefs.length === 0 || router.parentRefs.length > 32) e('parentRefs');
      router.parentRefs.forEach((ref, i) => {
        if (!isHost(ref.name, false)) e(`parentRefs[${i}].name`);
        if (ref.namespace !== undefined && !isDns1123(ref.namespace)) e(`parentRefs[${i}].namespace`);
        if (ref.sectionName !== undefined && !isHost(ref.sectionName, false)) e(`parentRefs[${i}].sectionName`);
      });
      if (router.hostnames !== undefined) {
        if (router.hostnames.length === 0 || router.hostnames.length > 16) e('hostnames');
        router.hostnames.forEach((h, i) => { if (!isHost(h) || IPV4.test(h)) e(`hostnames[${i}]`); });
      }
      if (router.path !== undefined && !isPath(router.path)) e('path');
      return;
    }
  }
}

function containerErrors(prop: string, spec: ContainerSpec | undefined, err: (prop: string) => void): void {
  if (!spec) return;
  if (spec.forbidden) err(`${prop}.${spec.forbidden}`);
  const cpu = spec.resources?.cpu;
  if (cpu?.request !== undefined && cpu.limit !== undefined && cpu.request > cpu.limit) err(`${prop}.resources.cpu*`);
  const memory = spec.resources?.memory;
  for (const key of ['request', 'limit'] as const) {
    const v = memory?.[key];
    if (v !== undefined && !Number.isInteger(v)) err(`${prop}.resources.memory.${key}`);
  }
  if (memory?.request !== undefined && memory.limit !== undefined && memory.request > memory.limit) err(`${prop}.resources.memory*`);
}

function metadataErrors(prop: string, spec: MetadataSpec | undefined, err: (prop: string) => void): void {
  if (!spec) return;
  if (spec.name !== undefined) err(`${prop}.name`);
  for (const [key, value] of Object.entries(spec.labels ?? {})) {
    if (key === 'app' || key === 'version') err(`${prop}.labels.${key}`);
    else if (!isQualifiedName(key)) err(`${prop}.labels key`);
    else if (value.length > 63 || !LABEL_VALUE.test(value)) err(`${prop}.labels.${key}`);
  }
  for (const key of Object.keys(spec.annotations ?? {})) {
    if (!isQualifiedName(key)) err(`${prop}.annotations*`);
  }
}

// ------------------------------------------------------------------ container settings

export function mergeSecurity(shared: SecuritySpec | undefined, own: SecuritySpec | undefined): SecuritySpec {
  const out: { [key: string]: unknown } = { ...shared };
  for (const [k, v] of Object.entries(own ?? {})) if (v !== undefined) out[k] = v;
  return out as SecuritySpec;
}

/** The Pod Security Standards controls a pod of this track fails, given its merged settings. */
export function expectedPssControls(merged: SecuritySpec): string[] {
  const out = new Set<string>();
  const baselineCaps = new Set(['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT']);
  if (merged.ensureNonRoot === false) out.add('restricted/Running as Non-root');
  if (merged.user === 0) out.add('restricted/Running as Non-root user');
  if (merged.allowPrivilegeEscalation === true) out.add('restricted/Privilege Escalation');
  if (merged.privileged === true) out.add('baseline/Privileged Containers');
  // Capability names are written without the CAP_ prefix; drop defaults to ALL.
  const add = (merged.capabilities?.add ?? []).map((c) => c.replace(/^CAP_/, ''));
  const drop = (merged.capabilities?.drop ?? ['ALL']).map((c) => c.replace(/^CAP_/, ''));
  if (add.some((c) => c !== 'NET_BIND_SERVICE') || !drop.includes('ALL')) out.add('restricted/Capabilities');
  if (add.some((c) => !baselineCaps.has(c))) out.add('baseline/Capabilities');
  return [...out].sort();
}

// ------------------------------------------------------------------ the version in every signal

/**
 * A track's pod labels (README, "Pods carry the labels"): the recommended
 * `app.kubernetes.io/name` and `app.kubernetes.io/version`, under the user's podMetadata labels,
 * which win; `app` and `version` are the library's own, over everything. None of them but `app`
 * and `version` is in a selector.
 */
export function expectedPodLabels(spec: ReleaseSpec, track: TrackSpec): Record<string, string> {
  const name = appNameOf(spec);
  return { 'app.kubernetes.io/name': name, 'app.kubernetes.io/version': track.version, ...spec.podMetadata?.labels, 'app': name, 'version': track.version };
}

/** The user's variables of a track: the shared container's, the track's over them by name (README). */
export function userEnv(spec: ReleaseSpec, track: TrackSpec): Record<string, string> {
  return { ...spec.container?.env, ...track.container?.env };
}

/**
 * The resource attributes the library says: `service.version`, and with `environment`
 * `deployment.environment.name` and the older `deployment.environment` (README, "The version
 * in every signal").
 */
export function libraryAttributes(spec: ReleaseSpec, track: TrackSpec): Array<[string, string]> {
  const env = spec.environment;
  return [['service.version', track.version], ...(env !== undefined ? [['deployment.environment.name', env], ['deployment.environment', env]] as Array<[string, string]> : [])];
}

/**
 * OTEL_RESOURCE_ATTRIBUTES: the library's attributes as `key=value` pairs joined by commas; the
 * user's value, when they set one, keeps its attributes as written, and the library's follow it
 * for the keys it does not name (a key is what comes before `=`, without surrounding blanks, as
 * OpenTelemetry reads it).
 */
export function expectedResourceAttributes(spec: ReleaseSpec, track: TrackSpec, own: string | undefined): string {
  const given = new Set((own ?? '').split(',').map((pair) => pair.split('=')[0].trim()).filter((key) => key !== ''));
  const added = libraryAttributes(spec, track).filter(([key]) => !given.has(key)).map(([k, v]) => `${k}=${v}`);
  return [...(own !== undefined && own !== '' ? [own] : []), ...added].join(',');
}

/** The variables the library sets, in the README's order. */
export const SIGNAL_VARIABLES = ['APP_NAME', 'APP_VERSION', 'OTEL_SERVICE_NAME', 'OTEL_RESOURCE_ATTRIBUTES'];

/**
 * A track's container env, in order (README): APP_NAME, APP_VERSION, OTEL_SERVICE_NAME and
 * OTEL_RESOURCE_ATTRIBUTES before the user's own variables. A variable the user sets is kept
 * as it is (their value, in the library's place); their OTEL_RESOURCE_ATTRIBUTES is merged.
 */
export function expectedEnv(spec: ReleaseSpec, track: TrackSpec): Array<[string, string]> {
  const name = appNameOf(spec);
  const user = userEnv(spec, track);
  const library: Record<string, string> = {
    APP_NAME: user.APP_NAME ?? name,
    APP_VERSION: user.APP_VERSION ?? track.version,
    OTEL_SERVICE_NAME: user.OTEL_SERVICE_NAME ?? name,
    OTEL_RESOURCE_ATTRIBUTES: expectedResourceAttributes(spec, track, user.OTEL_RESOURCE_ATTRIBUTES),
  };
  return [...SIGNAL_VARIABLES.map((v): [string, string] => [v, library[v]]), ...Object.entries(user).filter(([k]) => !SIGNAL_VARIABLES.includes(k))];
}

// ------------------------------------------------------------------ inventory and selection

/** A synthesized object's identity: `<Kind>/<name>`. */
export type ObjectId = string;

/** Every object a valid release emits, `<Kind>/<name>`, in no particular order (the naming table of the README). */
export function expectedObjects(spec: ReleaseSpec): ObjectId[] {
  const engine = engineOf(spec);
  const out = engine === 'manifests' ? manifestsObjects(spec) : engine === 'argoRollouts' ? argoObjects(spec) : flaggerObjects(spec);
  // The ConfigMap of every track with configuration, under every engine: a controller returns
  // to the stable version's on an abort (README, "Versioned configuration").
  for (const track of releaseTracks(spec)) {
    const id = configMapId(spec, track);
    if (id) out.push(id);
  }
  // The smoke test: plain manifests' Job of the new version; Argo Rollouts' AnalysisTemplate,
  // which the Rollout's steps (blue-green: its pre-promotion analysis) name while no new version
  // runs too; Flagger's is a webhook of the Canary.
  const name = appNameOf(spec);
  const v = smokeJobVersion(spec);
  if (spec.smokeTest && engine === 'manifests' && v !== undefined) out.push(`Job/${name}-smoke-${slug(v)}`);
  if (spec.smokeTest && engine === 'argoRollouts') out.push(`AnalysisTemplate/${name}-smoke`);
  // A PodDisruptionBudget per track and, autoscaled, the HorizontalPodAutoscalers (README, "Capacity").
  out.push(...expectedBudgets(spec).map((b) => `PodDisruptionBudget/${b.name}`), ...expectedAutoscalers(spec).map((h) => `HorizontalPodAutoscaler/${h.name}`));
  return out;
}

/** Every track of the release: stable and canary, or the present colors. */
export function releaseTracks(spec: ReleaseSpec): TrackSpec[] {
  if (spec.type === 'canary') return spec.canary ? [spec.stable, spec.canary] : [spec.stable];
  return [spec.blue, spec.green].filter((t): t is TrackSpec => t !== undefined);
}

function manifestsObjects(spec: ReleaseSpec): ObjectId[] {
  const name = appNameOf(spec);
  const out: ObjectId[] = [];
  const kind = spec.router.kind;
  if (spec.type === 'canary') {
    for (const t of spec.canary ? [spec.stable, spec.canary] : [spec.stable]) out.push(`Deployment/${name}-${slug(t.version)}`);
    out.push(`Service/${name}`);
    if (spec.canary) out.push(`Service/${name}-canary`);
    if (kind === 'nginx') out.push(`Ingress/${name}`, ...(spec.canary ? [`Ingress/${name}-canary`] : []));
    if (kind === 'istio') out.push(`VirtualService/${name}`, ...(spec.router.subsets ? [`DestinationRule/${name}`] : []));
    if (kind === 'gatewayApi') out.push(`HTTPRoute/${name}`);
    // The alerts watch the canary while there is one.
    if (spec.analysis && spec.canary) out.push(`PrometheusRule/${name}`);
  } else {
    const idle = spec.active === 'blue' ? spec.green : spec.blue;
    for (const t of [spec.blue, spec.green]) if (t) out.push(`Deployment/${name}-${slug(t.version)}`);
    out.push(`Service/${name}`);
    if ((spec.preview ?? true) && idle) out.push(`Service/${name}-preview`);
    out.push(...blueGreenRoutes(spec, true));
    if (spec.analysis) out.push(`PrometheusRule/${name}`);
  }
  return out;
}

/** A blue-green release's routes: `<name>`, and `<name>-preview` with previewHost. */
function blueGreenRoutes(spec: BlueGreenSpec, destinationRule: boolean): ObjectId[] {
  const name = appNameOf(spec);
  const kind = spec.router.kind;
  const previewRoute = spec.previewHost !== undefined;
  if (kind === 'nginx') return [`Ingress/${name}`, ...(previewRoute ? [`Ingress/${name}-preview`] : [])];
  if (kind === 'istio') return [`VirtualService/${name}`, ...(previewRoute ? [`VirtualService/${name}-preview`] : []), ...(spec.router.subsets && destinationRule ? [`DestinationRule/${name}`] : [])];
  if (kind === 'gatewayApi') return [`HTTPRoute/${name}`, ...(previewRoute ? [`HTTPRoute/${name}-preview`] : [])];
  return [];
}

/**
 * Argo Rollouts: one Rollout instead of the Deployments, the Services (a canary's
 * `<name>-canary` always, a blue-green's `<name>-preview` whenever preview is on), only the
 * routing objects Argo Rollouts expects to find, and the AnalysisTemplate.
 */
function argoObjects(spec: ReleaseSpec): ObjectId[] {
  const name = appNameOf(spec);
  const out: ObjectId[] = [`Rollout/${name}`, `Service/${name}`];
  if (spec.type === 'canary') {
    out.push(`Service/${name}-canary`);
    const kind = spec.router.kind;
    if (kind === 'nginx') out.push(`Ingress/${name}`); // Argo Rollouts creates the canary Ingress
    if (kind === 'istio') out.push(`VirtualService/${name}`, ...(spec.router.subsets ? [`DestinationRule/${name}`] : []));
    if (kind === 'gatewayApi') out.push(`HTTPRoute/${name}`);
  } else {
    if (spec.preview ?? true) out.push(`Service/${name}-preview`);
    out.push(...blueGreenRoutes(spec, false));
  }
  if (spec.analysis) out.push(`AnalysisTemplate/${name}`);
  return out;
}

/**
 * Flagger: one Deployment `<name>` and the Canary; no Services (Flagger generates them). A
 * canary keeps only the nginx Ingress `<name>`, which Flagger copies; blue-green keeps the
 * router's routes. The analysis as MetricTemplates.
 */
function flaggerObjects(spec: ReleaseSpec): ObjectId[] {
  const name = appNameOf(spec);
  const out: ObjectId[] = [`Deployment/${name}`, `Canary/${name}`];
  if (spec.type === 'canary') {
    if (spec.router.kind === 'nginx') out.push(`Ingress/${name}`);
  } else {
    out.push(...blueGreenRoutes(spec, false));
  }
  if (spec.analysis) {
    out.push(`MetricTemplate/${name}-error-rate`);
    if (spec.analysis.maxLatencyMs !== undefined) out.push(`MetricTemplate/${name}-latency-p99`);
  }
  return out;
}

/**
 * What Flagger creates in the release's namespace (README, "What Flagger generates"): the
 * primary Deployment and the Services `<name>`, `<name>-primary`, `<name>-canary`; for a
 * canary, the routes of its provider (the canary Ingress, the VirtualService and its
 * DestinationRules, the HTTPRoute). Not emitted, but objects of the namespace all the same.
 */
export function flaggerGeneratedObjects(spec: ReleaseSpec): ObjectId[] {
  if (engineOf(spec) !== 'flagger') return [];
  const name = appNameOf(spec);
  const out = [`Deployment/${name}-primary`, `Service/${name}`, `Service/${name}-primary`, `Service/${name}-canary`];
  // The copy of the autoscaler `<name>` aimed at `<name>-primary`.
  if (spec.autoscaling) out.push(`HorizontalPodAutoscaler/${name}-primary`);
  if (spec.type === 'canary') {
    if (spec.router.kind === 'nginx') out.push(`Ingress/${name}-canary`);
    if (spec.router.kind === 'istio') out.push(`VirtualService/${name}`, `DestinationRule/${name}-primary`, `DestinationRule/${name}-canary`);
    if (spec.router.kind === 'gatewayApi') out.push(`HTTPRoute/${name}`);
  }
  return out;
}

/** Service name -> the Deployments it must select, sorted. */
export function expectedSelection(spec: ReleaseSpec): Record<string, string[]> {
  const name = appNameOf(spec);
  const dep = (t: TrackSpec) => `${name}-${slug(t.version)}`;
  const subsets = spec.router.kind === 'istio' && spec.router.subsets === true;
  if (spec.type === 'canary') {
    const everyTrack = spec.router.kind === 'service' || subsets;
    const tracks = spec.canary ? [spec.stable, spec.canary] : [spec.stable];
    const out: Record<string, string[]> = { [name]: (everyTrack ? tracks : [spec.stable]).map(dep).sort() };
    if (spec.canary) out[`${name}-canary`] = [dep(spec.canary)];
    return out;
  }
  const active = (spec.active === 'blue' ? spec.blue : spec.green)!;
  const idle = spec.active === 'blue' ? spec.green : spec.blue;
  const out: Record<string, string[]> = { [name]: (subsets && idle ? [active, idle] : [active]).map(dep).sort() };
  if ((spec.preview ?? true) && idle) out[`${name}-preview`] = [dep(idle)];
  return out;
}

// ------------------------------------------------------------------ routing

export type Outcome = Record<string, number>;

function trackOutcome(t: TrackSpec): Outcome {
  return (t.replicas ?? 1) > 0 ? { [t.version]: 1 } : {};
}

function mix(a: Outcome, pa: number, b: Outcome, pb: number): Outcome {
  const out: Outcome = {};
  for (const [v, s] of Object.entries(a)) out[v] = (out[v] ?? 0) + s * pa;
  for (const [v, s] of Object.entries(b)) out[v] = (out[v] ?? 0) + s * pb;
  return out;
}

/**
 * Where a request to a valid canary release lands, by the routing-semantics table: header
 * first (name in any case, value whole and case-sensitive, regex RE2 on the whole value), then
 * cookie `always`/`never`, then the weight (traffic.weight, or the plan's at the canary's step)
 * out of weightTotal.
 */
export function expectedCanaryOutcome(spec: CanarySpec, req: RequestSpec): Outcome {
  const stable = trackOutcome(spec.stable);
  if (!spec.canary) return stable;
  const canary = trackOutcome(spec.canary);
  const t = spec.canary.traffic ?? {};
  if (t.header) {
    // The Cookie header, when the rule is on it, is the request's cookies.
    const onCookie = t.header.name.toLowerCase() === 'cookie';
    const value = onCookie
      ? (req.cookies.length > 0 ? req.cookies.map(([k, v]) => `${k}=${v}`).join('; ') : undefined)
      : Object.entries(req.headers).find(([k]) => k.toLowerCase() === t.header!.name.toLowerCase())?.[1];
    if (value !== undefined) {
      const matches = t.header.kind === 'exact' ? value === t.header.value : RE2JS.compile(`^(?:${t.header.value})$`).matches(value);
      if (matches) return canary;
    }
  }
  if (t.cookie !== undefined) {
    const value = req.cookies.find(([k]) => k === t.cookie)?.[1];
    if (value === 'always') return canary;
    if (value === 'never') return stable;
  }
  // A sticky canary keeps the users the weight sent it (its cookie `<name>-canary=<v>`), while git gives it a weight.
  const weight = renderedWeight(spec);
  if (t.sticky === true && weight > 0) {
    const kept = `${appNameOf(spec)}-canary=${slug(spec.canary.version)}`;
    const cookieHeader = req.cookies.map(([k, v]) => `${k}=${v}`);
    if (cookieHeader.includes(kept)) return canary;
  }
  const p = weight / (t.weightTotal ?? 100);
  return mix(canary, p, stable, 1 - p);
}

/** A request through the Service `<name>` of the service() router: the replica ratio. */
export function expectedReplicaRatio(tracks: TrackSpec[]): Outcome {
  const total = tracks.reduce((n, t) => n + (t.replicas ?? 1), 0);
  const out: Outcome = {};
  if (total === 0) return out;
  for (const t of tracks) if ((t.replicas ?? 1) > 0) out[t.version] = (t.replicas ?? 1) / total;
  return out;
}

export function trackOutcomeOf(t: TrackSpec): Outcome {
  return trackOutcome(t);
}

// ------------------------------------------------------------------ what the controllers are told

/** An Argo Rollouts canary step, as the Rollout carries it. */
export type ArgoStep = { setWeight: number } | { pause: { duration?: string } } | { setCanaryScale: { replicas?: number; weight?: number; matchTrafficWeight?: boolean } }
| { analysis: { templates: Array<{ templateName: string }> } };

/**
 * The Rollout's steps: shiftTraffic(w) is setWeight w, pause(d) a timed pause, pause() one that
 * waits for a human; without a plan, the canary's weight and a pause. canary.replicas sizes the
 * canary until the first step with traffic, then its share of the pods follows the weight.
 */
export function expectedArgoSteps(spec: CanarySpec): ArgoStep[] {
  const steps: ArgoStep[] = spec.steps && spec.steps.length > 0
    ? spec.steps.map((s) => (isShift(s) ? { setWeight: s.shiftTraffic } : { pause: s.pause !== undefined ? { duration: promDuration(s.pause) } : {} }))
    : [{ setWeight: spec.canary?.traffic?.weight ?? 0 }, { pause: {} }];
  // With a smoke test (README): first setCanaryScale (the canary's replicas, else 1), then the
  // analysis <name>-smoke, then the plan: no weight before the smoke test passed.
  const smoke: ArgoStep[] = spec.smokeTest ? [{ analysis: { templates: [{ templateName: `${appNameOf(spec)}-smoke` }] } }] : [];
  const replicas = spec.canary?.replicas ?? (spec.smokeTest ? 1 : undefined);
  if (replicas === undefined) return steps;
  const firstTraffic = steps.findIndex((s) => 'setWeight' in s && s.setWeight > 0);
  const sized: ArgoStep[] = [{ setCanaryScale: { replicas } }, ...smoke, ...steps];
  // Sized for the first weight before it, following the weight after it (never 0 pods while testers reach it).
  if (firstTraffic >= 0) {
    const at = firstTraffic + 1 + smoke.length;
    sized.splice(at, 1, { setCanaryScale: { weight: (steps[firstTraffic] as { setWeight: number }).setWeight } }, sized[at], { setCanaryScale: { matchTrafficWeight: true } });
  }
  return sized;
}

/**
 * Flagger's schedule (the Canary's `analysis` but for threshold, match and metrics): a weighted
 * canary's pauses are the interval and its weights, in percent, the stepWeights, a closing
 * shiftTraffic(weightTotal) being the promotion; on the A/B schedule (an A/B test, or no canary
 * and a plan that shifts no weight: isFlaggerAbSchedule) the pauses are the iterations; without
 * a plan (A/B test, no canary, blue-green) `iterations` (10) every analysis interval (a minute).
 */
export function expectedFlaggerSchedule(spec: ReleaseSpec): { interval: string; iterations?: number; stepWeights?: number[] } {
  const iterations = (spec.engine as { iterations?: number } | undefined)?.iterations ?? 10;
  const everyInterval = { interval: flaggerDuration(spec.analysis?.interval ?? 60), iterations };
  if (spec.type === 'blueGreen' || !spec.steps) return everyInterval;
  const pauses = spec.steps.flatMap((s) => (isShift(s) ? [] : [s.pause!]));
  if (isFlaggerAbSchedule(spec)) return { interval: flaggerDuration(pauses[0]), iterations: pauses.length };
  return { interval: flaggerDuration(pauses[0]), stepWeights: expectedStepWeights(spec.steps, weightTotalOf(spec)) };
}

/** The plan's shift weights as percentages of weightTotal, but for a closing shiftTraffic(weightTotal): Flagger's promotion. */
export function expectedStepWeights(steps: StepSpec[], weightTotal: number): number[] {
  const last = steps[steps.length - 1];
  const shifts = steps.filter(isShift).map((s) => (s.shiftTraffic * 100) / weightTotal);
  return isShift(last) && last.shiftTraffic === weightTotal ? shifts.slice(0, -1) : shifts;
}

/** Whether a Flagger canary's weighted plan ends with a pause: "the plan ends, the canary is promoted" (issue 13). */
export function isFlaggerPlanEndingWithPause(spec: ReleaseSpec): boolean {
  if (spec.type !== 'canary' || engineOf(spec) !== 'flagger' || isFlaggerAbSchedule(spec) || !spec.steps || spec.steps.length === 0) return false;
  return !isShift(spec.steps[spec.steps.length - 1]);
}

/** Whether `message` names one of the expected props (see expectedErrors). */
export function namesOneOf(message: string, expected: string[]): boolean {
  return expected.some((p) => (p.endsWith('*') ? message.startsWith(p.slice(0, -1)) : message.startsWith(`${p} (`)));
}
