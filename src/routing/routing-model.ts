/**
 * The routes a release needs, neutral of any router: what every router renders into its own
 * objects, and what an engine hands a router. Built by `route-table.ts` only.
 */
import { ApiObjectMetadata } from 'cdk8s';
import type { AppProtocol } from '../workload/app-protocol';
import type { HeaderMatch } from './header-match';

/** Which part a track plays in a release: never its version. */
export enum TrackRole {
  /** A canary release's version everyone gets (Flagger's primary). */
  STABLE = 'stable',
  /** A canary release's new version. */
  CANARY = 'canary',
  /** A blue-green release's color the Service `<name>` selects. */
  ACTIVE = 'active',
  /** A blue-green release's idle color, reachable through the preview. */
  PREVIEW = 'preview',
}

/**
 * Who moves the traffic of a release: the weights of a canary's weighted rule, or which color
 * a blue-green release's routes and Services reach.
 */
export enum WeightsOwner {
  /** Git (plain manifests): a router writes the weights and destinations as given. */
  GIT = 'git',
  /**
   * A rollout controller (Argo Rollouts, Flagger): the given weights are where it starts, and
   * it rewrites them (or switches the Services' selectors) while it walks the release; a router
   * that renders them for the controller leaves them to it.
   */
  CONTROLLER = 'controller',
}

/** One track of a release as a route reaches it. */
export interface RouteBackend {
  /** The part the track plays. */
  readonly role: TrackRole;

  /** The Service that selects this track's pods only, e.g. `<name>-canary`. */
  readonly serviceName: string;

  /**
   * The track's name as a subset of the Service `<name>` (for a router that routes by subset):
   * `<v>` under plain manifests; the controller's name for it otherwise: Argo Rollouts'
   * `stable`/`canary` (blue-green: `active`/`preview`), Flagger's `primary`/`canary`.
   */
  readonly subsetName: string;

  /**
   * The pod labels that tell this track's pods apart within `<name>`, e.g. `{ version: 'v2' }`.
   * @default - a controller labels the pods itself (Argo Rollouts' pod-template hash)
   */
  readonly podLabels?: { [key: string]: string };
}

/** A cookie a request carries, `<name>=<value>`. */
export interface CookieMatch {
  /** The cookie's name. */
  readonly name: string;
  /** The cookie's value: `always` (to the canary) or `never` (to stable). */
  readonly value: string;
}

/** What a request must carry for a rule to take it. At most one of the two. */
export interface RequestMatch {
  /**
   * A header.
   * @default - no header match
   */
  readonly header?: HeaderMatch;

  /**
   * A cookie.
   * @default - no cookie match
   */
  readonly cookie?: CookieMatch;
}

/** A cookie a destination's responses set (`Set-Cookie`), e.g. to keep a user on the canary. */
export interface ResponseCookie {
  /** The cookie's name. */
  readonly name: string;
  /** The cookie's value. */
  readonly value: string;
  /** The cookie's `Path`. */
  readonly path: string;
  /** How long the browser keeps it, in seconds (`Max-Age`). */
  readonly maxAgeSeconds: number;
}

/** Where a rule sends a request, and with what share of the rule's requests. */
export interface RouteDestination {
  /** The track. */
  readonly backend: RouteBackend;

  /**
   * The share, out of the release's `weightTotal`.
   * @default - every request of the rule (the rule has one destination)
   */
  readonly weight?: number;

  /**
   * A cookie this destination's responses set (a sticky canary's: the route has a rule for it).
   * A router that cannot set it must refuse the routes in `checkRoutes`.
   * @default - none
   */
  readonly setCookie?: ResponseCookie;
}

/**
 * Copies of a share of a rule's requests sent to a track as well, whose responses are
 * discarded: the client is answered by the rule's destinations only.
 */
export interface RouteMirror {
  /** The track that receives the copies. */
  readonly backend: RouteBackend;

  /** The share of the rule's requests copied, in percent: a whole number from 1 to 100. */
  readonly percent: number;
}

/** One rule of a route: requests that match go to its destinations. */
export interface RouteRule {
  /**
   * The rule's name, as routers that name rules write it: `canary-by-header`,
   * `canary-by-cookie`, `stable-by-cookie`, `canary-by-sticky-cookie`, `weighted`, `stable`,
   * `active`, `preview`.
   */
  readonly name: string;

  /**
   * What a request must carry.
   * @default - every request (the route's last rule)
   */
  readonly match?: RequestMatch;

  /** One destination, or a weighted pair whose weights add up to the release's `weightTotal`. */
  readonly destinations: RouteDestination[];

  /**
   * Copies of a share of the rule's requests sent to a track as well (a canary's
   * `traffic.mirror`, on the weighted rule only).
   * @default - no request is copied
   */
  readonly mirror?: RouteMirror;
}

/** A route object: its rules, in the order a request tries them. */
export interface Route {
  /** The route object's name: `<name>`, or `<name>-preview`. */
  readonly name: string;

  /**
   * The one host this route serves instead of the router's own hosts (a blue-green preview's
   * `previewHost`).
   * @default - the router's hosts
   */
  readonly host?: string;

  /** The rules, first match wins; the last one has no match. */
  readonly rules: RouteRule[];
}

/** Everything a router needs to route one release. */
export interface ReleaseRoutes {
  /** Who is routed, for error messages, e.g. `CanaryRelease 'myapp'`. */
  readonly owner: string;

  /** The app name. */
  readonly name: string;

  /** The port every Service exposes, named `http`. */
  readonly servicePort: number;

  /**
   * What the app speaks on that port: a router renders gRPC routes for `AppProtocol.GRPC`
   * (e.g. a GRPCRoute, or ingress-nginx's `backend-protocol: GRPC`), or refuses it.
   * @default AppProtocol.HTTP
   */
  readonly appProtocol?: AppProtocol;

  /** Labels (with `app: <name>`) and annotations every routing object carries. */
  readonly metadata: ApiObjectMetadata;

  /** Every track of the release (a DestinationRule's subsets), the first being stable or active. */
  readonly tracks: RouteBackend[];

  /** The route clients take, `<name>`. */
  readonly main: Route;

  /**
   * A blue-green release's preview route `<name>-preview`, at its own host.
   * @default - no preview route
   */
  readonly preview?: Route;

  /** What the weights of a weighted rule are out of: 100 to 1,000,000. */
  readonly weightTotal: number;

  /** Who moves the traffic: git, or a rollout controller. */
  readonly weightsOwner: WeightsOwner;

  /**
   * A sticky canary's cookie, whenever the release asks to keep the canary's users, even at a
   * weight of 0, when no rule sets or reads it (a rollback): a router that cannot keep users
   * refuses the routes at every weight.
   * @default - not sticky
   */
  readonly stickyCookie?: ResponseCookie;
}
