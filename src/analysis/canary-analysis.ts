import { Duration } from 'cdk8s';
import { promDuration } from './promql';
import { RESERVED_LABELS, checkInteger, checkLabels, fail } from '../private/validation';
import type { AppProtocol } from '../workload/app-protocol';

/** Options of `CanaryAnalysis.prometheus()`. */
export interface PrometheusAnalysisOptions {
  /**
   * Where Prometheus answers queries, e.g. `http://prometheus.monitoring:9090`.
   * @see https://argo-rollouts.readthedocs.io/en/stable/analysis/prometheus/
   */
  readonly address: string;

  /**
   * The largest share of the analysed version's requests, in percent, that may fail with a
   * 5xx status: 5 means 5%. Above it, roll back.
   */
  readonly maxErrorRate: number;

  /**
   * The largest 99th-percentile request duration of the analysed version. Above it, roll back.
   * @default - latency is not analysed
   */
  readonly maxLatency?: Duration;

  /**
   * How often the metrics are measured (and the rate window: twice this, at least a minute).
   * @default Duration.minutes(1)
   */
  readonly interval?: Duration;

  /**
   * How many failed measurements are tolerated: the analysis fails (roll back) on the next.
   * @default 2
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/analysis/#failure-conditions-and-failure-limit
   */
  readonly failureLimit?: number;

  /**
   * PromQL for the analysed version's error rate in percent (0 to 100), replacing the query of
   * the router. Placeholders: `{{name}}`, `{{namespace}}`, `{{version}}`, `{{service}}`,
   * `{{route}}`, `{{window}}`.
   * @default - the router's query (ingress-nginx, Istio; Gateway API: Istio's metrics)
   */
  readonly errorRateQuery?: string;

  /**
   * PromQL for the analysed version's 99th-percentile latency in seconds, replacing the query
   * of the router. Same placeholders as `errorRateQuery`.
   * @default - the router's query
   */
  readonly latencyQuery?: string;

  /**
   * Labels for the PrometheusRule only, the object the analysis becomes with plain manifests.
   *
   * A Prometheus run by the Prometheus Operator loads only the rules its `ruleSelector`
   * selects, and kube-prometheus-stack's default selects the label `release: <helm release>`:
   * `{ release: 'kube-prometheus-stack' }` gets the rollback alert loaded without labelling
   * every object of the release. Merged over the release's `metadata.labels` on the
   * PrometheusRule (a key in both takes the value given here); `app` and `version` are the
   * library's own labels and not allowed. An error under `DeliveryEngine.argoRollouts()` and
   * `DeliveryEngine.flagger()`, which emit no PrometheusRule.
   * @default - no extra labels
   */
  readonly ruleLabels?: { [key: string]: string };
}

/** Whom the metric queries are about. */
export interface CanaryMetricsTarget {
  /** The app name. */
  readonly name: string;
  /**
   * The namespace.
   * @default - any namespace (the chart has none)
   */
  readonly namespace?: string;
  /** The version analysed. */
  readonly version: string;
  /** The Service whose pods run that version. */
  readonly service: string;
  /**
   * The route object through which the version's requests come, by name: for ingress-nginx
   * the Ingress (`<name>`, or `<name>-preview` for a blue-green preview). A canary's requests
   * come through the main route `<name>`.
   */
  readonly route: string;
  /** Whether the version receives the canary's share of a router (rather than all of it). */
  readonly isCanary: boolean;
  /** The PromQL range of rate() windows, e.g. `2m`. */
  readonly window: string;
  /**
   * What the app speaks. A gRPC call that fails answers HTTP 200 with a `grpc-status`
   * trailer: a router whose metrics cannot see it returns no queries for `AppProtocol.GRPC`.
   * @default AppProtocol.HTTP
   */
  readonly appProtocol?: AppProtocol;
}

/** PromQL for a version's health, as a router's metrics can tell it. */
export interface CanaryMetricQueries {
  /**
   * The error rate in percent (0 to 100): 5xx responses over all responses (for gRPC, calls
   * that failed with a server-side status over all calls).
   */
  readonly errorRate: string;
  /** The 99th-percentile request duration in seconds. */
  readonly latencyP99: string;
}

const PLACEHOLDERS = ['name', 'namespace', 'version', 'service', 'route', 'window'];

