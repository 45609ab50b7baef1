/**
 * The real Argo Rollouts controller runs what the library writes: it accepts the objects, walks
 * the plan (promoted as `kubectl argo rollouts promote` does), writes at every step the weights
 * that plain manifests write for that step, aborts on a bad analysis and not on an empty one,
 * and runs a blue-green release through its preview, promotion and scale-down delay.
 */
import { App, Chart, Duration } from 'cdk8s';
import {
  BlueGreenColor, BlueGreenRelease, CanaryAnalysis, CanaryRelease, CanaryReleaseProps, CanaryStep, DeliveryEngine, HeaderMatch, TrafficRouter,
} from '../../src';
import { RouteSimulator, SimulatedRequest } from '../../src';
import { K8sObject, find } from '../util';
import { applyRespectingArgo, isHealthy, pausedAt, promote, waitRollout } from './argo';
import { NO_DATA, apply, get, kubectl, list, namespace, prometheusAddress, prometheusAnswers, prometheusQueries, readyEndpointVersions, synthChart, waitFor, watch } from './kube';

const v1 = { version: 'v1', image: 'registry.example/myapp:v1', replicas: 2 };
const v2 = { version: 'v2', image: 'registry.example/myapp:v2' };
const ports = { containerPort: 8080, servicePort: 80 };
/** Paused for a human at 20%, 20 seconds at 50% (long enough to be seen on a busy machine), then everyone. */
const PLAN = [CanaryStep.shiftTraffic(20), CanaryStep.pause(), CanaryStep.shiftTraffic(50), CanaryStep.pause(Duration.seconds(20)), CanaryStep.shiftTraffic(100)];
const TESTERS = { header: HeaderMatch.exact('stage', 'gray'), cookie: 'canary' };

/** How to read the canary's weight out of a router's objects: [stable, canary]. */
interface RouterCase {
  readonly router: () => TrafficRouter;
  /** The weights in the objects plain manifests write (at a step). */
  readonly manifestWeights: (objects: K8sObject[]) => [number, number];
  /** The weights Argo Rollouts wrote into the cluster. */
  readonly liveWeights: (ns: string) => [number, number];
  /** The host clients call. */
  readonly host: string;
}

const nginxWeight = (ingress: K8sObject): [number, number] => {
  const w = Number(ingress.metadata.annotations?.['nginx.ingress.kubernetes.io/canary-weight'] ?? 0);
  const total = Number(ingress.metadata.annotations?.['nginx.ingress.kubernetes.io/canary-weight-total'] ?? 100);
  return [total - w, w];
};
const istioWeights = (vs: K8sObject): [number, number] => {
  const route = vs.spec.http.find((h: any) => h.name === 'weighted').route;
  return [route[0].weight ?? 0, route[1].weight ?? 0];
};

const ROUTERS: { readonly [id: string]: RouterCase } = {
  nginx: {
    router: () => TrafficRouter.nginx({ host: 'myapp.example.com' }),
    manifestWeights: (objects) => nginxWeight(find(objects, 'Ingress', 'myapp-canary')),
    // Argo Rollouts creates the canary Ingress `<rollout>-<stableIngress>-canary` itself.
    liveWeights: (ns) => nginxWeight(get('ingress', 'myapp-myapp-canary', ns)),
    host: 'myapp.example.com',
  },
  istio: {
    router: () => TrafficRouter.istio({ hosts: ['myapp'] }),
    manifestWeights: (objects) => istioWeights(find(objects, 'VirtualService', 'myapp')),
    liveWeights: (ns) => istioWeights(get('virtualservice', 'myapp', ns)),
    host: 'myapp',
  },
  'istio-subsets': {
    router: () => TrafficRouter.istio({ hosts: ['myapp'], subsets: true }),
    manifestWeights: (objects) => istioWeights(find(objects, 'VirtualService', 'myapp')),
    liveWeights: (ns) => istioWeights(get('virtualservice', 'myapp', ns)),
    host: 'myapp',
  },
};
// Gateway API is not here: Argo Rollouts runs it through a plugin whose Go module the module
// proxy does not serve, so it cannot be built (see the README).

/** The requests whose landing the public route simulator compares, live and in plain manifests. */
const REQUESTS: Array<[string, SimulatedRequest]> = [
  ['the testers\' header', { headers: { stage: 'gray' } }],
  ['cookie always', { cookies: { canary: 'always' } }],
  ['cookie never', { cookies: { canary: 'never' } }],
  ['a plain request', {}],
];

