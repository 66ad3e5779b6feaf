/** Jest global teardown: stops the run's ZooKeeper and removes its temp dir. */
import type { ZooKeeperHandle } from '../zookeeper';

export default async function globalTeardown(): Promise<void> {
  const g = globalThis as { __KZOO_TEST_ZK__?: ZooKeeperHandle };
  const zk = g.__KZOO_TEST_ZK__;
  g.__KZOO_TEST_ZK__ = undefined;
  if (zk) await zk.stop();
}
