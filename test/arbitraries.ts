/**
 * fast-check arbitraries for release props, as plain data ("specs") that print readably in a
 * counterexample, and `build*` functions that turn a spec into real props (calling the
 * factories, which may throw: that is part of what the properties check).
 *
 * Most generated values are valid; each generator mixes in a share of invalid ones (wrong
 * characters, out of range, missing dependencies), so every property sees both sides.
 */
import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import * as fc from 'fast-check';
import { BlueGreenColor, BlueGreenReleaseProps, CanaryReleaseProps, HeaderMatch, ReleaseOptions, TrafficRouter } from '../src';

// ---------------------------------------------------------------- specs

export interface HeaderSpec {
  readonly kind: 'exact' | 'regex';
  readonly name: string;
  readonly value: string;
  /** Values that the header value should match (regex: drawn from the pattern's grammar). */
  readonly samples: string[];
}

export interface TrafficSpec {
  readonly header?: HeaderSpec;
  readonly cookie?: string;
  readonly weight?: number;
  readonly weightTotal?: number;
}

export interface SecuritySpec {
  readonly ensureNonRoot?: boolean;
  readonly readOnlyRootFilesystem?: boolean;
  readonly allowPrivilegeEscalation?: boolean;
  readonly privileged?: boolean;
  readonly user?: number;
  readonly capabilities?: { readonly add?: string[]; readonly drop?: string[] };
}

export interface ResourcesSpec {
  readonly cpu?: { readonly request?: number; readonly limit?: number };
  /** MiB; fractional values are invalid. */
  readonly memory?: { readonly request?: number; readonly limit?: number };
}

export interface ContainerSpec {
  readonly env?: Record<string, string>;
  readonly securityContext?: SecuritySpec;
  readonly resources?: ResourcesSpec;
  readonly args?: string[];
  /** An invalid key: ports come from containerPort, the image from the track. */
  readonly forbidden?: 'portNumber' | 'ports' | 'image';
}

export interface TrackSpec {
  readonly version: string;
  readonly image: string;
  readonly replicas?: number;
  readonly container?: ContainerSpec;
}

export interface CanaryTrackSpec extends TrackSpec {
  readonly traffic?: TrafficSpec;
}

export type RouterSpec =
  | { readonly kind: 'service' }
  | { readonly kind: 'nginx'; readonly host?: string; readonly path?: string; readonly ingressClassName?: string; readonly tlsSecretName?: string; readonly annotations?: Record<string, string> }
  | { readonly kind: 'istio'; readonly hosts?: string[]; readonly gateways?: string[]; readonly subsets?: boolean }
  | { readonly kind: 'gatewayApi'; readonly parentRefs: Array<{ name: string; namespace?: string; sectionName?: string }>; readonly hostnames?: string[]; readonly path?: string };

export interface MetadataSpec {
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
  readonly name?: string;
}

interface CommonSpec {
  readonly id: string;
  readonly name?: string;
  readonly containerPort: number;
  readonly servicePort?: number;
  readonly container?: ContainerSpec;
  readonly metadata?: MetadataSpec;
  readonly podMetadata?: MetadataSpec;
  readonly router: RouterSpec;
}

export interface CanarySpec extends CommonSpec {
  readonly type: 'canary';
  readonly stable: TrackSpec;
  readonly canary?: CanaryTrackSpec;
}

export interface BlueGreenSpec extends CommonSpec {
  readonly type: 'blueGreen';
  readonly blue?: TrackSpec;
  readonly green?: TrackSpec;
  readonly active: string;
  readonly preview?: boolean;
  readonly previewHost?: string;
}

export type ReleaseSpec = CanarySpec | BlueGreenSpec;

/** A request to route: headers and cookies (cookie names unique within a request). */
export interface RequestSpec {
  readonly headers: Record<string, string>;
  readonly cookies: Array<[string, string]>;
}

