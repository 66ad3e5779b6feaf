/**
 * ReplicaFetcherThread: one follower's fetch loop against one source broker (Kafka's
 * AbstractFetcherThread + ReplicaFetcherThread), for every partition this broker
 * follows there. Each partition is first `Truncating`, then `Fetching`:
 *
 * - Truncating (KIP-101/279): OffsetsForLeaderEpoch(latest epoch in the local
 *   leader-epoch cache). The leader answers its largest epoch <= that and the epoch's
 *   end offset. Same epoch here → truncate to min(leader end offset, own end offset of
 *   that epoch, LEO) and start fetching. The leader's epoch unknown here → truncate to
 *   the end of the largest local epoch below it and ask again. No epoch locally, or the
 *   leader cannot answer (UNDEFINED offset) → truncate to the HW.
 * - Fetching: one Fetch (replicaId = this broker) for all fetching partitions,
 *   long-polled (`replica.fetch.wait.max.ms`, `replica.fetch.min.bytes`), with each
 *   partition's currentLeaderEpoch; the batches are appended as they are, the follower
 *   HW is min(leader HW, own LEO).
 *
 * Errors: FENCED_LEADER_EPOCH drops the partition until the next LeaderAndIsr;
 * OFFSET_OUT_OF_RANGE goes back to Truncating (or restarts the log at the leader's log
 * start offset when that is past our LEO); other errors and a lost connection back off
 * `replica.fetch.backoff.ms`.
 */
import {
  ErrorCode,
  errorDef,
  Logger,
  RepeatedWarning,
  SystemTime,
  type Time,
  tpKey,
} from '@kzoo/common';
import {
  Connection,
  type FetchRequestTopic,
  type FetchResponse,
  type OffsetForLeaderTopic,
} from '@kzoo/protocol';
import type { LeaderEpochFileCache } from '@kzoo/log';
import type { Partition } from './Partition';
import {
  UNBOUNDED_QUOTA,
  recordFollowerFetch,
  shouldFollowerThrottle,
  type ReplicaQuota,
} from './ReplicationQuotaManager';

/**
 * Kafka's getOffsetTruncationState (KIP-101/279): where a follower with log end offset
 * `leo` cuts its log, given the leader's answer (its largest epoch <= ours and that
 * epoch's end offset; `leaderEndOffset` >= 0). `completed` false: the leader's epoch is
 * not in our cache; after the cut, ask again with our (now lower) latest epoch.
 */
export function truncationPoint(
  cache: Pick<LeaderEpochFileCache, 'endOffsetFor'>,
  leo: number,
  leaderEpoch: number,
  leaderEndOffset: number,
): { offset: number; completed: boolean } {
  if (leaderEpoch < 0) return { offset: Math.min(leaderEndOffset, leo), completed: true };
  const local = cache.endOffsetFor(leaderEpoch, leo);
  if (local.epoch === leaderEpoch)
    return { offset: Math.min(leaderEndOffset, local.endOffset, leo), completed: true };
  if (local.epoch >= 0) return { offset: Math.min(local.endOffset, leo), completed: false };
  return { offset: Math.min(leaderEndOffset, leo), completed: true };
}

export interface FetcherConfig {
  brokerId: number;
  /** replica.fetch.wait.max.ms */
  maxWaitMs: number;
  /** replica.fetch.min.bytes */
  minBytes: number;
  /** replica.fetch.max.bytes (per partition) */
  maxBytes: number;
  /** replica.fetch.response.max.bytes */
  responseMaxBytes: number;
  /** replica.fetch.backoff.ms */
  backoffMs: number;
  /** Socket timeout for the fetcher's requests. */
  requestTimeoutMs: number;
  /** The clock of backoffs and waits (default: the system clock). */
  time?: Time;
  /** The follower replication quota (default: unbounded). */
  quota?: ReplicaQuota;
}

export interface SourceBroker {
  id: number;
  host: string;
  port: number;
}

