import { Testing } from 'cdk8s';
import { BlueGreenColor, BlueGreenRelease, BlueGreenReleaseProps, TrafficRouter } from '../../src';
import { K8sObject, find, objectIds, ofKind, podsSelectedBy, selectorAndPodLabelKeys, selectorLabelKeys, synthValid } from '../util';

const myapp = { containerPort: 80, servicePort: 8080 };
const v1 = { version: 'v1', image: 'myapp:v1', replicas: 2 };
const v2 = { version: 'v2', image: 'myapp:v2', replicas: 2 };

function synth(props: BlueGreenReleaseProps, id = 'myapp'): { release: BlueGreenRelease; manifests: K8sObject[] } {
  const chart = Testing.chart();
  const release = new BlueGreenRelease(chart, id, props);
  return { release, manifests: synthValid(chart) };
}

describe('BlueGreenRelease with TrafficRouter.service() (the default router)', () => {
  test('blue v1 active with a preview of green v2', () => {
    const { manifests } = synth({ ...myapp, blue: v1, green: v2, active: BlueGreenColor.BLUE });

    expect(objectIds(manifests)).toEqual(['Deployment/myapp-v1', 'Deployment/myapp-v2', 'PodDisruptionBudget/myapp-v1', 'PodDisruptionBudget/myapp-v2', 'Service/myapp', 'Service/myapp-preview']);
    expect(podsSelectedBy(find(manifests, 'Service', 'myapp'), manifests)).toEqual(['myapp-v1']);
    expect(podsSelectedBy(find(manifests, 'Service', 'myapp-preview'), manifests)).toEqual(['myapp-v2']);
    expect(find(manifests, 'Service', 'myapp').spec.ports).toEqual([{ name: 'http', port: 8080, targetPort: 80 }]);
    expect(find(manifests, 'Service', 'myapp-preview').spec.ports).toEqual([{ name: 'http', port: 8080, targetPort: 80 }]);
    expect(selectorAndPodLabelKeys(manifests)).toEqual(['app', 'app.kubernetes.io/name', 'app.kubernetes.io/version', 'version']);
    expect(selectorLabelKeys(manifests)).toEqual(['app', 'version']);
    // Both colors run their own replicas: the preview is a full copy, ready to take every request.
    expect(ofKind(manifests, 'Deployment').map((d) => [d.metadata.name, d.spec.replicas])).toEqual([['myapp-v1', 2], ['myapp-v2', 2]]);
  });

  test('green active: <name> selects green, the preview selects blue', () => {
    const { manifests } = synth({ ...myapp, blue: v1, green: v2, active: BlueGreenColor.GREEN });

    expect(podsSelectedBy(find(manifests, 'Service', 'myapp'), manifests)).toEqual(['myapp-v2']);
    expect(podsSelectedBy(find(manifests, 'Service', 'myapp-preview'), manifests)).toEqual(['myapp-v1']);
  });

  test('the idle color absent (after cut-over): no preview Service', () => {
    const { release, manifests } = synth({ ...myapp, green: v2, active: BlueGreenColor.GREEN });

    expect(objectIds(manifests)).toEqual(['Deployment/myapp-v2', 'PodDisruptionBudget/myapp-v2', 'Service/myapp']);
    expect(release.previewService).toBeUndefined();
    expect(release.blueDeployment).toBeUndefined();
    expect(podsSelectedBy(find(manifests, 'Service', 'myapp'), manifests)).toEqual(['myapp-v2']);
  });

  test('preview: false leaves out the preview Service', () => {
    const { release, manifests } = synth({ ...myapp, blue: v1, green: v2, active: BlueGreenColor.BLUE, preview: false });

    expect(objectIds(manifests)).toEqual(['Deployment/myapp-v1', 'Deployment/myapp-v2', 'PodDisruptionBudget/myapp-v1', 'PodDisruptionBudget/myapp-v2', 'Service/myapp']);
    expect(release.previewService).toBeUndefined();
  });

  test('the construct exposes its cdk8s-plus objects', () => {
    const { release } = synth({ ...myapp, blue: v1, green: v2, active: BlueGreenColor.BLUE });

    expect(release.name).toBe('myapp');
    expect(release.blueDeployment?.name).toBe('myapp-v1');
    expect(release.greenDeployment?.name).toBe('myapp-v2');
    expect(release.activeService.name).toBe('myapp');
    expect(release.previewService?.name).toBe('myapp-preview');
  });
});

