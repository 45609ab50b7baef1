/**
 * A checker for the Kubernetes Pod Security Standards, "baseline" and "restricted" profiles
 * (latest version), written from the standard's table and the pod-security-admission
 * checks: it takes a pod spec (or a Deployment's template) and lists every violation.
 *
 * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/
 *
 * Windows pods (spec.os.name: windows) are exempt from some restricted rules upstream; this
 * library emits Linux pods only, so the checker treats every pod as Linux.
 */

/** One failed rule: which control, where, and why. */
export interface PssViolation {
  readonly profile: 'baseline' | 'restricted';
  readonly control: string;
  readonly path: string;
  readonly detail: string;
}

/** Capabilities baseline allows to add. */
const BASELINE_CAPABILITIES = new Set([
  'AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE',
  'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT',
]);

/** The "safe" sysctls baseline allows. */
const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes', 'net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem',
]);

/** SELinux types baseline allows. */
const SELINUX_TYPES = new Set(['container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);

/** Volume sources restricted allows (every other source, hostPath included, is refused). */
const RESTRICTED_VOLUME_SOURCES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);

const APPARMOR_ANNOTATION = 'container.apparmor.security.beta.kubernetes.io/';

/** A container of any of the three lists, with its JSON path. */
interface Located {
  readonly path: string;
  readonly container: any;
}

function containersOf(spec: any): Located[] {
  const out: Located[] = [];
  for (const list of ['initContainers', 'containers', 'ephemeralContainers']) {
    (spec[list] ?? []).forEach((c: any, i: number) => out.push({ path: `spec.${list}[${i}]`, container: c }));
  }
  return out;
}

/**
 * Every violation of the baseline profile and, when `profile` is 'restricted', of the
 * restricted profile too. `metadata` is the pod's (for the AppArmor annotations).
 */
export function checkPodSecurity(spec: any, metadata: { annotations?: Record<string, string> } = {}, profile: 'baseline' | 'restricted' = 'restricted'): PssViolation[] {
  const violations: PssViolation[] = [];
  const v = (p: PssViolation['profile'], control: string, path: string, detail: string) => violations.push({ profile: p, control, path, detail });
  const podSc = spec.securityContext ?? {};
  const containers = containersOf(spec);

  // ---- baseline ----
  // HostProcess
  if (podSc.windowsOptions?.hostProcess === true) v('baseline', 'HostProcess', 'spec.securityContext.windowsOptions.hostProcess', 'must be unset or false');
  for (const { path, container } of containers) {
    if (container.securityContext?.windowsOptions?.hostProcess === true) v('baseline', 'HostProcess', `${path}.securityContext.windowsOptions.hostProcess`, 'must be unset or false');
  }
  // Host namespaces
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC']) {
    if (spec[field] === true) v('baseline', 'Host Namespaces', `spec.${field}`, 'must be unset or false');
  }
  // Privileged containers
  for (const { path, container } of containers) {
    if (container.securityContext?.privileged === true) v('baseline', 'Privileged Containers', `${path}.securityContext.privileged`, 'must be unset or false');
  }
  // Capabilities (baseline)
  for (const { path, container } of containers) {
    for (const cap of container.securityContext?.capabilities?.add ?? []) {
      if (!BASELINE_CAPABILITIES.has(cap)) v('baseline', 'Capabilities', `${path}.securityContext.capabilities.add`, `${cap} is not in the baseline set`);
    }
  }
  // HostPath volumes
  (spec.volumes ?? []).forEach((vol: any, i: number) => {
    if (vol.hostPath !== undefined) v('baseline', 'HostPath Volumes', `spec.volumes[${i}].hostPath`, 'must be unset');
  });
  // Host ports
  for (const { path, container } of containers) {
    (container.ports ?? []).forEach((port: any, i: number) => {
      if (port.hostPort !== undefined && port.hostPort !== 0) v('baseline', 'Host Ports', `${path}.ports[${i}].hostPort`, 'must be unset or 0');
    });
  }
  // AppArmor
  const appArmorOk = (type: unknown) => type === undefined || type === 'RuntimeDefault' || type === 'Localhost';
  if (!appArmorOk(podSc.appArmorProfile?.type)) v('baseline', 'AppArmor', 'spec.securityContext.appArmorProfile.type', `${podSc.appArmorProfile?.type} is not allowed`);
  for (const { path, container } of containers) {
    if (!appArmorOk(container.securityContext?.appArmorProfile?.type)) v('baseline', 'AppArmor', `${path}.securityContext.appArmorProfile.type`, `${container.securityContext.appArmorProfile.type} is not allowed`);
  }
  for (const [key, value] of Object.entries(metadata.annotations ?? {})) {
    if (key.startsWith(APPARMOR_ANNOTATION) && value !== 'runtime/default' && !value.startsWith('localhost/')) {
      v('baseline', 'AppArmor', `metadata.annotations[${key}]`, `${value} is not allowed`);
    }
  }
  // SELinux
  const seLinux = (path: string, opts: any) => {
    if (!opts) return;
    if (opts.type !== undefined && opts.type !== '' && !SELINUX_TYPES.has(opts.type)) v('baseline', 'SELinux', `${path}.seLinuxOptions.type`, `${opts.type} is not allowed`);
    if (opts.user !== undefined && opts.user !== '') v('baseline', 'SELinux', `${path}.seLinuxOptions.user`, 'must be unset');
    if (opts.role !== undefined && opts.role !== '') v('baseline', 'SELinux', `${path}.seLinuxOptions.role`, 'must be unset');
  };
  seLinux('spec.securityContext', podSc.seLinuxOptions);
  for (const { path, container } of containers) seLinux(`${path}.securityContext`, container.securityContext?.seLinuxOptions);
  // /proc mount type
  for (const { path, container } of containers) {
    const procMount = container.securityContext?.procMount;
    if (procMount !== undefined && procMount !== 'Default') v('baseline', '/proc Mount Type', `${path}.securityContext.procMount`, `${procMount} is not allowed`);
  }
  // Seccomp (baseline: not Unconfined)
  if (podSc.seccompProfile?.type === 'Unconfined') v('baseline', 'Seccomp', 'spec.securityContext.seccompProfile.type', 'must not be Unconfined');
  for (const { path, container } of containers) {
    if (container.securityContext?.seccompProfile?.type === 'Unconfined') v('baseline', 'Seccomp', `${path}.securityContext.seccompProfile.type`, 'must not be Unconfined');
  }
  // Sysctls
  (podSc.sysctls ?? []).forEach((s: any, i: number) => {
    if (!SAFE_SYSCTLS.has(s.name)) v('baseline', 'Sysctls', `spec.securityContext.sysctls[${i}]`, `${s.name} is not a safe sysctl`);
  });

  if (profile === 'baseline') return violations;

  // ---- restricted ----
  // Volume types
  (spec.volumes ?? []).forEach((vol: any, i: number) => {
    const sources = Object.keys(vol).filter((k) => k !== 'name');
    for (const source of sources) {
      if (!RESTRICTED_VOLUME_SOURCES.has(source)) v('restricted', 'Volume Types', `spec.volumes[${i}].${source}`, `${source} volumes are not allowed`);
    }
  });
  // Privilege escalation
  for (const { path, container } of containers) {
    if (container.securityContext?.allowPrivilegeEscalation !== false) v('restricted', 'Privilege Escalation', `${path}.securityContext.allowPrivilegeEscalation`, 'must be false');
  }
  // Running as non-root: every container true, or the pod true and the container unset
  for (const { path, container } of containers) {
    const own = container.securityContext?.runAsNonRoot;
    if (own === false || (own === undefined && podSc.runAsNonRoot !== true)) {
      v('restricted', 'Running as Non-root', `${path}.securityContext.runAsNonRoot`, 'must be true (or unset with spec.securityContext.runAsNonRoot true)');
    }
  }
  if (podSc.runAsNonRoot === false) v('restricted', 'Running as Non-root', 'spec.securityContext.runAsNonRoot', 'must be true or unset');
  // Running as non-root user
  if (podSc.runAsUser === 0) v('restricted', 'Running as Non-root user', 'spec.securityContext.runAsUser', 'must not be 0');
  for (const { path, container } of containers) {
    if (container.securityContext?.runAsUser === 0) v('restricted', 'Running as Non-root user', `${path}.securityContext.runAsUser`, 'must not be 0');
  }
  // Seccomp: RuntimeDefault or Localhost, at pod level or on every container; never Unconfined
  const seccompOk = (type: unknown) => type === 'RuntimeDefault' || type === 'Localhost';
  if (podSc.seccompProfile !== undefined && !seccompOk(podSc.seccompProfile.type)) {
    v('restricted', 'Seccomp', 'spec.securityContext.seccompProfile.type', 'must be RuntimeDefault or Localhost');
  }
  for (const { path, container } of containers) {
    const type = container.securityContext?.seccompProfile?.type;
    if (type === undefined ? !seccompOk(podSc.seccompProfile?.type) : !seccompOk(type)) {
      v('restricted', 'Seccomp', `${path}.securityContext.seccompProfile.type`, 'must be RuntimeDefault or Localhost (here or at pod level)');
    }
  }
  // Capabilities (restricted): drop ALL, add only NET_BIND_SERVICE
  for (const { path, container } of containers) {
    const caps = container.securityContext?.capabilities;
    if (!(caps?.drop ?? []).includes('ALL')) v('restricted', 'Capabilities', `${path}.securityContext.capabilities.drop`, 'must include ALL');
    for (const cap of caps?.add ?? []) {
      if (cap !== 'NET_BIND_SERVICE') v('restricted', 'Capabilities', `${path}.securityContext.capabilities.add`, `${cap} is not allowed (only NET_BIND_SERVICE)`);
    }
  }
  return violations;
}

/** The violations of every pod template in the manifests (Deployments), keyed by object name. */
export function podSecurityViolations(manifests: Array<{ kind: string; metadata: { name: string }; spec?: any }>, profile: 'baseline' | 'restricted' = 'restricted'): Record<string, PssViolation[]> {
  const out: Record<string, PssViolation[]> = {};
  for (const o of manifests) {
    const template = o.kind === 'Pod' ? { spec: o.spec, metadata: o.metadata } : o.spec?.template;
    if (!template) continue;
    out[`${o.kind}/${o.metadata.name}`] = checkPodSecurity(template.spec, template.metadata ?? {}, profile);
  }
  return out;
}

/** A one-line description of violations, for assertion messages. */
export function describeViolations(violations: PssViolation[]): string[] {
  return violations.map((x) => `${x.profile}/${x.control}: ${x.path} ${x.detail}`);
}