// ---------------------------------------------------------------- small values

/** `arb` or undefined, weighted `valueWeight` to `nilWeight` (fc.option biases towards nil on small sizes). */
export function maybe<T>(arb: fc.Arbitrary<T>, valueWeight = 1, nilWeight = 1): fc.Arbitrary<T | undefined> {
  return fc.oneof({ arbitrary: fc.constant(undefined), weight: nilWeight }, { arbitrary: arb, weight: valueWeight });
}

/** Mostly `valid`, sometimes `invalid` (about 1 in `1 + validWeight`). */
function mostly<T>(valid: fc.Arbitrary<T>, invalid: fc.Arbitrary<T>, validWeight = 30): fc.Arbitrary<T> {
  return fc.oneof({ arbitrary: valid, weight: validWeight }, { arbitrary: invalid, weight: 1 });
}

const lower = 'abcdefghijklmnopqrstuvwxyz';
const digits = '0123456789';

/** A DNS-1035 label of 1 to `max` characters. */
export function dns1035(max = 12): fc.Arbitrary<string> {
  return fc.tuple(
    fc.constantFrom(...lower),
    fc.string({ unit: fc.constantFrom(...lower, ...digits, '-'), maxLength: Math.max(0, max - 2) }),
    fc.constantFrom(...lower, ...digits),
  ).map(([a, b, c]) => (max === 1 ? a : `${a}${b}${c}`));
}

export const appName: fc.Arbitrary<string> = mostly(
  fc.oneof(
    { arbitrary: fc.constantFrom('myapp', 'cart', 'checkout', 'a'), weight: 3 },
    { arbitrary: dns1035(12), weight: 3 },
    { arbitrary: fc.integer({ min: 40, max: 62 }).map((n) => `app${'x'.repeat(n - 4)}1`), weight: 1 }, // near the 63 limit
    { arbitrary: fc.constantFrom('myapp', 'cart', 'checkout'), weight: 4 },
  ),
  fc.constantFrom('MyApp', '1app', 'my_app', 'app-', '-app', 'my.app', 'a'.repeat(64), ''),
);

export const version: fc.Arbitrary<string> = mostly(
  fc.oneof(
    { arbitrary: fc.constantFrom('v1', 'v2', 'v3', '1.4.2', '1-4-2', '1.5.0', 'canary', 'preview', '2024.01.15'), weight: 3 },
    {
      arbitrary: fc.tuple(
        fc.constantFrom(...lower, ...digits),
        fc.string({ unit: fc.constantFrom(...lower, ...digits, '-', '.'), maxLength: 8 }),
        fc.constantFrom(...lower, ...digits),
      ).map(([a, b, c]) => `${a}${b}${c}`),
      weight: 2,
    },
  ),
  fc.constantFrom('V1', 'v1_0', '.v1', 'v1.', '-v1', '', 'v 1', 'v'.repeat(64)),
);

const image = mostly(fc.constantFrom('myapp:v1', 'registry.example.com/shop/myapp@sha256:abc', 'nginx'), fc.constantFrom('', 'my app:v1', 'myapp:v1\n'), 60);
const replicas = mostly(fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }), fc.constantFrom(-1, 1.5, 1_000_001, Number.NaN), 60);
const port = mostly(fc.oneof(fc.constantFrom(80, 8080, 443, 65535, 1), fc.integer({ min: 1, max: 65535 })), fc.constantFrom(0, 65536, 80.5, -80), 40);

/** A DNS subdomain host, sometimes a wildcard; invalid ones have uppercase, bad labels or are empty. */
export const host: fc.Arbitrary<string> = mostly(
  fc.oneof(
    { arbitrary: fc.constantFrom('myapp.example.com', 'example.com', 'shop', 'a.b.c.d.example'), weight: 2 },
    { arbitrary: fc.array(dns1035(8), { minLength: 1, maxLength: 3 }).map((labels) => labels.join('.')), weight: 2 },
    { arbitrary: fc.constantFrom('*.example.com', '*.myapp.example.com'), weight: 1 },
  ),
  fc.constantFrom('MyApp.example.com', 'a..b', '-a.example.com', '*', '*.', 'a_b.example.com', '', 'ex ample.com', `${'a'.repeat(64)}.com`),
);

