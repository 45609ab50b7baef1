/**
 * A gRPC release (`appProtocol: AppProtocol.GRPC`) on a real control plane. Plain manifests
 * through ingress-nginx, Istio and Gateway API at once are accepted by server-side apply (the
 * GRPCRoute against the Gateway API CRD), every Service keeps `appProtocol: grpc` on its port
 * `http`, and the live Ingresses, VirtualService and GRPCRoute send each kind of call to the
 * same versions. Under Argo Rollouts with Istio the controller walks the canary's weights on the
 * VirtualService as for HTTP, and the Services it edits keep their appProtocol. Under Flagger
 * with Istio the Services Flagger generates from the Canary carry `appProtocol: grpc`, and it
 * walks and promotes the canary.
 */
import { Duration } from 'cdk8s';
import { AppProtocol, CanaryReleaseProps, CanaryStep, DeliveryEngine, HeaderMatch, TrafficRouter } from '../../src';
import { routeGatewayApiGrpc } from '../../src/testing/simulate-gateway-api';
import { routeIstio } from '../../src/testing/simulate-istio';
import { routeNginx } from '../../src/testing/simulate-nginx';
import { Manifest, SimRequest } from '../../src/testing/simulated-objects';
import { K8sObject } from '../util';
import { applyRespectingArgo, isHealthy, pausedAt, promote, rollout, waitRollout } from './argo';
import { apply, canaryReleaseChart, deploymentAvailable, get, kubectl, list, namespace, readyEndpointVersions, waitFor } from './kube';

const v1 = { version: 'v1', image: 'registry.example/greeter:v1', replicas: 2 };
const v2 = { version: 'v2', image: 'registry.example/greeter:v2', replicas: 1 };
const app = { containerPort: 50051, servicePort: 8080, appProtocol: AppProtocol.GRPC };
const TESTERS = { header: HeaderMatch.exact('x-tester', 'gray'), cookie: 'canary' };
const GRPC_PORT = { name: 'http', port: 8080, targetPort: 50051, appProtocol: 'grpc' };

function release(ns: string, props: Partial<CanaryReleaseProps>): K8sObject[] {
  return canaryReleaseChart(ns, { ...app, stable: v1, ...props } as CanaryReleaseProps);
}

/** Each Service's name and its ports, as the API server holds them (protocol TCP is its default). */
function livePorts(ns: string, names: string[]): Array<[string, unknown]> {
  return names.map((name) => [name, get('service', name, ns).spec.ports.map(({ protocol: _tcp, ...port }: any) => port)]);
}

describe('a gRPC release, plain manifests, through ingress-nginx, Istio and Gateway API at once', () => {
  test.concurrent('accepted by the API server; Services say appProtocol grpc; the live routes send each call to the same versions', async () => {
    const crd = JSON.parse(kubectl(['get', 'crd', 'grpcroutes.gateway.networking.k8s.io', '-o', 'json']));
    expect(crd.status.conditions.some((c: any) => c.type === 'Established' && c.status === 'True')).toBe(true);

    const ns = namespace('grpc-manifests', 'restricted');
    const router = TrafficRouter.all(
      TrafficRouter.nginx({ host: 'greeter.example.com' }),
      TrafficRouter.istio({ hosts: ['greeter.example.com'], gateways: ['istio-system/public'] }),
      TrafficRouter.gatewayApi({ parentRefs: [{ name: 'public' }], hostnames: ['greeter.example.com'] }),
    );
    apply(release(ns, { router, canary: { ...v2, traffic: { ...TESTERS, weight: 20 } } }));
    await deploymentAvailable('myapp-v1', ns);
    await deploymentAvailable('myapp-v2', ns);
    await waitFor('the EndpointSlices of myapp and myapp-canary', () =>
      readyEndpointVersions('myapp', ns).length === 2 && readyEndpointVersions('myapp-canary', ns).length === 1 ? true : undefined);

    expect(livePorts(ns, ['myapp', 'myapp-canary'])).toEqual([['myapp', [GRPC_PORT]], ['myapp-canary', [GRPC_PORT]]]);
    expect(get('ingress', 'myapp', ns).metadata.annotations).toEqual({ 'nginx.ingress.kubernetes.io/backend-protocol': 'GRPC' });
    const grpcRoute = get('grpcroute', 'myapp', ns);
    expect(grpcRoute.spec.rules.map((r: any) => r.name)).toEqual(['canary-by-header', 'canary-by-cookie', 'stable-by-cookie', 'weighted']);
    expect(list('httproutes', ns)).toEqual([]);

    const live = ['deployments', 'services', 'ingresses', 'virtualservices', 'grpcroutes'].flatMap((kind) => list(kind, ns)) as Manifest[];
    const calls: Array<[string, SimRequest, Record<string, number>]> = [
      ['the testers\' header', { headers: { 'x-tester': 'gray' } }, { v2: 1 }],
      ['the cookie always', { cookies: [['canary', 'always']] }, { v2: 1 }],
      ['the cookie never', { cookies: [['canary', 'never']] }, { v1: 1 }],
      ['a plain call, by weight', {}, { v1: 0.8, v2: 0.2 }],
    ];
    const seen = calls.map(([what, req]) => ({
      what,
      nginx: routeNginx(live, 'myapp', req),
      istio: routeIstio(live, 'myapp', req),
      gatewayApi: routeGatewayApiGrpc(live, 'myapp', req, 'full'),
    }));
    expect(seen).toEqual(calls.map(([what, , expected]) => ({ what, nginx: expected, istio: expected, gatewayApi: expected })));
  });
});

