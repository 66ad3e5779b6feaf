// @kzoo/testkit/jest: jest helpers around the runner-neutral startCluster().
//   global-setup.ts / global-teardown.ts (one ZooKeeper per run, shared through KZOO_TEST_ZK),
//   fixtures.ts (a chroot per test, onCleanup: after-each/after-all hooks), TestCluster.ts
//   (kzoo's own tests: broker processes on one chroot), this file: useCluster()
//   (beforeAll/afterAll), topicName() (a fresh name per test)
import { randomBytes } from 'node:crypto';
import { startCluster, type KzooCluster, type StartClusterOptions } from '../cluster';
import * as fixtures from './fixtures';
import * as testCluster from './TestCluster';
export { default as globalSetup } from './global-setup';
export { default as globalTeardown } from './global-teardown';

interface JestGlobals {
  beforeAll(fn: () => Promise<void>, timeout?: number): void;
  afterAll(fn: () => Promise<void>, timeout?: number): void;
  expect?: { getState(): { currentTestName?: string } };
}

function jestGlobals(): JestGlobals {
  const g = globalThis as unknown as Partial<JestGlobals>;
  if (typeof g.beforeAll !== 'function' || typeof g.afterAll !== 'function') {
    throw new Error('@kzoo/testkit/jest needs jest globals: call it at the top of a test file');
  }
  return g as JestGlobals;
}

/**
 * Starts a cluster in beforeAll and stops it in afterAll; `.current` is the cluster
 * (inside tests and hooks that run after beforeAll).
 */
export function useCluster(opts: StartClusterOptions = {}): { readonly current: KzooCluster } {
  const g = jestGlobals();
  let cluster: KzooCluster | null = null;
  g.beforeAll(
    async () => {
      cluster = await startCluster(opts);
    },
    (opts.startTimeoutMs ?? 30000) + 10000,
  );
  g.afterAll(async () => {
    await cluster?.stop();
  }, 60000);
  return {
    get current(): KzooCluster {
      if (!cluster)
        throw new Error('the cluster starts in beforeAll: use it inside a test or hook');
      return cluster;
    },
  };
}

/**
 * A topic name unique to this test: the test's name, made a legal topic name and
 * shortened, plus a random suffix (`prefix` instead of the test name when given).
 */
export function topicName(prefix?: string): string {
  let base = prefix;
  if (base === undefined) {
    try {
      base = (globalThis as unknown as JestGlobals).expect?.getState().currentTestName ?? 'topic';
    } catch {
      base = 'topic';
    }
  }
  const legal = base
    .replace(/[^a-zA-Z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return `${legal || 'topic'}-${randomBytes(4).toString('hex')}`;
}

export import testZkServers = fixtures.testZkServers;
export import testChroot = fixtures.testChroot;
export import zkConnectForTest = fixtures.zkConnectForTest;
export import onCleanup = fixtures.onCleanup;
export import connectTestSession = fixtures.connectTestSession;
export import expireSession = fixtures.expireSession;

export type { ControllerInfo, TestClusterOptions } from './TestCluster';
export import TestCluster = testCluster.TestCluster;