const path = mostly(fc.constantFrom('/', '/api', '/shop/v1', '/a.b/~c_d', '/%20x'), fc.constantFrom('api', '/a b', '//', '/a?x=1', '', '/a#b'));

// ---------------------------------------------------------------- regexes with matching samples

interface RegexGen {
  readonly pattern: string;
  readonly samples: string[];
}

/**
 * Patterns in the common subset of RE2, PCRE and JavaScript (so the route simulator, which
 * stands in for PCRE with JavaScript, means the same thing), each with strings it matches.
 */
const regexAtom: fc.Arbitrary<RegexGen> = fc.oneof(
  fc.constantFrom(...lower, ...digits, '-', '/', ':').map((c) => ({ pattern: c, samples: [c] })),
  fc.constantFrom<RegexGen>(
    { pattern: '.', samples: ['x', '7', '.'] },
    { pattern: '\\.', samples: ['.'] },
    { pattern: '\\d', samples: ['0', '9'] },
    { pattern: '[a-z]', samples: ['a', 'q'] },
    { pattern: '[0-9a-f]', samples: ['0', 'e'] },
    { pattern: '[^/]', samples: ['x', '-'] },
    { pattern: '(?:ab|cd)', samples: ['ab', 'cd'] },
    { pattern: '(v1|v2)', samples: ['v1', 'v2'] },
  ),
);

const regexPiece: fc.Arbitrary<RegexGen> = fc.tuple(regexAtom, fc.constantFrom('', '', '', '*', '+', '?', '{2}', '{1,3}')).map(([atom, q]) => {
  const one = atom.samples;
  switch (q) {
    case '*': return { pattern: `${atom.pattern}*`, samples: ['', one[0], one[0] + one[one.length - 1]] };
    case '+': return { pattern: `${atom.pattern}+`, samples: [one[0], one[0] + one[0]] };
    case '?': return { pattern: `${atom.pattern}?`, samples: ['', one[0]] };
    case '{2}': return { pattern: `${atom.pattern}{2}`, samples: [one[0] + one[one.length - 1]] };
    case '{1,3}': return { pattern: `${atom.pattern}{1,3}`, samples: [one[0], one[0] + one[0] + one[0]] };
    default: return atom;
  }
});

/** A sequence of pieces; the samples are one per position (first samples, last samples). */
const regexSequence: fc.Arbitrary<RegexGen> = fc.array(regexPiece, { minLength: 1, maxLength: 5 }).map((pieces) => ({
  pattern: pieces.map((p) => p.pattern).join(''),
  samples: [pieces.map((p) => p.samples[0]).join(''), pieces.map((p) => p.samples[p.samples.length - 1]).join('')],
}));

const validRegex: fc.Arbitrary<RegexGen> = fc.oneof(
  { arbitrary: regexSequence, weight: 4 },
  { arbitrary: fc.tuple(regexSequence, regexSequence).map(([a, b]) => ({ pattern: `${a.pattern}|${b.pattern}`, samples: [...a.samples, ...b.samples] })), weight: 1 },
  { arbitrary: regexSequence.map((a) => ({ pattern: `.*${a.pattern}.*`, samples: a.samples.map((s) => `x${s}y`) })), weight: 1 },
  { arbitrary: regexSequence.map((a) => ({ pattern: `^${a.pattern}$`, samples: a.samples })), weight: 1 },
);

const invalidRegex: fc.Arbitrary<RegexGen> = fc.constantFrom('(', ')', '[a-', 'a**', '(?=a)b', '(?<!a)b', '(a)\\1', 'a{2,1}', 'x{1001}', '\\', '[z-a]', '')
  .map((pattern) => ({ pattern, samples: [] }));

