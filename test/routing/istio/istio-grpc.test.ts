/**
 * TrafficRouter.istio() for a gRPC app: the VirtualService's `http` rules route gRPC (HTTP/2)
 * as they route HTTP, so it is the HTTP release's VirtualService; what changes is the
 * Services' `appProtocol: grpc` (which Istio reads before the port name) and the error rate,
 * counted by `grpc_response_status`.
 */
import { Duration, Testing } from 'cdk8s';
import { AppProtocol, CanaryAnalysis, CanaryRelease, CanaryReleaseProps, CanaryStep, DeliveryEngine, HeaderMatch, TrafficRouter } from '../../../src';
import { find, ofKinds, promqlExpressions, promqlSyntaxErrors, synthValid } from '../../util';

const v1 = { version: 'v1', image: 'greeter:v1', replicas: 3 };
const v2 = { version: 'v2', image: 'greeter:v2', replicas: 1 };
const istio = (subsets = false) => TrafficRouter.istio({ hosts: ['greeter'], subsets });
const analysis = CanaryAnalysis.prometheus({ address: 'http://prometheus:9090', maxErrorRate: 5, maxLatency: Duration.millis(300) });

function release(appProtocol: AppProtocol | undefined, props: Partial<CanaryReleaseProps> = {}) {
  const chart = Testing.chart();
  new CanaryRelease(chart, 'greeter', {
    containerPort: 50051, servicePort: 8080, appProtocol, stable: v1,
    canary: { ...v2, traffic: { header: HeaderMatch.regex('x-tester', 'a|b'), cookie: 'canary', weight: 10 } },
    router: istio(), ...props,
  });
  return synthValid(chart);
}

describe('TrafficRouter.istio() for a gRPC release', () => {
  test('the VirtualService and DestinationRule are those of the HTTP release', () => {
    for (const subsets of [false, true]) {
      expect(ofKinds(release(AppProtocol.GRPC, { router: istio(subsets) }), 'VirtualService', 'DestinationRule'))
        .toEqual(ofKinds(release(undefined, { router: istio(subsets) }), 'VirtualService', 'DestinationRule'));
    }
  });

  test('every Service port says appProtocol grpc, by subset too', () => {
    const manifests = release(AppProtocol.GRPC, { router: istio(true) });
    expect(find(manifests, 'Service', 'greeter').spec.ports).toEqual([{ name: 'http', port: 8080, targetPort: 50051, appProtocol: 'grpc' }]);
    expect(find(manifests, 'Service', 'greeter-canary').spec.ports).toEqual([{ name: 'http', port: 8080, targetPort: 50051, appProtocol: 'grpc' }]);
  });

  test('the error rate counts calls that failed with a server-side gRPC status; the latency is unchanged', () => {
    const rule = find(release(AppProtocol.GRPC, { analysis }), 'PrometheusRule', 'greeter');
    const [errorRate, latency] = rule.spec.groups[0].rules.map((r: any) => String(r.expr));
    expect(errorRate).toContain('istio_requests_total{reporter="destination",destination_app="greeter",destination_version="v2",grpc_response_status=~"2|4|12|13|14|15"}');
    expect(errorRate).not.toContain('response_code');
    expect(latency).toContain('istio_request_duration_milliseconds_bucket{reporter="destination",destination_app="greeter",destination_version="v2"}');
  });

  test('an HTTP release keeps counting 5xx responses', () => {
    const [errorRate] = find(release(undefined, { analysis }), 'PrometheusRule', 'greeter').spec.groups[0].rules.map((r: any) => String(r.expr));
    expect(errorRate).toContain('response_code=~"5.."');
    expect(errorRate).not.toContain('grpc_response_status');
  });

  test('under Argo Rollouts and Flagger the analysis queries count gRPC statuses and parse', () => {
    const steps = [CanaryStep.shiftTraffic(20), CanaryStep.pause(Duration.hours(1)), CanaryStep.shiftTraffic(100)];
    const argo = release(AppProtocol.GRPC, { analysis, steps, canary: v2, engine: DeliveryEngine.argoRollouts() });
    const flagger = release(AppProtocol.GRPC, { analysis, steps, canary: { version: 'v2', image: 'greeter:v2' }, engine: DeliveryEngine.flagger() });
    for (const manifests of [argo, flagger]) {
      const queries = promqlExpressions(manifests);
      expect(queries.length).toBe(2);
      for (const [, query] of queries) expect(promqlSyntaxErrors(query)).toEqual([]);
      expect(queries[0][1]).toContain('grpc_response_status=~"2|4|12|13|14|15"');
    }
    expect(find(flagger, 'Canary', 'greeter').spec.service.appProtocol).toBe('grpc');
  });
});
