import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { objectMetadata } from '../private/metadata';
import { fail } from '../private/validation';

/** A percentage as Kubernetes' int-or-string takes it: `'0%'` to `'100%'`. */
const PERCENT = /^(\d{1,3})%$/;

/**
 * How many of a track's pods a voluntary disruption (a node drain, a cluster upgrade) may take
 * at once: a PodDisruptionBudget per track (per color), selecting exactly that track's pods.
 *
 * Every budget lets the eviction of a pod that is not Ready go ahead
 * (`unhealthyPodEvictionPolicy: AlwaysAllow`), so a crash-looping version never holds up a drain.
 * @see https://kubernetes.io/docs/tasks/run-application/configure-pdb/
 */
export class DisruptionBudget {
  /**
   * At most `value` of the track's pods may be down at once: a number of pods, or a percentage
   * of the track's pods (`'25%'`, rounded up, so at least one pod). Unlike `minAvailable`, it
   * follows the track as it scales and never blocks a drain of a one-pod track.
   * @param value a whole number of pods from 1, or a percentage from '1%' to '100%'
   */
  public static maxUnavailable(value: number | string): DisruptionBudget {
    const owner = 'DisruptionBudget.maxUnavailable';
    const n = checkAmount(owner, value);
    if (n.count === 0) {
      fail(owner, 'value', value, 'would block every eviction: no pod of the track could ever be drained, and a node drain would wait forever; allow at least one pod, e.g. DisruptionBudget.maxUnavailable(1)');
    }
    return new DisruptionBudget(value, undefined);
  }

  /**
   * At least `value` of the track's pods must stay up: a number of pods, or a percentage of the
   * track's pods (`'50%'`, rounded up). It must leave room for one eviction at the track's
   * smallest size, which the release checks.
   * @param value a whole number of pods from 1, or a percentage from '1%' to '99%'
   */
  public static minAvailable(value: number | string): DisruptionBudget {
    const owner = 'DisruptionBudget.minAvailable';
    const n = checkAmount(owner, value);
    if (n.count === 0) {
      fail(owner, 'value', value, 'protects nothing: a budget of 0 pods lets every pod go at once; use DisruptionBudget.none() to emit no budget');
    }
    if (n.percent && n.count === 100) {
      fail(owner, 'value', value, 'would block every eviction: no pod of the track could ever be drained; use a lower percentage, or DisruptionBudget.maxUnavailable(1)');
    }
    return new DisruptionBudget(undefined, value);
  }

  /** No PodDisruptionBudget: for pods whose budgets are managed elsewhere (two budgets over one pod make every eviction of it fail). */
  public static none(): DisruptionBudget {
    return new DisruptionBudget(undefined, undefined);
  }

  /** @internal How many pods may be down at once, when the budget says so. */
  public readonly _maxUnavailable?: number | string;
  /** @internal How many pods must stay up, when the budget says so. */
  public readonly _minAvailable?: number | string;

  private constructor(maxUnavailable: number | string | undefined, minAvailable: number | string | undefined) {
    this._maxUnavailable = maxUnavailable;
    this._minAvailable = minAvailable;
  }
}

/** The default: one pod of each track at a time, whatever its size, and never a blocked drain. */
export const DEFAULT_DISRUPTION_BUDGET = DisruptionBudget.maxUnavailable(1);

interface Amount {
  readonly count: number;
  readonly percent: boolean;
}

function checkAmount(owner: string, value: unknown): Amount {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 1_000_000) {
    return { count: value, percent: false };
  }
  const m = typeof value === 'string' ? PERCENT.exec(value) : null;
  if (m && Number(m[1]) <= 100 && String(Number(m[1])) === m[1]) {
    return { count: Number(m[1]), percent: true };
  }
  return fail(owner, 'value', value, 'must be a whole number of pods (e.g. 1) or a percentage of the track\'s pods (e.g. \'25%\')');
}

