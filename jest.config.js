// Two projects: unit tests beside the code (no network, no ZooKeeper) and
// integration tests under packages/*/test that share one real ZooKeeper server,
// started by the global setup, each test under its own chroot.
// ts-jest in transpile-only mode: fast, no type-check here (`npm run typecheck` does that).
const transform = {
  '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json' }],
};
const moduleNameMapper = {
  '^@kzoo/testkit/(jest|node-test)$': '<rootDir>/packages/testkit/src/$1/index.ts',
  '^@kzoo/([a-z]+)$': '<rootDir>/packages/$1/src/index.ts',
};

// Two workers even on two cores: integration tests mostly wait (on ZooKeeper sessions,
// broker processes, timeouts), so a second file in parallel halves the wall time
// (728 s -> 388 s for the whole suite on the 2-core development machine).
const os = require('node:os');

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      moduleNameMapper,
      testMatch: ['<rootDir>/packages/*/src/**/*.test.ts'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform,
      moduleNameMapper,
      testMatch: ['<rootDir>/packages/*/test/**/*.int.test.ts'],
      globalSetup: '<rootDir>/packages/testkit/src/jest/global-setup.ts',
      globalTeardown: '<rootDir>/packages/testkit/src/jest/global-teardown.ts',
      // The fixtures' after-each/after-all hooks in every integration test file, so broker
      // processes a test starts are stopped even if the file imports only @kzoo/testkit.
      setupFilesAfterEnv: ['<rootDir>/packages/testkit/src/jest/fixtures.ts'],
      slowTestThreshold: 30,
    },
  ],
  maxWorkers: Math.max(2, os.availableParallelism() - 1),
  // A ceiling for a test that hangs, not a speed goal: integration tests start JVMs and
  // broker processes, which take several times longer at load 15-20 on 2 cores.
  testTimeout: 180000,
  reporters: ['default', '<rootDir>/scripts/jest-summary-reporter.js'],
};
