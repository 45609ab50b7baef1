/**
 * The manifest checks of src/validation/ on hand-written objects, as anyone's YAML would be:
 * one mistake per test, and a clean case per check.
 */
import { Testing } from 'cdk8s';
import { CanaryRelease, HeaderMatch, PathMatch, TrafficRouter } from '../../src';
import { checkManifests } from '../../src/validation/check-manifests';

const NGINX = 'nginx.ingress.kubernetes.io/';

function ingress(name: string, opts: { canary?: boolean; host?: string; path?: string; pathType?: string; cls?: string; service?: string; annotations?: { [k: string]: string } } = {}) {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      name, namespace: 'shop',
      annotations: { ...(opts.canary ? { [`${NGINX}canary`]: 'true' } : {}), ...opts.annotations },
    },
    spec: {
      ingressClassName: opts.cls ?? 'nginx',
      rules: [{
        host: opts.host ?? 'shop.example.com',
        http: { paths: [{ path: opts.path ?? '/', pathType: opts.pathType ?? 'Prefix', backend: { service: { name: opts.service ?? name, port: { number: 80 } } } }] },
      }],
    },
  };
}
const main = ingress('shop');
const canary = (opts: Parameters<typeof ingress>[1] = {}) => ingress('shop-canary', { canary: true, ...opts });

function deployment(name: string, labels: { [k: string]: string }) {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'shop' }, spec: { template: { metadata: { labels } } } };
}
function service(name: string, selector: { [k: string]: string }) {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'shop' }, spec: { selector } };
}
function virtualService(http: object[]) {
  return { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'shop', namespace: 'shop' }, spec: { hosts: ['shop'], http } };
}
function httpRoute(rules: object[]) {
  return { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'shop', namespace: 'shop' }, spec: { rules } };
}

