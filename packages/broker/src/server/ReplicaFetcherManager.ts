/**
 * ReplicaFetcherManager: the follower side's fetcher threads, one per source broker
 * (Kafka's ReplicaFetcherManager with num.replica.fetchers = 1). `addFetcherForPartitions`
 * moves a partition to the thread of its new leader (starting with truncation);
 * `removeFetcherForPartitions` stops fetching it (became leader, deleted, new epoch);
 * idle threads are shut down.
 */
import type { Logger } from '@kzoo/common';
import type { Partition } from './Partition';
import {
  ReplicaFetcherThread,
  type FetcherConfig,
  type FetcherMetrics,
  type SourceBroker,
} from './ReplicaFetcherThread';

export class ReplicaFetcherManager {
  private readonly threads = new Map<number, ReplicaFetcherThread>();
  private stopped = false;
  private paused = false;

  constructor(
    private readonly cfg: FetcherConfig,
    private readonly log: Logger,
    private readonly stateLog: Logger,
  ) {}

  addFetcherForPartitions(
    list: Array<{ partition: Partition; leader: SourceBroker; leaderEpoch: number }>,
  ): void {
    if (this.stopped) return;
    for (const { partition, leader, leaderEpoch } of list) {
      let t = this.threads.get(leader.id);
      if (t && (t.source.host !== leader.host || t.source.port !== leader.port)) {
        void t.shutdown();
        this.threads.delete(leader.id);
        t = undefined;
      }
      if (!t) {
        t = new ReplicaFetcherThread(
          leader,
          this.cfg,
          this.log.child({ sourceBroker: leader.id }),
          this.stateLog,
        );
        this.threads.set(leader.id, t);
        if (this.paused) void t.pause();
      }
      t.addPartition(partition, leaderEpoch);
      this.stateLog.info('added fetcher', {
        partition: partition.key,
        leader: leader.id,
        leaderEpoch,
        logEndOffset: partition.logEndOffset,
      });
    }
  }

  removeFetcherForPartitions(keys: string[]): void {
    for (const t of this.threads.values()) for (const k of keys) t.removePartition(k);
    this.shutdownIdleFetcherThreads();
  }

  /**
   * Fault injection (tests, experiments): every fetcher stops sending requests, as if
   * this follower froze, until `resume()`. Resolves once no fetch is in flight.
   */
  async pause(): Promise<void> {
    this.paused = true;
    await Promise.all([...this.threads.values()].map((t) => t.pause()));
  }

  resume(): void {
    this.paused = false;
    for (const t of this.threads.values()) t.resume();
  }

  /** The source broker `key` is fetched from, or undefined. */
  /** Each fetcher thread's FetcherStats and FetcherLagMetrics. */
  metrics(): FetcherMetrics[] {
    return [...this.threads.values()].map((t) => t.metrics());
  }

  sourceOf(key: string): number | undefined {
    for (const [id, t] of this.threads) if (t.has(key)) return id;
    return undefined;
  }

  shutdownIdleFetcherThreads(): void {
    for (const [id, t] of this.threads) {
      if (t.partitionCount === 0) {
        void t.shutdown();
        this.threads.delete(id);
      }
    }
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    const all = [...this.threads.values()];
    this.threads.clear();
    await Promise.all(all.map((t) => t.shutdown()));
  }
}
