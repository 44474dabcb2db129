/** @type {import('jest').Config} */
const transform = {
  // Type errors are caught by `npm run typecheck` (tsc over src, test and bench), which `npm test`
  // runs first: one tsc pass is cheaper than ts-jest's per-file diagnostics (docs/architecture.md).
  '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
};

module.exports = {
  testTimeout: 120000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      roots: ['<rootDir>/test/unit'],
      testMatch: ['**/*.test.ts'],
      transform,
    },
    {
      // Database and CLI tests: a real PostgreSQL, one template database per run.
      displayName: 'db',
      testEnvironment: 'node',
      roots: ['<rootDir>/test/db', '<rootDir>/test/cli'],
      testMatch: ['**/*.test.ts'],
      transform,
      globalSetup: '<rootDir>/test/helpers/global-setup.ts',
      globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
    },
  ],
};
