/**
 * What the manifest checks (src/validation/) read and report: Kubernetes objects as plain parsed
 * YAML, and findings that name the object, the field, why the controller misbehaves and the fix.
 * This folder judges anyone's manifests: it imports nothing from src/routing or src/engines, so
 * it can disagree with the library's own renderers.
 */

/** A parsed Kubernetes object (any kind), as YAML gives it. */
export type ManifestObject = { readonly [key: string]: any };

/** The identity of an object in the manifests. */
export interface ObjectId {
  readonly kind: string;
  /** `metadata.namespace`, or `default` when the object has none. */
  readonly namespace: string;
  readonly name: string;
}

/** One mistake in the manifests. */
export interface ManifestFinding {
  /** The check that found it (a rule name, e.g. `nginx-canary-unmatched`). */
  readonly rule: string;
  /** The object whose field is wrong. */
  readonly object: ObjectId;
  /** The field, as a path into the object (e.g. `spec.rules[0].http.paths[1].path`). */
  readonly field: string;
  /** What the controller does with it, citing its code. */
  readonly message: string;
  /** How to fix it. */
  readonly fix: string;
}

/** `Kind namespace/name`. */
export function describe(id: ObjectId): string {
  return `${id.kind} ${id.namespace}/${id.name}`;
}

export function objectId(obj: ManifestObject): ObjectId {
  return { kind: String(obj.kind), namespace: namespaceOf(obj), name: String(obj.metadata?.name ?? '(unnamed)') };
}

export function namespaceOf(obj: ManifestObject): string {
  return typeof obj.metadata?.namespace === 'string' && obj.metadata.namespace !== '' ? obj.metadata.namespace : 'default';
}

/** The objects of a kind in an API group (`''` for the core group), any version. */
export function objectsOf(objects: readonly ManifestObject[], group: string, kind: string): ManifestObject[] {
  return objects.filter((o) => o !== null && typeof o === 'object' && o.kind === kind && groupOf(o) === group);
}

function groupOf(obj: ManifestObject): string {
  const apiVersion = typeof obj.apiVersion === 'string' ? obj.apiVersion : '';
  return apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
}

/** The object's annotations (never undefined). */
export function annotationsOf(obj: ManifestObject): { readonly [key: string]: string } {
  const annotations = obj.metadata?.annotations;
  return annotations !== null && typeof annotations === 'object' ? annotations : {};
}

/** A list field as an array (absent or not a list: empty). */
export function listOf(value: unknown): any[] {
  return Array.isArray(value) ? value : [];
}
