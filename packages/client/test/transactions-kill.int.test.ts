/**
 * Exactly-once under SIGKILL: a consume-transform-produce loop (kzoo client, one
 * transactional producer, offsets sent to each transaction) over RF=3 topics on three
 * broker processes, while the leader of the input partition, then of the output
 * partition, then of the loop's `__transaction_state` partition is SIGKILLed (and
 * restarted). On any error the loop does what Kafka's docs prescribe: abort when it
 * can, else start a new producer with the same transactional.id (initTransactions
 * completes or aborts what the old one left open) and seek to the committed offsets.
 * The output read with read_committed holds each input record's transform exactly
 * once, and the group's committed offset in ZooKeeper is the input's end.
 */
import { partitionForGroup, TRANSACTION_STATE_TOPIC_NAME } from '@kzoo/broker';
import { Admin, Consumer, Producer, type ConsumerRecord } from '@kzoo/client';
import { KafkaError } from '@kzoo/common';
import { waitFor } from '@kzoo/testkit';
import { onCleanup, TestCluster } from '@kzoo/testkit/jest';
import { randomTopic } from './harness';

jest.setTimeout(300000);

const N = 300;
const TXN_PARTITIONS = 3;

async function leaderOf(cluster: TestCluster, topic: string, partition: number): Promise<number> {
  const states = await cluster.zkClient.getTopicPartitionStates([{ topic, partition }]);
  return [...states.values()][0]?.leader ?? -1;
}

async function isrOf(cluster: TestCluster, topic: string, partition: number): Promise<number[]> {
  const states = await cluster.zkClient.getTopicPartitionStates([{ topic, partition }]);
  return [...states.values()][0]?.isr ?? [];
}

