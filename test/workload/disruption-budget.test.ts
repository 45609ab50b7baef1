/**
 * A PodDisruptionBudget per track: a node drain takes at most one pod of each version at a
 * time by default, selects exactly that version's pods, and a budget that would block every
 * eviction is refused before any object exists.
 */
import { Testing } from 'cdk8s';
import {
  BlueGreenColor, BlueGreenRelease, BlueGreenReleaseProps, CanaryRelease, CanaryReleaseProps, DisruptionBudget, TrafficRouter,
} from '../../src';
import { K8sObject, find, ofKind, synthValid } from '../util';

const v1 = { version: 'v1', image: 'myapp:v1', replicas: 3 };
const v2 = { version: 'v2', image: 'myapp:v2' };

function canary(props: Partial<CanaryReleaseProps> = {}): K8sObject[] {
  const chart = Testing.chart();
  new CanaryRelease(chart, 'myapp', { containerPort: 80, stable: v1, canary: v2, ...props });
  return synthValid(chart);
}

function blueGreen(props: Partial<BlueGreenReleaseProps> = {}): K8sObject[] {
  const chart = Testing.chart();
  new BlueGreenRelease(chart, 'myapp', { containerPort: 80, blue: v1, green: { ...v2, replicas: 3 }, active: BlueGreenColor.BLUE, ...props });
  return synthValid(chart);
}

const budgets = (manifests: K8sObject[]) => ofKind(manifests, 'PodDisruptionBudget');

describe('by default, one pod of each track at a time', () => {
  test('each track gets a budget <name>-<v> of maxUnavailable 1 that lets a pod that is not Ready go', () => {
    const manifests = canary();
    expect(budgets(manifests).map((b) => b.metadata.name)).toEqual(['myapp-v1', 'myapp-v2']);
    expect(find(manifests, 'PodDisruptionBudget', 'myapp-v1').spec).toEqual({
      maxUnavailable: 1,
      selector: { matchLabels: { app: 'myapp', version: 'v1' } },
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    });
  });

  test('a budget selects exactly what its track\'s Deployment selects', () => {
    const manifests = canary();
    for (const version of ['v1', 'v2']) {
      const deployment = find(manifests, 'Deployment', `myapp-${version}`);
      expect(find(manifests, 'PodDisruptionBudget', `myapp-${version}`).spec.selector).toEqual(deployment.spec.selector);
    }
  });

  test('a one-pod track is not blocked: maxUnavailable 1 lets its pod be drained', () => {
    expect(find(canary({ stable: { ...v1, replicas: 1 } }), 'PodDisruptionBudget', 'myapp-v1').spec.maxUnavailable).toBe(1);
  });

  test('a blue-green release has a budget per present color, the idle one too', () => {
    expect(budgets(blueGreen()).map((b) => b.spec.selector.matchLabels)).toEqual([
      { app: 'myapp', version: 'v1' },
      { app: 'myapp', version: 'v2' },
    ]);
    expect(budgets(blueGreen({ green: undefined })).map((b) => b.metadata.name)).toEqual(['myapp-v1']);
  });

  test('the budgets carry the release\'s labels and annotations', () => {
    const budget = find(canary({ metadata: { labels: { team: 'shop' }, annotations: { owner: 'a@example.com' } } }), 'PodDisruptionBudget', 'myapp-v1');
    expect(budget.metadata.labels).toEqual({ team: 'shop', app: 'myapp', version: 'v1' });
    expect(budget.metadata.annotations).toEqual({ owner: 'a@example.com' });
  });
});

