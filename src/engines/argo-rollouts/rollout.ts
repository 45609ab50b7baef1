import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import type { RolloutSpecStrategy } from '../../../imports/argoproj.io';
import { objectMetadata } from '../../private/metadata';
import { argoRolloutsApi } from '../../private/upstream';
import { fail } from '../../private/validation';
import { TrackWorkloadJson } from '../../workload/track-deployment';
import { appMetadata, ResolvedRelease } from '../release-plan';
import { ENGINE } from './argo-rollouts-options';

/**
 * The Deployment strategy's rolling-update bounds, which Argo Rollouts applies to a Rollout's
 * ReplicaSets too (its default maxUnavailable is 25%, the library's 0). A Recreate strategy has
 * no Rollout equivalent.
 */
export function rollingUpdate(release: ResolvedRelease, workload: TrackWorkloadJson): { maxSurge?: string | number; maxUnavailable?: string | number } {
  const strategy = workload.strategy;
  if (strategy?.type === 'Recreate') {
    fail(release.owner, 'strategy', 'DeploymentStrategy.recreate()', `has no equivalent under ${ENGINE}: a Rollout replaces pods by its canary or blue-green strategy; leave strategy out or use a rolling update`);
  }
  return { maxSurge: strategy?.rollingUpdate?.maxSurge, maxUnavailable: strategy?.rollingUpdate?.maxUnavailable };
}

/** An int-or-string value as the generated class of its field: `0` stays a number, `25%` a string. */
export function intOrString<T>(value: string | number | undefined, cls: { fromNumber(n: number): T; fromString(s: string): T }): T | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'number' ? cls.fromNumber(value) : cls.fromString(value);
}

/**
 * The Rollout: without `replicas` when an autoscaler sizes it (the controller starts it at
 * one, and applying the next commit leaves the autoscaler's choice). Its typed spec (so a wrong field does not compile) and, as plain JSON, the pod
 * template. The template does not go through the generated class: its converters would drop
 * fields whose JSON names they spell differently (`setHostnameAsFQDN`, `hostIPC`) and
 * int-or-string ports.
 */
export function rolloutObject(scope: Construct, release: ResolvedRelease, workload: TrackWorkloadJson, replicas: number | undefined, strategy: RolloutSpecStrategy): ApiObject {
  const { Rollout } = argoRolloutsApi();
  const manifest = Rollout.manifest({
    metadata: objectMetadata(release.name, appMetadata(release).labels, release.metadata.annotations),
    // Every version's pods: Argo Rollouts tells them apart by its pod-template hash.
    spec: { replicas, selector: { matchLabels: { app: release.name } }, strategy },
  });
  return new ApiObject(scope, 'Rollout', { ...manifest, spec: { ...manifest.spec, template: workload.template } });
}
