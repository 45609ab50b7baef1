/**
 * Capacity on the real control plane (issue 16): the disruption controller counts, for each
 * track's PodDisruptionBudget, exactly that track's pods (plain manifests, Argo Rollouts'
 * ReplicaSets mid-canary, Flagger's primary and canary); the eviction API refuses the eviction
 * that would break a budget and lets the other track's go; and each HorizontalPodAutoscaler
 * finds its target (a Deployment, the Rollout, Flagger's copy for `<name>-primary`) and raises
 * it from the API's default of 1 to its minReplicas.
 *
 * There is no metrics server: every autoscaler reports ScalingActive False, but below its
 * minReplicas the HPA controller scales to the minimum without metrics (horizontal.go,
 * "Current number of replicas below Spec.MinReplicas"). It syncs each HPA every 15 s (the
 * default --horizontal-pod-autoscaler-sync-period), the first time 15 s after the HPA appears.
 */
import { App, Chart, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  Autoscaling, BlueGreenColor, BlueGreenRelease, CanaryRelease, CanaryReleaseProps, CanaryStep, DeliveryEngine, TrafficRouter,
} from '../../src';
import { K8sObject, find } from '../util';
import { applyRespectingArgo, isHealthy, pausedAt, rollout, waitRollout } from './argo';
import { apply, evict, get, kubectl, list, namespace, synthChart, waitFor } from './kube';

const ports = { containerPort: 8080, servicePort: 80 };
/** Autoscaling targets a percentage of the CPU request, which must then be set. */
const container = { resources: { cpu: { request: kplus.Cpu.millis(100) } } };
const v1 = { version: 'v1', image: 'registry.example/myapp:v1' };
const v2 = { version: 'v2', image: 'registry.example/myapp:v2' };

// --- what the controllers report -------------------------------------------------------------

const controllerOf = (o: K8sObject): { kind: string; name: string } | undefined =>
  (o.metadata as any).ownerReferences?.find((r: any) => r.controller);

/**
 * The pods (not being deleted) of the ReplicaSets `pick` chooses, found by their owners: not by
 * a budget's selector, so that a budget selecting the wrong pods shows.
 */
function replicaSetPods(ns: string, pick: (rs: K8sObject) => boolean): string[] {
  const sets = new Set(list('replicasets', ns).filter(pick).map((rs) => rs.metadata.name));
  return list('pods', ns)
    .filter((p) => (p.metadata as any).deletionTimestamp === undefined && sets.has(controllerOf(p)?.name ?? ''))
    .map((p) => p.metadata.name).sort();
}

/** The pods of Deployment `name`. */
const deploymentPods = (ns: string, name: string) => replicaSetPods(ns, (rs) => controllerOf(rs)?.kind === 'Deployment' && controllerOf(rs)?.name === name);

/** The pods of the Rollout's ReplicaSet of pod-template hash `hash`. */
const rolloutPods = (ns: string, hash: string) =>
  replicaSetPods(ns, (rs) => controllerOf(rs)?.kind === 'Rollout' && rs.metadata.labels?.['rollouts-pod-template-hash'] === hash);

/** What the disruption controller says of a budget, with the pods of the track it is for. */
interface BudgetCount {
  readonly expectedPods: number;
  readonly currentHealthy: number;
  readonly disruptionsAllowed: number;
  /** The track's pods, counted by their owner. */
  readonly trackPods: number;
}

/**
 * Waits until the disruption controller has counted budget `name` (its status is for its latest
 * spec) with the track's pods settled at `pods` (every one Ready: under kwok a pod is Ready as
 * soon as it is bound), and returns the count; on a timeout the error says what it last saw.
 */
