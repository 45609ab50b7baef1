/**
 * The package as users get it, end to end and offline: a copy of the working tree is built
 * with jsii and packed by `npm pack` (the `prepack` script runs `npm run build`), API.md is
 * checked against jsii-docgen's rendering of that assembly, and the tarball is installed into
 * a fresh TypeScript cdk8s app that builds a canary and a blue-green release and runs
 * `cdk8s synth`. `cdk8s`, `cdk8s-plus-27` and `constructs` are linked from this repository's
 * node_modules, so nothing is downloaded.
 *
 * The build runs in a temp directory, not in lib/, so concurrent `npm test` runs in one
 * working tree never race on the build output.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { K8sObject, find, objectIds, validateObject } from './util';

const ROOT = path.resolve(__dirname, '..');
const NODE_MODULES = path.join(ROOT, 'node_modules');
const PACKAGE_NAME = 'cdk8s-progressive-delivery';
/** What a fresh clone holds that the build and the package read. */
const SOURCES = ['src', 'imports', 'package.json', 'package-lock.json', 'tsconfig.jsii.json', 'tsconfig.dts.json', 'README.md', 'LICENSE'];
const PEERS = ['cdk8s', 'cdk8s-plus-27', 'constructs'];

/** Runs a command; on failure, throws with its output. */
function run(command: string, args: string[], cwd: string): string {
  try {
    return execFileSync(command, args, { cwd, encoding: 'utf-8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
  }
}

let work: string;
let packageDir: string;
let tarball: string;

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), `${PACKAGE_NAME}-package-`));
  packageDir = path.join(work, PACKAGE_NAME);
  for (const entry of SOURCES) {
    fs.cpSync(path.join(ROOT, entry), path.join(packageDir, entry), { recursive: true });
  }
  fs.symlinkSync(NODE_MODULES, path.join(packageDir, 'node_modules'), 'dir');
  run('npm', ['pack', '--pack-destination', work], packageDir);
  const tarballs = fs.readdirSync(work).filter((f) => f.endsWith('.tgz'));
  const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf-8'));
  expect(tarballs).toEqual([`${PACKAGE_NAME}-${version}.tgz`]);
  tarball = path.join(work, tarballs[0]);
}, 120_000);

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('jsii build', () => {
  test('the assembly declares the four jsii targets and the public API', () => {
    const assembly = JSON.parse(fs.readFileSync(path.join(packageDir, '.jsii'), 'utf-8'));
    expect(assembly.name).toBe(PACKAGE_NAME);
    expect(assembly.license).toBe('Apache-2.0');
    expect(assembly.targets).toEqual({
      js: { npm: PACKAGE_NAME },
      python: { module: 'cdk8s_progressive_delivery', distName: 'cdk8s-progressive-delivery' },
      java: {
        package: 'io.github.cdk8s.progressivedelivery',
        maven: { groupId: 'io.github.cdk8s-progressive-delivery', artifactId: 'cdk8s-progressive-delivery' },
      },
      dotnet: { namespace: 'Cdk8s.ProgressiveDelivery', packageId: 'Cdk8s.ProgressiveDelivery' },
      go: { moduleName: 'github.com/cdk8s-progressive-delivery/cdk8s-progressive-delivery-go' },
    });
    expect(Object.keys(assembly.dependencies)).toEqual(expect.arrayContaining(PEERS));
    expect(assembly.bundled).toEqual({ re2js: expect.any(String), yaml: expect.any(String) });
    const types = Object.keys(assembly.types).map((fqn) => fqn.replace(`${PACKAGE_NAME}.`, ''));
    expect(types).toEqual(expect.arrayContaining([
      'CanaryRelease', 'CanaryReleaseProps', 'BlueGreenRelease', 'BlueGreenReleaseProps', 'BlueGreenColor',
      'ReleaseOptions', 'ReleaseTrack', 'CanaryTrack', 'CanaryTraffic', 'HeaderMatch', 'TrafficRouter',
      'NginxRouterOptions', 'IstioRouterOptions', 'GatewayApiRouterOptions', 'GatewayParentRef',
    ]));
  });

  test('the tarball holds the assembly, the compiled sources and imports, and re2js and yaml bundled; no TypeScript sources or tests', () => {
    const files = run('tar', ['-tzf', tarball], work).split('\n').filter((f) => f !== '').map((f) => f.replace(/^package\//, ''));
    expect(files).toEqual(expect.arrayContaining([
      '.jsii', 'package.json', 'README.md', 'LICENSE',
      'lib/src/index.js', 'lib/src/index.d.ts', 'lib/src/releases/canary-release.js', 'lib/src/releases/blue-green-release.js',
      'lib/imports/networking.istio.io.js', 'lib/imports/gateway.networking.k8s.io.js',
      'node_modules/re2js/package.json', 'node_modules/yaml/package.json',
    ]));
    const unexpected = files.filter((f) => !/^(\.jsii|package\.json|README\.md|LICENSE|lib\/(src|imports)\/.+\.(js|d\.ts)|node_modules\/(re2js|yaml)\/.+)$/.test(f));
    expect(unexpected).toEqual([]);
  });
});

test('API.md is current (regenerate it with `npm run docgen`)', () => {
  const fresh = path.join(work, 'API.md');
  run('node', [path.join(ROOT, 'scripts', 'docgen.js'), packageDir, fresh], ROOT);
  const apiMd = path.join(ROOT, 'API.md');
  const current = fs.existsSync(apiMd) ? fs.readFileSync(apiMd, 'utf-8') : '';
  const expected = fs.readFileSync(fresh, 'utf-8');
  if (current !== expected) {
    const a = current.split('\n');
    const b = expected.split('\n');
    let line = 0;
    while (line < a.length && a[line] === b[line]) line++;
    throw new Error(`API.md is stale: run \`npm run docgen\` and commit API.md. First difference at line ${line + 1}:\n` +
      `  API.md:    ${JSON.stringify(a[line])}\n  generated: ${JSON.stringify(b[line])}`);
  }
});

describe('a fresh cdk8s app that installs the tarball', () => {
  let app: string;
  let charts: { [chart: string]: K8sObject[] };
  /** Every file the app's type-check loaded, relative to the app. */
  let typeCheckedFiles: string[];

  beforeAll(() => {
    app = path.join(work, 'app');
    fs.mkdirSync(app);
    const dependencies: { [name: string]: string } = { [PACKAGE_NAME]: `file:${tarball}` };
    for (const peer of PEERS) dependencies[peer] = `file:${fs.realpathSync(path.join(NODE_MODULES, peer))}`;
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'consumer', version: '0.0.0', private: true, dependencies }, undefined, 2));
    fs.writeFileSync(path.join(app, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { target: 'ES2020', module: 'commonjs', lib: ['ES2020'], strict: true, noEmitOnError: true, types: [] },
      files: ['main.ts'],
    }, undefined, 2));
    fs.writeFileSync(path.join(app, 'cdk8s.yaml'), 'language: typescript\napp: node main.js\noutput: dist\n');
    fs.writeFileSync(path.join(app, 'main.ts'), CONSUMER_APP);

    // Linked peers: npm's peer placement trips over links (arborist "reading 'matches'" of
    // null), and the links' versions are the ones this repository pins anyway.
    run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock', '--legacy-peer-deps'], app);
    typeCheckedFiles = run('node', [path.join(NODE_MODULES, 'typescript', 'bin', 'tsc'), '-p', '.', '--listFiles'], app)
      .split('\n').filter((f) => f !== '').map((f) => path.relative(app, f));
    run(path.join(NODE_MODULES, '.bin', 'cdk8s'), ['synth', '--no-check-upgrade'], app);

    charts = {};
    for (const file of fs.readdirSync(path.join(app, 'dist'))) {
      const docs = parseAllDocuments(fs.readFileSync(path.join(app, 'dist', file), 'utf-8'));
      charts[file] = docs.map((d) => d.toJSON() as K8sObject);
    }
  }, 120_000);

  test('the package is installed from the tarball with re2js and yaml bundled, and the peers are the linked ones', () => {
    const installed = path.join(app, 'node_modules', PACKAGE_NAME);
    expect(fs.lstatSync(installed).isSymbolicLink()).toBe(false);
    expect(fs.existsSync(path.join(installed, 'node_modules', 're2js', 'package.json'))).toBe(true);
    expect(fs.existsSync(path.join(installed, 'node_modules', 'yaml', 'package.json'))).toBe(true);
    for (const peer of PEERS) {
      expect(fs.realpathSync(path.join(app, 'node_modules', peer))).toBe(fs.realpathSync(path.join(NODE_MODULES, peer)));
    }
  });

  test("a user's type-check sees the public API only: no @internal member, no generated CRD bindings", () => {
    const ours = typeCheckedFiles.filter((f) => f.startsWith(`node_modules/${PACKAGE_NAME}/`));
    expect(ours).toContain(`node_modules/${PACKAGE_NAME}/lib/src/index.d.ts`);
    // The generated bindings (argoproj.io alone is 1.1 MB of declarations) are implementation details.
    expect(ours.filter((f) => f.includes('/lib/imports/'))).toEqual([]);
    const internals = ours.flatMap((f) => fs.readFileSync(path.join(app, f), 'utf-8').split('\n')
      .filter((line) => /@internal|^\s*(abstract\s+)?_\w+\(/.test(line)).map((line) => `${f}: ${line.trim()}`));
    expect(internals).toEqual([]);
  });

  test('the installed RouteSimulator reads the synthesized YAML (through the bundled yaml) and routes the testers\' header to the canary', () => {
    const script = "const { RouteSimulator } = require('cdk8s-progressive-delivery');"
      + "const sim = RouteSimulator.fromYaml(require('fs').readFileSync('dist/shop.k8s.yaml', 'utf8'));"
      + "console.log(JSON.stringify([sim.route({ host: 'myapp.example.com', headers: { stage: 'gray' } }), sim.route({ host: 'myapp.example.com' })]));";
    expect(JSON.parse(run('node', ['-e', script], app))).toEqual([{ v2: 1 }, { v1: 0.9, v2: 0.1 }]);
  });

  test('cdk8s synth writes one YAML file per chart, every object valid against the upstream schemas', () => {
    expect(Object.keys(charts).sort()).toEqual(['pay.k8s.yaml', 'shop.k8s.yaml']);
    for (const obj of Object.values(charts).flat()) validateObject(obj);
  });

  test('the canary: Deployments per version, Services, and nginx Ingresses with the canary annotations', () => {
    const shop = charts['shop.k8s.yaml'];
    expect(objectIds(shop).sort()).toEqual([
      'Deployment/myapp-v1', 'Deployment/myapp-v2', 'Ingress/myapp', 'Ingress/myapp-canary',
      'PodDisruptionBudget/myapp-v1', 'PodDisruptionBudget/myapp-v2', 'Service/myapp', 'Service/myapp-canary',
    ]);
    expect(shop.every((o) => o.metadata.namespace === 'shop')).toBe(true);
    expect(find(shop, 'Deployment', 'myapp-v1').spec.replicas).toBe(3);
    expect(find(shop, 'Deployment', 'myapp-v2').spec.selector.matchLabels).toEqual({ app: 'myapp', version: 'v2' });
    expect(find(shop, 'Service', 'myapp').spec.selector).toEqual({ app: 'myapp', version: 'v1' });
    expect(find(shop, 'Service', 'myapp').metadata.labels).toEqual({ app: 'myapp', team: 'shop' });
    expect(find(shop, 'Service', 'myapp-canary').spec.selector).toEqual({ app: 'myapp', version: 'v2' });
    expect(find(shop, 'Ingress', 'myapp-canary').metadata.annotations).toEqual({
      'nginx.ingress.kubernetes.io/canary': 'true',
      'nginx.ingress.kubernetes.io/canary-by-header': 'stage',
      'nginx.ingress.kubernetes.io/canary-by-header-value': 'gray',
      'nginx.ingress.kubernetes.io/canary-by-cookie': 'canary',
      'nginx.ingress.kubernetes.io/canary-weight': '10',
      'nginx.ingress.kubernetes.io/canary-weight-total': '100',
    });
    expect(find(shop, 'Ingress', 'myapp-canary').spec.rules[0].host).toBe('myapp.example.com');
  });

  test('the blue-green release: the active Service and HTTPRoute on blue, the preview on green', () => {
    const pay = charts['pay.k8s.yaml'];
    expect(objectIds(pay).sort()).toEqual([
      'Deployment/payments-1-4-2', 'Deployment/payments-1-5-0', 'HTTPRoute/payments', 'HTTPRoute/payments-preview',
      'PodDisruptionBudget/payments-1-4-2', 'PodDisruptionBudget/payments-1-5-0', 'Service/payments', 'Service/payments-preview',
    ]);
    expect(find(pay, 'Deployment', 'payments-1-5-0').spec.template.spec.serviceAccountName).toBe('payments');
    expect(find(pay, 'Service', 'payments').spec.selector).toEqual({ app: 'payments', version: '1.4.2' });
    expect(find(pay, 'Service', 'payments-preview').spec.selector).toEqual({ app: 'payments', version: '1.5.0' });
    const route = find(pay, 'HTTPRoute', 'payments');
    expect(route.apiVersion).toBe('gateway.networking.k8s.io/v1');
    expect(route.spec.parentRefs).toEqual([{ name: 'public', namespace: 'gateways' }]);
    expect(route.spec.hostnames).toEqual(['payments.example.com']);
    expect(route.spec.rules.flatMap((r: any) => r.backendRefs.map((b: any) => b.name))).toEqual(['payments']);
    const preview = find(pay, 'HTTPRoute', 'payments-preview');
    expect(preview.spec.hostnames).toEqual(['preview.payments.example.com']);
    expect(preview.spec.rules.flatMap((r: any) => r.backendRefs.map((b: any) => b.name))).toEqual(['payments-preview']);
  });
});

