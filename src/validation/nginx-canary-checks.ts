import { annotationsOf, describe, listOf, ManifestFinding, ManifestObject, namespaceOf, objectId, objectsOf } from './manifest-finding';

/**
 * Checks of ingress-nginx canary Ingresses (annotation `nginx.ingress.kubernetes.io/canary`
 * true), read against ingress-nginx controller-v1.15.1:
 *
 * - internal/ingress/controller/controller.go: mergeAlternativeBackends (1610-1716) merges a
 *   canary Ingress's path into the main (non-canary) Ingress's location of the same host, path
 *   and pathType; canMergeBackend (1578); nonCanaryIngressExists (1570).
 * - rootfs/etc/nginx/lua/balancer.lua: route_to_alternative_balancer (194-276).
 * - internal/ingress/annotations/canary/main.go (Parse, 120-185) and parser/validators.go.
 */

const PREFIX = 'nginx.ingress.kubernetes.io/';

/**
 * parser.BasicCharsRegex (validators.go:68), used for canary-by-header, canary-by-header-value and
 * canary-by-cookie with removeSpace=true (ValidateRegex, validators.go:111: spaces are removed
 * before the test).
 */
const BASIC_CHARS = /^[-._~a-zA-Z0-9/:]*$/;
/** parser.IsValidRegex (validators.go:55), used for canary-by-header-pattern (spaces kept). */
const REGEX_CHARS = /^[-._~a-zA-Z0-9/:^$[\](){}*+?|&=\\]*$/;

/** Go's strconv.ParseBool, as parser.GetBoolAnnotation reads `canary` (parser/main.go:105). */
function goBool(value: unknown): boolean {
  return ['1', 't', 'T', 'true', 'TRUE', 'True'].includes(String(value));
}

/** `spec.ingressClassName`, else the legacy `kubernetes.io/ingress.class` annotation. */
function ingressClass(ing: ManifestObject): string | undefined {
  return ing.spec?.ingressClassName ?? annotationsOf(ing)['kubernetes.io/ingress.class'];
}

function classText(cls: string | undefined): string {
  return cls === undefined ? 'the default IngressClass' : `IngressClass "${cls}"`;
}

/** A path of an Ingress: where it sits and what ingress-nginx compares. */
interface IngressPath {
  readonly ingress: ManifestObject;
  readonly ruleIndex: number;
  readonly pathIndex: number;
  /** The rule's host; '' for a rule without one (ingress-nginx's default server "_"). */
  readonly host: string;
  /** The path, '' read as '/' (controller.go: rootLocation). */
  readonly path: string;
  readonly pathType: string | undefined;
  readonly service: string | undefined;
}

function pathsOf(ing: ManifestObject): IngressPath[] {
  const out: IngressPath[] = [];
  listOf(ing.spec?.rules).forEach((rule, ruleIndex) => {
    listOf(rule?.http?.paths).forEach((p, pathIndex) => {
      out.push({
        ingress: ing, ruleIndex, pathIndex,
        host: typeof rule.host === 'string' ? rule.host : '',
        path: typeof p?.path === 'string' && p.path !== '' ? p.path : '/',
        pathType: p?.pathType,
        service: p?.backend?.service?.name,
      });
    });
  });
  return out;
}

function hostText(host: string): string {
  return host === '' ? 'no host (the default server "_")' : `host "${host}"`;
}

/** The Ingresses of the manifests, split into canaries and mains. */
function ingresses(objects: readonly ManifestObject[]) {
  const all = objectsOf(objects, 'networking.k8s.io', 'Ingress');
  const canaries = all.filter((i) => goBool(annotationsOf(i)[`${PREFIX}canary`]));
  const mains = all.filter((i) => !canaries.includes(i));
  return { canaries, mains };
}

/** The main Ingresses' paths a canary path merges into: same class, host, path and pathType. */
function mainPathsFor(mains: readonly ManifestObject[], canary: IngressPath): IngressPath[] {
  const cls = ingressClass(canary.ingress);
  return mains.filter((m) => ingressClass(m) === cls).flatMap(pathsOf)
    .filter((m) => m.host === canary.host && m.path === canary.path && m.pathType === canary.pathType);
}

