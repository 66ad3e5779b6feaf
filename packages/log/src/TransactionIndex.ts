/**
 * TransactionIndex (`<base offset>.txnindex`): the aborted transactions whose abort
 * marker sits in one segment, in Kafka's on-disk format (34-byte entries, big-endian):
 *   int16 version (0) | int64 producerId | int64 firstOffset | int64 lastOffset |
 *   int64 lastStableOffset
 * `lastOffset` is the offset of the abort marker; `lastStableOffset` the partition's
 * last stable offset once the transaction completed. Entries are kept in memory and
 * written through on append (the file exists only once a segment has an entry) and
 * fsynced with the segment's flush, as Kafka's LogSegment.flush forces the txn index with
 * the log and the other indexes; a read_committed fetch collects the entries overlapping
 * its range.
 */
import * as fs from 'node:fs';
import { getInt16, setInt16 } from '@kzoo/common';

export const TXN_INDEX_SUFFIX = '.txnindex';
export const ABORTED_TXN_VERSION = 0;
export const ABORTED_TXN_SIZE = 34;

export interface AbortedTxn {
  producerId: number;
  firstOffset: number;
  lastOffset: number;
  lastStableOffset: number;
}

function writeLong(buf: Buffer, pos: number, n: number): void {
  buf.writeBigInt64BE(BigInt(n), pos);
}
function readLong(buf: Buffer, pos: number): number {
  return Number(buf.readBigInt64BE(pos));
}

export function encodeAbortedTxn(t: AbortedTxn): Buffer {
  const b = Buffer.alloc(ABORTED_TXN_SIZE);
  setInt16(b, 0, ABORTED_TXN_VERSION);
  writeLong(b, 2, t.producerId);
  writeLong(b, 10, t.firstOffset);
  writeLong(b, 18, t.lastOffset);
  writeLong(b, 26, t.lastStableOffset);
  return b;
}

export class TransactionIndex {
  private entries: AbortedTxn[] = [];
  /** Written since the last fsync (appended or rewritten). */
  private unsynced = false;

  constructor(readonly file: string) {}

  /** Loads the file (a missing file is an empty index); a torn last entry is dropped. */
  load(): void {
    let data: Buffer;
    try {
      data = fs.readFileSync(this.file);
    } catch {
      this.entries = [];
      return;
    }
    const out: AbortedTxn[] = [];
    for (let p = 0; p + ABORTED_TXN_SIZE <= data.length; p += ABORTED_TXN_SIZE) {
      if (getInt16(data, p) !== ABORTED_TXN_VERSION) break;
      out.push({
        producerId: readLong(data, p + 2),
        firstOffset: readLong(data, p + 10),
        lastOffset: readLong(data, p + 18),
        lastStableOffset: readLong(data, p + 26),
      });
    }
    this.entries = out;
    if (out.length * ABORTED_TXN_SIZE !== data.length) this.rewrite();
  }

  allAbortedTxns(): readonly AbortedTxn[] {
    return this.entries;
  }

  get size(): number {
    return this.entries.length;
  }

  append(t: AbortedTxn): void {
    const last = this.entries[this.entries.length - 1];
    if (last && t.lastOffset <= last.lastOffset)
      throw new Error(
        `aborted txn with last offset ${t.lastOffset} is not after ${last.lastOffset} in ${this.file}`,
      );
    this.entries.push(t);
    fs.appendFileSync(this.file, encodeAbortedTxn(t));
    this.unsynced = true;
  }

  /** fsyncs the file if it was written since the last flush. */
  flush(): void {
    if (!this.unsynced) return;
    this.unsynced = false;
    let fd: number;
    try {
      fd = fs.openSync(this.file, 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return; // emptied: nothing to sync
      this.unsynced = true;
      throw e;
    }
    try {
      fs.fsyncSync(fd);
    } catch (e) {
      this.unsynced = true;
      throw e;
    } finally {
      fs.closeSync(fd);
    }
  }

  /** flush() with the fsync on the libuv pool. */
  async flushAsync(): Promise<void> {
    if (!this.unsynced) return;
    this.unsynced = false;
    let handle: fs.promises.FileHandle;
    try {
      handle = await fs.promises.open(this.file, 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      this.unsynced = true;
      throw e;
    }
    try {
      await handle.sync();
    } catch (e) {
      this.unsynced = true;
      throw e;
    } finally {
      await handle.close();
    }
  }

  /** Drops the entries whose marker is at or above `offset`. */
  truncateTo(offset: number): void {
    const keep = this.entries.filter((e) => e.lastOffset < offset);
    if (keep.length === this.entries.length) return;
    this.entries = keep;
    this.rewrite();
  }

  /** The entries overlapping [fetchOffset, upperBoundOffset). */
  collectAbortedTxns(fetchOffset: number, upperBoundOffset: number, into: AbortedTxn[]): void {
    for (const e of this.entries)
      if (e.lastOffset >= fetchOffset && e.firstOffset < upperBoundOffset) into.push(e);
  }

  private rewrite(): void {
    if (this.entries.length === 0) {
      fs.rmSync(this.file, { force: true });
      return;
    }
    const tmp = this.file + '.tmp';
    fs.writeFileSync(tmp, Buffer.concat(this.entries.map(encodeAbortedTxn)));
    fs.renameSync(tmp, this.file);
    this.unsynced = true;
  }

  deleteFile(): void {
    this.entries = [];
    fs.rmSync(this.file, { force: true });
  }
}
