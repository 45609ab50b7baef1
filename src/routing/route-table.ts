/**
 * Builds the routes of a release: the one place that knows the order of a canary's rules
 * (header, then cookie, then weight) and a blue-green release's main and preview routes.
 */
import { ApiObjectMetadata } from 'cdk8s';
import { fail } from '../private/validation';
import { AppProtocol } from '../workload/app-protocol';
import type { HeaderMatch } from './header-match';
import { ReleaseRoutes, ResponseCookie, Route, RouteBackend, RouteRule, TrackRole, WeightsOwner } from './routing-model';

/** What every release's routes start with. */
export interface RoutedApp {
  readonly owner: string;
  readonly name: string;
  readonly servicePort: number;
  /** What the app speaks on that port. @default AppProtocol.HTTP */
  readonly appProtocol?: AppProtocol;
  /** Labels (with `app: <name>`) and annotations of every routing object. */
  readonly metadata: ApiObjectMetadata;
}

/** A canary release's tracks and rules, all validated. */
export interface CanaryRouteSpec extends RoutedApp {
  readonly stable: RouteBackend;
  /** Absent: the main route sends everything to stable. */
  readonly canary?: RouteBackend;
  readonly header?: HeaderMatch;
  readonly cookie?: string;
  /** The canary's weight as written: git's, or where the controller starts. */
  readonly weight: number;
  readonly weightTotal: number;
  readonly weightsOwner: WeightsOwner;
  /**
   * The cookie that keeps a user the weight sent to the canary there: the weighted rule's canary
   * destination sets it, and a rule after the header and cookie rules sends it to the canary.
   */
  readonly sticky?: ResponseCookie;
  /** A sticky canary's cookie, also at weight 0 (`ReleaseRoutes.stickyCookie`). */
  readonly stickyCookie?: ResponseCookie;
  /** The percentage of the weighted rule's requests also copied to the canary. */
  readonly mirror?: number;
}

/**
 * The main route `<name>` of a canary release. With a canary: a header rule, then a cookie
 * rule (`always` to the canary, `never` to stable), then a sticky canary's cookie, then the
 * weighted rule for the rest (whose canary destination sets that cookie); each
 * rule is there only when the release asks for it, but the weighted rule always is, and carries
 * the mirror (copies to the canary) when there is one. Without a canary: one rule to stable.
 */
export function canaryRoutes(spec: CanaryRouteSpec): ReleaseRoutes {
  const { stable, canary } = spec;
  const rules: RouteRule[] = [];
  if (canary) {
    if (spec.header) rules.push({ name: 'canary-by-header', match: { header: spec.header }, destinations: [{ backend: canary }] });
    if (spec.cookie !== undefined) {
      rules.push({ name: 'canary-by-cookie', match: { cookie: { name: spec.cookie, value: 'always' } }, destinations: [{ backend: canary }] });
      rules.push({ name: 'stable-by-cookie', match: { cookie: { name: spec.cookie, value: 'never' } }, destinations: [{ backend: stable }] });
    }
    const sticky = spec.sticky;
    if (sticky) {
      rules.push({ name: 'canary-by-sticky-cookie', match: { cookie: { name: sticky.name, value: sticky.value } }, destinations: [{ backend: canary }] });
    }
    rules.push({
      name: 'weighted',
      destinations: [
        { backend: stable, weight: spec.weightTotal - spec.weight },
        { backend: canary, weight: spec.weight, setCookie: sticky },
      ],
      // Only the requests no header or cookie rule took are copied.
      mirror: spec.mirror !== undefined ? { backend: canary, percent: spec.mirror } : undefined,
    });
  } else {
    rules.push({ name: 'stable', destinations: [{ backend: stable }] });
  }
  return {
    ...app(spec),
    tracks: canary ? [stable, canary] : [stable],
    main: { name: spec.name, rules },
    weightTotal: spec.weightTotal,
    weightsOwner: spec.weightsOwner,
    stickyCookie: canary ? spec.stickyCookie : undefined,
  };
}

/** A blue-green release's colors, all validated. */
export interface BlueGreenRouteSpec extends RoutedApp {
  readonly active: RouteBackend;
  /** The idle color, when present. */
  readonly idle?: RouteBackend;
  /** Expose the idle color at this host through the preview route (needs `idle`). */
  readonly previewHost?: string;
  /** Who switches the colors: git, or a controller (Argo Rollouts, Flagger). */
  readonly weightsOwner: WeightsOwner;
}

/** The main route `<name>` to the active color; with a preview host, `<name>-preview` to the idle one. */
export function blueGreenRoutes(spec: BlueGreenRouteSpec): ReleaseRoutes {
  const { active, idle } = spec;
  return {
    ...app(spec),
    tracks: idle ? [active, idle] : [active],
    main: { name: spec.name, rules: [{ name: 'active', destinations: [{ backend: active }] }] },
    preview: idle && spec.previewHost !== undefined
      ? { name: `${spec.name}-preview`, host: spec.previewHost, rules: [{ name: 'preview', destinations: [{ backend: idle }] }] }
      : undefined,
    weightTotal: 100,
    weightsOwner: spec.weightsOwner,
  };
}

function app(spec: RoutedApp): RoutedApp {
  // HTTP is left out: the routes of an HTTP app read as they did before the app protocol existed.
  const grpc = spec.appProtocol === AppProtocol.GRPC ? { appProtocol: AppProtocol.GRPC } : {};
  return { owner: spec.owner, name: spec.name, servicePort: spec.servicePort, ...grpc, metadata: spec.metadata };
}

/** Whether the routes are a gRPC app's. */
export function isGrpc(routes: ReleaseRoutes): boolean {
  return routes.appProtocol === AppProtocol.GRPC;
}

/**
 * Refuses a rule whose match a router cannot read: a match is one header or one cookie.
 * `router` names the router, e.g. `TrafficRouter.istio()`.
 */
export function checkMatches(routes: ReleaseRoutes, router: string): void {
  for (const route of routes.preview ? [routes.main, routes.preview] : [routes.main]) {
    for (const rule of route.rules) {
      if (rule.match && (rule.match.header === undefined) === (rule.match.cookie === undefined)) {
        fail(routes.owner, 'router', router, `cannot express the rule "${rule.name}" of the route "${route.name}": a match is one header or one cookie`);
      }
    }
  }
}

/**
 * The rules of a route that send the requests they match to the canary, in order: an A/B test's
 * matches. A rule for a cookie the route's own destinations set (a sticky canary's) is not one.
 */
export function canaryMatchRules(route: Route): RouteRule[] {
  const own = route.rules.flatMap((rule) => rule.destinations.flatMap((d) => d.setCookie ? [d.setCookie.name] : []));
  return route.rules.filter((rule) => rule.match !== undefined && rule.destinations.length === 1 && rule.destinations[0].backend.role === TrackRole.CANARY
    && !(rule.match.cookie && own.includes(rule.match.cookie.name)));
}
