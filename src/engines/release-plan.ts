/**
 * What a release construct hands its delivery engine once every prop is validated.
 * Internal: not exported from the package index.
 */
import { ApiObjectMetadata } from 'cdk8s';
import { AnalysedRelease } from '../analysis/analysis-queries';
import { CanaryAnalysis } from '../analysis/canary-analysis';
import { ResolvedSmokeTest } from '../analysis/smoke-test';
import { fail } from '../private/validation';
import { HeaderMatch } from '../routing/header-match';
import type { TrafficRouter } from '../routing/traffic-router';
import { ResolvedAutoscaling } from '../workload/autoscaling';
import { DisruptionBudget } from '../workload/disruption-budget';
import { ReleaseTrack } from '../workload/release-track';
import { ServiceSpec } from '../workload/release-service';
import { WorkloadSpec } from '../workload/track-deployment';
import { CanaryStep, CanaryStepType } from './canary-step';

/** A validated release: what every track's workload, every Service and every route share. */
export interface ResolvedRelease extends WorkloadSpec, ServiceSpec, AnalysedRelease {
  readonly router: TrafficRouter;
  readonly analysis?: CanaryAnalysis;
  /** Requests sent to the new version before it takes traffic. */
  readonly smokeTest?: ResolvedSmokeTest;
  /** Each track's budget (`DisruptionBudget.none()`: no PodDisruptionBudget). */
  readonly disruptionBudget: DisruptionBudget;
  /** The stable track's (each color's) autoscaler, when the tracks are autoscaled. */
  readonly autoscaling?: ResolvedAutoscaling;
}

/** The labels (the release's plus `app: <name>`) and annotations every routing and controller object carries. */
export function appMetadata(release: ResolvedRelease): ApiObjectMetadata {
  return { labels: { ...release.metadata.labels, app: release.name }, annotations: release.metadata.annotations };
}

export interface CanaryPlan {
  readonly release: ResolvedRelease;
  readonly stable: ReleaseTrack;
  readonly canary?: ReleaseTrack;
  readonly header?: HeaderMatch;
  readonly cookie?: string;
  /** `canary.traffic.sticky`. */
  readonly sticky?: boolean;
  /** `canary.traffic.weight`, when the user set it. */
  readonly weight?: number;
  /** `canary.step`: the position the canary has reached in `steps` (plain manifests). */
  readonly step?: number;
  readonly weightTotal: number;
  /** `canary.traffic.mirror`: the percentage of the weighted rule's requests also copied to the canary. */
  readonly mirror?: number;
  readonly steps: CanaryStep[];
  /** The weight in force at each step of `steps`. */
  readonly stepWeights: number[];
  readonly analysis?: CanaryAnalysis;
}

/** The weight git sets under plain manifests: that of the plan at `step`, or `traffic.weight`, or 0. */
export function plannedWeight(plan: CanaryPlan): number {
  return plan.step !== undefined ? plan.stepWeights[plan.step] : plan.weight ?? 0;
}

export interface BlueGreenPlan {
  readonly release: ResolvedRelease;
  readonly blue?: ReleaseTrack;
  readonly green?: ReleaseTrack;
  readonly activeIsBlue: boolean;
  readonly active: ReleaseTrack;
  readonly idle?: ReleaseTrack;
  readonly preview: boolean;
  readonly previewHost?: string;
  readonly analysis?: CanaryAnalysis;
}

/**
 * Checks a plan against the canary's weightTotal: weights in order and within the total.
 * Returns the weight in force at each step (that of the last shift at or before it).
 */
export function resolvePlan(owner: string, steps: CanaryStep[] | undefined, weightTotal: number): number[] {
  if (steps === undefined) return [];
  if (!Array.isArray(steps) || steps.length === 0) {
    fail(owner, 'steps', steps, 'must be a non-empty list of CanaryStep.shiftTraffic(weight) and CanaryStep.pause(duration?), or left out');
  }
  let weight = 0;
  return steps.map((step, i) => {
    if (!(step instanceof CanaryStep)) {
      fail(owner, `steps[${i}]`, step, 'must be a CanaryStep: CanaryStep.shiftTraffic(weight) or CanaryStep.pause(duration?)');
    }
    if (step.type === CanaryStepType.SHIFT_TRAFFIC) {
      const w = step.weight!;
      if (w > weightTotal) {
        fail(owner, `steps[${i}].weight`, w, `must be at most the canary's weightTotal (${weightTotal})`);
      }
      if (w < weight) {
        fail(owner, `steps[${i}].weight`, w, `must not be below the weight of an earlier step (${weight}): weights only go up along a plan`);
      }
      weight = w;
    }
    return weight;
  });
}

/**
 * A canary whose pods the library sizes (`canary.replicas`) must have pods while any request
 * is sent to it: a header or cookie rule, or `weight` above 0 (the weight routed while the
 * canary runs at that size; 0 where a controller scales the canary with its weight). With 0
 * pods those requests fail (503).
 */
export function checkCanaryHasPods(plan: CanaryPlan, weight: number): void {
  const owner = plan.release.owner;
  if (plan.canary?.replicas !== 0) return;
  const receives: string[] = [];
  if (plan.header) receives.push('a header rule (canary.traffic.header)');
  if (plan.cookie !== undefined) receives.push('a cookie rule (canary.traffic.cookie)');
  if (plan.mirror !== undefined) receives.push(`copies of ${plan.mirror}% of the weighted rule's requests (canary.traffic.mirror)`);
  if (weight > 0) {
    receives.push(plan.step !== undefined ? `weight ${weight} at steps[${plan.step}]` : `weight ${weight} (canary.traffic.weight)`);
  }
  if (receives.length > 0) {
    fail(owner, 'canary.replicas', 0, `must be at least 1 while the canary receives requests (${receives.join(', ')}): a version with no pods answers them with 503; `
      + 'leave the canary out, or give it pods and no traffic yet');
  }
}
