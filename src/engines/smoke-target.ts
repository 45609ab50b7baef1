import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { ResolvedSmokeTest, smokePodTemplate, smokeScript } from '../analysis/smoke-test';
import { fail } from '../private/validation';
import { HeaderMatch, HeaderMatchType } from '../routing/header-match';
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

/** The request headers that make the router send a request to the canary (through the router only). */
export function routerHeaders(owner: string, url: string, target: CanaryRules | undefined): string[] {
  if (target === undefined) return []; // a blue-green preview host routes every request to the idle color
  if (target.header?.type === HeaderMatchType.EXACT) return [`${target.header.name}: ${target.header.value}`];
  if (target.cookie !== undefined) return [`Cookie: ${target.cookie}=always`];
  if (target.header) {
    fail(owner, 'smokeTest.throughRouter', 'a regex header rule', 'needs an exact header rule or a cookie rule on the canary: the smoke test cannot make up a value for a regular expression');
  }
  return fail(owner, 'smokeTest.throughRouter', url, 'needs an exact header rule or a cookie rule on the canary: through the router a request without one lands by weight (before the first weight, on stable)');
}


/**
 * The requests of the release's smoke test: straight to `service` (its port, in the chart's
 * namespace; by `<service>.<namespace>` when `fromOtherNamespace`, e.g. Flagger's load
 * tester), or through the router with the canary's rules (undefined for a blue-green preview,
 * whose host needs none).
 */
export function smokeRequests(scope: Construct, release: ResolvedRelease, service: string, rules: CanaryRules | undefined, fromOtherNamespace = false): SmokeRequests | undefined {
  const smoke = release.smokeTest;
  if (!smoke) return undefined;
  if (smoke.throughRouter !== undefined) {
    return { smoke, url: smoke.throughRouter, headers: routerHeaders(release.owner, smoke.throughRouter, rules) };
  }
  const namespace = Chart.of(scope).namespace;
  if (fromOtherNamespace && namespace === undefined) {
    fail(release.owner, 'smokeTest', 'straight to the Service', `needs the chart's namespace here: the requests come from another namespace and must name ${service}.<namespace>; give the chart a namespace, or set smokeTest.throughRouter`);
  }
  const host = fromOtherNamespace ? `${service}.${namespace}` : service;
  return { smoke, url: `http://${host}:${release.servicePort}`, headers: [] };
}

/** The pod that sends a smoke test's requests to `version` (a Job's template, or an Argo Job metric's). */
export function smokePod(release: ResolvedRelease, version: string, requests: SmokeRequests): { [key: string]: any } {
  return smokePodTemplate(requests.smoke, release.name, version, smokeScript(requests.smoke, requests.url, requests.headers));
}
