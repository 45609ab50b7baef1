import { Duration } from 'cdk8s';

/** Options of `DeliveryEngine.argoRollouts()`. */
export interface ArgoRolloutsOptions {
  /**
   * How long the previous version's pods keep running after a promotion, so that rolling back
   * is instant: `Duration.hours(24)` keeps the old color for a day.
   * @default - Argo Rollouts' default (30 seconds)
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/bluegreen/#scaledowndelayseconds
   */
  readonly scaleDownDelay?: Duration;

  /**
   * Blue-green only: promote the preview to active as soon as it is ready (and its
   * pre-promotion analysis passed), without waiting for `kubectl argo rollouts promote`.
   * @default false
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/bluegreen/#autopromotionenabled
   */
  readonly autoPromotion?: boolean;
}

/** How errors name the engine. */
export const ENGINE = 'DeliveryEngine.argoRollouts()';
