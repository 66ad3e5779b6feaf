/**
 * In-process cluster fixture for the broker's integration tests: N `Broker` objects
 * on a fresh ZooKeeper chroot, port 0 listeners (the registered endpoint carries the
 * bound port), temp log dirs; everything is shut down and removed after the test.
 */
import { Broker, KafkaConfig } from '@kzoo/broker';
import {
  ApiKeys,
  Connection,
  type CreateTopicsResponse,
  type MetadataResponse,
} from '@kzoo/protocol';
import { makeTempDir, removeDir, waitFor } from '@kzoo/testkit';
import { onCleanup, zkConnectForTest } from '@kzoo/testkit/jest';
import { buildRecordBatch, type RecordInput } from '@kzoo/records';

export interface TestCluster {
  zk: string;
  brokers: Broker[];
  dirs: string[];
  /** A Connection to broker `id` (closed after the test). */
  connect(id?: number): Promise<Connection>;
  /** (Re)starts broker `id` with its old log dir. */
  startBroker(id: number): Promise<Broker>;
  broker(id: number): Broker;
}

export async function startCluster(
  n: number,
  extra: Record<string, string> = {},
): Promise<TestCluster> {
  const zk = zkConnectForTest();
  const dirs: string[] = [];
  const brokers: Broker[] = [];
  for (let i = 0; i < n; i++) {
    const dir = makeTempDir(`kzoo-broker-${i + 1}-`);
    onCleanup(() => removeDir(dir));
    dirs.push(dir);
  }
  const startBroker = async (id: number): Promise<Broker> => {
    const b = new Broker(
      new KafkaConfig({
        'broker.id': String(id),
        listeners: 'PLAINTEXT://127.0.0.1:0',
        'log.dirs': dirs[id - 1],
        'zookeeper.connect': zk,
        'zookeeper.session.timeout.ms': '4000',
        'controlled.shutdown.retry.backoff.ms': '200',
        ...extra,
      }),
    );
    onCleanup(() => b.shutdown());
    await b.start();
    brokers[id - 1] = b;
    return b;
  };
  for (let i = 1; i <= n; i++) await startBroker(i);
  const cluster: TestCluster = {
    zk,
    brokers,
    dirs,
    startBroker,
    broker: (id) => brokers[id - 1],
    async connect(id = 1) {
      const b = brokers[id - 1];
      const c = await Connection.connect({
        host: '127.0.0.1',
        port: b.dataPlane.socketServer.port,
      });
      onCleanup(() => c.close());
      return c;
    },
  };
  // Every broker knows every broker (the controller's UpdateMetadata arrived).
  await waitFor(
    'all brokers in every metadata cache',
    () => brokers.every((b) => b.dataPlane.metadataCache.aliveBrokerIds().length === n),
    { timeoutMs: 15000 },
  );
  return cluster;
}

/** Random topic names: defined with the raw-protocol helpers. */
export { randomTopic } from './raw';

export async function createTopic(
  conn: Connection,
  name: string,
  numPartitions: number,
  replicationFactor = 1,
  configs: Record<string, string> = {},
): Promise<CreateTopicsResponse> {
  return conn.request(ApiKeys.CreateTopics, 0, {
    topics: [
      {
        name,
        numPartitions,
        replicationFactor,
        assignments: [],
        configs: Object.entries(configs).map(([k, v]) => ({ name: k, value: v })),
      },
    ],
    timeoutMs: 15000,
    validateOnly: false,
  });
}

export async function metadata(
  conn: Connection,
  topics: string[] | null,
): Promise<MetadataResponse> {
  return conn.request(ApiKeys.Metadata, 0, {
    topics: topics === null ? null : topics.map((name) => ({ name })),
    allowAutoTopicCreation: false,
  });
}

export function batchOf(records: RecordInput[]): Buffer {
  return buildRecordBatch({ records });
}
