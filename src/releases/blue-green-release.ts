import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { checkObjectName, claimObjectNames } from '../private/object-names';
import { checkHost, fail } from '../private/validation';
import { TrackRole } from '../routing/routing-model';
import { checkRequests, refuseReplicas } from '../workload/autoscaling';
import { trackContainerOpts } from '../workload/container-opts';
import { checkConfigMountPath, checkTrackConfig } from '../workload/track-config';
import { ReleaseTrack, checkTrack, versionSlug } from '../workload/release-track';
import { BlueGreenColor } from './blue-green-color';
import { ReleaseOptions } from './release-options';
import { ReleaseRouting, TrackVersion, releaseRouting } from './release-routing';
import { resolveRelease } from './resolve-release';

export { BlueGreenColor } from './blue-green-color';

/** Props of a `BlueGreenRelease`. */
export interface BlueGreenReleaseProps extends ReleaseOptions {
  /**
   * The blue track.
   * @default - no blue track (it may be absent while idle, e.g. after cut-over)
   */
  readonly blue?: ReleaseTrack;

  /**
   * The green track.
   * @default - no green track (it may be absent while idle, e.g. after cut-over)
   */
  readonly green?: ReleaseTrack;

  /** Which color the Service `<name>` selects and every route sends traffic to. */
  readonly active: BlueGreenColor;

  /**
   * Whether to emit a Service `<name>-preview` over the idle color (when there is one).
   * @default true
   */
  readonly preview?: boolean;

  /**
   * Expose the preview at this host, through the router (needs a router that serves hosts,
   * not `TrafficRouter.service()`, and an idle color to preview).
   * @default - the preview is reachable inside the cluster only
   */
  readonly previewHost?: string;
}

/**
 * A blue-green release: a Deployment per present color, the Service `<name>` over the active
 * color, a Service `<name>-preview` over the idle one, and the router's objects.
 *
 * Cut-over is `active: BlueGreenColor.GREEN`: only selectors and routes change.
 */
export class BlueGreenRelease extends Construct {
  /** The app name: every object is named after it. */
  public readonly name: string;
  /** The blue track's Deployment `<name>-<v>`, when blue is present. */
  public readonly blueDeployment?: kplus.Deployment;
  /** The green track's Deployment `<name>-<v>`, when green is present. */
  public readonly greenDeployment?: kplus.Deployment;
  /**
   * With DeliveryEngine.flagger(): the one Deployment `<name>` that runs the newest color,
   * which Flagger copies into `<name>-primary`.
   */
  public readonly targetDeployment?: kplus.Deployment;
  private readonly _activeService?: kplus.Service;

  /**
   * Service `<name>` over the active color: the one clients call. Throws with
   * DeliveryEngine.flagger(), which generates its Services itself.
   */
  public get activeService(): kplus.Service {
    if (!this._activeService) {
      throw new Error(`BlueGreenRelease '${this.node.id}': activeService is not emitted with this engine: Flagger generates the Services <name>, <name>-canary and <name>-primary`);
    }
    return this._activeService;
  }
  /** Service `<name>-preview` over the idle color, when there is one and `preview` is on. */
  public readonly previewService?: kplus.Service;
  /** The Argo Rollouts `Rollout` `<name>` that replaces the Deployments, with DeliveryEngine.argoRollouts(). */
  public readonly rollout?: ApiObject;
  /**
   * The release's routing as synthesized: its routes, the version behind each color, the active
   * color and who switches it. What `RoutingReport` writes; reading it changes no object.
   */
  public readonly routing: ReleaseRouting;

