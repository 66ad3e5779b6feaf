/**
 * Jest global setup for the `integration` project: one standalone ZooKeeper for the
 * whole run; its connect string goes to the workers as KZOO_TEST_ZK. Each test then
 * isolates itself under its own chroot (see `zkConnectForTest()`).
 */
import { startZooKeeper, ZooKeeperHandle } from '../zookeeper';

export const TEST_ZK_ENV = 'KZOO_TEST_ZK';

export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const zk = await startZooKeeper({ nodes: 1, tickTimeMs: 500 });
  (globalThis as { __KZOO_TEST_ZK__?: ZooKeeperHandle }).__KZOO_TEST_ZK__ = zk;
  process.env[TEST_ZK_ENV] = zk.connectString;
  if (process.env.KZOO_TEST_VERBOSE) {
    process.stderr.write(
      `\n[kzoo] test ZooKeeper at ${zk.connectString} (${Date.now() - started} ms)\n`,
    );
  }
}
