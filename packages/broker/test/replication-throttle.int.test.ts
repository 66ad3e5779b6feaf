/**
 * Replication throttles on a live cluster of broker processes (compiled JS: run
 * `npx tsc -b` first), driven as Kafka's operators drive them: `kzoo reassign-partitions
 * --execute --throttle` sets the per-broker rates and the topic's throttled replicas,
 * `--verify` removes them once the move is done, `--execute --additional --throttle`
 * changes the rate of a running move, `--cancel` puts one back and removes them, and
 * `kzoo configs --describe` reads them back.
 *
 * The throttled move is watched on the new replica's disk: the bytes it holds at every
 * sample stay under the rate times the time since the move started (with margins that
 * hold on a loaded machine: the bound only gets looser when a sample is late), and the
 * move takes at least half of size / rate. The same data moved without a throttle is
 * timed for comparison (logged, not asserted). A second cluster checks each side alone,
 * with the configs set by hand: a leader rate and a leader-side list hold one move, a
 * follower rate and a follower-side list another.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Admin, Producer } from '@kzoo/client';
import { freePorts, makeTempDir, removeDir, runCli, waitFor } from '@kzoo/testkit';
import { onCleanup, TestCluster } from '@kzoo/testkit/jest';
import { randomTopic } from './cluster';

jest.setTimeout(240000);

const KiB = 1024;
const FETCH_MAX = 64 * KiB; // replica.fetch.max.bytes: a fetch brings at most this much
const SIZE = 3 * 1024 * KiB; // bytes per partition moved
const RATE = 192 * KiB; // the throttle, bytes/s: 16 s for SIZE

/** The bytes of a partition's log segments on a broker's disk (0 while it has none). */
function logBytes(dataDir: string, topic: string, partition = 0): number {
  const dir = path.join(dataDir, `${topic}-${partition}`);
  if (!fs.existsSync(dir)) return 0;
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.log'))
    .reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0);
}

/** A gauge from a broker's Prometheus endpoint (undefined: not there). */
async function gauge(port: number, name: string): Promise<number | undefined> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  if (res.status !== 200) throw new Error(`GET /metrics on ${port}: ${res.status}`);
  const line = (await res.text()).split('\n').find((l) => l.startsWith(name + ' '));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

/**
 * A 3-broker cluster of processes (replica.fetch.max.bytes = FETCH_MAX), each serving
 * /metrics on `metricsPorts[id]`, and what the tests use on it.
 */
