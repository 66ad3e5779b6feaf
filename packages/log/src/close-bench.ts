/**
 * LogManager.close() with many small partition logs (issue 16: a broker with 2,000+
 * partitions spent seconds in fsyncs at shutdown). First the logs just created, never
 * written (a new cluster's first shutdown); then three rounds over the same logs: every
 * log written since its last flush; then idle logs after a restart (nothing written since
 * the previous clean close); then a tenth of them written.
 * Usage: node dist/close-bench.js [partitions=2000]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildRecordBatch } from '@kzoo/records';
import { LogManager } from './LogManager';

const partitions = Number(process.argv[2] ?? 2000);
const root = fs.mkdtempSync(
  path.join(process.env.KZOO_BENCH_DIR ?? os.tmpdir(), 'kzoo-close-bench-'),
);
const batch = buildRecordBatch({ records: [{ value: 'x'.repeat(100) }] });

function open(): LogManager {
  return LogManager.open({ logDirs: [root], cleanerEnable: false });
}

function append(m: LogManager, every: number): number {
  let n = 0;
  for (let p = 0; p < partitions; p += every) {
    m.getOrCreateLog('close-bench', p).append(Buffer.from(batch), { leaderEpoch: 0 });
    n++;
  }
  return n;
}

async function timedClose(m: LogManager): Promise<number> {
  const t0 = process.hrtime.bigint();
  await m.close();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

async function main(): Promise<void> {
  try {
    let m = open();
    for (let p = 0; p < partitions; p++) m.getOrCreateLog('close-bench', p);
    const fresh = await timedClose(m);
    m = open();
    const written = append(m, 1);
    const all = await timedClose(m);
    m = open();
    for (let p = 0; p < partitions; p++) m.getOrCreateLog('close-bench', p);
    const idle = await timedClose(m);
    m = open();
    const some = append(m, 10);
    const tenth = await timedClose(m);
    console.log(
      `kzoo close bench: ${partitions} partition logs, load average ${os.loadavg()[0].toFixed(1)}`,
    );
    console.log(`close, new logs never written: ${fresh.toFixed(2)} s`);
    console.log(`close, ${written} logs written   : ${all.toFixed(2)} s`);
    console.log(`close, idle logs            : ${idle.toFixed(2)} s`);
    console.log(`close, ${some} logs written    : ${tenth.toFixed(2)} s`);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

void main();
