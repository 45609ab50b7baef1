/** Several releases in one chart and namespace compose; two objects of one kind and name do not. */
import { App, Chart, Testing } from 'cdk8s';
import { BlueGreenColor, BlueGreenRelease, CanaryRelease, HeaderMatch, TrafficRouter } from '../../src';
import { find, objectIds, ofKind, podsSelectedBy, synthValid } from '../util';

const port = { containerPort: 80 };
const track = (version: string, app = 'myapp') => ({ version, image: `${app}:${version}` });

test('several releases with different names compose in one chart and pass the schemas', () => {
  const chart = Testing.chart();
  new CanaryRelease(chart, 'myapp', {
    ...port,
    stable: track('v1'),
    canary: { ...track('v2'), traffic: { header: HeaderMatch.exact('name', 'huazi'), weight: 10 } },
    router: TrafficRouter.nginx({ host: 'myapp.example.com' }),
  });
  new CanaryRelease(chart, 'cart', { ...port, stable: track('1.4.2', 'cart'), canary: track('1.5.0', 'cart') });
  new BlueGreenRelease(chart, 'checkout', {
    ...port,
    blue: track('v7', 'checkout'),
    green: track('v8', 'checkout'),
    active: BlueGreenColor.GREEN,
    previewHost: 'preview.checkout.example.com',
    router: TrafficRouter.nginx({ host: 'checkout.example.com' }),
  });
  new BlueGreenRelease(chart, 'search', { ...port, blue: track('v1', 'search'), active: BlueGreenColor.BLUE });
  const manifests = synthValid(chart);

  expect(objectIds(manifests)).toEqual([
    'Deployment/myapp-v1', 'Deployment/myapp-v2', 'PodDisruptionBudget/myapp-v1', 'PodDisruptionBudget/myapp-v2', 'Service/myapp', 'Service/myapp-canary', 'Ingress/myapp', 'Ingress/myapp-canary',
    'Deployment/cart-1-4-2', 'Deployment/cart-1-5-0', 'PodDisruptionBudget/cart-1-4-2', 'PodDisruptionBudget/cart-1-5-0', 'Service/cart', 'Service/cart-canary',
    'Deployment/checkout-v7', 'Deployment/checkout-v8', 'PodDisruptionBudget/checkout-v7', 'PodDisruptionBudget/checkout-v8', 'Service/checkout', 'Service/checkout-preview', 'Ingress/checkout', 'Ingress/checkout-preview',
    'Deployment/search-v1', 'PodDisruptionBudget/search-v1', 'Service/search',
  ]);
  // Each Service selects its own app's pods only, although versions repeat across apps.
  expect(podsSelectedBy(find(manifests, 'Service', 'myapp'), manifests)).toEqual(['myapp-v1']);
  expect(podsSelectedBy(find(manifests, 'Service', 'myapp-canary'), manifests)).toEqual(['myapp-v2']);
  expect(podsSelectedBy(find(manifests, 'Service', 'cart'), manifests)).toEqual(['cart-1-4-2', 'cart-1-5-0']);
  expect(podsSelectedBy(find(manifests, 'Service', 'checkout'), manifests)).toEqual(['checkout-v8']);
  expect(podsSelectedBy(find(manifests, 'Service', 'checkout-preview'), manifests)).toEqual(['checkout-v7']);
  expect(podsSelectedBy(find(manifests, 'Service', 'search'), manifests)).toEqual(['search-v1']);
  // Each Ingress serves its own release's host and sends to its own release's Service, on its port (containerPort, as servicePort is not given).
  expect(ofKind(manifests, 'Ingress').map((i) => [i.metadata.name, i.spec.rules[0].host, i.spec.rules[0].http.paths[0].backend.service])).toEqual([
    ['myapp', 'myapp.example.com', { name: 'myapp', port: { number: 80 } }],
    ['myapp-canary', 'myapp.example.com', { name: 'myapp-canary', port: { number: 80 } }],
    ['checkout', 'checkout.example.com', { name: 'checkout', port: { number: 80 } }],
    ['checkout-preview', 'preview.checkout.example.com', { name: 'checkout-preview', port: { number: 80 } }],
  ]);
  // Each app's objects carry its own app label.
  for (const o of manifests) expect([o.kind, o.metadata.name, o.metadata.labels?.app]).toEqual([o.kind, o.metadata.name, o.metadata.name.split('-')[0]]);
});

