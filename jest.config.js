/** Jest runs TypeScript through @swc/jest; middy 5+ is ESM-only, so node_modules/@middy is transformed too. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.(t|j)s$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!@middy/)'],
  setupFilesAfterEnv: ['<rootDir>/test/setup/loopback-only.ts', '<rootDir>/test/setup/capture-logs.ts'],
  testTimeout: 30000,
};
