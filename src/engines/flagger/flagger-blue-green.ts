import { Construct } from 'constructs';
import { promDuration } from '../../analysis/promql';
import { refuseRuleLabels } from '../../analysis/analysis-queries';
import { checkObjectName } from '../../private/object-names';
import { fail } from '../../private/validation';
import { DeploymentNaming, trackDeployment } from '../../workload/track-deployment';
import { blueGreenPlanRoutes, controllerBlueGreenTracks } from '../plan-routes';
import { BlueGreenObjects } from '../release-objects';
import { BlueGreenPlan } from '../release-plan';
import { canaryObject } from './canary-object';
import { ENGINE, FlaggerOptions } from './flagger-options';
import { defaultInterval, flaggerDuration } from './flagger-schedule';
import { flaggerGeneratedObjects } from './flagger-generated';
import { flaggerQueries } from './metric-templates';
import { trackConfigMaps } from '../../workload/track-config';
import { smokeRequests } from '../smoke-target';
import { DEFAULT_LOAD_TESTER_URL, smokeWebhook } from './smoke-webhook';
import { emitFlaggerCapacity, flaggerBudgets, flaggerGeneratedAutoscaler, flaggerSize } from './flagger-capacity';

/**
 * Flagger's blue-green mode (`provider: kubernetes`, `iterations`): one Deployment `<name>`
 * running the newest color, the router's routes to the Services Flagger generates (`<name>`
 * over the primary, `<name>-canary` over the new version as the preview), and a Canary `<name>`.
 */
export function flaggerBlueGreen(scope: Construct, plan: BlueGreenPlan, options: FlaggerOptions): BlueGreenObjects {
  const { release, active, idle } = plan;
  const { name, router, owner } = release;
  refuseRuleLabels(release, ENGINE, 'MetricTemplates that Flagger queries Prometheus for');
  if (router.routesBySubset) {
    fail(owner, 'router', router.displayName, `cannot route a blue-green release under ${ENGINE}: Flagger's kubernetes provider switches Services, not subsets; use ${router.displayName.startsWith('TrafficRouter.istio') ? 'TrafficRouter.istio() (by host)' : 'a router that routes to the Services'}`);
  }
  checkObjectName(release, `${name}-primary`, 'Deployment Flagger copies');
  if (plan.analysis && !plan.previewHost && router.measuresByRoute) {
    fail(owner, 'analysis', 'CanaryAnalysis.prometheus(...)', `needs previewHost under ${ENGINE} with this router: the analysis measures the new color's requests through the preview route, and without previewHost there is none (the analysis would see no requests and always pass)`);
  }
  // Flagger generates these Services; the routes name them, but they are not emitted.
  const routes = blueGreenPlanRoutes(plan, controllerBlueGreenTracks(name, `${name}-canary`, { active: 'primary', preview: 'canary' }));
  router.checkRoutes(scope, routes);

  const newest = idle ?? active;
  const queries = flaggerQueries(scope, release, { version: newest.version, isCanary: false });
  // Flagger's load tester calls the new version through <name>-canary (which Flagger generates) from its own namespace.
  const smoke = smokeRequests(scope, release, `${name}-canary`, undefined, true);

  // Flagger rolls a promoted color into <name>-primary at the size it runs (its autoscaler's
  // choice), so the new color takes the active's capacity; before, it runs at least as many pods as the active's minimum.
  const { autoscaling } = release;
  const activeProp = plan.activeIsBlue ? 'blue' : 'green';
  const newestProp = idle ? (plan.activeIsBlue ? 'green' : 'blue') : activeProp;
  // The primary runs the active color at its size until Flagger promotes the new one into it,
  // copying the new one's replicas: it runs the fewer of the two.
  const newestSize = flaggerSize(newestProp, newest);
  const activeSize = flaggerSize(activeProp, active);
  const byAutoscaler: [number, string] = [autoscaling?.minReplicas ?? 0, 'autoscaling.minReplicas'];
  const budgets = flaggerBudgets(release, {
    primaryProp: activeProp,
    canaryProp: newestProp,
    primaryFewest: autoscaling ? byAutoscaler : activeSize[0] <= newestSize[0] ? activeSize : [newestSize[0], `once ${newestProp} is promoted into it, ${newestSize[1]}`],
    canaryFewest: autoscaling ? byAutoscaler : newestSize,
  });

  trackConfigMaps(scope, release, [plan.blue, plan.green]);
  const deployment = trackDeployment(scope, release, newest, { naming: DeploymentNaming.SINGLE, autoscaled: autoscaling !== undefined });
  const autoscalerRef = emitFlaggerCapacity(scope, release, budgets, autoscaling);
  router.bind(scope, routes);
  canaryObject(scope, release, {
    routing: { provider: 'kubernetes', service: {} },
    schedule: { interval: flaggerDuration(promDuration(release.analysis?.interval ?? defaultInterval())), iterations: options.iterations ?? 10 },
    queries,
    autoscalerRef,
    webhooks: smoke ? [smokeWebhook(smoke, options.loadTesterUrl ?? DEFAULT_LOAD_TESTER_URL)] : undefined,
  });
  return { routes, deployment, generated: flaggerGeneratedObjects(name, flaggerGeneratedAutoscaler(release)), generatedBy: 'Flagger' };
}
