/**
 * Broker throughput benchmark, printed like Kafka's producer-perf-test and
 * consumer-perf-test: 100-byte records in 16 KiB RecordBatch v2 batches, Produce
 * acks=1 over one Connection with several requests in flight into an in-process
 * broker's data path (SocketServer → KafkaApis → ReplicaManager → Log on disk), then
 * Fetch of everything back over one Connection. The broker leads the partitions via a
 * LeaderAndIsr request, so no ZooKeeper is involved. Next to it, measured in the same
 * run: raw sequential file writes of the same bytes and a raw loopback TCP stream.
 *
 *   npx tsc -b && node packages/broker/dist/bench.js [records=2000000] [inFlight=16] [partitions=1]
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { createLogger, setLogLevel, SystemTime } from '@kzoo/common';
import { LogManager } from '@kzoo/log';
import { Connection } from '@kzoo/protocol';
import { buildRecordBatch, readBatchHeader, iterateBatches } from '@kzoo/records';
import { AdminZkClient } from './admin/AdminZkClient';
import { SocketServer } from './network';
import { KafkaApis } from './server/KafkaApis';
import { MetadataCache } from './server/MetadataCache';
import { ReplicaManager } from './server/ReplicaManager';

const TOTAL = Number(process.argv[2] ?? 2_000_000);
const IN_FLIGHT = Number(process.argv[3] ?? 16);
const PARTITIONS = Number(process.argv[4] ?? 1);
const RECORD_BYTES = 100;
const BATCH_BYTES = 16 * 1024;
const TOPIC = 'bench';

function makeBatch(seed: number): { batch: Buffer; records: number } {
  const value = Buffer.alloc(RECORD_BYTES, 97 + (seed % 26));
  const recs: Array<{ value: Buffer }> = [];
  let best = buildRecordBatch({ records: [{ value }] });
  for (;;) {
    recs.push({ value });
    const next = buildRecordBatch({ records: recs });
    if (next.length > BATCH_BYTES) break;
    best = next;
  }
  return { batch: best, records: readBatchHeader(best).recordCount };
}

const secs = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;
const mb = (bytes: number) => bytes / (1024 * 1024);

async function main(): Promise<void> {
  setLogLevel('warn');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kzoo-broker-bench-'));
  const logManager = LogManager.open({ logDirs: [dir] });
  logManager.startup();
  const metadataCache = new MetadataCache(1);
  const replicaManager = new ReplicaManager({
    brokerId: 1,
    logManager,
    metadataCache,
    brokerEpoch: () => -1,
    topicConfig: async () => ({}),
  });
  const apis = new KafkaApis({
    brokerId: 1,
    settings: {
      autoCreateTopicsEnable: false,
      numPartitions: 1,
      defaultReplicationFactor: 1,
      deleteTopicEnable: true,
    },
    controller: () => null,
    groupCoordinator: () => null,
    metadataCache,
    replicaManager,
    adminZkClient: null as unknown as AdminZkClient, // no topic admin in this benchmark
    clusterId: () => 'bench',
    time: { ...SystemTime, sleep: async () => undefined },
    logger: createLogger('bench'),
  });
  const server = new SocketServer({ handler: apis.handle, port: 0, queuedMaxRequests: 500 });
  const { port } = await server.start();
  const conn = await Connection.connect({ host: '127.0.0.1', port, requestTimeoutMs: 120000 });
  const lai = await conn.request(4, 0, {
    controllerId: 1,
    controllerEpoch: 1,
    brokerEpoch: -1,
    partitionStates: Array.from({ length: PARTITIONS }, (_, p) => ({
      topicName: TOPIC,
      partitionIndex: p,
      controllerEpoch: 1,
      leader: 1,
      leaderEpoch: 0,
      isr: [1],
      zkVersion: 0,
      replicas: [1],
      isNew: true,
    })),
    liveLeaders: [],
  });
  if (lai.partitionErrors.some((e) => e.errorCode !== 0)) throw new Error('LeaderAndIsr failed');

  const pool = Array.from({ length: 32 }, (_, i) => makeBatch(i));
  const perBatch = pool[0].records;
  const batches = Math.ceil(TOTAL / perBatch);
  const total = batches * perBatch;
  const batchBytes = pool[0].batch.length;

  // ---- produce
  const latencies = new Float64Array(batches);
  let next = 0;
  const t0 = process.hrtime.bigint();
  const worker = async () => {
    while (next < batches) {
      const i = next++;
      const start = process.hrtime.bigint();
      const r = await conn.request(0, 0, {
        transactionalId: null,
        acks: 1,
        timeoutMs: 30000,
        topics: [
          {
            name: TOPIC,
            partitions: [{ index: i % PARTITIONS, records: pool[i % pool.length].batch }],
          },
        ],
      });
      if (r.topics[0].partitions[0].errorCode !== 0)
        throw new Error(`produce error ${r.topics[0].partitions[0].errorCode}`);
      latencies[i] = Number(process.hrtime.bigint() - start) / 1e6;
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const produceSecs = secs(t0);
  const sorted = Array.from(latencies).sort((a, b) => a - b);
  const avg = sorted.reduce((a, b) => a + b, 0) / sorted.length;
  const produceBytes = batches * batchBytes;
  console.log(
    `produce: ${total} records sent, ${(total / produceSecs).toFixed(0)} records/sec ` +
      `(${(mb(produceBytes) / produceSecs).toFixed(2)} MB/sec), ${avg.toFixed(2)} ms avg latency, ` +
      `${sorted[sorted.length - 1].toFixed(2)} ms max latency, ${sorted[Math.floor(sorted.length * 0.5)].toFixed(2)} ms 50th, ` +
      `${sorted[Math.floor(sorted.length * 0.99)].toFixed(2)} ms 99th ` +
      `(batches of ${perBatch} x ${RECORD_BYTES} B = ${batchBytes} B, ${IN_FLIGHT} in flight, ${PARTITIONS} partition(s))`,
  );

  // ---- fetch (one consumer connection, one fetch in flight, like a consumer)
  const offsets = new Array<number>(PARTITIONS).fill(0);
  let fetched = 0;
  let fetchedBytes = 0;
  const t1 = process.hrtime.bigint();
  while (fetched < total) {
    const r = await conn.request(1, 0, {
      replicaId: -1,
      maxWaitMs: 500,
      minBytes: 1,
      maxBytes: 50 << 20,
      isolationLevel: 0,
      topics: [
        {
          topic: TOPIC,
          partitions: offsets.map((o, p) => ({
            partition: p,
            currentLeaderEpoch: -1,
            fetchOffset: o,
            logStartOffset: -1,
            partitionMaxBytes: 4 << 20,
          })),
        },
      ],
    });
    for (const p of r.responses[0].partitions) {
      if (p.errorCode !== 0) throw new Error(`fetch error ${p.errorCode}`);
      for (const b of iterateBatches(p.records)) {
        fetched += b.lastOffset - b.baseOffset + 1;
        offsets[p.partitionIndex] = b.lastOffset + 1;
      }
      fetchedBytes += p.records.length;
    }
  }
  const fetchSecs = secs(t1);
  console.log(
    `fetch: ${fetched} records consumed, ${(fetched / fetchSecs).toFixed(0)} records/sec ` +
      `(${(mb(fetchedBytes) / fetchSecs).toFixed(2)} MB/sec), ${fetchSecs.toFixed(2)} s`,
  );
  await conn.close();
  await server.shutdown();
  replicaManager.shutdown();
  await logManager.close();

  // ---- physical references, same run
  const rawFile = path.join(dir, 'raw.bin');
  const fd = fs.openSync(rawFile, 'w');
  const t2 = process.hrtime.bigint();
  for (let i = 0, pos = 0; i < batches; i++) {
    const b = pool[i % pool.length].batch;
    fs.writeSync(fd, b, 0, b.length, pos);
    pos += b.length;
  }
  const rawWriteSecs = secs(t2);
  fs.closeSync(fd);
  const rawWrite = mb(produceBytes) / rawWriteSecs;
  const loop = await loopbackMBps(produceBytes);
  console.log(
    `reference: raw sequential write ${rawWrite.toFixed(0)} MB/sec, raw loopback TCP ${loop.toFixed(0)} MB/sec; ` +
      `produce at ${((100 * mb(produceBytes)) / produceSecs / Math.min(rawWrite, loop)).toFixed(0)}% of min(write, loopback), ` +
      `fetch at ${((100 * mb(fetchedBytes)) / fetchSecs / loop).toFixed(0)}% of loopback`,
  );
  fs.rmSync(dir, { recursive: true, force: true });
}

/** One-way loopback TCP stream of `bytes` in 16 KiB writes, MB/s. */
async function loopbackMBps(bytes: number): Promise<number> {
  let received = 0;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const server = net.createServer((s) =>
    s.on('data', (d: Buffer) => {
      received += d.length;
      if (received >= bytes) done();
    }),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const sock = net.connect({ host: '127.0.0.1', port: (server.address() as net.AddressInfo).port });
  await new Promise((r) => sock.once('connect', r));
  const chunk = Buffer.alloc(BATCH_BYTES, 7);
  const t0 = process.hrtime.bigint();
  let sent = 0;
  await new Promise<void>((resolve) => {
    const pump = () => {
      while (sent < bytes) {
        sent += chunk.length;
        if (!sock.write(chunk)) return void sock.once('drain', pump);
      }
      resolve();
    };
    pump();
  });
  await finished;
  const s = secs(t0);
  sock.destroy();
  server.close();
  return mb(bytes) / s;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
