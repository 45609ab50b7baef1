/**
 * Each track's PodDisruptionBudget and HorizontalPodAutoscaler, as an engine lays its tracks
 * out: which pods each budget selects, how few pods a track can run (to refuse a budget that
 * blocks every eviction), and what each autoscaler scales. Internal.
 */
import { Construct } from 'constructs';
import { checkObjectName } from '../private/object-names';
import { ReplicaBounds, ScaleTarget, horizontalPodAutoscaler } from '../workload/autoscaling';
import { TrackBudget, checkTrackBudget, emitsBudget, podDisruptionBudget } from '../workload/disruption-budget';
import { ReleaseTrack, versionSlug } from '../workload/release-track';
import { ResolvedRelease } from './release-plan';

/** A track's size when it has no autoscaler, and why, for messages. */
export function fixedSize(prop: string, track: ReleaseTrack): [number, string] {
  return track.replicas === undefined ? [1, `${prop}.replicas defaults to 1`] : [track.replicas, `${prop}.replicas`];
}

/** The budget of a track that runs as its own version's pods (`{app, version}`): plain manifests and Argo Rollouts. */
export function versionBudget(release: ResolvedRelease, prop: string, track: ReleaseTrack, fewest: [number, string]): TrackBudget {
  const labels = { app: release.name, version: track.version };
  return {
    id: `DisruptionBudget-${versionSlug(track.version)}`,
    prop,
    name: `${release.name}-${versionSlug(track.version)}`,
    selector: labels,
    labels: { ...release.metadata.labels, ...labels },
    fewestPods: fewest[0],
    fewestBecause: fewest[1],
  };
}

/** Checks every track's budget (its name, and that it lets a pod go at the track's smallest size) before any object exists. */
export function checkBudgets(release: ResolvedRelease, budgets: TrackBudget[]): void {
  if (!emitsBudget(release.disruptionBudget)) return;
  for (const budget of budgets) {
    checkObjectName(release, budget.name, 'PodDisruptionBudget');
    checkTrackBudget(release.owner, release.disruptionBudget, budget);
  }
}

/** A PodDisruptionBudget per track, unless the release asks for none. */
export function emitBudgets(scope: Construct, release: ResolvedRelease, budgets: TrackBudget[]): void {
  if (!emitsBudget(release.disruptionBudget)) return;
  for (const budget of budgets) podDisruptionBudget(scope, budget.id, release.disruptionBudget, budget, release.metadata.annotations);
}

/** One workload's autoscaler. */
export interface TrackAutoscaler {
  readonly id: string;
  readonly name: string;
  readonly target: ScaleTarget;
  readonly bounds: ReplicaBounds;
  /** The autoscaler's own labels (besides the release's). */
  readonly labels: { [key: string]: string };
}

/** The autoscaler of a track's Deployment `<name>-<v>` (plain manifests). */
export function deploymentAutoscaler(release: ResolvedRelease, track: ReleaseTrack, bounds: ReplicaBounds): TrackAutoscaler {
  const name = `${release.name}-${versionSlug(track.version)}`;
  return {
    id: `Autoscaler-${versionSlug(track.version)}`,
    name,
    target: { apiVersion: 'apps/v1', kind: 'Deployment', name },
    bounds,
    labels: { app: release.name, version: track.version },
  };
}

/** The HorizontalPodAutoscalers, when the release is autoscaled. */
export function emitAutoscalers(scope: Construct, release: ResolvedRelease, autoscalers: TrackAutoscaler[]): void {
  if (!release.autoscaling) return;
  for (const a of autoscalers) {
    horizontalPodAutoscaler(scope, a.id, release.autoscaling, a.bounds, a.target, {
      name: a.name,
      labels: { ...release.metadata.labels, ...a.labels },
      annotations: release.metadata.annotations,
    });
  }
}
