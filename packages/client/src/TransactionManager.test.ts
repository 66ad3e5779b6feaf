import { MockTime } from '@kzoo/common';
import { readBatchHeader, validateBatch } from '@kzoo/records';
import { RecordAccumulator } from './RecordAccumulator';
import { Cluster, type TopicInfo } from './Metadata';
import { maxRecordSize, type EncodedFields, type SendCall } from './ProducerBatch';
import { TransactionManager } from './TransactionManager';

function cluster(): Cluster {
  const ps = [0, 1].map((i) => ({
    topic: 't',
    partition: i,
    leader: 1,
    leaderEpoch: 0,
    replicas: [1],
    isr: [1],
    offlineReplicas: [],
    errorCode: 0,
  }));
  const t: TopicInfo = {
    name: 't',
    errorCode: 0,
    isInternal: false,
    partitions: ps,
    available: ps,
  };
  return new Cluster('c', 1, [{ nodeId: 1, host: 'h', port: 1, rack: null }], [t]);
}

function setup() {
  const time = new MockTime();
  const tm = new TransactionManager();
  const acc = new RecordAccumulator({
    batchSize: 1 << 20,
    lingerMs: 0,
    retryBackoffMs: 100,
    deliveryTimeoutMs: 120000,
    compression: 0,
    transactionManager: tm,
  });
  const c = cluster();
  /** Appends `n` records to partition `p` as one new batch. */
  const batchOf = (p: number, n: number) => {
    const call: SendCall = {
      results: [],
      pending: n,
      done: false,
      resolve: () => undefined,
      reject: () => undefined,
    };
    for (let i = 0; i < n; i++) {
      const f: EncodedFields = { key: null, value: 'v', valueLength: 1, headers: null };
      acc.append('t', p, 0, f, maxRecordSize(f), call, i, false, time.milliseconds());
    }
  };
  const drain = () => acc.drain(c, [1], 1 << 30, time.milliseconds()).get(1) ?? [];
  return { time, tm, acc, c, batchOf, drain };
}

