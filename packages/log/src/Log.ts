/**
 * One partition's log in `<topic>-<partition>/` (Kafka's UnifiedLog + LocalLog): a list
 * of segments, the last one active. Appends validate batch headers and CRCs, assign
 * offsets by rewriting baseOffset and the leader epoch (outside the CRC) and write the
 * bytes as they came; reads return whole batches as stored (no CRC check, as Kafka);
 * recovery cuts a torn or corrupt tail.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  createLogger,
  KafkaError,
  LONG_MAX,
  Logger,
  SystemTime,
  Time,
  getInt16,
  getInt32,
  setInt16,
  setUint32,
} from '@kzoo/common';
import {
  ATTRIBUTES_OFFSET,
  BASE_SEQUENCE_OFFSET,
  computeBatchCrc,
  CONTROL_FLAG_MASK,
  CRC_OFFSET,
  LAST_OFFSET_DELTA_OFFSET,
  LENGTH_OFFSET,
  LOG_OVERHEAD,
  MAX_TIMESTAMP_OFFSET,
  PARTITION_LEADER_EPOCH_OFFSET,
  PRODUCER_EPOCH_OFFSET,
  PRODUCER_ID_OFFSET,
  RECORD_BATCH_OVERHEAD,
  RECORDS_COUNT_OFFSET,
  TIMESTAMP_TYPE_MASK,
  TRANSACTIONAL_FLAG_MASK,
  readEndTxnMarker,
  readInt64,
  records,
  setBaseOffset,
  setPartitionLeaderEpoch,
  validateBatch,
  writeInt64,
} from '@kzoo/records';
import { LEADER_EPOCH_CHECKPOINT, LeaderEpochCheckpointFile } from './checkpoints';
import { LogConfig, logConfig } from './config';
import { LeaderEpochFileCache } from './LeaderEpochFileCache';
import { ProducerStateManager, type BatchMetadata } from './ProducerStateManager';
import { encodeAbortedTxn, TXN_INDEX_SUFFIX, type AbortedTxn } from './TransactionIndex';
import {
  AppendedBatch,
  CLEANED_SUFFIX,
  DELETED_SUFFIX,
  INDEX_SUFFIX,
  LOG_SUFFIX,
  LogSegment,
  SWAP_SUFFIX,
  TIME_INDEX_SUFFIX,
} from './LogSegment';

/** flush.ms's default (Long.MaxValue): no time-based flush. A copy: one load per append fewer. */
const MAX_FLUSH_MS = LONG_MAX;

export interface LogOptions {
  time?: Time;
  logger?: Logger;
  /** From recovery-point-offset-checkpoint; segments holding offsets >= it are recovered. Default 0. */
  recoveryPoint?: number;
  /** From log-start-offset-checkpoint. */
  logStartOffset?: number;
  /** `.kafka_cleanshutdown` was present: skip recovery. */
  hadCleanShutdown?: boolean;
}

export interface ProducerAppendInfo {
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  lastSequence: number;
  firstOffset: number;
  lastOffset: number;
  maxTimestamp: number;
  isTransactional: boolean;
  /** A control batch: `marker` tells commit or abort (null: an unknown control type). */
  isControl?: boolean;
  marker?: 'COMMIT' | 'ABORT' | null;
  /** The marker's transaction coordinator epoch (-1 when unknown). */
  coordinatorEpoch?: number;
}

export interface LogAppendInfo {
  firstOffset: number;
  lastOffset: number;
  maxTimestamp: number;
  offsetOfMaxTimestamp: number;
  /** The append time for LogAppendTime topics, else -1. */
  logAppendTime: number;
  numBatches: number;
  numRecords: number;
  validBytes: number;
  /** One entry per batch with producerId >= 0 (idempotent / transactional producers). */
  producers: ProducerAppendInfo[];
  /** The append was an exact duplicate of a recent batch: nothing written, its original offsets. */
  duplicate?: boolean;
}

export interface ReadOptions {
  /** Exclusive upper bound: batches holding offsets >= maxOffset are not returned (the HW). */
  maxOffset?: number;
  /** Return the first batch whole even when larger than maxBytes (default true). */
  minOneMessage?: boolean;
}

export interface FetchDataInfo {
  /** Whole batches, concatenated. */
  records: Buffer;
  /** Base offset of the first batch returned (-1 when empty). */
  firstOffset: number;
}

/** Parses `<topic>-<partition>` (the topic may itself contain '-'). */
export function parseTopicPartitionName(name: string): { topic: string; partition: number } | null {
  const i = name.lastIndexOf('-');
  if (i <= 0) return null;
  const partition = Number(name.slice(i + 1));
  if (!/^\d+$/.test(name.slice(i + 1)) || !Number.isSafeInteger(partition)) return null;
  return { topic: name.slice(0, i), partition };
}

interface ScannedBatch extends AppendedBatch {
  position: number;
  baseOffset: number;
  records: number;
}

export class Log {
  readonly topic: string;
  readonly partition: number;
  private segments: LogSegment[] = [];
  private _logStartOffset = 0;
  private _logEndOffset = 0;
  private _recoveryPoint = 0;
  private unflushedMessages = 0;
  private lastFlushTime: number;
  private closed = false;
  readonly leaderEpochCache: LeaderEpochFileCache;
  /** Idempotent producers' sequence state, with `.snapshot` files beside the segments. */
  readonly producerStateManager: ProducerStateManager;
  /** Set by the cleaner: offsets below are clean. */
  firstDirtyOffset = 0;
  /** Smallest delete horizon the cleaner stamped on tombstone batches (Infinity when none). */
  nextDeleteHorizonMs = Infinity;
  /** A clean is running (LogCleaner sets it). */
  cleaning = false;
  /** The log's clock (segment roll, retention, compaction lag). */
  readonly time: Time;
  private readonly logger: Logger;

