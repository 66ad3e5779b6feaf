/**
 * Groups administration on a three-broker cluster, through the real `kzoo` CLI (compiled
 * JS: `npx tsc -b` first): `topic alter` grows a topic and the groups rebalance onto the
 * new partitions (two groups each receiving every record); `consume --group` commits
 * what it printed, `zk get` shows it, a restarted group resumes there; `group describe`
 * lag is log end minus committed offset; `group reset-offsets` and `group delete`.
 */
import { Admin, Consumer, Producer, type ConsumerRecord, type TopicPartition } from '@kzoo/client';
import { runCli, waitFor } from '@kzoo/testkit';
import { connectTestSession, onCleanup } from '@kzoo/testkit/jest';
import { KafkaZkClient } from '@kzoo/zk';
import { randomTopic, startTestBrokers, type TestBrokers } from './harness';

jest.setTimeout(300000); // ~20 CLI processes in one test: 187 s seen at load 17

let tb: TestBrokers;
let bs: string[];

beforeAll(async () => {
  tb = await startTestBrokers(3, {
    'group.initial.rebalance.delay.ms': 100,
    'group.min.session.timeout.ms': 100,
    // teardown stops all brokers at once: no leadership to hand over
    'controlled.shutdown.enable': false,
  });
  bs = ['--bootstrap-server', tb.bootstrap];
});

const key = (tp: TopicPartition) => `${tp.topic}-${tp.partition}`;

interface Member {
  consumer: Consumer;
  records: ConsumerRecord[];
  stop(): Promise<void>;
}

function member(group: string, topic: string): Member {
  const consumer = new Consumer({
    'bootstrap.servers': tb.bootstrap,
    'group.id': group,
    'auto.offset.reset': 'earliest',
    'session.timeout.ms': 3000,
    'heartbeat.interval.ms': 200,
    'metadata.max.age.ms': 500,
    'enable.auto.commit': false,
  });
  const m: Member = { consumer, records: [], stop: async () => {} };
  consumer.subscribe([topic], { onPartitionsRevoked: () => consumer.commitSync() });
  let running = true;
  const loop = (async () => {
    while (running) m.records.push(...(await consumer.poll(200)));
  })();
  m.stop = async () => {
    if (!running) return;
    running = false;
    await loop;
    await consumer.close();
  };
  onCleanup(() => m.stop());
  return m;
}

async function produce(topic: string, partitions: number[], perPartition: number) {
  const producer = new Producer({ 'bootstrap.servers': tb.bootstrap, 'linger.ms': 5 });
  try {
    const sends = partitions.flatMap((partition) =>
      Array.from({ length: perPartition }, (_, i) =>
        producer.send(topic, { partition, value: `${partition}:${i}` }),
      ),
    );
    await Promise.all(sends);
  } finally {
    await producer.close();
  }
}

function values(members: Member[]): string[] {
  return members.flatMap((m) => m.records.map((r) => r.value!.toString())).sort();
}

function expected(partitions: number[], perPartition: number): string[] {
  return partitions
    .flatMap((p) => Array.from({ length: perPartition }, (_, i) => `${p}:${i}`))
    .sort();
}

async function ownersCover(members: Member[], n: number): Promise<void> {
  await waitFor(
    `${members.length} members owning ${n} partitions exactly once`,
    () => {
      const gens = new Set(members.map((m) => m.consumer.groupMetadata().generationId));
      if (gens.size !== 1) return false;
      const all = members.flatMap((m) => m.consumer.assignment().map(key));
      return all.length === n && new Set(all).size === n;
    },
    { timeoutMs: 30000 },
  );
}

