import { Construct } from 'constructs';
import type {
  DestinationRule,
  VirtualService,
  VirtualServiceSpecHttp,
  VirtualServiceSpecHttpMatch,
  VirtualServiceSpecHttpMatchUri,
  VirtualServiceSpecHttpRoute,
} from '../../../imports/networking.istio.io';
import { objectMetadata } from '../../private/metadata';
import { istioApi } from '../../private/upstream';
import { fail } from '../../private/validation';
import { HeaderMatch } from '../header-match';
import { cookieHeaderPattern, stringMatch } from '../match-patterns';
import { PathMatch, PathMatchType } from '../path-match';
import { checkMatches } from '../route-table';
import { setCookieHeader } from '../sticky-cookie';
import { ReleaseRoutes, RequestMatch, Route, RouteBackend, RouteDestination } from '../routing-model';
import { IstioRouterOptions } from './istio-options';

/** Header names Istio reads as the request's URI, scheme, method or authority instead. */
const ISTIO_RESERVED_HEADERS = ['uri', 'scheme', 'method', 'authority'];

/** What Istio cannot route: a header rule it would not match as a header, a preview host among the router's hosts. */
export function checkIstioRoutes(options: IstioRouterOptions, routes: ReleaseRoutes): void {
  checkMatches(routes, options.subsets ? 'TrafficRouter.istio({ subsets: true })' : 'TrafficRouter.istio()');
  for (const rule of routes.main.rules) checkIstioHeader(routes.owner, rule.match);
  const previewHost = routes.preview?.host;
  if (previewHost !== undefined && (options.hosts ?? [routes.name]).includes(previewHost)) {
    fail(routes.owner, 'previewHost', previewHost, 'must not be one of the router\'s hosts: two VirtualServices for one host would be merged unpredictably');
  }
}

/** Refuses a header name Istio would not match as a header (the rule would match every request). */
export function checkIstioHeader(owner: string, match: RequestMatch | undefined): void {
  const header = match?.header;
  if (header && ISTIO_RESERVED_HEADERS.includes(header.name.toLowerCase())) {
    fail(owner, 'canary.traffic.header name', header.name, `is not matched as a header by Istio (${ISTIO_RESERVED_HEADERS.join(', ')} are ignored in a VirtualService's headers match): the rule would send every request to the canary`);
  }
}

/**
 * VirtualService `<name>`, one `http` entry per rule of the main route in order (Istio weights
 * are relative integers: the pair of weights says exactly weight/weightTotal); with a preview
 * route, VirtualService `<name>-preview` at its host; with subsets, the DestinationRule `<name>`
 * with a subset per track, keyed by the track's pod labels when the release knows them. The
 * routes passed `checkIstioRoutes`.
 */
export function bindIstioVirtualServices(scope: Construct, options: IstioRouterOptions, routes: ReleaseRoutes): void {
  virtualService(scope, 'VirtualService', routes.main, options.hosts ?? [routes.name], options, routes);
  if (routes.preview) {
    virtualService(scope, 'PreviewVirtualService', routes.preview, [routes.preview.host!], options, routes);
  }
  if (options.subsets) destinationRule(scope, routes);
}

function virtualService(scope: Construct, id: string, route: Route, hosts: string[], options: IstioRouterOptions, routes: ReleaseRoutes): VirtualService {
  const { VirtualService } = istioApi();
  const http: VirtualServiceSpecHttp[] = route.rules.map((rule) => ({
    name: rule.name,
    match: istioMatches(options.paths, rule.match),
    route: rule.destinations.map((d) => destination(d, options, routes)),
    // `mirror` with `mirrorPercentage`, not `mirrors`: both are current in networking.istio.io/v1
    // (Istio 1.30 pilot/pkg/networking/core/route/route.go:664-676 renders either), but the
    // rollout controllers read and write `mirror` only (Argo Rollouts v1.9.1
    // rollout/trafficrouting/istio/istio.go:150,1366; Flagger v1.44.0 pkg/router/istio.go:439,530).
    ...rule.mirror ? {
      mirror: destination({ backend: rule.mirror.backend }, options, routes).destination,
      mirrorPercentage: { value: rule.mirror.percent },
    } : {},
  }));
  return new VirtualService(scope, id, {
    metadata: objectMetadata(route.name, routes.metadata.labels, routes.metadata.annotations),
    spec: { hosts, gateways: options.gateways, http },
  });
}

/**
 * A track's Service (by host), or its subset of `<name>`; a cookie the destination sets is a
 * `set-cookie` response header it adds (`add`, so the app's own cookies stay).
 */
function destination(d: RouteDestination, options: IstioRouterOptions, routes: ReleaseRoutes): VirtualServiceSpecHttpRoute {
  const port = { number: routes.servicePort };
  return {
    destination: options.subsets ? { host: routes.name, subset: d.backend.subsetName, port } : { host: d.backend.serviceName, port },
    weight: d.weight,
    headers: d.setCookie ? { response: { add: { 'set-cookie': setCookieHeader(d.setCookie) } } } : undefined,
  };
}

/**
 * A rule's matches: one per path of the router (each with the rule's header or cookie match),
 * or the rule's match alone when the router serves every path.
 */
export function istioMatches(paths: PathMatch[] | undefined, match: RequestMatch | undefined): VirtualServiceSpecHttpMatch[] | undefined {
  const request = match ? istioMatch(match) : {};
  if (paths === undefined) return match ? [request] : undefined;
  return paths.flatMap(istioUris).map((uri) => ({ uri, ...request }));
}

/**
 * A path as Istio `uri` matches. An Istio `prefix` compares characters (`/api` would match
 * `/apiary`), so a prefix element by element is the path itself or a prefix ending in '/'.
 */
export function istioUris(path: PathMatch): VirtualServiceSpecHttpMatchUri[] {
  if (path.type === PathMatchType.EXACT) return [{ exact: path.path }];
  const p = path.normalizedPath;
  return p === '/' ? [{ prefix: '/' }] : [{ exact: p }, { prefix: `${p}/` }];
}

/** A rule's match as Istio's: a header (lowercased name), or the cookie as a regex on the Cookie header. */
export function istioMatch(match: RequestMatch): VirtualServiceSpecHttpMatch {
  return match.header
    ? headerMatch(match.header)
    : { headers: { cookie: { regex: cookieHeaderPattern(match.cookie!.name, match.cookie!.value) } } };
}

/** Istio matches header names in lowercase, and a regex against the whole value (RE2). */
function headerMatch(header: HeaderMatch): VirtualServiceSpecHttpMatch {
  return { headers: { [header.name.toLowerCase()]: stringMatch(header) } };
}

/** DestinationRule `<name>`: one subset per track. */
function destinationRule(scope: Construct, routes: ReleaseRoutes): DestinationRule {
  const { DestinationRule } = istioApi();
  return new DestinationRule(scope, 'DestinationRule', {
    metadata: objectMetadata(routes.name, routes.metadata.labels, routes.metadata.annotations),
    spec: {
      host: routes.name,
      subsets: routes.tracks.map((track: RouteBackend) => ({ name: track.subsetName, labels: track.podLabels })),
    },
  });
}
