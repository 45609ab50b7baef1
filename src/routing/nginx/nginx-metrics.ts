import type { CanaryMetricQueries, CanaryMetricsTarget } from '../../analysis/canary-analysis';
import { promSelector } from '../../analysis/promql';

/**
 * ingress-nginx's request metrics. The controller labels every request with the Ingress whose
 * location served it (the main one, `<name>`, also for canary requests) and, in `canary`, the
 * canary upstream when the canary served it (empty otherwise).
 * @see https://github.com/kubernetes/ingress-nginx/blob/main/internal/ingress/metric/collectors/socket.go
 */
export function nginxMetrics(target: CanaryMetricsTarget): CanaryMetricQueries {
  const base: Array<[string, string, string | undefined]> = [
    ['namespace', '=', target.namespace],
    // The canary's requests are counted on the main Ingress `<name>` (with the canary label);
    // any other version's on the Ingress that routes to it alone.
    ['ingress', '=', target.route],
    ['canary', target.isCanary ? '!=' : '=', ''],
  ];
  const all = promSelector(base);
  const errors = promSelector([...base, ['status', '=~', '5..']]);
  return {
    errorRate: `100 * sum(rate(nginx_ingress_controller_requests${errors}[${target.window}])) / sum(rate(nginx_ingress_controller_requests${all}[${target.window}]))`,
    latencyP99: `histogram_quantile(0.99, sum by (le) (rate(nginx_ingress_controller_request_duration_seconds_bucket${all}[${target.window}])))`,
  };
}
