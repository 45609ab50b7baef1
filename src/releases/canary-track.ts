import { HeaderMatch } from '../routing/header-match';
import { ReleaseTrack } from '../workload/release-track';

/** Which requests reach the canary: header first, then cookie, then weight. */
export interface CanaryTraffic {
  /**
   * 1st: a request carrying this header (exact value or RE2 regex on the whole value) goes to the canary.
   * @default - no header rule
   * @see https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/#canary
   */
  readonly header?: HeaderMatch;

  /**
   * 2nd: a request with cookie `<cookie>=always` goes to the canary, `<cookie>=never` to stable;
   * any other value falls through to the weight.
   * @default - no cookie rule
   * @see https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/#canary
   */
  readonly cookie?: string;

  /**
   * 3rd: this share (out of `weightTotal`) of the remaining requests goes to the canary,
   * drawn per request (unless `sticky`).
   * @default 0
   */
  readonly weight?: number;

  /**
   * A user the weight sends to the canary stays there for the release: the canary's responses to
   * the weighted requests set the cookie `<name>-canary=<version>` (`Path=/`, a day), and a rule
   * after the header and cookie rules sends every request that carries it to the canary. The
   * header and cookie rules still come first (`<cookie>=never` takes a user back to stable), and
   * while the weight is 0 (a rollback) there is no such rule: everyone is back on stable.
   *
   * Istio: a cookie route and a `set-cookie` response header on the canary's destination; Gateway
   * API: a cookie rule and a `ResponseHeaderModifier` on the canary's backendRef (standard
   * channel); Flagger: its own `analysis.sessionAffinity` (Istio and Gateway API, weighted plans
   * only). Refused with ingress-nginx, which can pin a user to the canary only by pinning every
   * user to the version they first got (session affinity on the main Ingress), skipping the
   * header, cookie and weight rules; refused under Argo Rollouts, which leaves such a rule in place
   * after an abort while it scales the canary down. Never consistent hashing, which does not
   * stick across weighted destinations.
   * @default false
   * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#Headers
   */
  readonly sticky?: boolean;

  /**
   * What `weight` is out of: a whole number from 100 to 1,000,000.
   * @default 100
   * @see https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/#canary
   */
  readonly weightTotal?: number;

  /**
   * This percentage (a whole number from 1 to 100) of the requests the weighted rule sends to
   * stable (those no header or cookie rule took) is also copied to the canary, whose responses
   * are discarded: the canary sees production requests before it answers any. Header and
   * cookie requests are not copied.
   *
   * A mirror copies the whole weighted rule, so the canary must take no weighted request yet:
   * with plain manifests mirror at weight 0, then shift the weight (without `mirror`) in a
   * later commit. Argo Rollouts mirrors from the start of the release until the first weight
   * above 0 (`setMirrorRoute`); Flagger mirrors for one interval before its first weight
   * (`analysis.mirror`). Supported by `TrafficRouter.istio()` and `TrafficRouter.gatewayApi()`
   * (`RequestMirror` with `percent`); ingress-nginx cannot mirror a percentage.
   * @default - no request is copied
   * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRoute
   * @see https://gateway-api.sigs.k8s.io/reference/spec/#httprequestmirrorfilter
   */
  readonly mirror?: number;
}

/** The canary track, and which requests reach it. */
export interface CanaryTrack extends ReleaseTrack {
  /**
   * Which requests reach the canary.
   * @default - no request reaches the canary (weight 0); it runs and can be called through `<name>-canary`
   */
  readonly traffic?: CanaryTraffic;

  /**
   * The step of the release's `steps` this canary has reached (0-based). With plain manifests
   * it sets the weight: that of the last `shiftTraffic` at or before it, so moving on is a
   * one-number change. Not with `traffic.weight`.
   * @default - no plan position: the weight is `traffic.weight`
   */
  readonly step?: number;
}
