/**
 * What a rollout controller needs from a router: public contracts that a router implements and
 * an engine asks for (`TrafficRouter.argoRolloutsRouting()`, `.flaggerRouting()`). This module
 * knows the routing model only, neither an engine nor a router.
 */
import { Construct } from 'constructs';
import { ReleaseRoutes } from './routing-model';

/**
 * What `DeliveryEngine.argoRollouts()` needs from a router to run a canary release: the
 * objects Argo Rollouts expects to find (not those it creates itself) and the Rollout's
 * `trafficRouting`.
 *
 * The routes it is given name the tracks' Services `<name>` (stable) and `<name>-canary`, and
 * the subsets `stable` and `canary` that Argo Rollouts labels with its pod-template hashes;
 * their weights belong to the controller (`WeightsOwner.CONTROLLER`), which starts the canary
 * at 0.
 * @see https://argo-rollouts.readthedocs.io/en/stable/features/traffic-management/
 */
export interface IArgoRolloutsRouting {
  /**
   * Throws an Error, naming the prop, for what Argo Rollouts cannot run with this router in
   * `scope`. Called before any object of the release is created.
   */
  checkArgoRolloutsCanary(scope: Construct, routes: ReleaseRoutes): void;

  /**
   * Called after `checkArgoRolloutsCanary` passed for the same routes. Emits the routing
   * objects Argo Rollouts expects to find into `scope` and returns the
   * Rollout's `spec.strategy.canary.trafficRouting` (as JSON, e.g. `{ nginx: { stableIngress } }`),
   * or undefined for Argo Rollouts' basic canary, whose weight is the share of the pods.
   */
  bindArgoRolloutsCanary(scope: Construct, routes: ReleaseRoutes): { [key: string]: any } | undefined;
}

/** An object a rollout controller generates, by API version, kind and name. */
export interface GeneratedObject {
  /** e.g. `networking.k8s.io/v1`. */
  readonly apiVersion: string;
  /** e.g. `Ingress`. */
  readonly kind: string;
  /** e.g. `myapp-canary`. */
  readonly name: string;
}

/** How a router looks to Flagger, for the Canary object. */
export interface FlaggerRouterSpec {
  /**
   * The Canary's `spec.provider`, e.g. `nginx`, `istio`, `gatewayapi:v1`.
   * @see https://docs.flagger.app/usage/how-it-works#canary-provider
   */
  readonly provider: string;

  /**
   * The Canary's `spec.ingressRef` (JSON).
   * @default - none
   */
  readonly ingressRef?: { [key: string]: any };

  /**
   * What the router adds to the Canary's `spec.service` (JSON: hosts, gateways, gatewayRefs,
   * match); the library adds the ports.
   * @default - nothing
   */
  readonly service?: { [key: string]: any };

  /**
   * The A/B test's `spec.analysis.match` (JSON), one entry per rule of the main route that
   * sends matching requests to the canary, in order.
   * @default - no A/B test: the canary gets its traffic by weight
   */
  readonly match?: Array<{ [key: string]: any }>;

  /**
   * The Canary's `spec.analysis.sessionAffinity` (JSON, e.g. `{ cookieName, maxAge }`): how
   * Flagger keeps the users it sends to the canary there, for a sticky canary (whose routes'
   * weighted canary destination sets a cookie, `RouteDestination.setCookie`).
   * @default - not sticky
   * @see https://docs.flagger.app/usage/deployment-strategies#session-affinity
   */
  readonly sessionAffinity?: { [key: string]: any };

  /**
   * The routing objects Flagger generates for this router in the release's namespace (e.g. the
   * Ingress `<name>-canary`), so that no other release of the app may emit one of that kind and
   * name.
   * @default - none
   */
  readonly generatedObjects?: GeneratedObject[];
}

/**
 * What `DeliveryEngine.flagger()` needs from a router to run a canary release: the objects
 * Flagger expects to find (not those it generates) and how the router looks to Flagger.
 *
 * The routes it is given name the Services `<name>` and `<name>-canary` that Flagger
 * generates; their weights belong to Flagger.
 * @see https://docs.flagger.app/
 */
export interface IFlaggerRouting {
  /**
   * Throws an Error, naming the prop, for what Flagger cannot run with this router in `scope`.
   * Called before any object of the release is created.
   */
  checkFlaggerCanary(scope: Construct, routes: ReleaseRoutes): void;

  /**
   * Called after `checkFlaggerCanary` passed for the same routes. Emits the routing objects
   * Flagger expects to find into `scope`; says how the router looks to Flagger.
   */
  bindFlaggerCanary(scope: Construct, routes: ReleaseRoutes): FlaggerRouterSpec;
}
