/**
 * What a delivery engine hands back to the release construct: the objects it exposes, and what
 * a controller generates in their stead. Internal: not exported from the package index.
 */
import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { GeneratedObject } from '../routing/engine-contracts';
import { ReleaseRoutes } from '../routing/routing-model';

export interface CanaryObjects {
  /** The routes the engine built and handed its router: what the release records for its routing report. */
  readonly routes: ReleaseRoutes;
  readonly stableDeployment?: kplus.Deployment;
  readonly canaryDeployment?: kplus.Deployment;
  /** Undefined when the controller generates the Services (Flagger). */
  readonly service?: kplus.Service;
  readonly canaryService?: kplus.Service;
  readonly rollout?: ApiObject;
  /** The one Deployment `<name>` a controller (Flagger) copies and analyses. */
  readonly deployment?: kplus.Deployment;
  /** What the controller generates in the namespace, whose names the release claims too. */
  readonly generated?: GeneratedObject[];
  /** Which controller generates them, for error messages. */
  readonly generatedBy?: string;
}

export interface BlueGreenObjects {
  /** The routes the engine built and handed its router: what the release records for its routing report. */
  readonly routes: ReleaseRoutes;
  readonly blueDeployment?: kplus.Deployment;
  readonly greenDeployment?: kplus.Deployment;
  /** Undefined when the controller generates the Services (Flagger). */
  readonly activeService?: kplus.Service;
  readonly previewService?: kplus.Service;
  readonly rollout?: ApiObject;
  /** The one Deployment `<name>` a controller (Flagger) copies and analyses. */
  readonly deployment?: kplus.Deployment;
  /** What the controller generates in the namespace, whose names the release claims too. */
  readonly generated?: GeneratedObject[];
  /** Which controller generates them, for error messages. */
  readonly generatedBy?: string;
}
