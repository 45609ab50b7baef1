/**
 * The cluster tests (`npm run test:cluster`): against the cluster of `npm run cluster:up`, one
 * file after another (they share the cluster and the fake Prometheus), with long timeouts.
 * Type-checking runs in `npm test` (tsc --noEmit covers test/cluster/ too).
 */
const base = require('../../jest.config.js');

module.exports = {
  ...base,
  rootDir: '../..',
  testMatch: ['<rootDir>/test/cluster/**/*.cluster.ts'],
  maxWorkers: 1,
  // test.concurrent tests of one file (each in its own namespace) run this many at a time.
  maxConcurrency: 4,
  testTimeout: 300_000,
};