/**
 * `nginx-canary-unmatched`: every path of a canary Ingress must have a main Ingress path with the
 * same IngressClass, host, path and pathType. Otherwise mergeAlternativeBackends drops it: a host no
 * main Ingress serves logs "cannot merge alternative backend ... into hostname ... that does not
 * exist" (controller.go:1680) and the path is skipped; a path or pathType no main location has
 * logs "unable to find real backend for alternative backend ... Deleting." (controller.go:1710)
 * and deletes the canary Service's upstream, which turns the canary off on every path of that
 * Service, the matched ones too. A main Ingress of another class is served by another controller.
 */
export function checkNginxCanaryMatchesMain(objects: readonly ManifestObject[]): ManifestFinding[] {
  const { canaries, mains } = ingresses(objects);
  const findings: ManifestFinding[] = [];
  for (const canary of canaries) {
    const cls = ingressClass(canary);
    const sameClass = mains.filter((m) => ingressClass(m) === cls);
    for (const p of pathsOf(canary)) {
      if (p.service === undefined) continue; // controller.go:1656: non-service backends are skipped
      const where = `spec.rules[${p.ruleIndex}]`;
      const finding = (field: string, message: string, fix: string) =>
        findings.push({ rule: 'nginx-canary-unmatched', object: objectId(canary), field, message, fix });
      if (mainPathsFor(mains, p).length > 0) continue;
      const hostPaths = sameClass.flatMap(pathsOf).filter((m) => m.host === p.host);
      const otherClass = mains.filter((m) => ingressClass(m) !== cls).flatMap(pathsOf)
        .find((m) => m.host === p.host && m.path === p.path && m.pathType === p.pathType);
      if (otherClass) {
        finding(canary.spec?.ingressClassName !== undefined ? 'spec.ingressClassName' : 'metadata.annotations["kubernetes.io/ingress.class"]',
          `the canary is of ${classText(cls)} but the main ${describe(objectId(otherClass.ingress))} serving ${hostText(p.host)} path "${p.path}" is of ${classText(ingressClass(otherClass.ingress))}: `
          + 'each ingress-nginx controller reads only the Ingresses of its class, so the canary never joins that main Ingress (controller.go mergeAlternativeBackends matches servers of the same controller only).',
          `give the canary Ingress the main Ingress's class (${classText(ingressClass(otherClass.ingress))}).`);
      } else if (hostPaths.length === 0) {
        finding(`${where}.host`,
          `no main (non-canary) Ingress of ${classText(cls)} serves ${hostText(p.host)}: ingress-nginx logs "cannot merge alternative backend ... into hostname ... that does not exist" and drops this canary path (controller.go:1680, mergeAlternativeBackends).`,
          'use the host of the main Ingress the canary is for, or add that main Ingress.');
      } else {
        const samePath = hostPaths.find((m) => m.path === p.path);
        const field = samePath ? `${where}.http.paths[${p.pathIndex}].pathType` : `${where}.http.paths[${p.pathIndex}].path`;
        const what = samePath
          ? `path "${p.path}" with pathType ${p.pathType ?? '(none)'}, while the main ${describe(objectId(samePath.ingress))} has it with pathType ${samePath.pathType ?? '(none)'}`
          : `path "${p.path}" (${p.pathType ?? 'no pathType'}), which no main Ingress of ${hostText(p.host)} has (it has ${hostPaths.map((m) => `"${m.path}" ${m.pathType ?? ''}`.trim()).join(', ')})`;
        finding(field,
          `the canary has ${what}: ingress-nginx merges a canary path only into a main location with the same path and pathType, otherwise it logs "unable to find real backend for alternative backend ... Deleting." and deletes the canary Service's upstream (controller.go:1700-1712), `
          + `which turns the canary off for every path of Service "${p.service}", not only this one.`,
          'give the canary Ingress exactly the main Ingress\'s paths and pathTypes (one canary Ingress per main Ingress).');
      }
    }
  }
  return findings;
}

/**
 * `nginx-canary-duplicate`: two canary Ingresses of one class on the same host, path and
 * pathType. Both are merged as alternative backends of the main location, but balancer.lua
 * uses only `alternative_backends[1]` ("TODO: support traffic shaping for n > 1 alternative
 * backends", balancer.lua:204), so only one of them takes effect; ingress-nginx's admission
 * webhook refuses the second (controller.go checkOverlap: `host ... and path ... is already
 * defined in ingress`). Reported on the later one in the manifests.
 */
