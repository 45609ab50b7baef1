/**
 * CanaryStep and the plan: the factories, and what a plan and a canary's `step` may be. What a
 * step renders is in manifests-engine.test.ts (plain manifests) and argo-rollouts-engine.test.ts.
 */
import { Duration, Testing } from 'cdk8s';
import { CanaryRelease, CanaryReleaseProps, CanaryStep, CanaryStepType, TrafficRouter } from '../../src';

/** The plan: 5% for 2 hours, 50% for 4 hours, then everyone. */
const PLAN = [
  CanaryStep.shiftTraffic(5), CanaryStep.pause(Duration.hours(2)),
  CanaryStep.shiftTraffic(50), CanaryStep.pause(Duration.hours(4)),
  CanaryStep.shiftTraffic(100),
];

function build(props: Partial<CanaryReleaseProps>): CanaryRelease {
  return new CanaryRelease(Testing.chart(), 'myapp', {
    containerPort: 80,
    router: TrafficRouter.nginx({ host: 'myapp.example.com' }),
    stable: { version: 'v1', image: 'myapp:v1', replicas: 3 },
    ...props,
  });
}

describe('CanaryStep', () => {
  test('shiftTraffic(weight) and pause(duration?) say what they do', () => {
    const shift = CanaryStep.shiftTraffic(5);
    expect([shift.type, shift.weight, shift.duration]).toEqual([CanaryStepType.SHIFT_TRAFFIC, 5, undefined]);
    const timed = CanaryStep.pause(Duration.hours(2));
    expect([timed.type, timed.weight, timed.duration?.toSeconds()]).toEqual([CanaryStepType.PAUSE, undefined, 7200]);
    // No duration: wait for a human.
    const human = CanaryStep.pause();
    expect([human.type, human.duration]).toEqual([CanaryStepType.PAUSE, undefined]);
  });

  test('shiftTraffic accepts 0 and weights above 100 (for a weightTotal above 100)', () => {
    expect(CanaryStep.shiftTraffic(0).weight).toBe(0);
    expect(CanaryStep.shiftTraffic(1_000_000).weight).toBe(1_000_000);
  });

  test.each([
    [-1, 'CanaryStep.shiftTraffic: weight (-1) must be a whole number between 0 and weightTotal (at most 1000000)'],
    [2.5, 'CanaryStep.shiftTraffic: weight (2.5) must be a whole number between 0 and weightTotal (at most 1000000)'],
    [1_000_001, 'CanaryStep.shiftTraffic: weight (1000001) must be a whole number between 0 and weightTotal (at most 1000000)'],
  ])('throws when shiftTraffic gets %p', (weight, message) => {
    expect(() => CanaryStep.shiftTraffic(weight)).toThrow(message);
  });

  test('throws when a pause has a negative duration: cdk8s Duration refuses it itself', () => {
    expect(() => CanaryStep.pause(Duration.seconds(-1))).toThrow('Duration amounts cannot be negative. Received: -1');
  });

  test('throws when a pause lasts zero: leaving the duration out is how to wait for a human', () => {
    expect(() => CanaryStep.pause(Duration.seconds(0)))
      .toThrow('CanaryStep.pause: duration ("0 seconds") must be longer than zero; leave it out to wait for a human');
  });

  test('throws when a pause is not a whole number of seconds', () => {
    expect(() => CanaryStep.pause(Duration.millis(1500))).toThrow('CanaryStep.pause: duration ("1500ms") must be a whole number of seconds');
  });

  test('throws when a pause duration is not a cdk8s Duration', () => {
    expect(() => CanaryStep.pause('2h' as unknown as Duration)).toThrow('CanaryStep.pause: duration ("2h") must be a cdk8s Duration, e.g. Duration.hours(2)');
  });
});

