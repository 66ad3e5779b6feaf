/**
 * Transactions against one in-process broker (its own chroot): read_committed never
 * sees an aborted transaction's records and read_uncommitted does; offsets sent to a
 * transaction reach ZooKeeper only when it commits; a zombie with the old epoch is
 * fenced; a transaction open past its timeout is aborted by the coordinator.
 */
import { KafkaError } from '@kzoo/common';
import { Consumer, Producer, type ConsumerRecord } from '@kzoo/client';
import { runCli, waitFor } from '@kzoo/testkit';
import { onCleanup } from '@kzoo/testkit/jest';
import { createTopic, randomTopic, startTestBroker, type TestBroker } from './harness';

jest.setTimeout(90000);

let tb: TestBroker;

beforeAll(async () => {
  tb = await startTestBroker({
    'transaction.state.log.num.partitions': 3,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'transaction.abort.timed.out.transaction.cleanup.interval.ms': 500,
  });
});

function txnProducer(id: string, config: Record<string, string | number> = {}): Producer {
  const p = new Producer({
    'bootstrap.servers': tb.bootstrap,
    'transactional.id': id,
    'linger.ms': 0,
    'retry.backoff.ms': 50,
    ...config,
  });
  onCleanup(() => p.close({ timeoutMs: 1000 }));
  return p;
}

/** Every record of the partition readable at `isolation`, up to its end for that level. */
async function readAll(
  topic: string,
  isolation: 'read_committed' | 'read_uncommitted',
  partitions = 1,
): Promise<ConsumerRecord[]> {
  const c = new Consumer({
    'bootstrap.servers': tb.bootstrap,
    'auto.offset.reset': 'earliest',
    'isolation.level': isolation,
  });
  onCleanup(() => c.close());
  const tps = Array.from({ length: partitions }, (_, partition) => ({ topic, partition }));
  c.assign(tps);
  await c.seekToEnd(tps);
  const ends = await Promise.all(tps.map((tp) => c.position(tp)));
  c.seekToBeginning(tps);
  const out: ConsumerRecord[] = [];
  await waitFor(
    `${isolation} read of ${topic}`,
    async () => {
      out.push(...(await c.poll(200)));
      const pos = await Promise.all(tps.map((tp) => c.position(tp)));
      return pos.every((p, i) => p >= ends[i]);
    },
    { timeoutMs: 20000 },
  );
  return out;
}

const values = (rs: ConsumerRecord[]) => rs.map((r) => r.value!.toString()).sort();

