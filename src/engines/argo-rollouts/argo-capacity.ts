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
 * weightTotal)`; without it (basic canary) the canary runs its share rounded to the nearest pod
 * and the stable the rest.
 */
export function argoCanaryBudgets(release: ResolvedRelease, plan: CanaryPlan, options: { trafficRouted: boolean; dynamicStableScale: boolean; canaryScale?: number }): TrackBudget[] {
  const { stable, canary } = plan;
  const [replicas, because] = rolloutSize(release, 'stable', stable);
  const total = plan.weightTotal;
  const weights = (plan.steps.length > 0 ? plan.stepWeights : [plan.weight ?? 0]).filter((w) => w > 0 && w < total);
  const canaryPods = (w: number) => options.trafficRouted ? Math.ceil((w * replicas) / total) : Math.floor((w * replicas) / total + 0.5);
  const stablePods = (w: number) => options.dynamicStableScale ? Math.ceil(((total - w) * replicas) / total) : options.trafficRouted ? replicas : replicas - canaryPods(w);
  const fewest = (sizes: Array<[number, string]>): [number, string] => sizes.filter(([n]) => n > 0).reduce((a, b) => (b[0] < a[0] ? b : a), [Infinity, ''] as [number, string]);

  const stableFewest = fewest([[replicas, because], ...weights.map((w): [number, string] => [stablePods(w), `at weight ${w} of ${total}, from ${replicas} (${because})`])]);
  const budgets = [versionBudget(release, 'stable', stable, stableFewest[0] === Infinity ? [0, ''] : stableFewest)];
  if (canary) {
    const sizes: Array<[number, string]> = weights.map((w) => [canaryPods(w), `its share at weight ${w} of ${total}, from ${replicas} (${because})`]);
    if (options.canaryScale !== undefined) sizes.push([options.canaryScale, 'its setCanaryScale before the first weight']);
    const canaryFewest = fewest(sizes);
    budgets.push(versionBudget(release, 'canary', canary, canaryFewest[0] === Infinity ? [0, ''] : canaryFewest));
  }
  checkBudgets(release, budgets);
  return budgets;
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
