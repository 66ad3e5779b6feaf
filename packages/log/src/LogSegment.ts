/**
 * One segment of a partition log: `<20-digit base offset>.log` holding whole batches as
 * they were appended, plus its sparse `.index` and `.timeindex` (Kafka's LogSegment).
 * All I/O is synchronous: page-cache reads and writes are fastest that way in Node.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  LAST_OFFSET_DELTA_OFFSET,
  LENGTH_OFFSET,
  LOG_OVERHEAD,
  MAX_TIMESTAMP_OFFSET,
  PARTITION_LEADER_EPOCH_OFFSET,
  RECORD_BATCH_OVERHEAD,
  validateBatch,
} from '@kzoo/records';
import { OffsetIndex, TimeIndex } from './indexes';
import { TransactionIndex, TXN_INDEX_SUFFIX } from './TransactionIndex';
import { getInt32, getUint32 } from '@kzoo/common';

export const LOG_SUFFIX = '.log';
export const INDEX_SUFFIX = '.index';
export const TIME_INDEX_SUFFIX = '.timeindex';
export const CLEANED_SUFFIX = '.cleaned';
export const SWAP_SUFFIX = '.swap';
export const DELETED_SUFFIX = '.deleted';

/** `00000000000000000042` */
export function filenamePrefixFromOffset(offset: number): string {
  return String(offset).padStart(20, '0');
}

export function segmentFile(dir: string, baseOffset: number, suffix: string): string {
  return path.join(dir, filenamePrefixFromOffset(baseOffset) + suffix);
}

/** What the segment needs to know about each appended batch. */
export interface AppendedBatch {
  size: number;
  lastOffset: number;
  maxTimestamp: number;
  /** When given, the batch's location is remembered for reads at the tail (see `tail`). */
  baseOffset?: number;
}

/** A batch located in a segment file. */
export interface BatchLocation {
  position: number;
  size: number;
  baseOffset: number;
  lastOffset: number;
}

const HEADER_PEEK = 27; // through lastOffsetDelta

/** An int64 field read without trusting it: NaN when outside the safe range. */
function readOffsetField(buf: Buffer, pos: number): number {
  const hi = getInt32(buf, pos);
  if (hi > 0x1fffff || hi < -0x200000) return NaN;
  return hi * 0x100000000 + getUint32(buf, pos + 4);
}

/**
 * The batch whose header (HEADER_PEEK bytes) is at `at` in `buf`, for a file of `fileSize`
 * bytes where it sits at `position`; null when the header cannot be one (NaN offset, a size
 * below a batch's overhead or past the end of the file).
 */
function headerAt(
  buf: Buffer,
  at: number,
  position: number,
  fileSize: number,
): BatchLocation | null {
  const baseOffset = readOffsetField(buf, at);
  const size = getInt32(buf, at + LENGTH_OFFSET) + LOG_OVERHEAD;
  if (Number.isNaN(baseOffset) || size < RECORD_BATCH_OVERHEAD || position + size > fileSize)
    return null;
  return {
    position,
    size,
    baseOffset,
    lastOffset: baseOffset + getInt32(buf, at + LAST_OFFSET_DELTA_OFFSET),
  };
}
const scratch = Buffer.allocUnsafe(64 * 1024);
const READ_CURSORS = 8;
const CURSOR_FIELDS = 4; // base offset, position, size, last offset

/**
 * Batches whose locations a segment remembers at its tail (at most twice this many: 1 KiB per
 * segment appended to, so 10,000 partitions hold 10 MiB). Followers and consumers keeping up
 * read within the last few batches.
 */
export const TAIL_BATCHES = 16;
/** Fields of one remembered batch in `LogSegment.tail`: position, size, baseOffset, lastOffset. */
const TAIL_FIELDS = 4;

export interface SegmentOptions {
  indexIntervalBytes: number;
  segmentIndexBytes: number;
  now: number;
}

