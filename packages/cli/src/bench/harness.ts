/**
 * Harness start-up benchmark: how long `startCluster()` (@kzoo/testkit) takes until a
 * 3-broker cluster takes an acks=all produce to a new RF=3 topic, in-process and with
 * broker processes, with a ZooKeeper of its own (the first test of a run, or no shared
 * one) and on an already running shared ZooKeeper (every later test file of a run), and
 * how long stop() takes. Printed beside the goals (in-process < 1 s, process < 2 s) and
 * the 9–12 s Testcontainers' Kafka module is reported to take.
 *
 *   node packages/cli/dist/bench/harness.js [--rounds 5]
 */
import { performance } from 'node:perf_hooks';
import { exitOnSignals, startCluster, startZooKeeper, SHARED_ZOOKEEPER_ENV } from '@kzoo/testkit';

const GOALS_MS: Record<string, number> = { 'in-process': 1000, process: 2000 };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function once(mode: 'in-process' | 'process'): Promise<{ startMs: number; stopMs: number }> {
  const t0 = performance.now();
  const cluster = await startCluster({
    brokers: 3,
    mode,
    topics: [{ name: 'bench' }],
    logLevel: 'error',
  });
  const producer = cluster.producer({ acks: 'all' });
  await producer.send('bench', [{ value: 'ready' }]);
  const startMs = performance.now() - t0;
  const t1 = performance.now();
  await cluster.stop();
  return { startMs, stopMs: performance.now() - t1 };
}

async function main(): Promise<void> {
  const i = process.argv.indexOf('--rounds');
  const rounds = i >= 0 ? Number(process.argv[i + 1]) : 5;
  if (!Number.isInteger(rounds) || rounds < 1)
    throw new Error('--rounds must be a positive integer');
  delete process.env[SHARED_ZOOKEEPER_ENV];
  exitOnSignals('harness bench');
  console.log(
    `ZooKeeper + 3 brokers until an acks=all produce to a new RF=3 topic succeeds; ${rounds} rounds, median (min)`,
  );
  console.log("Testcontainers' Kafka module (1 broker, no ZooKeeper of yours): 9–12 s as reported");
  for (const mode of ['in-process', 'process'] as const) {
    await once(mode); // warm-up (file cache, JIT of the JVM's class data)
    const own: Array<{ startMs: number; stopMs: number }> = [];
    for (let r = 0; r < rounds; r++) own.push(await once(mode));
    const zk = await startZooKeeper({ nodes: 1, tickTimeMs: 500 });
    process.env[SHARED_ZOOKEEPER_ENV] = zk.connectString;
    const shared: Array<{ startMs: number; stopMs: number }> = [];
    try {
      for (let r = 0; r < rounds; r++) shared.push(await once(mode));
    } finally {
      delete process.env[SHARED_ZOOKEEPER_ENV];
      await zk.stop();
    }
    const fmt = (xs: number[]) =>
      `${(median(xs) / 1000).toFixed(2)} s (${(Math.min(...xs) / 1000).toFixed(2)})`;
    const goal = GOALS_MS[mode];
    const ok = (xs: number[]) => (median(xs) < goal ? 'meets' : 'misses');
    const startOwn = own.map((x) => x.startMs);
    const startShared = shared.map((x) => x.startMs);
    console.log(
      `${mode.padEnd(10)} own ZooKeeper:    start ${fmt(startOwn)}  ${ok(startOwn)} goal < ${goal / 1000} s;  stop ${fmt(own.map((x) => x.stopMs))}`,
    );
    console.log(
      `${mode.padEnd(10)} shared ZooKeeper: start ${fmt(startShared)}  ${ok(startShared)} goal < ${goal / 1000} s;  stop ${fmt(shared.map((x) => x.stopMs))}`,
    );
  }
}

main().catch((e: Error) => {
  console.error(e.stack ?? e.message);
  process.exit(1);
});
