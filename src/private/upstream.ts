/**
 * The typed bindings that `cdk8s import` generated from the upstream CRDs (imports/), loaded on
 * first use. They are large (about 80,000 lines): loading them only when a release needs them
 * keeps `require('cdk8s-progressive-delivery')` about as cheap as `require('cdk8s-plus-27')`.
 */
import type * as argo from '../../imports/argoproj.io';
import type * as flaggerApp from '../../imports/flagger.app';
import type * as gatewayApi from '../../imports/gateway.networking.k8s.io';
import type * as monitoring from '../../imports/monitoring.coreos.com';
import type * as istioNetworking from '../../imports/networking.istio.io';

/** Node's `require`, declared here: the jsii build compiles without @types/node. */
declare const require: (id: string) => any;

/** A module loaded on first use (Node caches it after that). */
export function lazyRequire<T>(id: string): T {
  return require(id) as T;
}

/** Argo Rollouts: Rollout, AnalysisTemplate (argoproj.io/v1alpha1). */
export function argoRolloutsApi(): typeof argo {
  return lazyRequire('../../imports/argoproj.io');
}

/** Flagger: Canary, MetricTemplate (flagger.app/v1beta1). */
export function flaggerApi(): typeof flaggerApp {
  return lazyRequire('../../imports/flagger.app');
}

/** Gateway API: HTTPRoute (gateway.networking.k8s.io/v1). */
export function gatewayApiApi(): typeof gatewayApi {
  return lazyRequire('../../imports/gateway.networking.k8s.io');
}

/** prometheus-operator: PrometheusRule (monitoring.coreos.com/v1). */
export function prometheusOperatorApi(): typeof monitoring {
  return lazyRequire('../../imports/monitoring.coreos.com');
}

/** Istio: VirtualService, DestinationRule (networking.istio.io/v1). */
export function istioApi(): typeof istioNetworking {
  return lazyRequire('../../imports/networking.istio.io');
}
