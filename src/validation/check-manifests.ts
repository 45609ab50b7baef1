import { checkCanaryServiceVersions } from './canary-service-checks';
import { checkHttpRouteHeaderPaths } from './http-route-checks';
import { checkIstioSubsets, checkIstioWeights } from './istio-checks';
import { listOf, ManifestFinding, ManifestObject } from './manifest-finding';
import {
  checkNginxCanaryAffinity, checkNginxCanaryAnnotations, checkNginxCanaryDuplicates, checkNginxCanaryMatchesMain, checkNginxCanaryWeight,
} from './nginx-canary-checks';

/** Every check, by its rule name, in the order findings are reported. */
export const MANIFEST_CHECKS: { readonly [rule: string]: (objects: readonly ManifestObject[]) => ManifestFinding[] } = {
  'nginx-canary-unmatched': checkNginxCanaryMatchesMain,
  'nginx-canary-duplicate': checkNginxCanaryDuplicates,
  'nginx-canary-annotation': checkNginxCanaryAnnotations,
  'nginx-canary-weight': checkNginxCanaryWeight,
  'nginx-canary-affinity': checkNginxCanaryAffinity,
  'istio-weights': checkIstioWeights,
  'istio-subset': checkIstioSubsets,
  'httproute-header-path': checkHttpRouteHeaderPaths,
  'canary-service-versions': checkCanaryServiceVersions,
};

/**
 * Runs the checks (all of them unless `rules` names some) on the objects of an app's manifests,
 * all files together (a canary Ingress and its main Ingress may sit in different charts). A
 * `List` object's items count as objects; documents that are not objects are ignored.
 */
export function checkManifests(objects: readonly unknown[], rules: readonly string[] = Object.keys(MANIFEST_CHECKS)): ManifestFinding[] {
  const flat = (objects as ManifestObject[])
    .flatMap((o) => (o !== null && typeof o === 'object' && o.kind === 'List' ? listOf(o.items) : [o]))
    .filter((o) => o !== null && typeof o === 'object' && !Array.isArray(o));
  return rules.flatMap((rule) => MANIFEST_CHECKS[rule](flat));
}
