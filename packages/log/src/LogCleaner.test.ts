import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MockTime } from '@kzoo/common';
import {
  buildEndTxnMarkerBatch,
  buildRecordBatch,
  iterateBatches,
  readBatchHeader,
  records,
  validateBatch,
} from '@kzoo/records';
import { Log } from './Log';
import { cleanLog, dirtyRatio } from './LogCleaner';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kzoo-cleaner-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
let n = 0;

function kv(pairs: Array<[string, string | null]>, ts = 1000): Buffer {
  return buildRecordBatch({
    records: pairs.map(([k, v]) => ({ key: k, value: v, timestamp: ts })),
    compression: 'lz4',
  });
}

function contents(log: Log): Array<[number, string, string | null]> {
  const out: Array<[number, string, string | null]> = [];
  const bytes = log.read(log.logStartOffset, 1 << 30).records;
  for (const b of iterateBatches(bytes)) {
    validateBatch(b.bytes);
    for (const r of records(b.bytes))
      out.push([r.offset, r.key!.toString(), r.value?.toString() ?? null]);
  }
  return out;
}

describe('Log > LogCleaner', () => {
  test('nothing at or above the last stable offset (an open transaction) is cleaned', async () => {
    const time = new MockTime(1_000_000);
    const log = Log.open(
      path.join(root, `c${n++}-0`),
      { 'cleanup.policy': 'compact', 'segment.bytes': 300 },
      { time },
    );
    log.append(kv([['k', 'first']]), { leaderEpoch: 0 });
    const open = buildRecordBatch({
      records: [{ key: 'k', value: 'in-txn', timestamp: 1000 }],
      producerId: 9,
      producerEpoch: 0,
      baseSequence: 0,
      isTransactional: true,
    });
    log.append(open, { leaderEpoch: 0 }); // open transaction at offset 1
    for (let i = 0; i < 30; i++) log.append(kv([['k', `v${i}`]]), { leaderEpoch: 0 });
    expect(log.lastStableOffset(log.logEndOffset)).toBe(1);
    expect(dirtyRatio(log, log.logEndOffset, time.milliseconds())).toBe(0);
    expect(await cleanLog(log, { now: time.milliseconds() })).toBeNull();
    expect(contents(log)).toHaveLength(32);
    log.close();
  });

  test('keeps the newest record per key with its offset, never touches the active segment', async () => {
    const time = new MockTime(1_000_000);
    const log = Log.open(
      path.join(root, `c${n++}-0`),
      { 'cleanup.policy': 'compact', 'segment.bytes': 300 },
      { time },
    );
    for (let i = 0; i < 30; i++) log.append(kv([[`k${i % 3}`, `v${i}`]]), { leaderEpoch: 0 });
    const activeBase = log.activeSegment.baseOffset;
    const before = contents(log);
    expect(before).toHaveLength(30);
    expect(dirtyRatio(log, log.logEndOffset, time.milliseconds())).toBe(1);
    const res = await cleanLog(log, { now: time.milliseconds() });
    expect(res).not.toBeNull();
    expect(res!.recordsRemoved).toBeGreaterThan(0);
    const after = contents(log);
    // Below the active segment: one record per key, the newest, offsets kept.
    const cleanedPart = after.filter(([o]) => o < activeBase);
    const keys = new Set(cleanedPart.map(([, k]) => k));
    expect(cleanedPart).toHaveLength(keys.size);
    for (const [o, k, v] of cleanedPart) {
      const newestBelow = before.filter(([oo, kk]) => kk === k && oo < activeBase).pop()!;
      expect([o, v]).toEqual([newestBelow[0], newestBelow[2]]);
    }
    // The active segment is untouched.
    expect(after.filter(([o]) => o >= activeBase)).toEqual(before.filter(([o]) => o >= activeBase));
    expect(log.logEndOffset).toBe(30);
    expect(dirtyRatio(log, log.logEndOffset, time.milliseconds())).toBe(0);
    // Still readable after a reopen (recovery over compacted segments with gaps).
    log.close();
    const again = Log.open(
      log.dir,
      { 'cleanup.policy': 'compact', 'segment.bytes': 300 },
      { time, recoveryPoint: 0 },
    );
    expect(contents(again)).toEqual(after);
    again.close();
  });

  test('tombstones survive delete.retention.ms, then go', async () => {
    const time = new MockTime(1_000_000);
    const cfg = { 'cleanup.policy': 'compact', 'segment.bytes': 200, 'delete.retention.ms': 5000 };
    const log = Log.open(path.join(root, `c${n++}-0`), cfg, { time });
    log.append(kv([['a', '1']]));
    log.append(kv([['b', '1']]));
    log.append(kv([['a', null]])); // tombstone for a
    for (let i = 0; i < 6; i++) log.append(kv([[`x${i}`, 'y']]));
    await cleanLog(log, { now: time.milliseconds(), force: true });
    let c = contents(log);
    expect(c.find(([, k, v]) => k === 'a' && v === '1')).toBeUndefined();
    expect(c.find(([, k]) => k === 'a')).toEqual([2, 'a', null]);
    expect(log.nextDeleteHorizonMs).toBe(1_005_000);
    time.tick(6000);
    const res = await cleanLog(log, { now: time.milliseconds() }); // due: the horizon passed
    expect(res!.tombstonesRemoved).toBe(1);
    c = contents(log);
    expect(c.find(([, k]) => k === 'a')).toBeUndefined();
    expect(c.find(([, k]) => k === 'b')).toEqual([1, 'b', '1']);
    log.close();
  });

  test('does nothing below min.cleanable.dirty.ratio or for delete-only logs', async () => {
    const time = new MockTime();
    const log = Log.open(
      path.join(root, `c${n++}-0`),
      { 'cleanup.policy': 'delete', 'segment.bytes': 200 },
      { time },
    );
    for (let i = 0; i < 10; i++) log.append(kv([['k', `${i}`]]));
    expect(await cleanLog(log, { now: time.milliseconds(), force: true })).toBeNull();
    log.close();
  });

  test('appends go on while a clean runs', async () => {
    const time = new MockTime(1_000_000);
    const log = Log.open(
      path.join(root, `c${n++}-0`),
      { 'cleanup.policy': 'compact', 'segment.bytes': 300 },
      { time },
    );
    for (let i = 0; i < 30; i++) log.append(kv([[`k${i % 2}`, `v${i}`]]));
    let pauses = 0;
    const run = cleanLog(log, {
      now: time.milliseconds(),
      pause: async () => {
        pauses++;
        log.append(kv([['during', `${pauses}`]]));
        await new Promise((r) => setImmediate(r));
      },
    });
    await run;
    expect(pauses).toBeGreaterThan(0);
    expect(log.logEndOffset).toBe(30 + pauses);
    const c = contents(log);
    expect(c.filter(([, k]) => k === 'during')).toHaveLength(pauses);
    log.close();
  });
  test('a truncation while a clean runs wins: the truncated segments are not swapped back', async () => {
    const time = new MockTime(1_000_000);
    const log = Log.open(
      path.join(root, `c${n++}-0`),
      { 'cleanup.policy': 'compact', 'segment.bytes': 300 },
      { time },
    );
    for (let i = 0; i < 30; i++) log.append(kv([[`k${i % 2}`, `v${i}`]]));
    let truncated = false;
    await cleanLog(log, {
      now: time.milliseconds(),
      pause: async () => {
        if (!truncated) {
          truncated = true;
          log.truncateTo(3);
        }
      },
    });
    expect(log.logEndOffset).toBe(3);
    expect(contents(log).map(([o]) => o)).toEqual([0, 1, 2]);
    log.close();
  });
  test('on open, a leftover .cleaned file is dropped and a .swap file completes its swap', () => {
    const time = new MockTime(1_000_000);
    const cfg = { 'cleanup.policy': 'compact', 'segment.bytes': 300 };
    const log = Log.open(path.join(root, `c${n++}-0`), cfg, { time });
    for (let i = 0; i < 12; i++) log.append(kv([[`k${i % 2}`, `v${i}`]]));
    const first = log.logSegments()[0];
    const firstEnd = log.logSegments()[1].baseOffset;
    log.close();
    // A cleaned copy of the first segment holding only its last record, left as .swap.
    const bytes = fs.readFileSync(first.file);
    let lastBatch = 0;
    for (const b of iterateBatches(bytes)) lastBatch = b.position;
    fs.writeFileSync(first.file + '.swap', bytes.subarray(lastBatch));
    fs.writeFileSync(log.logSegments()[1].file + '.cleaned', 'half-written');
    const again = Log.open(log.dir, cfg, { time, recoveryPoint: 0 });
    expect(
      fs.readdirSync(log.dir).filter((f) => f.endsWith('.swap') || f.endsWith('.cleaned')),
    ).toEqual([]);
    const c = contents(again);
    expect(c.filter(([o]) => o < firstEnd)).toEqual([
      [firstEnd - 1, `k${(firstEnd - 1) % 2}`, `v${firstEnd - 1}`],
    ]);
    expect(again.logEndOffset).toBe(12);
    again.close();
  });
  test('compact,delete: both compaction and time retention apply', async () => {
    const time = new MockTime(1_000_000);
    const cfg = {
      'cleanup.policy': 'compact,delete',
      'segment.bytes': 300,
      'retention.ms': 10_000,
    };
    const log = Log.open(path.join(root, `c${n++}-0`), cfg, { time });
    for (let i = 0; i < 8; i++) log.append(kv([[`old${i}`, 'x']], 1_000_000));
    for (let i = 0; i < 12; i++) log.append(kv([[`k${i % 2}`, `new${i}`]], 1_015_000));
    time.tick(20_000);
    const res = await cleanLog(log, { now: time.milliseconds(), force: true });
    expect(res!.recordsRemoved).toBeGreaterThan(0); // duplicates of k0 / k1
    expect(log.deleteOldSegments()).toBeGreaterThan(0); // segments of old* are past retention.ms
    const c = contents(log);
    expect(c.filter(([, k]) => k.startsWith('old'))).toEqual([]);
    expect(c.filter(([, k]) => k.startsWith('k')).length).toBeLessThan(12);
    expect(c.find(([, k, v]) => k === 'k1' && v === 'new11')).toBeDefined();
    log.close();
  });

  describe('transactions', () => {
    const cfg = { 'cleanup.policy': 'compact', 'segment.bytes': 300, 'delete.retention.ms': 5000 };

    function txnBatch(pid: number, seq: number, key: string, value: string): Buffer {
      return buildRecordBatch({
        records: [{ key, value, timestamp: 1000 }],
        producerId: pid,
        producerEpoch: 0,
        baseSequence: seq,
        isTransactional: true,
      });
    }
    function marker(pid: number, commit: boolean): Buffer {
      return buildEndTxnMarkerBatch({
        producerId: pid,
        producerEpoch: 0,
        coordinatorEpoch: 0,
        commit,
        timestamp: 1000,
      });
    }
    /** Every batch: offsets, producer, whether control, record count, delete horizon. */
    function batches(log: Log) {
      const bytes = log.read(log.logStartOffset, 1 << 30).records;
      return [...iterateBatches(bytes)].map((b) => {
        validateBatch(b.bytes);
        const h = readBatchHeader(b.bytes);
        return {
          first: h.baseOffset,
          last: h.baseOffset + h.lastOffsetDelta,
          pid: h.producerId,
          control: h.isControlBatch,
          count: h.recordCount,
          horizon: h.hasDeleteHorizonMs,
          values: h.isControlBatch
            ? []
            : [...records(b.bytes)].map((r) => `${r.key!.toString()}=${r.value!.toString()}`),
        };
      });
    }
    const coordinator = { leaderEpoch: 0, origin: 'coordinator' as const };

    test('an aborted value never shadows a committed one; its records go, then its marker after delete.retention.ms, with its index entry', async () => {
      const time = new MockTime(1_000_000);
      const log = Log.open(path.join(root, `c${n++}-0`), cfg, { time });
      log.append(txnBatch(7, 0, 'k', 'committed'), coordinator); // 0
      log.append(marker(7, true), coordinator); // 1
      log.append(txnBatch(8, 0, 'k', 'aborted'), coordinator); // 2
      log.append(marker(8, false), coordinator); // 3: ABORT
      log.append(txnBatch(8, 1, 'other', 'later'), coordinator); // 4
      log.append(marker(8, true), coordinator); // 5
      for (let i = 0; i < 12; i++) log.append(kv([[`x${i}`, 'y']]), { leaderEpoch: 0 });
      expect(log.collectAbortedTxns(0, log.logEndOffset).map((t) => t.producerId)).toEqual([8]);

      await cleanLog(log, { now: time.milliseconds(), force: true });
      let b = batches(log);
      // The committed value survives (the aborted one, newer, did not enter the key map).
      expect(b.find((x) => x.first === 0)!.values).toEqual(['k=committed']);
      // The aborted batch is gone. Its marker stays: this pass met a batch of its
      // transaction (Kafka's lastObservedBatchOffset).
      expect(b.find((x) => x.first === 2)).toBeUndefined();
      expect(b.find((x) => x.first === 3)).toMatchObject({
        control: true,
        count: 1,
        horizon: false,
      });
      // A COMMIT marker whose transaction still has records stays as it was.
      expect(b.find((x) => x.first === 1)).toMatchObject({
        control: true,
        count: 1,
        horizon: false,
      });
      expect(log.collectAbortedTxns(0, log.logEndOffset).map((t) => t.producerId)).toEqual([8]);

      // The next pass finds the transaction empty: the marker gets a delete horizon.
      await cleanLog(log, { now: time.milliseconds(), force: true });
      b = batches(log);
      expect(b.find((x) => x.first === 3)).toMatchObject({
        control: true,
        count: 1,
        horizon: true,
      });
      expect(b.find((x) => x.first === 1)).toMatchObject({ horizon: false });
      expect(log.collectAbortedTxns(0, log.logEndOffset).map((t) => t.producerId)).toEqual([8]);
      expect(log.nextDeleteHorizonMs).toBe(1_005_000);

      time.tick(6000);
      await cleanLog(log, { now: time.milliseconds() });
      b = batches(log);
      expect(b.find((x) => x.first === 3)).toBeUndefined();
      expect(log.collectAbortedTxns(0, log.logEndOffset)).toEqual([]);
      expect(b.find((x) => x.first === 0)!.values).toEqual(['k=committed']);
      expect(b.find((x) => x.first === 4)!.values).toEqual(['other=later']);

      // The same after a reopen: the swapped transaction index was written to disk.
      log.close();
      const again = Log.open(log.dir, cfg, { time, recoveryPoint: 0 });
      expect(again.collectAbortedTxns(0, again.logEndOffset)).toEqual([]);
      expect(batches(again)).toEqual(b);
      again.close();
    });

    test('the last batch of an active producer stays, emptied, so its sequence survives', async () => {
      const time = new MockTime(1_000_000);
      const log = Log.open(path.join(root, `c${n++}-0`), cfg, { time });
      const idempotent = buildRecordBatch({
        records: [
          { key: 'a', value: '1', timestamp: 1000 },
          { key: 'b', value: '1', timestamp: 1000 },
        ],
        producerId: 5,
        producerEpoch: 3,
        baseSequence: 10,
      });
      log.append(idempotent, { leaderEpoch: 0 }); // 0-1, sequences 10-11
      log.append(kv([['a', '2']]), { leaderEpoch: 0 }); // 2
      log.append(kv([['b', '2']]), { leaderEpoch: 0 }); // 3
      for (let i = 0; i < 12; i++) log.append(kv([[`x${i}`, 'y']]), { leaderEpoch: 0 });

      await cleanLog(log, { now: time.milliseconds(), force: true });
      const first = batches(log)[0];
      expect(first).toEqual({
        first: 0,
        last: 1,
        pid: 5,
        control: false,
        count: 0,
        horizon: false,
        values: [],
      });
      // Rebuilt from the log alone (no snapshot), the producer state still has the sequence.
      log.close();
      for (const f of fs.readdirSync(log.dir))
        if (f.endsWith('.snapshot')) fs.rmSync(path.join(log.dir, f));
      const again = Log.open(log.dir, cfg, { time, recoveryPoint: 0 });
      const entry = again.producerStateManager.lastEntry(5)!;
      expect(entry.producerEpoch).toBe(3);
      expect(entry.batches.at(-1)).toMatchObject({ firstSeq: 10, lastSeq: 11, lastOffset: 1 });
      again.close();
    });

    test("on open, a transaction index .swap commits only with its segment's .swap", () => {
      const time = new MockTime(1_000_000);
      const log = Log.open(path.join(root, `c${n++}-0`), cfg, { time });
      log.append(txnBatch(8, 0, 'k', 'aborted'), coordinator);
      log.append(marker(8, false), coordinator);
      for (let i = 0; i < 12; i++) log.append(kv([[`x${i}`, 'y']]), { leaderEpoch: 0 });
      const [first, second] = log.logSegments();
      log.close();
      const txnIndex = (seg: LogSegmentFiles) => seg.file.replace(/\.log$/, '.txnindex');
      expect(fs.existsSync(txnIndex(first))).toBe(true);
      // Segment 1: its index swap without a segment swap (a crash before the commit): dropped.
      fs.writeFileSync(txnIndex(first) + '.swap', '');
      // Segment 2: both swaps left: the empty index replaces the old one.
      fs.copyFileSync(second.file, second.file + '.swap');
      fs.writeFileSync(txnIndex(second), fs.readFileSync(txnIndex(first)));
      fs.writeFileSync(txnIndex(second) + '.swap', '');
      const again = Log.open(log.dir, cfg, { time, recoveryPoint: 0 });
      expect(fs.readdirSync(log.dir).filter((f) => f.endsWith('.swap'))).toEqual([]);
      expect(fs.statSync(txnIndex(first)).size).toBeGreaterThan(0);
      expect(fs.statSync(txnIndex(second)).size).toBe(0);
      expect(again.collectAbortedTxns(0, again.logEndOffset).map((t) => t.producerId)).toEqual([8]);
      again.close();
    });
  });
});

type LogSegmentFiles = { file: string };
