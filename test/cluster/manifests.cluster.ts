/**
 * Plain manifests on a real API server: every example chart and one release per router is
 * accepted by server-side apply (schemas, CEL rules, Pod Security admission), every Deployment
 * becomes Available, and each Service's EndpointSlices hold exactly the pods the naming table
 * says. A promotion in the README's two commits and a blue-green cut-over never leave the
 * Service clients call without a ready endpoint.
 */
import { App, Chart } from 'cdk8s';
import { addArgoBlueGreen } from '../../examples/argo-blue-green';
import { addBlueGreen, addBlueGreenCutOver, addBlueGreenPreview } from '../../examples/blue-green';
import { addFlagger } from '../../examples/flagger';
import { addGatewayApi } from '../../examples/gateway-api';
import { addHeaderCanary } from '../../examples/header-canary';
import { addIstio } from '../../examples/istio';
import { addProgressivePlan } from '../../examples/progressive-plan';
import { addPromotion, addPromotionFullWeight, addPromotionSwapped } from '../../examples/promotion';
import { addRollingUpdate } from '../../examples/rolling-update';
import { addWeightCanary, addWeightCanaryStep } from '../../examples/weight-canary';
import { BlueGreenColor, BlueGreenRelease, CanaryRelease, TrafficRouter } from '../../src';
import { K8sObject } from '../util';
import { apply, deploymentAvailable, get, kubectl, namespace, readyEndpointVersions, remove, synthChart, waitFor, watchReadyEndpoints } from './kube';

/** An image that runs as non-root with a read-only root filesystem: the library's defaults apply unchanged. */
const v1 = { version: 'v1', image: 'registry.example/myapp:v1', replicas: 2 };
const v2 = { version: 'v2', image: 'registry.example/myapp:v2', replicas: 1 };
const ports = { containerPort: 8080, servicePort: 80 };

/** The objects of `chart`, moved into namespace `ns` (the examples put each chart in a namespace named after it). */
function inNamespace(objects: K8sObject[], ns: string): K8sObject[] {
  return objects.map((o) => ({ ...o, metadata: { ...o.metadata, namespace: ns } }));
}

describe('every example chart is accepted by the API server', () => {
  const app = new App();
  const charts: Chart[] = [
    addHeaderCanary(app), addWeightCanary(app), addRollingUpdate(app), addPromotion(app), addBlueGreen(app), addIstio(app), addGatewayApi(app),
    addProgressivePlan(app), addArgoBlueGreen(app), addFlagger(app),
  ].flat();

  // Every example runs myapp's nginx-based image, which needs the documented opt-out of the
  // secure defaults (root, writable root filesystem; see examples/myapp.ts): the restricted
  // level would refuse its pods, so the examples go into `baseline` namespaces. The library's
  // defaults are judged by `restricted` below.
  test.each(charts.map((c) => [c.node.id, c] as [string, Chart]))('%s (baseline: myapp runs as root)', async (_id, chart) => {
    const objects = synthChart(chart);
    namespace(chart.namespace!, 'baseline');
    apply(objects);

    for (const d of objects.filter((o) => o.kind === 'Deployment')) {
      await deploymentAvailable(d.metadata.name, chart.namespace!);
    }
  });
});

describe('the library\'s secure defaults pass the restricted Pod Security level, for every router', () => {
  const routers: Array<[string, () => TrafficRouter]> = [
    ['service', () => TrafficRouter.service()],
    ['nginx', () => TrafficRouter.nginx({ host: 'myapp.example.com' })],
    ['istio', () => TrafficRouter.istio({ hosts: ['myapp'] })],
    ['istio-subsets', () => TrafficRouter.istio({ hosts: ['myapp'], subsets: true })],
    ['gateway-api', () => TrafficRouter.gatewayApi({ parentRefs: [{ name: 'public', namespace: 'gateways' }], hostnames: ['myapp.example.com'] })],
  ];

  test.each(routers)('canary on %s: Services select exactly the naming table\'s pods', async (id, router) => {
    const ns = namespace(`manifests-canary-${id}`, 'restricted');
    const chart = new Chart(new App(), 'c', { namespace: ns });
    new CanaryRelease(chart, 'myapp', { ...ports, stable: v1, canary: id === 'service' ? v2 : { ...v2, traffic: { weight: 10 } }, router: router() });
    apply(synthChart(chart));

    await deploymentAvailable('myapp-v1', ns);
    await deploymentAvailable('myapp-v2', ns);
    // <name> selects every track where the split is by replicas or by subset, else stable only.
    const everyTrack = id === 'service' || id === 'istio-subsets';
    await waitFor('the EndpointSlices of myapp and myapp-canary', () => {
      const main = readyEndpointVersions('myapp', ns);
      const canary = readyEndpointVersions('myapp-canary', ns);
      return main.length === (everyTrack ? 3 : 2) && canary.length === 1 ? { main, canary } : undefined;
    });
    expect(readyEndpointVersions('myapp', ns)).toEqual(everyTrack ? ['v1', 'v1', 'v2'] : ['v1', 'v1']);
    expect(readyEndpointVersions('myapp-canary', ns)).toEqual(['v2']);
  });

  test.each(routers.filter(([id]) => id !== 'service'))('blue-green on %s: <name> the active color, <name>-preview the idle one', async (id, router) => {
    const ns = namespace(`manifests-bg-${id}`, 'restricted');
    const chart = new Chart(new App(), 'c', { namespace: ns });
    new BlueGreenRelease(chart, 'myapp', {
      ...ports,
      blue: v1,
      green: { ...v2, replicas: 2 },
      active: BlueGreenColor.BLUE,
      previewHost: id === 'istio' || id === 'istio-subsets' ? 'preview-myapp' : 'preview.example.com',
      router: router(),
    });
    apply(synthChart(chart));

    await deploymentAvailable('myapp-v1', ns);
    await deploymentAvailable('myapp-v2', ns);
    const subsets = id === 'istio-subsets';
    await waitFor('the EndpointSlices of myapp and myapp-preview', () =>
      readyEndpointVersions('myapp', ns).length === (subsets ? 4 : 2) && readyEndpointVersions('myapp-preview', ns).length === 2 ? true : undefined);
    expect(readyEndpointVersions('myapp', ns)).toEqual(subsets ? ['v1', 'v1', 'v2', 'v2'] : ['v1', 'v1']);
    expect(readyEndpointVersions('myapp-preview', ns)).toEqual(['v2', 'v2']);
  });

  test('a pod that breaks the restricted level is refused: the namespaces really enforce it', async () => {
    const ns = namespace('manifests-restricted-check', 'restricted');
    const chart = new Chart(new App(), 'c', { namespace: ns });
    new CanaryRelease(chart, 'myapp', { ...ports, container: { securityContext: { ensureNonRoot: false } }, stable: v1 });
    apply(synthChart(chart));

    const deployment = await waitFor('the ReplicaSet to report the refused pods', () => {
      const d = get('deployment', 'myapp-v1', ns);
      const failure = (d.status?.conditions ?? []).find((c: any) => c.type === 'ReplicaFailure');
      return failure ? d : undefined;
    });
    const failure = deployment.status.conditions.find((c: any) => c.type === 'ReplicaFailure');
    expect(failure.message).toMatch(/violates PodSecurity "restricted:latest": runAsNonRoot/);
  });
});

