/**
 * kafkajs 2.2.4, an unmodified Kafka client, against broker processes through their
 * Kafka-protocol listeners: an idempotent acks=-1 producer that keeps writing while the
 * partition leader is SIGKILLed (nothing acknowledged lost, nothing written twice, read
 * back by a kafkajs consumer group of three), the admin client, and a group that
 * mixes a kafkajs consumer with a kzoo consumer.
 */
import { Consumer as KzooConsumer, type ConsumerRecord } from '@kzoo/client';
import { waitFor } from '@kzoo/testkit';
import { onCleanup, TestCluster } from '@kzoo/testkit/jest';
import {
  PartitionAssigners,
  type Consumer,
  type EachMessagePayload,
  type PartitionAssigner,
} from 'kafkajs';
import { randomTopic } from '../cluster';
import { adminOf, kafkaOf } from './kafkajs';

jest.setTimeout(180000);

const GROUP_SETTINGS = {
  'group.initial.rebalance.delay.ms': 100,
  'group.min.session.timeout.ms': 1000,
};

async function leaderOf(cluster: TestCluster, topic: string, partition: number): Promise<number> {
  const states = await cluster.zkClient.getTopicPartitionStates([{ topic, partition }]);
  const s = [...states.values()][0];
  if (!s) throw new Error(`no state for ${topic}-${partition}`);
  return s.leader;
}

/** kafkajs' round-robin assigner under the protocol name kzoo's consumer uses. */
const roundrobin: PartitionAssigner = (config) => ({
  ...PartitionAssigners.roundRobin(config),
  name: 'roundrobin',
});

function collect(consumer: Consumer, into: string[]): Promise<void> {
  return consumer.run({
    eachMessage: async ({ message }: EachMessagePayload) => {
      into.push(message.value!.toString());
    },
  });
}

