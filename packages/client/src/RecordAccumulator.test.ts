import { MockTime } from '@kzoo/common';
import { readBatchHeader, records, validateBatch } from '@kzoo/records';
import { RecordAccumulator } from './RecordAccumulator';
import { Cluster, type TopicInfo } from './Metadata';
import {
  maxRecordSize,
  type EncodedFields,
  type RecordMetadata,
  type SendCall,
} from './ProducerBatch';

function cluster(leaders: number[]): Cluster {
  const ps = leaders.map((leader, i) => ({
    topic: 't',
    partition: i,
    leader,
    leaderEpoch: 0,
    replicas: [leader],
    isr: [leader],
    offlineReplicas: [],
    errorCode: 0,
  }));
  const t: TopicInfo = {
    name: 't',
    errorCode: 0,
    isInternal: false,
    partitions: ps,
    available: ps.filter((p) => p.leader >= 0),
  };
  return new Cluster(
    'c',
    1,
    [1, 2].map((nodeId) => ({ nodeId, host: 'h', port: nodeId, rack: null })),
    [t],
  );
}

function fields(value: string, key: string | null = null): EncodedFields {
  return {
    key: key === null ? null : Buffer.from(key),
    value,
    valueLength: Buffer.byteLength(value),
    headers: null,
  };
}

function newCall(n: number): { call: SendCall; done: Promise<RecordMetadata[]> } {
  let call!: SendCall;
  const done = new Promise<RecordMetadata[]>((resolve, reject) => {
    call = { results: [], pending: n, done: false, resolve, reject };
  });
  return { call, done };
}

function setup(opts: { batchSize?: number; lingerMs?: number; bufferMemory?: number } = {}) {
  const time = new MockTime();
  const acc = new RecordAccumulator({
    batchSize: opts.batchSize ?? 1024,
    lingerMs: opts.lingerMs ?? 0,
    retryBackoffMs: 100,
    deliveryTimeoutMs: 120000,
    compression: 0,
    bufferMemory: opts.bufferMemory,
  });
  const append = (partition: number, value: string, call: SendCall, key: string | null = null) => {
    const f = fields(value, key);
    const result: RecordMetadata = {
      topic: 't',
      partition,
      offset: -1,
      timestamp: time.milliseconds(),
    };
    const index = call.results!.push(result) - 1; // replaced on completion
    return acc.append(
      't',
      partition,
      time.milliseconds(),
      f,
      maxRecordSize(f),
      call,
      index,
      false,
      time.milliseconds(),
    );
  };
  return { time, acc, append };
}

