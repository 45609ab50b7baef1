/**
 * One release at several hosts and paths, on a real control plane. Plain manifests through
 * ingress-nginx (a rule per host, TLS per host), Istio and Gateway API (a match per path in every
 * rule) are accepted by server-side apply, and the live objects, read back with the API server's
 * defaults, send each host and path where the synthesized ones do: header to v2, cookie `never`
 * to v1, the rest 80/20, a path no route serves nowhere. Argo Rollouts v1.9.1 copies every rule of
 * the stable Ingress into its canary Ingress and weighs every host and path alike; Flagger v1.44
 * copies every rule (nginx) or turns the paths into its VirtualService's and HTTPRoute's matches.
 */
import { Duration } from 'cdk8s';
import {
  CanaryAnalysis, CanaryReleaseProps, CanaryStep, DeliveryEngine, HeaderMatch, PathMatch, TrafficRouter,
} from '../../src';
import { routeGatewayApi } from '../../src/testing/simulate-gateway-api';
import { routeIstio } from '../../src/testing/simulate-istio';
import { routeNginx } from '../../src/testing/simulate-nginx';
import { Manifest, Outcome, SimRequest } from '../../src/testing/simulated-objects';
import { K8sObject } from '../util';
import { applyRespectingArgo, isHealthy, pausedAt, promote, waitRollout } from './argo';
import { apply, canaryReleaseChart, deploymentAvailable, get, kubectl, list, namespace, prometheusAddress, prometheusAnswers, prometheusQueries, readyEndpointVersions, routingObjects, waitFor } from './kube';

const v1 = { version: 'v1', image: 'registry.example/myapp:v1', replicas: 2 };
const v2 = { version: 'v2', image: 'registry.example/myapp:v2', replicas: 1 };
const ports = { containerPort: 8080, servicePort: 80 };
const TESTERS = { header: HeaderMatch.exact('stage', 'gray'), cookie: 'canary' };

const API = 'api.example.com';
const SITE = 'example.com';
const paths = () => [PathMatch.prefix('/api'), PathMatch.exact('/healthz')];

/** A path /api or under it element by element, or exactly /healthz. */
const apiOrHealthz = (path: string) => path === '/api' || path.startsWith('/api/') || path === '/healthz';

interface RouterCase {
  readonly router: () => TrafficRouter;
  /** Where a request goes through these objects. */
  readonly route: (objects: Manifest[], req: SimRequest) => Outcome;
  /** Whether the router serves a host and path at all (what the release was asked to serve). */
  readonly serves: (host: string, path: string) => boolean;
  /** The kinds of the objects that decide where a request goes, besides Deployments and Services. */
  readonly kinds: string[];
}

const ROUTERS: { readonly [id: string]: RouterCase } = {
  // api.example.com at every path, example.com at /api and /healthz: a rule per host, each over its own certificate.
  nginx: {
    router: () => TrafficRouter.nginx({
      routes: [{ host: API, tlsSecretName: 'api-tls' }, { host: SITE, paths: paths(), tlsSecretName: 'example-tls' }],
    }),
    route: (o, req) => routeNginx(o, 'myapp', req),
    serves: (host, path) => host === API || (host === SITE && apiOrHealthz(path)),
    kinds: ['ingresses'],
  },
  // Istio and Gateway API take one list of paths for all their hosts.
  istio: {
    router: () => TrafficRouter.istio({ hosts: [API, SITE], gateways: ['gateways/public'], paths: paths() }),
    route: (o, req) => routeIstio(o, 'myapp', req),
    serves: (host, path) => (host === API || host === SITE) && apiOrHealthz(path),
    kinds: ['virtualservices', 'destinationrules'],
  },
  'gateway-api': {
    router: () => TrafficRouter.gatewayApi({ parentRefs: [{ name: 'public', namespace: 'gateways' }], hostnames: [API, SITE], paths: paths() }),
    route: (o, req) => routeGatewayApi(o, 'myapp', req, 'full'),
    serves: (host, path) => (host === API || host === SITE) && apiOrHealthz(path),
    kinds: ['httproutes'],
  },
};

/** Every host the routers serve and one they do not, at served and unserved paths. */
const HOSTS = [API, SITE, 'other.example.com'];
const PATHS = ['/api', '/api/orders', '/healthz', '/', '/apiary', '/healthz/x'];

