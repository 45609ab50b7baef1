/**
 * TrafficRouter.nginx() for a gRPC app (`appProtocol: AppProtocol.GRPC`): the Ingresses that
 * serve a location say `backend-protocol: GRPC` (nginx then proxies with grpc_pass); the
 * canary Ingress takes its location's settings from the main one.
 */
import { Duration, Testing } from 'cdk8s';
import {
  AppProtocol, BlueGreenColor, BlueGreenRelease, CanaryAnalysis, CanaryRelease, CanaryReleaseProps, CanaryStep,
  DeliveryEngine, HeaderMatch, TrafficRouter,
} from '../../../src';
import { find, synthValid } from '../../util';

const app = { containerPort: 50051, servicePort: 8080, appProtocol: AppProtocol.GRPC };
const v1 = { version: 'v1', image: 'greeter:v1', replicas: 3 };
const v2 = { version: 'v2', image: 'greeter:v2', replicas: 1 };
const BACKEND_PROTOCOL = 'nginx.ingress.kubernetes.io/backend-protocol';
const nginx = (annotations?: Record<string, string>) => TrafficRouter.nginx({ host: 'greeter.example.com', tlsSecretName: 'greeter-tls', annotations });
const PLAN = [CanaryStep.shiftTraffic(20), CanaryStep.pause(Duration.hours(1)), CanaryStep.shiftTraffic(100)];

function canary(props: Partial<CanaryReleaseProps>) {
  const chart = Testing.chart();
  new CanaryRelease(chart, 'greeter', { ...app, stable: v1, router: nginx(), ...props });
  return synthValid(chart);
}

