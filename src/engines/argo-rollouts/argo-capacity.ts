import { Construct } from 'constructs';
import { ReplicaBounds } from '../../workload/autoscaling';
import { TrackBudget } from '../../workload/disruption-budget';
import { ReleaseTrack } from '../../workload/release-track';
import { CanaryPlan, ResolvedRelease } from '../release-plan';
import { checkBudgets, emitAutoscalers, emitBudgets, fixedSize, versionBudget } from '../track-capacity';

/** The Rollout's size: its autoscaler's minimum, or the stable track's replicas. */
export function rolloutSize(release: ResolvedRelease, prop: string, track: ReleaseTrack): [number, string] {
  return release.autoscaling ? [release.autoscaling.minReplicas, 'autoscaling.minReplicas'] : fixedSize(prop, track);
}

/**
 * The fewest pods each version runs while it runs any, as Argo Rollouts sizes a canary's
 * ReplicaSets (utils/replicaset/canary.go): with traffic routing the canary runs
 * `ceil(weight × replicas / weightTotal)` pods (or its setCanaryScale replicas first), and the
 * stable all `replicas`, or, with dynamicStableScale, `ceil((weightTotal - weight) × replicas /
 * weightTotal)`; without traffic routing (a basic canary) the split of `basicCanaryCounts`.
 */
export function argoCanaryBudgets(release: ResolvedRelease, plan: CanaryPlan, options: ArgoCanarySizing): TrackBudget[] {
  const { stable, canary } = plan;
  const [replicas, because] = rolloutSize(release, 'stable', stable);
  const total = plan.weightTotal;
  const weights = (plan.steps.length > 0 ? plan.stepWeights : [plan.weight ?? 0]).filter((w) => w > 0 && w < total);
  const surge = surgePods(options.maxSurge, replicas);
  const canaryPods = (w: number) => options.trafficRouted ? Math.ceil((w * replicas) / total) : basicCanaryCounts(replicas, w, total, surge)[0];
  const stablePods = (w: number) => options.dynamicStableScale ? Math.ceil(((total - w) * replicas) / total)
    : options.trafficRouted ? replicas : basicCanaryCounts(replicas, w, total, surge)[1];
  // The smallest positive size, or 0 (nothing to check) when the track never runs a pod.
  const fewest = (sizes: Array<[number, string]>): [number, string] => sizes.filter(([n]) => n > 0).reduce((a, b) => (a[0] === 0 || b[0] < a[0] ? b : a), [0, ''] as [number, string]);

  const stableFewest = fewest([[replicas, because], ...weights.map((w): [number, string] => [stablePods(w), `at weight ${w} of ${total}, from ${replicas} (${because})`])]);
  const budgets = [versionBudget(release, 'stable', stable, stableFewest)];
  if (canary) {
    const sizes: Array<[number, string]> = weights.map((w) => [canaryPods(w), `its share at weight ${w} of ${total}, from ${replicas} (${because})`]);
    if (options.canaryScale !== undefined) sizes.push([options.canaryScale, 'its setCanaryScale before the first weight']);
    const canaryFewest = fewest(sizes);
    budgets.push(versionBudget(release, 'canary', canary, canaryFewest));
  }
  checkBudgets(release, budgets);
  return budgets;
}

/** How the Rollout sizes a canary: what argoCanaryBudgets needs besides the plan. */
export interface ArgoCanarySizing {
  readonly trafficRouted: boolean;
  readonly dynamicStableScale: boolean;
  /** The canary's setCanaryScale replicas before its first weight. */
  readonly canaryScale?: number;
  /** The Rollout's maxSurge (the release's strategy). */
  readonly maxSurge?: string | number;
}

/**
 * The Rollout's maxSurge in pods, as Argo Rollouts resolves it (utils/replicaset resolveFenceposts,
 * like a Deployment's): a percentage of the replicas rounded up; Argo's default is 25%.
 */
function surgePods(maxSurge: string | number | undefined, replicas: number): number {
  const value = maxSurge ?? '25%';
  return typeof value === 'number' ? value : Math.ceil((Number(value.replace('%', '')) * replicas) / 100);
}

/**
 * A basic canary's `[canary, stable]` pods at `weight`, as Argo Rollouts v1.9.1 approximates it
 * (utils/replicaset/canary.go approximateWeightedCanaryStableReplicaCounts): of the floor and
 * the ceiling of the canary's share, over `replicas` and (with a surge) `replicas + 1` pods, the
 * closest to the weight; the larger canary on a tie; never 0 canary pods at a weight between 0
 * and the total with two or more pods.
 */
export function basicCanaryCounts(replicas: number, weight: number, total: number, surge: number): [number, number] {
  if (replicas === 0) return [0, 0];
  const ceil = Math.ceil((replicas * weight) / total);
  const floor = Math.floor((replicas * weight) / total);
  const tied = (pods: number) => (pods * (weight / total)) % 1 === 0.5; // as Go's math.Modf(pods * (weight / total))
  const zeroAllowed = weight === total || weight === 0 || (replicas === 1 && surge === 0);
  const options: Array<[number, number]> = [];
  if (ceil < replicas || zeroAllowed) options.push([ceil, replicas]);
  if (!tied(replicas) && (floor !== 0 || zeroAllowed)) options.push([floor, replicas]);
  if (surge > 0) {
    options.push([ceil, replicas + 1]);
    if (!tied(replicas + 1) && (floor !== 0 || zeroAllowed)) options.push([floor, replicas + 1]);
  }
  if (options.length === 0) return [0, replicas];
  const delta = ([canary, all]: [number, number]) => Math.abs((canary * total) / all - weight);
  const best = options.reduce((a, b) => (delta(b) < delta(a) ? b : a));
  return [best[0], best[1] - best[0]];
}

/** Each present color runs the Rollout's replicas (the preview too: no previewReplicaCount). */
export function argoBlueGreenBudgets(release: ResolvedRelease, colors: Array<[string, ReleaseTrack]>, newest: [string, ReleaseTrack]): TrackBudget[] {
  const size = rolloutSize(release, newest[0], newest[1]);
  const budgets = colors.map(([prop, track]) => versionBudget(release, prop, track, size));
  checkBudgets(release, budgets);
  return budgets;
}

/**
 * The budgets, and the autoscaler `<name>` of the Rollout `<name>` with the stable's bounds:
 * Argo Rollouts sizes the canary's ReplicaSet from the Rollout's replicas by its weight, and a
 * blue-green preview at the Rollout's replicas.
 */
export function emitArgoCapacity(scope: Construct, release: ResolvedRelease, budgets: TrackBudget[]): void {
  emitBudgets(scope, release, budgets);
  const bounds: ReplicaBounds | undefined = release.autoscaling;
  if (!bounds) return;
  emitAutoscalers(scope, release, [{
    id: 'Autoscaler',
    name: release.name,
    target: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: release.name },
    bounds,
    labels: { app: release.name },
  }]);
}
