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

  tryComplete(): boolean {
    let accumulated = 0;
    for (const s of this.status) {
      const p = s.partition;
      if (!p.isLeader) return this.forceComplete();
      if (p.logEndOffset < s.fetchOffset) return this.forceComplete(); // truncated below the fetch
      if (s.throttled) continue; // Kafka: a throttled partition's bytes are not counted
      const now = s.fromFollower ? p.bytesAtLogEnd : p.bytesAtHighWatermark;
      accumulated += s.bytesRead + (now - s.bytesAtHw);
    }
    if (accumulated >= this.minBytes) return this.forceComplete();
    return false;
  }

  protected onComplete(): void {
    this.respond();
  }
}