describe('ingress-nginx canary Ingresses', () => {
  test('a canary on the main Ingress\'s class, host, path and pathType has no finding', () => {
    expect(checkManifests([main, canary({ annotations: { [`${NGINX}canary-weight`]: '10', [`${NGINX}canary-by-header`]: 'stage' } })])).toEqual([]);
  });

  test('a canary on a host no main Ingress serves is dropped', () => {
    const [f] = checkManifests([main, canary({ host: 'shop.example.org' })]);
    expect(f).toMatchObject({ rule: 'nginx-canary-unmatched', object: { kind: 'Ingress', namespace: 'shop', name: 'shop-canary' }, field: 'spec.rules[0].host' });
    expect(f.message).toContain('no main (non-canary) Ingress of IngressClass "nginx" serves host "shop.example.org"');
    expect(f.message).toContain('cannot merge alternative backend');
  });

  test('a canary path the main Ingress does not have turns the canary off for every path of its Service', () => {
    const [f] = checkManifests([main, canary({ path: '/api' })]);
    expect(f).toMatchObject({ rule: 'nginx-canary-unmatched', field: 'spec.rules[0].http.paths[0].path' });
    expect(f.message).toContain('"/api" (Prefix), which no main Ingress of host "shop.example.com" has (it has "/" Prefix)');
    expect(f.message).toContain('turns the canary off for every path of Service "shop-canary"');
  });

  test('a canary path of another pathType than the main Ingress\'s does not merge', () => {
    const [f] = checkManifests([main, canary({ pathType: 'Exact' })]);
    expect(f).toMatchObject({ rule: 'nginx-canary-unmatched', field: 'spec.rules[0].http.paths[0].pathType' });
    expect(f.message).toContain('pathType Exact, while the main Ingress shop/shop has it with pathType Prefix');
  });

  test('a canary of another IngressClass than its main Ingress is read by another controller', () => {
    const [f] = checkManifests([main, canary({ cls: 'nginx-internal' })]);
    expect(f).toMatchObject({ rule: 'nginx-canary-unmatched', field: 'spec.ingressClassName' });
    expect(f.message).toContain('the canary is of IngressClass "nginx-internal" but the main Ingress shop/shop');
    expect(f.fix).toBe('give the canary Ingress the main Ingress\'s class (IngressClass "nginx").');
  });

  test('two canaries on one host and path: only the first alternative backend takes effect', () => {
    const second = ingress('shop-canary-2', { canary: true, service: 'shop-canary' });
    const findings = checkManifests([main, canary(), second]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ rule: 'nginx-canary-duplicate', object: { name: 'shop-canary-2' }, field: 'spec.rules[0].http.paths[0]' });
    expect(findings[0].message).toContain('the canary Ingress shop/shop-canary already covers host "shop.example.com" path "/"');
    expect(findings[0].message).toContain('alternative_backends[1]');
  });

  test('a header value with a character ingress-nginx refuses is blanked', () => {
    const [f] = checkManifests([main, canary({ annotations: { [`${NGINX}canary-by-header`]: 'stage', [`${NGINX}canary-by-header-value`]: 'gray,blue' } })]);
    expect(f).toMatchObject({ rule: 'nginx-canary-annotation', field: `metadata.annotations["${NGINX}canary-by-header-value"]` });
    expect(f.message).toContain('"gray,blue" is refused');
    expect(f.message).toContain('canary-by-header-value is invalid, defaulting to \'\'');
  });

  test('a header value with spaces passes: ingress-nginx removes them before the check', () => {
    expect(checkManifests([main, canary({ annotations: { [`${NGINX}canary-by-header`]: 'stage', [`${NGINX}canary-by-header-value`]: 'gray blue' } })])).toEqual([]);
  });

  test('a cookie name and a header pattern with refused characters are blanked', () => {
    const findings = checkManifests([main, canary({ annotations: { [`${NGINX}canary-by-cookie`]: 'beta@users', [`${NGINX}canary-by-header`]: 'stage', [`${NGINX}canary-by-header-pattern`]: '^(gray|blue), *$' } })]);
    expect(findings.map((f) => f.field)).toEqual([
      `metadata.annotations["${NGINX}canary-by-cookie"]`,
      `metadata.annotations["${NGINX}canary-by-header-pattern"]`,
    ]);
  });

  test('a weight that is not a whole number is read as 0', () => {
    const [f] = checkManifests([main, canary({ annotations: { [`${NGINX}canary-weight`]: '12.5' } })]);
    expect(f).toMatchObject({ rule: 'nginx-canary-annotation', field: `metadata.annotations["${NGINX}canary-weight"]` });
    expect(f.message).toContain('defaulting to \'0\'" and uses 0');
  });

  test('a weight total of 100 or less other than 100 is ignored', () => {
    const [f] = checkManifests([main, canary({ annotations: { [`${NGINX}canary-weight`]: '10', [`${NGINX}canary-weight-total`]: '50' } })]);
    expect(f).toMatchObject({ rule: 'nginx-canary-weight', field: `metadata.annotations["${NGINX}canary-weight-total"]` });
    expect(f.message).toContain('canary-weight 10 sends 10% of the requests to the canary, not 10/50');
    expect(f.fix).toContain('(20 for 10/50)');
  });

  test('a weight total above 100 is used, and a weight within it has no finding', () => {
    expect(checkManifests([main, canary({ annotations: { [`${NGINX}canary-weight`]: '300', [`${NGINX}canary-weight-total`]: '1000' } })])).toEqual([]);
  });

  test('a weight above the total sends every request to the canary', () => {
    const [f] = checkManifests([main, canary({ annotations: { [`${NGINX}canary-weight`]: '150' } })]);
    expect(f).toMatchObject({ rule: 'nginx-canary-weight', field: `metadata.annotations["${NGINX}canary-weight"]` });
    expect(f.message).toContain('canary-weight 150 is above the total 100');
  });

  test('cookie affinity on the main Ingress of a canary keeps its clients off the canary', () => {
    const sticky = ingress('shop', { annotations: { [`${NGINX}affinity`]: 'cookie' } });
    const [f] = checkManifests([sticky, canary()]);
    expect(f).toMatchObject({ rule: 'nginx-canary-affinity', object: { name: 'shop' }, field: `metadata.annotations["${NGINX}affinity"]` });
    expect(f.message).toContain('balancer.lua:195');
  });

  test('upstream-hash-by on the main Ingress has no finding: chash never keeps a request from the canary rules', () => {
    expect(checkManifests([ingress('shop', { annotations: { [`${NGINX}upstream-hash-by`]: '$remote_addr' } }), canary()])).toEqual([]);
  });

  test('affinity on a main Ingress without a canary has no finding', () => {
    expect(checkManifests([ingress('shop', { annotations: { [`${NGINX}affinity`]: 'cookie' } })])).toEqual([]);
  });
});