describe('BlueGreenRelease with TrafficRouter.nginx()', () => {
  test('without previewHost: one Ingress <name> to the active Service', () => {
    const { manifests } = synth({ ...myapp, blue: v1, green: v2, active: BlueGreenColor.BLUE, router: TrafficRouter.nginx({ host: 'myapp.example.com' }) });

    expect(objectIds(manifests)).toEqual(['Deployment/myapp-v1', 'Deployment/myapp-v2', 'PodDisruptionBudget/myapp-v1', 'PodDisruptionBudget/myapp-v2', 'Service/myapp', 'Service/myapp-preview', 'Ingress/myapp']);
    const ingress = find(manifests, 'Ingress', 'myapp');
    expect(ingress.spec.ingressClassName).toBe('nginx');
    expect(ingress.spec.rules).toEqual([{
      host: 'myapp.example.com',
      http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'myapp', port: { number: 8080 } } } }] },
    }]);
    expect(ingress.spec.tls).toBeUndefined();
    expect(ingress.metadata.annotations).toBeUndefined();
    // The preview Service is there for in-cluster checks of the idle color, without an Ingress of its own.
    expect(podsSelectedBy(find(manifests, 'Service', 'myapp'), manifests)).toEqual(['myapp-v1']);
    expect(podsSelectedBy(find(manifests, 'Service', 'myapp-preview'), manifests)).toEqual(['myapp-v2']);
  });

  test('with previewHost: Ingress <name>-preview at that host to the preview Service, no TLS of its own', () => {
    const { manifests } = synth({
      ...myapp,
      blue: v1,
      green: v2,
      active: BlueGreenColor.BLUE,
      previewHost: 'preview.myapp.example.com',
      router: TrafficRouter.nginx({ host: 'myapp.example.com', path: '/shop', ingressClassName: 'public', tlsSecretName: 'myapp-tls' }),
    });

    expect(objectIds(manifests)).toEqual([
      'Deployment/myapp-v1', 'Deployment/myapp-v2', 'PodDisruptionBudget/myapp-v1', 'PodDisruptionBudget/myapp-v2', 'Service/myapp', 'Service/myapp-preview', 'Ingress/myapp', 'Ingress/myapp-preview',
    ]);
    const main = find(manifests, 'Ingress', 'myapp');
    const preview = find(manifests, 'Ingress', 'myapp-preview');
    expect(main.spec.tls).toEqual([{ hosts: ['myapp.example.com'], secretName: 'myapp-tls' }]);
    expect(preview.spec.tls).toBeUndefined();
    expect(preview.spec.ingressClassName).toBe('public');
    expect(preview.spec.rules).toEqual([{
      host: 'preview.myapp.example.com',
      http: { paths: [{ path: '/shop', pathType: 'Prefix', backend: { service: { name: 'myapp-preview', port: { number: 8080 } } } }] },
    }]);
    expect(preview.metadata.annotations?.['nginx.ingress.kubernetes.io/canary']).toBeUndefined();
    expect(podsSelectedBy(find(manifests, 'Service', 'myapp-preview'), manifests)).toEqual(['myapp-v2']);
    expect(main.spec.ingressClassName).toBe('public');
    expect(main.spec.rules).toEqual([{
      host: 'myapp.example.com',
      http: { paths: [{ path: '/shop', pathType: 'Prefix', backend: { service: { name: 'myapp', port: { number: 8080 } } } }] },
    }]);
    expect(podsSelectedBy(find(manifests, 'Service', 'myapp'), manifests)).toEqual(['myapp-v1']);
  });
});

