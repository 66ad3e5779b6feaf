/**
 * `kzoo perf produce`: kafka-producer-perf-test on kzoo's Producer. Sends `numRecords`
 * records of `recordSize` random upper-case bytes (Kafka's payload) with one callback per
 * record, paced by `throughput` (-1: as fast as the producer takes them), prints a window
 * line every 5 s and the final line with avg/max and the 50th/95th/99th/99.9th
 * percentiles. Unacknowledged records are bounded by `buffer.memory` bytes, as Kafka's
 * send() blocks when its buffer is full: the loop stops sending while the producer's
 * batches hold all of it (its buffer-available-bytes), and goes on once half is free.
 */
import { Producer, type CompletedBatch, type RecordCallback } from '@kzoo/client';
import { ProducerStats, throttleDelayMs } from './stats';
import { selfLine, watchSelf } from './self-stats';

export interface ProducerPerfOptions {
  topic: string;
  numRecords: number;
  recordSize: number;
  throughput: number;
  props: Record<string, string>;
  print?: (line: string) => void;
  reportingIntervalMs?: number;
  /**
   * `--warmup-records` (KIP-1052): the first N records count in the whole run's line only;
   * a second final line gives the steady state, the records after them.
   */
  warmupRecords?: number;
  /** kzoo: after Kafka's lines, `# this process during the run: ...` (see self-stats). */
  selfStats?: boolean;
}

export interface ProducerPerfResult {
  records: number;
  recordsPerSec: number;
  mbPerSec: number;
  p50: number;
  p99: number;
  p999: number;
  /** With warmupRecords: the same of the records after them. */
  steadyState?: Omit<ProducerPerfResult, 'steadyState'>;
}

/** Distinct payloads cycled through (Kafka draws fresh random bytes per record). */
const PAYLOADS = 64;

function payloads(recordSize: number): Buffer[] {
  let seed = 0x2545f491;
  const out: Buffer[] = [];
  for (let i = 0; i < PAYLOADS; i++) {
    const b = Buffer.allocUnsafe(recordSize);
    for (let j = 0; j < recordSize; j++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      b[j] = 65 + ((seed >>> 16) % 26);
    }
    out.push(b);
  }
  return out;
}

/**
 * Sends between yields to the event loop. Without them the loop appends until buffer.memory is
 * full before the sender writes a byte: measured on one broker, 1 M records of 100 B, 174 k
 * records/s with p50 1.5 s; yielding every 50-400 sends gave 340-440 k records/s with p50 0-1 ms.
 */
