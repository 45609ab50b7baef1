import { ApiObjectMetadata, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { RolloutSpecStrategyCanaryTrafficRouting } from '../../imports/argoproj.io';
import { CanaryMetricQueries, CanaryMetricsTarget } from '../analysis/canary-analysis';
import type { FlaggerRouting } from '../engines/flagger/flagger-engine';
import { GatewayApiRouterOptions, bindGatewayApiBlueGreen, bindGatewayApiCanary, gatewayApiFlaggerRouting, validateGatewayApiOptions } from './gateway-api/gateway-api-router';
import { HeaderMatch } from './header-match';
import { IstioRouterOptions, bindIstioBlueGreen, bindIstioCanary, istioFlaggerRouting, validateIstioOptions } from './istio/istio-router';
import { NginxRouterOptions, bindNginxBlueGreen, bindNginxCanary, nginxArgoTrafficRouting, nginxFlaggerRouting, validateNginxOptions } from './nginx/nginx-router';
import { istioMetrics, nginxMetrics } from './router-metrics';
import { fail } from '../private/validation';

/** A track as a router sees it: its version and its Deployment. */
export interface RoutedTrack {
  /** The version, e.g. `1.4.2`. */
  readonly version: string;
  /** `<v>`: the version with '.' replaced by '-', e.g. `1-4-2`; a DNS label. */
  readonly slug: string;
  /**
   * The track's Deployment `<name>-<v>`.
   * @default - none: a rollout controller runs the track
   */
  readonly deployment?: kplus.Deployment;
}

/** What a `CanaryRelease` asks its router to route; all of it already validated. */
export interface CanaryRouting {
  /** Who is asking, for error messages, e.g. `CanaryRelease 'myapp'`. */
  readonly owner: string;
  /** The app name. */
  readonly name: string;
  /** The port the Services expose, named `http`. */
  readonly servicePort: number;
  /** Labels and annotations every object carries. */
  readonly metadata: ApiObjectMetadata;
  /** Service `<name>`: the one clients call. */
  readonly service: kplus.Service;
  /** The stable track. */
  readonly stable: RoutedTrack;
  /**
   * The canary track.
   * @default - no canary: everything goes to stable
   */
  readonly canary?: RoutedTrack;
  /**
   * Service `<name>-canary`, selecting only the canary's pods.
   * @default - no canary
   */
  readonly canaryService?: kplus.Service;
  /**
   * 1st rule: this header sends a request to the canary.
   * @default - none
   */
  readonly header?: HeaderMatch;
  /**
   * 2nd rule: `<cookie>=always` to the canary, `<cookie>=never` to stable.
   * @default - none
   */
  readonly cookie?: string;
  /** 3rd rule: this share of the rest, out of `weightTotal`, goes to the canary. */
  readonly weight: number;
  /** What `weight` is out of (100 to 1,000,000). */
  readonly weightTotal: number;
}

/** What a `BlueGreenRelease` asks its router to route; all of it already validated. */
export interface BlueGreenRouting {
  /** Who is asking, for error messages, e.g. `BlueGreenRelease 'myapp'`. */
  readonly owner: string;
  /** The app name. */
  readonly name: string;
  /** The port the Services expose, named `http`. */
  readonly servicePort: number;
  /** Labels and annotations every object carries. */
  readonly metadata: ApiObjectMetadata;
  /** Service `<name>`, the one clients call. */
  readonly activeService: kplus.Service;
  /** The active color's track. */
  readonly active: RoutedTrack;
  /**
   * The idle color's track.
   * @default - none (after cut-over)
   */
  readonly idle?: RoutedTrack;
  /**
   * Service `<name>-preview` over the idle color.
   * @default - no preview
   */
  readonly previewService?: kplus.Service;
  /**
   * Expose the preview at this host.
   * @default - the preview is reachable inside the cluster only
   */
  readonly previewHost?: string;
}

/**
 * How traffic enters a release: plain Service, ingress-nginx, Istio or Gateway API.
 *
 * Open for extension: subclass it and implement `bindCanary` and `bindBlueGreen` to emit the
 * objects of another traffic provider.
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
   * rules and a weighted rule over the Services `<name>` and `<name>-canary`.
   * @see https://gateway-api.sigs.k8s.io/api-types/httproute/
   */
  public static gatewayApi(options: GatewayApiRouterOptions): TrafficRouter {
    return new GatewayApiRouter(validateGatewayApiOptions(options));
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

  /** Emits the routing objects of a canary release into `scope`. */
  public abstract bindCanary(scope: Construct, routing: CanaryRouting): void;

  /** Emits the routing objects of a blue-green release into `scope`. */
  public abstract bindBlueGreen(scope: Construct, routing: BlueGreenRouting): void;

  /**
   * PromQL for a version's error rate and p99 latency from the metrics this router's
   * controller exposes, for `CanaryAnalysis`.
   *
   * @returns undefined when the router exposes no per-version request metrics
   */
  public canaryMetrics(_target: CanaryMetricsTarget): CanaryMetricQueries | undefined {
    return undefined;
  }

  /**
   * Whether the router's metrics count a version's requests by the host route that reaches it
   * (ingress-nginx's per-Ingress metrics), so a preview is measured only with a previewHost.
   * @internal
   */
  public get _measuresByHost(): boolean {
    return false;
  }

  /**
   * For `DeliveryEngine.argoRollouts()`: emits the routing objects Argo Rollouts expects to find
   * (not those it creates itself) and returns the Rollout's `trafficRouting` (JSON), or
   * undefined for a canary by replica count.
   * @internal
   */
  public _bindArgoCanary(_scope: Construct, routing: CanaryRouting): RolloutSpecStrategyCanaryTrafficRouting | undefined {
    throw new Error(`${routing.owner}: engine (DeliveryEngine.argoRollouts()) does not support this router (${this.constructor.name}): use TrafficRouter.service(), .nginx(), .istio() or .gatewayApi()`);
  }

  /**
   * For `DeliveryEngine.flagger()`: emits the routing objects Flagger expects to find (not those
   * it generates) and says how the router looks to Flagger.
   * @internal
   */
  public _bindFlagger(_scope: Construct, routing: CanaryRouting): FlaggerRouting {
    throw new Error(`${routing.owner}: engine (DeliveryEngine.flagger()) does not support this router (${this.constructor.name}): use TrafficRouter.nginx(), .istio() or .gatewayApi()`);
  }
}

class ServiceRouter extends TrafficRouter {
  public readonly splitsTraffic = false;
  public readonly routesBySubset = false;
  public readonly servesHosts = false;
  public bindCanary(): void {
    // The Service `<name>` over every track is all there is.
  }
  public bindBlueGreen(): void {
    // The Service `<name>` over the active color is all there is.
  }
  /** @internal */
  public _bindArgoCanary(): RolloutSpecStrategyCanaryTrafficRouting | undefined {
    return undefined; // Argo Rollouts' basic canary: the weight is the share of replicas.
  }
}

class NginxRouter extends TrafficRouter {
  public readonly splitsTraffic = true;
  public readonly routesBySubset = false;
  public readonly servesHosts = true;
  constructor(private readonly options: NginxRouterOptions) {
    super();
  }
  public bindCanary(scope: Construct, routing: CanaryRouting): void {
    bindNginxCanary(scope, this.options, routing);
  }
  public bindBlueGreen(scope: Construct, routing: BlueGreenRouting): void {
    bindNginxBlueGreen(scope, this.options, routing);
  }
  public canaryMetrics(target: CanaryMetricsTarget): CanaryMetricQueries | undefined {
    return nginxMetrics(target);
  }
  /** @internal */
  public get _measuresByHost(): boolean {
    return true;
  }
  /** @internal */
  public _bindArgoCanary(scope: Construct, routing: CanaryRouting): RolloutSpecStrategyCanaryTrafficRouting | undefined {
    return nginxArgoTrafficRouting(scope, this.options, routing);
  }
  /** @internal */
  public _bindFlagger(scope: Construct, routing: CanaryRouting): FlaggerRouting {
    return nginxFlaggerRouting(scope, this.options, routing);
  }
}

class IstioRouter extends TrafficRouter {
  public readonly splitsTraffic = true;
  public readonly routesBySubset: boolean;
  public readonly servesHosts = true;
  constructor(private readonly options: IstioRouterOptions) {
    super();
    this.routesBySubset = options.subsets ?? false;
  }
  public bindCanary(scope: Construct, routing: CanaryRouting): void {
    bindIstioCanary(scope, this.options, routing);
  }
  public bindBlueGreen(scope: Construct, routing: BlueGreenRouting): void {
    bindIstioBlueGreen(scope, this.options, routing);
  }
  public canaryMetrics(target: CanaryMetricsTarget): CanaryMetricQueries | undefined {
    return istioMetrics(target);
  }
  /** @internal */
  public _bindArgoCanary(scope: Construct, routing: CanaryRouting): RolloutSpecStrategyCanaryTrafficRouting | undefined {
    // Argo Rollouts shifts the weights of the route `weighted`; with subsets it relabels the
    // DestinationRule's subsets `stable` and `canary` with its pod-template hashes.
    if (routing.weightTotal !== 100) {
      fail(routing.owner, 'canary.traffic.weightTotal', routing.weightTotal, 'must be 100 with DeliveryEngine.argoRollouts() and TrafficRouter.istio(): Argo Rollouts accepts maxTrafficWeight only with ingress-nginx and traffic router plugins');
    }
    bindIstioCanary(scope, this.options, routing, true);
    const virtualService = { name: routing.name, routes: ['weighted'] };
    return this.options.subsets
      ? { istio: { virtualService, destinationRule: { name: routing.name, stableSubsetName: 'stable', canarySubsetName: 'canary' } } }
      : { istio: { virtualService } };
  }
  /** @internal */
  public _bindFlagger(_scope: Construct, routing: CanaryRouting): FlaggerRouting {
    return istioFlaggerRouting(this.options, routing);
  }
}

class GatewayApiRouter extends TrafficRouter {
  public readonly splitsTraffic = true;
  public readonly routesBySubset = false;
  public readonly servesHosts = true;
  constructor(private readonly options: GatewayApiRouterOptions) {
    super();
  }
  public bindCanary(scope: Construct, routing: CanaryRouting): void {
    bindGatewayApiCanary(scope, this.options, routing);
  }
  public bindBlueGreen(scope: Construct, routing: BlueGreenRouting): void {
    bindGatewayApiBlueGreen(scope, this.options, routing);
  }
  /**
   * Gateway API has no standard request metrics: these are Istio's (for Istio as the Gateway
   * API implementation); pass `errorRateQuery`/`latencyQuery` for another implementation.
   */
  public canaryMetrics(target: CanaryMetricsTarget): CanaryMetricQueries | undefined {
    return istioMetrics(target);
  }
  /** @internal */
  public _bindArgoCanary(scope: Construct, routing: CanaryRouting): RolloutSpecStrategyCanaryTrafficRouting | undefined {
    // The Argo Rollouts Gateway API plugin shifts the weights of the HTTPRoute's backendRefs.
    bindGatewayApiCanary(scope, this.options, routing);
    const namespace = Chart.of(scope).namespace;
    return { plugins: { 'argoproj-labs/gatewayAPI': { httpRoute: routing.name, ...(namespace ? { namespace } : {}) } } };
  }
  /** @internal */
  public _bindFlagger(_scope: Construct, routing: CanaryRouting): FlaggerRouting {
    return gatewayApiFlaggerRouting(this.options, routing);
  }
}
