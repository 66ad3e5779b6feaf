// The console producer and consumer as real `kzoo` processes in everyday use: a reader that
// closes the pipe early (`kzoo consume T | head -5`), quiet output by default. Needs
// `npx tsc -b` first.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { Admin, Producer } from '@kzoo/client';
import { cliBinPath, makeTempDir, removeDir, runCli, trackChild } from '@kzoo/testkit';
import { onCleanup, TestCluster } from '@kzoo/testkit/jest';

const name = (p: string) => `${p}-${randomBytes(4).toString('hex')}`;

/** Runs `kzoo <args>` with `input` on stdin. */
function kzooWithInput(args: string[], input: string, env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [cliBinPath(), ...args], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  trackChild(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  child.stdin!.end(input);
  const killer = setTimeout(() => child.kill('SIGKILL'), 60000);
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    }),
  );
}

/** Runs `kzoo <args>` and closes its stdout after `lines` lines, as `| head -N` does. */
function consumeLikeHead(
  args: string[],
  lines: number,
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; signal: string | null; head: string[]; stderr: string }> {
  const child = spawn(process.execPath, [cliBinPath(), ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  trackChild(child);
  let out = '';
  let stderr = '';
  let head: string[] | null = null;
  child.stdout!.on('data', (d) => {
    if (head) return;
    out += d;
    const got = out.split('\n');
    if (got.length > lines) {
      head = got.slice(0, lines);
      child.stdout!.destroy(); // the reader is gone: the next write gets EPIPE
    }
  });
  child.stderr!.on('data', (d) => (stderr += d));
  const killer = setTimeout(() => child.kill('SIGKILL'), 60000);
  return new Promise((resolve) =>
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, head: head ?? [], stderr });
    }),
  );
}

async function produceMany(bootstrap: string, topic: string, n: number): Promise<void> {
  const p = new Producer({ 'bootstrap.servers': bootstrap, acks: '1', 'linger.ms': 5 });
  try {
    const values = Array.from({ length: n }, (_, i) => ({ value: `record-${i}` }));
    for (let i = 0; i < n; i += 1000) await p.send(topic, values.slice(i, i + 1000));
  } finally {
    await p.close();
  }
}

