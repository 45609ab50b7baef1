/**
 * The examples app: `npm run synth` (cdk8s synth) writes one file per chart to
 * dist/<chart-id>.k8s.yaml, and beside it the chart's routing report,
 * dist/<chart-id>.routing.md (where each request goes, for reviewers).
 */
import { App } from 'cdk8s';
import { RoutingReport } from 'cdk8s-progressive-delivery';
import { addArgoBlueGreen } from './argo-blue-green';
import { addBlueGreen } from './blue-green';
import { addFlagger } from './flagger';
import { addGatewayApi } from './gateway-api';
import { addHeaderCanary } from './header-canary';
import { addIstio } from './istio';
import { addProductionRelease } from './production-release';
import { addProgressivePlan } from './progressive-plan';
import { addPromotion } from './promotion';
import { addRollingUpdate } from './rolling-update';
import { addWeightCanary } from './weight-canary';

const app = new App();
addHeaderCanary(app);
addWeightCanary(app);
addRollingUpdate(app);
addPromotion(app);
addBlueGreen(app);
addIstio(app);
addGatewayApi(app);
addProgressivePlan(app);
addArgoBlueGreen(app);
addFlagger(app);
addProductionRelease(app);
app.synth();
RoutingReport.write(app);
