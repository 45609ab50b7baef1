import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { HeaderMatch } from './header-match';
import { claimObjectNames } from './object-names';
import { checkObjectName, releaseService, resolveRelease } from './release-base';
import { ReleaseOptions } from './release-options';
import { CanaryTrack, CanaryTraffic, ReleaseTrack } from './release-track';
import { checkTrack, trackDeployment, versionSlug } from './track-deployment';
import { checkCookieName, checkInteger, fail } from './validation';

/** Props of a `CanaryRelease`. */
export interface CanaryReleaseProps extends ReleaseOptions {
  /** The version everyone gets today. */
  readonly stable: ReleaseTrack;

  /**
   * The new version, and which requests reach it.
   * @default - only the stable track runs (before and after a release)
   */
  readonly canary?: CanaryTrack;
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
  /** The stable track's Deployment `<name>-<v>`. */
  public readonly stableDeployment: kplus.Deployment;
  /** The canary track's Deployment `<name>-<v>`, when there is a canary. */
  public readonly canaryDeployment?: kplus.Deployment;
  /** Service `<name>`, the one clients call. */
  public readonly service: kplus.Service;
  /** Service `<name>-canary` over the canary's pods only, when there is a canary. */
  public readonly canaryService?: kplus.Service;

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
    if (canary?.traffic !== undefined && !router.splitsTraffic) {
      fail(owner, 'canary.traffic', canary.traffic, 'needs a router that steers requests (TrafficRouter.nginx(), .istio() or .gatewayApi()): with TrafficRouter.service() requests split by replica ratio only');
    }

    for (const track of canary ? [stable, canary] : [stable]) {
      checkObjectName(release, `${name}-${versionSlug(track.version)}`, 'Deployment');
    }
    if (canary) checkObjectName(release, `${name}-canary`, 'Service');

    this.stableDeployment = trackDeployment(this, release, stable);
    this.canaryDeployment = canary ? trackDeployment(this, release, canary) : undefined;

    // `<name>` selects every track when the router splits by replica ratio or by subset;
    // otherwise only stable, so a client that bypasses the router never lands on the canary.
    const everyTrack = !router.splitsTraffic || router.routesBySubset;
    this.service = releaseService(this, 'Service', release, name, everyTrack ? { app: name } : { app: name, version: stable.version });
    this.canaryService = canary ? releaseService(this, 'CanaryService', release, `${name}-canary`, { app: name, version: canary.version }) : undefined;

    router.bindCanary(this, {
      owner,
      name,
      servicePort: release.servicePort,
      metadata: { labels: { ...release.metadata.labels, app: name }, annotations: release.metadata.annotations },
      service: this.service,
      stable: { version: stable.version, slug: versionSlug(stable.version), deployment: this.stableDeployment },
      canary: canary && this.canaryDeployment ? { version: canary.version, slug: versionSlug(canary.version), deployment: this.canaryDeployment } : undefined,
      canaryService: this.canaryService,
      ...traffic,
    });
    claimObjectNames(owner, this);
  }
}

interface ResolvedTraffic {
  readonly header?: HeaderMatch;
  readonly cookie?: string;
  readonly weight: number;
  readonly weightTotal: number;
}

function resolveTraffic(owner: string, traffic: CanaryTraffic | undefined): ResolvedTraffic {
  if (traffic === undefined) return { weight: 0, weightTotal: 100 };
  if (traffic === null || typeof traffic !== 'object') {
    fail(owner, 'canary.traffic', traffic, 'must be an object: { header?, cookie?, weight?, weightTotal? }');
  }
  if (traffic.header !== undefined && !(traffic.header instanceof HeaderMatch)) {
    fail(owner, 'canary.traffic.header', traffic.header, 'must be a HeaderMatch: HeaderMatch.exact(name, value) or HeaderMatch.regex(name, pattern)');
  }
  if (traffic.cookie !== undefined) checkCookieName(owner, 'canary.traffic.cookie', traffic.cookie);
  const weightTotal = checkInteger(owner, 'canary.traffic.weightTotal', traffic.weightTotal ?? 100, 100, 1_000_000, '100 and 1000000');
  const weight = traffic.weight ?? 0;
  if (typeof weight !== 'number' || !Number.isInteger(weight) || weight < 0 || weight > weightTotal) {
    fail(owner, 'canary.traffic.weight', weight, `must be a whole number between 0 and weightTotal (${weightTotal})`);
  }
  return { header: traffic.header, cookie: traffic.cookie, weight, weightTotal };
}
