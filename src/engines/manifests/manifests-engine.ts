import { Construct } from 'constructs';
import { analysisPrometheusRule } from '../../analysis/analysis-queries';
import { releaseService, routingBase } from '../../releases/release-base';
import { BlueGreenObjects, BlueGreenPlan, CanaryObjects, CanaryPlan, checkCanaryHasPods } from '../release-plan';
import { trackDeployment, versionSlug } from '../../workload/track-deployment';

/** Plain manifests: a Deployment per track, the Services, the router's objects, alerts for the analysis. */
export function manifestsCanary(scope: Construct, plan: CanaryPlan): CanaryObjects {
  const { release, stable, canary } = plan;
  const { name, router } = release;
  checkCanaryHasPods(release.owner, plan, plan.weight);
  const stableDeployment = trackDeployment(scope, release, stable);
  const canaryDeployment = canary ? trackDeployment(scope, release, canary) : undefined;

  // `<name>` selects every track when the router splits by replica ratio or by subset;
  // otherwise only stable, so a client that bypasses the router never lands on the canary.
  const everyTrack = !router.splitsTraffic || router.routesBySubset;
  const service = releaseService(scope, 'Service', release, name, everyTrack ? { app: name } : { app: name, version: stable.version });
  const canaryService = canary ? releaseService(scope, 'CanaryService', release, `${name}-canary`, { app: name, version: canary.version }) : undefined;

  router.bindCanary(scope, {
    ...routingBase(release),
    service,
    stable: { version: stable.version, slug: versionSlug(stable.version), deployment: stableDeployment },
    canary: canary && canaryDeployment ? { version: canary.version, slug: versionSlug(canary.version), deployment: canaryDeployment } : undefined,
    canaryService,
    header: plan.header,
    cookie: plan.cookie,
    weight: plan.weight,
    weightTotal: plan.weightTotal,
  });

  if (plan.analysis && canary) {
    analysisPrometheusRule(scope, release, plan.analysis, { version: canary.version, service: `${name}-canary`, route: name, isCanary: true },
      `remove the canary ${canary.version} from the release`);
  }
  return { stableDeployment, canaryDeployment, service, canaryService };
}

/** Plain manifests: a Deployment per color, the Services, the router's objects, alerts for the active color. */
export function manifestsBlueGreen(scope: Construct, plan: BlueGreenPlan): BlueGreenObjects {
  const { release, active, idle } = plan;
  const { name, router } = release;
  const blueDeployment = plan.blue ? trackDeployment(scope, release, plan.blue) : undefined;
  const greenDeployment = plan.green ? trackDeployment(scope, release, plan.green) : undefined;
  const activeDeployment = plan.activeIsBlue ? blueDeployment : greenDeployment;
  const idleDeployment = plan.activeIsBlue ? greenDeployment : blueDeployment;

  // Only a router that picks subsets of `<name>` needs it to select both colors.
  const activeService = releaseService(scope, 'Service', release, name, router.routesBySubset ? { app: name } : { app: name, version: active.version });
  const previewService = plan.preview && idle ? releaseService(scope, 'PreviewService', release, `${name}-preview`, { app: name, version: idle.version }) : undefined;

  router.bindBlueGreen(scope, {
    ...routingBase(release),
    activeService,
    active: { version: active.version, slug: versionSlug(active.version), deployment: activeDeployment },
    idle: idle ? { version: idle.version, slug: versionSlug(idle.version), deployment: idleDeployment } : undefined,
    previewService,
    previewHost: plan.previewHost,
  });

  if (plan.analysis) {
    const back = idle ? `set active to the idle color, ${plan.activeIsBlue ? 'green' : 'blue'} (${idle.version})` : 'bring the previous version back as the other color and make it active';
    analysisPrometheusRule(scope, release, plan.analysis, { version: active.version, service: name, route: name, isCanary: false }, back);
  }
  return { blueDeployment, greenDeployment, activeService, previewService };
}