describe('broker > kafka listener > kafkajs', () => {
  it('an idempotent acks=-1 producer loses nothing acknowledged and duplicates nothing while the leader is SIGKILLed', async () => {
    const cluster = await TestCluster.start({
      brokers: 3,
      sessionTimeoutMs: 3000,
      extraConfig: { ...GROUP_SETTINGS, 'min.insync.replicas': 2 },
      waitForMetadata: true,
    });
    const kafka = kafkaOf(cluster);
    const admin = await adminOf(kafka);
    const topic = randomTopic('kjs-failover');
    await admin.createTopics({
      topics: [{ topic, numPartitions: 3, replicationFactor: 3 }],
      waitForLeaders: true,
    });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    onCleanup(() => producer.disconnect());

    const acked: string[] = [];
    let failedSends = 0;
    const victim = await leaderOf(cluster, topic, 0);
    let killed = false;
    for (let round = 0; round < 60; round++) {
      const values = Array.from({ length: 20 }, (_, i) => `r${round}-${i}`);
      if (round === 20) {
        await cluster.broker(victim).kill('SIGKILL');
        killed = true;
      }
      try {
        await producer.send({
          topic,
          acks: -1,
          messages: values.map((value, i) => ({ key: `k${i}`, value })),
        });
        acked.push(...values);
      } catch {
        failedSends++; // not acknowledged: may or may not be in the log
      }
    }
    expect(killed).toBe(true);
    expect(await leaderOf(cluster, topic, 0)).not.toBe(victim);
    // Nearly everything is acknowledged: the producer rode out the failover.
    expect(acked.length).toBeGreaterThan(50 * 20);

    const offsets = await admin.fetchTopicOffsets(topic);
    const inLog = offsets.reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
    const group = randomTopic('kjs-group');
    const seen: string[] = [];
    const consumers = await Promise.all(
      [0, 1, 2].map(async () => {
        const c = kafka.consumer({ groupId: group, sessionTimeout: 10000, heartbeatInterval: 500 });
        await c.connect();
        onCleanup(() => c.disconnect());
        await c.subscribe({ topic, fromBeginning: true });
        await collect(c, seen);
        return c;
      }),
    );
    await waitFor(`${inLog} records consumed`, () => seen.length >= inLog, { timeoutMs: 60000 });
    await Promise.all(consumers.map((c) => c.disconnect()));
    expect(seen).toHaveLength(inLog);
    expect(new Set(seen).size).toBe(seen.length); // nothing twice in the log
    const missing = acked.filter((v) => !new Set(seen).has(v));
    expect(missing).toEqual([]); // nothing acknowledged lost
    process.stdout.write(
      `kafkajs failover: ${acked.length} acknowledged, ${failedSends} failed sends, ${inLog} in the log\n`,
    );
  });

  it('the admin client creates, describes and deletes topics, lists and describes groups, fetches and resets offsets', async () => {
    const cluster = await TestCluster.start({
      brokers: 3,
      extraConfig: GROUP_SETTINGS,
      waitForMetadata: true,
    });
    const kafka = kafkaOf(cluster);
    const admin = await adminOf(kafka);
    const topic = randomTopic('kjs-admin');
    expect(
      await admin.createTopics({
        topics: [{ topic, numPartitions: 4, replicationFactor: 2 }],
        waitForLeaders: true,
      }),
    ).toBe(true);
    // a second create of the same topic: TOPIC_ALREADY_EXISTS, which kafkajs reports as false
    expect(await admin.createTopics({ topics: [{ topic }], waitForLeaders: false })).toBe(false);
    expect(await admin.listTopics()).toContain(topic);
    const md = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(md.topics[0].partitions).toHaveLength(4);
    for (const p of md.topics[0].partitions) {
      expect(p.replicas).toHaveLength(2);
      expect(p.isr).toHaveLength(2);
    }

    const producer = kafka.producer();
    await producer.connect();
    onCleanup(() => producer.disconnect());
    await producer.send({
      topic,
      messages: Array.from({ length: 40 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })),
    });
    const group = randomTopic('kjs-admin-g');
    const consumer = kafka.consumer({ groupId: group });
    await consumer.connect();
    onCleanup(() => consumer.disconnect());
    await consumer.subscribe({ topic, fromBeginning: true });
    const seen: string[] = [];
    await collect(consumer, seen);
    await waitFor('40 records consumed', () => seen.length >= 40, { timeoutMs: 30000 });
    const listed = await admin.listGroups();
    expect(listed.groups).toContainEqual({ groupId: group, protocolType: 'consumer' });
    const described = await admin.describeGroups([group]);
    expect(described.groups[0]).toMatchObject({ groupId: group, state: 'Stable' });
    expect(described.groups[0].members).toHaveLength(1);
    await consumer.disconnect();

    const committed = await waitFor('committed offsets', async () => {
      const o = await admin.fetchOffsets({ groupId: group, topics: [topic] });
      const parts = o[0].partitions;
      const sum = parts.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
      return sum === 40 ? parts : undefined;
    });
    expect(committed).toHaveLength(4);
    expect((await admin.describeGroups([group])).groups[0].state).toBe('Empty');
    // kafkajs commits the logical offset -2 (earliest), which Kafka stores as it is...
    await admin.resetOffsets({ groupId: group, topic, earliest: true });
    const reset = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    for (const p of reset[0].partitions) expect(p.offset).toBe('-2');
    // ...so a member of the group no longer finds the committed positions and starts
    // over from the beginning (were they still committed, they would win)
    const again = kafka.consumer({ groupId: group });
    await again.connect();
    onCleanup(() => again.disconnect());
    await again.subscribe({ topic, fromBeginning: true });
    const reread: string[] = [];
    await collect(again, reread);
    await waitFor('40 records consumed again', () => reread.length >= 40, { timeoutMs: 30000 });
    await again.disconnect();
    expect(new Set(reread).size).toBe(40);
    await admin.setOffsets({ groupId: group, topic, partitions: [{ partition: 0, offset: '1' }] });
    const set = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    expect(set[0].partitions.find((p) => p.partition === 0)!.offset).toBe('1');
    // and the committed offsets are Kafka's ZooKeeper layout
    const z = await cluster.zkClient.getDataAndStat(`/consumers/${group}/offsets/${topic}/0`);
    expect(z!.data!.toString()).toBe('1');

    await admin.deleteTopics({ topics: [topic] });
    await waitFor('topic gone', async () => !(await admin.listTopics()).includes(topic), {
      timeoutMs: 30000,
    });
  });

  it('a kafkajs consumer and a kzoo consumer share one group: the same coordinator, partitions and offsets', async () => {
    const cluster = await TestCluster.start({
      brokers: 3,
      extraConfig: GROUP_SETTINGS,
      waitForMetadata: true,
    });
    const kafka = kafkaOf(cluster);
    const admin = await adminOf(kafka);
    const topic = randomTopic('kjs-mixed');
    const group = randomTopic('kjs-mixed-g');
    await admin.createTopics({
      topics: [{ topic, numPartitions: 6, replicationFactor: 1 }],
      waitForLeaders: true,
    });
    const kjs = kafka.consumer({
      groupId: group,
      partitionAssigners: [roundrobin],
      sessionTimeout: 10000,
      heartbeatInterval: 300,
    });
    await kjs.connect();
    onCleanup(() => kjs.disconnect());
    await kjs.subscribe({ topic, fromBeginning: true });
    const kjsSeen: string[] = [];
    await collect(kjs, kjsSeen);

    const kzoo = new KzooConsumer({
      'bootstrap.servers': [...cluster.brokers.values()]
        .map((b) => `127.0.0.1:${b.port}`)
        .join(','),
      'group.id': group,
      'auto.offset.reset': 'earliest',
      'partition.assignment.strategy': 'roundrobin',
      'session.timeout.ms': 10000,
      'heartbeat.interval.ms': 300,
    });
    kzoo.subscribe([topic]);
    const kzooSeen: ConsumerRecord[] = [];
    let polling = true;
    const loop = (async () => {
      while (polling) kzooSeen.push(...(await kzoo.poll(200)));
    })();
    onCleanup(async () => {
      polling = false;
      await loop;
      await kzoo.close();
    });

    const members = await waitFor(
      'two members sharing six partitions',
      async () => {
        const g = (await admin.describeGroups([group])).groups[0];
        if (g.state !== 'Stable' || g.members.length !== 2) return undefined;
        return kzoo.assignment().length > 0 && kzoo.assignment().length < 6 ? g.members : undefined;
      },
      { timeoutMs: 60000 },
    );
    expect(members.map((m) => m.clientId).sort()).toContain('kzoo-test');

    const producer = kafka.producer();
    await producer.connect();
    onCleanup(() => producer.disconnect());
    await producer.send({
      topic,
      messages: Array.from({ length: 120 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })),
    });
    await waitFor(
      'all 120 records consumed by the two',
      () => kjsSeen.length + kzooSeen.length >= 120,
      {
        timeoutMs: 60000,
      },
    );
    const all = [...kjsSeen, ...kzooSeen.map((r) => r.value!.toString())];
    expect(new Set(all).size).toBe(120);
    expect(all).toHaveLength(120);
    expect(kjsSeen.length).toBeGreaterThan(0);
    expect(kzooSeen.length).toBeGreaterThan(0);
    // each partition was read by exactly one of them
    const kzooParts = new Set(kzooSeen.map((r) => r.partition));
    expect(kzooParts.size).toBe(kzoo.assignment().length);
  });
});
