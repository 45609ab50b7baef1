/**
 * Sticky canaries on a real control plane. Under plain manifests, a sticky release through Istio
 * and Gateway API at once is accepted by server-side apply (the VirtualService's response header
 * and the HTTPRoute's backendRef filter validated by their CRDs), and the live objects, read back
 * with the API server's defaults, keep the canary's user on the canary, let the testers' header
 * and `never` win, and draw everyone else by weight. Under Flagger, the real controller writes
 * its own session affinity from the Canary: a cookie route to the canary and a Set-Cookie on the
 * canary's weighted destination while the canary has a weight, then promotes.
 */
import { Duration } from 'cdk8s';
import { CanaryReleaseProps, CanaryStep, DeliveryEngine, HeaderMatch, TrafficRouter } from '../../src';
import { routeGatewayApi } from '../../src/testing/simulate-gateway-api';
import { routeIstio } from '../../src/testing/simulate-istio';
import { Manifest, SimRequest } from '../../src/testing/simulated-objects';
import { K8sObject } from '../util';
import { apply, canaryReleaseChart, deploymentAvailable, get, namespace, routingObjects, waitFor } from './kube';

const v1 = { version: 'v1', image: 'registry.example/myapp:v1', replicas: 2 };
const v2 = { version: 'v2', image: 'registry.example/myapp:v2', replicas: 1 };
const ports = { containerPort: 8080, servicePort: 80 };

function release(ns: string, props: Partial<CanaryReleaseProps>): K8sObject[] {
  return canaryReleaseChart(ns, { ...ports, stable: v1, ...props } as CanaryReleaseProps);
}

/** The objects in the namespace that decide where a request goes, as the API server holds them. */
function liveObjects(ns: string): Manifest[] {
  return routingObjects(ns, ['virtualservices', 'httproutes']) as Manifest[];
}

test('plain manifests: the live VirtualService and HTTPRoute keep the canary\'s users on the canary', async () => {
  const ns = namespace('sticky-manifests', 'restricted');
  const router = TrafficRouter.all(
    TrafficRouter.istio({ hosts: ['myapp.example.com'], gateways: ['gateways/public'] }),
    TrafficRouter.gatewayApi({ parentRefs: [{ name: 'public', namespace: 'gateways' }], hostnames: ['myapp.example.com'] }),
  );
  apply(release(ns, { router, canary: { ...v2, traffic: { header: HeaderMatch.exact('stage', 'gray'), cookie: 'canary', weight: 20, sticky: true } } }));
  await deploymentAvailable('myapp-v1', ns);
  await deploymentAvailable('myapp-v2', ns);

  const live = liveObjects(ns);
  const setCookie = 'myapp-canary=v2; Path=/; Max-Age=86400; HttpOnly; SameSite=Lax';
  const weightedVs = live.find((o) => o.kind === 'VirtualService')!.spec.http.find((h: any) => h.name === 'weighted');
  expect(weightedVs.route[1].headers).toEqual({ response: { add: { 'set-cookie': setCookie } } });
  const weightedRule = live.find((o) => o.kind === 'HTTPRoute')!.spec.rules.find((r: any) => r.name === 'weighted');
  expect(weightedRule.backendRefs[1].filters).toEqual([{ type: 'ResponseHeaderModifier', responseHeaderModifier: { add: [{ name: 'Set-Cookie', value: setCookie }] } }]);

  const requests: Array<[string, SimRequest, Record<string, number>]> = [
    ['a user the weight sent to the canary, with its cookie', { cookies: [['session', 'abc'], ['myapp-canary', 'v2']] }, { v2: 1 }],
    ['the same user opting out with canary=never', { cookies: [['canary', 'never'], ['myapp-canary', 'v2']] }, { v1: 1 }],
    ['the testers\' header', { headers: { stage: 'gray' } }, { v2: 1 }],
    ['a new user, by weight', {}, { v1: 0.8, v2: 0.2 }],
  ];
  const seen = requests.map(([what, req]) => ({
    what,
    istio: routeIstio(live, 'myapp', { host: 'myapp.example.com', ...req }),
    gatewayApi: routeGatewayApi(live, 'myapp', { host: 'myapp.example.com', ...req }, 'full'),
  }));
  expect(seen).toEqual(requests.map(([what, , expected]) => ({ what, istio: expected, gatewayApi: expected })));
});

test('Flagger with Istio: it writes the sticky route and the Set-Cookie while the canary has a weight, then promotes', async () => {
  const ns = namespace('sticky-flagger', 'restricted');
  const props: Partial<CanaryReleaseProps> = {
    router: TrafficRouter.istio({ hosts: ['myapp'] }),
    engine: DeliveryEngine.flagger(),
    steps: [CanaryStep.shiftTraffic(20), CanaryStep.pause(Duration.seconds(10)), CanaryStep.shiftTraffic(100)],
  };
  apply(release(ns, props));
  await waitFor('Canary initialized', () => get('canary.flagger.app', 'myapp', ns).status?.phase === 'Initialized' || undefined, 180_000);

  apply(release(ns, { ...props, canary: { version: 'v2', image: v2.image, traffic: { sticky: true } } }));
  const sticky = await waitFor('Flagger at 20% with its sticky route', () => {
    const canary = get('canary.flagger.app', 'myapp', ns);
    const http = get('virtualservice', 'myapp', ns).spec.http as any[];
    return canary.status?.canaryWeight === 20 && http.length >= 2 ? { canary, http } : undefined;
  }, 240_000, 500);

  // pkg/router/istio.go (v1.44.0): a route matching the cookie Flagger set, to the canary; then
  // the weighted route, whose canary destination sets that cookie for a day.
  const cookie: string = sticky.canary.status.sessionAffinityCookie;
  expect(cookie).toMatch(/^myapp-canary=/);
  const [stickyRoute, weighted] = sticky.http;
  // (Flagger writes the primary too, at weight 0.)
  expect(stickyRoute.route.map((r: any) => [r.destination.host, r.weight ?? 0])).toEqual([['myapp-primary', 0], ['myapp-canary', 100]]);
  expect(JSON.stringify(stickyRoute.match)).toContain('myapp-canary');
  const canaryDestination = weighted.route.find((r: any) => r.destination.host === 'myapp-canary');
  expect(canaryDestination.weight).toBe(20);
  expect(canaryDestination.headers.response.add['Set-Cookie']).toMatch(new RegExp(`^${cookie.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}; Max-Age=86400`));

  await waitFor('Flagger to promote', () => get('canary.flagger.app', 'myapp', ns).status?.phase === 'Succeeded' || undefined, 240_000, 1000);
  expect(get('deployment', 'myapp-primary', ns).spec.template.metadata.labels.version).toBe('v2');
}, 600_000);