const headerName = mostly(
  fc.oneof(fc.constantFrom('stage', 'x-canary', 'X-User-Group', 'user-agent', 'Cookie', 'x-1'), fc.string({ unit: fc.constantFrom(...lower, ...digits, '-', 'A', 'Z'), minLength: 1, maxLength: 10 })),
  fc.constantFrom('x_user', 'x user', '', 'é', 'x:y', 'a'.repeat(257)),
);

/** Exact header values: nginx-safe, safe elsewhere only (space, comma, '@'), or invalid anywhere. */
const exactValue = fc.oneof(
  { arbitrary: fc.string({ unit: fc.constantFrom(...lower, ...digits, '-', '.', '_', '~', '/', ':', 'G'), minLength: 1, maxLength: 10 }), weight: 8 },
  { arbitrary: fc.constantFrom('gray beta', 'a,b', 'me@example.com', 'ünï', '"q"'), weight: 2 },
  { arbitrary: fc.constantFrom('', ' gray', 'gray ', 'a\tb', 'a\u0000b'), weight: 1 },
);

export const header: fc.Arbitrary<HeaderSpec> = fc.oneof(
  fc.tuple(headerName, exactValue).map(([name, value]) => ({ kind: 'exact' as const, name, value, samples: [value] })),
  fc.tuple(headerName, mostly(validRegex, invalidRegex, 8)).map(([name, re]) => ({ kind: 'regex' as const, name, value: re.pattern, samples: re.samples })),
);

export const cookie: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.oneof(fc.constantFrom('canary', 'beta-tester', 'c.v1', 'X_1', 'a~b'), fc.string({ unit: fc.constantFrom(...lower, ...digits, '-', '.', '_', '~'), minLength: 1, maxLength: 8 })), weight: 20 },
  { arbitrary: fc.constantFrom('can+ary', 'a$b', 'a|b', 'a^b', "a'b", 'a*b'), weight: 1 }, // tokens nginx cannot carry
  { arbitrary: fc.constantFrom('a=b', 'a b', '', 'a;b', 'a/b', 'a:b'), weight: 1 }, // not tokens
);

const weightTotal = mostly(
  fc.option(fc.oneof(fc.constantFrom(100, 1000, 10_000, 1_000_000), fc.integer({ min: 100, max: 1_000_000 })), { nil: undefined }),
  fc.constantFrom(99, 0, 1_000_001, 150.5, -100),
);

export const traffic: fc.Arbitrary<TrafficSpec> = weightTotal.chain((total) => fc.record({
  header: fc.option(header, { nil: undefined }),
  cookie: fc.option(cookie, { nil: undefined }),
  weight: mostly(
    fc.option(fc.oneof(fc.constantFrom(0, total ?? 100), fc.integer({ min: 0, max: total !== undefined && Number.isInteger(total) && total >= 0 ? total : 100 })), { nil: undefined }),
    fc.constantFrom(-1, (total ?? 100) + 1, 10.5),
  ),
  weightTotal: fc.constant(total),
}, { requiredKeys: [] }));

// ---------------------------------------------------------------- container

/** Weighted picks: [value, weight] pairs. */
function pick<T>(...choices: Array<[T, number]>): fc.Arbitrary<T> {
  return fc.oneof(...choices.map(([value, weight]) => ({ arbitrary: fc.constant(value), weight })));
}

