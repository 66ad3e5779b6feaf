/**
 * DelayedProduce (Kafka's DelayedProduce), for acks = -1: completes when every
 * partition's HW has reached the end of its append, or the partition lost leadership
 * (NOT_LEADER_OR_FOLLOWER), or the request timeout passes (REQUEST_TIMED_OUT). Appends
 * whose ISR dropped below min.insync.replicas meanwhile get
 * NOT_ENOUGH_REPLICAS_AFTER_APPEND (the data is written).
 */
import { ErrorCode } from '@kzoo/common';
import type { ProduceResponsePartition } from '@kzoo/protocol';
import { DelayedOperation } from './DelayedOperation';
import type { Partition } from './Partition';

export interface ProducePartitionStatus {
  p: Partition;
  result: ProduceResponsePartition;
  requiredOffset: number;
}

export class DelayedProduce extends DelayedOperation {
  private readonly pending: Set<ProducePartitionStatus>;

  constructor(
    timeoutMs: number,
    status: ProducePartitionStatus[],
    private readonly respond: () => void,
  ) {
    super(timeoutMs);
    this.pending = new Set(status);
  }

  /** Whether every partition got its acks or moved away (tryComplete's test, without completing). */
  canComplete(): boolean {
    for (const s of this.pending)
      if (s.p.isLeader && s.p.highWatermark < s.requiredOffset) return false;
    return true;
  }

  /** The partitions still waiting (`topic-partition`), for a log line. */
  get partitionKeys(): string[] {
    return [...this.pending].map((s) => s.p.key);
  }

  tryComplete(): boolean {
    for (const s of [...this.pending]) {
      if (!s.p.isLeader) {
        s.result.errorCode = ErrorCode.NOT_LEADER_OR_FOLLOWER;
        s.result.errorMessage = `leadership of ${s.p.key} moved while waiting for acks=-1`;
        this.pending.delete(s);
      } else if (s.p.highWatermark >= s.requiredOffset) {
        if (s.p.isr.length < s.p.minInsyncReplicas) {
          s.result.errorCode = ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND;
          s.result.errorMessage = `ISR of ${s.p.key} shrank below min.insync.replicas`;
        }
        this.pending.delete(s);
      }
    }
    if (this.pending.size === 0) return this.forceComplete();
    return false;
  }

  protected override onExpiration(): void {
    for (const s of this.pending) {
      s.result.errorCode = ErrorCode.REQUEST_TIMED_OUT;
      s.result.errorMessage = `acks=-1 not satisfied for ${s.p.key} in ${this.delayMs} ms`;
    }
  }

  protected onComplete(): void {
    // Completed before every partition got its acks (the broker shutting down answers what
    // is in flight): those were not replicated, so they are not acknowledged. Kafka's
    // DelayedProduce starts each pending partition at REQUEST_TIMED_OUT for this reason.
    for (const s of this.pending) {
      if (s.result.errorCode === ErrorCode.NONE) {
        s.result.errorCode = ErrorCode.REQUEST_TIMED_OUT;
        s.result.errorMessage = `acks=-1 not satisfied for ${s.p.key} before the broker stopped waiting`;
      }
    }
    this.respond();
  }
}
