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
 * Transactions (KIP-98): each entry carries the first offset of the producer's ongoing
 * transaction (`currentTxnFirstOffset`, -1 when none); a commit or abort marker ends
 * it. Completed transactions whose marker is not yet below the high watermark stay
 * "unreplicated", so the first unstable offset (the lowest first offset of either kind)
 * bounds the last stable offset as Kafka's does.
 *
 * Snapshots: `<20-digit offset>.snapshot` beside the segments, holding the state of
 * every producer for the log up to (excluding) that offset. kzoo's format (not Kafka's
 * struct, which keeps only each producer's last batch): all big-endian,
 *   int16 version (3) | uint32 CRC-32C of the rest | int32 count |
 *   count × { int64 producerId | int16 epoch | int64 lastTimestamp | int64 currentTxnFirstOffset |
 *             int32 coordinatorEpoch | int8 n |
 *             n × { int32 firstSeq | int32 lastSeq | int64 firstOffset | int32 offsetDelta | int64 timestamp } }
 * Version 2 (no coordinatorEpoch: read as -1) is still read. A snapshot with a bad CRC or
 * an unknown version is ignored (state is then rebuilt from the log).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  KafkaError,
  type Logger,
  getInt16,
  getInt32,
  getInt8,
  getUint32,
  setInt16,
  setInt32,
  setInt8,
  setUint32,
} from '@kzoo/common';
import { crc32cOf } from '@kzoo/records';

/** Kafka's `ProducerStateEntry.NumBatchesToRetain`. */
export const NUM_BATCHES_TO_RETAIN = 5;
export const PRODUCER_SNAPSHOT_SUFFIX = '.snapshot';
const SNAPSHOT_VERSION = 3;
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
  /** First offset of the ongoing transaction, -1 when none. */
  currentTxnFirstOffset: number;
  /** The transaction coordinator epoch of the producer's last marker (-1: none yet). */
  coordinatorEpoch: number;
}

/** A transaction ended by a marker at `lastOffset`. */
export interface CompletedTxn {
  producerId: number;
  firstOffset: number;
  lastOffset: number;
  isAborted: boolean;
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
  /** A data batch of a transaction (attribute bit 4). */
  isTransactional?: boolean;
}

function inSequence(lastSeq: number, nextSeq: number): boolean {
  return nextSeq === lastSeq + 1 || (nextSeq === 0 && lastSeq === INT32_MAX);
}

export function snapshotFileName(offset: number): string {
  return String(offset).padStart(20, '0') + PRODUCER_SNAPSHOT_SUFFIX;
}