export class LogSegment {
  readonly file: string;
  private fd: number;
  size: number;
  readonly offsetIndex: OffsetIndex;
  readonly timeIndex: TimeIndex;
  /** Aborted transactions whose abort marker is in this segment (`.txnindex`). */
  readonly txnIndex: TransactionIndex;
  maxTimestampSoFar = -1;
  offsetOfMaxTimestampSoFar: number;
  /** Offset after the last batch in the file (baseOffset when empty). */
  nextOffset: number;
  /** maxTimestamp of the first batch: segment.ms counts from it (Kafka's rollingBasedTimestamp). */
  rollingBasedTimestamp = -1;
  readonly created: number;
  deleted = false;
  private bytesSinceLastIndexEntry = 0;
  indexIntervalBytes: number;
  /** Bytes written or cut since the last fsync of the .log (or never fsynced); generation of changes. */
  private unflushed = true;
  private generation = 0;
  /**
   * Where the last batches appended are (TAIL_FIELDS numbers each, oldest first, the last
   * one ending at `size`), so that a read at the tail — a follower's fetch, a consumer
   * keeping up — finds its batch without reading batch headers back from the file (a
   * readSync per fetch). Allocated on the first append; emptied whenever the file changes
   * other than by an append.
   */
  private tail: Float64Array | null = null;
  private tailCount = 0;
  /**
   * Where recent reads ended (READ_CURSORS of CURSOR_FIELDS numbers: the base offset and
   * position of the batch after the last one read, and that batch's size and last offset
   * when the read held its header, else -1), so that a reader going on from there — a
   * consumer or a follower catching up, one fetch after the other — finds its batch without
   * an index lookup and a scan of the headers before it: with no read of the file at all
   * when the header came with the read (a fetch's bytes usually end inside the next batch),
   * else with one header read, checked against the cursor. Cleared whenever the file
   * changes other than by an append, so a header remembered stays the file's.
   */
  private readonly readCursors = new Float64Array(READ_CURSORS * CURSOR_FIELDS).fill(-1);
  private nextCursor = 0;

  private constructor(
    readonly dir: string,
    readonly baseOffset: number,
    opts: SegmentOptions,
    fd: number,
  ) {
    this.file = segmentFile(dir, baseOffset, LOG_SUFFIX);
    this.fd = fd;
    this.size = fs.fstatSync(fd).size;
    this.offsetIndex = new OffsetIndex(
      segmentFile(dir, baseOffset, INDEX_SUFFIX),
      baseOffset,
      opts.segmentIndexBytes,
    );
    this.timeIndex = new TimeIndex(
      segmentFile(dir, baseOffset, TIME_INDEX_SUFFIX),
      baseOffset,
      opts.segmentIndexBytes,
    );
    this.txnIndex = new TransactionIndex(segmentFile(dir, baseOffset, TXN_INDEX_SUFFIX));
    this.offsetOfMaxTimestampSoFar = baseOffset;
    this.nextOffset = baseOffset;
    this.created = opts.now;
    this.indexIntervalBytes = opts.indexIntervalBytes;
  }

  /**
   * A new, empty segment (an existing file of that name is emptied). A file that did not
   * exist starts flushed: it holds no byte, so a flush or close has nothing to make durable
   * until it is written (an fsync costs ~0.2 ms of device flush even for an empty file: a
   * 10,000-partition broker's first close spent 2 s of the libuv pool on them). Were the
   * empty file itself lost in a crash, the log reopens at its checkpointed start offset.
   */
  static create(dir: string, baseOffset: number, opts: SegmentOptions): LogSegment {
    const file = segmentFile(dir, baseOffset, LOG_SUFFIX);
    let fd: number;
    let emptied = false;
    try {
      fd = fs.openSync(file, 'wx+');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      fd = fs.openSync(file, 'w+');
      emptied = true;
    }
    const seg = new LogSegment(dir, baseOffset, opts, fd);
    if (!emptied) seg.unflushed = false;
    seg.offsetIndex.deleteFile();
    seg.timeIndex.deleteFile();
    seg.txnIndex.deleteFile();
    return seg;
  }

  /**
   * Opens an existing segment. Returns `needsRecovery` when an index file is missing or
   * fails its sanity check (the caller then runs `recover`).
   */
  static open(
    dir: string,
    baseOffset: number,
    opts: SegmentOptions,
  ): { segment: LogSegment; needsRecovery: boolean } {
    const fd = fs.openSync(segmentFile(dir, baseOffset, LOG_SUFFIX), 'r+');
    const seg = new LogSegment(dir, baseOffset, opts, fd);
    seg.txnIndex.load();
    // an empty .log needs no index file (its close creates none)
    const empty = seg.size === 0;
    const ok = seg.offsetIndex.load(empty) && seg.timeIndex.load(empty);
    if (!ok || (seg.size > 0 && !seg.loadTail())) return { segment: seg, needsRecovery: true };
    return { segment: seg, needsRecovery: false };
  }

