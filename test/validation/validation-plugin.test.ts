/**
 * ProgressiveDeliveryValidation as cdk8s-cli runs it: its properties, its report through
 * cdk8s-cli's own ValidationContext, and the real `cdk8s synth` with the plugin configured in
 * cdk8s.yaml, on a fixture app of hand-written objects with every mistake
 * (test/fixtures/validation-app) and on the library's examples (clean).
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { transformFileSync } = require('@swc/core') as { transformFileSync(file: string, options: object): { code: string } };
// cdk8s-cli's own context and report, as `cdk8s synth` builds them (lib/plugins/validation.js).
import type { ValidationContext as CliValidationContext } from 'cdk8s-cli/lib/plugins/validation';
import { IValidationContext, ProgressiveDeliveryValidation } from '../../src';

const ROOT = path.resolve(__dirname, '..', '..');
const CDK8S = path.join(ROOT, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s');
const FIXTURE = path.join(ROOT, 'test', 'fixtures', 'validation-app');
// By path: cdk8s-cli's package.json `exports` does not list lib/plugins/validation.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ValidationContext } = require(path.join(ROOT, 'node_modules', 'cdk8s-cli', 'lib', 'plugins', 'validation')) as { ValidationContext: typeof CliValidationContext };

jest.setTimeout(120_000);

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-pd-validation-'));
  // The plugin as a local package: src/validation and what it imports, transpiled by swc
  // (the same code `npm run build` compiles into lib/src/).
  const plugin = path.join(tmp, 'plugin');
  const sources = [
    ...fs.readdirSync(path.join(ROOT, 'src', 'validation')).map((f) => path.join('validation', f)),
    path.join('private', 'validation.ts'),
  ];
  for (const source of sources) {
    const out = path.join(plugin, source.replace(/\.ts$/, '.js'));
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, transformFileSync(path.join(ROOT, 'src', source), {
      jsc: { parser: { syntax: 'typescript' }, target: 'es2020' }, module: { type: 'commonjs' },
    }).code);
  }
  fs.writeFileSync(path.join(plugin, 'index.js'), 'module.exports = require(\'./validation/progressive-delivery-validation\');\n');
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Runs `cdk8s synth` in `dir` (its cdk8s.yaml names the plugin at ./plugin). */
function synth(dir: string, env: { [key: string]: string } = {}) {
  fs.symlinkSync(path.join(tmp, 'plugin'), path.join(dir, 'plugin'));
  const reportFile = path.join(dir, 'report.json');
  const result = spawnSync(process.execPath, [CDK8S, 'synth', '--no-check-upgrade', '--validation-reports-output-file', reportFile], {
    cwd: dir, encoding: 'utf8', env: { ...process.env, NODE_PATH: path.join(ROOT, 'node_modules'), FORCE_COLOR: '0', ...env },
  });
  const reports = fs.existsSync(reportFile) ? JSON.parse(fs.readFileSync(reportFile, 'utf8')).reports : [];
  return { status: result.status, output: `${result.stdout}${result.stderr}`, report: reports[0] };
}