const security: fc.Arbitrary<SecuritySpec> = fc.record({
  ensureNonRoot: pick<boolean | undefined>([undefined, 4], [true, 1], [false, 2]),
  readOnlyRootFilesystem: pick<boolean | undefined>([undefined, 2], [false, 1]),
  allowPrivilegeEscalation: pick<boolean | undefined>([undefined, 6], [false, 1], [true, 1]),
  privileged: pick<boolean | undefined>([undefined, 12], [false, 1], [true, 1]),
  user: pick<number | undefined>([undefined, 6], [1000, 1], [101, 1], [0, 1]),
  capabilities: maybe(fc.record({
    add: maybe(fc.subarray(['NET_BIND_SERVICE', 'CAP_NET_BIND_SERVICE', 'CHOWN', 'CAP_NET_ADMIN', 'SYS_ADMIN'], { minLength: 1 })),
    drop: maybe(fc.constantFrom<string[]>([], ['ALL'], ['CAP_NET_RAW'], ['NET_RAW', 'ALL'])),
  }, { requiredKeys: [] }), 1),
}, { requiredKeys: [] });

const resources: fc.Arbitrary<ResourcesSpec> = fc.record({
  cpu: fc.option(fc.record({ request: fc.constantFrom(undefined, 100, 250, 1000, 2000), limit: fc.constantFrom(undefined, 500, 1000, 1500) }, { requiredKeys: [] }), { nil: undefined }),
  memory: fc.option(fc.record({ request: pick<number | undefined>([undefined, 2], [64, 3], [512, 2], [1.5, 1]), limit: fc.constantFrom(undefined, 256, 2048) }, { requiredKeys: [] }), { nil: undefined }),
}, { requiredKeys: [] });

export const container: fc.Arbitrary<ContainerSpec> = fc.record({
  env: fc.option(fc.dictionary(fc.constantFrom('LOG_LEVEL', 'REGION', 'FEATURE_X'), fc.constantFrom('info', 'debug', 'eu', 'on')), { nil: undefined }),
  securityContext: maybe(security, 1),
  resources: maybe(resources, 1),
  args: fc.option(fc.array(fc.constantFrom('--verbose', '--port=80'), { maxLength: 2 }), { nil: undefined }),
  forbidden: fc.oneof({ arbitrary: fc.constant(undefined), weight: 30 }, { arbitrary: fc.constantFrom('portNumber' as const, 'ports' as const, 'image' as const), weight: 1 }),
}, { requiredKeys: [] });

export function track(versionArb: fc.Arbitrary<string> = version): fc.Arbitrary<TrackSpec> {
  return fc.record({
    version: versionArb,
    image,
    replicas,
    container: maybe(container, 1, 2),
  });
}

// ---------------------------------------------------------------- metadata

const metadata: fc.Arbitrary<MetadataSpec> = fc.record({
  labels: fc.option(mostly(
    fc.dictionary(fc.constantFrom('team', 'example.com/cost-center', 'tier'), fc.constantFrom('shop', 'web', '', 'a.b_c')),
    fc.constantFrom<Record<string, string>>({ app: 'other' }, { version: 'v9' }, { 'bad key': 'x' }, { team: 'not valid!' }, { '-x': 'y' }),
    60,
  ), { nil: undefined }),
  annotations: fc.option(mostly(
    fc.dictionary(fc.constantFrom('example.com/owner', 'note', 'sidecar.istio.io/inject'), fc.constantFrom('shop@example.com', 'true', 'any text, really')),
    fc.constantFrom<Record<string, string>>({ 'bad key!': 'x' }, { 'example.com/': 'x' }, { '/x': 'y' }, { 'nginx.ingress.kubernetes.io/canary-weight': '50' }, { 'nginx.ingress.kubernetes.io/affinity': 'cookie' }),
    60,
  ), { nil: undefined }),
  name: fc.oneof({ arbitrary: fc.constant(undefined), weight: 30 }, { arbitrary: fc.constant('named'), weight: 1 }),
}, { requiredKeys: [] });

// ---------------------------------------------------------------- routers

