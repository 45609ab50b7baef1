/**
 * canary.traffic.mirror under DeliveryEngine.flagger() (v1.44.0): the Canary's
 * `analysis.mirror` and `mirrorWeight`. Flagger mirrors a weighted canary with Istio only, for
 * one interval at weight 0 before its first step weight (pkg/controller/scheduler.go, runCanary).
 */
import { Chart, Duration, Testing } from 'cdk8s';
import { CanaryRelease, CanaryReleaseProps, CanaryStep, DeliveryEngine, HeaderMatch, TrafficRouter } from '../../../src';
import { K8sObject, find, synthValid } from '../../util';

const v1 = { version: 'v1', image: 'myapp:v1', replicas: 3 };
const v2 = { version: 'v2', image: 'myapp:v2' };
const PLAN = [CanaryStep.shiftTraffic(5), CanaryStep.pause(Duration.hours(1)), CanaryStep.shiftTraffic(50), CanaryStep.pause(Duration.hours(1)), CanaryStep.shiftTraffic(100)];

function canary(props: Partial<CanaryReleaseProps>, chart: Chart = Testing.chart()): K8sObject[] {
  new CanaryRelease(chart, 'myapp', {
    containerPort: 80, servicePort: 8080, stable: v1, canary: { ...v2, traffic: { mirror: 30 } },
    router: TrafficRouter.istio(), steps: PLAN, engine: DeliveryEngine.flagger(), ...props,
  });
  return synthValid(chart);
}

test('the Canary mirrors 30% of the requests for one interval before its first step weight', () => {
  expect(find(canary({}), 'Canary', 'myapp').spec.analysis).toEqual({
    interval: '60m', stepWeights: [5, 50], mirror: true, mirrorWeight: 30, threshold: 1,
  });
});

test('without mirror the Canary says nothing of mirroring', () => {
  const analysis = find(canary({ canary: { ...v2, traffic: {} } }), 'Canary', 'myapp').spec.analysis;
  expect([analysis.mirror, analysis.mirrorWeight]).toEqual([undefined, undefined]);
});

describe('refusals', () => {
  test('throws when mirror comes with header or cookie rules: Flagger runs an A/B test, which does not mirror', () => {
    expect(() => canary({ canary: { ...v2, traffic: { mirror: 30, header: HeaderMatch.exact('stage', 'gray') } }, steps: [CanaryStep.pause(Duration.hours(1))] })).toThrow(
      "CanaryRelease 'myapp': canary.traffic.mirror (30) cannot be combined with header or cookie rules under DeliveryEngine.flagger(): Flagger runs them as an A/B test, which does not mirror; "
      + 'mirror in a weighted canary (steps with shiftTraffic), then add the header or cookie rules in a later release');
  });

  test('throws when mirror is set with Gateway API: Flagger mirrors only blue-green analyses there', () => {
    expect(() => canary({ router: TrafficRouter.gatewayApi({ parentRefs: [{ name: 'public' }] }) })).toThrow(
      "CanaryRelease 'myapp': canary.traffic.mirror (30) cannot be expressed with DeliveryEngine.flagger() and TrafficRouter.gatewayApi(): Flagger's Gateway API router mirrors in blue-green analyses only, never in a canary's; "
      + 'use TrafficRouter.istio(), or mirror with DeliveryEngine.manifests()');
  });

  test('throws when mirror is set with nginx', () => {
    expect(() => canary({ router: TrafficRouter.nginx({ host: 'myapp.example.com' }) })).toThrow(/canary\.traffic\.mirror \(30\) cannot be expressed with TrafficRouter\.nginx\(\)/);
  });
});
