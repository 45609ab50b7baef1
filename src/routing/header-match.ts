import type { RE2JS as RE2JSType } from 're2js';
import { lazyRequire } from '../private/upstream';
import { checkHeaderName, escapeRegex, fail } from '../private/validation';

/** How a `HeaderMatch` compares the header's value. */
export enum HeaderMatchType {
  /** The whole value equals the given string (case-sensitive). */
  EXACT = 'Exact',
  /** The whole value matches an RE2 regular expression. */
  REGULAR_EXPRESSION = 'RegularExpression',
}

/**
 * A request header that sends a request to the canary.
 *
 * The header name is matched case-insensitively on every router (Istio gets it lowercased);
 * the value is compared case-sensitively, against the whole value.
 */
export class HeaderMatch {
  /**
   * The header's whole value equals `value`.
   *
   * @param name the header name: letters, digits and '-' only, e.g. `stage`
   * @param value the exact value, e.g. `gray`
   * @see https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/#canary
   */
  public static exact(name: string, value: string): HeaderMatch {
    const owner = 'HeaderMatch.exact';
    checkHeaderName(owner, 'name', name);
    if (typeof value !== 'string' || value.length === 0) {
      // ingress-nginx treats an empty canary-by-header-value as absent and falls back to `always`/`never`.
      fail(owner, 'value', value, 'must be a non-empty string');
    }
    if (value.trim() !== value || /[\x00-\x1f\x7f]/.test(value)) {
      fail(owner, 'value', value, 'must have no leading or trailing white space and no control characters (HTTP strips the former, so it would never match)');
    }
    return new HeaderMatch(name, HeaderMatchType.EXACT, value);
  }

  /**
   * The header's whole value matches the RE2 regular expression `pattern`.
   *
   * The pattern is anchored for you (emitted as `^(?:pattern)$`), so it means the same on
   * routers that search (ingress-nginx's PCRE, some Gateway API implementations) and on those
   * that match the whole value (Istio/Envoy).
   *
   * @param name the header name: letters, digits and '-' only, e.g. `user-agent`
   * @param pattern an RE2 regular expression, e.g. `.*Android.*`
   * @see https://github.com/google/re2/wiki/Syntax
   */
  public static regex(name: string, pattern: string): HeaderMatch {
    const owner = 'HeaderMatch.regex';
    checkHeaderName(owner, 'name', name);
    if (typeof pattern !== 'string' || pattern.length === 0) {
      fail(owner, 'pattern', pattern, 'must be a non-empty RE2 regular expression');
    }
    if (pattern.length > 1024) {
      fail(owner, 'pattern', pattern, 'must be at most 1024 characters (Istio limits regular expressions in size)');
    }
    try {
      // Loaded on first use: most releases have no regex, and importing the library stays cheap.
      const { RE2JS } = lazyRequire<{ RE2JS: typeof RE2JSType }>('re2js');
      RE2JS.compile(pattern);
    } catch (e) {
      fail(owner, 'pattern', pattern, `must be a valid RE2 regular expression: ${(e as Error).message}`);
    }
    return new HeaderMatch(name, HeaderMatchType.REGULAR_EXPRESSION, pattern);
  }

  /** The header name, as given. */
  public readonly name: string;
  /** How the value is compared. */
  public readonly type: HeaderMatchType;
  /** The exact value, or the RE2 pattern as given (unanchored). */
  public readonly value: string;

  private constructor(name: string, type: HeaderMatchType, value: string) {
    this.name = name;
    this.type = type;
    this.value = value;
  }

  /**
   * The pattern anchored to the whole value, `^(?:pattern)$`, for regex matches; for exact
   * matches, the value escaped as a regular expression and anchored the same way.
   */
  public get anchoredPattern(): string {
    const p = this.type === HeaderMatchType.REGULAR_EXPRESSION ? this.value : escapeRegex(this.value);
    return `^(?:${p})$`;
  }
}
