import { Construct } from 'constructs';
import type {
  DestinationRule,
  VirtualService,
  VirtualServiceSpecHttp,
  VirtualServiceSpecHttpMatch,
  VirtualServiceSpecHttpRoute,
} from '../../../imports/networking.istio.io';
import { cookieHeaderPattern, stringMatch } from '../request-match';
import type { FlaggerRouting } from '../../engines/flagger/flagger-engine';
import { HeaderMatch } from '../header-match';
import { objectMetadata } from '../../private/metadata';
import type { BlueGreenRouting, CanaryRouting, RoutedTrack } from '../traffic-router';
import { checkDns1123Label, checkHost, fail } from '../../private/validation';
import { flaggerApi, istioApi } from '../../private/upstream';

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
  if (options.subsets !== undefined && typeof options.subsets !== 'boolean') {
    fail(OWNER, 'options.subsets', options.subsets, 'must be true or false');
  }
  return { ...options };
}

/** A destination: a track's Service (by host), or its subset of `<name>`. */
interface Destinations {
  readonly stable: VirtualServiceSpecHttpRoute;
  readonly canary?: VirtualServiceSpecHttpRoute;
}

/** VirtualService `<name>` (header, cookie always, cookie never, weighted); with subsets, DestinationRule `<name>`. */
export function bindIstioCanary(scope: Construct, options: IstioRouterOptions, routing: CanaryRouting, argoRollouts = false): void {
  checkIstioHeader(routing);
  const port = { number: routing.servicePort };
  const to = (host: string, track: RoutedTrack) => ({ destination: options.subsets ? { host: routing.name, subset: track.slug, port } : { host, port } });
  const dest: Destinations = {
    stable: to(routing.service.name, routing.stable),
    canary: routing.canary && routing.canaryService ? to(routing.canaryService.name, routing.canary) : undefined,
  };

  const http: VirtualServiceSpecHttp[] = [];
  if (dest.canary) {
    if (routing.header) {
      http.push({ name: 'canary-by-header', match: [headerMatch(routing.header)], route: [dest.canary] });
    }
    if (routing.cookie) {
      http.push({ name: 'canary-by-cookie', match: [cookieMatch(routing.cookie, 'always')], route: [dest.canary] });
      http.push({ name: 'stable-by-cookie', match: [cookieMatch(routing.cookie, 'never')], route: [dest.stable] });
    }
    // Istio weights are relative integers: weightTotal - weight and weight say exactly weight/weightTotal.
    http.push({
      name: 'weighted',
      route: [
        { ...dest.stable, weight: routing.weightTotal - routing.weight },
        { ...dest.canary, weight: routing.weight },
      ],
    });
  } else {
    http.push({ name: 'stable', route: [dest.stable] });
  }

  virtualService(scope, 'VirtualService', routing.name, options.hosts ?? [routing.name], options.gateways, http, routing.metadata);
  if (options.subsets) {
    // Argo Rollouts labels the subsets `stable` and `canary` with its pod-template hashes itself.
    destinationRule(scope, routing.name, routing.canary ? [routing.stable, routing.canary] : [routing.stable], routing.metadata, !argoRollouts);
  }
}

/** VirtualService `<name>` to the active color; with `previewHost`, VirtualService `<name>-preview` to the idle one. */
export function bindIstioBlueGreen(scope: Construct, options: IstioRouterOptions, routing: BlueGreenRouting): void {
  const port = { number: routing.servicePort };
  const active = options.subsets
    ? { destination: { host: routing.name, subset: routing.active.slug, port } }
    : { destination: { host: routing.activeService.name, port } };
  virtualService(scope, 'VirtualService', routing.name, options.hosts ?? [routing.name], options.gateways, [{ name: 'active', route: [active] }], routing.metadata);

  if (routing.previewHost && routing.previewService && routing.idle) {
    if ((options.hosts ?? [routing.name]).includes(routing.previewHost)) {
      fail(routing.owner, 'previewHost', routing.previewHost, 'must not be one of the router\'s hosts: two VirtualServices for one host would be merged unpredictably');
    }
    const idle = options.subsets
      ? { destination: { host: routing.name, subset: routing.idle.slug, port } }
      : { destination: { host: routing.previewService.name, port } };
    virtualService(scope, 'PreviewVirtualService', `${routing.name}-preview`, [routing.previewHost], options.gateways, [{ name: 'preview', route: [idle] }], routing.metadata);
  }
  if (options.subsets) {
    destinationRule(scope, routing.name, routing.idle ? [routing.active, routing.idle] : [routing.active], routing.metadata, true);
  }
}