export const YIELD_EVERY = 256;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function runProducerPerf(o: ProducerPerfOptions): Promise<ProducerPerfResult> {
  const print = o.print ?? ((l: string) => void process.stdout.write(l + '\n'));
  const stopWatching = o.selfStats ? watchSelf() : undefined;
  const producer = new Producer({ 'client.id': 'perf-producer-client', ...o.props });
  const bufferMemory = producer.config['buffer.memory'];
  const values = payloads(o.recordSize);
  const warmup = o.warmupRecords ?? 0;
  if (!Number.isInteger(warmup) || warmup < 0 || (warmup > 0 && warmup >= o.numRecords))
    throw new Error(
      'The value for --warmup-records must be strictly fewer than the number of records in the test, --num-records.',
    );
  let failure: Error | undefined;
  try {
    await producer.partitionsFor(o.topic);
    // Milliseconds, as Kafka's tool reads System.currentTimeMillis() (Date.now() costs a
    // fraction of performance.now(); the tool reads it once per record sent and once per
    // batch acknowledged).
    const now = Date.now;
    const stats = new ProducerStats(o.numRecords, now, print, o.reportingIntervalMs);
    // A batch reserves batch.size bytes however few records it holds, so the producer's
    // own count decides, not this loop's record bytes (the producer parks a send made
    // while it is full, which costs far more than the send).
    const resumeAt = bufferMemory / 2;
    let wake: (() => void) | undefined;
    let checkScheduled = false;
    // Run after the callbacks of a response: the batches are released by then.
    const checkBuffer = () => {
      checkScheduled = false;
      if (wake && (producer.bufferAvailableBytes >= resumeAt || failure)) {
        const w = wake;
        wake = undefined;
        w();
      }
    };
    // The callback runs once per record, as Kafka's tool has a PerfCallback per record, and
    // takes the record's latency from its send time, which is its CreateTime (each record is
    // stamped with it below): one RecordCallback for all records, so the producer builds no
    // RecordMetadata and the acknowledgements read the batch's own per-record array in order
    // (a callback object per record in flight, up to buffer.memory worth, cost a cache miss
    // or two per record). The clock is read once per batch acknowledged: its records are
    // completed in one loop, within the millisecond (Kafka's tool reads it per callback).
    let ackBatch: CompletedBatch | null = null;
    let ackTime = 0;
    const recordSize = o.recordSize;
    // After the warm-up the records go to a second callback that counts them in both stats
    // (Kafka's tool gives the records from then on callbacks holding both).
    let steady: ProducerStats | undefined;
    const completion =
      (counted: (latencyMs: number) => void): RecordCallback['onCompletion'] =>
      (err, batch, slot) => {
        if (batch !== ackBatch || batch === null) {
          ackBatch = batch;
          ackTime = now();
        }
        if (err) failure ??= err;
        else counted(ackTime - batch!.createTimeOf(slot));
        if (wake && !checkScheduled) {
          checkScheduled = true;
          setImmediate(checkBuffer);
        }
      };
    let callback: RecordCallback = {
      onCompletion: completion((l) => stats.record(l, recordSize, ackTime)),
    };
    const steadyCallback: RecordCallback = {
      onCompletion: completion((l) => {
        stats.record(l, recordSize, ackTime);
        steady!.record(l, recordSize, ackTime);
      }),
    };
    if (warmup > 0)
      print(
        `Warmup first ${warmup} records. Steady state results will print after the complete test summary.`,
      );
    // The records themselves are not kept by the producer: one per payload, reused. Each is
    // stamped with its send time, which is the CreateTime the producer would read from the
    // clock itself (one clock read per record, as Kafka's tool and producer need two).
    const start = now();
    const records = values.map((value) => ({ value, timestamp: start }));
    for (let i = 0; i < o.numRecords; i++) {
      const sendStart = now();
      if (warmup > 0 && i === warmup) {
        steady = new ProducerStats(o.numRecords - warmup, now, print, o.reportingIntervalMs, true);
        stats.suppressPrinting();
        callback = steadyCallback;
      }
      const record = records[i % PAYLOADS];
      record.timestamp = sendStart;
      producer.send(o.topic, record, callback);
      if (failure) throw failure;
      if (producer.bufferAvailableBytes <= 0) await new Promise<void>((r) => (wake = r));
      // One event loop: let the producer's sender write and read between bursts of sends
      // (Kafka's sender is a thread of its own).
      else if ((i + 1) % YIELD_EVERY === 0) await new Promise<void>((r) => setImmediate(r));
      const delay = o.throughput < 0 ? 0 : throttleDelayMs(o.throughput, i + 1, sendStart - start);
      if (delay === Infinity) throw new Error('--throughput 0 sends nothing');
      if (delay > 0) await sleep(delay);
    }
    await producer.flush();
    if (failure) throw failure;
    const end = now();
    await producer.close();
    print(stats.totalLine(end));
    if (steady) print(steady.totalLine(end));
    if (stopWatching) print(selfLine(stopWatching(), o.numRecords));
    return { ...resultOf(stats, end), ...(steady ? { steadyState: resultOf(steady, end) } : {}) };
  } finally {
    await producer.close({ timeoutMs: failure ? 0 : undefined });
  }
}

function resultOf(stats: ProducerStats, end: number): Omit<ProducerPerfResult, 'steadyState'> {
  const [p50, p99, p999] = stats.percentiles(0.5, 0.99, 0.999);
  return {
    records: stats.count,
    recordsPerSec: stats.recordsPerSec(end),
    mbPerSec: stats.bytes / (1024 * 1024) / Math.max((end - stats.startTime) / 1000, 1e-6),
    p50,
    p99,
    p999,
  };
}
