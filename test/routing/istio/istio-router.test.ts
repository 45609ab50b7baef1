import { Testing } from 'cdk8s';
import { BlueGreenColor, BlueGreenRelease, CanaryRelease, CanaryReleaseProps, HeaderMatch, TrafficRouter } from '../../../src';
import { find, objectIds, ofKind, ofKinds, podsSelectedBy, synthValid } from '../../util';

const app = { containerPort: 80, servicePort: 8080 };
const v1 = { version: 'v1', image: 'myapp:v1', replicas: 3 };
const v2 = { version: 'v2', image: 'myapp:v2', replicas: 1 };

function canary(props: Partial<CanaryReleaseProps>) {
  const chart = Testing.chart();
  new CanaryRelease(chart, 'myapp', { ...app, stable: v1, ...props });
  return synthValid(chart);
}

describe('TrafficRouter.istio() on a CanaryRelease', () => {
  test('a weight canary: 90% to v1 and 10% to v2 at myapp.com, by DestinationRule subsets', () => {
    const manifests = canary({
      canary: { ...v2, traffic: { weight: 10 } },
      router: TrafficRouter.istio({ hosts: ['myapp.com'], gateways: ['istio-system/public'], subsets: true }),
    });
    expect(objectIds(manifests)).toEqual([
      'Deployment/myapp-v1', 'Deployment/myapp-v2', 'PodDisruptionBudget/myapp-v1', 'PodDisruptionBudget/myapp-v2', 'Service/myapp', 'Service/myapp-canary', 'VirtualService/myapp', 'DestinationRule/myapp',
    ]);
    const vs = find(manifests, 'VirtualService', 'myapp');
    expect(vs.apiVersion).toBe('networking.istio.io/v1');
    expect(vs.spec.hosts).toEqual(['myapp.com']);
    expect(vs.spec.gateways).toEqual(['istio-system/public']);
    expect(vs.spec.http).toEqual([{
      name: 'weighted',
      route: [
        { destination: { host: 'myapp', subset: 'v1', port: { number: 8080 } }, weight: 90 },
        { destination: { host: 'myapp', subset: 'v2', port: { number: 8080 } }, weight: 10 },
      ],
    }]);
    // With subsets, <name> selects every track; the subsets pick one track each.
    const deployments = ofKind(manifests, 'Deployment');
    expect(podsSelectedBy(find(manifests, 'Service', 'myapp'), deployments)).toEqual(['myapp-v1', 'myapp-v2']);
    expect(find(manifests, 'DestinationRule', 'myapp').spec).toEqual({
      host: 'myapp',
      subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }],
    });
    expect(podsSelectedBy(find(manifests, 'Service', 'myapp-canary'), deployments)).toEqual(['myapp-v2']);
  });

  test('with subsets, each subset selects exactly one track\'s pods', () => {
    const manifests = canary({ canary: { version: '2.0.1', image: 'myapp:2.0.1' }, router: TrafficRouter.istio({ subsets: true }) });
    const rule = find(manifests, 'DestinationRule', 'myapp');
    expect(rule.spec.host).toBe('myapp');
    expect(rule.spec.subsets.map((s: any) => s.name)).toEqual(['v1', '2-0-1']);
    const service = find(manifests, 'Service', 'myapp');
    const deployments = ofKind(manifests, 'Deployment');
    for (const subset of rule.spec.subsets) {
      const selected = podsSelectedBy({ ...service, spec: { ...service.spec, selector: { ...service.spec.selector, ...subset.labels } } }, deployments);
      expect({ subset: subset.name, selected }).toEqual({ subset: subset.name, selected: [`myapp-${subset.name}`] });
    }
  });

  test('by host (the default): routes to the Services <name> and <name>-canary, no DestinationRule', () => {
    const manifests = canary({
      canary: { ...v2, traffic: { header: HeaderMatch.exact('X-Canary', 'yes'), cookie: 'canary', weight: 5 } },
      router: TrafficRouter.istio(),
    });
    // The VirtualService is the point: header, then cookie always, cookie never, then the weights, in that order.
    expect(ofKind(manifests, 'VirtualService')).toMatchSnapshot();
    expect(ofKind(manifests, 'DestinationRule')).toEqual([]);
    const vs = find(manifests, 'VirtualService', 'myapp');
    expect(vs.spec.hosts).toEqual(['myapp']);
    expect(vs.spec.gateways).toBeUndefined();
    const deployments = ofKind(manifests, 'Deployment');
    expect(podsSelectedBy(find(manifests, 'Service', 'myapp'), deployments)).toEqual(['myapp-v1']);
    expect(podsSelectedBy(find(manifests, 'Service', 'myapp-canary'), deployments)).toEqual(['myapp-v2']);
    const [header, cookieAlways, cookieNever, weighted] = vs.spec.http;
    // Header names go to Istio in lowercase.
    expect(header.match).toEqual([{ headers: { 'x-canary': { exact: 'yes' } } }]);
    expect(header.route).toEqual([{ destination: { host: 'myapp-canary', port: { number: 8080 } } }]);
    expect(cookieAlways.match).toEqual([{ headers: { cookie: { regex: '^(?:.*;\\s*)?canary=always(?:\\s*;.*)?$' } } }]);
    expect(cookieAlways.route[0].destination.host).toBe('myapp-canary');
    expect(cookieNever.match).toEqual([{ headers: { cookie: { regex: '^(?:.*;\\s*)?canary=never(?:\\s*;.*)?$' } } }]);
    expect(cookieNever.route[0].destination.host).toBe('myapp');
    expect(weighted.route.map((r: any) => [r.destination.host, r.weight])).toEqual([['myapp', 95], ['myapp-canary', 5]]);
  });

  test('a regex header is anchored to the whole value', () => {
    const manifests = canary({ canary: { ...v2, traffic: { header: HeaderMatch.regex('User-Agent', '.*Android.*') } }, router: TrafficRouter.istio() });
    expect(find(manifests, 'VirtualService', 'myapp').spec.http[0].match).toEqual([{ headers: { 'user-agent': { regex: '^(?:.*Android.*)$' } } }]);
  });

  test('a cookie name with regex characters is escaped', () => {
    const manifests = canary({ canary: { ...v2, traffic: { cookie: 'canary.v2+beta' } }, router: TrafficRouter.istio() });
    expect(find(manifests, 'VirtualService', 'myapp').spec.http[0].match[0].headers.cookie.regex).toBe('^(?:.*;\\s*)?canary\\.v2\\+beta=always(?:\\s*;.*)?$');
  });

  test('weights are relative and exact out of a large weightTotal', () => {
    const manifests = canary({ canary: { ...v2, traffic: { weight: 1, weightTotal: 1_000_000 } }, router: TrafficRouter.istio() });
    expect(find(manifests, 'VirtualService', 'myapp').spec.http[0].route.map((r: any) => r.weight)).toEqual([999_999, 1]);
  });

  test('no canary: one route to stable, and the subset list has stable only', () => {
    const manifests = canary({ router: TrafficRouter.istio({ subsets: true }) });
    expect(find(manifests, 'VirtualService', 'myapp').spec.http).toEqual([
      { name: 'stable', route: [{ destination: { host: 'myapp', subset: 'v1', port: { number: 8080 } } }] },
    ]);
    expect(find(manifests, 'DestinationRule', 'myapp').spec.subsets).toEqual([{ name: 'v1', labels: { version: 'v1' } }]);
    expect(objectIds(manifests)).toEqual(['Deployment/myapp-v1', 'PodDisruptionBudget/myapp-v1', 'Service/myapp', 'VirtualService/myapp', 'DestinationRule/myapp']);
    expect(find(manifests, 'VirtualService', 'myapp').spec.hosts).toEqual(['myapp']);
    expect(find(manifests, 'DestinationRule', 'myapp').spec.host).toBe('myapp');
    // <name> selects the app, not the version: the subsets pick the track, and a canary added later joins it.
    expect(find(manifests, 'Service', 'myapp').spec.selector).toEqual({ app: 'myapp' });
  });

  test('metadata labels and annotations reach the VirtualService and DestinationRule', () => {
    const manifests = canary({ canary: v2, metadata: { labels: { team: 'shop' }, annotations: { owner: 'ops' } }, router: TrafficRouter.istio({ subsets: true }) });
    for (const obj of [find(manifests, 'VirtualService', 'myapp'), find(manifests, 'DestinationRule', 'myapp')]) {
      expect(obj.metadata.labels).toEqual({ team: 'shop', app: 'myapp' });
      expect(obj.metadata.annotations).toEqual({ owner: 'ops' });
    }
  });

  test('throws when bound to gateways without hosts', () => {
    expect(() => TrafficRouter.istio({ gateways: ['public'] })).toThrow(
      'TrafficRouter.istio: options.gateways (["public"]) needs options.hosts: a VirtualService bound to a gateway must list the external hosts it serves');
  });

  test('throws when a host is not a DNS name', () => {
    expect(() => TrafficRouter.istio({ hosts: ['My_App.com'] })).toThrow('TrafficRouter.istio: options.hosts[0] ("My_App.com") must be a DNS subdomain');
    expect(() => TrafficRouter.istio({ hosts: ['*'] })).toThrow('TrafficRouter.istio: options.hosts[0] ("*") must be a DNS subdomain');
    expect(() => TrafficRouter.istio({ hosts: [] })).toThrow('TrafficRouter.istio: options.hosts ([]) must be a non-empty list');
    expect(() => TrafficRouter.istio({ hosts: ['a.com', 'a.com'] })).toThrow('must not list "a.com" twice');
  });

  test('throws when a gateway reference is malformed', () => {
    expect(() => TrafficRouter.istio({ hosts: ['a.com'], gateways: ['istio-system/Public'] })).toThrow(
      'TrafficRouter.istio: options.gateways[0] ("istio-system/Public") must be \'mesh\', \'<name>\' or \'<namespace>/<name>\'');
  });

  test('throws when a header name is one Istio rejects', () => {
    expect(() => HeaderMatch.exact(':authority', 'x')).toThrow('HeaderMatch.exact: name (":authority") must be an HTTP header name of letters, digits and \'-\' only');
    expect(() => HeaderMatch.exact('x_canary', 'x')).toThrow('HeaderMatch.exact: name ("x_canary")');
  });

  test('throws when a regex is longer than Istio allows', () => {
    expect(() => HeaderMatch.regex('x', 'a'.repeat(1025))).toThrow('must be at most 1024 characters');
  });
});

