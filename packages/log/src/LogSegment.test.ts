import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildRecordBatch } from '@kzoo/records';
import { LogSegment, TAIL_BATCHES, type BatchLocation } from './LogSegment';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kzoo-log-segment-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const opts = { indexIntervalBytes: 256, segmentIndexBytes: 1 << 20, now: 0 };

/** Appends batches of 1-3 records with a gap after every 5th (as a compacted leader's). */
function fill(seg: LogSegment, batches: number, written: BatchLocation[]): void {
  let offset = written.length ? written[written.length - 1].lastOffset + 1 : seg.baseOffset;
  for (let i = 0; i < batches; i++) {
    const n = 1 + (i % 3);
    const buf = buildRecordBatch({
      baseOffset: offset,
      records: Array.from({ length: n }, (_, j) => ({ value: `v${offset + j}`, timestamp: 1 })),
    });
    const loc = {
      position: seg.size,
      size: buf.length,
      baseOffset: offset,
      lastOffset: offset + n - 1,
    };
    seg.append(buf, [
      { size: buf.length, lastOffset: loc.lastOffset, maxTimestamp: 1, baseOffset: offset },
    ]);
    written.push(loc);
    offset += n + (i % 5 === 4 ? 7 : 0);
  }
}

/** translateOffset by definition: the first batch at or after `from` ending at or past `offset`. */
function expected(written: BatchLocation[], offset: number, from = 0): BatchLocation | null {
  return written.find((b) => b.lastOffset >= offset && b.position >= from) ?? null;
}

describe('LogSegment > translateOffset at the tail', () => {
  test('matches the definition for every offset, before and after the remembered tail wraps, with gaps, and from a starting position', () => {
    const seg = LogSegment.create(fs.mkdtempSync(path.join(root, 's')), 100, opts);
    const written: BatchLocation[] = [];
    for (const round of [10, 2 * TAIL_BATCHES - 10, 25, 3 * TAIL_BATCHES]) {
      fill(seg, round, written);
      const last = written[written.length - 1].lastOffset;
      for (let o = 90; o <= last + 3; o++)
        expect(seg.translateOffset(o)).toEqual(expected(written, o));
      for (const b of written.slice(-20))
        expect(seg.translateOffset(b.baseOffset, b.position)).toEqual(
          expected(written, b.baseOffset, b.position),
        );
      const mid = written[Math.floor(written.length / 2)];
      expect(seg.translateOffset(written[0].baseOffset, mid.position)).toEqual(
        expected(written, written[0].baseOffset, mid.position),
      );
    }
    seg.close();
  });

  test('a read at the tail reads nothing from the file; an older offset still scans it', () => {
    const seg = LogSegment.create(fs.mkdtempSync(path.join(root, 's')), 0, opts);
    const written: BatchLocation[] = [];
    fill(seg, 4 * TAIL_BATCHES, written);
    const tail = written[written.length - 3];
    expect(seg.translateOffset(written[1].lastOffset)).toEqual(written[1]);
    // Zero the file behind the segment's back: a scan now finds no batch at all.
    const fd = fs.openSync(seg.file, 'r+');
    fs.writeSync(fd, Buffer.alloc(seg.size), 0, seg.size, 0);
    fs.closeSync(fd);
    expect(seg.translateOffset(tail.baseOffset)).toEqual(tail);
    expect(seg.translateOffset(written[written.length - 1].lastOffset + 1)).toBeNull();
    expect(seg.translateOffset(written[1].lastOffset)).toBeNull();
    seg.close();
  });

  test('after truncateTo the remembered tail is gone: offsets cut away are not found, appends after the cut are', () => {
    const seg = LogSegment.create(fs.mkdtempSync(path.join(root, 's')), 0, opts);
    const written: BatchLocation[] = [];
    fill(seg, 30, written);
    const cut = written[20];
    seg.truncateTo(cut.baseOffset);
    written.length = 20;
    expect(seg.size).toBe(cut.position);
    expect(seg.translateOffset(cut.baseOffset)).toBeNull();
    expect(seg.translateOffset(written[19].lastOffset)).toEqual(written[19]);
    fill(seg, 12, written);
    const last = written[written.length - 1].lastOffset;
    for (let o = 0; o <= last + 1; o++)
      expect(seg.translateOffset(o)).toEqual(expected(written, o));
    seg.close();
  });

  test('an append that does not give base offsets forgets the tail rather than guess', () => {
    const seg = LogSegment.create(fs.mkdtempSync(path.join(root, 's')), 0, opts);
    const written: BatchLocation[] = [];
    fill(seg, 10, written);
    const buf = buildRecordBatch({ baseOffset: 40, records: [{ value: 'x', timestamp: 1 }] });
    seg.append(buf, [{ size: buf.length, lastOffset: 40, maxTimestamp: 1 }]);
    written.push({
      position: written[9].position + written[9].size,
      size: buf.length,
      baseOffset: 40,
      lastOffset: 40,
    });
    for (let o = 0; o <= 41; o++) expect(seg.translateOffset(o)).toEqual(expected(written, o));
    seg.close();
  });
});