describe('CLI > topic alter > groups follow new partitions', () => {
  it('grows 6 → 9 partitions (never shrinks); two groups each get every record, old and new', async () => {
    const topic = randomTopic('grow');
    const create = await runCli([
      ...bs,
      'topic',
      'create',
      topic,
      '--partitions',
      '6',
      '--replication-factor',
      '2',
    ]);
    expect(create.code).toBe(0);
    const a = [member(randomTopic('ga'), topic)];
    const groupA = a[0].consumer.groupMetadata().groupId!;
    a.push(member(groupA, topic), member(groupA, topic));
    const b = [member(randomTopic('gb'), topic)];
    await ownersCover(a, 6);
    await ownersCover(b, 6);
    await produce(topic, [0, 1, 2, 3, 4, 5], 20);
    await waitFor('group A has every record', () => values(a).length >= 120, { timeoutMs: 20000 });
    await waitFor('group B has every record', () => values(b).length >= 120, { timeoutMs: 20000 });
    expect(values(a)).toEqual(expected([0, 1, 2, 3, 4, 5], 20));
    expect(values(b)).toEqual(expected([0, 1, 2, 3, 4, 5], 20));

    const shrink = await runCli([...bs, 'topic', 'alter', topic, '--partitions', '6']);
    expect(shrink.code).toBe(1);
    expect(shrink.stderr).toMatch(/INVALID_PARTITIONS: topic .*6 would not be an increase/);
    const alter = await runCli([...bs, 'topic', 'alter', topic, '--partitions', '9']);
    expect(alter.stderr).toBe('');
    expect(alter.code).toBe(0);
    expect(alter.stdout).toContain(`Topic ${topic} now has 9 partitions.`);
    const describe = await runCli([...bs, 'topic', 'describe', topic, '--json']);
    const d = JSON.parse(describe.stdout) as {
      partitions: { leader: number; replicas: number[] }[];
    };
    expect(d.partitions).toHaveLength(9);
    for (const p of d.partitions) {
      expect(p.leader).toBeGreaterThan(0);
      expect(p.replicas).toHaveLength(2);
    }
    await ownersCover(a, 9);
    await ownersCover(b, 9);
    await produce(topic, [6, 7, 8], 10);
    await waitFor('group A has the new records', () => values(a).length >= 150, {
      timeoutMs: 20000,
    });
    await waitFor('group B has the new records', () => values(b).length >= 150, {
      timeoutMs: 20000,
    });
    const all = expected([0, 1, 2, 3, 4, 5], 20)
      .concat(expected([6, 7, 8], 10))
      .sort();
    // commits on revoke: nothing is read twice across the rebalance
    expect(values(a)).toEqual(all);
    expect(values(b)).toEqual(all);
  });
});

