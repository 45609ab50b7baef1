import { checkDns1123Label, checkHost, checkPath, fail, isIpAddress } from '../../private/validation';
import { PathMatch } from '../path-match';
import { checkPaths } from '../route-paths';

/** A Gateway (or a listener of one) that an HTTPRoute attaches to. */
export interface GatewayParentRef {
  /**
   * The Gateway's name.
   * @see https://gateway-api.sigs.k8s.io/reference/spec/#parentreference
   */
  readonly name: string;

  /**
   * The Gateway's namespace (it must allow routes from the route's namespace).
   * @default - the route's namespace
   */
  readonly namespace?: string;

  /**
   * The listener of the Gateway to attach to.
   * @default - every listener that accepts the route
   */
  readonly sectionName?: string;
}

/** Options of `TrafficRouter.gatewayApi()`. */
export interface GatewayApiRouterOptions {
  /**
   * The Gateways the HTTPRoute attaches to (at least one).
   * @see https://gateway-api.sigs.k8s.io/api-types/httproute/#parentrefs
   */
  readonly parentRefs: GatewayParentRef[];

  /**
   * The hostnames the HTTPRoute serves (`*.`-wildcards allowed, no IP addresses).
   * @default - every hostname of the listeners it attaches to
   * @see https://gateway-api.sigs.k8s.io/api-types/httproute/#hostnames
   */
  readonly hostnames?: string[];

  /**
   * The path prefix every rule matches (`PathPrefix`). The short form of `paths`: not together
   * with it.
   * @default '/'
   */
  readonly path?: string;

  /**
   * The paths every rule matches, at every hostname of `hostnames`: each rule has a match per
   * path, repeating its header or cookie match in each (an HTTPRoute takes at most 64 matches per
   * rule). Instead of `path`.
   * @default - `path`
   * @see https://gateway-api.sigs.k8s.io/reference/spec/#httppathmatch
   */
  readonly paths?: PathMatch[];
}

/** `TrafficRouter.gatewayApi()`'s options, checked, with `path` turned into `paths`. */
export interface GatewayApiRouting {
  readonly parentRefs: GatewayParentRef[];
  readonly hostnames?: string[];
  /** At least one. */
  readonly paths: PathMatch[];
}

const OWNER = 'TrafficRouter.gatewayApi';

/** Validates the options of `TrafficRouter.gatewayApi()` and fills in the defaults. */
export function validateGatewayApiOptions(options: GatewayApiRouterOptions): GatewayApiRouting {
  if (options === undefined || options === null || !Array.isArray(options.parentRefs) || options.parentRefs.length === 0) {
    fail(OWNER, 'options.parentRefs', options?.parentRefs, 'must list at least one Gateway, e.g. [{ name: \'public\', namespace: \'gateways\' }]');
  }
  if (options.parentRefs.length > 32) {
    fail(OWNER, 'options.parentRefs', options.parentRefs.length, 'must list at most 32 Gateways');
  }
  options.parentRefs.forEach((ref, i) => {
    const prop = `options.parentRefs[${i}]`;
    if (typeof ref?.name !== 'string' || ref.name.includes('*')) fail(OWNER, `${prop}.name`, ref?.name, 'must be a Gateway name (a DNS subdomain)');
    checkHost(OWNER, `${prop}.name`, ref.name);
    if (ref.namespace !== undefined) checkDns1123Label(OWNER, `${prop}.namespace`, ref.namespace);
    if (ref.sectionName !== undefined) {
      if (typeof ref.sectionName !== 'string' || ref.sectionName.includes('*')) fail(OWNER, `${prop}.sectionName`, ref.sectionName, 'must be a listener name (a DNS subdomain)');
      checkHost(OWNER, `${prop}.sectionName`, ref.sectionName);
    }
  });
  if (options.hostnames !== undefined) {
    if (!Array.isArray(options.hostnames) || options.hostnames.length === 0 || options.hostnames.length > 16) {
      fail(OWNER, 'options.hostnames', options.hostnames, 'must list 1 to 16 hostnames, or be left out for every hostname of the Gateway');
    }
    options.hostnames.forEach((hostname, i) => checkHostname(`options.hostnames[${i}]`, hostname));
  }
  if (options.paths !== undefined) {
    if (options.path !== undefined) fail(OWNER, 'options.path', options.path, 'must be left out with options.paths: list it there');
    const paths = checkPaths(OWNER, 'options.paths', options.paths, 64);
    return { parentRefs: options.parentRefs, hostnames: options.hostnames, paths };
  }
  const path = options.path ?? '/';
  checkPath(OWNER, 'options.path', path);
  return { parentRefs: options.parentRefs, hostnames: options.hostnames, paths: [PathMatch.prefix(path)] };
}

/** A Gateway API hostname: a DNS subdomain, optionally `*.`-prefixed, not an IP address. */
export function checkHostname(prop: string, hostname: string, owner = OWNER): void {
  checkHost(owner, prop, hostname);
  if (isIpAddress(hostname)) fail(owner, prop, hostname, 'must be a hostname, not an IP address (Gateway API rejects them)');
}
