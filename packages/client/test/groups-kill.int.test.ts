/**
 * Consumer groups under SIGKILL, with consumers in their own processes (the CLI's
 * compiled `dist/tools/consumer-worker.js`: `npx tsc -b` first), each recording what it
 * processed in a file (fsync per record):
 * - a member killed mid-stream: its partitions move to the others within
 *   session.timeout.ms + the rebalance; committing after processing loses nothing (the
 *   duplicates are counted and reported: at-least-once); committing before processing
 *   loses what was committed but not processed (at-most-once).
 * - the coordinator's broker process killed: the members find the new coordinator and
 *   keep consuming, nothing lost.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { coordinatorForGroup } from '@kzoo/broker';
import { Admin, Producer } from '@kzoo/client';
import { makeTempDir, removeDir, trackChild, waitFor, waitForExit } from '@kzoo/testkit';
import { TestCluster, onCleanup } from '@kzoo/testkit/jest';
import { randomTopic, startTestBrokers } from './harness';

jest.setTimeout(120000);

const WORKER = path.resolve(__dirname, '..', '..', 'cli', 'dist', 'tools', 'consumer-worker.js');
const SESSION_TIMEOUT_MS = 3000;

interface Worker {
  child: ChildProcess;
  out: string;
  stdout: string;
}

function startWorker(
  dir: string,
  name: string,
  opts: { bootstrap: string; group: string; topic: string; commit: 'before' | 'after' },
): Worker {
  const out = path.join(dir, `${name}.log`);
  const child = spawn(
    process.execPath,
    [
      WORKER,
      JSON.stringify({
        ...opts,
        out,
        recordMs: 1,
        sessionTimeoutMs: SESSION_TIMEOUT_MS,
        clientId: name,
      }),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  trackChild(child);
  const w: Worker = { child, out, stdout: '' };
  child.stdout!.on('data', (d) => (w.stdout += d));
  onCleanup(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await waitForExit(child);
    }
  });
  return w;
}

interface Line {
  partition: number;
  offset: number;
  value: string;
}

function processed(w: Worker): Line[] {
  if (!fs.existsSync(w.out)) return [];
  return fs
    .readFileSync(w.out, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => {
      const [p, o, value] = l.split(' ');
      return { partition: Number(p), offset: Number(o), value };
    });
}

async function produce(bootstrap: string, topic: string, from: number, count: number) {
  const producer = new Producer({ 'bootstrap.servers': bootstrap, 'linger.ms': 5 });
  try {
    const sends: Promise<unknown>[] = [];
    for (let i = from; i < from + count; i++)
      sends.push(producer.send(topic, { key: `k${i}`, value: `v${i}` }));
    await Promise.all(sends);
  } finally {
    await producer.close();
  }
}

/** Lost and duplicated values of what the workers processed, against v<from>..v<to-1>. */
function account(workers: Worker[], to: number) {
  const seen = new Map<string, number>();
  for (const w of workers)
    for (const l of processed(w)) seen.set(l.value, (seen.get(l.value) ?? 0) + 1);
  const lost: string[] = [];
  for (let i = 0; i < to; i++) if (!seen.has(`v${i}`)) lost.push(`v${i}`);
  let duplicates = 0;
  for (const n of seen.values()) duplicates += n - 1;
  return { lost, duplicates, distinct: seen.size };
}

async function committedTotal(admin: Admin, group: string): Promise<number> {
  return (await admin.listConsumerGroupOffsets(group)).reduce((t, o) => t + o.offset, 0);
}

