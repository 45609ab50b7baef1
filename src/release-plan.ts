/**
 * What a release construct hands its delivery engine once every prop is validated.
 * Internal: not exported from the package index.
 */
import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { CanaryAnalysis } from './canary-analysis';
import { CanaryStep, CanaryStepType } from './canary-step';
import { HeaderMatch } from './header-match';
import type { ResolvedRelease } from './release-base';
import { CanaryTrack, ReleaseTrack } from './release-track';
import { fail } from './validation';

export interface CanaryPlan {
  readonly release: ResolvedRelease;
  readonly stable: ReleaseTrack;
  readonly canary?: CanaryTrack;
  readonly header?: HeaderMatch;
  readonly cookie?: string;
  /** The weight the manifests render: `traffic.weight`, or that of the plan at the canary's `step`. */
  readonly weight: number;
  readonly weightTotal: number;
  /** Whether the user set `traffic.weight` (rather than it defaulting to 0). */
  readonly weightGiven: boolean;
  readonly steps: CanaryStep[];
  readonly analysis?: CanaryAnalysis;
}

export interface CanaryObjects {
  readonly stableDeployment?: kplus.Deployment;
  readonly canaryDeployment?: kplus.Deployment;
  /** Undefined when the controller generates the Services (Flagger). */
  readonly service?: kplus.Service;
  readonly canaryService?: kplus.Service;
  readonly rollout?: ApiObject;
  /** The one Deployment `<name>` a controller (Flagger) copies and analyses. */
  readonly deployment?: kplus.Deployment;
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

export interface BlueGreenObjects {
  readonly blueDeployment?: kplus.Deployment;
  readonly greenDeployment?: kplus.Deployment;
  /** Undefined when the controller generates the Services (Flagger). */
  readonly activeService?: kplus.Service;
  readonly previewService?: kplus.Service;
  readonly rollout?: ApiObject;
  /** The one Deployment `<name>` a controller (Flagger) copies and analyses. */
  readonly deployment?: kplus.Deployment;
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