/**
 * For Flagger: it generates the VirtualService `<name>` and its DestinationRules from the
 * Canary's `service.hosts`/`gateways`; the A/B matches are Istio matches.
 * @internal
 */
export function istioFlaggerRouting(options: IstioRouterOptions, routing: CanaryRouting): FlaggerRouting {
  const { CanarySpecProvider } = flaggerApi();
  if (options.subsets) {
    fail(routing.owner, 'router', 'TrafficRouter.istio({ subsets: true })', 'cannot be used with DeliveryEngine.flagger(): Flagger generates the VirtualService and its own DestinationRules (<name>-primary, <name>-canary); use TrafficRouter.istio() (by host)');
  }
  checkIstioHeader(routing);
  return {
    provider: CanarySpecProvider.ISTIO,
    service: { hosts: options.hosts, gateways: options.gateways },
    headerMatch: (header) => ({ headers: headerMatch(header).headers }),
    cookieMatch: (cookie) => ({ headers: cookieMatch(cookie, 'always').headers }),
  };
}

/** Header names Istio reads as the request's URI, scheme, method or authority instead. */
const ISTIO_RESERVED_HEADERS = ['uri', 'scheme', 'method', 'authority'];

/** Refuses a header name Istio would not match as a header (the rule would match every request). */
function checkIstioHeader(routing: CanaryRouting): void {
  if (routing.header && ISTIO_RESERVED_HEADERS.includes(routing.header.name.toLowerCase())) {
    fail(routing.owner, 'canary.traffic.header name', routing.header.name, `is not matched as a header by Istio (${ISTIO_RESERVED_HEADERS.join(', ')} are ignored in a VirtualService's headers match): the rule would send every request to the canary`);
  }
}

/** Istio matches header names in lowercase, and a regex against the whole value (RE2). */
function headerMatch(header: HeaderMatch): VirtualServiceSpecHttpMatch {
  return { headers: { [header.name.toLowerCase()]: stringMatch(header) } };
}

function cookieMatch(cookie: string, value: string): VirtualServiceSpecHttpMatch {
  return { headers: { cookie: { regex: cookieHeaderPattern(cookie, value) } } };
}

function virtualService(
  scope: Construct,
  id: string,
  name: string,
  hosts: string[],
  gateways: string[] | undefined,
  http: VirtualServiceSpecHttp[],
  metadata: CanaryRouting['metadata'],
): VirtualService {
  const { VirtualService } = istioApi();
  return new VirtualService(scope, id, {
    metadata: objectMetadata(name, metadata.labels, metadata.annotations),
    spec: { hosts, gateways, http },
  });
}

/** DestinationRule `<name>`: one subset per track, named `<v>`, keyed by the `version` label. */
function destinationRule(scope: Construct, name: string, tracks: RoutedTrack[], metadata: CanaryRouting['metadata'], byVersion: boolean): DestinationRule {
  const { DestinationRule } = istioApi();
  return new DestinationRule(scope, 'DestinationRule', {
    metadata: objectMetadata(name, metadata.labels, metadata.annotations),
    spec: {
      host: name,
      subsets: tracks.map((track) => ({ name: checkDns1123Label('DestinationRule', 'subset', track.slug), labels: byVersion ? { version: track.version } : undefined })),
    },
  });
}
