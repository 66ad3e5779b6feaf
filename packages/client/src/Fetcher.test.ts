import { createLogger, KafkaError } from '@kzoo/common';
import { buildEndTxnMarkerBatch, buildRecordBatch, setBaseOffset } from '@kzoo/records';
import { CompletedFetch, Fetcher, PartitionState, type FetcherOptions } from './Fetcher';
import type { Metadata } from './Metadata';
import type { NetworkClient } from './NetworkClient';

function batch(baseOffset: number, values: string[], control = false): Buffer {
  return buildRecordBatch({
    baseOffset,
    isControlBatch: control,
    records: values.map((value) => ({ value })),
    now: 1000,
  });
}

function drain(cf: CompletedFetch, s: PartitionState): Array<[number, string]> {
  const out: Array<[number, string]> = [];
  for (let r = cf.next(true); r; r = cf.next(true)) {
    out.push([r.offset, r.value!.toString()]);
    s.position = r.offset + 1;
  }
  return out;
}

function txn(baseOffset: number, producerId: number, values: string[]): Buffer {
  return buildRecordBatch({
    baseOffset,
    producerId,
    producerEpoch: 0,
    baseSequence: 0,
    isTransactional: true,
    records: values.map((value) => ({ value })),
    now: 1000,
  });
}

function marker(offset: number, producerId: number, commit: boolean): Buffer {
  const b = buildEndTxnMarkerBatch({
    producerId,
    producerEpoch: 0,
    coordinatorEpoch: 0,
    commit,
    timestamp: 1000,
  });
  setBaseOffset(b, 0, offset);
  return b;
}

describe('Client > Fetcher > CompletedFetch', () => {
  test('read_committed: drops the aborted producer from its first offset to its ABORT marker, keeps the rest', () => {
    const s = new PartitionState('t', 0);
    s.seek(0);
    const bytes = Buffer.concat([
      txn(0, 1, ['x1', 'x2']), // producer 1, aborted below
      txn(2, 2, ['c1']), // producer 2, committed
      batch(3, ['plain']),
      marker(4, 1, false), // ABORT for 1
      marker(5, 2, true), // COMMIT for 2
      txn(6, 1, ['y1']), // producer 1's next transaction: not aborted
    ]);
    const aborted = [{ producerId: 1, firstOffset: 0 }];
    expect(drain(new CompletedFetch(s, s.epoch, bytes, aborted), s)).toEqual([
      [2, 'c1'],
      [3, 'plain'],
      [6, 'y1'],
    ]);
    expect(s.position).toBe(7);
    // Without the list (read_uncommitted) only the markers are skipped.
    const u = new PartitionState('t', 0);
    u.seek(0);
    expect(drain(new CompletedFetch(u, u.epoch, bytes), u).map(([, v]) => v)).toEqual([
      'x1',
      'x2',
      'c1',
      'plain',
      'y1',
    ]);
  });

  test('skips records before the position inside the first batch, then reads on', () => {
    const s = new PartitionState('t', 0);
    s.seek(3);
    const bytes = Buffer.concat([batch(0, ['a', 'b', 'c', 'd', 'e']), batch(5, ['f', 'g'])]);
    expect(drain(new CompletedFetch(s, s.epoch, bytes), s)).toEqual([
      [3, 'd'],
      [4, 'e'],
      [5, 'f'],
      [6, 'g'],
    ]);
    expect(s.position).toBe(7);
  });

  test('moves past a compacted batch: its removed last records and an emptied batch', () => {
    const s = new PartitionState('t', 0);
    s.seek(0);
    // Offsets 0-3, of which compaction kept 0 and 1; then 4-5 emptied (kept for its producer).
    const trimmed = buildRecordBatch({
      records: [
        { value: 'a', offsetDelta: 0 },
        { value: 'b', offsetDelta: 1 },
      ],
      lastOffsetDelta: 3,
      now: 1000,
    });
    const empty = buildRecordBatch({
      baseOffset: 4,
      records: [],
      lastOffsetDelta: 1,
      producerId: 9,
      producerEpoch: 0,
      baseSequence: 0,
      now: 1000,
    });
    expect(drain(new CompletedFetch(s, s.epoch, Buffer.concat([trimmed, empty])), s)).toEqual([
      [0, 'a'],
      [1, 'b'],
    ]);
    // The next fetch starts after the empty batch, not at 2 (which would return it forever).
    expect(s.position).toBe(6);
  });

  test('skips whole batches below the position, control batches, and a partial trailing batch', () => {
    const s = new PartitionState('t', 0);
    s.seek(5);
    const third = batch(8, ['i']);
    const bytes = Buffer.concat([
      batch(0, ['a', 'b', 'c', 'd', 'e']),
      batch(5, ['marker'], true),
      batch(6, ['g', 'h']),
      third.subarray(0, third.length - 3),
    ]);
    expect(drain(new CompletedFetch(s, s.epoch, bytes), s)).toEqual([
      [6, 'g'],
      [7, 'h'],
    ]);
  });

  test('a corrupt batch fails with CORRUPT_MESSAGE when check.crcs is on', () => {
    const s = new PartitionState('t', 0);
    s.seek(0);
    const bytes = batch(0, ['a']);
    bytes[bytes.length - 1] ^= 0xff;
    const cf = new CompletedFetch(s, s.epoch, bytes);
    let err: unknown;
    try {
      cf.next(true);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(KafkaError);
    expect((err as KafkaError).errorName).toBe('CORRUPT_MESSAGE');
  });

  test('drain returns the records before a corrupt batch, then fails on it at every poll until a seek', () => {
    const fetcher = new Fetcher(
      {} as Metadata, // drain needs neither metadata nor the network
      {} as NetworkClient,
      { checkCrcs: true } as FetcherOptions,
      createLogger('test'),
    );
    const s = new PartitionState('t', 0);
    s.seek(0);
    const bad = batch(2, ['c']);
    bad[bad.length - 1] ^= 0xff;
    const bytes = Buffer.concat([batch(0, ['a', 'b']), bad, batch(3, ['d'])]);
    s.buffered.push(new CompletedFetch(s, s.epoch, bytes));
    fetcher.states.set(s.key, s);
    expect(fetcher.drain(10).map((r) => r.value!.toString())).toEqual(['a', 'b']);
    expect(s.position).toBe(2);
    for (let i = 0; i < 2; i++) {
      expect(() => fetcher.drain(10)).toThrow(/CORRUPT_MESSAGE|CRC/);
      expect(s.position).toBe(2);
    }
  });

  test('check.crcs off: a garbled record fails at every read, the records before it are kept', () => {
    const s = new PartitionState('t', 0);
    s.seek(0);
    const bad = batch(0, ['a', 'b', 'c']);
    bad[bad.length - 1] ^= 0xff; // the last record's header count: a varint that runs off
    const cf = new CompletedFetch(s, s.epoch, Buffer.concat([bad, batch(3, ['d'])]));
    const got: string[] = [];
    for (let i = 0; i < 3; i++) {
      try {
        const r = cf.next(false);
        if (r) {
          got.push(r.value!.toString());
          s.position = r.offset + 1;
        }
      } catch (e) {
        expect((e as KafkaError).errorName).toBe('CORRUPT_MESSAGE');
      }
    }
    expect(got).toEqual(['a', 'b']);
    expect(s.position).toBe(2);
    expect(() => cf.next(false)).toThrow(/CORRUPT_MESSAGE/);
  });
});