describe('Client > RecordAccumulator', () => {
  test('a partition is not ready before linger.ms, and is after', () => {
    const { time, acc, append } = setup({ lingerMs: 5 });
    const c = cluster([1]);
    const { call } = newCall(1);
    const r = append(0, 'v', call);
    expect(r).toMatchObject({ newBatchCreated: true, batchIsFull: false });
    let ready = acc.ready(c, time.milliseconds());
    expect([...ready.readyNodes]).toEqual([]);
    expect(ready.nextReadyCheckDelayMs).toBe(5);
    time.tick(3);
    ready = acc.ready(c, time.milliseconds());
    expect(ready.readyNodes.size).toBe(0);
    expect(ready.nextReadyCheckDelayMs).toBe(2);
    time.tick(2);
    ready = acc.ready(c, time.milliseconds());
    expect([...ready.readyNodes]).toEqual([1]);
  });

  test('linger.ms = 0: ready at once', () => {
    const { time, acc, append } = setup({ lingerMs: 0 });
    append(0, 'v', newCall(1).call);
    expect([...acc.ready(cluster([1]), time.milliseconds()).readyNodes]).toEqual([1]);
  });

  test('a full batch (batch.size) is ready before linger.ms; records roll into a new batch', () => {
    const { time, acc, append } = setup({ batchSize: 200, lingerMs: 1000 });
    const c = cluster([1]);
    const { call } = newCall(10);
    const value = 'x'.repeat(50);
    const results = Array.from({ length: 10 }, () => append(0, value, call));
    expect(results.filter((r) => r.newBatchCreated).length).toBeGreaterThan(1);
    const ready = acc.ready(c, time.milliseconds());
    expect([...ready.readyNodes]).toEqual([1]);
    const drained = acc.drain(c, [1], 1 << 20, time.milliseconds()).get(1)!;
    // one batch per partition per drain, within batch.size
    expect(drained).toHaveLength(1);
    const bytes = drained[0].close(0);
    expect(bytes.length).toBeLessThanOrEqual(200);
    expect(validateBatch(bytes)).toBe(bytes.length);
    expect(readBatchHeader(bytes).recordCount).toBe(drained[0].count);
  });

  test('a record larger than batch.size gets a batch of its own', () => {
    const { time, acc, append } = setup({ batchSize: 100, lingerMs: 1000 });
    const { call } = newCall(2);
    append(0, 'small', call);
    const r = append(0, 'y'.repeat(500), call);
    expect(r.newBatchCreated).toBe(true);
    const c = cluster([1]);
    const first = acc.drain(c, [1], 1 << 20, time.milliseconds()).get(1)!;
    const second = acc.drain(c, [1], 1 << 20, time.milliseconds()).get(1)!;
    expect(first[0].count).toBe(1);
    expect(second[0].count).toBe(1);
    expect([...records(second[0].close(0))][0].value!.length).toBe(500);
  });

  test('drain groups partitions by leader, respects max.request.size, rotates its start', () => {
    const { time, acc, append } = setup({ lingerMs: 0 });
    const c = cluster([1, 2, 1]);
    for (const p of [0, 1, 2]) append(p, 'v'.repeat(300), newCall(1).call);
    const all = acc.drain(c, [1, 2], 1 << 20, time.milliseconds());
    expect(all.get(1)!.map((b) => b.partition)).toEqual([0, 2]);
    expect(all.get(2)!.map((b) => b.partition)).toEqual([1]);
    for (const p of [0, 2]) append(p, 'v'.repeat(300), newCall(1).call);
    // Each drain starts one partition further, so a size limit does not starve the last ones.
    const limited = acc.drain(c, [1], 400, time.milliseconds());
    expect(limited.get(1)!.map((b) => b.partition)).toEqual([2]);
    const next = acc.drain(c, [1], 400, time.milliseconds());
    expect(next.get(1)!.map((b) => b.partition)).toEqual([0]);
  });

  test('a retried batch waits retry.backoff.ms and keeps its place at the head', () => {
    const { time, acc, append } = setup({ lingerMs: 0 });
    const c = cluster([1]);
    append(0, 'first', newCall(1).call);
    const [batch] = acc.drain(c, [1], 1 << 20, time.milliseconds()).get(1)!;
    append(0, 'second', newCall(1).call);
    acc.reenqueue(batch, time.milliseconds());
    let ready = acc.ready(c, time.milliseconds());
    expect(ready.readyNodes.size).toBe(0);
    expect(ready.nextReadyCheckDelayMs).toBe(100);
    time.tick(100);
    ready = acc.ready(c, time.milliseconds());
    expect([...ready.readyNodes]).toEqual([1]);
    const again = acc.drain(c, [1], 1 << 20, time.milliseconds()).get(1)!;
    expect(again[0]).toBe(batch);
    expect(batch.attempts).toBe(2);
  });

  test('partitions without a leader are reported, not sent', () => {
    const { time, acc, append } = setup();
    append(1, 'v', newCall(1).call);
    const ready = acc.ready(cluster([1, -1]), time.milliseconds());
    expect(ready.readyNodes.size).toBe(0);
    expect([...ready.unknownLeaderTopics]).toEqual(['t']);
  });

  test('flush makes lingering batches ready; completion resolves calls with offsets', async () => {
    const { time, acc, append } = setup({ lingerMs: 60000 });
    const c = cluster([1]);
    const { call, done } = newCall(3);
    for (const v of ['a', 'b', 'c']) append(0, v, call);
    expect(acc.ready(c, time.milliseconds()).readyNodes.size).toBe(0);
    acc.beginFlush();
    expect([...acc.ready(c, time.milliseconds()).readyNodes]).toEqual([1]);
    const flushed = acc.awaitFlushCompletion();
    const [batch] = acc.drain(c, [1], 1 << 20, time.milliseconds()).get(1)!;
    const decoded = [...records(batch.close(0))];
    expect(decoded.map((r) => [r.offset, r.value!.toString()])).toEqual([
      [0, 'a'],
      [1, 'b'],
      [2, 'c'],
    ]);
    batch.complete(42, -1);
    acc.deallocate(batch);
    await flushed;
    const results = await done;
    expect(results.map((r) => r.offset)).toEqual([42, 43, 44]);
    expect(results.every((r) => r.timestamp === time.milliseconds() && r.partition === 0)).toBe(
      true,
    );
    expect(acc.hasIncomplete()).toBe(false);
    expect(acc.reservedBytes).toBe(0);
  });

  test('batches older than delivery.timeout.ms expire', () => {
    const { time, acc, append } = setup({ lingerMs: 0 });
    append(0, 'v', newCall(1).call);
    time.tick(119999);
    expect(acc.expiredBatches(time.milliseconds())).toHaveLength(0);
    time.tick(1);
    expect(acc.expiredBatches(time.milliseconds())).toHaveLength(1);
    expect(acc.hasUndrained()).toBe(false);
  });

  test("a finished batch's buffer goes to a new batch (Kafka's BufferPool), within buffer.memory", () => {
    const sameMemory = (a: Buffer, b: Buffer) =>
      a.buffer === b.buffer && a.byteOffset === b.byteOffset;
    const run = (bufferMemory: number) => {
      const { time, acc, append } = setup({ batchSize: 8192, bufferMemory });
      const c = cluster([1, 1]);
      const drainOne = () => acc.drain(c, [1], 1 << 20, time.milliseconds()).get(1)![0];
      append(0, 'first', newCall(1).call);
      const first = drainOne();
      const firstBytes = first.close(0);
      append(1, 'second', newCall(1).call);
      const second = drainOne();
      const secondBytes = second.close(0);
      for (const b of [first, second]) {
        b.complete(0, -1);
        acc.deallocate(b);
      }
      expect(acc.reservedBytes).toBe(0);
      append(0, 'third', newCall(1).call);
      const third = drainOne().close(0);
      expect(readBatchHeader(third).recordCount).toBe(1);
      expect(validateBatch(third)).toBe(third.length);
      return { firstBytes, secondBytes, third };
    };
    // Room for two pooled batches: the last one freed is taken first.
    const two = run(16384);
    expect(sameMemory(two.third, two.secondBytes)).toBe(true);
    // Room for one: the first batch's buffer was not kept (the second still held 8192
    // bytes), the second's was.
    const one = run(8192);
    expect(sameMemory(one.third, one.secondBytes)).toBe(true);
    const none = run(0);
    expect(
      sameMemory(none.third, none.secondBytes) || sameMemory(none.third, none.firstBytes),
    ).toBe(false);
  });
  test("a batch's buffer is never pooled while a socket may still read it (frame written from it)", () => {
    const sameMemory = (a: Buffer, b: Buffer) =>
      a.buffer === b.buffer && a.byteOffset === b.byteOffset;
    const { time, acc, append } = setup({ batchSize: 8192, bufferMemory: 1 << 20 });
    const c = cluster([1]);
    const drainOne = () => acc.drain(c, [1], 1 << 20, time.milliseconds()).get(1)![0];
    // Sent; the response came (or the request failed) before the socket's write callback.
    append(0, 'in flight', newCall(1).call);
    const sent = drainOne();
    const sentBytes = sent.close(0);
    const before = Buffer.from(sentBytes);
    sent.writeStarted();
    sent.complete(0, -1);
    acc.deallocate(sent);
    // A new batch must not get that memory: the socket may still be reading it.
    append(0, 'next', newCall(1).call);
    const next = drainOne();
    const nextBytes = next.close(0);
    expect(sameMemory(nextBytes, sentBytes)).toBe(false);
    expect(sentBytes.equals(before)).toBe(true);
    sent.writeDone(); // too late for the pool: the buffer is left to the garbage collector
    // Written before it completed: pooled and reused, as before.
    next.writeStarted();
    next.writeDone();
    next.complete(1, -1);
    acc.deallocate(next);
    append(0, 'third', newCall(1).call);
    const third = drainOne().close(0);
    expect(sameMemory(third, nextBytes)).toBe(true);
    expect(validateBatch(third)).toBe(third.length);
  });

  test("a finished batch's per-record slots serve a new batch: its records report their own offsets and times", async () => {
    const { time, acc, append } = setup({ batchSize: 8192, bufferMemory: 1 << 20 });
    const c = cluster([1]);
    const drainOne = () => acc.drain(c, [1], 1 << 20, time.milliseconds()).get(1)![0];
    const a = newCall(3);
    for (const v of ['a0', 'a1', 'a2']) append(0, v, a.call);
    const first = drainOne();
    first.close(0);
    first.complete(10, -1);
    acc.deallocate(first);
    expect(await a.done).toEqual([10, 11, 12].map((offset) => expect.objectContaining({ offset })));
    time.tick(7);
    const b = newCall(2);
    for (const v of ['b0', 'b1']) append(0, v, b.call);
    const second = drainOne();
    second.close(0);
    second.complete(50, -1);
    acc.deallocate(second);
    expect(await b.done).toEqual([
      { topic: 't', partition: 0, offset: 50, timestamp: time.milliseconds() },
      { topic: 't', partition: 0, offset: 51, timestamp: time.milliseconds() },
    ]);
    // The first batch's arrays were handed on: reading it now is an error, not its records.
    expect(() => first.metadataOf(0)).toThrow('was released');
  });
});
