/**
 * Per-link network faults on a proxied cluster of broker processes (compiled JS: run
 * `npx tsc -b` first): a broker cut from ZooKeeper only keeps replicating until the
 * controller acts on its expired session, and a broker cut from one peer only stops
 * fetching from it (the ISR shrinks) while its ZooKeeper session lives on.
 */
import { Connection } from '@kzoo/protocol';
import { buildRecordBatch } from '@kzoo/records';
import { waitFor } from '@kzoo/testkit';
import { onCleanup, TestCluster } from '@kzoo/testkit/jest';

const SESSION_MS = 4000;

function randomTopic(): string {
  return `nf-${Math.random().toString(36).slice(2, 10)}`;
}

async function connect(cluster: TestCluster, id: number): Promise<Connection> {
  // the hidden port: the test's own requests do not cross the faulty client links
  const c = await Connection.connect({ host: '127.0.0.1', port: cluster.broker(id).port });
  onCleanup(() => c.close());
  return c;
}

async function isrOf(cluster: TestCluster, topic: string): Promise<number[]> {
  const s = (await cluster.zkClient.getTopicPartitionStates([{ topic, partition: 0 }])).get(
    `${topic}-0`,
  );
  if (!s) throw new Error(`${topic}-0 has no state yet`);
  return [...s.isr].sort();
}

async function produce(conn: Connection, topic: string, acks: number, value: string) {
  const r = await conn.request(0, 0, {
    transactionalId: null,
    acks,
    timeoutMs: 5000,
    topics: [
      {
        name: topic,
        partitions: [{ index: 0, records: buildRecordBatch({ records: [{ value }] }) }],
      },
    ],
  });
  return r.topics[0].partitions[0].errorCode;
}

/**
 * A 3-broker proxied cluster and partition 0 of a new topic with replicas
 * [leader, follower, controller]: leader and follower are the two non-controllers.
 */
async function setup(extraConfig: Record<string, number>) {
  const cluster = await TestCluster.start({
    brokers: 3,
    network: 'proxied',
    sessionTimeoutMs: SESSION_MS,
    waitForMetadata: true,
    extraConfig: {
      'replica.fetch.wait.max.ms': 100,
      'replica.fetch.backoff.ms': 200,
      ...extraConfig,
    },
  });
  const controller = (await cluster.waitForController()).brokerId;
  const [leader, follower] = [1, 2, 3].filter((id) => id !== controller);
  const topic = randomTopic();
  const conn = await connect(cluster, leader);
  const created = await conn.request(19, 0, {
    topics: [
      {
        name: topic,
        numPartitions: -1,
        replicationFactor: -1,
        assignments: [{ partitionIndex: 0, brokerIds: [leader, follower, controller] }],
        configs: [],
      },
    ],
    timeoutMs: 15000,
    validateOnly: false,
  });
  expect(created.topics[0].errorCode).toBe(0);
  await waitFor('the full ISR', async () => (await isrOf(cluster, topic)).length === 3, {
    timeoutMs: 15000,
  });
  await waitFor(
    'an acks=all produce to succeed',
    async () => (await produce(conn, topic, -1, 'warm-up')) === 0,
    { timeoutMs: 15000 },
  );
  return { cluster, faults: cluster.faults!, controller, leader, follower, topic, conn };
}

