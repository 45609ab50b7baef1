import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { objectMetadata } from '../private/metadata';
import { lazyRequire } from '../private/upstream';
import { checkDnsSubdomain, fail } from '../private/validation';
import { ReleaseTrack, SecretMount, versionSlug } from './release-track';

/** Node's crypto, as much of it as the hash needs (the jsii build has no @types/node). */
interface Crypto {
  createHash(algorithm: string): { update(data: string): { digest(encoding: string): string } };
}

/** What a release's tracks share of their configuration. */
export interface ConfigSpec {
  readonly owner: string;
  readonly name: string;
  readonly metadata: { labels?: { [key: string]: string }; annotations?: { [key: string]: string } };
  /** The shared `config`, validated. */
  readonly config: { [key: string]: string };
  /** Where each track's config is mounted as files; undefined: as environment variables. */
  readonly configMountPath?: string;
}

/** A ConfigMap key (the API server's rule). */
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;
/** An environment variable name, as `envFrom` takes it without skipping the key. */
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
/** A ConfigMap holds at most 1 MiB. */
const MAX_BYTES = 1024 * 1024;

/**
 * Checks a `config` map: string values, keys that a ConfigMap takes and, when it is consumed as
 * environment variables, keys that are variable names (`envFrom` skips any other key with only
 * an event).
 */
export function checkConfig(owner: string, prop: string, config: unknown, asFiles: boolean): { [key: string]: string } {
  if (config === undefined) return {};
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    fail(owner, prop, config, 'must be a map of keys to string values, e.g. { LOG_LEVEL: \'info\' }');
  }
  for (const [key, value] of Object.entries(config as { [key: string]: unknown })) {
    if (!CONFIG_KEY.test(key) || key.length > 253 || key === '.' || key.startsWith('..')) {
      fail(owner, `${prop} key`, key, 'must be a ConfigMap key: at most 253 letters, digits, \'-\', \'_\' and \'.\', not \'.\' and not starting with \'..\'');
    }
    if (!asFiles && !ENV_NAME.test(key)) {
      fail(owner, `${prop} key`, key, 'must be an environment variable name (not starting with a digit) while config is consumed as environment variables; set configMountPath to mount it as files');
    }
    if (typeof value !== 'string') {
      fail(owner, `${prop}[${JSON.stringify(key)}]`, value, 'must be a string');
    }
  }
  return config as { [key: string]: string };
}

/** Checks a mount path: absolute, no `..`, no `:`, not the root. */
export function checkMountPath(owner: string, prop: string, path: unknown): string {
  if (typeof path !== 'string' || !path.startsWith('/') || path === '/' || path.endsWith('/') || path.includes('//') || path.includes(':')
    || path.split('/').some((part) => part === '..' || part === '.') || path.length > 1024) {
    fail(owner, prop, path, 'must be an absolute directory path other than \'/\', written one way only (no trailing \'/\', no \'//\', \'.\' or \'..\', no \':\'), e.g. \'/etc/myapp\'');
  }
  return path;
}

/** Checks a track's `secrets`: existing Secrets by name, each at its own mount path. */
export function checkSecrets(owner: string, prop: string, secrets: SecretMount[] | undefined, taken: string[]): void {
  if (secrets === undefined) return;
  if (!Array.isArray(secrets)) fail(owner, prop, secrets, 'must be a list of { secretName, mountPath }');
  const paths = [...taken];
  secrets.forEach((secret, i) => {
    checkDnsSubdomain(owner, `${prop}[${i}].secretName`, secret?.secretName, 'the name of a Secret in the release\'s namespace');
    const path = checkMountPath(owner, `${prop}[${i}].mountPath`, secret.mountPath);
    if (paths.includes(path)) fail(owner, `${prop}[${i}].mountPath`, path, 'is already mounted: give each Secret (and the config) its own directory');
    paths.push(path);
  });
}

/** A track's configuration: the shared config with the track's own merged over it, by key. */
export function trackConfig(spec: ConfigSpec, track: ReleaseTrack): { [key: string]: string } | undefined {
  const merged = { ...spec.config, ...track.config };
  return Object.keys(merged).length > 0 ? merged : undefined;
}

