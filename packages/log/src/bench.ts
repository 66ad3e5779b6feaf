/**
 * Log append/read benchmark: 100-byte records in 16 KiB batches appended to a Log,
 * next to a raw sequential write of the same bytes with the same flush policy (the OS
 * flushes; both fsync once at the end, timed separately), and sequential reads from the
 * page cache. Usage: node dist/bench.js [totalMiB=512] [rounds=5]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildRecordBatch, crc32cImplementation, readBatchHeader } from '@kzoo/records';
import { Log } from './Log';

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

function rawWrite(file: string): { write: number; cpu: number; fsync: number } {
  const fd = fs.openSync(file, 'w');
  let pos = 0;
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < nBatches; i++) {
    const b = pool[i % pool.length];
    fs.writeSync(fd, b, 0, b.length, pos);
    pos += b.length;
  }
  const write = seconds(t0);
  const cpu = cpuSeconds(c0);
  const t1 = process.hrtime.bigint();
  fs.fsyncSync(fd);
  fs.closeSync(fd);
  return { write, cpu, fsync: seconds(t1) };
}

function logAppend(dir: string): { write: number; cpu: number; fsync: number; log: Log } {
  const log = Log.open(dir, {}); // Kafka's defaults: segment.bytes 1 GiB, flush left to the OS
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < nBatches; i++) log.append(pool[i % pool.length], { leaderEpoch: 0 });
  const write = seconds(t0);
  const cpu = cpuSeconds(c0);
  const t1 = process.hrtime.bigint();
  log.flush();
  return { write, cpu, fsync: seconds(t1), log };
}

function logRead(log: Log, fetchBytes: number): { wall: number; cpu: number } {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  let offset = 0;
  let total = 0;
  while (offset < log.logEndOffset) {
    const r = log.read(offset, fetchBytes);
    total += r.records.length;
    const last = r.records.length - batchSize; // equal-size batches
    offset = readBatchHeader(r.records, last).lastOffset + 1;
  }
  if (total !== bytes) throw new Error(`read ${total} bytes, expected ${bytes}`);
  return { wall: seconds(t0), cpu: cpuSeconds(c0) };
}

function rawRead(file: string, chunk: number): { wall: number; cpu: number } {
  const fd = fs.openSync(file, 'r');
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  let pos = 0;
  for (;;) {
    const b = Buffer.allocUnsafe(chunk);
    const n = fs.readSync(fd, b, 0, chunk, pos);
    if (n === 0) break;
    pos += n;
  }
  const wall = seconds(t0);
  const cpu = cpuSeconds(c0);
  fs.closeSync(fd);
  return { wall, cpu };
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
  for (let r = 0; r < rounds; r++) {
    // Alternate which goes first; each leaves nothing dirty behind (fsync, delete).
    const runRaw = () => {
      const rawFile = path.join(root, `raw-${r}.bin`);
      const raw = rawWrite(rawFile);
      res.raw.push(raw.write);
      res.rawCpu.push(raw.cpu);
      res.rawSync.push(raw.fsync);
      const rr = rawRead(rawFile, 1024 * 1024);
      res.rawRead.push(rr.wall);
      res.rawReadCpu.push(rr.cpu);
      fs.rmSync(rawFile);
    };
    const runLog = () => {
      const app = logAppend(path.join(root, `bench-${r}`));
      res.log.push(app.write);
      res.logCpu.push(app.cpu);
      res.logSync.push(app.fsync);
      const lr = logRead(app.log, 1024 * 1024);
      res.read.push(lr.wall);
      res.readCpu.push(lr.cpu);
      app.log.delete();
    };
    if (r % 2 === 0) {
      runRaw();
      runLog();
    } else {
      runLog();
      runRaw();
    }
  }
  const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
  console.log(
    `kzoo log bench: ${(bytes / 2 ** 20).toFixed(0)} MiB, ${nBatches} batches of ${batchSize} B, ${recordsPerBatch} records of ${RECORD_BYTES} B each, median of ${rounds} rounds`,
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
