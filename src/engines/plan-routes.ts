/**
 * A plan's routes, as an engine builds them: the tracks reached through the Services it names,
 * and who owns the weights.
 */
import { RoutedApp, blueGreenRoutes, canaryRoutes } from '../routing/route-table';
import { ReleaseRoutes, ResponseCookie, RouteBackend, TrackRole, WeightsOwner } from '../routing/routing-model';
import { versionSlug } from '../workload/release-track';
import { BlueGreenPlan, CanaryPlan, ResolvedRelease, appMetadata } from './release-plan';

/** What every release's routes start with: who asks, the app name, the port and the metadata. */
export function routedApp(release: ResolvedRelease): RoutedApp {
  return { owner: release.owner, name: release.name, servicePort: release.servicePort, appProtocol: release.appProtocol, metadata: appMetadata(release) };
}

/** How an engine reaches a canary plan's tracks. */
export interface CanaryPlanTracks {
  readonly stable: RouteBackend;
  /** Absent when the plan has no canary. */
  readonly canary?: RouteBackend;
  /** The canary's weight as written: git's under plain manifests, where the controller starts otherwise. */
  readonly weight: number;
  readonly weightsOwner: WeightsOwner;
}

/**
 * The tracks of a canary a controller runs, behind the Services `<name>` and `<name>-canary`
 * and by the controller's names for them (`stable`, Flagger's `primary`); the controller shifts
 * the canary's weight from 0.
 */
export function controllerCanaryTracks(name: string, stableSubset: string): CanaryPlanTracks {
  return {
    stable: { role: TrackRole.STABLE, serviceName: name, subsetName: stableSubset },
    canary: { role: TrackRole.CANARY, serviceName: `${name}-canary`, subsetName: 'canary' },
    weight: 0,
    weightsOwner: WeightsOwner.CONTROLLER,
  };
}

/**
 * A canary plan's routes over the given tracks. Under plain manifests a sticky canary's cookie
 * is in the routes only while git gives the canary a weight: at weight 0 (a rollback) everyone
 * is back on stable. Under a controller it always is: the controller moves the weights, and
 * keeps the users by its own means (Flagger's session affinity) or the engine refuses `sticky`.
 */
export function canaryPlanRoutes(plan: CanaryPlan, tracks: CanaryPlanTracks): ReleaseRoutes {
  const weighted = tracks.weightsOwner === WeightsOwner.CONTROLLER || tracks.weight > 0;
  const cookie = plan.sticky && tracks.canary ? stickyCookie(plan) : undefined;
  const sticky = weighted ? cookie : undefined;
  return canaryRoutes({
    ...routedApp(plan.release),
    ...tracks,
    header: plan.header,
    cookie: plan.cookie,
    sticky,
    stickyCookie: cookie,
    weightTotal: plan.weightTotal,
    mirror: plan.mirror,
  });
}

/** A day: how long a sticky canary keeps its users between visits (Flagger's default too). */
const STICKY_MAX_AGE_SECONDS = 86_400;

/** The name of a sticky canary's cookie: `<name>-canary`. */
function stickyCookieName(plan: CanaryPlan): string {
  return `${plan.release.name}-canary`;
}

/** `<name>-canary=<v>`: a new canary version starts with no user kept from the last one. */
function stickyCookie(plan: CanaryPlan): ResponseCookie {
  // Under Flagger the canary's version is that of its one Deployment, which plan.canary (or stable) runs.
  const version = (plan.canary ?? plan.stable).version;
  return { name: stickyCookieName(plan), value: versionSlug(version), path: '/', maxAgeSeconds: STICKY_MAX_AGE_SECONDS };
}

/** How an engine reaches a blue-green plan's colors. */
export interface BlueGreenPlanTracks {
  readonly active: RouteBackend;
  /** The idle color, counted only when the plan has one. */
  readonly idle: RouteBackend | undefined;
  /** Who switches the colors: git (plain manifests) or a controller. */
  readonly weightsOwner: WeightsOwner;
}

/**
 * The colors of a blue-green release a controller switches: the active one behind `<name>`, the
 * new one behind `previewService`, by the controller's names for them.
 */
export function controllerBlueGreenTracks(name: string, previewService: string, subsets: { active: string; preview: string }): BlueGreenPlanTracks {
  return {
    active: { role: TrackRole.ACTIVE, serviceName: name, subsetName: subsets.active },
    idle: { role: TrackRole.PREVIEW, serviceName: previewService, subsetName: subsets.preview },
    weightsOwner: WeightsOwner.CONTROLLER,
  };
}

/** A blue-green plan's routes over the given colors; the preview route when the plan exposes one. */
export function blueGreenPlanRoutes(plan: BlueGreenPlan, tracks: BlueGreenPlanTracks): ReleaseRoutes {
  return blueGreenRoutes({
    ...routedApp(plan.release),
    active: tracks.active,
    idle: plan.idle ? tracks.idle : undefined,
    previewHost: plan.preview ? plan.previewHost : undefined,
    weightsOwner: tracks.weightsOwner,
  });
}
