/**
 * ProducerStateManager: per producer id, the epoch and the metadata of the last 5
 * batches appended to one partition's log (Kafka's `ProducerStateManager` and
 * `ProducerStateEntry`), so that the leader can
 *   - answer a retried batch that is an exact duplicate of one of those 5 with its
 *     original offsets, appending nothing;
 *   - refuse a sequence gap with OUT_OF_ORDER_SEQUENCE_NUMBER and an older epoch with
 *     INVALID_PRODUCER_EPOCH; a new epoch must start at sequence 0; a producer it has no
 *     state for may start at any sequence (KIP-360, Kafka 2.5+).
 * Sequences wrap from 2147483647 to 0. Replicated (follower) appends update the state
 * without checks. Only batch headers are read, never records.
 *
 * Snapshots: `<20-digit offset>.snapshot` beside the segments, holding the state of
 * every producer for the log up to (excluding) that offset. kzoo's format (not Kafka's
 * struct, which keeps only each producer's last batch): all big-endian,
 *   int16 version (1) | uint32 CRC-32C of the rest | int32 count |
 *   count × { int64 producerId | int16 epoch | int64 lastTimestamp | int8 n |
 *             n × { int32 firstSeq | int32 lastSeq | int64 firstOffset | int32 offsetDelta | int64 timestamp } }
 * A snapshot with a bad CRC or version is ignored (state is then rebuilt from the log).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KafkaError, type Logger } from '@kzoo/common';
import { crc32cOf } from '@kzoo/records';

/** Kafka's `ProducerStateEntry.NumBatchesToRetain`. */
export const NUM_BATCHES_TO_RETAIN = 5;
export const PRODUCER_SNAPSHOT_SUFFIX = '.snapshot';
const SNAPSHOT_VERSION = 1;
const INT32_MAX = 0x7fffffff;

export interface BatchMetadata {
  firstSeq: number;
  lastSeq: number;
  firstOffset: number;
  lastOffset: number;
  /** The batch's max timestamp. */
  timestamp: number;
}

export interface ProducerStateEntry {
  producerId: number;
  producerEpoch: number;
  /** Oldest first, at most NUM_BATCHES_TO_RETAIN. */
  batches: BatchMetadata[];
  lastTimestamp: number;
}

/** One idempotent batch of an append, as the producer state sees it. */
export interface ProducerBatchInfo {
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  lastSequence: number;
  firstOffset: number;
  lastOffset: number;
  maxTimestamp: number;
}

function inSequence(lastSeq: number, nextSeq: number): boolean {
  return nextSeq === lastSeq + 1 || (nextSeq === 0 && lastSeq === INT32_MAX);
}

export function snapshotFileName(offset: number): string {
  return String(offset).padStart(20, '0') + PRODUCER_SNAPSHOT_SUFFIX;
}

export class ProducerStateManager {
  private producers = new Map<number, ProducerStateEntry>();
  /** The state reflects the log below this offset. */
  mapEndOffset = 0;
  /** The offset of the newest snapshot written or loaded (Kafka's lastSnapOffset, 0 at first). */
  private lastSnapOffset = 0;

  constructor(
    readonly dir: string,
    private readonly logger?: Logger,
  ) {}

  get size(): number {
    return this.producers.size;
  }

  lastEntry(producerId: number): ProducerStateEntry | undefined {
    return this.producers.get(producerId);
  }

  activeProducers(): ProducerStateEntry[] {
    return [...this.producers.values()];
  }