describe('Istio VirtualServices', () => {
  const to = (subset: string, weight?: number) => ({ destination: { host: 'shop', subset }, ...(weight === undefined ? {} : { weight }) });
  const rule = {
    apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'shop', namespace: 'shop' },
    spec: { host: 'shop.shop.svc.cluster.local', subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }] },
  };

  test('weights adding up to 100 to defined subsets have no finding', () => {
    expect(checkManifests([rule, virtualService([{ route: [to('v1', 90), to('v2', 10)] }])])).toEqual([]);
  });

  test('a destination without a weight beside a weighted one gets no request', () => {
    const [f] = checkManifests([rule, virtualService([{ route: [to('v1'), to('v2', 10)] }])]);
    expect(f).toMatchObject({ rule: 'istio-weights', object: { kind: 'VirtualService', name: 'shop' }, field: 'spec.http[0].route' });
    expect(f.message).toContain('a destination has no weight');
    expect(f.message).toContain('the shares are shop (subset v1) 0%, shop (subset v2) 100% (shop (subset v1) without a weight gets no request)');
  });

  test('weights of another total, each written, are exact relative shares: no finding (the library writes 667 and 333 out of 1000)', () => {
    expect(checkManifests([rule, virtualService([{ route: [to('v1', 667), to('v2', 333)] }])])).toEqual([]);
    expect(checkManifests([rule, virtualService([{ route: [to('v1', 1000), to('v2', 0)] }])])).toEqual([]);
  });

  test('no destination with a weight above 0 is refused by Istio', () => {
    const [f] = checkManifests([rule, virtualService([{ route: [to('v1', 0), to('v2', 0)] }])]);
    expect(f.message).toContain('none has a weight: Istio refuses it');
  });

  test('a single destination\'s weight is ignored by Istio and has no finding', () => {
    expect(checkManifests([rule, virtualService([{ route: [to('v1', 10)] }])])).toEqual([]);
  });

  test('a subset no DestinationRule defines answers 503', () => {
    const [f] = checkManifests([rule, virtualService([{ route: [to('v1', 90), to('v3', 10)] }])]);
    expect(f).toMatchObject({ rule: 'istio-subset', field: 'spec.http[0].route[1].destination.subset' });
    expect(f.message).toContain('no DestinationRule of the manifests defines the subset "v3" of host shop.shop.svc.cluster.local');
  });

  test('a DestinationRule of another namespace\'s short host does not define the subset', () => {
    const elsewhere = { ...rule, metadata: { name: 'shop', namespace: 'other' }, spec: { ...rule.spec, host: 'shop' } };
    const [f] = checkManifests([elsewhere, virtualService([{ route: [to('v1', 100)] }])]);
    expect(f).toMatchObject({ rule: 'istio-subset', field: 'spec.http[0].route[0].destination.subset' });
  });
});

describe('Gateway API HTTPRoutes', () => {
  const backend = (name: string) => ({ name, port: 80 });

  test('a header match that repeats the route\'s path has no finding', () => {
    expect(checkManifests([httpRoute([
      { matches: [{ path: { type: 'PathPrefix', value: '/api' }, headers: [{ name: 'stage', value: 'gray' }] }], backendRefs: [backend('shop-canary')] },
      { matches: [{ path: { type: 'PathPrefix', value: '/api' } }], backendRefs: [backend('shop')] },
    ])])).toEqual([]);
  });

  test('a header match without the path the route\'s other rules serve matches every path', () => {
    const [f] = checkManifests([httpRoute([
      { matches: [{ headers: [{ name: 'stage', value: 'gray' }] }], backendRefs: [backend('shop-canary')] },
      { matches: [{ path: { type: 'PathPrefix', value: '/api' } }], backendRefs: [backend('shop')] },
    ])]);
    expect(f).toMatchObject({ rule: 'httproute-header-path', object: { kind: 'HTTPRoute', name: 'shop' }, field: 'spec.rules[0].matches[0].path' });
    expect(f.message).toContain('the route\'s other matches serve only PathPrefix "/api"');
  });

  test('header matches in a route that serves every path have no finding', () => {
    expect(checkManifests([httpRoute([
      { matches: [{ headers: [{ name: 'stage', value: 'gray' }] }], backendRefs: [backend('shop-canary')] },
      { matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [backend('shop')] },
    ])])).toEqual([]);
  });
});

