/**
 * Kafka listener vs native listener, and kafkajs vs kzoo's client, on one broker.
 *
 * One real ZooKeeper (testkit) and one broker with two listeners: PLAINTEXT (kzoo's
 * native protocol, msgpackr bodies) and KAFKA (Apache Kafka's binary protocol). By
 * default the broker is a child process (`kzoo broker start --port P --kafka-port K`),
 * so the load generators in this process do not share the broker's event loop: both
 * wires are measured against the same broker process, whose request path (codec,
 * handlers, log) is what differs, not a shared event loop. `--in-process 1` runs the
 * broker as an object in this process instead (one event loop for everything).
 *
 *   1. wire: a raw load generator sends Produce requests (acks=1, `--in-flight`
 *      outstanding) carrying the same pre-built 16 KiB RecordBatch v2 batches of
 *      100-byte records, once over the native protocol (Produce v0) and once over the
 *      Kafka protocol (Produce v7), each to its own 1-partition topic; then fetches the
 *      records back (native Fetch v0, Kafka Fetch v11; one fetch in flight, as a
 *      consumer). Both wires use the same client code (one socket, FrameDecoder,
 *      pipelined requests); only the codec differs (`encodeRequest`/`decodeResponseBody`
 *      vs `encodeKafkaRequest`/`decodeKafkaResponse`). The two wires take turns within
 *      a round (A B, B A, A B, ...), `--chunk-records` records of Produce (one fetch)
 *      at a time, so a burst of load from elsewhere on the machine hits both alike and
 *      each goes first equally often; each wire's time is the sum of its turns (after
 *      2 x `--in-flight` untimed Produce requests per wire that absorb the fetch
 *      phase's leftovers). Fetch reads each round's records `--fetch-passes` times
 *      (from the page cache), so a fetch figure spans more than a few requests. A
 *      warm-up round (not counted), then `--rounds` rounds, the wire that goes first
 *      alternating. The summary gives the ratio of the medians and the median of the
 *      per-round ratios; the 0.9x goal is met when both are >= 0.9.
 *   2. clients: kafkajs 2.2.4 (Kafka listener) against kzoo's Producer/Consumer
 *      (native listener). Producers write `--client-records` 100-byte records each to
 *      their own topic, acks=1: kzoo's Producer with batch.size 16384, linger.ms 5
 *      (as the perf tool), kafkajs with `send()` of `--kafkajs-batch` messages,
 *      `--kafkajs-in-flight` sends outstanding. Then both consumers read the topic
 *      kzoo's Producer wrote (the same batches) from the beginning, in a new group
 *      each: kzoo's Consumer with poll() (max.poll.records 10000), kafkajs with
 *      eachBatch (its defaults, which commit after each batch). A warm-up round, then
 *      `--client-rounds` rounds, order alternating; medians.
 *
 * Beside them, measured in the same run: raw loopback TCP in this process.
 *
 *   npx tsc -b && node packages/cli/dist/bench/kafka-wire.js [--records 500000] [--rounds 4]
 *        [--in-flight 16] [--chunk-records 100000] [--fetch-passes 2] [--client-records 200000]
 *        [--client-rounds 3] [--kafkajs-batch 1000] [--kafkajs-in-flight 4] [--in-process 0]
 *
 * `--rounds 0` or `--client-rounds 0` skips that part.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import { performance } from 'node:perf_hooks';
import { Broker } from '@kzoo/broker';
import { Consumer, Producer } from '@kzoo/client';
import { setLogLevel } from '@kzoo/common';
import {
  Connection,
  FrameDecoder,
  decodeKafkaResponse,
  decodeResponseBody,
  decodeResponseHeader,
  encodeKafkaRequest,
  encodeRequest,
  type FetchRequest,
  type FetchResponse,
  type ProduceRequest,
  type ProduceResponse,
} from '@kzoo/protocol';
import { iterateBatches } from '@kzoo/records';
import {
  exitOnSignals,
  makeTempDir,
  removeDir,
  removeDirAtExit,
  startBrokerProcess,
  startZooKeeper,
} from '@kzoo/testkit';
import { Kafka, logLevel } from 'kafkajs';
import { fullBatch, loopbackMBs, sendBounded } from './limits';

interface Options {
  records: number;
  rounds: number;
  inFlight: number;
  chunkRecords: number;
  fetchPasses: number;
  clientRecords: number;
  clientRounds: number;
  kafkajsBatch: number;
  kafkajsInFlight: number;
  inProcess: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    records: 500_000,
    rounds: 4,
    inFlight: 16,
    chunkRecords: 100_000,
    fetchPasses: 2,
    clientRecords: 200_000,
    clientRounds: 3,
    kafkajsBatch: 1000,
    kafkajsInFlight: 4,
    inProcess: false,
  };
  const keys: Record<string, keyof Options> = {
    '--records': 'records',
    '--rounds': 'rounds',
    '--in-flight': 'inFlight',
    '--chunk-records': 'chunkRecords',
    '--fetch-passes': 'fetchPasses',
    '--client-records': 'clientRecords',
    '--client-rounds': 'clientRounds',
    '--kafkajs-batch': 'kafkajsBatch',
    '--kafkajs-in-flight': 'kafkajsInFlight',
  };
  for (let i = 0; i < argv.length; i += 2) {
    const v = Number(argv[i + 1]);
    if (argv[i] === '--in-process') {
      o.inProcess = v === 1;
      continue;
    }
    const k = keys[argv[i]];
    if (!k)
      throw new Error(
        `unknown option ${argv[i]} (${[...Object.keys(keys), '--in-process'].join(', ')})`,
      );
    if (!Number.isInteger(v) || v < 0) throw new Error(`${argv[i]} needs a non-negative integer`);
    (o as unknown as Record<string, number>)[k] = v;
  }
  return o;
}

const RECORD_BYTES = 100;
const BATCH_BYTES = 16 * 1024;
const MB = 1024 * 1024;
const PRODUCE = 0;
const FETCH = 1;
/** Fetch requests (of up to 4 MiB each) per wire before the other wire's turn. */
const FETCH_CHUNK = 1;

