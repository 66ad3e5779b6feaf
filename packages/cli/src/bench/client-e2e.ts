/**
 * End-to-end client benchmark: a real ZooKeeper (testkit) and one in-process Broker
 * in a temp dir; a Producer sends N records of 100 bytes (acks=1, batch.size 16384,
 * linger.ms 5), then a Consumer reads them all back. Prints Kafka's perf-tool lines
 * (kafka-producer-perf-test, kafka-consumer-perf-test) and, measured in the same run,
 * the physical limits: raw loopback TCP between two sockets of this process and raw
 * sequential file writes. Client, broker and bench share one Node event loop.
 *
 *   node packages/cli/dist/bench/client-e2e.js [--records N] [--record-size B]
 *        [--partitions P] [--acks 1] [--batch-size 16384] [--linger-ms 5] [--compression none]
 *        [--window 20000] [--brokers 1] [--replication-factor 1] [--idempotence true|false]
 *        [--codec-table N]
 *
 * `--brokers 3 --replication-factor 3 --acks all` runs three in-process brokers (RF=3,
 * min.insync.replicas 2) with the idempotent producer (Kafka's default with acks=all).
 * `--codec-table N` instead sends N text-like 100-byte records per codec (none, gzip,
 * snappy, lz4, zstd) to one topic each, reads them back (round trip checked) and prints
 * the bytes the broker stored on disk per codec (sum of the .log segment sizes).
 */
import * as fs from 'node:fs';
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
import { loopbackMBs, stamp } from './limits';

interface Options {
  records: number;
  recordSize: number;
  partitions: number;
  acks: string;
  batchSize: number;
  lingerMs: number;
  compression: string;
  /** Records sent and not yet acknowledged before the loop waits (as buffer.memory bounds Kafka's tool). */
  window: number;
  brokers: number;
  replicationFactor: number;
  /** undefined: Kafka's default (on with acks=all). */
  idempotence: boolean | undefined;
  codecTable: number;
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    records: 2_000_000,
    recordSize: 100,
    partitions: 4,
    acks: '1',
    batchSize: 16384,
    lingerMs: 5,
    compression: 'none',
    window: 20000,
    brokers: 1,
    replicationFactor: 1,
    idempotence: undefined,
    codecTable: 0,
  };
  for (let i = 0; i < argv.length; i += 2) {
    const v = argv[i + 1];
    switch (argv[i]) {
      case '--records':
        o.records = Number(v);
        break;
      case '--record-size':
        o.recordSize = Number(v);
        break;
      case '--partitions':
        o.partitions = Number(v);
        break;
      case '--acks':
        o.acks = v;
        break;
      case '--batch-size':
        o.batchSize = Number(v);
        break;
      case '--linger-ms':
        o.lingerMs = Number(v);
        break;
      case '--compression':
        o.compression = v;
        break;
      case '--window':
        o.window = Number(v);
        break;
      case '--brokers':
        o.brokers = Number(v);
        break;
      case '--replication-factor':
        o.replicationFactor = Number(v);
        break;
      case '--idempotence':
        o.idempotence = v === 'true';
        break;
      case '--codec-table':
        o.codecTable = Number(v);
        break;
      default:
        throw new Error(`unknown option ${argv[i]}`);
    }
  }
  return o;
}

const MB = 1024 * 1024;

/** Raw sequential file write: 1 MiB writes into a new file (no fsync, as the log). */
function fileWriteMBs(dir: string, totalBytes = 512 * MB): number {
  const file = path.join(dir, 'raw-write.bin');
  const chunk = Buffer.alloc(MB, 7);
  const fd = fs.openSync(file, 'w');
  const start = performance.now();
  for (let w = 0; w < totalBytes; w += chunk.length) fs.writeSync(fd, chunk);
  const secs = (performance.now() - start) / 1000;
  fs.closeSync(fd);
  fs.unlinkSync(file);
  return totalBytes / MB / secs;
}

