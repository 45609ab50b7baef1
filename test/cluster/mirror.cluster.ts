/**
 * canary.traffic.mirror on a real control plane (no data plane: the controllers' writes are
 * checked here, where requests go is the simulator's). Plain manifests: a mirrored
 * VirtualService and HTTPRoute survive server-side apply with their mirror fields (the CRD
 * schemas would prune unknown fields), and the live objects serve a plain request from stable
 * while copying the given share to the canary. Argo Rollouts v1.9.1 with Istio: the controller
 * adds its mirror route to the VirtualService at the setMirrorRoute step, before the weighted
 * route, and removes it before the first weight. Flagger v1.44.0 with Istio: one interval with
 * `mirror` and `mirrorPercentage` on the VirtualService at weight 0, then the weights shift.
 */
import { Duration } from 'cdk8s';
import { CanaryReleaseProps, CanaryStep, DeliveryEngine, HeaderMatch, TrafficRouter } from '../../src';
import { mirrorGatewayApi, routeGatewayApi } from '../../src/testing/simulate-gateway-api';
import { mirrorIstio, routeIstio } from '../../src/testing/simulate-istio';
import { Manifest } from '../../src/testing/simulated-objects';
import { K8sObject } from '../util';
import { applyRespectingArgo, isHealthy, pausedAt, promote, waitRollout } from './argo';
import { apply, canaryReleaseChart, deploymentAvailable, get, list, namespace, routingObjects, waitFor } from './kube';

const v1 = { version: 'v1', image: 'registry.example/myapp:v1', replicas: 2 };
const v2 = { version: 'v2', image: 'registry.example/myapp:v2', replicas: 1 };
const ports = { containerPort: 8080, servicePort: 80 };

function release(ns: string, props: Partial<CanaryReleaseProps>): K8sObject[] {
  return canaryReleaseChart(ns, { ...ports, stable: v1, ...props } as CanaryReleaseProps);
}

function liveObjects(ns: string): Manifest[] {
  return routingObjects(ns, ['virtualservices', 'destinationrules', 'httproutes']) as Manifest[];
}

describe('plain manifests', () => {
  const traffic = { header: HeaderMatch.exact('stage', 'gray'), mirror: 25 };

  test.concurrent('Istio: the live VirtualService keeps mirror and mirrorPercentage on the weighted route; plain requests are copied, header requests are not', async () => {
    const ns = namespace('mirror-istio', 'restricted');
    apply(release(ns, { router: TrafficRouter.istio({ hosts: ['myapp'] }), canary: { ...v2, traffic } }));
    await deploymentAvailable('myapp-v1', ns);
    await deploymentAvailable('myapp-v2', ns);
    const http = get('virtualservice', 'myapp', ns).spec.http;
    expect(http.map((h: any) => [h.name, h.mirror, h.mirrorPercentage])).toEqual([
      ['canary-by-header', undefined, undefined],
      ['weighted', { host: 'myapp-canary', port: { number: 80 } }, { value: 25 }],
    ]);
    const live = liveObjects(ns);
    expect([routeIstio(live, 'myapp', {}), mirrorIstio(live, 'myapp', {})]).toEqual([{ v1: 1, v2: 0 }, { v2: 0.25 }]);
    expect([routeIstio(live, 'myapp', { headers: { stage: 'gray' } }), mirrorIstio(live, 'myapp', { headers: { stage: 'gray' } })]).toEqual([{ v2: 1 }, {}]);
  });

  test.concurrent('Gateway API: the live HTTPRoute keeps the RequestMirror filter with percent on the weighted rule', async () => {
    const ns = namespace('mirror-gateway-api', 'restricted');
    const router = TrafficRouter.gatewayApi({ parentRefs: [{ name: 'public' }], hostnames: ['myapp.example.com'] });
    apply(release(ns, { router, canary: { ...v2, traffic } }));
    const rules = get('httproute', 'myapp', ns).spec.rules;
    expect(rules.map((r: any) => [r.name, r.filters])).toEqual([
      ['canary-by-header', undefined],
      // The API server defaults the backendRef's group and kind.
      ['weighted', [{ type: 'RequestMirror', requestMirror: { backendRef: { group: '', kind: 'Service', name: 'myapp-canary', port: 80 }, percent: 25 } }]],
    ]);
    await deploymentAvailable('myapp-v1', ns);
    await deploymentAvailable('myapp-v2', ns);
    const live = liveObjects(ns);
    const req = { host: 'myapp.example.com' };
    expect([routeGatewayApi(live, 'myapp', req, 'full'), mirrorGatewayApi(live, 'myapp', req, 'full')]).toEqual([{ v1: 1, v2: 0 }, { v2: 0.25 }]);
  });
});