describe('canary Services', () => {
  const v1 = deployment('shop-v1', { app: 'shop', version: 'v1' });
  const v2 = deployment('shop-v2', { app: 'shop', version: 'v2' });

  test('a canary Service selecting one version has no finding', () => {
    expect(checkManifests([v1, v2, service('shop', { app: 'shop', version: 'v1' }), service('shop-canary', { app: 'shop', version: 'v2' })])).toEqual([]);
  });

  test('a Service named <app>-canary selecting two versions spreads the canary\'s requests over both', () => {
    const [f] = checkManifests([v1, v2, service('shop-canary', { app: 'shop' })]);
    expect(f).toMatchObject({ rule: 'canary-service-versions', object: { kind: 'Service', namespace: 'shop', name: 'shop-canary' }, field: 'spec.selector' });
    expect(f.message).toContain('it is named "shop-canary"');
    expect(f.message).toContain('matches the pods of 2 versions: v1 (Deployment shop/shop-v1); v2 (Deployment shop/shop-v2)');
  });

  test('the Service of a canary Ingress selecting two versions is a canary Service', () => {
    const preview = service('shop-next', { app: 'shop' });
    const findings = checkManifests([v1, v2, main, ingress('shop-canary', { canary: true, service: 'shop-next' }), preview]);
    expect(findings.map((f) => [f.rule, f.object.name])).toEqual([['canary-service-versions', 'shop-next']]);
    expect(findings[0].message).toContain('the canary Ingress shop/shop-canary sends to it');
  });

  test('a canary Service selecting no workload of its namespace has no endpoints', () => {
    const [f] = checkManifests([v1, v2, service('shop-canary', { app: 'shop', version: 'v3' })]);
    expect(f).toMatchObject({ rule: 'canary-service-versions', field: 'spec.selector' });
    expect(f.message).toContain('matches the pods of no Deployment or Rollout of namespace shop');
  });

  test('a canary Service in a namespace without workloads in the manifests is left alone', () => {
    expect(checkManifests([service('shop-canary', { app: 'shop', version: 'v3' })])).toEqual([]);
  });

  test('a Rollout counts as a workload: one Rollout behind the canary Service has no finding', () => {
    const rollout = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: { name: 'shop', namespace: 'shop' }, spec: { template: { metadata: { labels: { app: 'shop', version: 'v2' } } } } };
    expect(checkManifests([rollout, service('shop', { app: 'shop' }), service('shop-canary', { app: 'shop' })])).toEqual([]);
  });
});

test('checks can be chosen by rule name', () => {
  const objects = [main, canary({ host: 'shop.example.org', annotations: { [`${NGINX}canary-weight`]: '150' } })];
  expect(checkManifests(objects).map((f) => f.rule)).toEqual(['nginx-canary-unmatched', 'nginx-canary-weight']);
  expect(checkManifests(objects, ['nginx-canary-weight']).map((f) => f.rule)).toEqual(['nginx-canary-weight']);
});

test('the library\'s own release at weightTotal 1000, with paths, sticky and a header rule, has no finding on any router', () => {
  for (const router of [
    TrafficRouter.istio({ hosts: ['a.example.com'], gateways: ['istio-system/public'], paths: [PathMatch.prefix('/api')] }),
    TrafficRouter.istio({ hosts: ['a.example.com'], gateways: ['istio-system/public'], subsets: true }),
    TrafficRouter.gatewayApi({ parentRefs: [{ name: 'public' }], hostnames: ['a.example.com'], paths: [PathMatch.prefix('/api'), PathMatch.exact('/healthz')] }),
  ]) {
    const chart = Testing.chart();
    new CanaryRelease(chart, 'myapp', {
      containerPort: 8080,
      router,
      stable: { version: 'v1', image: 'myapp:v1', replicas: 3 },
      canary: { version: 'v2', image: 'myapp:v2', traffic: { header: HeaderMatch.exact('stage', 'gray'), weight: 333, weightTotal: 1000, sticky: true } },
    });
    expect({ router: router.displayName, findings: checkManifests(chart.toJson()) }).toEqual({ router: router.displayName, findings: [] });
  }
});