  /**
   * The leader's checks for the idempotent batches of one append, in order (before any
   * offset is assigned). Returns the cached metadata of a duplicate batch (the caller
   * appends nothing and answers with its offsets), or null when every batch may be
   * appended. Throws INVALID_PRODUCER_EPOCH or OUT_OF_ORDER_SEQUENCE_NUMBER.
   */
  checkClientAppend(
    batches: Array<{
      producerId: number;
      producerEpoch: number;
      baseSequence: number;
      lastSequence: number;
    }>,
    partitionName: string,
  ): BatchMetadata | null {
    // Batches of one request chain on each other (Kafka's "updatedEntry").
    let pending: Map<number, { epoch: number; lastSeq: number }> | undefined;
    for (const b of batches) {
      const entry = this.producers.get(b.producerId);
      const prior = pending?.get(b.producerId);
      if (entry && !prior) {
        if (b.producerEpoch === entry.producerEpoch) {
          const dup = entry.batches.find(
            (m) => m.firstSeq === b.baseSequence && m.lastSeq === b.lastSequence,
          );
          if (dup) return dup;
        }
      }
      const epoch = prior ? prior.epoch : entry ? entry.producerEpoch : -1;
      const lastSeq = prior ? prior.lastSeq : entry ? this.lastSeqOf(entry) : -1;
      if (epoch >= 0 && b.producerEpoch < epoch)
        throw new KafkaError(
          'INVALID_PRODUCER_EPOCH',
          `${partitionName}: producer ${b.producerId} epoch ${b.producerEpoch} is older than the current epoch ${epoch}`,
        );
      if (epoch >= 0 && b.producerEpoch !== epoch) {
        if (b.baseSequence !== 0)
          throw new KafkaError(
            'OUT_OF_ORDER_SEQUENCE_NUMBER',
            `${partitionName}: producer ${b.producerId} new epoch ${b.producerEpoch} must start at sequence 0, got ${b.baseSequence}`,
          );
      } else if (epoch >= 0) {
        if (lastSeq < 0 ? b.baseSequence !== 0 : !inSequence(lastSeq, b.baseSequence))
          throw new KafkaError(
            'OUT_OF_ORDER_SEQUENCE_NUMBER',
            `${partitionName}: producer ${b.producerId} epoch ${b.producerEpoch}: sequence ${b.baseSequence} does not follow ${lastSeq}`,
          );
      }
      // No state (epoch -1): any sequence is accepted (KIP-360).
      (pending ??= new Map()).set(b.producerId, {
        epoch: b.producerEpoch,
        lastSeq: b.lastSequence,
      });
    }
    return null;
  }

  private lastSeqOf(entry: ProducerStateEntry): number {
    const n = entry.batches.length;
    return n === 0 ? -1 : entry.batches[n - 1].lastSeq;
  }

  /** Records an appended batch (leader or follower); a new epoch clears the batch cache. */
  update(b: ProducerBatchInfo): void {
    let entry = this.producers.get(b.producerId);
    if (!entry) {
      entry = {
        producerId: b.producerId,
        producerEpoch: b.producerEpoch,
        batches: [],
        lastTimestamp: b.maxTimestamp,
      };
      this.producers.set(b.producerId, entry);
    } else if (b.producerEpoch !== entry.producerEpoch) {
      entry.producerEpoch = b.producerEpoch;
      entry.batches = [];
    }
    if (b.baseSequence >= 0) {
      entry.batches.push({
        firstSeq: b.baseSequence,
        lastSeq: b.lastSequence,
        firstOffset: b.firstOffset,
        lastOffset: b.lastOffset,
        timestamp: b.maxTimestamp,
      });
      if (entry.batches.length > NUM_BATCHES_TO_RETAIN) entry.batches.shift();
    }
    entry.lastTimestamp = Math.max(entry.lastTimestamp, b.maxTimestamp);
    this.mapEndOffset = Math.max(this.mapEndOffset, b.lastOffset + 1);
  }

  /**
   * Forgets producers whose last batch timestamp is `expirationMs` or more before
   * `nowMs` (Kafka's producer.id.expiration.ms, 3.4+). Returns how many went.
   */
  removeExpiredProducers(nowMs: number, expirationMs: number): number {
    let n = 0;
    for (const [pid, e] of this.producers) {
      if (nowMs - e.lastTimestamp >= expirationMs) {
        this.producers.delete(pid);
        n++;
      }
    }
    return n;
  }

  /** Forgets everything (the log was emptied); snapshot files are deleted too. */
  truncateFully(offset: number): void {
    this.producers.clear();
    this.mapEndOffset = offset;
    for (const off of this.listSnapshotOffsets()) this.deleteSnapshot(off);
    this.lastSnapOffset = 0;
  }

  /** Clears the in-memory state (before a reload). */
  reset(offset: number): void {
    this.producers.clear();
    this.mapEndOffset = offset;
  }

  // ---- snapshots ---------------------------------------------------------------------