describe('LogSegment > flush', () => {
  const nodeFs = jest.requireActual<typeof fs>('node:fs');

  test('a segment created empty is not fsynced until written; an emptied existing file is', async () => {
    const dir = fs.mkdtempSync(path.join(root, 'f'));
    const fsyncSync = jest.spyOn(nodeFs, 'fsyncSync');
    const fsync = jest.spyOn(nodeFs, 'fsync');
    try {
      const seg = LogSegment.create(dir, 0, opts);
      seg.flush();
      await seg.flushAsync();
      expect(fsyncSync).not.toHaveBeenCalled();
      expect(fsync).not.toHaveBeenCalled();
      fill(seg, 3, []);
      seg.flush();
      const afterWrite = fsyncSync.mock.calls.filter((c) => c[0] === seg['fd']).length;
      expect(afterWrite).toBe(1);
      seg.flush(); // nothing written since
      expect(fsyncSync.mock.calls.filter((c) => c[0] === seg['fd']).length).toBe(1);
      seg.close();

      // A file of that name already held bytes: emptying it is a change to make durable.
      fsyncSync.mockClear();
      const again = LogSegment.create(dir, 0, opts);
      expect(again.size).toBe(0);
      again.flush();
      expect(fsyncSync.mock.calls.filter((c) => c[0] === again['fd']).length).toBe(1);
      again.close();
    } finally {
      fsyncSync.mockRestore();
      fsync.mockRestore();
    }
  });
});

