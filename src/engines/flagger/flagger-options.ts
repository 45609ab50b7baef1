/** Options of `DeliveryEngine.flagger()`. */
export interface FlaggerOptions {
  /**
   * How many analysis intervals an A/B test (header or cookie rules) or a blue-green release
   * runs before promotion, when the release has no plan (`steps`) to count them from.
   * @default 10
   * @see https://docs.flagger.app/usage/deployment-strategies#a-b-testing
   */
  readonly iterations?: number;
}

/** How errors name the engine. */
export const ENGINE = 'DeliveryEngine.flagger()';
