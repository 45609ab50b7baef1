/**
 * The smoke test before traffic, on a real control plane: under Argo Rollouts the smoke Job runs
 * in the analysis step between the canary's first pods and its first weight; a Job that
 * completes lets the Rollout go on to its first weight, a Job that fails aborts it with the
 * canary's weight at 0 from the first event to the last, and the stable pods serving
 * throughout. Under plain manifests the Job `<name>-smoke-<v>` runs, and the README's
 * `kubectl wait` gate returns once the Job finished and passes only if it succeeded.
 *
 * No container runs here: kwok ends a Job's pod as Succeeded (its default stage pod-complete),
 * or as Failed with exit code 1 when its image is FAILING_IMAGE (this project's stage,
 * kwok-stages/pod-fail.yaml). What is proven is what the library's objects make the Job
 * controller and Argo Rollouts do with a passing or failing smoke test, not the loop itself
 * (test/analysis/smoke-test.test.ts runs that with a fake curl).
 */
import { App, Chart } from 'cdk8s';
import { CanaryRelease, CanaryReleaseProps, CanaryStep, DeliveryEngine, HeaderMatch, SmokeTest, TrafficRouter } from '../../src';
import { K8sObject, find } from '../util';
import { applyRespectingArgo, pausedAt, rollout, settledOn, waitRollout } from './argo';
import { apply, deploymentAvailable, get, kubectl, list, namespace, synthChart, waitFor, watch } from './kube';

/** The image whose Job pods kwok fails (kwok-stages/pod-fail.yaml); any other image's succeed. */
const FAILING_IMAGE = 'registry.example/smoke-test:exit-1';
const PASSING: SmokeTest = { path: '/healthz', requests: 5 };
const FAILING: SmokeTest = { ...PASSING, image: FAILING_IMAGE };

const v1 = { version: 'v1', image: 'registry.example/myapp:v1', replicas: 2 };
const v2 = { version: 'v2', image: 'registry.example/myapp:v2' };
const ports = { containerPort: 8080, servicePort: 80 };
const router = () => TrafficRouter.nginx({ host: 'myapp.example.com' });
/** Argo Rollouts creates the canary Ingress `<rollout>-<stableIngress>-canary` itself. */
const CANARY_INGRESS = 'myapp-myapp-canary';

function releaseChart(ns: string, props: Partial<CanaryReleaseProps>): K8sObject[] {
  const chart = new Chart(new App(), 'c', { namespace: ns });
  new CanaryRelease(chart, 'myapp', { ...ports, router: router(), stable: v1, ...props } as CanaryReleaseProps);
  return synthChart(chart);
}

const canaryWeight = (ingress: K8sObject): number => Number(ingress.metadata.annotations?.['nginx.ingress.kubernetes.io/canary-weight'] ?? 0);

/** A Job's condition of `type` is True. */
const jobHas = (job: K8sObject, type: 'Complete' | 'Failed'): boolean => (job.status?.conditions ?? []).some((c: any) => c.type === type && c.status === 'True');

/** The terminated states of the containers of a Job's pods, with their pod's phase. */
function jobPods(job: string, ns: string): Array<{ phase: string; exitCodes: number[] }> {
  return list('pods', ns, `job-name=${job}`).map((p) => ({
    phase: p.status?.phase,
    exitCodes: (p.status?.containerStatuses ?? []).map((c: any) => c.state?.terminated?.exitCode),
  }));
}

// ---- Argo Rollouts ---------------------------------------------------------------------------

