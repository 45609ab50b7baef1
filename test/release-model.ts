/**
 * An independent model of the contract (the README): from a release spec alone, which
 * props are wrong (so construction must throw, naming one of them), which objects a valid
 * release emits, which pods each Service selects, and where each request must land.
 *
 * Written from the documented rules, not from the library's code, so that the property tests
 * compare two implementations.
 */
import { RE2JS } from 're2js';
import { BlueGreenSpec, CanarySpec, ContainerSpec, MetadataSpec, ReleaseSpec, RequestSpec, RouterSpec, SecuritySpec, TrackSpec, TrafficSpec } from './arbitraries';

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
  if (spec.router.kind === 'nginx') {
    for (const key of Object.keys(spec.metadata?.annotations ?? {})) {
      if (isNginxReserved(key)) err('metadata.annotations[*');
    }
  }

  const tracks: Array<[string, TrackSpec]> = spec.type === 'canary'
    ? [['stable', spec.stable], ...(spec.canary ? [['canary', spec.canary] as [string, TrackSpec]] : [])]
    : [...(spec.blue ? [['blue', spec.blue] as [string, TrackSpec]] : []), ...(spec.green ? [['green', spec.green] as [string, TrackSpec]] : [])];
  for (const [role, track] of tracks) {
    if (typeof track.version !== 'string' || track.version.length > 63 || !VERSION.test(track.version)) err(`${role}.version`);
    if (typeof track.image !== 'string' || track.image.length === 0 || /\s/.test(track.image)) err(`${role}.image`);
    if (track.replicas !== undefined && !isInt(track.replicas, 0, 1_000_000)) err(`${role}.replicas`);
    containerErrors(`${role}.container`, track.container, err);
    const merged = mergeSecurity(spec.container?.securityContext, track.container?.securityContext);
    if (merged.privileged === true && merged.allowPrivilegeEscalation !== true) err('container.securityContext.privileged');
    if (merged.user === 0 && merged.ensureNonRoot !== false) err('container.securityContext.user');
    if (`${name}-${slug(track.version)}`.length > 63) err('name');
  }

  if (spec.type === 'canary') {
    const canary = spec.canary;
    if (canary) {
      if (slug(canary.version) === slug(spec.stable.version)) err('canary.version');
      if (`${name}-canary`.length > 63) err('name');
      if (canary.traffic !== undefined) trafficErrors(canary.traffic, spec.router, err);
      // A canary with no pods must not receive requests: they would fail with 503.
      const t = canary.traffic;
      if (canary.replicas === 0 && t !== undefined && (t.header !== undefined || t.cookie !== undefined || (typeof t.weight === 'number' && t.weight > 0))) {
        err('canary.replicas');
      }
    }
  } else {
    blueGreenErrors(spec, err);
  }
  return errs;
}

function blueGreenErrors(spec: BlueGreenSpec, err: (prop: string) => void): void {
  const name = appNameOf(spec);
  if (spec.active !== 'blue' && spec.active !== 'green') {
    err('active');
    return;
  }
  const active = spec.active === 'blue' ? spec.blue : spec.green;
  const idle = spec.active === 'blue' ? spec.green : spec.blue;
  if (!active) err('active');
  if (spec.blue && spec.green && slug(spec.blue.version) === slug(spec.green.version)) err('green.version');
  const preview = spec.preview ?? true;
  if (preview && idle && `${name}-preview`.length > 63) err('name');
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

// ------------------------------------------------------------------ inventory and selection

/** A synthesized object's identity: `<Kind>/<name>`. */
export type ObjectId = string;

/** Every object a valid release emits, `<Kind>/<name>`, in no particular order. */
export function expectedObjects(spec: ReleaseSpec): ObjectId[] {
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
  } else {
    const idle = spec.active === 'blue' ? spec.green : spec.blue;
    for (const t of [spec.blue, spec.green]) if (t) out.push(`Deployment/${name}-${slug(t.version)}`);
    out.push(`Service/${name}`);
    if ((spec.preview ?? true) && idle) out.push(`Service/${name}-preview`);
    const previewRoute = spec.previewHost !== undefined;
    if (kind === 'nginx') out.push(`Ingress/${name}`, ...(previewRoute ? [`Ingress/${name}-preview`] : []));
    if (kind === 'istio') out.push(`VirtualService/${name}`, ...(previewRoute ? [`VirtualService/${name}-preview`] : []), ...(spec.router.subsets ? [`DestinationRule/${name}`] : []));
    if (kind === 'gatewayApi') out.push(`HTTPRoute/${name}`, ...(previewRoute ? [`HTTPRoute/${name}-preview`] : []));
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
 * cookie `always`/`never`, then the weight out of weightTotal.
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
  const p = (t.weight ?? 0) / (t.weightTotal ?? 100);
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

/** Whether `message` names one of the expected props (see expectedErrors). */
export function namesOneOf(message: string, expected: string[]): boolean {
  return expected.some((p) => (p.endsWith('*') ? message.startsWith(p.slice(0, -1)) : message.startsWith(`${p} (`)));
}