/**
 * Every state of a Service's ready endpoints (the version of each, sorted) while `change` runs,
 * from a watch on its EndpointSlices: each event the endpointslice controller writes is seen,
 * not a sample of them.
 */
async function watchEndpoints(service: string, ns: string, change: () => Promise<void>): Promise<string[][]> {
  const watch = watchReadyEndpoints(service, ns);
  try {
    await watch.started;
    await change();
    await new Promise((r) => setTimeout(r, 2000)); // the controllers settle, still watched
  } finally {
    watch.stop();
  }
  return watch.states;
}

describe('changes applied as commits never leave <name> without a ready endpoint', () => {
  test('promotion in two commits (README): canary at full weight and stable\'s size, then the swap', async () => {
    const ns = namespace('manifests-promotion', 'baseline');
    const app = new App();
    const before = inNamespace(synthChart(addWeightCanaryStep(app, 'before', 10)), ns);
    const commitA = inNamespace(synthChart(addPromotionFullWeight(app)), ns);
    const commitB = inNamespace(synthChart(addPromotionSwapped(app)), ns);
    apply(before);
    await deploymentAvailable('myapp-v1', ns);
    await deploymentAvailable('myapp-v2', ns);
    await waitFor('myapp on its 3 stable pods', () => readyEndpointVersions('myapp', ns).join() === 'v1,v1,v1' ? true : undefined);

    const seen = await watchEndpoints('myapp', ns, async () => {
      apply(commitA);
      await deploymentAvailable('myapp-v2', ns);
      apply(commitB);
      // What pruning does with the objects commit B no longer has.
      const kept = new Set(commitB.map((o) => `${o.kind}/${o.metadata.name}`));
      for (const o of commitA.filter((x) => !kept.has(`${x.kind}/${x.metadata.name}`))) remove(o.kind, o.metadata.name, ns);
      await deploymentAvailable('myapp-v2', ns);
      await waitFor('myapp on v2\'s 3 pods', () => readyEndpointVersions('myapp', ns).join() === 'v2,v2,v2' ? true : undefined);
    });

    expect(seen.every((versions) => versions.length > 0)).toBe(true);
    expect(seen[0]).toEqual(['v1', 'v1', 'v1']);
    expect(seen[seen.length - 1]).toEqual(['v2', 'v2', 'v2']);
    expect(kubectl(['get', 'deployments', '-n', ns, '-o', 'name']).trim().split('\n')).toEqual(['deployment.apps/myapp-v2']);
  });

  test('blue-green cut-over: the active Service moves from blue to green at once', async () => {
    const ns = namespace('manifests-cut-over', 'baseline');
    const app = new App();
    apply(inNamespace(synthChart(addBlueGreenPreview(app)), ns));
    await deploymentAvailable('myapp-v1', ns);
    await deploymentAvailable('myapp-v2', ns);
    await waitFor('myapp on blue\'s 3 pods', () => readyEndpointVersions('myapp', ns).join() === 'v1,v1,v1' ? true : undefined);

    const seen = await watchEndpoints('myapp', ns, async () => {
      apply(inNamespace(synthChart(addBlueGreenCutOver(app)), ns));
      await waitFor('myapp on green\'s 3 pods', () => readyEndpointVersions('myapp', ns).join() === 'v2,v2,v2' ? true : undefined);
    });

    expect(seen.every((versions) => versions.length > 0)).toBe(true);
    expect(seen[0]).toEqual(['v1', 'v1', 'v1']);
    expect(seen[seen.length - 1]).toEqual(['v2', 'v2', 'v2']);
  });
});