describe('TrafficRouter.istio() on a BlueGreenRelease', () => {
  function blueGreen(active: BlueGreenColor, subsets: boolean) {
    const chart = Testing.chart();
    new BlueGreenRelease(chart, 'myapp', {
      ...app,
      blue: v1,
      green: { ...v2, replicas: 3 },
      active,
      previewHost: 'preview.myapp.com',
      router: TrafficRouter.istio({ hosts: ['myapp.com'], gateways: ['istio-system/public'], subsets }),
    });
    return synthValid(chart);
  }

  test('by host: VirtualService <name> to the active Service, <name>-preview to the preview Service', () => {
    const manifests = blueGreen(BlueGreenColor.BLUE, false);
    const deployments = ofKind(manifests, 'Deployment');
    const vs = find(manifests, 'VirtualService', 'myapp');
    expect(vs.spec.http).toEqual([{ name: 'active', route: [{ destination: { host: 'myapp', port: { number: 8080 } } }] }]);
    expect(podsSelectedBy(find(manifests, 'Service', 'myapp'), deployments)).toEqual(['myapp-v1']);
    const preview = find(manifests, 'VirtualService', 'myapp-preview');
    expect(preview.spec.hosts).toEqual(['preview.myapp.com']);
    expect(preview.spec.gateways).toEqual(['istio-system/public']);
    expect(preview.spec.http[0].route[0].destination.host).toBe('myapp-preview');
    expect(podsSelectedBy(find(manifests, 'Service', 'myapp-preview'), deployments)).toEqual(['myapp-v2']);
    expect(objectIds(manifests)).toEqual(['Deployment/myapp-v1', 'Deployment/myapp-v2', 'PodDisruptionBudget/myapp-v1', 'PodDisruptionBudget/myapp-v2', 'Service/myapp', 'Service/myapp-preview', 'VirtualService/myapp', 'VirtualService/myapp-preview']);
    expect([vs.spec.hosts, vs.spec.gateways]).toEqual([['myapp.com'], ['istio-system/public']]);
    expect(preview.spec.http).toEqual([{ name: 'preview', route: [{ destination: { host: 'myapp-preview', port: { number: 8080 } } }] }]);
  });

  test('by subset: cut-over changes only the subsets the routes name', () => {
    const before = blueGreen(BlueGreenColor.BLUE, true);
    const after = blueGreen(BlueGreenColor.GREEN, true);
    // The routes and the subsets after cut-over are the point.
    expect(ofKinds(after, 'VirtualService', 'DestinationRule')).toMatchSnapshot();
    expect(find(before, 'VirtualService', 'myapp').spec.http[0].route[0].destination.subset).toBe('v1');
    expect(find(after, 'VirtualService', 'myapp').spec.http[0].route[0].destination.subset).toBe('v2');
    expect(find(after, 'VirtualService', 'myapp-preview').spec.http[0].route[0].destination).toEqual({ host: 'myapp', subset: 'v1', port: { number: 8080 } });
    for (const name of ['myapp-v1', 'myapp-v2']) {
      expect(JSON.stringify(find(after, 'Deployment', name))).toBe(JSON.stringify(find(before, 'Deployment', name)));
    }
    expect(find(after, 'DestinationRule', 'myapp').spec.subsets.map((s: any) => s.name).sort()).toEqual(['v1', 'v2']);
    // With subsets <name> selects every track, whichever is active; the preview Service selects the idle color.
    const deployments = ofKind(after, 'Deployment');
    expect(podsSelectedBy(find(after, 'Service', 'myapp'), deployments)).toEqual(['myapp-v1', 'myapp-v2']);
    expect(podsSelectedBy(find(after, 'Service', 'myapp-preview'), deployments)).toEqual(['myapp-v1']);
    expect(find(after, 'VirtualService', 'myapp-preview').spec.hosts).toEqual(['preview.myapp.com']);
  });
});

describe('header names Istio does not match as headers', () => {
  test.each(['uri', 'Method', 'scheme', 'authority'])('throws when the header name is %s', (name) => {
    expect(() => canary({ canary: { ...v2, traffic: { header: HeaderMatch.exact(name, 'x') } }, router: TrafficRouter.istio() })).toThrow(
      `CanaryRelease 'myapp': canary.traffic.header name ("${name}") is not matched as a header by Istio`);
  });
});
