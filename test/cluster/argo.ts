/**
 * What the Argo Rollouts cluster tests share: applying as a GitOps tool set up as the README
 * says, waiting on the Rollout `myapp`, and promoting it as `kubectl argo rollouts promote` does.
 * A module of helpers, not a test file (a test file that imports another runs its tests twice).
 */
import { K8sObject } from '../util';
import { apply, get, kubectl, waitFor } from './kube';

/** The name of the Rollout in every Argo Rollouts cluster test: the release is `myapp`. */
export const ROLLOUT = 'myapp';

/**
 * Applies as a GitOps tool set up as the README says (Argo CD's `ignoreDifferences` with
 * `RespectIgnoreDifferences=true`): the Services' `rollouts-pod-template-hash`, which Argo
 * Rollouts writes, is kept at its live value. A Service's selector is an atomic map, so an
 * apply that leaves the key out removes it (see the last test of argo-rollouts.cluster.ts).
 */
export function applyRespectingArgo(objects: K8sObject[], ns: string): void {
  apply(objects.map((o) => {
    if (o.kind !== 'Service') return o;
    let live: K8sObject | undefined;
    try {
      live = get('service', o.metadata.name, ns);
    } catch {
      return o; // not created yet
    }
    const hash = live.spec.selector?.['rollouts-pod-template-hash'];
    return hash ? { ...o, spec: { ...o.spec, selector: { ...o.spec.selector, 'rollouts-pod-template-hash': hash } } } : o;
  }));
}

/** The Rollout `myapp` as it is in the cluster now. */
export const rollout = (ns: string): K8sObject => get('rollout', ROLLOUT, ns);

/** Healthy, and the controller has seen the Rollout's latest spec. */
export const isHealthy = (r: K8sObject): boolean => r.status?.phase === 'Healthy' && r.status?.observedGeneration === String((r.metadata as any).generation);

/** Healthy, and the version it runs is the stable one. */
export const settledOn = (version: string) => (r: K8sObject): boolean =>
  isHealthy(r) && r.status?.stableRS === r.status?.currentPodHash && r.spec.template.metadata.labels.version === version;

/** Paused by the plan's pause at step `index` (a pause without a duration waits for a promotion). */
export const pausedAt = (r: K8sObject, index: number): boolean =>
  r.status?.currentStepIndex === index && (r.status?.pauseConditions ?? []).some((c: any) => c.reason === 'CanaryPauseStep');

/** Waits until `check` holds for the Rollout; on a timeout the error carries its last status. */
export async function waitRollout(ns: string, what: string, check: (r: K8sObject) => boolean, timeoutMs = 120_000): Promise<K8sObject> {
  let last: K8sObject | undefined;
  try {
    return await waitFor(`Rollout ${ns}/${ROLLOUT}: ${what}`, () => {
      last = rollout(ns);
      return check(last) ? last : undefined;
    }, timeoutMs);
  } catch (e) {
    throw new Error(`${(e as Error).message}; its status: ${JSON.stringify(last?.status)}`);
  }
}

/** What `kubectl argo rollouts promote myapp` does to a rollout paused at a step (promote.go, default case). */
export function promote(ns: string): void {
  if (rollout(ns).spec.paused) kubectl(['patch', 'rollout', ROLLOUT, '-n', ns, '--type=merge', '-p', '{"spec":{"paused":false}}']);
  kubectl(['patch', 'rollout', ROLLOUT, '-n', ns, '--subresource=status', '--type=merge', '-p', '{"status":{"pauseConditions":null}}']);
}
