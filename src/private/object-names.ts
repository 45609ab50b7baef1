import { ApiObject, Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { fail } from './validation';

/** Per app: `<apiGroup>/<kind>/<namespace>/<name>` -> the path of the construct that emits it. */
const claims = new WeakMap<IConstruct, Map<string, string>>();

/**
 * Records every ApiObject below `release` and throws when another release (or any object
 * claimed before) already emits an object of the same kind and name in the same namespace.
 */
export function claimObjectNames(owner: string, release: Construct): void {
  const root = release.node.root;
  let claimed = claims.get(root);
  if (!claimed) {
    claimed = new Map();
    claims.set(root, claimed);
  }
  const mine = release.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
  for (const obj of mine) {
    const namespace = obj.metadata.namespace ?? Chart.of(obj).namespace ?? '';
    const group = obj.apiVersion.includes('/') ? obj.apiVersion.split('/')[0] : '';
    const key = `${group}/${obj.kind}/${namespace}/${obj.name}`;
    const other = claimed.get(key);
    if (other !== undefined) {
      const where = namespace ? `namespace "${namespace}"` : 'the chart\'s namespace';
      throw new Error(`${owner}: ${obj.kind} "${obj.name}" in ${where} is also emitted by ${other}; two objects of one kind cannot share a name in a namespace: give one release another name or namespace`);
    }
    claimed.set(key, `${owner} (${release.node.path})`);
  }
}

/** Every generated object name must be a DNS label of at most 63 characters. */
export function checkObjectName(release: { owner: string; name: string }, objectName: string, what: string): void {
  if (objectName.length > 63) {
    fail(release.owner, 'name', release.name, `is too long: the ${what} "${objectName}" would have ${objectName.length} characters, and at most 63 are allowed; shorten the name or the version`);
  }
}
