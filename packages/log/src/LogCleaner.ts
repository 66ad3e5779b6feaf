/**
 * Log compaction (Kafka's LogCleaner, cleanup.policy=compact): keeps the newest record
 * per key, keeps offsets (gaps remain), never touches the active segment, records above
 * the high watermark or younger than min.compaction.lag.ms. Tombstones (null values)
 * get a delete horizon (KIP-534: now + delete.retention.ms, stored in the batch) on the
 * first clean that keeps them and are dropped by a clean after it. Works segment by
 * segment, yielding to the event loop in between, so appends carry on meanwhile; a
 * segment that changed while it was cleaned (truncation, retention) is left alone.
 */
import * as fs from 'node:fs';
import {
  buildRecordBatch,
  readBatchHeader,
  readEndTxnMarker,
  records,
  KafkaRecord,
  RecordBatchHeader,
} from '@kzoo/records';
import { Log } from './Log';
import { CLEANED_SUFFIX, LogSegment } from './LogSegment';
import type { AbortedTxn } from './TransactionIndex';

export interface CleanOptions {
  /** Clean even when the dirty ratio is below min.cleanable.dirty.ratio. */
  force?: boolean;
  /** Records at or above it are not cleaned (default: the log end offset). */
  highWatermark?: number;
  now?: number;
  /** Called between segments (default: yield to the event loop). */
  pause?: () => Promise<void>;
}

export interface CleanResult {
  segmentsCleaned: number;
  recordsRemoved: number;
  tombstonesRemoved: number;
  bytesBefore: number;
  bytesAfter: number;
  firstDirtyOffset: number;
}

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Segments the cleaner may work on: closed, wholly below the HW, older than the lag. */
/** The offset after `seg`: the next segment's base (segments are never the last one here). */
function endOf(log: Log, seg: LogSegment): number {
  const next = log.logSegments().find((x) => x.baseOffset > seg.baseOffset);
  return next ? next.baseOffset : log.logEndOffset;
}

function cleanableSegments(log: Log, highWatermark: number, now: number): LogSegment[] {
  const segs = log.logSegments();
  const out: LogSegment[] = [];
  for (let i = 0; i < segs.length - 1; i++) {
    const next = segs[i + 1];
    if (next.baseOffset > highWatermark) break;
    const lag = log.config.minCompactionLagMs;
    if (lag > 0 && now - segs[i].largestTimestamp() < lag) break;
    out.push(segs[i]);
  }
  return out;
}

/** cleanable dirty bytes / all cleanable bytes (Kafka's dirty ratio). */
export function dirtyRatio(
  log: Log,
  highWatermark = log.logEndOffset,
  now = log.time.milliseconds(),
): number {
  const segs = cleanableSegments(log, log.lastStableOffset(highWatermark), now);
  let total = 0;
  let dirty = 0;
  for (const s of segs) {
    total += s.size;
    if (endOf(log, s) > log.firstDirtyOffset) dirty += s.size;
  }
  return total === 0 ? 0 : dirty / total;
}

function* batchesOf(seg: LogSegment): Generator<{ bytes: Buffer; header: RecordBatchHeader }> {
  for (const loc of seg.scanFrom(0)) {
    const bytes = seg.readRange(loc.position, loc.size);
    yield { bytes, header: readBatchHeader(bytes) };
  }
}

