import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { CanaryStep } from '../engines/canary-step';
import { resolvePlan } from '../engines/release-plan';
import { checkObjectName, claimObjectNames } from '../private/object-names';
import { checkCookieName, checkInteger, fail } from '../private/validation';
import { HeaderMatch } from '../routing/header-match';
import { TrackRole } from '../routing/routing-model';
import type { TrafficRouter } from '../routing/traffic-router';
import { checkRequests, refuseReplicas } from '../workload/autoscaling';
import { AppProtocol } from '../workload/app-protocol';
import { trackContainerOpts } from '../workload/container-opts';
import { checkConfigMountPath, checkTrackConfig } from '../workload/track-config';
import { ReleaseTrack, checkTrack, versionSlug } from '../workload/release-track';
import { CanaryTrack, CanaryTraffic } from './canary-track';
import { ReleaseOptions } from './release-options';
import { ReleaseRouting, TrackVersion, releaseRouting } from './release-routing';
import { resolveRelease } from './resolve-release';

/** Props of a `CanaryRelease`. */
export interface CanaryReleaseProps extends ReleaseOptions {
  /** The version everyone gets today. */
  readonly stable: ReleaseTrack;

  /**
   * The new version, and which requests reach it.
   * @default - only the stable track runs (before and after a release)
   */
  readonly canary?: CanaryTrack;

  /**
   * The plan a canary walks through, e.g. 5% for 2 hours, 50% for 4 hours, then everyone. It
   * stays across releases; each canary says how far it has got with `step` (plain manifests),
   * or a rollout controller walks it.
   * @default - no plan: the canary's weight is `traffic.weight`
   */
  readonly steps?: CanaryStep[];
}

/**
 * A canary release: a stable and an optional canary Deployment, the Services `<name>` and
 * `<name>-canary`, and the routing objects of the chosen `TrafficRouter` that send each request
 * to the canary by header, then cookie, then weight.
 *
 * Promotion is an edit: `stable` becomes the canary's version and `canary` goes away. The
 * `<name>-<v>` Deployment keeps its name, selector and pod template.
 */
export class CanaryRelease extends Construct {
  /** The app name: every object is named after it. */
  public readonly name: string;
  /** The canary track's Deployment `<name>-<v>`, when there is a canary (plain manifests). */
  public readonly canaryDeployment?: kplus.Deployment;

  /** Service `<name>-canary` over the canary's pods only, when there is a canary (always with a rollout controller). */
  public readonly canaryService?: kplus.Service;
  /** The Argo Rollouts `Rollout` `<name>` that replaces the Deployments, with DeliveryEngine.argoRollouts(). */
  public readonly rollout?: ApiObject;
  /**
   * With DeliveryEngine.flagger(): the one Deployment `<name>` that runs the newest version,
   * which Flagger copies into `<name>-primary` and analyses.
   */
  public readonly targetDeployment?: kplus.Deployment;
  /**
   * The release's routing as synthesized: its routes in the order a request tries their rules,
   * the version behind each track, who owns the weights, and the plan with the step reached.
   * What `RoutingReport` writes; reading it changes no object.
   */
  public readonly routing: ReleaseRouting;
  private readonly _stableDeployment?: kplus.Deployment;
  private readonly _service?: kplus.Service;

  /**
   * Service `<name>`, the one clients call. Throws with DeliveryEngine.flagger(), which
   * generates its Services itself.
   */
  public get service(): kplus.Service {
    if (!this._service) {
      throw new Error(`CanaryRelease '${this.node.id}': service is not emitted with this engine: Flagger generates the Services <name>, <name>-canary and <name>-primary`);
    }
    return this._service;
  }

  /**
   * The stable track's Deployment `<name>-<v>`. Throws with an engine that emits no Deployments
   * (a rollout controller runs the tracks: see `rollout`).
   */
  public get stableDeployment(): kplus.Deployment {
    if (!this._stableDeployment) {
      throw new Error(`CanaryRelease '${this.node.id}': stableDeployment does not exist with this engine: the rollout controller runs the tracks (see rollout)`);
    }
    return this._stableDeployment;
  }

