/**
 * TrafficRouter.all(...) on a real control plane. Under plain manifests, a release through
 * ingress-nginx and Gateway API at once is accepted by server-side apply and the live Ingresses
 * and HTTPRoute, read back from the API server (with its defaults), send every request to the
 * same versions. Under Argo Rollouts, a Rollout whose trafficRouting names nginx and istio has
 * both providers reconciled by the real controller: at every paused step the canary Ingress
 * and the VirtualService carry the step's weight, and both return to the stable at the end.
 */
import { CanaryReleaseProps, CanaryStep, DeliveryEngine, HeaderMatch, RouteSimulator, SimulatedRequest, SimulatedRouter, TrafficRouter } from '../../src';
import { K8sObject } from '../util';
import { applyRespectingArgo, isHealthy, pausedAt, promote, rollout, waitRollout } from './argo';
import { apply, canaryReleaseChart, deploymentAvailable, get, kubectl, namespace, readyEndpointVersions, routingObjects, waitFor } from './kube';

const v1 = { version: 'v1', image: 'registry.example/myapp:v1', replicas: 2 };
const v2 = { version: 'v2', image: 'registry.example/myapp:v2', replicas: 1 };
const ports = { containerPort: 8080, servicePort: 80 };
const TESTERS = { header: HeaderMatch.exact('stage', 'gray'), cookie: 'canary' };

function release(ns: string, props: Partial<CanaryReleaseProps>): K8sObject[] {
  return canaryReleaseChart(ns, { ...ports, stable: v1, ...props } as CanaryReleaseProps);
}

/** The objects in the namespace that decide where a request goes, as the API server holds them. */
function liveObjects(ns: string): K8sObject[] {
  return routingObjects(ns, ['ingresses', 'httproutes']);
}

describe('plain manifests through ingress-nginx and Gateway API at once', () => {
  test.concurrent('accepted by the API server, and the live Ingresses and HTTPRoute send each request to the same versions', async () => {
    // The Gateway API CRDs come from crds/gateway-api.yaml, installed by cluster-up.sh.
    const crd = JSON.parse(kubectl(['get', 'crd', 'httproutes.gateway.networking.k8s.io', '-o', 'json']));
    expect(crd.status.conditions.some((c: any) => c.type === 'Established' && c.status === 'True')).toBe(true);

    const ns = namespace('set-manifests', 'restricted');
    const router = TrafficRouter.all(
      TrafficRouter.nginx({ host: 'myapp.example.com' }),
      TrafficRouter.gatewayApi({ parentRefs: [{ name: 'public' }], hostnames: ['myapp.example.com'] }),
    );
    apply(release(ns, { router, canary: { ...v2, traffic: { ...TESTERS, weight: 20 } } }));
    await deploymentAvailable('myapp-v1', ns);
    await deploymentAvailable('myapp-v2', ns);
    // The Services the routes name hold exactly the pods the simulator reads off the Deployments.
    await waitFor('the EndpointSlices of myapp and myapp-canary', () =>
      readyEndpointVersions('myapp', ns).length === 2 && readyEndpointVersions('myapp-canary', ns).length === 1 ? true : undefined);
    expect(readyEndpointVersions('myapp', ns)).toEqual(['v1', 'v1']);
    expect(readyEndpointVersions('myapp-canary', ns)).toEqual(['v2']);

    const live = liveObjects(ns);
    const sim = RouteSimulator.fromManifests(live);
    expect(live.filter((o) => o.kind === 'Ingress' || o.kind === 'HTTPRoute').map((o) => `${o.kind}/${o.metadata.name}`).sort())
      .toEqual(['HTTPRoute/myapp', 'Ingress/myapp', 'Ingress/myapp-canary']);

    const requests: Array<[string, SimulatedRequest, Record<string, number>]> = [
      ['the testers\' header', { headers: { stage: 'gray' } }, { v2: 1 }],
      ['the cookie always', { cookies: { canary: 'always' } }, { v2: 1 }],
      ['the cookie never', { cookies: { canary: 'never' } }, { v1: 1 }],
      ['another header value', { headers: { stage: 'blue' } }, { v1: 0.8, v2: 0.2 }],
      ['a plain request, by weight', {}, { v1: 0.8, v2: 0.2 }],
    ];
    const seen = requests.map(([what, req]) => ({
      what,
      nginx: sim.route(req, { router: SimulatedRouter.NGINX }),
      gatewayApi: sim.route({ host: 'myapp.example.com', ...req }, { router: SimulatedRouter.GATEWAY_API }),
    }));
    expect(seen).toEqual(requests.map(([what, , expected]) => ({ what, nginx: expected, gatewayApi: expected })));
  });
});

