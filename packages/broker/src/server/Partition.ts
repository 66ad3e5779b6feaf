/**
 * Partition: this broker's replica of one topic-partition (Kafka's `cluster.Partition`):
 * its role (leader or follower) and epoch from the controller's LeaderAndIsr, the
 * assignment and ISR, the Log, and the high watermark.
 *
 * High watermark: the leader advances it to the smallest log end offset of the ISR;
 * with the ISR being only the leader that is its own LEO. Followers do not fetch yet
 * (replication comes next): `makeFollower` records the leader and keeps the log, and
 * `updateHighWatermark` is the seam the follower fetch and the ISR logic will use.
 *
 * For long polls the partition also counts bytes: `bytesAtHighWatermark` is the total
 * size of the batches below the HW appended since the log was opened, so a parked fetch
 * knows how many bytes became readable without reading the log.
 */
import { KafkaError } from '@kzoo/common';
import type { Log, LogAppendInfo } from '@kzoo/log';
import type { LeaderAndIsrPartitionState } from '@kzoo/protocol';

export interface PartitionReadResult {
  records: Buffer;
  highWatermark: number;
  logStartOffset: number;
  logEndOffset: number;
}

export class Partition {
  readonly key: string;
  leaderId = -1;
  leaderEpoch = -1;
  controllerEpoch = -1;
  zkVersion = -1;
  replicas: number[] = [];
  isr: number[] = [];
  private _highWatermark = 0;
  /** Total bytes appended (below the LEO) since the log was opened here. */
  private _bytesAtLogEnd = 0;
  private _bytesAtHighWatermark = 0;
  /** [endOffset, bytesAtLogEnd] of appends above the high watermark, oldest first. */
  private readonly pendingAboveHw: Array<[number, number]> = [];

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly localBrokerId: number,
    readonly log: Log,
    /** From replication-offset-checkpoint, when known. */
    checkpointedHighWatermark: number | undefined,
    /** Topic-level min.insync.replicas (from /config/topics/<t> or the broker default). */
    public minInsyncReplicas = 1,
  ) {
    this.key = `${topic}-${partition}`;
    this._highWatermark = Math.min(
      Math.max(checkpointedHighWatermark ?? 0, log.logStartOffset),
      log.logEndOffset,
    );
  }

  get isLeader(): boolean {
    return this.leaderId === this.localBrokerId;
  }
  get highWatermark(): number {
    return this._highWatermark;
  }
  get logEndOffset(): number {
    return this.log.logEndOffset;
  }
  get logStartOffset(): number {
    return this.log.logStartOffset;
  }
  get bytesAtHighWatermark(): number {
    return this._bytesAtHighWatermark;
  }
  /** Total bytes appended here since the log was opened (what a follower fetch can read). */
  get bytesAtLogEnd(): number {
    return this._bytesAtLogEnd;
  }

  /**
   * Becomes leader for `state` (Kafka's makeLeader); the caller has checked that its
   * leaderEpoch is newer. Returns true when this broker was not the leader before.
   */
  makeLeader(state: LeaderAndIsrPartitionState): boolean {
    const changed = !this.isLeader;
    this.applyState(state);
    this.maybeIncrementLeaderHighWatermark();
    return changed;
  }

  /** Becomes a follower of `state.leader` (Kafka's makeFollower); fetching from it comes with replication. */
  makeFollower(state: LeaderAndIsrPartitionState): boolean {
    const changed = this.leaderId !== state.leader;
    this.applyState(state);
    return changed;
  }

  private applyState(state: LeaderAndIsrPartitionState): void {
    this.leaderId = state.leader;
    this.leaderEpoch = state.leaderEpoch;
    this.controllerEpoch = state.controllerEpoch;
    this.zkVersion = state.zkVersion;
    this.replicas = [...state.replicas];
    this.isr = [...state.isr];
  }

  /** Appends a produce request's batches as leader; throws NOT_LEADER_OR_FOLLOWER, NOT_ENOUGH_REPLICAS or the log's errors. */
  appendRecordsToLeader(records: Buffer, requiredAcks: number): LogAppendInfo {
    if (!this.isLeader)
      throw new KafkaError(
        'NOT_LEADER_OR_FOLLOWER',
        `broker ${this.localBrokerId} is not the leader of ${this.key} (leader ${this.leaderId})`,
      );
    if (requiredAcks === -1 && this.isr.length < this.minInsyncReplicas)
      throw new KafkaError(
        'NOT_ENOUGH_REPLICAS',
        `ISR [${this.isr.join(',')}] of ${this.key} is smaller than min.insync.replicas=${this.minInsyncReplicas}`,
      );
    const info = this.log.append(records, { leaderEpoch: this.leaderEpoch });
    if (info.numBatches > 0) {
      this._bytesAtLogEnd += info.validBytes;
      this.pendingAboveHw.push([info.lastOffset + 1, this._bytesAtLogEnd]);
      this.maybeIncrementLeaderHighWatermark();
    }
    return info;
  }

  /**
   * The leader's HW rule: the smallest LEO among the ISR. Until followers report their
   * LEOs (replication), only an ISR of the leader alone can move it. Returns true when it moved.
   */
  maybeIncrementLeaderHighWatermark(): boolean {
    if (!this.isLeader) return false;
    if (this.isr.length === 1 && this.isr[0] === this.localBrokerId)
      return this.updateHighWatermark(this.log.logEndOffset);
    return false;
  }

  /** Moves the HW forward to `offset` (bounded by the LEO); returns true when it moved. */
  updateHighWatermark(offset: number): boolean {
    const hw = Math.min(offset, this.log.logEndOffset);
    if (hw <= this._highWatermark) return false;
    this._highWatermark = hw;
    while (this.pendingAboveHw.length > 0 && this.pendingAboveHw[0][0] <= hw) {
      this._bytesAtHighWatermark = this.pendingAboveHw.shift()![1];
    }
    return true;
  }

  /**
   * Reads for a fetch: whole batches from `fetchOffset`, up to the HW for consumers (the
   * LEO for followers). Errors: NOT_LEADER_OR_FOLLOWER, FENCED_LEADER_EPOCH /
   * UNKNOWN_LEADER_EPOCH, OFFSET_OUT_OF_RANGE outside [logStartOffset, LEO].
   */
  readRecords(o: {
    fetchOffset: number;
    maxBytes: number;
    currentLeaderEpoch: number;
    fromFollower: boolean;
    minOneMessage: boolean;
  }): PartitionReadResult {
    this.checkLeader(o.currentLeaderEpoch);
    const hw = this._highWatermark;
    const data = this.log.read(o.fetchOffset, o.maxBytes, {
      maxOffset: o.fromFollower ? this.log.logEndOffset : hw,
      minOneMessage: o.minOneMessage,
    });
    return {
      records: data.records,
      highWatermark: hw,
      logStartOffset: this.log.logStartOffset,
      logEndOffset: this.log.logEndOffset,
    };
  }

  /** ListOffsets: -2 earliest, -1 latest (the HW for consumers), else the first offset with timestamp >= it. */
  fetchOffsetForTimestamp(
    timestamp: number,
    currentLeaderEpoch: number,
    fromConsumer: boolean,
  ): { offset: number; timestamp: number } | null {
    this.checkLeader(currentLeaderEpoch);
    const limit = fromConsumer ? this._highWatermark : this.log.logEndOffset;
    if (timestamp === -2) return { offset: this.log.logStartOffset, timestamp: -1 };
    if (timestamp === -1) return { offset: limit, timestamp: -1 };
    const found = this.log.offsetForTimestamp(timestamp);
    if (!found || found.offset >= limit) return null;
    return found;
  }

  private checkLeader(currentLeaderEpoch: number): void {
    if (currentLeaderEpoch >= 0 && currentLeaderEpoch < this.leaderEpoch)
      throw new KafkaError(
        'FENCED_LEADER_EPOCH',
        `${this.key}: request epoch ${currentLeaderEpoch} is older than ${this.leaderEpoch}`,
      );
    if (currentLeaderEpoch > this.leaderEpoch)
      throw new KafkaError(
        'UNKNOWN_LEADER_EPOCH',
        `${this.key}: request epoch ${currentLeaderEpoch} is newer than ${this.leaderEpoch}`,
      );
    if (!this.isLeader)
      throw new KafkaError(
        'NOT_LEADER_OR_FOLLOWER',
        `broker ${this.localBrokerId} is not the leader of ${this.key} (leader ${this.leaderId})`,
      );
  }
}