  constructor(scope: Construct, id: string, props: BlueGreenReleaseProps) {
    super(scope, id);
    const owner = `BlueGreenRelease '${id}'`;
    const release = resolveRelease(owner, id, props);
    const { name, router } = release;
    this.name = name;

    const colors = Object.values(BlueGreenColor) as string[];
    if (!colors.includes(props.active)) {
      fail(owner, 'active', props.active, 'must be BlueGreenColor.BLUE or BlueGreenColor.GREEN');
    }
    const blue = props.blue === undefined ? undefined : checkTrack(owner, 'blue', props.blue);
    const green = props.green === undefined ? undefined : checkTrack(owner, 'green', props.green);
    const active = props.active === BlueGreenColor.BLUE ? blue : green;
    const idle = props.active === BlueGreenColor.BLUE ? green : blue;
    const idleColor = props.active === BlueGreenColor.BLUE ? 'green' : 'blue';
    if (!active) {
      fail(owner, 'active', props.active, `names an absent color: give ${props.active} a track, or make the present color active`);
    }
    if (blue && green && versionSlug(blue.version) === versionSlug(green.version)) {
      fail(owner, 'green.version', green.version, `must differ from blue.version (${JSON.stringify(blue.version)}): both would be the Deployment "${name}-${versionSlug(blue.version)}"`);
    }
    if (props.preview !== undefined && typeof props.preview !== 'boolean') {
      fail(owner, 'preview', props.preview, 'must be true or false');
    }
    const preview = props.preview ?? true;
    if (props.smokeTest !== undefined && !preview) {
      fail(owner, 'smokeTest', props.smokeTest, 'needs the preview Service: the smoke test calls the idle color through <name>-preview (or through the router at its preview host); set preview to true');
    }
    if (props.previewHost !== undefined) {
      checkHost(owner, 'previewHost', props.previewHost);
      if (!router.servesHosts) {
        fail(owner, 'previewHost', props.previewHost, `needs a router that serves hosts (TrafficRouter.nginx(), .istio() or .gatewayApi()), not ${router.displayName}`);
      }
      if (!preview) {
        fail(owner, 'previewHost', props.previewHost, 'needs the preview Service: remove previewHost or set preview to true');
      }
      if (!idle) {
        fail(owner, 'previewHost', props.previewHost, `has nothing to preview: the idle color (${idleColor}) is absent; remove previewHost or give ${idleColor} a track`);
      }
    }

    for (const [prop, track] of [['blue', blue], ['green', green]] as const) {
      if (!track) continue;
      if (release.autoscaling && track.replicas !== undefined) refuseReplicas(owner, prop, track.replicas);
      const opts = trackContainerOpts(owner, release.container, track);
      if (release.autoscaling) checkRequests(owner, release.autoscaling, prop, track.version, opts);
      checkTrackConfig(release, prop, track);
    }
    checkConfigMountPath(release, [blue, green].filter((t): t is ReleaseTrack => t !== undefined));

    if (release.engine.emitsDeployments) {
      for (const track of [blue, green]) {
        if (track) checkObjectName(release, `${name}-${versionSlug(track.version)}`, 'Deployment');
      }
    }
    if (preview && (idle || !release.engine.emitsDeployments)) checkObjectName(release, `${name}-preview`, 'Service');

    const objects = release.engine._bindBlueGreen(this, {
      release,
      blue,
      green,
      activeIsBlue: props.active === BlueGreenColor.BLUE,
      active,
      idle,
      preview,
      previewHost: props.previewHost,
      analysis: release.analysis,
    });
    this.blueDeployment = objects.blueDeployment;
    this.greenDeployment = objects.greenDeployment;
    this._activeService = objects.activeService;
    this.targetDeployment = objects.deployment;
    this.previewService = objects.previewService;
    this.rollout = objects.rollout;
    const versions: TrackVersion[] = [{ role: TrackRole.ACTIVE, version: active.version }];
    if (idle) versions.push({ role: TrackRole.PREVIEW, version: idle.version });
    this.routing = releaseRouting(this, release, objects.routes, { versions, activeColor: props.active });
    claimObjectNames(owner, this, objects.generated, objects.generatedBy);
  }
}
