/** Type-checking runs once in `npm test` (tsc --noEmit); jest only transpiles, with swc. */

module.exports = {
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript', decorators: true }, target: 'es2020' } }],
  },
  // The examples import the library by its package name, as a user's app does; tsconfig.json
  // maps the name to src/ for tsc (`paths`) and for @swc-node/register (`npm run synth`).
  moduleNameMapper: { '^cdk8s-progressive-delivery$': '<rootDir>/src/index.ts' },
  moduleFileExtensions: ['ts', 'js', 'json'],
  reporters: ['default', '<rootDir>/test/summary-reporter.js'],
};
