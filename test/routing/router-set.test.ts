/**
 * TrafficRouter.all(...): one release rendered through several routers at once, for a
 * migration from ingress-nginx to Gateway API: each router emits exactly what it emits alone,
 * the same request lands on the same version through either, and a router of the set that
 * cannot express the release is named.
 */
import { Chart, Duration, Testing } from 'cdk8s';
import {
  BlueGreenColor, BlueGreenRelease, CanaryAnalysis, CanaryRelease, CanaryReleaseProps, CanaryStep, DeliveryEngine, HeaderMatch, TrafficRouter,
} from '../../src';
import { routeGatewayApi } from '../../src/testing/simulate-gateway-api';
import { routeNginx } from '../../src/testing/simulate-nginx';
import { SimRequest } from '../../src/testing/simulated-objects';
import { K8sObject, find, objectIds, ofKinds, synthValid } from '../util';

const nginx = () => TrafficRouter.nginx({ host: 'myapp.example.com' });
const gatewayApi = () => TrafficRouter.gatewayApi({ parentRefs: [{ name: 'public', namespace: 'gateways' }], hostnames: ['myapp.example.com'] });
const both = () => TrafficRouter.all(nginx(), gatewayApi());
const v1 = { version: 'v1', image: 'myapp:v1', replicas: 3 };
const v2 = { version: 'v2', image: 'myapp:v2', replicas: 1 };
const TESTERS = { header: HeaderMatch.exact('stage', 'gray'), cookie: 'canary', weight: 20 };

function canary(router: TrafficRouter, props: Partial<CanaryReleaseProps> = {}, chart: Chart = Testing.chart()): K8sObject[] {
  new CanaryRelease(chart, 'myapp', { containerPort: 80, router, stable: v1, canary: { ...v2, traffic: TESTERS }, ...props });
  return synthValid(chart);
}

const routing = (manifests: K8sObject[]) => ofKinds(manifests, 'Ingress', 'HTTPRoute');

describe('each router renders the whole release, as it would alone', () => {
  test('plain manifests: the Ingresses of nginx() and the HTTPRoute of gatewayApi(), each equal to what that router emits alone', () => {
    const manifests = canary(both());
    expect(objectIds(routing(manifests))).toEqual(['Ingress/myapp', 'Ingress/myapp-canary', 'HTTPRoute/myapp']);
    expect(ofKinds(manifests, 'Ingress')).toEqual(ofKinds(canary(nginx()), 'Ingress'));
    expect(ofKinds(manifests, 'HTTPRoute')).toEqual(ofKinds(canary(gatewayApi()), 'HTTPRoute'));
    expect(ofKinds(manifests, 'Deployment', 'Service')).toEqual(ofKinds(canary(nginx()), 'Deployment', 'Service'));
  });

  test.each<[string, SimRequest]>([
    ['the testers\' header', { headers: { stage: 'gray' } }],
    ['the cookie always', { cookies: [['canary', 'always']] }],
    ['the cookie never', { cookies: [['canary', 'never']] }],
    ['anyone else, by weight', {}],
    ['another header value', { headers: { stage: 'blue' } }],
  ])('%s lands on the same versions through ingress-nginx and through Gateway API', (_what, request) => {
    const manifests = canary(both());
    expect(routeGatewayApi(manifests, 'myapp', request, 'full')).toEqual(routeNginx(manifests, 'myapp', request));
  });

  test('the shares themselves: 20% by weight, the header to v2 only', () => {
    const manifests = canary(both());
    expect(routeGatewayApi(manifests, 'myapp', {}, 'full')).toEqual({ v1: 0.8, v2: 0.2 });
    expect(routeNginx(manifests, 'myapp', { headers: { stage: 'gray' } })).toEqual({ v2: 1 });
  });

  test('blue-green: both routers route the active color, and both expose the preview host', () => {
    const chart = Testing.chart();
    new BlueGreenRelease(chart, 'myapp', { containerPort: 80, router: both(), blue: v1, green: v2, active: BlueGreenColor.BLUE, previewHost: 'preview.myapp.example.com' });
    expect(objectIds(routing(synthValid(chart)))).toEqual(['Ingress/myapp', 'Ingress/myapp-preview', 'HTTPRoute/myapp', 'HTTPRoute/myapp-preview']);
  });

  test('dropping one line after the migration leaves the other router\'s objects unchanged', () => {
    expect(ofKinds(canary(both()), 'HTTPRoute')).toEqual(ofKinds(canary(gatewayApi()), 'HTTPRoute'));
  });
});

