/**
 * Log append/read benchmark: 100-byte records in 16 KiB batches appended to a Log,
 * next to a raw sequential write of the same bytes with the same flush policy (the OS
 * flushes; both fsync once at the end, timed separately), the two interleaved in 1 MiB
 * turns, and sequential reads from the page cache.
 * Usage: node dist/bench.js [totalMiB=512] [rounds=5]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { nodeProcessEnv } from '@kzoo/common';
import { buildRecordBatch, crc32cImplementation, readBatchHeader } from '@kzoo/records';
import { Log } from './Log';

// The bench runs in the environment kzoo gives the processes it starts (a broker holds the
// logs): glibc's malloc keeping its pages (@kzoo/common's nodeProcessEnv). Without it each 1 MiB
// Buffer of the reads is fresh mmap'ed memory and the reads measured page faults (650 µs a
// read against 100), more on the log's side than the raw file's. glibc reads GLIBC_TUNABLES
// when a process starts, so the bench starts itself again with it.
if (process.env.GLIBC_TUNABLES === undefined && process.platform === 'linux') {
  const again = spawnSync(
    process.execPath,
    [...process.execArgv, __filename, ...process.argv.slice(2)],
    { stdio: 'inherit', env: nodeProcessEnv() },
  );
  process.exit(again.status ?? 1);
}

const totalMiB = Number(process.argv[2] ?? 512);
const rounds = Number(process.argv[3] ?? 5);
const BATCH_BYTES = 16 * 1024;
const RECORD_BYTES = 100;

function makeBatch(seed: number): Buffer {
  const value = Buffer.alloc(RECORD_BYTES, 97 + (seed % 26));
  const recs = [];
  let b: Buffer = buildRecordBatch({ records: [] });
  for (;;) {
    recs.push({ value, timestamp: 1_700_000_000_000 + recs.length });
    const next = buildRecordBatch({ records: recs });
    if (next.length > BATCH_BYTES) break;
    b = next;
  }
  return b;
}

function seconds(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/** CPU seconds (user + system) of this process since `c0`: steadier than wall time on a loaded machine. */
function cpuSeconds(c0: NodeJS.CpuUsage): number {
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1e6;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const pool = Array.from({ length: 64 }, (_, i) => makeBatch(i));
const batchSize = pool[0].length;
const recordsPerBatch = readBatchHeader(pool[0]).recordCount;
const nBatches = Math.floor((totalMiB * 1024 * 1024) / batchSize);
const bytes = nBatches * batchSize;
const records = nBatches * recordsPerBatch;
const root = fs.mkdtempSync(
  path.join(process.env.KZOO_BENCH_DIR ?? os.tmpdir(), 'kzoo-log-bench-'),
);

/**
 * Which side takes each turn first: a seeded coin, not strict alternation. With strict
 * alternation a periodic cost (a garbage collection every so many MiB of buffers) kept
 * landing on the same side: the read ratio alternated 0.97 / 0.78 between rounds.
 */
function coinFlips(seed: number): () => boolean {
  let x = (seed + 1) * 0x9e3779b1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x & 1) === 0;
  };
}

/**
 * Batches per turn of the interleaved write: 64 (1 MiB). This host runs DAMON's proactive
 * reclaim (kdamond, action pageout): the pages written first in a round were often paged
 * out before the reads, and those ~11 MiB read at disk speed (3 ms per MiB against 0.2).
 * Small turns share the pages written first, so the pages paged out, between both files.
 */
const CHUNK_BATCHES = 64;

/** Wall and CPU seconds one side has spent so far. */
interface Side {
  wall: number;
  cpu: number;
}

/** Runs `work` and adds its wall and CPU time to `side`. */
function timed(side: Side, work: () => void): void {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  work();
  side.wall += seconds(t0);
  side.cpu += cpuSeconds(c0);
}

/** Turns of `raw` and `log` while `more()`, a seeded coin picking which goes first each time. */
function inTurns(seed: number, more: () => boolean, raw: () => void, log: () => void): void {
  const rawFirst = coinFlips(seed);
  while (more()) {
    if (rawFirst()) {
      raw();
      log();
    } else {
      log();
      raw();
    }
  }
}