describe('the factories', () => {
  test('maxUnavailable takes a number of pods or a percentage', () => {
    expect(find(canary({ disruptionBudget: DisruptionBudget.maxUnavailable(2) }), 'PodDisruptionBudget', 'myapp-v1').spec.maxUnavailable).toBe(2);
    expect(find(canary({ disruptionBudget: DisruptionBudget.maxUnavailable('25%') }), 'PodDisruptionBudget', 'myapp-v1').spec.maxUnavailable).toBe('25%');
  });

  test('minAvailable takes a number of pods or a percentage, and no maxUnavailable', () => {
    const spec = find(canary({ disruptionBudget: DisruptionBudget.minAvailable('50%'), canary: { ...v2, replicas: 2 } }), 'PodDisruptionBudget', 'myapp-v1').spec;
    expect(spec.minAvailable).toBe('50%');
    expect(spec.maxUnavailable).toBeUndefined();
  });

  test('none() emits no budget', () => {
    expect(budgets(canary({ disruptionBudget: DisruptionBudget.none() }))).toEqual([]);
    expect(budgets(blueGreen({ disruptionBudget: DisruptionBudget.none() }))).toEqual([]);
  });

  test('throws when maxUnavailable is 0: no pod could ever be drained', () => {
    expect(() => DisruptionBudget.maxUnavailable(0)).toThrow('DisruptionBudget.maxUnavailable: value (0) would block every eviction');
    expect(() => DisruptionBudget.maxUnavailable('0%')).toThrow('DisruptionBudget.maxUnavailable: value ("0%") would block every eviction');
  });

  test('throws when minAvailable is 100% or 0', () => {
    expect(() => DisruptionBudget.minAvailable('100%')).toThrow('DisruptionBudget.minAvailable: value ("100%") would block every eviction');
    expect(() => DisruptionBudget.minAvailable(0)).toThrow('DisruptionBudget.minAvailable: value (0) protects nothing');
  });

  test.each([
    [-1], [1.5], ['1'], ['50'], ['150%'], ['05%'], ['%'], [null], [{}],
  ])('throws when the value is %p: a whole number of pods or a percentage', (value) => {
    expect(() => DisruptionBudget.maxUnavailable(value as any)).toThrow(/DisruptionBudget\.maxUnavailable: value \(.*\) must be a whole number of pods \(e\.g\. 1\) or a percentage/);
    expect(() => DisruptionBudget.minAvailable(value as any)).toThrow(/DisruptionBudget\.minAvailable: value \(.*\) must be a whole number of pods/);
  });

  test('throws when disruptionBudget is not a DisruptionBudget', () => {
    expect(() => canary({ disruptionBudget: { maxUnavailable: 1 } as any })).toThrow(
      'CanaryRelease \'myapp\': disruptionBudget ({"maxUnavailable":1}) must be a DisruptionBudget: DisruptionBudget.maxUnavailable(n), .minAvailable(value) or .none()');
  });
});

describe('a budget that would block every eviction is refused', () => {
  test('throws when minAvailable equals a track\'s replicas', () => {
    expect(() => canary({ disruptionBudget: DisruptionBudget.minAvailable(3), canary: { ...v2, replicas: 4 } })).toThrow(
      'CanaryRelease \'myapp\': disruptionBudget ("DisruptionBudget.minAvailable(3)") would block every eviction of the stable track\'s pods when it runs 3 (stable.replicas): '
      + 'a node drain would wait on them forever; use DisruptionBudget.maxUnavailable(1) or a lower minAvailable, or run more pods at that point (replicas, or autoscaling.minReplicas)');
  });

  test('throws when a percentage rounds up to every pod of the smallest track: 50% of the canary\'s one pod', () => {
    expect(() => canary({ disruptionBudget: DisruptionBudget.minAvailable('50%') })).toThrow(
      'disruptionBudget ("DisruptionBudget.minAvailable(\'50%\')") would block every eviction of the canary track\'s pods when it runs 1 (canary.replicas defaults to 1)');
  });

  test('throws for a color too, and nothing is emitted', () => {
    const chart = Testing.chart();
    expect(() => new BlueGreenRelease(chart, 'myapp', {
      containerPort: 80, blue: { ...v1, replicas: 2 }, green: v2, active: BlueGreenColor.BLUE, disruptionBudget: DisruptionBudget.minAvailable(2),
    })).toThrow('would block every eviction of the blue track\'s pods when it runs 2 (blue.replicas)');
    expect(chart.node.findAll().filter((c) => c !== chart)).toHaveLength(1);
  });

  test('a track with no pods has nothing to block: a canary of 0 replicas and no traffic', () => {
    const manifests = canary({ disruptionBudget: DisruptionBudget.minAvailable(2), canary: { ...v2, replicas: 0 } });
    expect(find(manifests, 'PodDisruptionBudget', 'myapp-v2').spec.minAvailable).toBe(2);
  });

  test('minAvailable below every track\'s size is accepted', () => {
    const manifests = canary({ disruptionBudget: DisruptionBudget.minAvailable(1), canary: { ...v2, replicas: 2 }, router: TrafficRouter.nginx({ host: 'myapp.example.com' }) });
    expect(budgets(manifests).map((b) => b.spec.minAvailable)).toEqual([1, 1]);
  });
});
