import { Construct } from 'constructs';
import { analysisQueries, refuseRuleLabels } from '../../analysis/analysis-queries';
import { argoRolloutsApi } from '../../private/upstream';
import { fail } from '../../private/validation';
import { releaseService } from '../../workload/release-service';
import { trackWorkloadJson } from '../../workload/track-deployment';
import { blueGreenPlanRoutes, controllerBlueGreenTracks } from '../plan-routes';
import { BlueGreenObjects } from '../release-objects';
import { BlueGreenPlan } from '../release-plan';
import { analysisTemplate } from './analysis-template';
import { ArgoRolloutsOptions, ENGINE } from './argo-rollouts-options';
import { intOrString, rollingUpdate, rolloutObject } from './rollout';
import { trackConfigMaps } from '../../workload/track-config';
import { smokeRequests } from '../smoke-target';
import { smokeAnalysisTemplate } from './smoke-analysis';
import { ReleaseTrack } from '../../workload/release-track';
import { argoBlueGreenBudgets, emitArgoCapacity } from './argo-capacity';

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
    fail(owner, 'router', router.displayName, `cannot cut over under ${ENGINE}: the routes name version subsets, while Argo Rollouts switches the Service selectors; use ${router.displayName.startsWith('TrafficRouter.istio') ? 'TrafficRouter.istio() (by host)' : 'a router that routes to the Services'}`);
  }
  if (plan.analysis && !plan.previewHost && router.measuresByRoute) {
    fail(owner, 'analysis', 'CanaryAnalysis.prometheus(...)', `needs previewHost under ${ENGINE} with this router: the pre-promotion analysis measures the preview's requests through the router, and without previewHost no request reaches the preview through it (the analysis would always pass)`);
  }
  if (plan.analysis && !plan.preview) {
    fail(owner, 'analysis', 'CanaryAnalysis.prometheus(...)', `needs the preview Service under ${ENGINE}: the pre-promotion analysis measures the preview; set preview to true`);
  }
  // Argo Rollouts switches the Services' selectors by its pod-template hash.
  const routes = blueGreenPlanRoutes(plan, controllerBlueGreenTracks(name, `${name}-preview`, { active: 'active', preview: 'preview' }));
  router.checkRoutes(scope, routes);
  const newest = idle ?? active;
  const workload = trackWorkloadJson(scope, release, newest);
  const surge = rollingUpdate(release, workload);
  const queries = plan.analysis
    ? analysisQueries(scope, release, plan.analysis, { version: newest.version, service: `${name}-preview`, route: `${name}-preview`, isCanary: false })
    : undefined;
  // The smoke test calls the new color through <name>-preview before the promotion.
  const smoke = smokeRequests(scope, release, `${name}-preview`, undefined);

  const colors = ([['blue', plan.blue], ['green', plan.green]] as Array<[string, ReleaseTrack | undefined]>).filter((c): c is [string, ReleaseTrack] => c[1] !== undefined);
  const budgets = argoBlueGreenBudgets(release, colors, colors.find(([, track]) => track === newest)!);

  trackConfigMaps(scope, release, [plan.blue, plan.green]);
  const activeService = releaseService(scope, 'Service', release, name, { app: name });
  const previewService = plan.preview ? releaseService(scope, 'PreviewService', release, `${name}-preview`, { app: name }) : undefined;
  router.bind(scope, routes);
  const analysis = plan.analysis && queries ? analysisTemplate(scope, release, plan.analysis, queries) : undefined;
  const smokeTemplate = smoke ? smokeAnalysisTemplate(scope, release, newest.version, smoke) : undefined;
  const prePromotion = [analysis, smokeTemplate].filter((t) => t !== undefined).map((t) => ({ templateName: t!.name }));
  const rollout = rolloutObject(scope, release, workload, release.autoscaling ? undefined : newest.replicas ?? 1, {
    blueGreen: {
      activeService: name,
      previewService: previewService ? `${name}-preview` : undefined,
      autoPromotionEnabled: options.autoPromotion ?? false,
      maxUnavailable: intOrString(surge.maxUnavailable, RolloutSpecStrategyBlueGreenMaxUnavailable),
      scaleDownDelaySeconds: options.scaleDownDelay?.toSeconds(),
      prePromotionAnalysis: prePromotion.length > 0 ? { templates: prePromotion } : undefined,
    },
  });
  emitArgoCapacity(scope, release, budgets);
  return { routes, activeService, previewService, rollout };
}
