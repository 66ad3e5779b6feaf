/**
 * Sparse segment indexes, in Kafka's file formats:
 *   OffsetIndex (.index)     8-byte entries: relativeOffset i32, position i32
 *   TimeIndex   (.timeindex) 12-byte entries: timestamp i64, relativeOffset i32
 * Entries live in memory (Kafka mmaps them); new entries reach the file on flush,
 * roll and close, so the append path makes no index syscalls. Files that fail the
 * sanity check on load are rebuilt from the .log.
 */
import * as fs from 'node:fs';
import { getInt32, getUint32, setInt32, setUint32 } from '@kzoo/common';

abstract class AbstractIndex {
  protected buf: Buffer;
  protected count = 0;
  /** Entries already in the file. */
  protected persisted = 0;
  protected fileEntries = 0;
  /** Changed since the last fsync (or never fsynced); bumped generation on every change. */
  private unsynced = true;
  private generation = 0;

  constructor(
    readonly file: string,
    readonly baseOffset: number,
    readonly maxEntries: number,
    protected readonly entrySize: number,
  ) {
    this.buf = Buffer.alloc(entrySize * 64);
  }

  get entries(): number {
    return this.count;
  }

  isFull(): boolean {
    return this.count >= this.maxEntries;
  }

  protected ensureCapacity(): void {
    if ((this.count + 1) * this.entrySize > this.buf.length) {
      const bigger = Buffer.alloc(this.buf.length * 2);
      this.buf.copy(bigger, 0, 0, this.count * this.entrySize);
      this.buf = bigger;
    }
  }

  /**
   * Loads entries from the file; false when it fails the sanity check or is missing (a
   * missing file counts as an empty index with `missingIsEmpty`: the segment of an empty
   * .log, whose close creates no index file).
   */
  load(missingIsEmpty = false): boolean {
    let data: Buffer;
    try {
      data = fs.readFileSync(this.file);
    } catch (e) {
      if (missingIsEmpty && (e as NodeJS.ErrnoException).code === 'ENOENT') {
        this.unsynced = false; // nothing in memory, nothing on disk
        return true;
      }
      return false;
    }
    this.fileEntries = -1; // unknown until the content checks out: flush() trims the file
    if (data.length % this.entrySize !== 0) return false;
    const n = data.length / this.entrySize;
    if (n > this.maxEntries) return false;
    this.buf = Buffer.alloc(Math.max(this.entrySize * 64, data.length * 2));
    data.copy(this.buf);
    this.count = n;
    if (!this.sane()) {
      this.reset();
      return false;
    }
    this.persisted = n;
    this.fileEntries = n;
    return true;
  }

  protected abstract sane(): boolean;

  reset(): void {
    this.count = 0;
    this.persisted = 0;
    this.changed();
  }

  protected truncateEntries(n: number): void {
    if (n !== this.count) this.changed();
    this.count = n;
    if (this.persisted > n) this.persisted = n;
  }

  /**
   * No entries, in memory or in the file: an fsync would make durable only the empty file,
   * whose directory entry no fsync covers anyway; a missing index makes its segment be
   * recovered (rebuilt) on open, unless the segment's .log is empty (then no file is made). New segments of small partitions stay in this state
   * until index.interval.bytes were written.
   */
  private neverHeldEntries(): boolean {
    return this.count === 0 && this.persisted === 0 && this.fileEntries === 0;
  }

  protected changed(): void {
    this.unsynced = true;
    this.generation++;
  }

  /** The file is known durable as it is (opened after a clean shutdown). */
  markSynced(): void {
    if (this.persisted === this.count && this.fileEntries === this.count) this.unsynced = false;
  }

  /**
   * Writes entries not yet in the file (and trims the file after truncation); with `sync`,
   * fsyncs it too unless nothing changed since the last fsync (Kafka flushes only what is
   * dirty: an idle partition's close costs no fsync).
   */
  flush(sync: boolean, createEmpty = true): void {
    if (!createEmpty && this.neverHeldEntries()) {
      if (sync) this.unsynced = false; // as flushAsync(false)
      return;
    }
    const written = this.persisted === this.count && this.fileEntries === this.count;
    if (written && (!sync || !this.unsynced)) return;
    const generation = this.generation;
    const fd = fs.openSync(this.file, fs.existsSync(this.file) ? 'r+' : 'w+');
    try {
      if (this.fileEntries !== this.persisted)
        fs.ftruncateSync(fd, this.persisted * this.entrySize);
      if (this.count > this.persisted) {
        fs.writeSync(
          fd,
          this.buf,
          this.persisted * this.entrySize,
          (this.count - this.persisted) * this.entrySize,
          this.persisted * this.entrySize,
        );
      }
      if (sync && !this.neverHeldEntries()) fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    this.persisted = this.count;
    this.fileEntries = this.count;
    if (sync && generation === this.generation) this.unsynced = false;
  }

  /**
   * flush(true) with the fsync on the libuv pool, so that many indexes are fsynced at
   * once (LogManager.close). Entries appended meanwhile stay unsynced.
   */
  async flushAsync(createEmpty = true): Promise<void> {
    if (!this.unsynced) return;
    if (this.neverHeldEntries() && !createEmpty) {
      // the segment's .log is empty too: no file needed (LogSegment.open takes a missing
      // index of an empty .log as empty)
      this.unsynced = false;
      return;
    }
    if (this.neverHeldEntries()) {
      // creates the empty file, on the pool too (20,000 of them at a 10,000-partition
      // broker's close); no fsync (see neverHeldEntries)
      const generation = this.generation;
      await new Promise<void>((resolve, reject) =>
        fs.open(this.file, 'a', (e, fd) =>
          e ? reject(e) : fs.close(fd, (e2) => (e2 ? reject(e2) : resolve())),
        ),
      );
      if (generation === this.generation) this.unsynced = false;
      return;
    }
    this.flush(false);
    const generation = this.generation;
    const fh = await fs.promises.open(this.file, 'a'); // 'a': creates an index never written
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    if (generation === this.generation) this.unsynced = false;
  }

  deleteFile(): void {
    fs.rmSync(this.file, { force: true });
    this.fileEntries = 0;
    this.persisted = 0;
    this.changed();
  }
}

export interface OffsetPosition {
  offset: number;
  position: number;
}

export class OffsetIndex extends AbstractIndex {
  constructor(file: string, baseOffset: number, maxIndexSize: number) {
    super(file, baseOffset, Math.floor(maxIndexSize / 8), 8);
  }

