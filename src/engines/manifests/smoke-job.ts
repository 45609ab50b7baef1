import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { objectMetadata } from '../../private/metadata';
import { checkObjectName } from '../../private/object-names';
import { versionSlug } from '../../workload/release-track';
import { ResolvedRelease } from '../release-plan';
import { SmokeRequests, smokePod } from '../smoke-target';

/** How long a finished smoke Job (and its pod's log) stays: a day, to read it and gate on it. */
const TTL_SECONDS = 24 * 60 * 60;

/** The name of the smoke Job of a version: `<name>-smoke-<v>`, so a new version runs a new Job. */
export function smokeJobName(release: ResolvedRelease, version: string): string {
  return `${release.name}-smoke-${versionSlug(version)}`;
}

/**
 * The Job `<name>-smoke-<v>` that sends the smoke test's requests to the new version once it
 * runs: it fails (no retry) unless every answer has the expected status. Finished, it is
 * deleted after a day.
 */
export function smokeJob(scope: Construct, release: ResolvedRelease, version: string, requests: SmokeRequests): ApiObject {
  const name = smokeJobName(release, version);
  checkObjectName(release, name, 'smoke test Job');
  return new ApiObject(scope, `SmokeJob-${versionSlug(version)}`, {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: objectMetadata(name, { ...release.metadata.labels, app: release.name, version }, release.metadata.annotations),
    spec: {
      backoffLimit: 0,
      ttlSecondsAfterFinished: TTL_SECONDS,
      template: smokePod(release, version, requests),
    },
  });
}