describe('Client > transactions > consume-transform-produce under SIGKILL', () => {
  test('input, output and transaction-log leaders killed: each transform exactly once, offsets match', async () => {
    const cluster = await TestCluster.start({
      brokers: 3,
      sessionTimeoutMs: 3000,
      extraConfig: {
        'min.insync.replicas': 2,
        'replica.lag.time.max.ms': 3000,
        'transaction.state.log.num.partitions': TXN_PARTITIONS,
        'transaction.state.log.replication.factor': 3,
        'transaction.state.log.min.isr': 2,
        'group.initial.rebalance.delay.ms': 0,
      },
      waitForMetadata: true,
    });
    const bootstrap = cluster.nativeBootstrap().join(',');
    const input = randomTopic('ctp-in');
    const output = randomTopic('ctp-out');
    const group = randomTopic('ctp-group');
    const transactionalId = randomTopic('ctp-tid');
    const admin = new Admin({ 'bootstrap.servers': bootstrap });
    onCleanup(() => admin.close());
    await admin.createTopics([
      { topic: input, numPartitions: 1, replicationFactor: 3 },
      { topic: output, numPartitions: 1, replicationFactor: 3 },
    ]);
    await waitFor('leaders', async () => (await leaderOf(cluster, output, 0)) >= 0);

    const seed = new Producer({ 'bootstrap.servers': bootstrap, 'linger.ms': 5 });
    onCleanup(() => seed.close({ timeoutMs: 1000 }));
    await seed.send(
      input,
      Array.from({ length: N }, (_, i) => ({ value: `r${i}`, partition: 0 })),
    );

    const consumer = new Consumer({
      'bootstrap.servers': bootstrap,
      'group.id': group,
      'isolation.level': 'read_committed',
      'auto.offset.reset': 'earliest',
      'max.poll.records': 10,
      'retry.backoff.ms': 100,
    });
    onCleanup(() => consumer.close());
    const tp = { topic: input, partition: 0 };
    consumer.assign([tp]);

    const newProducer = () => {
      const p = new Producer({
        'bootstrap.servers': bootstrap,
        'transactional.id': transactionalId,
        'linger.ms': 0,
        'retry.backoff.ms': 100,
        'request.timeout.ms': 5000,
        'transaction.timeout.ms': 30000,
      });
      onCleanup(() => p.close({ timeoutMs: 1000 }));
      return p;
    };

    let committedUpTo = 0;
    let restarts = 0;
    let stop = false;
    const loop = (async () => {
      let producer = newProducer();
      let fresh = true;
      while (!stop) {
        try {
          if (fresh) {
            await producer.initTransactions();
            const [c] = await consumer.committed([tp]);
            consumer.seek(tp, c.offset ?? 0);
            fresh = false;
          }
          const records: ConsumerRecord[] = await consumer.poll(200);
          if (records.length === 0) continue;
          producer.beginTransaction();
          try {
            await producer.send(
              output,
              records.map((r) => ({ value: `t(${r.value!.toString()})`, partition: 0 })),
            );
            const next = records[records.length - 1].offset + 1;
            await producer.sendOffsetsToTransaction([{ ...tp, offset: next }], group);
            await producer.commitTransaction();
            committedUpTo = next;
          } catch (e) {
            const fatal =
              e instanceof KafkaError &&
              ['PRODUCER_FENCED', 'INVALID_PRODUCER_EPOCH'].includes(e.errorName);
            if (!fatal) await producer.abortTransaction().catch(() => undefined);
            throw e;
          }
        } catch {
          // Start over from what is committed: a new producer instance fences and
          // completes whatever the old one left.
          restarts++;
          await producer.close({ timeoutMs: 500 }).catch(() => undefined);
          producer = newProducer();
          fresh = true;
        }
      }
      await producer.close({ timeoutMs: 1000 });
    })();
    onCleanup(async () => {
      stop = true;
      await loop;
    });

    const progress = async (what: string, delta: number) => {
      const target = Math.min(N, committedUpTo + delta);
      await waitFor(`${what}: committed ${target}`, () => committedUpTo >= target, {
        timeoutMs: 90000,
      });
    };
    const killLeader = async (
      topic: string,
      partition: number,
      whileDown: (killed: number) => Promise<void> = async () => undefined,
    ) => {
      const id = await leaderOf(cluster, topic, partition);
      expect(id).toBeGreaterThan(0);
      await cluster.broker(id).kill('SIGKILL');
      await waitFor(
        `broker ${id}'s registration gone and ${topic}-${partition} led elsewhere`,
        async () =>
          !(await cluster.liveBrokers()).includes(id) &&
          ![-1, id].includes(await leaderOf(cluster, topic, partition)),
        { timeoutMs: 60000 },
      );
      await progress(`after killing broker ${id} (leader of ${topic}-${partition})`, 30);
      await whileDown(id);
      await cluster.startBroker(id);
      await waitFor(
        `broker ${id} back in the ISR of ${topic}-${partition}`,
        async () => (await isrOf(cluster, topic, partition)).length === 3,
        { timeoutMs: 60000 },
      );
    };

    await progress('warm-up', 20);
    await killLeader(input, 0);
    await killLeader(output, 0);
    const [before] = await admin.describeTransactions([transactionalId]);
    await killLeader(
      TRANSACTION_STATE_TOPIC_NAME,
      partitionForGroup(transactionalId, TXN_PARTITIONS),
      async (killed) => {
        // The new coordinator loaded the id from the log: same producer id, not a new one.
        const [after] = await admin.describeTransactions([transactionalId]);
        expect(before.coordinator).toBe(killed);
        expect(after.coordinator).not.toBe(killed);
        expect(after.producerId).toBe(before.producerId);
        expect(after.producerEpoch).toBeGreaterThanOrEqual(before.producerEpoch);
      },
    );
    await waitFor('the whole input transformed', () => committedUpTo >= N, { timeoutMs: 120000 });
    stop = true;
    await loop;

    // The output, read_committed, to its end: each transform exactly once.
    const reader = new Consumer({
      'bootstrap.servers': bootstrap,
      'isolation.level': 'read_committed',
      'auto.offset.reset': 'earliest',
    });
    onCleanup(() => reader.close());
    const out = { topic: output, partition: 0 };
    reader.assign([out]);
    await reader.seekToEnd([out]);
    const end = await reader.position(out);
    reader.seekToBeginning([out]);
    const got: string[] = [];
    await waitFor(
      'the output read to its last stable offset',
      async () => {
        got.push(...(await reader.poll(200)).map((r) => r.value!.toString()));
        return (await reader.position(out)) >= end;
      },
      { timeoutMs: 60000 },
    );
    const counts = new Map<string, number>();
    for (const v of got) counts.set(v, (counts.get(v) ?? 0) + 1);
    const duplicated = [...counts].filter(([, n]) => n > 1).map(([v]) => v);
    const missing = Array.from({ length: N }, (_, i) => `t(r${i})`).filter((v) => !counts.has(v));
    expect({ duplicated, missing, total: got.length }).toEqual({
      duplicated: [],
      missing: [],
      total: N,
    });
    expect(await cluster.zkClient.getConsumerOffset(group, input, 0)).toBe(N);
    console.log(`consume-transform-produce: ${N} records, ${restarts} loop restarts`);
  });
});
