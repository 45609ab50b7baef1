/**
 * A route's mirror (copies of a share of a rule's requests sent to a track as well): finding it,
 * and refusing it where a router or a controller cannot express it.
 */
import { fail } from '../private/validation';
import { ReleaseRoutes, Route, RouteMirror, RouteRule } from './routing-model';

/** The rules of the release's routes that copy requests, with their mirror. */
export function mirroredRules(routes: ReleaseRoutes): Array<RouteRule & { mirror: RouteMirror }> {
  const rules = routes.preview ? [...routes.main.rules, ...routes.preview.rules] : routes.main.rules;
  return rules.filter((rule): rule is RouteRule & { mirror: RouteMirror } => rule.mirror !== undefined);
}

/**
 * Refuses any mirror of the routes, naming the canary's `traffic.mirror`: `why` says what
 * cannot mirror and what to use instead.
 */
export function refuseMirror(routes: ReleaseRoutes, why: string): void {
  const [rule] = mirroredRules(routes);
  if (rule) fail(routes.owner, 'canary.traffic.mirror', rule.mirror.percent, why);
}

/**
 * The routes without their mirror: what a router renders when a controller adds and removes
 * the mirror itself (Argo Rollouts' setMirrorRoute steps).
 */
export function withoutMirror(routes: ReleaseRoutes): ReleaseRoutes {
  const strip = (route: Route): Route => ({ ...route, rules: route.rules.map(({ mirror: _mirror, ...rule }) => rule) });
  return { ...routes, main: strip(routes.main), preview: routes.preview ? strip(routes.preview) : undefined };
}
