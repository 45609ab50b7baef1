import { Construct } from 'constructs';
import { FlaggerRouterSpec } from '../engine-contracts';
import { stringMatch } from '../match-patterns';
import { ReleaseRoutes } from '../routing-model';
import { checkNginxRoutes, mainIngress } from './nginx-ingresses';
import { NginxRouting } from './nginx-options';

/** What Flagger cannot run with ingress-nginx: what ingress-nginx cannot serve. */
export function checkNginxFlagger(scope: Construct, options: NginxRouting, routes: ReleaseRoutes): void {
  checkNginxRoutes(scope, options, routes);
}

/**
 * For Flagger: the main Ingress `<name>` to the Service `<name>` that Flagger generates (it
 * copies the Ingress into `<name>-canary` itself). In an A/B test Flagger turns a `cookie`
 * match's `exact` value into `canary-by-cookie` (the cookie's name) and a header's
 * `exact`/`regex` into `canary-by-header-value`/`-pattern` (pkg/router/ingress.go).
 */
export function bindNginxFlagger(scope: Construct, options: NginxRouting, routes: ReleaseRoutes): FlaggerRouterSpec {
  const canary = mainIngress(scope, options, routes);
  const match: Array<{ [key: string]: any }> = [];
  // Flagger reads the key `cookie` (exactly) as the cookie rule; a header rule on the Cookie
  // header keeps its meaning as `Cookie` (ingress-nginx matches header names case-insensitively).
  if (canary.header) match.push({ headers: { [canary.header.name === 'cookie' ? 'Cookie' : canary.header.name]: stringMatch(canary.header) } });
  if (canary.cookie !== undefined) match.push({ headers: { cookie: { exact: canary.cookie } } });
  return {
    provider: 'nginx',
    ingressRef: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: routes.main.name },
    service: {},
    match: match.length > 0 ? match : undefined,
    // pkg/router/ingress.go: the canary Ingress is the referenced one's name with `-canary`.
    generatedObjects: [{ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: `${routes.main.name}-canary` }],
  };
}
