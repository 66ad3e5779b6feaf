/**
 * `kzoo perf end-to-end-latency`: Kafka's EndToEndLatency. A producer (linger.ms 0) and a
 * consumer (fetch.max.wait.ms 0) assigned to every partition at its end, in one process:
 * each record is sent, acknowledged, then polled back and checked (same bytes, exactly
 * one record), one at a time; progress `i<TAB>ms` every 1000 records, then the average and
 * the 50th/99th/99.9th percentiles. A missing topic is created with 1 partition, RF 1.
 *
 * kzoo's addition, `--throughput R`: latency at a set load. The producer sends at R
 * records/s without waiting (each value starts with its send time), the consumer reads
 * alongside, and each record's latency is its arrival minus its send time (one clock, one
 * process). Same closing lines, plus a line with the percentiles to 0.01 ms and one with
 * this process's own CPU share, event-loop delay and GC pauses over the run (a latency tail
 * that matches them is the measuring process's, not the brokers'), and on Linux the time it
 * was runnable but had no CPU (a machine busier than its cores). Then a line per second of
 * records (a tail from the start or from one stall stands out), and with `--warmup-records N`
 * a steady-state line of the records after the first N (a cold process and cold brokers
 * fall behind in their first seconds at a high rate and catch up: the whole run's tail is
 * that start, as KIP-1052 says of kafka-producer-perf-test). The N warm-up records are sent
 * at a rate rising linearly from 0 to R (over 2N/R s): at full rate from the first record,
 * the cold start built a queue of half a second that a machine busy at that load took
 * seconds to drain, well into the steady state.
 */
import { performance } from 'node:perf_hooks';
import { Admin, Consumer, Producer } from '@kzoo/client';
import {
  dueMs,
  fineLatencyLine,
  latencyResultLines,
  throttleDelayMs,
  windowLatencyLines,
} from './stats';
import { YIELD_EVERY } from './producer-perf';
import { selfLine, watchSelf, type SelfStats } from './self-stats';
import { getUint32, setUint32 } from '@kzoo/common';

export interface EndToEndOptions {
  bootstrap: string;
  topic: string;
  numRecords: number;
  acks: string;
  recordSize: number;
  props: Record<string, string>;
  /** Records/s for the at-load mode; undefined: Kafka's one-at-a-time mode. */
  throughput?: number;
  /** At a set load: the first N records are left out of the steady-state line. */
  warmupRecords?: number;
  print?: (line: string) => void;
}

export interface EndToEndResult {
  latenciesMs: Float64Array;
  avgMs: number;
  /** With warmupRecords: the latencies of the records after them (a view). */
  steadyStateMs?: Float64Array;
  /** At a set load: what this process itself did meanwhile (see selfLine). */
  self?: SelfStats;
}

const POLL_TIMEOUT_MS = 60000;
const SLAB_RECORDS = 1024;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function runEndToEndLatency(o: EndToEndOptions): Promise<EndToEndResult> {
  const print = o.print ?? ((l: string) => void process.stdout.write(l + '\n'));
  if (o.acks !== '1' && o.acks !== 'all')
    throw new Error('Latency testing requires synchronous acknowledgement. Please use 1 or all');
  const base = { ...o.props, 'bootstrap.servers': o.bootstrap };
  const admin = new Admin(base);
  try {
    const topics = await admin.listTopics();
    if (!topics.includes(o.topic)) {
      print(
        `Topic "${o.topic}" does not exist. Will create topic with 1 partition(s) and replication factor = 1`,
      );
      await admin.createTopics([{ topic: o.topic, numPartitions: 1, replicationFactor: 1 }]);
    }
  } finally {
    await admin.close();
  }
  const consumer = new Consumer({
    ...base,
    'enable.auto.commit': false,
    'auto.offset.reset': 'latest',
    // Kafka's one-at-a-time mode: no temporal batching on the fetch side. At a set load the
    // consumer long-polls instead (fetch.min.bytes 1 answers as soon as a record is
    // committed): with 0 it spun Fetch requests against the leaders between records.
    ...(o.throughput === undefined ? { 'fetch.max.wait.ms': 0 } : {}),
  });
  const producer = new Producer({
    ...base,
    'linger.ms': 0,
    acks: o.acks,
  });
  try {
    const partitions = await producer.partitionsFor(o.topic);
    const tps = partitions.map((partition) => ({ topic: o.topic, partition }));
    consumer.assign(tps);
    consumer.seekToEnd(tps);
    for (const tp of tps) await consumer.position(tp);
    const result =
      o.throughput === undefined
        ? await oneAtATime(o, producer, consumer, print)
        : await atLoad(o, o.throughput, producer, consumer, print);
    for (const line of latencyResultLines(result.latenciesMs)) print(line);
    if (o.throughput !== undefined) {
      print(
        `# at ${o.throughput} records/s: ${fineLatencyLine(result.latenciesMs)} (${result.latenciesMs.length} records)`,
      );
      const warmup = o.warmupRecords ?? 0;
      if (warmup > 0) {
        result.steadyStateMs = result.latenciesMs.subarray(warmup);
        print(
          `# steady state at ${o.throughput} records/s: ${fineLatencyLine(result.steadyStateMs)} (${result.steadyStateMs.length} records after ${warmup} warmup records, sent at a rate rising from 0 over ${(dueMs(warmup, o.throughput, warmup) / 1000).toFixed(1)} s)`,
        );
      }
      for (const line of windowLatencyLines(result.latenciesMs, o.throughput, 20, warmup))
        print(line);
    }
    if (result.self) print(selfLine(result.self, o.numRecords));
    return result;
  } finally {
    await producer.close();
    await consumer.close();
  }
}

