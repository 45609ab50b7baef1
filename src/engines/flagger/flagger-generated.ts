import { GeneratedObject } from '../../routing/engine-contracts';

/**
 * What Flagger generates for every release (pkg/canary/deployment_controller.go,
 * pkg/router/kubernetes_default.go): the Deployment `<name>-primary` and the Services `<name>`,
 * `<name>-primary` and `<name>-canary`, then the router's own (`FlaggerRouterSpec.generatedObjects`).
 */
export function flaggerGeneratedObjects(name: string, routerObjects: GeneratedObject[] = []): GeneratedObject[] {
  return [
    { apiVersion: 'apps/v1', kind: 'Deployment', name: `${name}-primary` },
    { apiVersion: 'v1', kind: 'Service', name },
    { apiVersion: 'v1', kind: 'Service', name: `${name}-primary` },
    { apiVersion: 'v1', kind: 'Service', name: `${name}-canary` },
    ...routerObjects,
  ];
}
