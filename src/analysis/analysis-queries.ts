import { Chart, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import type { PrometheusRule, PrometheusRuleSpecGroupsRules } from '../../imports/monitoring.coreos.com';
import { CanaryAnalysis, CanaryMetricQueries, CanaryMetricsTarget } from './canary-analysis';
import { promDuration } from './promql';
import { objectMetadata } from '../private/metadata';
import { ResolvedRelease } from '../releases/release-base';
import { fail } from '../private/validation';
import { prometheusOperatorApi } from '../private/upstream';

/** Who is analysed: the version, the Service that runs it, and whether it gets a canary's share. */
export interface AnalysedVersion {
  readonly version: string;
  readonly service: string;
  /** The route (Ingress) its requests come through: `<name>`, or `<name>-preview`. */
  readonly route: string;
  readonly isCanary: boolean;
}

/** The analysis queries for `who`, or a precise error when neither the router nor the user has them. */
export function analysisQueries(scope: Construct, release: ResolvedRelease, analysis: CanaryAnalysis, who: AnalysedVersion): CanaryMetricQueries {
  const target: CanaryMetricsTarget = {
    name: release.name,
    namespace: Chart.of(scope).namespace,
    version: who.version,
    service: who.service,
    route: who.route,
    isCanary: who.isCanary,
    window: analysis.window,
  };
  const queries = analysis.queriesFor(target, release.router.canaryMetrics(target));
  if (!queries) {
    fail(release.owner, 'analysis', 'CanaryAnalysis.prometheus(...)', 'needs a router whose request metrics the library knows (TrafficRouter.nginx(), .istio() or .gatewayApi()), or your own errorRateQuery (and latencyQuery with maxLatency): TrafficRouter.service() exposes no per-version request metrics');
  }
  return queries;
}

/** Seconds, as PromQL and Argo Rollouts' expressions print them: `0.5`, `2`. */
export function seconds(d: Duration): string {
  return String(d.toMilliseconds() / 1000);
}

/**
 * For plain manifests: a PrometheusRule `<name>` whose alerts fire when the analysed version's
 * error rate (or p99 latency) stays above the limit for `failureLimit` more evaluations.
 *
 * No data yet never fires: `(q) > limit` is a filtering comparison, which keeps only the samples
 * for which it is true. An empty result (no series: nobody has called the version yet) has no
 * sample to keep, and a 0/0 ratio is NaN, for which every comparison is false, so its sample is
 * dropped: either way the expression returns nothing and no alert is pending or firing. A real
 * value above the limit (7 with a limit of 5) is kept and fires. So, unlike the controllers'
 * analyses, these expressions need no guard.
 *
 * The PrometheusRule carries the release's labels, then the analysis's `ruleLabels` (which win
 * on a shared key, being meant for this object alone), then `app: <name>`.
 */
export function analysisPrometheusRule(scope: Construct, release: ResolvedRelease, analysis: CanaryAnalysis, who: AnalysedVersion, rollBack: string): PrometheusRule {
  const { PrometheusRule, PrometheusRuleSpecGroupsRulesExpr } = prometheusOperatorApi();
  const queries = analysisQueries(scope, release, analysis, who);
  const labels = { severity: 'critical', app: release.name, version: who.version };
  const holdFor = analysis.failureLimit > 0 ? promDuration(Duration.seconds(analysis.interval.toSeconds() * analysis.failureLimit)) : undefined;
  const what = `${release.name} ${who.version}`;
  const rules: PrometheusRuleSpecGroupsRules[] = [{
    alert: 'ReleaseErrorRateHigh',
    expr: PrometheusRuleSpecGroupsRulesExpr.fromString(`(${queries.errorRate}) > ${analysis.maxErrorRate}`),
    for: holdFor,
    labels,
    annotations: {
      summary: `${what} fails more than ${analysis.maxErrorRate}% of requests with 5xx: roll back (${rollBack}).`,
      description: `The 5xx rate of ${what} is {{ $value | humanize }}%, above the release's limit of ${analysis.maxErrorRate}%.`,
    },
  }];
  if (analysis.maxLatency) {
    rules.push({
      alert: 'ReleaseLatencyHigh',
      expr: PrometheusRuleSpecGroupsRulesExpr.fromString(`(${queries.latencyP99}) > ${seconds(analysis.maxLatency)}`),
      for: holdFor,
      labels,
      annotations: {
        summary: `${what} answers slower than ${analysis.maxLatency.toHumanString()} at the 99th percentile: roll back (${rollBack}).`,
        description: `The p99 latency of ${what} is {{ $value | humanizeDuration }}, above the release's limit of ${analysis.maxLatency.toHumanString()}.`,
      },
    });
  }
  return new PrometheusRule(scope, 'PrometheusRule', {
    metadata: objectMetadata(release.name, { ...release.metadata.labels, ...analysis.ruleLabels, app: release.name }, release.metadata.annotations),
    spec: { groups: [{ name: `${release.name}.release`, interval: promDuration(analysis.interval), rules }] },
  });
}

/**
 * `ruleLabels` label the PrometheusRule of plain manifests; an engine that runs the analysis
 * itself emits none, so they would be dropped: an error.
 */
export function refuseRuleLabels(release: ResolvedRelease, engine: string, runsAs: string): void {
  const labels = release.analysis?.ruleLabels;
  if (labels !== undefined) {
    fail(release.owner, 'analysis.ruleLabels', labels, `are for the PrometheusRule of DeliveryEngine.manifests(), and ${engine} emits none: it runs the analysis itself (${runsAs}); remove ruleLabels`);
  }
}
