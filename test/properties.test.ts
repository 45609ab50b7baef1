/**
 * Property-based tests: generated props for both constructs and every router, valid and not.
 * For each: either construction throws an Error naming one of the props the model
 * (release-model.ts) says are wrong, or the model says nothing is wrong, nothing throws, every
 * object passes the upstream schemas (synthValid) and the invariants (invariants.ts) hold.
 *
 * Seeded and reproducible: FUZZ_SEED (default below) and FUZZ_RUNS (default: a few hundred
 * runs in all, for `npm test`); `npm run test:fuzz` runs many more. A failure prints the
 * seed, the path and the shrunk counterexample; found counterexamples become the ordinary
 * regression tests at the end of this file.
 */
import { App, Chart, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { BlueGreenColor, BlueGreenRelease, CanaryRelease, TrafficRouter } from '../src';
import {
  BlueGreenSpec, CanarySpec, ReleaseSpec, blueGreenRelease, buildBlueGreenProps, buildCanaryProps, canaryRelease, requests,
} from './arbitraries';
import { checkChart } from './invariants';
import { appNameOf, expectedErrors, expectedObjects, namesOneOf, ownerOf, slug } from './release-model';
import { K8sObject, synthValid } from './util';

const SEED = Number(process.env.FUZZ_SEED ?? 20_260_601);
/** Scales every property's run count: FUZZ_RUNS is the run count of the main (single-release) properties. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 400);
const scaled = (share: number) => Math.max(10, Math.round(RUNS * share));

// A property runs many cases in one test: far past jest's 5 s default on a busy machine.
jest.setTimeout(process.env.FUZZ_RUNS ? 60 * 60 * 1000 : 120 * 1000);

function assertProperty<T>(arb: fc.Arbitrary<T>, runs: number, predicate: (value: T) => void): void {
  try {
    fc.assert(fc.property(arb, predicate), { seed: SEED, numRuns: runs });
  } catch (e) {
    (e as Error).message = `reproduce with FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS} npx jest test/properties.test.ts\n${(e as Error).message}`;
    throw e;
  }
}

/** Builds a release of the spec into `scope` (factories included); returns what it threw. */
function construct(scope: Chart, spec: ReleaseSpec, id = spec.id): unknown {
  try {
    if (spec.type === 'canary') new CanaryRelease(scope, id, buildCanaryProps(spec));
    else new BlueGreenRelease(scope, id, buildBlueGreenProps(spec));
    return undefined;
  } catch (e) {
    return e;
  }
}

/** Construction threw an Error naming one of the expected props, or did not throw and must not have. */
function checkOutcome(spec: ReleaseSpec, error: unknown, expected: string[]): 'threw' | 'built' {
  if (expected.length > 0) {
    if (error === undefined) throw new Error(`expected an error naming one of ${JSON.stringify(expected)}, but construction succeeded`);
    if (!(error instanceof Error)) throw new Error(`expected an Error, got ${String(error)}`);
    if (!namesOneOf(error.message, expected)) throw new Error(`the error names none of ${JSON.stringify(expected)}: ${error.message}`);
    return 'threw';
  }
  if (error !== undefined) throw new Error(`${ownerOf(spec)}: unexpected error: ${(error as Error).message ?? String(error)}`);
  return 'built';
}

describe('a single release: it throws naming the bad prop, or it is valid and every invariant holds', () => {
  test('CanaryRelease, every router', () => {
    const arb = canaryRelease().chain((spec) => fc.tuple(fc.constant(spec), requests(spec.canary?.traffic)));
    assertProperty(arb, RUNS, ([spec, reqs]) => {
      const chart = Testing.chart();
      if (checkOutcome(spec, construct(chart, spec), expectedErrors(spec)) === 'built') {
        checkChart([spec], synthValid(chart), [reqs]);
      }
    });
  });

  test('BlueGreenRelease, every router', () => {
    assertProperty(blueGreenRelease(), RUNS, (spec) => {
      const chart = Testing.chart();
      if (checkOutcome(spec, construct(chart, spec), expectedErrors(spec)) === 'built') {
        checkChart([spec], synthValid(chart));
      }
    });
  });

  test('the generators mix both sides: a good share of valid specs (the invariants run) and of invalid ones', () => {
    const samples = fc.sample(fc.oneof(canaryRelease(), blueGreenRelease()), { seed: SEED, numRuns: 1000 });
    const valid = samples.filter((s) => expectedErrors(s).length === 0).length / samples.length;
    expect(valid).toBeGreaterThan(0.35);
    expect(valid).toBeLessThan(0.85);
  });
});

// ------------------------------------------------------------------ several releases

const NAMES = ['myapp', 'myapp-canary', 'myapp-preview', 'myapp-v1', 'cart', undefined];
const VERSIONS = ['v1', 'v2', 'canary', 'preview', '1.4.2', '1-4-2'];

interface Placed {
  readonly spec: ReleaseSpec;
  readonly chart: 0 | 1;
}

const several: fc.Arbitrary<{ namespaces: [string, string]; releases: Placed[] }> = fc.record({
  namespaces: fc.tuple(fc.constant('shop'), fc.constantFrom('shop', 'other')),
  releases: fc.array(fc.tuple(
    fc.oneof(
      canaryRelease({ name: fc.constantFrom(...NAMES), version: fc.constantFrom(...VERSIONS) }),
      blueGreenRelease({ name: fc.constantFrom(...NAMES), version: fc.constantFrom(...VERSIONS) }),
    ),
    fc.constantFrom(0 as const, 0 as const, 1 as const),
  ), { minLength: 2, maxLength: 4 }).map((list) => list.map(([spec, chart], i) => ({ spec: { ...spec, id: `r${i}` } as ReleaseSpec, chart }))),
});

const GROUP: Record<string, string> = { Deployment: 'apps', Service: '', Ingress: 'networking.k8s.io', VirtualService: 'networking.istio.io', DestinationRule: 'networking.istio.io', HTTPRoute: 'gateway.networking.k8s.io' };

test('several releases in one chart and namespace: each is valid alone, and two objects of one kind and name are an error naming both', () => {
  assertProperty(several, scaled(0.6), ({ namespaces, releases }) => {
    const app = new App();
    const charts = [new Chart(app, 'c0', { namespace: namespaces[0] }), new Chart(app, 'c1', { namespace: namespaces[1] })];
    /** `<group>/<Kind>/<namespace>/<name>` -> the owner and path of the release that emits it. */
    const claimed = new Map<string, string>();
    const built: Placed[] = [];
    for (const placed of releases) {
      const { spec, chart } = placed;
      const error = construct(charts[chart], spec);
      const expected = expectedErrors(spec);
      if (expected.length === 0) {
        const owner = ownerOf(spec);
        const ns = namespaces[chart];
        const collisions = expectedObjects(spec)
          .map((id) => id.split('/') as [string, string])
          .filter(([kind, name]) => claimed.has(`${GROUP[kind]}/${kind}/${ns}/${name}`))
          .map(([kind, name]) => `${owner}: ${kind} "${name}" in namespace "${ns}" is also emitted by ${claimed.get(`${GROUP[kind]}/${kind}/${ns}/${name}`)}*`);
        expected.push(...collisions);
      }
      if (checkOutcome(spec, error, expected) === 'threw') return; // the chart now holds a half-built release
      for (const id of expectedObjects(spec)) {
        const [kind, name] = id.split('/');
        claimed.set(`${GROUP[kind]}/${kind}/${namespaces[chart]}/${name}`, `${ownerOf(spec)} (c${chart}/${spec.id})`);
      }
      built.push(placed);
    }
    // Check per namespace: both charts' objects together when they share one.
    const byNamespace = new Map<string, { manifests: K8sObject[]; specs: ReleaseSpec[] }>();
    charts.forEach((chart, i) => {
      const entry = byNamespace.get(namespaces[i]) ?? { manifests: [], specs: [] };
      entry.manifests.push(...synthValid(chart));
      entry.specs.push(...built.filter((p) => p.chart === i).map((p) => p.spec));
      byNamespace.set(namespaces[i], entry);
    });
    for (const { manifests, specs } of byNamespace.values()) checkChart(specs, manifests);
  });
});

// ------------------------------------------------------------------ promotion and cut-over

function validOnly<T extends ReleaseSpec>(arb: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return arb.filter((spec) => expectedErrors(spec).length === 0);
}

function synthOne(spec: ReleaseSpec): K8sObject[] {
  const chart = Testing.chart();
  const error = construct(chart, spec);
  if (error !== undefined) throw new Error(`${ownerOf(spec)}: ${(error as Error).message}`);
  return synthValid(chart);
}

const ids = (manifests: K8sObject[]) => manifests.map((o) => `${o.kind}/${o.metadata.name}`).sort();

test('promotion (stable becomes the canary, canary goes away) keeps the Deployment byte for byte, and the Service and route names', () => {
  const arb = validOnly(canaryRelease().filter((s) => s.canary !== undefined));
  assertProperty(arb, scaled(0.4), (spec: CanarySpec) => {
    const { traffic: _traffic, ...canaryTrack } = spec.canary!;
    const promoted: CanarySpec = { ...spec, stable: canaryTrack, canary: undefined };
    expect(expectedErrors(promoted)).toEqual([]);
    const before = synthOne(spec);
    const after = synthOne(promoted);
    checkChart([promoted], after);

    const name = appNameOf(spec);
    const deployment = `${name}-${slug(canaryTrack.version)}`;
    const json = (ms: K8sObject[]) => JSON.stringify(ms.find((o) => o.kind === 'Deployment' && o.metadata.name === deployment));
    expect(json(after)).toBe(json(before));
    // Promotion only deletes: every object after it existed before, under the same name.
    expect(ids(before)).toEqual(expect.arrayContaining(ids(after)));
    expect(ids(after)).toContain(`Service/${name}`);
    expect(ids(after)).not.toContain(`Deployment/${name}-${slug(spec.stable.version)}`);
  });
});

test('blue-green cut-over (active flips) changes no Deployment and no object name', () => {
  const arb = validOnly(blueGreenRelease().filter((s) => s.blue !== undefined && s.green !== undefined && (s.active === 'blue' || s.active === 'green')));
  assertProperty(arb, scaled(0.4), (spec: BlueGreenSpec) => {
    const flipped: BlueGreenSpec = { ...spec, active: spec.active === 'blue' ? 'green' : 'blue' };
    if (expectedErrors(flipped).length > 0) return; // e.g. previewHost equal to a host only the other way round
    const before = synthOne(spec);
    const after = synthOne(flipped);
    checkChart([flipped], after);
    expect(ids(after)).toEqual(ids(before));
    for (const d of before.filter((o) => o.kind === 'Deployment')) {
      expect(JSON.stringify(after.find((o) => o.kind === 'Deployment' && o.metadata.name === d.metadata.name))).toBe(JSON.stringify(d));
    }
  });
});

// ------------------------------------------------------------------ regressions: counterexamples the properties found

describe('regressions found by the properties', () => {
  const stable = { version: 'v1', image: 'myapp:v1' };

  // Shrunk counterexample: {"type":"canary","id":"r0","containerPort":80,"metadata":{"annotations":{"bad key!":"x"}},
  // "router":{"kind":"gatewayApi","parentRefs":[{"name":"public"}]},"stable":{"version":"v1","image":"myapp:v1"}}
  // was built, and every object carried an annotation key the API server rejects.
  test('throws when a metadata annotation key is not a qualified name', () => {
    expect(() => new CanaryRelease(Testing.chart(), 'r0', {
      containerPort: 80,
      metadata: { annotations: { 'bad key!': 'x' } },
      router: TrafficRouter.gatewayApi({ parentRefs: [{ name: 'public' }] }),
      stable,
    })).toThrow("CanaryRelease 'r0': metadata.annotations key (\"bad key!\") must be an annotation key: an optional DNS subdomain prefix and '/', then at most 63 letters");
  });

  // Shrunk counterexample: {"type":"blueGreen","id":"myapp","containerPort":1,"podMetadata":{"annotations":{"bad key!":"x"}},
  // "router":{"kind":"service"},"blue":{"version":"v1","image":"myapp:v1"},"active":"blue"}
  test('throws when a podMetadata annotation key is not a qualified name', () => {
    expect(() => new BlueGreenRelease(Testing.chart(), 'myapp', {
      containerPort: 1,
      podMetadata: { annotations: { 'bad key!': 'x' } },
      blue: stable,
      active: BlueGreenColor.BLUE,
    })).toThrow("BlueGreenRelease 'myapp': podMetadata.annotations key (\"bad key!\") must be an annotation key");
  });

  test.each(['example.com/', '/x', 'a..b/x', `${'a'.repeat(64)}.com/x`])('throws when an annotation key has an empty name or an empty or invalid prefix: %p', (key) => {
    expect(() => new CanaryRelease(Testing.chart(), 'myapp', { containerPort: 80, metadata: { annotations: { [key]: 'x' } }, stable }))
      .toThrow(`CanaryRelease 'myapp': metadata.annotations key (${JSON.stringify(key)}) must be an annotation key`);
  });

  test('label keys need a valid DNS subdomain prefix too (found while writing the model: a..b/x was accepted)', () => {
    expect(() => new CanaryRelease(Testing.chart(), 'myapp', { containerPort: 80, metadata: { labels: { 'a..b/x': 'y' } }, stable }))
      .toThrow("CanaryRelease 'myapp': metadata.labels key (\"a..b/x\") must be a label key");
  });

  test('throws when the annotations total more than 256 KiB', () => {
    expect(() => new CanaryRelease(Testing.chart(), 'myapp', { containerPort: 80, podMetadata: { annotations: { big: 'x'.repeat(256 * 1024) } }, stable }))
      .toThrow("CanaryRelease 'myapp': podMetadata.annotations (\"262147 characters\") must total at most 256 KiB");
  });

  test('annotation values of any text and prefixed keys stay fine', () => {
    const chart = Testing.chart();
    new CanaryRelease(chart, 'myapp', { containerPort: 80, metadata: { annotations: { 'example.com/owner': 'shop team, room 4', 'note': '' } }, stable });
    expect(synthValid(chart).every((o) => o.metadata.annotations?.['example.com/owner'] === 'shop team, room 4')).toBe(true);
  });

  // Known gaps outside the files this work may change, reported to the lead. `test.failing`
  // passes while the library still accepts these; once it throws, flip them to `test`.
  test('throws when the nginx host is an IP address (the API server rejects an Ingress rule host that is an IP)', () => {
    expect(() => TrafficRouter.nginx({ host: '10.0.0.1' })).toThrow('TrafficRouter.nginx: options.host ("10.0.0.1") must be a DNS name, not an IP address');
  });

  test('throws when an nginx annotation key is not a qualified name (the API server rejects the Ingress)', () => {
    expect(() => TrafficRouter.nginx({ annotations: { 'bad key!': 'x' } })).toThrow('TrafficRouter.nginx: options.annotations key ("bad key!") must be an annotation key');
  });
});
