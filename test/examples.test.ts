/**
 * The examples are what `npm run synth` writes to dist/: every chart synthesizes and every
 * object passes the upstream schemas.
 */
import { App, Chart } from 'cdk8s';
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

const app = new App();
const charts: Chart[] = [
  addHeaderCanary(app), addWeightCanary(app), addRollingUpdate(app), addPromotion(app), addBlueGreen(app), addIstio(app), addGatewayApi(app),
  addProgressivePlan(app), addArgoBlueGreen(app), addFlagger(app), addProductionRelease(app),
].flat();

test.each(charts.map((c) => [c.node.id, c] as [string, Chart]))('example %s synthesizes valid objects', (_id, chart) => {
  const manifests = synthValid(chart);
  expect(manifests.length).toBeGreaterThan(0);
  expect(objectIds(manifests)).toMatchSnapshot();
});

test('every example chart has its own namespace, so dist/ files never collide', () => {
  const namespaces = charts.map((c) => c.namespace);
  expect(new Set(namespaces).size).toBe(charts.length);
});