const nginxRouter = fc.record({
  kind: fc.constant('nginx' as const),
  host: fc.option(host, { nil: undefined }),
  path: fc.option(path, { nil: undefined }),
  ingressClassName: fc.option(mostly(fc.constantFrom('nginx', 'nginx-internal', 'ingress.example.com'), fc.constantFrom('Nginx', '*', 'a_b')), { nil: undefined }),
  tlsSecretName: maybe(mostly(fc.constantFrom('myapp-tls', 'tls.example'), fc.constantFrom('TLS', '*.x')), 1, 2),
  annotations: fc.option(mostly(
    fc.dictionary(fc.constantFrom('nginx.ingress.kubernetes.io/proxy-body-size', 'example.com/team'), fc.constantFrom('8m', 'shop')),
    fc.constantFrom<Record<string, string>>({ 'nginx.ingress.kubernetes.io/canary': 'true' }, { 'nginx.ingress.kubernetes.io/upstream-hash-by': '$remote_addr' }, { 'nginx.ingress.kubernetes.io/affinity-canary-behavior': 'sticky' }),
    60,
  ), { nil: undefined, freq: 3 }),
}, { requiredKeys: ['kind'] });

const gateway = mostly(fc.constantFrom('mesh', 'istio-system/public-gateway', 'public', 'gw.example'), fc.constantFrom('Istio/GW', 'a/b/c', '', '*'));

const istioRouter = fc.record({
  kind: fc.constant('istio' as const),
  hosts: maybe(fc.oneof(
    { arbitrary: fc.array(host, { minLength: 1, maxLength: 3 }), weight: 12 },
    { arbitrary: fc.constantFrom<string[]>([], ['myapp.com', 'myapp.com']), weight: 1 },
  ), 3),
  gateways: maybe(fc.array(gateway, { minLength: 1, maxLength: 2 }), 1, 2),
  subsets: fc.option(fc.boolean(), { nil: undefined }),
}, { requiredKeys: ['kind'] });

const parentRef = fc.record({
  name: mostly(fc.constantFrom('public', 'gw.example', 'internal'), fc.constantFrom('Public', '*', '')),
  namespace: fc.option(mostly(fc.constantFrom('gateways', 'istio-system'), fc.constantFrom('Gateways', 'a.b')), { nil: undefined }),
  sectionName: fc.option(mostly(fc.constantFrom('https', 'http.80'), fc.constantFrom('HTTPS', '*')), { nil: undefined, freq: 3 }),
}, { requiredKeys: ['name'] });

const gatewayApiRouter = fc.record({
  kind: fc.constant('gatewayApi' as const),
  parentRefs: mostly<Array<{ name: string; namespace?: string; sectionName?: string }>>(fc.array(parentRef, { minLength: 1, maxLength: 2 }), fc.constant([])),
  hostnames: maybe(fc.oneof(
    { arbitrary: fc.array(host, { minLength: 1, maxLength: 3 }), weight: 12 },
    { arbitrary: fc.constantFrom<string[]>(['10.0.0.1'], []), weight: 1 },
  ), 1),
  path: fc.option(path, { nil: undefined }),
}, { requiredKeys: ['kind', 'parentRefs'] });

export const router: fc.Arbitrary<RouterSpec> = fc.oneof(
  fc.constant({ kind: 'service' as const }),
  nginxRouter,
  istioRouter,
  gatewayApiRouter,
);

// ---------------------------------------------------------------- releases

function common(id: fc.Arbitrary<string>, name: fc.Arbitrary<string | undefined>, routerSpec: RouterSpec) {
  return {
    id,
    name,
    containerPort: port,
    servicePort: fc.option(port, { nil: undefined }),
    container: maybe(container, 1),
    metadata: maybe(metadata, 1),
    podMetadata: maybe(metadata, 1),
    router: fc.constant(routerSpec),
  };
}

export interface ReleaseArbOptions {
  /** Construct ids to draw from (unique per chart is up to the caller). */
  readonly id?: fc.Arbitrary<string>;
  readonly name?: fc.Arbitrary<string | undefined>;
  readonly version?: fc.Arbitrary<string>;
}

