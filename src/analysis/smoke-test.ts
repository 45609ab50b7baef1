import { checkHeaderName, checkInteger, checkPath, fail } from '../private/validation';

/**
 * Requests sent to a new version before it takes user traffic (the canary, or a blue-green
 * release's idle color): the field guides' loop of `curl`s, as a Job, that fails unless every
 * answer has the expected status, and reports how many answers came from each version.
 */
export interface SmokeTest {
  /**
   * The path requested.
   * @default '/'
   */
  readonly path?: string;

  /**
   * How many requests are sent, one after the other.
   * @default 10
   */
  readonly requests?: number;

  /**
   * The status every answer must have.
   * @default 200
   */
  readonly expectedStatus?: number;

  /**
   * A response header in which the app names its version, e.g. `x-app-version`: the report
   * counts the answers per version (the field guides' "how many v1, how many v2").
   * @default - answers are counted per status only
   */
  readonly versionHeader?: string;

  /**
   * Send the requests through the router at this URL (e.g. `http://myapp.example.com`, or a
   * blue-green release's preview host), with the canary's header (exact) or cookie
   * (`<cookie>=always`), instead of straight to the new version's Service.
   * @default - straight to the Service of the new version (`<name>-canary`, or `<name>-preview`)
   */
  readonly throughRouter?: string;

  /**
   * The image that sends the requests: it needs `sh` and `curl`.
   * @default 'curlimages/curl:8.11.1' (public, small, pinned; runs as user 100)
   */
  readonly image?: string;
}

/** The default image: public, small and pinned by version. */
export const SMOKE_TEST_IMAGE = 'curlimages/curl:8.11.1';

/** A smoke test with its defaults, validated. */
export interface ResolvedSmokeTest {
  readonly path: string;
  readonly requests: number;
  readonly expectedStatus: number;
  readonly versionHeader?: string;
  readonly throughRouter?: string;
  readonly image: string;
}

/** Validates `smokeTest` and fills in its defaults. */
export function resolveSmokeTest(owner: string, smoke: SmokeTest | undefined): ResolvedSmokeTest | undefined {
  if (smoke === undefined) return undefined;
  if (smoke === null || typeof smoke !== 'object') fail(owner, 'smokeTest', smoke, 'must be an object: { path?, requests?, expectedStatus?, versionHeader?, throughRouter?, image? }');
  const path = checkPath(owner, 'smokeTest.path', smoke.path ?? '/');
  const requests = checkInteger(owner, 'smokeTest.requests', smoke.requests ?? 10, 1, 1000);
  const expectedStatus = checkInteger(owner, 'smokeTest.expectedStatus', smoke.expectedStatus ?? 200, 100, 599);
  if (smoke.versionHeader !== undefined) checkHeaderName(owner, 'smokeTest.versionHeader', smoke.versionHeader);
  if (smoke.throughRouter !== undefined && (typeof smoke.throughRouter !== 'string' || !/^https?:\/\/[^\s/?#'"]+$/.test(smoke.throughRouter))) {
    fail(owner, 'smokeTest.throughRouter', smoke.throughRouter, 'must be an http:// or https:// URL of the router, without a path (the path is smokeTest.path), e.g. http://myapp.example.com');
  }
  const image = smoke.image ?? SMOKE_TEST_IMAGE;
  if (typeof image !== 'string' || image.length === 0 || /\s/.test(image)) fail(owner, 'smokeTest.image', image, 'must be a container image reference without white space');
  return { path, requests, expectedStatus, versionHeader: smoke.versionHeader, throughRouter: smoke.throughRouter, image };
}

/** `s` as one POSIX shell word. */
function quote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The loop, for `sh`: `requests` requests to the target one after the other, each answer's
 * status (and version, from `versionHeader`) recorded; it prints how many answers of each kind
 * came back and exits 1 unless all had `expectedStatus`. It writes no file (the pod's root
 * filesystem is read-only).
 */
export function smokeScript(smoke: ResolvedSmokeTest, url: string, headers: string[]): string {
  const curl = ['curl', '-sS', '-o', '/dev/null', '-D', '-', '-w', quote('status:%{http_code}\\n'), '--max-time', '10',
    ...headers.flatMap((h) => ['-H', quote(h)]), quote(`${url}${smoke.path}`)].join(' ');
  const version = smoke.versionHeader
    ? `printf '%s\\n' "$out" | tr -d '\\r' | grep -i ${quote(`^${smoke.versionHeader}:`)} | head -n 1 | cut -d: -f2- | tr -d ' '`
    : 'true';
  return [
    'n=0; ok=0; answers=""',
    `while [ "$n" -lt ${smoke.requests} ]; do`,
    '  n=$((n + 1))',
    `  out=$(${curl} 2>&1)`,
    '  code=$(printf \'%s\\n\' "$out" | sed -n \'s/^status:\\([0-9][0-9]*\\)$/\\1/p\' | tail -n 1)',
    `  version=$(${version})`,
    `  [ "$code" = "${smoke.expectedStatus}" ] && ok=$((ok + 1))`,
    '  answers="${answers}status ${code:-none} version ${version:-unknown}\n"',
    'done',
    `echo "smoke test of ${url}${smoke.path}: answers by status and version"`,
    'printf "%b" "$answers" | sort | uniq -c',
    `if [ "$ok" -ne ${smoke.requests} ]; then echo "failed: $ok of ${smoke.requests} answers had status ${smoke.expectedStatus}"; exit 1; fi`,
    `echo "passed: ${smoke.requests} of ${smoke.requests} answers had status ${smoke.expectedStatus}"`,
  ].join('\n');
}

/**
 * The pod that runs the loop, as JSON: Pod Security Standards "restricted" (non-root as the
 * image's user 100, no privilege escalation, every capability dropped, RuntimeDefault seccomp,
 * read-only root filesystem), no service account token, never restarted. Its labels are not
 * the release's `app`/`version`, so no Service of the release selects it.
 */
export function smokePodTemplate(smoke: ResolvedSmokeTest, name: string, version: string, script: string): { [key: string]: any } {
  return {
    metadata: { labels: { 'app.kubernetes.io/name': name, 'app.kubernetes.io/version': version, 'app.kubernetes.io/component': 'smoke-test' } },
    spec: {
      restartPolicy: 'Never',
      automountServiceAccountToken: false,
      securityContext: { runAsNonRoot: true, runAsUser: 100, runAsGroup: 101, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [{
        name: 'smoke-test',
        image: smoke.image,
        command: ['sh', '-c', script],
        securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
        resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '100m', memory: '64Mi' } },
      }],
    },
  };
}
