import { Testing } from 'cdk8s';
import { BlueGreenColor, BlueGreenRelease, CanaryRelease, CanaryReleaseProps, HeaderMatch, TrafficRouter } from '../../../src';
import { find, objectIds, ofKind, podsSelectedBy, synthValid } from '../../util';

const app = { containerPort: 80, servicePort: 8080 };
const v1 = { version: 'v1', image: 'myapp:v1', replicas: 3 };
const v2 = { version: 'v2', image: 'myapp:v2', replicas: 1 };
const gateway = TrafficRouter.gatewayApi({ parentRefs: [{ name: 'public', namespace: 'gateways', sectionName: 'https' }], hostnames: ['myapp.com'] });

function canary(props: Partial<CanaryReleaseProps>) {
  const chart = Testing.chart();
  new CanaryRelease(chart, 'myapp', { ...app, stable: v1, router: gateway, ...props });
  return synthValid(chart);
}

const PATH = { type: 'PathPrefix', value: '/' };

describe('TrafficRouter.gatewayApi() on a CanaryRelease', () => {
  test('a release for testers first: header, cookie always, cookie never, then 90/10, every rule on the same path', () => {
    const manifests = canary({ canary: { ...v2, traffic: { header: HeaderMatch.exact('stage', 'gray'), cookie: 'canary', weight: 10 } } });
    // The HTTPRoute is the point: header, then cookie always, cookie never, then the weights, in that order.
    expect(ofKind(manifests, 'HTTPRoute')).toMatchSnapshot();
    expect(objectIds(manifests)).toEqual(['Deployment/myapp-v1', 'Deployment/myapp-v2', 'PodDisruptionBudget/myapp-v1', 'PodDisruptionBudget/myapp-v2', 'Service/myapp', 'Service/myapp-canary', 'HTTPRoute/myapp']);
    const route = find(manifests, 'HTTPRoute', 'myapp');
    expect(route.apiVersion).toBe('gateway.networking.k8s.io/v1');
    expect(route.spec.parentRefs).toEqual([{ name: 'public', namespace: 'gateways', sectionName: 'https' }]);
    expect(route.spec.hostnames).toEqual(['myapp.com']);
    expect(route.spec.rules).toEqual([
      { name: 'canary-by-header', matches: [{ path: PATH, headers: [{ name: 'stage', type: 'Exact', value: 'gray' }] }], backendRefs: [{ name: 'myapp-canary', port: 8080 }] },
      { name: 'canary-by-cookie', matches: [{ path: PATH, headers: [{ name: 'Cookie', type: 'RegularExpression', value: '^(?:.*;\\s*)?canary=always(?:\\s*;.*)?$' }] }], backendRefs: [{ name: 'myapp-canary', port: 8080 }] },
      { name: 'stable-by-cookie', matches: [{ path: PATH, headers: [{ name: 'Cookie', type: 'RegularExpression', value: '^(?:.*;\\s*)?canary=never(?:\\s*;.*)?$' }] }], backendRefs: [{ name: 'myapp', port: 8080 }] },
      { name: 'weighted', matches: [{ path: PATH }], backendRefs: [{ name: 'myapp', port: 8080, weight: 90 }, { name: 'myapp-canary', port: 8080, weight: 10 }] },
    ]);
    const deployments = ofKind(manifests, 'Deployment');
    expect(podsSelectedBy(find(manifests, 'Service', 'myapp'), deployments)).toEqual(['myapp-v1']);
    expect(podsSelectedBy(find(manifests, 'Service', 'myapp-canary'), deployments)).toEqual(['myapp-v2']);
  });

  test('a custom path is repeated in every rule', () => {
    const manifests = canary({
      canary: { ...v2, traffic: { header: HeaderMatch.regex('x-beta', 'on|yes'), cookie: 'beta', weight: 1 } },
      router: TrafficRouter.gatewayApi({ parentRefs: [{ name: 'public' }], path: '/shop' }),
    });
    const route = find(manifests, 'HTTPRoute', 'myapp');
    expect(route.spec.rules.map((r: any) => r.matches[0].path)).toEqual(Array(4).fill({ type: 'PathPrefix', value: '/shop' }));
    expect(route.spec.rules[0].matches[0].headers).toEqual([{ name: 'x-beta', type: 'RegularExpression', value: '^(?:on|yes)$' }]);
    expect(route.spec.hostnames).toBeUndefined();
  });

  test('every Service backendRef carries its port', () => {
    const manifests = canary({ canary: { ...v2, traffic: { header: HeaderMatch.exact('a', 'b'), cookie: 'c', weight: 50 } } });
    const refs = find(manifests, 'HTTPRoute', 'myapp').spec.rules.flatMap((r: any) => r.backendRefs);
    expect(refs.length).toBe(5);
    for (const ref of refs) expect(ref.port).toBe(8080);
  });

  test('weights out of 1,000,000 stay exact', () => {
    const manifests = canary({ canary: { ...v2, traffic: { weight: 250_000, weightTotal: 1_000_000 } } });
    expect(find(manifests, 'HTTPRoute', 'myapp').spec.rules[0].backendRefs.map((r: any) => r.weight)).toEqual([750_000, 250_000]);
  });

  test('no canary: one rule to stable', () => {
    const manifests = canary({});
    expect(find(manifests, 'HTTPRoute', 'myapp').spec.rules).toEqual([{ name: 'stable', matches: [{ path: PATH }], backendRefs: [{ name: 'myapp', port: 8080 }] }]);
    expect(objectIds(manifests)).toEqual(['Deployment/myapp-v1', 'PodDisruptionBudget/myapp-v1', 'Service/myapp', 'HTTPRoute/myapp']);
    expect(podsSelectedBy(find(manifests, 'Service', 'myapp'), manifests)).toEqual(['myapp-v1']);
  });

  test('throws when parentRefs is empty', () => {
    expect(() => TrafficRouter.gatewayApi({ parentRefs: [] })).toThrow(
      'TrafficRouter.gatewayApi: options.parentRefs ([]) must list at least one Gateway');
  });

  test('throws when a parentRef is malformed', () => {
    expect(() => TrafficRouter.gatewayApi({ parentRefs: [{ name: 'Public' }] })).toThrow('TrafficRouter.gatewayApi: options.parentRefs[0].name ("Public") must be a DNS subdomain');
    expect(() => TrafficRouter.gatewayApi({ parentRefs: [{ name: 'public', namespace: 'a.b' }] })).toThrow('options.parentRefs[0].namespace ("a.b") must be a DNS-1123 label');
  });

  test('throws when a hostname is invalid', () => {
    expect(() => TrafficRouter.gatewayApi({ parentRefs: [{ name: 'gw' }], hostnames: ['Shop.example.com'] })).toThrow(
      'TrafficRouter.gatewayApi: options.hostnames[0] ("Shop.example.com") must be a DNS subdomain');
    expect(() => TrafficRouter.gatewayApi({ parentRefs: [{ name: 'gw' }], hostnames: ['10.0.0.1'] })).toThrow(
      'options.hostnames[0] ("10.0.0.1") must be a hostname, not an IP address');
    expect(() => TrafficRouter.gatewayApi({ parentRefs: [{ name: 'gw' }], hostnames: [] })).toThrow('must list 1 to 16 hostnames');
  });

  test('throws when the path is not a prefix path', () => {
    expect(() => TrafficRouter.gatewayApi({ parentRefs: [{ name: 'gw' }], path: 'shop' })).toThrow(
      'TrafficRouter.gatewayApi: options.path ("shop") must start with \'/\'');
  });
});

