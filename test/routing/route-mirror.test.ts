/**
 * canary.traffic.mirror under plain manifests: the weighted rule (requests no header or cookie
 * rule took) copies a percentage of its requests to the canary, whose responses are discarded.
 * Istio renders `mirror` + `mirrorPercentage`, Gateway API a `RequestMirror` filter with
 * `percent`; ingress-nginx and TrafficRouter.service() refuse. The simulator shows where each
 * kind of request is served and where it is copied.
 */
import { Chart, Testing } from 'cdk8s';
import { CanaryRelease, CanaryReleaseProps, CanaryStep, CanaryTraffic, HeaderMatch, TrafficRouter } from '../../src';
import { mirrorGatewayApi, routeGatewayApi } from '../../src/testing/simulate-gateway-api';
import { mirrorIstio, routeIstio } from '../../src/testing/simulate-istio';
import { Manifest, SimRequest } from '../../src/testing/simulated-objects';
import { K8sObject, find, synthValid } from '../util';
import { RecordingRouter } from './recording-router';

const stable = { version: 'v1', image: 'myapp:v1', replicas: 3 };
const canaryTrack = { version: 'v2', image: 'myapp:v2', replicas: 1 };
const gatewayApi = () => TrafficRouter.gatewayApi({ parentRefs: [{ name: 'public', namespace: 'gateways' }], hostnames: ['myapp.com'] });

function release(router: TrafficRouter, traffic: CanaryTraffic, props: Partial<CanaryReleaseProps> = {}, chart: Chart = Testing.chart()): K8sObject[] {
  new CanaryRelease(chart, 'myapp', { containerPort: 80, servicePort: 8080, stable, canary: { ...canaryTrack, traffic }, router, ...props });
  return synthValid(chart);
}

const testers: CanaryTraffic = { header: HeaderMatch.exact('stage', 'gray'), cookie: 'canary', mirror: 25 };

describe('the routing model', () => {
  test('the weighted rule carries the mirror: the canary, at the given percentage; header and cookie rules carry none', () => {
    const router = new RecordingRouter();
    release(router, testers);
    const rules = router.routes!.main.rules;
    expect(rules.map((r) => [r.name, r.mirror?.backend.serviceName, r.mirror?.percent])).toEqual([
      ['canary-by-header', undefined, undefined],
      ['canary-by-cookie', undefined, undefined],
      ['stable-by-cookie', undefined, undefined],
      ['weighted', 'myapp-canary', 25],
    ]);
  });

  test('without mirror no rule carries one', () => {
    const router = new RecordingRouter();
    release(router, { weight: 10 });
    expect(router.routes!.main.rules.every((r) => r.mirror === undefined)).toBe(true);
  });
});

describe('Istio', () => {
  test('the weighted http route mirrors to the canary\'s Service and port at mirrorPercentage; the others do not', () => {
    const http = find(release(TrafficRouter.istio(), testers), 'VirtualService', 'myapp').spec.http;
    expect(http.map((h: any) => [h.name, h.mirror, h.mirrorPercentage])).toEqual([
      ['canary-by-header', undefined, undefined],
      ['canary-by-cookie', undefined, undefined],
      ['stable-by-cookie', undefined, undefined],
      ['weighted', { host: 'myapp-canary', port: { number: 8080 } }, { value: 25 }],
    ]);
    expect(http[3].route.map((r: any) => [r.destination.host, r.weight])).toEqual([['myapp', 100], ['myapp-canary', 0]]);
  });

  test('by subset, the mirror is the canary subset of <name>', () => {
    const http = find(release(TrafficRouter.istio({ subsets: true }), { mirror: 100 }), 'VirtualService', 'myapp').spec.http;
    expect(http[0].mirror).toEqual({ host: 'myapp', subset: 'v2', port: { number: 8080 } });
    expect(http[0].mirrorPercentage).toEqual({ value: 100 });
  });

  test('the whole mirrored VirtualService', () => {
    expect(find(release(TrafficRouter.istio({ hosts: ['myapp.com'], gateways: ['istio-system/public'] }), testers), 'VirtualService', 'myapp')).toMatchSnapshot();
  });
});

describe('Gateway API', () => {
  test('the weighted rule has a RequestMirror filter to the canary\'s Service and port with percent; the others have no filter', () => {
    const rules = find(release(gatewayApi(), testers), 'HTTPRoute', 'myapp').spec.rules;
    expect(rules.map((r: any) => [r.name, r.filters])).toEqual([
      ['canary-by-header', undefined],
      ['canary-by-cookie', undefined],
      ['stable-by-cookie', undefined],
      ['weighted', [{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'myapp-canary', port: 8080 }, percent: 25 } }]],
    ]);
    expect(rules[3].backendRefs.map((r: any) => [r.name, r.weight])).toEqual([['myapp', 100], ['myapp-canary', 0]]);
  });

  test('the whole mirrored HTTPRoute', () => {
    expect(find(release(gatewayApi(), testers), 'HTTPRoute', 'myapp')).toMatchSnapshot();
  });
});

