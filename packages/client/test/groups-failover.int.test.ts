/**
 * Consumer groups on a three-broker cluster: when the coordinator's broker stops, the
 * members find the new coordinator (FindCoordinator answers another live broker), rejoin
 * there and go on consuming from the committed offsets, each partition owned once.
 */
import { Broker, coordinatorForGroup } from '@kzoo/broker';
import { Admin, Consumer, Producer, type ConsumerRecord } from '@kzoo/client';
import { makeTempDir, removeDir, waitFor } from '@kzoo/testkit';
import { onCleanup, zkConnectForTest } from '@kzoo/testkit/jest';
import { randomTopic } from './harness';

async function startBrokers(n: number): Promise<{ brokers: Broker[]; bootstrap: string }> {
  const zk = zkConnectForTest();
  const brokers: Broker[] = [];
  for (let id = 1; id <= n; id++) {
    const dir = makeTempDir(`kzoo-client-group-${id}-`);
    const b = new Broker({
      'broker.id': id,
      'zookeeper.connect': zk,
      listeners: 'PLAINTEXT://127.0.0.1:0',
      'log.dirs': dir,
      'zookeeper.session.timeout.ms': 4000,
      'group.initial.rebalance.delay.ms': 100,
      'group.min.session.timeout.ms': 100,
    });
    onCleanup(async () => {
      await b.shutdown();
      removeDir(dir);
    });
    await b.start();
    brokers.push(b);
  }
  await waitFor(
    'every broker knows every broker',
    () => brokers.every((b) => b.dataPlane.metadataCache.aliveBrokerIds().length === n),
    { timeoutMs: 15000 },
  );
  const ep = (b: Broker) => b.advertisedListeners[0];
  return { brokers, bootstrap: brokers.map((b) => `${ep(b).host}:${ep(b).port}`).join(',') };
}

describe('Client > Consumer > groups > coordinator failover', () => {
  it('rejoins at the new coordinator when the old one stops', async () => {
    const { brokers, bootstrap } = await startBrokers(3);
    const group = randomTopic('group');
    const coordinator = coordinatorForGroup(group, [1, 2, 3])!;
    const others = [1, 2, 3].filter((b) => b !== coordinator);
    const topic = randomTopic('fo');
    // the data lives on the two other brokers (no replication needed to survive)
    const admin = new Admin({ 'bootstrap.servers': bootstrap });
    onCleanup(() => admin.close());
    await admin.createTopics([
      {
        topic,
        replicaAssignment: { 0: [others[0]], 1: [others[1]], 2: [others[0]], 3: [others[1]] },
      },
    ]);
    await waitFor('leaders', async () => {
      const [d] = await admin.describeTopics([topic]);
      return d.partitions.length === 4 && d.partitions.every((p) => p.leader >= 0);
    });
    const producer = new Producer({ 'bootstrap.servers': bootstrap, acks: 1 });
    onCleanup(() => producer.close({ timeoutMs: 1000 }));
    const send = (round: string) =>
      producer.send(
        topic,
        Array.from({ length: 20 }, (_, i) => ({ value: `${round}-${i}`, partition: i % 4 })),
      );
    await send('a');

    const records: ConsumerRecord[] = [];
    const consumers = [0, 1].map(() => {
      const c = new Consumer({
        'bootstrap.servers': bootstrap,
        'group.id': group,
        'auto.offset.reset': 'earliest',
        'session.timeout.ms': 3000,
        'heartbeat.interval.ms': 200,
        'max.poll.interval.ms': 6000,
        'auto.commit.interval.ms': 200,
      });
      c.subscribe([topic]);
      return c;
    });
    let running = true;
    const loops = consumers.map(async (c) => {
      while (running) records.push(...(await c.poll(200)));
    });
    onCleanup(async () => {
      running = false;
      await Promise.all(loops);
      await Promise.all(consumers.map((c) => c.close()));
    });
    const exclusive = () => {
      const gens = new Set(consumers.map((c) => c.groupMetadata().generationId));
      const all = consumers.flatMap((c) => c.assignment().map((tp) => tp.partition));
      return gens.size === 1 && all.length === 4 && new Set(all).size === 4;
    };
    await waitFor('stable group', exclusive, { timeoutMs: 20000 });
    await waitFor('round a consumed', () => records.length >= 20, { timeoutMs: 20000 });
    // let an auto-commit go out with the final positions
    await waitFor('round a committed', async () => {
      const got = await consumers[0].committed(
        [0, 1, 2, 3].map((partition) => ({ topic, partition })),
      );
      return got.every((o) => o.offset === 5);
    });

    await brokers[coordinator - 1].shutdown();
    await waitFor(
      'a new coordinator took the group',
      () => {
        const b = brokers[others[0] - 1];
        const next = coordinatorForGroup(group, b.dataPlane.metadataCache.aliveBrokerIds());
        const g = brokers[next! - 1].groupCoordinator.coordinator.getGroup(group);
        return next !== coordinator && g?.currentState === 'Stable' && g.size === 2 && exclusive();
      },
      { timeoutMs: 20000 },
    );

    await send('b');
    await waitFor(
      'round b consumed',
      () => records.filter((r) => r.value!.toString().startsWith('b-')).length >= 20,
      {
        timeoutMs: 20000,
      },
    );
    const values = records.map((r) => r.value!.toString());
    // nothing of round a is read twice: the new coordinator served the committed offsets
    expect(values.filter((v) => v.startsWith('a-'))).toHaveLength(20);
    expect(new Set(values.filter((v) => v.startsWith('b-'))).size).toBe(20);
  });
});
