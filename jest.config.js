/** Type-checking runs once in `npm test` (tsc --noEmit); jest only transpiles, with swc. */

/**
 * Packages published as ES modules only, which jest (CommonJS) must transpile: the
 * prometheus-operator schemas (`@kubernetes-models/prometheus-operator` and the ESM-only
 * dependencies nested in its node_modules). test/esm-resolver.js resolves their `exports`.
 */
const ESM_ONLY = '@kubernetes-models/prometheus-operator/';

module.exports = {
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript', decorators: true }, target: 'es2020' } }],
    [`/node_modules/${ESM_ONLY}.+\\.js$`]: ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: [`^(?!.*/node_modules/${ESM_ONLY}).*/node_modules/`],
  resolver: '<rootDir>/test/esm-resolver.js',
  moduleFileExtensions: ['ts', 'js', 'json'],
  reporters: ['default', '<rootDir>/test/summary-reporter.js'],
};