  /** For a segment whose indexes loaded: next offset, max timestamp, first batch time. */
  private loadTail(): boolean {
    const startPos = this.offsetIndex.lookup(Number.MAX_SAFE_INTEGER).position;
    if (startPos > this.size) return false;
    let last: BatchLocation | null = null;
    for (const b of this.scanFrom(startPos)) last = b;
    if (!last || last.position + last.size !== this.size) return false;
    this.nextOffset = last.lastOffset + 1;
    const t = this.timeIndex.lastEntry();
    this.maxTimestampSoFar = t.timestamp;
    this.offsetOfMaxTimestampSoFar = t.offset;
    const first = this.readRange(0, RECORD_BATCH_OVERHEAD);
    if (first.length < RECORD_BATCH_OVERHEAD) return false;
    const firstMaxTs = readOffsetField(first, MAX_TIMESTAMP_OFFSET);
    if (Number.isNaN(firstMaxTs)) return false;
    this.rollingBasedTimestamp = firstMaxTs;
    return true;
  }

  /**
   * Appends whole batches (already validated, offsets assigned) with one write call and
   * indexes them: an index entry whenever more than `index.interval.bytes` were
   * written since the last entry (Kafka's rule).
   */
  append(data: Buffer | Buffer[], batches: readonly AppendedBatch[]): void {
    let position = this.size;
    if (Array.isArray(data)) {
      let total = 0;
      for (const d of data) total += d.length;
      const n =
        data.length === 1
          ? fs.writeSync(this.fd, data[0], 0, total, position)
          : fs.writevSync(this.fd, data, position);
      if (n !== total) throw new Error(`short write to ${this.file}: ${n} of ${total}`);
    } else {
      const n = fs.writeSync(this.fd, data, 0, data.length, position);
      if (n !== data.length) throw new Error(`short write to ${this.file}: ${n} of ${data.length}`);
    }
    this.unflushed = true;
    this.generation++;
    for (const b of batches) {
      this.indexBatch(position, b.size, b.lastOffset, b.maxTimestamp);
      if (b.baseOffset === undefined) this.tailCount = 0;
      else this.rememberTail(position, b.size, b.baseOffset, b.lastOffset);
      position += b.size;
    }
    this.size = position;
  }

  private rememberTail(position: number, size: number, baseOffset: number, lastOffset: number) {
    let t = this.tail;
    if (!t) t = this.tail = new Float64Array(2 * TAIL_BATCHES * TAIL_FIELDS);
    if (this.tailCount === 2 * TAIL_BATCHES) {
      // Keep the newest half: amortised O(1) per batch.
      t.copyWithin(0, TAIL_BATCHES * TAIL_FIELDS);
      this.tailCount = TAIL_BATCHES;
    }
    const i = this.tailCount++ * TAIL_FIELDS;
    t[i] = position;
    t[i + 1] = size;
    t[i + 2] = baseOffset;
    t[i + 3] = lastOffset;
  }

