/**
 * A bad canary weight is an error when the release is constructed (`node --test
 * bad-weight-test.js`). The Python, Java and Go apps assert the same message in their own test
 * frameworks.
 */
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { App, Chart } from 'cdk8s';
import { CanaryRelease, TrafficRouter } from 'cdk8s-progressive-delivery';

for (const weight of [101, -1]) {
  test(`a canary weight of ${weight} throws`, () => {
    const chart = new Chart(new App(), 'bad-weight');
    assert.throws(() => new CanaryRelease(chart, 'myapp', {
      containerPort: 80,
      router: TrafficRouter.nginx({ host: 'myapp.example.com' }),
      stable: { version: 'v1', image: 'myapp:v1' },
      canary: { version: 'v2', image: 'myapp:v2', traffic: { weight } },
    }), {
      name: 'Error',
      message: `CanaryRelease 'myapp': canary.traffic.weight (${weight}) must be a whole number between 0 and weightTotal (100)`,
    });
  });
}
