/**
 * TrafficRouter.gatewayApi() for a gRPC app (`appProtocol: AppProtocol.GRPC`): a GRPCRoute
 * (gateway.networking.k8s.io/v1) in place of the HTTPRoute, with the same rules and no path.
 * Every object is checked against the upstream CRD's schema (test/util.ts).
 */
import { Chart, Duration, Testing } from 'cdk8s';
import {
  AppProtocol, BlueGreenColor, BlueGreenRelease, CanaryRelease, CanaryReleaseProps, CanaryStep, DeliveryEngine,
  HeaderMatch, PathMatch, TrafficRouter,
} from '../../../src';
import { find, objectIds, ofKind, synthValid, validateObject } from '../../util';

const app = { containerPort: 50051, servicePort: 8080, appProtocol: AppProtocol.GRPC };
const v1 = { version: 'v1', image: 'greeter:v1', replicas: 3 };
const v2 = { version: 'v2', image: 'greeter:v2', replicas: 1 };
const gateway = (path?: string) => TrafficRouter.gatewayApi({ parentRefs: [{ name: 'public', namespace: 'gateways', sectionName: 'grpc' }], hostnames: ['greeter.example.com'], path });
const TESTERS = { header: HeaderMatch.exact('stage', 'gray'), cookie: 'canary' };
const PLAN = [CanaryStep.shiftTraffic(20), CanaryStep.pause(Duration.hours(1)), CanaryStep.shiftTraffic(100)];

function canary(props: Partial<CanaryReleaseProps>, chart: Chart = Testing.chart()) {
  new CanaryRelease(chart, 'greeter', { ...app, stable: v1, router: gateway(), ...props });
  return synthValid(chart);
}

