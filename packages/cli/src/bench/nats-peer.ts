/**
 * The peer of the deploy bench: NATS JetStream doing the work `kzoo perf` does, in its
 * own process, through the official Node client (@nats-io/transport-node +
 * @nats-io/jetstream). Creates a file-storage stream with `--replicas` (1 or 3), publishes
 * `--records` messages of `--record-size` bytes keeping `--window` publishes awaiting
 * their PubAck (JetStream's in-flight bound, as the producer's), then reads them all back
 * through an ordered consumer. Prints the rates and a `RESULT publish X consume Y` line.
 *
 *   node packages/cli/dist/bench/nats-peer.js --servers 127.0.0.1:4222[,..] [--replicas 1]
 *        [--records 1000000] [--record-size 100] [--window 1000]
 */
import { performance } from 'node:perf_hooks';
import { jetstream, jetstreamManager, StorageType } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

interface Options {
  servers: string;
  replicas: number;
  records: number;
  recordSize: number;
  window: number;
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    servers: '',
    replicas: 1,
    records: 1_000_000,
    recordSize: 100,
    window: 1000,
  };
  for (let i = 0; i < argv.length; i += 2) {
    const v = argv[i + 1];
    if (argv[i] === '--servers') o.servers = v;
    else if (argv[i] === '--replicas') o.replicas = Number(v);
    else if (argv[i] === '--records') o.records = Number(v);
    else if (argv[i] === '--record-size') o.recordSize = Number(v);
    else if (argv[i] === '--window') o.window = Number(v);
    else throw new Error(`unknown option ${argv[i]}`);
  }
  if (!o.servers) throw new Error('--servers is required');
  return o;
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const servers = o.servers.split(',');
  // the servers are starting: retry the connection and the stream creation (an R3 stream
  // needs the JetStream meta leader elected first)
  const deadline = performance.now() + 60000;
  const nc = await (async () => {
    for (;;) {
      try {
        return await connect({ servers, maxReconnectAttempts: -1 });
      } catch (e) {
        if (performance.now() > deadline) throw e;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  })();
  try {
    const stream = 'BENCH';
    for (;;) {
      try {
        // jetstreamManager() asks for the account info: it fails too until the meta leader is up
        const jsm = await jetstreamManager(nc);
        await jsm.streams.add({
          name: stream,
          subjects: ['bench.>'],
          storage: StorageType.File,
          num_replicas: o.replicas,
        });
        break;
      } catch (e) {
        if (performance.now() > deadline) throw e;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    const js = jetstream(nc);
    const payload = new Uint8Array(o.recordSize).fill(65);
    let inFlight = 0;
    let failure: unknown;
    let wake: (() => void) | undefined;
    const low = Math.floor(o.window / 2);
    const t0 = performance.now();
    for (let i = 0; i < o.records; i++) {
      inFlight++;
      js.publish('bench.x', payload).then(
        () => {
          if (--inFlight <= low && wake) {
            const w = wake;
            wake = undefined;
            w();
          }
        },
        (e: unknown) => {
          failure ??= e;
          inFlight--;
          wake?.();
        },
      );
      if (failure) throw failure;
      if (inFlight >= o.window) await new Promise<void>((r) => (wake = r));
    }
    while (inFlight > 0) await new Promise<void>((r) => (wake = r));
    if (failure) throw failure;
    const pubSecs = (performance.now() - t0) / 1000;
    const publishPerSec = o.records / pubSecs;
    console.log(
      `JetStream R${o.replicas} publish: ${o.records} messages of ${o.recordSize} bytes, ` +
        `${publishPerSec.toFixed(0)} msgs/sec (${((o.records * o.recordSize) / 1048576 / pubSecs).toFixed(2)} MB/sec), ${o.window} in flight`,
    );

    const consumer = await js.consumers.get(stream);
    const t1 = performance.now();
    let n = 0;
    const messages = await consumer.consume({ max_messages: 10000 });
    for await (const m of messages) {
      void m;
      if (++n >= o.records) break;
    }
    const conSecs = (performance.now() - t1) / 1000;
    const consumePerSec = n / conSecs;
    console.log(
      `JetStream R${o.replicas} consume (ordered consumer): ${n} messages, ${consumePerSec.toFixed(0)} msgs/sec ` +
        `(${((n * o.recordSize) / 1048576 / conSecs).toFixed(2)} MB/sec)`,
    );
    console.log(`RESULT publish ${publishPerSec.toFixed(1)} consume ${consumePerSec.toFixed(1)}`);
  } finally {
    await nc.close();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
