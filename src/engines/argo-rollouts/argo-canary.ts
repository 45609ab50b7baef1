import { Construct } from 'constructs';
import type { RolloutSpecStrategyCanarySteps } from '../../../imports/argoproj.io';
import { analysisQueries, refuseRuleLabels } from '../../analysis/analysis-queries';
import { promDuration } from '../../analysis/promql';
import { argoRolloutsApi } from '../../private/upstream';
import { fail } from '../../private/validation';
import { releaseService } from '../../workload/release-service';
import { trackWorkloadJson } from '../../workload/track-deployment';
import { CanaryStepType } from '../canary-step';
import { canaryPlanRoutes, controllerCanaryTracks } from '../plan-routes';
import { CanaryObjects } from '../release-objects';
import { CanaryPlan, checkCanaryHasPods } from '../release-plan';
import { analysisTemplate } from './analysis-template';
import { ArgoRolloutsOptions, ENGINE } from './argo-rollouts-options';
import { intOrString, rollingUpdate, rolloutObject } from './rollout';
import { trackConfigMaps } from '../../workload/track-config';
import { smokeRequests } from '../smoke-target';
import { smokeAnalysisTemplate } from './smoke-analysis';
import { argoCanaryBudgets, emitArgoCapacity } from './argo-capacity';

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
  if (plan.step !== undefined) {
    fail(owner, 'canary.step', plan.step, `is for DeliveryEngine.manifests(): with ${ENGINE} the controller walks the steps itself; remove step`);
  }  if (plan.sticky) {
    // rollout/service.go (reconcileStableAndCanaryService, v1.9.1): with traffic routing an abort
    // leaves the canary Service on the canary's pods, which it then scales down.
    fail(owner, 'canary.traffic.sticky', true, `cannot be kept under ${ENGINE}: it sets only the weights, so after an abort the rule that keeps the canary's users would send them on to the canary Service while Argo Rollouts scales its pods down; use DeliveryEngine.flagger() (its sessionAffinity) or plain manifests`);
  }

  if (plan.weight !== undefined && plan.steps.length > 0) {
    fail(owner, 'canary.traffic.weight', plan.weight, `cannot be set with steps under ${ENGINE}: the steps' shiftTraffic weights are the plan`);
  }

  // From the first step with traffic, Argo Rollouts scales the canary with its weight
  // (setCanaryScale matchTrafficWeight); header and cookie rules reach it at any size.
  checkCanaryHasPods(plan, 0);
  const smokeTemplate = release.smokeTest ? `${name}-smoke` : undefined;
  if (smokeTemplate && !router.splitsTraffic) {
    fail(owner, 'smokeTest', release.smokeTest, `needs a router that steers traffic under ${ENGINE}: without traffic routing the canary has no pods before its first weight, and nothing to call`);
  }
  checkArgoMirror(plan);
  const steps = rolloutSteps(plan, smokeTemplate);
  plan.steps.forEach((step, i) => {
    if (step.weight !== undefined && step.weight > plan.weightTotal) {
      fail(owner, `steps[${i}].weight`, step.weight, `must be at most weightTotal (${plan.weightTotal}) under ${ENGINE}: the Rollout keeps the plan while no canary runs, and without a canary's traffic.weightTotal weights are out of 100`);
    }
  });
  const trafficRouted = router.splitsTraffic;
  if (!trafficRouted && plan.weightTotal !== 100) {
    fail(owner, 'canary.traffic.weightTotal', plan.weightTotal, `must be 100 with ${ENGINE} and ${router.displayName}: the weight is then a percentage of the pods`);
  }
  if (!trafficRouted && canary?.replicas !== undefined) {
    fail(owner, 'canary.replicas', canary.replicas, `cannot be set with ${ENGINE} and ${router.displayName}: the canary's pods are the weight's share of stable.replicas`);
  }
  if (!trafficRouted && options.scaleDownDelay) {
    fail(owner, 'engine', `${ENGINE.replace('()', '')}({ scaleDownDelay: ${options.scaleDownDelay.toHumanString()} })`, 'needs a router that steers traffic: Argo Rollouts keeps old pods only with traffic routing');
  }
  // Argo Rollouts reports every ReplicaSet's pods to the autoscaler (status.HPAReplicas): with
  // the stable at full size beside a canary, each sync would grow the Rollout, and the stable with it.
  // dynamicStableScale shrinks the stable as the canary grows, so the pods stay near the Rollout's size.
  const dynamicStableScale = release.autoscaling !== undefined && trafficRouted;
  if (dynamicStableScale && options.scaleDownDelay) {
    fail(owner, 'engine', `${ENGINE.replace('()', '')}({ scaleDownDelay: ${options.scaleDownDelay.toHumanString()} })`, 'cannot be used with autoscaling: the library sets dynamicStableScale so the autoscaler does not grow the stable during a canary, and Argo Rollouts refuses dynamicStableScale with scaleDownDelaySeconds; remove scaleDownDelay');
  }
  const argoRouting = router.argoRolloutsRouting();
  if (argoRouting === undefined) {
    fail(owner, 'router', router.displayName, `cannot run under ${ENGINE}: its argoRolloutsRouting() returns no IArgoRolloutsRouting; use TrafficRouter.service(), .nginx(), .istio() or .gatewayApi(), or implement the contract`);
  }
  // Argo Rollouts runs the newest version as the canary, and shifts the weights from 0.
  const newest = canary ?? stable;
  const routes = canaryPlanRoutes(plan, controllerCanaryTracks(name, 'stable'));
  argoRouting.checkArgoRolloutsCanary(scope, routes);
  const workload = trackWorkloadJson(scope, release, newest);
  const surge = rollingUpdate(release, workload);
  const queries = plan.analysis ? analysisQueries(scope, release, plan.analysis, { version: newest.version, service: `${name}-canary`, route: name, isCanary: trafficRouted }) : undefined;
  // The smoke test calls the canary's pods through <name>-canary before the first weight.
  const smoke = smokeRequests(scope, release, `${name}-canary`, canary ? plan : undefined);

  const budgets = argoCanaryBudgets(release, plan, {
    trafficRouted, dynamicStableScale, canaryScale: canaryScale(plan, smokeTemplate), maxSurge: surge.maxSurge,
  });

  // Argo Rollouts adds its pod-template hash to these selectors: they select the app only.
  // Every track's ConfigMap, also of a version the controller runs no pods of now: it returns to it on abort or rollback.
  trackConfigMaps(scope, release, [stable, canary]);
  const service = releaseService(scope, 'Service', release, name, { app: name });
  const canaryService = releaseService(scope, 'CanaryService', release, `${name}-canary`, { app: name });
  const routerRouting = argoRouting.bindArgoRolloutsCanary(scope, routes);
  if (plan.mirror !== undefined && routerRouting?.istio === undefined) {
    // validation.go:351-355: a setMirrorRoute step needs trafficRouting.istio.
    fail(owner, 'canary.traffic.mirror', plan.mirror, `cannot be expressed under ${ENGINE} with ${router.displayName}: Argo Rollouts accepts setMirrorRoute steps with trafficRouting.istio only (TrafficRouter.istio())`);
  }
  // The mirror route is Argo Rollouts' own, named in managedRoutes (validation.go:373-386).
  const trafficRouting = plan.mirror !== undefined ? { ...routerRouting, managedRoutes: [{ name: MIRROR_ROUTE }] } : routerRouting;
  const analysis = plan.analysis && queries ? analysisTemplate(scope, release, plan.analysis, queries) : undefined;
  if (smoke) smokeAnalysisTemplate(scope, release, newest.version, smoke);
  const rollout = rolloutObject(scope, release, workload, release.autoscaling ? undefined : stable.replicas ?? 1, {
    canary: {
      // With TrafficRouter.service() the Service `<name>` keeps selecting every pod (replica
      // ratio). So it does with Istio subsets: they are subsets of `<name>`'s endpoints, and
      // narrowed to the stable pods it would leave the canary subset empty.
      stableService: trafficRouted && !router.routesBySubset ? name : undefined,
      canaryService: `${name}-canary`,
      trafficRouting: trafficRouting && plan.weightTotal !== 100 ? { ...trafficRouting, maxTrafficWeight: plan.weightTotal } : trafficRouting,
      scaleDownDelaySeconds: trafficRouted && options.scaleDownDelay ? options.scaleDownDelay.toSeconds() : undefined,
      dynamicStableScale: dynamicStableScale || undefined,
      maxSurge: intOrString(surge.maxSurge, RolloutSpecStrategyCanaryMaxSurge),
      maxUnavailable: intOrString(surge.maxUnavailable, RolloutSpecStrategyCanaryMaxUnavailable),
      steps,
      analysis: analysis ? { templates: [{ templateName: analysis.name }] } : undefined,
    },
  });
  emitArgoCapacity(scope, release, budgets);
  return { routes, service, canaryService, rollout };
}