describe('CLI > group > list, describe, reset-offsets, delete; consume --group', () => {
  it('commits what consume --group printed; describe shows lag; reset and delete only while empty', async () => {
    const topic = randomTopic('lag');
    const group = randomTopic('cg');
    expect((await runCli([...bs, 'topic', 'create', topic, '--partitions', '3'])).code).toBe(0);
    await produce(topic, [0, 1, 2], 10);

    // consume --group prints 12 records and commits exactly those
    const first = await runCli([
      ...bs,
      'consume',
      topic,
      '--group',
      group,
      '--from-beginning',
      '--max-messages',
      '12',
      '--timeout-ms',
      '10000',
    ]);
    expect(first.code).toBe(0);
    expect(first.stderr).toContain('Processed a total of 12 messages');
    const printed1 = first.stdout.trim().split('\n');
    expect(printed1).toHaveLength(12);

    // the committed offsets in ZooKeeper: per partition, one past the last printed record
    const next = [0, 1, 2].map((p) =>
      printed1
        .filter((v) => v.startsWith(`${p}:`))
        .map((v) => Number(v.split(':')[1]) + 1)
        .reduce((x, y) => Math.max(x, y), 0),
    );
    const zkGet = (p: number) =>
      runCli(['zk', 'get', `/consumers/${group}/offsets/${topic}/${p}`, '--zk', tb.zk]);
    for (const p of [0, 1, 2]) {
      const r = await zkGet(p);
      if (next[p] === 0) expect(r.code).toBe(1);
      else expect(r.stdout.trim()).toBe(String(next[p]));
    }

    // describe: lag = log end offset - committed offset, per partition and in total
    const desc = await runCli([...bs, 'group', 'describe', group, '--json']);
    expect(desc.code).toBe(0);
    const report = JSON.parse(desc.stdout) as {
      state: string;
      totalLag: number;
      partitions: {
        partition: number;
        currentOffset: number | null;
        logEndOffset: number;
        lag: number | null;
      }[];
    };
    expect(report.state).toBe('Empty');
    for (const row of report.partitions) {
      expect(row.logEndOffset).toBe(10);
      expect(row.currentOffset).toBe(next[row.partition]);
      expect(row.lag).toBe(10 - next[row.partition]);
    }
    expect(report.partitions.map((r) => r.partition)).toEqual([0, 1, 2].filter((p) => next[p] > 0));
    const totalLag = [0, 1, 2].filter((p) => next[p] > 0).reduce((t, p) => t + 10 - next[p], 0);
    expect(report.totalLag).toBe(totalLag);
    const text = await runCli([...bs, 'group', 'describe', group]);
    expect(text.stdout).toContain(`Consumer group '${group}' has no active members.`);
    expect(text.stdout).toMatch(
      /GROUP +TOPIC +PARTITION +CURRENT-OFFSET +LOG-END-OFFSET +LAG +CONSUMER-ID +HOST +CLIENT-ID/,
    );
    expect(text.stdout).toContain(`TOTAL-LAG: ${totalLag}`);
    expect((await runCli([...bs, 'group', 'list'])).stdout.split('\n')).toContain(group);

    // a restarted group resumes from the committed offsets: the other 18 records, once
    // (--from-beginning only places partitions without a committed offset)
    const second = await runCli([
      ...bs,
      'consume',
      topic,
      '--group',
      group,
      '--from-beginning',
      '--timeout-ms',
      '3000',
    ]);
    expect(second.code).toBe(0);
    const printed2 = second.stdout.trim().split('\n');
    expect([...printed1, ...printed2].sort()).toEqual(expected([0, 1, 2], 10));
    const after = JSON.parse((await runCli([...bs, 'group', 'describe', group, '--json'])).stdout);
    expect(after.totalLag).toBe(0);

    // while the group has a member: describe shows it, reset and delete are refused
    const m = member(group, topic);
    await ownersCover([m], 3);
    const live = JSON.parse((await runCli([...bs, 'group', 'describe', group, '--json'])).stdout);
    expect(live.state).toBe('Stable');
    expect(
      live.partitions.every(
        (p: { consumerId: string | null }) => p.consumerId === m.consumer.groupMetadata().memberId,
      ),
    ).toBe(true);
    expect(live.partitions[0].clientId).toBe('kzoo');
    expect(live.partitions[0].host).toContain('127.0.0.1');
    const refused = await runCli([
      ...bs,
      'group',
      'reset-offsets',
      group,
      '--topic',
      topic,
      '--to-earliest',
      '--execute',
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      `Assignments can only be reset if the group '${group}' is inactive, but the current state is Stable.`,
    );
    const delRefused = await runCli([...bs, 'group', 'delete', group]);
    expect(delRefused.code).toBe(1);
    expect(delRefused.stderr).toContain('NON_EMPTY_GROUP');
    await m.stop();

    // reset: a dry run changes nothing, --execute commits; values kept within the log
    const committed = async (p: number) => (await zkGet(p)).stdout.trim();
    const dry = await runCli([
      ...bs,
      'group',
      'reset-offsets',
      group,
      '--topic',
      topic,
      '--to-earliest',
    ]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(new RegExp(`${group} +${topic} +0 +0`));
    expect(await committed(0)).toBe('10');
    const reset = async (...how: string[]) => {
      const r = await runCli([
        ...bs,
        'group',
        'reset-offsets',
        group,
        '--topic',
        `${topic}:0,2`,
        ...how,
        '--execute',
        '--json',
      ]);
      expect(r.stderr).toBe('');
      return (
        JSON.parse(r.stdout) as { offsets: { partition: number; offset: number }[] }
      ).offsets.map((o) => o.offset);
    };
    expect(await reset('--to-earliest')).toEqual([0, 0]);
    expect([await committed(0), await committed(1), await committed(2)]).toEqual(['0', '10', '0']);
    expect(await reset('--shift-by', '4')).toEqual([4, 4]);
    expect(await reset('--shift-by', '-9')).toEqual([0, 0]);
    expect(await reset('--to-offset', '7')).toEqual([7, 7]);
    expect(await reset('--to-offset', '100')).toEqual([10, 10]);
    expect(await reset('--to-offset', '3')).toEqual([3, 3]);
    const lagNow = JSON.parse((await runCli([...bs, 'group', 'describe', group, '--json'])).stdout);
    expect(lagNow.totalLag).toBe(7 + 0 + 7);

    // delete: the group and its offsets go
    const del = await runCli([...bs, 'group', 'delete', group]);
    expect(del.code).toBe(0);
    expect(del.stdout).toContain(
      `Deletion of requested consumer groups ('${group}') was successful.`,
    );
    expect((await zkGet(0)).code).toBe(1);
    expect((await runCli([...bs, 'group', 'list'])).stdout.split('\n')).not.toContain(group);
    const again = await runCli([...bs, 'group', 'delete', group]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('GROUP_ID_NOT_FOUND');
  });
});

describe('Admin > createPartitions', () => {
  it('writes the new partitions into /brokers/topics/<t>, keeping the topic id, placed as Kafka does', async () => {
    const topic = randomTopic('cp');
    expect(
      (
        await runCli([
          ...bs,
          'topic',
          'create',
          topic,
          '--partitions',
          '3',
          '--replication-factor',
          '2',
        ])
      ).code,
    ).toBe(0);
    const zk = new KafkaZkClient(await connectTestSession({ connectString: tb.zk }));
    const before = (await zk.getReplicaAssignmentForTopics([topic])).get(topic)!;
    expect((await runCli([...bs, 'topic', 'alter', topic, '--partitions', '7'])).code).toBe(0);
    const after = (await zk.getReplicaAssignmentForTopics([topic])).get(topic)!;
    expect(after.topicId).toBe(before.topicId);
    expect(after.partitions.size).toBe(7);
    for (const p of [0, 1, 2]) expect(after.partitions.get(p)).toEqual(before.partitions.get(p));
    // Kafka's placement: start at partition 0's preferred leader, ids from 3 on
    const first = before.partitions.get(0)!.replicas[0];
    const leaders = [3, 4, 5, 6].map((p) => after.partitions.get(p)!.replicas[0]);
    expect(leaders).toEqual([0, 1, 2, 3].map((i) => ((first - 1 + 3 + i) % 3) + 1));
    for (const p of [3, 4, 5, 6]) expect(new Set(after.partitions.get(p)!.replicas).size).toBe(2);
    const missing = await runCli([
      ...bs,
      'topic',
      'alter',
      randomTopic('none'),
      '--partitions',
      '2',
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('UNKNOWN_TOPIC_OR_PARTITION');
  });
});

describe('CLI > group describe > a partition without a leader', () => {
  it("shows '-' for its log end offset and lag instead of failing", async () => {
    const two = await startTestBrokers(2, { 'controlled.shutdown.enable': false });
    const topic = randomTopic('down');
    const group = randomTopic('g');
    const admin = new Admin({ 'bootstrap.servers': two.bootstrap });
    onCleanup(() => admin.close());
    await admin.createTopics([{ topic, replicaAssignment: { 0: [1], 1: [2] } }]);
    await waitFor('leaders', async () => {
      const [d] = await admin.describeTopics([topic]);
      return d.partitions.every((p) => p.leader > 0);
    });
    await admin.alterConsumerGroupOffsets(group, [
      { topic, partition: 0, offset: 0 },
      { topic, partition: 1, offset: 0 },
    ]);
    await two.brokers[1].shutdown();
    const ep = two.brokers[0].advertisedListeners[0];
    const bs1 = ['--bootstrap-server', `${ep.host}:${ep.port}`];
    await waitFor('partition 1 without a leader', async () => {
      const [d] = await admin.describeTopics([topic]);
      return d.partitions[1].leader < 0;
    });
    const r = await runCli([...bs1, 'group', 'describe', group, '--json']);
    expect(r.stderr).toBe('');
    const report = JSON.parse(r.stdout) as {
      partitions: { partition: number; logEndOffset: number | null; lag: number | null }[];
    };
    expect(report.partitions).toEqual([
      expect.objectContaining({ partition: 0, logEndOffset: 0, lag: 0 }),
      expect.objectContaining({ partition: 1, logEndOffset: null, lag: null }),
    ]);
  });
});