describe('TrafficRouter.gatewayApi() for a gRPC release', () => {
  test('a GRPCRoute with the header rule, the cookie rules and the weights, and no HTTPRoute', () => {
    const manifests = canary({ canary: { ...v2, traffic: { ...TESTERS, weight: 10 } } });
    // The GRPCRoute is the point: header, cookie always, cookie never, then 90/10, in that order.
    expect(ofKind(manifests, 'GRPCRoute')).toMatchSnapshot();
    expect(objectIds(manifests)).toEqual([
      'Deployment/greeter-v1', 'Deployment/greeter-v2', 'PodDisruptionBudget/greeter-v1', 'PodDisruptionBudget/greeter-v2',
      'Service/greeter', 'Service/greeter-canary', 'GRPCRoute/greeter',
    ]);
    const route = find(manifests, 'GRPCRoute', 'greeter');
    expect(route.apiVersion).toBe('gateway.networking.k8s.io/v1');
    expect(route.spec.parentRefs).toEqual([{ name: 'public', namespace: 'gateways', sectionName: 'grpc' }]);
    expect(route.spec.hostnames).toEqual(['greeter.example.com']);
    expect(route.spec.rules).toEqual([
      { name: 'canary-by-header', matches: [{ headers: [{ name: 'stage', type: 'Exact', value: 'gray' }] }], backendRefs: [{ name: 'greeter-canary', port: 8080 }] },
      { name: 'canary-by-cookie', matches: [{ headers: [{ name: 'cookie', type: 'RegularExpression', value: '^(?:.*;\\s*)?canary=always(?:\\s*;.*)?$' }] }], backendRefs: [{ name: 'greeter-canary', port: 8080 }] },
      { name: 'stable-by-cookie', matches: [{ headers: [{ name: 'cookie', type: 'RegularExpression', value: '^(?:.*;\\s*)?canary=never(?:\\s*;.*)?$' }] }], backendRefs: [{ name: 'greeter', port: 8080 }] },
      // No matches: every call the rules above did not take.
      { name: 'weighted', backendRefs: [{ name: 'greeter', port: 8080, weight: 90 }, { name: 'greeter-canary', port: 8080, weight: 10 }] },
    ]);
  });

  test('a header regex is anchored, as for an HTTPRoute', () => {
    const manifests = canary({ canary: { ...v2, traffic: { header: HeaderMatch.regex('x-beta', 'on|yes') } } });
    expect(find(manifests, 'GRPCRoute', 'greeter').spec.rules[0].matches).toEqual([{ headers: [{ name: 'x-beta', type: 'RegularExpression', value: '^(?:on|yes)$' }] }]);
  });

  test('no canary: one rule to stable, matching every call', () => {
    const manifests = canary({});
    expect(find(manifests, 'GRPCRoute', 'greeter').spec.rules).toEqual([{ name: 'stable', backendRefs: [{ name: 'greeter', port: 8080 }] }]);
  });

  test('both Services carry appProtocol grpc on their port, still named http', () => {
    const manifests = canary({ canary: { ...v2, traffic: { weight: 10 } } });
    for (const name of ['greeter', 'greeter-canary']) {
      expect(find(manifests, 'Service', name).spec.ports).toEqual([{ name: 'http', port: 8080, targetPort: 50051, appProtocol: 'grpc' }]);
    }
  });

  test('a blue-green release: GRPCRoute <name> to the active color and <name>-preview at the preview host', () => {
    const chart = Testing.chart();
    new BlueGreenRelease(chart, 'greeter', { ...app, blue: v1, green: { ...v2, replicas: 3 }, active: BlueGreenColor.BLUE, previewHost: 'preview.greeter.example.com', router: gateway() });
    const manifests = synthValid(chart);
    expect(ofKind(manifests, 'HTTPRoute')).toEqual([]);
    expect(find(manifests, 'GRPCRoute', 'greeter').spec.rules).toEqual([{ name: 'active', backendRefs: [{ name: 'greeter', port: 8080 }] }]);
    const preview = find(manifests, 'GRPCRoute', 'greeter-preview');
    expect(preview.spec.hostnames).toEqual(['preview.greeter.example.com']);
    expect(preview.spec.rules).toEqual([{ name: 'preview', backendRefs: [{ name: 'greeter-preview', port: 8080 }] }]);
  });

  test('under Argo Rollouts: the Gateway API plugin is given the GRPCRoute as grpcRoute, starting at 100/0', () => {
    const manifests = canary({ steps: PLAN, canary: { ...v2, traffic: TESTERS }, engine: DeliveryEngine.argoRollouts() });
    expect(objectIds(manifests)).toContain('GRPCRoute/greeter');
    const strategy = find(manifests, 'Rollout', 'greeter').spec.strategy.canary;
    expect(strategy.trafficRouting).toEqual({ plugins: { 'argoproj-labs/gatewayAPI': { grpcRoute: 'greeter' } } });
    const weighted = find(manifests, 'GRPCRoute', 'greeter').spec.rules.find((r: any) => r.name === 'weighted');
    expect(weighted.backendRefs).toEqual([{ name: 'greeter', port: 8080, weight: 100 }, { name: 'greeter-canary', port: 8080, weight: 0 }]);
  });

  test('under Argo Rollouts in a namespace: the plugin is told the GRPCRoute\'s namespace', () => {
    const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
    const manifests = canary({ steps: PLAN, canary: v2, engine: DeliveryEngine.argoRollouts() }, chart);
    expect(find(manifests, 'Rollout', 'greeter').spec.strategy.canary.trafficRouting).toEqual({ plugins: { 'argoproj-labs/gatewayAPI': { grpcRoute: 'greeter', namespace: 'shop' } } });
  });

  test('a mirror is the weighted rule\'s RequestMirror, as on an HTTPRoute', () => {
    const route = find(canary({ canary: { ...v2, traffic: { ...TESTERS, mirror: 25 } } }), 'GRPCRoute', 'greeter');

    expect(route.spec.rules.find((r: any) => r.name === 'weighted').filters).toEqual([
      { type: 'RequestMirror', requestMirror: { backendRef: { name: 'greeter-canary', port: 8080 }, percent: 25 } },
    ]);
    expect(route.spec.rules.filter((r: any) => r.filters !== undefined)).toHaveLength(1);
  });

  test('throws when the router sets a path: a GRPCRoute matches no path', () => {
    expect(() => canary({ router: gateway('/greeter') })).toThrow(
      'CanaryRelease \'greeter\': router ("TrafficRouter.gatewayApi({ paths: [Prefix /greeter] })") sets a path, which a GRPCRoute cannot match (it matches gRPC services, methods and headers; a call\'s path is /<package>.<Service>/<Method>): leave path and paths out with appProtocol AppProtocol.GRPC');
  });

  test('throws when the router lists paths, even the exact root', () => {
    expect(() => canary({ router: TrafficRouter.gatewayApi({ parentRefs: [{ name: 'public' }], paths: [PathMatch.exact('/')] }) })).toThrow('router ("TrafficRouter.gatewayApi({ paths: [Exact /] })") sets a path, which a GRPCRoute cannot match');
  });

  test('throws when a canary release runs under Flagger: Flagger generates HTTPRoutes only', () => {
    expect(() => canary({ steps: PLAN, canary: { version: 'v2', image: 'greeter:v2' }, engine: DeliveryEngine.flagger() })).toThrow(
      'CanaryRelease \'greeter\': router ("TrafficRouter.gatewayApi()") cannot route a gRPC app (appProtocol AppProtocol.GRPC) under DeliveryEngine.flagger(): Flagger (v1.44, pkg/router/gateway_api.go) generates an HTTPRoute only, never a GRPCRoute');
  });

  test('an HTTP release with the same router still gets its HTTPRoute and no appProtocol', () => {
    const chart = Testing.chart();
    new CanaryRelease(chart, 'greeter', { containerPort: 50051, servicePort: 8080, stable: v1, canary: { ...v2, traffic: { weight: 10 } }, router: gateway() });
    const manifests = synthValid(chart);
    expect(objectIds(manifests)).toContain('HTTPRoute/greeter');
    expect(ofKind(manifests, 'GRPCRoute')).toEqual([]);
    expect(find(manifests, 'Service', 'greeter').spec.ports).toEqual([{ name: 'http', port: 8080, targetPort: 50051 }]);
  });

  test('the schema check reads the GRPCRoute CRD: a path match, which it has no field for, is rejected', () => {
    const route = find(canary({}), 'GRPCRoute', 'greeter');
    const withPath = { ...route, spec: { ...route.spec, rules: [{ ...route.spec.rules[0], matches: [{ path: { type: 'PathPrefix', value: '/' } }] }] } };
    expect(() => validateObject(withPath)).toThrow('gateway.networking.k8s.io/v1/GRPCRoute "greeter" is invalid: data/spec/rules/0/matches/0 must NOT have additional properties: "path"');
  });
});