function pct(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

async function produce(
  bootstrap: string,
  topic: string,
  o: Options,
): Promise<{ recsPerSec: number; mbPerSec: number }> {
  const producer = new Producer({
    'bootstrap.servers': bootstrap,
    acks: o.acks,
    'batch.size': o.batchSize,
    'linger.ms': o.lingerMs,
    'compression.type': o.compression,
    'client.id': 'producer-performance',
    ...(o.idempotence === undefined ? {} : { 'enable.idempotence': o.idempotence }),
  });
  await producer.partitionsFor(topic);
  const value = Buffer.alloc(o.recordSize, 'x');
  const latencies = new Float64Array(o.records);
  let inFlight = 0;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const HIGH = o.window;
  const LOW = Math.floor(o.window / 2);
  const start = performance.now();
  for (let i = 0; i < o.records; i++) {
    const t0 = performance.now();
    inFlight++;
    // Callback form, as Kafka's ProducerPerformance (one callback per record).
    producer.send(topic, { value }, (err) => {
      if (err) failure ??= err;
      else latencies[i] = performance.now() - t0;
      if (--inFlight < LOW && wake) {
        const w = wake;
        wake = undefined;
        w();
      }
    });
    if (inFlight >= HIGH) await new Promise<void>((r) => (wake = r));
    if (failure) throw failure;
  }
  await producer.flush();
  const secs = (performance.now() - start) / 1000;
  await producer.close();
  if (failure) throw failure;
  const idem = producer.config['enable.idempotence'];
  const sorted = latencies.slice().sort();
  let sum = 0;
  for (const l of latencies) sum += l;
  const recsPerSec = o.records / secs;
  const mbPerSec = (o.records * o.recordSize) / MB / secs;
  console.log(
    `${o.records} records sent, ${recsPerSec.toFixed(1)} records/sec (${mbPerSec.toFixed(2)} MB/sec), ` +
      `${(sum / o.records).toFixed(2)} ms avg latency, ${sorted[sorted.length - 1].toFixed(2)} ms max latency, ` +
      `${pct(sorted, 0.5).toFixed(0)} ms 50th, ${pct(sorted, 0.95).toFixed(0)} ms 95th, ` +
      `${pct(sorted, 0.99).toFixed(0)} ms 99th, ${pct(sorted, 0.999).toFixed(0)} ms 99.9th.`,
  );
  console.log(
    `# latency p50 ${pct(sorted, 0.5).toFixed(2)} ms, p99 ${pct(sorted, 0.99).toFixed(2)} ms, ` +
      `p99.9 ${pct(sorted, 0.999).toFixed(2)} ms; enable.idempotence=${idem}`,
  );
  return { recsPerSec, mbPerSec };
}

async function consume(
  bootstrap: string,
  topic: string,
  o: Options,
): Promise<{ recsPerSec: number; mbPerSec: number }> {
  const consumer = new Consumer({
    'bootstrap.servers': bootstrap,
    'auto.offset.reset': 'earliest',
    'max.poll.records': 10000,
    'client.id': 'consumer-performance',
  });
  consumer.assign(Array.from({ length: o.partitions }, (_, partition) => ({ topic, partition })));
  const startMs = Date.now();
  const start = performance.now();
  let n = 0;
  let bytes = 0;
  while (n < o.records) {
    const recs = await consumer.poll(10000);
    if (recs.length === 0)
      throw new Error(`consumer got no record for 10 s after ${n} of ${o.records}`);
    n += recs.length;
    for (const r of recs) bytes += r.value ? r.value.length : 0;
  }
  const secs = (performance.now() - start) / 1000;
  const endMs = Date.now();
  await consumer.close();
  const mb = bytes / MB;
  console.log('start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec');
  console.log(
    `${stamp(startMs)}, ${stamp(endMs)}, ${mb.toFixed(4)}, ${(mb / secs).toFixed(4)}, ${n}, ${(n / secs).toFixed(4)}`,
  );
  return { recsPerSec: n / secs, mbPerSec: mb / secs };
}

async function createTopic(
  bootstrap: string,
  topic: string,
  partitions: number,
  replicationFactor: number,
): Promise<void> {
  const admin = new Admin({ 'bootstrap.servers': bootstrap });
  await admin.createTopics([{ topic, numPartitions: partitions, replicationFactor }]);
  for (;;) {
    const [d] = await admin.describeTopics([topic]).catch(() => [undefined]);
    if (
      d &&
      d.partitions.length === partitions &&
      d.partitions.every((p) => p.leader >= 0 && p.isr.length === replicationFactor)
    )
      break;
    await new Promise((r) => setTimeout(r, 50));
  }
  await admin.close();
}

/** Text-like values: words from a small vocabulary, deterministic (seeded LCG). */
function textValues(n: number, size: number): Buffer[] {
  const words =
    'the of and to in is was that for on with as by at from this be are or an it not which have has but were their had been one all its also more can when who other new some time first two into after than'.split(
      ' ',
    );
  let seed = 12345;
  const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000;
  const out: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    let s = `${i} `;
    while (s.length < size) s += words[Math.floor(rnd() * words.length)] + ' ';
    out.push(Buffer.from(s.slice(0, size)));
  }
  return out;
}

function bytesOnDisk(dir: string, topic: string): number {
  let total = 0;
  for (const d of fs.readdirSync(dir)) {
    if (!d.startsWith('data-')) continue;
    for (const t of fs.readdirSync(path.join(dir, d))) {
      if (!t.startsWith(`${topic}-`)) continue;
      for (const f of fs.readdirSync(path.join(dir, d, t)))
        if (f.endsWith('.log')) total += fs.statSync(path.join(dir, d, t, f)).size;
    }
  }
  return total;
}

