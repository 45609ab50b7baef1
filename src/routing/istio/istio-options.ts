import { checkHost, fail } from '../../private/validation';
import { PathMatch } from '../path-match';
import { checkPaths } from '../route-paths';

/** Options of `TrafficRouter.istio()`. */
export interface IstioRouterOptions {
  /**
   * The hosts the VirtualService `<name>` routes: short Service names, FQDNs or `*.`-wildcards.
   * Required with `gateways`: there the external hosts must be listed.
   * @default - the Service `<name>` (mesh-internal traffic)
   * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#VirtualService
   */
  readonly hosts?: string[];

  /**
   * The paths every rule of the VirtualService matches, at every host of `hosts`: each rule
   * repeats them with its own header or cookie match. A prefix is matched element by element, as
   * on the other routers (`PathMatch.prefix('/api')` is `exact: /api` or `prefix: /api/`).
   * @default - every path (no `uri` match)
   * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPMatchRequest
   */
  readonly paths?: PathMatch[];

  /**
   * The gateways the VirtualService binds to, as `<namespace>/<name>` or `<name>`; include
   * `mesh` to keep routing sidecar traffic too.
   * @default - the mesh only (every sidecar)
   * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#VirtualService
   */
  readonly gateways?: string[];

  /**
   * Route to DestinationRule subsets of the one Service `<name>` instead of to the Services
   * `<name>` and `<name>-canary`. `<name>` then selects every track, so a client outside the
   * mesh gets the replica ratio, and the library owns the DestinationRule `<name>` (a host
   * can have only one).
   * @default false
   * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#Subset
   */
  readonly subsets?: boolean;
}

const OWNER = 'TrafficRouter.istio';
const GATEWAY = /^(?:([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/)?([a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/;

/** Validates the options of `TrafficRouter.istio()`. */
export function validateIstioOptions(options: IstioRouterOptions): IstioRouterOptions {
  if (options.hosts !== undefined) {
    if (!Array.isArray(options.hosts) || options.hosts.length === 0) {
      fail(OWNER, 'options.hosts', options.hosts, 'must be a non-empty list of hosts, or left out to route the Service <name>');
    }
    options.hosts.forEach((host, i) => checkHost(OWNER, `options.hosts[${i}]`, host));
    const dup = options.hosts.find((h, i) => options.hosts!.indexOf(h) !== i);
    if (dup !== undefined) fail(OWNER, 'options.hosts', options.hosts, `must not list ${JSON.stringify(dup)} twice (Istio rejects duplicate hosts)`);
  }
  if (options.gateways !== undefined) {
    if (!Array.isArray(options.gateways) || options.gateways.length === 0) {
      fail(OWNER, 'options.gateways', options.gateways, 'must be a non-empty list of gateways, or left out for the mesh');
    }
    options.gateways.forEach((gateway, i) => {
      if (typeof gateway !== 'string' || !GATEWAY.test(gateway) || gateway.length > 253) {
        fail(OWNER, `options.gateways[${i}]`, gateway, 'must be \'mesh\', \'<name>\' or \'<namespace>/<name>\' (DNS-1123 names)');
      }
    });
    if (options.hosts === undefined) {
      fail(OWNER, 'options.gateways', options.gateways, 'needs options.hosts: a VirtualService bound to a gateway must list the external hosts it serves');
    }
  }
  if (options.paths !== undefined) checkPaths(OWNER, 'options.paths', options.paths);
  if (options.subsets !== undefined && typeof options.subsets !== 'boolean') {
    fail(OWNER, 'options.subsets', options.subsets, 'must be true or false');
  }
  return { ...options };
}