describe('cli > console consumer and producer (processes)', () => {
  let cluster: TestCluster;
  let bootstrap: string;
  let topic: string;
  const N = 30000;

  beforeAll(async () => {
    cluster = await TestCluster.start({ brokers: 1, waitForMetadata: true });
    bootstrap = `127.0.0.1:${cluster.broker(1).port}`;
    topic = name('lines');
    const admin = new Admin({ 'bootstrap.servers': bootstrap });
    try {
      await admin.createTopics([{ topic, numPartitions: 1, replicationFactor: 1 }]);
    } finally {
      await admin.close();
    }
    await produceMany(bootstrap, topic, N);
  }, 120000);

  it('kzoo consume T | head -5: exits 0 without a stack trace when the reader goes away', async () => {
    const r = await consumeLikeHead(
      ['consume', topic, '--from-beginning', '--bootstrap-server', bootstrap],
      5,
    );
    expect(r.head).toEqual(['record-0', 'record-1', 'record-2', 'record-3', 'record-4']);
    expect(r.stderr).not.toMatch(/EPIPE|Unhandled|at /);
    expect(r.code).toBe(0);
  }, 90000);

  it('--consumer-property reaches the topic check before consuming (bootstrap.servers here)', async () => {
    const closed = await new Promise<number>((resolve) => {
      const srv = net.createServer().listen(0, '127.0.0.1', () => {
        const port = (srv.address() as net.AddressInfo).port;
        srv.close(() => resolve(port));
      });
    });
    const r = await runCli(
      [
        'consume',
        topic,
        '--from-beginning',
        '--max-messages',
        '2',
        '--bootstrap-server',
        `127.0.0.1:${closed}`, // nobody there: only the property's servers answer
        '--consumer-property',
        `bootstrap.servers=${bootstrap}`,
      ],
      { timeoutMs: 60000 },
    );
    expect(r.stderr).toBe('Processed a total of 2 messages\n');
    expect(r.stdout).toBe('record-0\nrecord-1\n');
    expect(r.code).toBe(0);
  }, 90000);

  it('with --group: what was printed is committed and the member leaves the group at once', async () => {
    const group = name('head');
    const r = await consumeLikeHead(
      ['consume', topic, '--from-beginning', '--group', group, '--bootstrap-server', bootstrap],
      5,
    );
    expect(r.stderr).not.toMatch(/EPIPE|Unhandled|at /);
    expect(r.code).toBe(0);
    const printed = Number(/Processed a total of (\d+) messages/.exec(r.stderr)?.[1]);
    expect(printed).toBeGreaterThanOrEqual(5);
    expect(printed).toBeLessThan(N);
    const admin = new Admin({ 'bootstrap.servers': bootstrap });
    try {
      const offsets = await admin.listConsumerGroupOffsets(group);
      expect(offsets).toEqual([expect.objectContaining({ topic, partition: 0, offset: printed })]);
      // no waiting for a session timeout: the group is empty as soon as the process is gone
      const [g] = await admin.describeGroups([group]);
      expect(g.members).toEqual([]);
    } finally {
      await admin.close();
    }
  }, 90000);

  it('console producer and consumer print no INFO logs unless --verbose', async () => {
    // the defaults a user has (under jest the logger defaults to warn)
    const env = { KZOO_LOG_LEVEL: undefined, JEST_WORKER_ID: undefined };
    const t = name('quiet');
    const b = ['--bootstrap-server', bootstrap];
    const create = await runCli(['topic', 'create', t, ...b], { env });
    expect(create.code).toBe(0);
    const quiet = await kzooWithInput(['produce', t, ...b], 'a\nb\n', env);
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe('');
    const loud = await kzooWithInput(['produce', t, '--verbose', ...b], 'c\n', env);
    expect(loud.code).toBe(0);
    expect(loud.stderr).toMatch(/ INFO /);
    const group = name('quiet');
    const consume = await runCli(
      ['consume', t, '--from-beginning', '--group', group, '--max-messages', '3', ...b],
      { env, timeoutMs: 60000 },
    );
    expect(consume.code).toBe(0);
    expect(consume.stdout).toBe('a\nb\nc\n');
    expect(consume.stderr).toBe('Processed a total of 3 messages\n');
  }, 90000);

  it('produce --acks all below min.insync.replicas shows the retried cause, NOT_ENOUGH_REPLICAS', async () => {
    const t = name('isr');
    const b = ['--bootstrap-server', bootstrap];
    const env = { KZOO_LOG_LEVEL: undefined, JEST_WORKER_ID: undefined };
    const create = await runCli(['topic', 'create', t, '--config', 'min.insync.replicas=2', ...b], {
      env,
    });
    expect(create.code).toBe(0);
    const t0 = Date.now();
    const r = await kzooWithInput(
      [
        'produce',
        t,
        '--acks',
        'all',
        '--producer-property',
        'delivery.timeout.ms=6000',
        '--producer-property',
        'request.timeout.ms=3000',
        ...b,
      ],
      'x\n',
      env,
    );
    expect(Date.now() - t0).toBeLessThan(40000);
    expect(r.code).toBe(1);
    // the retries say why, once, at WARN (shown by the quiet console producer)
    expect(r.stderr).toMatch(/WARN .*retrying.*NOT_ENOUGH_REPLICAS/);
    expect(r.stderr.match(/WARN .*retrying/g)).toHaveLength(1);
    // and the final error names the cause, not only the timeout: as in Kafka's Sender, the
    // batch fails with the timeout when it expires waiting to be retried, or with the
    // response's own error when that response arrives after delivery.timeout.ms (which a
    // loaded machine can make happen)
    expect(r.stderr).toMatch(/kzoo: (REQUEST_TIMED_OUT: .*last error: )?NOT_ENOUGH_REPLICAS/);
  }, 90000);

  it('topic describe shows TopicId: (from /brokers/topics/<t>) and Configs: (the overrides), as kafka-topics', async () => {
    const t = name('cfg');
    const b = ['--bootstrap-server', bootstrap];
    const create = await runCli([
      'topic',
      'create',
      t,
      '--config',
      'retention.ms=60000',
      '--config',
      'cleanup.policy=compact',
      ...b,
    ]);
    expect(create.code).toBe(0);
    const d = await runCli(['topic', 'describe', t, ...b]);
    expect(d.code).toBe(0);
    const head = d.stdout.split('\n')[0];
    const topicId = (await cluster.zkClient.getReplicaAssignmentForTopics([t])).get(t)!.topicId;
    expect(topicId).toMatch(/^[A-Za-z0-9_-]{22}$/); // Kafka's base64 Uuid
    expect(head).toMatch(
      new RegExp(
        `^Topic: ${t}\tTopicId: ${topicId}\tPartitionCount: 1\tReplicationFactor: 1\tConfigs: (.*,)?cleanup\\.policy=compact`,
      ),
    );
    expect(head).toMatch(/\tConfigs: .*retention\.ms=60000/);
    const j = await runCli(['topic', 'describe', t, '--json', ...b]);
    expect(JSON.parse(j.stdout)).toMatchObject({
      name: t,
      topicId,
      configs: { 'retention.ms': '60000', 'cleanup.policy': 'compact' },
    });
  }, 60000);

  it('--property on produce (parse.key, key.separator) and consume (print.*), as Kafka’s console tools', async () => {
    const t = name('props');
    const b = ['--bootstrap-server', bootstrap];
    expect((await runCli(['topic', 'create', t, ...b])).code).toBe(0);
    const p = await kzooWithInput(
      ['produce', '--topic', t, '--property', 'parse.key=true', 'key.separator=:', ...b],
      'k1:v1\nk2:v2\n',
    );
    expect(p.stderr).toBe('');
    expect(p.code).toBe(0);
    const c = await runCli(
      [
        'consume',
        '--topic',
        t,
        '--from-beginning',
        '--max-messages',
        '2',
        '--property',
        'print.key=true',
        'print.partition=true',
        'print.offset=true',
        'print.headers=true',
        'key.separator=|',
        ...b,
      ],
      { timeoutMs: 60000 },
    );
    expect(c.code).toBe(0);
    expect(c.stdout).toBe(
      'Partition:0|Offset:0|NO_HEADERS|k1|v1\nPartition:0|Offset:1|NO_HEADERS|k2|v2\n',
    );
    const ts = await runCli(
      [
        'consume',
        t,
        '--from-beginning',
        '--max-messages',
        '1',
        '--property',
        'print.timestamp=true',
        ...b,
      ],
      { timeoutMs: 60000 },
    );
    expect(ts.stdout).toMatch(/^CreateTime:\d{13}\tv1\n$/);
  }, 90000);

  it('group describe --members | --state | --offsets and --all-groups, as kafka-consumer-groups', async () => {
    const group = name('desc');
    const b = ['--bootstrap-server', bootstrap];
    const c = await runCli(
      ['consume', topic, '--group', group, '--from-beginning', '--max-messages', '3', ...b],
      { timeoutMs: 60000 },
    );
    expect(c.code).toBe(0);
    const members = await runCli(['group', 'describe', group, '--members', ...b]);
    expect(members.stdout).toBe(`\nConsumer group '${group}' has no active members.\n`);
    const state = await runCli(['group', 'describe', '--group', group, '--state', ...b]);
    expect(state.code).toBe(0);
    expect(state.stdout).toMatch(
      new RegExp(`\\n${group} +127\\.0\\.0\\.1:\\d+ \\(1\\) +Empty +0\\n$`),
    );
    const offsets = await runCli(['group', 'describe', group, '--offsets', ...b]);
    expect(offsets.stdout).toMatch(new RegExp(`${group} +${topic} +0 +3 +${N} +${N - 3}`));
    const all = await runCli(['group', 'describe', '--all-groups', '--state', '--json', ...b]);
    const groups = JSON.parse(all.stdout) as Array<{ group: string; state: string }>;
    expect(groups).toEqual(
      expect.arrayContaining([expect.objectContaining({ group, state: 'Empty' })]),
    );
    const both = await runCli(['group', 'describe', group, '--members', '--state', ...b]);
    expect(both.code).toBe(2);
  }, 90000);

  it('group reset-offsets --to-datetime and --by-duration (ListOffsets by timestamp)', async () => {
    const t = name('time');
    const group = name('reset');
    const b = ['--bootstrap-server', bootstrap];
    expect((await runCli(['topic', 'create', t, ...b])).code).toBe(0);
    const p = new Producer({ 'bootstrap.servers': bootstrap, acks: '1' });
    let between: number;
    try {
      await p.send(t, [{ value: 'a' }, { value: 'b' }]);
      await new Promise((r) => setTimeout(r, 50));
      between = Date.now();
      await new Promise((r) => setTimeout(r, 50));
      await p.send(t, [{ value: 'c' }, { value: 'd' }]);
    } finally {
      await p.close();
    }
    const reset = async (...how: string[]) => {
      const r = await runCli(
        ['group', 'reset-offsets', group, '--topic', t, ...how, '--execute', '--json', ...b],
        { timeoutMs: 60000 },
      );
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      return JSON.parse(r.stdout).offsets[0].offset as number;
    };
    expect(await reset('--to-datetime', new Date(between).toISOString())).toBe(2);
    expect(await reset('--by-duration', 'PT1H')).toBe(0);
    expect(await reset('--to-datetime', '2999-01-01T00:00:00.000Z')).toBe(4); // none that late
    const bad = await runCli([
      'group',
      'reset-offsets',
      group,
      '--topic',
      t,
      '--by-duration',
      '1h',
      ...b,
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Error parsing duration '1h'/);
  }, 90000);

  it('group reset-offsets --to-current and --from-file (Kafka’s CSV plan, as --export prints it)', async () => {
    const t = name('plan');
    const group = name('plan');
    const b = ['--bootstrap-server', bootstrap];
    expect((await runCli(['topic', 'create', t, '--partitions', '2', ...b])).code).toBe(0);
    const p = new Producer({ 'bootstrap.servers': bootstrap, acks: '1' });
    try {
      for (const partition of [0, 1])
        await p.send(
          t,
          ['a', 'b', 'c', 'd'].map((value) => ({ value, partition })),
        );
    } finally {
      await p.close();
    }
    const reset = (...args: string[]) =>
      runCli(['group', 'reset-offsets', group, ...args, ...b], { timeoutMs: 60000 });
    // committed: partition 0 at 3; partition 1 never committed
    expect((await reset('--topic', `${t}:0`, '--to-offset', '3', '--execute')).code).toBe(0);
    const current = await reset('--topic', t, '--to-current', '--export', '--dry-run');
    expect(current).toMatchObject({ code: 0, stderr: '' });
    expect(current.stdout).toBe(`${t},0,3\n${t},1,4\n`); // no committed offset: the log end

    const dir = makeTempDir('kzoo-plan-');
    onCleanup(() => removeDir(dir));
    const file = path.join(dir, 'plan.csv');
    fs.writeFileSync(file, `${t},0,1\nsomeone-else,${t},1,0\n\n${group},${t},1,99\n`);
    const applied = await reset('--from-file', file, '--execute', '--json');
    expect(applied.code).toBe(0);
    expect(JSON.parse(applied.stdout)).toEqual({
      group,
      executed: true,
      offsets: [
        { topic: t, partition: 0, offset: 1 },
        { topic: t, partition: 1, offset: 4 }, // 99 is past the log end: clamped, as Kafka
      ],
    });
    const now = await reset('--topic', t, '--to-current', '--dry-run', '--json');
    expect(JSON.parse(now.stdout).offsets.map((o: { offset: number }) => o.offset)).toEqual([1, 4]);

    fs.writeFileSync(file, `${t},0,1\n${t},zero,1\n`);
    const bad = await reset('--from-file', file, '--execute');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe(
      `kzoo: --from-file line 2 ("${t},zero,1"): partition "zero" is not a non-negative integer\n`,
    );
    const missing = await reset('--from-file', path.join(dir, 'nope.csv'), '--execute');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^kzoo: cannot read --from-file .*nope\.csv: ENOENT/);
  }, 90000);

  it('--json on the read commands: topic list, configs --describe', async () => {
    const t = name('json');
    const b = ['--bootstrap-server', bootstrap];
    expect((await runCli(['topic', 'create', t, '--config', 'retention.ms=1234', ...b])).code).toBe(
      0,
    );
    const list = await runCli(['topic', 'list', '--json', ...b]);
    expect(JSON.parse(list.stdout)).toEqual(expect.arrayContaining([t, topic]));
    const cfg = await runCli([
      'configs',
      '--describe',
      '--entity-type',
      'topics',
      '--entity-name',
      t,
      '--json',
      ...b,
    ]);
    expect(cfg.code).toBe(0);
    const js = JSON.parse(cfg.stdout);
    expect(js).toMatchObject({ entityType: 'topics', entityName: t });
    expect(js.configs).toEqual([
      expect.objectContaining({
        name: 'retention.ms',
        value: '1234',
        source: 'DYNAMIC_TOPIC_CONFIG',
      }),
    ]);
    const all = await runCli([
      'configs',
      '--describe',
      '--all',
      '--entity-type',
      'topics',
      '--entity-name',
      t,
      '--json',
      ...b,
    ]);
    expect(JSON.parse(all.stdout).configs.length).toBeGreaterThan(10);
  }, 60000);
});
