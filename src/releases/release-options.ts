import { ApiObjectMetadata } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { CanaryAnalysis } from '../analysis/canary-analysis';
import { SmokeTest } from '../analysis/smoke-test';
import { DeliveryEngine } from '../engines/delivery-engine';
import { TrafficRouter } from '../routing/traffic-router';
import { AppProtocol } from '../workload/app-protocol';
import { Autoscaling } from '../workload/autoscaling';
import { DisruptionBudget } from '../workload/disruption-budget';

/** Props shared by `CanaryRelease` and `BlueGreenRelease`. */
export interface ReleaseOptions {
  /**
   * The app name: a DNS-1035 label (starts with a letter). Pods carry it as the `app` label and
   * every object is named after it.
   * @default - the construct id
   */
  readonly name?: string;

  /** The port the container listens on (named `http`). */
  readonly containerPort: number;

  /**
   * The port the Services expose, named `http`, targeting `containerPort`.
   * @default - containerPort
   */
  readonly servicePort?: number;

  /**
   * The protocol the app speaks on its port, which every Service and every router of the
   * release agrees on. With `AppProtocol.GRPC` every Service's port (also those Flagger
   * generates) carries `appProtocol: grpc`; ingress-nginx proxies with
   * `backend-protocol: GRPC` (clients reach nginx over HTTP/2, which it negotiates on its TLS
   * listener: give the router a `tlsSecretName`, or rely on the controller's default
   * certificate); Istio routes the VirtualService's `http` rules as gRPC; Gateway API gets a
   * `GRPCRoute` instead of an HTTPRoute (no `path`: a GRPCRoute does not match paths;
   * Flagger generates HTTPRoutes only, so Gateway API under Flagger is refused). The default
   * analysis queries count gRPC failures where the router's metrics see them (Istio's and
   * Gateway API's: `grpc_response_status`), and ingress-nginx's, which see only the HTTP
   * status, need your own `errorRateQuery`. A `smokeTest` (HTTP requests with curl) is refused.
   * @default AppProtocol.HTTP
   * @see https://kubernetes.io/docs/concepts/services-networking/service/#application-protocol
   */
  readonly appProtocol?: AppProtocol;

  /**
   * Container settings shared by every track; a track's own `container` is merged over them.
   * Ports come from `containerPort` only.
   * @default - cdk8s-plus defaults: non-root, read-only root filesystem, no privilege escalation
   */
  readonly container?: kplus.ContainerOpts;

  /**
   * How each track's Deployment replaces its pods.
   * @default - rolling update with maxSurge 25% and maxUnavailable 0
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#strategy
   */
  readonly strategy?: kplus.DeploymentStrategy;

  /**
   * Labels and annotations added to every object (not a name or namespace: use the chart's namespace).
   * @default - none
   */
  readonly metadata?: ApiObjectMetadata;

  /**
   * Labels and annotations added to every pod, e.g. `sidecar.istio.io/inject: "true"`.
   * The `app` and `version` labels are the library's own.
   * @default - none
   */
  readonly podMetadata?: ApiObjectMetadata;

  /**
   * The service account the pods run as.
   * @default - the namespace's default service account, with no token mounted
   */
  readonly serviceAccount?: kplus.IServiceAccount;

  /**
   * Whether pods mount the service account's API token. Turn it on only for an app that
   * calls the Kubernetes API.
   * @default false
   * @see https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#opt-out-of-api-credential-automounting
   */
  readonly automountServiceAccountToken?: boolean;

  /**
   * Configuration shared by every track, as string data; a track's own `config` is merged over
   * it by key. Each track gets an immutable ConfigMap `<name>-<v>-<hash>` of its configuration
   * (the hash from its content), so changing a value renames the ConfigMap and rolls that
   * track's pods, and a rollback brings back the configuration the version ran with.
   * Consumed as environment variables (`envFrom`), or as files with `configMountPath`.
   * @default - no configuration
   * @see https://kubernetes.io/docs/concepts/configuration/configmap/#configmap-immutable
   */
  readonly config?: { [key: string]: string };

  /**
   * Mount each track's configuration here, one read-only file per key, instead of as
   * environment variables.
   * @default - environment variables
   */
  readonly configMountPath?: string;

  /**
   * The environment the release runs in, e.g. `production`: every pod's OpenTelemetry resource
   * says so (`deployment.environment.name` and the older `deployment.environment`).
   * @default - no environment attribute
   * @see https://opentelemetry.io/docs/specs/semconv/resource/deployment-environment/
   */
  readonly environment?: string;

  /**
   * How many of each track's pods a node drain may take at once: a PodDisruptionBudget per
   * track (per color) selecting exactly its pods. Under Argo Rollouts they select each version's
   * ReplicaSets (stable and canary); under Flagger, `<name>-primary`'s pods and the canary's.
   * A budget that would block every eviction of a track at its smallest size is refused.
   * @default DisruptionBudget.maxUnavailable(1) - one pod of each track at a time: a drain never
   * waits forever, even on a one-pod track, and a pod that is not Ready can always be evicted
   * @see https://kubernetes.io/docs/tasks/run-application/configure-pdb/
   */
  readonly disruptionBudget?: DisruptionBudget;

  /**
   * Size each track with a HorizontalPodAutoscaler (autoscaling/v2) instead of `replicas`: the
   * stable track (each color) between `minReplicas` and `maxReplicas`, a canary in proportion
   * to its weight. Plain manifests: one per track, on its Deployment; Argo Rollouts: one on the
   * Rollout; Flagger: one on its Deployment (`autoscalerRef`), which Flagger copies for
   * `<name>-primary`. Tracks then set no `replicas`.
   * @default - no autoscaler: each track runs its `replicas`
   * @see https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/
   */
  readonly autoscaling?: Autoscaling;

  /**
   * How traffic enters the release.
   * @default TrafficRouter.service()
   */
  readonly router?: TrafficRouter;

  /**
   * How the new version is judged while it runs. With plain manifests: a PrometheusRule
   * `<name>` whose alerts say to roll back; with a rollout controller: its analysis, which rolls
   * back by itself.
   * @default - no analysis
   */
  readonly analysis?: CanaryAnalysis;

  /**
   * Requests sent to the new version before it takes user traffic (the canary, or the idle
   * color), failing unless every answer has the expected status. Plain manifests: a Job
   * `<name>-smoke-<v>`; Argo Rollouts: an analysis before the first weight (blue-green: before
   * promotion); Flagger: a `pre-rollout` webhook to its load tester.
   * @default - no smoke test
   */
  readonly smokeTest?: SmokeTest;

  /**
   * Who moves the release forward.
   * @default DeliveryEngine.manifests()
   */
  readonly engine?: DeliveryEngine;
}
