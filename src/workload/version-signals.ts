import * as kplus from 'cdk8s-plus-27';

/** What the signals of a track's pods say about the app and its version. */
export interface SignalSource {
  /** The app name. */
  readonly name: string;
  /** The environment, e.g. `production`. */
  readonly environment?: string;
}

/**
 * The environment variables that put the version in every log line, trace and metric without
 * a change to the app: `APP_NAME`, `APP_VERSION`, and OpenTelemetry's `OTEL_SERVICE_NAME` and
 * `OTEL_RESOURCE_ATTRIBUTES` (`service.version`, and with an environment both
 * `deployment.environment.name`, the current semantic convention, and `deployment.environment`,
 * which older SDKs and backends read). The user's own variables win: one they set is kept as
 * it is, and their `OTEL_RESOURCE_ATTRIBUTES` keeps its attributes, the library's added only
 * for keys it does not set (or left alone when it comes from a Secret or ConfigMap).
 * @see https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/
 */
export function versionEnv(source: SignalSource, version: string, own: { [name: string]: kplus.EnvValue } | undefined): { [name: string]: kplus.EnvValue } {
  const user = own ?? {};
  const attributes: Array<[string, string]> = [['service.version', version]];
  if (source.environment !== undefined) {
    attributes.push(['deployment.environment.name', source.environment], ['deployment.environment', source.environment]);
  }
  const userAttributes = user.OTEL_RESOURCE_ATTRIBUTES;
  const userValue: string | undefined = userAttributes?.value;
  let resource: kplus.EnvValue;
  if (userAttributes === undefined) {
    resource = kplus.EnvValue.fromValue(attributes.map(([k, v]) => `${k}=${v}`).join(','));
  } else if (userValue === undefined) {
    resource = userAttributes; // from a Secret or ConfigMap: the user's, as it is
  } else {
    const given = userValue.split(',').map((pair: string) => pair.split('=')[0].trim()).filter((key: string) => key !== '');
    const added = attributes.filter(([key]) => !given.includes(key)).map(([k, v]) => `${k}=${v}`);
    resource = kplus.EnvValue.fromValue([userValue, ...added].filter((s) => s !== '').join(','));
  }
  // The library's variables first (a user variable can then read them as $(APP_VERSION)), in
  // their places even where the user's value wins; then the user's own, in their order.
  const { OTEL_RESOURCE_ATTRIBUTES: _merged, ...others } = user;
  return {
    APP_NAME: kplus.EnvValue.fromValue(source.name),
    APP_VERSION: kplus.EnvValue.fromValue(version),
    OTEL_SERVICE_NAME: kplus.EnvValue.fromValue(source.name),
    OTEL_RESOURCE_ATTRIBUTES: resource,
    ...others,
  };
}

/**
 * The recommended labels `app.kubernetes.io/name` and `app.kubernetes.io/version` for a track's
 * pods (never for a selector), under the user's pod labels, which win.
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/
 */
export function versionPodLabels(source: SignalSource, version: string): { [key: string]: string } {
  return { 'app.kubernetes.io/name': source.name, 'app.kubernetes.io/version': version };
}
