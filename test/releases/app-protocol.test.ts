/**
 * `appProtocol`: a fact about the app that every Service of a release carries, whichever
 * engine and router; HTTP (the default) changes nothing in the output.
 */
import { Duration, Testing } from 'cdk8s';
import {
  AppProtocol, BlueGreenColor, BlueGreenRelease, BlueGreenReleaseProps, CanaryRelease, CanaryReleaseProps, CanaryStep,
  DeliveryEngine, TrafficRouter,
} from '../../src';
import { K8sObject, ofKind, synthValid } from '../util';

const app = { containerPort: 50051, servicePort: 8080, appProtocol: AppProtocol.GRPC };
const v1 = { version: 'v1', image: 'greeter:v1', replicas: 2 };
const v2 = { version: 'v2', image: 'greeter:v2', replicas: 1 };
const PLAN = [CanaryStep.shiftTraffic(20), CanaryStep.pause(Duration.hours(1)), CanaryStep.shiftTraffic(100)];

function canary(props: Partial<CanaryReleaseProps>) {
  const chart = Testing.chart();
  new CanaryRelease(chart, 'greeter', { ...app, stable: v1, ...props });
  return synthValid(chart);
}

function blueGreen(props: Partial<BlueGreenReleaseProps>) {
  const chart = Testing.chart();
  new BlueGreenRelease(chart, 'greeter', { ...app, blue: v1, green: v2, active: BlueGreenColor.BLUE, ...props });
  return synthValid(chart);
}

/** Each Service's name and its ports. */
const servicePorts = (manifests: K8sObject[]) => ofKind(manifests, 'Service').map((s) => [s.metadata.name, s.spec.ports]);
const GRPC_PORT = [{ name: 'http', port: 8080, targetPort: 50051, appProtocol: 'grpc' }];

describe('appProtocol: AppProtocol.GRPC', () => {
  test('plain manifests: <name> and <name>-canary carry appProtocol grpc, with every router', () => {
    for (const router of [TrafficRouter.service(), TrafficRouter.nginx(), TrafficRouter.istio(), TrafficRouter.gatewayApi({ parentRefs: [{ name: 'gw' }] })]) {
      const manifests = canary({ router, canary: router.splitsTraffic ? { ...v2, traffic: { weight: 10 } } : v2 });
      expect(servicePorts(manifests)).toEqual([['greeter', GRPC_PORT], ['greeter-canary', GRPC_PORT]]);
    }
  });

  test('a blue-green release: <name> and <name>-preview, plain and under Argo Rollouts', () => {
    for (const engine of [DeliveryEngine.manifests(), DeliveryEngine.argoRollouts()]) {
      expect(servicePorts(blueGreen({ preview: true, engine }))).toEqual([['greeter', GRPC_PORT], ['greeter-preview', GRPC_PORT]]);
    }
  });

  test('Argo Rollouts canary: the stable and canary Services it switches', () => {
    expect(servicePorts(canary({ router: TrafficRouter.istio(), steps: PLAN, canary: v2, engine: DeliveryEngine.argoRollouts() })))
      .toEqual([['greeter', GRPC_PORT], ['greeter-canary', GRPC_PORT]]);
  });

  test('Flagger: the Canary asks Flagger for appProtocol grpc on the Services it generates, canary and blue-green', () => {
    const flaggerCanary = canary({ router: TrafficRouter.istio(), steps: PLAN, canary: { version: 'v2', image: 'greeter:v2' }, engine: DeliveryEngine.flagger() });
    expect(ofKind(flaggerCanary, 'Canary')[0].spec.service).toEqual({ port: 8080, targetPort: 50051, appProtocol: 'grpc' });
    const flaggerBlueGreen = blueGreen({ green: undefined, engine: DeliveryEngine.flagger() });
    expect(ofKind(flaggerBlueGreen, 'Canary')[0].spec.service).toEqual({ port: 8080, targetPort: 50051, appProtocol: 'grpc' });
  });

  test('TrafficRouter.all: every router of the set renders the gRPC release', () => {
    const router = TrafficRouter.all(TrafficRouter.nginx({ host: 'greeter.example.com' }), TrafficRouter.gatewayApi({ parentRefs: [{ name: 'gw' }] }));
    const manifests = canary({ router, canary: { ...v2, traffic: { weight: 10 } } });
    expect(ofKind(manifests, 'Ingress')[0].metadata.annotations).toEqual({ 'nginx.ingress.kubernetes.io/backend-protocol': 'GRPC' });
    expect(ofKind(manifests, 'GRPCRoute').map((r) => r.metadata.name)).toEqual(['greeter']);
    expect(ofKind(manifests, 'HTTPRoute')).toEqual([]);
  });

  test('throws when a smoke test is asked for: it sends HTTP/1.1 requests with curl', () => {
    expect(() => canary({ canary: v2, smokeTest: {} })).toThrow(
      'CanaryRelease \'greeter\': smokeTest ({}) is not allowed with appProtocol AppProtocol.GRPC: a smoke test sends HTTP/1.1 GET requests with curl and checks their HTTP status, while a gRPC server answers HTTP/2 POSTs of a method and says how a call went in its grpc-status trailer');
  });

  test('throws when appProtocol is not an AppProtocol', () => {
    expect(() => canary({ appProtocol: 'http2' as AppProtocol })).toThrow(
      'CanaryRelease \'greeter\': appProtocol ("http2") must be an AppProtocol: AppProtocol.HTTP or AppProtocol.GRPC');
  });
});

describe('appProtocol: AppProtocol.HTTP (the default)', () => {
  test('is the output without appProtocol, object for object', () => {
    const props = { canary: { ...v2, traffic: { weight: 10 } }, router: TrafficRouter.nginx() };
    const http = (appProtocol?: AppProtocol) => {
      const chart = Testing.chart();
      new CanaryRelease(chart, 'greeter', { containerPort: 50051, servicePort: 8080, appProtocol, stable: v1, ...props });
      return synthValid(chart);
    };
    expect(http(AppProtocol.HTTP)).toEqual(http(undefined));
    expect(servicePorts(http(AppProtocol.HTTP))[0]).toEqual(['greeter', [{ name: 'http', port: 8080, targetPort: 50051 }]]);
  });
});