describe('cut-over', () => {
  const router = (): TrafficRouter => TrafficRouter.nginx({ host: 'myapp.example.com' });

  test('active BLUE -> GREEN: the Deployments and Ingresses are byte-identical, only the Service selectors change', () => {
    const before = synth({ ...myapp, blue: v1, green: v2, active: BlueGreenColor.BLUE, previewHost: 'preview.example.com', router: router() });
    const after = synth({ ...myapp, blue: v1, green: v2, active: BlueGreenColor.GREEN, previewHost: 'preview.example.com', router: router() });

    expect(objectIds(after.manifests)).toEqual(objectIds(before.manifests));
    for (const name of ['myapp-v1', 'myapp-v2']) {
      expect(JSON.stringify(find(after.manifests, 'Deployment', name))).toBe(JSON.stringify(find(before.manifests, 'Deployment', name)));
    }
    for (const name of ['myapp', 'myapp-preview']) {
      expect(JSON.stringify(find(after.manifests, 'Ingress', name))).toBe(JSON.stringify(find(before.manifests, 'Ingress', name)));
    }
    // Everything else identical: the two Services differ in their selector only.
    for (const name of ['myapp', 'myapp-preview']) {
      const b = find(before.manifests, 'Service', name);
      const a = find(after.manifests, 'Service', name);
      expect({ ...a, spec: { ...a.spec, selector: undefined } }).toEqual({ ...b, spec: { ...b.spec, selector: undefined } });
    }
    expect(podsSelectedBy(find(before.manifests, 'Service', 'myapp'), before.manifests)).toEqual(['myapp-v1']);
    expect(podsSelectedBy(find(after.manifests, 'Service', 'myapp'), after.manifests)).toEqual(['myapp-v2']);
    expect(podsSelectedBy(find(after.manifests, 'Service', 'myapp-preview'), after.manifests)).toEqual(['myapp-v1']);
  });

  test('dropping the idle blue after cut-over keeps the green Deployment byte-identical', () => {
    const cutOver = synth({ ...myapp, blue: v1, green: v2, active: BlueGreenColor.GREEN, router: router() });
    const cleanedUp = synth({ ...myapp, green: v2, active: BlueGreenColor.GREEN, router: router() });

    expect(JSON.stringify(find(cleanedUp.manifests, 'Deployment', 'myapp-v2'))).toBe(JSON.stringify(find(cutOver.manifests, 'Deployment', 'myapp-v2')));
    expect(JSON.stringify(find(cleanedUp.manifests, 'Service', 'myapp'))).toBe(JSON.stringify(find(cutOver.manifests, 'Service', 'myapp')));
    expect(ofKind(cleanedUp.manifests, 'Deployment').map((d) => d.metadata.name)).toEqual(['myapp-v2']);
    expect(objectIds(cleanedUp.manifests)).toEqual(['Deployment/myapp-v2', 'PodDisruptionBudget/myapp-v2', 'Service/myapp', 'Ingress/myapp']);
  });

  test('a version keeps its construct path whichever color is active', () => {
    const before = synth({ ...myapp, blue: v1, green: v2, active: BlueGreenColor.BLUE });
    const after = synth({ ...myapp, green: v2, active: BlueGreenColor.GREEN });

    expect(after.release.greenDeployment!.node.path).toBe(before.release.greenDeployment!.node.path);
  });
});

