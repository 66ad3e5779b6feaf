/**
 * kcat (librdkafka 2.0, Debian's package) against three broker processes through their
 * Kafka-protocol listeners: metadata, 100,000 keyed records produced and read back on
 * the partitions Kafka's murmur2 partitioner picks, and a consumer group whose
 * committed offsets land in ZooKeeper under /consumers.
 */
import { Admin } from '@kzoo/client';
import { partitionForKey } from '@kzoo/records';
import { runKcat, waitFor } from '@kzoo/testkit';
import { onCleanup, TestCluster } from '@kzoo/testkit/jest';
import { ConsumerOffset } from '@kzoo/zk';
import { randomTopic } from '../cluster';

jest.setTimeout(120000);

async function startCluster(): Promise<TestCluster> {
  return TestCluster.start({ brokers: 3, sessionTimeoutMs: 4000, waitForMetadata: true });
}

async function createTopic(cluster: TestCluster, topic: string, partitions: number, rf: number) {
  const admin = new Admin({ 'bootstrap.servers': `127.0.0.1:${cluster.broker(1).port}` });
  onCleanup(() => admin.close());
  await admin.createTopics([{ topic, numPartitions: partitions, replicationFactor: rf }]);
  // every broker knows the leaders before kcat asks
  await waitFor(
    `${topic} has leaders`,
    async () => {
      const md = await admin.describeTopics([topic]);
      return md[0].partitions.every((p) => p.leader >= 0) || undefined;
    },
    { timeoutMs: 20000 },
  );
}

interface KcatMetadata {
  controllerid: number;
  brokers: Array<{ id: number; name: string }>;
  topics: Array<{
    topic: string;
    partitions: Array<{
      partition: number;
      leader: number;
      replicas: Array<{ id: number }>;
      isrs: Array<{ id: number }>;
    }>;
  }>;
}

describe('broker > kafka listener > kcat', () => {
  it('kcat -L lists the three brokers, the controller and the topics with their partitions', async () => {
    const cluster = await startCluster();
    const topic = randomTopic('kcat-meta');
    await createTopic(cluster, topic, 3, 3);
    const r = await runKcat(['-b', cluster.kafkaBootstrap()[0], '-L', '-J'], { timeoutMs: 30000 });
    expect(r.stderr).not.toMatch(/ERROR/);
    expect(r.code).toBe(0);
    const md = JSON.parse(r.stdout) as KcatMetadata;
    const controller = await cluster.controller();
    expect(md.controllerid).toBe(controller!.brokerId);
    expect(md.brokers.map((b) => b.id).sort()).toEqual([1, 2, 3]);
    // every broker is advertised on its Kafka listener, never on the native one
    for (const b of md.brokers) expect(b.name).toBe(`127.0.0.1:${cluster.broker(b.id).kafkaPort}`);
    const t = md.topics.find((x) => x.topic === topic)!;
    expect(t.partitions.map((p) => p.partition).sort()).toEqual([0, 1, 2]);
    for (const p of t.partitions) {
      expect(p.replicas.map((x) => x.id).sort()).toEqual([1, 2, 3]);
      expect(p.isrs).toHaveLength(3);
      expect(p.replicas.map((x) => x.id)).toContain(p.leader);
    }
  });

  it('kcat -P -K: writes 100,000 keyed lines that kcat -C -e reads back, each key on its murmur2 partition', async () => {
    const cluster = await startCluster();
    const topic = randomTopic('kcat-keys');
    const partitions = 6;
    await createTopic(cluster, topic, partitions, 3);
    const n = 100_000;
    const lines: string[] = [];
    for (let i = 0; i < n; i++) lines.push(`key-${i % 5000}:value-${i}`);
    const started = Date.now();
    const p = await runKcat(
      [
        '-b',
        cluster.kafkaBootstrap().join(','),
        '-P',
        '-t',
        topic,
        '-K:',
        '-X',
        'partitioner=murmur2_random',
      ],
      { input: lines.join('\n') + '\n', timeoutMs: 90000 },
    );
    const produceMs = Date.now() - started;
    expect(p.stderr).not.toMatch(/ERROR|fail/i);
    expect(p.code).toBe(0);
    const c = await runKcat(
      [
        '-b',
        cluster.kafkaBootstrap()[1],
        '-C',
        '-t',
        topic,
        '-o',
        'beginning',
        '-e',
        '-q',
        '-f',
        '%k\t%s\t%p\t%o\n',
      ],
      { timeoutMs: 90000 },
    );
    expect(c.code).toBe(0);
    const got = c.stdout.split('\n').filter(Boolean);
    expect(got).toHaveLength(n);
    const seen = new Set<string>();
    const lastIndexOfKey = new Map<string, number>();
    const expectedPartition = new Map<string, number>();
    const wrongPartition: string[] = [];
    const outOfOrder: string[] = [];
    for (const line of got) {
      const [k, v, part] = line.split('\t');
      let want = expectedPartition.get(k);
      if (want === undefined)
        expectedPartition.set(k, (want = partitionForKey(Buffer.from(k), partitions)));
      if (Number(part) !== want) wrongPartition.push(line);
      seen.add(v);
      // within a key (one partition), values come back in the order they were sent
      const i = Number(v.slice('value-'.length));
      if (i <= (lastIndexOfKey.get(k) ?? -1)) outOfOrder.push(line);
      lastIndexOfKey.set(k, i);
    }
    expect(wrongPartition).toEqual([]);
    expect(outOfOrder).toEqual([]);
    expect(seen.size).toBe(n);
    process.stdout.write(`kcat produced ${n} keyed records in ${produceMs} ms\n`);
  });

  it('kcat -G consumes as a group and its committed offsets land in ZooKeeper under /consumers', async () => {
    const cluster = await startCluster();
    const topic = randomTopic('kcat-group');
    const group = randomTopic('kcat-g');
    await createTopic(cluster, topic, 3, 3);
    const lines = Array.from({ length: 300 }, (_, i) => `k${i}:v${i}`);
    const p = await runKcat(
      [
        '-b',
        cluster.kafkaBootstrap()[0],
        '-P',
        '-t',
        topic,
        '-K:',
        '-X',
        'partitioner=murmur2_random',
      ],
      { input: lines.join('\n') + '\n' },
    );
    expect(p.code).toBe(0);
    const g = await runKcat(
      [
        '-b',
        cluster.kafkaBootstrap()[2],
        '-G',
        group,
        '-X',
        'auto.offset.reset=earliest',
        '-X',
        'auto.commit.interval.ms=200',
        '-e',
        '-q',
        '-f',
        '%p\t%o\t%s\n',
        topic,
      ],
      { timeoutMs: 90000 },
    );
    expect(g.stderr).not.toMatch(/ERROR/);
    expect(g.code).toBe(0);
    const got = g.stdout.split('\n').filter(Boolean);
    expect(got).toHaveLength(300);
    const end = new Map<number, number>();
    for (const l of got) {
      const [part, off] = l.split('\t').map(Number);
      end.set(part, Math.max(end.get(part) ?? 0, off + 1));
    }
    // the offsets kcat committed (the next offset to read) are in Kafka's ZooKeeper layout
    for (const [partition, next] of end) {
      const path = ConsumerOffset.path(group, topic, partition);
      const r = await waitFor(`${path} = ${next}`, async () => {
        const d = await cluster.zkClient.getDataAndStat(path);
        return d && Number(d.data!.toString()) === next ? d : undefined;
      });
      expect(r.data!.toString()).toBe(String(next));
    }
  });
});
