import { Construct } from 'constructs';
import type { CanaryMetricQueries, CanaryMetricsTarget } from '../analysis/canary-analysis';
import { FlaggerRouterSpec, IArgoRolloutsRouting, IFlaggerRouting } from './engine-contracts';
import { GatewayApiRouterOptions, GatewayApiRouting, validateGatewayApiOptions } from './gateway-api/gateway-api-options';
import { bindGatewayApiArgoRollouts, checkGatewayApiArgoRollouts } from './gateway-api/gateway-api-argo-rollouts';
import { checkGatewayApiFlagger, gatewayApiFlaggerSpec } from './gateway-api/gateway-api-flagger';
import { bindGrpcRoutes } from './gateway-api/grpc-route';
import { bindHttpRoutes, checkGatewayApiRoutes } from './gateway-api/http-route';
import { IstioRouterOptions, validateIstioOptions } from './istio/istio-options';
import { bindIstioArgoRollouts, checkIstioArgoRollouts } from './istio/istio-argo-rollouts';
import { checkIstioFlagger, istioFlaggerSpec } from './istio/istio-flagger';
import { istioMetrics } from './istio/istio-metrics';
import { bindIstioVirtualServices, checkIstioRoutes } from './istio/istio-virtual-service';
import { bindNginxArgoRollouts, checkNginxArgoRollouts } from './nginx/nginx-argo-rollouts';
import { bindNginxFlagger, checkNginxFlagger } from './nginx/nginx-flagger';
import { bindNginxIngresses, checkNginxRoutes } from './nginx/nginx-ingresses';
import { nginxMetrics } from './nginx/nginx-metrics';
import { NginxRouterOptions, NginxRouting, validateNginxOptions } from './nginx/nginx-options';
import { isGrpc } from './route-table';
import { describePaths } from './route-paths';
import { ReleaseRoutes } from './routing-model';
import { SetMember, checkAsMember, checkRouterSet, routerSetName, setArgoRolloutsRouting, setFlaggerRouting } from './router-set';

/**
 * How traffic enters a release: plain Service, ingress-nginx, Istio or Gateway API.
 *
 * Open for extension: subclass it, implement `bind` to emit the objects of another traffic
 * provider from a release's routes (`ReleaseRoutes`), and, to run under a rollout controller,
 * return an implementation of its contract from `argoRolloutsRouting()` (`IArgoRolloutsRouting`)
 * or `flaggerRouting()` (`IFlaggerRouting`).
 */
export abstract class TrafficRouter {
  /**
   * One Service `<name>` over every track: requests are split by replica ratio only.
   * No header, cookie or weight rules.
   */
  public static service(): TrafficRouter {
    return new ServiceRouter();
  }

  /**
   * ingress-nginx: a main Ingress `<name>` and a canary Ingress `<name>-canary` carrying
   * `nginx.ingress.kubernetes.io/canary-*` annotations.
   * @see https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/#canary
   */
  public static nginx(options: NginxRouterOptions = {}): TrafficRouter {
    return new NginxRouter(validateNginxOptions(options));
  }

  /**
   * Istio: a VirtualService `<name>` (networking.istio.io/v1, Istio >= 1.22) routing to the
   * Services `<name>` and `<name>-canary` by host, or with `subsets: true` to subsets of a
   * DestinationRule `<name>`.
   * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/
   */
  public static istio(options: IstioRouterOptions = {}): TrafficRouter {
    return new IstioRouter(validateIstioOptions(options));
  }

  /**
   * Gateway API: an HTTPRoute `<name>` (gateway.networking.k8s.io/v1) with header and cookie
   * rules and a weighted rule over the Services `<name>` and `<name>-canary`; for a release
   * with `appProtocol: AppProtocol.GRPC`, a GRPCRoute `<name>` with the same rules (and no path).
   * @see https://gateway-api.sigs.k8s.io/api-types/httproute/
   * @see https://gateway-api.sigs.k8s.io/api-types/grpcroute/
   */
  public static gatewayApi(options: GatewayApiRouterOptions): TrafficRouter {
    return new GatewayApiRouter(validateGatewayApiOptions(options));
  }