/**
 * The raw write and the log append of one round, interleaved in turns of 1 MiB (which
 * goes first is a coin flip): each file is written sequentially, and a slow second of this
 * shared host (other tenants' memory traffic moved one side's median by ±20 % when each
 * wrote its 512 MiB in turn) falls on both sides alike. Times are summed per side; the
 * fsync at the end is timed apart.
 */
function interleavedWrite(
  rawFile: string,
  logDir: string,
  round: number,
): { raw: Side & { fsync: number }; log: Side & { fsync: number; log: Log } } {
  const fd = fs.openSync(rawFile, 'w');
  const log = Log.open(logDir, {}); // Kafka's defaults: segment.bytes 1 GiB, flush left to the OS
  const opts = { leaderEpoch: 0 };
  const raw = { wall: 0, cpu: 0, fsync: 0 };
  const app = { wall: 0, cpu: 0, fsync: 0 };
  let pos = 0;
  let from = 0;
  let to = 0;
  inTurns(
    round,
    () => {
      from = to;
      to = Math.min(nBatches, from + CHUNK_BATCHES);
      return from < nBatches;
    },
    () =>
      timed(raw, () => {
        for (let i = from; i < to; i++) {
          const b = pool[i % pool.length];
          fs.writeSync(fd, b, 0, b.length, pos);
          pos += b.length;
        }
      }),
    () =>
      timed(app, () => {
        for (let i = from; i < to; i++) log.append(pool[i % pool.length], opts);
      }),
  );
  let t1 = process.hrtime.bigint();
  fs.fsyncSync(fd);
  fs.closeSync(fd);
  raw.fsync = seconds(t1);
  t1 = process.hrtime.bigint();
  log.flush();
  app.fsync = seconds(t1);
  return { raw, log: { ...app, log } };
}

/**
 * Sequential reads of the raw file (readSync per `fetchBytes`) and of the log (fetches of
 * `fetchBytes` from the page cache), interleaved read by read: the first ~11 MiB of each
 * file (the pages written first, often paged out by then: see CHUNK_BATCHES) read at a
 * tenth of the speed, and with turns of 16 or 64 reads those slow reads fell mostly on the
 * side that read first.
 */
function interleavedRead(
  rawFile: string,
  log: Log,
  fetchBytes: number,
  round: number,
): { raw: Side; log: Side } {
  const fd = fs.openSync(rawFile, 'r');
  const raw = { wall: 0, cpu: 0 };
  const lr = { wall: 0, cpu: 0 };
  let pos = 0;
  let rawDone = false;
  let offset = 0;
  let total = 0;
  inTurns(
    round,
    () => !rawDone || offset < log.logEndOffset,
    () =>
      timed(raw, () => {
        if (rawDone) return;
        const n = fs.readSync(fd, Buffer.allocUnsafe(fetchBytes), 0, fetchBytes, pos);
        if (n === 0) rawDone = true;
        pos += n;
      }),
    () =>
      timed(lr, () => {
        if (offset >= log.logEndOffset) return;
        const r = log.read(offset, fetchBytes);
        total += r.records.length;
        const last = r.records.length - batchSize; // equal-size batches
        offset = readBatchHeader(r.records, last).lastOffset + 1;
      }),
  );
  fs.closeSync(fd);
  if (total !== bytes) throw new Error(`read ${total} bytes from the log, expected ${bytes}`);
  if (pos !== bytes) throw new Error(`read ${pos} bytes from the raw file, expected ${bytes}`);
  return { raw, log: lr };
}

const mb = (s: number) => bytes / s / 1e6;
const crcName =
  crc32cImplementation.name === 'native'
    ? `native ${crc32cImplementation.variant}`
    : `@node-rs/crc32: ${crc32cImplementation.fallbackReason ?? 'no native build'}`;