async function budgetCount(ns: string, name: string, trackPods: () => string[], pods: number): Promise<BudgetCount> {
  return waitFor(`PodDisruptionBudget ${ns}/${name} to count the track's ${pods} pods`, () => {
    const pdb = get('poddisruptionbudget', name, ns);
    const s = pdb.status ?? {};
    const count: BudgetCount = { expectedPods: s.expectedPods, currentHealthy: s.currentHealthy, disruptionsAllowed: s.disruptionsAllowed, trackPods: trackPods().length };
    const current = s.observedGeneration === (pdb.metadata as any).generation;
    if (!current || count.trackPods !== pods || count.expectedPods !== pods || count.currentHealthy !== pods) {
      throw new Error(`last seen ${JSON.stringify({ ...count, observedGeneration: s.observedGeneration, generation: (pdb.metadata as any).generation })}`);
    }
    return count;
  }, 90_000);
}

/** The budget of a track of `pods` pods under the default DisruptionBudget.maxUnavailable(1). */
const counted = (pods: number): BudgetCount => ({ expectedPods: pods, currentHealthy: pods, disruptionsAllowed: Math.min(pods, 1), trackPods: pods });

/** An autoscaler's conditions, by type: `status reason`. */
function hpaConditions(hpa: K8sObject): { [type: string]: string } {
  return Object.fromEntries((hpa.status?.conditions ?? []).map((c: any) => [c.type, `${c.status} ${c.reason}`]));
}

/**
 * Waits until HPA `name` has got its target's scale (AbleToScale True, SucceededGetScale: the
 * sync after a rescale reports SucceededRescale) and the target, read by `replicas`, runs
 * `size` replicas, all ready. Returns the HPA.
 */
async function hpaAt(ns: string, name: string, replicas: () => { spec: number; ready: number }, size: number): Promise<K8sObject> {
  return waitFor(`HorizontalPodAutoscaler ${ns}/${name} to get its target's scale with the target at ${size} replicas`, () => {
    const hpa = get('horizontalpodautoscaler', name, ns);
    const target = replicas();
    if (hpaConditions(hpa).AbleToScale !== 'True SucceededGetScale' || target.spec !== size || target.ready !== size) {
      throw new Error(`last seen conditions ${JSON.stringify(hpaConditions(hpa))}, target ${JSON.stringify(target)}`);
    }
    return hpa;
  }, 90_000);
}

const deploymentReplicas = (ns: string, name: string) => () => {
  const d = get('deployment', name, ns);
  return { spec: d.spec.replicas, ready: d.status?.readyReplicas ?? 0 };
};

/** The messages of the events about HPA `name` (the HPA controller's SuccessfulRescale says why it rescaled). */
function hpaEvents(ns: string, name: string): string[] {
  return JSON.parse(kubectl(['get', 'events', '-n', ns, '--field-selector', `involvedObject.kind=HorizontalPodAutoscaler,involvedObject.name=${name}`, '-o', 'json']))
    .items.map((e: any) => `${e.reason}: ${e.message}`);
}

/** The rescale from below the minimum, without metrics: the HPA controller's event. */
const raisedToMin = (size: number) => `SuccessfulRescale: New size: ${size}; reason: Current number of replicas below Spec.MinReplicas`;

/** The target and bounds of an autoscaler. */
const hpaSpec = (hpa: K8sObject) => ({ target: `${hpa.spec.scaleTargetRef.kind}/${hpa.spec.scaleTargetRef.name}`, min: hpa.spec.minReplicas, max: hpa.spec.maxReplicas });

// --- plain manifests ---------------------------------------------------------------------------

