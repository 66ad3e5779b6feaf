import { KafkaError } from '@kzoo/common';
import { Consumer, Producer, type ConsumerRecord } from '@kzoo/client';
import { ApiKeys } from '@kzoo/protocol';
import { ProducerIdBlockZNode } from '@kzoo/zk';
import { waitFor } from '@kzoo/testkit';
import { onCleanup } from '@kzoo/testkit/jest';
import { createTopic, randomTopic, startTestBroker, type TestBroker } from './harness';

let tb: TestBroker;

beforeAll(async () => {
  tb = await startTestBroker();
});

function producer(config: Record<string, string | number | boolean> = {}): Producer {
  const p = new Producer({ 'bootstrap.servers': tb.bootstrap, ...config });
  onCleanup(() => p.close({ timeoutMs: 1000 }));
  return p;
}

async function readAll(topic: string, partition = 0): Promise<ConsumerRecord[]> {
  const c = new Consumer({ 'bootstrap.servers': tb.bootstrap, 'auto.offset.reset': 'earliest' });
  onCleanup(() => c.close());
  c.assign([{ topic, partition }]);
  await c.seekToEnd([{ topic, partition }]);
  const end = await c.position({ topic, partition });
  c.seekToBeginning([{ topic, partition }]);
  const out: ConsumerRecord[] = [];
  const deadline = Date.now() + 15000;
  while ((out.length === 0 || out[out.length - 1].offset < end - 1) && Date.now() < deadline)
    out.push(...(await c.poll(500)));
  return out;
}

/**
 * Sends `n` records (10 per send, not awaited one by one) while the broker's Produce
 * responses are dropped for the first `dropMs`: each dropped request times out after
 * request.timeout.ms and its batch is retried, though the broker had appended it.
 */
async function sendThroughDroppedResponses(
  p: Producer,
  topic: string,
  n: number,
  dropMs: number,
): Promise<{ dropped: number }> {
  let dropped = 0;
  const until = Date.now() + dropMs;
  const remove = p.controlKey(ApiKeys.Produce, () => {
    if (Date.now() < until) {
      dropped++;
      return 'drop';
    }
    return 'keep';
  });
  const sends: Promise<unknown>[] = [];
  for (let i = 0; i < n; i += 10) {
    sends.push(
      p.send(
        topic,
        Array.from({ length: 10 }, (_, k) => ({ value: `r${i + k}`, partition: 0 })),
      ),
    );
    if (i % 50 === 0) await new Promise((r) => setImmediate(r));
  }
  await Promise.all(sends);
  remove();
  return { dropped };
}

const retryConfig = {
  'request.timeout.ms': 400,
  'retry.backoff.ms': 50,
  'linger.ms': 0,
  'max.in.flight.requests.per.connection': 5,
};

describe('Client > Producer > idempotence', () => {
  test('responses dropped for a while, retries on: every record exactly once, in order', async () => {
    const topic = randomTopic('idem');
    await createTopic(tb.bootstrap, topic, 1);
    const p = producer(retryConfig); // enable.idempotence and acks=all are the defaults
    expect(p.config['enable.idempotence']).toBe(true);
    const { dropped } = await sendThroughDroppedResponses(p, topic, 400, 900);
    expect(dropped).toBeGreaterThan(0);
    const got = await readAll(topic);
    expect(got.map((r) => r.value!.toString())).toEqual(
      Array.from({ length: 400 }, (_, i) => `r${i}`),
    );
  });

  test('the same with idempotence off: the retries wrote duplicates', async () => {
    const topic = randomTopic('dups');
    await createTopic(tb.bootstrap, topic, 1);
    const p = producer({ ...retryConfig, 'enable.idempotence': false });
    const { dropped } = await sendThroughDroppedResponses(p, topic, 400, 900);
    const got = await readAll(topic);
    const counts = new Map<string, number>();
    for (const r of got)
      counts.set(r.value!.toString(), (counts.get(r.value!.toString()) ?? 0) + 1);
    const duplicates = got.length - counts.size;
    expect(counts.size).toBe(400); // nothing lost
    expect(duplicates).toBeGreaterThan(0);
    expect(dropped).toBeGreaterThan(0);
    // Every copy is a record sent once: all duplicates are retries of acknowledged-late batches.
    for (const [v, n] of counts) if (n > 1) expect(v).toMatch(/^r\d+$/);
    console.log(
      `idempotence off: ${dropped} responses dropped, ${duplicates} duplicate records in the log`,
    );
  });

  test('a retried duplicate resolves with the offsets of the original append', async () => {
    const topic = randomTopic('orig');
    await createTopic(tb.bootstrap, topic, 1);
    const p = producer(retryConfig);
    await p.send(topic, { value: 'warm-up' }); // gets the producer id first
    let first = true;
    const remove = p.controlKey(ApiKeys.Produce, () => {
      const d = first ? 'drop' : 'keep';
      first = false;
      return d;
    });
    const meta = await p.send(topic, [{ value: 'a' }, { value: 'b' }]);
    remove();
    expect(meta.map((m) => m.offset)).toEqual([1, 2]);
    const got = await readAll(topic);
    expect(got.map((r) => [r.offset, r.value!.toString()])).toEqual([
      [0, 'warm-up'],
      [1, 'a'],
      [2, 'b'],
    ]);
  });

  test('producer ids come from blocks claimed in /latest_producer_id_block', async () => {
    const topic = randomTopic('pid');
    await createTopic(tb.bootstrap, topic, 1);
    const a = producer();
    const b = producer();
    await a.send(topic, { value: 'x' });
    await b.send(topic, { value: 'y' });
    const ids = [a.transactionManager!.producerId, b.transactionManager!.producerId];
    expect(ids[0]).not.toBe(ids[1]);
    expect([a.transactionManager!.producerEpoch, b.transactionManager!.producerEpoch]).toEqual([
      0, 0,
    ]);
    const node = await tb.broker.zkClient.getDataAndStat(ProducerIdBlockZNode.path());
    const block = ProducerIdBlockZNode.decode(node!.data);
    expect(block.brokerId).toBe(1);
    expect(block.blockEnd - block.blockStart).toBe(999);
    for (const id of ids) {
      expect(id).toBeGreaterThanOrEqual(block.blockStart);
      expect(id).toBeLessThanOrEqual(block.blockEnd);
    }
    expect(JSON.parse(node!.data!.toString())).toMatchObject({
      version: 1,
      block_start: String(block.blockStart),
      block_end: String(block.blockEnd),
    });
  });

  test('explicit enable.idempotence=true with acks=1 is INVALID_CONFIG; acks=1 alone turns it off', () => {
    expect(
      () =>
        new Producer({ 'bootstrap.servers': tb.bootstrap, 'enable.idempotence': true, acks: 1 }),
    ).toThrow(/enable.idempotence=true conflicts with acks=1/);
    const p = new Producer({ 'bootstrap.servers': tb.bootstrap, acks: 1 });
    expect(p.config['enable.idempotence']).toBe(false);
    expect(p.transactionManager).toBeUndefined();
    void p.close();
  });
});