  private constructor(
    readonly dir: string,
    public config: LogConfig,
    opts: LogOptions,
  ) {
    const tp = parseTopicPartitionName(path.basename(dir));
    if (!tp)
      throw new KafkaError(
        'KAFKA_STORAGE_ERROR',
        `log directory ${dir} is not named <topic>-<partition>`,
      );
    this.topic = tp.topic;
    this.partition = tp.partition;
    this.time = opts.time ?? SystemTime;
    this.logger = (opts.logger ?? createLogger('log')).child({
      partition: `${tp.topic}-${tp.partition}`,
    });
    this.lastFlushTime = this.time.milliseconds();
    this.leaderEpochCache = new LeaderEpochFileCache(
      new LeaderEpochCheckpointFile(path.join(dir, LEADER_EPOCH_CHECKPOINT)),
      (error) => this.logger.error('leader-epoch checkpoint write failed', { error }),
    );
    this.producerStateManager = new ProducerStateManager(dir, this.logger);
  }

  /** Opens (or creates) the log in `dir`, recovering segments past the recovery point. */
  static open(
    dir: string,
    config: LogConfig | Record<string, string | number> = {},
    opts: LogOptions = {},
  ): Log {
    fs.mkdirSync(dir, { recursive: true });
    const cfg = isLogConfig(config) ? config : logConfig(config);
    const log = new Log(dir, cfg, opts);
    log.load(opts);
    return log;
  }

  // ---- state ---------------------------------------------------------------------------

  get logStartOffset(): number {
    return this._logStartOffset;
  }
  get logEndOffset(): number {
    return this._logEndOffset;
  }
  get recoveryPoint(): number {
    return this._recoveryPoint;
  }
  get activeSegment(): LogSegment {
    return this.segments[this.segments.length - 1];
  }
  /** Segments, oldest first (a copy). */
  logSegments(): LogSegment[] {
    return this.segments.slice();
  }
  numberOfSegments(): number {
    return this.segments.length;
  }
  size(): number {
    let s = 0;
    for (const seg of this.segments) s += seg.size;
    return s;
  }

  private segmentOpts() {
    return {
      indexIntervalBytes: this.config.indexIntervalBytes,
      segmentIndexBytes: this.config.segmentIndexBytes,
      now: this.time.milliseconds(),
    };
  }

  // ---- load and recovery ---------------------------------------------------------------

  private load(opts: LogOptions): void {
    const names = fs.readdirSync(this.dir);
    // Leftovers of interrupted deletes and cleanings.
    for (const n of names) {
      if (n.endsWith(DELETED_SUFFIX) || n.endsWith(CLEANED_SUFFIX) || n.endsWith('.tmp'))
        fs.rmSync(path.join(this.dir, n), { force: true });
    }
    // A swap file is a complete cleaned segment: finish the swap. A transaction index's
    // swap file belongs to it, and is dropped when the segment's swap never started.
    for (const n of names) {
      if (n.endsWith(TXN_INDEX_SUFFIX + SWAP_SUFFIX)) {
        const base = n.slice(0, -(TXN_INDEX_SUFFIX + SWAP_SUFFIX).length);
        const file = path.join(this.dir, n);
        if (names.includes(base + LOG_SUFFIX + SWAP_SUFFIX))
          fs.renameSync(file, file.slice(0, -SWAP_SUFFIX.length));
        else fs.rmSync(file, { force: true });
      }
    }
    for (const n of names) {
      if (n.endsWith(LOG_SUFFIX + SWAP_SUFFIX)) {
        const final = path.join(this.dir, n.slice(0, -SWAP_SUFFIX.length));
        fs.renameSync(path.join(this.dir, n), final);
        const base = final.slice(0, -LOG_SUFFIX.length);
        fs.rmSync(base + INDEX_SUFFIX, { force: true });
        fs.rmSync(base + TIME_INDEX_SUFFIX, { force: true });
      }
    }
    const bases = fs
      .readdirSync(this.dir)
      .filter((n) => /^\d{20}\.log$/.test(n))
      .map((n) => Number(n.slice(0, 20)))
      .sort((a, b) => a - b);
    const needsRecovery: boolean[] = [];
    for (const base of bases) {
      const { segment, needsRecovery: nr } = LogSegment.open(this.dir, base, this.segmentOpts());
      // A clean shutdown fsynced everything: until written again, nothing to flush.
      if (opts.hadCleanShutdown && !nr) segment.markFlushed();
      this.segments.push(segment);
      needsRecovery.push(nr);
    }
    const recoveryPoint = opts.hadCleanShutdown
      ? Number.MAX_SAFE_INTEGER
      : (opts.recoveryPoint ?? 0);
    for (let i = 0; i < this.segments.length; i++) {
      const seg = this.segments[i];
      const next = this.segments[i + 1];
      const holdsRecoveryPointOrLater = !next || next.baseOffset > recoveryPoint;
      if (!needsRecovery[i] && !holdsRecoveryPointOrLater) continue;
      if (!needsRecovery[i] && opts.hadCleanShutdown) continue;
      // Bound garbage lengths without cutting batches written under a larger max.message.bytes.
      const cut = seg.recover(Math.max(this.config.maxMessageBytes, this.config.segmentBytes), {
        onBatch: (base, epoch) => this.leaderEpochCache.assign(epoch, base),
        contiguous: !this.config.cleanupPolicy.compact,
        nextSegmentBase: next?.baseOffset,
      });
      seg.flushIndexes();
      if (cut > 0) {
        this.logger.warn('recovery cut a torn or corrupt tail', {
          segment: seg.baseOffset,
          bytes: cut,
        });
        // Everything after the first invalid byte goes, later segments included.
        for (const later of this.segments.splice(i + 1)) later.deleteFiles();
        break;
      }
    }
    if (this.segments.length === 0) {
      const start = opts.logStartOffset ?? 0;
      this.segments.push(LogSegment.create(this.dir, start, this.segmentOpts()));
    }
    // An empty segment after a cut keeps its base offset as the end.
    this._logEndOffset = Math.max(this.activeSegment.nextOffset, this.activeSegment.baseOffset);
    this._logStartOffset = Math.min(
      Math.max(opts.logStartOffset ?? 0, this.segments[0].baseOffset),
      this._logEndOffset,
    );
    this._recoveryPoint = Math.min(
      opts.hadCleanShutdown ? this._logEndOffset : (opts.recoveryPoint ?? 0),
      this._logEndOffset,
    );
    this.leaderEpochCache.truncateFromEnd(this._logEndOffset);
    this.leaderEpochCache.truncateFromStart(this._logStartOffset);
    this.firstDirtyOffset = this._logStartOffset;
    this.loadProducerState();
  }