/** The three kinds of request the testers' rules tell apart. */
const KINDS: Array<[string, (host: string, path: string) => SimRequest]> = [
  ['with the header', (host, path) => ({ host, path, headers: { stage: 'gray' } })],
  ['with cookie never', (host, path) => ({ host, path, cookies: [['canary', 'never']] })],
  ['plain', (host, path) => ({ host, path })],
];

/** One row per host, path and kind of request, with the versions it should reach there. */
function table(serves: (host: string, path: string) => boolean, expected: (kind: string) => Outcome): Array<{ what: string; req: SimRequest; expected: Outcome }> {
  return HOSTS.flatMap((host) => PATHS.flatMap((path) => KINDS.map(([kind, req]) => ({
    what: `${host}${path} ${kind}`,
    req: req(host, path),
    expected: serves(host, path) ? expected(kind) : {},
  }))));
}

/** Rounds shares so that 0.2 read from a controller's weights and from the manifests compare equal. */
const rounded = (o: Outcome) => Object.fromEntries(Object.entries(o).filter(([, s]) => s > 0).map(([v, s]) => [v, Math.round(s * 1000) / 1000]));

/** Routes every row through each set of objects; a mismatch shows the row, and every set's answer. */
function expectRouted(rows: ReturnType<typeof table>, sets: { [name: string]: (req: SimRequest) => Outcome }): void {
  const seen = rows.map(({ what, req }) => ({ what, ...Object.fromEntries(Object.entries(sets).map(([name, route]) => [name, rounded(route(req))])) }));
  expect(seen).toEqual(rows.map(({ what, expected }) => ({ what, ...Object.fromEntries(Object.keys(sets).map((name) => [name, expected])) })));
}

function release(ns: string | undefined, props: Partial<CanaryReleaseProps>): K8sObject[] {
  return canaryReleaseChart(ns, { ...ports, stable: v1, ...props } as CanaryReleaseProps);
}

/** Deployments, Services and the router's objects in the namespace, as the API server holds them. */
function liveObjects(ns: string, kinds: string[]): Manifest[] {
  return routingObjects(ns, kinds) as Manifest[];
}

/** Each location of an Ingress: host, pathType, path and the Service it goes to. */
const locations = (ingress: K8sObject): string[] =>
  ingress.spec.rules.flatMap((r: any) => r.http.paths.map((p: any) => `${r.host} ${p.pathType} ${p.path} -> ${p.backend.service.name}`));

const annotation = (o: K8sObject, key: string): string | undefined => o.metadata.annotations?.[`nginx.ingress.kubernetes.io/${key}`];

describe('plain manifests at two hosts and several paths', () => {
  const TESTED = { 'with the header': { v2: 1 }, 'with cookie never': { v1: 1 }, 'plain': { v1: 0.8, v2: 0.2 } } as { [kind: string]: Outcome };

  test.concurrent.each(Object.keys(ROUTERS))('%s: accepted by the API server, and the live objects send every host and path where the synthesized ones do', async (id) => {
    const { router, route, serves, kinds } = ROUTERS[id];
    const ns = namespace(`many-routes-${id}`, 'restricted');
    const objects = release(ns, { router: router(), canary: { ...v2, traffic: { ...TESTERS, weight: 20 } } });
    apply(objects);
    await deploymentAvailable('myapp-v1', ns);
    await deploymentAvailable('myapp-v2', ns);
    await waitFor('the EndpointSlices of myapp and myapp-canary', () =>
      readyEndpointVersions('myapp', ns).length === 2 && readyEndpointVersions('myapp-canary', ns).length === 1 ? true : undefined);
    expect(readyEndpointVersions('myapp', ns)).toEqual(['v1', 'v1']);
    expect(readyEndpointVersions('myapp-canary', ns)).toEqual(['v2']);

    const live = liveObjects(ns, kinds);
    // What the API server holds carries every host and path.
    if (id === 'nginx') {
      const main = get('ingress', 'myapp', ns);
      const canary = get('ingress', 'myapp-canary', ns);
      expect(locations(main)).toEqual([`${API} Prefix / -> myapp`, `${SITE} Prefix /api -> myapp`, `${SITE} Exact /healthz -> myapp`]);
      expect(locations(canary)).toEqual(locations(main).map((l) => l.replace(/-> myapp$/, '-> myapp-canary')));
      expect(main.spec.tls).toEqual([{ hosts: [API], secretName: 'api-tls' }, { hosts: [SITE], secretName: 'example-tls' }]);
      expect(canary.spec.tls).toBeUndefined();
    } else if (id === 'istio') {
      const vs = get('virtualservice', 'myapp', ns);
      expect(vs.spec.hosts).toEqual([API, SITE]);
      for (const http of vs.spec.http) expect({ rule: http.name, uris: http.match.map((m: any) => m.uri) }).toEqual({ rule: http.name, uris: [{ exact: '/api' }, { prefix: '/api/' }, { exact: '/healthz' }] });
    } else {
      const httpRoute = get('httproute', 'myapp', ns);
      expect(httpRoute.spec.hostnames).toEqual([API, SITE]);
      // The API server's defaults: the parent is a Gateway, each backend a Service of weight 1 unless given.
      expect(httpRoute.spec.parentRefs[0]).toMatchObject({ group: 'gateway.networking.k8s.io', kind: 'Gateway' });
      expect(httpRoute.spec.rules[0].backendRefs[0]).toMatchObject({ group: '', kind: 'Service', weight: 1 });
      for (const rule of httpRoute.spec.rules) {
        expect({ rule: rule.name, paths: rule.matches.map((m: any) => m.path) }).toEqual({ rule: rule.name, paths: [{ type: 'PathPrefix', value: '/api' }, { type: 'Exact', value: '/healthz' }] });
      }
    }

    expectRouted(table(serves, (kind) => TESTED[kind]), {
      live: (req) => route(live, req),
      synthesized: (req) => route(objects as Manifest[], req),
    });
  });
});