type Wire = 'native' | 'kafka';
/** The API versions each wire's load generator speaks. */
const VERSIONS: Record<Wire, { produce: number; fetch: number }> = {
  native: { produce: 0, fetch: 0 },
  kafka: { produce: 7, fetch: 11 },
};

function makeBatch(seed: number): { batch: Buffer; records: number } {
  return fullBatch(RECORD_BYTES, BATCH_BYTES, 97 + (seed % 26));
}

interface Pending {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  resolve: (body: unknown) => void;
  reject: (e: Error) => void;
}

/**
 * One socket with pipelined requests, answered in order. The same code for both
 * wires; only `encode`/`decode` differ.
 */
class RawClient {
  private readonly decoder = new FrameDecoder();
  private readonly pending: Pending[] = [];
  private nextCorrelationId = 0;
  private failure: Error | undefined;

  private constructor(
    readonly wire: Wire,
    private readonly socket: net.Socket,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (e) => this.fail(e));
    socket.on('close', () => this.fail(new Error(`${wire} connection closed`)));
  }

  static async connect(wire: Wire, port: number): Promise<RawClient> {
    const socket = net.connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new RawClient(wire, socket);
  }

  request<T>(apiKey: number, apiVersion: number, body: unknown): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    const correlationId = this.nextCorrelationId++;
    const header = { apiKey, apiVersion, correlationId, clientId: 'kzoo-bench' };
    const frame =
      this.wire === 'kafka' ? encodeKafkaRequest(header, body) : encodeRequest(header, body);
    return new Promise<T>((resolve, reject) => {
      this.pending.push({
        apiKey,
        apiVersion,
        correlationId,
        resolve: resolve as (b: unknown) => void,
        reject,
      });
      this.socket.write(frame);
    });
  }

  private onData(chunk: Buffer): void {
    this.decoder.push(chunk);
    for (let frame = this.decoder.next(); frame !== undefined; frame = this.decoder.next()) {
      const p = this.pending.shift();
      if (!p) return this.fail(new Error(`${this.wire}: response without a request`));
      try {
        let correlationId: number;
        let body: unknown;
        if (this.wire === 'kafka') {
          ({ correlationId, body } = decodeKafkaResponse(p.apiKey, p.apiVersion, frame));
        } else {
          correlationId = decodeResponseHeader(frame).correlationId;
          body = decodeResponseBody(frame, p.apiKey, p.apiVersion);
        }
        if (correlationId !== p.correlationId)
          throw new Error(`${this.wire}: correlation id ${correlationId} != ${p.correlationId}`);
        p.resolve(body);
      } catch (e) {
        p.reject(e as Error);
      }
    }
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const p of this.pending.splice(0)) p.reject(this.failure);
  }

  close(): void {
    this.failure ??= new Error('closed');
    this.socket.destroy();
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

function pct(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

interface Rate {
  recsPerSec: number;
  mbPerSec: number;
}

/**
 * CPU time (ns) the broker has used so far: all threads of its process from
 * /proc/<pid>/task/<tid>/schedstat (Linux), or this process's `cpuUsage()` when the
 * broker runs in-process (load generator included). Unlike wall time, it hardly moves
 * with what else runs on the machine.
 */
type CpuClock = () => number;

const inProcessClock: CpuClock = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
};

function processCpuClock(pid: number): CpuClock | undefined {
  const read = (): number => {
    let ns = 0;
    for (const t of fs.readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(fs.readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // the thread ended between readdir and read
      }
    }
    return ns;
  };
  try {
    read();
    return read;
  } catch {
    return undefined; // no /proc: wall-clock figures only
  }
}

/** What one wire did in one round, summed over its chunks. */
class WireRun {
  records = 0;
  bytes = 0;
  secs = 0;
  requests = 0;
  /** Broker CPU ns used during this wire's turns. */
  cpuNs = 0;
  readonly latencies: number[] = [];

  /** Broker CPU µs per 1000 records. */
  cpuPer1k(): number {
    return this.cpuNs / 1000 / (this.records / 1000);
  }

  private cpuText(clock: CpuClock | undefined): string {
    return clock ? `, broker CPU ${this.cpuPer1k().toFixed(1)} us/1000 records` : '';
  }

  rate(): Rate {
    return { recsPerSec: this.records / this.secs, mbPerSec: this.bytes / MB / this.secs };
  }

  produceLine(label: string, clock: CpuClock | undefined): string {
    const sorted = Float64Array.from(this.latencies).sort();
    let sum = 0;
    for (const l of sorted) sum += l;
    const r = this.rate();
    return (
      `${label}: ${this.records} records sent, ${r.recsPerSec.toFixed(1)} records/sec (${r.mbPerSec.toFixed(2)} MB/sec), ` +
      `${(sum / sorted.length).toFixed(2)} ms avg latency, ${sorted[sorted.length - 1].toFixed(2)} ms max latency, ` +
      `${pct(sorted, 0.5).toFixed(2)} ms 50th, ${pct(sorted, 0.99).toFixed(2)} ms 99th${this.cpuText(clock)}.`
    );
  }

  fetchLine(label: string, clock: CpuClock | undefined): string {
    const r = this.rate();
    const sorted = Float64Array.from(this.latencies).sort();
    return (
      `${label}: ${this.records} records fetched, ${r.recsPerSec.toFixed(1)} records/sec ` +
      `(${r.mbPerSec.toFixed(2)} MB/sec), ${this.requests} fetches in ${this.secs.toFixed(2)} s, ` +
      `${pct(sorted, 0.5).toFixed(2)} ms 50th, ${pct(sorted, 0.99).toFixed(2)} ms 99th${this.cpuText(clock)}.`
    );
  }
}

/** Sends `requests` Produce requests, `inFlight` outstanding, and adds them to `run`. */
async function produceChunk(
  c: RawClient,
  topic: string,
  pool: Array<{ batch: Buffer; records: number }>,
  requests: number,
  inFlight: number,
  run: WireRun,
  clock: CpuClock | undefined,
): Promise<void> {
  let next = 0;
  const cpu0 = clock ? clock() : 0;
  const start = performance.now();
  const worker = async () => {
    while (next < requests) {
      const { batch, records } = pool[next++ % pool.length];
      const t0 = performance.now();
      const r = await c.request<ProduceResponse>(PRODUCE, VERSIONS[c.wire].produce, {
        transactionalId: null,
        acks: 1,
        timeoutMs: 30000,
        topics: [{ name: topic, partitions: [{ index: 0, records: batch }] }],
      } satisfies ProduceRequest);
      const e = r.topics[0].partitions[0].errorCode;
      if (e !== 0) throw new Error(`${c.wire} produce error ${e}`);
      run.latencies.push(performance.now() - t0);
      run.records += records;
      run.bytes += batch.length;
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, requests) }, worker));
  run.secs += (performance.now() - start) / 1000;
  if (clock) run.cpuNs += clock() - cpu0;
  run.requests += requests;
}

