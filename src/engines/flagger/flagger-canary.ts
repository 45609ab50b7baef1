import { Construct } from 'constructs';
import { refuseRuleLabels } from '../../analysis/analysis-queries';
import { checkObjectName } from '../../private/object-names';
import { fail } from '../../private/validation';
import { DeploymentNaming, trackDeployment } from '../../workload/track-deployment';
import { CanaryStepType } from '../canary-step';
import { canaryPlanRoutes, controllerCanaryTracks } from '../plan-routes';
import { CanaryObjects } from '../release-objects';
import { CanaryPlan } from '../release-plan';
import { canaryObject } from './canary-object';
import { ENGINE, FlaggerOptions } from './flagger-options';
import { abSchedule, canarySchedule } from './flagger-schedule';
import { flaggerGeneratedObjects } from './flagger-generated';
import { flaggerQueries } from './metric-templates';
import { trackConfigMaps } from '../../workload/track-config';
import { smokeRequests } from '../smoke-target';
import { DEFAULT_LOAD_TESTER_URL, smokeWebhook } from './smoke-webhook';
import { canaryBounds } from '../../workload/autoscaling';
import { emitFlaggerCapacity, flaggerBudgets, flaggerGeneratedAutoscaler, flaggerSize } from './flagger-capacity';

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
    fail(owner, 'router', router.displayName, `cannot shift a canary's traffic under ${ENGINE}: use TrafficRouter.nginx(), .istio() or .gatewayApi() (Flagger's kubernetes provider does blue-green only)`);
  }
  if (plan.step !== undefined) {
    fail(owner, 'canary.step', plan.step, `is for DeliveryEngine.manifests(): with ${ENGINE} Flagger walks the plan itself; remove step`);
  }
  if (canary?.replicas !== undefined) {
    fail(owner, 'canary.replicas', canary.replicas, `cannot be set under ${ENGINE}: Flagger runs the canary at the Deployment's size (stable.replicas)`);
  }
  if (plan.weight !== undefined) {
    fail(owner, 'canary.traffic.weight', plan.weight, `cannot be set under ${ENGINE}: Flagger shifts weights by the plan (steps)${plan.header || plan.cookie ? ', and ignores them altogether in an A/B test (header or cookie rules)' : ''}`);
  }

  checkObjectName(release, `${name}-primary`, 'Deployment Flagger copies');
  // An A/B test matches requests by header or cookie. Without a canary the Canary waits for the
  // next one: a plan of pauses (or none), optionally ending with the promotion, keeps the A/B schedule, so an A/B
  // release is promoted (canary removed) without touching the engine's options or the plan.
  const last = plan.steps.length - 1;
  const pausesOnly = plan.steps.every((step, i) => step.type !== CanaryStepType.SHIFT_TRAFFIC || (i === last && step.weight === plan.weightTotal));
  const abTest = plan.header !== undefined || plan.cookie !== undefined || (!canary && pausesOnly);
  if (!abTest && options.iterations !== undefined) {
    fail(owner, 'engine', `${ENGINE.replace('()', '')}({ iterations: ${options.iterations} })`, 'sets iterations, which are for an A/B test (header or cookie rules) or a BlueGreenRelease: a weighted canary runs one interval per step of its plan (steps)');
  }
  if (plan.sticky && abTest) {
    fail(owner, 'canary.traffic.sticky', true, `cannot be kept in an A/B test (header or cookie rules) under ${ENGINE}: Flagger's session affinity works with a weighted plan only (its A/B routes replace the sticky ones, pkg/router/istio.go)`);
  }
  if (plan.mirror !== undefined && plan.sticky) {
    // pkg/controller/scheduler.go:691 mirrors with SetRoutes(canary, total, 0, true); with session
    // affinity at weight 0 the routes are [sticky route, weighted route] (pkg/router/istio.go:776-812)
    // and SetRoutes puts the mirror on the first (istio.go:529-536): from the second release on,
    // that route matches only the previous run's cookie, so almost nothing is mirrored.
    fail(owner, 'canary.traffic.mirror', plan.mirror, `cannot be combined with canary.traffic.sticky under ${ENGINE}: Flagger puts the mirror on its first route, which with session affinity is its sticky route, `
      + 'so from the second release on only the requests carrying the previous run\'s cookie would be copied; mirror in one release, keep users sticky in the next');
  }
  if (plan.mirror !== undefined && abTest) {
    // pkg/controller/scheduler.go:484-486 runs an A/B test (analysis.match) through runAB, which never mirrors.
    fail(owner, 'canary.traffic.mirror', plan.mirror, `cannot be combined with header or cookie rules under ${ENGINE}: Flagger runs them as an A/B test, which does not mirror; `
      + 'mirror in a weighted canary (steps with shiftTraffic), then add the header or cookie rules in a later release');
  }
  const flaggerRouting = router.flaggerRouting();
  if (flaggerRouting === undefined) {
    fail(owner, 'router', router.displayName, `cannot run under ${ENGINE}: its flaggerRouting() returns no IFlaggerRouting; use TrafficRouter.nginx(), .istio() or .gatewayApi(), or implement the contract`);
  }
  // Flagger generates the Services `<name>` (the primary) and `<name>-canary`, and walks the weights.
  const routes = canaryPlanRoutes(plan, controllerCanaryTracks(name, 'primary'));
  flaggerRouting.checkFlaggerCanary(scope, routes);
  const schedule = abTest ? abSchedule(plan, options) : canarySchedule(plan);
  const newest = canary ?? stable;
  const queries = flaggerQueries(scope, release, { version: newest.version, isCanary: true });
  // Flagger's load tester calls the new version through <name>-canary (which Flagger generates) from its own namespace.
  const smoke = smokeRequests(scope, release, `${name}-canary`, canary ? plan : undefined, true);

  // Flagger runs the canary at the Deployment's size; autoscaled, in proportion to the most
  // traffic the plan gives it before the promotion (an A/B test's share is unknown: up to the stable's maximum).
  const { autoscaling } = release;
  const maxPercent = Math.max(0, ...(schedule.stepWeights ?? []));
  const scaledCanary = autoscaling ? canaryBounds(autoscaling, maxPercent, 100, abTest) : undefined;
  const fixed = flaggerSize('stable', stable);
  const budgets = flaggerBudgets(release, {
    primaryProp: 'stable',
    canaryProp: 'canary',
    primaryFewest: autoscaling ? [autoscaling.minReplicas, 'autoscaling.minReplicas'] : fixed,
    canaryFewest: scaledCanary
      ? [scaledCanary.minReplicas, abTest ? 'its autoscaler\'s minimum: an A/B test sends it a share nobody knows, so it starts at one pod' : 'its autoscaler\'s minimum, autoscaling.minReplicas in proportion to the plan\'s largest weight']
      : [fixed[0], `Flagger runs it at the stable's size, ${fixed[1]}`],
    canaryBounds: scaledCanary,
  });

  // Every track's ConfigMap: Flagger's primary keeps running the stable version's.
  trackConfigMaps(scope, release, [stable, canary]);
  const deployment = trackDeployment(scope, release, { ...newest, replicas: stable.replicas }, { naming: DeploymentNaming.SINGLE, autoscaled: autoscaling !== undefined });
  const autoscalerRef = emitFlaggerCapacity(scope, release, budgets, scaledCanary);
  const routing = flaggerRouting.bindFlaggerCanary(scope, routes);
  if (plan.mirror !== undefined && routing.provider !== 'istio') {
    // Flagger v1.44.0 mirrors a canary's requests with Istio only (pkg/router/istio.go:529-537).
    fail(owner, 'canary.traffic.mirror', plan.mirror, `cannot be expressed under ${ENGINE} with ${router.displayName} (provider ${routing.provider}): Flagger mirrors a canary's requests with Istio only (TrafficRouter.istio())`);
  }
  // scheduler.go:571-585: one interval copying mirrorWeight% of the requests (all to the primary) before the first weight.
  const mirrored = plan.mirror !== undefined ? { ...schedule, mirror: true, mirrorWeight: plan.mirror } : schedule;
  canaryObject(scope, release, { routing, schedule: mirrored, queries, autoscalerRef, webhooks: smoke ? [smokeWebhook(smoke, options.loadTesterUrl ?? DEFAULT_LOAD_TESTER_URL)] : undefined });
  return { routes, deployment, generated: flaggerGeneratedObjects(name, [...flaggerGeneratedAutoscaler(release), ...routing.generatedObjects ?? []]), generatedBy: 'Flagger' };
}
