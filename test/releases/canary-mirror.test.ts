/** canary.traffic.mirror: a whole percentage from 1 to 100 of the weighted rule's requests, only at weight 0. */
import { Testing } from 'cdk8s';
import { CanaryRelease, TrafficRouter } from '../../src';

function mirror(value: unknown, weight?: number): void {
  new CanaryRelease(Testing.chart(), 'myapp', {
    containerPort: 80,
    stable: { version: 'v1', image: 'myapp:v1' },
    canary: { version: 'v2', image: 'myapp:v2', traffic: { mirror: value as number, weight } },
    router: TrafficRouter.istio(),
  });
}

const RANGE = "must be a whole number between 1 and 100 (the percentage of the weighted rule's requests copied to the canary; leave it out to copy none)";

test.each([
  ['0', 0, `canary.traffic.mirror (0) ${RANGE}`],
  ['a fraction', 12.5, `canary.traffic.mirror (12.5) ${RANGE}`],
  ['above 100', 101, `canary.traffic.mirror (101) ${RANGE}`],
  ['negative', -5, `canary.traffic.mirror (-5) ${RANGE}`],
  ['a string', '10', `canary.traffic.mirror ("10") ${RANGE}`],
  ['NaN', NaN, `canary.traffic.mirror (NaN) ${RANGE}`],
])('throws when mirror is %s', (_label, value, message) => {
  expect(() => mirror(value)).toThrow(`CanaryRelease 'myapp': ${message}`);
});

test('throws when mirror is set with a weight above 0', () => {
  expect(() => mirror(10, 5)).toThrow("CanaryRelease 'myapp': canary.traffic.mirror (10) cannot be set with canary.traffic.weight (5) above 0: a mirror copies every request of the weighted rule, "
    + 'so the canary would also get copies of the requests it already serves; mirror first at weight 0, then shift the weight without mirror in a later change');
});

test.each([1, 100])('accepts mirror %d, with weight 0', (value) => {
  expect(() => mirror(value, 0)).not.toThrow();
});
