/**
 * Replication benchmark: produce throughput of 100-byte records into broker processes
 * (`kzoo broker start`, each on its own event loop) on a real ZooKeeper, printed like
 * Kafka's producer-perf-test:
 *   1. one broker, RF=1, acks=1 (the reference figure);
 *   2. three brokers, RF=3, acks=1;
 *   3. three brokers, RF=3, acks=all (every ISR member has each batch before its answer).
 * The bench process sends pre-built 16 KiB RecordBatch v2 requests over one Connection
 * to the partition leader with `--in-flight` requests outstanding, so the figures are
 * the brokers' (leader append, follower fetch, HW, DelayedProduce), not a client's.
 * Both clusters stay up and the three cases run in turn, `--rounds` times; the
 * summary compares medians (the development machine is shared, single runs vary).
 * `--in-process 1` runs the brokers as objects in the bench process instead (one event
 * loop for everything: what replication costs in CPU, without scheduling between
 * processes).
 *
 *   npx tsc -b && node packages/cli/dist/bench/replication.js [--records 500000]
 *        [--in-flight 16] [--partitions 1] [--rounds 3] [--in-process 0]
 */
import { performance } from 'node:perf_hooks';
import { Broker } from '@kzoo/broker';
import { setLogLevel } from '@kzoo/common';
import { Connection } from '@kzoo/protocol';
import {
  exitOnSignals,
  makeTempDir,
  removeDir,
  removeDirAtExit,
  startBrokerProcess,
  startZooKeeper,
  type BrokerProcess,
} from '@kzoo/testkit';
import { fullBatch, numericArgs } from './limits';

interface Options {
  records: number;
  inFlight: number;
  partitions: number;
  rounds: number;
  inProcess: boolean;
}

function parseArgs(argv: string[]): Options {
  return numericArgs<Options>(
    argv,
    { records: 500_000, inFlight: 16, partitions: 1, rounds: 3, inProcess: false },
    {
      '--records': 'records',
      '--in-flight': 'inFlight',
      '--partitions': 'partitions',
      '--rounds': 'rounds',
      '--in-process': 'inProcess',
    },
  );
}

const RECORD_BYTES = 100;
const BATCH_BYTES = 16 * 1024;
const MB = 1024 * 1024;