/**
 * Where each request lands through the objects Argo Rollouts runs (its ReplicaSets are the
 * pods the Services select by pod-template hash) and through plain manifests at `step`, by the
 * public RouteSimulator: the same answers, or the test fails.
 */
function landings(ns: string, host: string, manifestsAtStep: K8sObject[]): { live: object; manifests: object } {
  const live = RouteSimulator.fromManifests(['replicasets', 'services', 'ingresses', 'virtualservices', 'destinationrules'].flatMap((kind) => list(kind, ns)));
  const manifests = RouteSimulator.fromManifests(manifestsAtStep);
  const at = (sim: RouteSimulator) => Object.fromEntries(REQUESTS.map(([what, req]) => [what, sim.route({ ...req, host }, { release: 'myapp' })]));
  return { live: at(live), manifests: at(manifests) };
}

function canaryChart(ns: string, props: Partial<CanaryReleaseProps>): K8sObject[] {
  const chart = new Chart(new App(), 'c', { namespace: ns });
  new CanaryRelease(chart, 'myapp', { ...ports, stable: v1, ...props } as CanaryReleaseProps);
  return synthChart(chart);
}

describe.each(Object.keys(ROUTERS))('Argo Rollouts canary on %s', (id) => {
  const { router, manifestWeights, liveWeights, host } = ROUTERS[id];

  test.concurrent('walks the plan: at every paused step the weights equal those of plain manifests at that step', async () => {
    const ns = namespace(`argo-canary-${id}`, 'restricted');
    const props = { router: router(), engine: DeliveryEngine.argoRollouts(), steps: PLAN };
    // Commit 1: stable alone (a first revision skips the steps).
    applyRespectingArgo(canaryChart(ns, props), ns);
    await waitRollout(ns, 'Healthy on v1', isHealthy);
    // Commit 2: the canary.
    applyRespectingArgo(canaryChart(ns, { ...props, canary: { ...v2, traffic: TESTERS } }), ns);

    const manifestsAt = (step: number) => manifestWeights(canaryChart(ns, { router: router(), steps: PLAN, canary: { ...v2, traffic: TESTERS, step } }));
    await waitRollout(ns, 'paused at step 1 (after setWeight 20)', (r) => pausedAt(r, 1));
    await waitFor('the weights of step 1', () => JSON.stringify(liveWeights(ns)) === JSON.stringify(manifestsAt(1)) ? true : undefined, 30_000);
    expect(liveWeights(ns)).toEqual([80, 20]);
    expect(readyEndpointVersions('myapp-canary', ns)).toEqual(['v2']);
    const step1 = landings(ns, host, canaryChart(ns, { router: router(), steps: PLAN, canary: { ...v2, traffic: TESTERS, step: 1 } }));
    expect(step1.live).toEqual(step1.manifests);
    expect(step1.live).toEqual({ 'the testers\' header': { v2: 1 }, 'cookie always': { v2: 1 }, 'cookie never': { v1: 1 }, 'a plain request': { v1: 0.8, v2: 0.2 } });

    promote(ns);
    await waitRollout(ns, 'at the timed pause, step 3 (after setWeight 50)', (r) => r.status?.currentStepIndex === 3);
    expect(liveWeights(ns)).toEqual(manifestsAt(3));
    expect(liveWeights(ns)).toEqual([50, 50]);
    const step3 = landings(ns, host, canaryChart(ns, { router: router(), steps: PLAN, canary: { ...v2, traffic: TESTERS, step: 3 } }));
    expect(step3.live).toEqual(step3.manifests);
    expect(step3.live).toMatchObject({ 'a plain request': { v1: 0.5, v2: 0.5 } });

    // After the last step Argo Rollouts promotes v2 by itself and sends everything to the new stable.
    const done = await waitRollout(ns, 'Healthy on v2', (r) => isHealthy(r) && r.status?.stableRS === r.status?.currentPodHash && r.status?.currentStepIndex === PLAN.length);
    expect(done.status.stableRS).toBe(done.status.currentPodHash);
    await waitFor('all traffic on the new stable', () => liveWeights(ns)[1] === 0 ? true : undefined, 30_000);
    await waitFor('only v2 behind myapp', () => readyEndpointVersions('myapp', ns).every((v) => v === 'v2') && readyEndpointVersions('myapp', ns).length === 2 ? true : undefined, 60_000);
  }, 300_000);
});