/** The canary's own size before its first weight: `canary.replicas`, else one pod for the smoke test or the mirror's copies. */
function canaryScale(plan: CanaryPlan, smokeTemplate: string | undefined): number | undefined {
  return plan.canary?.replicas ?? (smokeTemplate || plan.mirror !== undefined ? 1 : undefined);
}

/** The route Argo Rollouts adds to the VirtualService while it mirrors, and removes before the first weight. */
const MIRROR_ROUTE = 'mirror';

/**
 * Argo Rollouts mirrors from the start of the release to its first weight above 0: the plan
 * must hold the canary at weight 0 (a pause) before that weight, or the mirror would be removed
 * as soon as it is added.
 */
function checkArgoMirror(plan: CanaryPlan): void {
  if (plan.mirror === undefined || plan.steps.length === 0) return;
  const firstTraffic = plan.steps.findIndex((step) => (step.weight ?? 0) > 0);
  if (firstTraffic >= 0 && !plan.steps.slice(0, firstTraffic).some((step) => step.type === CanaryStepType.PAUSE)) {
    fail(plan.release.owner, 'canary.traffic.mirror', plan.mirror, `needs a pause before the first weight above 0 (steps[${firstTraffic}], shiftTraffic(${plan.steps[firstTraffic].weight})) under ${ENGINE}: `
      + 'the mirror runs from the start of the release to the first weight above 0, when the canary starts serving requests itself; start steps with e.g. CanaryStep.pause(Duration.hours(1))');
  }
}