const res = {
  raw: [] as number[],
  log: [] as number[],
  rawCpu: [] as number[],
  logCpu: [] as number[],
  rawSync: [] as number[],
  logSync: [] as number[],
  read: [] as number[],
  rawRead: [] as number[],
  readCpu: [] as number[],
  rawReadCpu: [] as number[],
};
try {
  // Round -1 warms up the JIT (the first round's appends ran ~5 % slower) and is not kept.
  for (let r = -1; r < rounds; r++) {
    // Each round leaves nothing dirty behind (fsync, delete).
    const rawFile = path.join(root, `raw-${r}.bin`);
    const { raw, log: app } = interleavedWrite(rawFile, path.join(root, `bench-${r}`), r + 1);
    if (r < 0) {
      interleavedRead(rawFile, app.log, 1024 * 1024, 0);
      fs.rmSync(rawFile);
      app.log.delete();
      continue;
    }
    res.raw.push(raw.wall);
    res.rawCpu.push(raw.cpu);
    res.rawSync.push(raw.fsync);
    res.log.push(app.wall);
    res.logCpu.push(app.cpu);
    res.logSync.push(app.fsync);
    const reads = interleavedRead(rawFile, app.log, 1024 * 1024, r);
    res.rawRead.push(reads.raw.wall);
    res.rawReadCpu.push(reads.raw.cpu);
    res.read.push(reads.log.wall);
    res.readCpu.push(reads.log.cpu);
    fs.rmSync(rawFile);
    app.log.delete();
  }
  const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
  console.log(
    `kzoo log bench: ${(bytes / 2 ** 20).toFixed(0)} MiB, ${nBatches} batches of ${batchSize} B, ${recordsPerBatch} records of ${RECORD_BYTES} B each, median of ${rounds} rounds after one unmeasured`,
  );
  console.log(
    `machine: ${cpu} x${os.cpus().length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, node ${process.version}, dir ${root}`,
  );
  const tRaw = median(res.raw);
  const tLog = median(res.log);
  console.log(
    `raw sequential write  : ${mb(tRaw).toFixed(0)} MB/s  (writeSync per 16 KiB, no fsync; fsync at end ${median(res.rawSync).toFixed(2)} s)`,
  );
  console.log(
    `log append            : ${mb(tLog).toFixed(0)} MB/s  ${(records / tLog / 1e6).toFixed(2)} M records/s  ${(nBatches / tLog / 1e3).toFixed(1)} k batches/s  (flush at end ${median(res.logSync).toFixed(2)} s; CRC-32C checked per batch, ${crcName})`,
  );
  const ratios = res.raw.map((t, i) => t / res.log[i]);
  console.log(
    `append / raw write    : ${median(ratios).toFixed(2)}  (median of per-round ratios; rounds: ${ratios.map((x) => x.toFixed(2)).join(' ')})`,
  );
  const cpuRatios = res.rawCpu.map((t, i) => t / res.logCpu[i]);
  console.log(
    `append / raw, CPU time: ${median(cpuRatios).toFixed(2)}  (${((median(res.rawCpu) / nBatches) * 1e6).toFixed(1)} vs ${((median(res.logCpu) / nBatches) * 1e6).toFixed(1)} µs per batch; steadier than wall time on a loaded machine)`,
  );
  console.log(
    `log sequential read   : ${mb(median(res.read)).toFixed(0)} MB/s  (1 MiB fetches from the page cache; CRCs are checked on append, at recovery and by consumers)`,
  );
  console.log(
    `raw sequential read   : ${mb(median(res.rawRead)).toFixed(0)} MB/s  (readSync per 1 MiB)`,
  );
  console.log(`read / raw read       : ${(median(res.rawRead) / median(res.read)).toFixed(2)}`);
  const readCpuRatios = res.rawReadCpu.map((t, i) => t / res.readCpu[i]);
  console.log(
    `read / raw, CPU time  : ${median(readCpuRatios).toFixed(2)}  (median of per-round ratios; rounds: ${readCpuRatios.map((x) => x.toFixed(2)).join(' ')})`,
  );
} finally {
  fs.rmSync(root, { recursive: true, force: true });
}
