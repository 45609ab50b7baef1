import { Construct } from 'constructs';
import type { CanarySpecAutoscalerRef } from '../../../imports/flagger.app';
import { flaggerApi } from '../../private/upstream';
import { GeneratedObject } from '../../routing/engine-contracts';
import { ReplicaBounds } from '../../workload/autoscaling';
import { ReleaseTrack } from '../../workload/release-track';
import { TrackBudget } from '../../workload/disruption-budget';
import { ResolvedRelease } from '../release-plan';
import { checkBudgets, emitAutoscalers, emitBudgets, fixedSize } from '../track-capacity';

/**
 * A track's size as Flagger runs it: its replicas, but never 0 pods: Flagger creates
 * `<name>-primary` with one pod when `<name>` has none, and scales `<name>` up from 0 to the
 * primary's size (pkg/canary/deployment_controller.go: createPrimaryDeployment, ScaleFromZero).
 */
export function flaggerSize(prop: string, track: ReleaseTrack): [number, string] {
  return track.replicas === 0 ? [1, `Flagger runs one pod when ${prop}.replicas is 0`] : fixedSize(prop, track);
}

/** How Flagger's two workloads are sized: the one the library emits (`<name>`, the canary) and its copy `<name>-primary`. */
export interface FlaggerCapacity {
  /** The fewest pods of `<name>-primary`, and why. */
  readonly primaryFewest: [number, string];
  /** The fewest pods of `<name>` while it runs, and why. */
  readonly canaryFewest: [number, string];
  /** The props the two tracks come from, for messages, e.g. `stable` and `canary`. */
  readonly primaryProp: string;
  readonly canaryProp: string;
  /** The autoscaler bounds of `<name>` (the canary), when autoscaled. */
  readonly canaryBounds?: ReplicaBounds;
}

/**
 * A budget over `<name>-primary`'s pods, which Flagger labels `app: <name>-primary`
 * (pkg/canary/util.go makePrimaryLabels), and one over the canary's (`app: <name>`).
 */
export function flaggerBudgets(release: ResolvedRelease, capacity: FlaggerCapacity): TrackBudget[] {
  const { name } = release;
  const labels = { ...release.metadata.labels, app: name };
  const budgets: TrackBudget[] = [
    { id: 'DisruptionBudget-primary', prop: capacity.primaryProp, name: `${name}-primary`, selector: { app: `${name}-primary` }, labels, fewestPods: capacity.primaryFewest[0], fewestBecause: capacity.primaryFewest[1] },
    { id: 'DisruptionBudget', prop: capacity.canaryProp, name, selector: { app: name }, labels, fewestPods: capacity.canaryFewest[0], fewestBecause: capacity.canaryFewest[1] },
  ];
  checkBudgets(release, budgets);
  return budgets;
}

/**
 * The budgets, and the autoscaler `<name>` of the Deployment `<name>` with the canary's bounds.
 * Flagger copies it into `<name>-primary` (pkg/canary/hpa_reconciler.go), with the stable's
 * bounds through `primaryScalerReplicas` where they differ. Returns the Canary's autoscalerRef.
 */
export function emitFlaggerCapacity(scope: Construct, release: ResolvedRelease, budgets: TrackBudget[], canaryBounds: ReplicaBounds | undefined): CanarySpecAutoscalerRef | undefined {
  emitBudgets(scope, release, budgets);
  const { autoscaling, name } = release;
  if (!autoscaling || !canaryBounds) return undefined;
  emitAutoscalers(scope, release, [{
    id: 'Autoscaler',
    name,
    target: { apiVersion: 'apps/v1', kind: 'Deployment', name },
    bounds: canaryBounds,
    labels: { app: name },
  }]);
  const { CanarySpecAutoscalerRefKind } = flaggerApi();
  const same = canaryBounds.minReplicas === autoscaling.minReplicas && canaryBounds.maxReplicas === autoscaling.maxReplicas;
  return {
    apiVersion: 'autoscaling/v2',
    kind: CanarySpecAutoscalerRefKind.HORIZONTAL_POD_AUTOSCALER,
    name,
    primaryScalerReplicas: same ? undefined : { minReplicas: autoscaling.minReplicas, maxReplicas: autoscaling.maxReplicas },
  };
}

/** The autoscaler Flagger generates for `<name>-primary` (`<autoscalerRef.name>-primary`). */
export function flaggerGeneratedAutoscaler(release: ResolvedRelease): GeneratedObject[] {
  return release.autoscaling ? [{ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', name: `${release.name}-primary` }] : [];
}