/** The weights Argo Rollouts wrote, per provider, as [stable, canary]. */
function liveWeights(ns: string): { nginx: [number, number]; istio: [number, number] } {
  // Argo Rollouts creates the canary Ingress `<rollout>-<stableIngress>-canary` itself.
  const ingress = get('ingress', 'myapp-myapp-canary', ns);
  const w = Number(ingress.metadata.annotations?.['nginx.ingress.kubernetes.io/canary-weight'] ?? 0);
  const total = Number(ingress.metadata.annotations?.['nginx.ingress.kubernetes.io/canary-weight-total'] ?? 100);
  const route = get('virtualservice', 'myapp', ns).spec.http.find((h: any) => h.name === 'weighted').route;
  return { nginx: [total - w, w], istio: [route[0].weight ?? 0, route[1].weight ?? 0] };
}

/** Waits up to 30 s for both providers to carry the weights, then asserts them (a miss shows both). */
async function expectWeights(ns: string, canaryWeight: number): Promise<void> {
  const want = { nginx: [100 - canaryWeight, canaryWeight], istio: [100 - canaryWeight, canaryWeight] };
  await waitFor(`both providers at ${canaryWeight}`, () => JSON.stringify(liveWeights(ns)) === JSON.stringify(want) ? true : undefined, 30_000)
    .catch(() => undefined);
  expect(liveWeights(ns)).toEqual(want);
}

describe('Argo Rollouts through ingress-nginx and Istio at once', () => {
  const PLAN = [CanaryStep.shiftTraffic(20), CanaryStep.pause(), CanaryStep.shiftTraffic(50), CanaryStep.pause(), CanaryStep.shiftTraffic(100)];

  test.concurrent('the controller sets the step\'s weight in the canary Ingress and in the VirtualService, and both return to the new stable', async () => {
    const ns = namespace('set-argo', 'restricted');
    const props = {
      router: TrafficRouter.all(TrafficRouter.nginx({ host: 'myapp.example.com' }), TrafficRouter.istio({ hosts: ['myapp'] })),
      engine: DeliveryEngine.argoRollouts(),
      steps: PLAN,
    };
    // Commit 1: the stable alone (a first revision skips the steps).
    applyRespectingArgo(release(ns, props), ns);
    await waitRollout(ns, 'Healthy on v1', isHealthy);
    expect(Object.keys(rollout(ns).spec.strategy.canary.trafficRouting).sort()).toEqual(['istio', 'nginx']);
    // Commit 2: the canary, with testers. Its size follows the weight (no canary.replicas, so no
    // setCanaryScale steps): the Rollout's steps are the plan's, and step 1 and 3 its pauses.
    applyRespectingArgo(release(ns, { ...props, canary: { version: 'v2', image: v2.image, traffic: TESTERS } }), ns);
    expect(rollout(ns).spec.strategy.canary.steps).toEqual([{ setWeight: 20 }, { pause: {} }, { setWeight: 50 }, { pause: {} }, { setWeight: 100 }]);

    await waitRollout(ns, 'paused at step 1 (after setWeight 20)', (r) => pausedAt(r, 1));
    await expectWeights(ns, 20);
    const canaryIngress = get('ingress', 'myapp-myapp-canary', ns);
    expect(canaryIngress.metadata.annotations).toMatchObject({
      'nginx.ingress.kubernetes.io/canary': 'true',
      'nginx.ingress.kubernetes.io/canary-by-header': 'stage',
      'nginx.ingress.kubernetes.io/canary-by-header-value': 'gray',
      'nginx.ingress.kubernetes.io/canary-by-cookie': 'canary',
    });
    expect(canaryIngress.spec.rules[0].http.paths[0].backend.service.name).toBe('myapp-canary');
    expect(readyEndpointVersions('myapp-canary', ns)).toEqual(['v2']);

    promote(ns);
    await waitRollout(ns, 'paused at step 3 (after setWeight 50)', (r) => pausedAt(r, 3));
    await expectWeights(ns, 50);

    promote(ns);
    const done = await waitRollout(ns, 'Healthy on v2', (r) => isHealthy(r) && r.status?.stableRS === r.status?.currentPodHash && r.status?.currentStepIndex === PLAN.length);
    expect(done.spec.template.metadata.labels.version).toBe('v2');
    await expectWeights(ns, 0);
    await waitFor('only v2 behind myapp', () => JSON.stringify(readyEndpointVersions('myapp', ns)) === '["v2","v2"]' ? true : undefined, 60_000);
    // Each provider reconciled without error: no event of the Rollout says otherwise.
    const warnings = JSON.parse(kubectl(['get', 'events', '-n', ns, '--field-selector', 'type=Warning', '-o', 'json'])).items
      .filter((e: any) => e.involvedObject?.kind === 'Rollout').map((e: any) => `${e.reason}: ${e.message}`);
    expect(warnings).toEqual([]);
  });
});
