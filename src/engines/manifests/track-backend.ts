import { RouteBackend, TrackRole } from '../../routing/routing-model';
import { ReleaseTrack, versionSlug } from '../../workload/release-track';

/** A track as plain manifests' routes reach it: its Service, its subset `<v>`, its version label. */
export function trackBackend(role: TrackRole, serviceName: string, track: ReleaseTrack): RouteBackend {
  return { role, serviceName, subsetName: versionSlug(track.version), podLabels: { version: track.version } };
}