/** One cleaning pass over `log`; null when there was nothing (or not enough) to clean. */
export async function cleanLog(log: Log, opts: CleanOptions = {}): Promise<CleanResult | null> {
  if (!log.config.cleanupPolicy.compact || log.cleaning || log.isClosed) return null;
  const now = opts.now ?? log.time.milliseconds();
  // Kafka's firstUncleanableDirtyOffset: nothing at or above the last stable offset (an
  // open transaction) is cleaned.
  const hw = log.lastStableOffset(
    Math.min(opts.highWatermark ?? log.logEndOffset, log.logEndOffset),
  );
  const segs = cleanableSegments(log, hw, now);
  if (segs.length === 0) return null;
  const horizonDue = now >= log.nextDeleteHorizonMs;
  if (!opts.force && !horizonDue && dirtyRatio(log, hw, now) <= log.config.minCleanableDirtyRatio)
    return null;
  const pause = opts.pause ?? yieldToLoop;
  log.cleaning = true;
  try {
    // 1. key -> newest offset over the dirty segments.
    const map = new Map<string, number>();
    const mapTxns = new CleanedTxnState();
    for (let i = 0; i < segs.length; i++) {
      if (endOf(log, segs[i]) <= log.firstDirtyOffset) continue;
      if (segs[i].deleted) return null;
      mapTxns.add(log.collectAbortedTxns(segs[i].baseOffset, endOf(log, segs[i])));
      for (const { bytes, header } of batchesOf(segs[i])) {
        if (header.isControlBatch) {
          mapTxns.onControlBatch(header, bytes);
          continue;
        }
        if (mapTxns.onBatch(header)) continue; // aborted: never shadows a committed value
        for (const r of records(bytes)) if (r.key) map.set(r.key.toString('latin1'), r.offset);
      }
      await pause();
      if (log.isClosed) return null;
    }
    // 2. Recopy every cleanable segment keeping the newest record per key.
    const result: CleanResult = {
      segmentsCleaned: 0,
      recordsRemoved: 0,
      tombstonesRemoved: 0,
      bytesBefore: 0,
      bytesAfter: 0,
      firstDirtyOffset: log.firstDirtyOffset,
    };
    let nextHorizon = Infinity;
    let cleanedUpTo = log.logStartOffset;
    const txns = new CleanedTxnState();
    const lastOfProducer = log.lastRecordsOfActiveProducers();
    for (let i = 0; i < segs.length; i++) {
      const seg = segs[i];
      if (seg.deleted || log.isClosed) break; // truncated or deleted meanwhile
      const sizeBefore = seg.size;
      const out: Buffer[] = [];
      let changed = false;
      const droppedMarkers = new Set<number>();
      txns.add(log.collectAbortedTxns(seg.baseOffset, endOf(log, seg)));
      for (const { bytes, header } of batchesOf(seg)) {
        const canDiscard = header.isControlBatch
          ? txns.onControlBatch(header, bytes)
          : txns.onBatch(header);
        // Markers wait for a delete horizon, as tombstones do.
        const discardRecords =
          canDiscard &&
          (!header.isControlBatch || (header.hasDeleteHorizonMs && now >= header.baseTimestamp));
        const retainEmpty =
          header.producerId >= 0 && isLastOfProducer(header, lastOfProducer.get(header.producerId));
        const kept: KafkaRecord[] = [];
        let total = 0;
        let hasTombstone = false;
        for (const r of records(bytes)) {
          total++;
          if (discardRecords) continue;
          if (!header.isControlBatch) {
            const newest = r.key ? map.get(r.key.toString('latin1')) : undefined;
            if (newest !== undefined && newest > r.offset) continue;
            if (r.value === null && r.key) {
              if (header.hasDeleteHorizonMs && now >= header.baseTimestamp) {
                result.tombstonesRemoved++;
                continue;
              }
              hasTombstone = true;
            }
          }
          kept.push(r);
        }
        if (!header.isControlBatch) result.recordsRemoved += total - kept.length;
        else if (kept.length < total)
          droppedMarkers.add(header.baseOffset + header.lastOffsetDelta);
        // A marker of a transaction with nothing left gets a horizon (Kafka's
        // containsMarkerForEmptyTxn), a tombstone one on the first clean keeping it.
        const hasHorizonCandidate =
          (hasTombstone || (canDiscard && header.isControlBatch && kept.length > 0)) &&
          !discardRecords;
        const needsHorizon = hasHorizonCandidate && !header.hasDeleteHorizonMs;
        if (hasHorizonCandidate) {
          const horizon = needsHorizon ? now + log.config.deleteRetentionMs : header.baseTimestamp;
          nextHorizon = Math.min(nextHorizon, horizon);
        }
        if (kept.length === 0 && !retainEmpty) {
          changed = true; // Kafka's DELETE / DELETE_EMPTY
          continue;
        }
        if (kept.length === total && !needsHorizon) {
          out.push(bytes);
          continue;
        }
        changed = true;
        out.push(
          rebuild(header, kept, needsHorizon ? now + log.config.deleteRetentionMs : undefined),
        );
      }
      result.bytesBefore += sizeBefore;
      if (changed) {
        const cleanedFile = seg.file + CLEANED_SUFFIX;
        const fd = fs.openSync(cleanedFile, 'w');
        try {
          if (out.length) fs.writevSync(fd, out);
          fs.fsyncSync(fd);
        } finally {
          fs.closeSync(fd);
        }
        await pause();
        // The log may have moved on meanwhile: only swap an unchanged, still-old segment.
        if (
          log.isClosed ||
          seg.size !== sizeBefore ||
          !log.replaceSegment(seg, cleanedFile, droppedMarkers)
        ) {
          fs.rmSync(cleanedFile, { force: true });
          break;
        }
        result.segmentsCleaned++;
      }
      result.bytesAfter += out.reduce((n, b) => n + b.length, 0);
      cleanedUpTo =
        i + 1 < segs.length
          ? segs[i + 1].baseOffset
          : (log.logSegments().find((s) => s.baseOffset > seg.baseOffset)?.baseOffset ??
            cleanedUpTo);
    }
    log.firstDirtyOffset = Math.max(log.firstDirtyOffset, cleanedUpTo);
    log.nextDeleteHorizonMs = nextHorizon;
    result.firstDirtyOffset = log.firstDirtyOffset;
    return result;
  } finally {
    log.cleaning = false;
  }
}

