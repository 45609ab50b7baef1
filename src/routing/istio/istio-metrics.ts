import type { CanaryMetricQueries, CanaryMetricsTarget } from '../../analysis/canary-analysis';
import { promSelector } from '../../analysis/promql';
import { AppProtocol } from '../../workload/app-protocol';

/**
 * The gRPC statuses that say the server failed: those google/rpc/code.proto maps to an HTTP
 * 5xx (UNKNOWN 500, DEADLINE_EXCEEDED 504, UNIMPLEMENTED 501, INTERNAL 500, UNAVAILABLE 503,
 * DATA_LOSS 500), as `5..` counts an HTTP app's. Statuses a caller causes (INVALID_ARGUMENT,
 * NOT_FOUND, ...) are 4xx there, and no more a failure of the version than an HTTP 404 is.
 * @see https://github.com/googleapis/googleapis/blob/master/google/rpc/code.proto
 */
export const GRPC_SERVER_ERROR_STATUSES = ['2', '4', '12', '13', '14', '15'];

/**
 * Istio's standard metrics, reported by the destination's sidecar, by the pods' `app` and
 * `version` labels (which the library sets). For a gRPC app the errors are counted by
 * `grpc_response_status`: the proxy's istio_stats filter sets it for gRPC requests to the
 * numeric status of the `grpc-status` trailer (or header), else to the status it infers from
 * the HTTP one (Envoy's Grpc::Common::getGrpcStatus: a 503 is UNAVAILABLE), so a proxy's own
 * 5xx answer is counted too (istio/proxy source/extensions/filters/http/istio_stats/istio_stats.cc).
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
  const failed: [string, string, string] = target.appProtocol === AppProtocol.GRPC
    ? ['grpc_response_status', '=~', GRPC_SERVER_ERROR_STATUSES.join('|')]
    : ['response_code', '=~', '5..'];
  const errors = promSelector([...base, failed]);
  return {
    errorRate: `100 * sum(rate(istio_requests_total${errors}[${target.window}])) / sum(rate(istio_requests_total${all}[${target.window}]))`,
    latencyP99: `histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket${all}[${target.window}]))) / 1000`,
  };
}