async function codecTable(bootstrap: string, dir: string, o: Options): Promise<void> {
  const values = textValues(o.codecTable, o.recordSize);
  const raw = values.reduce((a, v) => a + v.length, 0);
  console.log(
    `# codec table: ${o.codecTable} text-like records of ${o.recordSize} bytes (${(raw / MB).toFixed(2)} MB of values), ` +
      `1 partition, batch.size=${o.batchSize}, linger.ms=${o.lingerMs}, acks=${o.acks}`,
  );
  console.log('codec   bytes.on.disk  ratio.to.values  produce.records/sec  round.trip');
  for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd']) {
    const topic = `codec-${codec}`;
    await createTopic(bootstrap, topic, 1, 1);
    const producer = new Producer({
      'bootstrap.servers': bootstrap,
      acks: o.acks,
      'batch.size': o.batchSize,
      'linger.ms': o.lingerMs,
      'compression.type': codec,
    });
    await producer.partitionsFor(topic);
    const start = performance.now();
    let pending = 0;
    let failure: Error | undefined;
    let wake: (() => void) | undefined;
    for (let i = 0; i < values.length; i++) {
      pending++;
      producer.send(topic, { value: values[i], partition: 0 }, (err) => {
        if (err) failure ??= err;
        if (--pending < o.window / 2 && wake) {
          const w = wake;
          wake = undefined;
          w();
        }
      });
      if (pending >= o.window) await new Promise<void>((r) => (wake = r));
    }
    await producer.flush();
    const secs = (performance.now() - start) / 1000;
    await producer.close();
    if (failure) throw failure;
    const consumer = new Consumer({
      'bootstrap.servers': bootstrap,
      'auto.offset.reset': 'earliest',
      'max.poll.records': 10000,
    });
    consumer.assign([{ topic, partition: 0 }]);
    let n = 0;
    let same = true;
    while (n < values.length) {
      const recs = await consumer.poll(10000);
      if (recs.length === 0) throw new Error(`${codec}: no record after ${n}`);
      for (const r of recs) if (!r.value || !r.value.equals(values[n++])) same = false;
    }
    await consumer.close();
    const disk = bytesOnDisk(dir, topic);
    console.log(
      `${codec.padEnd(7)} ${String(disk).padStart(13)}  ${(disk / raw).toFixed(3).padStart(15)}  ` +
        `${(values.length / secs).toFixed(0).padStart(19)}  ${same ? 'ok' : 'MISMATCH'}`,
    );
    if (!same) throw new Error(`${codec}: records read back differ`);
  }
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  setLogLevel('warn');
  exitOnSignals('client-e2e bench');
  const dir = removeDirAtExit(makeTempDir('kzoo-bench-'));
  const zk = await startZooKeeper();
  const brokers = Array.from(
    { length: o.brokers },
    (_, i) =>
      new Broker({
        'broker.id': i + 1,
        'zookeeper.connect': `${zk.connectString}/kzoo-bench`,
        listeners: 'PLAINTEXT://127.0.0.1:0',
        'log.dirs': path.join(dir, `data-${i + 1}`),
        'min.insync.replicas': Math.min(2, o.replicationFactor),
        // The bench measures the data path; a controlled shutdown of the last broker
        // would only wait through its retries at teardown.
        'controlled.shutdown.enable': false,
      }),
  );
  try {
    for (const b of brokers) await b.start();
    const ep = brokers[0].advertisedListeners[0];
    const bootstrap = `${ep.host}:${ep.port}`;
    if (o.codecTable > 0) {
      await codecTable(bootstrap, dir, o);
      return;
    }
    const topic = 'bench';
    await createTopic(bootstrap, topic, o.partitions, o.replicationFactor);
    console.log(
      `# kzoo client e2e: ${o.records} records of ${o.recordSize} bytes, ${o.partitions} partitions, ` +
        `${o.brokers} broker(s), replication factor ${o.replicationFactor}, acks=${o.acks}, ` +
        `batch.size=${o.batchSize}, linger.ms=${o.lingerMs}, compression.type=${o.compression}, window=${o.window}; ` +
        'in-process broker(s), clients and brokers on one event loop',
    );
    const p = await produce(bootstrap, topic, o);
    const c = await consume(bootstrap, topic, o);
    const tcp = await loopbackMBs();
    const disk = fileWriteMBs(dir);
    console.log(
      `# physical limit (same run): loopback TCP ${tcp.toFixed(1)} MB/sec, sequential file write ${disk.toFixed(1)} MB/sec`,
    );
    console.log(
      `# produce ${((p.mbPerSec / Math.min(tcp, disk)) * 100).toFixed(1)}% of min(loopback, disk); ` +
        `fetch ${((c.mbPerSec / tcp) * 100).toFixed(1)}% of loopback`,
    );
    const goal = o.replicationFactor >= 3 ? 300000 : 1000000;
    console.log(
      `# goals: produce >= ${goal} records/sec: ${p.recsPerSec >= goal ? 'met' : 'NOT met'} (${p.recsPerSec.toFixed(0)}); ` +
        `fetch >= 1000000 records/sec: ${c.recsPerSec >= 1000000 ? 'met' : 'NOT met'} (${c.recsPerSec.toFixed(0)})`,
    );
  } finally {
    for (const b of brokers.reverse()) await b.shutdown();
    await zk.stop();
    removeDir(dir);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
