import { ApiObjectMetadata, Chart, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { fail } from '../private/validation';
import { AppProtocol } from '../workload/app-protocol';
import { CanaryAnalysis, CanaryMetricQueries, CanaryMetricsTarget } from './canary-analysis';

/** Where a router's request metrics come from. */
export interface RouterMetrics {
  readonly displayName: string;
  canaryMetrics(target: CanaryMetricsTarget): CanaryMetricQueries | undefined;
}

/** The release an analysis judges. */
export interface AnalysedRelease {
  /** Who is analysed, for error messages, e.g. `CanaryRelease 'myapp'`. */
  readonly owner: string;
  readonly name: string;
  readonly metadata: ApiObjectMetadata;
  /** What the app speaks: a gRPC call fails with an HTTP 200 and a grpc-status trailer. */
  readonly appProtocol: AppProtocol;
  readonly router: RouterMetrics;
  readonly analysis?: CanaryAnalysis;
}

/** Who is analysed: the version, the Service that runs it, and whether it gets a canary's share. */
export interface AnalysedVersion {
  readonly version: string;
  readonly service: string;
  /** The route (Ingress) its requests come through: `<name>`, or `<name>-preview`. */
  readonly route: string;
  readonly isCanary: boolean;
}

/** The analysis queries for `who`, or a precise error when neither the router nor the user has them. */
export function analysisQueries(scope: Construct, release: AnalysedRelease, analysis: CanaryAnalysis, who: AnalysedVersion): CanaryMetricQueries {
  const target: CanaryMetricsTarget = {
    name: release.name,
    namespace: Chart.of(scope).namespace,
    version: who.version,
    service: who.service,
    route: who.route,
    isCanary: who.isCanary,
    window: analysis.window,
    // Left out for HTTP: a router written before the app protocol existed gets the same target.
    ...(release.appProtocol === AppProtocol.GRPC ? { appProtocol: AppProtocol.GRPC } : {}),
  };
  const queries = analysis.queriesFor(target, release.router.canaryMetrics(target));
  if (!queries && release.appProtocol === AppProtocol.GRPC) {
    fail(release.owner, 'analysis', 'CanaryAnalysis.prometheus(...)', `needs your own errorRateQuery (and latencyQuery with maxLatency) with appProtocol AppProtocol.GRPC: ${release.router.displayName} has no default queries for gRPC (a failed gRPC call answers HTTP 200 with a grpc-status trailer, and this router's request metrics count HTTP statuses only); the library's gRPC queries are Istio's (TrafficRouter.istio(), .gatewayApi()), by grpc_response_status`);
  }
  if (!queries) {
    fail(release.owner, 'analysis', 'CanaryAnalysis.prometheus(...)', `needs a router whose request metrics the library knows (TrafficRouter.nginx(), .istio() or .gatewayApi()), or your own errorRateQuery (and latencyQuery with maxLatency): ${release.router.displayName} exposes no per-version request metrics`);
  }
  return queries;
}

/** Seconds, as PromQL and Argo Rollouts' expressions print them: `0.5`, `2`. */
export function seconds(d: Duration): string {
  return String(d.toMilliseconds() / 1000);
}

/**
 * `ruleLabels` label the PrometheusRule of plain manifests; an engine that runs the analysis
 * itself emits none, so they would be dropped: an error.
 */
export function refuseRuleLabels(release: AnalysedRelease, engine: string, runsAs: string): void {
  const labels = release.analysis?.ruleLabels;
  if (labels !== undefined) {
    fail(release.owner, 'analysis.ruleLabels', labels, `are for the PrometheusRule of DeliveryEngine.manifests(), and ${engine} emits none: it runs the analysis itself (${runsAs}); remove ruleLabels`);
  }
}
