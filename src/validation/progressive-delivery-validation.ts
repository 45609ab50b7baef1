import { checkManifests, MANIFEST_CHECKS } from './check-manifests';
import { describe, ManifestFinding, ManifestObject, ObjectId, objectId } from './manifest-finding';
import { fail } from '../private/validation';

const OWNER = 'ProgressiveDeliveryValidation';

/**
 * A resource that breaks a rule, as cdk8s-cli's validation report takes it (cdk8s-cli
 * lib/plugins/validation.d.ts, `ValidationViolatingResource`).
 */
export interface ValidationViolatingResource {
  /** `metadata.name` of the object (cdk8s-cli looks its construct path up by it). */
  readonly resourceName: string;
  /** The fields of the object that break the rule. */
  readonly locations: string[];
  /** The manifest file the object is in. */
  readonly manifestPath: string;
}

/** A broken rule, as cdk8s-cli's validation report takes it (`ValidationViolation`). */
export interface ValidationViolation {
  /** The rule's name. */
  readonly ruleName: string;
  /** What is wrong and why the controller misbehaves. */
  readonly recommendation: string;
  /** How to fix it. */
  readonly fix: string;
  /** The objects that break the rule. */
  readonly violatingResources: ValidationViolatingResource[];
}

/**
 * The report a validation plugin fills in: the part of cdk8s-cli's `ValidationReport` a plugin
 * uses (cdk8s-cli lib/plugins/validation.js: `addViolation`, `submit`).
 */
export interface IValidationReport {
  /** Adds a violation; cdk8s-cli throws once the report is submitted. */
  addViolation(violation: ValidationViolation): void;
  /** Submits the report: `success` or `failure` (a failure makes `cdk8s synth` exit with 2). */
  submit(status: string, metadata?: { [key: string]: string }): void;
}

/**
 * What cdk8s-cli hands a validation plugin's `validate`: the part of its `ValidationContext`
 * this plugin uses (cdk8s-cli lib/plugins/validation.d.ts).
 */
export interface IValidationContext {
  /** The paths of the synthesized manifests. */
  readonly manifests: string[];
  /** The report to fill in and submit. */
  readonly report: IValidationReport;
  /** The objects of one manifest file (cdk8s-cli parses every YAML document of it). */
  parseManifest(manifestPath: string): any[];
}

/**
 * The properties of `ProgressiveDeliveryValidation`: the `properties` of its entry under
 * `validations:` in cdk8s.yaml.
 */
export interface ProgressiveDeliveryValidationProps {
  /**
   * The checks to run, by rule name: `nginx-canary-unmatched`, `nginx-canary-duplicate`,
   * `nginx-canary-annotation`, `nginx-canary-weight`, `nginx-canary-affinity`, `istio-weights`,
   * `istio-subset`, `httproute-header-path`, `canary-service-versions`.
   * @default - every check
   */
  readonly rules?: string[];

  /**
   * Whether a finding fails the validation (`cdk8s synth` then exits with 2 after printing the
   * report); `false` prints the findings and succeeds.
   * @default true
   */
  readonly failOnFindings?: boolean;

  /**
   * Whether each manifest file is checked on its own, as if deployed alone: for apps whose
   * charts are alternatives or go to different clusters (two steps of one release, one chart
   * per cluster). By default all the app's manifests are checked together, since a canary
   * Ingress merges into a main Ingress of any chart on the same controller.
   * @default false
   */
  readonly perManifest?: boolean;
}

/**
 * A cdk8s validation plugin that checks the synthesized manifests of any cdk8s app, objects
 * this library did not write included, for the canary routing mistakes upstream controllers
 * accept with at most a log line: ingress-nginx canary Ingresses that match no main Ingress,
 * two canaries on one path, annotation values ingress-nginx blanks, a weight total it ignores,
 * session affinity that bypasses the canary; Istio weights that do not add up to 100 and
 * subsets no DestinationRule defines; HTTPRoute header matches without the route's path; canary
 * Services that select pods of several versions or none. Each finding names the object, the
 * field, why the controller misbehaves (with the controller's code) and the fix.
 *
 * cdk8s-cli loads it from `validations:` in cdk8s.yaml (lib/plugins/_manager.js: `new
 * clazz(properties ?? {})`, then `validate(context)`):
 *
 * ```yaml
 * validations:
 *   - package: cdk8s-progressive-delivery   # or a local path starting with ./ or /
 *     version: 0.1.0                        # an exact version, not a range
 *     class: ProgressiveDeliveryValidation
 *     properties: { failOnFindings: true, perManifest: false }
 * ```
 *
 * The plugin runs in cdk8s-cli's Node.js process, whatever the app's language.
 */