interface FetchState {
  partition: Partition;
  currentLeaderEpoch: number;
  state: 'Truncating' | 'Fetching';
  fetchOffset: number;
  /** Not before this time (backoff after an error). */
  delayedUntil: number;
  /** Caught up with the leader's HW after the last fetch that brought data (Kafka: lag 0). */
  inSync?: boolean;
  /**
   * Kafka's FetcherLagMetrics ConsumerLag: the leader's HW minus our next offset after the
   * last fetch that answered for this partition (0 once caught up); undefined before one.
   */
  lag?: number;
}

/** Kafka's FetcherStats and FetcherLagMetrics of one fetcher thread (`/metrics`). */
export interface FetcherMetrics {
  /** Kafka's thread name, its metrics' clientId: ReplicaFetcherThread-0-<source broker>. */
  clientId: string;
  /** Fetch requests sent (RequestsPerSec's count). */
  requests: number;
  /** Bytes of batches appended from its responses (BytesPerSec's count). */
  bytes: number;
  /**
   * Partition fetches put off by replica.fetch.backoff.ms (an error, a lost connection, a
   * quota): kzoo's count, not Kafka's; under a steady load each holds the partition's HW.
   */
  backoffs: number;
  lags: Array<{ topic: string; partition: number; lag: number }>;
}

export class ReplicaFetcherThread {
  private readonly states = new Map<string, FetchState>();
  private conn: Connection | null = null;
  private running = false;
  private stopped = false;
  private wake: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private paused = false;
  private requestInFlight: Promise<unknown> | null = null;
  private readonly time: Time;
  /** A fetch failure that repeats every backoff (a leader down or unresolvable) warns once per 30 s. */
  private readonly failures: RepeatedWarning;
  private requests = 0;
  private bytes = 0;
  private backoffs = 0;

  constructor(
    readonly source: SourceBroker,
    private readonly cfg: FetcherConfig,
    private readonly log: Logger,
    private readonly stateLog: Logger,
  ) {
    this.time = cfg.time ?? SystemTime;
    this.failures = new RepeatedWarning(log, this.time);
  }

  get partitionCount(): number {
    return this.states.size;
  }

  /** Starts fetching `partition` (from Truncating) for `leaderEpoch`. */
  addPartition(partition: Partition, leaderEpoch: number): void {
    this.states.set(partition.key, {
      partition,
      currentLeaderEpoch: leaderEpoch,
      state: 'Truncating',
      fetchOffset: partition.logEndOffset,
      delayedUntil: 0,
    });
    this.start();
    this.signal();
  }

  removePartition(key: string): void {
    this.states.delete(key);
  }

  has(key: string): boolean {
    return this.states.has(key);
  }

  metrics(): FetcherMetrics {
    const lags: FetcherMetrics['lags'] = [];
    for (const s of this.states.values())
      if (s.lag !== undefined)
        lags.push({ topic: s.partition.topic, partition: s.partition.partition, lag: s.lag });
    return {
      clientId: `ReplicaFetcherThread-0-${this.source.id}`,
      requests: this.requests,
      bytes: this.bytes,
      backoffs: this.backoffs,
      lags,
    };
  }

  /**
   * Fault injection (tests, experiments): stop sending requests, like a follower that
   * froze; resolves once no request of this thread is in flight.
   */
  async pause(): Promise<void> {
    this.paused = true;
    await this.requestInFlight?.catch(() => undefined);
  }

  resume(): void {
    this.paused = false;
    this.signal();
  }

  private start(): void {
    if (this.running || this.stopped) return;
    this.running = true;
    this.loop = this.run().finally(() => (this.running = false));
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    this.states.clear();
    this.signal();
    await this.conn?.close();
    this.conn = null;
    await this.loop;
  }

