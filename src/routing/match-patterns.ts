import { HeaderMatch, HeaderMatchType } from './header-match';
import { escapeRegex } from '../private/validation';

/**
 * An RE2 regular expression on the whole `Cookie` header that matches when it carries
 * `<name>=<value>` as one of its cookies (first, last or among others), and not a cookie whose
 * name merely ends with `<name>` nor a value that merely starts with `<value>`.
 *
 * For Istio and Gateway API, which have no cookie match. Anchored at both ends, so it means
 * the same whether the implementation searches or matches the whole value.
 */
export function cookieHeaderPattern(name: string, value: string): string {
  return `^(?:.*;\\s*)?${escapeRegex(name)}=${escapeRegex(value)}(?:\\s*;.*)?$`;
}

/**
 * A header rule as an Istio-style string match, `{ exact }` or `{ regex }` (anchored): what
 * an Istio VirtualService and a Flagger Canary's `analysis.match` both take.
 */
export function stringMatch(header: HeaderMatch): { exact?: string; regex?: string } {
  return header.type === HeaderMatchType.EXACT ? { exact: header.value } : { regex: header.anchoredPattern };
}
