/**
 * Property-based tests: generated props for both constructs, every router and every engine
 * (plain manifests, Argo Rollouts, Flagger), with plans (steps, canary.step), analyses,
 * versioned configuration (config, configMountPath, a track's config and secrets), smoke
 * tests, disruption budgets and autoscaling, valid and not. For each: either construction throws
 * an Error naming one of the props the model (release-model.ts) says are wrong, or the model says
 * nothing is wrong, nothing throws, every object passes the upstream schemas (synthValid) and the
 * invariants (invariants.ts) hold.
 * And one plan gives the same weights under plain manifests' step, Argo Rollouts' setWeight
 * and Flagger's stepWeights.
 *
 * Seeded and reproducible: FUZZ_SEED (default below) and FUZZ_RUNS (default: a few hundred
 * runs in all, for `npm test`); `npm run test:fuzz` runs many more. A failure prints the
 * seed, the path and the shrunk counterexample; found counterexamples become the ordinary
 * regression tests at the end of this file.
 */
import { App, Chart, Duration, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { BlueGreenColor, BlueGreenRelease, CanaryRelease, CanaryStep, DeliveryEngine, TrafficRouter } from '../src';
import {
  BlueGreenSpec, CanarySpec, EngineKind, EngineSpec, ReleaseArbOptions, ReleaseSpec, RequestSpec, RouterSpec, blueGreenRelease as drawBlueGreenRelease, buildBlueGreenProps, buildCanaryProps,
  canaryRelease as drawCanaryRelease, engine, flaggerPlan, requests,
} from './arbitraries';
import { checkChart } from './invariants';
import {
  ObjectId, appNameOf, argoBasicCanaryPods, canaryTakesRequests, engineOf, expectedAutoscalerRef, expectedBudgets, expectedConfig, expectedErrors, expectedObjects, flaggerGeneratedObjects,
  isAbTest, isFlaggerAbSchedule, isFlaggerPlanEndingWithPause, isShift, namesOneOf, ownerOf, promDuration, releaseTracks, slug, smokeJobVersion, weightTotalOf,
  renderedWeight, weightsInForce,
} from './release-model';
import { K8sObject, find, synthValid } from './util';

const SEED = Number(process.env.FUZZ_SEED ?? 20_260_601);
/** Scales every property's run count: FUZZ_RUNS is the run count of the main (single-release) properties. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 400);
const scaled = (share: number) => Math.max(10, Math.round(RUNS * share));

// A property runs many cases in one test: far past jest's 5 s default on a busy machine.
jest.setTimeout(process.env.FUZZ_RUNS ? 60 * 60 * 1000 : 120 * 1000);

const canaryRelease = (options?: ReleaseArbOptions) => drawCanaryRelease(options);
const blueGreenRelease = (options?: ReleaseArbOptions) => drawBlueGreenRelease(options);

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

/**
 * The release with its canary promoted: the canary's track (without traffic and step) is
 * stable, and the canary is gone. Autoscaled, without replicas too: the autoscaler sizes the
 * stable track.
 */
function promote(spec: CanarySpec): CanarySpec {
  const { traffic: _traffic, step: _step, ...canaryTrack } = spec.canary!;
  const { replicas: _replicas, ...unsized } = canaryTrack;
  return { ...spec, stable: spec.autoscaling ? unsized : canaryTrack, canary: undefined };
}

/** A chart of its own for the release, in the spec's namespace (none: the chart has none). */
function chartFor(spec: ReleaseSpec): Chart {
  return new Chart(Testing.app(), 'test', { namespace: spec.namespace });
}

/** The single-release property: throws naming a predicted prop, or builds valid objects on which every invariant holds. */
function checkSingle(spec: ReleaseSpec, reqs: RequestSpec[] = []): void {
  const chart = chartFor(spec);
  if (checkOutcome(spec, construct(chart, spec), expectedErrors(spec)) === 'built') {
    checkChart([spec], synthValid(chart), [reqs]);
  }
}

/** A sticky canary's cookie for the requests to carry, `<name>-canary=<v>`. */
function stickyCookieOf(spec: CanarySpec): [string, string] | undefined {
  return spec.canary?.traffic?.sticky === true ? [`${spec.name ?? spec.id}-canary`, spec.canary.version.replace(/\./g, '-')] : undefined;
}

/**
 * A canary release made sticky wherever it has traffic rules: the routers that can keep users
 * (Istio, Gateway API) and every engine, so that valid sticky canaries with a weight, and each
 * refusal, are common rather than rare.
 */
function stickyCanaryRelease(): fc.Arbitrary<CanarySpec> {
  return canaryRelease().map((s) => (s.canary?.traffic ? { ...s, canary: { ...s.canary, traffic: { ...s.canary.traffic, sticky: true } } } : s));
}

describe('a single release: it throws naming the bad prop, or it is valid and every invariant holds', () => {
  test('CanaryRelease, every router and engine', () => {
    const arb = canaryRelease().chain((spec) => fc.tuple(fc.constant(spec), requests(spec.canary?.traffic, stickyCookieOf(spec))));
    assertProperty(arb, RUNS, ([spec, reqs]) => checkSingle(spec, reqs));
  });

  // Issue 17: sticky canaries, every router and engine: a kept user lands on the canary while
  // git gives it a weight, and sticky is refused where a router or controller cannot keep users.
  test('CanaryRelease with a sticky canary: kept users land on the canary, or sticky is refused naming why', () => {
    const arb = stickyCanaryRelease().chain((spec) => fc.tuple(fc.constant(spec), requests(spec.canary?.traffic, stickyCookieOf(spec))));
    assertProperty(arb, scaled(0.5), ([spec, reqs]) => checkSingle(spec, reqs));
  });

  // Issue 13: the plan ends, the canary is promoted, under Flagger too. A rare shape in the
  // property above: here it alone.
  test('CanaryRelease under Flagger, a weighted plan ending with a pause: the plan ends, the canary is promoted', () => {
    const arb = canaryRelease({ engine: fc.constant({ kind: 'flagger' as const }) }).filter((s) => isFlaggerPlanEndingWithPause(s));
    assertProperty(arb, scaled(0.25), (spec) => checkSingle(spec));
  });

  test('BlueGreenRelease, every router and engine', () => {
    assertProperty(blueGreenRelease(), RUNS, (spec) => {
      const chart = chartFor(spec);
      if (checkOutcome(spec, construct(chart, spec), expectedErrors(spec)) === 'built') {
        checkChart([spec], synthValid(chart));
      }
    });
  });

  // Issue 16's shapes, a third of the releases above, here alone: autoscaled releases and
  // minAvailable budgets (which a track's size, its share at a weight, or its autoscaler's
  // minimum may leave no eviction).
  test('budgets and autoscaling under every engine: autoscaled releases and minAvailable budgets, valid and not', () => {
    const capacity = (s: ReleaseSpec) => s.autoscaling !== undefined || s.disruptionBudget?.kind === 'minAvailable';
    const arb = fc.oneof(
      canaryRelease().filter(capacity).chain((spec) => fc.tuple(fc.constant<ReleaseSpec>(spec), requests(spec.canary?.traffic, stickyCookieOf(spec)))),
      blueGreenRelease().filter(capacity).map((spec): [ReleaseSpec, RequestSpec[]] => [spec, []]),
    );
    assertProperty(arb, scaled(0.5), ([spec, reqs]) => checkSingle(spec, reqs));
  });

  // Rare in the properties above (a long name, Flagger, an analysis): every name Flagger and the
  // release derive, <name>-primary, -canary, -preview, and the MetricTemplates <name>-error-rate
  // and <name>-latency-p99, is at most 63 characters, or the error names `name`.
  test('under Flagger, names near the 63 limit: every derived name fits, or the error names name', () => {
    const near = fc.integer({ min: 48, max: 57 }).map((n) => `app${'x'.repeat(n - 4)}1`);
    const options = { name: near, engine: engine('canary').filter((e) => e?.kind === 'flagger') };
    const arb = fc.oneof(canaryRelease(options), blueGreenRelease({ ...options, engine: engine('blueGreen').filter((e) => e?.kind === 'flagger') }));
    assertProperty(arb, scaled(0.25), (spec) => checkSingle(spec));
  });

  test('the generators mix both sides: a good share of valid specs (the invariants run) and of invalid ones, under every engine', () => {
    const samples = fc.sample(fc.oneof(canaryRelease(), blueGreenRelease()), { seed: SEED, numRuns: 1500 });
    const validShare = (of: ReleaseSpec[]) => of.filter((s) => expectedErrors(s).length === 0).length / of.length;
    // Engines, plans and analyses bring their own share of invalid values, and so do versioned
    // configuration and the smoke test (issue 15: about 3 points more), and budgets and
    // autoscaling (issue 16: 2 to 3 points more): about 27 % is valid (25 to 29 % at the default
    // seed and the seeds 1 to 5), and under each engine and construct at least a sixth (Flagger's
    // canary the least, 19 to 23 %).
    expect(validShare(samples)).toBeGreaterThan(0.22);
    expect(validShare(samples)).toBeLessThan(0.85);
    for (const engine of ['manifests', 'argoRollouts', 'flagger'] as EngineKind[]) {
      for (const type of ['canary', 'blueGreen']) {
        const some = samples.filter((s) => engineOf(s) === engine && s.type === type);
        expect({ engine, type, many: some.length > 150, validShare: validShare(some) }).toEqual({ engine, type, many: true, validShare: expect.any(Number) });
        expect({ engine, type, atLeastASixth: validShare(some) > 1 / 6, atMostMost: validShare(some) < 0.85 }).toEqual({ engine, type, atLeastASixth: true, atMostMost: true });
      }
    }
    // Plans of every shape: with plain manifests' step, and Flagger's ending either way.
    const canaries = samples.filter((s): s is CanarySpec => s.type === 'canary' && expectedErrors(s).length === 0);
    expect(canaries.filter((s) => s.canary?.step !== undefined).length).toBeGreaterThan(10);
    expect(canaries.filter((s) => engineOf(s) === 'flagger' && !isAbTest(s) && s.steps !== undefined && isShift(s.steps[s.steps.length - 1])).length).toBeGreaterThan(10);
    expect(canaries.filter((s) => engineOf(s) === 'flagger' && isAbTest(s)).length).toBeGreaterThan(10);
    // Versioned configuration, Secrets and the smoke test (of a new version) reach the invariants
    // under every engine and construct; and each kind of refusal of them is drawn.
    for (const engine of ['manifests', 'argoRollouts', 'flagger'] as EngineKind[]) {
      for (const type of ['canary', 'blueGreen']) {
        const valid = samples.filter((s) => engineOf(s) === engine && s.type === type && expectedErrors(s).length === 0);
        const count = (f: (s: ReleaseSpec) => boolean) => valid.filter(f).length > 3;
        expect({
          engine,
          type,
          config: count((s) => releaseTracks(s).some((t) => expectedConfig(s, t) !== undefined)),
          asFiles: count((s) => s.configMountPath !== undefined),
          secrets: count((s) => releaseTracks(s).some((t) => t.secrets !== undefined)),
          smokeOfANewVersion: count((s) => s.smokeTest !== undefined && smokeJobVersion(s) !== undefined),
        }).toEqual({ engine, type, config: true, asFiles: true, secrets: true, smokeOfANewVersion: true });
      }
    }
    const refused = (prop: RegExp) => samples.filter((s) => expectedErrors(s).some((e) => prop.test(e))).length > 1;
    expect({
      configKey: refused(/: (\w+\.)?config key$/),
      configValue: refused(/: (\w+\.)?config\[/),
      configSize: refused(/: config$/),
      configMountPath: refused(/: configMountPath$/),
      secretName: refused(/\.secrets\[\d\]\.secretName$/),
      secretMountPath: refused(/\.secrets\[\d\]\.mountPath$/),
      smokeField: refused(/: smokeTest\.(path|requests|expectedStatus)$/),
      smokeThroughRouter: refused(/: smokeTest\.throughRouter$/),
      smokeWhere: refused(/: smokeTest$/),
    }).toEqual({
      configKey: true, configValue: true, configSize: true, configMountPath: true, secretName: true, secretMountPath: true, smokeField: true, smokeThroughRouter: true, smokeWhere: true,
    });
  });

  // Issue 16, on a larger sample: its shapes are a few in a hundred.
  test('the generators draw sticky canaries, kept users among the requests, and each refusal of sticky', () => {
    const samples = fc.sample(fc.oneof(canaryRelease(), stickyCanaryRelease()), { seed: SEED, numRuns: 3000 }) as CanarySpec[];
    const errors = new Map(samples.map((s) => [s, expectedErrors(s)]));
    const sticky = samples.filter((s) => s.canary?.traffic?.sticky === true);
    const valid = sticky.filter((s) => errors.get(s)!.length === 0);
    const isSticky = (e: string) => e.endsWith(': canary.traffic.sticky');
    const refused = (when: (s: CanarySpec) => boolean) => sticky.filter((s) => when(s) && errors.get(s)!.some(isSticky)).length > 1;
    expect({
      validUnderManifestsWithAWeight: valid.filter((s) => engineOf(s) === 'manifests' && renderedWeight(s) > 0).length > 5,
      validUnderFlagger: valid.filter((s) => engineOf(s) === 'flagger').length > 2,
      refusedWithNginx: refused((s) => s.router.kind === 'nginx'),
      refusedUnderArgoRollouts: refused((s) => engineOf(s) === 'argoRollouts'),
      refusedInAFlaggerAbTest: refused((s) => engineOf(s) === 'flagger' && s.router.kind !== 'nginx'),
      notABoolean: samples.filter((s) => errors.get(s)!.some(isSticky) && ![true, false, undefined].includes(s.canary?.traffic?.sticky as boolean | undefined)).length > 1,
    }).toEqual({
      validUnderManifestsWithAWeight: true, validUnderFlagger: true, refusedWithNginx: true, refusedUnderArgoRollouts: true, refusedInAFlaggerAbTest: true, notABoolean: true,
    });
    // The requests of a sticky canary carry its cookie, of its version or another.
    const reqs = fc.sample(requests({ weight: 10, sticky: true }, ['myapp-canary', 'v2']), { seed: SEED, numRuns: 200 }).flat();
    expect(reqs.some((r) => r.cookies.some(([k, v]) => k === 'myapp-canary' && v === 'v2'))).toBe(true);
    expect(reqs.some((r) => r.cookies.some(([k, v]) => k === 'myapp-canary' && v !== 'v2'))).toBe(true);
  });

  test('the generators draw budgets and autoscaling, valid and not, under every engine', () => {
    const samples = fc.sample(fc.oneof(canaryRelease(), blueGreenRelease()), { seed: SEED, numRuns: 3000 });
    const errors = new Map(samples.map((s) => [s, expectedErrors(s)]));
    const isValid = (s: ReleaseSpec) => errors.get(s)!.length === 0;
    // Autoscaled releases, minAvailable and none() reach the invariants under every engine and
    // construct (minAvailable with room for it is rarer under a controller's canary: its share
    // at each weight is small); and each engine's own shape.
    for (const engine of ['manifests', 'argoRollouts', 'flagger'] as EngineKind[]) {
      const valid = samples.filter((s) => engineOf(s) === engine && isValid(s));
      for (const type of ['canary', 'blueGreen']) {
        expect({ engine, type, autoscaled: valid.filter((s) => s.type === type && s.autoscaling !== undefined).length > 5 }).toEqual({ engine, type, autoscaled: true });
      }
      const budgets = (kind: string) => valid.filter((s) => s.disruptionBudget?.kind === kind).length > 5;
      expect({ engine, minAvailable: budgets('minAvailable'), none: budgets('none') }).toEqual({ engine, minAvailable: true, none: true });
    }
    const scaledCanaries = samples.filter((s): s is CanarySpec => s.type === 'canary' && s.canary !== undefined && s.autoscaling !== undefined && isValid(s));
    expect({
      manifestsCanaryAutoscaler: scaledCanaries.filter((s) => engineOf(s) === 'manifests' && canaryTakesRequests(s)).length > 5,
      manifestsCanaryOfReplicas: scaledCanaries.filter((s) => engineOf(s) === 'manifests' && !canaryTakesRequests(s)).length > 2,
      argoDynamicStableScale: scaledCanaries.filter((s) => engineOf(s) === 'argoRollouts' && s.router.kind !== 'service').length > 5,
      flaggerPrimaryScalerReplicas: scaledCanaries.filter((s) => engineOf(s) === 'flagger' && expectedAutoscalerRef(s)?.primaryScalerReplicas !== undefined).length > 2,
    }).toEqual({ manifestsCanaryAutoscaler: true, manifestsCanaryOfReplicas: true, argoDynamicStableScale: true, flaggerPrimaryScalerReplicas: true });
    // Each refusal of them is drawn.
    const refused = (prop: RegExp, when: (s: ReleaseSpec) => boolean = () => true) => samples.filter((s) => when(s) && errors.get(s)!.some((e) => prop.test(e))).length > 1;
    const autoscaled = (s: ReleaseSpec) => s.autoscaling !== undefined;
    expect({
      blockingBudget: refused(/: disruptionBudget$/, (s) => s.disruptionBudget?.kind === 'minAvailable'),
      notABudget: refused(/: disruptionBudget$/, (s) => s.disruptionBudget?.kind === 'plainObject'),
      budgetFactory: refused(/^DisruptionBudget\.maxUnavailable: value$/) && refused(/^DisruptionBudget\.minAvailable: value$/),
      autoscalingBounds: refused(/: autoscaling\.minReplicas$/) && refused(/: autoscaling\.maxReplicas$/),
      autoscalingTargets: refused(/: autoscaling\.(cpu|memory)Utilization$/),
      replicasOfAnAutoscaledTrack: refused(/: (stable|blue|green)\.replicas$/, autoscaled),
      canaryReplicasTakingRequests: refused(/: canary\.replicas$/, (s) => autoscaled(s) && engineOf(s) === 'manifests' && s.type === 'canary' && canaryTakesRequests(s)),
      cpuRequest: refused(/\.container\.resources\.cpu\.request$/, autoscaled),
      memoryRequest: refused(/\.container\.resources\.memory\.request$/, autoscaled),
      scaleDownDelay: refused(/: engine$/, (s) => autoscaled(s) && engineOf(s) === 'argoRollouts' && s.type === 'canary' && s.router.kind !== 'service'),
    }).toEqual({
      blockingBudget: true, notABudget: true, budgetFactory: true, autoscalingBounds: true, autoscalingTargets: true, replicasOfAnAutoscaledTrack: true,
      canaryReplicasTakingRequests: true, cpuRequest: true, memoryRequest: true, scaleDownDelay: true,
    });
  });
});

// ------------------------------------------------------------------ several releases

// Names and versions that meet: <name>-<version> Deployments, <name>-canary, -preview and -primary
// Services (-primary: Flagger's), and Flagger's generated objects.
const NAMES = ['myapp', 'myapp-canary', 'myapp-preview', 'myapp-primary', 'myapp-v1', 'cart', undefined];
const VERSIONS = ['v1', 'v2', 'canary', 'preview', 'primary', '1.4.2', '1-4-2'];

interface Placed {
  readonly spec: ReleaseSpec;
  readonly chart: 0 | 1;
}

/** Now and then an nginx router moved to one of few locations, so that two releases meet on one. */
function sharedLocation(spec: ReleaseSpec): fc.Arbitrary<ReleaseSpec> {
  if (spec.router.kind !== 'nginx') return fc.constant(spec);
  const router = spec.router;
  return fc.option(fc.record({ host: fc.constantFrom(undefined, 'shop.example.com'), path: fc.constantFrom(undefined, '/api') }), { nil: undefined })
    .map((moved) => (moved ? { ...spec, router: { ...router, ...moved, ingressClassName: undefined, tlsSecretName: moved.host && router.tlsSecretName } } : spec));
}

/** Every engine, Flagger more often: two releases under it meet on the objects it generates for both. */
const moreFlagger = (construct: 'canary' | 'blueGreen') => fc.oneof(engine(construct), engine(construct).filter((e) => e?.kind === 'flagger'));

const several: fc.Arbitrary<{ namespaces: [string, string]; releases: Placed[] }> = fc.record({
  namespaces: fc.tuple(fc.constant('shop'), fc.constantFrom('shop', 'other')),
  releases: fc.array(fc.tuple(
    fc.oneof(
      canaryRelease({ name: fc.constantFrom(...NAMES), version: fc.constantFrom(...VERSIONS), engine: moreFlagger('canary') }),
      blueGreenRelease({ name: fc.constantFrom(...NAMES), version: fc.constantFrom(...VERSIONS), engine: moreFlagger('blueGreen') }),
    ).chain(sharedLocation),
    fc.constantFrom(0 as const, 0 as const, 1 as const),
  ), { minLength: 2, maxLength: 4 }).map((list) => list.map(([spec, chart], i) => ({ spec: { ...spec, id: `r${i}` } as ReleaseSpec, chart }))),
});

const GROUP: Record<string, string> = {
  Deployment: 'apps', Service: '', Ingress: 'networking.k8s.io', VirtualService: 'networking.istio.io', DestinationRule: 'networking.istio.io',
  HTTPRoute: 'gateway.networking.k8s.io', Rollout: 'argoproj.io', AnalysisTemplate: 'argoproj.io', Canary: 'flagger.app', MetricTemplate: 'flagger.app',
  PrometheusRule: 'monitoring.coreos.com', ConfigMap: '', Job: 'batch', PodDisruptionBudget: 'policy', HorizontalPodAutoscaler: 'autoscaling',
};

/** The location ingress-nginx merges a release's main Ingress into: namespace, class, host and path. */
function nginxLocation(spec: ReleaseSpec, namespace: string): string | undefined {
  const r = spec.router;
  return r.kind === 'nginx' ? `${namespace} ${r.ingressClassName ?? 'nginx'} ${r.host ?? '*'} ${r.path ?? '/'}` : undefined;
}

/**
 * Builds the releases in turn: each throws naming a predicted prop (its own, or an object of
 * one kind and name another release already emits in the namespace or Flagger generates there
 * for it, or the nginx location another's main Ingress serves), or builds; then every chart's
 * objects pass the invariants.
 *
 * The objects Flagger generates (flaggerGeneratedObjects) are the release's as much as those it
 * emits. A release claims its emitted objects first, then the generated ones, and the first
 * that meets a claimed one is the error: one of the emitted collisions when there is one, else
 * one of the generated. The message says which side is generated: `<Kind> "<name>" in
 * namespace "<ns>" (which Flagger generates) is also emitted by <owner> (<path>)`, `... is also
 * generated by Flagger for <owner> (<path>)`.
 */
function checkSeveral({ namespaces, releases }: { namespaces: [string, string]; releases: Placed[] }): void {
  const app = new App();
  const charts = [new Chart(app, 'c0', { namespace: namespaces[0] }), new Chart(app, 'c1', { namespace: namespaces[1] })];
  /** `<group>/<Kind>/<namespace>/<name>` -> how (emitted or generated) and for which release (owner and path) it exists. */
  const claimed = new Map<string, string>();
  /** nginx location -> the owner whose main Ingress serves it. */
  const locations = new Map<string, string>();
  const built: Placed[] = [];
  for (const { spec: drawn, chart } of releases) {
    const ns = namespaces[chart];
    // The model knows the chart's namespace (Flagger's load tester calls <name>-canary.<namespace>).
    const spec = { ...drawn, namespace: ns };
    const placed = { spec, chart };
    const owner = ownerOf(spec);
    const key = (id: ObjectId) => `${GROUP[id.split('/')[0]]}/${id.split('/')[0]}/${ns}/${id.split('/')[1]}`;
    // A ConfigMap's id carries the model's fingerprint of its content, not the library's hash: up to it, the name.
    const collision = (id: ObjectId, mine: string) => (id.startsWith('ConfigMap/')
      ? `${owner}: ConfigMap "${id.split('/')[1].replace(/#[0-9a-f]+$/, '')}*`
      : `${owner}: ${id.split('/')[0]} "${id.split('/')[1]}" in namespace "${ns}"${mine} is also ${claimed.get(key(id))}*`);
    const error = construct(charts[chart], spec);
    const expected = expectedErrors(spec);
    if (expected.length === 0) {
      // Claimed once the release is built: its own errors come first.
      const emitted = expectedObjects(spec).filter((id) => claimed.has(key(id))).map((id) => collision(id, ''));
      const generated = flaggerGeneratedObjects(spec).filter((id) => claimed.has(key(id))).map((id) => collision(id, ' (which Flagger generates)'));
      expected.push(...(emitted.length > 0 ? emitted : generated));
    }
    // A location is the router's alone: taken, it is an error whatever else is wrong.
    const location = nginxLocation(spec, ns);
    if (location !== undefined && locations.has(location)) expected.push(`${owner}: router`);
    if (checkOutcome(spec, error, expected) === 'threw') return; // the chart now holds a half-built release
    for (const id of expectedObjects(spec)) claimed.set(key(id), `emitted by ${owner} (c${chart}/${spec.id})`);
    for (const id of flaggerGeneratedObjects(spec)) claimed.set(key(id), `generated by Flagger for ${owner} (c${chart}/${spec.id})`);
    if (location !== undefined) locations.set(location, owner);
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
}

test('several releases in one chart and namespace: each is valid alone; two objects of one kind and name (emitted, or generated by Flagger), or two main Ingresses on one nginx location, are an error naming both', () => {
  assertProperty(several, scaled(0.6), checkSeveral);
});

test('two valid nginx releases, often on one IngressClass, host and path: in one namespace the second is an error naming its router', () => {
  const nginxRelease = fc.oneof(canaryRelease(), blueGreenRelease())
    .filter((s) => s.router.kind === 'nginx' && expectedErrors(s).length === 0)
    .chain(sharedLocation)
    .filter((s) => expectedErrors(s).length === 0);
  const two = fc.record({
    namespaces: fc.tuple(fc.constant('shop'), fc.constantFrom('shop', 'other')),
    releases: fc.tuple(fc.tuple(nginxRelease, fc.constant(0 as const)), fc.tuple(nginxRelease, fc.constantFrom(0 as const, 1 as const)))
      .map((list) => list.map(([spec, chart], i) => ({ spec: { ...spec, id: `r${i}`, name: `app${i}` } as ReleaseSpec, chart }))),
  });
  assertProperty(two, scaled(0.1), checkSeveral);
});

// ------------------------------------------------------------------ promotion and cut-over

function validOnly<T extends ReleaseSpec>(arb: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return arb.filter((spec) => expectedErrors(spec).length === 0);
}

function synthOne(spec: ReleaseSpec): K8sObject[] {
  const chart = chartFor(spec);
  const error = construct(chart, spec);
  if (error !== undefined) throw new Error(`${ownerOf(spec)}: ${(error as Error).message}`);
  return synthValid(chart);
}

const ids = (manifests: K8sObject[]) => manifests.map((o) => `${o.kind}/${o.metadata.name}`).sort();

/** The workload whose pod template a release runs: the newest track's under a controller. */
function podTemplate(spec: ReleaseSpec, manifests: K8sObject[], deployment: string): string {
  const name = appNameOf(spec);
  const engine = engineOf(spec);
  const workload = engine === 'manifests' ? find(manifests, 'Deployment', deployment) : engine === 'argoRollouts' ? find(manifests, 'Rollout', name) : find(manifests, 'Deployment', name);
  return JSON.stringify(engine === 'manifests' ? workload : workload.spec.template);
}

/** Flagger's schedule: the Canary's interval, iterations and stepWeights. */
function flaggerSchedule(spec: ReleaseSpec, manifests: K8sObject[]): unknown {
  const { interval, iterations, stepWeights } = find(manifests, 'Canary', appNameOf(spec)).spec.analysis;
  return { interval, iterations, stepWeights };
}

/**
 * Promotion as the README says (Flagger: "making v2 the stable track and removing canary"),
 * under every engine, Flagger's A/B tests included. Left out: a controller's plan out of a
 * weightTotal other than 100 (without a canary its weights are out of 100: the plan must
 * change with the promotion).
 */
const promotableUnder = (engineArb?: fc.Arbitrary<EngineSpec | undefined>) => validOnly(canaryRelease({ engine: engineArb }).filter((s) => s.canary !== undefined
  && !(engineOf(s) !== 'manifests' && s.steps !== undefined && weightTotalOf(s) !== 100)
  // configMountPath with nothing left to mount (only the old stable had configuration) goes with it.
  && !(s.configMountPath !== undefined && expectedConfig(promote(s), promote(s).stable) === undefined)
  // Autoscaled under plain manifests, a canary that takes no requests runs its replicas without
  // an autoscaler: as the stable it loses them and gains one. The README's promotion first gives
  // the canary the whole load (commit A), which autoscales it.
  && !(engineOf(s) === 'manifests' && s.autoscaling !== undefined && !canaryTakesRequests(s))
  // A controller sizes the promoted track otherwise: under Argo Rollouts at the Rollout's size at
  // every weight of the plan, under Flagger at its own replicas (canary.replicas is refused
  // there); a budget it leaves no eviction is refused, as it must be.
  && !expectedErrors(promote(s)).includes(`${ownerOf(s)}: disruptionBudget`)));
const promotable = promotableUnder();

function checkPromotion(spec: CanarySpec): void {
  const promoted = promote(spec);
  const canaryTrack = promoted.stable;
  expect(expectedErrors(promoted)).toEqual([]);
  const before = synthOne(spec);
  const after = synthOne(promoted);
  checkChart([promoted], after);

  const name = appNameOf(spec);
  const deployment = `${name}-${slug(canaryTrack.version)}`;
  // Plain manifests: the Deployment <name>-<v> whole; a controller: the pod template it runs, so it starts nothing.
  expect(podTemplate(promoted, after, deployment)).toBe(podTemplate(spec, before, deployment));
  // Promotion only deletes: every object after it existed before, under the same name.
  expect(ids(before)).toEqual(expect.arrayContaining(ids(after)));
  if (engineOf(spec) !== 'flagger') expect(ids(after)).toContain(`Service/${name}`);
  expect(ids(after)).not.toContain(`Deployment/${name}-${slug(spec.stable.version)}`);
  // Flagger: the Canary waits for the next version on the schedule it had. An A/B test keeps
  // the A/B schedule (isFlaggerAbSchedule), its iterations or its plan of pauses, and loses its
  // header and cookie rules; a weighted canary keeps its plan.
  if (engineOf(spec) === 'flagger') {
    expect(isFlaggerAbSchedule(promoted)).toBe(isAbTest(spec));
    expect(flaggerSchedule(promoted, after)).toEqual(flaggerSchedule(spec, before));
    expect(find(after, 'Canary', name).spec.analysis.match).toBeUndefined();
  }
}

test('promotion (stable becomes the canary, canary goes away) keeps the pod template byte for byte, and the Service and route names, under every engine', () => {
  assertProperty(promotable, scaled(0.4), checkPromotion);
});

test('promotion of a Flagger A/B test (header or cookie rules; iterations or a plan of pauses) keeps its schedule', () => {
  // The same property, on a shape the one above draws rarely.
  const abTests = promotableUnder(engine('canary').filter((e) => e?.kind === 'flagger')).filter((s) => isAbTest(s));
  const samples = fc.sample(abTests, { seed: SEED, numRuns: 200 });
  expect(samples.filter((s) => s.steps === undefined).length).toBeGreaterThan(10);
  expect(samples.filter((s) => s.steps !== undefined).length).toBeGreaterThan(10);
  assertProperty(abTests, scaled(0.1), checkPromotion);
});

test('blue-green cut-over (active flips) changes no object name, and with plain manifests no Deployment', () => {
  const arb = validOnly(blueGreenRelease().filter((s) => s.blue !== undefined && s.green !== undefined && (s.active === 'blue' || s.active === 'green')));
  assertProperty(arb, scaled(0.4), (spec: BlueGreenSpec) => {
    const flipped: BlueGreenSpec = { ...spec, active: spec.active === 'blue' ? 'green' : 'blue' };
    if (expectedErrors(flipped).length > 0) return; // e.g. previewHost equal to a host only the other way round
    const before = synthOne(spec);
    const after = synthOne(flipped);
    checkChart([flipped], after);
    // But for plain manifests' smoke Job, which follows the idle color (a known gap, below).
    const named = (manifests: K8sObject[]) => ids(manifests).filter((id) => !id.startsWith('Job/'));
    expect(named(after)).toEqual(named(before));
    // Under a controller the flip is a new revision to preview: its template is the other color's.
    if (engineOf(spec) !== 'manifests') return;
    for (const d of before.filter((o) => o.kind === 'Deployment')) {
      expect(JSON.stringify(after.find((o) => o.kind === 'Deployment' && o.metadata.name === d.metadata.name))).toBe(JSON.stringify(d));
    }
  });
});

// ------------------------------------------------------------------ one plan, three engines

/**
 * A weighted canary with a plan every engine can walk: a router that steers traffic, no
 * header or cookie rules (Flagger would make it an A/B test), and a Flagger-shaped plan
 * (shifts and equal timed pauses alternating, strictly increasing whole percentages).
 */
function planAcceptedByAll(endsWith: 'shiftTraffic' | 'pause'): fc.Arbitrary<CanarySpec> {
  const routers: RouterSpec[] = [{ kind: 'nginx', host: 'myapp.example.com' }, { kind: 'istio' }, { kind: 'gatewayApi', parentRefs: [{ name: 'public' }] }];
  return fc.record({
    router: fc.constantFrom(...routers),
    weightTotal: fc.constantFrom(undefined, 100, 1000, 10_000, 250),
    canaryReplicas: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
  }).chain(({ router, weightTotal, canaryReplicas }) => flaggerPlan(weightTotal ?? 100).map((steps): CanarySpec => ({
    type: 'canary',
    id: 'myapp',
    containerPort: 8080,
    router,
    stable: { version: 'v1', image: 'myapp:v1', replicas: 3 },
    // Argo Rollouts sizes a canary with replicas by setCanaryScale steps; Flagger refuses replicas: they go to the Argo variant only.
    canary: { version: 'v2', image: 'myapp:v2', traffic: weightTotal !== undefined ? { weightTotal } : undefined, replicas: canaryReplicas },
    steps,
  }))).filter((spec) => {
    const last = spec.steps![spec.steps!.length - 1];
    return (endsWith === 'pause') === !isShift(last) && engineVariants(spec).every((variant) => expectedErrors(variant).length === 0);
  });
}

/** The spec under each engine: plain manifests at every step of the plan, Argo Rollouts, Flagger. */
function engineVariants(spec: CanarySpec): CanarySpec[] {
  const { replicas: _replicas, ...unsized } = spec.canary!;
  return [
    ...spec.steps!.map((_s, step) => ({ ...spec, canary: { ...unsized, step } })),
    { ...spec, engine: { kind: 'argoRollouts' } },
    { ...spec, canary: unsized, engine: { kind: 'flagger' } },
  ];
}

/** The canary's weight in plain manifests' routing objects: nginx's canary-weight, Istio's and Gateway API's weighted rule. */
function renderedCanaryWeight(spec: CanarySpec, manifests: K8sObject[]): number {
  const name = appNameOf(spec);
  switch (spec.router.kind) {
    case 'nginx': {
      const annotations = find(manifests, 'Ingress', `${name}-canary`).metadata.annotations!;
      expect(annotations['nginx.ingress.kubernetes.io/canary-weight-total']).toBe(String(weightTotalOf(spec)));
      return Number(annotations['nginx.ingress.kubernetes.io/canary-weight']);
    }
    case 'istio':
      return find(manifests, 'VirtualService', name).spec.http.find((h: any) => h.name === 'weighted').route.find((r: any) => r.destination.host === `${name}-canary`).weight;
    default:
      return find(manifests, 'HTTPRoute', name).spec.rules.find((r: any) => r.name === 'weighted').backendRefs.find((b: any) => b.name === `${name}-canary`).weight;
  }
}

/**
 * One plan, the same weights: with plain manifests the canary's weight at `step: i` is the
 * weight in force at step i (the last shift at or before it); Argo Rollouts' steps, but for
 * setCanaryScale, are the plan one for one (so its setWeights are the plan's weights in
 * order); Flagger's stepWeights are the plan's weights in percent of weightTotal, in order,
 * but for a closing shiftTraffic(weightTotal), which is Flagger's promotion.
 */
function checkWeightsAgree(spec: CanarySpec): void {
  const variants = engineVariants(spec);
  const steps = spec.steps!;
  const total = weightTotalOf(spec);
  const name = appNameOf(spec);

  const atSteps = variants.slice(0, steps.length).map(synthOne);
  expect(atSteps.map((manifests) => renderedCanaryWeight(spec, manifests))).toEqual(weightsInForce(steps));

  const rollout = find(synthOne(variants[steps.length]), 'Rollout', name).spec.strategy.canary.steps.filter((s: any) => s.setCanaryScale === undefined);
  expect(rollout.filter((s: any) => s.setWeight !== undefined).map((s: any) => s.setWeight)).toEqual(steps.filter(isShift).map((s) => s.shiftTraffic));
  expect(rollout).toEqual(steps.map((s) => (isShift(s) ? { setWeight: s.shiftTraffic } : { pause: { duration: promDuration(s.pause!) } })));

  const flagger = find(synthOne(variants[steps.length + 1]), 'Canary', name).spec.analysis;
  const percents = steps.filter(isShift).map((s) => (s.shiftTraffic * 100) / total);
  const last = steps[steps.length - 1];
  expect(flagger.stepWeights).toEqual(isShift(last) ? percents.slice(0, -1) : percents);
}

describe('one plan, the same weights under plain manifests\' step, Argo Rollouts\' setWeight and Flagger\'s stepWeights', () => {
  test('a plan ending with shiftTraffic(weightTotal), Flagger\'s promotion', () => {
    assertProperty(planAcceptedByAll('shiftTraffic'), scaled(0.2), checkWeightsAgree);
  });

  // Fails until Flagger accepts a plan ending with a pause (issue 13): today Flagger throws
  // 'steps ("[..., pause]") must end with CanaryStep.shiftTraffic(<weightTotal>)' when the
  // third variant is built.
  test('a plan ending with a pause: every shift is one of Flagger\'s stepWeights', () => {
    assertProperty(planAcceptedByAll('pause'), scaled(0.1), checkWeightsAgree);
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

  // Found while writing the engines into the properties (issue 13), now fixed, and said by
  // test/engines/flagger/flagger-engine.test.ts: a MetricTemplate name of more than 63
  // characters ('throws when a MetricTemplate <name>-latency-p99 would be too long'), an A/B
  // test promoted by removing its canary ('promoting an A/B test: ...'), and an object Flagger
  // generates meeting another release's ('the objects Flagger generates count as the
  // release's: ...'). The properties predict all three (release-model.ts, checkSeveral).

  // Found while modelling the A/B promotion (isFlaggerAbSchedule), and fixed: without its
  // canary, a weighted plan that goes to everyone at once and holds for an interval stays
  // weighted; only a plan of pauses (optionally closed by the promotion) takes the A/B schedule.
  test('a Flagger canary with the plan [shiftTraffic(100), pause] builds without its canary too: the plan stays weighted', () => {
    const release = (canary?: { version: string; image: string }) => new CanaryRelease(Testing.chart(), 'myapp', {
      containerPort: 80, router: TrafficRouter.istio(), engine: DeliveryEngine.flagger(),
      steps: [CanaryStep.shiftTraffic(100), CanaryStep.pause(Duration.minutes(5))],
      stable: canary ? stable : { version: 'v2', image: 'myapp:v2' }, canary,
    });
    expect(() => release({ version: 'v2', image: 'myapp:v2' })).not.toThrow();
    expect(() => release()).not.toThrow();
  });

  // Reported to the lead as gaps outside the files this work may change, now fixed.
  test('throws when the nginx host is an IP address (the API server rejects an Ingress rule host that is an IP)', () => {
    expect(() => TrafficRouter.nginx({ host: '10.0.0.1' })).toThrow('TrafficRouter.nginx: options.host ("10.0.0.1") must be a DNS name, not an IP address');
  });

  test('throws when an nginx annotation key is not a qualified name (the API server rejects the Ingress)', () => {
    expect(() => TrafficRouter.nginx({ annotations: { 'bad key!': 'x' } })).toThrow('TrafficRouter.nginx: options.annotations key ("bad key!") must be an annotation key');
  });
});

// ------------------------------------------------------------------ found by the properties (issues 15 and 16), now refused

/**
 * Shapes the properties found where the library was wrong by the rules the model is written
 * from (the README, the API server, the controllers); each is refused now, naming the prop the
 * model predicts (and issue 16's basic canary that was refused wrongly is built). (The
 * generators still leave issue 15's out: withConfigAndSmoke in arbitraries.ts; they draw issue
 * 16's again.)
 */
describe('found by the properties: the library now refuses what the model refuses', () => {
  const stable = { version: 'v1', image: 'myapp:v1' };
  const canary = { version: 'v2', image: 'myapp:v2' };
  const base: CanarySpec = { type: 'canary', id: 'myapp', containerPort: 80, router: { kind: 'nginx', host: 'myapp.example.com' }, stable };

  /** The model names exactly `prop`, and the library throws naming it. */
  function refuses(spec: ReleaseSpec, prop: string): void {
    expect(expectedErrors(spec)).toEqual([`${ownerOf(spec)}: ${prop}`]);
    const error = construct(chartFor(spec), spec);
    expect(error).toBeInstanceOf(Error);
    expect(namesOneOf((error as Error).message, [`${ownerOf(spec)}: ${prop}`])).toBe(true);
  }

  test('throws on config keys ".", ".." and "..data": the API server refuses such a ConfigMap key', () => {
    for (const key of ['.', '..', '..data']) refuses({ ...base, config: { [key]: 'x' }, configMountPath: '/etc/myapp' }, 'config key');
  });

  test('throws on 1 MiB of a ConfigMap counted in bytes: 600 Ki of "é" is 1.2 MB', () => {
    refuses({ ...base, config: { NOTE: { repeat: 'é', times: 600 * 1024 } } }, 'config');
  });

  test('throws when a ConfigMap <name>-<v>-<hash> would pass 63 characters', () => {
    refuses({ ...base, name: `app${'x'.repeat(46)}1`, config: { LOG_LEVEL: 'info' } }, 'name');
  });

  test('a configuration of empty values only keeps its keys: the variable is set, to ""', () => {
    const spec: CanarySpec = { ...base, config: { FEATURE_X: '' } };
    expect(expectedErrors(spec)).toEqual([]);
    expect(synthOne(spec).find((o) => o.kind === 'ConfigMap')?.data).toEqual({ FEATURE_X: '' });
  });

  test('throws on throughRouter for a canary without an exact header or a cookie rule: the requests would land by weight', () => {
    refuses({ ...base, engine: { kind: 'argoRollouts' }, canary, smokeTest: { throughRouter: 'http://myapp.example.com' } }, 'smokeTest.throughRouter');
  });

  test('throws on a smoke test of a canary with replicas: 0: nothing would answer it', () => {
    refuses({ ...base, canary: { ...canary, replicas: 0 }, smokeTest: {} }, 'canary.replicas');
  });

  test('throws on a directory written two ways ("/etc/db", "/etc/db/")', () => {
    refuses({ ...base, stable: { ...stable, secrets: [{ secretName: 'db', mountPath: '/etc/db' }, { secretName: 'db-2026', mountPath: '/etc/db/' }] } }, 'stable.secrets[1].mountPath');
  });

  // Issue 16, found by the properties and fixed: under Argo Rollouts with TrafficRouter.service()
  // the library sized a basic canary by rounding its share to the nearest pod (0 allowed), where
  // Argo Rollouts (utils/replicaset/canary.go, approximateWeightedCanaryStableReplicaCounts) never
  // runs 0 canary pods at a weight between 0 and the total, and may surge one pod.
  const basicCanary = (weight: number): CanarySpec => ({
    ...base, router: { kind: 'service' }, engine: { kind: 'argoRollouts' },
    stable: { ...stable, replicas: 3 }, canary, steps: [{ shiftTraffic: weight }, { pause: 300 }],
    disruptionBudget: { kind: 'minAvailable', value: 1 },
  });

  test('Argo Rollouts, TrafficRouter.service(), 3 pods at weight 10: Argo runs 1 canary pod (and 3 stable), and minAvailable(1) would leave it no eviction: refused', () => {
    expect(argoBasicCanaryPods(3, 10, 100, 1)).toEqual([1, 3]);
    refuses(basicCanary(10), 'disruptionBudget');
  });

  test('Argo Rollouts, TrafficRouter.service(), 3 pods at weight 50: Argo runs 2 and 2 (surging one), and minAvailable(1) leaves each an eviction: built', () => {
    expect(argoBasicCanaryPods(3, 50, 100, 1)).toEqual([2, 2]);
    const spec = basicCanary(50);
    expect(expectedErrors(spec)).toEqual([]);
    checkChart([spec], synthOne(spec));
  });
});

/**
 * Known gap: the smoke Job at a cut-over, left as it is (see the README's smoke test section).
 * The test says what the library does now; when it is fixed, the test fails: turn it into a
 * regression test. Below it, two budget checks under Flagger the properties found (issue 16),
 * fixed, as regression tests.
 */
describe('known gap: the model and the library disagree', () => {
  const stable = { version: 'v1', image: 'myapp:v1' };
  const canary = { version: 'v2', image: 'myapp:v2' };

  test('blue-green cut-over with a smoke test (plain manifests): a new Job runs against the old version, now idle (README: at cut-over "only selectors change")', () => {
    const spec: BlueGreenSpec = { type: 'blueGreen', id: 'myapp', containerPort: 80, router: { kind: 'service' }, blue: stable, green: canary, active: 'blue', smokeTest: {} };
    expect(expectedErrors(spec)).toEqual([]);
    const jobs = (active: string) => ids(synthOne({ ...spec, active })).filter((id) => id.startsWith('Job/'));
    expect(jobs('blue')).toEqual(['Job/myapp-smoke-v2']);
    expect(jobs('green')).toEqual(['Job/myapp-smoke-v1']);
  });

  // Flagger copies a promoted Deployment's replicas into <name>-primary (pkg/canary/deployment_controller.go,
  // Promote): until the new color is promoted, the primary runs the active color at its size.
  test('fixed: Flagger blue-green, the active color of 1 pod and an idle one of 3: minAvailable(1) leaves <name>-primary no eviction until the promotion, and is refused', () => {
    const spec: BlueGreenSpec = {
      type: 'blueGreen', id: 'myapp', containerPort: 80, router: { kind: 'service' }, engine: { kind: 'flagger' },
      blue: stable, green: { ...canary, replicas: 3 }, active: 'blue', disruptionBudget: { kind: 'minAvailable', value: 1 },
    };
    expect(expectedErrors(spec)).toEqual([`${ownerOf(spec)}: disruptionBudget`]);
    expect(expectedBudgets(spec).map((b) => [b.name, b.fewest])).toEqual([['myapp-primary', 1], ['myapp', 3]]);
    expect((construct(chartFor(spec), spec) as Error).message).toContain('disruptionBudget ("DisruptionBudget.minAvailable(1)") would block every eviction of the blue track\'s pods when it runs 1 (blue.replicas defaults to 1)');
  });

  // Flagger creates <name>-primary with 1 pod when <name> has 0 replicas, and scales <name> up
  // from 0 to the primary's size (pkg/canary/deployment_controller.go: createPrimaryDeployment,
  // ScaleFromZero).
  test('fixed: Flagger canary, stable.replicas 0: Flagger runs the primary and the canary at 1 pod, minAvailable(1) leaves them no eviction, and is refused', () => {
    const spec: CanarySpec = {
      type: 'canary', id: 'myapp', containerPort: 80, router: { kind: 'istio' }, engine: { kind: 'flagger' },
      stable: { ...stable, replicas: 0 }, canary, steps: [{ shiftTraffic: 50 }, { pause: 60 }, { shiftTraffic: 100 }], disruptionBudget: { kind: 'minAvailable', value: 1 },
    };
    expect(expectedErrors(spec)).toEqual([`${ownerOf(spec)}: disruptionBudget`]);
    expect((construct(chartFor(spec), spec) as Error).message).toContain('would block every eviction of the stable track\'s pods when it runs 1 (Flagger runs one pod when stable.replicas is 0)');
  });
});
