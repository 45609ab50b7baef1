import { Duration } from 'cdk8s';

/** A Prometheus duration: `2h`, `90s`, `5m`. */
export function promDuration(d: Duration): string {
  const s = d.toSeconds();
  if (s % 3600 === 0) return `${s / 3600}h`;
  if (s % 60 === 0) return `${s / 60}m`;
  return `${s}s`;
}

/** A PromQL label matcher list, leaving out the namespace when there is none. */
export function promSelector(matchers: Array<[string, string, string | undefined]>): string {
  return `{${matchers.filter(([, , v]) => v !== undefined).map(([k, op, v]) => `${k}${op}${JSON.stringify(v)}`).join(',')}}`;
}