describe('Client > transactions', () => {
  test('aborted records are never returned to read_committed, and are to read_uncommitted', async () => {
    const topic = randomTopic('txn');
    await createTopic(tb.bootstrap, topic, 2);
    const p = txnProducer(randomTopic('tid'));
    await p.initTransactions();

    p.beginTransaction();
    await p.send(topic, [
      { value: 'c1', partition: 0 },
      { value: 'c2', partition: 1 },
    ]);
    await p.commitTransaction();

    p.beginTransaction();
    await p.send(topic, [
      { value: 'a1', partition: 0 },
      { value: 'a2', partition: 1 },
    ]);
    await p.abortTransaction();

    p.beginTransaction();
    await p.send(topic, [{ value: 'c3', partition: 0 }]);
    await p.commitTransaction();

    expect(values(await readAll(topic, 'read_committed', 2))).toEqual(['c1', 'c2', 'c3']);
    expect(values(await readAll(topic, 'read_uncommitted', 2))).toEqual([
      'a1',
      'a2',
      'c1',
      'c2',
      'c3',
    ]);
  });

  test('an open transaction holds read_committed back at its first offset (the LSO)', async () => {
    const topic = randomTopic('lso');
    await createTopic(tb.bootstrap, topic, 1);
    const plain = new Producer({ 'bootstrap.servers': tb.bootstrap, 'linger.ms': 0 });
    onCleanup(() => plain.close({ timeoutMs: 1000 }));
    await plain.send(topic, [{ value: 'before', partition: 0 }]);
    const p = txnProducer(randomTopic('tid'));
    await p.initTransactions();
    p.beginTransaction();
    await p.send(topic, [{ value: 'open', partition: 0 }]);
    await plain.send(topic, [{ value: 'after', partition: 0 }]);
    // The LSO is the open transaction's first offset: 'after' waits behind it.
    expect(values(await readAll(topic, 'read_committed'))).toEqual(['before']);
    await p.commitTransaction();
    expect(values(await readAll(topic, 'read_committed'))).toEqual(['after', 'before', 'open']);
  });

  test('sendOffsetsToTransaction: offsets reach ZooKeeper only when the transaction commits', async () => {
    const topic = randomTopic('offs');
    const group = randomTopic('g');
    await createTopic(tb.bootstrap, topic, 1);
    const zk = tb.broker.zkClient;
    const p = txnProducer(randomTopic('tid'));
    await p.initTransactions();

    p.beginTransaction();
    await p.send(topic, [{ value: 'x', partition: 0 }]);
    await p.sendOffsetsToTransaction([{ topic, partition: 0, offset: 7 }], group);
    await p.abortTransaction();
    expect(await zk.getConsumerOffset(group, topic, 0)).toBeNull();

    p.beginTransaction();
    await p.send(topic, [{ value: 'y', partition: 0 }]);
    await p.sendOffsetsToTransaction([{ topic, partition: 0, offset: 11 }], group);
    expect(await zk.getConsumerOffset(group, topic, 0)).toBeNull();
    await p.commitTransaction();
    await waitFor('the committed offset in ZooKeeper', async () => {
      return (await zk.getConsumerOffset(group, topic, 0)) === 11;
    });
  });

  test('a zombie producer with the old epoch is fenced', async () => {
    const topic = randomTopic('zombie');
    await createTopic(tb.bootstrap, topic, 1);
    const id = randomTopic('tid');
    const zombie = txnProducer(id);
    await zombie.initTransactions();
    zombie.beginTransaction();
    await zombie.send(topic, [{ value: 'zombie-open', partition: 0 }]);

    // A new instance with the same transactional.id: its init aborts the zombie's open
    // transaction with a bumped epoch.
    const fresh = txnProducer(id);
    await fresh.initTransactions();
    fresh.beginTransaction();
    await fresh.send(topic, [{ value: 'fresh', partition: 0 }]);
    await fresh.commitTransaction();

    const err = await zombie.commitTransaction().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(KafkaError);
    expect(['PRODUCER_FENCED', 'INVALID_PRODUCER_EPOCH']).toContain((err as KafkaError).errorName);
    // Fenced for good: the zombie can do nothing more.
    expect(() => zombie.beginTransaction()).toThrow(/PRODUCER_FENCED|INVALID_PRODUCER_EPOCH/);
    expect(values(await readAll(topic, 'read_committed'))).toEqual(['fresh']);
  });

  test('kzoo transactions list|describe and kzoo consume --isolation-level read_committed', async () => {
    const topic = randomTopic('cli');
    await createTopic(tb.bootstrap, topic, 1);
    const id = randomTopic('tid');
    const p = txnProducer(id);
    await p.initTransactions();
    p.beginTransaction();
    await p.send(topic, [{ value: 'aborted', partition: 0 }]);
    await p.abortTransaction();
    p.beginTransaction();
    await p.send(topic, [{ value: 'committed', partition: 0 }]);
    await p.commitTransaction();
    p.beginTransaction();
    await p.send(topic, [{ value: 'open', partition: 0 }]);

    const list = await runCli(['transactions', 'list', '--bootstrap-server', tb.bootstrap]);
    expect(list.code).toBe(0);
    const row = list.stdout.split('\n').find((l) => l.startsWith(id));
    expect(row?.split(/\s+/)).toEqual([id, '1', expect.stringMatching(/^\d+$/), 'Ongoing']);

    const desc = await runCli([
      'transactions',
      'describe',
      '--transactional-id',
      id,
      '--json',
      '--bootstrap-server',
      tb.bootstrap,
    ]);
    expect(desc.code).toBe(0);
    expect(JSON.parse(desc.stdout)).toMatchObject({
      transactionalId: id,
      coordinator: 1,
      state: 'Ongoing',
      partitions: [{ topic, partition: 0 }],
    });
    await p.commitTransaction();

    const consume = (level: string) =>
      runCli([
        'consume',
        topic,
        '--from-beginning',
        '--isolation-level',
        level,
        '--timeout-ms',
        '2000',
        '--bootstrap-server',
        tb.bootstrap,
      ]);
    const committed = await consume('read_committed');
    expect(committed.code).toBe(0);
    expect(committed.stdout.trim().split('\n').sort()).toEqual(['committed', 'open']);
    const all = await consume('read_uncommitted');
    expect(all.stdout.trim().split('\n').sort()).toEqual(['aborted', 'committed', 'open']);
  });

  test('a transaction open longer than transaction.timeout.ms is aborted and its producer fenced', async () => {
    const topic = randomTopic('timeout');
    await createTopic(tb.bootstrap, topic, 1);
    const p = txnProducer(randomTopic('tid'), { 'transaction.timeout.ms': 1000 });
    await p.initTransactions();
    p.beginTransaction();
    await p.send(topic, [{ value: 'expires', partition: 0 }]);
    // The coordinator aborts it: read_committed reaches the end with nothing.
    await waitFor('the timed-out transaction aborted', async () => {
      const c = new Consumer({
        'bootstrap.servers': tb.bootstrap,
        'isolation.level': 'read_committed',
      });
      try {
        c.assign([{ topic, partition: 0 }]);
        await c.seekToEnd([{ topic, partition: 0 }]);
        return (await c.position({ topic, partition: 0 })) >= 2; // data + abort marker
      } finally {
        await c.close();
      }
    });
    await expect(p.commitTransaction()).rejects.toThrow(/PRODUCER_FENCED|INVALID_PRODUCER_EPOCH/);
    expect(values(await readAll(topic, 'read_uncommitted'))).toEqual(['expires']);
    expect(values(await readAll(topic, 'read_committed'))).toEqual([]);
  });
});
