// @kzoo/testkit/node-test: helpers for node's built-in test runner (node:test) around the
// runner-neutral startCluster(): useCluster() (before/after), topicName().
import { randomBytes } from 'node:crypto';
import { after, before } from 'node:test';
import { startCluster, type KzooCluster, type StartClusterOptions } from '../cluster';

/**
 * Starts a cluster in `before` and stops it in `after` (of the file, or of the enclosing
 * `describe`); `.current` is the cluster. Without KZOO_TEST_ZK, each file gets a
 * ZooKeeper of its own; to share one across files, start one (`kzoo zk start`) and set
 * KZOO_TEST_ZK=host:port.
 */
export function useCluster(opts: StartClusterOptions = {}): { readonly current: KzooCluster } {
  let cluster: KzooCluster | null = null;
  before(async () => {
    cluster = await startCluster(opts);
  });
  after(async () => {
    await cluster?.stop();
  });
  return {
    get current(): KzooCluster {
      if (!cluster) throw new Error('the cluster starts in before(): use it inside a test or hook');
      return cluster;
    },
  };
}

/** A fresh topic name: `prefix` (default `topic`) plus a random suffix. */
export function topicName(prefix = 'topic'): string {
  return `${prefix.replace(/[^a-zA-Z0-9._-]+/g, '-')}-${randomBytes(4).toString('hex')}`;
}