/**
 * Up to `maxRequests` Fetch requests, one in flight (as a consumer), from `cursor.offset`
 * until `cursor.end`; adds them to `run`.
 */
async function fetchChunk(
  c: RawClient,
  topic: string,
  cursor: { offset: number; end: number },
  maxRequests: number,
  run: WireRun,
  clock: CpuClock | undefined,
): Promise<void> {
  const cpu0 = clock ? clock() : 0;
  const start = performance.now();
  for (let i = 0; i < maxRequests && cursor.offset < cursor.end; i++) {
    const t0 = performance.now();
    const r = await c.request<FetchResponse>(FETCH, VERSIONS[c.wire].fetch, {
      replicaId: -1,
      maxWaitMs: 500,
      minBytes: 1,
      maxBytes: 50 * MB,
      isolationLevel: 0,
      topics: [
        {
          topic,
          partitions: [
            {
              partition: 0,
              currentLeaderEpoch: -1,
              fetchOffset: cursor.offset,
              logStartOffset: -1,
              partitionMaxBytes: 4 * MB,
            },
          ],
        },
      ],
    } satisfies FetchRequest);
    const p = r.responses[0].partitions[0];
    if (p.errorCode !== 0) throw new Error(`${c.wire} fetch error ${p.errorCode}`);
    for (const b of iterateBatches(p.records)) {
      if (b.lastOffset < cursor.offset) continue;
      run.records += b.lastOffset - Math.max(b.baseOffset, cursor.offset) + 1;
      cursor.offset = b.lastOffset + 1;
    }
    run.bytes += p.records.length;
    run.requests++;
    run.latencies.push(performance.now() - t0);
  }
  run.secs += (performance.now() - start) / 1000;
  if (clock) run.cpuNs += clock() - cpu0;
}