export function checkNginxCanaryDuplicates(objects: readonly ManifestObject[]): ManifestFinding[] {
  const { canaries } = ingresses(objects);
  const seen = new Map<string, IngressPath>();
  const findings: ManifestFinding[] = [];
  for (const canary of canaries) {
    for (const p of pathsOf(canary)) {
      const key = JSON.stringify([ingressClass(canary) ?? null, p.host, p.path, p.pathType ?? null]);
      const first = seen.get(key);
      if (first === undefined) {
        seen.set(key, p);
      } else if (first.ingress !== canary) {
        findings.push({
          rule: 'nginx-canary-duplicate',
          object: objectId(canary),
          field: `spec.rules[${p.ruleIndex}].http.paths[${p.pathIndex}]`,
          message: `the canary ${describe(objectId(first.ingress))} already covers ${hostText(p.host)} path "${p.path}": ingress-nginx applies only the first alternative backend of a location (balancer.lua:204, alternative_backends[1]), so only one of the two canaries takes effect, and its admission webhook refuses the second ("host ... and path ... is already defined", controller.go checkOverlap).`,
          fix: 'keep one canary Ingress per host and path: put the header, cookie and weight on one canary Ingress, or give the second canary its own host or path.',
        });
      }
    }
  }
  return findings;
}

/**
 * `nginx-canary-annotation`: canary annotation values ingress-nginx's validation refuses. The
 * parser logs "<annotation> is invalid, defaulting to ''" and blanks the value (canary/main.go:
 * Parse), so the header or cookie rule silently disappears: canary-by-header, -value and
 * -cookie must match BasicCharsRegex `^[-._~a-zA-Z0-9/:]*$` after removing spaces, and
 * canary-by-header-pattern IsValidRegex (letters, digits, `-._~/:^$[](){}*+?|&=\`).
 * canary-weight and canary-weight-total must be integers (parser.ValidateInt; otherwise 0 and 100).
 */
export function checkNginxCanaryAnnotations(objects: readonly ManifestObject[]): ManifestFinding[] {
  const findings: ManifestFinding[] = [];
  for (const canary of ingresses(objects).canaries) {
    const annotations = annotationsOf(canary);
    const bad = (name: string, value: string, allowed: string, blanked: string) => findings.push({
      rule: 'nginx-canary-annotation',
      object: objectId(canary),
      field: `metadata.annotations["${PREFIX}${name}"]`,
      message: `"${value}" is refused by ingress-nginx's annotation validation (${allowed}, internal/ingress/annotations/parser/validators.go): it logs "${name} is invalid, defaulting to '${blanked}'" and ${blanked === '' ? 'the rule disappears' : `uses ${blanked}`} (annotations/canary/main.go Parse).`,
      fix: blanked === '' ? `use only ${allowed.replace(/^only /, '')} in ${name}.` : `write ${name} as a whole number.`,
    });
    for (const name of ['canary-by-header', 'canary-by-header-value', 'canary-by-cookie']) {
      const value = annotations[`${PREFIX}${name}`];
      if (value !== undefined && !BASIC_CHARS.test(String(value).replace(/ /g, ''))) {
        bad(name, String(value), "only letters, digits and '-._~/:' (BasicCharsRegex)", '');
      }
    }
    const pattern = annotations[`${PREFIX}canary-by-header-pattern`];
    if (pattern !== undefined && !REGEX_CHARS.test(String(pattern))) {
      bad('canary-by-header-pattern', String(pattern), "only letters, digits and '-._~/:^$[](){}*+?|&=\\' (IsValidRegex: no spaces, commas or other punctuation)", '');
    }
    for (const [name, fallback] of [['canary-weight', '0'], ['canary-weight-total', '100']]) {
      const value = annotations[`${PREFIX}${name}`];
      if (value !== undefined && !/^-?\d+$/.test(String(value))) bad(name, String(value), 'a whole number', fallback);
    }
  }
  return findings;
}

/**
 * `nginx-canary-weight`: balancer.lua:268-272 draws math.random(total) <= canary-weight, with
 * total = canary-weight-total only when it is above 100, else 100. So a canary-weight-total at
 * or below 100 other than 100 is ignored (the weight is a share of 100, not of the total), and a
 * weight above the total in effect sends every request the header and cookie rules left to the canary.
 */