/** How a release is judged while it runs: alerts with plain manifests, analysis runs with a controller. */
export class CanaryAnalysis {
  /**
   * Judge the new version by Prometheus metrics: its error rate and, optionally, its p99
   * latency, queried from the metrics the release's router exposes.
   */
  public static prometheus(options: PrometheusAnalysisOptions): CanaryAnalysis {
    const owner = 'CanaryAnalysis.prometheus';
    if (options === undefined || options === null || typeof options !== 'object') {
      fail(owner, 'options', options, 'must be { address, maxErrorRate, maxLatency?, interval?, failureLimit? }');
    }
    if (typeof options.address !== 'string' || !/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/.test(options.address)) {
      fail(owner, 'options.address', options.address, 'must be an http:// or https:// URL of Prometheus, e.g. http://prometheus.monitoring:9090');
    }
    if (typeof options.maxErrorRate !== 'number' || !Number.isFinite(options.maxErrorRate) || options.maxErrorRate <= 0 || options.maxErrorRate >= 100) {
      fail(owner, 'options.maxErrorRate', options.maxErrorRate, 'must be a percentage above 0 and below 100 (5 means 5% of requests failing with 5xx)');
    }
    for (const key of ['maxLatency', 'interval'] as const) {
      const d = options[key];
      if (d === undefined) continue;
      if (!(d instanceof Duration)) fail(owner, `options.${key}`, d, 'must be a cdk8s Duration');
      if (d.toMilliseconds() <= 0) fail(owner, `options.${key}`, d.toHumanString(), 'must be longer than zero');
    }
    if (options.interval !== undefined && options.interval.toMilliseconds() % 1000 !== 0) {
      fail(owner, 'options.interval', `${options.interval.toMilliseconds()}ms`, 'must be a whole number of seconds');
    }
    if (options.failureLimit !== undefined) checkInteger(owner, 'options.failureLimit', options.failureLimit, 0, 1000);
    for (const key of ['errorRateQuery', 'latencyQuery'] as const) {
      const q = options[key];
      if (q === undefined) continue;
      if (typeof q !== 'string' || q.trim().length === 0) fail(owner, `options.${key}`, q, 'must be a PromQL expression');
      const unknown = [...q.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)].map((m) => m[1]).filter((p) => !PLACEHOLDERS.includes(p));
      if (unknown.length > 0) {
        fail(owner, `options.${key}`, q, `uses unknown placeholders (${unknown.join(', ')}): only ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}`);
      }
    }
    if (options.ruleLabels !== undefined) {
      const labels = options.ruleLabels;
      if (labels === null || typeof labels !== 'object' || Array.isArray(labels)) {
        fail(owner, 'options.ruleLabels', labels, 'must be a map of label keys to values, e.g. { release: \'kube-prometheus-stack\' }');
      }
      for (const key of RESERVED_LABELS) {
        if (labels[key] !== undefined) {
          fail(owner, `options.ruleLabels.${key}`, labels[key], `is not allowed: the library sets the '${key}' label itself and selects by it`);
        }
      }
      checkLabels(owner, 'options.ruleLabels', labels);
    }
    if (options.maxLatency !== undefined && options.errorRateQuery !== undefined && options.latencyQuery === undefined) {
      // A custom error-rate query says the router's metrics are not the ones to use.
      fail(owner, 'options.latencyQuery', undefined, 'must be given with maxLatency when errorRateQuery is: the router\'s latency metric would not match the custom error-rate source');
    }
    return new CanaryAnalysis(options);
  }

  /** Where Prometheus answers queries. */
  public readonly address: string;
  /** The largest tolerated error rate, in percent. */
  public readonly maxErrorRate: number;
  /** The largest tolerated p99 latency, if latency is analysed. */
  public readonly maxLatency?: Duration;
  /** How often metrics are measured. */
  public readonly interval: Duration;
  /** How many failed measurements are tolerated. */
  public readonly failureLimit: number;
  /** The PrometheusRule's own labels, if any (plain manifests only). */
  public readonly ruleLabels?: { [key: string]: string };
  private readonly errorRateQuery?: string;
  private readonly latencyQuery?: string;

  private constructor(options: PrometheusAnalysisOptions) {
    this.address = options.address;
    this.maxErrorRate = options.maxErrorRate;
    this.maxLatency = options.maxLatency;
    this.interval = options.interval ?? Duration.minutes(1);
    this.failureLimit = options.failureLimit ?? 2;
    this.ruleLabels = options.ruleLabels !== undefined ? { ...options.ruleLabels } : undefined;
    this.errorRateQuery = options.errorRateQuery;
    this.latencyQuery = options.latencyQuery;
  }

  /** Whether the user gave their own PromQL (errorRateQuery or latencyQuery). */
  public get hasCustomQueries(): boolean {
    return this.errorRateQuery !== undefined || this.latencyQuery !== undefined;
  }

  /** The rate() window: twice the interval, at least a minute, e.g. `2m` or `90s`. */
  public get window(): string {
    return promDuration(Duration.seconds(Math.max(60, 2 * this.interval.toSeconds())));
  }

  /**
   * The queries for `target`: the user's own (placeholders filled in) where given, else the
   * router's. Undefined when neither knows how.
   */
  public queriesFor(target: CanaryMetricsTarget, routerQueries: CanaryMetricQueries | undefined): CanaryMetricQueries | undefined {
    const fill = (q: string) => q.replace(/\{\{\s*([a-z]+)\s*\}\}/g, (_m, p: string) => {
      const values: { [key: string]: string } = { name: target.name, namespace: target.namespace ?? '', version: target.version, service: target.service, route: target.route, window: target.window };
      return values[p];
    });
    const errorRate = this.errorRateQuery !== undefined ? fill(this.errorRateQuery) : routerQueries?.errorRate;
    const latencyP99 = this.latencyQuery !== undefined ? fill(this.latencyQuery) : routerQueries?.latencyP99;
    if (errorRate === undefined || (this.maxLatency !== undefined && latencyP99 === undefined)) return undefined;
    return { errorRate, latencyP99: latencyP99 ?? '' };
  }
}
