import { Construct } from 'constructs';
import { analysisQueries } from '../../analysis/analysis-queries';
import { analysisPrometheusRule } from '../../analysis/prometheus-rule';
import { RouteBackend, TrackRole, WeightsOwner } from '../../routing/routing-model';
import { ReleaseTrack, versionSlug } from '../../workload/release-track';
import { releaseService } from '../../workload/release-service';
import { trackDeployment } from '../../workload/track-deployment';
import { BlueGreenObjects, BlueGreenPlan, blueGreenPlanRoutes, CanaryObjects, CanaryPlan, canaryPlanRoutes, checkCanaryHasPods, plannedWeight } from '../release-plan';

/** A track as plain manifests' routes reach it: its Service, its subset `<v>`, its version label. */
function backend(role: TrackRole, serviceName: string, track: ReleaseTrack): RouteBackend {
  return { role, serviceName, subsetName: versionSlug(track.version), podLabels: { version: track.version } };
}

/** Plain manifests: a Deployment per track, the Services, the router's objects, alerts for the analysis. */
export function manifestsCanary(scope: Construct, plan: CanaryPlan): CanaryObjects {
  const { release, stable, canary } = plan;
  const { name, router } = release;
  const weight = plannedWeight(plan);
  checkCanaryHasPods(plan, weight);
  const routes = canaryPlanRoutes(plan,
    backend(TrackRole.STABLE, name, stable),
    canary ? backend(TrackRole.CANARY, `${name}-canary`, canary) : undefined,
    weight, WeightsOwner.GIT);
  router.checkRoutes(routes);
  // The analysis judges the canary, whose requests come through the main route.
  const analysed = canary ? { version: canary.version, service: `${name}-canary`, route: name, isCanary: true } : undefined;
  const queries = plan.analysis && analysed ? analysisQueries(scope, release, plan.analysis, analysed) : undefined;

  const stableDeployment = trackDeployment(scope, release, stable);
  const canaryDeployment = canary ? trackDeployment(scope, release, canary) : undefined;
  // `<name>` selects every track when the router splits by replica ratio or by subset;
  // otherwise only stable, so a client that bypasses the router never lands on the canary.
  const everyTrack = !router.splitsTraffic || router.routesBySubset;
  const service = releaseService(scope, 'Service', release, name, everyTrack ? { app: name } : { app: name, version: stable.version });
  const canaryService = canary ? releaseService(scope, 'CanaryService', release, `${name}-canary`, { app: name, version: canary.version }) : undefined;
  router.bind(scope, routes);

  if (plan.analysis && analysed && queries) {
    analysisPrometheusRule(scope, release, plan.analysis, { who: analysed, queries, rollBack: `remove the canary ${analysed.version} from the release` });
  }
  return { stableDeployment, canaryDeployment, service, canaryService };
}

/** Plain manifests: a Deployment per color, the Services, the router's objects, alerts for the active color. */
export function manifestsBlueGreen(scope: Construct, plan: BlueGreenPlan): BlueGreenObjects {
  const { release, active, idle } = plan;
  const { name, router } = release;
  const routes = blueGreenPlanRoutes(plan, backend(TrackRole.ACTIVE, name, active), idle ? backend(TrackRole.PREVIEW, `${name}-preview`, idle) : undefined);
  router.checkRoutes(routes);
  const analysed = { version: active.version, service: name, route: name, isCanary: false };
  const queries = plan.analysis ? analysisQueries(scope, release, plan.analysis, analysed) : undefined;

  const blueDeployment = plan.blue ? trackDeployment(scope, release, plan.blue) : undefined;
  const greenDeployment = plan.green ? trackDeployment(scope, release, plan.green) : undefined;
  // Only a router that picks subsets of `<name>` needs it to select both colors.
  const activeService = releaseService(scope, 'Service', release, name, router.routesBySubset ? { app: name } : { app: name, version: active.version });
  const previewService = plan.preview && idle ? releaseService(scope, 'PreviewService', release, `${name}-preview`, { app: name, version: idle.version }) : undefined;
  router.bind(scope, routes);

  if (plan.analysis && queries) {
    const rollBack = idle ? `set active to the idle color, ${plan.activeIsBlue ? 'green' : 'blue'} (${idle.version})` : 'bring the previous version back as the other color and make it active';
    analysisPrometheusRule(scope, release, plan.analysis, { who: analysed, queries, rollBack });
  }
  return { blueDeployment, greenDeployment, activeService, previewService };
}
