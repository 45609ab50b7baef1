/**
 * The paths a router serves, checked once for every router: a list of `PathMatch`es, each path
 * once.
 */
import { fail } from '../private/validation';
import { PathMatch, PathMatchType } from './path-match';

/** Every path, element by element: what a router serves when given no path. */
export const EVERY_PATH: PathMatch[] = [PathMatch.prefix('/')];

/**
 * Checks a list of paths: 1 to `max` `PathMatch`es (from `PathMatch.prefix()` / `.exact()`),
 * none twice (two prefixes that differ only by a trailing '/' are one path).
 */
export function checkPaths(owner: string, prop: string, paths: unknown, max?: number): PathMatch[] {
  if (!Array.isArray(paths) || paths.length === 0 || (max !== undefined && paths.length > max)) {
    const count = max === undefined ? 'at least 1 path' : `1 to ${max} paths`;
    const shown = Array.isArray(paths) && paths.length > 0 ? `${paths.length} paths` : paths;
    fail(owner, prop, shown, `must list ${count} (PathMatch.prefix('/api'), PathMatch.exact('/healthz')), or be left out for every path`);
  }
  const seen = new Map<string, number>();
  paths.forEach((p, i) => {
    if (!isPathMatch(p)) fail(owner, `${prop}[${i}]`, p, 'must be a PathMatch, from PathMatch.prefix(path) or PathMatch.exact(path)');
    const key = `${p.type} ${p.normalizedPath}`;
    const first = seen.get(key);
    if (first !== undefined) {
      fail(owner, `${prop}[${i}]`, `${p.type} ${p.path}`, `must not repeat ${prop}[${first}] (${p.type} ${(paths[first] as PathMatch).path}): each path once`);
    }
    seen.set(key, i);
  });
  return paths as PathMatch[];
}

/** What a path is, read structurally (a value from another language's PathMatch is a proxy of the same class). */
function isPathMatch(p: unknown): p is PathMatch {
  const m = p as PathMatch;
  return typeof m === 'object' && m !== null && typeof m.path === 'string'
    && (m.type === PathMatchType.PREFIX || m.type === PathMatchType.EXACT) && typeof m.normalizedPath === 'string';
}

/** How paths read in an error message, e.g. `Prefix /api, Exact /healthz`. */
export function describePaths(paths: PathMatch[]): string {
  return paths.map((p) => `${p.type} ${p.path}`).join(', ');
}