describe('TrafficRouter.gatewayApi() on a BlueGreenRelease', () => {
  function blueGreen(active: BlueGreenColor) {
    const chart = Testing.chart();
    new BlueGreenRelease(chart, 'myapp', { ...app, blue: v1, green: { ...v2, replicas: 3 }, active, previewHost: 'preview.myapp.com', router: gateway });
    return synthValid(chart);
  }

  test('HTTPRoute <name> to the active Service; <name>-preview at the preview host to the preview Service', () => {
    const manifests = blueGreen(BlueGreenColor.BLUE);
    const deployments = ofKind(manifests, 'Deployment');
    expect(find(manifests, 'HTTPRoute', 'myapp').spec.rules).toEqual([{ name: 'active', matches: [{ path: PATH }], backendRefs: [{ name: 'myapp', port: 8080 }] }]);
    const preview = find(manifests, 'HTTPRoute', 'myapp-preview');
    expect(preview.spec.hostnames).toEqual(['preview.myapp.com']);
    expect(preview.spec.parentRefs).toEqual([{ name: 'public', namespace: 'gateways', sectionName: 'https' }]);
    expect(preview.spec.rules[0].backendRefs).toEqual([{ name: 'myapp-preview', port: 8080 }]);
    expect(podsSelectedBy(find(manifests, 'Service', 'myapp'), deployments)).toEqual(['myapp-v1']);
    expect(podsSelectedBy(find(manifests, 'Service', 'myapp-preview'), deployments)).toEqual(['myapp-v2']);
    expect(objectIds(manifests)).toEqual(['Deployment/myapp-v1', 'Deployment/myapp-v2', 'PodDisruptionBudget/myapp-v1', 'PodDisruptionBudget/myapp-v2', 'Service/myapp', 'Service/myapp-preview', 'HTTPRoute/myapp', 'HTTPRoute/myapp-preview']);
    const main = find(manifests, 'HTTPRoute', 'myapp');
    expect([main.spec.hostnames, main.spec.parentRefs]).toEqual([['myapp.com'], [{ name: 'public', namespace: 'gateways', sectionName: 'https' }]]);
    expect(preview.spec.rules).toEqual([{ name: 'preview', matches: [{ path: PATH }], backendRefs: [{ name: 'myapp-preview', port: 8080 }] }]);
  });

  test('cut-over changes only the Services\' selectors; routes and Deployments stay', () => {
    const before = blueGreen(BlueGreenColor.BLUE);
    const after = blueGreen(BlueGreenColor.GREEN);
    const deployments = ofKind(after, 'Deployment');
    expect(podsSelectedBy(find(after, 'Service', 'myapp'), deployments)).toEqual(['myapp-v2']);
    expect(podsSelectedBy(find(after, 'Service', 'myapp-preview'), deployments)).toEqual(['myapp-v1']);
    for (const [kind, name] of [['HTTPRoute', 'myapp'], ['HTTPRoute', 'myapp-preview'], ['Deployment', 'myapp-v1'], ['Deployment', 'myapp-v2']]) {
      expect(JSON.stringify(find(after, kind, name))).toBe(JSON.stringify(find(before, kind, name)));
    }
  });
});