describe('plain manifests', () => {
  test.concurrent('canary: each budget counts its track\'s pods; a second eviction from a track is refused, the other track\'s pod still goes', async () => {
    const ns = namespace('capacity-manifests-canary', 'restricted');
    const chart = new Chart(new App(), 'c', { namespace: ns });
    new CanaryRelease(chart, 'myapp', { ...ports, stable: { ...v1, replicas: 2 }, canary: { ...v2, replicas: 1 } });
    apply(synthChart(chart));

    expect(await budgetCount(ns, 'myapp-v1', () => deploymentPods(ns, 'myapp-v1'), 2)).toEqual(counted(2));
    expect(await budgetCount(ns, 'myapp-v2', () => deploymentPods(ns, 'myapp-v2'), 1)).toEqual(counted(1));

    // Hold off the replacements: a pod quota one below the pods running. Under kwok a pod is
    // Ready as soon as it is created, and a Ready replacement of the evicted pod gives the
    // budget its disruption back: in a trial without the quota, a second eviction 1 s after the
    // first was allowed (201). With it the ReplicaSet cannot create the replacement (the quota
    // is still used up once the evicted pod is gone), the budget stays at 1 healthy pod of 2, and
    // the refusal does not depend on timing. In a real cluster the replacement's containers take
    // their start-up to be Ready, and the budget refuses until then.
    apply([{ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'no-replacements', namespace: ns }, spec: { hard: { pods: '2' } } }]);
    await waitFor('the quota to count the 3 pods', () => get('resourcequota', 'no-replacements', ns).status?.used?.pods === '3' ? true : undefined);

    const [first, second] = deploymentPods(ns, 'myapp-v1');
    expect(await evict(first, ns)).toMatchObject({ code: 201, body: { kind: 'Status', status: 'Success' } });
    const refused = await evict(second, ns);
    expect(refused.code).toBe(429);
    expect(refused.body).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'TooManyRequests', message: 'Cannot evict pod as it would violate the pod\'s disruption budget.' });
    expect(refused.body.details.causes).toEqual([{ reason: 'DisruptionBudget', message: 'The disruption budget myapp-v1 needs 1 healthy pods and has 1 currently' }]);
    expect(deploymentPods(ns, 'myapp-v1')).toEqual([second]);
    await waitFor('the stable budget to count 1 healthy pod of 2', () => {
      const s = get('poddisruptionbudget', 'myapp-v1', ns).status;
      return s.expectedPods === 2 && s.currentHealthy === 1 && s.disruptionsAllowed === 0 ? true : undefined;
    });

    // The canary's budget is its own: its only pod can go.
    const [canaryPod] = deploymentPods(ns, 'myapp-v2');
    expect(await evict(canaryPod, ns)).toMatchObject({ code: 201, body: { status: 'Success' } });
  });

  test.concurrent('blue-green: a budget per color, each counting that color\'s pods', async () => {
    const ns = namespace('capacity-manifests-blue-green', 'restricted');
    const chart = new Chart(new App(), 'c', { namespace: ns });
    new BlueGreenRelease(chart, 'myapp', {
      ...ports,
      blue: { ...v1, replicas: 2 },
      green: { ...v2, replicas: 1 },
      active: BlueGreenColor.BLUE,
      previewHost: 'preview.example.com',
      router: TrafficRouter.nginx({ host: 'myapp.example.com' }),
    });
    apply(synthChart(chart));

    expect(await budgetCount(ns, 'myapp-v1', () => deploymentPods(ns, 'myapp-v1'), 2)).toEqual(counted(2));
    expect(await budgetCount(ns, 'myapp-v2', () => deploymentPods(ns, 'myapp-v2'), 1)).toEqual(counted(1));
  });

  test.concurrent('autoscaled canary: each track\'s HPA finds its Deployment and raises it from 1 to its minimum, the canary\'s in proportion to its weight', async () => {
    const ns = namespace('capacity-manifests-autoscaled', 'restricted');
    const chart = new Chart(new App(), 'c', { namespace: ns });
    // Stable 3 to 6 pods; the canary at 50%: ceil(3 × 50%) = 2 to ceil(6 × 50%) = 3.
    new CanaryRelease(chart, 'myapp', {
      ...ports,
      container,
      stable: v1,
      canary: { ...v2, traffic: { weight: 50 } },
      router: TrafficRouter.nginx({ host: 'myapp.example.com' }),
      autoscaling: { minReplicas: 3, maxReplicas: 6 },
    });
    const objects = synthChart(chart);
    // No replicas: the API server defaults each Deployment to 1, and the autoscaler owns the size.
    expect(['myapp-v1', 'myapp-v2'].map((d) => find(objects, 'Deployment', d).spec.replicas)).toEqual([undefined, undefined]);
    apply(objects);

    const stable = await hpaAt(ns, 'myapp-v1', deploymentReplicas(ns, 'myapp-v1'), 3);
    const canary = await hpaAt(ns, 'myapp-v2', deploymentReplicas(ns, 'myapp-v2'), 2);
    expect(hpaSpec(stable)).toEqual({ target: 'Deployment/myapp-v1', min: 3, max: 6 });
    expect(hpaSpec(canary)).toEqual({ target: 'Deployment/myapp-v2', min: 2, max: 3 });
    for (const hpa of [stable, canary]) {
      expect(hpaConditions(hpa)).toEqual({ AbleToScale: 'True SucceededGetScale', ScalingActive: 'False FailedGetResourceMetric' });
    }
    expect(hpaEvents(ns, 'myapp-v1')).toContain(raisedToMin(3));
    expect(hpaEvents(ns, 'myapp-v2')).toContain(raisedToMin(2));
    // The budgets follow the sizes the autoscalers chose.
    expect(await budgetCount(ns, 'myapp-v1', () => deploymentPods(ns, 'myapp-v1'), 3)).toEqual(counted(3));
    expect(await budgetCount(ns, 'myapp-v2', () => deploymentPods(ns, 'myapp-v2'), 2)).toEqual(counted(2));
  });
});