describe('testkit > network faults > proxied cluster', () => {
  it('broker cut from ZooKeeper only: its fetches go on until the controller acts; the others keep their sessions', async () => {
    const { cluster, faults, controller, leader, follower, topic, conn } = await setup({
      'replica.lag.time.max.ms': 30000,
    });
    const epochs = async () =>
      Promise.all(
        [leader, controller, follower].map((id) => cluster.zkClient.getBrokerAndEpoch(id)),
      );
    const [leaderBefore, controllerBefore, followerBefore] = await epochs();
    const fetchLink = faults.link(follower, leader).proxy('PLAINTEXT');
    // clients are told the client proxies' addresses (advertised.listeners)
    const [host, port] = cluster.nativeBootstrap()[0].split(':');
    const viaProxy = await Connection.connect({ host, port: Number(port) });
    onCleanup(() => viaProxy.close());
    const md = await viaProxy.request(3, 0, { topics: [], allowAutoTopicCreation: false });
    expect(md.brokers.map((b) => `${b.host}:${b.port}`).sort()).toEqual(
      [...cluster.nativeBootstrap()].sort(),
    );

    faults.isolate(follower, 'zookeeper');
    expect(
      faults
        .links()
        .filter((l) => l.state !== 'pass')
        .map((l) => l.name),
    ).toEqual([`broker:${follower}->zookeeper`]);
    // acks=all waits for every ISR member: these succeed only if the cut-off follower
    // still fetches from the leader
    const bytesBefore = fetchLink.getStats().forwardBytes;
    for (let i = 0; i < 5; i++) expect(await produce(conn, topic, -1, `during-${i}`)).toBe(0);
    expect(await isrOf(cluster, topic)).toContain(follower);
    expect(fetchLink.getStats().forwardBytes).toBeGreaterThan(bytesBefore);

    // Its session expires; the controller removes it from the ISR, and never before.
    await waitFor(
      'the controller to remove the follower from the ISR',
      async () => {
        const isr = await isrOf(cluster, topic);
        if (isr.includes(follower)) return false;
        expect(await cluster.zkClient.getBrokerAndEpoch(follower)).toBeNull();
        return true;
      },
      { timeoutMs: 20000, intervalMs: 50 },
    );
    expect(await isrOf(cluster, topic)).toEqual([leader, controller].sort());
    expect(await produce(conn, topic, -1, 'after')).toBe(0);
    // the leader and the controller never lost their sessions
    const [leaderAfter, controllerAfter] = await epochs();
    expect(leaderAfter?.epoch).toBe(leaderBefore!.epoch);
    expect(controllerAfter?.epoch).toBe(controllerBefore!.epoch);

    faults.heal();
    await waitFor(
      'the follower registered again (a new session) and back in the ISR',
      async () => {
        const reg = await cluster.zkClient.getBrokerAndEpoch(follower);
        return (
          reg && reg.epoch !== followerBefore!.epoch && (await isrOf(cluster, topic)).length === 3
        );
      },
      { timeoutMs: 30000, intervalMs: 100 },
    );
  });

  it('partition(follower, leader): the follower stops fetching (ISR shrinks), its session stays; heal restores', async () => {
    const { cluster, faults, controller, leader, follower, topic, conn } = await setup({
      'replica.lag.time.max.ms': 2000,
    });
    const followerBefore = await cluster.zkClient.getBrokerAndEpoch(follower);

    faults.partition(follower, leader);
    expect(
      faults
        .links()
        .filter((l) => l.state !== 'pass')
        .map((l) => l.name)
        .sort(),
    ).toEqual(
      [`broker:${follower}->broker:${leader}`, `broker:${leader}->broker:${follower}`].sort(),
    );
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        expect(await produce(conn, topic, 1, `v${i}`)).toBe(0);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    try {
      await waitFor(
        'the follower out of the ISR',
        async () =>
          (await isrOf(cluster, topic)).join(',') === [leader, controller].sort().join(','),
        { timeoutMs: 20000, intervalMs: 50 },
      );
      // its ZooKeeper session never ended: same registration (broker epoch)
      const followerDuring = await cluster.zkClient.getBrokerAndEpoch(follower);
      expect(followerDuring?.epoch).toBe(followerBefore!.epoch);

      faults.heal(follower, leader);
      await waitFor(
        'the follower back in the ISR',
        async () => (await isrOf(cluster, topic)).length === 3,
        {
          timeoutMs: 30000,
          intervalMs: 100,
        },
      );
      expect((await cluster.zkClient.getBrokerAndEpoch(follower))?.epoch).toBe(
        followerBefore!.epoch,
      );
    } finally {
      writing = false;
      await writer;
    }
  });
});
