/**
 * Budgets and autoscaling under Argo Rollouts: a budget per version over that version's
 * ReplicaSets (stable and canary), one autoscaler on the Rollout, and dynamicStableScale so
 * the autoscaler does not grow the stable while the canary runs beside it.
 */
import { Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  BlueGreenColor, BlueGreenRelease, BlueGreenReleaseProps, CanaryRelease, CanaryReleaseProps, CanaryStep, DeliveryEngine, DisruptionBudget, TrafficRouter,
} from '../../../src';
import { K8sObject, find, ofKind, synthValid } from '../../util';

const v1 = { version: 'v1', image: 'myapp:v1' };
const v2 = { version: 'v2', image: 'myapp:v2' };
const requests = { resources: { cpu: { request: kplus.Cpu.millis(250) } } };
const PLAN = [CanaryStep.shiftTraffic(10), CanaryStep.pause(Duration.hours(1)), CanaryStep.shiftTraffic(50), CanaryStep.pause(Duration.hours(1))];
const nginx = () => TrafficRouter.nginx({ host: 'myapp.example.com' });

function canary(props: Partial<CanaryReleaseProps> = {}): K8sObject[] {
  const chart = Testing.chart();
  new CanaryRelease(chart, 'myapp', {
    containerPort: 80, container: requests, router: nginx(), steps: PLAN, engine: DeliveryEngine.argoRollouts(),
    stable: { ...v1, replicas: 4 }, canary: v2, ...props,
  });
  return synthValid(chart);
}

function blueGreen(props: Partial<BlueGreenReleaseProps> = {}): K8sObject[] {
  const chart = Testing.chart();
  new BlueGreenRelease(chart, 'myapp', {
    containerPort: 80, container: requests, engine: DeliveryEngine.argoRollouts(), blue: v1, green: v2, active: BlueGreenColor.BLUE, ...props,
  });
  return synthValid(chart);
}

const budgetSelectors = (manifests: K8sObject[]) => ofKind(manifests, 'PodDisruptionBudget').map((b) => [b.metadata.name, b.spec.selector.matchLabels]);
const rolloutSpec = (manifests: K8sObject[]) => find(manifests, 'Rollout', 'myapp').spec;

describe('a budget per version, over its ReplicaSets', () => {
  test('the stable and the canary each get <name>-<v>, selecting the version label both ReplicaSets\' pods keep', () => {
    const manifests = canary();
    expect(budgetSelectors(manifests)).toEqual([
      ['myapp-v1', { app: 'myapp', version: 'v1' }],
      ['myapp-v2', { app: 'myapp', version: 'v2' }],
    ]);
    // The Rollout's pods carry the version in their template, beside Argo's pod-template hash.
    expect(rolloutSpec(manifests).template.metadata.labels).toMatchObject({ app: 'myapp', version: 'v2' });
  });

  test('blue-green: a budget per present color', () => {
    expect(budgetSelectors(blueGreen()).map(([name]) => name)).toEqual(['myapp-v1', 'myapp-v2']);
  });

  test('throws when a budget blocks the canary at its first weight: 10% of 4 pods is one pod', () => {
    expect(() => canary({ disruptionBudget: DisruptionBudget.minAvailable(1) })).toThrow(
      'CanaryRelease \'myapp\': disruptionBudget ("DisruptionBudget.minAvailable(1)") would block every eviction of the canary track\'s pods when it runs 1 (its share at weight 10 of 100, from 4 (stable.replicas))');
  });

  test('a basic canary (service()) never rounds the canary to 0 pods: at 10% of 2 it runs 1, beside 2 stable (a surge of 1)', () => {
    // Argo Rollouts v1.9.1, utils/replicaset/canary.go approximateWeightedCanaryStableReplicaCounts.
    const steps = [CanaryStep.shiftTraffic(10), CanaryStep.pause()];
    expect(() => canary({ router: TrafficRouter.service(), steps, stable: { ...v1, replicas: 2 }, disruptionBudget: DisruptionBudget.minAvailable(1) })).toThrow(
      'would block every eviction of the canary track\'s pods when it runs 1 (its share at weight 10 of 100, from 2 (stable.replicas))');
  });

  test('a basic canary at 50% of 3 runs 2 and 2 (a surge of 1 reaches the weight exactly): minAvailable(1) leaves room', () => {
    const steps = [CanaryStep.shiftTraffic(50), CanaryStep.pause()];
    const manifests = canary({ router: TrafficRouter.service(), steps, stable: { ...v1, replicas: 3 }, disruptionBudget: DisruptionBudget.minAvailable(1) });
    expect(ofKind(manifests, 'PodDisruptionBudget').map((b) => b.spec.minAvailable)).toEqual([1, 1]);
  });

  test('a budget that leaves room at the canary\'s smallest size is accepted', () => {
    const manifests = canary({ disruptionBudget: DisruptionBudget.minAvailable(1), stable: { ...v1, replicas: 20 } });
    expect(ofKind(manifests, 'PodDisruptionBudget').map((b) => b.spec.minAvailable)).toEqual([1, 1]);
  });
});