export function canaryRelease(options: ReleaseArbOptions = {}): fc.Arbitrary<CanarySpec> {
  const v = options.version ?? version;
  return router.chain((r) => fc.record({
    type: fc.constant('canary' as const),
    ...common(options.id ?? fc.constantFrom('myapp', 'cart'), options.name ?? maybe(appName, 1), r),
    stable: track(v),
    // traffic with TrafficRouter.service() is an error: rare there, common elsewhere
    canary: maybe(fc.tuple(track(v), r.kind === 'service' ? maybe(traffic, 1, 10) : maybe(traffic, 4)).map(([t, tr]) => ({ ...t, traffic: tr })), 4),
  }));
}

export function blueGreenRelease(options: ReleaseArbOptions = {}): fc.Arbitrary<BlueGreenSpec> {
  const v = options.version ?? version;
  return router.chain((r) => fc.record({
    type: fc.constant('blueGreen' as const),
    ...common(options.id ?? fc.constantFrom('myapp', 'checkout'), options.name ?? maybe(appName, 1), r),
    blue: maybe(track(v), 8),
    green: maybe(track(v), 8),
    active: mostly(fc.constantFrom('blue', 'green'), fc.constantFrom('Blue', 'red'), 20),
    preview: pick<boolean | undefined>([undefined, 4], [true, 1], [false, 1]),
    // previewHost needs a router that serves hosts: rare with TrafficRouter.service()
    previewHost: r.kind === 'service' ? maybe(host, 1, 10) : maybe(host, 1),
  }));
}

/** Requests that exercise the traffic rules: the header (matching or not), cookies, neither. */
export function requests(spec: TrafficSpec | undefined): fc.Arbitrary<RequestSpec[]> {
  const headerName = spec?.header?.name ?? 'x-other';
  const headerValues = [...(spec?.header?.samples ?? []), ...(spec?.header ? [`${spec.header.value}x`, spec.header.value.toUpperCase()] : [])];
  const cookieName = spec?.cookie ?? 'canary';
  // The Cookie header is made of the request's cookies, never set on its own.
  const ruleOnCookie = headerName.toLowerCase() === 'cookie';
  const one: fc.Arbitrary<RequestSpec> = fc.record({
    headers: ruleOnCookie ? fc.constant({}) : fc.oneof(
      fc.constant({}),
      fc.tuple(fc.constantFrom(headerName, headerName.toLowerCase(), headerName.toUpperCase()), headerValues.length > 0 ? fc.oneof(fc.constantFrom(...headerValues), fc.string({ maxLength: 6 })) : fc.string({ maxLength: 6 }))
        .map(([name, value]) => ({ [name]: value })),
    ),
    cookies: fc.oneof(
      fc.constant([] as Array<[string, string]>),
      ...(ruleOnCookie ? [fc.constantFrom(...headerValues, 'x').map((v): Array<[string, string]> => [['k', v]])] : []),
      fc.tuple(fc.constantFrom('always', 'never', 'maybe', 'alwaysx'), fc.constantFrom('none', 'before', 'after', 'both', 'suffix')).map(([value, others]) => {
        const cookies: Array<[string, string]> = [];
        if (others === 'before' || others === 'both') cookies.push(['session', 'abc']);
        cookies.push(others === 'suffix' ? [`my${cookieName}`, value] : [cookieName, value]);
        if (others === 'after' || others === 'both') cookies.push(['theme', 'dark']);
        return cookies;
      }),
    ),
  });
  return fc.array(one, { minLength: 1, maxLength: 4 });
}

// ---------------------------------------------------------------- building props

export function buildHeader(spec: HeaderSpec): HeaderMatch {
  return spec.kind === 'exact' ? HeaderMatch.exact(spec.name, spec.value) : HeaderMatch.regex(spec.name, spec.value);
}

