/** What both constructs share: metadata on every object, podMetadata on every pod, the service account. */
import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { BlueGreenColor, BlueGreenRelease, CanaryRelease, HeaderMatch, ReleaseOptions, TrafficRouter } from '../../src';
import { K8sObject, find, objectIds, ofKind, podsSelectedBy, synthValid } from '../util';

const myapp = { containerPort: 80, servicePort: 8080 };
const v1 = { version: 'v1', image: 'myapp:v1', replicas: 3 };
const v2 = { version: 'v2', image: 'myapp:v2', replicas: 1 };

const shared: Partial<ReleaseOptions> = {
  metadata: { labels: { team: 'shop', 'example.com/cost-center': 'web' }, annotations: { 'example.com/owner': 'shop@example.com' } },
  podMetadata: { labels: { tier: 'frontend' }, annotations: { 'sidecar.istio.io/inject': 'true' } },
};

/** Every object of a canary and a blue-green release, each with every optional object (nginx, preview). */
function everyObject(options: Partial<ReleaseOptions>, chart: Chart = Testing.chart()): K8sObject[] {
  new CanaryRelease(chart, 'myapp', {
    ...myapp,
    ...options,
    stable: v1,
    canary: { ...v2, traffic: { header: HeaderMatch.exact('stage', 'gray'), weight: 10 } },
    router: TrafficRouter.nginx({ host: 'myapp.example.com' }),
  });
  new BlueGreenRelease(chart, 'checkout', {
    ...myapp,
    ...options,
    blue: v1,
    green: v2,
    active: BlueGreenColor.BLUE,
    previewHost: 'preview.checkout.example.com',
    router: TrafficRouter.nginx({ host: 'checkout.example.com' }),
  });
  return synthValid(chart);
}

test('metadata labels and annotations are on every object', () => {
  const manifests = everyObject(shared);

  expect(objectIds(manifests)).toEqual([
    'Deployment/myapp-v1', 'Deployment/myapp-v2', 'PodDisruptionBudget/myapp-v1', 'PodDisruptionBudget/myapp-v2', 'Service/myapp', 'Service/myapp-canary', 'Ingress/myapp', 'Ingress/myapp-canary',
    'Deployment/checkout-v1', 'Deployment/checkout-v2', 'PodDisruptionBudget/checkout-v1', 'PodDisruptionBudget/checkout-v2', 'Service/checkout', 'Service/checkout-preview', 'Ingress/checkout', 'Ingress/checkout-preview',
  ]);
  for (const o of manifests) {
    expect(o.metadata.labels).toMatchObject({ 'team': 'shop', 'example.com/cost-center': 'web', 'app': o.metadata.name.startsWith('myapp') ? 'myapp' : 'checkout' });
    expect(o.metadata.annotations).toMatchObject({ 'example.com/owner': 'shop@example.com' });
  }
  // The canary annotations are still there, next to the user's.
  expect(find(manifests, 'Ingress', 'myapp-canary').metadata.annotations?.['nginx.ingress.kubernetes.io/canary-by-header']).toBe('stage');
  // Exactly: the user's labels, app, and on a Deployment or a PodDisruptionBudget its version; the user's annotations, and on the canary Ingress the canary ones.
  for (const o of manifests) {
    const app = o.metadata.name.startsWith('myapp') ? 'myapp' : 'checkout';
    const version = o.kind === 'Deployment' || o.kind === 'PodDisruptionBudget' ? { version: o.metadata.name.slice(app.length + 1) } : {};
    expect([o.kind, o.metadata.name, o.metadata.labels]).toEqual([o.kind, o.metadata.name, { 'team': 'shop', 'example.com/cost-center': 'web', app, ...version }]);
    const canary = o.kind === 'Ingress' && o.metadata.name === 'myapp-canary';
    const annotations = Object.keys(o.metadata.annotations ?? {}).filter((k) => !(canary && k.startsWith('nginx.ingress.kubernetes.io/canary')));
    expect([o.kind, o.metadata.name, annotations]).toEqual([o.kind, o.metadata.name, ['example.com/owner']]);
  }
});

