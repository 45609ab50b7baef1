import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { ResolvedSmokeTest, routerHeaders } from '../analysis/smoke-test';
import { fail } from '../private/validation';
import { HeaderMatch } from '../routing/header-match';
import { ResolvedRelease } from './release-plan';

/** Where a smoke test sends its requests, and with which headers. */
export interface SmokeRequests {
  readonly smoke: ResolvedSmokeTest;
  readonly url: string;
  readonly headers: string[];
}

/** The rules that send a request to the canary, for a smoke test through the router. */
export interface CanaryRules {
  readonly header?: HeaderMatch;
  readonly cookie?: string;
}

/**
 * The requests of the release's smoke test: straight to `service` (its port, in the chart's
 * namespace; by `<service>.<namespace>` when `fromOtherNamespace`, e.g. Flagger's load
 * tester), or through the router with the canary's rules.
 */
export function smokeRequests(scope: Construct, release: ResolvedRelease, service: string, rules: CanaryRules, fromOtherNamespace = false): SmokeRequests | undefined {
  const smoke = release.smokeTest;
  if (!smoke) return undefined;
  if (smoke.throughRouter !== undefined) {
    return { smoke, url: smoke.throughRouter, headers: routerHeaders(release.owner, rules) };
  }
  const namespace = Chart.of(scope).namespace;
  if (fromOtherNamespace && namespace === undefined) {
    fail(release.owner, 'smokeTest', 'straight to the Service', `needs the chart's namespace here: the requests come from another namespace and must name ${service}.<namespace>; give the chart a namespace, or set smokeTest.throughRouter`);
  }
  const host = fromOtherNamespace ? `${service}.${namespace}` : service;
  return { smoke, url: `http://${host}:${release.servicePort}`, headers: [] };
}
