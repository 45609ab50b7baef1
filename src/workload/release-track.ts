import * as kplus from 'cdk8s-plus-27';
import { checkInteger, checkString, checkVersion, fail } from '../private/validation';
import { checkContainerOpts } from './container-opts';

/** One version of the app: a Deployment `<name>-<v>` of `replicas` pods of `image`. */
export interface ReleaseTrack {
  /**
   * The version: lowercase letters, digits, '-' and '.', alphanumeric at both ends, e.g. `v1`
   * or `1.4.2`. Pods carry it as the `version` label; the Deployment is named `<name>-<v>`,
   * where `<v>` is the version with '.' replaced by '-'.
   */
  readonly version: string;

  /** The container image, e.g. `myapp:v1`. */
  readonly image: string;

  /**
   * How many pods run this version.
   * @default 1
   */
  readonly replicas?: number;

  /**
   * This track's container settings, merged over the release's shared `container`
   * (environment variables merged by name, security context merged field by field).
   * Ports come from `containerPort` and cannot be set here.
   * @default - the shared `container` settings only
   */
  readonly container?: kplus.ContainerOpts;

  /**
   * This track's own configuration, merged over the release's shared `config` by key: the
   * track's pods get it from their own immutable ConfigMap `<name>-<v>-<hash>`.
   * @default - the shared `config` only
   */
  readonly config?: { [key: string]: string };

  /**
   * Existing Secrets this track's pods mount, read-only, each in its own directory. The library
   * never writes a Secret: name one that exists in the release's namespace (it may differ per
   * track, e.g. a rotated credential for the new version).
   * @default - no Secret mounted
   */
  readonly secrets?: SecretMount[];
}

/** An existing Secret mounted into a track's pods. */
export interface SecretMount {
  /** The Secret's name, in the release's namespace. */
  readonly secretName: string;
  /** The directory its keys appear in, one file per key, e.g. `/etc/myapp/db`. */
  readonly mountPath: string;
}

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