  constructor(scope: Construct, id: string, props: CanaryReleaseProps) {
    super(scope, id);
    const owner = `CanaryRelease '${id}'`;
    const release = resolveRelease(owner, id, props);
    const { name, router } = release;
    this.name = name;

    const stable = checkTrack(owner, 'stable', props.stable);
    const canary = props.canary === undefined ? undefined : checkTrack(owner, 'canary', props.canary) as CanaryTrack;
    if (canary) {
      if (canary.version === stable.version) {
        fail(owner, 'canary.version', canary.version, 'must differ from stable.version');
      }
      if (versionSlug(canary.version) === versionSlug(stable.version)) {
        fail(owner, 'canary.version', canary.version, `must not name the same Deployment as stable.version (${JSON.stringify(stable.version)}): both become "${name}-${versionSlug(stable.version)}"`);
      }
    }
    const traffic = resolveTraffic(owner, canary?.traffic);
    if (traffic.sticky && release.appProtocol === AppProtocol.GRPC) {
      fail(owner, 'canary.traffic.sticky', true, 'is not allowed with appProtocol AppProtocol.GRPC: a sticky canary keeps its users with a cookie its responses set, and gRPC clients do not keep cookies');
    }
    if (traffic.sticky && traffic.cookie === `${name}-canary`) {
      fail(owner, 'canary.traffic.cookie', traffic.cookie, `must differ from "${name}-canary" with sticky: that is the cookie a sticky canary sets for the users it keeps`);
    }
    if (canary?.traffic !== undefined && !router.splitsTraffic) {
      fail(owner, 'canary.traffic', canary.traffic, `needs a router that steers requests (TrafficRouter.nginx(), .istio() or .gatewayApi()): ${unsteered(router)}`);
    }

    const steps = props.steps ?? [];
    // Without a canary there is no traffic.weightTotal: the plan waits for the next canary's,
    // and only its order (and the 1,000,000 ceiling) can be checked now.
    const stepWeights = resolvePlan(owner, props.steps, canary ? traffic.weightTotal : 1_000_000);
    if (canary?.step !== undefined) {
      if (canary.traffic?.weight !== undefined) {
        fail(owner, 'canary.step', canary.step, `cannot be set with canary.traffic.weight (${canary.traffic.weight}): the step's plan sets the weight`);
      }
      if (props.steps === undefined) {
        fail(owner, 'canary.step', canary.step, 'needs steps: it is a position in the release\'s plan');
      }
      checkInteger(owner, 'canary.step', canary.step, 0, steps.length - 1, `0 and ${steps.length - 1} (an index into steps)`);
      if (!router.splitsTraffic) {
        fail(owner, 'canary.step', canary.step, `needs a router that steers requests (TrafficRouter.nginx(), .istio() or .gatewayApi()): ${unsteered(router)}`);
      }
    }
    if (release.autoscaling && stable.replicas !== undefined) refuseReplicas(owner, 'stable', stable.replicas);
    for (const [prop, track] of canary ? [['stable', stable], ['canary', canary]] as const : [['stable', stable]] as const) {
      const opts = trackContainerOpts(owner, release.container, track);
      if (release.autoscaling) checkRequests(owner, release.autoscaling, prop, track.version, opts);
      checkTrackConfig(release, prop, track);
    }
    checkConfigMountPath(release, canary ? [stable, canary] : [stable]);
    if (release.smokeTest && canary?.replicas === 0) {
      fail(owner, 'canary.replicas', 0, 'must be at least 1 with smokeTest: the smoke test calls the canary\'s pods before its first weight, and a version with no pods answers with 503');
    }

    if (release.engine.emitsDeployments) {
      for (const track of canary ? [stable, canary] : [stable]) {
        checkObjectName(release, `${name}-${versionSlug(track.version)}`, 'Deployment');
      }
    }
    if (canary || !release.engine.emitsDeployments) checkObjectName(release, `${name}-canary`, 'Service');

    const objects = release.engine._bindCanary(this, {
      release,
      stable,
      canary,
      header: traffic.header,
      cookie: traffic.cookie,
      sticky: traffic.sticky,
      weight: traffic.weight,
      step: canary?.step,
      weightTotal: traffic.weightTotal,
      mirror: traffic.mirror,
      steps,
      stepWeights,
      analysis: release.analysis,
    });
    this._stableDeployment = objects.stableDeployment;
    this.canaryDeployment = objects.canaryDeployment;
    this._service = objects.service;
    this.targetDeployment = objects.deployment;
    this.canaryService = objects.canaryService;
    this.rollout = objects.rollout;
    const versions: TrackVersion[] = [{ role: TrackRole.STABLE, version: stable.version }];
    if (canary) versions.push({ role: TrackRole.CANARY, version: canary.version });
    this.routing = releaseRouting(this, release, objects.routes, {
      versions,
      ...props.steps !== undefined ? { steps, stepWeights } : {},
      step: canary?.step,
    });
    claimObjectNames(owner, this, objects.generated, objects.generatedBy);
  }
}