  /**
   * Several routers at once, each rendering the whole release from the same routes: e.g.
   * ingress-nginx and Gateway API side by side while clients move from one to the other, then
   * drop one line. Every router of the set must express the release (an error names the one
   * that cannot). Under Argo Rollouts the Rollout's trafficRouting names every provider and Argo
   * sets the weights of each; Flagger drives one provider per Canary, so a canary release under
   * Flagger is refused. An analysis needs your own `errorRateQuery`: requests arrive through
   * several routers, whose metrics the library does not add up.
   * @param routers two or more routers that steer requests, one of each kind, none by subset
   */
  public static all(...routers: TrafficRouter[]): TrafficRouter {
    return new RouterSetRouter(checkRouterSet(routers, (r) => r instanceof TrafficRouter));
  }

  /**
   * Whether the router can steer requests by header, cookie or weight. When false, a
   * canary's `traffic` is an error.
   */
  public abstract readonly splitsTraffic: boolean;

  /**
   * Whether the router picks tracks as subsets of the one Service `<name>`, which then selects
   * every track's pods; otherwise `<name>` selects only the stable (or active) track.
   */
  public abstract readonly routesBySubset: boolean;

  /** Whether the router serves hosts, so a blue-green `previewHost` can be exposed. */
  public abstract readonly servesHosts: boolean;

  /** How error messages name this router, e.g. `TrafficRouter.istio({ subsets: true })`. */
  public abstract readonly displayName: string;

  /**
   * Whether the router's metrics count a version's requests by the route that reaches it
   * (ingress-nginx's per-Ingress metrics), so that a blue-green preview is measured only when
   * it has a route of its own (`previewHost`).
   * @default false
   */
  public get measuresByRoute(): boolean {
    return false;
  }

  /**
   * Where the router takes requests, for people (the routing report): a line per group of hosts
   * with the paths served there, e.g. `api.example.com, example.com: Prefix /api, Exact /healthz`.
   * @default - none said: `TrafficRouter.service()`, and routers of your own unless they say
   */
  public get locations(): string[] {
    return [];
  }

  /**
   * Throws an Error, naming the prop, for routes this router cannot express in `scope` (e.g.
   * a host and path another release of the app already serves). Called before any object of
   * the release is created.
   * @default - every route is accepted
   */
  public checkRoutes(scope: Construct, routes: ReleaseRoutes): void {
    void scope;
    void routes;
  }

  /**
   * Emits the routing objects of a release's routes into `scope`. Called after `checkRoutes`
   * passed for the same routes; the weights are git's under plain manifests, and a
   * controller's (`routes.weightsOwner`) for a blue-green release under Argo Rollouts or Flagger.
   */
  public abstract bind(scope: Construct, routes: ReleaseRoutes): void;

  /**
   * PromQL for a version's error rate and p99 latency from the metrics this router's
   * controller exposes, for `CanaryAnalysis`.
   *
   * @returns undefined when the router exposes no per-version request metrics
   */
  public canaryMetrics(target: CanaryMetricsTarget): CanaryMetricQueries | undefined {
    void target;
    return undefined;
  }

  /**
   * What `DeliveryEngine.argoRollouts()` needs from this router to run a canary.
   * @returns undefined when the router cannot run under Argo Rollouts
   */
  public argoRolloutsRouting(): IArgoRolloutsRouting | undefined {
    return undefined;
  }

  /**
   * What `DeliveryEngine.flagger()` needs from this router to run a canary.
   * @returns undefined when the router cannot run under Flagger
   */
  public flaggerRouting(): IFlaggerRouting | undefined {
    return undefined;
  }
}

