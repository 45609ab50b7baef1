import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import type { PrometheusRule, PrometheusRuleSpecGroupsRules } from '../../imports/monitoring.coreos.com';
import { objectMetadata } from '../private/metadata';
import { prometheusOperatorApi } from '../private/upstream';
import { AnalysedRelease, AnalysedVersion, seconds } from './analysis-queries';
import { CanaryAnalysis, CanaryMetricQueries } from './canary-analysis';
import { promDuration } from './promql';

/** The PrometheusRule of one analysed version: its queries (from `analysisQueries`) and how to roll it back. */
export interface PrometheusRuleSpec {
  readonly who: AnalysedVersion;
  readonly queries: CanaryMetricQueries;
  /** What a human does to roll back, e.g. `remove the canary v2 from the release`. */
  readonly rollBack: string;
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
export function analysisPrometheusRule(scope: Construct, release: AnalysedRelease, analysis: CanaryAnalysis, spec: PrometheusRuleSpec): PrometheusRule {
  const { who, queries, rollBack } = spec;
  const { PrometheusRule, PrometheusRuleSpecGroupsRulesExpr } = prometheusOperatorApi();
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