async function createTopics(port: number, topics: string[]): Promise<void> {
  const admin = await Connection.connect({ host: '127.0.0.1', port, requestTimeoutMs: 30000 });
  try {
    const r = await admin.request(19, 0, {
      topics: topics.map((name) => ({
        name,
        numPartitions: 1,
        replicationFactor: 1,
        assignments: [],
        configs: [],
      })),
      timeoutMs: 15000,
      validateOnly: false,
    });
    for (const t of r.topics)
      if (t.errorCode !== 0) throw new Error(`create ${t.name}: error ${t.errorCode}`);
    const end = Date.now() + 20000;
    for (;;) {
      const m = await admin.request(3, 0, {
        topics: topics.map((name) => ({ name })),
        allowAutoTopicCreation: false,
      });
      if (m.topics.every((t) => t.partitions.length === 1 && t.partitions[0].leaderId >= 0)) break;
      if (Date.now() > end) throw new Error('timed out waiting for the topics to have leaders');
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await admin.close();
  }
}

// ---- clients

async function kzooProduce(bootstrap: string, topic: string, n: number): Promise<Rate> {
  const producer = new Producer({
    'bootstrap.servers': bootstrap,
    acks: '1',
    'batch.size': 16384,
    'linger.ms': 5,
    'client.id': 'producer-performance',
  });
  await producer.partitionsFor(topic);
  const value = Buffer.alloc(RECORD_BYTES, 'x');
  const start = performance.now();
  await sendBounded(producer, topic, { value, partition: 0 }, n);
  const secs = (performance.now() - start) / 1000;
  await producer.close();
  return { recsPerSec: n / secs, mbPerSec: (n * RECORD_BYTES) / MB / secs };
}

async function kafkajsProduce(kafka: Kafka, topic: string, n: number, o: Options): Promise<Rate> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const value = Buffer.alloc(RECORD_BYTES, 'x');
  const messages = Array.from({ length: o.kafkajsBatch }, () => ({ value, partition: 0 }));
  const sends = Math.ceil(n / o.kafkajsBatch);
  let next = 0;
  const start = performance.now();
  const lane = async () => {
    while (next < sends) {
      next++;
      await producer.send({ topic, acks: 1, messages });
    }
  };
  await Promise.all(Array.from({ length: o.kafkajsInFlight }, lane));
  const secs = (performance.now() - start) / 1000;
  await producer.disconnect();
  const total = sends * o.kafkajsBatch;
  return { recsPerSec: total / secs, mbPerSec: (total * RECORD_BYTES) / MB / secs };
}