describe('LogSegment > translateOffset at a read cursor', () => {
  function readSyncCalls(run: () => void): number[] {
    const spy = jest.spyOn(jest.requireActual<typeof fs>('node:fs'), 'readSync');
    try {
      run();
      return spy.mock.calls.map((c) => (c as unknown[])[3] as number);
    } finally {
      spy.mockRestore();
    }
  }

  test('a reader going on from where a read ended reads one batch header, not the index and a scan', () => {
    const seg = LogSegment.create(fs.mkdtempSync(path.join(root, 's')), 0, opts);
    const written: BatchLocation[] = [];
    fill(seg, 4 * TAIL_BATCHES, written);
    const next = written.find((b, i) => i > 0 && b.baseOffset === written[i - 1].lastOffset + 1)!;
    let got: BatchLocation | null = null;
    const before = readSyncCalls(() => (got = seg.translateOffset(next.baseOffset)));
    expect(got).toEqual(next);
    expect(before.length).toBeGreaterThanOrEqual(1);
    expect(before.some((len) => len > 27)).toBe(true); // the scan reads chunks
    seg.rememberReadEnd(next.baseOffset, next.position);
    const after = readSyncCalls(() => (got = seg.translateOffset(next.baseOffset)));
    expect(got).toEqual(next);
    expect(after).toEqual([27]);
    seg.close();
  });

  test('a cursor whose read held the next batch header finds the batch with no read of the file', () => {
    const seg = LogSegment.create(fs.mkdtempSync(path.join(root, 's')), 0, opts);
    const written: BatchLocation[] = [];
    fill(seg, 4 * TAIL_BATCHES, written);
    const next = written.find((b, i) => i > 0 && b.baseOffset === written[i - 1].lastOffset + 1)!;
    const prev = written[written.indexOf(next) - 1];
    // A read of the batch before and the first 30 bytes of `next` (a fetch ending mid-batch).
    const read = seg.readRange(prev.position, prev.size + 30);
    seg.rememberReadEnd(next.baseOffset, next.position, read, prev.size);
    let got: BatchLocation | null = null;
    expect(readSyncCalls(() => (got = seg.translateOffset(next.baseOffset)))).toEqual([]);
    expect(got).toEqual(next);
    // Fewer bytes than a header: the cursor checks the file's header, as without bytes.
    const other = written[written.indexOf(next) + 3];
    const before = written[written.indexOf(other) - 1];
    if (other.baseOffset === before.lastOffset + 1) {
      const short = seg.readRange(before.position, before.size + 10);
      seg.rememberReadEnd(other.baseOffset, other.position, short, before.size);
      expect(readSyncCalls(() => (got = seg.translateOffset(other.baseOffset)))).toEqual([27]);
      expect(got).toEqual(other);
    }
    seg.close();
  });

  test('a header in the bytes read that names another offset (a gap) is not kept', () => {
    const seg = LogSegment.create(fs.mkdtempSync(path.join(root, 's')), 0, opts);
    const written: BatchLocation[] = [];
    fill(seg, 4 * TAIL_BATCHES, written);
    // fill() leaves a gap of 7 offsets after every 5th batch.
    const beforeGap = written[4];
    const afterGap = written[5];
    const read = seg.readRange(beforeGap.position, beforeGap.size + afterGap.size);
    seg.rememberReadEnd(beforeGap.lastOffset + 1, afterGap.position, read, beforeGap.size);
    expect(seg.translateOffset(beforeGap.lastOffset + 1)).toEqual(
      expected(written, beforeGap.lastOffset + 1),
    );
    // Bytes that are not a header at all (a position off by one): not kept either.
    const next = written[7];
    const bad = seg.readRange(written[6].position, written[6].size + next.size);
    seg.rememberReadEnd(next.baseOffset, next.position, bad, written[6].size + 1);
    let got: BatchLocation | null = null;
    expect(readSyncCalls(() => (got = seg.translateOffset(next.baseOffset)))).toEqual([27]);
    expect(got).toEqual(next);
    seg.close();
  });

  test('a cursor that does not match the header at its position (a gap, a wrong position) falls back to the scan', () => {
    const seg = LogSegment.create(fs.mkdtempSync(path.join(root, 's')), 0, opts);
    const written: BatchLocation[] = [];
    fill(seg, 4 * TAIL_BATCHES, written);
    // fill() leaves a gap of 7 offsets after every 5th batch: the read ends before a gap.
    const beforeGap = written[4];
    const afterGap = written[5];
    seg.rememberReadEnd(beforeGap.lastOffset + 1, afterGap.position);
    expect(seg.translateOffset(beforeGap.lastOffset + 1)).toEqual(
      expected(written, beforeGap.lastOffset + 1),
    );
    seg.rememberReadEnd(written[10].baseOffset, written[12].position);
    expect(seg.translateOffset(written[10].baseOffset)).toEqual(written[10]);
    seg.close();
  });

  test('truncateTo forgets the cursors: batches appended after the cut sit at other positions', () => {
    const seg = LogSegment.create(fs.mkdtempSync(path.join(root, 's')), 0, opts);
    const written: BatchLocation[] = [];
    fill(seg, 4 * TAIL_BATCHES, written);
    for (const b of written.slice(20, 30)) seg.rememberReadEnd(b.baseOffset, b.position);
    seg.truncateTo(written[15].baseOffset);
    written.length = 15;
    // Bigger batches from the cut on: every old cursor position now falls elsewhere.
    let offset = written[14].lastOffset + 1;
    for (let i = 0; i < 4 * TAIL_BATCHES; i++) {
      const buf = buildRecordBatch({
        baseOffset: offset,
        records: [{ value: Buffer.alloc(50 + i, 1), timestamp: 1 }],
      });
      written.push({
        position: seg.size,
        size: buf.length,
        baseOffset: offset,
        lastOffset: offset,
      });
      seg.append(buf, [
        { size: buf.length, lastOffset: offset, maxTimestamp: 1, baseOffset: offset },
      ]);
      offset++;
    }
    const last = written[written.length - 1].lastOffset;
    for (let o = 0; o <= last + 1; o++)
      expect(seg.translateOffset(o)).toEqual(expected(written, o));
    seg.close();
  });
});
