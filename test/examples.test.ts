/**
 * The examples are what `npm run synth` writes to dist/: every chart synthesizes and every
 * object passes the upstream schemas.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { RoutingReport } from '../src';
import { addArgoBlueGreen } from '../examples/argo-blue-green';
import { addBlueGreen } from '../examples/blue-green';
import { addFlagger } from '../examples/flagger';
import { addGatewayApi } from '../examples/gateway-api';
import { addHeaderCanary } from '../examples/header-canary';
import { addIstio } from '../examples/istio';
import { addProductionRelease } from '../examples/production-release';
import { addProgressivePlan } from '../examples/progressive-plan';
import { addPromotion } from '../examples/promotion';
import { addRollingUpdate } from '../examples/rolling-update';
import { addWeightCanary } from '../examples/weight-canary';
import { objectIds, synthValid } from './util';

/** Every example chart, in the order examples/main.ts adds them. */
function addExamples(app: App): Chart[] {
  return [
    addHeaderCanary(app), addWeightCanary(app), addRollingUpdate(app), addPromotion(app), addBlueGreen(app), addIstio(app), addGatewayApi(app),
    addProgressivePlan(app), addArgoBlueGreen(app), addFlagger(app), addProductionRelease(app),
  ].flat();
}

const app = new App();
const charts = addExamples(app);

test.each(charts.map((c) => [c.node.id, c] as [string, Chart]))('example %s synthesizes valid objects', (_id, chart) => {
  const manifests = synthValid(chart);
  expect(manifests.length).toBeGreaterThan(0);
  expect(objectIds(manifests)).toMatchSnapshot();
});

test('every example chart has its own namespace, so dist/ files never collide', () => {
  const namespaces = charts.map((c) => c.namespace);
  expect(new Set(namespaces).size).toBe(charts.length);
});

test('examples/main.ts writes a routing report beside every chart\'s YAML', () => {
  expect(fs.readFileSync(path.join(__dirname, '..', 'examples', 'main.ts'), 'utf8')).toMatch(/^app\.synth\(\);\nRoutingReport\.write\(app\);$/m);
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'examples-'));
  const synthesized = new App({ outdir });
  const ids = addExamples(synthesized).map((c) => c.node.id);
  synthesized.synth();
  RoutingReport.write(synthesized);
  const files = fs.readdirSync(outdir);
  expect(files.filter((f) => f.endsWith('.routing.md')).sort()).toEqual(ids.map((id) => `${id}.routing.md`).sort());
  expect(files.filter((f) => f.endsWith('.k8s.yaml')).sort()).toEqual(ids.map((id) => `${id}.k8s.yaml`).sort());

  // Plain manifests at step 1 of the plan (the 2-hour pause at 5%): v2 has 5%, as at step 0.
  const plan = fs.readFileSync(path.join(outdir, 'progressive-plan-step-1.routing.md'), 'utf8');
  expect(plan).toContain('**git owns the weights**');
  expect(plan).toContain('| 1 | `weighted` | every request | v1 95% / v2 5% |  |  |');
  expect(plan).toContain('| 1 | `pause(2h)` | v1 95% / v2 5% | ◀ reached (`canary.step`) |');
  expect(plan).toContain('At `steps[0]` the weighted rule was already v1 95% / v2 5%: `steps[1]` changes no route.');
  fs.rmSync(outdir, { recursive: true, force: true });
});