  private signal(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = this.time.schedule(
        'replica-fetcher-wait',
        () => {
          this.wake = null;
          resolve();
        },
        ms,
      );
      this.wake = () => {
        t.cancel();
        resolve();
      };
    });
  }

  private async connection(): Promise<Connection> {
    if (this.conn && !this.conn.closed) return this.conn;
    const conn = await Connection.connect({
      host: this.source.host,
      port: this.source.port,
      clientId: `broker-${this.cfg.brokerId}-fetcher-${this.source.id}`,
      requestTimeoutMs: this.cfg.requestTimeoutMs,
      connectTimeoutMs: this.cfg.requestTimeoutMs,
      logger: this.log,
    });
    if (this.stopped) {
      void conn.close();
      throw new Error('fetcher stopped');
    }
    this.conn = conn;
    return conn;
  }

  private async run(): Promise<void> {
    while (!this.stopped && this.states.size > 0) {
      try {
        const now = this.time.milliseconds();
        if (this.paused) {
          await this.sleep(1000);
          continue;
        }
        const ready = [...this.states.values()].filter((s) => s.delayedUntil <= now);
        const truncating = ready.filter((s) => s.state === 'Truncating');
        const fetching = ready.filter((s) => s.state === 'Fetching' && !this.throttled(s));
        if (truncating.length > 0) {
          await this.track(this.truncate(truncating));
          this.failures.reset();
        } else if (fetching.length > 0) {
          await this.track(this.fetch(fetching));
          this.failures.reset();
        } else {
          const next = Math.min(...[...this.states.values()].map((s) => s.delayedUntil));
          await this.sleep(Math.max(1, next - now));
        }
      } catch (e) {
        if (this.stopped) break;
        this.failures.warn(
          'replica fetch from the leader failed; backing off',
          (e as Error).message,
          {
            sourceBroker: this.source.id,
          },
        );
        void this.conn?.close();
        this.conn = null;
        this.backoffs += this.states.size;
        await this.sleep(this.cfg.backoffMs);
      }
    }
  }

  /**
   * Kafka's shouldFollowerThrottle: a throttled partition out of sync is left out of the
   * fetch while the follower quota is exceeded, and asked again after replica.fetch.backoff.ms.
   */
  private throttled(s: FetchState): boolean {
    if (!shouldFollowerThrottle(this.cfg.quota ?? UNBOUNDED_QUOTA, s.inSync === true, s.partition))
      return false;
    this.delay(s);
    return true;
  }

  private track(p: Promise<void>): Promise<void> {
    this.requestInFlight = p;
    return p.finally(() => (this.requestInFlight = null));
  }

  private delay(s: FetchState): void {
    s.delayedUntil = this.time.milliseconds() + this.cfg.backoffMs;
    this.backoffs++;
  }

  /** The state of `key` if it is still the one a request was built from. */
  private current(s: FetchState): boolean {
    return this.states.get(s.partition.key) === s;
  }

  // ---------------------------------------------------------------- truncation

  private async truncate(list: FetchState[]): Promise<void> {
    const ask: FetchState[] = [];
    for (const s of list) {
      const epoch = s.partition.log.leaderEpochCache.latestEpoch();
      if (epoch < 0) this.truncateToHighWatermark(s, 'no leader epoch in the local log');
      else ask.push(s);
    }
    if (ask.length === 0) return;
    const byTopic = new Map<string, OffsetForLeaderTopic>();
    const epochs = new Map<FetchState, number>();
    for (const s of ask) {
      const epoch = s.partition.log.leaderEpochCache.latestEpoch();
      epochs.set(s, epoch);
      let t = byTopic.get(s.partition.topic);
      if (!t) byTopic.set(s.partition.topic, (t = { topic: s.partition.topic, partitions: [] }));
      t.partitions.push({
        partition: s.partition.partition,
        currentLeaderEpoch: s.currentLeaderEpoch,
        leaderEpoch: epoch,
      });
    }
    const conn = await this.connection();
    const res = await conn.request(23, 0, {
      replicaId: this.cfg.brokerId,
      topics: [...byTopic.values()],
    });
    const results = new Map<string, (typeof res.topics)[0]['partitions'][0]>();
    for (const t of res.topics)
      for (const p of t.partitions) results.set(tpKey(t.topic, p.partition), p);
    for (const s of ask) {
      if (!this.current(s)) continue;
      const r = results.get(s.partition.key);
      if (!r) {
        this.delay(s);
        continue;
      }
      if (r.errorCode === ErrorCode.FENCED_LEADER_EPOCH) {
        this.onFenced(s, 'OffsetsForLeaderEpoch');
        continue;
      }
      if (r.errorCode !== 0) {
        // Kafka: "Retrying leaderEpoch request for partition ... as the leader reported an error" (INFO).
        this.log.info('OffsetsForLeaderEpoch error from the leader; retrying after the backoff', {
          partition: s.partition.key,
          sourceBroker: this.source.id,
          error: errorName(r.errorCode),
        });
        this.delay(s);
        continue;
      }
      this.applyEpochEndOffset(s, epochs.get(s)!, r.leaderEpoch, r.endOffset);
    }
  }

  /** Kafka's getOffsetTruncationState, then the truncation. */
  private applyEpochEndOffset(
    s: FetchState,
    askedEpoch: number,
    leaderEpoch: number,
    leaderEndOffset: number,
  ): void {
    const p = s.partition;
    const leo = p.logEndOffset;
    if (leaderEndOffset < 0) {
      this.truncateToHighWatermark(s, 'the leader has no end offset for our epoch');
      return;
    }
    const { offset, completed } = truncationPoint(
      p.log.leaderEpochCache,
      leo,
      leaderEpoch,
      leaderEndOffset,
    );
    this.stateLog.info('truncation point from the leader', {
      partition: p.key,
      leader: this.source.id,
      askedEpoch,
      leaderEpoch,
      leaderEndOffset,
      logEndOffset: leo,
      truncateTo: offset,
      completed,
    });
    if (offset < leo)
      p.truncateTo(
        offset,
        `OffsetsForLeaderEpoch: leader epoch ${leaderEpoch} ends at ${leaderEndOffset}`,
      );
    // Epochs starting at the cut go too, even when no data did (an epoch begun at the LEO).
    p.log.leaderEpochCache.truncateFromEnd(offset);
    if (completed || p.log.leaderEpochCache.latestEpoch() < 0) {
      s.state = 'Fetching';
      s.fetchOffset = p.logEndOffset;
    }
  }

  private truncateToHighWatermark(s: FetchState, reason: string): void {
    const p = s.partition;
    if (p.highWatermark < p.logEndOffset) p.truncateTo(p.highWatermark, `${reason}: to the HW`);
    s.state = 'Fetching';
    s.fetchOffset = p.logEndOffset;
  }

  private onFenced(s: FetchState, what: string): void {
    this.stateLog.info('fetcher fenced by a newer leader epoch; waiting for LeaderAndIsr', {
      partition: s.partition.key,
      leader: this.source.id,
      currentLeaderEpoch: s.currentLeaderEpoch,
      request: what,
    });
    this.states.delete(s.partition.key);
  }

  // ---------------------------------------------------------------- fetching

  private async fetch(list: FetchState[]): Promise<void> {
    const byTopic = new Map<string, FetchRequestTopic>();
    for (const s of list) {
      let t = byTopic.get(s.partition.topic);
      if (!t) byTopic.set(s.partition.topic, (t = { topic: s.partition.topic, partitions: [] }));
      t.partitions.push({
        partition: s.partition.partition,
        currentLeaderEpoch: s.currentLeaderEpoch,
        fetchOffset: s.fetchOffset,
        logStartOffset: s.partition.logStartOffset,
        partitionMaxBytes: this.cfg.maxBytes,
      });
    }
    const conn = await this.connection();
    this.requests++;
    const res: FetchResponse = await conn.request(
      1,
      0,
      {
        replicaId: this.cfg.brokerId,
        maxWaitMs: this.cfg.maxWaitMs,
        minBytes: this.cfg.minBytes,
        maxBytes: this.cfg.responseMaxBytes,
        isolationLevel: 0,
        topics: [...byTopic.values()],
      },
      { timeoutMs: this.cfg.requestTimeoutMs + this.cfg.maxWaitMs },
    );
    if (res.errorCode !== 0) {
      // Kafka's AbstractFetcherThread: "Error in response for fetch request" at WARN, and
      // every partition of the request backs off (here: once per 30 s while it repeats).
      this.failures.warn(
        'error in the response to a replica fetch; backing off',
        errorName(res.errorCode),
        { sourceBroker: this.source.id, partitions: list.length, backoffMs: this.cfg.backoffMs },
      );
      for (const s of list) this.delay(s);
      return;
    }
    const sent = new Map(list.map((s) => [s.partition.key, s]));
    for (const t of res.responses) {
      for (const r of t.partitions) {
        const s = sent.get(tpKey(t.topic, r.partitionIndex));
        if (!s || !this.current(s)) continue;
        this.processPartition(s, r);
      }
    }
  }

  /**
   * OFFSET_OUT_OF_RANGE (Kafka's handleOutOfRangeError, reduced): when the leader's log
   * now starts past our LEO, restart ours there; otherwise reconcile by epoch again.
   */
  private async handleOutOfRange(s: FetchState): Promise<void> {
    const p = s.partition;
    s.state = 'Truncating';
    this.delay(s);
    try {
      const conn = await this.connection();
      const res = await conn.request(2, 0, {
        replicaId: this.cfg.brokerId,
        isolationLevel: 0,
        topics: [
          {
            name: p.topic,
            partitions: [
              {
                partitionIndex: p.partition,
                currentLeaderEpoch: s.currentLeaderEpoch,
                timestamp: -2,
              },
            ],
          },
        ],
      });
      const r = res.topics[0]?.partitions[0];
      if (!this.current(s) || !r || r.errorCode !== 0) return;
      if (r.offset > p.logEndOffset) {
        p.truncateFullyAndStartAt(
          r.offset,
          `the leader's log starts at ${r.offset}, past our log end`,
        );
        s.state = 'Fetching';
        s.fetchOffset = p.logEndOffset;
      }
    } catch (e) {
      this.log.debug('ListOffsets for an out-of-range fetch failed', {
        partition: p.key,
        error: (e as Error).message,
      });
    }
  }

  private processPartition(s: FetchState, r: FetchResponse['responses'][0]['partitions'][0]): void {
    const p = s.partition;
    if (p.isLeader) {
      this.states.delete(p.key);
      return;
    }
    switch (r.errorCode) {
      case 0: {
        if (p.logEndOffset !== s.fetchOffset) {
          // The log moved under us (truncation by another path): start over.
          s.state = 'Truncating';
          return;
        }
        if (r.records.length > 0) {
          try {
            this.bytes += p.appendRecordsToFollower(r.records).validBytes;
          } catch (e) {
            this.log.error('could not append fetched batches; backing off', {
              partition: p.key,
              fetchOffset: s.fetchOffset,
              error: e,
            });
            this.delay(s);
            return;
          }
          recordFollowerFetch(this.cfg.quota ?? UNBOUNDED_QUOTA, s, p, r);
        }
        s.fetchOffset = p.logEndOffset;
        s.lag = Math.max(0, r.highWatermark - s.fetchOffset);
        p.updateFollowerHighWatermark(r.highWatermark);
        return;
      }
      case ErrorCode.FENCED_LEADER_EPOCH:
        this.onFenced(s, 'Fetch');
        return;
      case ErrorCode.OFFSET_OUT_OF_RANGE:
        void this.handleOutOfRange(s);
        return;
      default:
        this.log[fetchErrorLevel(r.errorCode)]('fetch error for a partition; backing off', {
          partition: p.key,
          fetchOffset: s.fetchOffset,
          sourceBroker: this.source.id,
          error: errorName(r.errorCode),
          backoffMs: this.cfg.backoffMs,
        });
        this.delay(s);
    }
  }
}

const errorName = (code: number): string => errorDef(code).name;

/**
 * The level a partition's fetch error is logged at, as Kafka's AbstractFetcherThread logs
 * it: expected while leadership moves (NOT_LEADER_OR_FOLLOWER, UNKNOWN_LEADER_EPOCH) at
 * DEBUG, UNKNOWN_TOPIC_OR_PARTITION (transient while a partition is created or deleted,
 * not expected to persist) at WARN, anything else at ERROR.
 */
export function fetchErrorLevel(code: number): 'debug' | 'warn' | 'error' {
  switch (code) {
    case ErrorCode.NOT_LEADER_OR_FOLLOWER:
    case ErrorCode.UNKNOWN_LEADER_EPOCH:
      return 'debug';
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
      return 'warn';
    default:
      return 'error';
  }
}
