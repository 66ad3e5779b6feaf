/**
 * kafkajs 2.2.4's transactional producer (transactionalId, sendOffsets, commit, abort)
 * against a broker process through its Kafka-protocol listener: committed records are
 * read by a read_committed kafkajs consumer and the aborted ones are not; the offsets
 * sent with the committed transaction become the group's, the aborted ones never do;
 * a second producer with the same transactionalId fences the first.
 */
import { Consumer as KzooConsumer, type ConsumerRecord } from '@kzoo/client';
import { waitFor } from '@kzoo/testkit';
import { onCleanup, TestCluster } from '@kzoo/testkit/jest';
import { type EachMessagePayload } from 'kafkajs';
import { randomTopic } from '../cluster';
import { adminOf, kafkaOf } from './kafkajs';

jest.setTimeout(120000);

describe('broker > kafka listener > kafkajs > transactions', () => {
  it('transactionalId, sendOffsets, commit and abort', async () => {
    const cluster = await TestCluster.start({
      brokers: 1,
      extraConfig: {
        'transaction.state.log.num.partitions': 3,
        'transaction.state.log.replication.factor': 1,
        'transaction.state.log.min.isr': 1,
        'group.initial.rebalance.delay.ms': 100,
      },
      waitForMetadata: true,
    });
    const kafka = kafkaOf(cluster, 'kzoo-txn-test');
    const admin = await adminOf(kafka);
    const topic = randomTopic('kjs-txn');
    const group = randomTopic('kjs-txn-group');
    await admin.createTopics({
      topics: [{ topic, numPartitions: 2, replicationFactor: 1 }],
      waitForLeaders: true,
    });

    const transactionalId = randomTopic('kjs-tid');
    const producer = kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    onCleanup(() => producer.disconnect());

    const committed = await producer.transaction();
    await committed.send({
      topic,
      messages: [
        { value: 'c0', partition: 0 },
        { value: 'c1', partition: 1 },
      ],
    });
    await committed.sendOffsets({
      consumerGroupId: group,
      topics: [{ topic, partitions: [{ partition: 0, offset: '5' }] }],
    });
    await committed.commit();

    const aborted = await producer.transaction();
    await aborted.send({
      topic,
      messages: [
        { value: 'a0', partition: 0 },
        { value: 'a1', partition: 1 },
      ],
    });
    await aborted.sendOffsets({
      consumerGroupId: group,
      topics: [{ topic, partitions: [{ partition: 0, offset: '9' }] }],
    });
    await aborted.abort();

    const last = await producer.transaction();
    await last.send({ topic, messages: [{ value: 'c2', partition: 0 }] });
    await last.commit();

    // The group's offsets: the committed transaction's, never the aborted one's.
    await waitFor('the transaction offsets', async () => {
      const [t] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
      return t.partitions.find((p) => p.partition === 0)?.offset === '5';
    });

    // A read_committed kafkajs consumer (kafkajs' default isolation).
    const consumer = kafka.consumer({ groupId: randomTopic('kjs-reader'), readUncommitted: false });
    await consumer.connect();
    onCleanup(() => consumer.disconnect());
    await consumer.subscribe({ topic, fromBeginning: true });
    const seen: string[] = [];
    await consumer.run({
      eachMessage: async ({ message }: EachMessagePayload) => {
        seen.push(message.value!.toString());
      },
    });
    await waitFor('kafkajs read_committed', () => seen.length >= 3, { timeoutMs: 30000 });
    // Nothing more arrives: the markers and aborted records are skipped.
    const kz = new KzooConsumer({
      'bootstrap.servers': cluster.nativeBootstrap().join(','),
      'auto.offset.reset': 'earliest',
      'isolation.level': 'read_uncommitted',
    });
    onCleanup(() => kz.close());
    const tps = [0, 1].map((partition) => ({ topic, partition }));
    kz.assign(tps);
    const all: ConsumerRecord[] = [];
    await waitFor('read_uncommitted sees all five', async () => {
      all.push(...(await kz.poll(200)));
      return all.length >= 5;
    });
    expect(seen.sort()).toEqual(['c0', 'c1', 'c2']);
    expect(all.map((r) => r.value!.toString()).sort()).toEqual(['a0', 'a1', 'c0', 'c1', 'c2']);

    // A second producer with the same transactionalId fences the first.
    const fresh = kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1 });
    await fresh.connect();
    onCleanup(() => fresh.disconnect());
    const t2 = await fresh.transaction();
    await t2.send({ topic, messages: [{ value: 'fresh', partition: 1 }] });
    await t2.commit();
    const zombie = await producer.transaction();
    const err = await zombie
      .send({ topic, messages: [{ value: 'zombie', partition: 1 }] })
      .then(() => zombie.commit())
      .then(
        () => null,
        (e: unknown) => e as { type?: string; message: string },
      );
    expect(err?.type ?? err?.message).toMatch(/INVALID_PRODUCER_EPOCH|PRODUCER_FENCED/);
    await waitFor('the fresh record', () => seen.length >= 4, { timeoutMs: 30000 });
    expect(seen).not.toContain('zombie');
  });
});
