import { checkPath } from '../private/validation';

/** How a `PathMatch` compares a request's path. */
export enum PathMatchType {
  /**
   * The path, or a path under it, element by element: `/api` matches `/api` and `/api/v1`, not
   * `/apiary` (an Ingress `Prefix`, a Gateway API `PathPrefix`).
   */
  PREFIX = 'Prefix',
  /** Exactly this path. */
  EXACT = 'Exact',
}

/**
 * A path a router serves, meaning the same on every router: an Ingress `Prefix` or `Exact` path,
 * a Gateway API `PathPrefix` or `Exact` match, and for Istio the `uri` matches that say the same
 * (a prefix element by element is `exact: /api` or `prefix: /api/`, because an Istio `prefix`
 * compares characters, so `/api` would also match `/apiary`).
 */
export class PathMatch {
  /**
   * The path and every path under it, element by element.
   *
   * @param path starts with '/', e.g. `/api` (a trailing '/' means the same: `/api/` serves `/api` too)
   * @see https://kubernetes.io/docs/concepts/services-networking/ingress/#path-types
   */
  public static prefix(path: string): PathMatch {
    return new PathMatch(checkPath('PathMatch.prefix', 'path', path), PathMatchType.PREFIX);
  }

  /**
   * Exactly this path (case-sensitive, no trailing '/' added or removed).
   *
   * @param path starts with '/', e.g. `/healthz`
   * @see https://kubernetes.io/docs/concepts/services-networking/ingress/#path-types
   */
  public static exact(path: string): PathMatch {
    return new PathMatch(checkPath('PathMatch.exact', 'path', path), PathMatchType.EXACT);
  }

  /** The path, as given. */
  public readonly path: string;
  /** How it is compared. */
  public readonly type: PathMatchType;

  private constructor(path: string, type: PathMatchType) {
    this.path = path;
    this.type = type;
  }

  /**
   * The path as routers compare it: a prefix without its trailing '/' (`/` stays `/`), since an
   * Ingress and Gateway API ignore it; an exact path as given.
   */
  public get normalizedPath(): string {
    return this.type === PathMatchType.PREFIX ? this.path.replace(/\/+$/, '') || '/' : this.path;
  }
}