describe('BlueGreenRelease bad input', () => {
  test('throws when active names an absent color', () => {
    expect(() => synth({ ...myapp, green: v2, active: BlueGreenColor.BLUE }))
      .toThrow("BlueGreenRelease 'myapp': active (\"blue\") names an absent color: give blue a track, or make the present color active");
  });

  test('throws when active is not a BlueGreenColor', () => {
    expect(() => synth({ ...myapp, blue: v1, active: 'BLUE' as BlueGreenColor }))
      .toThrow("BlueGreenRelease 'myapp': active (\"BLUE\") must be BlueGreenColor.BLUE or BlueGreenColor.GREEN");
  });

  test('throws when both colors have the same version', () => {
    expect(() => synth({ ...myapp, blue: v1, green: { ...v2, version: 'v1' }, active: BlueGreenColor.BLUE }))
      .toThrow('green.version ("v1") must differ from blue.version ("v1")');
  });

  test("throws when both colors have the same <v> ('1.0' vs '1-0')", () => {
    expect(() => synth({ ...myapp, blue: { ...v1, version: '1.0' }, green: { ...v2, version: '1-0' }, active: BlueGreenColor.BLUE }))
      .toThrow('green.version ("1-0") must differ from blue.version ("1.0"): both would be the Deployment "myapp-1-0"');
  });

  test('throws when previewHost is given with TrafficRouter.service()', () => {
    expect(() => synth({ ...myapp, blue: v1, green: v2, active: BlueGreenColor.BLUE, previewHost: 'preview.example.com' }))
      .toThrow("BlueGreenRelease 'myapp': previewHost (\"preview.example.com\") needs a router that serves hosts");
  });

  test('throws when previewHost is given with preview: false', () => {
    expect(() => synth({ ...myapp, blue: v1, green: v2, active: BlueGreenColor.BLUE, preview: false, previewHost: 'preview.example.com', router: TrafficRouter.nginx() }))
      .toThrow('previewHost ("preview.example.com") needs the preview Service: remove previewHost or set preview to true');
  });

  test('throws when previewHost is given and the idle color is absent', () => {
    expect(() => synth({ ...myapp, green: v2, active: BlueGreenColor.GREEN, previewHost: 'preview.example.com', router: TrafficRouter.nginx() }))
      .toThrow('previewHost ("preview.example.com") has nothing to preview: the idle color (blue) is absent');
  });

  test.each(['Preview.example.com', 'preview_example.com', 'https://preview.example.com', 'preview.example.com.', '*'])('throws when previewHost is not a DNS subdomain: %p', (previewHost) => {
    expect(() => synth({ ...myapp, blue: v1, green: v2, active: BlueGreenColor.BLUE, previewHost, router: TrafficRouter.nginx() }))
      .toThrow(`BlueGreenRelease 'myapp': previewHost (${JSON.stringify(previewHost)}) must be a DNS subdomain`);
  });
});

describe('previewHost must be a host of its own', () => {
  const base = { containerPort: 80, blue: { version: 'v1', image: 'a:1' }, green: { version: 'v2', image: 'a:2' }, active: BlueGreenColor.BLUE, previewHost: 'myapp.com' };
  test('throws when it is the nginx router\'s host', () => {
    expect(() => new BlueGreenRelease(Testing.chart(), 'myapp', { ...base, router: TrafficRouter.nginx({ host: 'myapp.com' }) })).toThrow(
      'BlueGreenRelease \'myapp\': previewHost ("myapp.com") must differ from the router\'s host');
  });
  test('throws when it is one of the Istio hosts', () => {
    expect(() => new BlueGreenRelease(Testing.chart(), 'myapp', { ...base, router: TrafficRouter.istio({ hosts: ['myapp.com'] }) })).toThrow(
      'BlueGreenRelease \'myapp\': previewHost ("myapp.com") must not be one of the router\'s hosts');
  });
  test('throws when it is one of the Gateway API hostnames', () => {
    expect(() => new BlueGreenRelease(Testing.chart(), 'myapp', { ...base, router: TrafficRouter.gatewayApi({ parentRefs: [{ name: 'gw' }], hostnames: ['myapp.com'] }) })).toThrow(
      'BlueGreenRelease \'myapp\': previewHost ("myapp.com") must not be one of the router\'s hostnames');
  });
});
