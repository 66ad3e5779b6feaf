/**
 * An in-process Broker for the client's integration tests: on the test's own chroot of
 * the run's ZooKeeper, listening on a free port, logs in a temp dir; shut down and
 * removed by the testkit fixture cleanup.
 */
import { randomBytes } from 'node:crypto';
import { Broker } from '@kzoo/broker';
import { Admin } from '@kzoo/client';
import { makeTempDir, removeDir, waitFor } from '@kzoo/testkit';
import { onCleanup, zkConnectForTest } from '@kzoo/testkit/jest';

export interface TestBroker {
  broker: Broker;
  bootstrap: string;
}

export async function startTestBroker(
  extra: Record<string, string | number | boolean> = {},
  zkConnect = zkConnectForTest(),
  logDir?: string,
): Promise<TestBroker> {
  const dir = logDir ?? makeTempDir('kzoo-client-test-');
  const broker = new Broker({
    'broker.id': 1,
    'zookeeper.connect': zkConnect,
    listeners: 'PLAINTEXT://127.0.0.1:0',
    'log.dirs': dir,
    'zookeeper.session.timeout.ms': 6000,
    ...extra,
  });
  onCleanup(async () => {
    await broker.shutdown();
    if (!logDir) removeDir(dir);
  });
  await broker.start();
  const ep = broker.advertisedListeners[0];
  return { broker, bootstrap: `${ep.host}:${ep.port}` };
}

export function randomTopic(prefix = 't'): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

/** Creates a topic and waits until every partition has a leader in the metadata. */
export async function createTopic(
  bootstrap: string,
  topic: string,
  numPartitions = 1,
  configs: Record<string, string> = {},
): Promise<void> {
  const admin = new Admin({ 'bootstrap.servers': bootstrap });
  try {
    await admin.createTopics([{ topic, numPartitions, replicationFactor: 1, configs }]);
    await waitFor(`leaders for ${topic}`, async () => {
      const [d] = await admin.describeTopics([topic]);
      return d.partitions.length === numPartitions && d.partitions.every((p) => p.leader >= 0);
    });
  } finally {
    await admin.close();
  }
}

export interface TestBrokers {
  brokers: Broker[];
  bootstrap: string;
  /** zookeeper.connect of the cluster (with its chroot). */
  zk: string;
}

/** `n` in-process brokers (ids 1..n) on one chroot, once each knows all the others. */
export async function startTestBrokers(
  n: number,
  extra: Record<string, string | number | boolean> = {},
): Promise<TestBrokers> {
  const zk = zkConnectForTest();
  const brokers: Broker[] = [];
  for (let id = 1; id <= n; id++)
    brokers.push((await startTestBroker({ 'broker.id': id, ...extra }, zk)).broker);
  await waitFor(
    'every broker knows every broker',
    () => brokers.every((b) => b.dataPlane.metadataCache.aliveBrokerIds().length === n),
    { timeoutMs: 15000 },
  );
  const ep = (b: Broker) => b.advertisedListeners[0];
  return { brokers, bootstrap: brokers.map((b) => `${ep(b).host}:${ep(b).port}`).join(','), zk };
}
