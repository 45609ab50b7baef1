import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { isGrpc } from '../route-table';
import { refuseMirror } from '../route-mirror';
import { ReleaseRoutes } from '../routing-model';
import { GatewayApiRouting } from './gateway-api-options';
import { bindGrpcRoutes } from './grpc-route';
import { bindHttpRoutes, checkGatewayApiRoutes } from './http-route';

/** What Argo Rollouts cannot run with Gateway API: what an HTTPRoute cannot hold. */
export function checkGatewayApiArgoRollouts(options: GatewayApiRouting, routes: ReleaseRoutes): void {
  // Argo Rollouts v1.9.1 pkg/apis/rollouts/validation/validation.go:351-355: a setMirrorRoute step
  // needs trafficRouting.istio ("supports Istio only"), so the Gateway API plugin never mirrors.
  refuseMirror(routes, 'cannot be expressed with DeliveryEngine.argoRollouts() and TrafficRouter.gatewayApi(): Argo Rollouts accepts setMirrorRoute steps with Istio only; '
    + 'use TrafficRouter.istio(), or mirror with DeliveryEngine.manifests()');
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
