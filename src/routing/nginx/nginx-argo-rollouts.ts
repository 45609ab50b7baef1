import { Construct } from 'constructs';
import { ReleaseRoutes } from '../routing-model';
import { canaryRuleAnnotations } from './nginx-canary-rules';
import { checkNginxRoutes, mainIngress } from './nginx-ingresses';
import { NginxRouting } from './nginx-options';

/** What Argo Rollouts cannot run with ingress-nginx: what ingress-nginx cannot serve. */
export function checkNginxArgoRollouts(scope: Construct, options: NginxRouting, routes: ReleaseRoutes): void {
  checkNginxRoutes(scope, options, routes);
}

/**
 * For Argo Rollouts: the main Ingress `<name>` only (Argo Rollouts creates the canary Ingress
 * `<name>-<name>-canary` and sets its weight), and the Rollout's `trafficRouting` carrying the
 * header and cookie rules as `additionalIngressAnnotations`.
 */
export function bindNginxArgoRollouts(scope: Construct, options: NginxRouting, routes: ReleaseRoutes): { [key: string]: any } {
  const additionalIngressAnnotations = canaryRuleAnnotations(mainIngress(scope, options, routes));
  return {
    nginx: {
      stableIngress: routes.main.name,
      ...(Object.keys(additionalIngressAnnotations).length > 0 ? { additionalIngressAnnotations } : {}),
    },
  };
}