describe('one autoscaler on the Rollout', () => {
  const autoscaling = { minReplicas: 4, maxReplicas: 20 };

  test('it targets the Rollout, which has no replicas, with the stable\'s bounds', () => {
    const manifests = canary({ autoscaling, stable: v1 });
    expect(find(manifests, 'HorizontalPodAutoscaler', 'myapp').spec).toMatchObject({
      scaleTargetRef: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'myapp' },
      minReplicas: 4,
      maxReplicas: 20,
    });
    expect(rolloutSpec(manifests).replicas).toBeUndefined();
  });

  test('with traffic routing, dynamicStableScale: the stable shrinks as the canary grows, so the pods the autoscaler counts stay near its size', () => {
    expect(rolloutSpec(canary({ autoscaling, stable: v1 })).strategy.canary.dynamicStableScale).toBe(true);
    expect(rolloutSpec(canary({ stable: v1 })).strategy.canary.dynamicStableScale).toBeUndefined();
  });

  test('without traffic routing, Argo\'s basic canary already takes the canary\'s pods from the stable\'s', () => {
    const manifests = canary({ autoscaling, stable: v1, router: TrafficRouter.service(), canary: v2 });
    expect(rolloutSpec(manifests).strategy.canary.dynamicStableScale).toBeUndefined();
  });

  test('the stable\'s budget leaves room at its smallest size, which dynamicStableScale takes down to its share', () => {
    // At 50% of 4 pods, the stable runs ceil(4 × 50/100) = 2.
    expect(() => canary({ autoscaling, stable: v1, disruptionBudget: DisruptionBudget.minAvailable(2), canary: { ...v2, replicas: 3 } })).toThrow(
      'would block every eviction of the stable track\'s pods when it runs 2 (at weight 50 of 100, from 4 (autoscaling.minReplicas))');
  });

  test('blue-green: the autoscaler sizes the Rollout, and the preview ReplicaSet runs the same replicas as the active', () => {
    const manifests = blueGreen({ autoscaling: { minReplicas: 3, maxReplicas: 9 } });
    expect(find(manifests, 'HorizontalPodAutoscaler', 'myapp').spec.scaleTargetRef.kind).toBe('Rollout');
    expect(rolloutSpec(manifests).replicas).toBeUndefined();
    expect(rolloutSpec(manifests).strategy.blueGreen.previewReplicaCount).toBeUndefined();
  });

  test('throws with scaleDownDelay, which Argo Rollouts refuses beside dynamicStableScale', () => {
    expect(() => canary({ autoscaling, stable: v1, engine: DeliveryEngine.argoRollouts({ scaleDownDelay: Duration.minutes(5) }) })).toThrow(
      'CanaryRelease \'myapp\': engine ("DeliveryEngine.argoRollouts({ scaleDownDelay: 5 minutes })") cannot be used with autoscaling: the library sets dynamicStableScale');
  });

  test('the canary may still set its size before the first weight (setCanaryScale)', () => {
    const steps = rolloutSpec(canary({ autoscaling, stable: v1, canary: { ...v2, replicas: 2 } })).strategy.canary.steps;
    expect(steps[0]).toEqual({ setCanaryScale: { replicas: 2 } });
  });
});
