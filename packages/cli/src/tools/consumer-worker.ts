/**
 * A group consumer in its own process, for failure tests (a SIGKILL must hit a real
 * process): `node dist/tools/consumer-worker.js '<json options>'`.
 *
 * It subscribes to `topic` in `group` and "processes" each record: waits `recordMs`,
 * then appends `partition offset value` to `out` and fsyncs, so the file says exactly
 * what was processed when the process dies. `commit: 'after'` commits a poll's
 * positions once all its records are processed (at-least-once: a kill repeats the
 * uncommitted tail elsewhere); `commit: 'before'` commits them first (at-most-once: a
 * kill loses what was committed but not yet processed; it prints `committed <n>` after
 * each such commit). It prints `assigned <tps>` on each assignment and `ready` after the
 * first; SIGTERM closes it cleanly (LeaveGroup).
 */
import * as fs from 'node:fs';
import { Consumer } from '@kzoo/client';
import { tpKey } from '@kzoo/common';

export interface ConsumerWorkerOptions {
  bootstrap: string;
  group: string;
  topic: string;
  out: string;
  commit: 'before' | 'after';
  recordMs?: number;
  sessionTimeoutMs?: number;
  maxPollRecords?: number;
  clientId?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runConsumerWorker(o: ConsumerWorkerOptions): Promise<void> {
  const consumer = new Consumer({
    'bootstrap.servers': o.bootstrap,
    'group.id': o.group,
    'client.id': o.clientId ?? 'kzoo-consumer-worker',
    'auto.offset.reset': 'earliest',
    'enable.auto.commit': false,
    'session.timeout.ms': o.sessionTimeoutMs ?? 3000,
    'heartbeat.interval.ms': Math.max(100, Math.floor((o.sessionTimeoutMs ?? 3000) / 10)),
    'max.poll.records': o.maxPollRecords ?? 50,
    'metadata.max.age.ms': 1000,
  });
  const fd = fs.openSync(o.out, 'a');
  let ready = false;
  consumer.subscribe([o.topic], {
    onPartitionsAssigned: (tps) => {
      process.stdout.write(`assigned ${tps.map((t) => tpKey(t)).join(',')}\n`);
      if (!ready) process.stdout.write('ready\n');
      ready = true;
    },
  });
  let stop = false;
  process.once('SIGTERM', () => (stop = true));
  while (!stop) {
    const records = await consumer.poll(200);
    if (records.length === 0) continue;
    // `committed N` says a batch is now committed and not yet processed: the window in
    // which a kill loses records (a test kills on this line).
    if (o.commit === 'before' && (await commit(consumer)))
      process.stdout.write(`committed ${records.length}\n`);
    for (const r of records) {
      if (o.recordMs) await sleep(o.recordMs);
      fs.writeSync(fd, `${r.partition} ${r.offset} ${r.value?.toString() ?? ''}\n`);
      fs.fsyncSync(fd);
    }
    if (o.commit === 'after') await commit(consumer);
  }
  await consumer.close();
  fs.closeSync(fd);
}

/** commitSync of the positions; a commit refused by a rebalance is left to the next poll. */
async function commit(consumer: Consumer): Promise<boolean> {
  try {
    await consumer.commitSync();
    return true;
  } catch (e) {
    process.stdout.write(`commit failed: ${(e as Error).message}\n`);
    return false;
  }
}

if (require.main === module) {
  const opts = JSON.parse(process.argv[2] ?? '{}') as ConsumerWorkerOptions;
  runConsumerWorker(opts).then(
    () => process.exit(0),
    (e: unknown) => {
      process.stderr.write(`consumer-worker: ${(e as Error).stack ?? String(e)}\n`);
      process.exit(1);
    },
  );
}
