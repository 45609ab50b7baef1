/**
 * Autoscaling under plain manifests: a HorizontalPodAutoscaler per track, the canary's bounds
 * the stable's in proportion to its weight, and workloads without `replicas` so that applying
 * the next commit never resets what the autoscaler chose.
 */
import { Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  BlueGreenColor, BlueGreenRelease, BlueGreenReleaseProps, CanaryRelease, CanaryReleaseProps, CanaryStep, DisruptionBudget, HeaderMatch, TrafficRouter,
} from '../../src';
import { K8sObject, find, ofKind, synthValid } from '../util';

const v1 = { version: 'v1', image: 'myapp:v1' };
const v2 = { version: 'v2', image: 'myapp:v2' };
const requests = { resources: { cpu: { request: kplus.Cpu.millis(250) } } };
const nginx = () => TrafficRouter.nginx({ host: 'myapp.example.com' });

function canary(props: Partial<CanaryReleaseProps> = {}): K8sObject[] {
  const chart = Testing.chart();
  new CanaryRelease(chart, 'myapp', {
    containerPort: 80, container: requests, router: nginx(), autoscaling: { minReplicas: 4, maxReplicas: 20 }, stable: v1, ...props,
  });
  return synthValid(chart);
}

function blueGreen(props: Partial<BlueGreenReleaseProps> = {}): K8sObject[] {
  const chart = Testing.chart();
  new BlueGreenRelease(chart, 'myapp', {
    containerPort: 80, container: requests, autoscaling: { minReplicas: 3, maxReplicas: 10 }, blue: v1, green: v2, active: BlueGreenColor.BLUE, ...props,
  });
  return synthValid(chart);
}

const hpa = (manifests: K8sObject[], name: string) => find(manifests, 'HorizontalPodAutoscaler', name);
const bounds = (manifests: K8sObject[], name: string) => {
  const { minReplicas, maxReplicas } = hpa(manifests, name).spec;
  return [minReplicas, maxReplicas];
};

describe('a HorizontalPodAutoscaler per track', () => {
  test('the stable track\'s autoscaler scales its Deployment between the bounds on 80% CPU by default', () => {
    expect(hpa(canary(), 'myapp-v1').spec).toEqual({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'myapp-v1' },
      minReplicas: 4,
      maxReplicas: 20,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }],
    });
  });

  test('an autoscaled Deployment has no replicas: applying the next commit leaves the autoscaler\'s choice', () => {
    expect(find(canary(), 'Deployment', 'myapp-v1').spec.replicas).toBeUndefined();
  });

  test('minReplicas defaults to 2, so one pod can be drained while the other serves', () => {
    expect(bounds(canary({ autoscaling: { maxReplicas: 5 } }), 'myapp-v1')).toEqual([2, 5]);
  });

  test('memory and CPU targets, each a percentage of its request', () => {
    const manifests = canary({
      container: { resources: { cpu: { request: kplus.Cpu.millis(250) }, memory: { request: Size.mebibytes(256) } } },
      autoscaling: { maxReplicas: 5, cpuUtilization: 60, memoryUtilization: 75 },
    });
    expect(hpa(manifests, 'myapp-v1').spec.metrics.map((m: any) => [m.resource.name, m.resource.target.averageUtilization])).toEqual([['cpu', 60], ['memory', 75]]);
  });

  test('memory alone: no CPU target, and no CPU request needed', () => {
    const manifests = canary({ container: { resources: { memory: { request: Size.mebibytes(256) } } }, autoscaling: { maxReplicas: 5, memoryUtilization: 75 } });
    expect(hpa(manifests, 'myapp-v1').spec.metrics.map((m: any) => m.resource.name)).toEqual(['memory']);
  });

  test('the autoscalers sit beside the budgets, which leave room at the autoscaler\'s minimum', () => {
    expect(ofKind(canary(), 'HorizontalPodAutoscaler').map((h) => h.metadata.name)).toEqual(['myapp-v1']);
    expect(() => canary({ disruptionBudget: DisruptionBudget.minAvailable(4) })).toThrow(
      'would block every eviction of the stable track\'s pods when it runs 4 (autoscaling.minReplicas)');
  });
});

