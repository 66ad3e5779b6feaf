/**
 * Leader failover during an idempotent stream: three in-process brokers, a topic with
 * replication factor 3 and min.insync.replicas 2, the producer with Kafka's defaults
 * (enable.idempotence=true, acks=all). The partition leader is stopped without a
 * controlled shutdown mid-stream, and some Produce responses around it are dropped, so
 * batches are retried against the new leader, which has rebuilt the producer state
 * from the replicated batch headers. Every record must be in the log exactly once, in
 * the order sent, at the offset its send reported.
 */
import { Admin, Consumer, Producer, type ConsumerRecord } from '@kzoo/client';
import { ApiKeys } from '@kzoo/protocol';
import { makeTempDir, removeDir, waitFor } from '@kzoo/testkit';
import { onCleanup, zkConnectForTest } from '@kzoo/testkit/jest';
import { randomTopic, startTestBroker, type TestBroker } from './harness';

describe('Client > Producer > idempotence across a leader failover', () => {
  test('RF=3, acks=all: no loss, no duplicate, order kept', async () => {
    const zk = zkConnectForTest();
    const brokers = new Map<number, TestBroker>();
    for (const id of [1, 2, 3]) {
      const dir = makeTempDir(`kzoo-failover-${id}-`);
      onCleanup(() => removeDir(dir));
      brokers.set(
        id,
        await startTestBroker(
          { 'broker.id': id, 'controlled.shutdown.enable': false, 'min.insync.replicas': 2 },
          zk,
          dir,
        ),
      );
    }
    const bootstrap = [...brokers.values()].map((b) => b.bootstrap).join(',');
    const admin = new Admin({ 'bootstrap.servers': bootstrap });
    onCleanup(() => admin.close());
    await waitFor(
      'three brokers',
      async () => (await admin.describeCluster()).brokers.length === 3,
    );
    const topic = randomTopic('failover');
    await admin.createTopics([{ topic, numPartitions: 1, replicationFactor: 3 }]);
    await waitFor(`${topic} fully replicated`, async () => {
      const [d] = await admin.describeTopics([topic]);
      return d.partitions[0].leader >= 0 && d.partitions[0].isr.length === 3;
    });
    const [desc] = await admin.describeTopics([topic]);
    const oldLeader = desc.partitions[0].leader;

    const producer = new Producer({
      'bootstrap.servers': bootstrap,
      'linger.ms': 2,
      'request.timeout.ms': 1500,
      'retry.backoff.ms': 50,
    });
    onCleanup(() => producer.close({ timeoutMs: 1000 }));
    expect([producer.config['enable.idempotence'], producer.config.acks]).toEqual([true, 'all']);

    const total = 3000;
    const offsets = new Array<number>(total).fill(-1);
    const sends: Promise<void>[] = [];
    let failover: Promise<void> | undefined;
    let dropped = 0;
    for (let i = 0; i < total; i += 10) {
      if (i === 1000) {
        // Drop a few responses, then stop the leader without a controlled shutdown.
        let left = 3;
        producer.controlKey(ApiKeys.Produce, () => (left-- > 0 ? (dropped++, 'drop') : 'keep'));
        failover = brokers.get(oldLeader)!.broker.shutdown();
      }
      const base = i;
      sends.push(
        producer
          .send(
            topic,
            Array.from({ length: 10 }, (_, k) => ({ key: 'k', value: `v${base + k}` })),
          )
          .then((meta) => meta.forEach((m, k) => (offsets[base + k] = m.offset))),
      );
      if (sends.length % 20 === 0) await Promise.all(sends.slice(-20));
    }
    await Promise.all(sends);
    await failover;
    expect(dropped).toBeGreaterThan(0);

    await waitFor('a new leader', async () => {
      const [d] = await admin.describeTopics([topic]);
      return d.partitions[0].leader >= 0 && d.partitions[0].leader !== oldLeader;
    });
    const live = [...brokers.entries()].filter(([id]) => id !== oldLeader).map(([, b]) => b);
    const consumer = new Consumer({
      'bootstrap.servers': live.map((b) => b.bootstrap).join(','),
      'auto.offset.reset': 'earliest',
    });
    onCleanup(() => consumer.close());
    consumer.assign([{ topic, partition: 0 }]);
    const got: ConsumerRecord[] = [];
    const deadline = Date.now() + 30000;
    while (got.length < total && Date.now() < deadline) got.push(...(await consumer.poll(500)));
    const extra = await consumer.poll(300);
    got.push(...extra);

    expect(got.map((r) => r.value!.toString())).toEqual(
      Array.from({ length: total }, (_, i) => `v${i}`),
    );
    // Each send reported the offset the record really has.
    expect(offsets).toEqual(got.map((r) => r.offset));
  }, 120000);
});