export function buildRouter(spec: RouterSpec): TrafficRouter {
  switch (spec.kind) {
    case 'service': return TrafficRouter.service();
    case 'nginx': return TrafficRouter.nginx({ host: spec.host, path: spec.path, ingressClassName: spec.ingressClassName, tlsSecretName: spec.tlsSecretName, annotations: spec.annotations });
    case 'istio': return TrafficRouter.istio({ hosts: spec.hosts, gateways: spec.gateways, subsets: spec.subsets });
    case 'gatewayApi': return TrafficRouter.gatewayApi({ parentRefs: spec.parentRefs, hostnames: spec.hostnames, path: spec.path });
  }
}

export function buildContainer(spec: ContainerSpec | undefined): kplus.ContainerOpts | undefined {
  if (spec === undefined) return undefined;
  const sc = spec.securityContext;
  const r = spec.resources;
  const opts: { [key: string]: unknown } = {
    envVariables: spec.env ? Object.fromEntries(Object.entries(spec.env).map(([k, v]) => [k, kplus.EnvValue.fromValue(v)])) : undefined,
    securityContext: sc ? {
      ensureNonRoot: sc.ensureNonRoot,
      readOnlyRootFilesystem: sc.readOnlyRootFilesystem,
      allowPrivilegeEscalation: sc.allowPrivilegeEscalation,
      privileged: sc.privileged,
      user: sc.user,
      capabilities: sc.capabilities ? { add: sc.capabilities.add as kplus.Capability[] | undefined, drop: sc.capabilities.drop as kplus.Capability[] | undefined } : undefined,
    } : undefined,
    resources: r ? {
      cpu: r.cpu ? { request: r.cpu.request !== undefined ? kplus.Cpu.millis(r.cpu.request) : undefined, limit: r.cpu.limit !== undefined ? kplus.Cpu.millis(r.cpu.limit) : undefined } : undefined,
      memory: r.memory ? {
        request: r.memory.request !== undefined ? Size.kibibytes(r.memory.request * 1024) : undefined,
        limit: r.memory.limit !== undefined ? Size.kibibytes(r.memory.limit * 1024) : undefined,
      } : undefined,
    } : undefined,
    args: spec.args,
  };
  if (spec.forbidden === 'portNumber') opts.portNumber = 9090;
  if (spec.forbidden === 'ports') opts.ports = [{ number: 9090 }];
  if (spec.forbidden === 'image') opts.image = 'other:v1';
  return opts as kplus.ContainerOpts;
}

function buildTrack(spec: TrackSpec) {
  return { version: spec.version, image: spec.image, replicas: spec.replicas, container: buildContainer(spec.container) };
}

function buildOptions(spec: ReleaseSpec): ReleaseOptions {
  return {
    name: spec.name,
    containerPort: spec.containerPort,
    servicePort: spec.servicePort,
    container: buildContainer(spec.container),
    metadata: spec.metadata,
    podMetadata: spec.podMetadata,
    router: buildRouter(spec.router),
  };
}

export function buildCanaryProps(spec: CanarySpec): CanaryReleaseProps {
  const t = spec.canary?.traffic;
  return {
    ...buildOptions(spec),
    stable: buildTrack(spec.stable),
    canary: spec.canary ? {
      ...buildTrack(spec.canary),
      traffic: t ? { header: t.header ? buildHeader(t.header) : undefined, cookie: t.cookie, weight: t.weight, weightTotal: t.weightTotal } : undefined,
    } : undefined,
  };
}

export function buildBlueGreenProps(spec: BlueGreenSpec): BlueGreenReleaseProps {
  return {
    ...buildOptions(spec),
    blue: spec.blue ? buildTrack(spec.blue) : undefined,
    green: spec.green ? buildTrack(spec.green) : undefined,
    active: spec.active as BlueGreenColor,
    preview: spec.preview,
    previewHost: spec.previewHost,
  };
}
