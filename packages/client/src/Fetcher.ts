/**
 * Fetcher and SubscriptionState, as in Kafka's consumer. SubscriptionState holds each
 * assigned partition's position (next offset to return), pause flag and reset need.
 * The Fetcher keeps one Fetch in flight per broker covering all fetchable partitions
 * it leads (long polling with `fetch.max.wait.ms`/`fetch.min.bytes`), and fetches ahead:
 * the next Fetch goes out as soon as a response arrives, from the offset after the
 * last batch received, while earlier data is still being consumed. Records are decoded
 * lazily from the buffered batches; records before the position (the rest of the
 * batch that contains it) are skipped.
 */
import {
  KafkaError,
  SystemTime,
  type Logger,
  type ScheduledTask,
  type Time,
  tpKey,
  type TopicPartition,
  getInt16,
  getInt32,
} from '@kzoo/common';
import { ApiKeys, type FetchRequest, type FetchResponse } from '@kzoo/protocol';
import {
  CONTROL_FLAG_MASK,
  ATTRIBUTES_OFFSET,
  LAST_OFFSET_DELTA_OFFSET,
  PRODUCER_ID_OFFSET,
  TRANSACTIONAL_FLAG_MASK,
  readEndTxnMarker,
  batchSizeAt,
  readInt64,
  RecordReader,
  validateBatch,
  type RecordHeader,
} from '@kzoo/records';
import type { Metadata } from './Metadata';
import { logRetry, type NetworkClient } from './NetworkClient';

export type { TopicPartition } from '@kzoo/common';

/** A record as the consumer returns it. */
export interface ConsumerRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

export type OffsetResetStrategy = 'earliest' | 'latest' | 'none';

/**
 * Fetched bytes of one partition, consumed record by record. Control batches are
 * skipped; with read_committed, `aborted` (the fetch's aborted transactions) drops the
 * batches of aborted transactions, as Kafka's CompletedFetch does: a producer is
 * "aborted" from its transaction's first offset until its ABORT marker.
 */
export class CompletedFetch {
  pos = 0;
  private iter: RecordReader | undefined;
  /** Where the batch `iter` reads starts in `bytes`. */
  private iterStart = 0;
  /** Aborted transactions not reached yet, by first offset. */
  private readonly abortedQueue: Array<{ producerId: number; firstOffset: number }>;
  private readonly abortedProducers = new Set<number>();
  constructor(
    readonly state: PartitionState,
    readonly epoch: number,
    readonly bytes: Buffer,
    aborted: ReadonlyArray<{ producerId: number; firstOffset: number }> | null = null,
  ) {
    this.abortedQueue = aborted ? [...aborted].sort((a, b) => a.firstOffset - b.firstOffset) : [];
  }

  /** Next record at or after the partition position, or undefined when drained. */
  next(checkCrcs: boolean): ConsumerRecord | undefined {
    const position = this.state.position!;
    for (;;) {
      const it = this.iter;
      if (it) {
        let more: boolean;
        try {
          more = it.advance();
        } catch (e) {
          // A garbled record (check.crcs off): back to its batch's start, so the next call
          // skips the records already returned and fails on this one again.
          this.iter = undefined;
          this.pos = this.iterStart;
          throw e;
        }
        if (more) {
          if (it.offset < position) continue;
          // The consumer's record itself (one object per record).
          return {
            topic: this.state.topic,
            partition: this.state.partition,
            offset: it.offset,
            timestamp: it.timestamp,
            key: it.key,
            value: it.value,
            headers: it.headers,
          };
        }
        this.iter = undefined;
        // Past the batch's last offset, even when compaction removed its last records or
        // left it empty (Kafka's CompletedFetch: nextFetchOffset = batch.nextOffset()).
        const batchEnd =
          readInt64(this.bytes, this.iterStart) +
          getInt32(this.bytes, this.iterStart + LAST_OFFSET_DELTA_OFFSET) +
          1;
        if (this.state.position! < batchEnd) this.state.position = batchEnd;
      }
      const size = batchSizeAt(this.bytes, this.pos);
      if (size < 0) return undefined;
      const start = this.pos;
      const end = start + size;
      const lastOffset =
        readInt64(this.bytes, start) + getInt32(this.bytes, start + LAST_OFFSET_DELTA_OFFSET);
      if (lastOffset < position) {
        this.pos = end;
        continue;
      }
      const attributes = getInt16(this.bytes, start + ATTRIBUTES_OFFSET);
      if (this.abortedQueue.length > 0 || this.abortedProducers.size > 0) {
        while (this.abortedQueue.length > 0 && this.abortedQueue[0].firstOffset <= lastOffset)
          this.abortedProducers.add(this.abortedQueue.shift()!.producerId);
        const pid = readInt64(this.bytes, start + PRODUCER_ID_OFFSET);
        if (attributes & CONTROL_FLAG_MASK) {
          if (this.abortedProducers.has(pid) && isAbortMarker(this.bytes, start, size))
            this.abortedProducers.delete(pid);
        } else if (attributes & TRANSACTIONAL_FLAG_MASK && this.abortedProducers.has(pid)) {
          this.pos = end;
          this.state.position = lastOffset + 1;
          continue;
        }
      }
      if (attributes & CONTROL_FLAG_MASK) {
        this.pos = end;
        this.state.position = lastOffset + 1;
        continue;
      }
      const batch = this.bytes.subarray(start, end);
      // A corrupt batch throws here and stays where it is: the next poll fails on it again
      // until the application seeks past it, as Kafka's CompletedFetch does.
      if (checkCrcs) validateBatch(batch, 0);
      this.pos = end;
      this.iterStart = start;
      this.iter = new RecordReader(batch, 0);
    }
  }
}

