import { Duration } from 'cdk8s';
import { checkInteger, fail } from '../private/validation';

/** What a `CanaryStep` does. */
export enum CanaryStepType {
  /** Send `weight` (out of the canary's `traffic.weightTotal`) of the requests to the canary. */
  SHIFT_TRAFFIC = 'ShiftTraffic',
  /** Hold the current weight, for `duration` or until a human moves on. */
  PAUSE = 'Pause',
}

/**
 * One step of a canary plan, e.g. 5% for 2 hours, 50% for 4 hours, then everyone:
 *
 * ```ts
 * steps: [
 *   CanaryStep.shiftTraffic(5), CanaryStep.pause(Duration.hours(2)),
 *   CanaryStep.shiftTraffic(50), CanaryStep.pause(Duration.hours(4)),
 *   CanaryStep.shiftTraffic(100),
 * ]
 * ```
 */
export class CanaryStep {
  /**
   * Send `weight` of the requests (out of the canary's `traffic.weightTotal`, 100 by default)
   * to the canary. Weights never go down along a plan.
   *
   * @param weight a whole number from 0 to the canary's weightTotal
   */
  public static shiftTraffic(weight: number): CanaryStep {
    checkInteger('CanaryStep.shiftTraffic', 'weight', weight, 0, 1_000_000, '0 and weightTotal (at most 1000000)');
    return new CanaryStep(CanaryStepType.SHIFT_TRAFFIC, weight, undefined);
  }

  /**
   * Hold the current weight.
   *
   * @param duration how long; leave it out to wait until a human moves the canary on
   */
  public static pause(duration?: Duration): CanaryStep {
    if (duration !== undefined) {
      if (!(duration instanceof Duration)) {
        fail('CanaryStep.pause', 'duration', duration, 'must be a cdk8s Duration, e.g. Duration.hours(2)');
      }
      if (duration.toMilliseconds() <= 0) {
        fail('CanaryStep.pause', 'duration', duration.toHumanString(), 'must be longer than zero; leave it out to wait for a human');
      }
      if (duration.toMilliseconds() % 1000 !== 0) {
        fail('CanaryStep.pause', 'duration', `${duration.toMilliseconds()}ms`, 'must be a whole number of seconds');
      }
    }
    return new CanaryStep(CanaryStepType.PAUSE, undefined, duration);
  }

  /** What this step does. */
  public readonly type: CanaryStepType;
  /** The weight a `shiftTraffic` step sets; undefined for a pause. */
  public readonly weight?: number;
  /** How long a `pause` holds; undefined for a shift, or for a pause that waits for a human. */
  public readonly duration?: Duration;

  private constructor(type: CanaryStepType, weight: number | undefined, duration: Duration | undefined) {
    this.type = type;
    this.weight = weight;
    this.duration = duration;
  }
}