describe('cdk8s synth with the plugin in cdk8s.yaml', () => {
  test('on the fixture app, every mistake is reported and synth fails with status 2', () => {
    const app = path.join(tmp, 'fixture');
    fs.mkdirSync(app);
    for (const f of ['cdk8s.yaml', 'main.js']) fs.copyFileSync(path.join(FIXTURE, f), path.join(app, f));
    const { status, output, report } = synth(app);
    expect(status).toBe(2);
    expect(output).toContain('Validation failed');
    expect(report.summary).toMatchObject({ status: 'failure', metadata: { findings: '11' } });
    const found = report.violations.map((v: any) => [v.ruleName, v.violatingConstructs[0].resourceName, v.violatingConstructs[0].locations[0]]);
    const NGINX = 'nginx.ingress.kubernetes.io/';
    expect(found).toEqual([
      ['nginx-canary-unmatched', 'shop-canary-host', 'spec.rules[0].host'],
      ['nginx-canary-unmatched', 'shop-canary-path', 'spec.rules[0].http.paths[0].path'],
      ['nginx-canary-unmatched', 'shop-canary-class', 'spec.ingressClassName'],
      ['nginx-canary-duplicate', 'shop-canary-b', 'spec.rules[0].http.paths[0]'],
      ['nginx-canary-annotation', 'Ingress shop/shop-canary', `metadata.annotations["${NGINX}canary-by-header-value"]`],
      ['nginx-canary-weight', 'Ingress shop/shop-canary', `metadata.annotations["${NGINX}canary-weight-total"]`],
      ['nginx-canary-affinity', 'Ingress shop/shop', `metadata.annotations["${NGINX}affinity"]`],
      ['istio-weights', 'VirtualService shop/shop', 'spec.http[0].route'],
      ['istio-subset', 'VirtualService shop/shop', 'spec.http[0].route[1].destination.subset'],
      ['httproute-header-path', 'HTTPRoute shop/shop', 'spec.rules[0].matches[0].path'],
      ['canary-service-versions', 'Service shop/shop-canary', 'spec.selector'],
    ]);
    // Each violation names the object, its construct path and manifest, why, and the fix.
    const weight = report.violations.find((v: any) => v.ruleName === 'nginx-canary-weight');
    expect(weight.recommendation).toContain('Ingress shop/shop-canary, metadata.annotations["nginx.ingress.kubernetes.io/canary-weight-total"]: canary-weight-total 50 is ignored');
    expect(weight.fix).toContain('(20 for 10/50)');
    expect(weight.violatingConstructs[0].manifestPath).toBe('dist/mistakes.k8s.yaml');
    expect(weight.violatingConstructs[0].constructPath).toBeUndefined(); // Service shop/shop-canary has the same name
    // cdk8s-cli finds a construct path by metadata.name: given for a name only one object has.
    const duplicate = report.violations.find((v: any) => v.ruleName === 'nginx-canary-duplicate');
    expect(duplicate.violatingConstructs[0]).toMatchObject({ resourceName: 'shop-canary-b', constructPath: 'mistakes/o2' });
    expect(output).toContain('nginx-canary-weight (1 occurrences)');
  });

  test('on the library\'s examples, each chart checked on its own, there is no finding', () => {
    const dir = path.join(tmp, 'examples');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'cdk8s.yaml'), [
      `app: ${process.execPath} -r ${require.resolve('@swc-node/register')} ${path.join(ROOT, 'examples', 'main.ts')}`,
      'output: dist',
      'validations:',
      '  - { package: ./plugin, version: 0.0.0, class: ProgressiveDeliveryValidation, properties: { perManifest: true } }',
      '',
    ].join('\n'));
    const { status, output, report } = synth(dir, { SWC_NODE_PROJECT: path.join(ROOT, 'tsconfig.json') });
    expect(output).toContain('Validations ended succesfully');
    expect(status).toBe(0);
    expect(report.summary).toMatchObject({ status: 'success', metadata: { findings: '0' } });
    expect(report.violations).toEqual([]);
    expect(fs.readdirSync(path.join(dir, 'dist')).filter((f) => f.endsWith('.k8s.yaml')).length).toBeGreaterThan(10);
  });
});

/** cdk8s-cli's ValidationContext over manifest files written from objects. */
function contextOf(files: { [name: string]: object[] }): CliValidationContext {
  const dir = fs.mkdtempSync(path.join(tmp, 'ctx-'));
  const paths = Object.entries(files).map(([name, objects]) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, objects.map((o) => JSON.stringify(o)).join('\n---\n'));
    return file;
  });
  return new ValidationContext(paths, 'cdk8s-progressive-delivery', '0.0.0');
}

/** The plugin's contract types are its own (jsii); cdk8s-cli's context has `readonly string[]` manifests. */
const asContext = (c: CliValidationContext) => c as unknown as IValidationContext;