/**
 * `<name>-<v>-<hash>`: the hash is the first 10 hex digits of the SHA-256 of the data (keys
 * sorted), so a change of any value is a new name, and the pods that mount it roll.
 */
export function configMapName(spec: ConfigSpec, track: ReleaseTrack, data: { [key: string]: string }): string {
  const { createHash } = lazyRequire<Crypto>('crypto');
  const canonical = JSON.stringify(Object.keys(data).sort().map((key) => [key, data[key]]));
  return `${spec.name}-${versionSlug(track.version)}-${createHash('sha256').update(canonical).digest('hex').slice(0, 10)}`;
}

/** The length of `s` in UTF-8, as the API server counts a ConfigMap's size. */
function utf8Bytes(s: string): number {
  let bytes = 0;
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
}

/** Refuses a config larger than a ConfigMap holds. */
export function checkConfigSize(spec: ConfigSpec, track: ReleaseTrack): void {
  const data = trackConfig(spec, track);
  if (data === undefined) return;
  const bytes = Object.entries(data).reduce((n, [k, v]) => n + utf8Bytes(k) + utf8Bytes(v), 0);
  if (bytes > MAX_BYTES) {
    fail(spec.owner, 'config', `${bytes} bytes for version ${JSON.stringify(track.version)}`, 'must total at most 1 MiB (keys and values), what a ConfigMap holds');
  }
}

/**
 * The immutable ConfigMap `<name>-<v>-<hash>` of a track, when it has configuration. Flagger's
 * config tracking is off for it (`flagger.app/config-tracking: disabled`): it is versioned
 * already, so Flagger's primary can use it as it is instead of a `-primary` copy.
 */
export function trackConfigMap(scope: Construct, spec: ConfigSpec, track: ReleaseTrack): k8s.KubeConfigMap | undefined {
  const data = trackConfig(spec, track);
  if (data === undefined) return undefined;
  const name = configMapName(spec, track, data);
  // The generated k8s class, not cdk8s-plus's ConfigMap: that one drops a map of empty values.
  return new k8s.KubeConfigMap(scope, `Config-${versionSlug(track.version)}`, {
    metadata: objectMetadata(name, { ...spec.metadata.labels, app: spec.name, version: track.version }, {
      ...spec.metadata.annotations,
      'flagger.app/config-tracking': 'disabled',
    }),
    data,
    immutable: true,
  });
}

/** Checks a track's `config` and `secrets` (`prop` is where the track sits, e.g. `canary`). */
export function checkTrackConfig(spec: ConfigSpec, prop: string, track: ReleaseTrack): void {
  checkConfig(spec.owner, `${prop}.config`, track.config, spec.configMountPath !== undefined);
  checkSecrets(spec.owner, `${prop}.secrets`, track.secrets, spec.configMountPath !== undefined ? [spec.configMountPath] : []);
  checkConfigSize(spec, track);
  const prefix = `${spec.name}-${versionSlug(track.version)}-`;
  if (trackConfig(spec, track) !== undefined && prefix.length + 10 > 63) {
    fail(spec.owner, 'name', spec.name, `is too long: the ConfigMap "${prefix}<hash>" would have ${prefix.length + 10} characters (the hash has 10), and at most 63 are allowed; shorten the name or the version`);
  }
}

/** `configMountPath` needs configuration to mount: shared, or of some track. */
export function checkConfigMountPath(spec: ConfigSpec, tracks: ReleaseTrack[]): void {
  if (spec.configMountPath !== undefined && tracks.every((track) => trackConfig(spec, track) === undefined)) {
    fail(spec.owner, 'configMountPath', spec.configMountPath, 'has nothing to mount: give config (shared or a track\'s), or remove configMountPath');
  }
}

/** The ConfigMaps of these tracks, in order (a track without configuration has none). */
export function trackConfigMaps(scope: Construct, spec: ConfigSpec, tracks: Array<ReleaseTrack | undefined>): k8s.KubeConfigMap[] {
  return tracks.flatMap((track) => {
    const configMap = track ? trackConfigMap(scope, spec, track) : undefined;
    return configMap ? [configMap] : [];
  });
}
