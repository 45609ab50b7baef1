/** Options of `DeliveryEngine.flagger()`. */
export interface FlaggerOptions {
  /**
   * How many analysis intervals an A/B test (header or cookie rules) or a blue-green release
   * runs before promotion, when the release has no plan (`steps`) to count them from.
   * @default 10
   * @see https://docs.flagger.app/usage/deployment-strategies#a-b-testing
   */
  readonly iterations?: number;

  /**
   * Where Flagger's load tester (flagger-loadtester) answers: the release's `smokeTest` runs
   * there as a `pre-rollout` webhook.
   * @default 'http://flagger-loadtester.test/'
   * @see https://docs.flagger.app/usage/webhooks#load-testing
   */
  readonly loadTesterUrl?: string;
}

/** How errors name the engine. */
export const ENGINE = 'DeliveryEngine.flagger()';