describe('Client > TransactionManager > sequences', () => {
  test('nothing is drained before a producer id; then sequences per partition go up by record count', () => {
    const { tm, batchOf, drain, acc, c, time } = setup();
    batchOf(0, 3);
    expect(acc.ready(c, time.milliseconds()).readyNodes.size).toBe(0);
    expect(drain()).toEqual([]);
    tm.setProducerIdAndEpoch(42, 0);
    const [a] = drain();
    batchOf(0, 2);
    batchOf(1, 4);
    const next = drain();
    const b = next.find((x) => x.partition === 0)!;
    const other = next.find((x) => x.partition === 1)!;
    expect([a.baseSequence, b.baseSequence, other.baseSequence]).toEqual([0, 3, 0]);
    const h = readBatchHeader(b.close(0));
    expect([h.producerId, h.producerEpoch, h.baseSequence]).toEqual([42, 0, 3]);
    validateBatch(b.close(0));
  });

  test('a retried batch keeps its sequence and goes back in front, in sequence order', () => {
    const { tm, batchOf, drain, acc, time } = setup();
    tm.setProducerIdAndEpoch(1, 0);
    const sent = [0, 1, 2].map(() => {
      batchOf(0, 1);
      return drain()[0];
    });
    expect(sent.map((b) => b.baseSequence)).toEqual([0, 1, 2]);
    batchOf(0, 1); // a new batch waits in the queue
    // Batches 2 then 1 come back for retry (e.g. timeouts): they go before the new one,
    // lowest sequence first.
    acc.reenqueue(sent[2], time.milliseconds());
    acc.reenqueue(sent[1], time.milliseconds());
    time.tick(100);
    // Batch 0 is still unresolved (in flight): batch 1 may not go yet.
    expect(drain()).toEqual([]);
    expect(tm.hasEarlierUnresolved(sent[1])).toBe(true);
    tm.onComplete(sent[0], false);
    expect(drain()).toEqual([sent[1]]);
    expect(sent[1].baseSequence).toBe(1);
    tm.onComplete(sent[1], false);
    expect(drain()).toEqual([sent[2]]);
    tm.onComplete(sent[2], false);
    const [fresh] = drain();
    expect(fresh.baseSequence).toBe(3);
  });

  test('a permanent failure bumps the epoch; unresolved batches are re-sequenced from 0', () => {
    const { tm, batchOf, drain, acc, time } = setup();
    tm.setProducerIdAndEpoch(7, 3);
    batchOf(0, 2);
    const [a] = drain();
    batchOf(0, 2);
    const [b] = drain();
    expect([a.baseSequence, b.baseSequence]).toEqual([0, 2]);
    // a failed for good (say delivery.timeout.ms); b got OUT_OF_ORDER_SEQUENCE_NUMBER.
    tm.onComplete(a, true);
    expect(tm.epochBumpPending).toBe(true);
    expect(tm.hasEarlierUnresolved(b)).toBe(true); // retried: it will be re-sequenced
    acc.reenqueue(b, time.milliseconds());
    time.tick(100);
    expect(drain()).toEqual([]); // nothing goes out until the bump
    expect(tm.bumpEpoch()).toBe(true);
    const [again] = drain();
    expect(again).toBe(b);
    const h = readBatchHeader(b.close(0));
    expect([h.producerId, h.producerEpoch, h.baseSequence]).toEqual([7, 4, 0]);
    validateBatch(b.close(0)); // the CRC was rewritten with the header
  });

  test('the bump rewrites only the failed partition: another keeps its epoch and sequences until its batches complete', () => {
    const { tm, batchOf, drain, acc, time } = setup();
    tm.setProducerIdAndEpoch(9, 1);
    batchOf(0, 1);
    batchOf(1, 1);
    const first = drain();
    const a = first.find((b) => b.partition === 0)!; // in flight to a slow leader
    const x = first.find((b) => b.partition === 1)!;
    batchOf(1, 1);
    const [y] = drain();
    expect([a.baseSequence, x.baseSequence, y.baseSequence]).toEqual([0, 0, 1]);
    // Partition 1 loses x for good (its leader lost the data: OUT_OF_ORDER_SEQUENCE_NUMBER
    // with nothing earlier unresolved); y comes back for retry.
    tm.onComplete(x, true);
    acc.reenqueue(y, time.milliseconds());
    // a's request timed out: the broker may have appended it; it comes back for retry.
    acc.reenqueue(a, time.milliseconds());
    batchOf(0, 1); // a new record for partition 0
    time.tick(100);
    expect(drain()).toEqual([]);
    expect(tm.bumpEpoch()).toBe(true);
    const resent = drain();
    // a goes again exactly as before (epoch 1, sequence 0), so the leader can answer it
    // as a duplicate; y starts partition 1's new epoch at 0; the new record of
    // partition 0 waits for a.
    const a2 = resent.find((b) => b.partition === 0)!;
    const y2 = resent.find((b) => b.partition === 1)!;
    expect(a2).toBe(a);
    expect(resent.filter((b) => b.partition === 0)).toHaveLength(1);
    const ha = readBatchHeader(a.close(0));
    expect([ha.producerEpoch, ha.baseSequence]).toEqual([1, 0]);
    const hy = readBatchHeader(y2.close(0));
    expect([hy.producerEpoch, hy.baseSequence]).toEqual([2, 0]);
    expect(tm.hasEarlierUnresolved(a)).toBe(false);
    // Once a completes, partition 0 moves to the new epoch from sequence 0.
    tm.onComplete(a, false);
    const [fresh] = drain();
    expect(fresh.partition).toBe(0);
    const hf = readBatchHeader(fresh.close(0));
    expect([hf.producerEpoch, hf.baseSequence]).toEqual([2, 0]);
  });

  test('sequences wrap at Int.MaxValue; epoch 32767 needs a new producer id', () => {
    const { tm, batchOf, drain } = setup();
    tm.setProducerIdAndEpoch(5, 32767);
    (
      tm as unknown as {
        partitions: Map<
          string,
          { producerId: number; producerEpoch: number; nextSequence: number; unresolved: [] }
        >;
      }
    ).partitions.set('t\u00000', {
      producerId: 5,
      producerEpoch: 32767,
      nextSequence: 0x7ffffffe,
      unresolved: [],
    });
    batchOf(0, 3);
    const [a] = drain();
    expect(a.baseSequence).toBe(0x7ffffffe);
    batchOf(0, 1);
    const [b] = drain();
    expect(b.baseSequence).toBe(1);
    expect(tm.bumpEpoch()).toBe(false);
  });
});
