/**
 * ISR shrink and expand with broker processes (compiled JS: run `npx tsc -b` first): a
 * follower frozen with SIGSTOP leaves the ISR after replica.lag.time.max.ms and comes
 * back once it catches up — through the controller (AlterPartition, IBP >= 2.7) and
 * through the leader's own ZooKeeper write + /isr_change_notification (IBP 2.6). The
 * state znode's ISR changes, its leader_epoch does not; brokers serve the new ISR.
 */
import { Connection } from '@kzoo/protocol';
import { onCleanup, TestCluster, waitFor } from '@kzoo/testkit';
import { TopicPartitionStateZNode, type KafkaZkClient } from '@kzoo/zk';
import { batchOf, metadata, randomTopic } from './cluster';

const LAG_MS = 1500;

async function state(zk: KafkaZkClient, topic: string) {
  const path = TopicPartitionStateZNode.path({ topic, partition: 0 });
  const r = await zk.getDataAndStat(path);
  if (!r) throw new Error(`${path} is missing`);
  return { ...TopicPartitionStateZNode.decode(r.data, path), zkVersion: r.stat.version };
}

async function connect(cluster: TestCluster, id: number): Promise<Connection> {
  const c = await Connection.connect({ host: '127.0.0.1', port: cluster.broker(id).port });
  onCleanup(() => c.close());
  return c;
}

async function servedIsr(conn: Connection, topic: string): Promise<number[]> {
  const p = (await metadata(conn, [topic])).topics[0]?.partitions[0];
  return p ? [...p.isrNodes].sort() : [];
}

describe.each([
  ['AlterPartition (inter.broker.protocol.version 3.5)', {}],
  [
    'ZooKeeper write + /isr_change_notification (inter.broker.protocol.version 2.6)',
    {
      'inter.broker.protocol.version': '2.6',
      'isr.change.notification.check.interval.ms': 100,
      'isr.change.notification.linger.ms': 200,
    },
  ],
])('Broker > ISR (processes) > %s', (_name, ibpConfig) => {
  it('a SIGSTOPped follower leaves the ISR after replica.lag.time.max.ms and rejoins after SIGCONT; leader_epoch unchanged', async () => {
    const cluster = await TestCluster.start({
      brokers: 3,
      sessionTimeoutMs: 12000,
      extraConfig: {
        'replica.lag.time.max.ms': LAG_MS,
        'replica.fetch.wait.max.ms': 100,
        'replica.fetch.backoff.ms': 200,
        ...ibpConfig,
      },
    });
    const topic = randomTopic();
    const controller = (await cluster.waitForController()).brokerId;
    // Leader 1; the frozen follower is not the controller (it must answer AlterPartition).
    const follower = [2, 3].find((id) => id !== controller)!;
    const observer = [2, 3].find((id) => id !== follower)!;
    const c1 = await connect(cluster, 1);
    const created = await c1.request(19, 0, {
      topics: [
        {
          name: topic,
          numPartitions: -1,
          replicationFactor: -1,
          assignments: [{ partitionIndex: 0, brokerIds: [1, 2, 3] }],
          configs: [],
        },
      ],
      timeoutMs: 15000,
      validateOnly: false,
    });
    expect(created.topics[0].errorCode).toBe(0);
    const obs = await connect(cluster, observer);
    await waitFor(
      'all three in the served ISR',
      async () => (await servedIsr(obs, topic)).length === 3,
    );
    const before = await state(cluster.zkClient, topic);
    expect(before.leader).toBe(1);

    // Keep writing, so a frozen follower falls behind the leader's LEO.
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        const r = await c1.request(0, 0, {
          transactionalId: null,
          acks: 1,
          timeoutMs: 5000,
          topics: [
            { name: topic, partitions: [{ index: 0, records: batchOf([{ value: `v${i}` }]) }] },
          ],
        });
        expect(r.topics[0].partitions[0].errorCode).toBe(0);
        await new Promise((res) => setTimeout(res, 20));
      }
    })();

    const t0 = Date.now();
    cluster.broker(follower).pause();
    const shrunk = await waitFor(
      'the follower out of the ISR in ZooKeeper',
      async () => {
        const s = await state(cluster.zkClient, topic);
        return s.isr.includes(follower) ? undefined : s;
      },
      { timeoutMs: 10000, intervalMs: 50 },
    );
    const shrinkMs = Date.now() - t0;
    expect(shrinkMs).toBeGreaterThanOrEqual(LAG_MS);
    expect(shrunk.leaderEpoch).toBe(before.leaderEpoch);
    expect(shrunk.leader).toBe(1);
    expect(shrunk.isr.sort()).toEqual([1, observer].sort());
    expect(shrunk.zkVersion).toBe(before.zkVersion + 1);
    await waitFor(
      'brokers serve the shrunk ISR',
      async () => (await servedIsr(obs, topic)).join(',') === [1, observer].sort().join(','),
      { timeoutMs: 5000 },
    );

    cluster.broker(follower).resume();
    const expanded = await waitFor(
      'the follower back in the ISR in ZooKeeper',
      async () => {
        const s = await state(cluster.zkClient, topic);
        return s.isr.includes(follower) ? s : undefined;
      },
      { timeoutMs: 10000, intervalMs: 50 },
    );
    expect(expanded.leaderEpoch).toBe(before.leaderEpoch);
    expect(expanded.isr.sort()).toEqual([1, 2, 3]);
    await waitFor(
      'brokers serve the full ISR again',
      async () => (await servedIsr(obs, topic)).length === 3,
      { timeoutMs: 5000 },
    );
    writing = false;
    await writer;
    console.log(`ISR shrink after SIGSTOP (replica.lag.time.max.ms=${LAG_MS}): ${shrinkMs} ms`);
    const leaderLog = cluster.broker(1).stdout + cluster.broker(1).stderr;
    expect(leaderLog).toMatch(/shrinking ISR/);
    expect(leaderLog).toMatch(/expanding ISR/);
    if ('inter.broker.protocol.version' in ibpConfig)
      expect(leaderLog).toMatch(/wrote ISR to ZooKeeper/);
    else {
      const ctl = cluster.broker(controller).stdout + cluster.broker(controller).stderr;
      expect(ctl).toMatch(/ISR changed by the partition leader \(AlterPartition\)/);
    }
  });
});
