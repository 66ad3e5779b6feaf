/**
 * Per-test fixtures: a chroot of the run's shared ZooKeeper per test, sessions and
 * other resources cleaned up automatically. Resources made inside a test are released
 * in afterEach; those made in beforeAll are released in afterAll.
 */
import { randomBytes } from 'node:crypto';
import { ZkSession, ZkSessionOptions } from '@kzoo/zk';
import { setCleanupRegistrar, type Cleanup } from '../cleanup';

/** The shared ZooKeeper's `host:port` (set by the jest global setup). */
export function testZkServers(): string {
  const s = process.env.KZOO_TEST_ZK;
  if (!s) {
    throw new Error(
      'KZOO_TEST_ZK is not set: integration tests need the jest global setup of the ' +
        '`integration` project (run them with `npx jest packages/<pkg>`, files named *.int.test.ts)',
    );
  }
  return s;
}

/** A fresh chroot name: `/kzoo-test-<random>`. */
export function testChroot(): string {
  return `/kzoo-test-${randomBytes(6).toString('hex')}`;
}

/** `127.0.0.1:PORT/kzoo-test-<random>`: a connect string isolated to this test. */
export function zkConnectForTest(): string {
  return testZkServers() + testChroot();
}

const perTest: Cleanup[] = [];
const perFile: Cleanup[] = [];
let hooksInstalled = false;

function inTest(): boolean {
  try {
    const state = (
      globalThis as { expect?: { getState(): { currentTestName?: string } } }
    ).expect?.getState();
    return !!state?.currentTestName;
  } catch {
    return false;
  }
}

async function runAll(list: Cleanup[]): Promise<void> {
  const errors: unknown[] = [];
  while (list.length > 0) {
    const fn = list.pop()!;
    try {
      await fn();
    } catch (e) {
      errors.push(e);
    }
  }
  if (errors.length > 0) throw errors[0];
}

function installHooks(): void {
  if (hooksInstalled) return;
  const g = globalThis as {
    afterEach?: (fn: () => Promise<void>, timeout?: number) => void;
    afterAll?: (fn: () => Promise<void>, timeout?: number) => void;
  };
  if (typeof g.afterEach !== 'function' || typeof g.afterAll !== 'function') return;
  hooksInstalled = true;
  g.afterEach(() => runAll(perTest), 60000);
  g.afterAll(() => runAll(perFile), 60000);
}
// Installed at import, at the top level of the test file that imports testkit/jest (or by
// the jest config's setupFilesAfterEnv); broker processes then register their cleanup here.
installHooks();
if (hooksInstalled) setCleanupRegistrar(onCleanup);

/**
 * Registers a cleanup run after the current test (or after all tests of the file when
 * called from beforeAll). Cleanups run last-registered first.
 */
export function onCleanup(fn: Cleanup): void {
  if (!hooksInstalled) {
    throw new Error(
      'onCleanup needs jest (afterEach/afterAll); import @kzoo/testkit/jest from a test file',
    );
  }
  (inTest() ? perTest : perFile).push(fn);
}

/** A ZkSession on this test's own chroot (or `connectString`), closed after the test. */
export async function connectTestSession(
  opts: Partial<ZkSessionOptions> & { connectString?: string } = {},
): Promise<ZkSession> {
  const session = await ZkSession.connect({
    sessionTimeoutMs: 4000,
    connectionTimeoutMs: 10000,
    ...opts,
    connectString: opts.connectString ?? zkConnectForTest(),
  });
  onCleanup(() => session.close());
  return session;
}

/**
 * Ends `session`'s ZooKeeper session from the server side, as a real expiry would: its
 * ephemerals go at once and the session sees `expired` when it next talks to the server
 * (then opens a new session by itself).
 */
export async function expireSession(session: ZkSession): Promise<void> {
  await session.forceExpire();
}