/** Why a router that does not split traffic cannot take a canary's rules, in its own terms. */
function unsteered(router: TrafficRouter): string {
  return router.displayName === 'TrafficRouter.service()'
    ? 'with TrafficRouter.service() requests split by replica ratio only'
    : `${router.displayName} does not steer requests (its splitsTraffic is false)`;
}

interface ResolvedTraffic {
  readonly header?: HeaderMatch;
  readonly cookie?: string;
  readonly sticky?: boolean;
  /** As given: undefined when the user left it out. */
  readonly weight?: number;
  readonly weightTotal: number;
  /** The percentage of the weighted rule's requests copied to the canary. */
  readonly mirror?: number;
}

function resolveTraffic(owner: string, traffic: CanaryTraffic | undefined): ResolvedTraffic {
  if (traffic === undefined) return { weightTotal: 100 };
  if (traffic === null || typeof traffic !== 'object') {
    fail(owner, 'canary.traffic', traffic, 'must be an object: { header?, cookie?, weight?, weightTotal?, sticky?, mirror? }');
  }
  if (traffic.header !== undefined && !(traffic.header instanceof HeaderMatch)) {
    fail(owner, 'canary.traffic.header', traffic.header, 'must be a HeaderMatch: HeaderMatch.exact(name, value) or HeaderMatch.regex(name, pattern)');
  }
  if (traffic.cookie !== undefined) checkCookieName(owner, 'canary.traffic.cookie', traffic.cookie);
  const weightTotal = checkInteger(owner, 'canary.traffic.weightTotal', traffic.weightTotal ?? 100, 100, 1_000_000, '100 and 1000000');
  const weight = traffic.weight;
  if (weight !== undefined && (typeof weight !== 'number' || !Number.isInteger(weight) || weight < 0 || weight > weightTotal)) {
    fail(owner, 'canary.traffic.weight', weight, `must be a whole number between 0 and weightTotal (${weightTotal})`);
  }
  if (traffic.sticky !== undefined && typeof traffic.sticky !== 'boolean') {
    fail(owner, 'canary.traffic.sticky', traffic.sticky, 'must be true or false');
  }
  const mirror = traffic.mirror;
  if (mirror !== undefined) {
    checkInteger(owner, 'canary.traffic.mirror', mirror, 1, 100, '1 and 100 (the percentage of the weighted rule\'s requests copied to the canary; leave it out to copy none)');
    if (weight !== undefined && weight > 0) {
      fail(owner, 'canary.traffic.mirror', mirror, `cannot be set with canary.traffic.weight (${weight}) above 0: a mirror copies every request of the weighted rule, `
        + 'so the canary would also get copies of the requests it already serves; mirror first at weight 0, then shift the weight without mirror in a later change');
    }
  }
  return { header: traffic.header, cookie: traffic.cookie, sticky: traffic.sticky || undefined, weight, weightTotal, mirror };
}