describe('a plan (steps) and a canary\'s step', () => {
  test('a plan without a canary is valid: it stays across releases', () => {
    const release = build({ steps: PLAN });
    expect(release.canaryDeployment).toBeUndefined();
  });

  test('weights may stay level along a plan', () => {
    expect(() => build({ steps: [CanaryStep.shiftTraffic(5), CanaryStep.shiftTraffic(5)], canary: { version: 'v2', image: 'myapp:v2', step: 1 } })).not.toThrow();
  });

  test('throws when the weights go down along the plan', () => {
    expect(() => build({ steps: [CanaryStep.shiftTraffic(50), CanaryStep.pause(), CanaryStep.shiftTraffic(5)] }))
      .toThrow('CanaryRelease \'myapp\': steps[2].weight (5) must not be below the weight of an earlier step (50): weights only go up along a plan');
  });

  test('a plan waits for the next canary: without one, its weights are not checked against a total', () => {
    // After promotion the canary, and with it traffic.weightTotal, goes away; the plan stays.
    expect(() => build({ steps: [CanaryStep.shiftTraffic(150), CanaryStep.shiftTraffic(1000)] })).not.toThrow();
    expect(() => build({ steps: [CanaryStep.shiftTraffic(150), CanaryStep.shiftTraffic(100)] })).toThrow('steps[1].weight (100) must not be below the weight of an earlier step (150)');
  });

  test('throws when a weight is above the canary\'s weightTotal', () => {
    expect(() => build({ steps: [CanaryStep.shiftTraffic(150)], canary: { version: 'v2', image: 'myapp:v2' } }))
      .toThrow('CanaryRelease \'myapp\': steps[0].weight (150) must be at most the canary\'s weightTotal (100)');
    // The same weight is fine out of 1000.
    expect(() => build({ steps: [CanaryStep.shiftTraffic(150)], canary: { version: 'v2', image: 'myapp:v2', step: 0, traffic: { weightTotal: 1000 } } })).not.toThrow();
  });

  test('throws when the plan is empty', () => {
    expect(() => build({ steps: [] }))
      .toThrow('CanaryRelease \'myapp\': steps ([]) must be a non-empty list of CanaryStep.shiftTraffic(weight) and CanaryStep.pause(duration?), or left out');
  });

  test('throws when a step is not a CanaryStep', () => {
    expect(() => build({ steps: [CanaryStep.shiftTraffic(5), { type: 'Pause' } as unknown as CanaryStep] }))
      .toThrow('CanaryRelease \'myapp\': steps[1] ({"type":"Pause"}) must be a CanaryStep: CanaryStep.shiftTraffic(weight) or CanaryStep.pause(duration?)');
  });

  test.each([
    [5, 'CanaryRelease \'myapp\': canary.step (5) must be a whole number between 0 and 4 (an index into steps)'],
    [-1, 'CanaryRelease \'myapp\': canary.step (-1) must be a whole number between 0 and 4 (an index into steps)'],
    [1.5, 'CanaryRelease \'myapp\': canary.step (1.5) must be a whole number between 0 and 4 (an index into steps)'],
  ])('throws when the step (%p) is outside the plan', (step, message) => {
    expect(() => build({ steps: PLAN, canary: { version: 'v2', image: 'myapp:v2', step } })).toThrow(message);
  });

  test('throws when a step comes with traffic.weight: one of them sets the weight', () => {
    expect(() => build({ steps: PLAN, canary: { version: 'v2', image: 'myapp:v2', step: 1, traffic: { weight: 10 } } }))
      .toThrow('CanaryRelease \'myapp\': canary.step (1) cannot be set with canary.traffic.weight (10): the step\'s plan sets the weight');
  });

  test('throws when a step has no plan', () => {
    expect(() => build({ canary: { version: 'v2', image: 'myapp:v2', step: 0 } }))
      .toThrow('CanaryRelease \'myapp\': canary.step (0) needs steps: it is a position in the release\'s plan');
  });

  test('throws when a step meets a router that cannot weight requests', () => {
    expect(() => build({ router: TrafficRouter.service(), steps: PLAN, canary: { version: 'v2', image: 'myapp:v2', step: 0 } }))
      .toThrow('CanaryRelease \'myapp\': canary.step (0) needs a router that steers requests (TrafficRouter.nginx(), .istio() or .gatewayApi()): with TrafficRouter.service() requests split by replica ratio only');
  });
});
