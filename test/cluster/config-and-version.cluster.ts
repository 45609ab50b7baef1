/**
 * Versioned configuration and the version in every signal, on a real control plane: a change
 * to one track's config rolls that track's pods and no other; under Argo Rollouts a rollback in
 * git brings back the old version's ConfigMap (the same name, the same data) and the Rollout
 * runs the old version with it, and a canary reverted in git falls back on a stable ReplicaSet
 * whose ConfigMap never left; and the pods of every track, as the ReplicaSets created them,
 * carry their own version in their environment and labels.
 *
 * Changes are applied as commits the way a GitOps tool with pruning does: the new commit's
 * objects applied, then the objects the previous commit had and the new one has not deleted.
 */
import { App, Chart } from 'cdk8s';
import { CanaryRelease, CanaryReleaseProps, CanaryStep, DeliveryEngine, TrafficRouter } from '../../src';
import { K8sObject, find } from '../util';
import { applyRespectingArgo, pausedAt, promote, rollout, settledOn, waitRollout } from './argo';
import { apply, deploymentAvailable, get, list, namespace, remove, synthChart, waitFor } from './kube';

const v1 = { version: 'v1', image: 'registry.example/myapp:v1', replicas: 2 };
const v2 = { version: 'v2', image: 'registry.example/myapp:v2' };
const ports = { containerPort: 8080, servicePort: 80 };
const router = () => TrafficRouter.nginx({ host: 'myapp.example.com' });

function releaseChart(ns: string, props: Partial<CanaryReleaseProps>): K8sObject[] {
  const chart = new Chart(new App(), 'c', { namespace: ns });
  new CanaryRelease(chart, 'myapp', { ...ports, router: router(), stable: v1, ...props } as CanaryReleaseProps);
  return synthChart(chart);
}

/**
 * Applies the commit `next` as a GitOps tool that prunes does: its objects applied (with
 * `applyWith`), then every object of the commit before it that `next` no longer has deleted.
 */
function sync(previous: K8sObject[], next: K8sObject[], ns: string, applyWith: (objects: K8sObject[], ns: string) => void = apply): void {
  applyWith(next, ns);
  const key = (o: K8sObject) => `${o.kind}/${o.metadata.name}`;
  const kept = new Set(next.map(key));
  for (const o of previous.filter((x) => !kept.has(key(x)))) remove(o.kind, o.metadata.name, ns);
}

/** The ConfigMaps a pod spec (or a pod template's) reads its environment from (`envFrom`). */
function envFromConfigMaps(podSpec: any): string[] {
  return podSpec.containers.flatMap((c: any) => (c.envFrom ?? []).map((e: any) => e.configMapRef?.name)).filter((n?: string) => n !== undefined);
}

/** The names of the release's ConfigMaps in the namespace, sorted. */
function configMaps(ns: string): string[] {
  return list('configmaps', ns, 'app=myapp').map((c) => c.metadata.name).sort();
}

