/**
 * A sticky canary's cookie as routers and Flagger write it: the cookie the weighted rule's
 * canary destination sets (`RouteDestination.setCookie`), which a rule of the route then sends
 * to the canary.
 */
import { ReleaseRoutes, ResponseCookie } from './routing-model';

/** The cookies the routes' destinations set (a sticky canary's). */
export function setCookies(routes: ReleaseRoutes): ResponseCookie[] {
  return [routes.main, ...routes.preview ? [routes.preview] : []].flatMap((route) => route.rules.flatMap((rule) => rule.destinations.flatMap((d) => d.setCookie ? [d.setCookie] : [])));
}

/**
 * A sticky canary's cookie as Flagger's `analysis.sessionAffinity`: Flagger then writes the
 * cookie route and the canary's Set-Cookie itself, with a value of its own per run, and deletes
 * the cookie when the canary's weight is 0 (pkg/router/istio.go and gateway_api.go, v1.44.0).
 */
export function flaggerSessionAffinity(routes: ReleaseRoutes): { cookieName: string; maxAge: number } | undefined {
  const cookie = setCookies(routes)[0];
  return cookie ? { cookieName: cookie.name, maxAge: cookie.maxAgeSeconds } : undefined;
}

/** A response cookie as a `Set-Cookie` header value: `<name>=<value>; Path=<path>; Max-Age=<s>; HttpOnly; SameSite=Lax`. */
export function setCookieHeader(cookie: ResponseCookie): string {
  return `${cookie.name}=${cookie.value}; Path=${cookie.path}; Max-Age=${cookie.maxAgeSeconds}; HttpOnly; SameSite=Lax`;
}
