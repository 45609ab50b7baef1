/**
 * The examples app: `npm run synth` (cdk8s synth) writes one file per chart to
 * dist/<chart-id>.k8s.yaml.
 */
import { App } from 'cdk8s';
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