test('the same release name in two namespaces is fine', () => {
  const app = Testing.app();
  const staging = new Chart(app, 'staging', { namespace: 'staging' });
  const production = new Chart(app, 'production', { namespace: 'production' });
  new CanaryRelease(staging, 'myapp', { ...port, stable: track('v1') });
  new CanaryRelease(production, 'myapp', { ...port, stable: track('v1') });

  expect(synthValid(staging).map((o) => `${o.metadata.namespace}/${o.kind}/${o.metadata.name}`)).toEqual(['staging/Deployment/myapp-v1', 'staging/PodDisruptionBudget/myapp-v1', 'staging/Service/myapp']);
  expect(synthValid(production).map((o) => `${o.metadata.namespace}/${o.kind}/${o.metadata.name}`)).toEqual(['production/Deployment/myapp-v1', 'production/PodDisruptionBudget/myapp-v1', 'production/Service/myapp']);
});

test('the same name in two apps is fine (each app is its own output)', () => {
  for (let i = 0; i < 2; i++) {
    const chart = new Chart(new App(), 'shop');
    expect(() => new CanaryRelease(chart, 'myapp', { ...port, stable: track('v1') })).not.toThrow();
  }
});

describe('collisions', () => {
  test('throws when two releases in one chart have the same name, naming both', () => {
    const chart = Testing.chart();
    new CanaryRelease(chart, 'first', { ...port, name: 'myapp', stable: track('v1') });

    expect(() => new CanaryRelease(chart, 'second', { ...port, name: 'myapp', stable: track('v2') }))
      .toThrow("CanaryRelease 'second': Service \"myapp\" in the chart's namespace is also emitted by CanaryRelease 'first' (test/first); two objects of one kind cannot share a name in a namespace");
  });

  test("throws when a release's canary Service is another release's Service", () => {
    const chart = Testing.chart();
    new CanaryRelease(chart, 'myapp', { ...port, stable: track('v1'), canary: track('v2') });

    expect(() => new CanaryRelease(chart, 'myapp-canary', { ...port, stable: track('v1') }))
      .toThrow("CanaryRelease 'myapp-canary': Service \"myapp-canary\" in the chart's namespace is also emitted by CanaryRelease 'myapp' (test/myapp)");
  });

  test('throws when a canary and a blue-green release share a name: the Deployment collides first', () => {
    const chart = Testing.chart();
    new CanaryRelease(chart, 'shop', { ...port, stable: track('v1') });

    expect(() => new BlueGreenRelease(chart, 'shop-bg', { ...port, name: 'shop', blue: track('v1'), active: BlueGreenColor.BLUE }))
      .toThrow("BlueGreenRelease 'shop-bg': Deployment \"shop-v1\" in the chart's namespace is also emitted by CanaryRelease 'shop' (test/shop)");
  });

  test('throws when two charts of one app put same-named objects in one namespace', () => {
    const app = Testing.app();
    new CanaryRelease(new Chart(app, 'a', { namespace: 'shop' }), 'myapp', { ...port, stable: track('v1') });

    expect(() => new CanaryRelease(new Chart(app, 'b', { namespace: 'shop' }), 'myapp', { ...port, stable: track('v1') }))
      .toThrow("CanaryRelease 'myapp': Deployment \"myapp-v1\" in namespace \"shop\" is also emitted by CanaryRelease 'myapp' (a/myapp)");
  });

  test('objects of different kinds may share a name: a version called "canary" is fine', () => {
    const chart = Testing.chart();
    new CanaryRelease(chart, 'myapp', { ...port, stable: track('canary'), canary: track('v2'), router: TrafficRouter.nginx() });

    const ids = objectIds(synthValid(chart));
    expect(ids).toContain('Deployment/myapp-canary');
    expect(ids).toContain('Service/myapp-canary');
    expect(ids).toContain('Ingress/myapp-canary');
  });
});