describe('a canary of its own size (canary.replicas), then its first weight', () => {
  // The steps: setCanaryScale 1, pause (testers only), setCanaryScale weight 20, setWeight 20,
  // setCanaryScale matchTrafficWeight, pause. A matchTrafficWeight before the first weight (at
  // weight 0) would scale the canary to no pod while the testers' header still reaches it.
  test('from its own pod to its first weight, the canary never drops to 0 pods', async () => {
    const ns = namespace('argo-canary-scale', 'restricted');
    const props = { router: ROUTERS.nginx.router(), engine: DeliveryEngine.argoRollouts(), steps: [CanaryStep.pause(), CanaryStep.shiftTraffic(20), CanaryStep.pause()] };
    applyRespectingArgo(canaryChart(ns, props), ns);
    await waitRollout(ns, 'Healthy on v1', isHealthy);

    const objects = canaryChart(ns, { ...props, canary: { ...v2, replicas: 1, traffic: { header: HeaderMatch.exact('stage', 'gray') } } });
    const steps = find(objects, 'Rollout', 'myapp').spec.strategy.canary.steps;
    expect(steps).toEqual([
      { setCanaryScale: { replicas: 1 } }, { pause: {} }, { setCanaryScale: { weight: 20 } }, { setWeight: 20 }, { setCanaryScale: { matchTrafficWeight: true } }, { pause: {} },
    ]);
    applyRespectingArgo(objects, ns);
    await waitRollout(ns, 'paused for the testers (step 1)', (r) => pausedAt(r, 1));
    // From here (the canary at its own pod) to the pause at 20%, every size of v2's ReplicaSet.
    const sizes: number[] = [];
    const replicaSets = watch('replicaset', ns, (_type, rs) => sizes.push(rs.spec.replicas), 'version=v2');
    await replicaSets.started;
    promote(ns);
    await waitRollout(ns, 'paused at 20% (step 5)', (r) => pausedAt(r, 5));
    await waitFor('the canary at its share of 2 pods at 20%: 1', () => (get('rollout', 'myapp', ns).status?.canary?.weights?.canary?.weight === 20 ? true : undefined), 30_000);
    replicaSets.stop();

    expect(sizes[0]).toBe(1);
    expect(sizes).not.toContain(0);
  }, 180_000);
});

describe('Argo Rollouts analysis against the fake Prometheus', () => {
  const analysis = () => CanaryAnalysis.prometheus({ address: prometheusAddress(), maxErrorRate: 5, interval: Duration.seconds(2), failureLimit: 1 });
  const plan = [CanaryStep.shiftTraffic(20), CanaryStep.pause(Duration.seconds(20)), CanaryStep.shiftTraffic(100)];

  // One set of answers for the tests, which run side by side: each namespace is in its queries.
  const answers = () => prometheusAnswers([{ match: 'argo-abort-', result: 7 }, { match: 'argo-no-data-nan', result: 'nan' }], 'empty');

  async function start(ns: string, router: () => TrafficRouter): Promise<void> {
    const props = { router: router(), engine: DeliveryEngine.argoRollouts(), steps: plan, analysis: analysis() };
    applyRespectingArgo(canaryChart(ns, props), ns);
    await waitRollout(ns, 'Healthy on v1', isHealthy);
    applyRespectingArgo(canaryChart(ns, { ...props, canary: v2 }), ns);
  }

  const measurements = (ns: string): any[] => JSON.parse(kubectl(['get', 'analysisruns', '-n', ns, '-o', 'json'])).items
    .flatMap((r: any) => r.status?.metricResults?.flatMap((m: any) => m.measurements ?? []) ?? []);

  test.concurrent.each(Object.keys(ROUTERS))('7%% errors against maxErrorRate 5 aborts the rollout on %s, and all traffic returns to stable', async (id) => {
    await answers();
    const ns = namespace(`argo-abort-${id}`, 'restricted');
    await start(ns, ROUTERS[id].router);

    const aborted = await waitRollout(ns, 'aborted', (r) => r.status?.abort === true);
    expect(aborted.status.phase).toBe('Degraded');
    await waitFor('the weights back at 100/0', () => JSON.stringify(ROUTERS[id].liveWeights(ns)) === '[100,0]' ? true : undefined, 30_000);
    const runs = JSON.parse(kubectl(['get', 'analysisruns', '-n', ns, '-o', 'json'])).items;
    expect(runs.map((r: any) => r.status?.phase)).toContain('Failed');
    expect(measurements(ns).some((m: any) => m.phase === 'Failed' && m.value === '[7]')).toBe(true);
  }, 300_000);

  test.concurrent.each(NO_DATA)('%s does not abort: the plan completes', async (_what, result) => {
    await answers();
    const ns = namespace(`argo-no-data-${result}`, 'restricted');
    await start(ns, ROUTERS.istio.router);

    const done = await waitRollout(ns, 'Healthy on v2', (r) => isHealthy(r) && r.status?.stableRS === r.status?.currentPodHash && r.status?.currentStepIndex === plan.length, 180_000);
    expect(done.status.abort).toBeFalsy();
    const queried = (await prometheusQueries()).filter((q) => q.query.includes(ns));
    expect(queried.length).toBeGreaterThan(0);
    expect(queried.every((q) => q.result === result)).toBe(true);
    expect(measurements(ns).length).toBeGreaterThan(0);
    expect(measurements(ns).every((m: any) => m.phase === 'Successful')).toBe(true);
  }, 300_000);
});