/**
 * Kafka's CleanedTransactionMetadata: fed the aborted transactions of each segment (from
 * the transaction index) and every batch in log order, it says which batches belong to
 * aborted transactions and which markers may go.
 */
class CleanedTxnState {
  /** Aborted transactions not reached yet, by first offset. */
  private pending: AbortedTxn[] = [];
  private readonly seen = new Set<string>();
  /** Producers inside an aborted transaction: whether one of its batches was met. */
  private readonly ongoingAborted = new Map<number, { batchSeen: boolean }>();
  private readonly ongoingCommitted = new Set<number>();

  add(txns: AbortedTxn[]): void {
    for (const t of txns) {
      const key = `${t.producerId}:${t.firstOffset}`;
      if (this.seen.has(key)) continue;
      this.seen.add(key);
      this.pending.push(t);
    }
    this.pending.sort((a, b) => a.firstOffset - b.firstOffset);
  }

  private consumeUpTo(offset: number): void {
    while (this.pending.length > 0 && this.pending[0].firstOffset <= offset) {
      const t = this.pending.shift()!;
      if (!this.ongoingAborted.has(t.producerId))
        this.ongoingAborted.set(t.producerId, { batchSeen: false });
    }
  }

  /** A data batch; true when it belongs to an aborted transaction (it may go). */
  onBatch(h: RecordBatchHeader): boolean {
    this.consumeUpTo(h.baseOffset + h.lastOffsetDelta);
    if (!h.isTransactional) return false;
    const aborted = this.ongoingAborted.get(h.producerId);
    if (aborted) {
      aborted.batchSeen = true;
      return true;
    }
    this.ongoingCommitted.add(h.producerId);
    return false;
  }

  /** A control batch; true when no batch of its transaction is left (it may go). */
  onControlBatch(h: RecordBatchHeader, bytes: Buffer): boolean {
    this.consumeUpTo(h.baseOffset + h.lastOffsetDelta);
    if (h.recordCount === 0) return true; // emptied by an earlier clean
    const marker = readEndTxnMarker(bytes);
    if (!marker) return false;
    if (marker.type === 'ABORT') {
      const aborted = this.ongoingAborted.get(h.producerId);
      this.ongoingAborted.delete(h.producerId);
      return !aborted?.batchSeen;
    }
    return !this.ongoingCommitted.delete(h.producerId);
  }
}

/**
 * Whether the batch holds what the producer state needs of an active producer: its last
 * data batch (the sequence), or, when it has none, the marker with its epoch.
 */
function isLastOfProducer(
  h: RecordBatchHeader,
  last: { lastDataOffset: number; producerEpoch: number } | undefined,
): boolean {
  if (!last) return false;
  if (last.lastDataOffset >= 0) return h.baseOffset + h.lastOffsetDelta === last.lastDataOffset;
  return h.isControlBatch && h.producerEpoch === last.producerEpoch;
}

function rebuild(
  h: RecordBatchHeader,
  kept: KafkaRecord[],
  deleteHorizonMs: number | undefined,
): Buffer {
  // With no record left: Kafka's DefaultRecordBatch.writeEmptyHeader (uncompressed, no
  // horizon); the producer fields and the offsets stay either way.
  const empty = kept.length === 0;
  return buildRecordBatch({
    records: kept.map((r) => ({
      key: r.key,
      value: r.value,
      headers: r.headers,
      timestamp: r.timestamp,
      offsetDelta: r.offset - h.baseOffset,
    })),
    compression: empty ? 0 : h.compression,
    baseOffset: h.baseOffset,
    partitionLeaderEpoch: h.partitionLeaderEpoch,
    producerId: h.producerId,
    producerEpoch: h.producerEpoch,
    baseSequence: h.baseSequence,
    isTransactional: h.isTransactional,
    isControlBatch: h.isControlBatch,
    timestampType: h.timestampType,
    lastOffsetDelta: h.lastOffsetDelta,
    maxTimestamp: h.maxTimestamp,
    deleteHorizonMs: empty
      ? undefined
      : (deleteHorizonMs ?? (h.hasDeleteHorizonMs ? h.baseTimestamp : undefined)),
  });
}
