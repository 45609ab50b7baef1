import { App, Chart, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type {
  Canary,
  CanarySpecAnalysis,
  CanarySpecAnalysisMatch,
  CanarySpecAnalysisMetrics,
  CanarySpecIngressRef,
  CanarySpecProvider,
  CanarySpecService,
} from '../../../imports/flagger.app';
import { analysisQueries, refuseRuleLabels, seconds } from '../../analysis/analysis-queries';
import { CanaryAnalysis } from '../../analysis/canary-analysis';
import { CanaryStepType } from '../canary-step';
import { HeaderMatch } from '../../routing/header-match';
import { objectMetadata } from '../../private/metadata';
import { promDuration } from '../../analysis/promql';
import { ResolvedRelease, appMetadata, checkObjectName, releaseService, routingBase } from '../../releases/release-base';
import { BlueGreenObjects, BlueGreenPlan, CanaryObjects, CanaryPlan } from '../release-plan';
import { trackDeployment } from '../../workload/track-deployment';
import { checkInteger, fail } from '../../private/validation';
import { flaggerApi } from '../../private/upstream';

/** Options of `DeliveryEngine.flagger()`. */
export interface FlaggerOptions {
  /**
   * How many analysis intervals an A/B test (header or cookie rules) or a blue-green release
   * runs before promotion, when the release has no plan (`steps`) to count them from.
   * @default 10
   * @see https://docs.flagger.app/usage/deployment-strategies#a-b-testing
   */
  readonly iterations?: number;
}

/**
 * What a router adds to the Canary's `service`: hosts, gateways, gateway refs, path match.
 * @internal
 */
export interface FlaggerService {
  readonly hosts?: string[];
  readonly gateways?: string[];
  readonly gatewayRefs?: CanarySpecService['gatewayRefs'];
  readonly match?: CanarySpecService['match'];
}

/**
 * How a router looks to Flagger: its provider and what the Canary's `service` says.
 * @internal
 */
export interface FlaggerRouting {
  readonly provider: CanarySpecProvider;
  readonly ingressRef?: CanarySpecIngressRef;
  /** The Canary's `service`, but for the ports. */
  readonly service: FlaggerService;
  /** The A/B match for the header rule. */
  headerMatch(header: HeaderMatch): CanarySpecAnalysisMatch;
  /** The A/B match for cookie `<cookie>=always`. */
  cookieMatch(cookie: string): CanarySpecAnalysisMatch;
}

const ENGINE = 'DeliveryEngine.flagger()';

/**
 * One Deployment `<name>` running the newest version (Flagger copies it into `<name>-primary`
 * and generates the Services and routes), the objects Flagger expects to find (the nginx
 * Ingress `<name>`), and a Canary `<name>`: the plan as stepWeights, or an A/B test for header
 * and cookie rules, with the analysis as Flagger metrics.
 */
export function flaggerCanary(scope: Construct, plan: CanaryPlan, options: FlaggerOptions): CanaryObjects {
  const { release, stable, canary } = plan;
  const { name, router, owner } = release;
  refuseRuleLabels(release, ENGINE, 'MetricTemplates that Flagger queries Prometheus for');
  if (!router.splitsTraffic) {
    fail(owner, 'router', 'TrafficRouter.service()', `cannot shift a canary's traffic under ${ENGINE}: use TrafficRouter.nginx(), .istio() or .gatewayApi() (Flagger's kubernetes provider does blue-green only)`);
  }
  if (canary?.step !== undefined) {
    fail(owner, 'canary.step', canary.step, `is for DeliveryEngine.manifests(): with ${ENGINE} Flagger walks the plan itself; remove step`);
  }
  if (canary?.replicas !== undefined) {
    fail(owner, 'canary.replicas', canary.replicas, `cannot be set under ${ENGINE}: Flagger runs the canary at the Deployment's size (stable.replicas)`);
  }
  if (plan.weightGiven) {
    fail(owner, 'canary.traffic.weight', plan.weight, `cannot be set under ${ENGINE}: Flagger shifts weights by the plan (steps)${plan.header || plan.cookie ? ', and ignores them altogether in an A/B test (header or cookie rules)' : ''}`);
  }

  checkObjectName(release, `${name}-primary`, 'Deployment Flagger copies');
  const abTest = plan.header !== undefined || plan.cookie !== undefined;
  if (!abTest && options.iterations !== undefined) {
    fail(owner, 'engine', `${ENGINE.replace('()', '')}({ iterations: ${options.iterations} })`, 'sets iterations, which are for an A/B test (header or cookie rules) or a BlueGreenRelease: a weighted canary runs one interval per step of its plan (steps)');
  }
  const newest = canary ?? stable;
  const deployment = trackDeployment(scope, release, { ...newest, replicas: stable.replicas }, { single: true });
  const routing = router._bindFlagger(scope, {
    ...routingBase(release),
    service: scratchService(release, name),
    stable: { version: stable.version, slug: 'primary' },
    canary: { version: newest.version, slug: 'canary' },
    canaryService: scratchService(release, `${name}-canary`),
    header: plan.header,
    cookie: plan.cookie,
    weight: 0,
    weightTotal: plan.weightTotal,
  });

  const schedule = abTest ? abSchedule(plan, options) : canarySchedule(plan);
  const match: CanarySpecAnalysisMatch[] = [];
  if (plan.header) match.push(routing.headerMatch(plan.header));
  if (plan.cookie) match.push(routing.cookieMatch(plan.cookie));

  canaryObject(scope, release, routing, {
    ...schedule,
    match: match.length > 0 ? match : undefined,
  }, newest.version, true);
  return { deployment };
}

/**
 * Flagger's blue-green mode (`provider: kubernetes`, `iterations`): one Deployment `<name>`
 * running the newest color, the router's routes to the Services Flagger generates (`<name>`
 * over the primary, `<name>-canary` over the new version as the preview), and a Canary `<name>`.
 */
export function flaggerBlueGreen(scope: Construct, plan: BlueGreenPlan, options: FlaggerOptions): BlueGreenObjects {
  const { CanarySpecProvider } = flaggerApi();
  const { release, active, idle } = plan;
  const { name, router, owner } = release;
  refuseRuleLabels(release, ENGINE, 'MetricTemplates that Flagger queries Prometheus for');
  if (router.routesBySubset) {
    fail(owner, 'router', 'TrafficRouter.istio({ subsets: true })', `cannot route a blue-green release under ${ENGINE}: Flagger's kubernetes provider switches Services, not subsets; use TrafficRouter.istio() (by host)`);
  }
  checkObjectName(release, `${name}-primary`, 'Deployment Flagger copies');
  if (plan.analysis && !plan.previewHost && router._measuresByHost) {
    fail(owner, 'analysis', 'CanaryAnalysis.prometheus(...)', `needs previewHost under ${ENGINE} with this router: the analysis measures the new color's requests through the preview route, and without previewHost there is none (the analysis would see no requests and always pass)`);
  }
  const newest = idle ?? active;
  const deployment = trackDeployment(scope, release, newest, { single: true });
  // Flagger generates these Services; the routes name them, but they are not emitted.
  router.bindBlueGreen(scope, {
    ...routingBase(release),
    activeService: scratchService(release, name),
    active: { version: active.version, slug: 'primary' },
    idle: idle ? { version: idle.version, slug: 'canary' } : undefined,
    previewService: idle && plan.preview ? scratchService(release, `${name}-canary`) : undefined,
    previewHost: plan.previewHost,
  });
  const iterations = options.iterations ?? 10;
  canaryObject(scope, release, {
    provider: CanarySpecProvider.KUBERNETES,
    service: {},
    headerMatch: () => ({}),
    cookieMatch: () => ({}),
  }, {
    interval: flaggerDuration(promDuration(release.analysis?.interval ?? defaultInterval())),
    iterations,
  }, newest.version, false);
  return { deployment };
}

/** A Service that Flagger generates: routes point at it, but it is not emitted. */
function scratchService(release: ResolvedRelease, name: string): kplus.Service {
  const scratch = new Chart(new App(), 'flagger-services');
  return releaseService(scratch, name, release, name, { app: release.name });
}

/**
 * A duration as Flagger's CRD accepts it (`^[0-9]+(m|s)`: minutes or seconds, no hours), from
 * a Prometheus duration: `2h` is `120m`.
 */
function flaggerDuration(d: string): string {
  return d.replace(/^(\d+)h$/, (_m, hours: string) => `${Number(hours) * 60}m`);
}

/** Without a plan, Flagger checks every analysis interval (one minute without an analysis). */
function defaultInterval(): Duration {
  return Duration.minutes(1);
}

/**
 * The plan as Flagger's schedule: equal pauses give `interval`, the shifts give `stepWeights`
 * (percentages), and the last shift must send everyone, which Flagger does by promoting.
 */
function canarySchedule(plan: CanaryPlan): CanarySpecAnalysis {
  const { owner } = plan.release;
  const steps = plan.steps;
  if (steps.length === 0) {
    fail(owner, 'steps', undefined, `must be given under ${ENGINE}: Flagger walks a plan of shiftTraffic/pause steps and promotes by itself`);
  }
  const weights: number[] = [];
  let interval: string | undefined;
  steps.forEach((step, i) => {
    const expectShift = i % 2 === 0;
    if (step.type === CanaryStepType.SHIFT_TRAFFIC) {
      if (!expectShift) {
        fail(owner, `steps[${i}]`, `shiftTraffic(${step.weight})`, `must be a pause under ${ENGINE}: Flagger holds each weight for one interval, so shifts and pauses alternate, starting with a shift`);
      }
      const w = step.weight!;
      const percent = (w * 100) / plan.weightTotal;
      if (!Number.isInteger(percent)) {
        fail(owner, `steps[${i}].weight`, w, `must be a whole percentage of weightTotal (${plan.weightTotal}) under ${ENGINE}: Flagger's step weights are percentages`);
      }
      if (percent === 0 || (weights.length > 0 && percent <= weights[weights.length - 1])) {
        fail(owner, `steps[${i}].weight`, w, `must be above 0 and above the previous step's weight under ${ENGINE}: Flagger's step weights strictly increase`);
      }
      weights.push(percent);
    } else {
      if (expectShift) {
        fail(owner, `steps[${i}]`, 'pause', `must be a shiftTraffic under ${ENGINE}: Flagger has no pause at 0% or between two pauses; shifts and pauses alternate, starting with a shift`);
      }
      if (!step.duration) {
        fail(owner, `steps[${i}]`, 'pause()', `needs a duration under ${ENGINE}: Flagger advances on a timer (gate a step with a Flagger webhook by hand)`);
      }
      const d = promDuration(step.duration);
      if (interval !== undefined && d !== interval) {
        fail(owner, `steps[${i}].duration`, d, `must equal the first pause (${interval}) under ${ENGINE}: Flagger holds every step for the same interval`);
      }
      interval = d;
    }
  });
  const last = weights[weights.length - 1];
  if (last !== 100 || steps[steps.length - 1].type !== CanaryStepType.SHIFT_TRAFFIC) {
    fail(owner, 'steps', `[..., ${steps[steps.length - 1].type === CanaryStepType.SHIFT_TRAFFIC ? `shiftTraffic(${steps[steps.length - 1].weight})` : 'pause'}]`,
      `must end with CanaryStep.shiftTraffic(${plan.weightTotal}) under ${ENGINE}: Flagger promotes the canary after the last step, so the plan says so`);
  }
  if (interval === undefined) {
    fail(owner, 'steps', 'no pause', `needs at least one pause with a duration under ${ENGINE}: it is Flagger's interval`);
  }
  return { interval: flaggerDuration(interval), stepWeights: weights.slice(0, -1) };
}

/** An A/B test: `iterations` intervals of the header/cookie rules, then promotion. */
function abSchedule(plan: CanaryPlan, options: FlaggerOptions): CanarySpecAnalysis {
  const { owner } = plan.release;
  if (plan.steps.length === 0) {
    const iterations = checkInteger(owner, 'engine iterations', options.iterations ?? 10, 1, 10_000);
    return { interval: flaggerDuration(promDuration(plan.analysis?.interval ?? defaultInterval())), iterations };
  }
  let interval: string | undefined;
  let iterations = 0;
  plan.steps.forEach((step, i) => {
    if (step.type === CanaryStepType.SHIFT_TRAFFIC) {
      if (i === plan.steps.length - 1 && step.weight === plan.weightTotal) return; // promotion
      fail(owner, `steps[${i}]`, `shiftTraffic(${step.weight})`, `cannot be part of an A/B test (header or cookie rules) under ${ENGINE}: Flagger ignores weights when it matches requests; plan pauses only, optionally ending with shiftTraffic(${plan.weightTotal})`);
    }
    if (!step.duration) {
      fail(owner, `steps[${i}]`, 'pause()', `needs a duration under ${ENGINE}: Flagger advances on a timer`);
    }
    const d = promDuration(step.duration);
    if (interval !== undefined && d !== interval) {
      fail(owner, `steps[${i}].duration`, d, `must equal the first pause (${interval}) under ${ENGINE}: Flagger runs every iteration for the same interval`);
    }
    interval = d;
    iterations++;
  });
  if (interval === undefined) {
    fail(owner, 'steps', `[shiftTraffic(${plan.weightTotal})]`, `needs at least one pause with a duration under ${ENGINE}: an A/B test runs one iteration per pause, and the pause is Flagger's interval`);
  }
  if (options.iterations !== undefined) {
    fail(owner, 'engine', `${ENGINE.replace('()', '')}({ iterations: ${options.iterations} })`, `conflicts with steps: the plan's ${iterations} pauses are the iterations`);
  }
  return { interval: flaggerDuration(interval), iterations };
}

/** The Canary `<name>`, with the analysis as MetricTemplates. */
function canaryObject(
  scope: Construct,
  release: ResolvedRelease,
  routing: FlaggerRouting,
  schedule: CanarySpecAnalysis,
  version: string,
  isCanary: boolean,
): Canary {
  const { Canary, CanarySpecTargetRefKind } = flaggerApi();
  const analysis = release.analysis;
  const metrics = analysis ? flaggerMetrics(scope, release, analysis, version, isCanary) : undefined;
  return new Canary(scope, 'Canary', {
    metadata: objectMetadata(release.name, appMetadata(release).labels, release.metadata.annotations),
    spec: {
      provider: routing.provider,
      targetRef: { apiVersion: 'apps/v1', kind: CanarySpecTargetRefKind.DEPLOYMENT, name: release.name },
      ingressRef: routing.ingressRef,
      service: { ...routing.service, port: release.servicePort, targetPort: release.containerPort },
      analysis: {
        ...schedule,
        // Flagger rolls back on the threshold-th failed check; failureLimit failures are tolerated.
        threshold: (analysis?.failureLimit ?? 0) + 1,
        metrics,
      },
    },
  });
}

/**
 * The analysis as one MetricTemplate per metric, with the library's queries (or the user's),
 * guarded so that no data yet reads 0 (see `noDataAsZero`). Never Flagger's built-in metrics
 * (`request-success-rate`, `request-duration`): their queries are Flagger's own and cannot be
 * guarded, so an idle canary would fail every check and be rolled back.
 */
function flaggerMetrics(scope: Construct, release: ResolvedRelease, analysis: CanaryAnalysis, version: string, isCanary: boolean): CanarySpecAnalysisMetrics[] {
  const { MetricTemplate, MetricTemplateSpecProviderType } = flaggerApi();
  // Under Flagger the Deployment <name> (the canary, or blue-green's new color) is always behind
  // the Service <name>-canary that Flagger generates; <name> is the primary, i.e. the old version.
  // A canary's requests come through the main route <name>; blue-green's new color is reached
  // through the preview route <name>-preview.
  const route = isCanary ? release.name : `${release.name}-preview`;
  const queries = analysisQueries(scope, release, analysis, { version, service: `${release.name}-canary`, route, isCanary });
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
