/**
 * A router written outside the library: Traefik's weighted TraefikService, which Argo Rollouts
 * supports (`trafficRouting.traefik`). It implements the public contracts only (TrafficRouter's
 * `bind` and `checkRoutes`, and IArgoRolloutsRouting), reads the release's routes
 * (ReleaseRoutes), and runs under plain manifests and under Argo Rollouts like the built-in ones.
 */
import { ApiObject, Chart, Duration, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import {
  CanaryAnalysis, CanaryRelease, CanaryReleaseProps, CanaryStep, DeliveryEngine, HeaderMatch, IArgoRolloutsRouting, ReleaseRoutes,
  RouteRule, TrackRole, TrafficRouter, WeightsOwner,
} from '../../src';
import { K8sObject, find, objectIds, validateObject } from '../util';

/** Traefik's weighted round robin over the tracks' Services: weights only, no header or cookie rules. */
class TraefikRouter extends TrafficRouter implements IArgoRolloutsRouting {
  public readonly displayName: string = 'TraefikRouter';
  public readonly splitsTraffic: boolean = true;
  public readonly routesBySubset = false;
  public readonly servesHosts = false;
  /** What each `bind` was given, so the tests can read the routes. */
  public readonly seen: ReleaseRoutes[] = [];

  public checkRoutes(_scope: Construct, routes: ReleaseRoutes): void {
    const matched = routes.main.rules.find((rule) => rule.match !== undefined);
    if (matched) {
      throw new Error(`${routes.owner}: router (TraefikRouter) cannot express the rule "${matched.name}": a weighted TraefikService has no header or cookie match`);
    }
  }

  public bind(scope: Construct, routes: ReleaseRoutes): void {
    this.seen.push(routes);
    const last: RouteRule = routes.main.rules[routes.main.rules.length - 1];
    new ApiObject(scope, 'TraefikService', {
      apiVersion: 'traefik.io/v1alpha1',
      kind: 'TraefikService',
      metadata: { name: routes.main.name, labels: routes.metadata.labels },
      spec: {
        weighted: {
          services: last.destinations.map((d) => ({ name: d.backend.serviceName, port: routes.servicePort, weight: d.weight ?? routes.weightTotal })),
        },
      },
    });
  }

  public argoRolloutsRouting(): IArgoRolloutsRouting {
    return this;
  }

  public checkArgoRolloutsCanary(scope: Construct, routes: ReleaseRoutes): void {
    this.checkRoutes(scope, routes);
  }

  public bindArgoRolloutsCanary(scope: Construct, routes: ReleaseRoutes): { [key: string]: any } {
    this.bind(scope, routes);
    return { traefik: { weightedTraefikServiceName: routes.main.name } };
  }
}

const v1 = { version: 'v1', image: 'myapp:v1', replicas: 3 };
const v2 = { version: 'v2', image: 'myapp:v2' };
const PLAN = [CanaryStep.shiftTraffic(10), CanaryStep.pause(Duration.hours(1)), CanaryStep.shiftTraffic(100)];

function canary(props: Partial<CanaryReleaseProps>, chart: Chart = Testing.chart()): K8sObject[] {
  new CanaryRelease(chart, 'myapp', { containerPort: 80, servicePort: 8080, stable: v1, ...props });
  return Testing.synth(chart) as K8sObject[];
}

const weighted = (manifests: K8sObject[]) => find(manifests, 'TraefikService', 'myapp').spec.weighted.services;

describe('a router of its own under plain manifests', () => {
  test('renders the weights git sets: the canary\'s share and the rest to stable', () => {
    const router = new TraefikRouter();
    const manifests = canary({ router, canary: { ...v2, traffic: { weight: 10 } } });
    expect(weighted(manifests)).toEqual([
      { name: 'myapp', port: 8080, weight: 90 },
      { name: 'myapp-canary', port: 8080, weight: 10 },
    ]);
    expect(router.seen[0].weightsOwner).toBe(WeightsOwner.GIT);
    expect(router.seen[0].main.rules.map((r) => r.destinations.map((d) => d.backend.role))).toEqual([[TrackRole.STABLE, TrackRole.CANARY]]);
  });

  test('throws, in its own words, on a rule it cannot express, before any object is created', () => {
    const chart = Testing.chart();
    expect(() => canary({ router: new TraefikRouter(), canary: { ...v2, traffic: { header: HeaderMatch.exact('stage', 'gray') } } }, chart))
      .toThrow('CanaryRelease \'myapp\': router (TraefikRouter) cannot express the rule "canary-by-header": a weighted TraefikService has no header or cookie match');
    expect(chart.node.findAll().filter((c) => c instanceof ApiObject)).toEqual([]);
  });
});

describe('errors name a router of its own, and the capability it lacks', () => {
  class FixedRouter extends TraefikRouter {
    public readonly displayName = 'FixedRouter';
    public readonly splitsTraffic = false;
  }

  test('throws on canary rules for a router that does not steer requests', () => {
    expect(() => canary({ router: new FixedRouter(), canary: { ...v2, traffic: { weight: 10 } } }))
      .toThrow('CanaryRelease \'myapp\': canary.traffic ({"weight":10}) needs a router that steers requests (TrafficRouter.nginx(), .istio() or .gatewayApi()): FixedRouter does not steer requests (its splitsTraffic is false)');
  });

  test('throws on an analysis when the router knows no request metrics and no query is given', () => {
    expect(() => canary({ router: new TraefikRouter(), canary: v2, analysis: CanaryAnalysis.prometheus({ address: 'http://prometheus:9090', maxErrorRate: 5 }) }))
      .toThrow('or your own errorRateQuery (and latencyQuery with maxLatency): TraefikRouter exposes no per-version request metrics');
  });
});

describe('a router of its own under Argo Rollouts', () => {
  test('the Rollout routes through it: its trafficRouting, and the TraefikService starting at 0% to the canary', () => {
    const router = new TraefikRouter();
    const manifests = canary({ router, steps: PLAN, canary: v2, engine: DeliveryEngine.argoRollouts() });
    expect(objectIds(manifests)).toEqual(['Service/myapp', 'Service/myapp-canary', 'TraefikService/myapp', 'Rollout/myapp', 'PodDisruptionBudget/myapp-v1', 'PodDisruptionBudget/myapp-v2']);
    const rollout = find(manifests, 'Rollout', 'myapp');
    validateObject(rollout);
    expect(rollout.spec.strategy.canary.trafficRouting).toEqual({ traefik: { weightedTraefikServiceName: 'myapp' } });
    expect(rollout.spec.strategy.canary.stableService).toBe('myapp');
    expect(rollout.spec.strategy.canary.steps).toEqual([{ setWeight: 10 }, { pause: { duration: '1h' } }, { setWeight: 100 }]);
    expect(weighted(manifests)).toEqual([
      { name: 'myapp', port: 8080, weight: 100 },
      { name: 'myapp-canary', port: 8080, weight: 0 },
    ]);
    expect(router.seen[0].weightsOwner).toBe(WeightsOwner.CONTROLLER);
    expect(router.seen[0].tracks.map((t) => t.subsetName)).toEqual(['stable', 'canary']);
  });

  test('sees the mirror on the weighted rule, and throws when it is not Istio: Argo Rollouts mirrors with trafficRouting.istio only', () => {
    const router = new TraefikRouter();
    const mirrored = { ...v2, traffic: { mirror: 20 } };
    const plan = [CanaryStep.pause(Duration.hours(1)), ...PLAN];
    expect(() => canary({ router, steps: plan, canary: mirrored, engine: DeliveryEngine.argoRollouts() }))
      .toThrow('CanaryRelease \'myapp\': canary.traffic.mirror (20) cannot be expressed under DeliveryEngine.argoRollouts() with TraefikRouter: Argo Rollouts accepts setMirrorRoute steps with trafficRouting.istio only (TrafficRouter.istio())');
    expect(router.seen[0].main.rules[0].mirror).toEqual({ backend: router.seen[0].tracks[1], percent: 20 });
  });

  test('throws when it does not implement Flagger\'s contract', () => {
    expect(() => canary({ router: new TraefikRouter(), steps: PLAN, canary: v2, engine: DeliveryEngine.flagger() }))
      .toThrow('CanaryRelease \'myapp\': router ("TraefikRouter") cannot run under DeliveryEngine.flagger(): its flaggerRouting() returns no IFlaggerRouting; use TrafficRouter.nginx(), .istio() or .gatewayApi(), or implement the contract');
  });
});
