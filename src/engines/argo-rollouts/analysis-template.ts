import { Construct } from 'constructs';
import type { AnalysisTemplate, AnalysisTemplateSpecMetrics } from '../../../imports/argoproj.io';
import { seconds } from '../../analysis/analysis-queries';
import { CanaryAnalysis, CanaryMetricQueries } from '../../analysis/canary-analysis';
import { promDuration } from '../../analysis/promql';
import { objectMetadata } from '../../private/metadata';
import { argoRolloutsApi } from '../../private/upstream';
import { appMetadata, ResolvedRelease } from '../release-plan';

/** AnalysisTemplate `<name>`: the error rate (and p99 latency) of the analysed version. */
export function analysisTemplate(scope: Construct, release: ResolvedRelease, analysis: CanaryAnalysis, queries: CanaryMetricQueries): AnalysisTemplate {
  const { AnalysisTemplate, AnalysisTemplateSpecMetricsFailureLimit } = argoRolloutsApi();
  const common = {
    interval: promDuration(analysis.interval),
    failureLimit: AnalysisTemplateSpecMetricsFailureLimit.fromNumber(analysis.failureLimit),
  };
  const metrics: AnalysisTemplateSpecMetrics[] = [{
    name: 'error-rate',
    ...common,
    successCondition: noDataOrAtMost(analysis.maxErrorRate),
    provider: { prometheus: { address: analysis.address, query: queries.errorRate } },
  }];
  if (analysis.maxLatency) {
    metrics.push({
      name: 'latency-p99',
      ...common,
      successCondition: noDataOrAtMost(seconds(analysis.maxLatency)),
      provider: { prometheus: { address: analysis.address, query: queries.latencyP99 } },
    });
  }
  return new AnalysisTemplate(scope, 'AnalysisTemplate', {
    metadata: objectMetadata(release.name, appMetadata(release).labels, release.metadata.annotations),
    spec: { metrics },
  });
}

/**
 * A successCondition that passes while there is no data yet, on either of the two ways
 * Prometheus says so, and otherwise compares the value with the limit. Argo Rollouts (v1.9,
 * metricproviders/prometheus/prometheus.go, processResponse) hands an instant vector to the
 * condition as `result`, a []float64 of its samples: an empty vector (no series: nobody called
 * the version yet) is `[]`, on which `result[0]` is an index error, i.e. an Error measurement,
 * and after consecutiveErrorLimit (4) of those the analysis fails and the rollout is aborted
 * (argoproj/argo-rollouts#1466); a 0/0 ratio is `[NaN]`, and NaN <= limit is false, a Failed
 * measurement. expr's `||` stops at the first true operand (compiler.go: OpJumpIfTrue), so
 * `result[0]` is only read when there is one. A real value above the limit still fails.
 */
function noDataOrAtMost(limit: number | string): string {
  return `len(result) == 0 || isNaN(result[0]) || result[0] <= ${limit}`;
}
