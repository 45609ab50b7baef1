import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { isGrpc } from '../route-table';
import { ReleaseRoutes } from '../routing-model';
import { GatewayApiRouting } from './gateway-api-options';
import { bindGrpcRoutes } from './grpc-route';
import { bindHttpRoutes, checkGatewayApiRoutes } from './http-route';

/** What Argo Rollouts cannot run with Gateway API: what an HTTPRoute cannot hold. */
export function checkGatewayApiArgoRollouts(options: GatewayApiRouting, routes: ReleaseRoutes): void {
  checkGatewayApiRoutes(options, routes);
}

/**
 * For Argo Rollouts: the HTTPRoute `<name>` (a gRPC app's GRPCRoute), whose backendRefs'
 * weights the Argo Rollouts Gateway API plugin shifts; the plugin's config names the route by
 * its kind, `httpRoute` or `grpcRoute` (pkg/plugin/types.go, GatewayAPITrafficRouting).
 */
export function bindGatewayApiArgoRollouts(scope: Construct, options: GatewayApiRouting, routes: ReleaseRoutes): { [key: string]: any } {
  const grpc = isGrpc(routes);
  if (grpc) bindGrpcRoutes(scope, options, routes);
  else bindHttpRoutes(scope, options, routes);
  const namespace = Chart.of(scope).namespace;
  return { plugins: { 'argoproj-labs/gatewayAPI': { [grpc ? 'grpcRoute' : 'httpRoute']: routes.main.name, ...(namespace ? { namespace } : {}) } } };
}
