/**
 * What a release records about its routing once its engine has built the routes: the source of
 * its routing report (`RoutingReport`). Read-only data, filled by the release construct from the
 * routes its engine handed the router and from the plan; nothing here changes a synthesized object.
 */
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import type { CanaryStep } from '../engines/canary-step';
import { ReleaseRoutes, TrackRole, WeightsOwner } from '../routing/routing-model';
import type { BlueGreenColor } from './blue-green-color';
import type { ResolvedOptions } from './resolve-release';

/** Which version runs behind a part of a release (the routes name parts, not versions). */
export interface TrackVersion {
  /** The part the track plays in the routes. */
  readonly role: TrackRole;

  /** The version git gives that part, e.g. `v2`. */
  readonly version: string;
}

/**
 * A release's routing as synthesized: the routes in the order a request tries their rules, the
 * version behind each part, who owns the weights, and where the plan stands.
 */
export interface ReleaseRouting {
  /** Who is routed, e.g. `CanaryRelease 'myapp'`. */
  readonly owner: string;

  /**
   * The namespace of the release's objects (the chart's).
   * @default - the chart has none
   */
  readonly namespace?: string;

  /** The construct path of the release, e.g. `shop/myapp`. */
  readonly path: string;

  /** The engine, as messages name it, e.g. `DeliveryEngine.manifests()`. */
  readonly engine: string;

  /**
   * The rollout controller that owns the weights (`routes.weightsOwner` is `controller`), e.g. `Argo Rollouts`.
   * @default - none: git owns them
   */
  readonly controller?: string;

  /** The router, as messages name it, e.g. `TrafficRouter.nginx()`. */
  readonly router: string;

  /**
   * Where the router takes requests (`TrafficRouter.locations`), e.g.
   * `api.example.com, example.com: Prefix /api, Exact /healthz`.
   */
  readonly locations: string[];

  /**
   * Whether the router steers requests by the routes' rules (`TrafficRouter.splitsTraffic`). When
   * false (`TrafficRouter.service()`), a canary's requests split by the tracks' replica ratio, not
   * by the weighted rule.
   */
  readonly routerSteers: boolean;

  /**
   * The routes the engine handed the router. Under a controller a canary's weighted rule holds
   * the weights the controller starts from (the canary at 0); the controller moves them.
   */
  readonly routes: ReleaseRoutes;

  /** The version behind each part of the routes that runs one (a canary under a controller with no canary runs none). */
  readonly versions: TrackVersion[];

  /**
   * A canary release's plan (`steps`).
   * @default - no plan (and always for a blue-green release)
   */
  readonly steps?: CanaryStep[];

  /**
   * The canary's weight in force at each step of `steps`, out of `routes.weightTotal`.
   * @default - no plan
   */
  readonly stepWeights?: number[];

  /**
   * The step the canary has reached (`canary.step`, plain manifests).
   * @default - none given
   */
  readonly step?: number;

  /**
   * A blue-green release's active color.
   * @default - not a blue-green release
   */
  readonly activeColor?: BlueGreenColor;
}

/** What a release construct knows beyond its routes: its versions, and its plan or active color. */
export interface RoutingFacts {
  readonly versions: TrackVersion[];
  readonly steps?: CanaryStep[];
  readonly stepWeights?: number[];
  readonly step?: number;
  readonly activeColor?: BlueGreenColor;
}

/** The record a release keeps of its routing: its routes, engine, router and namespace, with the facts only it knows. */
export function releaseRouting(release: Construct, resolved: ResolvedOptions, routes: ReleaseRoutes, facts: RoutingFacts): ReleaseRouting {
  const chart = Chart.of(release);
  return {
    owner: routes.owner,
    namespace: chart.namespace,
    path: release.node.path,
    engine: resolved.engine.displayName,
    controller: routes.weightsOwner === WeightsOwner.CONTROLLER ? resolved.engine.controllerName : undefined,
    router: resolved.router.displayName,
    locations: resolved.router.locations.map((l) => l.replace(/<name>/g, routes.name)),
    routerSteers: resolved.router.splitsTraffic,
    routes,
    ...facts,
  };
}
