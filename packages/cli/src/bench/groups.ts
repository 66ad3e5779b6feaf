/**
 * Consumer-group benchmark: a real ZooKeeper (testkit) and one in-process Broker in a
 * temp dir, a 10-partition topic filled with N records of 100 bytes, then
 *   1. commits: a group consumer that polls (max.poll.records 100) and commits all 10
 *      partitions after every poll, C times: with commitSync (one OffsetCommit = one
 *      ZooKeeper multi, waiting for it), then with commitAsync (up to 100 in flight; the
 *      broker coalesces a group's commits that arrive during a multi): commits/sec;
 *   2. consume: a new group reading all N records (subscribe, max.poll.records 10000),
 *      printed with kafka-consumer-perf-test's fields (rebalance.time.ms = subscribe to
 *      first assignment, fetch.* = after it).
 * Beside them, measured in the same run, the physical limits: sequential ZooKeeper
 * round trips (exists, and a 10-setData multi, from one session: what a commit needs),
 * and raw loopback TCP. Client, broker and bench share one Node event loop.
 *
 *   node packages/cli/dist/bench/groups.js [--records N] [--commits C]
 */
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Broker } from '@kzoo/broker';
import { Admin, Consumer, Producer } from '@kzoo/client';
import { setLogLevel } from '@kzoo/common';
import {
  exitOnSignals,
  makeTempDir,
  removeDir,
  removeDirAtExit,
  startZooKeeper,
} from '@kzoo/testkit';
import { ZkSession } from '@kzoo/zk';
import { loopbackMBs, sendBounded, stamp } from './limits';

const MB = 1024 * 1024;
const PARTITIONS = 10;
const RECORD_SIZE = 100;

function parseArgs(argv: string[]): { records: number; commits: number } {
  const o = { records: 2_000_000, commits: 5000 };
  for (let i = 0; i < argv.length; i += 2) {
    const v = Number(argv[i + 1]);
    if (argv[i] === '--records') o.records = v;
    else if (argv[i] === '--commits') o.commits = v;
    else throw new Error(`unknown option ${argv[i]} (--records N, --commits C)`);
    if (!Number.isInteger(v) || v <= 0) throw new Error(`${argv[i]} needs a positive integer`);
  }
  return o;
}

async function fill(bootstrap: string, topic: string, records: number): Promise<void> {
  const producer = new Producer({
    'bootstrap.servers': bootstrap,
    acks: '1',
    'linger.ms': 5,
    'client.id': 'producer-performance',
  });
  await sendBounded(producer, topic, { value: Buffer.alloc(RECORD_SIZE, 'x') }, records);
  await producer.close();
}

function groupConsumer(bootstrap: string, group: string, maxPollRecords: number): Consumer {
  return new Consumer({
    'bootstrap.servers': bootstrap,
    'group.id': group,
    'client.id': 'consumer-performance',
    'auto.offset.reset': 'earliest',
    'enable.auto.commit': false,
    'max.poll.records': maxPollRecords,
  });
}

/** Waits for the first assignment; returns ms from subscribe to it. */
async function join(consumer: Consumer, topic: string): Promise<{ ms: number; first: number }> {
  const t0 = performance.now();
  let assigned = false;
  consumer.subscribe([topic], { onPartitionsAssigned: () => void (assigned = true) });
  let first = 0;
  while (!assigned) first += (await consumer.poll(100)).length;
  return { ms: performance.now() - t0, first };
}

/** Commits after every poll: commitSync (one at a time) or commitAsync (at most `window` in flight). */
async function commits(bootstrap: string, topic: string, n: number, mode: 'sync' | 'async') {
  const consumer = groupConsumer(bootstrap, `bench-commits-${mode}`, 100);
  await join(consumer, topic);
  if (consumer.assignment().length !== PARTITIONS) throw new Error('expected all 10 partitions');
  let records = 0;
  let inFlight = 0;
  let failure: Error | null = null;
  let wake: (() => void) | undefined;
  const window = 100;
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    records += (await consumer.poll(1000)).length;
    if (mode === 'sync') {
      await consumer.commitSync();
      continue;
    }
    inFlight++;
    consumer.commitAsync(undefined, (err) => {
      failure ??= err;
      inFlight--;
      if (wake) {
        const w = wake;
        wake = undefined;
        w();
      }
    });
    while (inFlight >= window) await new Promise<void>((r) => (wake = r));
  }
  while (inFlight > 0) await new Promise<void>((r) => (wake = r));
  const secs = (performance.now() - start) / 1000;
  await consumer.close();
  if (failure) throw failure;
  console.log(
    `commits: ${n} commit${mode === 'sync' ? 'Sync' : 'Async'} of ${PARTITIONS} partitions after each poll ` +
      `(max.poll.records 100, ${records} records${mode === 'async' ? `, at most ${window} in flight` : ''}) ` +
      `in ${secs.toFixed(2)} s: ${(n / secs).toFixed(0)} commits/sec`,
  );
  return n / secs;
}