async function throttleCluster() {
  const cluster = await TestCluster.start({
    brokers: [],
    extraConfig: { 'replica.fetch.max.bytes': FETCH_MAX },
  });
  const ports = await freePorts(3);
  const metricsPorts: Record<number, number> = { 1: ports[0]!, 2: ports[1]!, 3: ports[2]! };
  await Promise.all(
    [1, 2, 3].map((id) => cluster.startBroker(id, { 'kzoo.metrics.port': metricsPorts[id]! })),
  );
  await cluster.waitForMetadata();
  const bootstrap = [1, 2, 3].map((b) => `127.0.0.1:${cluster.broker(b).port}`).join(',');
  const admin = new Admin({ 'bootstrap.servers': bootstrap });
  onCleanup(() => admin.close());
  const cli = (...args: string[]) =>
    runCli([...args, '--bootstrap-server', bootstrap], { timeoutMs: 60000 });
  const reassign = (...args: string[]) => cli('reassign-partitions', ...args);
  const describe = async (entityType: 'topics' | 'brokers', name: string) => {
    const r = await cli(
      'configs',
      '--describe',
      '--entity-type',
      entityType,
      '--entity-name',
      name,
      '--json',
    );
    expect(r.stderr).toBe('');
    const parsed = JSON.parse(r.stdout) as { configs: Array<{ name: string; value: string }> };
    return Object.fromEntries(parsed.configs.map((c) => [c.name, c.value]));
  };
  /** Sets a broker's dynamic config and waits until the broker itself reports it applied. */
  const setBrokerConfig = async (id: number, key: string, value: string) => {
    const r = await cli(
      'configs',
      '--alter',
      '--entity-type',
      'brokers',
      '--entity-name',
      String(id),
      '--add-config',
      `${key}=${value}`,
    );
    expect(r.code).toBe(0);
    await waitFor(
      `broker ${id} applied ${key}=${value}`,
      async () => (await describe('brokers', String(id)))[key] === value,
      { timeoutMs: 30000 },
    );
  };
  const dir = makeTempDir('kzoo-throttle-');
  onCleanup(() => removeDir(dir));
  const planFile = (name: string, moves: Array<{ topic: string; replicas: number[] }>) => {
    const f = path.join(dir, `${name}.json`);
    fs.writeFileSync(
      f,
      JSON.stringify({
        version: 1,
        partitions: moves.map((m) => ({ topic: m.topic, partition: 0, replicas: m.replicas })),
      }),
    );
    return f;
  };
  /** Is `topic`-0 on the brokers `replicas`, all in sync, with no move in progress? (`explain`: throw what is instead.) */
  const moved = async (topic: string, replicas: number[], explain = true) => {
    const ongoing = await admin.listPartitionReassignments(null);
    const [d] = await admin.describeTopics([topic]);
    const p = d?.partitions[0];
    const done =
      ongoing.length === 0 &&
      // (as a set: a cancelled move keeps Kafka's order of the full set minus the adding ones)
      [...(p?.replicas ?? [])].sort().join(',') === [...replicas].sort().join(',') &&
      p.isr.length === replicas.length;
    if (done || !explain) return done;
    throw new Error(
      `${topic}-0 on ${p?.replicas.join(',')} isr ${p?.isr.join(',')}; moves in progress: ${ongoing
        .map((o) => `${o.topic}-${o.partition} ${o.replicas.join(',')}`)
        .join(' ')}`,
    );
  };
  const producer = new Producer({ 'bootstrap.servers': bootstrap, acks: 'all', 'linger.ms': 5 });
  onCleanup(() => producer.close());
  /** `bytes` of 16 KiB records into partition 0 of each topic. */
  const produce = async (topics: string[], bytes: number) => {
    const value = Buffer.alloc(16 * KiB, 7);
    for (const topic of topics) {
      const sends: Promise<unknown>[] = [];
      for (let i = 0; i < bytes / value.length; i++)
        sends.push(producer.send(topic, { partition: 0, value }));
      await Promise.all(sends);
    }
  };
  return {
    cluster,
    metricsPorts,
    admin,
    cli,
    reassign,
    describe,
    setBrokerConfig,
    planFile,
    moved,
    produce,
  };
}