describe('Argo Rollouts: the smoke test runs between the canary\'s first pods and its first weight', () => {
  const PLAN = [CanaryStep.shiftTraffic(20), CanaryStep.pause()];
  const argo = (smokeTest: SmokeTest) => ({ engine: DeliveryEngine.argoRollouts(), steps: PLAN, smokeTest });

  /** The Rollout's steps as the library wrote them: the index of the smoke test's analysis, and of the plan's pause. */
  function stepIndexes(objects: K8sObject[]): { analysis: number; pause: number } {
    const steps: any[] = find(objects, 'Rollout', 'myapp').spec.strategy.canary.steps;
    const analysis = steps.findIndex((s) => s.analysis?.templates?.[0]?.templateName === 'myapp-smoke');
    const firstWeight = steps.findIndex((s) => (s.setWeight ?? 0) > 0);
    expect(steps[0]).toEqual({ setCanaryScale: { replicas: 1 } });
    expect(analysis).toBeGreaterThan(0);
    expect(firstWeight).toBeGreaterThan(analysis);
    return { analysis, pause: steps.findIndex((s) => s.pause !== undefined) };
  }

  /**
   * Everything that could show a weight reaching the canary, recorded event by event from
   * before the canary's commit: every version of the canary Ingress (its weight), of the Rollout
   * (its step and the canary's weight in its status) and of the EndpointSlices of `myapp` (the
   * pods behind the stable Service).
   */
  async function record(ns: string) {
    const ingressWeights: number[] = [];
    const steps: Array<{ hash?: string; step?: number; weight: number; abort: boolean }> = [];
    const stableEndpoints: string[][] = [];
    const slices = new Map<string, any>();
    const seen = new Map<string, string>(); // kind/name -> the last resourceVersion an event brought
    const watches = [
      watch('ingresses', ns, (type, o) => {
        seen.set(`ingress/${o.metadata.name}`, o.metadata.resourceVersion);
        if (o.metadata.name === CANARY_INGRESS) ingressWeights.push(type === 'DELETED' ? 0 : canaryWeight(o));
      }),
      watch('rollouts', ns, (_type, r) => {
        seen.set(`rollout/${r.metadata.name}`, r.metadata.resourceVersion);
        steps.push({ hash: r.status?.currentPodHash, step: r.status?.currentStepIndex, weight: r.status?.canary?.weights?.canary?.weight ?? 0, abort: r.status?.abort === true });
      }),
      watch('endpointslices', ns, (type, s) => {
        if (type === 'DELETED') slices.delete(s.metadata.name);
        else slices.set(s.metadata.name, s);
        const pods = [...slices.values()].flatMap((x) => (x.endpoints ?? []).filter((e: any) => e.conditions?.ready === true).map((e: any) => e.targetRef?.name)).sort();
        if (JSON.stringify(stableEndpoints[stableEndpoints.length - 1]) !== JSON.stringify(pods)) stableEndpoints.push(pods);
      }, 'kubernetes.io/service-name=myapp'),
    ];
    await Promise.all(watches.map((w) => w.started));
    return {
      ingressWeights,
      steps,
      stableEndpoints,
      /** Waits until the watches have seen the current versions of the canary Ingress and the Rollout, then stops them. */
      async stop(): Promise<void> {
        await waitFor('the watches to catch up with the cluster', () =>
          seen.get(`ingress/${CANARY_INGRESS}`) === (get('ingress', CANARY_INGRESS, ns).metadata as any).resourceVersion
          && seen.get('rollout/myapp') === (rollout(ns).metadata as any).resourceVersion ? true : undefined, 30_000);
        watches.forEach((w) => w.stop());
      },
    };
  }

  /** The AnalysisRun of the smoke test (its one metric is `smoke-test`), once it has finished. */
  async function smokeRun(ns: string): Promise<K8sObject> {
    return waitFor(`the smoke test's AnalysisRun in ${ns} to finish`, () => list('analysisruns', ns)
      .find((r) => r.spec.metrics.some((m: any) => m.name === 'smoke-test') && ['Successful', 'Failed', 'Error', 'Inconclusive'].includes(r.status?.phase)), 120_000);
  }

  /** The Job the AnalysisRun's measurement ran (Argo Rollouts records its name in the measurement). */
  function measurementJob(run: K8sObject): { phase: string; job: string } {
    const [measurement] = run.status.metricResults.find((m: any) => m.name === 'smoke-test').measurements;
    return { phase: measurement.phase, job: measurement.metadata['job-name'] };
  }

  test.concurrent('a smoke Job that completes: the analysis succeeds and the Rollout goes on to its pause at 20%', async () => {
    const ns = namespace('smoke-test-argo-pass', 'restricted');
    const stableOnly = releaseChart(ns, argo(PASSING));
    const withCanary = releaseChart(ns, { ...argo(PASSING), canary: v2 });
    const at = stepIndexes(withCanary);
    // The default image, pinned: kwok does not pull it, but it is what the Job would run.
    expect(find(withCanary, 'AnalysisTemplate', 'myapp-smoke').spec.metrics[0].provider.job.spec.template.spec.containers[0].image).toBe('curlimages/curl:8.11.1');

    applyRespectingArgo(stableOnly, ns);
    await waitRollout(ns, 'Healthy on v1', settledOn('v1'));
    const seen = await record(ns);
    applyRespectingArgo(withCanary, ns);

    const run = await smokeRun(ns);
    expect(run.status.phase).toBe('Successful');
    const { phase, job } = measurementJob(run);
    expect(phase).toBe('Successful');
    expect(jobHas(get('job', job, ns), 'Complete')).toBe(true);
    expect(jobPods(job, ns)).toEqual([{ phase: 'Succeeded', exitCodes: [0] }]);

    await waitRollout(ns, `paused at step ${at.pause} (after setWeight 20)`, (r) => pausedAt(r, at.pause));
    await waitFor('the canary\'s weight at 20 in its Ingress', () => canaryWeight(get('ingress', CANARY_INGRESS, ns)) === 20 ? true : undefined, 30_000);
    await seen.stop();

    // The steps in order: v2's Rollout reached the analysis step, and the canary had no weight before it left it.
    const v2Steps = seen.steps.filter((s) => s.hash === run.metadata.labels!['rollouts-pod-template-hash']);
    expect(v2Steps.some((s) => s.step === at.analysis)).toBe(true);
    expect(seen.steps.filter((s) => s.weight > 0).every((s) => s.hash === v2Steps[0].hash && (s.step ?? 0) > at.analysis)).toBe(true);
    expect(seen.ingressWeights[0]).toBe(0);
    expect(seen.ingressWeights[seen.ingressWeights.length - 1]).toBe(20);
    expect(seen.ingressWeights.every((w) => w === 0 || w === 20)).toBe(true);
  }, 300_000);

  test.concurrent('a smoke Job that fails: the analysis fails, the Rollout is aborted, and no weight ever reaches the canary while the stable pods keep serving', async () => {
    const ns = namespace('smoke-test-argo-fail', 'restricted');
    const stableOnly = releaseChart(ns, argo(FAILING));
    const withCanary = releaseChart(ns, { ...argo(FAILING), canary: v2 });
    const at = stepIndexes(withCanary);

    applyRespectingArgo(stableOnly, ns);
    await waitRollout(ns, 'Healthy on v1', settledOn('v1'));
    const stablePods = await waitFor('both stable pods behind myapp', () => {
      const pods = list('pods', ns, 'app=myapp').filter((p) => (p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True'));
      const slices = list('endpointslices', ns, 'kubernetes.io/service-name=myapp').flatMap((s) => (s.endpoints ?? []).filter((e: any) => e.conditions?.ready === true));
      return pods.length === 2 && slices.length === 2 ? pods.map((p) => p.metadata.name).sort() : undefined;
    });
    const seen = await record(ns);
    applyRespectingArgo(withCanary, ns);

    const run = await smokeRun(ns);
    expect(run.status.phase).toBe('Failed');
    const { phase, job } = measurementJob(run);
    expect(phase).toBe('Failed');
    const failedJob = await waitFor(`Job ${job} Failed`, () => {
      const j = get('job', job, ns);
      return jobHas(j, 'Failed') ? j : undefined;
    });
    expect(jobHas(failedJob, 'Complete')).toBe(false);
    expect(jobPods(job, ns)).toEqual([{ phase: 'Failed', exitCodes: [1] }]);

    const aborted = await waitRollout(ns, 'aborted', (r) => r.status?.abort === true && r.status?.phase === 'Degraded');
    expect(aborted.status.message).toMatch(/smoke-test/);
    expect(aborted.status.stableRS).not.toBe(aborted.status.currentPodHash);
    await seen.stop();

    // No weight, ever: every version of the canary Ingress and of the Rollout said 0, and the Rollout never left the analysis step.
    expect(seen.ingressWeights.length).toBeGreaterThan(0);
    expect(seen.ingressWeights.every((w) => w === 0)).toBe(true);
    // (The Rollout of v1 alone stood at the end of its steps, which a first revision skips; on the abort v2's goes back to step 0.)
    expect(seen.steps.every((s) => s.weight === 0)).toBe(true);
    const v2Steps = seen.steps.filter((s) => s.hash === aborted.status.currentPodHash);
    expect(v2Steps.some((s) => s.step === at.analysis)).toBe(true);
    expect(v2Steps.every((s) => (s.step ?? 0) <= at.analysis)).toBe(true);
    expect(seen.steps[seen.steps.length - 1].abort).toBe(true);
    // The stable Service's endpoints were the same two stable pods at every event, and still are.
    expect(seen.stableEndpoints).toEqual([stablePods]);
    expect(list('endpointslices', ns, 'kubernetes.io/service-name=myapp').flatMap((s) => (s.endpoints ?? []).filter((e: any) => e.conditions?.ready === true).map((e: any) => e.targetRef?.name)).sort()).toEqual(stablePods);
    expect(get('ingress', CANARY_INGRESS, ns).metadata.annotations?.['nginx.ingress.kubernetes.io/canary-weight']).toBe('0');
  }, 300_000);
});

// ---- plain manifests -------------------------------------------------------------------------

describe('plain manifests: the smoke Job of the new version, and the README\'s gate on it', () => {
  const cases: Array<[string, SmokeTest, 'Complete' | 'Failed']> = [
    ['completes', PASSING, 'Complete'],
    ['fails', FAILING, 'Failed'],
  ];

  test.concurrent.each(cases)('a smoke Job that %s: the README\'s gate returns once it finished, and passes only if it succeeded', async (what, smokeTest, outcome) => {
    const ns = namespace(`smoke-test-manifests-${what}`, 'restricted');
    // The canary runs for its testers only (header rule, no weight): the commit that gives it a weight waits for the gate.
    const objects = releaseChart(ns, { smokeTest, canary: { ...v2, traffic: { header: HeaderMatch.exact('stage', 'gray') } } });
    const job = find(objects, 'Job', 'myapp-smoke-v2');
    expect(job.spec.template.spec.containers[0].image).toBe(smokeTest.image ?? 'curlimages/curl:8.11.1');
    apply(objects);
    await deploymentAvailable('myapp-v2', ns);

    // The README's gate, with the namespace of this test: wait until the Job's last condition is
    // True (Complete or Failed), then pass only if a pod succeeded.
    const started = Date.now();
    kubectl(['-n', ns, 'wait', '--for=jsonpath={.status.conditions[-1:].status}=True', 'job/myapp-smoke-v2', '--timeout=120s']);
    const passed = kubectl(['-n', ns, 'get', 'job', 'myapp-smoke-v2', '-o', 'jsonpath={.status.succeeded}']).trim() === '1';
    expect(passed).toBe(outcome === 'Complete');
    expect(Date.now() - started).toBeLessThan(60_000); // a failed Job does not hold the gate for its timeout
    const live = get('job', 'myapp-smoke-v2', ns);
    expect(jobHas(live, outcome)).toBe(true);
    expect(jobHas(live, outcome === 'Complete' ? 'Failed' : 'Complete')).toBe(false);
    expect(live.spec.ttlSecondsAfterFinished).toBe(86_400);
    expect(jobPods('myapp-smoke-v2', ns)).toEqual([outcome === 'Complete' ? { phase: 'Succeeded', exitCodes: [0] } : { phase: 'Failed', exitCodes: [1] }]);
  }, 300_000);
});
