import { Construct } from 'constructs';
import { fail } from '../../private/validation';
import { describePaths } from '../route-paths';
import { mirroredRules, withoutMirror } from '../route-mirror';
import { ReleaseRoutes } from '../routing-model';
import { IstioRouterOptions } from './istio-options';
import { bindIstioVirtualServices, checkIstioRoutes } from './istio-virtual-service';

/** Argo Rollouts accepts maxTrafficWeight only with ingress-nginx and traffic router plugins. */
export function checkIstioArgoRollouts(options: IstioRouterOptions, routes: ReleaseRoutes): void {
  if (routes.weightTotal !== 100) {
    fail(routes.owner, 'canary.traffic.weightTotal', routes.weightTotal, 'must be 100 with DeliveryEngine.argoRollouts() and TrafficRouter.istio(): Argo Rollouts accepts maxTrafficWeight only with ingress-nginx and traffic router plugins');
  }
  const [mirrored] = mirroredRules(routes);
  if (mirrored && routes.main.rules.some((rule) => rule.match !== undefined)) {
    // rollout/trafficrouting/istio/istio.go:1431-1530 (orderRoutes): managed routes go before
    // every other route of the VirtualService, so the mirror route would take header and cookie requests.
    fail(routes.owner, 'canary.traffic.mirror', mirrored.mirror.percent, 'cannot be combined with header or cookie rules under DeliveryEngine.argoRollouts() and TrafficRouter.istio(): '
      + 'Argo Rollouts puts its mirror route before every route of the VirtualService, so header and cookie requests would be copied and sent to stable instead of the canary; '
      + 'mirror first, then add the header or cookie rules in a later release');
  }
  if (mirrored && options.paths !== undefined) {
    // The library writes Argo Rollouts' setMirrorRoute step with one match, every path (argo-canary.ts).
    fail(routes.owner, 'canary.traffic.mirror', mirrored.mirror.percent, `cannot be combined with TrafficRouter.istio({ paths: [${describePaths(options.paths)}] }) under DeliveryEngine.argoRollouts(): `
      + 'Argo Rollouts\' mirror route, placed before every route of the VirtualService, matches every path, so it would take requests for paths the release does not serve; '
      + 'leave paths out while mirroring, or mirror with DeliveryEngine.manifests()');
  }
  checkIstioRoutes(options, routes);
}

/**
 * For Argo Rollouts: the VirtualService `<name>` whose weighted route it shifts; with subsets,
 * the DestinationRule `<name>` whose subsets `stable` and `canary` it labels with its
 * pod-template hashes itself. A mirror is not rendered: Argo Rollouts adds its own mirror route
 * (copying the weighted route's destinations) at a setMirrorRoute step.
 */
export function bindIstioArgoRollouts(scope: Construct, options: IstioRouterOptions, routes: ReleaseRoutes): { [key: string]: any } {
  // The mirror is Argo Rollouts' own route, which its setMirrorRoute steps add and remove.
  bindIstioVirtualServices(scope, options, withoutMirror(routes));
  // The rule for every request (the last) is the one whose weights Argo Rollouts shifts.
  const weighted = routes.main.rules[routes.main.rules.length - 1];
  const virtualService = { name: routes.main.name, routes: [weighted.name] };
  return options.subsets
    ? { istio: { virtualService, destinationRule: { name: routes.name, stableSubsetName: 'stable', canarySubsetName: 'canary' } } }
    : { istio: { virtualService } };
}