describe('Argo Rollouts with ingress-nginx at two hosts', () => {
  const PLAN = [CanaryStep.shiftTraffic(20), CanaryStep.pause(), CanaryStep.shiftTraffic(100)];

  /**
   * The pods come from the Rollout's ReplicaSets, which the simulator reads as it reads
   * Deployments (a pod template, and its pods: here those ready), since the Services select
   * them by `rollouts-pod-template-hash`.
   */
  function argoLiveObjects(ns: string): Manifest[] {
    const podSets = list('replicasets', ns).map((rs) => ({ ...rs, kind: 'Deployment', spec: { ...rs.spec, replicas: rs.status?.readyReplicas ?? 0 } }));
    return [...podSets, ...list('services', ns), ...list('ingresses', ns)] as Manifest[];
  }

  test.concurrent('the canary Ingress Argo creates has every host and path of the stable one, weighted alike, and the end is v2 everywhere', async () => {
    const { router, route, serves } = ROUTERS.nginx;
    const ns = namespace('many-routes-argo', 'restricted');
    const props = { router: router(), engine: DeliveryEngine.argoRollouts(), steps: PLAN };
    // Commit 1: the stable alone (a first revision skips the steps).
    applyRespectingArgo(release(ns, props), ns);
    await waitRollout(ns, 'Healthy on v1', isHealthy);
    // Commit 2: the canary, with testers.
    const canaryTrack = { version: 'v2', image: v2.image, traffic: TESTERS };
    applyRespectingArgo(release(ns, { ...props, canary: canaryTrack }), ns);

    await waitRollout(ns, 'paused at step 1 (after setWeight 20)', (r) => pausedAt(r, 1));
    // Argo Rollouts creates the canary Ingress `<rollout>-<stableIngress>-canary` itself.
    const canary = await waitFor('the canary Ingress at weight 20', () => {
      const ingress = get('ingress', 'myapp-myapp-canary', ns);
      return annotation(ingress, 'canary-weight') === '20' ? ingress : undefined;
    }, 30_000);
    const stable = get('ingress', 'myapp', ns);
    expect(locations(stable)).toEqual([`${API} Prefix / -> myapp`, `${SITE} Prefix /api -> myapp`, `${SITE} Exact /healthz -> myapp`]);
    expect(locations(canary)).toEqual(locations(stable).map((l) => l.replace(/-> myapp$/, '-> myapp-canary')));
    expect(canary.spec.ingressClassName).toBe(stable.spec.ingressClassName);
    // Unlike the library's own canary Ingress, Argo's keeps the TLS entries (nginx.go:79, v1.9.1).
    expect(canary.spec.tls).toEqual(stable.spec.tls);
    expect(canary.metadata.annotations).toMatchObject({
      'nginx.ingress.kubernetes.io/canary': 'true',
      'nginx.ingress.kubernetes.io/canary-weight': '20',
      'nginx.ingress.kubernetes.io/canary-by-header': 'stage',
      'nginx.ingress.kubernetes.io/canary-by-header-value': 'gray',
      'nginx.ingress.kubernetes.io/canary-by-cookie': 'canary',
    });
    await waitFor('v2 ready behind myapp-canary, v1 behind myapp', () =>
      JSON.stringify(readyEndpointVersions('myapp-canary', ns)) === '["v2"]' && JSON.stringify(readyEndpointVersions('myapp', ns)) === '["v1","v1"]' ? true : undefined, 60_000);

    // Where plain manifests at the same step send each request.
    const manifests = release(undefined, { router: router(), steps: PLAN, canary: { ...canaryTrack, step: 1 } }) as Manifest[];
    const during = argoLiveObjects(ns);
    const TESTED = { 'with the header': { v2: 1 }, 'with cookie never': { v1: 1 }, 'plain': { v1: 0.8, v2: 0.2 } } as { [kind: string]: Outcome };
    expectRouted(table(serves, (kind) => TESTED[kind]), {
      live: (req) => route(during, req),
      synthesized: (req) => route(manifests, req),
    });

    promote(ns);
    const done = await waitRollout(ns, 'Healthy on v2', (r) => isHealthy(r) && r.status?.stableRS === r.status?.currentPodHash && r.status?.currentStepIndex === PLAN.length);
    expect(done.spec.template.metadata.labels.version).toBe('v2');
    await waitFor('the canary Ingress back at weight 0', () => annotation(get('ingress', 'myapp-myapp-canary', ns), 'canary-weight') === '0' ? true : undefined, 30_000);
    await waitFor('only v2 behind myapp', () => JSON.stringify(readyEndpointVersions('myapp', ns)) === '["v2","v2"]' ? true : undefined, 60_000);
    const after = argoLiveObjects(ns);
    expectRouted(table(serves, () => ({ v2: 1 })), { live: (req) => route(after, req) });
    // Argo Rollouts reconciled the Ingresses without error.
    const warnings = JSON.parse(kubectl(['get', 'events', '-n', ns, '--field-selector', 'type=Warning', '-o', 'json'])).items
      .filter((e: any) => e.involvedObject?.kind === 'Rollout').map((e: any) => `${e.reason}: ${e.message}`);
    expect(warnings).toEqual([]);
  });
});