interface ConsumeRate extends Rate {
  /** From subscribe/run to the first records. */
  joinMs: number;
  /** records/s after the first records arrived. */
  fetchRecsPerSec: number;
}

async function kzooConsume(
  bootstrap: string,
  topic: string,
  group: string,
  n: number,
): Promise<ConsumeRate> {
  const consumer = new Consumer({
    'bootstrap.servers': bootstrap,
    'group.id': group,
    'client.id': 'consumer-performance',
    'auto.offset.reset': 'earliest',
    'max.poll.records': 10000,
  });
  const start = performance.now();
  consumer.subscribe([topic]);
  let got = 0;
  let bytes = 0;
  let first = 0;
  while (got < n) {
    const recs = await consumer.poll(10000);
    if (recs.length === 0) throw new Error(`kzoo consumer: no record for 10 s after ${got}`);
    if (got === 0) first = performance.now();
    got += recs.length;
    for (const r of recs) bytes += r.value ? r.value.length : 0;
  }
  const end = performance.now();
  await consumer.close();
  return {
    recsPerSec: got / ((end - start) / 1000),
    mbPerSec: bytes / MB / ((end - start) / 1000),
    joinMs: first - start,
    fetchRecsPerSec: got / ((end - first) / 1000),
  };
}

async function kafkajsConsume(
  kafka: Kafka,
  topic: string,
  group: string,
  n: number,
): Promise<ConsumeRate> {
  const consumer = kafka.consumer({ groupId: group, allowAutoTopicCreation: false });
  await consumer.connect();
  const start = performance.now();
  await consumer.subscribe({ topic, fromBeginning: true });
  let got = 0;
  let bytes = 0;
  let first = 0;
  let end = 0;
  let failure: Error | undefined;
  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (performance.now() - (first || start) > 30000) {
        clearInterval(timer);
        reject(new Error(`kafkajs consumer: stalled after ${got} records`));
      }
    }, 1000);
    consumer
      .run({
        eachBatch: async ({ batch }) => {
          if (got === 0) first = performance.now();
          got += batch.messages.length;
          for (const m of batch.messages) bytes += m.value ? m.value.length : 0;
          if (got >= n && end === 0) {
            end = performance.now();
            clearInterval(timer);
            resolve();
          }
        },
      })
      .catch((e) => (failure ??= e));
  });
  await consumer.disconnect();
  if (failure) throw failure;
  return {
    recsPerSec: got / ((end - start) / 1000),
    mbPerSec: bytes / MB / ((end - start) / 1000),
    joinMs: first - start,
    fetchRecsPerSec: got / ((end - first) / 1000),
  };
}

function consumeLine(label: string, n: number, r: ConsumeRate): void {
  console.log(
    `${label}: ${n} records, ${r.recsPerSec.toFixed(1)} records/sec (${r.mbPerSec.toFixed(2)} MB/sec) ` +
      `from subscribe; join ${r.joinMs.toFixed(0)} ms, ${r.fetchRecsPerSec.toFixed(1)} records/sec after it`,
  );
}

function ratioLine(what: string, kafka: number, native: number, goal?: number): string {
  const r = kafka / native;
  const g = goal === undefined ? '' : `; goal >= ${goal}x: ${r >= goal ? 'met' : 'NOT met'}`;
  return `${what}: ${fmt(kafka)} vs ${fmt(native)} records/sec = ${r.toFixed(2)}x${g}`;
}

// ---- main

