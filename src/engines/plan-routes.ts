/**
 * A plan's routes, as an engine builds them: the tracks reached through the Services it names,
 * and who owns the weights.
 */
import { RoutedApp, blueGreenRoutes, canaryRoutes } from '../routing/route-table';
import { ReleaseRoutes, RouteBackend, WeightsOwner } from '../routing/routing-model';
import { BlueGreenPlan, CanaryPlan, ResolvedRelease } from './release-plan';

/** The labels (the release's plus `app: <name>`) and annotations every routing and controller object carries. */
export function appMetadata(release: ResolvedRelease): RoutedApp['metadata'] {
  return { labels: { ...release.metadata.labels, app: release.name }, annotations: release.metadata.annotations };
}

/** What every release's routes start with: who asks, the app name, the port and the metadata. */
export function routedApp(release: ResolvedRelease): RoutedApp {
  return { owner: release.owner, name: release.name, servicePort: release.servicePort, metadata: appMetadata(release) };
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

/** A canary plan's routes over the given tracks. */
export function canaryPlanRoutes(plan: CanaryPlan, tracks: CanaryPlanTracks): ReleaseRoutes {
  return canaryRoutes({
    ...routedApp(plan.release),
    ...tracks,
    header: plan.header,
    cookie: plan.cookie,
    weightTotal: plan.weightTotal,
  });
}

/** How an engine reaches a blue-green plan's colors. */
export interface BlueGreenPlanTracks {
  readonly active: RouteBackend;
  /** The idle color, counted only when the plan has one. */
  readonly idle: RouteBackend | undefined;
  /** Who switches the colors: git (plain manifests) or a controller. */
  readonly weightsOwner: WeightsOwner;
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