/** The consumer's main.ts: what a user writes, importing the package by name. */
const CONSUMER_APP = `import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { BlueGreenColor, BlueGreenRelease, CanaryRelease, HeaderMatch, TrafficRouter } from '${PACKAGE_NAME}';

const app = new App();

const shop = new Chart(app, 'shop', { namespace: 'shop' });
const release = new CanaryRelease(shop, 'myapp', {
  containerPort: 80,
  servicePort: 8080,
  container: { securityContext: { ensureNonRoot: false, readOnlyRootFilesystem: false } },
  stable: { version: 'v1', image: 'myapp:v1', replicas: 3 },
  canary: {
    version: 'v2',
    image: 'myapp:v2',
    replicas: 1,
    traffic: { header: HeaderMatch.exact('stage', 'gray'), cookie: 'canary', weight: 10 },
  },
  router: TrafficRouter.nginx({ host: 'myapp.example.com' }),
});
// The exposed objects are cdk8s-plus objects of the app's own cdk8s-plus-27.
const service: kplus.Service = release.service;
service.metadata.addLabel('team', 'shop');

const pay = new Chart(app, 'pay', { namespace: 'pay' });
new BlueGreenRelease(pay, 'payments', {
  containerPort: 8080,
  serviceAccount: kplus.ServiceAccount.fromServiceAccountName(pay, 'sa', 'payments'),
  blue: { version: '1.4.2', image: 'payments:1.4.2', replicas: 2 },
  green: { version: '1.5.0', image: 'payments:1.5.0', replicas: 2 },
  active: BlueGreenColor.BLUE,
  previewHost: 'preview.payments.example.com',
  router: TrafficRouter.gatewayApi({ parentRefs: [{ name: 'public', namespace: 'gateways' }], hostnames: ['payments.example.com'] }),
});

app.synth();
`;
