/**
 * Several routers rendering one release at once (`TrafficRouter.all(...)`), e.g. ingress-nginx
 * and Gateway API side by side for a migration: every router of the set must express the
 * release; an error from one names it. Internal: the class is in traffic-router.ts.
 */
import { Construct } from 'constructs';
import { fail } from '../private/validation';
import { IArgoRolloutsRouting, IFlaggerRouting } from './engine-contracts';
import { ReleaseRoutes } from './routing-model';

/** What the set needs of each router (a TrafficRouter, seen structurally). */
export interface SetMember {
  readonly displayName: string;
  readonly splitsTraffic: boolean;
  readonly routesBySubset: boolean;
  readonly servesHosts: boolean;
  readonly measuresByRoute: boolean;
  readonly locations: string[];
  checkRoutes(scope: Construct, routes: ReleaseRoutes): void;
  bind(scope: Construct, routes: ReleaseRoutes): void;
  argoRolloutsRouting(): IArgoRolloutsRouting | undefined;
}

const OWNER = 'TrafficRouter.all';

/** Checks the routers of a set: at least two, each steering requests, none twice, none by subset. */
export function checkRouterSet(routers: unknown[], isRouter: (r: unknown) => boolean): SetMember[] {
  if (!Array.isArray(routers) || routers.length < 2) {
    const shown = Array.isArray(routers) ? `[${routers.map((r) => (isRouter(r) ? (r as SetMember).displayName : JSON.stringify(r))).join(', ')}]` : routers;
    fail(OWNER, 'routers', shown, 'must be two or more routers, e.g. TrafficRouter.all(TrafficRouter.nginx({ host }), TrafficRouter.gatewayApi({ parentRefs, hostnames }))');
  }
  const members = routers.map((router, i) => {
    if (!isRouter(router)) fail(OWNER, `routers[${i}]`, router, 'must be a TrafficRouter, e.g. TrafficRouter.nginx()');
    return router as SetMember;
  });
  members.forEach((router, i) => {
    if (router.displayName.startsWith(`${OWNER}(`)) {
      fail(OWNER, `routers[${i}]`, router.displayName, 'must not be a set itself: list its routers instead');
    }
    if (!router.splitsTraffic || !router.servesHosts) {
      fail(OWNER, `routers[${i}]`, router.displayName, 'must steer requests and serve hosts (TrafficRouter.nginx(), .istio() or .gatewayApi()): the Services of TrafficRouter.service() are there under every router');
    }
    if (router.routesBySubset) {
      fail(OWNER, `routers[${i}]`, router.displayName, 'cannot share a release with other routers: its subsets need the Service <name> to select every track, while the others send the stable\'s share to <name>; use TrafficRouter.istio() (by host)');
    }
    const twin = members.findIndex((other, j) => j < i && other.displayName === router.displayName);
    if (twin >= 0) {
      fail(OWNER, `routers[${i}]`, router.displayName, `is the same kind as routers[${twin}]: both would emit the objects named <name>; one router of each kind`);
    }
  });
  return members;
}

/** The name of a set in messages: `TrafficRouter.all(TrafficRouter.nginx(), TrafficRouter.gatewayApi())`. */
export function routerSetName(members: SetMember[]): string {
  return `${OWNER}(${members.map((m) => m.displayName).join(', ')})`;
}

/** Runs one router's check; an error says which router of the set could not express the release. */
export function checkAsMember(members: SetMember[], member: SetMember, check: () => void): void {
  try {
    check();
  } catch (e) {
    if (e instanceof Error) e.message += ` (${member.displayName}, in ${routerSetName(members)}: every router of the set must express the release)`;
    throw e;
  }
}

/**
 * Argo Rollouts runs every traffic provider its trafficRouting names, each reconciled in turn
 * (rollout/trafficrouting.go, NewTrafficRoutingReconciler): the set's is every member's,
 * merged. Each member returns its own key (`nginx`, `istio`, `plugins`).
 */
export function setArgoRolloutsRouting(members: SetMember[]): IArgoRolloutsRouting {
  const routings = members.map((member) => ({ member, routing: member.argoRolloutsRouting() }));
  return {
    checkArgoRolloutsCanary(scope: Construct, routes: ReleaseRoutes): void {
      for (const { member, routing } of routings) {
        if (routing === undefined) {
          fail(routes.owner, 'router', routerSetName(members), `cannot run under DeliveryEngine.argoRollouts(): ${member.displayName} has no IArgoRolloutsRouting (its argoRolloutsRouting() returns none)`);
        }
        checkAsMember(members, member, () => routing.checkArgoRolloutsCanary(scope, routes));
      }
    },
    bindArgoRolloutsCanary(scope: Construct, routes: ReleaseRoutes): { [key: string]: any } | undefined {
      const merged: { [key: string]: any } = {};
      for (const { member, routing } of routings) {
        const own = routing!.bindArgoRolloutsCanary(scope, routes) ?? {};
        for (const [key, value] of Object.entries(own)) {
          if (key === 'plugins' && merged.plugins !== undefined && Object.keys(value).every((plugin) => merged.plugins[plugin] === undefined)) {
            merged.plugins = { ...merged.plugins, ...value }; // one entry per plugin
            continue;
          }
          if (merged[key] !== undefined) {
            fail(routes.owner, 'router', routerSetName(members), `cannot run under DeliveryEngine.argoRollouts(): ${member.displayName} and another router of the set both set trafficRouting.${key}`);
          }
          merged[key] = value;
        }
      }
      return Object.keys(merged).length > 0 ? merged : undefined;
    },
  };
}

/** Flagger drives one provider per Canary (`spec.provider`): a set cannot run a canary under it. */
export function setFlaggerRouting(members: SetMember[]): IFlaggerRouting {
  const refuse = (routes: ReleaseRoutes): never => fail(routes.owner, 'router', routerSetName(members),
    'cannot run a canary under DeliveryEngine.flagger(): a Canary drives one provider (spec.provider), so Flagger would shift the weights of one router only; '
    + 'run the migration under DeliveryEngine.manifests() or .argoRollouts(), or keep one router');
  return {
    checkFlaggerCanary: (_scope, routes) => refuse(routes),
    bindFlaggerCanary: (_scope, routes) => refuse(routes),
  };
}
