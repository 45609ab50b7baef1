import { listOf, ManifestFinding, ManifestObject, namespaceOf, objectId, objectsOf } from './manifest-finding';

/**
 * Checks of Istio VirtualServices (networking.istio.io, any version), read against Istio 1.30.3.
 */

/**
 * A host as Istio resolves it in an object's namespace: a short name (no dot) becomes
 * `<name>.<namespace>.svc.cluster.local`, anything else stays as written
 * (pkg/config/analysis/analyzers/util: GetResourceNameFromHost, as istioctl analyze does).
 */
function fqdn(host: string, namespace: string): string {
  return host.includes('.') ? host : `${host}.${namespace}.svc.cluster.local`;
}

/**
 * `istio-weights`: an http route with more than one destination where a destination has no
 * weight, or none has one above 0. Istio 1.30's validation refuses a total of 0
 * (pkg/config/validation/validation.go:2449, "total destination weight = 0"); pilot drops every
 * destination without a weight and hands Envoy the others' weights
 * (pilot/pkg/networking/core/route/route.go:691-699), which Envoy splits in proportion to their
 * sum. So a destination without a weight silently gets nothing (a canary given `weight: 10` next
 * to a stable without one gets every request). Weights that add up to another total than 100,
 * each written, are relative and exact (333 and 667 out of 1000 are 33.3% and 66.7%): not
 * reported. A route of one destination ignores its weight (route.go:686) and is not reported.
 */
export function checkIstioWeights(objects: readonly ManifestObject[]): ManifestFinding[] {
  const findings: ManifestFinding[] = [];
  for (const vs of objectsOf(objects, 'networking.istio.io', 'VirtualService')) {
    listOf(vs.spec?.http).forEach((route, i) => {
      const destinations = listOf(route?.route);
      if (destinations.length < 2) return;
      const weights = destinations.map((d) => (typeof d?.weight === 'number' ? d.weight : 0));
      const total = weights.reduce((a, b) => a + b, 0);
      const missing = destinations.some((d) => typeof d?.weight !== 'number');
      if (total > 0 && !missing) return;
      const name = (d: any) => `${d?.destination?.host ?? '?'}${d?.destination?.subset ? ` (subset ${d.destination.subset})` : ''}`;
      const shares = destinations.map((d, j) => `${name(d)} ${total === 0 ? '-' : `${Math.round((weights[j] * 10000) / total) / 100}%`}`).join(', ');
      const unweighted = destinations.filter((d) => typeof d?.weight !== 'number').map(name);
      findings.push({
        rule: 'istio-weights',
        object: objectId(vs),
        field: `spec.http[${i}].route`,
        message: total === 0
          ? 'the route splits among several destinations and none has a weight: Istio refuses it ("total destination weight = 0", pkg/config/validation/validation.go:2449).'
          : `a destination has no weight: Istio 1.30 drops the destinations without a weight (pilot/pkg/networking/core/route/route.go:694) and Envoy splits by the others' weights over their total, so the shares are ${shares}${unweighted.length > 0 ? ` (${unweighted.join(', ')} without a weight get${unweighted.length === 1 ? 's' : ''} no request)` : ''}.`,
        fix: 'give every destination of the route a weight (e.g. adding up to 100).',
      });
    });
  }
  return findings;
}

/**
 * `istio-subset`: an http route destination (or mirror) with a `subset` that no DestinationRule
 * of the manifests defines for that host (the hosts resolved in each object's namespace, exact
 * match, as istioctl analyze's IST0101 does: pkg/config/analysis/analyzers/virtualservice/
 * destinationrules.go). Pilot builds no cluster for the subset, so Envoy answers the requests
 * routed there with 503 (no cluster).
 */
export function checkIstioSubsets(objects: readonly ManifestObject[]): ManifestFinding[] {
  const defined = new Set<string>();
  for (const dr of objectsOf(objects, 'networking.istio.io', 'DestinationRule')) {
    if (typeof dr.spec?.host !== 'string') continue;
    for (const subset of listOf(dr.spec.subsets)) defined.add(`${fqdn(dr.spec.host, namespaceOf(dr))}|${subset?.name}`);
  }
  const findings: ManifestFinding[] = [];
  for (const vs of objectsOf(objects, 'networking.istio.io', 'VirtualService')) {
    const check = (destination: any, field: string) => {
      const host = destination?.host;
      const subset = destination?.subset;
      if (typeof host !== 'string' || typeof subset !== 'string' || subset === '') return;
      const full = fqdn(host, namespaceOf(vs));
      if (defined.has(`${full}|${subset}`)) return;
      findings.push({
        rule: 'istio-subset',
        object: objectId(vs),
        field: `${field}.subset`,
        message: `no DestinationRule of the manifests defines the subset "${subset}" of host ${full}: Istio builds no cluster for it, so Envoy answers every request routed there with 503 (istioctl analyze reports IST0101, pkg/config/analysis/analyzers/virtualservice/destinationrules.go).`,
        fix: `add a DestinationRule for host ${host} with a subset "${subset}" (its labels selecting that version's pods), or route to a Service of that version without a subset.`,
      });
    };
    listOf(vs.spec?.http).forEach((route, i) => {
      listOf(route?.route).forEach((d, j) => check(d?.destination, `spec.http[${i}].route[${j}].destination`));
      if (route?.mirror) check(route.mirror, `spec.http[${i}].mirror`);
    });
  }
  return findings;
}

