import { listOf, ManifestFinding, ManifestObject, objectId, objectsOf } from './manifest-finding';

/** A match's path, with Gateway API's defaults: type PathPrefix, value "/". */
function pathOf(match: any): { type: string; value: string } | undefined {
  if (match?.path === undefined || match.path === null) return undefined;
  return { type: match.path.type ?? 'PathPrefix', value: match.path.value ?? '/' };
}

function isEveryPath(path: { type: string; value: string }): boolean {
  return path.type === 'PathPrefix' && path.value === '/';
}

/**
 * `httproute-header-path`: in a Gateway API HTTPRoute (gateway.networking.k8s.io, any version),
 * a match (`spec.rules[i].matches[j]`) with `headers` or `queryParams` and no `path`, while
 * another match of the same route has a path other than PathPrefix "/". A match without a path
 * matches PathPrefix "/" (apis/v1/httproute_types.go:766 of Gateway API v1.6.1, `+kubebuilder:
 * default={type: "PathPrefix", value: "/"}`), so the header rule serves every path of the
 * route's hostnames, paths the route's other rules do not serve: the header rule lost the path
 * match the route meant (a request with the header on any other path reaches its backends
 * instead of another route or a 404).
 */
export function checkHttpRouteHeaderPaths(objects: readonly ManifestObject[]): ManifestFinding[] {
  const findings: ManifestFinding[] = [];
  for (const route of objectsOf(objects, 'gateway.networking.k8s.io', 'HTTPRoute')) {
    const rules = listOf(route.spec?.rules);
    const paths = rules.flatMap((rule) => listOf(rule?.matches)).map(pathOf)
      .filter((p): p is { type: string; value: string } => p !== undefined && !isEveryPath(p));
    if (paths.length === 0) continue;
    const pathText = [...new Set(paths.map((p) => `${p.type} "${p.value}"`))].join(', ');
    rules.forEach((rule, i) => {
      listOf(rule?.matches).forEach((match, j) => {
        const narrows = listOf(match?.headers).length > 0 || listOf(match?.queryParams).length > 0;
        if (!narrows || pathOf(match) !== undefined) return;
        findings.push({
          rule: 'httproute-header-path',
          object: objectId(route),
          field: `spec.rules[${i}].matches[${j}].path`,
          message: `this match has ${listOf(match?.headers).length > 0 ? 'headers' : 'query parameters'} but no path, while the route's other matches serve only ${pathText}: a match without a path matches PathPrefix "/" (Gateway API apis/v1/httproute_types.go:766), so a request with the header on any path of the route's hostnames reaches this rule's backends.`,
          fix: `repeat the path in this match (a match's path, headers and query parameters must all hold): one match per path, e.g. path ${pathText.split(', ')[0]} with these headers.`,
        });
      });
    });
  }
  return findings;
}
