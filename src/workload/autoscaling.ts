import * as kplus from 'cdk8s-plus-27';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { objectMetadata } from '../private/metadata';
import { checkInteger, fail } from '../private/validation';

/**
 * A HorizontalPodAutoscaler (autoscaling/v2) per track, on the pods' average utilisation of
 * their resource requests. The autoscaler owns the workload's size: the workload is emitted
 * without `replicas`, so applying the next commit never resets what it chose.
 * @see https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/
 */
export interface Autoscaling {
  /**
   * The fewest pods of the stable track (of each color): the size a track starts at, and the
   * floor under load. A canary's bounds are the stable's in proportion to its weight.
   * @default 2 - one pod can be drained or fail while the other serves
   */
  readonly minReplicas?: number;

  /** The most pods of the stable track (of each color). */
  readonly maxReplicas: number;

  /**
   * The average CPU use the autoscaler keeps, in percent of the containers' CPU request (which
   * must then be set, in `container.resources.cpu.request`).
   * @default 80 - unless only memoryUtilization is set
   */
  readonly cpuUtilization?: number;

  /**
   * The average memory use the autoscaler keeps, in percent of the containers' memory request
   * (which must then be set, in `container.resources.memory.request`).
   * @default - memory is not a target
   */
  readonly memoryUtilization?: number;
}

/** A track's autoscaler bounds. */
export interface ReplicaBounds {
  readonly minReplicas: number;
  readonly maxReplicas: number;
}

/** `autoscaling`, validated, with its defaults. */
export interface ResolvedAutoscaling extends ReplicaBounds {
  readonly cpuUtilization?: number;
  readonly memoryUtilization?: number;
}

/** Checks `autoscaling` and fills in its defaults. */
export function resolveAutoscaling(owner: string, autoscaling: Autoscaling | undefined): ResolvedAutoscaling | undefined {
  if (autoscaling === undefined) return undefined;
  if (autoscaling === null || typeof autoscaling !== 'object') {
    fail(owner, 'autoscaling', autoscaling, 'must be an object: { minReplicas?, maxReplicas, cpuUtilization?, memoryUtilization? }');
  }
  const maxReplicas = checkInteger(owner, 'autoscaling.maxReplicas', autoscaling.maxReplicas, 1, 1_000_000, '1 and 1000000');
  // 0 needs the alpha HPAScaleToZero feature gate.
  const minReplicas = checkInteger(owner, 'autoscaling.minReplicas', autoscaling.minReplicas ?? 2, 1, 1_000_000, '1 and 1000000 (an autoscaler cannot scale to zero)');
  if (minReplicas > maxReplicas) {
    fail(owner, 'autoscaling.minReplicas', minReplicas, `must not exceed autoscaling.maxReplicas (${maxReplicas})${autoscaling.minReplicas === undefined ? ': it defaults to 2, so set minReplicas too' : ''}`);
  }
  for (const prop of ['cpuUtilization', 'memoryUtilization'] as const) {
    if (autoscaling[prop] !== undefined) checkInteger(owner, `autoscaling.${prop}`, autoscaling[prop], 1, 1000, '1 and 1000 (percent of the request)');
  }
  const cpuUtilization = autoscaling.cpuUtilization ?? (autoscaling.memoryUtilization === undefined ? 80 : undefined);
  return { minReplicas, maxReplicas, cpuUtilization, memoryUtilization: autoscaling.memoryUtilization };
}

/**
 * Refuses a track whose containers have no request for a resource the autoscaler targets:
 * utilisation is use divided by the request. cdk8s-plus fills in a request of its own (1 CPU,
 * 512 MiB) when none is given, which would make the target a percentage of an arbitrary amount.
 */
export function checkRequests(owner: string, autoscaling: ResolvedAutoscaling, prop: string, version: string, opts: kplus.ContainerOpts): void {
  const missing = (autoscaling.cpuUtilization !== undefined && opts.resources?.cpu?.request === undefined) ? ['cpu', 'cpuUtilization', 'kplus.Cpu.millis(250)'] as const
    : (autoscaling.memoryUtilization !== undefined && opts.resources?.memory?.request === undefined) ? ['memory', 'memoryUtilization', 'Size.mebibytes(256)'] as const
      : undefined;
  if (missing === undefined) return;
  const [resource, target, example] = missing;
  fail(owner, `${prop}.container.resources.${resource}.request`, undefined, `must be set (in the release's container or the ${prop} track's, version ${JSON.stringify(version)}) with autoscaling.${target}: `
    + `utilisation is a percentage of the request, e.g. resources: { ${resource}: { request: ${example} } }`);
}

/**
 * Refuses a track's `replicas` where an autoscaler sizes the track: applied at every commit,
 * it would reset what the autoscaler chose (cdk8s-plus refuses it for the same reason).
 */
export function refuseReplicas(owner: string, prop: string, replicas: number): never {
  return fail(owner, `${prop}.replicas`, replicas, 'cannot be set with autoscaling: the autoscaler sizes the track (from autoscaling.minReplicas to maxReplicas), '
    + 'and a replicas applied with every commit would reset its choice; remove replicas, and set autoscaling.minReplicas for the starting size');
}

/**
 * A canary's bounds: the stable's in proportion to the canary's share of requests,
 * `ceil(bound × weight / weightTotal)`, at least 1 pod. A header or cookie rule sends the
 * canary a share the library cannot know, so with one the canary may grow to the stable's
 * maximum. E.g. for a stable of 4 to 20 pods: at 5% the canary runs 1 pod, at 50% 2 to 10.
 */
export function canaryBounds(stable: ReplicaBounds, weight: number, weightTotal: number, matchesRequests: boolean): ReplicaBounds {
  const share = (n: number) => Math.max(1, Math.ceil((n * weight) / weightTotal));
  const minReplicas = share(stable.minReplicas);
  return { minReplicas, maxReplicas: matchesRequests ? Math.max(minReplicas, stable.maxReplicas) : share(stable.maxReplicas) };
}

/** The workload an autoscaler scales. */
export interface ScaleTarget {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
}

/** The HorizontalPodAutoscaler `name` of one workload. */
export function horizontalPodAutoscaler(
  scope: Construct, id: string, autoscaling: ResolvedAutoscaling, bounds: ReplicaBounds, target: ScaleTarget,
  metadata: { name: string; labels: { [key: string]: string }; annotations?: { [key: string]: string } },
): k8s.KubeHorizontalPodAutoscalerV2 {
  const utilisation = (name: string, percent: number | undefined): k8s.MetricSpecV2[] => percent === undefined ? []
    : [{ type: 'Resource', resource: { name, target: { type: 'Utilization', averageUtilization: percent } } }];
  return new k8s.KubeHorizontalPodAutoscalerV2(scope, id, {
    metadata: objectMetadata(metadata.name, metadata.labels, metadata.annotations),
    spec: {
      scaleTargetRef: { apiVersion: target.apiVersion, kind: target.kind, name: target.name },
      minReplicas: bounds.minReplicas,
      maxReplicas: bounds.maxReplicas,
      metrics: [...utilisation('cpu', autoscaling.cpuUtilization), ...utilisation('memory', autoscaling.memoryUtilization)],
    },
  });
}
