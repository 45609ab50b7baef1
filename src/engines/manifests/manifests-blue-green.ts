import { Construct } from 'constructs';
import { analysisQueries } from '../../analysis/analysis-queries';
import { analysisPrometheusRule } from '../../analysis/prometheus-rule';
import { TrackRole, WeightsOwner } from '../../routing/routing-model';
import { releaseService } from '../../workload/release-service';
import { trackDeployment } from '../../workload/track-deployment';
import { blueGreenPlanRoutes } from '../plan-routes';
import { BlueGreenObjects } from '../release-objects';
import { BlueGreenPlan } from '../release-plan';
import { trackBackend } from './track-backend';
import { trackConfigMaps } from '../../workload/track-config';
import { smokeRequests } from '../smoke-target';
import { smokeJob } from './smoke-job';
import { ReleaseTrack } from '../../workload/release-track';
import { checkBudgets, deploymentAutoscaler, emitAutoscalers, emitBudgets, fixedSize, versionBudget } from '../track-capacity';

/** Plain manifests: a Deployment per color, the Services, the router's objects, alerts for the active color. */
export function manifestsBlueGreen(scope: Construct, plan: BlueGreenPlan): BlueGreenObjects {
  const { release, active, idle } = plan;
  const { name, router } = release;
  const routes = blueGreenPlanRoutes(plan, {
    active: trackBackend(TrackRole.ACTIVE, name, active),
    idle: idle ? trackBackend(TrackRole.PREVIEW, `${name}-preview`, idle) : undefined,
    weightsOwner: WeightsOwner.GIT,
  });
  router.checkRoutes(scope, routes);
  const analysed = { version: active.version, service: name, route: name, isCanary: false };
  const queries = plan.analysis ? analysisQueries(scope, release, plan.analysis, analysed) : undefined;
  // The smoke test calls the idle color before the cut-over, through <name>-preview.
  const smoke = idle ? smokeRequests(scope, release, `${name}-preview`, undefined) : undefined;

  // Each color between the same bounds: the idle one can take the active's load at the cut-over.
  const { autoscaling } = release;
  const colors = ([['blue', plan.blue], ['green', plan.green]] as const).filter((c): c is readonly ['blue' | 'green', ReleaseTrack] => c[1] !== undefined);
  const budgets = colors.map(([prop, track]) => versionBudget(release, prop, track, autoscaling ? [autoscaling.minReplicas, 'autoscaling.minReplicas'] : fixedSize(prop, track)));
  checkBudgets(release, budgets);

  trackConfigMaps(scope, release, [plan.blue, plan.green]);
  const autoscaled = { autoscaled: autoscaling !== undefined };
  const blueDeployment = plan.blue ? trackDeployment(scope, release, plan.blue, autoscaled) : undefined;
  const greenDeployment = plan.green ? trackDeployment(scope, release, plan.green, autoscaled) : undefined;
  emitBudgets(scope, release, budgets);
  if (autoscaling) emitAutoscalers(scope, release, colors.map(([, track]) => deploymentAutoscaler(release, track, autoscaling)));
  // Only a router that picks subsets of `<name>` needs it to select both colors.
  const activeService = releaseService(scope, 'Service', release, name, router.routesBySubset ? { app: name } : { app: name, version: active.version });
  const previewService = plan.preview && idle ? releaseService(scope, 'PreviewService', release, `${name}-preview`, { app: name, version: idle.version }) : undefined;
  router.bind(scope, routes);

  if (plan.analysis && queries) {
    const rollBack = idle ? `set active to the idle color, ${plan.activeIsBlue ? 'green' : 'blue'} (${idle.version})` : 'bring the previous version back as the other color and make it active';
    analysisPrometheusRule(scope, release, plan.analysis, { who: analysed, queries, rollBack });
  }
  if (idle && smoke) smokeJob(scope, release, idle.version, smoke);
  return { routes, blueDeployment, greenDeployment, activeService, previewService };
}