// --- Argo Rollouts -------------------------------------------------------------------------------

describe('Argo Rollouts', () => {
  test.concurrent('the HPA on the Rollout raises it to its minimum; paused mid-canary, each version\'s budget counts its ReplicaSet\'s pods', async () => {
    const ns = namespace('capacity-argo-canary', 'restricted');
    // The Rollout 4 to 8 pods; at 25% the canary runs ceil(4 × 25%) = 1 pod and, with
    // dynamicStableScale, the stable ceil(4 × 75%) = 3.
    const autoscaling: Autoscaling = { minReplicas: 4, maxReplicas: 8 };
    const steps = [CanaryStep.shiftTraffic(25), CanaryStep.pause(), CanaryStep.shiftTraffic(100)];
    const release = (props: Partial<CanaryReleaseProps>) => {
      const chart = new Chart(new App(), 'c', { namespace: ns });
      new CanaryRelease(chart, 'myapp', {
        ...ports, container, stable: v1, steps, autoscaling, router: TrafficRouter.nginx({ host: 'myapp.example.com' }), engine: DeliveryEngine.argoRollouts(), ...props,
      });
      return synthChart(chart);
    };
    const objects = release({});
    expect(find(objects, 'Rollout', 'myapp').spec.replicas).toBeUndefined();
    applyRespectingArgo(objects, ns);

    // Commit 1, stable alone: Argo Rollouts runs the Rollout at 1 pod until the HPA raises it.
    const hpa = await hpaAt(ns, 'myapp', () => {
      const r = rollout(ns);
      return { spec: r.spec.replicas, ready: isHealthy(r) ? r.status?.readyReplicas ?? 0 : -1 };
    }, 4);
    expect(hpaSpec(hpa)).toEqual({ target: 'Rollout/myapp', min: 4, max: 8 });
    expect(hpaConditions(hpa)).toEqual({ AbleToScale: 'True SucceededGetScale', ScalingActive: 'False FailedGetResourceMetric' });
    expect(hpaEvents(ns, 'myapp')).toContain(raisedToMin(4));

    // Commit 2: the canary; the Rollout pauses after its first weight.
    applyRespectingArgo(release({ canary: v2 }), ns);
    const paused = await waitRollout(ns, 'paused at step 1 (after setWeight 25)', (r) => pausedAt(r, 1));
    const { stableRS, currentPodHash } = paused.status;
    expect(stableRS).not.toBe(currentPodHash);
    expect(await budgetCount(ns, 'myapp-v1', () => rolloutPods(ns, stableRS), 3)).toEqual(counted(3));
    expect(await budgetCount(ns, 'myapp-v2', () => rolloutPods(ns, currentPodHash), 1)).toEqual(counted(1));
    // The apply of commit 2 left the autoscaler's size alone.
    expect(rollout(ns).spec.replicas).toBe(4);
    expect(hpaConditions(get('horizontalpodautoscaler', 'myapp', ns)).AbleToScale).toBe('True SucceededGetScale');
  });
});

