import type { HeaderMatch } from '../header-match';
import { HeaderMatchType } from '../header-match';
import { ReleaseRoutes, Route, RouteBackend } from '../routing-model';
import { fail } from '../../private/validation';

/**
 * ingress-nginx's annotation validation (parser.BasicCharsRegex) accepts only these characters in
 * canary-by-header, canary-by-header-value and canary-by-cookie; any other value is logged and
 * replaced by '' (the rule silently disappears).
 */
const NGINX_BASIC_CHARS = /^[-._~a-zA-Z0-9/:]+$/;
/** ...and these in canary-by-header-pattern (parser.IsValidRegex). */
const NGINX_REGEX_CHARS = /^[-._~a-zA-Z0-9/:^$[\](){}*+?|&=\\]+$/;

/**
 * A route as ingress-nginx can express it: a main Ingress to one backend and, optionally, a
 * canary Ingress to one other backend with a header rule, a cookie rule and a weight.
 */
export interface NginxCanary {
  /** The main Ingress's backend: the route's last rule's first destination. */
  readonly main: RouteBackend;
  /** The canary Ingress's backend, when the route has one. */
  readonly canary?: RouteBackend;
  /** The canary's share of the requests no rule matched. */
  readonly weight: number;
  readonly header?: HeaderMatch;
  readonly cookie?: string;
}

/**
 * Reads a route as ingress-nginx's canary: what its balancer.lua (route_to_alternative_balancer)
 * does with a canary Ingress, in order: 1. the header: `canary-by-header-value` is compared for
 * equality, `canary-by-header-pattern` with ngx.re.match (a PCRE search, hence the anchors); a
 * miss falls through; 2. the cookie: `always` -> canary, `never` -> main, anything else falls
 * through; 3. the weight: math.random(total) <= weight, total = canary-weight-total when above
 * 100. Any other route is an error naming the rule it cannot express.
 */
export function nginxCanary(routes: ReleaseRoutes, route: Route): NginxCanary {
  const cannot = (rule: string, why: string): never => fail(routes.owner, 'router', 'TrafficRouter.nginx()',
    `cannot express the rule "${rule}" of the route "${route.name}": ${why} (ingress-nginx's canary Ingress takes one header rule and one cookie rule to the canary, the cookie's "never" to the main backend, then a weight between the main backend and the canary)`);
  const last = route.rules[route.rules.length - 1];
  if (last === undefined || last.match !== undefined) cannot(last?.name ?? '(none)', 'the last rule must take every request');
  if (last.destinations.length > 2) cannot(last.name, 'it splits among more than two tracks');
  const [main, canaryDestination] = last.destinations;
  const canary = canaryDestination?.backend;
  let header: HeaderMatch | undefined;
  let cookie: string | undefined;
  let never = false;
  for (const rule of route.rules.slice(0, -1)) {
    const to = rule.destinations.length === 1 ? rule.destinations[0].backend : undefined;
    if (rule.match?.header && !rule.match.cookie && same(to, canary) && header === undefined && cookie === undefined) {
      header = rule.match.header;
    } else if (rule.match?.cookie?.value === 'always' && !rule.match.header && same(to, canary) && cookie === undefined) {
      cookie = rule.match.cookie.name;
    } else if (rule.match?.cookie?.value === 'never' && !rule.match.header && same(to, main.backend) && rule.match.cookie.name === cookie && !never) {
      never = true;
    } else {
      cannot(rule.name, 'its match or destination has no canary annotation');
    }
  }
  if (cookie !== undefined && !never) cannot(route.rules[route.rules.length - 1].name, `the cookie "${cookie}" needs its "never" rule to the main backend, which ingress-nginx always applies`);
  return { main: main.backend, canary, weight: canaryDestination?.weight ?? 0, header, cookie };
}

/** The header and cookie rules as canary annotations (without the `nginx.ingress.kubernetes.io/` prefix). */
export function canaryRuleAnnotations(canary: NginxCanary): { [key: string]: string } {
  const annotations: { [key: string]: string } = {};
  if (canary.header) {
    annotations['canary-by-header'] = canary.header.name;
    if (canary.header.type === HeaderMatchType.EXACT) {
      annotations['canary-by-header-value'] = canary.header.value;
    } else {
      annotations['canary-by-header-pattern'] = canary.header.anchoredPattern;
    }
  }
  if (canary.cookie) {
    annotations['canary-by-cookie'] = canary.cookie;
  }
  return annotations;
}

/** Refuses what ingress-nginx's annotation validation would silently replace by ''. */
export function checkNginxCharacters(owner: string, canary: NginxCanary): void {
  const why = 'with TrafficRouter.nginx() ingress-nginx\'s annotation validation drops it with only a log line';
  if (canary.header && canary.header.type === HeaderMatchType.EXACT && !NGINX_BASIC_CHARS.test(canary.header.value)) {
    fail(owner, 'canary.traffic.header value', canary.header.value, `must contain only letters, digits and '-._~/:' (${why})`);
  }
  if (canary.header && canary.header.type === HeaderMatchType.REGULAR_EXPRESSION && !NGINX_REGEX_CHARS.test(canary.header.anchoredPattern)) {
    fail(owner, 'canary.traffic.header pattern', canary.header.value, `must contain only letters, digits and '-._~/:^$[](){}*+?|&=\\' (no spaces, commas or other punctuation: ${why})`);
  }
  if (canary.cookie !== undefined && !NGINX_BASIC_CHARS.test(canary.cookie)) {
    fail(owner, 'canary.traffic.cookie', canary.cookie, `must contain only letters, digits and '-._~/:' (${why})`);
  }
}

/** Two backends are one track when they have the same role and Service. */
function same(a: RouteBackend | undefined, b: RouteBackend | undefined): boolean {
  return a !== undefined && b !== undefined && a.role === b.role && a.serviceName === b.serviceName;
}
