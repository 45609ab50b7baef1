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