class ServiceRouter extends TrafficRouter implements IArgoRolloutsRouting {
  public readonly splitsTraffic = false;
  public readonly routesBySubset = false;
  public readonly servesHosts = false;
  public readonly displayName = 'TrafficRouter.service()';
  public bind(): void {
    // The Service `<name>` over every track (or the active color) is all there is.
  }
  public argoRolloutsRouting(): IArgoRolloutsRouting {
    return this;
  }
  public checkArgoRolloutsCanary(): void {
    // Argo Rollouts' basic canary needs no router.
  }
  public bindArgoRolloutsCanary(): undefined {
    return undefined; // Argo Rollouts' basic canary: the weight is the share of replicas.
  }
}

class NginxRouter extends TrafficRouter implements IArgoRolloutsRouting, IFlaggerRouting {
  public readonly splitsTraffic = true;
  public readonly routesBySubset = false;
  public readonly servesHosts = true;
  constructor(private readonly options: NginxRouting) {
    super();
  }
  public readonly displayName = 'TrafficRouter.nginx()';
  public get measuresByRoute(): boolean {
    return true;
  }
  public get locations(): string[] {
    return this.options.routes.map((route) => `${route.host ?? 'every host'}: ${describePaths(route.paths)}`);
  }
  public checkRoutes(scope: Construct, routes: ReleaseRoutes): void {
    checkNginxRoutes(scope, this.options, routes);
  }
  public bind(scope: Construct, routes: ReleaseRoutes): void {
    bindNginxIngresses(scope, this.options, routes);
  }
  public canaryMetrics(target: CanaryMetricsTarget): CanaryMetricQueries | undefined {
    return nginxMetrics(target);
  }
  public argoRolloutsRouting(): IArgoRolloutsRouting {
    return this;
  }
  public checkArgoRolloutsCanary(scope: Construct, routes: ReleaseRoutes): void {
    checkNginxArgoRollouts(scope, this.options, routes);
  }
  public bindArgoRolloutsCanary(scope: Construct, routes: ReleaseRoutes): { [key: string]: any } {
    return bindNginxArgoRollouts(scope, this.options, routes);
  }
  public flaggerRouting(): IFlaggerRouting {
    return this;
  }
  public checkFlaggerCanary(scope: Construct, routes: ReleaseRoutes): void {
    checkNginxFlagger(scope, this.options, routes);
  }
  public bindFlaggerCanary(scope: Construct, routes: ReleaseRoutes): FlaggerRouterSpec {
    return bindNginxFlagger(scope, this.options, routes);
  }
}

class IstioRouter extends TrafficRouter implements IArgoRolloutsRouting, IFlaggerRouting {
  public readonly splitsTraffic = true;
  public readonly routesBySubset: boolean;
  public readonly servesHosts = true;
  public readonly displayName: string;
  constructor(private readonly options: IstioRouterOptions) {
    super();
    this.routesBySubset = options.subsets ?? false;
    this.displayName = this.routesBySubset ? 'TrafficRouter.istio({ subsets: true })' : 'TrafficRouter.istio()';
  }

  public get locations(): string[] {
    const hosts = this.options.hosts?.join(', ') ?? 'the Service <name> (in the mesh)';
    return [`${hosts}${this.options.gateways ? ` through ${this.options.gateways.join(', ')}` : ''}: ${this.options.paths ? describePaths(this.options.paths) : 'every path'}`];
  }
  public checkRoutes(_scope: Construct, routes: ReleaseRoutes): void {
    checkIstioRoutes(this.options, routes);
  }
  public bind(scope: Construct, routes: ReleaseRoutes): void {
    bindIstioVirtualServices(scope, this.options, routes);
  }
  public canaryMetrics(target: CanaryMetricsTarget): CanaryMetricQueries | undefined {
    return istioMetrics(target);
  }
  public argoRolloutsRouting(): IArgoRolloutsRouting {
    return this;
  }
  public checkArgoRolloutsCanary(_scope: Construct, routes: ReleaseRoutes): void {
    checkIstioArgoRollouts(this.options, routes);
  }
  public bindArgoRolloutsCanary(scope: Construct, routes: ReleaseRoutes): { [key: string]: any } {
    return bindIstioArgoRollouts(scope, this.options, routes);
  }
  public flaggerRouting(): IFlaggerRouting {
    return this;
  }
  public checkFlaggerCanary(_scope: Construct, routes: ReleaseRoutes): void {
    checkIstioFlagger(this.options, routes);
  }
  public bindFlaggerCanary(_scope: Construct, routes: ReleaseRoutes): FlaggerRouterSpec {
    return istioFlaggerSpec(this.options, routes);
  }
}

