/** Type-checking runs once in `npm test` (tsc --noEmit); jest only transpiles, with swc. */
module.exports = {
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript', decorators: true }, target: 'es2020' } }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
};
