import { Duration } from 'cdk8s';
import type { CanarySpecAnalysis } from '../../../imports/flagger.app';
import { promDuration } from '../../analysis/promql';
import { checkInteger, fail } from '../../private/validation';
import { CanaryStepType } from '../canary-step';
import { CanaryPlan } from '../release-plan';
import { ENGINE, FlaggerOptions } from './flagger-options';

/**
 * A duration as Flagger's CRD accepts it (`^[0-9]+(m|s)`: minutes or seconds, no hours), from
 * a Prometheus duration: `2h` is `120m`.
 */
export function flaggerDuration(d: string): string {
  return d.replace(/^(\d+)h$/, (_m, hours: string) => `${Number(hours) * 60}m`);
}

/** Without a plan, Flagger checks every analysis interval (one minute without an analysis). */
export function defaultInterval(): Duration {
  return Duration.minutes(1);
}

/**
 * The plan as Flagger's schedule: equal pauses give `interval`, the shifts give `stepWeights`
 * (percentages); after the last step Flagger promotes, so a last shift to everyone is the promotion.
 */
export function canarySchedule(plan: CanaryPlan): CanarySpecAnalysis {
  const { owner } = plan.release;
  const steps = plan.steps;
  if (steps.length === 0) {
    fail(owner, 'steps', undefined, `must be given under ${ENGINE}: Flagger walks a plan of shiftTraffic/pause steps and promotes by itself`);
  }
  const weights: number[] = [];
  let interval: string | undefined;
  steps.forEach((step, i) => {
    const expectShift = i % 2 === 0;
    if (step.type === CanaryStepType.SHIFT_TRAFFIC) {
      if (!expectShift) {
        fail(owner, `steps[${i}]`, `shiftTraffic(${step.weight})`, `must be a pause under ${ENGINE}: Flagger holds each weight for one interval, so shifts and pauses alternate, starting with a shift`);
      }
      const w = step.weight!;
      if (w > plan.weightTotal) {
        fail(owner, `steps[${i}].weight`, w, `must be at most weightTotal (${plan.weightTotal}) under ${ENGINE}: the Canary keeps the plan while no canary runs, and without a canary's traffic.weightTotal weights are out of 100`);
      }
      const percent = (w * 100) / plan.weightTotal;
      if (!Number.isInteger(percent)) {
        fail(owner, `steps[${i}].weight`, w, `must be a whole percentage of weightTotal (${plan.weightTotal}) under ${ENGINE}: Flagger's step weights are percentages`);
      }
      if (percent === 0 || (weights.length > 0 && percent <= weights[weights.length - 1])) {
        fail(owner, `steps[${i}].weight`, w, `must be above 0 and above the previous step's weight under ${ENGINE}: Flagger's step weights strictly increase`);
      }
      weights.push(percent);
    } else {
      if (expectShift) {
        fail(owner, `steps[${i}]`, 'pause', `must be a shiftTraffic under ${ENGINE}: Flagger has no pause at 0% or between two pauses; shifts and pauses alternate, starting with a shift`);
      }
      if (!step.duration) {
        fail(owner, `steps[${i}]`, 'pause()', `needs a duration under ${ENGINE}: Flagger advances on a timer (gate a step with a Flagger webhook by hand)`);
      }
      const d = promDuration(step.duration);
      if (interval !== undefined && d !== interval) {
        fail(owner, `steps[${i}].duration`, d, `must equal the first pause (${interval}) under ${ENGINE}: Flagger holds every step for the same interval`);
      }
      interval = d;
    }
  });
  // The plan ends, the canary is promoted, as under every engine: after a last pause Flagger
  // promotes once it has held the last weight for an interval; a last shiftTraffic(weightTotal)
  // is that promotion. A last shift below it would be held for an interval before promotion,
  // where the plan promotes at once.
  const lastStep = steps[steps.length - 1];
  const endsWithPromotion = lastStep.type === CanaryStepType.SHIFT_TRAFFIC;
  if (endsWithPromotion && weights[weights.length - 1] !== 100) {
    fail(owner, 'steps', `[..., shiftTraffic(${lastStep.weight})]`,
      `must end with a pause or with CanaryStep.shiftTraffic(${plan.weightTotal}) under ${ENGINE}: Flagger holds every weight for one interval, so a last shift below ${plan.weightTotal} would be held before the promotion that follows the plan's end at once`);
  }
  if (interval === undefined) {
    fail(owner, 'steps', 'no pause', `needs at least one pause with a duration under ${ENGINE}: it is Flagger's interval`);
  }
  return { interval: flaggerDuration(interval), stepWeights: endsWithPromotion ? weights.slice(0, -1) : weights };
}

/** An A/B test: `iterations` intervals of the header/cookie rules, then promotion. */
export function abSchedule(plan: CanaryPlan, options: FlaggerOptions): CanarySpecAnalysis {
  const { owner } = plan.release;
  if (plan.steps.length === 0) {
    const iterations = checkInteger(owner, 'engine iterations', options.iterations ?? 10, 1, 10_000);
    return { interval: flaggerDuration(promDuration(plan.analysis?.interval ?? defaultInterval())), iterations };
  }
  let interval: string | undefined;
  let iterations = 0;
  plan.steps.forEach((step, i) => {
    if (step.type === CanaryStepType.SHIFT_TRAFFIC) {
      if (i === plan.steps.length - 1 && step.weight === plan.weightTotal) return; // promotion
      fail(owner, `steps[${i}]`, `shiftTraffic(${step.weight})`, `cannot be part of an A/B test (header or cookie rules) under ${ENGINE}: Flagger ignores weights when it matches requests; plan pauses only, optionally ending with shiftTraffic(${plan.weightTotal})`);
    }
    if (!step.duration) {
      fail(owner, `steps[${i}]`, 'pause()', `needs a duration under ${ENGINE}: Flagger advances on a timer`);
    }
    const d = promDuration(step.duration);
    if (interval !== undefined && d !== interval) {
      fail(owner, `steps[${i}].duration`, d, `must equal the first pause (${interval}) under ${ENGINE}: Flagger runs every iteration for the same interval`);
    }
    interval = d;
    iterations++;
  });
  if (interval === undefined) {
    fail(owner, 'steps', `[shiftTraffic(${plan.weightTotal})]`, `needs at least one pause with a duration under ${ENGINE}: an A/B test runs one iteration per pause, and the pause is Flagger's interval`);
  }
  if (options.iterations !== undefined) {
    fail(owner, 'engine', `${ENGINE.replace('()', '')}({ iterations: ${options.iterations} })`, `conflicts with steps: the plan's ${iterations} pauses are the iterations`);
  }
  return { interval: flaggerDuration(interval), iterations };
}
