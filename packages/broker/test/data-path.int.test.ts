import { ErrorCode } from '@kzoo/common';
import { ApiKeys, type FetchResponsePartition } from '@kzoo/protocol';
import { iterateBatches, partitionForKey, records as readRecords } from '@kzoo/records';
import { waitFor } from '@kzoo/testkit';
import { batchOf, createTopic, randomTopic, startCluster } from './cluster';
import { fetch, produce } from './raw';

function recordsOf(p: FetchResponsePartition) {
  return [...iterateBatches(p.records)].flatMap((b) => [...readRecords(p.records, b.position)]);
}

describe('broker > data path (1 broker, real ZooKeeper)', () => {
  it('keeps 100,000 keyed records in per-partition order, each key on one partition', async () => {
    const c = await startCluster(1);
    const conn = await c.connect();
    const topic = randomTopic();
    expect((await createTopic(conn, topic, 3)).topics[0].errorCode).toBe(0);
    const N = 100_000;
    const perPartition: Array<Array<{ key: string; value: string }>> = [[], [], []];
    for (let i = 0; i < N; i++) {
      const key = `key-${i % 977}`;
      perPartition[partitionForKey(Buffer.from(key), 3)].push({ key, value: `value-${i}` });
    }
    // Batches of 500 records, pipelined over one connection.
    const sends: Array<Promise<unknown>> = [];
    for (let p = 0; p < 3; p++) {
      const list = perPartition[p];
      for (let i = 0; i < list.length; i += 500) {
        sends.push(
          produce(conn, topic, p, batchOf(list.slice(i, i + 500))).then((r) => {
            if (r.topics[0].partitions[0].errorCode !== 0) throw new Error('produce failed');
          }),
        );
      }
    }
    await Promise.all(sends);
    const keyPartition = new Map<string, number>();
    let total = 0;
    for (let p = 0; p < 3; p++) {
      const got: string[] = [];
      let offset = 0;
      for (;;) {
        const r = (await fetch(conn, topic, [{ partition: p, offset, maxBytes: 1 << 20 }]))
          .responses[0].partitions[0];
        expect(r.errorCode).toBe(0);
        expect(r.highWatermark).toBe(perPartition[p].length);
        const recs = recordsOf(r).filter((x) => x.offset >= offset);
        for (const x of recs) {
          const key = x.key!.toString();
          if ((keyPartition.get(key) ?? p) !== p) throw new Error(`key ${key} on two partitions`);
          keyPartition.set(key, p);
          got.push(x.value!.toString());
        }
        if (recs.length === 0) break;
        offset = recs[recs.length - 1].offset + 1;
      }
      expect(got).toEqual(perPartition[p].map((x) => x.value));
      total += got.length;
    }
    expect(total).toBe(N);
    expect(keyPartition.size).toBe(977);
  });

  it('long polling: wakes within 50 ms of a produce, and returns after maxWaitMs when nothing arrives', async () => {
    const c = await startCluster(1);
    const consumer = await c.connect();
    const producer = await c.connect();
    const topic = randomTopic();
    await createTopic(consumer, topic, 1);
    // Nothing arrives: back after maxWaitMs (+ a small margin).
    let t0 = performance.now();
    let r = await fetch(consumer, topic, [{ partition: 0, offset: 0 }], {
      maxWaitMs: 300,
      minBytes: 1,
    });
    const idle = performance.now() - t0;
    expect(r.responses[0].partitions[0].records.length).toBe(0);
    expect(idle).toBeGreaterThanOrEqual(295);
    expect(idle).toBeLessThan(300 + 150);
    // A produce arrives while the fetch waits: the median wake-up over 7 rounds (the
    // machine is shared, so one round may be delayed by another process).
    const wakeups: number[] = [];
    for (let round = 0; round < 7; round++) {
      const parked = fetch(consumer, topic, [{ partition: 0, offset: round }], {
        maxWaitMs: 10000,
        minBytes: 1,
      });
      await waitFor(
        'fetch parked',
        () => c.broker(1).dataPlane.replicaManager.fetchPurgatory.delayed === 1,
      );
      t0 = performance.now();
      const sent = produce(producer, topic, 0, batchOf([{ value: `v${round}` }]));
      r = await parked;
      wakeups.push(performance.now() - t0);
      await sent;
      expect(recordsOf(r.responses[0].partitions[0]).map((x) => x.value!.toString())).toEqual([
        `v${round}`,
      ]);
    }
    wakeups.sort((a, b) => a - b);
    expect(wakeups[3]).toBeLessThan(50);
  });

  it('answers OFFSET_OUT_OF_RANGE, honours per-partition and response max bytes, returns one oversized batch', async () => {
    const c = await startCluster(1);
    const conn = await c.connect();
    const topic = randomTopic();
    await createTopic(conn, topic, 2);
    const big = 'x'.repeat(2000);
    for (let i = 0; i < 5; i++) {
      await produce(conn, topic, 0, batchOf([{ value: `${i}${big}` }]));
      await produce(conn, topic, 1, batchOf([{ value: `${i}${big}` }]));
    }
    const oor = await fetch(conn, topic, [{ partition: 0, offset: 6 }]);
    expect(oor.responses[0].partitions[0]).toMatchObject({
      errorCode: ErrorCode.OFFSET_OUT_OF_RANGE,
      highWatermark: -1,
    });
    const atEnd = await fetch(conn, topic, [{ partition: 0, offset: 5 }]);
    expect(atEnd.responses[0].partitions[0]).toMatchObject({
      errorCode: 0,
      highWatermark: 5,
      logStartOffset: 0,
    });
    expect(atEnd.responses[0].partitions[0].records.length).toBe(0);
    // partitionMaxBytes smaller than one batch: that one batch (KIP-74), from the first partition only.
    const small = await fetch(conn, topic, [
      { partition: 0, offset: 0, maxBytes: 100 },
      { partition: 1, offset: 0, maxBytes: 100 },
    ]);
    expect(recordsOf(small.responses[0].partitions[0]).map((r) => r.offset)).toEqual([0]);
    expect(recordsOf(small.responses[0].partitions[1])).toEqual([]);
    // Response maxBytes bounds the sum: partition 0 fills it.
    const one = (await fetch(conn, topic, [{ partition: 0, offset: 0 }])).responses[0].partitions[0]
      .records.length;
    const capped = await fetch(
      conn,
      topic,
      [
        { partition: 0, offset: 0 },
        { partition: 1, offset: 0 },
      ],
      { maxBytes: Math.floor(one * 0.7) },
    );
    const n0 = recordsOf(capped.responses[0].partitions[0]).length;
    expect(n0).toBeGreaterThan(0);
    expect(n0).toBeLessThan(5);
    expect(capped.responses[0].partitions[1].records.length).toBe(0);
  });

  it('ListOffsets: earliest, latest and by timestamp', async () => {
    const c = await startCluster(1);
    const conn = await c.connect();
    const topic = randomTopic();
    await createTopic(conn, topic, 1);
    const base = Date.now() - 100_000;
    for (let i = 0; i < 10; i++)
      await produce(conn, topic, 0, batchOf([{ value: `v${i}`, timestamp: base + i * 1000 }]));
    const list = (timestamp: number) =>
      conn
        .request(ApiKeys.ListOffsets, 0, {
          replicaId: -1,
          isolationLevel: 0,
          topics: [
            { name: topic, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp }] },
          ],
        })
        .then((r) => r.topics[0].partitions[0]);
    expect(await list(-2)).toMatchObject({ errorCode: 0, offset: 0 });
    expect(await list(-1)).toMatchObject({ errorCode: 0, offset: 10, leaderEpoch: 0 });
    expect(await list(base + 3500)).toMatchObject({
      errorCode: 0,
      offset: 4,
      timestamp: base + 4000,
    });
    expect(await list(base + 3000)).toMatchObject({ offset: 3, timestamp: base + 3000 });
    expect(await list(base + 99_000)).toMatchObject({ errorCode: 0, offset: -1, timestamp: -1 });
    const unknown = await conn.request(ApiKeys.ListOffsets, 0, {
      replicaId: -1,
      isolationLevel: 0,
      topics: [
        {
          name: 'no-such-topic',
          partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1 }],
        },
      ],
    });
    expect(unknown.topics[0].partitions[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('acks: 0 gets no response but appends, -1 answers at once with an ISR of one, others are INVALID_REQUIRED_ACKS', async () => {
    const c = await startCluster(1);
    const conn = await c.connect();
    const topic = randomTopic();
    await createTopic(conn, topic, 1);
    conn.sendOneWay(ApiKeys.Produce, 0, {
      transactionalId: null,
      acks: 0,
      timeoutMs: 1000,
      topics: [{ name: topic, partitions: [{ index: 0, records: batchOf([{ value: 'a0' }]) }] }],
    });
    const all = await produce(conn, topic, 0, batchOf([{ value: 'a-1' }]), { acks: -1 });
    expect(all.topics[0].partitions[0]).toMatchObject({ errorCode: 0, baseOffset: 1 });
    const bad = await produce(conn, topic, 0, batchOf([{ value: 'x' }]), { acks: 2 });
    expect(bad.topics[0].partitions[0].errorCode).toBe(ErrorCode.INVALID_REQUIRED_ACKS);
    const corrupt = batchOf([{ value: 'y' }]);
    corrupt[corrupt.length - 1] ^= 0xff;
    const cr = await produce(conn, topic, 0, corrupt);
    expect(cr.topics[0].partitions[0].errorCode).toBe(ErrorCode.CORRUPT_MESSAGE);
    const unknown = await produce(conn, 'no-such-topic', 0, batchOf([{ value: 'z' }]));
    expect(unknown.topics[0].partitions[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    const r = await fetch(conn, topic, [{ partition: 0, offset: 0 }]);
    expect(recordsOf(r.responses[0].partitions[0]).map((x) => x.value!.toString())).toEqual([
      'a0',
      'a-1',
    ]);
  });
});