describe('Argo Rollouts with Istio', () => {
  const PLAN = [CanaryStep.pause(), CanaryStep.shiftTraffic(20), CanaryStep.pause(), CanaryStep.shiftTraffic(100)];

  test.concurrent('the controller puts its mirror route first at the setMirrorRoute step, and removes it before the first weight', async () => {
    const ns = namespace('mirror-argo', 'restricted');
    const props = { router: TrafficRouter.istio({ hosts: ['myapp'] }), engine: DeliveryEngine.argoRollouts(), steps: PLAN };
    // Commit 1: the stable alone (a first revision skips the steps).
    applyRespectingArgo(release(ns, props), ns);
    await waitRollout(ns, 'Healthy on v1', isHealthy);
    // Commit 2: the canary, copied 30% of the requests until the first weight.
    applyRespectingArgo(release(ns, { ...props, canary: { version: 'v2', image: v2.image, traffic: { mirror: 30 } } }), ns);
    await waitRollout(ns, 'paused at step 2 (the mirror\'s pause)', (r) => pausedAt(r, 2));
    const routes = () => get('virtualservice', 'myapp', ns).spec.http;
    await waitFor('the mirror route', () => routes().some((h: any) => h.name === 'mirror') ? true : undefined, 30_000).catch(() => undefined);
    expect(routes()).toEqual([
      {
        name: 'mirror',
        match: [{ uri: { prefix: '/' } }],
        // The weighted route's destinations at their current weights (istio.go createMirrorRoute);
        // Argo's Go type omits a weight of 0, which Istio reads as 0.
        route: [
          { destination: { host: 'myapp', port: { number: 80 } }, weight: 100 },
          { destination: { host: 'myapp-canary', port: { number: 80 } } },
        ],
        mirror: { host: 'myapp-canary', port: { number: 80 } },
        mirrorPercentage: { value: 30 },
      },
      {
        name: 'weighted',
        route: [
          { destination: { host: 'myapp', port: { number: 80 } }, weight: 100 },
          { destination: { host: 'myapp-canary', port: { number: 80 } }, weight: 0 },
        ],
      },
    ]);
    // The canary runs its one pod to receive the copies.
    const canaryRs = list('replicaset', ns).find((rs: any) => rs.spec.template.metadata.labels.version === 'v2');
    expect(canaryRs?.spec.replicas).toBe(1);

    promote(ns);
    await waitRollout(ns, 'paused at step 7 (after setWeight 20)', (r) => pausedAt(r, 7));
    expect(routes().map((h: any) => [h.name, h.route.map((r: any) => r.weight), h.mirror])).toEqual([['weighted', [80, 20], undefined]]);

    promote(ns);
    await waitRollout(ns, 'Healthy on v2', (r) => isHealthy(r) && r.status?.stableRS === r.status?.currentPodHash);
    expect(routes().map((h: any) => h.name)).toEqual(['weighted']);
  });
});

describe('Flagger with Istio', () => {
  const PLAN = [CanaryStep.shiftTraffic(20), CanaryStep.pause(Duration.seconds(5)), CanaryStep.shiftTraffic(100)];

  test.concurrent('one interval with mirror and mirrorPercentage at weight 0, then the weights shift without a mirror, then promotion', async () => {
    const ns = namespace('mirror-flagger', 'restricted');
    const props = { router: TrafficRouter.istio({ hosts: ['myapp'] }), engine: DeliveryEngine.flagger(), steps: PLAN };
    apply(release(ns, props));
    await waitFor('Canary initialised', () => get('canary.flagger.app', 'myapp', ns).status?.phase === 'Initialized' ? true : undefined, 180_000);
    apply(release(ns, { ...props, canary: { ...v2, replicas: undefined, traffic: { mirror: 30 } } }));

    const seen: string[] = [];
    const done = await waitFor('Flagger to mirror, shift and promote', () => {
      const c = get('canary.flagger.app', 'myapp', ns);
      const weighted = get('virtualservice', 'myapp', ns).spec.http[0];
      const state = JSON.stringify({
        weights: weighted.route.map((r: any) => [r.destination.host, r.weight]),
        mirror: weighted.mirror, mirrorPercentage: weighted.mirrorPercentage,
      });
      if (c.status?.phase === 'Progressing' && seen[seen.length - 1] !== state) seen.push(state);
      return c.status?.phase === 'Succeeded' || c.status?.phase === 'Failed' ? c : undefined;
    }, 240_000, 250);
    expect(done.status.phase).toBe('Succeeded');
    const states = seen.map((s) => JSON.parse(s));
    expect(states).toContainEqual({ weights: [['myapp-primary', 100], ['myapp-canary', 0]], mirror: { host: 'myapp-canary' }, mirrorPercentage: { value: 30 } });
    expect(states).toContainEqual({ weights: [['myapp-primary', 80], ['myapp-canary', 20]] });
    // The mirror comes before the first weight, and never with it.
    const mirrored = states.findIndex((s) => s.mirror !== undefined);
    const weighted = states.findIndex((s) => s.weights[1][1] > 0);
    expect(mirrored).toBeLessThan(weighted);
    expect(states.filter((s) => s.mirror !== undefined).every((s) => s.weights[1][1] === 0)).toBe(true);
  }, 300_000);
});