describe('Client > Producer > buffer.memory', () => {
  test('a full buffer makes send wait, then fail after max.block.ms naming it; nothing dropped', async () => {
    const topic = randomTopic('full');
    await createTopic(tb.bootstrap, topic, 1);
    const p = producer({
      'buffer.memory': 40000,
      'batch.size': 16384,
      'max.block.ms': 300,
      'linger.ms': 0,
      'request.timeout.ms': 2000,
    });
    await p.send(topic, { value: 'warm-up' });
    // Hold every Produce response: batches stay incomplete and keep their memory.
    const remove = p.controlKey(ApiKeys.Produce, () => ({ delayMs: 1500 }));
    const big = 'x'.repeat(15000);
    const accepted: Array<Promise<unknown>> = [];
    for (let i = 0; i < 3; i++) accepted.push(p.send(topic, { value: big }));
    const started = Date.now();
    const err = await p.send(topic, { value: big }).then(
      () => null,
      (e: unknown) => e,
    );
    const waited = Date.now() - started;
    expect(err).toBeInstanceOf(KafkaError);
    expect((err as Error).message).toMatch(/max\.block\.ms=300/);
    expect(waited).toBeGreaterThanOrEqual(250);
    remove();
    // The records accepted before the buffer filled are all delivered.
    const meta = await Promise.all(accepted);
    expect(meta).toHaveLength(3);
    const got = await readAll(topic);
    expect(got.filter((r) => r.value!.length === 15000)).toHaveLength(3);
  });

  test('a send made while earlier sends wait for buffer.memory goes after them', async () => {
    const topic = randomTopic('order');
    await createTopic(tb.bootstrap, topic, 2);
    const p = producer({ 'buffer.memory': 32768, 'batch.size': 16384, 'linger.ms': 0 });
    await p.send(topic, { value: 'warm-up', partition: 0 });
    const remove = p.controlKey(ApiKeys.Produce, () => ({ delayMs: 500 }));
    const big = 'x'.repeat(15000);
    const sent: Array<Promise<unknown>> = [];
    // Two batches of 16384 bytes fill the buffer; one request carries both.
    sent.push(p.send(topic, { value: big, partition: 0 }));
    let late: Promise<unknown> | undefined;
    p.send(topic, { value: big, partition: 1 }, () => {
      // Runs when the response completes partition 1's batch, after partition 0's batch
      // freed its memory and before the waiting sends below resumed.
      late = p.send(topic, { value: 'late', partition: 0 });
    });
    for (let i = 0; i < 5; i++) sent.push(p.send(topic, { value: `w${i}`, partition: 0 }));
    await Promise.all(sent);
    remove();
    await waitFor('the late send', () => late !== undefined, { timeoutMs: 20000 });
    await late;
    const got = await readAll(topic, 0);
    expect(got.map((r) => (r.value!.length > 100 ? 'big' : r.value!.toString()))).toEqual([
      'warm-up',
      'big',
      'w0',
      'w1',
      'w2',
      'w3',
      'w4',
      'late',
    ]);
  });
});
