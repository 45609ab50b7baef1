import { ApiObject, ApiObjectMetadata, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { objectMetadata } from '../private/metadata';
import { restrictedSecurityContext, trackContainerOpts } from './container-opts';
import { ReleaseTrack, versionSlug } from './release-track';
import { ConfigSpec, configMapName, trackConfig } from './track-config';
import { versionEnv, versionPodLabels } from './version-signals';

/** What every track's workload of a release shares, all validated. */
export interface WorkloadSpec extends ConfigSpec {
  /** Who runs it, for error messages, e.g. `CanaryRelease 'myapp'`. */
  readonly owner: string;
  readonly name: string;
  readonly containerPort: number;
  readonly container: kplus.ContainerOpts;
  readonly strategy: kplus.DeploymentStrategy;
  readonly metadata: ApiObjectMetadata;
  readonly podMetadata: ApiObjectMetadata;
  readonly serviceAccount?: kplus.IServiceAccount;
  readonly automountServiceAccountToken: boolean;
  /** The environment the signals name, e.g. `production`. */
  readonly environment?: string;
}

/** How a track's Deployment is named and selects its pods. */
export enum DeploymentNaming {
  /** `<name>-<v>`, selecting `{app, version}`: one Deployment per track. */
  PER_VERSION = 'per-version',
  /**
   * `<name>`, selecting `{app}` only: the one Deployment through which a controller runs every
   * version (Flagger), since its version changes from release to release.
   */
  SINGLE = 'single',
}

/** How a track's Deployment is named and sized. */
export interface TrackDeploymentOptions {
  /** @default DeploymentNaming.PER_VERSION */
  readonly naming?: DeploymentNaming;
  /** Whether an autoscaler sizes it: then it has no `replicas`. */
  readonly autoscaled?: boolean;
}

/**
 * The Deployment of one track. Per version, its selector is exactly `{app, version}` and its
 * pod template carries no path-derived label, so the same object survives a move from canary
 * to stable (Deployment selectors are immutable).
 */
export function trackDeployment(scope: Construct, spec: WorkloadSpec, track: ReleaseTrack, options: TrackDeploymentOptions = {}): kplus.Deployment {
  const single = options.naming === DeploymentNaming.SINGLE;
  const opts = trackContainerOpts(spec.owner, spec.container, track);
  const labels = { app: spec.name, version: track.version };
  const deployment = new kplus.Deployment(scope, single ? 'Deployment' : `Deployment-${versionSlug(track.version)}`, {
    metadata: objectMetadata(single ? spec.name : `${spec.name}-${versionSlug(track.version)}`, { ...spec.metadata.labels, ...labels }, spec.metadata.annotations),
    replicas: track.replicas ?? 1,
    strategy: spec.strategy,
    select: false,
    podMetadata: {
      labels: { ...versionPodLabels(spec, track.version), ...spec.podMetadata.labels, ...labels },
      annotations: spec.podMetadata.annotations,
    },
    serviceAccount: spec.serviceAccount,
    automountServiceAccountToken: spec.automountServiceAccountToken,
  });
  deployment.select(kplus.LabelSelector.of({ labels: single ? { app: spec.name } : labels }));
  // No `replicas`: applying the next commit would reset what the autoscaler chose.
  if (options.autoscaled) deployment.markHasAutoscaler();
  const container = deployment.addContainer({
    name: spec.name,
    ...opts,
    envVariables: versionEnv(spec, track.version, opts.envVariables),
    securityContext: restrictedSecurityContext(opts.securityContext),
    image: track.image,
    ports: [{ number: spec.containerPort, name: 'http' }],
    readiness: opts.readiness ?? kplus.Probe.fromTcpSocket({ port: spec.containerPort }),
  });
  mountTrackConfig(deployment, container, spec, track);

  const patches = ApiObject.of(deployment);
  // cdk8s-plus always labels the pod template with its construct path; that label would change
  // when the version moves from canary to stable, so it goes.
  patches.addJsonPatch(JsonPatch.remove('/spec/template/metadata/labels/cdk8s.io~1metadata.addr'));
  // Pod Security Standards "restricted" wants a seccomp profile; cdk8s-plus has no prop for it.
  // At pod level it also covers containers injected later (e.g. Istio's sidecar).
  patches.addJsonPatch(JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }));
  return deployment;
}

/**
 * The track's ConfigMap (as environment variables, or as files at `configMapPath`) and its
 * Secrets (as files), read-only. The ConfigMap is referenced by name: the engine emits it.
 */
function mountTrackConfig(deployment: kplus.Deployment, container: kplus.Container, spec: WorkloadSpec, track: ReleaseTrack): void {
  const data = trackConfig(spec, track);
  if (data !== undefined) {
    const configMap = kplus.ConfigMap.fromConfigMapName(deployment, 'Config', configMapName(spec, track, data));
    if (spec.configMountPath === undefined) {
      container.env.copyFrom(kplus.Env.fromConfigMap(configMap));
    } else {
      container.mount(spec.configMountPath, kplus.Volume.fromConfigMap(deployment, 'ConfigVolume', configMap, { name: 'config' }), { readOnly: true });
    }
  }
  (track.secrets ?? []).forEach((mount, i) => {
    const secret = kplus.Secret.fromSecretName(deployment, `Secret${i}`, mount.secretName);
    container.mount(mount.mountPath, kplus.Volume.fromSecret(deployment, `SecretVolume${i}`, secret, { name: `secret-${i}` }), { readOnly: true });
  });
}

/** The pod template and strategy of a track's Deployment, as JSON. */
export interface TrackWorkloadJson {
  readonly template: unknown;
  readonly strategy?: { type?: string; rollingUpdate?: { maxSurge?: string | number; maxUnavailable?: string | number } };
}

/**
 * What the track's Deployment would run (same container merge, probe, labels, security
 * settings and strategy), for a workload that is not a Deployment (an Argo Rollout). cdk8s-plus
 * renders a pod template only through a workload construct, so the Deployment is built under
 * `scope`, read, and removed again before anything is synthesized.
 */
export function trackWorkloadJson(scope: Construct, spec: WorkloadSpec, track: ReleaseTrack): TrackWorkloadJson {
  const deployment = trackDeployment(scope, spec, track, {});
  const json = ApiObject.of(deployment).toJson() as { spec: TrackWorkloadJson };
  scope.node.tryRemoveChild(deployment.node.id);
  return { template: json.spec.template, strategy: json.spec.strategy };
}