async function wireSection(
  o: Options,
  port: number,
  kafkaPort: number,
  clock: CpuClock | undefined,
): Promise<void> {
  const pool = Array.from({ length: 32 }, (_, i) => makeBatch(i));
  console.log(
    `# wire: ${o.records} records of ${RECORD_BYTES} bytes per round and wire, batches of ${pool[0].records} ` +
      `(${pool[0].batch.length} B; MB/sec counts batch bytes), acks=1, ${o.inFlight} in flight, 1 partition; ` +
      `native Produce v0/Fetch v0, Kafka Produce v7/Fetch v11; wires take turns every ${o.chunkRecords} records ` +
      `(fetch: every ${FETCH_CHUNK} fetch, each round's records read ${o.fetchPasses} times); one warm-up round, then ${o.rounds} rounds, first wire alternating`,
  );
  await createTopics(port, ['wire-native', 'wire-kafka']);
  const clients: Record<Wire, RawClient> = {
    native: await RawClient.connect('native', port),
    kafka: await RawClient.connect('kafka', kafkaPort),
  };
  const topicOf: Record<Wire, string> = { native: 'wire-native', kafka: 'wire-kafka' };
  const end: Record<Wire, number> = { native: 0, kafka: 0 };
  const prod: Record<Wire, WireRun[]> = { native: [], kafka: [] };
  const fetch: Record<Wire, WireRun[]> = { native: [], kafka: [] };
  const perBatch = pool[0].records;
  const requests = Math.ceil(o.records / perBatch);
  const chunk = Math.max(1, Math.ceil(o.chunkRecords / perBatch));
  for (let round = 0; round <= o.rounds; round++) {
    const name = round === 0 ? 'warm-up' : `round ${round}`;
    const order: Wire[] = round % 2 === 1 ? ['native', 'kafka'] : ['kafka', 'native'];
    const p = { native: new WireRun(), kafka: new WireRun() };
    // Turns go A B, B A, A B, ...: each wire goes first, and follows the other, equally often.
    const turn = (t: number): Wire[] => (t % 2 === 0 ? order : [order[1], order[0]]);
    // Untimed: the first requests after the fetch phase pay for its leftovers (the broker's
    // GC of 4 MiB fetch buffers), which would fall on whichever wire goes first.
    const settle = { native: new WireRun(), kafka: new WireRun() };
    for (const w of order)
      await produceChunk(
        clients[w],
        topicOf[w],
        pool,
        2 * o.inFlight,
        o.inFlight,
        settle[w],
        clock,
      );
    for (let sent = 0, t = 0; sent < requests; sent += chunk, t++) {
      for (const w of turn(t))
        await produceChunk(
          clients[w],
          topicOf[w],
          pool,
          Math.min(chunk, requests - sent),
          o.inFlight,
          p[w],
          clock,
        );
    }
    const f = { native: new WireRun(), kafka: new WireRun() };
    const begin = { ...end };
    for (const w of order) end[w] += settle[w].records + p[w].records;
    for (let pass = 0; pass < o.fetchPasses; pass++) {
      const cursor = {
        native: { offset: begin.native, end: end.native },
        kafka: { offset: begin.kafka, end: end.kafka },
      };
      for (let t = 0; order.some((w) => cursor[w].offset < cursor[w].end); t++) {
        for (const w of turn(t))
          await fetchChunk(clients[w], topicOf[w], cursor[w], FETCH_CHUNK, f[w], clock);
      }
    }
    for (const w of order) {
      console.log(p[w].produceLine(`${name} ${w} produce`, clock));
      if (round > 0) prod[w].push(p[w]);
    }
    for (const w of order) {
      console.log(f[w].fetchLine(`${name} ${w} fetch`, clock));
      if (round > 0) fetch[w].push(f[w]);
    }
  }
  clients.native.close();
  clients.kafka.close();
  const tcp = await loopbackMBs(512 * MB);
  const med = (xs: WireRun[]) => ({
    recsPerSec: median(xs.map((x) => x.rate().recsPerSec)),
    mbPerSec: median(xs.map((x) => x.rate().mbPerSec)),
  });
  const [pn, pk, fn, fk] = [med(prod.native), med(prod.kafka), med(fetch.native), med(fetch.kafka)];
  console.log(`# physical limit (same run): loopback TCP ${tcp.toFixed(1)} MB/sec`);
  console.log(
    `# medians over ${o.rounds} rounds: produce native ${fmt(pn.recsPerSec)} records/sec (${pn.mbPerSec.toFixed(1)} MB/sec, ` +
      `${((pn.mbPerSec / tcp) * 100).toFixed(0)}% of loopback), Kafka ${fmt(pk.recsPerSec)} (${pk.mbPerSec.toFixed(1)} MB/sec, ` +
      `${((pk.mbPerSec / tcp) * 100).toFixed(0)}%); fetch native ${fmt(fn.recsPerSec)} (${fn.mbPerSec.toFixed(1)} MB/sec, ` +
      `${((fn.mbPerSec / tcp) * 100).toFixed(0)}%), Kafka ${fmt(fk.recsPerSec)} (${fk.mbPerSec.toFixed(1)} MB/sec, ` +
      `${((fk.mbPerSec / tcp) * 100).toFixed(0)}%)`,
  );
  for (const [what, k, n] of [
    ['produce', prod.kafka, prod.native],
    ['fetch', fetch.kafka, fetch.native],
  ] as const) {
    const rate = (x: WireRun) => x.rate().recsPerSec;
    const r = median(k.map(rate)) / median(n.map(rate));
    const ratios = k.map((x, i) => rate(x) / rate(n[i]));
    const p = median(ratios);
    console.log(
      `# ${what} Kafka/native: ${r.toFixed(2)}x (ratio of medians), ${p.toFixed(2)}x (median of the ` +
        `per-round ratios: ${ratios.map((x) => x.toFixed(2)).join(' ')}); goal >= 0.9x: ` +
        `${Math.min(r, p) >= 0.9 ? 'met' : 'NOT met'}`,
    );
    if (clock) {
      const ck = median(k.map((x) => x.cpuPer1k()));
      const cn = median(n.map((x) => x.cpuPer1k()));
      console.log(
        `# ${what} broker CPU per 1000 records (medians): native ${cn.toFixed(1)} us, Kafka ${ck.toFixed(1)} us ` +
          `(Kafka/native ${(ck / cn).toFixed(2)}x${clock === inProcessClock ? '; in-process: load generator included' : ''})`,
      );
    }
  }
}

