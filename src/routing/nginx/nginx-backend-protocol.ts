import { fail } from '../../private/validation';
import { isGrpc } from '../route-table';
import { ReleaseRoutes } from '../routing-model';
import { NginxRouting, PREFIX } from './nginx-options';

/** ingress-nginx's annotation that says how nginx talks to the backend of a location. */
export const BACKEND_PROTOCOL = `${PREFIX}backend-protocol`;

/**
 * The values that make nginx proxy gRPC, as its template compares them: nginx.tmpl (v1.15)
 * sets the grpc_* timeouts only when the location's BackendProtocol is exactly `GRPC` or
 * `GRPCS`, while template.go's buildProxyPass upper-cases it for `grpc_pass`.
 */
const GRPC_VALUES = ['GRPC', 'GRPCS'];

/**
 * Refuses a `backend-protocol` annotation (the router's own or the release's metadata) that
 * contradicts the release's app protocol: with gRPC anything but `GRPC` (the library's) or
 * `GRPCS` (TLS to the pods); with HTTP a gRPC one, which belongs in `appProtocol`. An unknown
 * value would be no better: ingress-nginx logs it and proxies HTTP
 * (internal/ingress/annotations/backendprotocol/main.go).
 */
export function checkNginxBackendProtocol(options: NginxRouting, routes: ReleaseRoutes): void {
  const sources: Array<[string, { [key: string]: string } | undefined]> = [
    ['metadata.annotations', routes.metadata.annotations],
    ['router', options.annotations],
  ];
  for (const [prop, annotations] of sources) {
    const value = annotations?.[BACKEND_PROTOCOL];
    if (value === undefined) continue;
    const where = prop === 'router'
      ? `TrafficRouter.nginx({ annotations: { ${JSON.stringify(BACKEND_PROTOCOL)}: ${JSON.stringify(value)} } })`
      : value;
    const property = prop === 'router' ? prop : `${prop}[${JSON.stringify(BACKEND_PROTOCOL)}]`;
    if (isGrpc(routes) && !GRPC_VALUES.includes(value)) {
      fail(routes.owner, property, where, `contradicts appProtocol AppProtocol.GRPC: nginx must proxy gRPC; leave the annotation out (the library writes 'GRPC') or write 'GRPCS' for TLS to the pods, in capitals (ingress-nginx's template applies its grpc_* timeouts only to 'GRPC' and 'GRPCS')`);
    }
    if (!isGrpc(routes) && GRPC_VALUES.includes(value.trim().toUpperCase())) {
      fail(routes.owner, property, where, 'says gRPC, which the release\'s Services and other routers would not know: set appProtocol: AppProtocol.GRPC on the release instead (the library then writes backend-protocol GRPC)');
    }
  }
}

/**
 * `backend-protocol: GRPC` for a gRPC app's Ingresses that serve a location (the main one, a
 * blue-green preview), unless the user chose `GRPCS`. A canary Ingress needs none: ingress-nginx
 * builds no location of its own for it (internal/ingress/controller/controller.go: "Ingress is
 * marked as Canary, ignoring") and takes the location's settings, BackendProtocol included,
 * from the main Ingress, its canary backend being an alternative upstream of that location.
 */
export function backendProtocolAnnotations(routes: ReleaseRoutes, annotations: { [key: string]: string }): { [key: string]: string } {
  if (!isGrpc(routes) || annotations[BACKEND_PROTOCOL] !== undefined) return annotations;
  return { ...annotations, [BACKEND_PROTOCOL]: 'GRPC' };
}
