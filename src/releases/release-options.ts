import { ApiObjectMetadata } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { CanaryAnalysis } from '../analysis/canary-analysis';
import { SmokeTest } from '../analysis/smoke-test';
import { DeliveryEngine } from '../engines/delivery-engine';
import { TrafficRouter } from '../routing/traffic-router';

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
