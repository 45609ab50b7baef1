/**
 * Bad input shared by both constructs (src/validation.ts, src/release-base.ts and the track
 * checks of src/track-deployment.ts): every mistake is an Error thrown while the construct is
 * built, naming the owner and the prop, showing the bad value and saying what is allowed.
 */
import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { BlueGreenColor, BlueGreenRelease, CanaryRelease, ReleaseOptions, ReleaseTrack, TrafficRouter } from '../../src';
import { objectIds, synthValid } from '../util';

interface Builder {
  /** How the construct names itself in messages. */
  readonly owner: string;
  /** The prop of its first track. */
  readonly track: string;
  /** Builds the construct `id` with `options` over a valid base, its first track overridden by `track`. */
  build(options?: Partial<ReleaseOptions>, track?: Partial<ReleaseTrack>, id?: string): void;
}

const base = { containerPort: 80 };
const v1: ReleaseTrack = { version: 'v1', image: 'myapp:v1' };
const v2: ReleaseTrack = { version: 'v2', image: 'myapp:v2' };

const canary: Builder = {
  owner: "CanaryRelease 'myapp'",
  track: 'stable',
  build: (options = {}, track = {}, id = 'myapp') => {
    new CanaryRelease(Testing.chart(), id, { ...base, ...options, stable: { ...v1, ...track }, canary: v2 });
  },
};
const blueGreen: Builder = {
  owner: "BlueGreenRelease 'myapp'",
  track: 'blue',
  build: (options = {}, track = {}, id = 'myapp') => {
    new BlueGreenRelease(Testing.chart(), id, { ...base, ...options, blue: { ...v1, ...track }, green: v2, active: BlueGreenColor.BLUE });
  },
};

describe.each([[canary.owner, canary], [blueGreen.owner, blueGreen]])('%s', (_, { owner, track, build }) => {
  test('valid base props build', () => {
    expect(() => build()).not.toThrow();
  });

  test.each(['MyApp', '1app', 'my-app-', 'my_app', 'my.app', '-app', 'a'.repeat(64), ''])('throws when name is not a DNS-1035 label: %p', (name) => {
    expect(() => build({ name })).toThrow(`${owner}: name (${JSON.stringify(name)}) must`);
  });

  test('throws when name is not a DNS-1035 label, saying what is allowed', () => {
    expect(() => build({ name: 'MyApp' }))
      .toThrow(`${owner}: name ("MyApp") must be a DNS-1035 label: at most 63 lowercase letters, digits and '-', starting with a letter and ending with a letter or digit`);
  });

  test('throws when the construct id, used as the default name, is not a DNS-1035 label', () => {
    const idOwner = owner.replace("'myapp'", "'MyApp'");
    expect(() => build({}, {}, 'MyApp')).toThrow(`${idOwner}: name ("MyApp") must be a DNS-1035 label`);
  });

  test('an invalid construct id is fine when name is given', () => {
    expect(() => build({ name: 'myapp' }, {}, 'MyApp')).not.toThrow();
  });

  test.each(['V1', 'v1_0', '-v1', 'v1.', 'v1-', '.v1', 'v 1', 'v1/2', '', 'v'.repeat(64)])('throws when the version is not lowercase letters, digits, - and .: %p', (version) => {
    expect(() => build({}, { version }))
      .toThrow(`${owner}: ${track}.version (${JSON.stringify(version)}) must`);
  });

  test('throws when the version is invalid, saying what is allowed', () => {
    expect(() => build({}, { version: 'V1' }))
      .toThrow(`${owner}: ${track}.version ("V1") must be at most 63 lowercase letters, digits, '-' and '.', alphanumeric at both ends (e.g. 'v1', '1.4.2')`);
  });

  test('throws when a generated Deployment name would exceed 63 characters', () => {
    const name = 'a'.repeat(60); // a valid label: `<name>-v1` has 63 characters, `<name>-v10` 64
    expect(() => build({ name }, { version: 'v10' }))
      .toThrow(`${owner}: name ("${name}") is too long: the Deployment "${name}-v10" would have 64 characters, and at most 63 are allowed`);
  });

  test('throws when the image is empty', () => {
    expect(() => build({}, { image: '' })).toThrow(`${owner}: ${track}.image ("") must be a non-empty string`);
  });

  test('throws when the image contains white space', () => {
    expect(() => build({}, { image: 'myapp: v1' })).toThrow(`${owner}: ${track}.image ("myapp: v1") must not contain white space`);
  });

  test.each([-1, 1.5, Number.NaN])('throws when replicas is not a whole number >= 0: %p', (replicas) => {
    expect(() => build({}, { replicas }))
      .toThrow(`${owner}: ${track}.replicas (${replicas}) must be a whole number between 0 and 1000000`);
  });

  test.each([0, 65536, 80.5, -80])('throws when containerPort is not 1..65535: %p', (containerPort) => {
    expect(() => build({ containerPort }))
      .toThrow(`${owner}: containerPort (${containerPort}) must be a whole number between 1 and 65535`);
  });

  test.each([0, 65536, 8080.5])('throws when servicePort is not 1..65535: %p', (servicePort) => {
    expect(() => build({ servicePort }))
      .toThrow(`${owner}: servicePort (${servicePort}) must be a whole number between 1 and 65535`);
  });

  test('throws when the shared container sets a port number', () => {
    expect(() => build({ container: { portNumber: 8080 } }))
      .toThrow(`${owner}: container.portNumber (8080) is not allowed: the container port comes from containerPort`);
  });

  test('throws when the shared container sets ports', () => {
    expect(() => build({ container: { ports: [{ number: 8080 }] } }))
      .toThrow(`${owner}: container.ports ([{"number":8080}]) is not allowed: the container port comes from containerPort`);
  });

  test("throws when a track's container sets a port", () => {
    expect(() => build({}, { container: { port: 8080 } }))
      .toThrow(`${owner}: ${track}.container.port (8080) is not allowed: the container port comes from containerPort`);
  });

  test('throws when a container sets the image (each track sets its own)', () => {
    const container = { image: 'other:v9' } as kplus.ContainerOpts;
    expect(() => build({ container })).toThrow(`${owner}: container.image ("other:v9") is not allowed here: each track sets its own image`);
  });

  test.each(['name', 'namespace'] as const)('throws when metadata sets %s', (key) => {
    expect(() => build({ metadata: { [key]: 'other' } }))
      .toThrow(`${owner}: metadata.${key} ("other") is not allowed: names come from \`name\` and the namespace from the chart`);
  });

  test.each([['metadata', 'app'], ['metadata', 'version'], ['podMetadata', 'app'], ['podMetadata', 'version']])('throws when %s.labels sets the library\'s own %s label', (prop, key) => {
    expect(() => build({ [prop]: { labels: { [key]: 'other' } } }))
      .toThrow(`${owner}: ${prop}.labels.${key} ("other") is not allowed: the library sets the '${key}' label and selects pods by it`);
  });

  test('throws when a label key is invalid', () => {
    expect(() => build({ podMetadata: { labels: { 'team name': 'shop' } } }))
      .toThrow(`${owner}: podMetadata.labels key ("team name") must be a label key`);
  });

  test('throws when a label value is invalid', () => {
    expect(() => build({ metadata: { labels: { team: 'the shop' } } }))
      .toThrow(`${owner}: metadata.labels.team ("the shop") must be a label value`);
  });

  test('throws when router is not a TrafficRouter', () => {
    const router = { kind: 'nginx' } as unknown as TrafficRouter;
    expect(() => build({ router })).toThrow(`${owner}: router ({"kind":"nginx"}) must be a TrafficRouter, e.g. TrafficRouter.nginx()`);
  });
});

