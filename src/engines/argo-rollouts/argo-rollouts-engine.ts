import { ApiObject, App, Chart, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import type {
  AnalysisTemplate,
  AnalysisTemplateSpecMetrics,
  RolloutSpecStrategy,
  RolloutSpecStrategyCanarySteps,
} from '../../../imports/argoproj.io';
import { AnalysedVersion, analysisQueries, refuseRuleLabels, seconds } from '../../analysis/analysis-queries';
import { CanaryAnalysis } from '../../analysis/canary-analysis';
import { promDuration } from '../../analysis/promql';
import { CanaryStepType } from '../canary-step';
import { objectMetadata } from '../../private/metadata';
import { ResolvedRelease, appMetadata, releaseService, routingBase } from '../../releases/release-base';
import { BlueGreenObjects, BlueGreenPlan, CanaryObjects, CanaryPlan, checkCanaryHasPods } from '../release-plan';
import { ReleaseTrack } from '../../releases/release-track';
import { trackDeployment } from '../../workload/track-deployment';
import { fail } from '../../private/validation';
import { argoRolloutsApi } from '../../private/upstream';

/** Options of `DeliveryEngine.argoRollouts()`. */
export interface ArgoRolloutsOptions {
  /**
   * How long the previous version's pods keep running after a promotion, so that rolling back
   * is instant: `Duration.hours(24)` keeps the old color for a day.
   * @default - Argo Rollouts' default (30 seconds)
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/bluegreen/#scaledowndelayseconds
   */
  readonly scaleDownDelay?: Duration;

  /**
   * Blue-green only: promote the preview to active as soon as it is ready (and its
   * pre-promotion analysis passed), without waiting for `kubectl argo rollouts promote`.
   * @default false
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/bluegreen/#autopromotionenabled
   */
  readonly autoPromotion?: boolean;
}

const ENGINE = 'DeliveryEngine.argoRollouts()';

/**
 * One Rollout `<name>` replacing the per-track Deployments, its Services `<name>` and
 * `<name>-canary` (whose selectors Argo Rollouts narrows with its pod-template hash), the
 * router's objects that Argo Rollouts expects to exist, the steps, and the analysis as an
 * AnalysisTemplate `<name>` run in the background from the first step.
 */
export function argoCanary(scope: Construct, plan: CanaryPlan, options: ArgoRolloutsOptions): CanaryObjects {
  const { RolloutSpecStrategyCanaryMaxSurge, RolloutSpecStrategyCanaryMaxUnavailable } = argoRolloutsApi();
  const { release, stable, canary } = plan;
  const { name, router, owner } = release;
  refuseRuleLabels(release, ENGINE, 'an AnalysisTemplate that Argo Rollouts queries Prometheus for');
  if (options.autoPromotion !== undefined) {
    fail(owner, 'engine', `${ENGINE.replace('()', '')}({ autoPromotion: ${options.autoPromotion} })`, 'sets autoPromotion, which is for BlueGreenRelease: a canary moves on through its steps (a pause without a duration waits for `kubectl argo rollouts promote`)');
  }
  if (canary?.step !== undefined) {
    fail(owner, 'canary.step', canary.step, `is for DeliveryEngine.manifests(): with ${ENGINE} the controller walks the steps itself; remove step`);
  }
  if (plan.weightGiven && plan.steps.length > 0) {
    fail(owner, 'canary.traffic.weight', plan.weight, `cannot be set with steps under ${ENGINE}: the steps' shiftTraffic weights are the plan`);
  }

  // From the first step with traffic, Argo Rollouts scales the canary with its weight
  // (setCanaryScale matchTrafficWeight); header and cookie rules reach it at any size.
  checkCanaryHasPods(owner, plan, 0);
  const steps = rolloutSteps(plan);
  plan.steps.forEach((step, i) => {
    if (step.weight !== undefined && step.weight > plan.weightTotal) {
      fail(owner, `steps[${i}].weight`, step.weight, `must be at most weightTotal (${plan.weightTotal}) under ${ENGINE}: the Rollout keeps the plan while no canary runs, and without a canary's traffic.weightTotal weights are out of 100`);
    }
  });
  const trafficRouted = router.splitsTraffic;
  if (!trafficRouted && plan.weightTotal !== 100) {
    fail(owner, 'canary.traffic.weightTotal', plan.weightTotal, `must be 100 with ${ENGINE} and TrafficRouter.service(): the weight is then a percentage of the pods`);
  }
  if (!trafficRouted && canary?.replicas !== undefined) {
    fail(owner, 'canary.replicas', canary.replicas, `cannot be set with ${ENGINE} and TrafficRouter.service(): the canary's pods are the weight's share of stable.replicas`);
  }
  if (!trafficRouted && options.scaleDownDelay) {
    fail(owner, 'engine', `${ENGINE.replace('()', '')}({ scaleDownDelay: ${options.scaleDownDelay.toHumanString()} })`, 'needs a router that steers traffic: Argo Rollouts keeps old pods only with traffic routing');
  }

  // Argo Rollouts adds its pod-template hash to these selectors: they select the app only.
  const service = releaseService(scope, 'Service', release, name, { app: name });
  const canaryService = releaseService(scope, 'CanaryService', release, `${name}-canary`, { app: name });
  const newest = canary ?? stable;
  const deployment = scratchDeployment(release, newest);
  const surge = rollingUpdate(release, deployment);
  const trafficRouting = router._bindArgoCanary(scope, {
    ...routingBase(release),
    service,
    stable: { version: stable.version, slug: 'stable' },
    canary: { version: newest.version, slug: 'canary' },
    canaryService,
    header: plan.header,
    cookie: plan.cookie,
    weight: 0,
    weightTotal: plan.weightTotal,
  });

  const analysis = plan.analysis ? analysisTemplate(scope, release, plan.analysis, { version: newest.version, service: `${name}-canary`, route: name, isCanary: trafficRouted }) : undefined;
  const rollout = rolloutObject(scope, release, deployment, stable.replicas ?? 1, {
    canary: {
      // With TrafficRouter.service() the Service `<name>` keeps selecting every pod (replica
      // ratio). So it does with Istio subsets: they are subsets of `<name>`'s endpoints, and
      // narrowed to the stable pods it would leave the canary subset empty.
      stableService: trafficRouted && !router.routesBySubset ? name : undefined,
      canaryService: `${name}-canary`,
      trafficRouting: trafficRouting && plan.weightTotal !== 100 ? { ...trafficRouting, maxTrafficWeight: plan.weightTotal } : trafficRouting,
      scaleDownDelaySeconds: trafficRouted && options.scaleDownDelay ? options.scaleDownDelay.toSeconds() : undefined,
      maxSurge: intOrString(surge.maxSurge, RolloutSpecStrategyCanaryMaxSurge),
      maxUnavailable: intOrString(surge.maxUnavailable, RolloutSpecStrategyCanaryMaxUnavailable),
      steps,
      analysis: analysis ? { templates: [{ templateName: analysis.name }] } : undefined,
    },
  });
  return { service, canaryService, rollout };
}

/**
 * One Rollout `<name>` with the blue-green strategy over the Services `<name>` (active) and
 * `<name>-preview`; the pre-promotion analysis from `analysis`.
 */
export function argoBlueGreen(scope: Construct, plan: BlueGreenPlan, options: ArgoRolloutsOptions): BlueGreenObjects {
  const { RolloutSpecStrategyBlueGreenMaxUnavailable } = argoRolloutsApi();
  const { release, active, idle } = plan;
  const { name, router, owner } = release;
  refuseRuleLabels(release, ENGINE, 'an AnalysisTemplate that Argo Rollouts queries Prometheus for');
  if (router.routesBySubset) {
    fail(owner, 'router', 'TrafficRouter.istio({ subsets: true })', `cannot cut over under ${ENGINE}: the routes name version subsets, while Argo Rollouts switches the Service selectors; use TrafficRouter.istio() (by host)`);
  }
  const newest = idle ?? active;
  const deployment = scratchDeployment(release, newest);
  const surge = rollingUpdate(release, deployment);
  if (plan.analysis && !plan.previewHost && router._measuresByHost) {
    fail(owner, 'analysis', 'CanaryAnalysis.prometheus(...)', `needs previewHost under ${ENGINE} with this router: the pre-promotion analysis measures the preview's requests through the router, and without previewHost no request reaches the preview through it (the analysis would always pass)`);
  }
  const activeService = releaseService(scope, 'Service', release, name, { app: name });
  const previewService = plan.preview ? releaseService(scope, 'PreviewService', release, `${name}-preview`, { app: name }) : undefined;
  router.bindBlueGreen(scope, {
    ...routingBase(release),
    activeService,
    active: { version: active.version, slug: 'active' },
    idle: idle ? { version: idle.version, slug: 'preview' } : undefined,
    previewService: idle ? previewService : undefined,
    previewHost: plan.previewHost,
  });
  const analysis = plan.analysis
    ? analysisTemplate(scope, release, plan.analysis, { version: newest.version, service: previewService ? `${name}-preview` : name, route: previewService ? `${name}-preview` : name, isCanary: false })
    : undefined;
  if (analysis && !previewService) {
    fail(owner, 'analysis', 'CanaryAnalysis.prometheus(...)', `needs the preview Service under ${ENGINE}: the pre-promotion analysis measures the preview; set preview to true`);
  }
  const rollout = rolloutObject(scope, release, deployment, newest.replicas ?? 1, {
    blueGreen: {
      activeService: name,
      previewService: previewService ? `${name}-preview` : undefined,
      autoPromotionEnabled: options.autoPromotion ?? false,
      maxUnavailable: intOrString(surge.maxUnavailable, RolloutSpecStrategyBlueGreenMaxUnavailable),
      scaleDownDelaySeconds: options.scaleDownDelay?.toSeconds(),
      prePromotionAnalysis: analysis ? { templates: [{ templateName: analysis.name }] } : undefined,
    },
  });
  return { activeService, previewService, rollout };
}

/** The plan as Argo Rollouts steps; with no plan, the canary's own weight (or none) and a pause for a human. */
function rolloutSteps(plan: CanaryPlan): RolloutSpecStrategyCanarySteps[] {
  const { RolloutSpecStrategyCanaryStepsPauseDuration } = argoRolloutsApi();
  const steps: RolloutSpecStrategyCanarySteps[] = plan.steps.length > 0
    ? plan.steps.map((step) => step.type === CanaryStepType.SHIFT_TRAFFIC
      ? { setWeight: step.weight }
      : { pause: step.duration ? { duration: RolloutSpecStrategyCanaryStepsPauseDuration.fromString(promDuration(step.duration)) } : {} })
    : [{ setWeight: plan.weight }, { pause: {} }];
  const replicas = plan.canary?.replicas;
  if (replicas === undefined) return steps;
  // The canary's own size while it gets no traffic, then the traffic's share of the pods.
  const firstTraffic = steps.findIndex((s) => (s.setWeight ?? 0) > 0);
  const sized: RolloutSpecStrategyCanarySteps[] = [{ setCanaryScale: { replicas } }, ...steps];
  if (firstTraffic >= 0) sized.splice(firstTraffic + 1, 0, { setCanaryScale: { matchTrafficWeight: true } });
  return sized;
}

/** AnalysisTemplate `<name>`: the error rate (and p99 latency) of the analysed version. */
function analysisTemplate(scope: Construct, release: ResolvedRelease, analysis: CanaryAnalysis, who: AnalysedVersion): AnalysisTemplate {
  const { AnalysisTemplate, AnalysisTemplateSpecMetricsFailureLimit } = argoRolloutsApi();
  const queries = analysisQueries(scope, release, analysis, who);
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

/**
 * The Deployment strategy's rolling-update bounds, which Argo Rollouts applies to a Rollout's
 * ReplicaSets too (its default maxUnavailable is 25%, the library's 0). A Recreate strategy has
 * no Rollout equivalent.
 */
function rollingUpdate(release: ResolvedRelease, deployment: DeploymentJson): { maxSurge?: string | number; maxUnavailable?: string | number } {
  const strategy = deployment.spec.strategy;
  if (strategy?.type === 'Recreate') {
    fail(release.owner, 'strategy', 'DeploymentStrategy.recreate()', `has no equivalent under ${ENGINE}: a Rollout replaces pods by its canary or blue-green strategy; leave strategy out or use a rolling update`);
  }
  return { maxSurge: strategy?.rollingUpdate?.maxSurge, maxUnavailable: strategy?.rollingUpdate?.maxUnavailable };
}

/** An int-or-string value as the generated class of its field: `0` stays a number, `25%` a string. */
function intOrString<T>(value: string | number | undefined, cls: { fromNumber(n: number): T; fromString(s: string): T }): T | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'number' ? cls.fromNumber(value) : cls.fromString(value);
}

/**
 * The Rollout: its typed spec (so a wrong field does not compile) and, as plain JSON, the pod
 * template. The template does not go through the generated class: its converters would drop
 * fields whose JSON names they spell differently (`setHostnameAsFQDN`, `hostIPC`) and
 * int-or-string ports.
 */
function rolloutObject(scope: Construct, release: ResolvedRelease, deployment: DeploymentJson, replicas: number, strategy: RolloutSpecStrategy): ApiObject {
  const { Rollout } = argoRolloutsApi();
  const manifest = Rollout.manifest({
    metadata: objectMetadata(release.name, appMetadata(release).labels, release.metadata.annotations),
    // Every version's pods: Argo Rollouts tells them apart by its pod-template hash.
    spec: { replicas, selector: { matchLabels: { app: release.name } }, strategy },
  });
  return new ApiObject(scope, 'Rollout', { ...manifest, spec: { ...manifest.spec, template: deployment.spec.template } });
}

/** The parts of a Deployment's JSON the Rollout takes over. */
interface DeploymentJson {
  readonly spec: { readonly template: unknown; readonly strategy?: { type?: string; rollingUpdate?: { maxSurge?: string | number; maxUnavailable?: string | number } } };
}

/**
 * The Deployment the track would have under plain manifests (same container merge, probe,
 * labels, security settings and strategy), built once in a scratch app so nothing but the
 * Rollout is emitted: its pod template and strategy become the Rollout's.
 */
function scratchDeployment(release: ResolvedRelease, track: ReleaseTrack): DeploymentJson {
  const scratch = new Chart(new App(), 'rollout-template');
  return ApiObject.of(trackDeployment(scratch, release, track)).toJson();
}