  protected sane(): boolean {
    let prevOff = -1;
    let prevPos = -1;
    for (let i = 0; i < this.count; i++) {
      const o = getInt32(this.buf, i * 8);
      const p = getInt32(this.buf, i * 8 + 4);
      if (o <= prevOff || p <= prevPos || o < 0) return false;
      prevOff = o;
      prevPos = p;
    }
    return true;
  }

  lastOffset(): number {
    return this.count
      ? this.baseOffset + getInt32(this.buf, (this.count - 1) * 8)
      : this.baseOffset;
  }

  append(offset: number, position: number): void {
    if (this.count > 0 && offset <= this.lastOffset()) return;
    this.ensureCapacity();
    setInt32(this.buf, this.count * 8, offset - this.baseOffset);
    setInt32(this.buf, this.count * 8 + 4, position);
    this.count++;
    this.changed();
  }

  /** The largest entry with offset <= target, or (baseOffset, 0). */
  lookup(target: number): OffsetPosition {
    const rel = target - this.baseOffset;
    let lo = 0;
    let hi = this.count - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (getInt32(this.buf, mid * 8) <= rel) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found < 0) return { offset: this.baseOffset, position: 0 };
    return {
      offset: this.baseOffset + getInt32(this.buf, found * 8),
      position: getInt32(this.buf, found * 8 + 4),
    };
  }

  /** Removes entries with offset >= `offset`. */
  truncateTo(offset: number): void {
    let n = this.count;
    while (n > 0 && this.baseOffset + getInt32(this.buf, (n - 1) * 8) >= offset) n--;
    this.truncateEntries(n);
  }

  /** Removes entries pointing at or past byte `position`. */
  truncateToPosition(position: number): void {
    let n = this.count;
    while (n > 0 && getInt32(this.buf, (n - 1) * 8 + 4) >= position) n--;
    this.truncateEntries(n);
  }
}

export interface TimestampOffset {
  timestamp: number;
  offset: number;
}

export class TimeIndex extends AbstractIndex {
  constructor(file: string, baseOffset: number, maxIndexSize: number) {
    super(file, baseOffset, Math.floor(maxIndexSize / 12), 12);
  }

  private ts(i: number): number {
    return getInt32(this.buf, i * 12) * 0x100000000 + getUint32(this.buf, i * 12 + 4);
  }

  private rel(i: number): number {
    return getInt32(this.buf, i * 12 + 8);
  }

  protected sane(): boolean {
    let prevTs = -Infinity;
    let prevOff = -1;
    for (let i = 0; i < this.count; i++) {
      if (this.ts(i) < prevTs || this.rel(i) < prevOff) return false;
      prevTs = this.ts(i);
      prevOff = this.rel(i);
    }
    return true;
  }

  lastEntry(): TimestampOffset {
    if (!this.count) return { timestamp: -1, offset: this.baseOffset };
    return {
      timestamp: this.ts(this.count - 1),
      offset: this.baseOffset + this.rel(this.count - 1),
    };
  }

  /** Appends when `timestamp` is larger than the last entry's (Kafka's maybeAppend). */
  maybeAppend(timestamp: number, offset: number): void {
    if (this.count > 0) {
      const last = this.lastEntry();
      if (timestamp <= last.timestamp || offset < last.offset) return;
    }
    this.ensureCapacity();
    const hi = Math.floor(timestamp / 0x100000000);
    setInt32(this.buf, this.count * 12, hi);
    setUint32(this.buf, this.count * 12 + 4, timestamp - hi * 0x100000000);
    setInt32(this.buf, this.count * 12 + 8, offset - this.baseOffset);
    this.count++;
    this.changed();
  }

  /** The entry with the largest timestamp <= target, or (-1, baseOffset). */
  lookup(target: number): TimestampOffset {
    let lo = 0;
    let hi = this.count - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ts(mid) <= target) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found < 0) return { timestamp: -1, offset: this.baseOffset };
    return { timestamp: this.ts(found), offset: this.baseOffset + this.rel(found) };
  }

  truncateTo(offset: number): void {
    let n = this.count;
    while (n > 0 && this.baseOffset + this.rel(n - 1) >= offset) n--;
    this.truncateEntries(n);
  }
}
