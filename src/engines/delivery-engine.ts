import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { checkInteger, fail } from '../private/validation';
import { argoBlueGreen } from './argo-rollouts/argo-blue-green';
import { argoCanary } from './argo-rollouts/argo-canary';
import { ArgoRolloutsOptions, ENGINE as ARGO_ROLLOUTS } from './argo-rollouts/argo-rollouts-options';
import { flaggerBlueGreen } from './flagger/flagger-blue-green';
import { flaggerCanary } from './flagger/flagger-canary';
import { ENGINE as FLAGGER, FlaggerOptions } from './flagger/flagger-options';
import { manifestsBlueGreen } from './manifests/manifests-blue-green';
import { manifestsCanary } from './manifests/manifests-canary';
import { BlueGreenObjects, CanaryObjects } from './release-objects';
import { BlueGreenPlan, CanaryPlan } from './release-plan';

/**
 * Who moves a release forward: plain manifests that git moves (the default), or a rollout
 * controller in the cluster that walks the steps and runs the analysis.
 */
export abstract class DeliveryEngine {
  /**
   * Plain objects: a Deployment per track, Services and routes whose weights are what git
   * says. The canary's `step` picks the weight of the plan; the analysis becomes alerts.
   */
  public static manifests(): DeliveryEngine {
    return new ManifestsEngine();
  }

  /**
   * Argo Rollouts (argoproj.io/v1alpha1): one Rollout `<name>` instead of the Deployments; the
   * controller shifts the weights through the steps and runs the analysis.
   * @see https://argo-rollouts.readthedocs.io/en/stable/
   */
  public static argoRollouts(options: ArgoRolloutsOptions = {}): DeliveryEngine {
    const owner = 'DeliveryEngine.argoRollouts';
    if (options.scaleDownDelay !== undefined) {
      if (!(options.scaleDownDelay instanceof Duration)) fail(owner, 'options.scaleDownDelay', options.scaleDownDelay, 'must be a cdk8s Duration, e.g. Duration.hours(24)');
      const ms = options.scaleDownDelay.toMilliseconds();
      if (ms <= 0 || ms % 1000 !== 0) fail(owner, 'options.scaleDownDelay', `${ms}ms`, 'must be a whole number of seconds above zero');
    }
    if (options.autoPromotion !== undefined && typeof options.autoPromotion !== 'boolean') {
      fail(owner, 'options.autoPromotion', options.autoPromotion, 'must be true or false');
    }
    return new ArgoRolloutsEngine(options);
  }

  /**
   * Flagger (flagger.app/v1beta1): one Deployment `<name>` running the newest version and a
   * Canary `<name>`; Flagger copies the Deployment into `<name>-primary`, generates the
   * Services and routes, walks the plan (or runs an A/B test for header and cookie rules) and
   * rolls back on the analysis.
   * @see https://docs.flagger.app/
   */
  public static flagger(options: FlaggerOptions = {}): DeliveryEngine {
    const owner = 'DeliveryEngine.flagger';
    if (options.iterations !== undefined) checkInteger(owner, 'options.iterations', options.iterations, 1, 10_000);
    if (options.loadTesterUrl !== undefined && (typeof options.loadTesterUrl !== 'string' || !/^https?:\/\/[^\s'"]+$/.test(options.loadTesterUrl))) {
      fail(owner, 'options.loadTesterUrl', options.loadTesterUrl, 'must be an http:// or https:// URL of Flagger\'s load tester, e.g. http://flagger-loadtester.test/');
    }
    // Removed: it chose Flagger's built-in metrics, which roll back a canary that has no data yet.
    const metricsServer = (options as { metricsServer?: unknown }).metricsServer;
    if (metricsServer !== undefined) {
      fail(owner, 'options.metricsServer', metricsServer, 'is no longer an option: the analysis always runs as MetricTemplates querying the analysis\'s address (Flagger\'s built-in metrics count "no data yet" as a failed check and would roll an idle canary back); remove metricsServer');
    }
    return new FlaggerEngine(options);
  }

  /** Whether the engine owns the tracks' workloads as Deployments `<name>-<v>`. */
  public abstract readonly emitsDeployments: boolean;

  /** How messages and the routing report name this engine, e.g. `DeliveryEngine.argoRollouts()`. */
  public abstract readonly displayName: string;

  /**
   * The rollout controller that moves a release in the cluster, as people name it
   * (`Argo Rollouts`, `Flagger`): it owns the weights and walks the steps.
   * @default - none: git moves the release (plain manifests)
   */
  public abstract readonly controllerName?: string;

  /** @internal */
  public abstract _bindCanary(scope: Construct, plan: CanaryPlan): CanaryObjects;

  /** @internal */
  public abstract _bindBlueGreen(scope: Construct, plan: BlueGreenPlan): BlueGreenObjects;
}

class ManifestsEngine extends DeliveryEngine {
  public readonly emitsDeployments = true;
  public readonly displayName = 'DeliveryEngine.manifests()';
  public readonly controllerName = undefined;
  /** @internal */
  public _bindCanary(scope: Construct, plan: CanaryPlan): CanaryObjects {
    return manifestsCanary(scope, plan);
  }
  /** @internal */
  public _bindBlueGreen(scope: Construct, plan: BlueGreenPlan): BlueGreenObjects {
    return manifestsBlueGreen(scope, plan);
  }
}

class ArgoRolloutsEngine extends DeliveryEngine {
  public readonly emitsDeployments = false;
  public readonly displayName = ARGO_ROLLOUTS;
  public readonly controllerName = 'Argo Rollouts';
  constructor(private readonly options: ArgoRolloutsOptions) {
    super();
  }
  /** @internal */
  public _bindCanary(scope: Construct, plan: CanaryPlan): CanaryObjects {
    return argoCanary(scope, plan, this.options);
  }
  /** @internal */
  public _bindBlueGreen(scope: Construct, plan: BlueGreenPlan): BlueGreenObjects {
    return argoBlueGreen(scope, plan, this.options);
  }
}

class FlaggerEngine extends DeliveryEngine {
  public readonly emitsDeployments = false;
  public readonly displayName = FLAGGER;
  public readonly controllerName = 'Flagger';
  constructor(private readonly options: FlaggerOptions) {
    super();
  }
  /** @internal */
  public _bindCanary(scope: Construct, plan: CanaryPlan): CanaryObjects {
    return flaggerCanary(scope, plan, this.options);
  }
  /** @internal */
  public _bindBlueGreen(scope: Construct, plan: BlueGreenPlan): BlueGreenObjects {
    return flaggerBlueGreen(scope, plan, this.options);
  }
}