async function oneAtATime(
  o: EndToEndOptions,
  producer: Producer,
  consumer: Consumer,
  print: (l: string) => void,
): Promise<EndToEndResult> {
  const latencies = new Float64Array(o.numRecords);
  let total = 0;
  let seed = 1;
  for (let i = 0; i < o.numRecords; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    const message = Buffer.alloc(o.recordSize, 65 + ((seed >>> 16) % 26));
    const begin = performance.now();
    await producer.send(o.topic, { value: message });
    const records = await consumer.poll(POLL_TIMEOUT_MS);
    const elapsed = performance.now() - begin;
    if (records.length === 0)
      throw new Error(`poll() timed out before finding a result (timeout:[${POLL_TIMEOUT_MS}])`);
    const read = records[0].value;
    if (!read || !read.equals(message))
      throw new Error(
        `The message read [${read?.toString() ?? 'null'}] did not match the message sent [${message.toString()}]`,
      );
    if (records.length !== 1)
      throw new Error(
        `Only one result was expected during this test. We found [${records.length}]`,
      );
    if (i % 1000 === 0) print(`${i}\t${elapsed}`);
    total += elapsed;
    latencies[i] = elapsed;
  }
  return { latenciesMs: latencies, avgMs: o.numRecords ? total / o.numRecords : 0 };
}

async function atLoad(
  o: EndToEndOptions,
  throughput: number,
  producer: Producer,
  consumer: Consumer,
  print: (l: string) => void,
): Promise<EndToEndResult> {
  if (!(throughput > 0)) throw new Error('--throughput must be > 0 for latency at a set load');
  if (o.recordSize < 12) throw new Error('--record-size must be >= 12 with --throughput');
  const warmup = o.warmupRecords ?? 0;
  if (!Number.isInteger(warmup) || warmup < 0 || (warmup > 0 && warmup >= o.numRecords))
    throw new Error('--warmup-records must be an integer from 0 to fewer than --num-records');
  const now = () => performance.timeOrigin + performance.now();
  const stopWatching = watchSelf();
  const latencies = new Float64Array(o.numRecords);
  let received = 0;
  let failure: Error | undefined;
  const consumed = (async () => {
    let lastSeen = now();
    while (received < o.numRecords && !failure) {
      const recs = await consumer.poll(100);
      const t = now();
      if (recs.length > 0) lastSeen = t;
      else if (t - lastSeen > POLL_TIMEOUT_MS)
        throw new Error(`no record for ${POLL_TIMEOUT_MS} ms after ${received} of ${o.numRecords}`);
      for (const r of recs) {
        if (!r.value || r.value.length !== o.recordSize)
          throw new Error(`record at offset ${r.offset} is not one this run sent`);
        const i = getUint32(r.value, 8);
        latencies[i] = t - r.value.readDoubleBE(0);
        received++;
      }
    }
  })();
  consumed.catch((e: unknown) => (failure ??= e as Error));
  const start = now();
  let lastPrint = start;
  // Values are views into slabs of SLAB_RECORDS records (the producer may hold a view until
  // its batch is sent; a slab is never rewritten): a Buffer.alloc per record made an
  // ArrayBuffer each, and this process's own allocation and GC sat in every latency it
  // measured, on the machine the brokers share.
  let slab = Buffer.alloc(0);
  let slabAt = 0;
  const onSent = (err: Error | null) => {
    if (err) failure ??= err;
  };
  for (let i = 0; i < o.numRecords && !failure; i++) {
    if (slabAt + o.recordSize > slab.length) {
      slab = Buffer.allocUnsafe(o.recordSize * SLAB_RECORDS);
      slabAt = 0;
    }
    const value = slab.subarray(slabAt, (slabAt += o.recordSize));
    value.fill(65 + (i % 26));
    const t = now();
    value.writeDoubleBE(t, 0);
    setUint32(value, 8, i);
    producer.send(o.topic, { value }, onSent);
    // Kafka's send() blocks while buffer.memory is full: wait for room as it would, rather
    // than park ever more sends (behind schedule, their records and promises filled the
    // heap, GC took the CPU the brokers needed, and the run fell further behind: 28 s and
    // 11 s latencies for a 9 s run after a cold start).
    while (producer.bufferAvailableBytes <= 0 && !failure) await sleep(1);
    if (t - lastPrint >= 5000) {
      print(`${i} records sent, ${received} received`);
      lastPrint = t;
    }
    const delay = throttleDelayMs(throughput, i + 1, t - start, warmup);
    if (delay > 0) await sleep(delay);
    // Behind schedule the loop never sleeps: yield anyway, or neither the producer's sender
    // nor this process's consumer runs.
    else if ((i + 1) % YIELD_EVERY === 0) await new Promise<void>((r) => setImmediate(r));
  }
  let self: SelfStats;
  try {
    await producer.flush();
    await consumed;
  } finally {
    self = stopWatching();
  }
  if (failure) throw failure;
  let total = 0;
  for (const l of latencies) total += l;
  return { latenciesMs: latencies, avgMs: total / o.numRecords, self };
}