const mainIngress = (ns: string) => ({
  apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'shop', namespace: ns },
  spec: { rules: [{ host: 'shop.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'shop', port: { number: 80 } } } }] } }] },
});
const canaryIngress = (ns: string) => ({
  ...mainIngress(ns),
  metadata: { name: 'shop-canary', namespace: ns, annotations: { 'nginx.ingress.kubernetes.io/canary': 'true' } },
});

describe('the plugin on cdk8s-cli\'s ValidationContext', () => {
  test('a clean app: the report is submitted as a success', async () => {
    const context = contextOf({ 'a.k8s.yaml': [mainIngress('shop'), canaryIngress('shop')] });
    await new ProgressiveDeliveryValidation().validate(asContext(context));
    expect(context.report.success).toBe(true);
    expect(context.report.toJson().violations).toEqual([]);
  });

  test('by default all manifests are checked together: a canary in one chart duplicates one in another', async () => {
    const context = contextOf({ 'a.k8s.yaml': [mainIngress('a'), canaryIngress('a')], 'b.k8s.yaml': [canaryIngress('b')] });
    await new ProgressiveDeliveryValidation().validate(asContext(context));
    expect(context.report.success).toBe(false);
    const [violation] = context.report.toJson().violations;
    expect(violation).toMatchObject({ ruleName: 'nginx-canary-duplicate', violatingConstructs: [{ resourceName: 'Ingress b/shop-canary', manifestPath: expect.stringMatching(/b\.k8s\.yaml$/) }] });
  });

  test('perManifest checks each file on its own: the canary of b matches no main Ingress of b', async () => {
    const context = contextOf({ 'a.k8s.yaml': [mainIngress('a'), canaryIngress('a')], 'b.k8s.yaml': [canaryIngress('b')] });
    await new ProgressiveDeliveryValidation({ perManifest: true }).validate(asContext(context));
    expect(context.report.toJson().violations.map((v) => v.ruleName)).toEqual(['nginx-canary-unmatched']);
  });

  test('failOnFindings false reports the findings and succeeds', async () => {
    const context = contextOf({ 'b.k8s.yaml': [canaryIngress('b')] });
    await new ProgressiveDeliveryValidation({ failOnFindings: false }).validate(asContext(context));
    expect(context.report.success).toBe(true);
    expect(context.report.toJson().violations).toHaveLength(1);
  });

  test('rules chooses the checks', async () => {
    const context = contextOf({ 'b.k8s.yaml': [canaryIngress('b')] });
    await new ProgressiveDeliveryValidation({ rules: ['istio-weights'] }).validate(asContext(context));
    expect(context.report.success).toBe(true);
  });
});

describe('the plugin\'s properties', () => {
  test('throws when a property is unknown', () => {
    expect(() => new ProgressiveDeliveryValidation({ failOnFinding: true } as any))
      .toThrow('ProgressiveDeliveryValidation: properties.failOnFinding (true) is not a property (known: rules, failOnFindings, perManifest)');
  });

  test('throws when a rule is unknown', () => {
    expect(() => new ProgressiveDeliveryValidation({ rules: ['istio-weight'] }))
      .toThrow('ProgressiveDeliveryValidation: properties.rules ("istio-weight") is not a rule (known: nginx-canary-unmatched, nginx-canary-duplicate, nginx-canary-annotation, nginx-canary-weight, nginx-canary-affinity, istio-weights, istio-subset, httproute-header-path, canary-service-versions)');
  });

  test('throws when failOnFindings is not a boolean', () => {
    expect(() => new ProgressiveDeliveryValidation({ failOnFindings: 'no' as any }))
      .toThrow('ProgressiveDeliveryValidation: properties.failOnFindings ("no") must be true or false');
  });

  test('the package\'s main entry exports the class cdk8s.yaml names', () => {
    // cdk8s-cli: `pkg.module[options.class]` of the package's main entry (lib/plugins/_manager.js).
    expect(execFileSync(process.execPath, ['-p', 'require("./package.json").main'], { cwd: ROOT, encoding: 'utf8' }).trim()).toBe('lib/src/index.js');
    expect(fs.readFileSync(path.join(ROOT, 'src', 'index.ts'), 'utf8')).toContain('export * from \'./validation/progressive-delivery-validation\';');
  });
});