export function checkNginxCanaryWeight(objects: readonly ManifestObject[]): ManifestFinding[] {
  const findings: ManifestFinding[] = [];
  for (const canary of ingresses(objects).canaries) {
    const annotations = annotationsOf(canary);
    const weightText = annotations[`${PREFIX}canary-weight`];
    const totalText = annotations[`${PREFIX}canary-weight-total`];
    const weight = /^-?\d+$/.test(String(weightText)) ? Number(weightText) : undefined;
    const total = /^-?\d+$/.test(String(totalText)) ? Number(totalText) : undefined;
    const finding = (name: string, message: string, fix: string) => findings.push({
      rule: 'nginx-canary-weight', object: objectId(canary), field: `metadata.annotations["${PREFIX}${name}"]`, message, fix,
    });
    if (total !== undefined && total <= 100 && total !== 100) {
      finding('canary-weight-total',
        `canary-weight-total ${total} is ignored: balancer.lua (route_to_alternative_balancer, lines 268-272) uses the total only when it is above 100 and draws math.random(100) otherwise, so canary-weight ${weight ?? 0} sends ${weight ?? 0}% of the requests to the canary, not ${weight ?? 0}/${total}.`,
        `remove canary-weight-total and give canary-weight as a percentage${weight !== undefined && total > 0 ? ` (${Math.round((weight * 100) / total)} for ${weight}/${total})` : ''}, or use a total above 100.`);
    }
    const effective = total !== undefined && total > 100 ? total : 100;
    if (weight !== undefined && weight > effective) {
      finding('canary-weight',
        `canary-weight ${weight} is above the total ${effective} ingress-nginx uses (balancer.lua:268-272: math.random(${effective}) <= ${weight} always holds), so every request the header and cookie rules leave goes to the canary.`,
        `keep canary-weight between 0 and ${effective}${total === undefined ? ', or set canary-weight-total above 100' : ''}.`);
    }
  }
  return findings;
}

/**
 * `nginx-canary-affinity`: session affinity (`affinity: cookie`) on a main Ingress a canary
 * merges into. route_to_alternative_balancer returns false as soon as the request carries the
 * main backend's affinity cookie (balancer.lua:195, sticky.lua:124 is_affinitized), before the
 * header, cookie and weight rules, so every client once served by the main backend stays there:
 * the canary's header never reaches them. `upstream-hash-by` is not reported: its balancers
 * (chash, chashsubset) answer is_affinitized false (resty.lua:17), so the canary rules still run.
 */
export function checkNginxCanaryAffinity(objects: readonly ManifestObject[]): ManifestFinding[] {
  const { canaries, mains } = ingresses(objects);
  const findings: ManifestFinding[] = [];
  const reported = new Set<ManifestObject>();
  for (const canary of canaries) {
    for (const p of pathsOf(canary)) {
      for (const main of mainPathsFor(mains, p)) {
        if (reported.has(main.ingress) || annotationsOf(main.ingress)[`${PREFIX}affinity`] !== 'cookie') continue;
        reported.add(main.ingress);
        findings.push({
          rule: 'nginx-canary-affinity',
          object: objectId(main.ingress),
          field: `metadata.annotations["${PREFIX}affinity"]`,
          message: `the main Ingress of the canary ${describe(objectId(canary))} (${hostText(p.host)} path "${p.path}") has cookie session affinity: ingress-nginx keeps a request that carries the main backend's affinity cookie on the main backend before it looks at the canary's header, cookie or weight (balancer.lua:195, route_to_alternative_balancer; sticky.lua:124), so every client the main backend served once bypasses the canary.`,
          fix: 'remove the affinity annotations from the main Ingress while a canary is live (or accept that only new clients are split, and do not rely on the canary\'s header or cookie).',
        });
      }
    }
  }
  return findings;
}

/** The Services the canary Ingresses send to (the canary Services of canary-service-checks.ts). */
export function nginxCanaryBackends(objects: readonly ManifestObject[]): { namespace: string; service: string; by: string }[] {
  return ingresses(objects).canaries.flatMap((canary) => pathsOf(canary)
    .filter((p) => p.service !== undefined)
    .map((p) => ({ namespace: namespaceOf(canary), service: p.service!, by: `the canary ${describe(objectId(canary))}` })));
}