  /**
   * Rebuilds the producer state: the newest snapshot at or below the log end offset,
   * then the headers of the batches after it (Kafka's loadProducerState).
   */
  private loadProducerState(): void {
    const psm = this.producerStateManager;
    const end = this._logEndOffset;
    let from = psm.loadLatestSnapshot(end);
    if (from < this._logStartOffset) {
      if (from >= 0) psm.reset(this._logStartOffset);
      from = this._logStartOffset;
    }
    // Aborted transactions are re-indexed from the scan below.
    for (const seg of this.segments) seg.txnIndex.truncateTo(from);
    let offset = from;
    while (offset < end) {
      const { records: buf } = this.read(offset, 1 << 20);
      if (buf.length === 0) break;
      let pos = 0;
      while (pos + RECORD_BATCH_OVERHEAD <= buf.length) {
        const size = getInt32(buf, pos + LENGTH_OFFSET) + LOG_OVERHEAD;
        const base = readInt64(buf, pos);
        const last = base + getInt32(buf, pos + LAST_OFFSET_DELTA_OFFSET);
        if (last >= offset) {
          const pid = readInt64(buf, pos + PRODUCER_ID_OFFSET);
          if (pid >= 0) {
            const seq = getInt32(buf, pos + BASE_SEQUENCE_OFFSET);
            const attributes = getInt16(buf, pos + ATTRIBUTES_OFFSET);
            const isControl = (attributes & CONTROL_FLAG_MASK) !== 0;
            const m = isControl ? endTxnMarkerOf(buf, pos) : null;
            this.applyProducerBatch({
              producerId: pid,
              producerEpoch: getInt16(buf, pos + PRODUCER_EPOCH_OFFSET),
              baseSequence: seq,
              lastSequence: seq < 0 ? -1 : (seq + (last - base)) % 0x80000000,
              firstOffset: base,
              lastOffset: last,
              maxTimestamp: readInt64(buf, pos + MAX_TIMESTAMP_OFFSET),
              isTransactional: (attributes & TRANSACTIONAL_FLAG_MASK) !== 0,
              isControl,
              marker: isControl ? (m?.type ?? null) : undefined,
              coordinatorEpoch: m?.coordinatorEpoch,
            });
          }
        }
        offset = last + 1;
        pos += size;
      }
    }
    psm.mapEndOffset = end;
  }

  // ---- append --------------------------------------------------------------------------

  /**
   * Leader append: validates every batch (size, magic, CRC, max.message.bytes, not a
   * control batch, offsets as a fresh producer batch), then assigns offsets from the log
   * end offset and stamps `leaderEpoch`, rewriting only fields outside the CRC (and the
   * CRC too for LogAppendTime topics). Mutates `buf` in place. Nothing is written unless
   * every batch is valid.
   */
  append(
    buf: Buffer,
    opts: {
      leaderEpoch?: number;
      assignOffsets?: boolean;
      /** `coordinator`: the transaction coordinator's markers (control batches allowed). */
      origin?: 'client' | 'coordinator';
    } = {},
  ): LogAppendInfo {
    this.ensureOpen();
    const assign = opts.assignOffsets ?? true;
    const batches = this.scan(
      buf,
      assign ? 'leader' : 'follower',
      this._logEndOffset - 1,
      opts.origin === 'coordinator',
    );
    if (assign) {
      const dup = this.checkProducerState(buf, batches);
      if (dup) return this.duplicateInfo(dup);
    }
    return this.updateProducerState(this.assignAndAppend(buf, batches, assign, opts.leaderEpoch));
  }

  /** The idempotence checks of a leader append (header fields only); returns a duplicate's metadata. */
  private checkProducerState(buf: Buffer, batches: ScannedBatch[]): BatchMetadata | null {
    let idem: Parameters<ProducerStateManager['checkClientAppend']>[0] | undefined;
    for (const b of batches) {
      // No producer id (-1): its high word is negative; the 64-bit read only for the others.
      if (getInt32(buf, b.position + PRODUCER_ID_OFFSET) < 0) continue;
      const pid = readInt64(buf, b.position + PRODUCER_ID_OFFSET);
      if (getInt16(buf, b.position + ATTRIBUTES_OFFSET) & CONTROL_FLAG_MASK) {
        this.producerStateManager.checkMarker(
          pid,
          getInt16(buf, b.position + PRODUCER_EPOCH_OFFSET),
          endTxnMarkerOf(buf, b.position)?.coordinatorEpoch ?? -1,
          `${this.topic}-${this.partition}`,
        );
        continue;
      }
      const seq = getInt32(buf, b.position + BASE_SEQUENCE_OFFSET);
      (idem ??= []).push({
        producerId: pid,
        producerEpoch: getInt16(buf, b.position + PRODUCER_EPOCH_OFFSET),
        baseSequence: seq,
        lastSequence: seq < 0 ? -1 : (seq + (b.lastOffset - b.baseOffset)) % 0x80000000,
      });
    }
    if (!idem) return null;
    return this.producerStateManager.checkClientAppend(idem, `${this.topic}-${this.partition}`);
  }

