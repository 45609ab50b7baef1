import { Construct } from 'constructs';
import { analysisQueries } from '../../analysis/analysis-queries';
import { analysisPrometheusRule } from '../../analysis/prometheus-rule';
import { TrackRole, WeightsOwner } from '../../routing/routing-model';
import { releaseService } from '../../workload/release-service';
import { trackDeployment } from '../../workload/track-deployment';
import { canaryPlanRoutes } from '../plan-routes';
import { CanaryObjects } from '../release-objects';
import { CanaryPlan, checkCanaryHasPods, plannedWeight } from '../release-plan';
import { trackBackend } from './track-backend';
import { trackConfigMaps } from '../../workload/track-config';
import { smokeRequests } from '../smoke-target';
import { smokeJob } from './smoke-job';
import { fail } from '../../private/validation';
import { canaryBounds } from '../../workload/autoscaling';
import { checkBudgets, deploymentAutoscaler, emitAutoscalers, emitBudgets, fixedSize, versionBudget } from '../track-capacity';

/** Plain manifests: a Deployment per track, the Services, the router's objects, alerts for the analysis. */
export function manifestsCanary(scope: Construct, plan: CanaryPlan): CanaryObjects {
  const { release, stable, canary } = plan;
  const { name, router } = release;
  const weight = plannedWeight(plan);
  if (plan.mirror !== undefined && weight > 0) {
    // Istio and Gateway API mirror a whole rule: the canary's own share would be copied to it too.
    fail(release.owner, 'canary.traffic.mirror', plan.mirror, `cannot be set at steps[${plan.step}], whose weight is ${weight}: a mirror copies every request of the weighted rule, `
      + 'so the canary would also get copies of the requests it already serves; mirror at a step of weight 0, then move on to a step with weight without mirror');
  }
  checkCanaryHasPods(plan, weight);
  const routes = canaryPlanRoutes(plan, {
    stable: trackBackend(TrackRole.STABLE, name, stable),
    canary: canary ? trackBackend(TrackRole.CANARY, `${name}-canary`, canary) : undefined,
    weight,
    weightsOwner: WeightsOwner.GIT,
  });
  router.checkRoutes(scope, routes);
  // The analysis judges the canary, whose requests come through the main route.
  const analysed = canary ? { version: canary.version, service: `${name}-canary`, route: name, isCanary: true } : undefined;
  const queries = plan.analysis && analysed ? analysisQueries(scope, release, plan.analysis, analysed) : undefined;
  // The smoke test calls the canary before its first weight: straight through <name>-canary.
  const smoke = canary ? smokeRequests(scope, release, `${name}-canary`, plan) : undefined;

  // The stable track between the autoscaling bounds; the canary, while it takes requests, in proportion to its weight.
  const { autoscaling } = release;
  const matchesRequests = plan.header !== undefined || plan.cookie !== undefined;
  const canaryScaled = autoscaling && canary && (matchesRequests || weight > 0) ? canaryBounds(autoscaling, weight, plan.weightTotal, matchesRequests) : undefined;
  if (canaryScaled && canary?.replicas !== undefined) {
    fail(release.owner, 'canary.replicas', canary.replicas, `cannot be set while the canary takes requests with autoscaling: its autoscaler sizes it from ${canaryScaled.minReplicas} to ${canaryScaled.maxReplicas} pods `
      + '(the stable\'s bounds in proportion to its weight); remove replicas');
  }
  const budgets = [versionBudget(release, 'stable', stable, autoscaling ? [autoscaling.minReplicas, 'autoscaling.minReplicas'] : fixedSize('stable', stable))];
  if (canary) {
    budgets.push(versionBudget(release, 'canary', canary, canaryScaled
      ? [canaryScaled.minReplicas, 'its autoscaler\'s minimum, autoscaling.minReplicas in proportion to its weight'] : fixedSize('canary', canary)));
  }
  checkBudgets(release, budgets);

  trackConfigMaps(scope, release, [stable, canary]);
  const stableDeployment = trackDeployment(scope, release, stable, { autoscaled: autoscaling !== undefined });
  const canaryDeployment = canary ? trackDeployment(scope, release, canary, { autoscaled: canaryScaled !== undefined }) : undefined;
  emitBudgets(scope, release, budgets);
  if (autoscaling) {
    emitAutoscalers(scope, release, [
      deploymentAutoscaler(release, stable, autoscaling),
      ...canary && canaryScaled ? [deploymentAutoscaler(release, canary, canaryScaled)] : [],
    ]);
  }
  // `<name>` selects every track when the router splits by replica ratio or by subset;
  // otherwise only stable, so a client that bypasses the router never lands on the canary.
  const everyTrack = !router.splitsTraffic || router.routesBySubset;
  const service = releaseService(scope, 'Service', release, name, everyTrack ? { app: name } : { app: name, version: stable.version });
  const canaryService = canary ? releaseService(scope, 'CanaryService', release, `${name}-canary`, { app: name, version: canary.version }) : undefined;
  router.bind(scope, routes);

  if (plan.analysis && analysed && queries) {
    analysisPrometheusRule(scope, release, plan.analysis, { who: analysed, queries, rollBack: `remove the canary ${analysed.version} from the release` });
  }
  if (canary && smoke) smokeJob(scope, release, canary.version, smoke);
  return { routes, stableDeployment, canaryDeployment, service, canaryService };
}
