import { Construct } from 'constructs';
import type { CanarySpecAnalysisMetrics } from '../../../imports/flagger.app';
import { analysisQueries, seconds } from '../../analysis/analysis-queries';
import { CanaryAnalysis, CanaryMetricQueries } from '../../analysis/canary-analysis';
import { objectMetadata } from '../../private/metadata';
import { checkObjectName } from '../../private/object-names';
import { flaggerApi } from '../../private/upstream';
import { appMetadata, ResolvedRelease } from '../release-plan';
import { flaggerDuration } from './flagger-schedule';

/**
 * The queries of the version Flagger analyses, or a precise error when there are none. Under
 * Flagger the Deployment <name> (the canary, or blue-green's new color) is always behind the
 * Service <name>-canary that Flagger generates; <name> is the primary, i.e. the old version.
 * A canary's requests come through the main route <name>; blue-green's new color is reached
 * through the preview route <name>-preview.
 */
export function flaggerQueries(scope: Construct, release: ResolvedRelease, analysed: { version: string; isCanary: boolean }): CanaryMetricQueries | undefined {
  if (!release.analysis) return undefined;
  for (const suffix of release.analysis.maxLatency ? ['error-rate', 'latency-p99'] : ['error-rate']) {
    checkObjectName(release, `${release.name}-${suffix}`, 'MetricTemplate');
  }
  const route = analysed.isCanary ? release.name : `${release.name}-preview`;
  return analysisQueries(scope, release, release.analysis, { version: analysed.version, service: `${release.name}-canary`, route, isCanary: analysed.isCanary });
}

/**
 * The analysis as one MetricTemplate per metric, with the library's queries (or the user's),
 * guarded so that no data yet reads 0 (see `noDataAsZero`). Never Flagger's built-in metrics
 * (`request-success-rate`, `request-duration`): their queries are Flagger's own and cannot be
 * guarded, so an idle canary would fail every check and be rolled back.
 */
export function flaggerMetrics(scope: Construct, release: ResolvedRelease, analysis: CanaryAnalysis, queries: CanaryMetricQueries): CanarySpecAnalysisMetrics[] {
  const { MetricTemplate, MetricTemplateSpecProviderType } = flaggerApi();
  const template = (id: string, suffix: string, query: string) => new MetricTemplate(scope, id, {
    metadata: objectMetadata(`${release.name}-${suffix}`, appMetadata(release).labels, release.metadata.annotations),
    spec: { provider: { type: MetricTemplateSpecProviderType.PROMETHEUS, address: analysis.address }, query: noDataAsZero(query) },
  });
  const errorRate = template('ErrorRateMetricTemplate', 'error-rate', queries.errorRate);
  const metrics: CanarySpecAnalysisMetrics[] = [{
    name: 'error-rate',
    interval: flaggerDuration(analysis.window),
    templateRef: { name: errorRate.name },
    thresholdRange: { max: analysis.maxErrorRate },
  }];
  if (analysis.maxLatency) {
    const latency = template('LatencyMetricTemplate', 'latency-p99', queries.latencyP99);
    metrics.push({ name: 'latency-p99', interval: flaggerDuration(analysis.window), templateRef: { name: latency.name }, thresholdRange: { max: Number(seconds(analysis.maxLatency)) } });
  }
  return metrics;
}

/**
 * A query that answers 0 while there is no data yet, and the value itself otherwise. Flagger
 * (v1.44, pkg/metrics/providers/prometheus.go, RunQuery) turns both an empty result (no
 * series: nobody called the version yet) and a NaN sample (a 0/0 ratio) into ErrNoValuesFound,
 * and pkg/controller/scheduler_metrics.go counts that as a failed check: after `threshold`
 * of them (scheduler.go) the canary is rolled back. `(q) >= 0` keeps every real sample (an
 * error rate or a latency is never below 0; +Inf is kept) and drops NaN, for which every
 * comparison is false; `or on() vector(0)` then adds a 0 only when nothing is left, since
 * `on()` matches any sample of the left side. So a real 7 still reads 7.
 */
function noDataAsZero(query: string): string {
  return `((${query}) >= 0) or on() vector(0)`;
}