describe('Broker > replication throttles (processes)', () => {
  it('reassign-partitions --throttle holds a move to the rate, --verify removes the throttles, --additional changes them', async () => {
    const { cluster, admin, reassign, describe, setBrokerConfig, moved, produce, ...t } =
      await throttleCluster();
    const planFile = (topic: string, replicas: number[]) =>
      t.planFile(topic, [{ topic, replicas }]);

    // Three single-replica topics on broker 1, SIZE bytes each.
    const [baseline, throttled, raised] = [
      randomTopic('plain'),
      randomTopic('throttled'),
      randomTopic('raised'),
    ];
    await admin.createTopics(
      [baseline, throttled, raised].map((topic) => ({ topic, replicaAssignment: { 0: [1] } })),
    );
    await produce([baseline, throttled, raised], SIZE);
    const leaderDir = cluster.broker(1).dataDir;
    const size = logBytes(leaderDir, throttled);
    expect(size).toBeGreaterThanOrEqual(SIZE);

    // 1. The same data moved without a throttle (for the comparison in the log).
    let t0 = performance.now();
    const plain = await reassign(
      '--execute',
      '--reassignment-json-file',
      planFile(baseline, [1, 2]),
    );
    expect(plain.stderr).toBe('');
    expect(plain.stdout).not.toContain('throttle limit');
    await waitFor('the unthrottled move done', () => moved(baseline, [1, 2]), { timeoutMs: 60000 });
    const unthrottledMs = performance.now() - t0;

    // 2. The throttled move, 1 -> 1,3. The rate is set on broker 3 beforehand and read back
    // from it (what DescribeConfigs shows is what it applied), so the follower is held from
    // its first fetch; --execute sets it again on brokers 1 and 3, with the topic's lists.
    await setBrokerConfig(3, 'follower.replication.throttled.rate', String(RATE));
    const newDir = cluster.broker(3).dataDir;
    const plan = planFile(throttled, [1, 3]);
    t0 = performance.now();
    const exec = await reassign(
      '--execute',
      '--reassignment-json-file',
      plan,
      '--throttle',
      String(RATE),
    );
    expect(exec.stderr).toBe('');
    expect(exec.code).toBe(0);
    expect(exec.stdout).toContain(
      'Warning: You must run --verify periodically, until the reassignment completes, to ensure the throttle is removed.',
    );
    expect(exec.stdout).toContain(`The inter-broker throttle limit was set to ${RATE} B/s`);
    expect(exec.stdout).toContain(`Successfully started partition reassignment for ${throttled}-0`);
    // while it runs: --verify says so and leaves the throttles; a second --execute is refused
    // (first, while the move surely runs: a CLI start takes seconds on a loaded machine)
    const [midway, again] = await Promise.all([
      reassign('--verify', '--reassignment-json-file', plan),
      reassign('--execute', '--reassignment-json-file', plan),
    ]);
    expect(midway.stdout).toContain(
      `Reassignment of partition ${throttled}-0 is still in progress.`,
    );
    expect(midway.stdout).not.toContain('Clearing');
    expect(midway.code).toBe(1);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(
      'Cannot execute because there is an existing partition assignment.  Use --additional to override this',
    );

    // Kafka's lists: the leader side names the existing replica, the follower side the new one
    const topicConfigs = await describe('topics', throttled);
    expect(topicConfigs['leader.replication.throttled.replicas']).toBe('0:1');
    expect(topicConfigs['follower.replication.throttled.replicas']).toBe('0:3');
    for (const b of ['1', '3']) {
      const c = await describe('brokers', b);
      expect(c['leader.replication.throttled.rate']).toBe(String(RATE));
      expect(c['follower.replication.throttled.rate']).toBe(String(RATE));
    }
    const samples: Array<{ ms: number; bytes: number }> = [];
    await waitFor(
      'the throttled move done',
      async () => {
        const bytes = logBytes(newDir, throttled);
        samples.push({ ms: performance.now() - t0, bytes }); // the time after the size: a looser bound
        return moved(throttled, [1, 3]);
      },
      { timeoutMs: 120000, intervalMs: 200 },
    );
    const throttledMs = performance.now() - t0;
    const fastest = Math.max(...samples.map((s) => s.bytes / Math.max(s.ms / 1000, 1)));
    console.log(
      `replication throttle: ${size} bytes moved in ${(throttledMs / 1000).toFixed(1)} s at ${RATE} B/s ` +
        `(size/rate ${(size / RATE).toFixed(1)} s; highest bytes/elapsed seen ${fastest.toFixed(0)} B/s), ` +
        `unthrottled ${(unthrottledMs / 1000).toFixed(1)} s`,
    );
    for (const s of samples)
      expect(s.bytes).toBeLessThanOrEqual(1.5 * RATE * Math.max(s.ms / 1000, 1) + 2 * FETCH_MAX);
    expect(throttledMs).toBeGreaterThanOrEqual(((0.5 * size) / RATE) * 1000);
    expect(logBytes(newDir, throttled)).toBe(logBytes(leaderDir, throttled));

    // --verify: done, and every throttle removed (read back from ZooKeeper)
    const done = await reassign('--verify', '--reassignment-json-file', plan);
    expect(done.code).toBe(0);
    expect(done.stdout).toContain(`Reassignment of partition ${throttled}-0 is completed.`);
    expect(done.stdout).toContain('Clearing broker-level throttles on brokers 1,2,3');
    expect(done.stdout).toContain(`Clearing topic-level throttles on topic ${throttled}`);
    const cleared = await describe('topics', throttled);
    expect(cleared['leader.replication.throttled.replicas']).toBeUndefined();
    expect(cleared['follower.replication.throttled.replicas']).toBeUndefined();
    for (const b of ['1', '2', '3']) {
      const c = await describe('brokers', b);
      expect(c['leader.replication.throttled.rate']).toBeUndefined();
      expect(c['follower.replication.throttled.rate']).toBeUndefined();
    }

    // 3. --additional raises the throttle of a running move: at 8 KiB/s the move would take
    // minutes; raised, it finishes within the ceiling.
    const slow = 8 * KiB;
    await setBrokerConfig(3, 'follower.replication.throttled.rate', String(slow));
    const raisedPlan = planFile(raised, [1, 3]);
    t0 = performance.now();
    const start = await reassign(
      '--execute',
      '--reassignment-json-file',
      raisedPlan,
      '--throttle',
      String(slow),
    );
    expect(start.code).toBe(0);
    await waitFor('the slow move under way', () => logBytes(newDir, raised) > 0, {
      timeoutMs: 30000,
    });
    const heldBytes = logBytes(newDir, raised);
    const heldMs = performance.now() - t0;
    expect(await moved(raised, [1, 3], false)).toBe(false);
    expect(heldBytes).toBeLessThanOrEqual(1.5 * slow * Math.max(heldMs / 1000, 1) + 2 * FETCH_MAX);
    const fast = 100 * 1024 * KiB;
    const more = await reassign(
      '--execute',
      '--additional',
      '--reassignment-json-file',
      raisedPlan,
      '--throttle',
      String(fast),
    );
    expect(more.stderr).toBe('');
    expect(more.code).toBe(0);
    expect(more.stdout).toContain(`The inter-broker throttle limit was set to ${fast} B/s`);
    expect((await describe('brokers', '3'))['follower.replication.throttled.rate']).toBe(
      String(fast),
    );
    await waitFor('the raised move done', () => moved(raised, [1, 3]), { timeoutMs: 60000 });
    const verified = await reassign('--verify', '--reassignment-json-file', raisedPlan);
    expect(verified.code).toBe(0);
    expect(
      (await describe('topics', raised))['follower.replication.throttled.replicas'],
    ).toBeUndefined();
    expect((await describe('brokers', '3'))['follower.replication.throttled.rate']).toBeUndefined();

    // 4. --cancel puts a throttled move back and removes the throttles (Kafka's
    // cancelAssignment). The plain topic, now on 1,2, moving to 2,3: the leader side lists
    // both existing replicas.
    await setBrokerConfig(3, 'follower.replication.throttled.rate', String(slow));
    const backPlan = planFile(baseline, [2, 3]);
    const back = await reassign(
      '--execute',
      '--reassignment-json-file',
      backPlan,
      '--throttle',
      String(slow),
    );
    expect(back.code).toBe(0);
    const lists = await describe('topics', baseline);
    expect(lists['leader.replication.throttled.replicas']).toBe('0:1,0:2');
    expect(lists['follower.replication.throttled.replicas']).toBe('0:3');
    const cancelled = await reassign('--cancel', '--reassignment-json-file', backPlan);
    expect(cancelled.code).toBe(0);
    expect(cancelled.stdout).toContain(
      `Successfully cancelled partition reassignments for: ${baseline}-0`,
    );
    expect(cancelled.stdout).toContain(`Clearing topic-level throttles on topic ${baseline}`);
    await waitFor('the cancelled move back on 1,2', () => moved(baseline, [1, 2]), {
      timeoutMs: 60000,
    });
    expect(await describe('topics', baseline)).not.toHaveProperty(
      'leader.replication.throttled.replicas',
    );
    for (const b of ['1', '2', '3'])
      expect(await describe('brokers', b)).not.toHaveProperty(
        'follower.replication.throttled.rate',
      );
  });

  it('each side alone: a leader rate holds its throttled partition, a follower rate its own (configs set by hand)', async () => {
    const {
      cluster,
      metricsPorts,
      admin,
      reassign,
      describe,
      setBrokerConfig,
      planFile,
      moved,
      produce,
    } = await throttleCluster();
    // L is throttled only where broker 1 leads it, F only where broker 3 follows it. The lists
    // are topic configs from creation, so each broker has them with the partition.
    const L = randomTopic('leader-side');
    const F = randomTopic('follower-side');
    await admin.createTopics([
      {
        topic: L,
        replicaAssignment: { 0: [1] },
        configs: { 'leader.replication.throttled.replicas': '0:1' },
      },
      {
        topic: F,
        replicaAssignment: { 0: [1] },
        configs: { 'follower.replication.throttled.replicas': '0:3' },
      },
    ]);
    expect((await describe('topics', L))['leader.replication.throttled.replicas']).toBe('0:1');
    await produce([L, F], SIZE);
    const size = logBytes(cluster.broker(1).dataDir, L);
    await setBrokerConfig(1, 'leader.replication.throttled.rate', String(RATE));
    await setBrokerConfig(3, 'follower.replication.throttled.rate', String(RATE));

    // both moves at once, without --throttle (it would set both sides)
    const plan = planFile('both', [
      { topic: L, replicas: [1, 2] },
      { topic: F, replicas: [1, 3] },
    ]);
    const t0 = performance.now();
    const exec = await reassign('--execute', '--reassignment-json-file', plan);
    expect(exec.code).toBe(0);
    const samples: Array<{ ms: number; L: number; F: number }> = [];
    // the rates the quotas measure (Kafka's LeaderReplication / FollowerReplication byte-rate)
    const measured = { leader: [] as number[], follower: [] as number[] };
    const doneMs: Record<string, number> = {};
    await waitFor(
      'both moves done',
      async () => {
        const l = logBytes(cluster.broker(2).dataDir, L);
        const f = logBytes(cluster.broker(3).dataDir, F);
        const ms = performance.now() - t0;
        samples.push({ ms, L: l, F: f });
        measured.leader.push(
          (await gauge(metricsPorts[1]!, 'kafka_server_leaderreplication_byte_rate')) ?? NaN,
        );
        measured.follower.push(
          (await gauge(metricsPorts[3]!, 'kafka_server_followerreplication_byte_rate')) ?? NaN,
        );
        for (const [topic, bytes] of [
          [L, l],
          [F, f],
        ] as const)
          if (bytes >= size && doneMs[topic] === undefined) doneMs[topic] = ms;
        return (await moved(L, [1, 2])) && (await moved(F, [1, 3]));
      },
      { timeoutMs: 120000, intervalMs: 200 },
    );
    for (const topic of [L, F]) doneMs[topic] ??= performance.now() - t0;
    console.log(
      `replication throttle, one side each at ${RATE} B/s: leader side ${(doneMs[L]! / 1000).toFixed(1)} s, ` +
        `follower side ${(doneMs[F]! / 1000).toFixed(1)} s (size/rate ${(size / RATE).toFixed(1)} s); ` +
        `highest byte-rate gauges: leader ${Math.max(...measured.leader).toFixed(0)}, ` +
        `follower ${Math.max(...measured.follower).toFixed(0)} B/s`,
    );
    // Each quota saw its side's bytes and held them near the rate: at most one fetch over
    // it (a fetch is let through while the rate is within the bound), plus the 11/10 a
    // window shift can add.
    for (const side of ['leader', 'follower'] as const) {
      expect(measured[side].every((r) => Number.isFinite(r))).toBe(true);
      expect(Math.max(...measured[side])).toBeGreaterThan(0);
      expect(Math.max(...measured[side])).toBeLessThanOrEqual(1.5 * RATE + FETCH_MAX);
    }
    for (const s of samples) {
      const bound = 1.5 * RATE * Math.max(s.ms / 1000, 1) + 2 * FETCH_MAX;
      expect(s.L).toBeLessThanOrEqual(bound);
      expect(s.F).toBeLessThanOrEqual(bound);
    }
    expect(doneMs[L]).toBeGreaterThanOrEqual(((0.5 * size) / RATE) * 1000);
    expect(doneMs[F]).toBeGreaterThanOrEqual(((0.5 * size) / RATE) * 1000);
  });
});
