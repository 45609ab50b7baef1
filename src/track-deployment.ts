import { ApiObject, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { objectMetadata } from './metadata';
import type { ResolvedRelease } from './release-base';
import { ReleaseTrack } from './release-track';
import { checkInteger, checkString, checkVersion, fail } from './validation';

/** `<v>`: the version with '.' replaced by '-'. */
export function versionSlug(version: string): string {
  return version.replace(/\./g, '-');
}

/** Checks a track's own props; `prop` is where it sits in the props, e.g. `canary`. */
export function checkTrack(owner: string, prop: string, track: ReleaseTrack | undefined): ReleaseTrack {
  if (track === undefined || track === null || typeof track !== 'object') {
    fail(owner, prop, track, 'must be a track: { version, image, replicas?, container? }');
  }
  checkVersion(owner, `${prop}.version`, track.version);
  checkString(owner, `${prop}.image`, track.image);
  if (/\s/.test(track.image)) fail(owner, `${prop}.image`, track.image, 'must not contain white space');
  if (track.replicas !== undefined) checkInteger(owner, `${prop}.replicas`, track.replicas, 0, 1_000_000, '0 and 1000000');
  checkContainerOpts(owner, `${prop}.container`, track.container);
  return track;
}

/** Ports come from containerPort only; the image from the track. */
export function checkContainerOpts(owner: string, prop: string, opts: kplus.ContainerOpts | undefined): void {
  if (opts === undefined) return;
  for (const key of ['port', 'portNumber', 'ports'] as const) {
    if (opts[key] !== undefined) {
      fail(owner, `${prop}.${key}`, opts[key], 'is not allowed: the container port comes from containerPort');
    }
  }
  if ((opts as { image?: unknown }).image !== undefined) {
    fail(owner, `${prop}.image`, (opts as { image?: unknown }).image, 'is not allowed here: each track sets its own image');
  }
}

/** The track's container settings merged over the shared ones: env by name, security context by field. */
export function mergeContainerOpts(shared: kplus.ContainerOpts, own: kplus.ContainerOpts | undefined): kplus.ContainerOpts {
  if (!own) return shared;
  const merged: { [key: string]: unknown } = { ...shared };
  for (const [key, value] of Object.entries(own)) {
    if (value !== undefined) merged[key] = value;
  }
  const env = { ...shared.envVariables, ...own.envVariables };
  const securityContext = { ...shared.securityContext, ...definedOnly(own.securityContext) };
  return {
    ...(merged as kplus.ContainerOpts),
    envVariables: Object.keys(env).length > 0 ? env : undefined,
    securityContext: Object.keys(securityContext).length > 0 ? securityContext : undefined,
  };
}

function definedOnly<T extends object>(o: T | undefined): Partial<T> {
  const out: { [key: string]: unknown } = {};
  for (const [k, v] of Object.entries(o ?? {})) if (v !== undefined) out[k] = v;
  return out as Partial<T>;
}

/**
 * The Deployment `<name>-<v>` of one track. Its selector is exactly `{app, version}` and its
 * pod template carries no path-derived label, so the same object survives a move from canary
 * to stable (Deployment selectors are immutable).
 */
export function trackDeployment(scope: Construct, release: ResolvedRelease, track: ReleaseTrack): kplus.Deployment {
  const slug = versionSlug(track.version);
  const selector = { app: release.name, version: track.version };
  const deployment = new kplus.Deployment(scope, `Deployment-${slug}`, {
    metadata: objectMetadata(`${release.name}-${slug}`, { ...release.metadata.labels, ...selector }, release.metadata.annotations),
    replicas: track.replicas ?? 1,
    strategy: release.strategy,
    select: false,
    podMetadata: {
      labels: { ...release.podMetadata.labels, ...selector },
      annotations: release.podMetadata.annotations,
    },
    serviceAccount: release.serviceAccount,
    automountServiceAccountToken: release.automountServiceAccountToken,
  });
  deployment.select(kplus.LabelSelector.of({ labels: selector }));

  const opts = mergeContainerOpts(release.container, track.container);
  deployment.addContainer({
    name: release.name,
    ...opts,
    image: track.image,
    ports: [{ number: release.containerPort, name: 'http' }],
    readiness: opts.readiness ?? kplus.Probe.fromTcpSocket({ port: release.containerPort }),
  });

  // cdk8s-plus always labels the pod template with its construct path; that label would change
  // when the version moves from canary to stable, so it goes.
  ApiObject.of(deployment).addJsonPatch(JsonPatch.remove('/spec/template/metadata/labels/cdk8s.io~1metadata.addr'));
  return deployment;
}
