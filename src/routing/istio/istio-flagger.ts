import { fail } from '../../private/validation';
import { FlaggerRouterSpec } from '../engine-contracts';
import { canaryMatchRules } from '../route-table';
import { flaggerSessionAffinity } from '../sticky-cookie';
import { ReleaseRoutes } from '../routing-model';
import { IstioRouterOptions } from './istio-options';
import { checkIstioRoutes, istioMatch, istioUris } from './istio-virtual-service';

/** Flagger generates its own DestinationRules, so it routes by host only. */
export function checkIstioFlagger(options: IstioRouterOptions, routes: ReleaseRoutes): void {
  if (options.subsets) {
    fail(routes.owner, 'router', 'TrafficRouter.istio({ subsets: true })', 'cannot be used with DeliveryEngine.flagger(): Flagger generates the VirtualService and its own DestinationRules (<name>-primary, <name>-canary); use TrafficRouter.istio() (by host)');
  }
  checkIstioRoutes(options, routes);
}

/**
 * For Flagger: it generates the VirtualService `<name>` and its DestinationRules from the
 * Canary's `service.hosts`/`gateways`/`match` (the paths); the A/B matches are Istio matches.
 */
export function istioFlaggerSpec(options: IstioRouterOptions, routes: ReleaseRoutes): FlaggerRouterSpec {
  const match = canaryMatchRules(routes.main).map((rule) => ({ headers: istioMatch(rule.match!).headers }));
  return {
    provider: 'istio',
    // Flagger crosses these path matches with each A/B match (pkg/router/istio.go,
    // mergeMatchConditions, v1.44.0), as the library's own VirtualService does.
    service: { hosts: options.hosts, gateways: options.gateways, match: options.paths?.flatMap(istioUris).map((uri) => ({ uri })) },
    match: match.length > 0 ? match : undefined,
    sessionAffinity: flaggerSessionAffinity(routes),
    // pkg/router/istio.go: the VirtualService <name> and a DestinationRule per Service it generates.
    generatedObjects: [
      { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', name: routes.name },
      { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', name: `${routes.name}-primary` },
      { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', name: `${routes.name}-canary` },
    ],
  };
}