describe('Client > groups > SIGKILL of a member process', () => {
  const TOTAL = 4000;

  async function run(commit: 'before' | 'after') {
    const { bootstrap } = await startTestBrokers(3, {
      'group.initial.rebalance.delay.ms': 100,
      'group.min.session.timeout.ms': 100,
      'controlled.shutdown.enable': false,
    });
    const admin = new Admin({ 'bootstrap.servers': bootstrap });
    onCleanup(() => admin.close());
    const topic = randomTopic(`kill-${commit}`);
    const group = randomTopic('g');
    await admin.createTopics([{ topic, numPartitions: 6, replicationFactor: 1 }]);
    await waitFor('leaders', async () => {
      const [d] = await admin.describeTopics([topic]);
      return d.partitions.every((p) => p.leader >= 0);
    });
    await produce(bootstrap, topic, 0, TOTAL);
    const dir = makeTempDir('kzoo-kill-');
    onCleanup(() => removeDir(dir));
    const workers = [0, 1, 2].map((i) =>
      startWorker(dir, `w${i}`, { bootstrap, group, topic, commit }),
    );
    // everyone owns partitions, then the stream is under way
    await waitFor(
      'three members with partitions',
      () =>
        workers.every((w) => w.stdout.includes('ready')) &&
        workers.every((w) => processed(w).length > 0),
      { timeoutMs: 30000 },
    );
    await waitFor(
      'a fifth of the stream processed',
      () => account(workers, TOTAL).distinct >= TOTAL / 5,
      {
        timeoutMs: 30000,
      },
    );
    const victim = workers[0];
    if (commit === 'before') {
      // Killed the moment it says a batch of at least 10 is committed (each record then
      // takes over 1 ms to process): a kill at a random moment could land while it waits
      // in poll() between batches, with nothing committed and unprocessed, and lose nothing.
      await new Promise<void>((resolve) => {
        const onData = (d: Buffer) => {
          const m = /^committed (\d+)$/m.exec(d.toString());
          if (m && Number(m[1]) >= 10) {
            victim.child.kill('SIGKILL');
            victim.child.stdout!.off('data', onData);
            resolve();
          }
        };
        victim.child.stdout!.on('data', onData);
      });
    } else victim.child.kill('SIGKILL');
    const killedAt = Date.now();
    await waitForExit(victim.child);
    const victimPartitions = new Set(processed(victim).map((l) => l.partition));
    const before = new Map(workers.slice(1).map((w) => [w, processed(w).length]));
    // its partitions are processed by another member
    const takeoverMs = await waitFor(
      "the victim's partitions taken over",
      () => {
        const moved = workers.slice(1).some((w) =>
          processed(w)
            .slice(before.get(w))
            .some((l) => victimPartitions.has(l.partition)),
        );
        return moved ? Math.max(1, Date.now() - killedAt) : undefined;
      },
      { timeoutMs: 30000 },
    );
    // ...and the group runs to the end of the stream (every offset committed)
    await waitFor(
      'everything committed',
      async () => (await committedTotal(admin, group)) === TOTAL,
      {
        timeoutMs: 60000,
      },
    );
    for (const w of workers.slice(1)) {
      w.child.kill('SIGTERM');
      await waitForExit(w.child);
    }
    const r = account(workers, TOTAL);
    console.log(
      `commit ${commit} processing, SIGKILL of 1 of 3 members: ${TOTAL} records, ` +
        `lost ${r.lost.length}, duplicates ${r.duplicates}, partitions taken over ${takeoverMs} ms after the kill ` +
        `(session.timeout.ms ${SESSION_TIMEOUT_MS})`,
    );
    // 3 s session + a rebalance (join, sync, fetch). The coordinator's part (removal at
    // exactly the session timeout, a rebalance without timers) is GroupCoordinator.test.ts
    // on the mock clock; here: it happens, within a generous ceiling
    expect(takeoverMs).toBeLessThan(SESSION_TIMEOUT_MS + 15000);
    return r;
  }

  it('commit after processing: nothing lost, the duplicates are the uncommitted tail (at-least-once)', async () => {
    const r = await run('after');
    expect(r.lost).toEqual([]);
    expect(r.duplicates).toBeGreaterThanOrEqual(0);
  });

  it('commit before processing: what was committed but not processed is lost (at-most-once)', async () => {
    const r = await run('before');
    expect(r.lost.length).toBeGreaterThan(0);
    expect(r.duplicates).toBe(0);
  });
});

describe('Client > groups > SIGKILL of the coordinator broker process', () => {
  it('members find the new coordinator and keep consuming; nothing lost', async () => {
    const cluster = await TestCluster.start({
      brokers: 3,
      extraConfig: { 'group.initial.rebalance.delay.ms': 100, 'group.min.session.timeout.ms': 100 },
    });
    const bootstrap = [...cluster.brokers.values()].map((b) => `127.0.0.1:${b.port}`).join(',');
    const group = randomTopic('g');
    const coordinator = coordinatorForGroup(group, [1, 2, 3])!;
    const others = [1, 2, 3].filter((b) => b !== coordinator);
    const admin = new Admin({ 'bootstrap.servers': bootstrap });
    onCleanup(() => admin.close());
    const topic = randomTopic('coord');
    // the data lives on the two other brokers
    await admin.createTopics([
      {
        topic,
        replicaAssignment: { 0: [others[0]], 1: [others[1]], 2: [others[0]], 3: [others[1]] },
      },
    ]);
    await waitFor('leaders', async () => {
      const [d] = await admin.describeTopics([topic]);
      return d.partitions.every((p) => p.leader >= 0);
    });
    const [g] = await admin.describeGroups([group]);
    expect(g.coordinator).toBe(coordinator);
    await produce(bootstrap, topic, 0, 1000);
    const dir = makeTempDir('kzoo-coord-');
    onCleanup(() => removeDir(dir));
    const workers = [0, 1].map((i) =>
      startWorker(dir, `w${i}`, { bootstrap, group, topic, commit: 'after' }),
    );
    await waitFor('some records processed', () => account(workers, 1000).distinct >= 200, {
      timeoutMs: 30000,
    });
    await cluster.broker(coordinator).kill('SIGKILL');
    await produce(bootstrap, topic, 1000, 1000);
    await waitFor('every record processed', () => account(workers, 2000).lost.length === 0, {
      timeoutMs: 60000,
    });
    const after = await admin.describeGroups([group]);
    expect(after[0].coordinator).not.toBe(coordinator);
    await waitFor(
      'everything committed at the new coordinator',
      async () => (await committedTotal(admin, group)) === 2000,
      {
        timeoutMs: 30000,
      },
    );
    for (const w of workers) {
      w.child.kill('SIGTERM');
      await waitForExit(w.child);
    }
    const r = account(workers, 2000);
    console.log(
      `coordinator broker ${coordinator} SIGKILLed: lost ${r.lost.length}, duplicates ${r.duplicates}`,
    );
    expect(r.lost).toEqual([]);
  });
});
