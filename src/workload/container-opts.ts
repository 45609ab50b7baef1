import * as kplus from 'cdk8s-plus-27';
import { Size, SizeRoundingBehavior } from 'cdk8s';
import { fail } from '../private/validation';

/** Ports come from containerPort only; the image from the track. */
export function checkContainerOpts(owner: string, prop: string, opts: kplus.ContainerOpts | undefined): void {
  if (opts === undefined) return;
  for (const key of ['port', 'portNumber', 'ports'] as const) {
    if (opts[key] !== undefined) {
      fail(owner, `${prop}.${key}`, opts[key], 'is not allowed: the container port comes from containerPort');
    }
  }
  if ((opts as { image?: unknown }).image !== undefined) {
    fail(owner, `${prop}.image`, (opts as { image?: unknown }).image, 'is not allowed here: each track sets its own image');
  }
  checkResources(owner, `${prop}.resources`, opts.resources);
}

/** A CPU quantity as cdk8s-plus writes it (`Cpu.millis(n)` -> `<n>m`, `Cpu.units(n)` -> `<n>`), in millicores. */
function cpuMillis(amount: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(m?)$/.exec(amount);
  if (!m) return undefined;
  return m[2] === 'm' ? Number(m[1]) : Number(m[1]) * 1000;
}

/**
 * What the API server and cdk8s-plus would otherwise reject later, without naming the prop: a
 * request above its limit (the API server refuses the pod template), a CPU amount that is not
 * a non-negative quantity, a memory amount that is not a whole number of MiB or an ephemeral
 * storage amount that is not a whole number of GiB (cdk8s-plus writes them in those units and
 * fails at synth otherwise).
 */
function checkResources(owner: string, prop: string, resources: kplus.ContainerResources | undefined): void {
  if (resources === undefined) return;
  const cpu = resources.cpu;
  const millis: { [key: string]: number | undefined } = {};
  for (const key of ['request', 'limit'] as const) {
    const amount = cpu?.[key]?.amount;
    if (amount === undefined) continue;
    const value = typeof amount === 'string' ? cpuMillis(amount) : undefined;
    if (value === undefined || !Number.isInteger(value)) {
      fail(owner, `${prop}.cpu.${key}`, amount, 'must be a whole number of millicores, at least 0: kplus.Cpu.millis(250) or kplus.Cpu.units(2)');
    }
    millis[key] = value;
  }
  if (millis.request !== undefined && millis.limit !== undefined && millis.request > millis.limit) {
    fail(owner, `${prop}.cpu.request`, cpu!.request!.amount, `must not exceed cpu.limit (${JSON.stringify(cpu!.limit!.amount)}): Kubernetes rejects a request above its limit`);
  }
  const sizes: Array<['memory' | 'ephemeralStorage', (s: Size) => number, string]> = [
    ['memory', (s) => s.toMebibytes({ rounding: SizeRoundingBehavior.NONE }), 'MiB'],
    ['ephemeralStorage', (s) => s.toGibibytes({ rounding: SizeRoundingBehavior.NONE }), 'GiB'],
  ];
  for (const [kind, convert, unit] of sizes) {
    const amounts: { [key: string]: number | undefined } = {};
    for (const key of ['request', 'limit'] as const) {
      const size = resources[kind]?.[key];
      if (size === undefined) continue;
      const value = size instanceof Size ? convert(size) : NaN;
      if (!Number.isInteger(value) || value < 0) {
        fail(owner, `${prop}.${kind}.${key}`, Number.isNaN(value) ? size : `${value}${unit}`, `must be a cdk8s Size of a whole number of ${unit} (cdk8s-plus writes ${kind} in ${unit})`);
      }
      amounts[key] = value;
    }
    if (amounts.request !== undefined && amounts.limit !== undefined && amounts.request > amounts.limit) {
      fail(owner, `${prop}.${kind}.request`, `${amounts.request}${unit}`, `must not exceed ${kind}.limit (${amounts.limit}${unit}): Kubernetes rejects a request above its limit`);
    }
  }
}

/** The track's container settings merged over the shared ones: env by name, security context by field. */
export function mergeContainerOpts(shared: kplus.ContainerOpts, own: kplus.ContainerOpts | undefined): kplus.ContainerOpts {
  if (!own) return shared;
  const merged: { [key: string]: unknown } = { ...shared };
  for (const [key, value] of Object.entries(own)) {
    if (value !== undefined) merged[key] = value;
  }
  const env = { ...shared.envVariables, ...own.envVariables };
  const securityContext = { ...shared.securityContext, ...definedOnly(own.securityContext) };
  return {
    ...(merged as kplus.ContainerOpts),
    envVariables: Object.keys(env).length > 0 ? env : undefined,
    securityContext: Object.keys(securityContext).length > 0 ? securityContext : undefined,
  };
}

function definedOnly<T extends object>(o: T | undefined): Partial<T> {
  const out: { [key: string]: unknown } = {};
  for (const [k, v] of Object.entries(o ?? {})) if (v !== undefined) out[k] = v;
  return out as Partial<T>;
}

/**
 * A track's container settings: its own merged over the release's shared ones, checked for
 * what Kubernetes would refuse.
 */
export function trackContainerOpts(owner: string, shared: kplus.ContainerOpts, track: { version: string; container?: kplus.ContainerOpts }): kplus.ContainerOpts {
  const opts = mergeContainerOpts(shared, track.container);
  checkSecurityContext(owner, track.version, opts.securityContext);
  return opts;
}

/**
 * Combinations of the track's merged security context that Kubernetes refuses: the API server
 * rejects `privileged` without `allowPrivilegeEscalation`, and the kubelet never starts a
 * container whose `runAsUser` is 0 while `runAsNonRoot` holds.
 */
function checkSecurityContext(owner: string, version: string, sc: kplus.ContainerSecurityContextProps | undefined): void {
  const track = `for version ${JSON.stringify(version)}`;
  if (sc?.privileged === true && sc.allowPrivilegeEscalation !== true) {
    fail(owner, 'container.securityContext.privileged', true, `${track} needs allowPrivilegeEscalation: true as well (Kubernetes rejects a privileged container that may not escalate)`);
  }
  if (sc?.user === 0 && sc.ensureNonRoot !== false) {
    fail(owner, 'container.securityContext.user', 0, `${track} is root while runAsNonRoot is on: the kubelet would never start the container; to run as root, set ensureNonRoot: false too`);
  }
}

/**
 * The container security context, completed for the Pod Security Standards "restricted"
 * profile: cdk8s-plus already defaults to non-root, no privilege escalation and not privileged;
 * this adds `capabilities.drop: [ALL]` unless the user sets `capabilities.drop` (`drop: []`
 * keeps the runtime's default set). Capability names are written as Kubernetes spells them
 * (`NET_BIND_SERVICE`): cdk8s-plus's `Capability` enum carries a `CAP_` prefix that the
 * restricted profile's admission check does not accept.
 */
export function restrictedSecurityContext(props: kplus.ContainerSecurityContextProps | undefined): kplus.ContainerSecurityContextProps {
  const capabilities = props?.capabilities;
  const names = (list: kplus.Capability[] | undefined) => list?.map((c) => String(c).replace(/^CAP_/, '') as kplus.Capability);
  return {
    ...props,
    capabilities: {
      add: names(capabilities?.add),
      drop: names(capabilities?.drop) ?? ['ALL' as kplus.Capability],
    },
  };
}