test('metadata labels never reach a selector', () => {
  const manifests = everyObject(shared);

  for (const s of ofKind(manifests, 'Service')) expect(Object.keys(s.spec.selector).sort()).toEqual(s.spec.selector.version ? ['app', 'version'] : ['app']);
  for (const d of ofKind(manifests, 'Deployment')) expect(Object.keys(d.spec.selector.matchLabels).sort()).toEqual(['app', 'version']);
  for (const b of ofKind(manifests, 'PodDisruptionBudget')) expect(Object.keys(b.spec.selector.matchLabels).sort()).toEqual(['app', 'version']);
});

test('podMetadata labels and annotations are on every pod, and on nothing else', () => {
  const manifests = everyObject(shared);

  const deployments = ofKind(manifests, 'Deployment');
  expect(deployments).toHaveLength(4);
  for (const d of deployments) {
    expect(d.spec.template.metadata.labels).toMatchObject({ tier: 'frontend' });
    expect(d.spec.template.metadata.annotations).toEqual({ 'sidecar.istio.io/inject': 'true' });
  }
  for (const o of manifests) {
    expect(o.metadata.labels?.tier).toBeUndefined();
    expect(o.metadata.annotations?.['sidecar.istio.io/inject']).toBeUndefined();
  }
});

test('podMetadata labels do not change which pods each Service selects', () => {
  const manifests = everyObject(shared);

  expect(podsSelectedBy(find(manifests, 'Service', 'myapp'), manifests)).toEqual(['myapp-v1']);
  expect(podsSelectedBy(find(manifests, 'Service', 'myapp-canary'), manifests)).toEqual(['myapp-v2']);
  expect(podsSelectedBy(find(manifests, 'Service', 'checkout'), manifests)).toEqual(['checkout-v1']);
  expect(podsSelectedBy(find(manifests, 'Service', 'checkout-preview'), manifests)).toEqual(['checkout-v2']);
});

test('serviceAccount: every pod runs as it', () => {
  const chart = Testing.chart();
  const serviceAccount = new kplus.ServiceAccount(chart, 'sa', { metadata: { name: 'myapp' } });
  const manifests = everyObject({ serviceAccount }, chart);

  expect(objectIds(manifests)[0]).toBe('ServiceAccount/myapp');
  const deployments = ofKind(manifests, 'Deployment');
  expect(deployments).toHaveLength(4);
  for (const d of deployments) expect(d.spec.template.spec.serviceAccountName).toBe('myapp');
});

test('serviceAccount: an existing one, by name', () => {
  const chart = Testing.chart();
  const serviceAccount = kplus.ServiceAccount.fromServiceAccountName(chart, 'sa', 'payments-reader');
  const manifests = everyObject({ serviceAccount }, chart);

  expect(ofKind(manifests, 'ServiceAccount')).toEqual([]);
  for (const d of ofKind(manifests, 'Deployment')) expect(d.spec.template.spec.serviceAccountName).toBe('payments-reader');
});

test('without serviceAccount, pods use the namespace default and mount no token', () => {
  const manifests = everyObject({});

  for (const d of ofKind(manifests, 'Deployment')) {
    expect(d.spec.template.spec.serviceAccountName).toBeUndefined();
    expect(d.spec.template.spec.automountServiceAccountToken).toBe(false);
  }
});

test('every Service exposes servicePort as `http`, targeting containerPort', () => {
  const manifests = everyObject({});

  const services = ofKind(manifests, 'Service');
  expect(services).toHaveLength(4);
  for (const s of services) expect(s.spec.ports).toEqual([{ name: 'http', port: 8080, targetPort: 80 }]);
});

test('automountServiceAccountToken: true mounts the token, for an app that calls the Kubernetes API', () => {
  const chart = Testing.chart();
  const serviceAccount = kplus.ServiceAccount.fromServiceAccountName(chart, 'sa', 'operator');
  const manifests = everyObject({ serviceAccount, automountServiceAccountToken: true }, chart);

  for (const d of ofKind(manifests, 'Deployment')) expect(d.spec.template.spec.automountServiceAccountToken).toBe(true);
});

test('throws when automountServiceAccountToken is not a boolean', () => {
  const automountServiceAccountToken = 'yes' as unknown as boolean;
  expect(() => new CanaryRelease(Testing.chart(), 'myapp', { ...myapp, automountServiceAccountToken, stable: v1 }))
    .toThrow("CanaryRelease 'myapp': automountServiceAccountToken (\"yes\") must be true or false");
});