async function clientSection(o: Options, port: number, kafkaPort: number): Promise<void> {
  const n = o.clientRecords;
  console.log(
    `# clients: ${n} records of ${RECORD_BYTES} bytes per producer and round, 1 partition, acks=1; ` +
      `kzoo Producer (native listener, batch.size 16384, linger.ms 5) vs kafkajs ` +
      `(Kafka listener, send() of ${o.kafkajsBatch} messages, ${o.kafkajsInFlight} in flight); both consumers ` +
      `read the kzoo Producer's topic in a new group; one warm-up round, then ${o.clientRounds} rounds, order alternating`,
  );
  await createTopics(
    port,
    Array.from({ length: o.clientRounds + 1 }, (_, r) => [
      `clients-kzoo-${r}`,
      `clients-kafkajs-${r}`,
    ]).flat(),
  );
  const kafka = new Kafka({
    clientId: 'kafkajs-bench',
    brokers: [`127.0.0.1:${kafkaPort}`],
    logLevel: logLevel.NOTHING,
  });
  const bootstrap = `127.0.0.1:${port}`;
  const kp: Rate[] = [];
  const jp: Rate[] = [];
  const kc: ConsumeRate[] = [];
  const jc: ConsumeRate[] = [];
  for (let r = 0; r <= o.clientRounds; r++) {
    const name = r === 0 ? 'warm-up' : `round ${r}`;
    const keep = r > 0;
    const steps = {
      kzooProduce: async () => {
        const x = await kzooProduce(bootstrap, `clients-kzoo-${r}`, n);
        if (keep) kp.push(x);
        console.log(
          `${name} kzoo Producer: ${n} records sent, ${x.recsPerSec.toFixed(1)} records/sec (${x.mbPerSec.toFixed(2)} MB/sec)`,
        );
      },
      kafkajsProduce: async () => {
        const x = await kafkajsProduce(kafka, `clients-kafkajs-${r}`, n, o);
        if (keep) jp.push(x);
        console.log(
          `${name} kafkajs producer: ${n} records sent, ${x.recsPerSec.toFixed(1)} records/sec (${x.mbPerSec.toFixed(2)} MB/sec)`,
        );
      },
      kzooConsume: async () => {
        const x = await kzooConsume(bootstrap, `clients-kzoo-${r}`, `kzoo-bench-${r}`, n);
        if (keep) kc.push(x);
        consumeLine(`${name} kzoo Consumer`, n, x);
      },
      kafkajsConsume: async () => {
        const x = await kafkajsConsume(kafka, `clients-kzoo-${r}`, `kafkajs-bench-${r}`, n);
        if (keep) jc.push(x);
        consumeLine(`${name} kafkajs consumer`, n, x);
      },
    };
    // kzoo's producer goes first in even rounds (its topic must be written before the consumers read it).
    if (r % 2 === 0) await steps.kzooProduce();
    await steps.kafkajsProduce();
    if (r % 2 === 1) await steps.kzooProduce();
    for (const s of r % 2 === 0
      ? ['kzooConsume', 'kafkajsConsume']
      : ['kafkajsConsume', 'kzooConsume'])
      await steps[s as keyof typeof steps]();
  }
  const mr = (xs: Rate[]) => median(xs.map((x) => x.recsPerSec));
  const mf = (xs: ConsumeRate[]) => median(xs.map((x) => x.fetchRecsPerSec));
  console.log(
    `# medians over ${o.clientRounds} rounds: ${ratioLine('producer kafkajs/kzoo', mr(jp), mr(kp))}`,
  );
  console.log(
    `# medians over ${o.clientRounds} rounds: ${ratioLine('consumer kafkajs/kzoo', mr(jc), mr(kc))} from subscribe; ` +
      `after the join ${fmt(mf(jc))} vs ${fmt(mf(kc))} = ${(mf(jc) / mf(kc)).toFixed(2)}x`,
  );
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  setLogLevel('warn');
  exitOnSignals('kafka-wire bench');
  process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
  const dir = removeDirAtExit(makeTempDir('kzoo-bench-kafka-wire-'));
  const zk = await startZooKeeper();
  const chroot = `${zk.connectString}/kzoo-bench-kafka-wire`;
  const brokerSettings = {
    'group.initial.rebalance.delay.ms': 0,
    'controlled.shutdown.enable': false,
  };
  let port: number;
  let kafkaPort: number;
  let stop: () => Promise<void>;
  let clock: CpuClock | undefined = inProcessClock;
  if (o.inProcess) {
    const b = new Broker({
      'broker.id': 1,
      listeners: 'PLAINTEXT://127.0.0.1:0,KAFKA://127.0.0.1:0',
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,KAFKA:PLAINTEXT',
      'listener.wire.protocol.map': 'KAFKA:kafka',
      'log.dirs': dir,
      'zookeeper.connect': chroot,
      ...brokerSettings,
    });
    await b.start();
    port = b.advertisedListeners.find((e) => e.listenerName === 'PLAINTEXT')!.port;
    kafkaPort = b.advertisedListeners.find((e) => e.listenerName === 'KAFKA')!.port;
    stop = () => b.shutdown();
  } else {
    const p = await startBrokerProcess({
      id: 1,
      zk: chroot,
      dataDir: dir,
      sessionTimeoutMs: 10000,
      cleanup: false,
      env: { KZOO_LOG_LEVEL: 'warn' },
      extraConfig: brokerSettings,
    });
    port = p.port;
    kafkaPort = p.kafkaPort;
    clock = p.pid === undefined ? undefined : processCpuClock(p.pid);
    stop = () => p.kill('SIGKILL').then(() => undefined);
  }
  try {
    const where = o.inProcess
      ? 'broker in this process (one event loop for broker and load)'
      : 'broker in a child process (kzoo broker start --port --kafka-port), load from this process';
    console.log(
      `# kzoo kafka-wire bench: one broker, listeners PLAINTEXT (native) and KAFKA (Kafka protocol); ${where}; real ZooKeeper`,
    );
    if (o.rounds > 0 && o.records > 0) await wireSection(o, port, kafkaPort, clock);
    if (o.clientRounds > 0 && o.clientRecords > 0) await clientSection(o, port, kafkaPort);
  } finally {
    await stop();
    await zk.stop();
    removeDir(dir);
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
