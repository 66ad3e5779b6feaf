/**
 * Log compaction of a transactional topic, read by real clients through the Kafka
 * listener: kafkajs 2.2.4 writes a committed value and then an aborted one for the same
 * key, then enough other records to roll segments, and lowers min.compaction.lag.ms to
 * let the cleaner in. Once it has run (kcat,
 * read_uncommitted, no longer sees the aborted value), a read_committed kafkajs consumer
 * still gets the committed value — the aborted one did not shadow it — and kcat reads the
 * whole partition, batches emptied by the cleaner included, to its end.
 */
import { runKcat, waitFor } from '@kzoo/testkit';
import { onCleanup, TestCluster } from '@kzoo/testkit/jest';
import { ConfigResourceTypes, type EachMessagePayload } from 'kafkajs';
import { randomTopic } from '../cluster';
import { adminOf, kafkaOf } from './kafkajs';

jest.setTimeout(180000);

describe('broker > kafka listener > compaction of a transactional topic', () => {
  it('an aborted value never shadows the committed one; kcat and kafkajs read past the cleaned batches', async () => {
    const configs = (minCompactionLagMs: number) => [
      { name: 'cleanup.policy', value: 'compact' },
      { name: 'segment.bytes', value: '2048' },
      { name: 'min.cleanable.dirty.ratio', value: '0.01' },
      { name: 'delete.retention.ms', value: '600000' },
      { name: 'min.compaction.lag.ms', value: String(minCompactionLagMs) },
    ];
    const cluster = await TestCluster.start({
      brokers: 1,
      extraConfig: {
        'transaction.state.log.num.partitions': 1,
        'transaction.state.log.replication.factor': 1,
        'transaction.state.log.min.isr': 1,
        'group.initial.rebalance.delay.ms': 100,
        'log.cleaner.backoff.ms': 200,
      },
      waitForMetadata: true,
    });
    const kafka = kafkaOf(cluster, 'kzoo-compaction-test');
    const admin = await adminOf(kafka);
    const topic = randomTopic('kjs-compact');
    await admin.createTopics({
      topics: [
        {
          topic,
          numPartitions: 1,
          replicationFactor: 1,
          // No cleaning until the test lowers min.compaction.lag.ms (applied live).
          configEntries: configs(3600000),
        },
      ],
      waitForLeaders: true,
    });

    const producer = kafka.producer({
      transactionalId: randomTopic('kjs-compact-tid'),
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    onCleanup(() => producer.disconnect());
    const committed = await producer.transaction();
    await committed.send({ topic, messages: [{ key: 'k', value: 'committed' }] });
    await committed.commit();
    const aborted = await producer.transaction();
    await aborted.send({ topic, messages: [{ key: 'k', value: 'aborted' }] });
    await aborted.abort();
    // Other keys, committed, so that segments roll and the first ones become cleanable.
    for (let i = 0; i < 40; i++) {
      const t = await producer.transaction();
      await t.send({ topic, messages: [{ key: `other-${i}`, value: 'x'.repeat(200) }] });
      await t.commit();
    }

    const kcatValues = async (isolation: string) => {
      const r = await runKcat(
        [
          '-b',
          cluster.kafkaBootstrap()[0],
          '-C',
          '-t',
          topic,
          '-o',
          'beginning',
          '-e',
          '-q',
          '-f',
          '%k=%s\\n',
          '-X',
          `isolation.level=${isolation}`,
        ],
        { timeoutMs: 30000 },
      );
      expect(r.code).toBe(0);
      return r.stdout.split('\n').filter((l) => l.startsWith('k='));
    };
    // Before cleaning, read_uncommitted sees both values of k, read_committed the first.
    expect(await kcatValues('read_uncommitted')).toEqual(['k=committed', 'k=aborted']);
    expect(await kcatValues('read_committed')).toEqual(['k=committed']);
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: topic,
          configEntries: configs(0), // AlterConfigs replaces the whole set
        },
      ],
    });
    // The cleaner removes the aborted value (and keeps the committed one).
    await waitFor(
      'the cleaner to remove the aborted value',
      async () => {
        const v = await kcatValues('read_uncommitted');
        return v.length === 1 ? v : undefined;
      },
      { timeoutMs: 90000, intervalMs: 500 },
    ).then((v) => expect(v).toEqual(['k=committed']));
    expect(await kcatValues('read_committed')).toEqual(['k=committed']);

    // kafkajs, read_committed, from the beginning: the committed value and every other key.
    const consumer = kafka.consumer({ groupId: randomTopic('kjs-compact-reader') });
    await consumer.connect();
    onCleanup(() => consumer.disconnect());
    await consumer.subscribe({ topic, fromBeginning: true });
    const seen = new Map<string, string>();
    await consumer.run({
      eachMessage: async ({ message }: EachMessagePayload) => {
        seen.set(message.key!.toString(), message.value!.toString());
      },
    });
    await waitFor('kafkajs to read every key', () => seen.size >= 41, { timeoutMs: 60000 });
    expect(seen.get('k')).toBe('committed');
  });
});
