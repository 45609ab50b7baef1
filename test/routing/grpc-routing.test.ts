/**
 * A gRPC release through every router: each kind of call (a tester's header, cookie always,
 * cookie never, a plain call) reaches the same versions in the same shares through
 * ingress-nginx, Istio and a GRPCRoute, simulated on the synthesized objects the way each
 * controller evaluates them (see route-simulator.ts). gRPC metadata are HTTP/2 headers, and a
 * cookie is the `cookie` header, so the rules read them as for HTTP.
 */
import { Testing } from 'cdk8s';
import { AppProtocol, CanaryRelease, CanaryTraffic, HeaderMatch, TrafficRouter } from '../../src';
import { routeGatewayApiGrpc } from '../../src/testing/simulate-gateway-api';
import { routeIstio } from '../../src/testing/simulate-istio';
import { routeNginx } from '../../src/testing/simulate-nginx';
import { Manifest, Outcome, SimRequest } from '../../src/testing/simulated-objects';
import { synthValid } from '../util';

type Route = (manifests: Manifest[], req: SimRequest) => Outcome;

const routers: Array<[string, () => TrafficRouter, Route[]]> = [
  ['nginx', () => TrafficRouter.nginx({ host: 'greeter.example.com', tlsSecretName: 'greeter-tls' }), [(m, r) => routeNginx(m, 'greeter', r)]],
  ['istio by host', () => TrafficRouter.istio(), [(m, r) => routeIstio(m, 'greeter', r)]],
  ['istio by subset', () => TrafficRouter.istio({ subsets: true }), [(m, r) => routeIstio(m, 'greeter', r)]],
  ['gateway api (GRPCRoute)', () => TrafficRouter.gatewayApi({ parentRefs: [{ name: 'public' }] }), [
    (m, r) => routeGatewayApiGrpc(m, 'greeter', r, 'search'),
    (m, r) => routeGatewayApiGrpc(m, 'greeter', r, 'full'),
  ]],
];

function synth(router: TrafficRouter, traffic: CanaryTraffic): Manifest[] {
  const chart = Testing.chart();
  new CanaryRelease(chart, 'greeter', {
    containerPort: 50051,
    servicePort: 8080,
    appProtocol: AppProtocol.GRPC,
    stable: { version: 'v1', image: 'greeter:v1', replicas: 3 },
    canary: { version: 'v2', image: 'greeter:v2', replicas: 1, traffic },
    router,
  });
  return synthValid(chart) as Manifest[];
}

const CANARY = { v2: 1 };
const STABLE = { v1: 1 };
const WEIGHTED = { v1: 0.8, v2: 0.2 };
/** A gRPC call's path: routers must not care. */
const path = '/helloworld.Greeter/SayHello';

const exact: CanaryTraffic = { header: HeaderMatch.exact('x-tester', 'gray'), cookie: 'canary', weight: 20 };
const regex: CanaryTraffic = { header: HeaderMatch.regex('x-tester', 'gray|blue'), cookie: 'canary', weight: 20 };

const cases: Array<[string, CanaryTraffic, SimRequest, Outcome]> = [
  ['a tester\'s header goes to the canary', exact, { path, headers: { 'x-tester': 'gray' } }, CANARY],
  ['a header the regex matches whole goes to the canary', regex, { path, headers: { 'x-tester': 'blue' } }, CANARY],
  ['a header the regex only matches in part falls through to the weight', regex, { path, headers: { 'x-tester': 'grayish' } }, WEIGHTED],
  ['cookie always goes to the canary', exact, { path, cookies: [['session', 'abc'], ['canary', 'always']] }, CANARY],
  ['cookie never goes to stable', exact, { path, cookies: [['canary', 'never']] }, STABLE],
  ['the header beats cookie never', exact, { path, headers: { 'x-tester': 'gray' }, cookies: [['canary', 'never']] }, CANARY],
  ['a plain call is split by weight', exact, { path }, WEIGHTED],
];

describe.each(routers)('a gRPC release through %s', (_label, router, routes) => {
  test.each(cases)('%s', (_case, traffic, req, expected) => {
    const manifests = synth(router(), traffic);
    for (const route of routes) expect(route(manifests, req)).toEqual(expected);
  });
});
