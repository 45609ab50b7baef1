import { describe, ManifestFinding, ManifestObject, namespaceOf, objectId, objectsOf } from './manifest-finding';
import { nginxCanaryBackends } from './nginx-canary-checks';

/** The pod template labels a workload's pods carry, or undefined when the object has no template. */
function podLabels(workload: ManifestObject): { [key: string]: string } | undefined {
  const labels = workload.spec?.template?.metadata?.labels;
  return labels !== null && typeof labels === 'object' ? labels : undefined;
}

/** A pod's version: its `version` label, else `app.kubernetes.io/version`. */
function versionOf(labels: { [key: string]: string }): string | undefined {
  return labels.version ?? labels['app.kubernetes.io/version'];
}

/**
 * `canary-service-versions`: a canary Service must send to one version. A canary Service is a
 * Service named `<app>-canary`, or one a canary Ingress (ingress-nginx, annotation `canary`)
 * sends to. Its selector (`spec.selector`; a Service without one is skipped) is matched, in its
 * namespace, against the pod template labels of every Deployment (apps) and Rollout
 * (argoproj.io) of the manifests; a pod's version is its `version` label, else
 * `app.kubernetes.io/version` (a pod with neither counts as "no version label"). Reported:
 * - the workloads it selects have more than one version: the Service's endpoints are the pods
 *   of all of them, so the canary's traffic reaches the other version too (kube-proxy balances
 *   over every ready endpoint);
 * - it selects no workload while its namespace has Deployments or Rollouts in the manifests
 *   (a namespace without any is left alone: its workloads are deployed by something else):
 *   the Service has no endpoints and the canary's requests fail (503 at the ingress).
 * A Rollout without a pod template (`workloadRef`) has pods this check cannot see: in its
 * namespace, "selects none" is not reported.
 */
export function checkCanaryServiceVersions(objects: readonly ManifestObject[]): ManifestFinding[] {
  const services = objectsOf(objects, '', 'Service');
  const workloads = [...objectsOf(objects, 'apps', 'Deployment'), ...objectsOf(objects, 'argoproj.io', 'Rollout')];
  const why = new Map<ManifestObject, string>();
  for (const service of services) {
    const name = String(service.metadata?.name ?? '');
    if (name.endsWith('-canary')) why.set(service, `it is named "${name}"`);
  }
  for (const backend of nginxCanaryBackends(objects)) {
    const service = services.find((s) => s.metadata?.name === backend.service && namespaceOf(s) === backend.namespace);
    if (service && !why.has(service)) why.set(service, `${backend.by} sends to it`);
  }
  const findings: ManifestFinding[] = [];
  for (const [service, reason] of why) {
    const selector = service.spec?.selector;
    if (selector === null || typeof selector !== 'object' || Object.keys(selector).length === 0) continue;
    const namespace = namespaceOf(service);
    const inNamespace = workloads.filter((w) => namespaceOf(w) === namespace);
    const selected = inNamespace.filter((w) => {
      const labels = podLabels(w);
      return labels !== undefined && Object.entries(selector).every(([k, v]) => labels[k] === v);
    });
    const selectorText = Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(',');
    if (selected.length === 0) {
      if (inNamespace.length === 0 || inNamespace.some((w) => podLabels(w) === undefined)) continue;
      findings.push({
        rule: 'canary-service-versions',
        object: objectId(service),
        field: 'spec.selector',
        message: `this is a canary Service (${reason}) but its selector ${selectorText} matches the pods of no Deployment or Rollout of namespace ${namespace} (${inNamespace.map((w) => describe(objectId(w))).join(', ')}): the Service has no endpoints, so every request routed to the canary fails.`,
        fix: 'select the canary version\'s pods (e.g. app and version labels of the canary Deployment).',
      });
      continue;
    }
    const versions = new Map<string, ManifestObject[]>();
    for (const w of selected) {
      const v = versionOf(podLabels(w)!) ?? '(no version label)';
      versions.set(v, [...(versions.get(v) ?? []), w]);
    }
    if (versions.size < 2) continue;
    findings.push({
      rule: 'canary-service-versions',
      object: objectId(service),
      field: 'spec.selector',
      message: `this is a canary Service (${reason}) but its selector ${selectorText} matches the pods of ${versions.size} versions: ${[...versions].map(([v, ws]) => `${v} (${ws.map((w) => describe(objectId(w))).join(', ')})`).join('; ')}. A Service's endpoints are every ready pod it selects, so the canary's requests are spread over all of these versions.`,
      fix: 'add the version label to the selector (e.g. version=<canary version>) so the Service selects only the canary\'s pods.',
    });
  }
  return findings;
}

