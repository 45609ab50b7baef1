import type { CanarySpecAnalysisWebhooks } from '../../../imports/flagger.app';
import { smokeScript } from '../../analysis/smoke-test';
import { flaggerApi } from '../../private/upstream';
import { SmokeRequests } from '../smoke-target';

/** Where Flagger's load tester answers by default: the chart's `flagger-loadtester` in namespace `test`. */
export const DEFAULT_LOAD_TESTER_URL = 'http://flagger-loadtester.test/';

/**
 * The smoke test as a `pre-rollout` webhook: before Flagger shifts any traffic to the new
 * version it asks its load tester (flagger-loadtester, which must be installed) to run the
 * loop with `bash`; a failed loop fails the webhook, and Flagger rolls the canary back.
 * @see https://docs.flagger.app/usage/webhooks#load-testing
 */
export function smokeWebhook(requests: SmokeRequests, loadTesterUrl: string): CanarySpecAnalysisWebhooks {
  const { CanarySpecAnalysisWebhooksType } = flaggerApi();
  // The loop's timeout: every request may take up to 10 s, plus a minute to spare.
  const seconds = requests.smoke.requests * 10 + 60;
  return {
    name: 'smoke-test',
    type: CanarySpecAnalysisWebhooksType.PRE_HYPHEN_ROLLOUT,
    url: loadTesterUrl,
    timeout: `${seconds}s`,
    metadata: { type: 'bash', cmd: smokeScript(requests.smoke, requests.url, requests.headers) },
  };
}
