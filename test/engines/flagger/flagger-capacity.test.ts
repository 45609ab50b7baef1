/**
 * Budgets and autoscaling under Flagger: a budget over `<name>-primary`'s pods (which Flagger
 * labels `app: <name>-primary`) and one over the canary's, and the autoscaler `<name>` that the
 * Canary's autoscalerRef names and Flagger copies for the primary, with the canary kept in
 * proportion through primaryScalerReplicas.
 */
import { Chart, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  BlueGreenColor, BlueGreenRelease, CanaryRelease, CanaryReleaseProps, CanaryStep, DeliveryEngine, DisruptionBudget, HeaderMatch, TrafficRouter,
} from '../../../src';
import { K8sObject, find, ofKind, synthValid } from '../../util';

const v1 = { version: 'v1', image: 'myapp:v1' };
const v2 = { version: 'v2', image: 'myapp:v2' };
const requests = { resources: { cpu: { request: kplus.Cpu.millis(250) } } };
const PLAN = [CanaryStep.shiftTraffic(10), CanaryStep.pause(Duration.minutes(10)), CanaryStep.shiftTraffic(25), CanaryStep.pause(Duration.minutes(10))];
const autoscaling = { minReplicas: 4, maxReplicas: 20 };
const nginx = () => TrafficRouter.nginx({ host: 'myapp.example.com' });

function canary(props: Partial<CanaryReleaseProps> = {}, chart: Chart = Testing.chart()): K8sObject[] {
  new CanaryRelease(chart, 'myapp', {
    containerPort: 80, container: requests, router: nginx(), steps: PLAN, engine: DeliveryEngine.flagger(), stable: v1, canary: v2, ...props,
  });
  return synthValid(chart);
}

const canarySpec = (manifests: K8sObject[]) => find(manifests, 'Canary', 'myapp').spec;

describe('a budget over the primary\'s pods and one over the canary\'s', () => {
  test('<name>-primary selects app: <name>-primary, the label Flagger gives the primary\'s pods; <name> the canary\'s', () => {
    expect(ofKind(canary(), 'PodDisruptionBudget').map((b) => [b.metadata.name, b.spec.selector.matchLabels])).toEqual([
      ['myapp-primary', { app: 'myapp-primary' }],
      ['myapp', { app: 'myapp' }],
    ]);
  });

  test('the canary\'s budget selects what the Deployment <name> selects', () => {
    const manifests = canary();
    expect(find(manifests, 'PodDisruptionBudget', 'myapp').spec.selector).toEqual(find(manifests, 'Deployment', 'myapp').spec.selector);
  });

  test('blue-green: the same two budgets, the active color\'s over the primary', () => {
    const chart = Testing.chart();
    new BlueGreenRelease(chart, 'myapp', { containerPort: 80, engine: DeliveryEngine.flagger(), blue: v1, green: v2, active: BlueGreenColor.BLUE });
    expect(ofKind(synthValid(chart), 'PodDisruptionBudget').map((b) => b.metadata.name)).toEqual(['myapp-primary', 'myapp']);
  });

  test('throws when stable.replicas is 0 and the budget needs a pod: Flagger still runs the primary at one pod', () => {
    expect(() => canary({ stable: { ...v1, replicas: 0 }, disruptionBudget: DisruptionBudget.minAvailable(1) })).toThrow(
      'would block every eviction of the stable track\'s pods when it runs 1 (Flagger runs one pod when stable.replicas is 0)');
  });

  test('blue-green: the primary runs the active color at its size until the new one is promoted into it', () => {
    const chart = Testing.chart();
    expect(() => new BlueGreenRelease(chart, 'myapp', {
      containerPort: 80, engine: DeliveryEngine.flagger(), blue: v1, green: { ...v2, replicas: 3 }, active: BlueGreenColor.BLUE, disruptionBudget: DisruptionBudget.minAvailable(1),
    })).toThrow('would block every eviction of the blue track\'s pods when it runs 1 (blue.replicas defaults to 1)');
  });

  test('throws when a budget blocks the primary at the stable\'s size', () => {
    expect(() => canary({ stable: { ...v1, replicas: 2 }, disruptionBudget: DisruptionBudget.minAvailable(2) })).toThrow(
      'CanaryRelease \'myapp\': disruptionBudget ("DisruptionBudget.minAvailable(2)") would block every eviction of the stable track\'s pods when it runs 2 (stable.replicas)');
  });
});

describe('the autoscaler <name>, which Flagger copies for <name>-primary', () => {
  test('it scales the Deployment <name>, which has no replicas, and the Canary names it in autoscalerRef', () => {
    const manifests = canary({ autoscaling });
    expect(find(manifests, 'HorizontalPodAutoscaler', 'myapp').spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'myapp' });
    expect(find(manifests, 'Deployment', 'myapp').spec.replicas).toBeUndefined();
    expect(canarySpec(manifests).autoscalerRef).toMatchObject({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', name: 'myapp' });
  });

  test('the canary\'s bounds follow the plan\'s largest weight (25% of 4 to 20: 1 to 5); the primary keeps the stable\'s through primaryScalerReplicas', () => {
    const manifests = canary({ autoscaling });
    expect(find(manifests, 'HorizontalPodAutoscaler', 'myapp').spec).toMatchObject({ minReplicas: 1, maxReplicas: 5 });
    expect(canarySpec(manifests).autoscalerRef.primaryScalerReplicas).toEqual({ minReplicas: 4, maxReplicas: 20 });
  });

  test('an A/B test sends a share nobody knows: the canary may grow to the stable\'s maximum', () => {
    const manifests = canary({ autoscaling, steps: [CanaryStep.pause(Duration.minutes(10))], canary: { ...v2, traffic: { header: HeaderMatch.exact('stage', 'gray') } } });
    expect(find(manifests, 'HorizontalPodAutoscaler', 'myapp').spec).toMatchObject({ minReplicas: 1, maxReplicas: 20 });
  });

  test('blue-green: the new color has the active\'s bounds, and Flagger rolls it into the primary at the primary\'s size', () => {
    const chart = Testing.chart();
    new BlueGreenRelease(chart, 'myapp', { containerPort: 80, container: requests, autoscaling, engine: DeliveryEngine.flagger(), blue: v1, green: v2, active: BlueGreenColor.BLUE });
    const manifests = synthValid(chart);
    expect(find(manifests, 'HorizontalPodAutoscaler', 'myapp').spec).toMatchObject({ minReplicas: 4, maxReplicas: 20 });
    expect(canarySpec(manifests).autoscalerRef.primaryScalerReplicas).toBeUndefined();
  });

  test('the budget of the canary leaves room at its autoscaler\'s minimum', () => {
    expect(() => canary({ autoscaling, disruptionBudget: DisruptionBudget.minAvailable(1) })).toThrow(
      'would block every eviction of the canary track\'s pods when it runs 1 (its autoscaler\'s minimum, autoscaling.minReplicas in proportion to the plan\'s largest weight)');
  });

});