  /** translateOffset from the remembered tail; undefined when the tail does not cover it. */
  private translateAtTail(
    offset: number,
    startingPosition: number,
  ): BatchLocation | null | undefined {
    const t = this.tail;
    const n = this.tailCount;
    // Every batch before the first remembered one ends below its base offset.
    if (!t || n === 0 || offset < t[2] || startingPosition > t[0]) return undefined;
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (t[mid * TAIL_FIELDS + 3] >= offset) hi = mid;
      else lo = mid + 1;
    }
    if (lo === n) return null;
    const i = lo * TAIL_FIELDS;
    return { position: t[i], size: t[i + 1], baseOffset: t[i + 2], lastOffset: t[i + 3] };
  }

  private indexBatch(
    position: number,
    size: number,
    lastOffset: number,
    maxTimestamp: number,
  ): void {
    if (this.rollingBasedTimestamp < 0 && position === 0) this.rollingBasedTimestamp = maxTimestamp;
    if (maxTimestamp > this.maxTimestampSoFar) {
      this.maxTimestampSoFar = maxTimestamp;
      this.offsetOfMaxTimestampSoFar = lastOffset;
    }
    if (this.bytesSinceLastIndexEntry > this.indexIntervalBytes) {
      this.offsetIndex.append(lastOffset, position);
      this.timeIndex.maybeAppend(this.maxTimestampSoFar, this.offsetOfMaxTimestampSoFar);
      this.bytesSinceLastIndexEntry = 0;
    }
    this.bytesSinceLastIndexEntry += size;
    this.nextOffset = lastOffset + 1;
  }

  /** Batches from `position` to the end of the file (headers only). */
  *scanFrom(position: number): Generator<BatchLocation> {
    let chunkStart = -1;
    let chunkLen = 0;
    let pos = position;
    // Start small (the target is usually within index.interval.bytes of the index entry), grow.
    let want = 8192;
    while (pos + LOG_OVERHEAD <= this.size) {
      if (chunkStart < 0 || pos + HEADER_PEEK > chunkStart + chunkLen) {
        chunkLen = fs.readSync(this.fd, scratch, 0, Math.min(want, this.size - pos), pos);
        want = scratch.length;
        chunkStart = pos;
        if (chunkLen < HEADER_PEEK) return;
      }
      const batch = headerAt(scratch, pos - chunkStart, pos, this.size);
      if (!batch) return;
      yield batch;
      pos += batch.size;
    }
  }

  /** The first batch whose last offset is >= `offset`, or null (Kafka's translateOffset). */
  translateOffset(offset: number, startingPosition = 0): BatchLocation | null {
    const atTail = this.translateAtTail(offset, startingPosition);
    if (atTail !== undefined) return atTail;
    const atCursor = this.translateAtCursor(offset, startingPosition);
    if (atCursor) return atCursor;
    const start = Math.max(this.offsetIndex.lookup(offset).position, startingPosition);
    for (const b of this.scanFrom(start)) if (b.lastOffset >= offset) return b;
    return null;
  }

  /**
   * A reader read up to `position`, where the batch starting at `offset` begins: the next
   * read from `offset` starts there (see readCursors). `read`, the bytes read, may hold that
   * batch's header at `readAt` (the bytes of `position`); it is kept when it is whole and
   * names `offset`. Ignored outside the file.
   */
  rememberReadEnd(offset: number, position: number, read?: Buffer, readAt = 0): void {
    if (position <= 0 || position >= this.size) return;
    const c = this.readCursors;
    for (let i = 0; i < c.length; i += CURSOR_FIELDS) if (c[i] === offset) return;
    const i = this.nextCursor * CURSOR_FIELDS;
    c[i] = offset;
    c[i + 1] = position;
    c[i + 2] = -1;
    c[i + 3] = -1;
    if (read && readAt >= 0 && readAt + HEADER_PEEK <= read.length) {
      const loc = headerAt(read, readAt, position, this.size);
      if (loc && loc.baseOffset === offset) {
        c[i + 2] = loc.size;
        c[i + 3] = loc.lastOffset;
      }
    }
    this.nextCursor = (this.nextCursor + 1) % READ_CURSORS;
  }

  /** translateOffset from a read cursor whose header still says so; null otherwise. */
  private translateAtCursor(offset: number, startingPosition: number): BatchLocation | null {
    const c = this.readCursors;
    for (let i = 0; i < c.length; i += CURSOR_FIELDS) {
      if (c[i] !== offset) continue;
      const position = c[i + 1];
      if (position < startingPosition || position + HEADER_PEEK > this.size) return null;
      const size = c[i + 2];
      if (size > 0)
        return position + size > this.size
          ? null
          : { position, size, baseOffset: offset, lastOffset: c[i + 3] };
      const n = fs.readSync(this.fd, scratch, 0, HEADER_PEEK, position);
      if (n < HEADER_PEEK) return null;
      const loc = headerAt(scratch, 0, position, this.size);
      return loc && loc.baseOffset === offset ? loc : null;
    }
    return null;
  }

  /** Reads `length` bytes at `position` into a new Buffer. */
  readRange(position: number, length: number): Buffer {
    const n = Math.max(0, Math.min(length, this.size - position));
    const out = Buffer.allocUnsafe(n);
    let done = 0;
    while (done < n) {
      const r = fs.readSync(this.fd, out, done, n - done, position + done);
      if (r === 0) break;
      done += r;
    }
    return done === n ? out : out.subarray(0, done);
  }

  /**
   * Validates every batch (size, magic, CRC, offsets increasing), rebuilds both indexes
   * and cuts the file at the first invalid byte. Returns the bytes cut.
   * `onBatch` sees each valid batch's base offset and leader epoch.
   */
  recover(
    maxBatchSize: number,
    opts: {
      onBatch?: (baseOffset: number, leaderEpoch: number) => void;
      /** Offsets must follow on without gaps (logs that were never compacted). */
      contiguous?: boolean;
      /** Base offset of the next segment: offsets here must stay below it. */
      nextSegmentBase?: number;
    } = {},
  ): number {
    const limit = opts.nextSegmentBase ?? Number.MAX_SAFE_INTEGER;
    this.tailCount = 0;
    this.readCursors.fill(-1);
    this.offsetIndex.reset();
    this.timeIndex.reset();
    this.maxTimestampSoFar = -1;
    this.offsetOfMaxTimestampSoFar = this.baseOffset;
    this.rollingBasedTimestamp = -1;
    this.bytesSinceLastIndexEntry = 0;
    this.nextOffset = this.baseOffset;
    const fileSize = this.size;
    let validBytes = 0;
    let chunk: Buffer = Buffer.allocUnsafe(0);
    let chunkStart = 0;
    let prevLast = this.baseOffset - 1;
    while (validBytes + LOG_OVERHEAD <= fileSize) {
      let rel = validBytes - chunkStart;
      if (rel + LOG_OVERHEAD > chunk.length) {
        chunk = this.readRange(validBytes, Math.min(1 << 20, fileSize - validBytes));
        chunkStart = validBytes;
        rel = 0;
      }
      const size = getInt32(chunk, rel + LENGTH_OFFSET) + LOG_OVERHEAD;
      if (
        size < RECORD_BATCH_OVERHEAD ||
        size > maxBatchSize + LOG_OVERHEAD ||
        validBytes + size > fileSize
      )
        break;
      if (rel + size > chunk.length) {
        chunk = this.readRange(
          validBytes,
          Math.max(size, Math.min(1 << 20, fileSize - validBytes)),
        );
        chunkStart = validBytes;
        rel = 0;
      }
      try {
        validateBatch(chunk.subarray(rel, rel + size), 0);
      } catch {
        break;
      }
      const baseOffset = readOffsetField(chunk, rel);
      if (Number.isNaN(baseOffset)) break;
      const lastOffset = baseOffset + getInt32(chunk, rel + LAST_OFFSET_DELTA_OFFSET);
      if (baseOffset <= prevLast || lastOffset < baseOffset || lastOffset >= limit) break;
      if (opts.contiguous && baseOffset !== prevLast + 1) break;
      const maxTs = readOffsetField(chunk, rel + MAX_TIMESTAMP_OFFSET);
      if (Number.isNaN(maxTs)) break;
      this.indexBatch(validBytes, size, lastOffset, maxTs);
      opts.onBatch?.(baseOffset, getInt32(chunk, rel + PARTITION_LEADER_EPOCH_OFFSET));
      prevLast = lastOffset;
      validBytes += size;
    }
    const cut = fileSize - validBytes;
    if (cut > 0) this.truncateFile(validBytes);
    return cut;
  }

  private truncateFile(position: number): void {
    this.tailCount = 0;
    this.readCursors.fill(-1);
    fs.ftruncateSync(this.fd, position);
    this.size = position;
    this.unflushed = true;
    this.generation++;
  }

  /**
   * Removes every batch whose last offset is >= `offset` (Kafka's LogSegment.truncateTo).
   * Returns the bytes removed and the base offset of the first removed batch.
   */
  truncateTo(offset: number): { bytes: number; firstRemovedBase: number | null } {
    const loc = this.translateOffset(offset);
    if (!loc) return { bytes: 0, firstRemovedBase: null };
    const removed = this.size - loc.position;
    this.truncateFile(loc.position);
    this.offsetIndex.truncateTo(offset);
    this.offsetIndex.truncateToPosition(loc.position);
    this.timeIndex.truncateTo(offset);
    const t = this.timeIndex.lastEntry();
    this.maxTimestampSoFar = t.timestamp;
    this.offsetOfMaxTimestampSoFar = t.offset;
    this.bytesSinceLastIndexEntry = 0;
    this.nextOffset = this.baseOffset;
    if (loc.position === 0) this.rollingBasedTimestamp = -1;
    const from = this.offsetIndex.lookup(offset).position;
    for (const b of this.scanFrom(from)) {
      this.nextOffset = b.lastOffset + 1;
      this.maxTimestampSoFar = Math.max(
        this.maxTimestampSoFar,
        readOffsetField(this.readRange(b.position + MAX_TIMESTAMP_OFFSET, 8), 0) || -1,
      );
    }
    return { bytes: removed, firstRemovedBase: loc.baseOffset };
  }

  /** Largest record timestamp, or the file's mtime when there is none (as Kafka). */
  largestTimestamp(): number {
    if (this.maxTimestampSoFar >= 0) return this.maxTimestampSoFar;
    return Math.floor(fs.statSync(this.file).mtimeMs);
  }

  /** Kafka's shouldRoll (size, time, index full, relative offset overflow). */
  shouldRoll(o: {
    segmentBytes: number;
    rollMs: number;
    incomingBytes: number;
    maxTimestampInIncoming: number;
    lastOffsetInIncoming: number;
    now: number;
  }): boolean {
    if (this.size > 0 && this.size > o.segmentBytes - o.incomingBytes) return true;
    if (this.size > 0) {
      const waited =
        this.rollingBasedTimestamp >= 0
          ? o.maxTimestampInIncoming - this.rollingBasedTimestamp
          : o.now - this.created;
      if (waited > o.rollMs) return true;
    }
    if (this.offsetIndex.isFull() || this.timeIndex.isFull()) return true;
    return o.lastOffsetInIncoming - this.baseOffset > 0x7fffffff;
  }

  /**
   * fsync the log, both indexes and the txn index, each only when changed since its last
   * fsync (as Kafka, which flushes only dirty segments: closing idle partitions costs no
   * fsync).
   */
  flush(): void {
    if (this.unflushed) {
      const generation = this.generation;
      fs.fsyncSync(this.fd);
      if (generation === this.generation) this.unflushed = false;
    }
    const createIndexes = this.size > 0; // see flushAsync
    this.offsetIndex.flush(true, createIndexes);
    this.timeIndex.flush(true, createIndexes);
    this.txnIndex.flush();
  }

  /** flush() with the fsyncs on the libuv pool (LogManager.close flushes many logs at once). */
  async flushAsync(): Promise<void> {
    const fd = this.fd;
    const log = async () => {
      if (!this.unflushed || fd < 0) return;
      const generation = this.generation;
      await new Promise<void>((resolve, reject) =>
        fs.fsync(fd, (e) => (e ? reject(e) : resolve())),
      );
      if (generation === this.generation) this.unflushed = false;
    };
    // an empty .log needs no index files (open takes missing ones as empty): a
    // 10,000-partition broker's first close created 20,000 of them, ~2 s of the libuv pool
    const createIndexes = this.size > 0;
    await Promise.all([
      log(),
      this.offsetIndex.flushAsync(createIndexes),
      this.timeIndex.flushAsync(createIndexes),
      this.txnIndex.flushAsync(),
    ]);
  }

  /** The files are durable as they are (opened after a clean shutdown). */
  markFlushed(): void {
    this.unflushed = false;
    this.offsetIndex.markSynced();
    this.timeIndex.markSynced();
  }

  /** Writes pending index entries (no fsync). */
  flushIndexes(): void {
    this.offsetIndex.flush(false);
    this.timeIndex.flush(false);
  }

  /** The segment stops being active: final time-index entry, then flush. */
  onBecomeInactive(): void {
    if (this.maxTimestampSoFar >= 0)
      this.timeIndex.maybeAppend(this.maxTimestampSoFar, this.offsetOfMaxTimestampSoFar);
    this.flush();
  }

  close(): void {
    if (this.fd < 0) return;
    if (this.maxTimestampSoFar >= 0)
      this.timeIndex.maybeAppend(this.maxTimestampSoFar, this.offsetOfMaxTimestampSoFar);
    this.flushIndexes();
    fs.closeSync(this.fd);
    this.fd = -1;
  }

  /** Closes and removes the files (renamed `.deleted` first, as Kafka does). */
  deleteFiles(): void {
    if (this.fd >= 0) {
      fs.closeSync(this.fd);
      this.fd = -1;
    }
    this.deleted = true;
    for (const f of [this.file, this.offsetIndex.file, this.timeIndex.file, this.txnIndex.file]) {
      try {
        fs.renameSync(f, f + DELETED_SUFFIX);
        fs.rmSync(f + DELETED_SUFFIX, { force: true });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
    }
  }
}