describe('Flagger at two hosts and several paths', () => {
  /** Flagger holds each step for one interval: 20% and 50% for 5 seconds each, then promotion. */
  const PLAN = [CanaryStep.shiftTraffic(20), CanaryStep.pause(Duration.seconds(5)), CanaryStep.shiftTraffic(50), CanaryStep.pause(Duration.seconds(5)), CanaryStep.shiftTraffic(100)];
  const analysis = () => CanaryAnalysis.prometheus({ address: prometheusAddress(), maxErrorRate: 5, interval: Duration.seconds(5), failureLimit: 1 });
  const flaggerV2 = { version: 'v2', image: v2.image }; // Flagger runs the canary at the stable's size
  /** The objects Flagger generates, by router: they decide where a request goes. */
  const KINDS_FLAGGER: { [id: string]: string[] } = { 'nginx': ['ingresses'], 'istio': ['virtualservices', 'destinationrules'], 'gateway-api': ['httproutes'] };

  // The fake Prometheus is shared, and its answers are replaced as a whole (PUT /-/answers). The
  // cluster test files run one after another (maxWorkers: 1), and each test of this file sets the
  // same answers before it starts a canary (concurrent tests may start before a beforeAll hook
  // has finished): 0.5% errors, healthy, for this file's namespaces (named in every query).
  const answers = () => prometheusAnswers([{ match: 'many-routes-flagger-(nginx|istio|gateway-api)"', result: 0.5 }], 'empty');

  const canaryOf = (ns: string) => get('canary.flagger.app', 'myapp', ns);
  function waitPhase(ns: string, phases: string[], timeoutMs = 180_000): Promise<K8sObject> {
    return waitFor(`Canary ${ns}/myapp in phase ${phases.join(' or ')}`, () => {
      const c = canaryOf(ns);
      return phases.includes(c.status?.phase) ? c : undefined;
    }, timeoutMs);
  }
  /** The phase, with Flagger's events about the Canary, so that a failed expectation says why. */
  function outcome(ns: string, c: K8sObject): { phase: string; events: string[] } {
    const events = JSON.parse(kubectl(['get', 'events', '-n', ns, '--field-selector', 'involvedObject.kind=Canary', '-o', 'json'])).items;
    return { phase: c.status?.phase, events: events.map((e: any) => e.message) };
  }

  test.concurrent.each(Object.keys(ROUTERS))('%s: at 20%% Flagger\'s objects send every served host and path 80/20 as plain manifests do, and nothing else; then v2 everywhere', async (id) => {
    const { router, route, serves } = ROUTERS[id];
    const kinds = KINDS_FLAGGER[id];
    await answers();
    const ns = namespace(`many-routes-flagger-${id}`, 'restricted');
    const props = { router: router(), steps: PLAN, analysis: analysis(), engine: DeliveryEngine.flagger() };
    apply(release(ns, props));
    await waitPhase(ns, ['Initialized']);
    const initialized = liveObjects(ns, kinds);
    expectRouted(table(serves, () => ({ v1: 1 })), { live: (req) => route(initialized, req) });

    apply(release(ns, { ...props, canary: flaggerV2 }));
    let at20: Manifest[] | undefined;
    const done = await waitFor('Flagger to walk the steps and finish', () => {
      const c = canaryOf(ns);
      const atStep = (x: K8sObject) => x.status?.phase === 'Progressing' && x.status?.canaryWeight === 20;
      if (at20 === undefined && atStep(c)) {
        const objects = liveObjects(ns, kinds);
        // Still at 20 once read: the objects are those of the step (Flagger sets the routes, then the status).
        if (atStep(canaryOf(ns))) at20 = objects;
      }
      return ['Succeeded', 'Failed'].includes(c.status?.phase) ? c : undefined;
    }, 240_000, 500);
    expect(outcome(ns, done)).toMatchObject({ phase: 'Succeeded' });
    expect(at20).toBeDefined();
    const during = at20!;

    // What Flagger generated carries every host and path.
    if (id === 'nginx') {
      // pkg/router/ingress.go: a copy of the referenced Ingress with the backends on <name>-canary.
      const main = during.find((o) => o.kind === 'Ingress' && o.metadata.name === 'myapp') as K8sObject;
      const canary = during.find((o) => o.kind === 'Ingress' && o.metadata.name === 'myapp-canary') as K8sObject;
      expect(locations(main)).toEqual([`${API} Prefix / -> myapp`, `${SITE} Prefix /api -> myapp`, `${SITE} Exact /healthz -> myapp`]);
      expect(locations(canary)).toEqual(locations(main).map((l) => l.replace(/-> myapp$/, '-> myapp-canary')));
      expect(annotation(canary, 'canary-weight')).toBe('20');
      // The whole spec is copied (ingress.go:84), TLS entries included.
      expect(canary.spec.tls).toEqual(main.spec.tls);
    } else if (id === 'istio') {
      // pkg/router/istio.go: the Canary's service.match is the match of the weighted route; the Service's own host is added (istio.go:164).
      const vs = during.find((o) => o.kind === 'VirtualService') as K8sObject;
      expect(vs.spec.hosts).toEqual([API, SITE, 'myapp']);
      expect(vs.spec.http.map((h: any) => h.match)).toEqual([[{ uri: { exact: '/api' } }, { uri: { prefix: '/api/' } }, { uri: { exact: '/healthz' } }]]);
    } else {
      // pkg/router/gateway_api.go: uri.prefix -> PathPrefix, uri.exact -> Exact.
      const httpRoute = during.find((o) => o.kind === 'HTTPRoute') as K8sObject;
      expect(httpRoute.spec.hostnames).toEqual([API, SITE]);
      expect(httpRoute.spec.rules.map((r: any) => r.matches.map((m: any) => m.path)))
        .toEqual([[{ type: 'PathPrefix', value: '/api' }, { type: 'Exact', value: '/healthz' }]]);
    }

    const manifests = release(undefined, { router: router(), steps: PLAN, canary: { ...flaggerV2, step: 1 } }) as Manifest[];
    // No testers in a weighted Flagger canary: every kind of request is weighed.
    expectRouted(table(serves, () => ({ v1: 0.8, v2: 0.2 })), {
      live: (req) => route(during, req),
      synthesized: (req) => route(manifests, req),
    });

    expect(get('deployment', 'myapp-primary', ns).spec.template.metadata.labels.version).toBe('v2');
    const after = liveObjects(ns, kinds);
    expectRouted(table(serves, () => ({ v2: 1 })), { live: (req) => route(after, req) });
    // Flagger asked about this namespace and was told 0.5% (through the library's guards).
    const queried = (await prometheusQueries()).filter((q) => q.query.includes(`"${ns}"`));
    expect(queried.length).toBeGreaterThan(0);
    expect(queried.every((q) => q.result === 0.5)).toBe(true);
  }, 300_000);
});
