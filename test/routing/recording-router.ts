import { Construct } from 'constructs';
import { ReleaseRoutes, TrafficRouter } from '../../src';

/**
 * A router of one's own that implements TrafficRouter only (no engine's contract) and keeps
 * the routes it was given, for the tests to read.
 */
export class RecordingRouter extends TrafficRouter {
  public readonly splitsTraffic = true;
  public readonly routesBySubset = false;
  public readonly servesHosts = true;
  public routes?: ReleaseRoutes;

  constructor(public readonly displayName = 'RecordingRouter') {
    super();
  }

  public bind(_scope: Construct, routes: ReleaseRoutes): void {
    this.routes = routes;
  }
}
