/**
 * Input checks shared by every construct and factory. Each throws an `Error` whose message
 * names the owner (e.g. `CanaryRelease 'myapp'`), the prop, the bad value and what is allowed.
 *
 * Internal: not exported from the package index.
 */

/** Shows a value in an error message: strings quoted, everything else as JSON. */
export function show(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') return String(value);
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/** Throws `<owner>: <prop> (<value>) <must>`. */
export function fail(owner: string, prop: string, value: unknown, must: string): never {
  throw new Error(`${owner}: ${prop} (${show(value)}) ${must}`);
}

const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const VERSION = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const HEADER_NAME = /^[A-Za-z0-9-]+$/;
/** RFC 6265 cookie-name: an RFC 7230 token. */
const COOKIE_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Characters ingress-nginx (strict-validate-path-type) and Gateway API accept in a Prefix path. */
const PATH = /^\/[A-Za-z0-9\-._~/%]*$/;

export function checkString(owner: string, prop: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) {
    fail(owner, prop, value, 'must be a non-empty string');
  }
  return value;
}

export function checkDns1035Label(owner: string, prop: string, value: unknown): string {
  const s = checkString(owner, prop, value);
  if (s.length > 63 || !DNS_1035_LABEL.test(s)) {
    fail(owner, prop, value, 'must be a DNS-1035 label: at most 63 lowercase letters, digits and \'-\', starting with a letter and ending with a letter or digit');
  }
  return s;
}

export function checkDns1123Label(owner: string, prop: string, value: unknown): string {
  const s = checkString(owner, prop, value);
  if (s.length > 63 || !DNS_1123_LABEL.test(s)) {
    fail(owner, prop, value, 'must be a DNS-1123 label: at most 63 lowercase letters, digits and \'-\', alphanumeric at both ends');
  }
  return s;
}

export function checkVersion(owner: string, prop: string, value: unknown): string {
  const s = checkString(owner, prop, value);
  if (s.length > 63 || !VERSION.test(s)) {
    fail(owner, prop, value, 'must be at most 63 lowercase letters, digits, \'-\' and \'.\', alphanumeric at both ends (e.g. \'v1\', \'1.4.2\')');
  }
  return s;
}

export function checkInteger(owner: string, prop: string, value: unknown, min: number, max: number, range?: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(owner, prop, value, `must be a whole number between ${range ?? `${min} and ${max}`}`);
  }
  return value;
}

export function checkPort(owner: string, prop: string, value: unknown): number {
  return checkInteger(owner, prop, value, 1, 65535);
}

/** A DNS-1123 subdomain, lowercase, optionally with a leading `*.` wildcard label. */
/** Whether a host is a dotted IPv4 address (which passes as a DNS subdomain, digits being allowed). */
export function isIpAddress(host: string): boolean {
  return /^\d+(\.\d+){3}$/.test(host);
}

/** Whether `s` is a DNS subdomain (RFC 1123): lowercase labels separated by '.', at most 253 characters. */
function isDnsSubdomain(s: string): boolean {
  return s.length > 0 && s.length <= 253 && s.split('.').every((label) => label.length <= 63 && DNS_1123_LABEL.test(label));
}

/** The name of an object whose names are DNS subdomains (a Secret, an IngressClass), `what` saying which. */
export function checkDnsSubdomain(owner: string, prop: string, value: unknown, what: string): string {
  const s = checkString(owner, prop, value);
  if (!isDnsSubdomain(s)) {
    fail(owner, prop, value, `must be a DNS subdomain (${what}): lowercase labels of letters, digits and '-' separated by '.', at most 253 characters`);
  }
  return s;
}

export function checkHost(owner: string, prop: string, value: unknown): string {
  const s = checkString(owner, prop, value);
  const bare = s.startsWith('*.') ? s.slice(2) : s;
  const ok = s.length <= 253 && isDnsSubdomain(bare);
  if (!ok) {
    fail(owner, prop, value, 'must be a DNS subdomain: lowercase labels of letters, digits and \'-\' separated by \'.\', at most 253 characters, optionally starting with \'*.\'');
  }
  return s;
}

export function checkPath(owner: string, prop: string, value: unknown): string {
  const s = checkString(owner, prop, value);
  if (!PATH.test(s) || s.includes('//') || s.length > 1024) {
    fail(owner, prop, value, 'must start with \'/\' and contain only letters, digits and \'/-._~%\' with no \'//\' (a Prefix path, at most 1024 characters)');
  }
  return s;
}

export function checkHeaderName(owner: string, prop: string, value: unknown): string {
  const s = checkString(owner, prop, value);
  if (!HEADER_NAME.test(s) || s.length > 256) {
    fail(owner, prop, value, 'must be an HTTP header name of letters, digits and \'-\' only, at most 256 characters (ingress-nginx ignores others, underscores included, and Istio rejects them)');
  }
  return s;
}

export function checkCookieName(owner: string, prop: string, value: unknown): string {
  const s = checkString(owner, prop, value);
  if (!COOKIE_TOKEN.test(s) || s.length > 256) {
    fail(owner, prop, value, 'must be a cookie name: an RFC 6265 token of letters, digits and !#$%&\'*+-.^_`|~, at most 256 characters');
  }
  return s;
}

/** Escapes a string for use as a literal inside an RE2 (or PCRE) regular expression. */
export function escapeRegex(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}

/** The labels the library puts on pods and objects and selects by: never the user's. */
export const RESERVED_LABELS = ['app', 'version'];

export const QUALIFIED_NAME = 'an optional DNS subdomain prefix and \'/\', then at most 63 letters, digits, \'-\', \'_\' and \'.\', alphanumeric at both ends';

/** A label or annotation key: `[<DNS subdomain>/]<name>`, the name at most 63 characters. */
export function isQualifiedName(key: string): boolean {
  const slash = key.lastIndexOf('/');
  const name = key.slice(slash + 1);
  if (!/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/.test(name)) return false;
  if (slash < 0) return true;
  const prefix = key.slice(0, slash);
  return prefix.length <= 253 && prefix.split('.').every((label) => label.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(label));
}

/**
 * Checks a map of Kubernetes labels: every key a qualified name, every value at most 63
 * letters, digits, `-`, `_` and `.`, alphanumeric at both ends, or empty. Errors name
 * `<prop> key` or `<prop>.<key>`.
 */
export function checkLabels(owner: string, prop: string, labels: { [key: string]: string } | undefined): void {
  for (const [key, value] of Object.entries({ ...labels })) {
    if (!isQualifiedName(key)) {
      fail(owner, `${prop} key`, key, `must be a label key: ${QUALIFIED_NAME}`);
    }
    if (typeof value !== 'string' || !/^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/.test(value)) {
      fail(owner, `${prop}.${key}`, value, 'must be a label value: at most 63 letters, digits, \'-\', \'_\' and \'.\', alphanumeric at both ends, or empty');
    }
  }
}
