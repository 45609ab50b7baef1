/**
 * Versioned configuration: each track's pods read their own immutable ConfigMap
 * `<name>-<v>-<hash>`, so a change of configuration rolls the track it changes, the other track
 * keeps its own, and going back to a version brings back the configuration it ran with.
 */
import { Duration, Testing } from 'cdk8s';
import {
  BlueGreenColor, BlueGreenRelease, CanaryRelease, CanaryReleaseProps, CanaryStep, DeliveryEngine, TrafficRouter,
} from '../../src';
import { K8sObject, container, find, objectIds, ofKind, synthValid } from '../util';

const v1 = { version: 'v1', image: 'myapp:v1', replicas: 3 };
const v2 = { version: 'v2', image: 'myapp:v2' };
const SHARED = { LOG_LEVEL: 'info', REGION: 'eu' };

function canary(props: Partial<CanaryReleaseProps> = {}): K8sObject[] {
  const chart = Testing.chart();
  new CanaryRelease(chart, 'myapp', { containerPort: 80, config: SHARED, stable: v1, canary: v2, ...props });
  return synthValid(chart);
}

const configMaps = (manifests: K8sObject[]) => ofKind(manifests, 'ConfigMap');
const configMapOf = (manifests: K8sObject[], version: string) => configMaps(manifests).find((c) => c.metadata.labels?.version === version)!;
const envFromOf = (workload: K8sObject) => container(workload).envFrom;

describe('a ConfigMap per track, named after its content', () => {
  test('each track gets <name>-<v>-<hash>: immutable, labelled with its version, left alone by Flagger\'s config tracking', () => {
    const manifests = canary();
    const cm = configMapOf(manifests, 'v1');
    expect(cm.metadata.name).toMatch(/^myapp-v1-[0-9a-f]{10}$/);
    expect(cm.immutable).toBe(true);
    expect(cm.data).toEqual(SHARED);
    expect(cm.metadata.labels).toEqual({ app: 'myapp', version: 'v1' });
    expect(cm.metadata.annotations).toEqual({ 'flagger.app/config-tracking': 'disabled' });
    expect(configMapOf(manifests, 'v2').metadata.name).toMatch(/^myapp-v2-[0-9a-f]{10}$/);
  });

  test('the track\'s pods read it as environment variables by default', () => {
    const manifests = canary();
    expect(envFromOf(find(manifests, 'Deployment', 'myapp-v1'))).toEqual([{ configMapRef: { name: configMapOf(manifests, 'v1').metadata.name } }]);
    expect(envFromOf(find(manifests, 'Deployment', 'myapp-v2'))).toEqual([{ configMapRef: { name: configMapOf(manifests, 'v2').metadata.name } }]);
  });

  test('a track\'s own config is merged over the shared one by key', () => {
    const manifests = canary({ canary: { ...v2, config: { LOG_LEVEL: 'debug', FEATURE_X: 'on' } } });
    expect(configMapOf(manifests, 'v2').data).toEqual({ LOG_LEVEL: 'debug', REGION: 'eu', FEATURE_X: 'on' });
    expect(configMapOf(manifests, 'v1').data).toEqual(SHARED);
  });

  test('changing the canary\'s config renames only its ConfigMap: only the canary rolls', () => {
    const before = canary();
    const after = canary({ canary: { ...v2, config: { LOG_LEVEL: 'debug' } } });
    expect(configMapOf(after, 'v1').metadata.name).toBe(configMapOf(before, 'v1').metadata.name);
    expect(find(after, 'Deployment', 'myapp-v1')).toEqual(find(before, 'Deployment', 'myapp-v1'));
    expect(configMapOf(after, 'v2').metadata.name).not.toBe(configMapOf(before, 'v2').metadata.name);
  });

  test('the same content is the same name, whatever the order of its keys', () => {
    const a = configMapOf(canary({ config: { A: '1', B: '2' } }), 'v1').metadata.name;
    const b = configMapOf(canary({ config: { B: '2', A: '1' } }), 'v1').metadata.name;
    expect(a).toBe(b);
  });

  test('a promotion keeps the new version\'s ConfigMap and pod template: v2 as stable is v2 as canary', () => {
    const asCanary = canary({ canary: { ...v2, replicas: 3 } });
    const asStable = canary({ stable: { ...v2, replicas: 3 }, canary: undefined });
    expect(configMapOf(asStable, 'v2')).toEqual(configMapOf(asCanary, 'v2'));
    expect(find(asStable, 'Deployment', 'myapp-v2')).toEqual(find(asCanary, 'Deployment', 'myapp-v2'));
    expect(configMapOf(asStable, 'v1')).toBeUndefined();
  });

  test('no config, no ConfigMap and no envFrom', () => {
    const manifests = canary({ config: undefined });
    expect(configMaps(manifests)).toEqual([]);
    expect(envFromOf(find(manifests, 'Deployment', 'myapp-v1'))).toBeUndefined();
  });
});

