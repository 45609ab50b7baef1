/**
 * canary.traffic.mirror under DeliveryEngine.argoRollouts(): Argo Rollouts (v1.9.1) mirrors with
 * Istio only, through its own route named in managedRoutes: a setMirrorRoute step at the start
 * of the release (after the canary has pods and the smoke test passed) and another, without
 * match, that removes it before the first weight above 0.
 */
import { Chart, Duration, Testing } from 'cdk8s';
import { CanaryRelease, CanaryReleaseProps, CanaryStep, DeliveryEngine, HeaderMatch, TrafficRouter } from '../../../src';
import { K8sObject, find, synthValid } from '../../util';

const v1 = { version: 'v1', image: 'myapp:v1', replicas: 3 };
const v2 = { version: 'v2', image: 'myapp:v2' };
/** An hour of copies at weight 0, then 20% for 2 hours, then everyone. */
const PLAN = [CanaryStep.pause(Duration.hours(1)), CanaryStep.shiftTraffic(20), CanaryStep.pause(Duration.hours(2)), CanaryStep.shiftTraffic(100)];
const MIRROR_ON = { setMirrorRoute: { name: 'mirror', match: [{ path: { prefix: '/' } }], percentage: 30 } };
const MIRROR_OFF = { setMirrorRoute: { name: 'mirror' } };

function canary(props: Partial<CanaryReleaseProps>, chart: Chart = Testing.chart()): K8sObject[] {
  new CanaryRelease(chart, 'myapp', {
    containerPort: 80, servicePort: 8080, stable: v1, canary: { ...v2, traffic: { mirror: 30 } },
    engine: DeliveryEngine.argoRollouts(), router: TrafficRouter.istio(), steps: PLAN, ...props,
  });
  return synthValid(chart);
}

const strategy = (manifests: K8sObject[]) => find(manifests, 'Rollout', 'myapp').spec.strategy.canary;

test('the canary gets one pod, the mirror route copies 30% until the first weight, then the route is removed and the weight shifts', () => {
  expect(strategy(canary({})).steps).toEqual([
    { setCanaryScale: { replicas: 1 } },
    MIRROR_ON,
    { pause: { duration: '1h' } },
    MIRROR_OFF,
    { setCanaryScale: { weight: 20 } },
    { setWeight: 20 },
    { setCanaryScale: { matchTrafficWeight: true } },
    { pause: { duration: '2h' } },
    { setWeight: 100 },
  ]);
});

test('the mirror route is a managed route; the VirtualService Argo shifts carries no mirror of its own', () => {
  const manifests = canary({});
  expect(strategy(manifests).trafficRouting).toEqual({
    istio: { virtualService: { name: 'myapp', routes: ['weighted'] } },
    managedRoutes: [{ name: 'mirror' }],
  });
  const http = find(manifests, 'VirtualService', 'myapp').spec.http;
  expect(http).toEqual([{ name: 'weighted', route: [
    { destination: { host: 'myapp', port: { number: 8080 } }, weight: 100 },
    { destination: { host: 'myapp-canary', port: { number: 8080 } }, weight: 0 },
  ] }]);
});

test('with a smoke test, the mirror starts once the smoke test passed', () => {
  const steps = strategy(canary({ smokeTest: { path: '/healthz' } })).steps;
  expect(steps.slice(0, 4)).toEqual([
    { setCanaryScale: { replicas: 1 } },
    { analysis: { templates: [{ templateName: 'myapp-smoke' }] } },
    MIRROR_ON,
    { pause: { duration: '1h' } },
  ]);
});

test('without a plan, the mirror runs while the canary waits at weight 0 for a human; Argo removes managed routes on promotion', () => {
  expect(strategy(canary({ steps: undefined })).steps).toEqual([
    { setCanaryScale: { replicas: 1 } }, MIRROR_ON, { setWeight: 0 }, { pause: {} },
  ]);
});

test('with canary.replicas, the canary runs that many pods while it receives copies', () => {
  expect(strategy(canary({ canary: { ...v2, replicas: 2, traffic: { mirror: 30 } } })).steps[0]).toEqual({ setCanaryScale: { replicas: 2 } });
});

test('by subset, the DestinationRule is Argo Rollouts\' (it mirrors to the canary subset itself)', () => {
  const routing = strategy(canary({ router: TrafficRouter.istio({ subsets: true }) })).trafficRouting;
  expect(routing.managedRoutes).toEqual([{ name: 'mirror' }]);
  expect(routing.istio.destinationRule).toEqual({ name: 'myapp', stableSubsetName: 'stable', canarySubsetName: 'canary' });
});

describe('refusals', () => {
  test('throws when the plan starts with a weight above 0: the mirror would be removed as soon as it is added', () => {
    expect(() => canary({ steps: [CanaryStep.shiftTraffic(5), CanaryStep.pause(Duration.hours(1))] })).toThrow(
      "CanaryRelease 'myapp': canary.traffic.mirror (30) needs a pause before the first weight above 0 (steps[0], shiftTraffic(5)) under DeliveryEngine.argoRollouts(): "
      + 'the mirror runs from the start of the release to the first weight above 0, when the canary starts serving requests itself; start steps with e.g. CanaryStep.pause(Duration.hours(1))');
  });

  test('throws when mirror comes with header or cookie rules: Argo puts its mirror route before them', () => {
    expect(() => canary({ canary: { ...v2, traffic: { mirror: 30, header: HeaderMatch.exact('stage', 'gray') } } })).toThrow(
      "CanaryRelease 'myapp': canary.traffic.mirror (30) cannot be combined with header or cookie rules under DeliveryEngine.argoRollouts() and TrafficRouter.istio(): "
      + 'Argo Rollouts puts its mirror route before every route of the VirtualService, so header and cookie requests would be copied and sent to stable instead of the canary; '
      + 'mirror first, then add the header or cookie rules in a later release');
  });

  test('throws when mirror is set with Gateway API: Argo Rollouts accepts setMirrorRoute with Istio only', () => {
    expect(() => canary({ router: TrafficRouter.gatewayApi({ parentRefs: [{ name: 'public' }] }) })).toThrow(
      "CanaryRelease 'myapp': canary.traffic.mirror (30) cannot be expressed with DeliveryEngine.argoRollouts() and TrafficRouter.gatewayApi(): Argo Rollouts accepts setMirrorRoute steps with Istio only; "
      + 'use TrafficRouter.istio(), or mirror with DeliveryEngine.manifests()');
  });

  test('throws when mirror is set with nginx', () => {
    expect(() => canary({ router: TrafficRouter.nginx({ host: 'myapp.example.com' }) })).toThrow(/canary\.traffic\.mirror \(30\) cannot be expressed with TrafficRouter\.nginx\(\)/);
  });

  test('throws when the canary has no pods to receive the copies', () => {
    expect(() => canary({ canary: { ...v2, replicas: 0, traffic: { mirror: 30 } } })).toThrow(/canary\.replicas \(0\) must be at least 1 while the canary receives requests \(copies of 30% of the weighted rule's requests/);
  });
});
