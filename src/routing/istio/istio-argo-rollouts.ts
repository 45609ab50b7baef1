import { Construct } from 'constructs';
import { fail } from '../../private/validation';
import { ReleaseRoutes } from '../routing-model';
import { IstioRouterOptions } from './istio-options';
import { bindIstioVirtualServices, checkIstioRoutes } from './istio-virtual-service';

/** Argo Rollouts accepts maxTrafficWeight only with ingress-nginx and traffic router plugins. */
export function checkIstioArgoRollouts(options: IstioRouterOptions, routes: ReleaseRoutes): void {
  if (routes.weightTotal !== 100) {
    fail(routes.owner, 'canary.traffic.weightTotal', routes.weightTotal, 'must be 100 with DeliveryEngine.argoRollouts() and TrafficRouter.istio(): Argo Rollouts accepts maxTrafficWeight only with ingress-nginx and traffic router plugins');
  }
  checkIstioRoutes(options, routes);
}

/**
 * For Argo Rollouts: the VirtualService `<name>` whose weighted route it shifts; with subsets,
 * the DestinationRule `<name>` whose subsets `stable` and `canary` it labels with its
 * pod-template hashes itself.
 */
export function bindIstioArgoRollouts(scope: Construct, options: IstioRouterOptions, routes: ReleaseRoutes): { [key: string]: any } {
  bindIstioVirtualServices(scope, options, routes);
  // The rule for every request (the last) is the one whose weights Argo Rollouts shifts.
  const weighted = routes.main.rules[routes.main.rules.length - 1];
  const virtualService = { name: routes.main.name, routes: [weighted.name] };
  return options.subsets
    ? { istio: { virtualService, destinationRule: { name: routes.name, stableSubsetName: 'stable', canarySubsetName: 'canary' } } }
    : { istio: { virtualService } };
}
