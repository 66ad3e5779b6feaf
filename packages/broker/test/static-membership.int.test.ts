/**
 * Static group membership (KIP-345) with a broker process and real clients: kcat
 * (librdkafka, `-X group.instance.id`) on the Kafka listener and kzoo's Consumer on the
 * native one. Two static members consume a topic; one is stopped (SIGKILL for kcat,
 * close() for kzoo, neither sends LeaveGroup) and restarted with the same instance id
 * within the session timeout: it gets its partitions back, the other member sees no
 * rebalance, nothing is consumed twice. Stopped past the session timeout, the group
 * rebalances and the survivor takes every partition. A second client with the same
 * instance id fences the first (FENCED_INSTANCE_ID, fatal for kzoo and librdkafka).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Admin, Consumer, Producer, type GroupDescription } from '@kzoo/client';
import { requireKcat, trackChild, waitFor } from '@kzoo/testkit';
import { onCleanup, TestCluster } from '@kzoo/testkit/jest';
import { randomTopic } from './cluster';

jest.setTimeout(240000);

const PARTITIONS = 4;
/** Long enough for a restart on a loaded machine, short enough to wait out once. */
const SESSION_MS = 15000;

async function setup(): Promise<{ cluster: TestCluster; admin: Admin; topic: string }> {
  const cluster = await TestCluster.start({ brokers: 1, waitForMetadata: true });
  const admin = new Admin({ 'bootstrap.servers': `127.0.0.1:${cluster.broker(1).port}` });
  onCleanup(() => admin.close());
  const topic = randomTopic('static');
  await admin.createTopics([{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }]);
  await waitFor(`${topic} has leaders`, async () => {
    const [d] = await admin.describeTopics([topic]);
    return d.partitions.length === PARTITIONS && d.partitions.every((p) => p.leader >= 0);
  });
  return { cluster, admin, topic };
}

async function produce(bootstrap: string, topic: string, from: number, n: number) {
  const producer = new Producer({ 'bootstrap.servers': bootstrap, 'linger.ms': 0 });
  try {
    await producer.send(
      topic,
      Array.from({ length: n }, (_, i) => ({
        partition: (from + i) % PARTITIONS,
        value: `v${from + i}`,
      })),
    );
  } finally {
    await producer.close();
  }
}

/** instance id -> { memberId, partitions (sorted) } of a Stable group with those members. */
function membersOf(d: GroupDescription): Map<string, { memberId: string; partitions: number[] }> {
  return new Map(
    d.members.map((m) => [
      m.groupInstanceId ?? `dynamic:${m.memberId}`,
      { memberId: m.memberId, partitions: m.assignment.map((tp) => tp.partition).sort() },
    ]),
  );
}

/** Waits until the group is Stable with exactly these instance ids, every partition assigned. */
async function stableWith(admin: Admin, group: string, instances: string[]) {
  return waitFor(
    `group ${group} Stable with members ${instances.join(', ')} owning every partition`,
    async () => {
      const [d] = await admin.describeGroups([group]);
      const members = membersOf(d);
      const owned = [...members.values()].flatMap((m) => m.partitions).sort();
      const ok =
        d.state === 'Stable' &&
        [...members.keys()].sort().join() === [...instances].sort().join() &&
        owned.join() === Array.from({ length: PARTITIONS }, (_, p) => p).join();
      return ok ? members : undefined;
    },
    { timeoutMs: 60000, intervalMs: 200 },
  );
}

async function committedAll(admin: Admin, group: string, topic: string, total: number) {
  await waitFor(
    `group ${group} committed ${total} records of ${topic}`,
    async () => {
      const offsets = await admin.listConsumerGroupOffsets(group);
      const sum = offsets
        .filter((o) => o.topic === topic)
        .reduce((s, o) => s + Math.max(o.offset, 0), 0);
      return sum === total;
    },
    { timeoutMs: 60000, intervalMs: 200 },
  );
}

/** Lines read more than once ("partition\toffset"). */
function duplicates(lines: string[]): string[] {
  const seen = new Set<string>();
  return lines.filter((l) => (seen.has(l) ? true : (seen.add(l), false)));
}

// ------------------------------------------------------------------ kcat

interface KcatMember {
  child: ChildProcess;
  /** "partition\toffset\tvalue" per record. */
  records: string[];
  stderr: () => string;
  /** kcat's "assigned:" rebalance lines so far. */
  assignedEvents: () => string[];
  exited: Promise<void>;
}

