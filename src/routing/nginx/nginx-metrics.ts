import type { CanaryMetricQueries, CanaryMetricsTarget } from '../../analysis/canary-analysis';
import { promSelector } from '../../analysis/promql';
import { AppProtocol } from '../../workload/app-protocol';

/**
 * ingress-nginx's request metrics. The controller labels every request with the Ingress whose
 * location served it (the main one, `<name>`, also for canary requests) and, in `canary`, the
 * canary upstream when the canary served it (empty otherwise).
 *
 * None for a gRPC app: the controller labels a request with its HTTP `status` only
 * (rootfs/etc/nginx/lua/monitor.lua: `ngx.var.status`), and a failed gRPC call answers HTTP
 * 200 with a `grpc-status` trailer.
 * @see https://github.com/kubernetes/ingress-nginx/blob/main/internal/ingress/metric/collectors/socket.go
 */
export function nginxMetrics(target: CanaryMetricsTarget): CanaryMetricQueries | undefined {
  if (target.appProtocol === AppProtocol.GRPC) return undefined;
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
