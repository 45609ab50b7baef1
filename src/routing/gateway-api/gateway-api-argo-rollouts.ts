import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { ReleaseRoutes } from '../routing-model';
import { GatewayApiRouting } from './gateway-api-options';
import { bindHttpRoutes, checkGatewayApiRoutes } from './http-route';

/** What Argo Rollouts cannot run with Gateway API: what an HTTPRoute cannot hold. */
export function checkGatewayApiArgoRollouts(options: GatewayApiRouting, routes: ReleaseRoutes): void {
  checkGatewayApiRoutes(options, routes);
}

/** For Argo Rollouts: the HTTPRoute `<name>`, whose backendRefs' weights the Argo Rollouts Gateway API plugin shifts. */
export function bindGatewayApiArgoRollouts(scope: Construct, options: GatewayApiRouting, routes: ReleaseRoutes): { [key: string]: any } {
  bindHttpRoutes(scope, options, routes);
  const namespace = Chart.of(scope).namespace;
  return { plugins: { 'argoproj-labs/gatewayAPI': { httpRoute: routes.main.name, ...(namespace ? { namespace } : {}) } } };
}