// --- Flagger -----------------------------------------------------------------------------------------

describe('Flagger', () => {
  const canary = (ns: string) => get('canary.flagger.app', 'myapp', ns);

  test.concurrent('<name>-primary\'s budget counts the primary\'s pods, <name>\'s the canary\'s (0 when scaled down); both HPAs find their Deployments', async () => {
    const ns = namespace('capacity-flagger-canary', 'restricted');
    // The primary 3 to 6 pods; the canary, whose largest weight is 50%, 2 to 3. One analysis
    // interval of 5 s per step.
    const release = (props: Partial<CanaryReleaseProps>) => {
      const chart = new Chart(new App(), 'c', { namespace: ns });
      new CanaryRelease(chart, 'myapp', {
        ...ports,
        container,
        stable: v1,
        steps: [CanaryStep.shiftTraffic(50), CanaryStep.pause(Duration.seconds(5)), CanaryStep.shiftTraffic(100)],
        autoscaling: { minReplicas: 3, maxReplicas: 6 },
        router: TrafficRouter.nginx({ host: 'myapp.example.com' }),
        engine: DeliveryEngine.flagger(),
        ...props,
      });
      return synthChart(chart);
    };
    apply(release({}));
    await waitFor(`Canary ${ns}/myapp Initialized`, () => canary(ns).status?.phase === 'Initialized' ? true : undefined, 120_000);

    // Initialized: Flagger has scaled <name> to 0, and its budget counts no pod.
    expect(await budgetCount(ns, 'myapp', () => deploymentPods(ns, 'myapp'), 0)).toEqual(counted(0));
    expect(get('deployment', 'myapp', ns).spec.replicas).toBe(0);

    // The canary: Flagger scales <name> up from 0, to its autoscaler's minimum.
    apply(release({ canary: v2 }));
    await waitFor(`Canary ${ns}/myapp Progressing`, () => canary(ns).status?.phase === 'Progressing' ? true : undefined, 120_000);
    const canaryHpa = await hpaAt(ns, 'myapp', deploymentReplicas(ns, 'myapp'), 2);
    expect(hpaSpec(canaryHpa)).toEqual({ target: 'Deployment/myapp', min: 2, max: 3 });
    expect(await budgetCount(ns, 'myapp', () => deploymentPods(ns, 'myapp'), 2)).toEqual(counted(2));
    expect(get('deployment', 'myapp', ns).spec.template.metadata.labels.version).toBe('v2');

    // The HPA Flagger generated from the autoscalerRef, with primaryScalerReplicas' bounds,
    // raises the primary to 3, and the primary's budget counts them.
    const primaryHpa = await hpaAt(ns, 'myapp-primary', deploymentReplicas(ns, 'myapp-primary'), 3);
    expect(hpaSpec(primaryHpa)).toEqual({ target: 'Deployment/myapp-primary', min: 3, max: 6 });
    expect(hpaConditions(primaryHpa).ScalingActive).toMatch(/^False /);
    expect(hpaEvents(ns, 'myapp-primary')).toContain(raisedToMin(3));
    expect(await budgetCount(ns, 'myapp-primary', () => deploymentPods(ns, 'myapp-primary'), 3)).toEqual(counted(3));
  });
});