describe('the canary\'s bounds follow its share of requests', () => {
  test('a 5% canary of a stable of 4 to 20 pods runs 1 pod: ceil(4 × 5/100) and ceil(20 × 5/100)', () => {
    const manifests = canary({ canary: { ...v2, traffic: { weight: 5 } } });
    expect(bounds(manifests, 'myapp-v2')).toEqual([1, 1]);
    expect(find(manifests, 'Deployment', 'myapp-v2').spec.replicas).toBeUndefined();
  });

  test('at 50% it scales from 2 to 10', () => {
    expect(bounds(canary({ canary: { ...v2, traffic: { weight: 50 } } }), 'myapp-v2')).toEqual([2, 10]);
  });

  test('out of a weightTotal of 1000: 25 of 1000 of 4 to 20 is 1 to 1', () => {
    expect(bounds(canary({ canary: { ...v2, traffic: { weight: 25, weightTotal: 1000 } } }), 'myapp-v2')).toEqual([1, 1]);
  });

  test('the step of a plan sets the weight, and so the bounds', () => {
    const steps = [CanaryStep.shiftTraffic(10), CanaryStep.pause(), CanaryStep.shiftTraffic(60), CanaryStep.pause()];
    expect(bounds(canary({ steps, canary: { ...v2, step: 1 } }), 'myapp-v2')).toEqual([1, 2]);
    expect(bounds(canary({ steps, canary: { ...v2, step: 3 } }), 'myapp-v2')).toEqual([3, 12]);
  });

  test('a header rule sends a share nobody knows: the canary may grow to the stable\'s maximum', () => {
    expect(bounds(canary({ canary: { ...v2, traffic: { header: HeaderMatch.exact('x-canary', 'yes'), weight: 10 } } }), 'myapp-v2')).toEqual([1, 20]);
    expect(bounds(canary({ canary: { ...v2, traffic: { cookie: 'canary' } } }), 'myapp-v2')).toEqual([1, 20]);
  });

  test('a canary that takes no request has no autoscaler: it runs its replicas', () => {
    const manifests = canary({ canary: { ...v2, replicas: 2 } });
    expect(ofKind(manifests, 'HorizontalPodAutoscaler').map((h) => h.metadata.name)).toEqual(['myapp-v1']);
    expect(find(manifests, 'Deployment', 'myapp-v2').spec.replicas).toBe(2);
  });

  test('throws when the canary sets replicas while it takes requests', () => {
    expect(() => canary({ canary: { ...v2, replicas: 3, traffic: { weight: 50 } } })).toThrow(
      'CanaryRelease \'myapp\': canary.replicas (3) cannot be set while the canary takes requests with autoscaling: its autoscaler sizes it from 2 to 10 pods (the stable\'s bounds in proportion to its weight); remove replicas');
  });
});

describe('blue-green: every color between the same bounds', () => {
  test('each present color has its autoscaler, the idle one too, so it can take the active\'s load at the cut-over', () => {
    const manifests = blueGreen();
    expect(bounds(manifests, 'myapp-v1')).toEqual([3, 10]);
    expect(bounds(manifests, 'myapp-v2')).toEqual([3, 10]);
    expect(ofKind(manifests, 'Deployment').map((d) => d.spec.replicas)).toEqual([undefined, undefined]);
  });

  test('an absent color has neither autoscaler nor budget', () => {
    const manifests = blueGreen({ green: undefined });
    expect(ofKind(manifests, 'HorizontalPodAutoscaler').map((h) => h.metadata.name)).toEqual(['myapp-v1']);
    expect(ofKind(manifests, 'PodDisruptionBudget').map((h) => h.metadata.name)).toEqual(['myapp-v1']);
  });

  test('throws when a color sets replicas', () => {
    expect(() => blueGreen({ green: { ...v2, replicas: 3 } })).toThrow(
      'BlueGreenRelease \'myapp\': green.replicas (3) cannot be set with autoscaling: the autoscaler sizes the track (from autoscaling.minReplicas to maxReplicas), '
      + 'and a replicas applied with every commit would reset its choice; remove replicas, and set autoscaling.minReplicas for the starting size');
  });
});

describe('what autoscaling refuses', () => {
  test('throws when the stable sets replicas', () => {
    expect(() => canary({ stable: { ...v1, replicas: 3 } })).toThrow('CanaryRelease \'myapp\': stable.replicas (3) cannot be set with autoscaling');
  });

  test('throws without a CPU request: utilisation is a percentage of it (cdk8s-plus\'s default request does not count)', () => {
    expect(() => canary({ container: undefined })).toThrow(
      'CanaryRelease \'myapp\': stable.container.resources.cpu.request (undefined) must be set (in the release\'s container or the stable track\'s, version "v1") with autoscaling.cpuUtilization: '
      + 'utilisation is a percentage of the request, e.g. resources: { cpu: { request: kplus.Cpu.millis(250) } }');
  });

  test('a track\'s own request is enough for that track, and the canary needs its own too', () => {
    expect(() => canary({ container: undefined, stable: { ...v1, container: requests }, canary: { ...v2, traffic: { weight: 5 } } })).toThrow(
      'canary.container.resources.cpu.request (undefined) must be set (in the release\'s container or the canary track\'s, version "v2")');
  });

  test('throws without a memory request for a memory target', () => {
    expect(() => canary({ autoscaling: { maxReplicas: 5, memoryUtilization: 70 } })).toThrow(
      'stable.container.resources.memory.request (undefined) must be set (in the release\'s container or the stable track\'s, version "v1") with autoscaling.memoryUtilization');
  });

  test.each([
    [{ maxReplicas: 0 }, 'autoscaling.maxReplicas (0) must be a whole number between 1 and 1000000'],
    [{ maxReplicas: 5, minReplicas: 0 }, 'autoscaling.minReplicas (0) must be a whole number between 1 and 1000000 (an autoscaler cannot scale to zero)'],
    [{ maxReplicas: 3, minReplicas: 4 }, 'autoscaling.minReplicas (4) must not exceed autoscaling.maxReplicas (3)'],
    [{ maxReplicas: 1 }, 'autoscaling.minReplicas (2) must not exceed autoscaling.maxReplicas (1): it defaults to 2, so set minReplicas too'],
    [{ maxReplicas: 5, cpuUtilization: 0 }, 'autoscaling.cpuUtilization (0) must be a whole number between 1 and 1000 (percent of the request)'],
    [{ maxReplicas: 5, memoryUtilization: 12.5 }, 'autoscaling.memoryUtilization (12.5) must be a whole number between 1 and 1000'],
  ])('throws when autoscaling is %j', (autoscaling, message) => {
    expect(() => canary({ autoscaling: autoscaling as any })).toThrow(`CanaryRelease 'myapp': ${message}`);
  });
});