  private duplicateInfo(dup: BatchMetadata): LogAppendInfo {
    return {
      firstOffset: dup.firstOffset,
      lastOffset: dup.lastOffset,
      maxTimestamp: dup.timestamp,
      offsetOfMaxTimestamp: dup.lastOffset,
      logAppendTime: this.config.messageTimestampType === 'LogAppendTime' ? dup.timestamp : -1,
      numBatches: 0,
      numRecords: 0,
      validBytes: 0,
      producers: [],
      duplicate: true,
    };
  }

  private updateProducerState(info: LogAppendInfo): LogAppendInfo {
    const psm = this.producerStateManager;
    for (const p of info.producers) this.applyProducerBatch(p);
    psm.mapEndOffset = this._logEndOffset;
    return info;
  }

  /**
   * One producer batch into the producer state: data batches update sequences and open
   * a transaction; a marker completes it, and an abort is indexed in the `.txnindex` of
   * the segment holding the marker (Kafka's LogSegment.updateTxnIndex).
   */
  private applyProducerBatch(p: ProducerAppendInfo): void {
    const psm = this.producerStateManager;
    if (!p.isControl) {
      psm.update(p);
      return;
    }
    if (!p.marker) return;
    const aborted = p.marker === 'ABORT';
    const txn = psm.completeTxn(
      p.producerId,
      p.producerEpoch,
      p.lastOffset,
      aborted,
      p.maxTimestamp,
      p.coordinatorEpoch ?? -1,
    );
    if (txn && aborted) {
      const seg = this.segments[this.segmentIndexFor(p.lastOffset)];
      seg.txnIndex.append({
        producerId: txn.producerId,
        firstOffset: txn.firstOffset,
        lastOffset: txn.lastOffset,
        lastStableOffset: psm.lastStableOffsetAfter(txn),
      });
    }
  }

  // ---- transactions ---------------------------------------------------------------------

  /**
   * The last stable offset for a high watermark (Kafka's UnifiedLog.lastStableOffset):
   * the first offset of the oldest transaction still ongoing or whose marker is not yet
   * below the high watermark, else the high watermark.
   */
  lastStableOffset(highWatermark: number): number {
    const psm = this.producerStateManager;
    psm.onHighWatermarkUpdated(highWatermark);
    const first = psm.firstUnstableOffset();
    return first >= 0 && first < highWatermark ? first : highWatermark;
  }

  /**
   * The aborted transactions a read_committed fetch from `fetchOffset` up to
   * `upperBoundOffset` (exclusive) must know about, oldest marker first.
   */
  collectAbortedTxns(fetchOffset: number, upperBoundOffset: number): AbortedTxn[] {
    const out: AbortedTxn[] = [];
    for (let i = this.segmentIndexFor(fetchOffset); i < this.segments.length; i++) {
      this.segments[i].txnIndex.collectAbortedTxns(fetchOffset, upperBoundOffset, out);
    }
    return out;
  }

  /**
   * For each producer the log still knows, the offset of its last data batch (-1 when it
   * wrote only markers) and its epoch (Kafka's UnifiedLog.lastRecordsOfActiveProducers):
   * what the cleaner must keep for the producer state.
   */
  lastRecordsOfActiveProducers(): Map<number, { lastDataOffset: number; producerEpoch: number }> {
    const out = new Map<number, { lastDataOffset: number; producerEpoch: number }>();
    for (const e of this.producerStateManager.activeProducers()) {
      const last = e.batches[e.batches.length - 1];
      out.set(e.producerId, {
        lastDataOffset: last ? last.lastOffset : -1,
        producerEpoch: e.producerEpoch,
      });
    }
    return out;
  }

  private assignAndAppend(
    buf: Buffer,
    batches: ScannedBatch[],
    assign: boolean,
    leaderEpoch: number | undefined,
  ): LogAppendInfo {
    const logAppendTime =
      this.config.messageTimestampType === 'LogAppendTime' ? this.time.milliseconds() : -1;
    if (assign) {
      let offset = this._logEndOffset;
      for (const b of batches) {
        const delta = b.lastOffset - b.baseOffset;
        setBaseOffset(buf, b.position, offset);
        if (leaderEpoch !== undefined) setPartitionLeaderEpoch(buf, b.position, leaderEpoch);
        if (logAppendTime >= 0) {
          setInt16(
            buf,
            b.position + ATTRIBUTES_OFFSET,
            getInt16(buf, b.position + ATTRIBUTES_OFFSET) | TIMESTAMP_TYPE_MASK,
          );
          writeInt64(buf, b.position + MAX_TIMESTAMP_OFFSET, logAppendTime);
          setUint32(buf, b.position + CRC_OFFSET, computeBatchCrc(buf, b.position, b.size));
          b.maxTimestamp = logAppendTime;
        }
        b.baseOffset = offset;
        b.lastOffset = offset + delta;
        offset += delta + 1;
      }
    }
    return this.appendScanned(buf, batches, logAppendTime);
  }

  /** Follower append: keeps the leader's offsets and epochs; rejects non-monotonic offsets. */
  appendAsFollower(buf: Buffer): LogAppendInfo {
    this.ensureOpen();
    // An empty log that starts inside the leader's first batch (the leader's log start
    // offset is mid-batch) restarts at that batch, as Kafka's follower does.
    let restartAt = -1;
    if (
      this.segments.length === 1 &&
      this.activeSegment.size === 0 &&
      buf.length >= RECORD_BATCH_OVERHEAD
    ) {
      const base = readInt64(buf, 0);
      const last = base + getInt32(buf, LAST_OFFSET_DELTA_OFFSET);
      if (base < this._logEndOffset && last >= this._logEndOffset) restartAt = base;
    }
    const batches = this.scan(
      buf,
      'follower',
      (restartAt >= 0 ? restartAt : this._logEndOffset) - 1,
    );
    if (restartAt >= 0 && batches.length > 0) {
      this.segments.pop()!.deleteFiles();
      this.segments.push(LogSegment.create(this.dir, restartAt, this.segmentOpts()));
      this._logEndOffset = restartAt;
      this._recoveryPoint = Math.min(this._recoveryPoint, restartAt);
    }
    return this.updateProducerState(this.assignAndAppend(buf, batches, false, undefined));
  }

