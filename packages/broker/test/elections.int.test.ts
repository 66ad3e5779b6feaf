/**
 * Controller elections with broker processes (compiled JS: run `npx tsc -b` first), where
 * a real SIGKILL matters: failover of a dead leader, unclean elections, a controller that
 * dies half way through a broker failure, controlled shutdown.
 */
import { Admin, Producer } from '@kzoo/client';
import { ApiKeys, Connection } from '@kzoo/protocol';
import { waitFor } from '@kzoo/testkit';
import { onCleanup, TestCluster } from '@kzoo/testkit/jest';
import { batchOf, metadata, randomTopic } from './cluster';
import { fetchValues, partitionState, producePartition } from './raw';

const SESSION_MS = 2000;
/**
 * "It happens" ceilings for wall-clock waits on a loaded machine. The tight bounds
 * ("within X") are unit tests on the mock clock: KafkaController.test.ts (failover adds
 * no timer to ZooKeeper's session expiry).
 */
const CEILING_MS = 15000;

async function connect(cluster: TestCluster, id: number): Promise<Connection> {
  const c = await Connection.connect({ host: '127.0.0.1', port: cluster.broker(id).port });
  onCleanup(() => c.close());
  return c;
}

/** Creates `topic` through broker `via`, with explicit assignments when given. */
async function create(
  conn: Connection,
  topic: string,
  opts: {
    partitions?: number;
    rf?: number;
    assignments?: number[][];
    configs?: Record<string, string>;
  },
): Promise<void> {
  const r = await conn.request(ApiKeys.CreateTopics, 0, {
    topics: [
      {
        name: topic,
        numPartitions: opts.assignments ? -1 : (opts.partitions ?? 1),
        replicationFactor: opts.assignments ? -1 : (opts.rf ?? 3),
        assignments: (opts.assignments ?? []).map((brokerIds, partitionIndex) => ({
          partitionIndex,
          brokerIds,
        })),
        configs: Object.entries(opts.configs ?? {}).map(([name, value]) => ({ name, value })),
      },
    ],
    timeoutMs: 15000,
    validateOnly: false,
  });
  expect(r.topics[0]).toMatchObject({ errorCode: 0 });
}

