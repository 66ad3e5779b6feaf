/**
 * DelayedFetch (Kafka's DelayedFetch): a fetch parked in the purgatory completes when
 * (Kafka's cases) a partition it reads is no longer led here, or the bytes readable
 * since it parked reach minBytes, or maxWaitMs passes. It counts bytes from the
 * partition's `bytesAtHighWatermark` (followers: log end), so a check costs no log read.
 */
import { DelayedOperation } from './DelayedOperation';
import type { Partition } from './Partition';

export interface FetchPartitionStatus {
  partition: Partition;
  fetchOffset: number;
  /** The partition's bytesAtHighWatermark (followers: bytesAtLogEnd) when the fetch was read. */
  bytesAtHw: number;
  /** Bytes the first read returned. */
  bytesRead: number;
  fromFollower: boolean;
  /** Held back by the leader's replication quota: its bytes do not complete the fetch. */
  throttled?: boolean;
}

export class DelayedFetch extends DelayedOperation {
  constructor(
    maxWaitMs: number,
    private readonly minBytes: number,
    private readonly status: FetchPartitionStatus[],
    private readonly respond: () => void,
  ) {
    super(maxWaitMs);
  }

  /** A follower's fetch (Kafka's fetcherType follower), else a consumer's. */
  get fromFollower(): boolean {
    return this.status[0]?.fromFollower ?? false;
  }

  tryComplete(): boolean {
    return this.canComplete() ? this.forceComplete() : false;
  }

  /** Whether the fetch can be answered now (tryComplete's test, without completing it). */
  canComplete(): boolean {
    let accumulated = 0;
    for (const s of this.status) {
      const p = s.partition;
      if (!p.isLeader) return true;
      if (p.logEndOffset < s.fetchOffset) return true; // truncated below the fetch
      if (s.throttled) continue; // Kafka: a throttled partition's bytes are not counted
      const now = s.fromFollower ? p.bytesAtLogEnd : p.bytesAtHighWatermark;
      accumulated += s.bytesRead + (now - s.bytesAtHw);
    }
    return accumulated >= this.minBytes;
  }

  /** The partitions it reads (`topic-partition`), for a log line. */
  get partitionKeys(): string[] {
    return this.status.map((s) => s.partition.key);
  }

  protected onComplete(): void {
    this.respond();
  }
}