describe('TrafficRouter.nginx() for a gRPC release', () => {
  test('the main Ingress says backend-protocol GRPC; the canary Ingress keeps only its canary rules', () => {
    const manifests = canary({ canary: { ...v2, traffic: { header: HeaderMatch.exact('stage', 'gray'), weight: 10 } } });
    expect(find(manifests, 'Ingress', 'greeter').metadata.annotations).toEqual({ [BACKEND_PROTOCOL]: 'GRPC' });
    expect(find(manifests, 'Ingress', 'greeter').spec.tls).toEqual([{ hosts: ['greeter.example.com'], secretName: 'greeter-tls' }]);
    // ingress-nginx builds no location for a canary Ingress: the main one's grpc_pass serves both backends.
    expect(find(manifests, 'Ingress', 'greeter-canary').metadata.annotations).toEqual({
      'nginx.ingress.kubernetes.io/canary': 'true',
      'nginx.ingress.kubernetes.io/canary-by-header': 'stage',
      'nginx.ingress.kubernetes.io/canary-by-header-value': 'gray',
      'nginx.ingress.kubernetes.io/canary-weight': '10',
      'nginx.ingress.kubernetes.io/canary-weight-total': '100',
    });
  });

  test('GRPCS from the router\'s annotations is kept: TLS to the pods', () => {
    const manifests = canary({ router: nginx({ [BACKEND_PROTOCOL]: 'GRPCS' }) });
    expect(find(manifests, 'Ingress', 'greeter').metadata.annotations).toEqual({ [BACKEND_PROTOCOL]: 'GRPCS' });
  });

  test('a blue-green preview Ingress says backend-protocol GRPC too', () => {
    const chart = Testing.chart();
    new BlueGreenRelease(chart, 'greeter', { ...app, blue: v1, green: { ...v2, replicas: 3 }, active: BlueGreenColor.BLUE, previewHost: 'preview.greeter.example.com', router: nginx() });
    const manifests = synthValid(chart);
    expect(find(manifests, 'Ingress', 'greeter-preview').metadata.annotations).toEqual({ [BACKEND_PROTOCOL]: 'GRPC' });
  });

  test('under Argo Rollouts and Flagger the stable Ingress they copy says backend-protocol GRPC', () => {
    const argo = canary({ steps: PLAN, canary: v2, engine: DeliveryEngine.argoRollouts() });
    expect(find(argo, 'Ingress', 'greeter').metadata.annotations).toEqual({ [BACKEND_PROTOCOL]: 'GRPC' });
    const flagger = canary({ steps: PLAN, canary: { version: 'v2', image: 'greeter:v2' }, engine: DeliveryEngine.flagger() });
    expect(find(flagger, 'Ingress', 'greeter').metadata.annotations).toEqual({ [BACKEND_PROTOCOL]: 'GRPC' });
    // Flagger generates the Services: the Canary asks for appProtocol grpc on their port.
    expect(find(flagger, 'Canary', 'greeter').spec.service).toEqual({ port: 8080, targetPort: 50051, appProtocol: 'grpc' });
  });

  test('throws when the router\'s backend-protocol contradicts gRPC', () => {
    expect(() => canary({ router: nginx({ [BACKEND_PROTOCOL]: 'HTTP' }) })).toThrow(
      'CanaryRelease \'greeter\': router ("TrafficRouter.nginx({ annotations: { \\"nginx.ingress.kubernetes.io/backend-protocol\\": \\"HTTP\\" } })") contradicts appProtocol AppProtocol.GRPC: nginx must proxy gRPC; leave the annotation out (the library writes \'GRPC\') or write \'GRPCS\' for TLS to the pods');
  });

  test('throws when backend-protocol is gRPC in lower case: ingress-nginx would skip its grpc_* timeouts', () => {
    expect(() => canary({ router: nginx({ [BACKEND_PROTOCOL]: 'grpc' }) })).toThrow(
      'in capitals (ingress-nginx\'s template applies its grpc_* timeouts only to \'GRPC\' and \'GRPCS\')');
  });

  test('throws when the release metadata\'s backend-protocol contradicts gRPC', () => {
    expect(() => canary({ metadata: { annotations: { [BACKEND_PROTOCOL]: 'HTTPS' } } })).toThrow(
      'CanaryRelease \'greeter\': metadata.annotations["nginx.ingress.kubernetes.io/backend-protocol"] ("HTTPS") contradicts appProtocol AppProtocol.GRPC');
  });

  test('throws when an HTTP release says GRPC in backend-protocol: the protocol belongs in appProtocol', () => {
    const chart = Testing.chart();
    expect(() => new CanaryRelease(chart, 'greeter', { containerPort: 50051, stable: v1, router: nginx({ [BACKEND_PROTOCOL]: 'GRPC' }) })).toThrow(
      'CanaryRelease \'greeter\': router ("TrafficRouter.nginx({ annotations: { \\"nginx.ingress.kubernetes.io/backend-protocol\\": \\"GRPC\\" } })") says gRPC, which the release\'s Services and other routers would not know: set appProtocol: AppProtocol.GRPC on the release instead');
  });

  test('throws when an analysis has no errorRateQuery: ingress-nginx\'s metrics see only HTTP statuses', () => {
    const analysis = CanaryAnalysis.prometheus({ address: 'http://prometheus:9090', maxErrorRate: 5 });
    expect(() => canary({ canary: { ...v2, traffic: { weight: 10 } }, analysis })).toThrow(
      'CanaryRelease \'greeter\': analysis ("CanaryAnalysis.prometheus(...)") needs your own errorRateQuery (and latencyQuery with maxLatency) with appProtocol AppProtocol.GRPC: TrafficRouter.nginx() has no default queries for gRPC (a failed gRPC call answers HTTP 200 with a grpc-status trailer, and this router\'s request metrics count HTTP statuses only)');
  });

  test('an analysis with its own errorRateQuery runs: the PrometheusRule uses it', () => {
    const analysis = CanaryAnalysis.prometheus({ address: 'http://prometheus:9090', maxErrorRate: 5, errorRateQuery: 'my_grpc_error_rate{version="{{version}}"}' });
    const manifests = canary({ canary: { ...v2, traffic: { weight: 10 } }, analysis });
    expect(JSON.stringify(find(manifests, 'PrometheusRule', 'greeter').spec)).toContain('my_grpc_error_rate{version=\\"v2\\"}');
  });
});