describe('Broker > controller > elections (processes)', () => {
  it('RF=3: after SIGKILL of the leader, an ISR member leads and serves every acks=all record', async () => {
    const cluster = await TestCluster.start({ brokers: 3, sessionTimeoutMs: SESSION_MS });
    const topic = randomTopic();
    const c1 = await connect(cluster, 1);
    await create(c1, topic, { partitions: 1, rf: 3 });
    const before = await partitionState(cluster.zkClient, topic, 0);
    expect(before.isr.sort()).toEqual([1, 2, 3]);
    expect(before.leaderEpoch).toBe(0);
    const old = before.leader;
    const survivor = [1, 2, 3].find((b) => b !== old)!;
    const conn = await connect(cluster, survivor);
    // Records acknowledged by every ISR member (acks=all) before the kill.
    const oldConn = await connect(cluster, old);
    const acked: string[] = [];
    for (let i = 0; i < 50; i++) {
      const r = await producePartition(oldConn, topic, 0, batchOf([{ value: `a${i}` }]), {
        acks: -1,
      });
      expect(r.errorCode).toBe(0);
      acked.push(`a${i}`);
    }

    // When the leader is also the controller, the new controller first takes the dead
    // replica out of the ISR (leader -1, epoch 1), then elects (epoch 2), as Kafka's does.
    const leaderWasController = (await cluster.controller())?.brokerId === old;
    const t0 = Date.now();
    await cluster.broker(old).kill('SIGKILL');
    const newLeader = await waitFor(
      'a new leader in the survivors’ metadata',
      async () => {
        const p = (await metadata(conn, [topic])).topics[0].partitions[0];
        return p && p.leaderId >= 0 && p.leaderId !== old ? p.leaderId : undefined;
      },
      { timeoutMs: 15000, intervalMs: 20 },
    );
    const leaderConn = await connect(cluster, newLeader);
    await waitFor(
      'the new leader accepts a produce',
      async () =>
        (await producePartition(leaderConn, topic, 0, batchOf([{ value: 'after' }]))).errorCode ===
        0,
      { timeoutMs: 15000, intervalMs: 20 },
    );
    const elapsed = Date.now() - t0;
    console.log(
      `leader failover (SIGKILL → new leader serving): ${elapsed} ms (session timeout ${SESSION_MS} ms)`,
    );
    expect(elapsed).toBeLessThan(SESSION_MS + CEILING_MS);

    const after = await partitionState(cluster.zkClient, topic, 0);
    expect(before.isr).toContain(after.leader);
    expect(after.leader).toBe(newLeader);
    expect(after.leaderEpoch).toBe(leaderWasController ? 2 : 1);
    expect(after.isr).not.toContain(old);
    expect(after.isr.sort()).toEqual([1, 2, 3].filter((b) => b !== old));
    expect(after.controllerEpoch).toBe((await cluster.controller())!.epoch);
    // Every acknowledged record is there (once the new leader's high watermark covers it).
    await waitFor('every acks=all record readable from the new leader', async () => {
      const got = await fetchValues(leaderConn, topic, 0);
      return acked.every((v) => got.includes(v));
    });
    const got = await fetchValues(leaderConn, topic, 0);
    expect(got.slice(0, acked.length)).toEqual(acked);
  });

  it('all ISR members dead: offline without unclean election; with it, an out-of-sync replica leads and acked records are lost', async () => {
    const cluster = await TestCluster.start({ brokers: 3, sessionTimeoutMs: SESSION_MS });
    const clean = randomTopic('clean');
    const unclean = randomTopic('unclean');
    const c1 = await connect(cluster, 1);
    await create(c1, clean, { assignments: [[1, 2, 3]] });
    await create(c1, unclean, {
      assignments: [[1, 2, 3]],
      configs: { 'unclean.leader.election.enable': 'true' },
    });
    const manual = randomTopic('manual');
    await create(c1, manual, { assignments: [[1, 2, 3]] });
    // Broker 3 dies: it leaves both ISRs.
    await cluster.broker(3).kill('SIGKILL');
    for (const t of [clean, unclean])
      await waitFor(`3 out of the ISR of ${t}`, async () => {
        const s = await partitionState(cluster.zkClient, t, 0);
        return s.isr.length === 2 && !s.isr.includes(3) && s.leader === 1;
      });
    // Records acknowledged by the whole ISR (acks=all) while 3 is away.
    const acked: string[] = [];
    for (let i = 0; i < 20; i++) {
      const r = await producePartition(c1, unclean, 0, batchOf([{ value: `v${i}` }]), { acks: -1 });
      expect(r.errorCode).toBe(0);
      acked.push(`v${i}`);
    }
    // Every ISR member dies.
    await Promise.all([cluster.broker(1).kill('SIGKILL'), cluster.broker(2).kill('SIGKILL')]);
    await cluster.waitForBrokers([], 15000);
    // The out-of-sync replica comes back.
    await cluster.startBroker(3);
    await waitFor(
      'the unclean topic led by 3',
      async () => (await partitionState(cluster.zkClient, unclean, 0)).leader === 3,
      { timeoutMs: 15000 },
    );
    const u = await partitionState(cluster.zkClient, unclean, 0);
    expect(u.isr).toEqual([3]);
    const c3 = await connect(cluster, 3);
    await waitFor(
      '3 serves the unclean topic',
      async () =>
        (await producePartition(c3, unclean, 0, batchOf([{ value: 'new' }]))).errorCode === 0,
    );
    const present = new Set(await fetchValues(c3, unclean, 0));
    const lost = acked.filter((v) => !present.has(v));
    console.log(`unclean election: ${lost.length} of ${acked.length} acknowledged records lost`);
    expect(lost.length).toBe(acked.length);
    expect(cluster.broker(3).stdout + cluster.broker(3).stderr).toMatch(/Unclean leader election/);

    // The clean topic stays offline: leader -1, the last ISR member still listed.
    const off = await partitionState(cluster.zkClient, clean, 0);
    expect(off.leader).toBe(-1);
    expect(off.isr).toHaveLength(1);
    expect([1, 2]).toContain(off.isr[0]);
    const md = (await metadata(c3, [clean])).topics[0].partitions[0];
    expect(md.leaderId).toBe(-1);
    expect((await producePartition(c3, clean, 0, batchOf([{ value: 'x' }]))).errorCode).not.toBe(0);

    // An unclean election on request (ElectLeaders, type unclean) for the third topic.
    const admin = new Admin({ 'bootstrap.servers': `127.0.0.1:${cluster.broker(3).port}` });
    onCleanup(() => admin.close());
    expect((await partitionState(cluster.zkClient, manual, 0)).leader).toBe(-1);
    const r = await admin.electLeaders(
      [
        { topic: manual, partition: 0 },
        { topic: unclean, partition: 0 },
      ],
      { electionType: 'unclean' },
    );
    expect(r.map((x) => [x.topic, x.error])).toEqual([
      [manual, null],
      [unclean, 'ELECTION_NOT_NEEDED'],
    ]);
    expect(await partitionState(cluster.zkClient, manual, 0)).toMatchObject({
      leader: 3,
      isr: [3],
    });

    // The listed ISR member returns: the partition is back, led by it.
    const member = off.isr[0];
    await cluster.startBroker(member);
    await waitFor(
      `the clean topic led by ${member}`,
      async () => (await partitionState(cluster.zkClient, clean, 0)).leader === member,
      { timeoutMs: 15000 },
    );
  });

  it('the controller killed in the middle of a broker failure: the next controller finishes the elections', async () => {
    const cluster = await TestCluster.start({ brokers: 4, sessionTimeoutMs: SESSION_MS });
    const topic = randomTopic();
    const ctl = await cluster.waitForController();
    const c = await connect(cluster, ctl.brokerId);
    const partitions = 12;
    await create(c, topic, { partitions, rf: 3 });
    const initial = await Promise.all(
      Array.from({ length: partitions }, (_, p) => partitionState(cluster.zkClient, topic, p)),
    );
    // The broker leading the most partitions (not the controller) dies first.
    const counts = new Map<number, number>();
    for (const s of initial) counts.set(s.leader, (counts.get(s.leader) ?? 0) + 1);
    const victim = [...counts.entries()]
      .filter(([b]) => b !== ctl.brokerId)
      .sort((a, b) => b[1] - a[1])[0][0];
    await cluster.broker(victim).kill('SIGKILL');
    // As soon as the controller has written its first partition state, it dies too.
    const changedBeforeKill = await waitFor(
      'the controller starts the failover',
      async () => {
        const now = await Promise.all(
          Array.from({ length: partitions }, (_, p) => partitionState(cluster.zkClient, topic, p)),
        );
        const n = now.filter((s, p) => s.leaderEpoch > initial[p].leaderEpoch).length;
        return n > 0 ? n : undefined;
      },
      { timeoutMs: 15000, intervalMs: 5 },
    );
    await cluster.broker(ctl.brokerId).kill('SIGKILL');
    const touched = initial.filter(
      (s) => s.isr.includes(victim) || s.isr.includes(ctl.brokerId),
    ).length;
    console.log(
      `partition states already rewritten when the old controller was killed: ${changedBeforeKill} of ${touched} it had to change`,
    );
    const survivors = [1, 2, 3, 4].filter((b) => b !== victim && b !== ctl.brokerId);
    const next = await cluster.waitForController(
      (x) => x.epoch > ctl.epoch && survivors.includes(x.brokerId),
    );
    await waitFor(
      'every partition led by a survivor, no dead broker in any ISR',
      async () => {
        const now = await Promise.all(
          Array.from({ length: partitions }, (_, p) => partitionState(cluster.zkClient, topic, p)),
        );
        return now.every(
          (s) =>
            survivors.includes(s.leader) &&
            s.isr.includes(s.leader) &&
            s.isr.every((r) => survivors.includes(r)),
        );
      },
      { timeoutMs: 15000 },
    );
    // Partitions the dead brokers were part of were last written by the new controller.
    const final = await Promise.all(
      Array.from({ length: partitions }, (_, p) => partitionState(cluster.zkClient, topic, p)),
    );
    for (let p = 0; p < partitions; p++) {
      if (initial[p].isr.includes(ctl.brokerId)) expect(final[p].controllerEpoch).toBe(next.epoch);
    }
    // The survivors' metadata agrees with ZooKeeper.
    const s0 = await connect(cluster, survivors[0]);
    await waitFor('metadata matches ZooKeeper', async () => {
      const md = (await metadata(s0, [topic])).topics[0].partitions;
      return md.every((mp) => mp.leaderId === final[mp.partitionIndex].leader);
    });
  });

  it('controlled shutdown (SIGTERM) moves every leadership before exit; producers see no error', async () => {
    const cluster = await TestCluster.start({
      brokers: 3,
      sessionTimeoutMs: SESSION_MS,
      extraConfig: { 'controlled.shutdown.retry.backoff.ms': 200 },
    });
    const topic = randomTopic();
    const ctl = await cluster.waitForController();
    const c = await connect(cluster, ctl.brokerId);
    const partitions = 6;
    await create(c, topic, { partitions, rf: 3 });
    const initial = await Promise.all(
      Array.from({ length: partitions }, (_, p) => partitionState(cluster.zkClient, topic, p)),
    );
    const victim = [1, 2, 3].find(
      (b) => b !== ctl.brokerId && initial.some((s) => s.leader === b),
    )!;
    const bootstrap = [1, 2, 3]
      .filter((b) => b !== victim)
      .map((b) => `127.0.0.1:${cluster.broker(b).port}`)
      .join(',');
    const producer = new Producer({
      'bootstrap.servers': bootstrap,
      acks: 'all',
      'retry.backoff.ms': 50,
      'linger.ms': 0,
    });
    onCleanup(() => producer.close());
    let running = true;
    // Runs before the producer's close (cleanups run last-registered first): a test that
    // fails must not leave this loop sending into a closed producer, whose immediate
    // rejections never yield to the event loop (it ran a jest worker out of heap once).
    onCleanup(() => void (running = false));
    const errors: unknown[] = [];
    let sent = 0;
    const loop = (async () => {
      while (running) {
        await new Promise((r) => setImmediate(r));
        const batch = Array.from({ length: partitions }, (_, partition) =>
          producer.send(topic, { partition, value: `v${sent}` }).then(
            () => undefined,
            (e) => errors.push(e),
          ),
        );
        sent += partitions;
        await Promise.all(batch);
      }
    })();
    await waitFor('some records sent', () => sent > 60);
    const t0 = Date.now();
    const code = await cluster.broker(victim).stop(30000);
    console.log(`controlled shutdown (SIGTERM → exit, leaderships moved): ${Date.now() - t0} ms`);
    expect(code).toBe(0);
    const log = cluster.broker(victim).stdout + cluster.broker(victim).stderr;
    expect(log).toMatch(/controlled shutdown succeeded/);
    // After it is gone, nothing is led by it and it is in no ISR.
    const after = await Promise.all(
      Array.from({ length: partitions }, (_, p) => partitionState(cluster.zkClient, topic, p)),
    );
    for (const s of after) {
      expect(s.leader).not.toBe(victim);
      expect(s.leader).toBeGreaterThanOrEqual(0);
      expect(s.isr).not.toContain(victim);
    }
    const base = sent;
    await waitFor('more records sent after the shutdown', () => sent > base + 60);
    running = false;
    await loop;
    expect(errors).toEqual([]);
  });

  it('preferred replica election: after the preferred leader returns to the ISR, ElectLeaders and the auto rebalance give it back its partitions', async () => {
    const cluster = await TestCluster.start({
      brokers: 3,
      sessionTimeoutMs: SESSION_MS,
      extraConfig: { 'leader.imbalance.check.interval.seconds': 1 },
    });
    const manual = randomTopic('manual');
    const c1 = await connect(cluster, 1);
    await create(c1, manual, { assignments: [[2, 1, 3]] });
    await cluster.broker(2).kill('SIGKILL');
    await waitFor('1 leads after 2 died', async () => {
      const s = await partitionState(cluster.zkClient, manual, 0);
      return s.leader === 1 && !s.isr.includes(2);
    });
    await cluster.startBroker(2);
    await waitFor(
      '2 back in the ISR',
      async () => (await partitionState(cluster.zkClient, manual, 0)).isr.includes(2),
      { timeoutMs: 20000 },
    );
    // Auto rebalance: broker 2's only partition is led by someone else (100 % > 10 %).
    const s = await waitFor(
      'the auto rebalance (every 1 s) moves leadership back to 2',
      async () => {
        const st = await partitionState(cluster.zkClient, manual, 0);
        return st.leader === 2 ? st : undefined;
      },
      { timeoutMs: 20000 },
    );
    expect(s.isr).toContain(1);
    // ElectLeaders now has nothing to do; an unknown partition is reported as such.
    const admin = new Admin({
      'bootstrap.servers': `127.0.0.1:${cluster.broker(1).port}`,
    });
    onCleanup(() => admin.close());
    const r = await admin.electLeaders([
      { topic: manual, partition: 0 },
      { topic: manual, partition: 7 },
    ]);
    expect(r).toEqual([
      expect.objectContaining({ topic: manual, partition: 0, error: 'ELECTION_NOT_NEEDED' }),
      expect.objectContaining({ topic: manual, partition: 7, error: 'UNKNOWN_TOPIC_OR_PARTITION' }),
    ]);
  });

  it('ElectLeaders moves leadership to the preferred replica on request', async () => {
    const cluster = await TestCluster.start({
      brokers: 3,
      sessionTimeoutMs: SESSION_MS,
      extraConfig: { 'auto.leader.rebalance.enable': false },
    });
    const topic = randomTopic();
    const c1 = await connect(cluster, 1);
    await create(c1, topic, {
      assignments: [
        [3, 1, 2],
        [3, 2, 1],
      ],
    });
    await cluster.broker(3).kill('SIGKILL');
    await waitFor('3 out of every ISR', async () =>
      (await Promise.all([0, 1].map((p) => partitionState(cluster.zkClient, topic, p)))).every(
        (x) => x.leader !== 3 && !x.isr.includes(3),
      ),
    );
    const admin = new Admin({ 'bootstrap.servers': `127.0.0.1:${cluster.broker(1).port}` });
    onCleanup(() => admin.close());
    const notYet = await admin.electLeaders(null);
    expect(notYet.filter((x) => x.topic === topic).map((x) => x.error)).toEqual([
      'PREFERRED_LEADER_NOT_AVAILABLE',
      'PREFERRED_LEADER_NOT_AVAILABLE',
    ]);
    await cluster.startBroker(3);
    await waitFor(
      '3 back in both ISRs',
      async () =>
        (await Promise.all([0, 1].map((p) => partitionState(cluster.zkClient, topic, p)))).every(
          (x) => x.isr.includes(3),
        ),
      { timeoutMs: 20000 },
    );
    const before = await Promise.all([0, 1].map((p) => partitionState(cluster.zkClient, topic, p)));
    const r = await admin.electLeaders([
      { topic, partition: 0 },
      { topic, partition: 1 },
    ]);
    expect(r.map((x) => x.error)).toEqual([null, null]);
    // The answer came once the controller's own metadata showed the new leaders (Kafka's
    // DelayedElectLeader), so a Metadata request to it right after sees them.
    const controllerId = (await cluster.zkClient.getControllerId())!;
    const cc = await connect(cluster, controllerId);
    const md = (await metadata(cc, [topic])).topics[0].partitions;
    expect(
      [...md].sort((a, b) => a.partitionIndex - b.partitionIndex).map((p) => p.leaderId),
    ).toEqual([3, 3]);
    const after = await Promise.all([0, 1].map((p) => partitionState(cluster.zkClient, topic, p)));
    for (const p of [0, 1]) {
      expect(after[p].leader).toBe(3);
      expect(after[p].leaderEpoch).toBe(before[p].leaderEpoch + 1);
      expect(after[p].isr.sort()).toEqual(before[p].isr.sort());
    }
  });
});