export class ProgressiveDeliveryValidation {
  private readonly rules: string[];
  private readonly failOnFindings: boolean;
  private readonly perManifest: boolean;

  constructor(props: ProgressiveDeliveryValidationProps = {}) {
    if (props === null || typeof props !== 'object' || Array.isArray(props)) {
      fail(OWNER, 'properties', props, 'must be a map (the `properties` of the plugin in cdk8s.yaml)');
    }
    const known = ['rules', 'failOnFindings', 'perManifest'];
    for (const key of Object.keys(props)) {
      if (!known.includes(key)) fail(OWNER, `properties.${key}`, (props as any)[key], `is not a property (known: ${known.join(', ')})`);
    }
    const all = Object.keys(MANIFEST_CHECKS);
    if (props.rules !== undefined) {
      if (!Array.isArray(props.rules) || props.rules.length === 0) fail(OWNER, 'properties.rules', props.rules, 'must be a non-empty list of rule names');
      for (const rule of props.rules) {
        if (!all.includes(rule)) fail(OWNER, 'properties.rules', rule, `is not a rule (known: ${all.join(', ')})`);
      }
    }
    if (props.failOnFindings !== undefined && typeof props.failOnFindings !== 'boolean') {
      fail(OWNER, 'properties.failOnFindings', props.failOnFindings, 'must be true or false');
    }
    if (props.perManifest !== undefined && typeof props.perManifest !== 'boolean') {
      fail(OWNER, 'properties.perManifest', props.perManifest, 'must be true or false');
    }
    this.rules = props.rules ?? all;
    this.perManifest = props.perManifest ?? false;
    this.failOnFindings = props.failOnFindings ?? true;
  }

  /**
   * Checks every manifest of the app together, adds a violation per finding to the report and
   * submits it: `failure` when there is a finding (unless `failOnFindings` is false), else `success`.
   */
  public async validate(context: IValidationContext): Promise<void> {
    const objects: ManifestObject[] = [];
    const files = new Map<string, string>();
    const names = new Map<string, number>();
    const findings: ManifestFinding[] = [];
    for (const manifest of context.manifests) {
      const own: ManifestObject[] = context.parseManifest(manifest).filter((obj) => obj !== null && typeof obj === 'object');
      for (const obj of own) {
        for (const item of obj.kind === 'List' && Array.isArray(obj.items) ? obj.items : [obj]) {
          files.set(key(objectId(item)), manifest);
          names.set(objectId(item).name, (names.get(objectId(item).name) ?? 0) + 1);
        }
      }
      if (this.perManifest) findings.push(...checkManifests(own, this.rules));
      objects.push(...own);
    }
    if (!this.perManifest) findings.push(...checkManifests(objects, this.rules));
    for (const finding of findings) {
      context.report.addViolation({
        ruleName: finding.rule,
        recommendation: `${describe(finding.object)}, ${finding.field}: ${finding.message}`,
        fix: finding.fix,
        violatingResources: [{
          // cdk8s-cli finds the construct path by metadata.name alone (cdk8s App writes
          // construct-metadata.json keyed by name): a name several objects share is given as
          // `Kind namespace/name`, which shows no construct path rather than another object's.
          resourceName: names.get(finding.object.name) === 1 ? finding.object.name : describe(finding.object),
          locations: [finding.field],
          manifestPath: files.get(key(finding.object)) ?? '(unknown)',
        }],
      });
    }
    context.report.submit(findings.length > 0 && this.failOnFindings ? 'failure' : 'success', {
      findings: String(findings.length),
      rules: this.rules.join(','),
    });
  }
}

function key(id: ObjectId): string {
  return JSON.stringify([id.kind, id.namespace, id.name]);
}