  listSnapshotOffsets(): number[] {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir);
    } catch {
      return [];
    }
    return names
      .filter((n) => /^\d{20}\.snapshot$/.test(n))
      .map((n) => Number(n.slice(0, 20)))
      .sort((a, b) => a - b);
  }

  private deleteSnapshot(offset: number): void {
    fs.rmSync(path.join(this.dir, snapshotFileName(offset)), { force: true });
  }

  /** Deletes snapshots at offsets > `offset` (truncation). */
  deleteSnapshotsAbove(offset: number): void {
    let newest = 0;
    for (const off of this.listSnapshotOffsets())
      if (off > offset) this.deleteSnapshot(off);
      else newest = off;
    this.lastSnapOffset = newest;
  }

  /**
   * Writes the state as `<mapEndOffset>.snapshot` (write to .tmp, fsync, rename) and
   * keeps only the two newest snapshots. Nothing when no state was mapped since the last
   * snapshot (Kafka's `lastMapOffset > lastSnapOffset` rule): closing an idle log costs no
   * write and no fsync.
   */
  takeSnapshot(): void {
    const offset = this.mapEndOffset;
    if (offset <= this.lastSnapOffset) return;
    let size = 4 + 4 + 2 + 4;
    for (const e of this.producers.values()) size += 8 + 2 + 8 + 1 + e.batches.length * 28;
    const buf = Buffer.alloc(size);
    buf.writeInt16BE(SNAPSHOT_VERSION, 0);
    buf.writeInt32BE(this.producers.size, 6);
    let p = 10;
    for (const e of this.producers.values()) {
      p = writeLong(buf, p, e.producerId);
      buf.writeInt16BE(e.producerEpoch, p);
      p = writeLong(buf, p + 2, e.lastTimestamp);
      buf.writeInt8(e.batches.length, p++);
      for (const m of e.batches) {
        buf.writeInt32BE(m.firstSeq, p);
        buf.writeInt32BE(m.lastSeq, p + 4);
        p = writeLong(buf, p + 8, m.firstOffset);
        buf.writeInt32BE(m.lastOffset - m.firstOffset, p);
        p = writeLong(buf, p + 4, m.timestamp);
      }
    }
    const data = buf.subarray(0, p);
    data.writeUInt32BE(crc32cOf(data.subarray(6)), 2);
    const file = path.join(this.dir, snapshotFileName(offset));
    const tmp = file + '.tmp';
    const fd = fs.openSync(tmp, 'w');
    try {
      fs.writeSync(fd, data);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
    this.lastSnapOffset = offset;
    const all = this.listSnapshotOffsets();
    for (const off of all.slice(0, Math.max(0, all.length - 2))) this.deleteSnapshot(off);
  }

  /**
   * Loads the newest valid snapshot at or below `maxOffset` (newer ones are deleted);
   * returns its offset, or -1 when none (the state is then empty).
   */
  loadLatestSnapshot(maxOffset: number): number {
    this.deleteSnapshotsAbove(maxOffset);
    const offsets = this.listSnapshotOffsets().reverse();
    for (const off of offsets) {
      try {
        this.producers = readSnapshot(path.join(this.dir, snapshotFileName(off)));
        this.mapEndOffset = off;
        this.lastSnapOffset = off;
        return off;
      } catch (e) {
        this.logger?.warn('ignoring an unreadable producer state snapshot', {
          offset: off,
          error: (e as Error).message,
        });
        this.deleteSnapshot(off);
      }
    }
    this.producers = new Map();
    this.lastSnapOffset = 0;
    return -1;
  }
}

function writeLong(buf: Buffer, pos: number, n: number): number {
  buf.writeBigInt64BE(BigInt(n), pos);
  return pos + 8;
}

function readLong(buf: Buffer, pos: number): number {
  const v = Number(buf.readBigInt64BE(pos));
  if (!Number.isSafeInteger(v)) throw new Error(`int64 ${v} out of the safe range`);
  return v;
}

/** Parses a snapshot file; throws on a bad version, CRC or length. */
export function readSnapshot(file: string): Map<number, ProducerStateEntry> {
  const buf = fs.readFileSync(file);
  if (buf.length < 10) throw new Error('snapshot too short');
  const version = buf.readInt16BE(0);
  if (version !== SNAPSHOT_VERSION) throw new Error(`unknown snapshot version ${version}`);
  if (buf.readUInt32BE(2) !== crc32cOf(buf.subarray(6))) throw new Error('snapshot CRC mismatch');
  const count = buf.readInt32BE(6);
  const out = new Map<number, ProducerStateEntry>();
  let p = 10;
  for (let i = 0; i < count; i++) {
    const producerId = readLong(buf, p);
    const producerEpoch = buf.readInt16BE(p + 8);
    const lastTimestamp = readLong(buf, p + 10);
    const n = buf.readInt8(p + 18);
    p += 19;
    const batches: BatchMetadata[] = [];
    for (let k = 0; k < n; k++) {
      const firstSeq = buf.readInt32BE(p);
      const lastSeq = buf.readInt32BE(p + 4);
      const firstOffset = readLong(buf, p + 8);
      const delta = buf.readInt32BE(p + 16);
      const timestamp = readLong(buf, p + 20);
      p += 28;
      batches.push({ firstSeq, lastSeq, firstOffset, lastOffset: firstOffset + delta, timestamp });
    }
    out.set(producerId, { producerId, producerEpoch, batches, lastTimestamp });
  }
  if (p !== buf.length) throw new Error('snapshot length mismatch');
  return out;
}