describe('under the rollout controllers', () => {
  const steps = [CanaryStep.shiftTraffic(10), CanaryStep.pause(Duration.minutes(10)), CanaryStep.shiftTraffic(100)];

  test('Argo Rollouts: the Rollout\'s trafficRouting names both providers, and Argo sets the weights of each', () => {
    const manifests = canary(both(), { engine: DeliveryEngine.argoRollouts(), steps, canary: { ...v2, traffic: { header: HeaderMatch.exact('stage', 'gray') } } });
    expect(find(manifests, 'Rollout', 'myapp').spec.strategy.canary.trafficRouting).toEqual({
      nginx: { stableIngress: 'myapp', additionalIngressAnnotations: { 'canary-by-header': 'stage', 'canary-by-header-value': 'gray' } },
      plugins: { 'argoproj-labs/gatewayAPI': { httpRoute: 'myapp' } },
    });
    expect(objectIds(routing(manifests))).toEqual(['Ingress/myapp', 'HTTPRoute/myapp']);
  });

  test('throws under Flagger for a canary: a Canary drives one provider', () => {
    expect(() => canary(both(), { engine: DeliveryEngine.flagger(), steps, canary: { version: 'v2', image: 'myapp:v2' } })).toThrow(
      'CanaryRelease \'myapp\': router ("TrafficRouter.all(TrafficRouter.nginx(), TrafficRouter.gatewayApi())") cannot run a canary under DeliveryEngine.flagger(): a Canary drives one provider (spec.provider)');
  });

  test('Flagger\'s blue-green routes to the Services Flagger generates, through both routers', () => {
    const chart = Testing.chart();
    new BlueGreenRelease(chart, 'myapp', { containerPort: 80, router: both(), engine: DeliveryEngine.flagger(), blue: v1, green: v2, active: BlueGreenColor.BLUE });
    expect(objectIds(routing(synthValid(chart)))).toEqual(['Ingress/myapp', 'HTTPRoute/myapp']);
  });
});

describe('what a set refuses', () => {
  test('throws naming the router of the set that cannot express the release', () => {
    const long = 'x'.repeat(4097);
    expect(() => canary(both(), { canary: { ...v2, traffic: { header: HeaderMatch.exact('stage', long) } } })).toThrow(
      / must be at most 4096 characters with TrafficRouter\.gatewayApi\(\) \(the HTTPRoute limit\) \(TrafficRouter\.gatewayApi\(\), in TrafficRouter\.all\(TrafficRouter\.nginx\(\), TrafficRouter\.gatewayApi\(\)\): every router of the set must express the release\)$/);
  });

  test('throws for an analysis without queries of its own: requests come through two routers', () => {
    expect(() => canary(both(), { analysis: CanaryAnalysis.prometheus({ address: 'http://prometheus:9090', maxErrorRate: 5 }) })).toThrow(
      'TrafficRouter.all(TrafficRouter.nginx(), TrafficRouter.gatewayApi()) exposes no per-version request metrics');
  });

  test.each<[string, () => TrafficRouter, string]>([
    ['one router', () => TrafficRouter.all(nginx()), 'TrafficRouter.all: routers ("[TrafficRouter.nginx()]") must be two or more routers'],
    ['service()', () => TrafficRouter.all(nginx(), TrafficRouter.service()), 'TrafficRouter.all: routers[1] ("TrafficRouter.service()") must steer requests and serve hosts'],
    ['Istio subsets', () => TrafficRouter.all(nginx(), TrafficRouter.istio({ subsets: true })), 'TrafficRouter.all: routers[1] ("TrafficRouter.istio({ subsets: true })") cannot share a release with other routers'],
    ['two of a kind', () => TrafficRouter.all(nginx(), TrafficRouter.nginx({ host: 'other.example.com' })), 'TrafficRouter.all: routers[1] ("TrafficRouter.nginx()") is the same kind as routers[0]'],
    ['a set in a set', () => TrafficRouter.all(nginx(), TrafficRouter.all(gatewayApi(), TrafficRouter.istio())), 'must not be a set itself'],
    ['not a router', () => TrafficRouter.all(nginx(), { host: 'x' } as any), 'TrafficRouter.all: routers[1] ({"host":"x"}) must be a TrafficRouter'],
  ])('throws for %s', (_what, make, message) => {
    expect(make).toThrow(message);
  });
});