function startKcat(bootstrap: string, group: string, instanceId: string, topic: string) {
  requireKcat();
  const child = spawn(
    'kcat',
    [
      '-b',
      bootstrap,
      '-G',
      group,
      '-X',
      `group.instance.id=${instanceId}`,
      '-X',
      `session.timeout.ms=${SESSION_MS}`,
      '-X',
      'heartbeat.interval.ms=500',
      '-X',
      'auto.offset.reset=earliest',
      '-X',
      'auto.commit.interval.ms=200',
      '-u', // unbuffered output
      '-f',
      '%p\t%o\t%s\n',
      topic,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  trackChild(child);
  let out = '';
  let err = '';
  const m: KcatMember = {
    child,
    records: [],
    stderr: () => err,
    assignedEvents: () => err.split('\n').filter((l) => /rebalanced.*assigned:/.test(l)),
    exited: new Promise((resolve) => child.once('exit', () => resolve())),
  };
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString('utf8');
    const lines = out.split('\n');
    out = lines.pop()!;
    m.records.push(...lines.filter(Boolean));
  });
  child.stderr!.on('data', (d: Buffer) => (err += d.toString('utf8')));
  onCleanup(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await m.exited;
  });
  return m;
}

async function kill(m: KcatMember): Promise<void> {
  m.child.kill('SIGKILL');
  await m.exited;
}

// ------------------------------------------------------------------ kzoo Consumer

interface KzooMember {
  consumer: Consumer;
  /** "partition\toffset" per record. */
  records: string[];
  /** Generation ids seen after each poll (in order, repeats dropped). */
  generations: number[];
  /** Assignments seen after each poll (partition lists, repeats dropped). */
  assignments: string[];
  /** What stopped the poll loop (a fatal poll() error), if anything. */
  error: unknown;
  stop: () => Promise<void>;
}

function startKzoo(bootstrap: string, group: string, instanceId: string, topic: string) {
  const consumer = new Consumer({
    'bootstrap.servers': bootstrap,
    'group.id': group,
    'group.instance.id': instanceId,
    'session.timeout.ms': SESSION_MS,
    'heartbeat.interval.ms': 500,
    'auto.offset.reset': 'earliest',
    'enable.auto.commit': false,
  });
  const m: KzooMember = {
    consumer,
    records: [],
    generations: [],
    assignments: [],
    error: undefined,
    stop: async () => undefined,
  };
  consumer.subscribe([topic]);
  let running = true;
  const loop = (async () => {
    while (running && m.error === undefined) {
      const recs = await consumer.poll(200);
      for (const r of recs) m.records.push(`${r.partition}\t${r.offset}`);
      if (recs.length > 0) await consumer.commitSync();
      const g = consumer.groupMetadata().generationId;
      if (g >= 0 && m.generations.at(-1) !== g) m.generations.push(g);
      const a = consumer
        .assignment()
        .map((tp) => tp.partition)
        .sort()
        .join(',');
      if (g >= 0 && m.assignments.at(-1) !== a) m.assignments.push(a);
    }
  })().catch((e: unknown) => void (m.error = e));
  let stopped: Promise<void> | null = null;
  m.stop = () =>
    (stopped ??= (async () => {
      running = false;
      await loop;
      await consumer.close();
    })());
  onCleanup(() => m.stop());
  return m;
}

