import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KafkaError, MockTime } from '@kzoo/common';
import {
  buildRecordBatch,
  iterateBatches,
  readBatchHeader,
  records,
  validateBatch,
} from '@kzoo/records';
import { LEADER_EPOCH_CHECKPOINT, LeaderEpochCheckpointFile } from './checkpoints';
import { OffsetIndex } from './indexes';
import { Log } from './Log';
import { TAIL_BATCHES } from './LogSegment';

const tmpDirs: string[] = [];
function tmpLogDir(name = 'topic-0'): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'kzoo-log-'));
  tmpDirs.push(d);
  return path.join(d, name);
}
afterAll(() => {
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

function batch(
  n: number,
  opts: {
    size?: number;
    ts?: number;
    key?: (i: number) => string | null;
    value?: (i: number) => string | null;
  } = {},
): Buffer {
  return buildRecordBatch({
    records: Array.from({ length: n }, (_, i) => ({
      key: opts.key ? opts.key(i) : null,
      value: opts.value ? opts.value(i) : 'v'.repeat(opts.size ?? 10),
      timestamp: (opts.ts ?? 1000) + i,
    })),
  });
}

function offsetsIn(buf: Buffer): number[] {
  const out: number[] = [];
  for (const b of iterateBatches(buf)) for (const r of records(b.bytes)) out.push(r.offset);
  return out;
}

function expectKafkaError(fn: () => unknown, name: string): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(KafkaError);
  expect((err as KafkaError).errorName).toBe(name);
}

describe('Log', () => {
  describe('append', () => {
    test('assigns offsets from the log end offset, stamps the leader epoch, keeps the CRC', () => {
      const log = Log.open(tmpLogDir(), {}, { time: new MockTime() });
      const a = log.append(batch(3), { leaderEpoch: 5 });
      expect([a.firstOffset, a.lastOffset, a.numRecords, a.numBatches]).toEqual([0, 2, 3, 1]);
      const b = log.append(Buffer.concat([batch(2), batch(4)]), { leaderEpoch: 5 });
      expect([b.firstOffset, b.lastOffset, b.numBatches]).toEqual([3, 8, 2]);
      expect(log.logEndOffset).toBe(9);
      const { records: bytes, firstOffset } = log.read(0, 1 << 20);
      expect(firstOffset).toBe(0);
      const batches = [...iterateBatches(bytes)];
      expect(batches.map((x) => [x.baseOffset, x.lastOffset])).toEqual([
        [0, 2],
        [3, 4],
        [5, 8],
      ]);
      for (const x of batches) {
        validateBatch(x.bytes);
        expect(readBatchHeader(x.bytes).partitionLeaderEpoch).toBe(5);
      }
      expect(log.leaderEpochCache.epochEntries()).toEqual([{ epoch: 5, startOffset: 0 }]);
      log.close();
    });

    test('reports producer metadata of idempotent batches', () => {
      const log = Log.open(tmpLogDir(), {}, { time: new MockTime() });
      log.append(batch(1));
      const b = buildRecordBatch({
        records: [{ value: 'a' }, { value: 'b' }],
        producerId: 77,
        producerEpoch: 2,
        baseSequence: 10,
      });
      const info = log.append(b, { leaderEpoch: 0 });
      expect(info.producers).toEqual([
        {
          producerId: 77,
          producerEpoch: 2,
          baseSequence: 10,
          lastSequence: 11,
          firstOffset: 1,
          lastOffset: 2,
          maxTimestamp: expect.any(Number),
          isTransactional: false,
        },
      ]);
      log.close();
    });

    test('LogAppendTime topics get the append time and a fresh CRC', () => {
      const time = new MockTime(5_000_000);
      const log = Log.open(tmpLogDir(), { 'message.timestamp.type': 'LogAppendTime' }, { time });
      const info = log.append(batch(2, { ts: 1 }));
      expect(info.logAppendTime).toBe(5_000_000);
      const bytes = log.read(0, 1000).records;
      validateBatch(bytes);
      expect([...records(bytes)].map((r) => r.timestamp)).toEqual([5_000_000, 5_000_000]);
      log.close();
    });

    test('rejects bad input with typed errors and leaves the log unchanged', () => {
      const log = Log.open(tmpLogDir(), { 'max.message.bytes': 2000 }, { time: new MockTime() });
      log.append(batch(2));
      const before = log.read(0, 1 << 20).records;
      const corrupt = batch(2);
      corrupt[corrupt.length - 1] ^= 0xff;
      expectKafkaError(() => log.append(Buffer.concat([batch(1), corrupt])), 'CORRUPT_MESSAGE');
      const magic = batch(1);
      magic[16] = 1;
      expectKafkaError(() => log.append(magic), 'UNSUPPORTED_VERSION');
      expectKafkaError(() => log.append(batch(1).subarray(0, 70)), 'CORRUPT_MESSAGE');
      expectKafkaError(() => log.append(batch(30, { size: 100 })), 'MESSAGE_TOO_LARGE');
      const control = buildRecordBatch({ records: [{ value: 'x' }], isControlBatch: true });
      expectKafkaError(() => log.append(control), 'INVALID_RECORD');
      expect(log.logEndOffset).toBe(2);
      expect(log.read(0, 1 << 20).records.equals(before)).toBe(true);
      log.close();
    });

    test('appendAsFollower keeps offsets and epochs, allows gaps, rejects non-monotonic offsets', () => {
      const log = Log.open(tmpLogDir(), {}, { time: new MockTime() });
      const b1 = buildRecordBatch({
        records: [{ value: 'a' }, { value: 'b' }],
        baseOffset: 0,
        partitionLeaderEpoch: 1,
      });
      const b2 = buildRecordBatch({
        records: [{ value: 'c' }],
        baseOffset: 5,
        partitionLeaderEpoch: 3,
      });
      const partial = b1.subarray(0, 30);
      const info = log.appendAsFollower(Buffer.concat([b1, b2, partial]));
      expect([info.firstOffset, info.lastOffset, info.numBatches]).toEqual([0, 5, 2]);
      expect(log.logEndOffset).toBe(6);
      expect(log.leaderEpochCache.epochEntries()).toEqual([
        { epoch: 1, startOffset: 0 },
        { epoch: 3, startOffset: 5 },
      ]);
      expectKafkaError(
        () => log.appendAsFollower(buildRecordBatch({ records: [{ value: 'x' }], baseOffset: 5 })),
        'INVALID_RECORD',
      );
      expect(log.logEndOffset).toBe(6);
      log.close();
    });
  });

  test("a follower whose empty log starts inside the leader's first batch restarts at that batch", () => {
    const log = Log.open(tmpLogDir(), {}, { time: new MockTime() });
    log.truncateFullyAndStartAt(12); // the leader's log start offset
    const b = buildRecordBatch({
      records: [{ value: 'a' }, { value: 'b' }, { value: 'c' }, { value: 'd' }],
      baseOffset: 10,
    });
    // A bad set changes nothing.
    const bad = Buffer.from(b);
    bad[bad.length - 1] ^= 1;
    expectKafkaError(() => log.appendAsFollower(bad), 'CORRUPT_MESSAGE');
    expect([log.logStartOffset, log.logEndOffset, log.activeSegment.baseOffset]).toEqual([
      12, 12, 12,
    ]);
    const info = log.appendAsFollower(b);
    expect([info.firstOffset, info.lastOffset]).toEqual([10, 13]);
    expect([log.logStartOffset, log.logEndOffset]).toEqual([12, 14]);
    expect(log.read(12, 1000).firstOffset).toBe(10);
    log.close();
  });

  describe('segments and indexes', () => {
    test('rolls at segment.bytes and reads across segments', () => {
      const dir = tmpLogDir();
      const log = Log.open(
        dir,
        { 'segment.bytes': 1024, 'index.interval.bytes': 100 },
        { time: new MockTime() },
      );
      for (let i = 0; i < 50; i++) log.append(batch(3, { size: 40 }));
      expect(log.numberOfSegments()).toBeGreaterThan(5);
      const names = fs.readdirSync(dir).filter((n) => n.endsWith('.log'));
      expect(names).toContain('00000000000000000000.log');
      for (const seg of log.logSegments()) {
        expect(names).toContain(`${String(seg.baseOffset).padStart(20, '0')}.log`);
        expect(seg.size).toBeLessThanOrEqual(1024);
      }
      // Everything, across segments, in order.
      const all = log.read(0, 1 << 20).records;
      expect(offsetsIn(all)).toEqual(Array.from({ length: 150 }, (_, i) => i));
      // From the middle of a batch: the whole batch that holds the offset comes back.
      for (const start of [0, 1, 44, 77, 148, 149]) {
        const r = log.read(start, 300);
        const first = readBatchHeader(r.records);
        expect(first.baseOffset).toBeLessThanOrEqual(start);
        expect(first.lastOffset).toBeGreaterThanOrEqual(start);
        expect(r.firstOffset).toBe(first.baseOffset);
      }
      expect(log.read(150, 1000).records.length).toBe(0);
      expectKafkaError(() => log.read(151, 1000), 'OFFSET_OUT_OF_RANGE');
      log.close();
    });

    test('the sparse index gets an entry per index.interval.bytes and finds batches', () => {
      const log = Log.open(tmpLogDir(), { 'index.interval.bytes': 500 }, { time: new MockTime() });
      for (let i = 0; i < 40; i++) log.append(batch(2, { size: 100 }));
      const seg = log.activeSegment;
      // batch size ~ 61 + 2 * ~110 = ~281 bytes: an entry every 2 batches after the first.
      expect(seg.offsetIndex.entries).toBeGreaterThan(10);
      expect(seg.offsetIndex.entries).toBeLessThan(40);
      for (let o = 0; o < 80; o++) {
        const loc = seg.translateOffset(o)!;
        expect(loc.baseOffset).toBeLessThanOrEqual(o);
        expect(loc.lastOffset).toBeGreaterThanOrEqual(o);
        const entry = seg.offsetIndex.lookup(o);
        expect(entry.offset).toBeLessThanOrEqual(o);
      }
      log.close();
      // Index files are Kafka's format: 8-byte entries, 12-byte time entries.
      const idx = fs.readFileSync(seg.offsetIndex.file);
      expect(idx.length % 8).toBe(0);
      expect(idx.length / 8).toBe(seg.offsetIndex.entries);
      expect(fs.readFileSync(seg.timeIndex.file).length % 12).toBe(0);
    });

    test('indexes every batch of a multi-batch append at its own position; a full index rolls', () => {
      const dir = tmpLogDir();
      const cfg = { 'index.interval.bytes': 0, 'segment.index.bytes': 40 }; // 5 offset entries, 3 time entries
      const log = Log.open(dir, cfg, { time: new MockTime() });
      log.append(Buffer.concat([batch(1), batch(1), batch(1), batch(1)]));
      const seg = log.activeSegment;
      const positions = [...seg.scanFrom(0)].map((b) => b.position);
      for (let o = 1; o < 4; o++) expect(seg.offsetIndex.lookup(o).position).toBe(positions[o]);
      for (let i = 0; i < 6; i++) log.append(batch(1, { ts: 2000 + i }));
      expect(log.numberOfSegments()).toBeGreaterThan(1);
      log.close();
      const again = Log.open(dir, cfg, { time: new MockTime(), hadCleanShutdown: true });
      expect(offsetsIn(again.read(0, 1 << 20).records)).toEqual(
        Array.from({ length: 10 }, (_, i) => i),
      );
      again.close();
    });

    test('rolls at segment.ms, counted from the first batch timestamp', () => {
      const time = new MockTime(1_000_000);
      const log = Log.open(tmpLogDir(), { 'segment.ms': 1000 }, { time });
      log.append(batch(1, { ts: 1_000_000 }));
      log.append(batch(1, { ts: 1_000_500 }));
      expect(log.numberOfSegments()).toBe(1);
      log.append(batch(1, { ts: 1_001_001 }));
      expect(log.numberOfSegments()).toBe(2);
      expect(log.activeSegment.baseOffset).toBe(2);
      log.close();
    });

    test('rolls at segment.ms on the clock when the batches carry no timestamp', () => {
      const time = new MockTime(1_000_000);
      const log = Log.open(tmpLogDir(), { 'segment.ms': 1000 }, { time });
      log.append(batch(1, { ts: -1 }));
      expect(log.activeSegment.rollingBasedTimestamp).toBe(-1);
      time.tick(500);
      log.append(batch(1, { ts: -1 }));
      expect(log.numberOfSegments()).toBe(1);
      time.tick(501);
      log.append(batch(1, { ts: -1 }));
      expect(log.numberOfSegments()).toBe(2);
      expect(log.activeSegment.baseOffset).toBe(2);
      log.close();
    });

    test('maxOffset stops at the high watermark; maxBytes and minOneMessage', () => {
      const log = Log.open(tmpLogDir(), {}, { time: new MockTime() });
      for (let i = 0; i < 5; i++) log.append(batch(2, { size: 100 }));
      expect(offsetsIn(log.read(0, 1 << 20, { maxOffset: 6 }).records)).toEqual([0, 1, 2, 3, 4, 5]);
      expect(log.read(6, 1 << 20, { maxOffset: 6 }).records.length).toBe(0);
      const one = log.read(0, 10);
      expect(offsetsIn(one.records)).toEqual([0, 1]);
      expect(log.read(0, 10, { minOneMessage: false }).records.length).toBe(0);
      log.close();
    });

    test('offsetForTimestamp finds the first record at or after a time', () => {
      const log = Log.open(
        tmpLogDir(),
        { 'segment.bytes': 600, 'index.interval.bytes': 50 },
        { time: new MockTime() },
      );
      for (let i = 0; i < 30; i++) log.append(batch(2, { ts: 10_000 + i * 10, size: 50 }));
      expect(log.numberOfSegments()).toBeGreaterThan(2);
      // Batch i holds offsets 2i, 2i+1 with timestamps 10000+10i, 10000+10i+1.
      expect(log.offsetForTimestamp(0)).toEqual({ offset: 0, timestamp: 10_000 });
      expect(log.offsetForTimestamp(10_001)).toEqual({ offset: 1, timestamp: 10_001 });
      expect(log.offsetForTimestamp(10_002)).toEqual({ offset: 2, timestamp: 10_010 });
      expect(log.offsetForTimestamp(10_155)).toEqual({ offset: 32, timestamp: 10_160 });
      expect(log.offsetForTimestamp(10_291)).toEqual({ offset: 59, timestamp: 10_291 });
      expect(log.offsetForTimestamp(10_292)).toBeNull();
      log.close();
    });
  });

  describe('reading on', () => {
    test('a reader catching up, fetch after fetch, reads no batch header back from the file', () => {
      const log = Log.open(tmpLogDir(), {}, { time: new MockTime() });
      // Far more batches than a segment remembers at its tail: these reads go by the cursors.
      for (let i = 0; i < 20 * TAIL_BATCHES; i++) log.append(batch(5, { size: 40 }));
      const batchBytes = log.read(0, 1).records.length;
      // 3.5 batches per fetch: each read ends inside the next batch, with its header.
      const fetchBytes = Math.floor(3.5 * batchBytes);
      const seen: number[] = [];
      const fetch = (offset: number) => {
        const got = offsetsIn(log.read(offset, fetchBytes).records);
        seen.push(...got);
        return got[got.length - 1] + 1;
      };
      // The first fetch finds its batch through the index and a scan.
      let offset = fetch(0);
      const fsActual = jest.requireActual<typeof fs>('node:fs');
      const spy = jest.spyOn(fsActual, 'readSync');
      let fetches = 0;
      try {
        for (; offset < 10 * TAIL_BATCHES * 5; fetches++) offset = fetch(offset);
        // Every later one reads its bytes and nothing else.
        expect(spy.mock.calls.map((c) => (c as unknown[])[3])).toEqual(
          Array.from({ length: fetches }, () => fetchBytes),
        );
      } finally {
        spy.mockRestore();
      }
      expect(fetches).toBeGreaterThan(40);
      expect(seen).toEqual(Array.from({ length: seen.length }, (_, i) => i));
      log.close();
    });
  });

  describe('close', () => {
    test('closeAsync lets an epoch-checkpoint write under way finish off the event loop, and creates no index file for an empty .log', async () => {
      const log = Log.open(tmpLogDir(), {}, { time: new MockTime() });
      await log.leaderEpochCache.assignAsync(0, 0);
      // a follower's truncation of an epoch begun at the LEO: its write goes to the pool
      log.leaderEpochCache.truncateFromEnd(0);
      expect(log.leaderEpochCache.isDurable).toBe(false);
      const syncEpochWrite = jest.spyOn(LeaderEpochCheckpointFile.prototype, 'write');
      // a synchronous flush that still has the file to create or fsync (not an early return)
      const realFlush = OffsetIndex.prototype.flush;
      const syncIndexWork: boolean[] = [];
      const syncIndexFlush = jest
        .spyOn(OffsetIndex.prototype, 'flush')
        .mockImplementation(function (this: OffsetIndex, sync: boolean, createEmpty?: boolean) {
          if (sync && (this as unknown as { unsynced: boolean }).unsynced) syncIndexWork.push(sync);
          realFlush.call(this, sync, createEmpty);
        });
      try {
        await log.closeAsync();
        expect(syncEpochWrite).not.toHaveBeenCalled();
        expect(syncIndexWork).toEqual([]);
      } finally {
        syncEpochWrite.mockRestore();
        syncIndexFlush.mockRestore();
      }
      expect(
        new LeaderEpochCheckpointFile(path.join(log.dir, LEADER_EPOCH_CHECKPOINT)).read(),
      ).toEqual([]);
      expect(fs.readdirSync(log.dir).filter((f) => f.includes('index'))).toEqual([]);
      const again = Log.open(log.dir, {}, { time: new MockTime() });
      expect(again.leaderEpochCache.epochEntries()).toEqual([]);
      // written after the reopen: its indexes are created at close as before
      again.append(batch(2), { leaderEpoch: 1 });
      again.close();
      expect(
        fs
          .readdirSync(log.dir)
          .filter((f) => f.includes('index'))
          .sort(),
      ).toEqual(['00000000000000000000.index', '00000000000000000000.timeindex']);
    });
  });

  describe('truncation', () => {
    test('truncateTo cuts a divergent tail across segments and the epoch cache', () => {
      const log = Log.open(tmpLogDir(), { 'segment.bytes': 700 }, { time: new MockTime() });
      for (let i = 0; i < 20; i++)
        log.append(batch(2, { size: 40 }), { leaderEpoch: i < 10 ? 1 : 2 });
      const segs = log.numberOfSegments();
      expect(segs).toBeGreaterThan(3);
      expect(log.leaderEpochCache.epochEntries()).toEqual([
        { epoch: 1, startOffset: 0 },
        { epoch: 2, startOffset: 20 },
      ]);
      expect(log.truncateTo(14)).toBe(true);
      expect(log.logEndOffset).toBe(14);
      expect(log.numberOfSegments()).toBeLessThan(segs);
      expect(offsetsIn(log.read(0, 1 << 20).records)).toEqual(
        Array.from({ length: 14 }, (_, i) => i),
      );
      expect(log.leaderEpochCache.epochEntries()).toEqual([{ epoch: 1, startOffset: 0 }]);
      expect(log.truncateTo(100)).toBe(false);
      // Appends continue from the new end.
      expect(log.append(batch(1), { leaderEpoch: 3 }).firstOffset).toBe(14);
      log.close();
      // And it all survives a reopen.
      const again = Log.open(log.dir, { 'segment.bytes': 700 }, { time: new MockTime() });
      expect(again.logEndOffset).toBe(15);
      expect(offsetsIn(again.read(0, 1 << 20).records)).toEqual(
        Array.from({ length: 15 }, (_, i) => i),
      );
      expect(again.leaderEpochCache.epochEntries()).toEqual([
        { epoch: 1, startOffset: 0 },
        { epoch: 3, startOffset: 14 },
      ]);
      again.close();
    });

    test('truncateFullyAndStartAt empties the log at a new offset', () => {
      const dir = tmpLogDir();
      const log = Log.open(dir, { 'segment.bytes': 500 }, { time: new MockTime() });
      for (let i = 0; i < 10; i++) log.append(batch(2, { size: 40 }), { leaderEpoch: 0 });
      log.truncateFullyAndStartAt(1000);
      expect([log.logStartOffset, log.logEndOffset, log.numberOfSegments()]).toEqual([
        1000, 1000, 1,
      ]);
      expect(fs.readdirSync(dir).filter((n) => n.endsWith('.log'))).toEqual([
        '00000000000000001000.log',
      ]);
      expect(log.append(batch(1)).firstOffset).toBe(1000);
      expectKafkaError(() => log.read(0, 100), 'OFFSET_OUT_OF_RANGE');
      log.close();
    });
  });

  describe('retention', () => {
    test('retention.ms deletes old segments, never the active one, and moves logStartOffset', () => {
      const time = new MockTime(1_000_000);
      const log = Log.open(tmpLogDir(), { 'segment.bytes': 500, 'retention.ms': 10_000 }, { time });
      for (let i = 0; i < 10; i++) log.append(batch(2, { size: 40, ts: 1_000_000 }));
      const segs = log.numberOfSegments();
      time.tick(5_000);
      expect(log.deleteOldSegments()).toBe(0);
      time.tick(10_000);
      expect(log.deleteOldSegments()).toBe(segs - 1);
      expect(log.numberOfSegments()).toBe(1);
      expect(log.logStartOffset).toBe(log.activeSegment.baseOffset);
      expectKafkaError(() => log.read(0, 100), 'OFFSET_OUT_OF_RANGE');
      expect(offsetsIn(log.read(log.logStartOffset, 1 << 20).records)[0]).toBe(log.logStartOffset);
      log.close();
    });

    test('retention.bytes deletes the oldest segments while the rest still exceeds it; never above the HW', () => {
      const log = Log.open(
        tmpLogDir(),
        { 'segment.bytes': 500, 'retention.bytes': 1000, 'retention.ms': -1 },
        { time: new MockTime() },
      );
      for (let i = 0; i < 20; i++) log.append(batch(2, { size: 40 }));
      expect(log.deleteOldSegments(0)).toBe(0); // high watermark 0: nothing is deletable
      const n = log.deleteOldSegments();
      expect(n).toBeGreaterThan(0);
      expect(log.size()).toBeLessThanOrEqual(1000 + 500);
      expect(log.size() - log.logSegments()[0].size).toBeLessThan(1000);
      log.close();
    });

    test('compact-only logs are not deleted by time', () => {
      const time = new MockTime(1_000_000);
      const log = Log.open(
        tmpLogDir(),
        { 'segment.bytes': 500, 'retention.ms': 10, 'cleanup.policy': 'compact' },
        { time },
      );
      for (let i = 0; i < 10; i++)
        log.append(batch(2, { size: 40, ts: 1_000_000, key: (j) => `k${j}` }));
      time.tick(100_000);
      expect(log.deleteOldSegments()).toBe(0);
      log.close();
    });
  });

  describe('recovery', () => {
    test('a torn tail is cut at the last valid batch and the index rebuilt', () => {
      const dir = tmpLogDir();
      const log = Log.open(dir, { 'index.interval.bytes': 100 }, { time: new MockTime() });
      for (let i = 0; i < 10; i++) log.append(batch(2, { size: 50 }));
      const seg = log.activeSegment;
      const size = seg.size;
      log.close();
      fs.truncateSync(seg.file, size - 7);
      fs.rmSync(seg.offsetIndex.file);
      const again = Log.open(
        dir,
        { 'index.interval.bytes': 100 },
        { time: new MockTime(), recoveryPoint: 0 },
      );
      expect(again.logEndOffset).toBe(18);
      expect(offsetsIn(again.read(0, 1 << 20).records)).toEqual(
        Array.from({ length: 18 }, (_, i) => i),
      );
      expect(again.activeSegment.offsetIndex.entries).toBeGreaterThan(0);
      expect(again.append(batch(1)).firstOffset).toBe(18);
      again.close();
    });

    test('reads serve the stored bytes without a CRC check (as Kafka): the consumer detects a corrupt batch', () => {
      const dir = tmpLogDir();
      const log = Log.open(dir, {}, { time: new MockTime() });
      for (let i = 0; i < 4; i++) log.append(batch(2, { size: 50 }));
      const file = log.activeSegment.file;
      log.close();
      const bytes = fs.readFileSync(file);
      bytes[bytes.length - 5] ^= 0x40;
      fs.writeFileSync(file, bytes);
      const again = Log.open(dir, {}, { time: new MockTime(), hadCleanShutdown: true });
      expect(again.logEndOffset).toBe(8); // not scanned: clean shutdown
      const served = again.read(0, 1 << 20).records;
      expect(served).toEqual(bytes); // the file's bytes, the flipped bit included
      expect(offsetsIn(served)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      // What a consumer with check.crcs (the default) does with each batch it receives.
      const views = [...iterateBatches(served)];
      for (const v of views.slice(0, 3)) expect(validateBatch(v.bytes)).toBe(v.size);
      expectKafkaError(() => validateBatch(views[3].bytes), 'CORRUPT_MESSAGE');
      again.close();
    });

    test('after an unclean shutdown, recovery cuts the log at a corrupt batch past the recovery point', () => {
      const dir = tmpLogDir();
      const log = Log.open(dir, {}, { time: new MockTime() });
      for (let i = 0; i < 4; i++) log.append(batch(2, { size: 50 }));
      const file = log.activeSegment.file;
      log.close();
      const bytes = fs.readFileSync(file);
      const third = [...iterateBatches(bytes)][2]; // offsets 4-5
      bytes[third.position + third.size - 5] ^= 0x40; // in a record's value
      fs.writeFileSync(file, bytes);
      const again = Log.open(dir, {}, { time: new MockTime(), recoveryPoint: 0 });
      expect(again.logEndOffset).toBe(4);
      expect(offsetsIn(again.read(0, 1 << 20).records)).toEqual([0, 1, 2, 3]);
      expect(fs.statSync(file).size).toBe(third.position);
      again.close();
    });
  });
});