describe('generated names within 63 characters', () => {
  test('throws when <name>-canary would exceed 63 characters', () => {
    const name = 'a'.repeat(57);
    expect(() => new CanaryRelease(Testing.chart(), 'myapp', { ...base, name, stable: v1, canary: v2 }))
      .toThrow(`CanaryRelease 'myapp': name ("${name}") is too long: the Service "${name}-canary" would have 64 characters`);
  });

  test('the same name is fine without a canary (no <name>-canary object)', () => {
    const name = 'a'.repeat(57);
    const chart = Testing.chart();
    new CanaryRelease(chart, 'myapp', { ...base, name, stable: v1 });
    expect(objectIds(synthValid(chart))).toEqual([`Deployment/${name}-v1`, `PodDisruptionBudget/${name}-v1`, `Service/${name}`]);
  });

  test('throws when <name>-preview would exceed 63 characters', () => {
    const name = 'a'.repeat(56);
    expect(() => new BlueGreenRelease(Testing.chart(), 'myapp', { ...base, name, blue: v1, green: v2, active: BlueGreenColor.BLUE }))
      .toThrow(`BlueGreenRelease 'myapp': name ("${name}") is too long: the Service "${name}-preview" would have 64 characters`);
  });

  test('objects named with exactly 63 characters pass the schemas', () => {
    const name = 'a'.repeat(56); // <name>-canary: 63 characters
    const chart = Testing.chart();
    new CanaryRelease(chart, 'myapp', { ...base, name, stable: v1, canary: v2, router: TrafficRouter.nginx() });
    const ids = objectIds(synthValid(chart));
    expect(ids).toContain(`Ingress/${name}-canary`);
    expect(`${name}-canary`).toHaveLength(63);
  });
});