export class ProducerStateManager {
  private producers = new Map<number, ProducerStateEntry>();
  /** Producers with a transaction open (so that the LSO of a log without any is O(1)). */
  private readonly ongoing = new Set<number>();
  /** Completed transactions whose marker may still be at or above the high watermark. */
  private unreplicatedTxns: CompletedTxn[] = [];
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
        currentTxnFirstOffset: -1,
        coordinatorEpoch: -1,
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
    if (b.isTransactional && entry.currentTxnFirstOffset < 0) {
      entry.currentTxnFirstOffset = b.firstOffset;
      this.ongoing.add(b.producerId);
    }
    entry.lastTimestamp = Math.max(entry.lastTimestamp, b.maxTimestamp);
    this.mapEndOffset = Math.max(this.mapEndOffset, b.lastOffset + 1);
  }

  /**
   * Checks a marker's epoch for the leader (the coordinator's epoch may be newer than the
   * producer's: a fence): an older epoch is INVALID_PRODUCER_EPOCH.
   */
  checkMarker(
    producerId: number,
    producerEpoch: number,
    coordinatorEpoch: number,
    partitionName: string,
  ): void {
    const entry = this.producers.get(producerId);
    if (entry && producerEpoch < entry.producerEpoch)
      throw new KafkaError(
        'INVALID_PRODUCER_EPOCH',
        `${partitionName}: marker for producer ${producerId} has epoch ${producerEpoch}, older than ${entry.producerEpoch}`,
      );
    // Kafka's ProducerAppendInfo.checkCoordinatorEpoch: a marker from a zombie coordinator.
    if (entry && coordinatorEpoch < entry.coordinatorEpoch)
      throw new KafkaError(
        'TRANSACTION_COORDINATOR_FENCED',
        `${partitionName}: invalid coordinator epoch for producer ${producerId}: ${coordinatorEpoch} (zombie), ${entry.coordinatorEpoch} (current)`,
      );
  }

  /**
   * Applies a commit or abort marker at `markerOffset`; returns the transaction it
   * completed (null when the producer had none ongoing: a marker retried or for a
   * partition it never wrote to).
   */
  completeTxn(
    producerId: number,
    producerEpoch: number,
    markerOffset: number,
    isAborted: boolean,
    timestamp: number,
    coordinatorEpoch = -1,
  ): CompletedTxn | null {
    let entry = this.producers.get(producerId);
    if (!entry) {
      entry = {
        producerId,
        producerEpoch,
        batches: [],
        lastTimestamp: timestamp,
        currentTxnFirstOffset: -1,
        coordinatorEpoch: -1,
      };
      this.producers.set(producerId, entry);
    } else if (producerEpoch > entry.producerEpoch) {
      entry.producerEpoch = producerEpoch;
      entry.batches = [];
    }
    entry.lastTimestamp = Math.max(entry.lastTimestamp, timestamp);
    entry.coordinatorEpoch = coordinatorEpoch;
    this.mapEndOffset = Math.max(this.mapEndOffset, markerOffset + 1);
    if (entry.currentTxnFirstOffset < 0) return null;
    const txn: CompletedTxn = {
      producerId,
      firstOffset: entry.currentTxnFirstOffset,
      lastOffset: markerOffset,
      isAborted,
    };
    entry.currentTxnFirstOffset = -1;
    this.ongoing.delete(producerId);
    this.unreplicatedTxns.push(txn);
    return txn;
  }

  /** Kafka's lastStableOffset(completedTxn): where the LSO stands once `txn` completed. */
  lastStableOffsetAfter(txn: CompletedTxn): number {
    let min = txn.lastOffset + 1;
    for (const pid of this.ongoing) {
      const first = this.producers.get(pid)?.currentTxnFirstOffset ?? -1;
      if (first >= 0 && first < min) min = first;
    }
    return min;
  }

  /** The lowest first offset of an ongoing or not yet replicated transaction, or -1. */
  firstUnstableOffset(): number {
    if (this.ongoing.size === 0 && this.unreplicatedTxns.length === 0) return -1;
    let min = Infinity;
    for (const pid of this.ongoing) {
      const first = this.producers.get(pid)?.currentTxnFirstOffset ?? -1;
      if (first >= 0 && first < min) min = first;
    }
    for (const t of this.unreplicatedTxns) if (t.firstOffset < min) min = t.firstOffset;
    return min === Infinity ? -1 : min;
  }

  /** Forgets completed transactions whose marker is below the high watermark. */
  onHighWatermarkUpdated(highWatermark: number): void {
    if (this.unreplicatedTxns.length === 0) return;
    this.unreplicatedTxns = this.unreplicatedTxns.filter((t) => t.lastOffset >= highWatermark);
  }

  /** Producers with a transaction in progress (DescribeProducers-like tools, tests). */
  ongoingTxns(): Array<{ producerId: number; producerEpoch: number; firstOffset: number }> {
    const out = [];
    for (const pid of this.ongoing) {
      const e = this.producers.get(pid);
      if (e && e.currentTxnFirstOffset >= 0)
        out.push({
          producerId: e.producerId,
          producerEpoch: e.producerEpoch,
          firstOffset: e.currentTxnFirstOffset,
        });
    }
    return out;
  }

  /**
   * Forgets producers whose last batch timestamp is `expirationMs` or more before
   * `nowMs` (Kafka's producer.id.expiration.ms, 3.4+). Returns how many went.
   */
  removeExpiredProducers(nowMs: number, expirationMs: number): number {
    let n = 0;
    for (const [pid, e] of this.producers) {
      if (e.currentTxnFirstOffset < 0 && nowMs - e.lastTimestamp >= expirationMs) {
        this.producers.delete(pid);
        n++;
      }
    }
    return n;
  }

  /** Forgets everything (the log was emptied); snapshot files are deleted too. */
  truncateFully(offset: number): void {
    this.producers.clear();
    this.ongoing.clear();
    this.unreplicatedTxns = [];
    this.mapEndOffset = offset;
    for (const off of this.listSnapshotOffsets()) this.deleteSnapshot(off);
    this.lastSnapOffset = 0;
  }

  /** Clears the in-memory state (before a reload). */
  reset(offset: number): void {
    this.producers.clear();
    this.ongoing.clear();
    this.unreplicatedTxns = [];
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
    const snap = this.encodeSnapshot();
    if (!snap) return;
    const fd = fs.openSync(snap.tmp, 'w');
    try {
      fs.writeSync(fd, snap.data);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    this.installSnapshot(snap.offset, snap.tmp);
  }

  /**
   * takeSnapshot() with the write and fsync on the libuv pool, so that the logs of a
   * LogManager being closed write their snapshots at once.
   */
  async takeSnapshotAsync(): Promise<void> {
    const snap = this.encodeSnapshot();
    if (!snap) return;
    const fh = await fs.promises.open(snap.tmp, 'w');
    try {
      await fh.writeFile(snap.data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    if (snap.offset <= this.lastSnapOffset) fs.rmSync(snap.tmp, { force: true });
    else this.installSnapshot(snap.offset, snap.tmp);
  }

  private encodeSnapshot(): { offset: number; data: Buffer; tmp: string } | null {
    const offset = this.mapEndOffset;
    if (offset <= this.lastSnapOffset) return null;
    let size = 4 + 4 + 2 + 4;
    for (const e of this.producers.values()) size += 8 + 2 + 8 + 8 + 4 + 1 + e.batches.length * 28;
    const buf = Buffer.alloc(size);
    setInt16(buf, 0, SNAPSHOT_VERSION);
    setInt32(buf, 6, this.producers.size);
    let p = 10;
    for (const e of this.producers.values()) {
      p = writeLong(buf, p, e.producerId);
      setInt16(buf, p, e.producerEpoch);
      p = writeLong(buf, p + 2, e.lastTimestamp);
      p = writeLong(buf, p, e.currentTxnFirstOffset);
      setInt32(buf, p, e.coordinatorEpoch);
      p += 4;
      setInt8(buf, p++, e.batches.length);
      for (const m of e.batches) {
        setInt32(buf, p, m.firstSeq);
        setInt32(buf, p + 4, m.lastSeq);
        p = writeLong(buf, p + 8, m.firstOffset);
        setInt32(buf, p, m.lastOffset - m.firstOffset);
        p = writeLong(buf, p + 4, m.timestamp);
      }
    }
    const data = buf.subarray(0, p);
    setUint32(data, 2, crc32cOf(data.subarray(6)));
    return { offset, data, tmp: path.join(this.dir, snapshotFileName(offset)) + '.tmp' };
  }

  /** Renames a written, fsynced `<offset>.snapshot.tmp` into place; keeps the two newest. */
  private installSnapshot(offset: number, tmp: string): void {
    fs.renameSync(tmp, path.join(this.dir, snapshotFileName(offset)));
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
        this.ongoing.clear();
        for (const e of this.producers.values())
          if (e.currentTxnFirstOffset >= 0) this.ongoing.add(e.producerId);
        this.unreplicatedTxns = [];
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
    this.ongoing.clear();
    this.unreplicatedTxns = [];
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
  const version = getInt16(buf, 0);
  if (version !== SNAPSHOT_VERSION && version !== 2)
    throw new Error(`unknown snapshot version ${version}`);
  if (getUint32(buf, 2) !== crc32cOf(buf.subarray(6))) throw new Error('snapshot CRC mismatch');
  const count = getInt32(buf, 6);
  const out = new Map<number, ProducerStateEntry>();
  let p = 10;
  for (let i = 0; i < count; i++) {
    const producerId = readLong(buf, p);
    const producerEpoch = getInt16(buf, p + 8);
    const lastTimestamp = readLong(buf, p + 10);
    const currentTxnFirstOffset = readLong(buf, p + 18);
    p += 26;
    const coordinatorEpoch = version >= 3 ? getInt32(buf, p) : -1;
    if (version >= 3) p += 4;
    const n = getInt8(buf, p);
    p += 1;
    const batches: BatchMetadata[] = [];
    for (let k = 0; k < n; k++) {
      const firstSeq = getInt32(buf, p);
      const lastSeq = getInt32(buf, p + 4);
      const firstOffset = readLong(buf, p + 8);
      const delta = getInt32(buf, p + 16);
      const timestamp = readLong(buf, p + 20);
      p += 28;
      batches.push({ firstSeq, lastSeq, firstOffset, lastOffset: firstOffset + delta, timestamp });
    }
    out.set(producerId, {
      producerId,
      producerEpoch,
      batches,
      lastTimestamp,
      currentTxnFirstOffset,
      coordinatorEpoch,
    });
  }
  if (p !== buf.length) throw new Error('snapshot length mismatch');
  return out;
}