describe('as files, and Secrets', () => {
  test('configMountPath mounts the track\'s ConfigMap read-only, one file per key', () => {
    const manifests = canary({ configMountPath: '/etc/myapp' });
    const deployment = find(manifests, 'Deployment', 'myapp-v1');
    expect(envFromOf(deployment)).toBeUndefined();
    expect(deployment.spec.template.spec.volumes).toEqual([{ name: 'config', configMap: { name: configMapOf(manifests, 'v1').metadata.name } }]);
    expect(container(deployment).volumeMounts).toEqual([{ name: 'config', mountPath: '/etc/myapp', readOnly: true }]);
  });

  test('a track mounts existing Secrets by name, each in its own directory; the name may differ per track', () => {
    const manifests = canary({
      stable: { ...v1, secrets: [{ secretName: 'db-2025', mountPath: '/etc/myapp/db' }] },
      canary: { ...v2, secrets: [{ secretName: 'db-2026', mountPath: '/etc/myapp/db' }] },
    });
    expect(ofKind(manifests, 'Secret')).toEqual([]);
    const stable = find(manifests, 'Deployment', 'myapp-v1');
    expect(stable.spec.template.spec.volumes).toEqual([{ name: 'secret-0', secret: { secretName: 'db-2025' } }]);
    expect(container(stable).volumeMounts).toEqual([{ name: 'secret-0', mountPath: '/etc/myapp/db', readOnly: true }]);
    expect(find(manifests, 'Deployment', 'myapp-v2').spec.template.spec.volumes).toEqual([{ name: 'secret-0', secret: { secretName: 'db-2026' } }]);
  });
});

describe('every version a controller may return to keeps its ConfigMap', () => {
  const steps = [CanaryStep.shiftTraffic(10), CanaryStep.pause(Duration.minutes(5)), CanaryStep.shiftTraffic(100)];

  test('Argo Rollouts: the Rollout runs the canary\'s ConfigMap, and the stable one is emitted for an abort', () => {
    const manifests = canary({ engine: DeliveryEngine.argoRollouts(), router: TrafficRouter.nginx(), steps });
    expect(objectIds(manifests).filter((id) => id.startsWith('ConfigMap/'))).toEqual([
      `ConfigMap/${configMapOf(manifests, 'v1').metadata.name}`, `ConfigMap/${configMapOf(manifests, 'v2').metadata.name}`,
    ]);
    expect(envFromOf(find(manifests, 'Rollout', 'myapp'))).toEqual([{ configMapRef: { name: configMapOf(manifests, 'v2').metadata.name } }]);
  });

  test('Flagger: the Deployment <name> runs the canary\'s ConfigMap; the primary keeps the stable one, emitted too', () => {
    const manifests = canary({ engine: DeliveryEngine.flagger(), router: TrafficRouter.nginx(), steps });
    expect(configMaps(manifests).map((c) => c.metadata.labels?.version)).toEqual(['v1', 'v2']);
    expect(envFromOf(find(manifests, 'Deployment', 'myapp'))).toEqual([{ configMapRef: { name: configMapOf(manifests, 'v2').metadata.name } }]);
  });

  test('blue-green: both colors\' ConfigMaps, under every engine', () => {
    for (const engine of [DeliveryEngine.manifests(), DeliveryEngine.argoRollouts(), DeliveryEngine.flagger()]) {
      const chart = Testing.chart();
      new BlueGreenRelease(chart, 'myapp', {
        containerPort: 80, config: SHARED, blue: v1, green: { ...v2, config: { REGION: 'us' } }, active: BlueGreenColor.BLUE, engine, router: TrafficRouter.nginx(),
      });
      const manifests = synthValid(chart);
      expect(configMaps(manifests).map((c) => [c.metadata.labels?.version, c.data.REGION])).toEqual([['v1', 'eu'], ['v2', 'us']]);
    }
  });
});

describe('bad input', () => {
  test.each([
    ['a key a ConfigMap does not take', { config: { 'bad key': 'x' } }, 'config key ("bad key") must be a ConfigMap key'],
    ['a key that is no variable name, as variables', { config: { '1ST': 'x' } }, 'config key ("1ST") must be an environment variable name (not starting with a digit) while config is consumed as environment variables; set configMountPath to mount it as files'],
    ['a value that is not a string', { config: { A: 1 as unknown as string } }, 'config["A"] (1) must be a string'],
    ['a bad key of a track', { canary: { ...v2, config: { 'a b': 'x' } } }, 'canary.config key ("a b") must be a ConfigMap key'],
    ['a relative configMountPath', { configMountPath: 'etc/myapp' }, 'configMountPath ("etc/myapp") must be an absolute directory path other than \'/\''],
    ['configMountPath with nothing to mount', { configMountPath: '/etc/myapp', config: undefined }, 'configMountPath ("/etc/myapp") has nothing to mount: give config (shared or a track\'s), or remove configMountPath'],
    ['a Secret name that is not a DNS subdomain', { stable: { ...v1, secrets: [{ secretName: 'Db', mountPath: '/etc/db' }] } }, 'stable.secrets[0].secretName ("Db") must be a DNS subdomain (the name of a Secret in the release\'s namespace)'],
    ['a Secret mounted over the config', { configMountPath: '/etc/myapp', stable: { ...v1, secrets: [{ secretName: 'db', mountPath: '/etc/myapp' }] } }, 'stable.secrets[0].mountPath ("/etc/myapp") is already mounted: give each Secret (and the config) its own directory'],
    ['more than 1 MiB of config', { config: { BIG: 'x'.repeat(1024 * 1024) } }, 'config ("1048579 bytes for version \\"v1\\"") must total at most 1 MiB (keys and values), what a ConfigMap holds'],
  ])('throws on %s', (_what, props, message) => {
    expect(() => canary(props as Partial<CanaryReleaseProps>)).toThrow(`CanaryRelease 'myapp': ${message}`);
  });

  test('a digit-first key is fine as a file', () => {
    expect(configMapOf(canary({ config: { '1st.conf': 'x' }, configMountPath: '/etc/myapp' }), 'v1').data).toEqual({ '1st.conf': 'x' });
  });
});