describe('broker > static group membership (KIP-345)', () => {
  it('kcat: a static member killed and restarted within session.timeout.ms gets its partitions back without a rebalance; past it the group rebalances', async () => {
    const { cluster, admin, topic } = await setup();
    const bootstrap = cluster.kafkaBootstrap()[0];
    const group = randomTopic('static-kcat-g');
    await produce(`127.0.0.1:${cluster.broker(1).port}`, topic, 0, 400);
    const a = startKcat(bootstrap, group, 'kcat-a', topic);
    let b = startKcat(bootstrap, group, 'kcat-b', topic);
    const before = await stableWith(admin, group, ['kcat-a', 'kcat-b']);
    expect(before.get('kcat-a')!.partitions.length).toBeGreaterThan(0);
    expect(before.get('kcat-b')!.partitions.length).toBeGreaterThan(0);
    await waitFor('400 records read', () => a.records.length + b.records.length >= 400, {
      timeoutMs: 60000,
    });
    await committedAll(admin, group, topic, 400);
    const aEvents = a.assignedEvents().length;
    expect(aEvents).toBeGreaterThan(0);
    const bRecords = b.records;

    // SIGKILL: no LeaveGroup; the member stays in the group for its session
    await kill(b);
    const [whileDown] = await admin.describeGroups([group]);
    expect(membersOf(whileDown).get('kcat-b')!.memberId).toBe(before.get('kcat-b')!.memberId);
    b = startKcat(bootstrap, group, 'kcat-b', topic);
    const after = await waitFor(
      'the restarted kcat-b has a new member id and its old partitions',
      async () => {
        const [d] = await admin.describeGroups([group]);
        const m = membersOf(d);
        const nb = m.get('kcat-b');
        return d.state === 'Stable' &&
          nb &&
          nb.memberId !== before.get('kcat-b')!.memberId &&
          b.assignedEvents().length > 0
          ? m
          : undefined;
      },
      { timeoutMs: 60000, intervalMs: 200 },
    );
    expect(after.get('kcat-b')!.partitions).toEqual(before.get('kcat-b')!.partitions);
    expect(after.get('kcat-a')).toEqual(before.get('kcat-a'));
    // librdkafka reports the assignment it got back: the same partitions
    const assignedB = b.assignedEvents()[0];
    for (const p of before.get('kcat-b')!.partitions)
      expect(assignedB).toContain(`${topic} [${p}]`);

    await produce(`127.0.0.1:${cluster.broker(1).port}`, topic, 400, 400);
    await waitFor(
      '800 records read in all',
      () => a.records.length + bRecords.length + b.records.length >= 800,
      { timeoutMs: 60000 },
    );
    await committedAll(admin, group, topic, 800);
    // kcat-a saw no rebalance; nothing was read twice (all was committed before the kill)
    expect(a.assignedEvents()).toHaveLength(aEvents);
    const all = [...a.records, ...bRecords, ...b.records].map((l) => l.split('\t')[2]);
    expect(duplicates(all)).toEqual([]);
    expect(new Set(all).size).toBe(800);
    expect(b.records.every((l) => Number(l.split('\t')[2].slice(1)) >= 400)).toBe(true);
    expect((await admin.describeGroups([group]))[0].state).toBe('Stable');

    // away past the session timeout: removed, and kcat-a takes every partition
    await kill(b);
    const [justAfter] = await admin.describeGroups([group]);
    expect(membersOf(justAfter).has('kcat-b')).toBe(true);
    const alone = await stableWith(admin, group, ['kcat-a']);
    expect(alone.get('kcat-a')!.memberId).toBe(before.get('kcat-a')!.memberId);
    await waitFor('kcat-a is assigned again', () => a.assignedEvents().length > aEvents);
    await kill(a);
  });

  it('kzoo Consumer: a static member closed and restarted within session.timeout.ms keeps its partitions; the other sees the same generation; past it the group rebalances', async () => {
    const { cluster, admin, topic } = await setup();
    const bootstrap = `127.0.0.1:${cluster.broker(1).port}`;
    const group = randomTopic('static-kzoo-g');
    await produce(bootstrap, topic, 0, 400);
    const a = startKzoo(bootstrap, group, 'kzoo-a', topic);
    const b = startKzoo(bootstrap, group, 'kzoo-b', topic);
    const before = await stableWith(admin, group, ['kzoo-a', 'kzoo-b']);
    await waitFor('both consumers polled in the stable generation', () => {
      const ga = a.generations.at(-1);
      return ga !== undefined && ga === b.generations.at(-1) && a.assignments.at(-1) !== '';
    });
    await waitFor('400 records read', () => a.records.length + b.records.length >= 400, {
      timeoutMs: 60000,
    });
    await committedAll(admin, group, topic, 400);
    const generation = a.consumer.groupMetadata().generationId;
    const aMemberId = a.consumer.groupMetadata().memberId;
    const aAssignments = [...a.assignments];
    const aGenerations = [...a.generations];
    expect(aGenerations.at(-1)).toBe(generation);
    const bPartitions = before.get('kzoo-b')!.partitions;

    // close(): a static member sends no LeaveGroup, so it stays until its session ends
    await b.stop();
    const [whileDown] = await admin.describeGroups([group]);
    expect(whileDown.state).toBe('Stable');
    expect(membersOf(whileDown).get('kzoo-b')!.memberId).toBe(before.get('kzoo-b')!.memberId);
    const b2 = startKzoo(bootstrap, group, 'kzoo-b', topic);
    await waitFor('the restarted kzoo-b is assigned', () => b2.assignments.length > 0, {
      timeoutMs: 60000,
    });
    expect(b2.assignments).toEqual([bPartitions.join(',')]);
    expect(b2.generations).toEqual([generation]);
    const after = await stableWith(admin, group, ['kzoo-a', 'kzoo-b']);
    expect(after.get('kzoo-b')!.memberId).not.toBe(before.get('kzoo-b')!.memberId);
    expect(after.get('kzoo-b')!.memberId).toBe(b2.consumer.groupMetadata().memberId);
    expect(after.get('kzoo-a')).toEqual(before.get('kzoo-a'));

    await produce(bootstrap, topic, 400, 400);
    await waitFor(
      '800 records read in all',
      () => a.records.length + b.records.length + b2.records.length >= 800,
      { timeoutMs: 60000 },
    );
    await committedAll(admin, group, topic, 800);
    // kzoo-a never left its generation or its partitions
    expect(a.generations).toEqual(aGenerations);
    expect(a.assignments).toEqual(aAssignments);
    expect(a.consumer.groupMetadata()).toMatchObject({
      generationId: generation,
      memberId: aMemberId,
    });
    const all = [...a.records, ...b.records, ...b2.records];
    expect(duplicates(all)).toEqual([]);
    expect(new Set(all).size).toBe(800);

    // away past the session timeout: the group rebalances, kzoo-a owns every partition
    await b2.stop();
    const alone = await stableWith(admin, group, ['kzoo-a']);
    expect(alone.get('kzoo-a')!.memberId).toBe(aMemberId);
    await waitFor('kzoo-a polled in a new generation with every partition', () => {
      const g = a.generations.at(-1)!;
      return g > generation && a.assignments.at(-1) === '0,1,2,3';
    });
    await a.stop();
  });

  it('kzoo Consumer: a second consumer with the same group.instance.id fences the first, whose poll() throws FENCED_INSTANCE_ID', async () => {
    const { cluster, admin, topic } = await setup();
    const bootstrap = `127.0.0.1:${cluster.broker(1).port}`;
    const group = randomTopic('static-fenced-g');
    const first = startKzoo(bootstrap, group, 'kzoo-x', topic);
    const before = await stableWith(admin, group, ['kzoo-x']);
    await waitFor('the first consumer is assigned', () => first.assignments.at(-1) === '0,1,2,3');
    const second = startKzoo(bootstrap, group, 'kzoo-x', topic);
    await waitFor('the second consumer takes over the partitions', () => {
      return second.assignments.at(-1) === '0,1,2,3';
    });
    // the first one's next heartbeat is refused; its poll() throws from then on
    await waitFor('the first consumer fails', () => first.error !== undefined, {
      timeoutMs: 30000,
    });
    expect(first.error).toMatchObject({
      code: 82,
      message:
        'FENCED_INSTANCE_ID: The broker rejected this static consumer since another consumer ' +
        'with the same group.instance.id has registered with a different member.id.',
    });
    const after = await stableWith(admin, group, ['kzoo-x']);
    expect(after.get('kzoo-x')!.memberId).toBe(second.consumer.groupMetadata().memberId);
    expect(after.get('kzoo-x')!.memberId).not.toBe(before.get('kzoo-x')!.memberId);
    expect(second.error).toBeUndefined();
    await first.stop();
    await second.stop();
  });

  it('kcat: a second kcat with the same group.instance.id fences the first (a fatal FENCED_INSTANCE_ID for librdkafka)', async () => {
    const { cluster, admin, topic } = await setup();
    const bootstrap = cluster.kafkaBootstrap()[0];
    const group = randomTopic('static-kcat-dup-g');
    const first = startKcat(bootstrap, group, 'kcat-x', topic);
    const before = await stableWith(admin, group, ['kcat-x']);
    await waitFor('the first kcat is assigned', () => first.assignedEvents().length > 0);
    const second = startKcat(bootstrap, group, 'kcat-x', topic);
    await waitFor('the second kcat is assigned', () => second.assignedEvents().length > 0, {
      timeoutMs: 60000,
    });
    // librdkafka raises FENCED_INSTANCE_ID (Heartbeat v3 on the Kafka listener) as fatal
    const fatal =
      /Fatal error: Broker: Static consumer fenced by other consumer with same group\.instance\.id/;
    await waitFor('the first kcat reports the fencing', () => fatal.test(first.stderr()), {
      timeoutMs: 30000,
    });
    const after = await stableWith(admin, group, ['kcat-x']);
    expect(after.get('kcat-x')!.memberId).not.toBe(before.get('kcat-x')!.memberId);
    expect(second.stderr()).not.toMatch(/fenced/i);
    await kill(first);
    await kill(second);
  });
});