function blueGreenChart(ns: string, green?: typeof v1): K8sObject[] {
  const chart = new Chart(new App(), 'c', { namespace: ns });
  new BlueGreenRelease(chart, 'myapp', {
    ...ports,
    blue: v1,
    green,
    active: BlueGreenColor.BLUE,
    previewHost: green ? 'preview.example.com' : undefined,
    router: TrafficRouter.nginx({ host: 'myapp.example.com' }),
    engine: DeliveryEngine.argoRollouts({ scaleDownDelay: Duration.seconds(20) }),
  });
  return synthChart(chart);
}

describe('Argo Rollouts blue-green', () => {
  test.concurrent('the preview, the promotion that switches the active Service, and the scale-down delay', async () => {
    const ns = namespace('argo-blue-green', 'restricted');
    const release = (green?: typeof v1) => blueGreenChart(ns, green);
    applyRespectingArgo(release(), ns);
    await waitRollout(ns, 'Healthy on blue (v1)', isHealthy);

    applyRespectingArgo(release({ ...v1, version: 'v2', image: 'registry.example/myapp:v2' }), ns);
    await waitRollout(ns, 'paused before promotion', (r) => (r.status?.pauseConditions ?? []).some((c: any) => c.reason === 'BlueGreenPause'));
    await waitFor('the preview on green, the active Service on blue', () =>
      JSON.stringify(readyEndpointVersions('myapp-preview', ns)) === '["v2","v2"]' && JSON.stringify(readyEndpointVersions('myapp', ns)) === '["v1","v1"]' ? true : undefined, 60_000);

    promote(ns);
    await waitFor('the active Service on green', () => JSON.stringify(readyEndpointVersions('myapp', ns)) === '["v2","v2"]' ? true : undefined, 60_000);
    const switchedAt = Date.now();
    // The old color stays for scaleDownDelay, so a rollback is instant, then goes.
    const pods = () => JSON.parse(kubectl(['get', 'pods', '-n', ns, '-o', 'json'])).items.map((p: any) => p.metadata.labels.version).sort();
    expect(pods()).toEqual(['v1', 'v1', 'v2', 'v2']);
    await waitFor('blue scaled down after the delay', () => JSON.stringify(pods()) === '["v2","v2"]' ? true : undefined, 90_000);
    // scaleDownDelay is 20 s; the switch may have been seen a few seconds late on a busy machine.
    expect(Date.now() - switchedAt).toBeGreaterThanOrEqual(10_000);
  }, 300_000);

  test.concurrent('why the README asks to keep the selector hash: an apply that drops it makes Argo Rollouts cut over at once, without the preview pause', async () => {
    const ns = namespace('argo-blue-green-clobbered', 'restricted');
    apply(blueGreenChart(ns));
    await waitRollout(ns, 'Healthy on blue (v1)', isHealthy);
    expect(get('service', 'myapp', ns).spec.selector['rollouts-pod-template-hash']).toBeDefined();

    // Plain server-side apply with --force-conflicts: the atomic selector becomes {app} again.
    apply(blueGreenChart(ns, { ...v1, version: 'v2', image: 'registry.example/myapp:v2' }));
    // Argo Rollouts' isBlueGreenFastTracked (rollout/bluegreen.go): an active Service without
    // the hash skips the pause, autoPromotionEnabled: false notwithstanding.
    const r = await waitRollout(ns, 'v2 stable', (x) => isHealthy(x) && x.spec.template.metadata.labels.version === 'v2' && x.status?.stableRS === x.status?.currentPodHash);
    expect(r.status.pauseConditions).toBeUndefined();
  });
});