/** The release's pods that are Ready and not being deleted. */
function readyPods(ns: string): K8sObject[] {
  return list('pods', ns, 'app=myapp').filter((p) => !(p.metadata as any).deletionTimestamp
    && (p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True'));
}

/**
 * Each version's ready pods and the ConfigMaps they read, e.g. `{ v1: [['myapp-v1-…'], […]] }`,
 * one entry per pod. Waited for until the versions have `counts` pods.
 */
async function podConfigs(ns: string, counts: { [version: string]: number }): Promise<{ [version: string]: string[][] }> {
  return waitFor(`ready pods ${JSON.stringify(counts)} in ${ns}`, () => {
    const byVersion: { [version: string]: string[][] } = {};
    for (const pod of readyPods(ns)) (byVersion[pod.metadata.labels!.version] ??= []).push(envFromConfigMaps(pod.spec));
    const seen = Object.fromEntries(Object.entries(byVersion).map(([v, pods]) => [v, pods.length]));
    return JSON.stringify(Object.entries(seen).sort()) === JSON.stringify(Object.entries(counts).sort()) ? byVersion : undefined;
  });
}

/** The ReplicaSets a Deployment owns, by name: the ConfigMaps each one's pod template reads, and its size. */
function replicaSetsOf(deployment: string, ns: string): { [name: string]: { configMaps: string[]; replicas: number } } {
  return Object.fromEntries(list('replicasets', ns)
    .filter((rs) => ((rs.metadata as any).ownerReferences ?? []).some((o: any) => o.kind === 'Deployment' && o.name === deployment))
    .map((rs) => [rs.metadata.name, { configMaps: envFromConfigMaps(rs.spec.template.spec), replicas: rs.spec.replicas }]));
}

describe('plain manifests: a config change rolls only the track whose config changed', () => {
  const shared = { LOG_LEVEL: 'info', REGION: 'eu' };
  const stablePodUids = (ns: string) => readyPods(ns).filter((p) => p.metadata.labels!.version === 'v1').map((p) => (p.metadata as any).uid).sort();

  test.concurrent('a new value in the canary\'s own config: the canary gets a new ReplicaSet reading a new ConfigMap, stable\'s Deployment and pods are untouched', async () => {
    const ns = namespace('config-test-canary-change', 'restricted');
    const release = (canaryConfig: { [key: string]: string }) =>
      releaseChart(ns, { config: shared, canary: { ...v2, config: canaryConfig, traffic: { weight: 10 } } });
    const before = release({ LOG_LEVEL: 'debug' });
    const after = release({ LOG_LEVEL: 'debug', NEW_CHECKOUT: 'on' });
    const [stableConfig] = envFromConfigMaps(find(before, 'Deployment', 'myapp-v1').spec.template.spec);
    const [oldCanaryConfig] = envFromConfigMaps(find(before, 'Deployment', 'myapp-v2').spec.template.spec);
    const [newCanaryConfig] = envFromConfigMaps(find(after, 'Deployment', 'myapp-v2').spec.template.spec);
    expect(newCanaryConfig).toMatch(/^myapp-v2-[0-9a-f]{10}$/);
    expect(newCanaryConfig).not.toBe(oldCanaryConfig);

    apply(before);
    const stableBefore = await deploymentAvailable('myapp-v1', ns);
    const canaryBefore = await deploymentAvailable('myapp-v2', ns);
    await podConfigs(ns, { v1: 2, v2: 1 });
    const stablePodsBefore = stablePodUids(ns);
    expect(Object.values(replicaSetsOf('myapp-v2', ns))).toEqual([{ configMaps: [oldCanaryConfig], replicas: 1 }]);

    sync(before, after, ns);
    const canaryAfter = await deploymentAvailable('myapp-v2', ns);

    // The canary rolled: a new pod template, so a new ReplicaSet reading the new ConfigMap; the old one scaled to zero.
    expect((canaryAfter.metadata as any).generation).toBe((canaryBefore.metadata as any).generation + 1);
    expect(envFromConfigMaps(canaryAfter.spec.template.spec)).toEqual([newCanaryConfig]);
    expect(Object.values(replicaSetsOf('myapp-v2', ns)).sort((a, b) => b.replicas - a.replicas)).toEqual([
      { configMaps: [newCanaryConfig], replicas: 1 },
      { configMaps: [oldCanaryConfig], replicas: 0 },
    ]);
    const pods = await podConfigs(ns, { v1: 2, v2: 1 });
    expect(pods.v2).toEqual([[newCanaryConfig]]);
    expect(get('configmap', newCanaryConfig, ns).data).toEqual({ LOG_LEVEL: 'debug', REGION: 'eu', NEW_CHECKOUT: 'on' });

    // Stable did not notice: the same generation and pod template, one ReplicaSet, the very same pods, its ConfigMap in place.
    const stableAfter = get('deployment', 'myapp-v1', ns);
    expect((stableAfter.metadata as any).generation).toBe((stableBefore.metadata as any).generation);
    expect(stableAfter.spec.template).toEqual(stableBefore.spec.template);
    expect(Object.values(replicaSetsOf('myapp-v1', ns))).toEqual([{ configMaps: [stableConfig], replicas: 2 }]);
    expect(pods.v1).toEqual([[stableConfig], [stableConfig]]);
    expect(stablePodUids(ns)).toEqual(stablePodsBefore);
    expect(get('configmap', stableConfig, ns).data).toEqual({ LOG_LEVEL: 'info', REGION: 'eu' });

    // The canary's old ConfigMap left with the commit that dropped it.
    expect(configMaps(ns)).toEqual([stableConfig, newCanaryConfig].sort());
  });
});

// ---- Argo Rollouts (the helpers in ./argo) ----------------------------------------------------

describe('Argo Rollouts: every version the controller may return to finds its ConfigMap', () => {
  /** Paused for a human at 20%: the canary's and the stable's pods side by side. */
  const ARGO = { engine: DeliveryEngine.argoRollouts(), steps: [CanaryStep.shiftTraffic(20), CanaryStep.pause()] };
  const CONFIG_A = { CHECKOUT_FLOW: 'classic' };
  const CONFIG_B = { CHECKOUT_FLOW: 'one-page' };
  /** The three commits: release A (v1, config A); the canary of v2 with config B; v2 promoted (v1's track gone). */
  const commits = (ns: string) => ({
    releaseA: releaseChart(ns, { ...ARGO, stable: { ...v1, config: CONFIG_A } }),
    canaryB: releaseChart(ns, { ...ARGO, stable: { ...v1, config: CONFIG_A }, canary: { ...v2, config: CONFIG_B } }),
    promotedB: releaseChart(ns, { ...ARGO, stable: { ...v1, version: 'v2', image: v2.image, config: CONFIG_B } }),
  });
  const templateConfigMaps = (objects: K8sObject[]) => envFromConfigMaps(find(objects, 'Rollout', 'myapp').spec.template.spec);

  test.concurrent('a rollback in git after v2 was promoted brings back v1\'s ConfigMap, and the Rollout runs v1 with it on release A\'s ReplicaSet', async () => {
    const ns = namespace('config-test-argo-rollback', 'restricted');
    const { releaseA, canaryB, promotedB } = commits(ns);
    const [configA] = templateConfigMaps(releaseA);
    const [configB] = templateConfigMaps(promotedB);

    applyRespectingArgo(releaseA, ns);
    const hashA = (await waitRollout(ns, 'Healthy on v1', settledOn('v1'))).status.stableRS;

    // The canary: v2 reads config B, v1's pods still read A, both ConfigMaps are there.
    sync(releaseA, canaryB, ns, applyRespectingArgo);
    await waitRollout(ns, 'paused at 20%', (r) => pausedAt(r, 1));
    expect(await podConfigs(ns, { v1: 2, v2: 1 })).toEqual({ v1: [[configA], [configA]], v2: [[configB]] });
    expect(configMaps(ns)).toEqual([configA, configB].sort());
    promote(ns);
    const hashB = (await waitRollout(ns, 'Healthy on v2', settledOn('v2'))).status.stableRS;

    // The promotion's second commit: v1's track leaves git, and its ConfigMap with it. The Rollout's template does not change.
    sync(canaryB, promotedB, ns, applyRespectingArgo);
    expect(configMaps(ns)).toEqual([configB]);
    expect(rollout(ns).status.currentPodHash).toBe(hashB);

    // The rollback: release A's props in git again. The same ConfigMap name, with A's data, in the same sync as the template that reads it.
    sync(promotedB, releaseA, ns, applyRespectingArgo);
    expect(configMaps(ns)).toContain(configA);
    expect(get('configmap', configA, ns).data).toEqual(CONFIG_A);
    expect(envFromConfigMaps(rollout(ns).spec.template.spec)).toEqual([configA]);

    // Argo Rollouts takes the old template as an update: through the plan, on release A's own ReplicaSet.
    await waitRollout(ns, 'paused at 20% on the way back to v1', (r) => pausedAt(r, 1));
    promote(ns);
    const back = await waitRollout(ns, 'Healthy on v1 again', settledOn('v1'));
    expect(back.status.stableRS).toBe(hashA);
    expect(envFromConfigMaps(get('replicaset', `myapp-${hashA}`, ns).spec.template.spec)).toEqual([configA]);
    expect(await podConfigs(ns, { v1: 2 })).toEqual({ v1: [[configA], [configA]] });
    expect(configMaps(ns)).toEqual([configA]);
  }, 300_000);

  test.concurrent('a canary reverted in git: Argo Rollouts returns to the stable ReplicaSet at once, and its ConfigMap never left', async () => {
    const ns = namespace('config-test-argo-revert', 'restricted');
    const { releaseA, canaryB } = commits(ns);
    const [configA] = templateConfigMaps(releaseA);

    applyRespectingArgo(releaseA, ns);
    const hashA = (await waitRollout(ns, 'Healthy on v1', settledOn('v1'))).status.stableRS;
    const configAUid = (get('configmap', configA, ns).metadata as any).uid;
    const stablePods = readyPods(ns).map((p) => p.metadata.name).sort();

    sync(releaseA, canaryB, ns, applyRespectingArgo);
    await waitRollout(ns, 'paused at 20%', (r) => pausedAt(r, 1));
    await podConfigs(ns, { v1: 2, v2: 1 });

    // The revert: the canary's commit undone, its ConfigMap pruned.
    sync(canaryB, releaseA, ns, applyRespectingArgo);
    const back = await waitRollout(ns, 'back on v1', settledOn('v1'));
    expect(back.status.stableRS).toBe(hashA);
    expect(await podConfigs(ns, { v1: 2 })).toEqual({ v1: [[configA], [configA]] });
    // The same stable pods throughout, reading the same ConfigMap object: it was never deleted and created again.
    expect(readyPods(ns).map((p) => p.metadata.name).sort()).toEqual(stablePods);
    expect((get('configmap', configA, ns).metadata as any).uid).toBe(configAUid);
    expect(configMaps(ns)).toEqual([configA]);
  }, 300_000);
});

describe('the version in every signal, in the pods the cluster created for each track', () => {
  const environment = 'production';

  /** What a pod says about its app and version: its recommended labels and the variables of its container. */
  const signals = (pod: K8sObject) => {
    const env = Object.fromEntries(pod.spec.containers[0].env.map((e: any) => [e.name, e.value]));
    return {
      labels: { name: pod.metadata.labels!['app.kubernetes.io/name'], version: pod.metadata.labels!['app.kubernetes.io/version'] },
      env: { APP_NAME: env.APP_NAME, APP_VERSION: env.APP_VERSION, OTEL_SERVICE_NAME: env.OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES: env.OTEL_RESOURCE_ATTRIBUTES },
    };
  };
  const expected = (version: string) => ({
    labels: { name: 'myapp', version },
    env: {
      APP_NAME: 'myapp',
      APP_VERSION: version,
      OTEL_SERVICE_NAME: 'myapp',
      OTEL_RESOURCE_ATTRIBUTES: `service.version=${version},deployment.environment.name=production,deployment.environment=production`,
    },
  });

  /** Brings the release up with its canary running; resolves once v1's 2 pods and v2's 1 are ready. */
  const engines: Array<[string, (ns: string) => Promise<void>]> = [
    ['plain manifests (a Deployment per track)', async (ns) => {
      apply(releaseChart(ns, { environment, canary: { ...v2, traffic: { weight: 20 } } }));
      await deploymentAvailable('myapp-v1', ns);
      await deploymentAvailable('myapp-v2', ns);
    }],
    ['Argo Rollouts (one Rollout, a ReplicaSet per revision)', async (ns) => {
      const argo = { engine: DeliveryEngine.argoRollouts(), steps: [CanaryStep.shiftTraffic(20), CanaryStep.pause()] };
      applyRespectingArgo(releaseChart(ns, { ...argo, environment }), ns);
      await waitRollout(ns, 'Healthy on v1', settledOn('v1'));
      applyRespectingArgo(releaseChart(ns, { ...argo, environment, canary: v2 }), ns);
      await waitRollout(ns, 'paused at 20%', (r) => pausedAt(r, 1));
    }],
  ];

  test.concurrent.each(engines)('%s: each pod carries its own version in APP_VERSION, OTEL_RESOURCE_ATTRIBUTES and app.kubernetes.io/version', async (engine, start) => {
    const ns = namespace(`signals-test-${engine.startsWith('Argo') ? 'argo' : 'manifests'}`, 'restricted');
    await start(ns);
    await podConfigs(ns, { v1: 2, v2: 1 });

    const pods = readyPods(ns);
    expect(pods.map((p) => p.metadata.labels!.version).sort()).toEqual(['v1', 'v1', 'v2']);
    for (const pod of pods) {
      expect({ pod: pod.metadata.name, ...signals(pod) }).toEqual({ pod: pod.metadata.name, ...expected(pod.metadata.labels!.version) });
    }
    // The labels are for people and tools reading pods, never for choosing them: no selector names them.
    const selectors = [
      ...list('services', ns).map((s) => s.spec.selector ?? {}),
      ...list('replicasets', ns).map((rs) => rs.spec.selector.matchLabels ?? {}),
    ];
    expect(selectors.length).toBeGreaterThan(0);
    expect(selectors.flatMap(Object.keys).filter((k) => k.startsWith('app.kubernetes.io/'))).toEqual([]);
  }, 300_000);
});
