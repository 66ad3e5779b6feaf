/**
 * What the benchmarks share: the raw loopback TCP limits measured in the same run (MB/s,
 * the floor a request/response round trip between two processes costs, and a system call),
 * Kafka's perf-tool timestamp format, and the record batch the raw load generators send.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Producer, ProducerRecord } from '@kzoo/client';
import { buildRecordBatch, readBatchHeader } from '@kzoo/records';
import { processCpuMs } from '../perf/self-stats';

/**
 * The largest RecordBatch v2 of `recordBytes`-byte values (every byte `fill`) that fits
 * in `batchBytes`, as a producer with batch.size = `batchBytes` would build it.
 */
export function fullBatch(
  recordBytes: number,
  batchBytes: number,
  fill = 97,
): { batch: Buffer; records: number } {
  const value = Buffer.alloc(recordBytes, fill);
  const recs: Array<{ value: Buffer }> = [];
  let best = buildRecordBatch({ records: [{ value }] });
  for (;;) {
    recs.push({ value });
    const next = buildRecordBatch({ records: recs });
    if (next.length > batchBytes) break;
    best = next;
  }
  return { batch: best, records: readBatchHeader(best).recordCount };
}

const MB = 1024 * 1024;

/** Raw loopback TCP: one socket writes 64 KiB chunks, another in-process socket reads. */
export async function loopbackMBs(totalBytes = 1024 * MB): Promise<number> {
  const chunk = Buffer.alloc(64 * 1024, 7);
  let received = 0;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const server = net.createServer((s) => {
    s.on('data', (d: Buffer) => {
      received += d.length;
      if (received >= totalBytes) resolveDone();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const client = net.connect(port, '127.0.0.1');
  await new Promise<void>((r) => client.once('connect', r));
  const start = performance.now();
  let sent = 0;
  const pump = () => {
    while (sent < totalBytes) {
      sent += chunk.length;
      if (!client.write(chunk)) return void client.once('drain', pump);
    }
  };
  pump();
  await done;
  const secs = (performance.now() - start) / 1000;
  client.destroy();
  await new Promise<void>((r) => server.close(() => r()));
  return received / MB / secs;
}

/** A process's CPU time in µs (/proc: NaN where there is none). */
const childCpuUs = (pid: number) => (processCpuMs(pid) ?? NaN) * 1000;

// The child's side of loopbackRoundTrip: answers every 100 bytes with a response.
const ECHO_CHILD = `
const net = require('net');
const [port, size] = process.argv.slice(1).map(Number);
const response = Buffer.alloc(size, 7);
const s = net.connect(port, '127.0.0.1', () => s.setNoDelay(true));
let got = 0;
s.on('data', (d) => { got += d.length; while (got >= 100) { got -= 100; s.write(response); } });
s.on('error', () => process.exit(0));
s.on('close', () => process.exit(0));
`;

/**
 * What one system call costs this process, in µs of wall time: 1-byte reads at the end of
 * an empty file (the kernel answers 0 at once), so the figure is the kernel's entry and
 * exit plus node's fs binding. Every socket read and write, epoll wait and log append of
 * a request pays at least this; a virtual machine can make it many times a bare one's.
 */
export function syscallCostUs(dir: string, count = 200000): number {
  const file = path.join(dir, 'syscall-probe');
  const fd = fs.openSync(file, 'w+');
  try {
    const b = Buffer.alloc(1);
    for (let i = 0; i < 10000; i++) fs.readSync(fd, b, 0, 1, 0); // warm-up (JIT)
    const t0 = performance.now();
    for (let i = 0; i < count; i++) fs.readSync(fd, b, 0, 1, 0);
    return ((performance.now() - t0) * 1000) / count;
  } finally {
    fs.closeSync(fd);
    fs.rmSync(file, { force: true });
  }
}

/**
 * The floor a message pays on this machine before any of kzoo's work: request/response
 * round trips over loopback TCP between this process and a child node process, one in
 * flight, a 100-byte request answered with `responseBytes` (both with TCP_NODELAY, as
 * kzoo's sockets). Returns the wall time and the CPU of both processes per round trip
 * (CPU from /proc: NaN elsewhere). Every produce, follower fetch and consumer fetch is at
 * least one such round trip.
 */
export async function loopbackRoundTrip(
  responseBytes: number,
  count = 20000,
  warmup = 2000,
): Promise<{ wallUs: number; cpuUs: number }> {
  const request = Buffer.alloc(100, 1);
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  let trips = 0;
  let start = 0;
  let cpu0 = 0;
  let child0 = 0;
  let wallUs = 0;
  let cpuUs = 0;
  let childPid = 0;
  const server = net.createServer((sock) => {
    sock.setNoDelay(true);
    let got = 0;
    sock.on('data', (d: Buffer) => {
      got += d.length;
      while (got >= responseBytes) {
        got -= responseBytes;
        trips++;
        if (trips === warmup) {
          start = performance.now();
          const c = process.cpuUsage();
          cpu0 = c.user + c.system;
          child0 = childCpuUs(childPid);
        } else if (trips === warmup + count) {
          wallUs = ((performance.now() - start) * 1000) / count;
          const c = process.cpuUsage();
          cpuUs = (c.user + c.system - cpu0 + childCpuUs(childPid) - child0) / count;
          sock.destroy();
          resolveDone();
          return;
        }
        sock.write(request);
      }
    });
    sock.on('error', () => undefined);
    sock.write(request);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const child = spawn(process.execPath, ['-e', ECHO_CHILD, String(port), String(responseBytes)], {
    stdio: 'ignore',
  });
  childPid = child.pid ?? 0;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    await done;
  } finally {
    child.kill('SIGKILL');
    await exited;
    await new Promise<void>((r) => server.close(() => r()));
  }
  return { wallUs, cpuUs };
}

/** kafka-consumer-perf-test's `yyyy-MM-dd HH:mm:ss:SSS`. */
export function stamp(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}:${p(d.getMilliseconds(), 3)}`;
}

/**
 * Sends `n` copies of `record` to `topic` as fast as the producer takes them, keeping at
 * most 20,000 unacknowledged (resuming below 10,000), then flushes. Throws the first
 * failure.
 */
export async function sendBounded(
  producer: Producer,
  topic: string,
  record: ProducerRecord,
  n: number,
): Promise<void> {
  let inFlight = 0;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  for (let i = 0; i < n; i++) {
    inFlight++;
    producer.send(topic, record, (err) => {
      if (err) failure ??= err;
      if (--inFlight < 10000 && wake) {
        const w = wake;
        wake = undefined;
        w();
      }
    });
    if (inFlight >= 20000) await new Promise<void>((r) => (wake = r));
    if (failure) throw failure;
  }
  await producer.flush();
  if (failure) throw failure;
}

/**
 * Raw sequential write of `totalBytes` of new data (1 MiB chunks of a non-zero pattern, no
 * fsync), MB/s; the file is removed. Unlike the 512 MiB of `fileWriteReadMBs`, whose pages
 * may be ones just freed, this many bytes need page-cache pages the machine has not used
 * lately, as a broker's growing log does. On a VM whose free memory is handed back to the
 * hypervisor (free page reporting), each such page is faulted in on the host at its first
 * write: there this figure is several times below the other.
 */
export function newDataWriteMBs(dir: string, totalBytes = 2048 * MB): number {
  const file = `${dir}/raw-new-data-${process.pid}.bin`;
  const chunk = Buffer.alloc(MB);
  for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 31 + 7) & 255;
  const fd = fs.openSync(file, 'w');
  const t0 = performance.now();
  try {
    for (let w = 0; w < totalBytes; w += chunk.length) fs.writeSync(fd, chunk);
    return totalBytes / MB / ((performance.now() - t0) / 1000);
  } finally {
    fs.closeSync(fd);
    fs.unlinkSync(file);
  }
}

/**
 * Raw sequential file write then read of the same file (1 MiB chunks, no fsync; the
 * read comes from the page cache, as a fetch of recent data does). MB/s each.
 */
export function fileWriteReadMBs(
  dir: string,
  totalBytes = 512 * MB,
): { writeMBs: number; readMBs: number } {
  const file = `${dir}/raw-limit-${process.pid}.bin`;
  const chunk = Buffer.alloc(MB, 7);
  const fd = fs.openSync(file, 'w');
  let t0 = performance.now();
  for (let w = 0; w < totalBytes; w += chunk.length) fs.writeSync(fd, chunk);
  const writeSecs = (performance.now() - t0) / 1000;
  fs.closeSync(fd);
  const rfd = fs.openSync(file, 'r');
  t0 = performance.now();
  let read = 0;
  for (;;) {
    const n = fs.readSync(rfd, chunk, 0, chunk.length, read);
    if (n <= 0) break;
    read += n;
  }
  const readSecs = (performance.now() - t0) / 1000;
  fs.closeSync(rfd);
  fs.unlinkSync(file);
  return { writeMBs: totalBytes / MB / writeSecs, readMBs: read / MB / readSecs };
}

/** The machine line every bench prints: kernel, CPUs, Node, and the load average now. */
export function machineLine(): string {
  const cpus = os.cpus();
  const load = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  return (
    `machine: ${os.type()} ${os.release()} ${os.arch()}, ${cpus.length} x ${cpus[0]?.model.trim() ?? '?'}, ` +
    `${(os.totalmem() / 1024 ** 3).toFixed(0)} GiB, node ${process.version}, load average ${load}`
  );
}

/**
 * `--flag value` pairs of a bench script, every value a number (1/0 for switches): `flags`
 * maps each flag to the key of `defaults` it sets. An unknown flag or a non-number fails;
 * `--help` (or `-h`) prints the flags with their defaults and exits.
 */
export function numericArgs<T extends { [K in keyof T]: number | boolean }>(
  argv: string[],
  defaults: T,
  flags: Record<string, keyof T>,
): T {
  const o: Record<string, number | boolean> = { ...defaults };
  if (argv.includes('--help') || argv.includes('-h')) {
    const lines = Object.entries(flags).map(([flag, key]) => {
      const d = defaults[key as keyof T];
      return `  ${flag} ${typeof d === 'boolean' ? '0|1' : 'N'}  (default ${typeof d === 'boolean' ? Number(d) : d})`;
    });
    console.log(`options:\n${lines.join('\n')}`);
    process.exit(0);
  }
  for (let i = 0; i < argv.length; i += 2) {
    const key = flags[argv[i]];
    if (key === undefined) throw new Error(`unknown option ${argv[i]}`);
    const v = Number(argv[i + 1]);
    if (!Number.isFinite(v)) throw new Error(`${argv[i]} expects a number, got ${argv[i + 1]}`);
    o[key as string] = typeof defaults[key] === 'boolean' ? v === 1 : v;
  }
  return o as T;
}
