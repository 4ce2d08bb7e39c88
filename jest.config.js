// Two projects: `unit` runs pure code with no servers; `integration` shares one
// Temporal dev server and one MongoDB-wire server per run (started in global setup).
const transform = { '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022' } }] };

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 120_000,
  // Every test file gets a fresh process, so one file's process-wide state (the
  // Temporal SDK's native runtime, a time-skipping server, a stopped stack) never
  // reaches the next. Two workers also keep Jest from running in band on two cores.
  maxWorkers: 2,
  workerIdleMemoryLimit: '1MB',
  projects: [
    { displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'], transform, testEnvironment: 'node' },
    {
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts', '<rootDir>/test/replay/**/*.test.ts', '<rootDir>/test/e2e/**/*.test.ts'],
      transform,
      testEnvironment: 'node',
      globalSetup: '<rootDir>/test/setup/global-setup.ts',
      globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
    },
  ],
};