  private appendScanned(
    buf: Buffer,
    batches: ScannedBatch[],
    logAppendTime: number,
  ): LogAppendInfo {
    const info: LogAppendInfo = {
      firstOffset: -1,
      lastOffset: -1,
      maxTimestamp: -1,
      offsetOfMaxTimestamp: -1,
      logAppendTime,
      numBatches: batches.length,
      numRecords: 0,
      validBytes: 0,
      producers: [],
    };
    if (batches.length === 0) return info;
    let maxTs = -1;
    let offsetOfMaxTs = -1;
    for (const b of batches) {
      info.numRecords += b.records;
      info.validBytes += b.size;
      if (b.maxTimestamp > maxTs) {
        maxTs = b.maxTimestamp;
        offsetOfMaxTs = b.lastOffset;
      }
      if (getInt32(buf, b.position + PRODUCER_ID_OFFSET) >= 0) {
        const pid = readInt64(buf, b.position + PRODUCER_ID_OFFSET);
        const baseSequence = getInt32(buf, b.position + BASE_SEQUENCE_OFFSET);
        const delta = b.lastOffset - b.baseOffset;
        info.producers.push({
          producerId: pid,
          producerEpoch: getInt16(buf, b.position + PRODUCER_EPOCH_OFFSET),
          baseSequence,
          lastSequence: baseSequence < 0 ? -1 : (baseSequence + delta) % 0x80000000,
          firstOffset: b.baseOffset,
          lastOffset: b.lastOffset,
          maxTimestamp: b.maxTimestamp,
          isTransactional:
            (getInt16(buf, b.position + ATTRIBUTES_OFFSET) & TRANSACTIONAL_FLAG_MASK) !== 0,
        });
        if (getInt16(buf, b.position + ATTRIBUTES_OFFSET) & CONTROL_FLAG_MASK) {
          const last = info.producers[info.producers.length - 1];
          const m = endTxnMarkerOf(buf, b.position);
          last.isControl = true;
          last.marker = m?.type ?? null;
          last.coordinatorEpoch = m?.coordinatorEpoch;
        }
      }
    }
    info.firstOffset = batches[0].baseOffset;
    info.lastOffset = batches[batches.length - 1].lastOffset;
    info.maxTimestamp = maxTs;
    info.offsetOfMaxTimestamp = offsetOfMaxTs;

    // The clock only when something reads it: LogAppendTime, a finite flush.ms, or
    // segment.ms of a segment whose batches carry no timestamp (a clock read costs 60-80 ns
    // on this kind of VM, 5 % of an append without its write).
    const active = this.activeSegment;
    const now =
      logAppendTime >= 0
        ? logAppendTime
        : this.config.flushMs < MAX_FLUSH_MS ||
            (active.size > 0 && active.rollingBasedTimestamp < 0)
          ? this.time.milliseconds()
          : -1;
    if (info.firstOffset > this._logEndOffset && !this.config.cleanupPolicy.compact) {
      // A gap (the leader's log was compacted): start a segment there, so offsets inside
      // every segment stay contiguous and recovery can check them.
      this.roll(info.firstOffset);
    } else {
      this.maybeRoll(info.validBytes, maxTs, info.firstOffset, info.lastOffset, now);
    }
    const data = info.validBytes === buf.length ? buf : buf.subarray(0, info.validBytes);
    this.activeSegment.append(data, batches);
    this._logEndOffset = info.lastOffset + 1;
    for (const b of batches) {
      const epoch = getInt32(buf, b.position + PARTITION_LEADER_EPOCH_OFFSET);
      if (epoch > this.leaderEpochCache.latestEpoch())
        this.leaderEpochCache.assign(epoch, b.baseOffset);
    }
    this.unflushedMessages += info.numRecords;
    if (
      this.unflushedMessages >= this.config.flushMessages ||
      (now >= 0 && now - this.lastFlushTime >= this.config.flushMs)
    )
      this.flush();
    return info;
  }

  /** Validates the batches of a produce or replica set without touching the log. */
  private scan(
    buf: Buffer,
    mode: 'leader' | 'follower',
    prevLast: number,
    allowControl = false,
  ): ScannedBatch[] {
    const out: ScannedBatch[] = [];
    let pos = 0;
    while (pos < buf.length) {
      if (
        mode === 'follower' &&
        (buf.length - pos < LOG_OVERHEAD ||
          getInt32(buf, pos + LENGTH_OFFSET) + LOG_OVERHEAD > buf.length - pos)
      )
        break; // fetch responses may end with a partial batch
      if (buf.length - pos >= LOG_OVERHEAD) {
        const declared = getInt32(buf, pos + LENGTH_OFFSET) + LOG_OVERHEAD;
        if (declared > this.config.maxMessageBytes + LOG_OVERHEAD && declared <= buf.length - pos)
          throw new KafkaError(
            'MESSAGE_TOO_LARGE',
            `batch of ${declared} bytes exceeds max.message.bytes=${this.config.maxMessageBytes}`,
          );
      }
      const size = validateBatch(buf, pos);
      const baseOffset = readInt64(buf, pos);
      const delta = getInt32(buf, pos + LAST_OFFSET_DELTA_OFFSET);
      const count = getInt32(buf, pos + RECORDS_COUNT_OFFSET);
      if (mode === 'leader') {
        if (!allowControl && getInt16(buf, pos + ATTRIBUTES_OFFSET) & CONTROL_FLAG_MASK)
          throw new KafkaError('INVALID_RECORD', 'clients may not produce control batches');
        if (count < 1 || delta !== count - 1)
          throw new KafkaError(
            'INVALID_RECORD',
            `batch with ${count} records has lastOffsetDelta ${delta}`,
          );
        if (this.config.cleanupPolicy.compact) {
          // As Kafka: every record of a compacted topic needs a key (decodes; compacted topics only).
          for (const r of records(buf.subarray(pos, pos + size)))
            if (r.key === null)
              throw new KafkaError(
                'INVALID_RECORD',
                `compacted topic ${this.topic} cannot accept a record without a key`,
              );
        }
      } else if (baseOffset <= prevLast) {
        throw new KafkaError(
          'INVALID_RECORD',
          `non-monotonic offsets: batch at ${baseOffset} after ${prevLast} (log end offset ${this._logEndOffset})`,
        );
      }
      prevLast = baseOffset + delta;
      out.push({
        position: pos,
        size,
        baseOffset,
        lastOffset: baseOffset + delta,
        maxTimestamp: readInt64(buf, pos + MAX_TIMESTAMP_OFFSET),
        records: count,
      });
      pos += size;
    }
    if (pos > this.config.segmentBytes)
      throw new KafkaError(
        'RECORD_LIST_TOO_LARGE',
        `${pos} bytes exceed segment.bytes=${this.config.segmentBytes}`,
      );
    return out;
  }