class GatewayApiRouter extends TrafficRouter implements IArgoRolloutsRouting, IFlaggerRouting {
  public readonly splitsTraffic = true;
  public readonly routesBySubset = false;
  public readonly servesHosts = true;
  constructor(private readonly options: GatewayApiRouting) {
    super();
  }
  public readonly displayName = 'TrafficRouter.gatewayApi()';
  public get locations(): string[] {
    return [`${this.options.hostnames?.join(', ') ?? 'every hostname of its Gateways'}: ${describePaths(this.options.paths)}`];
  }
  public checkRoutes(_scope: Construct, routes: ReleaseRoutes): void {
    checkGatewayApiRoutes(this.options, routes);
  }
  public bind(scope: Construct, routes: ReleaseRoutes): void {
    if (isGrpc(routes)) bindGrpcRoutes(scope, this.options, routes);
    else bindHttpRoutes(scope, this.options, routes);
  }
  /**
   * Gateway API has no standard request metrics: these are Istio's (for Istio as the Gateway
   * API implementation); pass `errorRateQuery`/`latencyQuery` for another implementation.
   */
  public canaryMetrics(target: CanaryMetricsTarget): CanaryMetricQueries | undefined {
    return istioMetrics(target);
  }
  public argoRolloutsRouting(): IArgoRolloutsRouting {
    return this;
  }
  public checkArgoRolloutsCanary(_scope: Construct, routes: ReleaseRoutes): void {
    checkGatewayApiArgoRollouts(this.options, routes);
  }
  public bindArgoRolloutsCanary(scope: Construct, routes: ReleaseRoutes): { [key: string]: any } {
    return bindGatewayApiArgoRollouts(scope, this.options, routes);
  }
  public flaggerRouting(): IFlaggerRouting {
    return this;
  }
  public checkFlaggerCanary(_scope: Construct, routes: ReleaseRoutes): void {
    checkGatewayApiFlagger(this.options, routes);
  }
  public bindFlaggerCanary(_scope: Construct, routes: ReleaseRoutes): FlaggerRouterSpec {
    return gatewayApiFlaggerSpec(this.options, routes);
  }
}

class RouterSetRouter extends TrafficRouter {
  public readonly splitsTraffic = true;
  public readonly routesBySubset = false;
  public readonly servesHosts = true;
  public readonly displayName: string;
  constructor(private readonly members: SetMember[]) {
    super();
    this.displayName = routerSetName(members);
  }
  public get measuresByRoute(): boolean {
    return this.members.some((m) => m.measuresByRoute);
  }
  public get locations(): string[] {
    return this.members.flatMap((m) => m.locations.map((l) => `${m.displayName}: ${l}`));
  }
  public checkRoutes(scope: Construct, routes: ReleaseRoutes): void {
    for (const member of this.members) checkAsMember(this.members, member, () => member.checkRoutes(scope, routes));
  }
  public bind(scope: Construct, routes: ReleaseRoutes): void {
    for (const member of this.members) member.bind(scope, routes);
  }
  public argoRolloutsRouting(): IArgoRolloutsRouting {
    return setArgoRolloutsRouting(this.members);
  }
  public flaggerRouting(): IFlaggerRouting {
    return setFlaggerRouting(this.members);
  }
}