describe('where each kind of request is served, and where it is copied', () => {
  const simulators: Array<[string, () => TrafficRouter, (m: Manifest[], r: SimRequest) => [served: object, copied: object]]> = [
    ['istio by host', () => TrafficRouter.istio(), (m, r) => [routeIstio(m, 'myapp', r), mirrorIstio(m, 'myapp', r)]],
    ['istio by subset', () => TrafficRouter.istio({ subsets: true }), (m, r) => [routeIstio(m, 'myapp', r), mirrorIstio(m, 'myapp', r)]],
    ['gateway api', gatewayApi, (m, r) => [routeGatewayApi(m, 'myapp', r, 'full'), mirrorGatewayApi(m, 'myapp', r, 'full')]],
  ];
  describe.each(simulators)('%s', (_label, router, simulate) => {
    const manifests = release(router(), testers) as Manifest[];
    test('a plain request is served by stable, and 25% of such requests are copied to the canary', () => {
      expect(simulate(manifests, {})).toEqual([{ v1: 1, v2: 0 }, { v2: 0.25 }]);
    });
    test('a header request is served by the canary and not copied', () => {
      expect(simulate(manifests, { headers: { stage: 'gray' } })).toEqual([{ v2: 1 }, {}]);
    });
    test('cookie always is served by the canary and not copied', () => {
      expect(simulate(manifests, { cookies: [['canary', 'always']] })).toEqual([{ v2: 1 }, {}]);
    });
    test('cookie never is served by stable and not copied', () => {
      expect(simulate(manifests, { cookies: [['canary', 'never']] })).toEqual([{ v1: 1 }, {}]);
    });
  });

  test('without mirror no request is copied', () => {
    const manifests = release(TrafficRouter.istio(), { weight: 10 }) as Manifest[];
    expect(mirrorIstio(manifests, 'myapp', {})).toEqual({});
  });
});

describe('refusals', () => {
  test('throws when mirror is set with TrafficRouter.nginx(): no percentage, and it would copy the canary\'s requests too', () => {
    expect(() => release(TrafficRouter.nginx({ host: 'myapp.example.com' }), { mirror: 10 })).toThrow(
      "CanaryRelease 'myapp': canary.traffic.mirror (10) cannot be expressed with TrafficRouter.nginx(): ingress-nginx's mirror-target annotation copies every request of the location, "
      + "those its canary Ingress sends to the canary included, with no percentage (and a canary Ingress's own mirror annotations are ignored); mirror with TrafficRouter.istio() or TrafficRouter.gatewayApi()");
  });

  test('throws when mirror is set with TrafficRouter.service(): nothing routes requests', () => {
    expect(() => release(TrafficRouter.service(), { mirror: 10 })).toThrow(
      "CanaryRelease 'myapp': canary.traffic ({\"mirror\":10}) needs a router that steers requests (TrafficRouter.nginx(), .istio() or .gatewayApi()): with TrafficRouter.service() requests split by replica ratio only");
  });

  test('throws when a router of TrafficRouter.all cannot mirror, naming the member', () => {
    const set = TrafficRouter.all(TrafficRouter.nginx({ host: 'myapp.example.com' }), gatewayApi());
    expect(() => release(set, { mirror: 10 })).toThrow(
      /canary\.traffic\.mirror \(10\) cannot be expressed with TrafficRouter\.nginx\(\).* \(TrafficRouter\.nginx\(\), in TrafficRouter\.all\(TrafficRouter\.nginx\(\), TrafficRouter\.gatewayApi\(\)\): every router of the set must express the release\)$/);
  });

  test('TrafficRouter.all of Istio and Gateway API: both mirror the weighted rule', () => {
    const manifests = release(TrafficRouter.all(TrafficRouter.istio(), gatewayApi()), { mirror: 10 });
    expect(find(manifests, 'VirtualService', 'myapp').spec.http[0].mirrorPercentage).toEqual({ value: 10 });
    expect(find(manifests, 'HTTPRoute', 'myapp').spec.rules[0].filters[0].requestMirror.percent).toBe(10);
  });

  test('throws when the step reached has a weight above 0 (the canary would get copies of its own requests)', () => {
    expect(() => release(TrafficRouter.istio(), { mirror: 10 }, {
      canary: { ...canaryTrack, traffic: { mirror: 10 }, step: 1 },
      steps: [CanaryStep.pause(), CanaryStep.shiftTraffic(5)],
    })).toThrow("CanaryRelease 'myapp': canary.traffic.mirror (10) cannot be set at steps[1], whose weight is 5: a mirror copies every request of the weighted rule, "
      + 'so the canary would also get copies of the requests it already serves; mirror at a step of weight 0, then move on to a step with weight without mirror');
  });

  test('at a step of weight 0 the mirror is rendered', () => {
    const manifests = release(TrafficRouter.istio(), {}, {
      canary: { ...canaryTrack, traffic: { mirror: 10 }, step: 0 },
      steps: [CanaryStep.pause(), CanaryStep.shiftTraffic(5)],
    });
    expect(find(manifests, 'VirtualService', 'myapp').spec.http[0].mirrorPercentage).toEqual({ value: 10 });
  });

  test('throws when the canary has no pods to receive the copies', () => {
    expect(() => release(TrafficRouter.istio(), { mirror: 10 }, { canary: { ...canaryTrack, replicas: 0, traffic: { mirror: 10 } } })).toThrow(
      "CanaryRelease 'myapp': canary.replicas (0) must be at least 1 while the canary receives requests (copies of 10% of the weighted rule's requests (canary.traffic.mirror)): a version with no pods answers them with 503; leave the canary out, or give it pods and no traffic yet");
  });
});