  private maybeRoll(
    bytes: number,
    maxTs: number,
    firstOffset: number,
    lastOffset: number,
    now: number,
  ): void {
    const active = this.activeSegment;
    if (
      active.shouldRoll({
        segmentBytes: this.config.segmentBytes,
        rollMs: this.config.segmentMs - this.config.segmentJitterMs,
        incomingBytes: bytes,
        maxTimestampInIncoming: maxTs,
        lastOffsetInIncoming: lastOffset,
        now,
      })
    ) {
      this.roll(Math.max(firstOffset, this._logEndOffset));
    }
  }

  /** Starts a new active segment at `baseOffset` (default: the log end offset); flushes the old one. */
  roll(baseOffset = this._logEndOffset): LogSegment {
    this.ensureOpen();
    if (baseOffset < this._logEndOffset)
      throw new KafkaError(
        'OFFSET_OUT_OF_RANGE',
        `cannot roll at ${baseOffset}, below the log end offset ${this._logEndOffset}`,
      );
    const old = this.activeSegment;
    if (old.size === 0 && old.baseOffset === baseOffset) return old;
    if (old.size === 0) {
      // An empty active segment is replaced rather than left behind.
      this.segments.pop();
      old.deleteFiles();
    } else {
      old.onBecomeInactive();
      this._recoveryPoint = Math.max(this._recoveryPoint, Math.min(baseOffset, this._logEndOffset));
    }
    const seg = LogSegment.create(this.dir, baseOffset, this.segmentOpts());
    this.segments.push(seg);
    this.producerStateManager.mapEndOffset = this._logEndOffset;
    this.producerStateManager.takeSnapshot();
    this.logger.debug('rolled segment', { baseOffset });
    return seg;
  }

  // ---- read ----------------------------------------------------------------------------

  /**
   * Whole batches starting with the one holding `startOffset`, up to `maxBytes`, across
   * segments, as the file holds them. CRCs are not checked here, as in Kafka (a fetch sends
   * the file's bytes): every batch was checked on append, recovery checks those past the
   * recovery point after an unclean shutdown, and consumers check them (`check.crcs`).
   * OFFSET_OUT_OF_RANGE outside [logStartOffset, logEndOffset].
   */
  read(startOffset: number, maxBytes: number, opts: ReadOptions = {}): FetchDataInfo {
    this.ensureOpen();
    if (startOffset < this._logStartOffset || startOffset > this._logEndOffset)
      throw new KafkaError(
        'OFFSET_OUT_OF_RANGE',
        `offset ${startOffset} outside [${this._logStartOffset}, ${this._logEndOffset}] of ${this.topic}-${this.partition}`,
      );
    const maxOffset = Math.min(opts.maxOffset ?? this._logEndOffset, this._logEndOffset);
    const minOne = opts.minOneMessage ?? true;
    const parts: Buffer[] = [];
    let total = 0;
    let firstOffset = -1;
    let offset = startOffset;
    let i = this.segmentIndexFor(offset);
    while (i < this.segments.length && offset < maxOffset) {
      const seg = this.segments[i];
      const loc = seg.translateOffset(offset);
      if (!loc) {
        i++;
        if (i < this.segments.length) offset = Math.max(offset, this.segments[i].baseOffset);
        continue;
      }
      if (loc.baseOffset >= maxOffset || loc.lastOffset >= maxOffset) break;
      let want = Math.min(maxBytes - total, seg.size - loc.position);
      if (want < loc.size) {
        if (total > 0 || !minOne) break;
        want = loc.size;
      }
      const bytes = seg.readRange(loc.position, want);
      // Keep whole batches below maxOffset.
      let end = 0;
      let lastOffset = -1;
      while (end + LOG_OVERHEAD <= bytes.length) {
        const size = getInt32(bytes, end + LENGTH_OFFSET) + LOG_OVERHEAD;
        if (size < RECORD_BATCH_OVERHEAD || end + size > bytes.length) break;
        const last = readInt64(bytes, end) + getInt32(bytes, end + LAST_OFFSET_DELTA_OFFSET);
        if (last >= maxOffset) break;
        lastOffset = last;
        end += size;
      }
      if (end === 0) break;
      if (firstOffset < 0) firstOffset = readInt64(bytes, 0);
      parts.push(end === bytes.length ? bytes : bytes.subarray(0, end));
      total += end;
      offset = lastOffset + 1;
      seg.rememberReadEnd(offset, loc.position + end, bytes, end);
      if (end < bytes.length || loc.position + end < seg.size || total >= maxBytes) break;
      i++;
    }
    return { records: parts.length === 1 ? parts[0] : Buffer.concat(parts, total), firstOffset };
  }