/**
 * The plan as Argo Rollouts steps; with no plan, the canary's own weight (or none) and a pause
 * for a human. With a smoke test, first the canary's pods (`canary.replicas`, else one) and the
 * smoke test's analysis, so no weight reaches a version the smoke test failed.
 */
function rolloutSteps(plan: CanaryPlan, smokeTemplate: string | undefined): RolloutSpecStrategyCanarySteps[] {
  const { RolloutSpecStrategyCanaryStepsPauseDuration } = argoRolloutsApi();
  const steps: RolloutSpecStrategyCanarySteps[] = plan.steps.length > 0
    ? plan.steps.map((step) => step.type === CanaryStepType.SHIFT_TRAFFIC
      ? { setWeight: step.weight }
      : { pause: step.duration ? { duration: RolloutSpecStrategyCanaryStepsPauseDuration.fromString(promDuration(step.duration)) } : {} })
    : [{ setWeight: plan.weight ?? 0 }, { pause: {} }];
  const smoke: RolloutSpecStrategyCanarySteps[] = smokeTemplate ? [{ analysis: { templates: [{ templateName: smokeTemplate }] } }] : [];
  // After the smoke test, the mirror route: the weighted route's destinations (at weight 0, all
  // to stable) for every request (a match is required: without one the step removes the route,
  // istio.go:1273-1283), with a copy of `percentage` of them to the canary.
  const mirrorOn: RolloutSpecStrategyCanarySteps[] = plan.mirror !== undefined
    ? [{ setMirrorRoute: { name: MIRROR_ROUTE, match: [{ path: { prefix: '/' } }], percentage: plan.mirror } }]
    : [];
  const replicas = canaryScale(plan, smokeTemplate);
  if (replicas === undefined) return steps;
  // The canary's own size while it gets no traffic, then the traffic's share of the pods:
  // sized for the first weight before it (a matchTrafficWeight there, at weight 0, would scale
  // the canary to no pod while header and cookie testers still reach it), and following the
  // weight after it.
  const firstTraffic = steps.findIndex((s) => (s.setWeight ?? 0) > 0);
  const sized: RolloutSpecStrategyCanarySteps[] = [{ setCanaryScale: { replicas } }, ...smoke, ...mirrorOn, ...steps];
  if (firstTraffic >= 0) {
    const at = firstTraffic + 1 + smoke.length + mirrorOn.length;
    // The mirror stops before the canary serves requests itself (a setMirrorRoute without match removes the route).
    const mirrorOff: RolloutSpecStrategyCanarySteps[] = mirrorOn.length > 0 ? [{ setMirrorRoute: { name: MIRROR_ROUTE } }] : [];
    sized.splice(at, 1, ...mirrorOff, { setCanaryScale: { weight: steps[firstTraffic].setWeight } }, sized[at], { setCanaryScale: { matchTrafficWeight: true } });
  }
  return sized;
}