describe('a gRPC release under Argo Rollouts with Istio', () => {
  const PLAN = [CanaryStep.shiftTraffic(20), CanaryStep.pause(), CanaryStep.shiftTraffic(50), CanaryStep.pause(), CanaryStep.shiftTraffic(100)];
  const weights = (ns: string) => get('virtualservice', 'myapp', ns).spec.http.find((h: any) => h.name === 'weighted').route.map((r: any) => r.weight ?? 0);

  test.concurrent('the controller walks the weights on the VirtualService, and its Services keep appProtocol grpc', async () => {
    const ns = namespace('grpc-argo', 'restricted');
    const props = { router: TrafficRouter.istio({ hosts: ['myapp'] }), engine: DeliveryEngine.argoRollouts(), steps: PLAN };
    applyRespectingArgo(release(ns, props), ns);
    await waitRollout(ns, 'Healthy on v1', isHealthy);
    applyRespectingArgo(release(ns, { ...props, canary: { version: 'v2', image: v2.image, traffic: TESTERS } }), ns);

    await waitRollout(ns, 'paused at step 1 (after setWeight 20)', (r) => pausedAt(r, 1));
    await waitFor('the VirtualService at 80/20', () => JSON.stringify(weights(ns)) === '[80,20]' ? true : undefined, 30_000).catch(() => undefined);
    expect(weights(ns)).toEqual([80, 20]);
    // Argo Rollouts adds its pod-template hash to the Services' selectors; the port stays gRPC.
    expect(livePorts(ns, ['myapp', 'myapp-canary'])).toEqual([['myapp', [GRPC_PORT]], ['myapp-canary', [GRPC_PORT]]]);
    expect(get('service', 'myapp-canary', ns).spec.selector['rollouts-pod-template-hash']).toBeDefined();

    promote(ns);
    await waitRollout(ns, 'paused at step 3 (after setWeight 50)', (r) => pausedAt(r, 3));
    await waitFor('the VirtualService at 50/50', () => JSON.stringify(weights(ns)) === '[50,50]' ? true : undefined, 30_000).catch(() => undefined);
    expect(weights(ns)).toEqual([50, 50]);

    promote(ns);
    const done = await waitRollout(ns, 'Healthy on v2', (r) => isHealthy(r) && r.status?.stableRS === r.status?.currentPodHash && r.status?.currentStepIndex === PLAN.length);
    expect(done.spec.template.metadata.labels.version).toBe('v2');
    await waitFor('the VirtualService back at 100/0', () => JSON.stringify(weights(ns)) === '[100,0]' ? true : undefined, 30_000).catch(() => undefined);
    expect(weights(ns)).toEqual([100, 0]);
    expect(rollout(ns).spec.strategy.canary.trafficRouting).toEqual({ istio: { virtualService: { name: 'myapp', routes: ['weighted'] } } });
  });
});

describe('a gRPC release under Flagger with Istio', () => {
  /** Flagger holds each step for one interval: 20% and 50% for 5 seconds each, then promotion. */
  const PLAN = [CanaryStep.shiftTraffic(20), CanaryStep.pause(Duration.seconds(5)), CanaryStep.shiftTraffic(50), CanaryStep.pause(Duration.seconds(5)), CanaryStep.shiftTraffic(100)];
  const canary = (ns: string) => get('canary.flagger.app', 'myapp', ns);

  test.concurrent('the Services Flagger generates say appProtocol grpc; it walks the weights and promotes', async () => {
    const ns = namespace('grpc-flagger', 'restricted');
    const props = { router: TrafficRouter.istio({ hosts: ['myapp'] }), engine: DeliveryEngine.flagger(), steps: PLAN };
    apply(release(ns, { ...props, stable: { ...v1, replicas: 1 } }));
    await waitFor('the Canary Initialized', () => canary(ns).status?.phase === 'Initialized' ? true : undefined, 180_000);
    // pkg/router/kubernetes_default.go: the port keeps portName's default `http` and takes spec.service.appProtocol.
    expect(livePorts(ns, ['myapp', 'myapp-primary', 'myapp-canary'])).toEqual([
      ['myapp', [GRPC_PORT]], ['myapp-primary', [GRPC_PORT]], ['myapp-canary', [GRPC_PORT]],
    ]);

    apply(release(ns, { ...props, stable: { ...v1, replicas: 1 }, canary: { version: 'v2', image: v2.image } }));
    const seen = new Set<string>();
    await waitFor('Flagger to walk the steps and promote', () => {
      const c = canary(ns);
      if (c.status?.phase === 'Progressing') {
        const route = get('virtualservice', 'myapp', ns).spec.http[0].route;
        seen.add(JSON.stringify(route.map((r: any) => r.weight)));
      }
      return c.status?.phase === 'Succeeded' ? c : undefined;
    }, 240_000, 500);
    expect([...seen]).toEqual(expect.arrayContaining(['[80,20]', '[50,50]']));
    expect(get('deployment', 'myapp-primary', ns).spec.template.metadata.labels.version).toBe('v2');
  }, 300_000);
});
