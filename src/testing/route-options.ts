/**
 * Which route `RouteSimulator` reads, through which controller, and how.
 */

/** The controller whose routing `RouteSimulator` follows. */
export enum SimulatedRouter {
  /**
   * ingress-nginx: the main Ingress named `release` and the canary Ingress merged into the
   * location that serves the request (header, then cookie, then weight).
   *
   * @see https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/#canary
   */
  NGINX = 'NGINX',
  /**
   * Istio: the VirtualService named `release`, its http routes in order (RE2 regexes on the
   * whole value), subsets through the DestinationRule of the destination's host.
   *
   * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/
   */
  ISTIO = 'ISTIO',
  /**
   * Gateway API: the HTTPRoute (or, for a gRPC app, the GRPCRoute) named `release`, its rules
   * by the spec's precedence.
   *
   * @see https://gateway-api.sigs.k8s.io/reference/spec/#httprouterule
   */
  GATEWAY_API = 'GATEWAY_API',
}

/**
 * How a Gateway API implementation applies a `RegularExpression` header match. The spec leaves
 * it to the implementation (Envoy-based ones match the whole value, others search).
 *
 * @see https://gateway-api.sigs.k8s.io/reference/spec/#headermatchtype
 */
export enum RegexMatching {
  /** The regex must match the whole header value (Envoy's safe_regex: Istio, Envoy Gateway, Contour). */
  FULL_MATCH = 'FULL_MATCH',
  /** The regex may match anywhere in the value. */
  SEARCH = 'SEARCH',
}

/** Which route `RouteSimulator.route` and `RouteSimulator.mirrored` follow. */
export interface RouteOptions {
  /**
   * The name of the route object to follow: the main Ingress, the VirtualService, the
   * HTTPRoute or GRPCRoute (a release's routes are named after it, e.g. `myapp`; a blue-green
   * release's preview route is `myapp-preview`).
   *
   * @default - the only name the manifests route (an Error lists them when there are several)
   */
  readonly release?: string;

  /**
   * The controller to follow.
   *
   * @default - the only router with a route object named `release` (an Error lists them when
   * there are several, e.g. under `TrafficRouter.all(...)`)
   */
  readonly router?: SimulatedRouter;

  /**
   * The namespace of the route object, when the manifests hold one of that name in several.
   * Services, workloads and DestinationRules are then read from that namespace (and objects
   * without one).
   *
   * @default - the namespace of the only route object named `release`
   */
  readonly namespace?: string;

  /**
   * How Gateway API header regexes match (implementation-specific in the spec).
   *
   * @default RegexMatching.FULL_MATCH
   */
  readonly gatewayApiRegex?: RegexMatching;
}
