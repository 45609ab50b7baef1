import type { CanaryMetricQueries, CanaryMetricsTarget } from '../../analysis/canary-analysis';
import { promSelector } from '../../analysis/promql';

/**
 * Istio's standard metrics, reported by the destination's sidecar, by the pods' `app` and
 * `version` labels (which the library sets).
 * @see https://istio.io/latest/docs/reference/config/metrics/
 */
export function istioMetrics(target: CanaryMetricsTarget): CanaryMetricQueries {
  const base: Array<[string, string, string | undefined]> = [
    ['reporter', '=', 'destination'],
    ['destination_workload_namespace', '=', target.namespace],
    ['destination_app', '=', target.name],
    ['destination_version', '=', target.version],
  ];
  const all = promSelector(base);
  const errors = promSelector([...base, ['response_code', '=~', '5..']]);
  return {
    errorRate: `100 * sum(rate(istio_requests_total${errors}[${target.window}])) / sum(rate(istio_requests_total${all}[${target.window}]))`,
    latencyP99: `histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket${all}[${target.window}]))) / 1000`,
  };
}
