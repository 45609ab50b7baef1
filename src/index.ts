export * from './header-match';
export * from './release-track';
export * from './release-options';
export * from './traffic-router';
export { NginxRouterOptions } from './nginx-router';
export { IstioRouterOptions } from './istio-router';
export { GatewayApiRouterOptions, GatewayParentRef } from './gateway-api-router';
export * from './canary-release';
export * from './blue-green-release';