/** Checks `disruptionBudget`: one of the factories' budgets. */
export function checkDisruptionBudget(owner: string, budget: unknown): DisruptionBudget {
  if (budget === undefined) return DEFAULT_DISRUPTION_BUDGET;
  if (!(budget instanceof DisruptionBudget)) {
    fail(owner, 'disruptionBudget', budget, 'must be a DisruptionBudget: DisruptionBudget.maxUnavailable(n), .minAvailable(value) or .none()');
  }
  return budget;
}

/** Whether a budget asks for a PodDisruptionBudget at all. */
export function emitsBudget(budget: DisruptionBudget): boolean {
  return budget._maxUnavailable !== undefined || budget._minAvailable !== undefined;
}

/**
 * How many of `pods` healthy pods the disruption controller lets go at once under `budget`
 * (pkg/controller/disruption: percentages of the expected pods are rounded up).
 */
export function evictionsAllowed(budget: DisruptionBudget, pods: number): number {
  const scaled = (value: number | string) => {
    const amount = checkAmount('DisruptionBudget', value);
    return amount.percent ? Math.ceil((amount.count * pods) / 100) : amount.count;
  };
  if (budget._maxUnavailable !== undefined) return Math.min(pods, scaled(budget._maxUnavailable));
  if (budget._minAvailable !== undefined) return Math.max(0, pods - scaled(budget._minAvailable));
  return pods;
}

/** A track's budget: the pods it covers and the fewest of them the track runs while it has any. */
export interface TrackBudget {
  /** The construct id of its PodDisruptionBudget. */
  readonly id: string;
  /** The prop of the track, for messages, e.g. `canary` or `blue`. */
  readonly prop: string;
  /** The PodDisruptionBudget's name. */
  readonly name: string;
  /** Exactly the track's pods. */
  readonly selector: { [key: string]: string };
  /** Labels of the PodDisruptionBudget itself. */
  readonly labels: { [key: string]: string };
  /** The fewest pods the track runs while it runs any (0: none, nothing to check). */
  readonly fewestPods: number;
  /** Why the track can be that small, for messages, e.g. `autoscaling.minReplicas`. */
  readonly fewestBecause: string;
}

/**
 * Refuses a budget that would block every eviction of a track at its smallest size: a drain
 * would then wait forever on that track's node.
 */
export function checkTrackBudget(owner: string, budget: DisruptionBudget, track: TrackBudget): void {
  if (!emitsBudget(budget) || track.fewestPods === 0) return;
  if (evictionsAllowed(budget, track.fewestPods) > 0) return;
  const arg = (v: number | string | undefined) => typeof v === 'string' ? `'${v}'` : String(v);
  const factory = budget._minAvailable !== undefined ? `minAvailable(${arg(budget._minAvailable)})` : `maxUnavailable(${arg(budget._maxUnavailable)})`;
  fail(owner, 'disruptionBudget', `DisruptionBudget.${factory}`, `would block every eviction of the ${track.prop} track's pods when it runs ${track.fewestPods} (${track.fewestBecause}): `
    + 'a node drain would wait on them forever; use DisruptionBudget.maxUnavailable(1) or a lower minAvailable, or run more pods at that point (replicas, or autoscaling.minReplicas)');
}

/** The PodDisruptionBudget of one track (policy/v1). */
export function podDisruptionBudget(scope: Construct, id: string, budget: DisruptionBudget, track: TrackBudget, annotations?: { [key: string]: string }): k8s.KubePodDisruptionBudget {
  const amount = (value: number | string | undefined) => value === undefined ? undefined
    : typeof value === 'number' ? k8s.IntOrString.fromNumber(value) : k8s.IntOrString.fromString(value);
  return new k8s.KubePodDisruptionBudget(scope, id, {
    metadata: objectMetadata(track.name, track.labels, annotations),
    spec: {
      selector: { matchLabels: { ...track.selector } },
      maxUnavailable: amount(budget._maxUnavailable),
      minAvailable: amount(budget._minAvailable),
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    },
  });
}
