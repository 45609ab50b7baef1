/**
 * The public route simulator: built from a chart, an app, manifests or YAML (objects this
 * library did not write included), it says the share of a request each version receives through
 * each controller, and which route and router it follows when the options leave them out.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Chart, Testing, Yaml } from 'cdk8s';
import {
  AppProtocol, BlueGreenColor, BlueGreenRelease, CanaryRelease, CanaryReleaseProps, HeaderMatch, RegexMatching, RouteSimulator, SimulatedRouter, TrafficRouter,
} from '../../src';

const v1 = { version: 'v1', image: 'registry.example/myapp:v1', replicas: 2 };
const v2 = { version: 'v2', image: 'registry.example/myapp:v2', replicas: 1 };
const ports = { containerPort: 8080, servicePort: 80 };
const host = 'myapp.example.com';
const gray = { headers: { stage: 'gray' } };

function chartWith(props: Partial<CanaryReleaseProps>, name = 'myapp', scope: App = Testing.app(), namespace?: string): Chart {
  const chart = new Chart(scope, `${name}-chart`, { namespace });
  new CanaryRelease(chart, name, { ...ports, stable: v1, router: TrafficRouter.nginx({ host }), ...props } as CanaryReleaseProps);
  return chart;
}

const nginxCanary = () => chartWith({ canary: { ...v2, traffic: { header: HeaderMatch.exact('stage', 'gray'), cookie: 'canary', weight: 20 } } });
const FIXTURE = fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'route-simulator', 'hand-written-canary.yaml'), 'utf8');

describe('the README\'s example', () => {
  test('the testers\' header goes to v2, everyone else by the weight', () => {
    const sim = RouteSimulator.fromChart(nginxCanary());
    expect(sim.route({ host, headers: { stage: 'gray' } })).toEqual({ v2: 1 });
    const plain = sim.route({ host });
    expect(plain.v1).toBeCloseTo(0.8, 12);
    expect(plain.v2).toBeCloseTo(0.2, 12);
  });
});

describe('fromChart', () => {
  test('reads the chart as Testing.synth gives it: the cookie always goes to v2, never to v1', () => {
    const sim = RouteSimulator.fromChart(nginxCanary());
    expect(sim.route({ host, cookies: { session: 'abc', canary: 'always' } })).toEqual({ v2: 1 });
    expect(sim.route({ host, cookies: { canary: 'never' } })).toEqual({ v1: 1 });
  });

  test('a Cookie header is read as sent, by ingress-nginx\'s $cookie_ too', () => {
    const sim = RouteSimulator.fromChart(nginxCanary());
    expect(sim.route({ host, headers: { Cookie: 'session=abc; canary=always' } })).toEqual({ v2: 1 });
  });

  test('a request to another host or to no path the Ingress serves gets nothing (a 404)', () => {
    const sim = RouteSimulator.fromChart(chartWith({ router: TrafficRouter.nginx({ host, path: '/api' }), canary: { ...v2, traffic: { weight: 20 } } }));
    expect(sim.route({ host: 'other.example.com', path: '/api' })).toEqual({});
    expect(sim.route({ host, path: '/web' })).toEqual({});
    expect(sim.route({ host, path: '/api/orders' }).v2).toBeCloseTo(0.2, 12);
  });

  test('Istio: mirrored() is the share of the weighted route\'s requests copied to the canary; the header route copies none', () => {
    const sim = RouteSimulator.fromChart(chartWith({
      router: TrafficRouter.istio({ hosts: ['myapp'] }),
      canary: { ...v2, traffic: { header: HeaderMatch.exact('stage', 'gray'), mirror: 25 } },
    }));
    expect(sim.route({})).toEqual({ v1: 1 });
    expect(sim.mirrored({})).toEqual({ v2: 0.25 });
    expect(sim.route(gray)).toEqual({ v2: 1 });
    expect(sim.mirrored(gray)).toEqual({});
  });

  test('Gateway API for a gRPC app: the GRPCRoute of the release, the testers\' header to v2', () => {
    const sim = RouteSimulator.fromChart(chartWith({
      appProtocol: AppProtocol.GRPC,
      router: TrafficRouter.gatewayApi({ parentRefs: [{ name: 'public' }], hostnames: [host] }),
      canary: { ...v2, traffic: { header: HeaderMatch.exact('stage', 'gray'), weight: 25 } },
    }));
    expect(sim.route({ host, ...gray })).toEqual({ v2: 1 });
    expect(sim.route({ host })).toEqual({ v1: 0.75, v2: 0.25 });
  });

  test('a blue-green release: the main route to the active color, the preview route (named <release>-preview) to the idle one', () => {
    const chart = new Chart(Testing.app(), 'bg');
    new BlueGreenRelease(chart, 'myapp', {
      ...ports,
      router: TrafficRouter.nginx({ host }),
      blue: v1,
      green: v2,
      active: BlueGreenColor.BLUE,
      previewHost: 'preview.myapp.example.com',
    });
    const sim = RouteSimulator.fromChart(chart);
    expect(sim.route({ host }, { release: 'myapp' })).toEqual({ v1: 1 });
    expect(sim.route({ host: 'preview.myapp.example.com' }, { release: 'myapp-preview' })).toEqual({ v2: 1 });
  });
});

describe('fromApp', () => {
  test('reads every chart: each release by its name', () => {
    const app = Testing.app();
    chartWith({ canary: { ...v2, traffic: { weight: 50 } } }, 'shop', app);
    chartWith({ router: TrafficRouter.istio({ hosts: ['cart'] }), canary: { ...v2, traffic: { header: HeaderMatch.exact('stage', 'gray') } } }, 'cart', app);
    const sim = RouteSimulator.fromApp(app);
    expect(sim.route({ host }, { release: 'shop' })).toEqual({ v1: 0.5, v2: 0.5 });
    expect(sim.route(gray, { release: 'cart' })).toEqual({ v2: 1 });
    expect(sim.route({}, { release: 'cart' })).toEqual({ v1: 1 });
  });

  test('one release name in two namespaces: options.namespace picks one, and its Services are that namespace\'s', () => {
    const app = Testing.app();
    chartWith({ canary: { ...v2, traffic: { weight: 10 } } }, 'myapp', app, 'team-a');
    const b = new Chart(app, 'b', { namespace: 'team-b' });
    new CanaryRelease(b, 'myapp', { ...ports, stable: v1, router: TrafficRouter.nginx({ host }), canary: { ...v2, traffic: { weight: 90 } } });
    const sim = RouteSimulator.fromApp(app);
    expect(sim.route({ host }, { namespace: 'team-a' }).v2).toBeCloseTo(0.1, 12);
    expect(sim.route({ host }, { namespace: 'team-b' }).v2).toBeCloseTo(0.9, 12);
  });

  test('throws when one release name is in two namespaces and options.namespace is not given', () => {
    const app = Testing.app();
    chartWith({}, 'myapp', app, 'team-a');
    new CanaryRelease(new Chart(app, 'b', { namespace: 'team-b' }), 'myapp', { ...ports, stable: v1, router: TrafficRouter.nginx({ host }) });
    expect(() => RouteSimulator.fromApp(app).route({ host }))
      .toThrow('RouteSimulator: options.namespace is required: a Ingress named "myapp" is in namespaces "team-a", "team-b"');
  });
});

describe('fromManifests', () => {
  test('reads Kubernetes objects as JSON, as fromChart does', () => {
    const chart = nginxCanary();
    const sim = RouteSimulator.fromManifests(Testing.synth(chart));
    expect(sim.route({ host, ...gray })).toEqual({ v2: 1 });
    expect(sim.route({ host }).v2).toBeCloseTo(0.2, 12);
  });

  test('copies the objects: changing them afterwards changes nothing', () => {
    const manifests = Testing.synth(nginxCanary());
    const sim = RouteSimulator.fromManifests(manifests);
    const canary = manifests.find((m) => m.kind === 'Ingress' && m.metadata.name === 'myapp-canary');
    canary.metadata.annotations['nginx.ingress.kubernetes.io/canary-weight'] = '100';
    expect(sim.route({ host }).v2).toBeCloseTo(0.2, 12);
  });

  test('a Service selecting several versions splits by replicas (a workload without replicas counts as 1)', () => {
    const manifests = Testing.synth(chartWith({ router: TrafficRouter.istio({ hosts: ['myapp'] }), canary: { ...v2, traffic: { weight: 0 } } }));
    const sim = RouteSimulator.fromManifests(manifests);
    expect(sim.route({})).toEqual({ v1: 1 });
    const vs = manifests.find((m) => m.kind === 'VirtualService');
    vs.spec.http = [{ route: [{ destination: { host: 'myapp-all' } }] }];
    const all = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'myapp-all' }, spec: { selector: { 'app.kubernetes.io/name': 'myapp' } } };
    for (const d of manifests.filter((m) => m.kind === 'Deployment')) delete d.spec.replicas;
    expect(RouteSimulator.fromManifests([...manifests, all]).route({})).toEqual({ v1: 0.5, v2: 0.5 });
  });

  test('throws when an object has no kind or metadata.name', () => {
    expect(() => RouteSimulator.fromManifests([{ kind: 'Service' }]))
      .toThrow('RouteSimulator: object 1 of the manifests ({"kind":"Service"}) is not a Kubernetes object with a kind and a metadata.name');
  });

  test('throws when a Service selects a Rollout\'s pods: their versions are the controller\'s state', () => {
    const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'shop' }, spec: { selector: { app: 'shop' } } };
    const rollout = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: { name: 'shop' }, spec: { template: { metadata: { labels: { app: 'shop', version: 'v2' } } } } };
    const vs = { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'shop' }, spec: { hosts: ['shop'], http: [{ route: [{ destination: { host: 'shop' } }] }] } };
    expect(() => RouteSimulator.fromManifests([service, rollout, vs]).route({}))
      .toThrow('RouteSimulator: Service "shop" selects the pods of Rollout "shop", whose versions are the controller\'s state');
  });
});

describe('objects written by hand: what each controller does with them', () => {
  const service = (name: string, version: string) => [
    { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { selector: { app: name.replace(/-canary$/, ''), version } } },
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: `${name}-${version}` }, spec: { replicas: 1, template: { metadata: { labels: { app: name.replace(/-canary$/, ''), version } } } } },
  ];
  const ingress = (name: string, paths: Array<[string, string]>, annotations: { [k: string]: string } = {}) => ({
    apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name, annotations },
    spec: { ingressClassName: 'nginx', rules: [{ host: 'shop.example.com', http: { paths: paths.map(([path, svc]) => ({ path, pathType: 'Prefix', backend: { service: { name: svc, port: { number: 80 } } } })) } }] },
  });

  test('ingress-nginx: each path of a canary Ingress goes to that path\'s own canary backend', () => {
    const sim = RouteSimulator.fromManifests([
      ...service('a', 'v1'), ...service('a-canary', 'v2'), ...service('b', 'v1'), ...service('b-canary', 'v3'),
      ingress('shop', [['/a', 'a'], ['/b', 'b']]),
      ingress('shop-canary', [['/a', 'a-canary'], ['/b', 'b-canary']], { 'nginx.ingress.kubernetes.io/canary': 'true', 'nginx.ingress.kubernetes.io/canary-weight': '100' }),
    ]);

    expect(sim.route({ host: 'shop.example.com', path: '/a' }, { release: 'shop' })).toEqual({ v2: 1 });
    expect(sim.route({ host: 'shop.example.com', path: '/b' }, { release: 'shop' })).toEqual({ v3: 1 });
  });

  test('a *. wildcard is one label for ingress-nginx, one or more for Istio and Gateway API', () => {
    const chart = (router: TrafficRouter) => chartWith({ router, canary: { ...v2, traffic: { weight: 0 } } });
    const nginx = RouteSimulator.fromChart(chart(TrafficRouter.nginx({ host: '*.example.com' })));
    const istio = RouteSimulator.fromChart(chart(TrafficRouter.istio({ hosts: ['*.example.com'], gateways: ['public'] })));
    const gateway = RouteSimulator.fromChart(chart(TrafficRouter.gatewayApi({ parentRefs: [{ name: 'public' }], hostnames: ['*.example.com'] })));

    expect(nginx.route({ host: 'shop.example.com' })).toEqual({ v1: 1 });
    expect(nginx.route({ host: 'eu.shop.example.com' })).toEqual({});
    expect(istio.route({ host: 'eu.shop.example.com' })).toEqual({ v1: 1 });
    expect(gateway.route({ host: 'eu.shop.example.com' })).toEqual({ v1: 1 });
    expect(gateway.route({ host: 'example.com' })).toEqual({});
  });
});

describe('fromYaml: a canary written by hand, not by this library', () => {
  const sim = RouteSimulator.fromYaml(FIXTURE);

  test('ingress-nginx: the header value to v2, everyone else 10% to v2', () => {
    expect(sim.route({ host: 'shop.example.com', headers: { 'X-Canary': 'yes' } }, { router: SimulatedRouter.NGINX })).toEqual({ v2: 1 });
    const plain = sim.route({ host: 'shop.example.com', headers: { 'X-Canary': 'no' } }, { router: SimulatedRouter.NGINX });
    expect(plain.v1).toBeCloseTo(0.9, 12);
    expect(plain.v2).toBeCloseTo(0.1, 12);
  });

  test('Istio: subsets through the DestinationRule of the fully qualified host; the weighted route mirrors half to the canary Service', () => {
    expect(sim.route({ headers: { 'x-canary': 'yes' } }, { router: SimulatedRouter.ISTIO })).toEqual({ v2: 1 });
    expect(sim.route({}, { router: SimulatedRouter.ISTIO })).toEqual({ v1: 0.9, v2: 0.1 });
    expect(sim.mirrored({}, { router: SimulatedRouter.ISTIO })).toEqual({ v2: 0.5 });
  });

  test('Gateway API: the header rule before the weighted one; nothing mirrored', () => {
    const options = { release: 'shop', router: SimulatedRouter.GATEWAY_API };
    expect(sim.route({ host: 'shop.example.com', headers: { 'x-canary': 'yes' } }, options)).toEqual({ v2: 1 });
    expect(sim.route({ host: 'shop.example.com' }, options)).toEqual({ v1: 0.9, v2: 0.1 });
    expect(sim.mirrored({ host: 'shop.example.com' }, options)).toEqual({});
  });

  test('throws when the router is not given and the release has several', () => {
    expect(() => sim.route({}))
      .toThrow('RouteSimulator: options.router is required: "shop" is routed by SimulatedRouter.NGINX and SimulatedRouter.ISTIO and SimulatedRouter.GATEWAY_API (Ingress "shop", VirtualService "shop", HTTPRoute "shop")');
  });

  test('reads cdk8s synth\'s YAML as the chart itself', () => {
    const chart = nginxCanary();
    const fromYaml = RouteSimulator.fromYaml(Yaml.stringify(...chart.toJson()));
    expect(fromYaml.route({ host, ...gray })).toEqual({ v2: 1 });
    expect(fromYaml.route({ host })).toEqual(RouteSimulator.fromChart(chart).route({ host }));
  });

  test('a List document\'s items are read too', () => {
    const items = Testing.synth(chartWith({ canary: { ...v2, traffic: { weight: 50 } } }));
    expect(RouteSimulator.fromYaml(Yaml.stringify({ apiVersion: 'v1', kind: 'List', items })).route({ host })).toEqual({ v1: 0.5, v2: 0.5 });
  });

  test('throws when a document is not valid YAML', () => {
    expect(() => RouteSimulator.fromYaml('kind: Service\n---\nkind: [Service\n')).toThrow(/^RouteSimulator.fromYaml: document 2 is not valid YAML: /);
  });
});

describe('options', () => {
  test('release defaults to the only name routed, router to the only router of that name', () => {
    const sim = RouteSimulator.fromChart(nginxCanary());
    expect(sim.route({ host, ...gray })).toEqual(sim.route({ host, ...gray }, { release: 'myapp', router: SimulatedRouter.NGINX }));
  });

  test('gatewayApiRegex defaults to FULL_MATCH: a regex must match the whole header value; SEARCH finds it anywhere', () => {
    // The library anchors its regexes (^(?:gray)$), so both agree on its routes; an HTTPRoute
    // written by hand with an unanchored `gray` does not.
    const manifests = Testing.synth(chartWith({
      router: TrafficRouter.gatewayApi({ parentRefs: [{ name: 'public' }], hostnames: [host] }),
      canary: { ...v2, traffic: { header: HeaderMatch.regex('stage', 'gray') } },
    }));
    const match = manifests.find((m) => m.kind === 'HTTPRoute').spec.rules[0].matches[0].headers[0];
    expect(match).toEqual({ name: 'stage', type: 'RegularExpression', value: '^(?:gray)$' });
    match.value = 'gray';
    const sim = RouteSimulator.fromManifests(manifests);
    const grayish = { host, headers: { stage: 'grayish' } };
    expect(sim.route(grayish)).toEqual({ v1: 1 });
    expect(sim.route(grayish, { gatewayApiRegex: RegexMatching.FULL_MATCH })).toEqual({ v1: 1 });
    expect(sim.route(grayish, { gatewayApiRegex: RegexMatching.SEARCH })).toEqual({ v2: 1 });
  });

  test('TrafficRouter.all(...): each router by options.router, both sending the header to v2', () => {
    const sim = RouteSimulator.fromChart(chartWith({
      router: TrafficRouter.all(TrafficRouter.nginx({ host }), TrafficRouter.gatewayApi({ parentRefs: [{ name: 'public' }], hostnames: [host] })),
      canary: { ...v2, traffic: { header: HeaderMatch.exact('stage', 'gray') } },
    }));
    expect(sim.route({ host, ...gray }, { router: SimulatedRouter.NGINX })).toEqual({ v2: 1 });
    expect(sim.route({ host, ...gray }, { router: SimulatedRouter.GATEWAY_API })).toEqual({ v2: 1 });
  });

  test('throws when the manifests hold no route object', () => {
    const chart = chartWith({ router: undefined });
    expect(() => RouteSimulator.fromChart(chart).route({}))
      .toThrow('RouteSimulator: the manifests hold no route object (a main Ingress, a VirtualService, an HTTPRoute or a GRPCRoute)');
  });

  test('throws when several names are routed and options.release is not given', () => {
    const app = Testing.app();
    chartWith({}, 'shop', app);
    chartWith({ router: TrafficRouter.istio({ hosts: ['cart'] }) }, 'cart', app);
    expect(() => RouteSimulator.fromApp(app).route({})).toThrow('RouteSimulator: options.release is required: the manifests route several names (shop, cart)');
  });

  test('throws when options.release names no route object', () => {
    expect(() => RouteSimulator.fromChart(nginxCanary()).route({}, { release: 'shop' }))
      .toThrow('RouteSimulator: options.release ("shop") names no main Ingress, VirtualService, HTTPRoute or GRPCRoute in the manifests; the route objects are Ingress "myapp"');
  });

  test('throws when options.router has no route object of that name', () => {
    expect(() => RouteSimulator.fromChart(nginxCanary()).route({}, { router: SimulatedRouter.ISTIO }))
      .toThrow('RouteSimulator: options.router (SimulatedRouter.ISTIO) needs a VirtualService named "myapp" in the manifests; "myapp" is Ingress "myapp"');
  });

  test('throws when options.router or options.gatewayApiRegex is not one of its enum', () => {
    const sim = RouteSimulator.fromChart(nginxCanary());
    expect(() => sim.route({}, { router: 'nginx' as SimulatedRouter }))
      .toThrow('RouteSimulator: options.router ("nginx") must be one of SimulatedRouter.NGINX, SimulatedRouter.ISTIO, SimulatedRouter.GATEWAY_API');
    expect(() => sim.route({}, { gatewayApiRegex: 'full' as RegexMatching }))
      .toThrow('RouteSimulator: options.gatewayApiRegex ("full") must be one of RegexMatching.FULL_MATCH, RegexMatching.SEARCH');
  });

  test('throws when the request has a Cookie header and cookies', () => {
    expect(() => RouteSimulator.fromChart(nginxCanary()).route({ headers: { cookie: 'a=1' }, cookies: { canary: 'always' } }))
      .toThrow('RouteSimulator: request.headers has a Cookie header and request.cookies is given too: give the cookies one way');
  });

  test('throws when an HTTPRoute and a GRPCRoute share the name: a Gateway accepts only the older', () => {
    const manifests = Testing.synth(chartWith({ router: TrafficRouter.gatewayApi({ parentRefs: [{ name: 'public' }], hostnames: [host] }) }));
    const http = manifests.find((m) => m.kind === 'HTTPRoute');
    const grpc = { ...http, kind: 'GRPCRoute', spec: { ...http.spec, rules: [{ backendRefs: http.spec.rules[0].backendRefs }] } };
    expect(() => RouteSimulator.fromManifests([...manifests, grpc]).route({ host }))
      .toThrow('RouteSimulator: "myapp" is both an HTTPRoute and a GRPCRoute: a Gateway accepts only the older of the two, which the manifests do not say; remove one');
  });
});