function makeBatch(): { batch: Buffer; records: number } {
  return fullBatch(RECORD_BYTES, BATCH_BYTES);
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 20000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function connect(port: number): Promise<Connection> {
  return Connection.connect({ host: '127.0.0.1', port, requestTimeoutMs: 60000 });
}

/** Creates `topic` and returns a connection to each partition's leader, once every replica is in the ISR. */
interface BrokerAddress {
  id: number;
  port: number;
}

async function createTopic(
  brokers: BrokerAddress[],
  topic: string,
  partitions: number,
  rf: number,
): Promise<Map<number, Connection>> {
  const admin = await connect(brokers[0].port);
  const r = await admin.request(19, 0, {
    topics: [
      {
        name: topic,
        numPartitions: partitions,
        replicationFactor: rf,
        assignments: [],
        configs: [],
      },
    ],
    timeoutMs: 15000,
    validateOnly: false,
  });
  if (r.topics[0].errorCode !== 0)
    throw new Error(`create ${topic}: error ${r.topics[0].errorCode}`);
  const md = await until('leaders and full ISRs', async () => {
    const m = await admin.request(3, 0, {
      topics: [{ name: topic }],
      allowAutoTopicCreation: false,
    });
    const ps = m.topics[0]?.partitions ?? [];
    return ps.length === partitions && ps.every((p) => p.leaderId >= 0 && p.isrNodes.length === rf)
      ? ps
      : undefined;
  });
  await admin.close();
  const out = new Map<number, Connection>();
  for (const p of md) {
    const leader = brokers.find((b) => b.id === p.leaderId)!;
    out.set(p.partitionIndex, await connect(leader.port));
  }
  return out;
}

async function produce(
  label: string,
  conns: Map<number, Connection>,
  topic: string,
  acks: number,
  o: Options,
): Promise<number> {
  const { batch, records } = makeBatch();
  const requests = Math.ceil(o.records / records);
  const latencies = new Float64Array(requests);
  let next = 0;
  let done = 0;
  const start = performance.now();
  await new Promise<void>((resolve, reject) => {
    const sendOne = (): void => {
      if (next >= requests) return;
      const i = next++;
      const partition = i % o.partitions;
      const t0 = performance.now();
      conns
        .get(partition)!
        .request(0, 0, {
          transactionalId: null,
          acks,
          timeoutMs: 30000,
          topics: [{ name: topic, partitions: [{ index: partition, records: batch }] }],
        })
        .then((r) => {
          const e = r.topics[0].partitions[0].errorCode;
          if (e !== 0) throw new Error(`produce error ${e}`);
          latencies[i] = performance.now() - t0;
          if (++done === requests) resolve();
          else sendOne();
        })
        .catch(reject);
    };
    for (let k = 0; k < o.inFlight; k++) sendOne();
  });
  const secs = (performance.now() - start) / 1000;
  const n = requests * records;
  const sorted = latencies.slice().sort();
  const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  let sum = 0;
  for (const l of latencies) sum += l;
  const rps = n / secs;
  console.log(`# ${label}`);
  console.log(
    `${n} records sent, ${rps.toFixed(1)} records/sec (${((n * RECORD_BYTES) / MB / secs).toFixed(2)} MB/sec), ` +
      `${(sum / requests).toFixed(2)} ms avg latency, ${sorted[sorted.length - 1].toFixed(2)} ms max latency, ` +
      `${pct(0.5).toFixed(0)} ms 50th, ${pct(0.95).toFixed(0)} ms 95th, ${pct(0.99).toFixed(0)} ms 99th, ` +
      `${pct(0.999).toFixed(0)} ms 99.9th.`,
  );
  return rps;
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  setLogLevel('warn');
  exitOnSignals('replication bench');
  const zk = await startZooKeeper();
  const procs: BrokerProcess[] = [];
  const objects: Broker[] = [];
  const dirs: string[] = [];
  const start = async (id: number, chroot: string): Promise<BrokerAddress> => {
    const dataDir = removeDirAtExit(makeTempDir(`kzoo-bench-${chroot}-${id}-`));
    dirs.push(dataDir);
    if (o.inProcess) {
      const b = new Broker({
        'broker.id': id,
        listeners: 'PLAINTEXT://127.0.0.1:0',
        'log.dirs': dataDir,
        'zookeeper.connect': `${zk.connectString}/${chroot}`,
        'zookeeper.session.timeout.ms': 10000,
      });
      await b.start();
      objects.push(b);
      return { id, port: b.dataPlane.socketServer.port };
    }
    const p = await startBrokerProcess({
      id,
      dataDir,
      zk: `${zk.connectString}/${chroot}`,
      sessionTimeoutMs: 10000,
      cleanup: false,
      env: { KZOO_LOG_LEVEL: 'warn' },
    });
    procs.push(p);
    return p;
  };
  try {
    console.log(
      `# kzoo replication bench: ${o.records} records of ${RECORD_BYTES} bytes in 16 KiB batches, ` +
        `${o.partitions} partition(s), ${o.inFlight} requests in flight; ` +
        `${o.inProcess ? 'brokers in this process' : 'broker processes'} on real ZooKeeper`,
    );
    const single = await start(1, 'single');
    const three = [await start(1, 'three'), await start(2, 'three'), await start(3, 'three')];
    const s1 = await createTopic([single], 'bench-single', o.partitions, 1);
    const t1 = await createTopic(three, 'bench-rf3-acks1', o.partitions, 3);
    const ta = await createTopic(three, 'bench-rf3-acksall', o.partitions, 3);
    const base: number[] = [];
    const r1: number[] = [];
    const ra: number[] = [];
    for (let round = 1; round <= o.rounds; round++) {
      base.push(await produce(`round ${round}: 1 broker, RF=1, acks=1`, s1, 'bench-single', 1, o));
      r1.push(
        await produce(`round ${round}: 3 brokers, RF=3, acks=1`, t1, 'bench-rf3-acks1', 1, o),
      );
      ra.push(
        await produce(`round ${round}: 3 brokers, RF=3, acks=all`, ta, 'bench-rf3-acksall', -1, o),
      );
    }
    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
    const [mb, m1, ma] = [median(base), median(r1), median(ra)];
    console.log(
      `# medians over ${o.rounds} rounds: 1 broker acks=1 ${mb.toFixed(0)} records/sec; ` +
        `RF=3 acks=1 ${m1.toFixed(0)} (${(m1 / mb).toFixed(2)}x); RF=3 acks=all ${ma.toFixed(0)} (${(ma / mb).toFixed(2)}x); ` +
        `goal acks=all >= 0.5x: ${ma / mb >= 0.5 ? 'met' : 'NOT met'}`,
    );
  } finally {
    await Promise.all(procs.map((p) => p.kill('SIGKILL')));
    await Promise.all(objects.map((b) => b.shutdown()));
    await zk.stop();
    for (const d of dirs) removeDir(d);
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