  private segmentIndexFor(offset: number): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    let found = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.segments[mid].baseOffset <= offset) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  /**
   * The first record with timestamp >= `timestamp` (ListOffsets by time): its offset and
   * timestamp, or null when there is none.
   */
  offsetForTimestamp(timestamp: number): { offset: number; timestamp: number } | null {
    this.ensureOpen();
    for (const seg of this.segments) {
      if (seg.size === 0 || seg.largestTimestamp() < timestamp) continue;
      const entry = seg.timeIndex.lookup(timestamp);
      const startOffset = Math.max(entry.offset, this._logStartOffset);
      const loc = seg.translateOffset(startOffset);
      if (!loc) continue;
      for (const b of seg.scanFrom(loc.position)) {
        const bytes = seg.readRange(b.position, b.size);
        if (readInt64(bytes, MAX_TIMESTAMP_OFFSET) < timestamp) continue;
        for (const r of records(bytes)) {
          if (r.timestamp >= timestamp && r.offset >= this._logStartOffset)
            return { offset: r.offset, timestamp: r.timestamp };
        }
      }
    }
    return null;
  }

  // ---- truncation ----------------------------------------------------------------------

  /**
   * Removes everything at or above `offset` (a follower cutting a divergent tail).
   * Returns true when something was removed.
   */
  truncateTo(offset: number): boolean {
    this.ensureOpen();
    if (offset < 0) throw new KafkaError('OFFSET_OUT_OF_RANGE', `cannot truncate to ${offset}`);
    if (offset >= this._logEndOffset) return false;
    if (offset < this._logStartOffset) {
      this.truncateFullyAndStartAt(offset);
      return true;
    }
    while (this.segments.length > 1 && this.activeSegment.baseOffset >= offset) {
      this.segments.pop()!.deleteFiles();
    }
    const { firstRemovedBase } = this.activeSegment.truncateTo(offset);
    this._logEndOffset =
      firstRemovedBase !== null
        ? Math.min(offset, Math.max(firstRemovedBase, this.activeSegment.nextOffset))
        : offset;
    this._recoveryPoint = Math.min(this._recoveryPoint, this._logEndOffset);
    this.firstDirtyOffset = Math.min(this.firstDirtyOffset, this._logEndOffset);
    this.leaderEpochCache.truncateFromEnd(this._logEndOffset);
    this.producerStateManager.deleteSnapshotsAbove(this._logEndOffset);
    this.loadProducerState();
    this.logger.info('truncated', { offset, logEndOffset: this._logEndOffset });
    return true;
  }

  /** Deletes every segment and restarts the log, empty, at `offset`. */
  truncateFullyAndStartAt(offset: number): void {
    this.ensureOpen();
    for (const seg of this.segments.splice(0)) seg.deleteFiles();
    this.segments.push(LogSegment.create(this.dir, offset, this.segmentOpts()));
    this._logStartOffset = offset;
    this._logEndOffset = offset;
    this._recoveryPoint = offset;
    this.firstDirtyOffset = offset;
    this.leaderEpochCache.clear();
    this.producerStateManager.truncateFully(offset);
    this.logger.info('truncated fully', { offset });
  }

  // ---- retention -----------------------------------------------------------------------

  /** DeleteRecords: moves logStartOffset forward (never past the high watermark given). */
  maybeIncrementLogStartOffset(offset: number, highWatermark = this._logEndOffset): boolean {
    if (offset > highWatermark)
      throw new KafkaError(
        'OFFSET_OUT_OF_RANGE',
        `log start offset ${offset} above the high watermark ${highWatermark}`,
      );
    if (offset <= this._logStartOffset) return false;
    this._logStartOffset = offset;
    this.leaderEpochCache.truncateFromStart(offset);
    this.firstDirtyOffset = Math.max(this.firstDirtyOffset, offset);
    return true;
  }

  /**
   * Retention: with `delete` in cleanup.policy, whole old segments past retention.ms or
   * beyond retention.bytes go; always, segments wholly below logStartOffset go. Never the
   * active segment, never a segment not wholly below `highWatermark`. Returns the count.
   */
  deleteOldSegments(highWatermark = this._logEndOffset): number {
    this.ensureOpen();
    const now = this.time.milliseconds();
    let deleted = 0;
    const del = (pred: (seg: LogSegment, next: LogSegment) => boolean) => {
      while (this.segments.length > 1) {
        const seg = this.segments[0];
        const next = this.segments[1];
        if (next.baseOffset > highWatermark || !pred(seg, next)) break;
        this.segments.shift();
        seg.deleteFiles();
        deleted++;
      }
    };
    del((_seg, next) => next.baseOffset <= this._logStartOffset);
    if (this.config.cleanupPolicy.delete) {
      if (this.config.retentionMs >= 0)
        del((seg) => now - seg.largestTimestamp() > this.config.retentionMs);
      if (this.config.retentionBytes >= 0) {
        let diff = this.size() - this.config.retentionBytes;
        del((seg) => {
          if (diff - seg.size < 0) return false;
          diff -= seg.size;
          return true;
        });
      }
    }
    if (deleted > 0) {
      const start = this.segments[0].baseOffset;
      if (start > this._logStartOffset) {
        this._logStartOffset = start;
        this.leaderEpochCache.truncateFromStart(start);
      }
      this.firstDirtyOffset = Math.max(this.firstDirtyOffset, this._logStartOffset);
      this.logger.info('deleted old segments', { deleted, logStartOffset: this._logStartOffset });
    }
    return deleted;
  }

  /** Replaces `old` (same base offset) with a cleaned segment file; used by the cleaner. */
  replaceSegment(
    old: LogSegment,
    cleanedFile: string,
    droppedMarkers: ReadonlySet<number> = new Set(),
  ): boolean {
    const i = this.segments.indexOf(old);
    if (i < 0 || i === this.segments.length - 1 || old.deleted) {
      fs.rmSync(cleanedFile, { force: true });
      return false;
    }
    if (fs.statSync(cleanedFile).size === 0) {
      // Nothing left: the segment goes (offsets stay as they were; reads skip the gap).
      fs.rmSync(cleanedFile, { force: true });
      this.segments.splice(i, 1);
      old.deleteFiles();
      return true;
    }
    // The transaction index loses the entries of the markers the cleaner removed, in the
    // same swap: its .swap file is written first and only a .log.swap commits it (load()).
    const txnFile = old.txnIndex.file;
    const txns = old.txnIndex.allAbortedTxns();
    const keptTxns = txns.filter((t) => !droppedMarkers.has(t.lastOffset));
    if (keptTxns.length < txns.length) {
      const fd = fs.openSync(txnFile + SWAP_SUFFIX, 'w');
      try {
        fs.writeSync(fd, Buffer.concat(keptTxns.map(encodeAbortedTxn)));
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    }
    const swap = old.file + SWAP_SUFFIX;
    fs.renameSync(cleanedFile, swap);
    if (keptTxns.length < txns.length) fs.renameSync(txnFile + SWAP_SUFFIX, txnFile);
    old.close();
    fs.rmSync(old.offsetIndex.file, { force: true });
    fs.rmSync(old.timeIndex.file, { force: true });
    fs.renameSync(swap, old.file);
    old.deleted = true;
    const { segment } = LogSegment.open(this.dir, old.baseOffset, this.segmentOpts());
    segment.recover(Number.MAX_SAFE_INTEGER);
    segment.flush();
    this.segments[i] = segment;
    return true;
  }

  // ---- flush, close, delete ------------------------------------------------------------

  /**
   * fsync all segments holding unflushed data (each file only when written since its last
   * fsync); the recovery point moves to the log end.
   */
  flush(): void {
    this.ensureOpen();
    for (const seg of this.segmentsToFlush()) seg.flush();
    this._recoveryPoint = this._logEndOffset;
    this.unflushedMessages = 0;
    this.lastFlushTime = this.time.milliseconds();
  }

  /** Segments past the recovery point (the active one always), newest first. */
  private segmentsToFlush(): LogSegment[] {
    const out: LogSegment[] = [];
    for (let i = this.segments.length - 1; i >= 0; i--) {
      const next = this.segments[i + 1];
      if (next && next.baseOffset <= this._recoveryPoint) break;
      out.push(this.segments[i]);
    }
    return out;
  }

  /**
   * flush() with the fsyncs on the libuv pool, so that the logs of a broker flush
   * together rather than one after another (LogManager.close; Kafka flushes on a pool of
   * threads per log dir). The recovery point moves to the log end seen at the start.
   */
  async flushAsync(): Promise<void> {
    this.ensureOpen();
    const end = this._logEndOffset;
    await Promise.all(this.segmentsToFlush().map((seg) => seg.flushAsync()));
    if (this.closed) return;
    this._recoveryPoint = Math.max(this._recoveryPoint, Math.min(end, this._logEndOffset));
    if (this._logEndOffset === end) {
      this.unflushedMessages = 0;
      this.lastFlushTime = this.time.milliseconds();
    }
  }

  /** Runs the flush.ms policy (called periodically by the LogManager). */
  flushIfDue(now = this.time.milliseconds()): boolean {
    if (this.unflushedMessages > 0 && now - this.lastFlushTime >= this.config.flushMs) {
      this.flush();
      return true;
    }
    return false;
  }

  updateConfig(config: LogConfig | Record<string, string | number>): void {
    this.config = isLogConfig(config) ? config : logConfig(config);
    for (const s of this.segments) s.indexIntervalBytes = this.config.indexIntervalBytes;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Flushes and closes every segment. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.leaderEpochCache.close(true);
    this.producerStateManager.mapEndOffset = this._logEndOffset;
    this.producerStateManager.takeSnapshot();
    for (const seg of this.segments) seg.close();
    this.closed = true;
  }

  /**
   * close() with its fsyncs (dirty segments and indexes, the producer-state snapshot) on
   * the libuv pool, so that a LogManager closes its logs together rather than one after
   * another (Kafka closes them on a pool of threads per log dir).
   */
  async closeAsync(): Promise<void> {
    if (this.closed) return;
    await this.flushAsync();
    if (this.closed) return;
    this.producerStateManager.mapEndOffset = this._logEndOffset;
    await this.producerStateManager.takeSnapshotAsync();
    // a leader-epoch checkpoint write still under way (a follower's truncation just before
    // the shutdown) finishes on the pool; else close() would write it again, synchronously
    // (thousands of fsyncs one after another on the event loop after a controlled shutdown)
    await this.leaderEpochCache.flushed().catch(() => undefined);
    this.close(); // nothing left to fsync unless the log was written meanwhile
  }

  /** Closes and removes the log directory. */
  delete(): void {
    this.leaderEpochCache.close(false);
    if (!this.closed) {
      for (const seg of this.segments) seg.close();
      this.closed = true;
    }
    // Retries: an asynchronous leader-epoch checkpoint write may be creating its temp file.
    fs.rmSync(this.dir, { recursive: true, force: true, maxRetries: 3 });
  }

  private ensureOpen(): void {
    if (this.closed) throw new KafkaError('KAFKA_STORAGE_ERROR', `log ${this.dir} is closed`);
  }
}

/** The end-transaction marker of the control batch at `pos` (null for an unknown control record). */
function endTxnMarkerOf(
  buf: Buffer,
  pos: number,
): { type: 'COMMIT' | 'ABORT'; coordinatorEpoch: number } | null {
  try {
    return readEndTxnMarker(buf, pos);
  } catch {
    return null;
  }
}

function isLogConfig(c: LogConfig | Record<string, string | number>): c is LogConfig {
  return typeof (c as LogConfig).cleanupPolicy === 'object';
}
