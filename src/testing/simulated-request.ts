/**
 * A request to send through the manifests with `RouteSimulator`: where it goes, and the headers
 * and cookies the routes' rules read.
 */
export interface SimulatedRequest {
  /**
   * The request's host (the `Host` header, or `:authority`). Matched against an Ingress rule's
   * `host`, a VirtualService's `hosts` and a route's `hostnames`, `*.` wildcards included.
   *
   * @default - no host: ingress-nginx serves it from the main Ingress's first rule; Istio and
   * Gateway API take it as sent to the route's own host
   */
  readonly host?: string;

  /**
   * The request's path, matched against the rules' paths (Exact before the longest prefix for
   * ingress-nginx and Gateway API, Istio's `uri` in route order).
   *
   * @default '/'
   */
  readonly path?: string;

  /**
   * Headers by name (names in any case), e.g. `{ stage: 'gray' }`. A `Cookie` header here is
   * read as sent; give either it or `cookies`, not both.
   *
   * @default - no headers
   */
  readonly headers?: { [name: string]: string };

  /**
   * Cookies by name, sent as one `Cookie` header in the order given (`a=1; b=2`), e.g.
   * `{ canary: 'always' }`.
   *
   * @default - no cookies (and no `Cookie` header unless `headers` has one)
   */
  readonly cookies?: { [name: string]: string };
}