function isAbortMarker(bytes: Buffer, start: number, size: number): boolean {
  try {
    return readEndTxnMarker(bytes.subarray(start, start + size))?.type === 'ABORT';
  } catch {
    return false;
  }
}

export class PartitionState {
  /** Next offset the application gets; null until set by seek or an offset reset. */
  position: number | null = null;
  /** Next offset to fetch (runs ahead of position while data is buffered). */
  fetchOffset: number | null = null;
  paused = false;
  highWatermark = -1;
  logStartOffset = -1;
  /** Bumped by every seek: fetches sent before it are discarded. */
  epoch = 0;
  resetStrategy: OffsetResetStrategy | null = null;
  resetInFlight = false;
  /** Set on NOT_LEADER_OR_FOLLOWER and the like: no fetch until metadata is refreshed. */
  awaitingMetadata = false;
  readonly buffered: CompletedFetch[] = [];
  bufferedBytes = 0;

  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {}

  get key(): string {
    return tpKey(this);
  }

  seek(offset: number): void {
    this.position = offset;
    this.fetchOffset = offset;
    this.resetStrategy = null;
    this.epoch++;
    this.buffered.length = 0;
    this.bufferedBytes = 0;
  }
}

export interface FetcherOptions {
  minBytes: number;
  maxWaitMs: number;
  maxBytes: number;
  maxPartitionBytes: number;
  isolationLevel: number;
  checkCrcs: boolean;
  requestTimeoutMs: number;
  retryBackoffMs: number;
  defaultResetStrategy: OffsetResetStrategy;
  /** The clock of waits and backoffs (default: the system clock). */
  time?: Time;
}

export class Fetcher {
  readonly states = new Map<string, PartitionState>();
  private readonly inFlight = new Set<number>();
  private readonly nodeBackoffUntil = new Map<number, number>();
  private waiters: Array<() => void> = [];
  private closed = false;
  /** The first error a background fetch or reset met, surfaced by the next poll. */
  private pendingError: Error | undefined;
  private retryTimer: ScheduledTask | undefined;
  private readonly time: Time;

  constructor(
    private readonly metadata: Metadata,
    private readonly network: NetworkClient,
    private readonly opts: FetcherOptions,
    private readonly log: Logger,
  ) {
    this.time = opts.time ?? SystemTime;
  }

  assign(tps: TopicPartition[]): void {
    const next = new Map<string, PartitionState>();
    for (const tp of tps) {
      const k = tpKey(tp);
      next.set(k, this.states.get(k) ?? new PartitionState(tp.topic, tp.partition));
    }
    this.states.clear();
    for (const [k, s] of next) this.states.set(k, s);
    for (const tp of tps) this.metadata.add(tp.topic);
  }