async function consume(bootstrap: string, topic: string, total: number) {
  const consumer = groupConsumer(bootstrap, 'bench-consume', 10000);
  const startMs = Date.now();
  const start = performance.now();
  const { ms: rebalanceMs, first } = await join(consumer, topic);
  const fetchStart = performance.now();
  let n = first;
  let bytes = first * RECORD_SIZE;
  while (n < total) {
    const recs = await consumer.poll(10000);
    if (recs.length === 0) throw new Error(`no record for 10 s after ${n} of ${total}`);
    n += recs.length;
    for (const r of recs) bytes += r.value ? r.value.length : 0;
  }
  const end = performance.now();
  const endMs = Date.now();
  await consumer.commitSync();
  await consumer.close();
  const secs = (end - start) / 1000;
  const fetchSecs = (end - fetchStart) / 1000;
  const mb = bytes / MB;
  console.log(
    'start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, ' +
      'rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec',
  );
  console.log(
    `${stamp(startMs)}, ${stamp(endMs)}, ${mb.toFixed(4)}, ${(mb / secs).toFixed(4)}, ${n}, ` +
      `${(n / secs).toFixed(4)}, ${rebalanceMs.toFixed(0)}, ${(fetchSecs * 1000).toFixed(0)}, ` +
      `${(mb / fetchSecs).toFixed(4)}, ${(n / fetchSecs).toFixed(4)}`,
  );
  return { recsPerSec: n / secs, fetchRecsPerSec: n / fetchSecs };
}

/**
 * ZooKeeper round trips from one session: sequential exists, sequential 10-setData
 * multis (each waits for the server's fsync), and the same multis 100 in flight.
 */
async function zkLimits(connect: string, seconds = 2) {
  const zk = await ZkSession.connect({ connectString: connect, sessionTimeoutMs: 10000 });
  try {
    const base = '/bench-zk-limit';
    await zk.create(base, null);
    const paths = Array.from({ length: PARTITIONS }, (_, i) => `${base}/${i}`);
    for (const p of paths) await zk.create(p, '0');
    let n = 0;
    let start = performance.now();
    while (performance.now() - start < seconds * 1000) {
      await zk.exists(base);
      n++;
    }
    const existsPerSec = n / ((performance.now() - start) / 1000);
    n = 0;
    start = performance.now();
    while (performance.now() - start < seconds * 1000) {
      await zk.multi(paths.map((path) => ({ op: 'setData' as const, path, data: String(n) })));
      n++;
    }
    const multiPerSec = n / ((performance.now() - start) / 1000);
    n = 0;
    start = performance.now();
    const lane = async () => {
      while (performance.now() - start < seconds * 1000) {
        await zk.multi(paths.map((path) => ({ op: 'setData' as const, path, data: String(n) })));
        n++;
      }
    };
    await Promise.all(Array.from({ length: 100 }, lane));
    const pipelinedMultiPerSec = n / ((performance.now() - start) / 1000);
    return { existsPerSec, multiPerSec, pipelinedMultiPerSec };
  } finally {
    await zk.close();
  }
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  setLogLevel('warn');
  exitOnSignals('groups bench');
  const dir = removeDirAtExit(makeTempDir('kzoo-bench-groups-'));
  const zk = await startZooKeeper();
  const connect = `${zk.connectString}/kzoo-bench`;
  const broker = new Broker({
    'broker.id': 1,
    'zookeeper.connect': connect,
    listeners: 'PLAINTEXT://127.0.0.1:0',
    'log.dirs': path.join(dir, 'data'),
    'group.initial.rebalance.delay.ms': 0,
  });
  try {
    await broker.start();
    const ep = broker.advertisedListeners[0];
    const bootstrap = `${ep.host}:${ep.port}`;
    const topic = 'bench-groups';
    const admin = new Admin({ 'bootstrap.servers': bootstrap });
    await admin.createTopics([{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }]);
    await admin.close();
    console.log(
      `# kzoo groups bench: ${o.records} records of ${RECORD_SIZE} bytes in ${PARTITIONS} partitions, ` +
        `one in-process broker, offsets in ZooKeeper (standalone, same machine); one event loop`,
    );
    await fill(bootstrap, topic, o.records);
    const sync = await commits(bootstrap, topic, o.commits, 'sync');
    const async = await commits(bootstrap, topic, o.commits, 'async');
    const r = await consume(bootstrap, topic, o.records);
    const lim = await zkLimits(connect);
    const tcp = await loopbackMBs();
    console.log(
      `# physical limit (same run): ZooKeeper from one session: ${lim.existsPerSec.toFixed(0)} exists/sec, ` +
        `${lim.multiPerSec.toFixed(0)} multi(${PARTITIONS} setData)/sec one at a time, ` +
        `${lim.pipelinedMultiPerSec.toFixed(0)}/sec 100 in flight; loopback TCP ${tcp.toFixed(1)} MB/sec`,
    );
    console.log(
      `# commitSync = 1 OffsetCommit round trip + 1 ZooKeeper multi: ` +
        `${((sync / lim.multiPerSec) * 100).toFixed(1)}% of sequential multis; commitAsync: the broker ` +
        `writes the commits that arrive during a multi together in the next one; consume ` +
        `${(((r.recsPerSec * RECORD_SIZE) / MB / tcp) * 100).toFixed(1)}% of loopback`,
    );
    console.log(
      `# goals: commits >= 2000/sec: commitAsync ${async >= 2000 ? 'met' : 'NOT met'} (${async.toFixed(0)}), ` +
        `commitSync ${sync >= 2000 ? 'met' : 'NOT met'} (${sync.toFixed(0)}; one ZooKeeper multi per commit); ` +
        `consumer >= 1000000 records/sec: ${r.recsPerSec >= 1000000 ? 'met' : 'NOT met'} (${r.recsPerSec.toFixed(0)}, ` +
        `${r.fetchRecsPerSec.toFixed(0)} after the rebalance)`,
    );
  } finally {
    await broker.shutdown();
    await zk.stop();
    removeDir(dir);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