  state(tp: TopicPartition): PartitionState {
    const s = this.states.get(tpKey(tp));
    if (!s)
      throw new KafkaError(
        'INVALID_REQUEST',
        `partition ${tp.topic}-${tp.partition} is not assigned to this consumer`,
      );
    return s;
  }

  takeError(): Error | undefined {
    const e = this.pendingError;
    this.pendingError = undefined;
    return e;
  }

  /** Waits until data or an error arrives, or `ms` passes. */
  waitForData(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        t.cancel();
        const i = this.waiters.indexOf(done);
        if (i >= 0) this.waiters.splice(i, 1);
        resolve();
      };
      const t = this.time.schedule('fetcher-wait', done, ms);
      this.waiters.push(done);
    });
  }

  private signal(): void {
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w();
  }

  /**
   * Takes up to `max` records from buffered fetches, advancing positions; returns
   * records of paused partitions never. A corrupt batch (check.crcs) throws, but only once
   * the records before it have been returned.
   */
  drain(max: number): ConsumerRecord[] {
    const out: ConsumerRecord[] = [];
    for (const s of this.states.values()) {
      if (s.paused) continue;
      while (out.length < max && s.buffered.length > 0) {
        const cf = s.buffered[0];
        let r: ConsumerRecord | undefined;
        try {
          r = cf.next(this.opts.checkCrcs);
        } catch (e) {
          // Records already taken are returned first (their positions are advanced); the
          // error comes on the next poll, which reaches the bad batch again (Kafka's
          // Fetcher.collectFetch does the same).
          if (out.length > 0) {
            this.rotate();
            return out;
          }
          throw e;
        }
        if (!r) {
          s.buffered.shift();
          s.bufferedBytes -= cf.bytes.length;
          continue;
        }
        out.push(r);
        s.position = r.offset + 1;
      }
      if (out.length >= max) break;
    }
    if (out.length > 0) this.rotate();
    return out;
  }

  /** Moves the first partition to the end so that partitions take turns across polls. */
  private rotate(): void {
    const first = this.states.keys().next();
    if (first.done) return;
    const s = this.states.get(first.value)!;
    this.states.delete(first.value);
    this.states.set(first.value, s);
  }

  hasBuffered(): boolean {
    for (const s of this.states.values()) if (!s.paused && s.buffered.length > 0) return true;
    return false;
  }

  /** Sends offset resets and fetches that are due. Never throws; errors surface in poll. */
  sendFetches(): void {
    if (this.closed) return;
    const cluster = this.metadata.cluster;
    const resets = new Map<number, PartitionState[]>();
    const fetches = new Map<number, PartitionState[]>();
    let needMetadata = false;
    let unavailableForMs = Infinity;
    const now = this.time.milliseconds();
    for (const s of this.states.values()) {
      const leader = cluster.leaderFor(s.topic, s.partition);
      if (leader < 0) {
        needMetadata = true;
        continue;
      }
      if (s.position === null) {
        if (s.resetInFlight) continue;
        const strategy = s.resetStrategy ?? this.opts.defaultResetStrategy;
        if (strategy === 'none') {
          this.pendingError ??= new KafkaError(
            'OFFSET_OUT_OF_RANGE',
            `no position for ${s.topic}-${s.partition} and auto.offset.reset=none`,
          );
          continue;
        }
        s.resetStrategy = strategy;
        const list = resets.get(leader);
        if (list) list.push(s);
        else resets.set(leader, [s]);
        continue;
      }
      if (s.awaitingMetadata) {
        needMetadata = true;
        continue;
      }
      if (s.paused || this.inFlight.has(leader)) continue;
      if ((this.nodeBackoffUntil.get(leader) ?? 0) > now) continue;
      // As Kafka's fetcher skips a node that client.isUnavailable: in reconnect backoff.
      const backoff = this.network.connectionDelay(leader, now);
      if (backoff > 0) {
        unavailableForMs = Math.min(unavailableForMs, backoff);
        continue;
      }
      if (s.bufferedBytes >= this.opts.maxPartitionBytes * 2) continue;
      const list = fetches.get(leader);
      if (list) list.push(s);
      else fetches.set(leader, [s]);
    }
    if (needMetadata) {
      this.metadata.requestUpdate();
      this.refreshMetadata();
    }
    for (const [node, states] of resets) void this.resetOffsets(node, states);
    for (const [node, states] of fetches) this.fetchFrom(node, states);
    if (unavailableForMs !== Infinity) this.retryLater(unavailableForMs);
  }

  private refreshMetadata(): void {
    if (this.closed) return;
    this.metadata.maybeUpdate().then(
      () => {
        for (const s of this.states.values()) s.awaitingMetadata = false;
        this.sendFetches();
      },
      (e: Error) => {
        if (this.closed) return;
        logRetry(this.log, 'metadata refresh failed', e);
        this.pendingError ??= e;
        this.signal();
        this.retryLater();
      },
    );
  }

  /** Runs sendFetches after `delayMs` (default retry.backoff.ms) unless a retry is pending. */
  private retryLater(delayMs = this.opts.retryBackoffMs): void {
    if (this.retryTimer || this.closed) return;
    this.retryTimer = this.time.schedule(
      'fetcher-retry',
      () => {
        this.retryTimer = undefined;
        this.sendFetches();
      },
      delayMs,
    );
  }

  private fetchFrom(node: number, states: PartitionState[]): void {
    const byTopic = new Map<string, FetchRequest['topics'][number]>();
    const sent = states.map((s) => ({ s, epoch: s.epoch, offset: s.fetchOffset! }));
    for (const { s, offset } of sent) {
      let t = byTopic.get(s.topic);
      if (!t) byTopic.set(s.topic, (t = { topic: s.topic, partitions: [] }));
      t.partitions.push({
        partition: s.partition,
        currentLeaderEpoch: -1,
        fetchOffset: offset,
        logStartOffset: -1,
        partitionMaxBytes: this.opts.maxPartitionBytes,
      });
    }
    const request: FetchRequest = {
      replicaId: -1,
      maxWaitMs: this.opts.maxWaitMs,
      minBytes: this.opts.minBytes,
      maxBytes: this.opts.maxBytes,
      isolationLevel: this.opts.isolationLevel,
      topics: [...byTopic.values()],
    };
    this.inFlight.add(node);
    this.network
      .connectionTo(node)
      .then((conn) =>
        conn.request(ApiKeys.Fetch, 0, request, {
          timeoutMs: this.opts.requestTimeoutMs + this.opts.maxWaitMs,
        }),
      )
      .then(
        (res) => {
          this.inFlight.delete(node);
          this.onFetchResponse(sent, res);
          this.sendFetches();
        },
        (e: Error) => {
          this.inFlight.delete(node);
          this.log.debug('fetch failed', { node, error: e.message });
          this.nodeBackoffUntil.set(node, this.time.milliseconds() + this.opts.retryBackoffMs);
          this.metadata.requestUpdate();
          if (!(e instanceof KafkaError && e.retriable)) this.pendingError ??= e;
          this.signal();
          this.refreshMetadata();
          this.retryLater();
        },
      );
  }

  private onFetchResponse(
    sent: Array<{ s: PartitionState; epoch: number; offset: number }>,
    res: FetchResponse,
  ): void {
    if (res.errorCode !== 0) {
      const err = new KafkaError(res.errorCode, 'fetch');
      if (!err.retriable) this.pendingError ??= err;
      this.metadata.requestUpdate();
      this.signal();
      return;
    }
    const byKey = new Map<string, FetchResponse['responses'][number]['partitions'][number]>();
    for (const t of res.responses)
      for (const p of t.partitions) byKey.set(tpKey(t.topic, p.partitionIndex), p);
    let got = false;
    for (const { s, epoch, offset } of sent) {
      const p = byKey.get(s.key);
      // Discard data for partitions unassigned or sought since the request left.
      if (!p || this.states.get(s.key) !== s || s.epoch !== epoch || s.fetchOffset !== offset)
        continue;
      if (p.errorCode === 0) {
        s.highWatermark = p.highWatermark;
        s.logStartOffset = p.logStartOffset;
        const bytes = p.records;
        if (bytes.length === 0) continue;
        // Advance the fetch offset past the last complete batch.
        let pos = 0;
        let next = offset;
        for (;;) {
          const size = batchSizeAt(bytes, pos);
          if (size < 0) break;
          next = readInt64(bytes, pos) + getInt32(bytes, pos + LAST_OFFSET_DELTA_OFFSET) + 1;
          pos += size;
        }
        if (pos === 0) {
          if (bytes.length >= this.opts.maxPartitionBytes)
            this.pendingError ??= new KafkaError(
              'RECORD_LIST_TOO_LARGE',
              `a batch at offset ${offset} of ${s.topic}-${s.partition} is larger than max.partition.fetch.bytes`,
            );
          continue;
        }
        if (next > s.fetchOffset!) s.fetchOffset = next;
        s.buffered.push(
          new CompletedFetch(s, epoch, bytes.subarray(0, pos), p.abortedTransactions ?? null),
        );
        s.bufferedBytes += pos;
        got = true;
      } else {
        this.onPartitionError(s, new KafkaError(p.errorCode, tpKey(s)));
        got = true;
      }
    }
    if (got) this.signal();
  }

  private onPartitionError(s: PartitionState, err: KafkaError): void {
    if (err.is('OFFSET_OUT_OF_RANGE')) {
      const strategy = this.opts.defaultResetStrategy;
      if (strategy === 'none') {
        this.pendingError ??= new KafkaError(
          'OFFSET_OUT_OF_RANGE',
          `fetch offset ${s.fetchOffset} is out of range for ${s.topic}-${s.partition}`,
        );
        return;
      }
      this.log.info('offset out of range, resetting', {
        partition: tpKey(s),
        offset: s.fetchOffset,
        strategy,
      });
      s.position = null;
      s.fetchOffset = null;
      s.buffered.length = 0;
      s.bufferedBytes = 0;
      s.epoch++;
      s.resetStrategy = strategy;
      return;
    }
    if (err.retriable) {
      this.log.debug('partition error, refreshing metadata', {
        partition: tpKey(s),
        error: err.errorName,
      });
      s.awaitingMetadata = true;
      this.metadata.requestUpdate();
      return;
    }
    this.pendingError ??= err;
  }

  private async resetOffsets(node: number, states: PartitionState[]): Promise<void> {
    for (const s of states) s.resetInFlight = true;
    const epochs = states.map((s) => s.epoch);
    const byTopic = new Map<
      string,
      {
        name: string;
        partitions: Array<{
          partitionIndex: number;
          currentLeaderEpoch: number;
          timestamp: number;
        }>;
      }
    >();
    for (const s of states) {
      let t = byTopic.get(s.topic);
      if (!t) byTopic.set(s.topic, (t = { name: s.topic, partitions: [] }));
      t.partitions.push({
        partitionIndex: s.partition,
        currentLeaderEpoch: -1,
        timestamp: s.resetStrategy === 'earliest' ? -2 : -1,
      });
    }
    try {
      const conn = await this.network.connectionTo(node);
      const res = await conn.request(ApiKeys.ListOffsets, 0, {
        replicaId: -1,
        isolationLevel: this.opts.isolationLevel,
        topics: [...byTopic.values()],
      });
      const byKey = new Map<string, { errorCode: number; offset: number }>();
      for (const t of res.topics)
        for (const p of t.partitions) byKey.set(tpKey(t.name, p.partitionIndex), p);
      states.forEach((s, i) => {
        s.resetInFlight = false;
        const p = byKey.get(s.key);
        if (this.states.get(s.key) !== s || s.epoch !== epochs[i] || s.position !== null) return;
        if (!p) return;
        if (p.errorCode === 0) {
          s.position = p.offset;
          s.fetchOffset = p.offset;
          s.resetStrategy = null;
          return;
        }
        const err = new KafkaError(p.errorCode, `ListOffsets ${s.topic}-${s.partition}`);
        if (err.retriable) this.metadata.requestUpdate();
        else this.pendingError ??= err;
      });
    } catch (e) {
      for (const s of states) s.resetInFlight = false;
      this.metadata.requestUpdate();
      if (!(e instanceof KafkaError && e.retriable)) this.pendingError ??= e as Error;
      this.nodeBackoffUntil.set(node, this.time.milliseconds() + this.opts.retryBackoffMs);
    }
    this.signal();
    if (states.some((s) => s.position === null)) this.retryLater();
    else this.sendFetches();
  }

  close(): void {
    this.closed = true;
    this.retryTimer?.cancel();
    this.signal();
  }
}
