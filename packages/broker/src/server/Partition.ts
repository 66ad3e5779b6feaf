/**
 * Partition: this broker's replica of one topic-partition (Kafka's `cluster.Partition`):
 * its role (leader or follower) and epoch from the controller's LeaderAndIsr, the
 * assignment and ISR, the Log, and the high watermark.
 *
 * As leader it tracks every follower (`Replica`: LEO = its last fetchOffset, last
 * caught-up time), advances the HW to the smallest LEO of the (maximal) ISR and of
 * followers caught up within `replica.lag.time.max.ms`, shrinks the ISR of followers
 * that have not been caught up for that long (`maybeShrinkIsr`, run every half of it)
 * and adds a follower back once its LEO reaches the HW and this epoch's start offset
 * (`maybeExpandIsr`, on its fetch). ISR changes go through an IsrManager (AlterPartition
 * to the controller, or the ZooKeeper write); while one is in flight the HW uses the
 * maximal ISR (old ∪ proposed) and no other change starts, as Kafka's PendingExpandIsr /
 * PendingShrinkIsr states.
 *
 * As follower it appends the leader's batches as they are (`appendRecordsToFollower`),
 * takes HW = min(leader HW, own LEO), and truncates its divergent tail (`truncateTo`).
 *
 * For long polls the partition also counts bytes: `bytesAtHighWatermark` is the total
 * size of the batches below the HW appended since the log was opened, so a parked fetch
 * knows how many bytes became readable without reading the log.
 */
import { createLogger, ErrorCode, KafkaError, Logger, SystemTime, Time, tpKey } from '@kzoo/common';
import type { Log, LogAppendInfo } from '@kzoo/log';
import type { LeaderAndIsrPartitionState } from '@kzoo/protocol';
import type { IsrManager, IsrUpdateResult } from './IsrManager';
import { Replica } from './Replica';

export interface PartitionReadResult {
  records: Buffer;
  highWatermark: number;
  /** The last stable offset (transactions; equals the HW without open transactions). */
  lastStableOffset: number;
  /** read_committed: the aborted transactions overlapping the records returned. */
  abortedTransactions: Array<{ producerId: number; firstOffset: number }> | null;
  logStartOffset: number;
  logEndOffset: number;
}

export interface PartitionOptions {
  /** replica.lag.time.max.ms */
  replicaLagTimeMaxMs?: number;
  time?: Time;
  isrManager?: IsrManager;
  /** The `state.change` logger. */
  stateLog?: Logger;
  /** Called when the HW moved outside an append or a fetch (an ISR change committed). */
  onHighWatermarkMoved?: (p: Partition) => void;
  /** Called when this leader proposes an ISR shrink or expand (Kafka's IsrShrinksPerSec / IsrExpandsPerSec). */
  onIsrChange?: (kind: 'shrink' | 'expand') => void;
  /**
   * Kafka's isReplicaIsrEligible in ZooKeeper mode (the metadata cache lists the broker as
   * alive): only such a follower may join the ISR, and only such a caught-up follower
   * outside the ISR holds the HW back. Default: every follower.
   */
  isReplicaIsrEligible?: (brokerId: number) => boolean;
}

/** An ISR change in flight (Kafka's PendingExpandIsr / PendingShrinkIsr). */
interface PendingIsr {
  kind: 'expand' | 'shrink';
  proposed: number[];
}

/**
 * Broker ids copied into a new array of small integers (V8's PACKED_SMI_ELEMENTS) whatever
 * the source's kind. Decoded arrays take the element kind of the decoder's allocation
 * site, which changes during a process's life (holey, then tagged): one topic's ISR came
 * SMI-HOLEY and the next ones' OBJ-HOLEY, and the first produce to a topic whose ISR was of
 * a kind the produce path had not seen deoptimized it in every broker (`[...a]` keeps the
 * source's kind).
 */
function brokerIds(ids: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < ids.length; i++) out.push(ids[i]);
  return out;
}

export class Partition {
  readonly key: string;
  leaderId = -1;
  leaderEpoch = -1;
  controllerEpoch = -1;
  zkVersion = -1;
  replicas: number[] = [];
  /** The committed ISR (as in ZooKeeper once the last change landed). */
  isr: number[] = [];
  /** The leader's LEO when it became leader for this epoch (Kafka's leaderEpochStartOffsetOpt). */
  leaderEpochStartOffset = -1;
  private pendingIsr: PendingIsr | null = null;
  /**
   * While the new leader epoch's checkpoint write is in flight (resolves when it is on
   * disk or failed); appends as leader are refused until then and ReplicaManager waits for it.
   */
  private epochWrite: Promise<void> | null = null;
  private epochWriteError: Error | null = null;
  /** Followers, while this broker leads. */
  private readonly remoteReplicas = new Map<number, Replica>();
  private _highWatermark = 0;
  /** Total bytes appended (below the LEO) since the log was opened here. */
  private _bytesAtLogEnd = 0;
  private _bytesAtHighWatermark = 0;
  /** [endOffset, bytesAtLogEnd] of appends above the high watermark, oldest first. */
  private readonly pendingAboveHw: Array<[number, number]> = [];
  private readonly lagMs: number;
  private readonly time: Time;
  private readonly stateLog: Logger;
  private readonly isrManager: IsrManager | undefined;
  private readonly onHwMoved: ((p: Partition) => void) | undefined;
  private readonly onIsrChange: PartitionOptions['onIsrChange'];
  private readonly isReplicaIsrEligible: (brokerId: number) => boolean;
  /** Counters for tests and the bench. */
  readonly stats = { isrShrinks: 0, isrExpands: 0, truncations: 0 };

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly localBrokerId: number,
    readonly log: Log,
    /** From replication-offset-checkpoint, when known. */
    checkpointedHighWatermark: number | undefined,
    /** Topic-level min.insync.replicas (from /config/topics/<t> or the broker default). */
    public minInsyncReplicas = 1,
    opts: PartitionOptions = {},
  ) {
    this.key = tpKey(topic, partition);
    this._highWatermark = Math.min(
      Math.max(checkpointedHighWatermark ?? 0, log.logStartOffset),
      log.logEndOffset,
    );
    this.lagMs = opts.replicaLagTimeMaxMs ?? 30000;
    this.time = opts.time ?? SystemTime;
    this.stateLog = opts.stateLog ?? createLogger('state.change', { broker: localBrokerId });
    this.isrManager = opts.isrManager;
    this.onHwMoved = opts.onHighWatermarkMoved;
    this.onIsrChange = opts.onIsrChange;
    this.isReplicaIsrEligible = opts.isReplicaIsrEligible ?? (() => true);
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
  /** The ISR plus a member being added, while a change is in flight (Kafka's maximalIsr). */
  get maximalIsr(): number[] {
    if (!this.pendingIsr || this.pendingIsr.kind === 'shrink') return this.isr;
    return [...new Set([...this.isr, ...this.pendingIsr.proposed])];
  }
  get isrChangeInFlight(): boolean {
    return this.pendingIsr !== null;
  }
  /** A follower's state as the leader sees it. */
  replica(id: number): Replica | undefined {
    return this.remoteReplicas.get(id);
  }

  /**
   * Becomes leader for `state` (Kafka's makeLeader); the caller has checked that its
   * leaderEpoch is newer. Starts the epoch in the leader-epoch cache at the LEO, counts
   * ISR members as caught up now and forgets followers' old LEOs. Returns true when this
   * broker was not the leader before.
   */
  makeLeader(state: LeaderAndIsrPartitionState): boolean {
    const isNewLeader = !this.isLeader;
    this.applyState(state);
    const now = this.time.milliseconds();
    const leo = this.log.logEndOffset;
    this.startLeaderEpoch(state.leaderEpoch, leo);
    this.leaderEpochStartOffset = leo;
    for (const id of [...this.remoteReplicas.keys()])
      if (!state.replicas.includes(id)) this.remoteReplicas.delete(id);
    for (const id of state.replicas) {
      if (id === this.localBrokerId) continue;
      let r = this.remoteReplicas.get(id);
      if (!r || isNewLeader) this.remoteReplicas.set(id, (r = new Replica(id)));
      r.resetLastCaughtUpTime(leo, now, state.isr.includes(id) ? now : 0);
    }
    this.maybeIncrementLeaderHighWatermark();
    return isNewLeader;
  }

  /**
   * Starts `epoch` at `leo` in the leader-epoch cache, writing the checkpoint off the event
   * loop (a LeaderAndIsr may make thousands of partitions leader at once); until the entry
   * is durable no append is accepted at this epoch, so a crash cannot leave records of an
   * epoch the checkpoint does not know.
   */
  private startLeaderEpoch(epoch: number, leo: number): void {
    const cache = this.log.leaderEpochCache;
    const write = cache.assignAsync(epoch, leo);
    this.epochWriteError = null;
    if (cache.isDurable) {
      this.epochWrite = null;
      return;
    }
    const pending: Promise<void> = write.then(
      () => {
        if (this.epochWrite === pending) this.epochWrite = null;
      },
      (e: unknown) => {
        if (this.epochWrite !== pending) return;
        this.epochWrite = null;
        this.epochWriteError = e instanceof Error ? e : new Error(String(e));
        if (this.log.isClosed) return; // deleted or closed meanwhile
        this.stateLog.error('leader-epoch checkpoint write failed', {
          partition: this.key,
          leaderEpoch: epoch,
          error: e,
        });
      },
    );
    this.epochWrite = pending;
  }

  /** The in-flight checkpoint write of the current leader epoch, or null when it is durable. */
  get pendingEpochWrite(): Promise<void> | null {
    return this.epochWrite;
  }

  /** Becomes a follower of `state.leader` (Kafka's makeFollower); returns true when the leader changed. */
  makeFollower(state: LeaderAndIsrPartitionState): boolean {
    const changed = this.leaderId !== state.leader;
    this.applyState(state);
    this.remoteReplicas.clear();
    this.leaderEpochStartOffset = -1;
    return changed;
  }

  private applyState(state: LeaderAndIsrPartitionState): void {
    this.leaderId = state.leader;
    this.leaderEpoch = state.leaderEpoch;
    this.controllerEpoch = state.controllerEpoch;
    this.zkVersion = state.zkVersion;
    this.replicas = brokerIds(state.replicas);
    this.isr = brokerIds(state.isr);
    this.pendingIsr = null;
  }

  /** Appends a produce request's batches as leader; throws NOT_LEADER_OR_FOLLOWER, NOT_ENOUGH_REPLICAS or the log's errors. */
  appendRecordsToLeader(
    records: Buffer,
    requiredAcks: number,
    origin: 'client' | 'coordinator' = 'client',
  ): LogAppendInfo {
    if (!this.isLeader)
      throw new KafkaError(
        'NOT_LEADER_OR_FOLLOWER',
        `broker ${this.localBrokerId} is not the leader of ${this.key} (leader ${this.leaderId})`,
      );
    if (this.epochWrite)
      throw new KafkaError(
        'NOT_LEADER_OR_FOLLOWER',
        `leader epoch ${this.leaderEpoch} of ${this.key} is not yet durable on broker ${this.localBrokerId}`,
      );
    if (this.epochWriteError)
      throw new KafkaError(
        'KAFKA_STORAGE_ERROR',
        `leader-epoch checkpoint of ${this.key} failed: ${this.epochWriteError.message}`,
      );
    if (requiredAcks === -1 && this.isr.length < this.minInsyncReplicas)
      throw new KafkaError(
        'NOT_ENOUGH_REPLICAS',
        `ISR [${this.isr.join(',')}] of ${this.key} is smaller than min.insync.replicas=${this.minInsyncReplicas}`,
      );
    const info = this.log.append(records, { leaderEpoch: this.leaderEpoch, origin });
    this.afterAppend(info);
    this.maybeIncrementLeaderHighWatermark();
    return info;
  }

  /** Appends batches fetched from the leader, keeping their offsets and epochs. */
  appendRecordsToFollower(records: Buffer): LogAppendInfo {
    const info = this.log.appendAsFollower(records);
    this.afterAppend(info);
    return info;
  }

  private afterAppend(info: LogAppendInfo): void {
    if (info.numBatches > 0) {
      this._bytesAtLogEnd += info.validBytes;
      this.pendingAboveHw.push([info.lastOffset + 1, this._bytesAtLogEnd]);
    }
  }

  /** Follower: HW = min(the leader's HW, own LEO). Returns true when it moved. */
  updateFollowerHighWatermark(leaderHighWatermark: number): boolean {
    return this.updateHighWatermark(Math.min(leaderHighWatermark, this.log.logEndOffset));
  }

  /**
   * Removes the log's tail from `offset` (a follower reconciling with a new leader);
   * the HW comes down with the LEO when it was above it.
   */
  truncateTo(offset: number, reason: string): boolean {
    const before = this.log.logEndOffset;
    if (!this.log.truncateTo(offset)) return false;
    const leo = this.log.logEndOffset;
    while (this.pendingAboveHw.length > 0 && this.pendingAboveHw.at(-1)![0] > leo)
      this.pendingAboveHw.pop();
    if (this._highWatermark > leo) this._highWatermark = leo;
    this.stats.truncations++;
    this.stateLog.info('truncated log', {
      partition: this.key,
      reason,
      offset,
      from: before,
      to: leo,
      highWatermark: this._highWatermark,
      leaderEpoch: this.leaderEpoch,
    });
    return true;
  }

  /** Deletes the whole log and restarts it at `offset` (the leader's log starts past ours). */
  truncateFullyAndStartAt(offset: number, reason: string): void {
    const before = this.log.logEndOffset;
    this.log.truncateFullyAndStartAt(offset);
    this.pendingAboveHw.length = 0;
    this._highWatermark = offset;
    this.stats.truncations++;
    this.stateLog.info('truncated log fully', {
      partition: this.key,
      reason,
      from: before,
      startAt: offset,
    });
  }

  // ---------------------------------------------------------------- leader: followers and ISR

  /**
   * A follower fetched from `fetchOffset` (Kafka's updateFollowerFetchState): records its
   * progress, adds it to the ISR when it caught up, and advances the HW. Returns true
   * when the HW moved. `leaderEndOffset` is this log's LEO when the fetch was read.
   */
  updateFollowerFetchState(
    replicaId: number,
    fetchOffset: number,
    followerLogStartOffset: number,
    leaderEndOffset: number,
  ): boolean {
    if (!this.isLeader) return false;
    const r = this.remoteReplicas.get(replicaId);
    if (!r) return false; // not an assigned replica
    const before = r.logEndOffset;
    r.updateFetchState(
      fetchOffset,
      followerLogStartOffset,
      this.time.milliseconds(),
      leaderEndOffset,
    );
    this.maybeExpandIsr(r);
    return before !== fetchOffset ? this.maybeIncrementLeaderHighWatermark() : false;
  }

  private maybeExpandIsr(r: Replica): void {
    if (this.pendingIsr || this.isr.includes(r.brokerId)) return;
    if (!this.replicas.includes(r.brokerId)) return;
    // Kafka's canAddReplicaToIsr: a broker the metadata cache no longer lists as alive stays out
    if (!this.isReplicaIsrEligible(r.brokerId)) return;
    // Kafka's isFollowerInSync: caught up to the HW and into this leader's epoch.
    if (r.logEndOffset < this._highWatermark || r.logEndOffset < this.leaderEpochStartOffset)
      return;
    const newIsr = [...this.isr, r.brokerId];
    this.stateLog.info('expanding ISR', {
      partition: this.key,
      from: this.isr.join(','),
      to: newIsr.join(','),
      replica: r.brokerId,
      replicaLogEndOffset: r.logEndOffset,
      highWatermark: this._highWatermark,
      leaderEpoch: this.leaderEpoch,
    });
    this.stats.isrExpands++;
    this.onIsrChange?.('expand');
    this.submitIsr('expand', newIsr);
  }

  /**
   * Kafka's maybeShrinkIsr (the isr-expiration task): drops followers that are behind
   * the leader's LEO and have not been caught up for replica.lag.time.max.ms.
   */
  maybeShrinkIsr(): void {
    if (!this.isLeader || this.pendingIsr) return;
    const now = this.time.milliseconds();
    const leo = this.log.logEndOffset;
    const outOfSync = this.isr.filter((id) => {
      if (id === this.localBrokerId) return false;
      const r = this.remoteReplicas.get(id);
      if (!r) return true;
      return r.logEndOffset !== leo && now - r.lastCaughtUpTimeMs > this.lagMs;
    });
    if (outOfSync.length === 0) return;
    const newIsr = this.isr.filter((id) => !outOfSync.includes(id));
    this.stateLog.info('shrinking ISR', {
      partition: this.key,
      from: this.isr.join(','),
      to: newIsr.join(','),
      outOfSync: outOfSync
        .map((id) => {
          const r = this.remoteReplicas.get(id);
          return r
            ? `${id}(logEndOffset=${r.logEndOffset},lastCaughtUpMsAgo=${now - r.lastCaughtUpTimeMs})`
            : `${id}(unknown)`;
        })
        .join(','),
      leaderLogEndOffset: leo,
      highWatermark: this._highWatermark,
      replicaLagTimeMaxMs: this.lagMs,
      leaderEpoch: this.leaderEpoch,
    });
    this.stats.isrShrinks++;
    this.onIsrChange?.('shrink');
    this.submitIsr('shrink', newIsr);
  }

  private submitIsr(kind: 'expand' | 'shrink', proposed: number[]): void {
    if (!this.isrManager) {
      // No manager (unit tests): commit locally.
      this.isr = brokerIds(proposed);
      if (this.maybeIncrementLeaderHighWatermark()) this.onHwMoved?.(this);
      return;
    }
    const pending: PendingIsr = { kind, proposed };
    const epoch = this.leaderEpoch;
    const submitted = this.isrManager.submit(
      {
        topic: this.topic,
        partition: this.partition,
        leader: this.localBrokerId,
        leaderEpoch: epoch,
        newIsr: proposed,
        zkVersion: this.zkVersion,
        controllerEpoch: this.controllerEpoch,
      },
      (result) => this.onIsrUpdateResult(pending, epoch, result),
    );
    if (submitted) this.pendingIsr = pending;
  }

  /** Kafka's handleAlterIsrResponse. */
  private onIsrUpdateResult(pending: PendingIsr, epoch: number, res: IsrUpdateResult): void {
    if (this.pendingIsr !== pending || this.leaderEpoch !== epoch || !this.isLeader) {
      this.stateLog.debug('ignoring an ISR update result for an older state', {
        partition: this.key,
        errorCode: res.errorCode,
      });
      return;
    }
    if (res.errorCode !== 0) {
      this.stateLog.warn('ISR change refused', {
        partition: this.key,
        proposed: pending.proposed.join(','),
        errorCode: res.errorCode,
        zkVersion: this.zkVersion,
      });
      // INVALID_UPDATE_VERSION / FENCED_LEADER_EPOCH / UNKNOWN_TOPIC_OR_PARTITION: stay
      // pending until the controller's next LeaderAndIsr, as Kafka. Otherwise try later.
      if (
        res.errorCode !== ErrorCode.INVALID_UPDATE_VERSION &&
        res.errorCode !== ErrorCode.FENCED_LEADER_EPOCH &&
        res.errorCode !== ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
      )
        this.pendingIsr = null;
      return;
    }
    if (res.leaderEpoch !== this.leaderEpoch || res.zkVersion < this.zkVersion) {
      this.pendingIsr = null;
      return;
    }
    this.isr = brokerIds(res.isr);
    this.zkVersion = res.zkVersion;
    this.pendingIsr = null;
    this.stateLog.info('ISR updated', {
      partition: this.key,
      isr: this.isr.join(','),
      zkVersion: this.zkVersion,
      leaderEpoch: this.leaderEpoch,
    });
    this.maybeIncrementLeaderHighWatermark();
    // The HW may have moved, and acks=-1 waiters check the ISR size: let them re-check.
    this.onHwMoved?.(this);
  }

  /**
   * The leader's HW rule (Kafka's maybeIncrementLeaderHW): the smallest LEO among the
   * leader, the maximal ISR, and ISR-eligible followers caught up within the lag time
   * (shouldWaitForReplicaToJoinIsr: a broker gone from the metadata cache, e.g. after its
   * controlled shutdown, is not waited for). Returns true when it moved.
   */
  maybeIncrementLeaderHighWatermark(): boolean {
    if (!this.isLeader) return false;
    const now = this.time.milliseconds();
    const maximal = this.maximalIsr;
    let hw = this.log.logEndOffset;
    for (const r of this.remoteReplicas.values()) {
      if (
        r.logEndOffset < hw &&
        (maximal.includes(r.brokerId) ||
          (now - r.lastCaughtUpTimeMs <= this.lagMs && this.isReplicaIsrEligible(r.brokerId)))
      )
        hw = r.logEndOffset;
    }
    for (const id of maximal)
      if (id !== this.localBrokerId && !this.remoteReplicas.has(id)) return false;
    return this.updateHighWatermark(hw);
  }

  /** Moves the HW forward to `offset` (bounded by the LEO); returns true when it moved. */
  updateHighWatermark(offset: number): boolean {
    const hw = Math.min(offset, this.log.logEndOffset);
    if (hw <= this._highWatermark) return false;
    this._highWatermark = hw;
    this.log.producerStateManager.onHighWatermarkUpdated(hw);
    while (this.pendingAboveHw.length > 0 && this.pendingAboveHw[0][0] <= hw) {
      this._bytesAtHighWatermark = this.pendingAboveHw.shift()![1];
    }
    return true;
  }

  /**
   * OffsetsForLeaderEpoch as leader (KIP-101/279): the largest epoch <= `leaderEpoch`
   * this log knows and its end offset.
   */
  lastOffsetForLeaderEpoch(
    currentLeaderEpoch: number,
    leaderEpoch: number,
  ): { leaderEpoch: number; endOffset: number } {
    this.checkLeader(currentLeaderEpoch);
    const r = this.log.leaderEpochCache.endOffsetFor(leaderEpoch, this.log.logEndOffset);
    return { leaderEpoch: r.epoch, endOffset: r.endOffset };
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
    /** 1 = READ_COMMITTED: up to the last stable offset, with the aborted transactions. */
    isolationLevel?: number;
  }): PartitionReadResult {
    this.checkLeader(o.currentLeaderEpoch);
    const hw = this._highWatermark;
    const lso = this.log.lastStableOffset(hw);
    const committed = !o.fromFollower && o.isolationLevel === 1;
    const data = this.log.read(o.fetchOffset, o.maxBytes, {
      maxOffset: o.fromFollower ? this.log.logEndOffset : committed ? lso : hw,
      minOneMessage: o.minOneMessage,
    });
    let abortedTransactions: PartitionReadResult['abortedTransactions'] = null;
    if (committed) {
      abortedTransactions = [];
      if (data.records.length > 0)
        for (const t of this.log.collectAbortedTxns(o.fetchOffset, lso))
          abortedTransactions.push({ producerId: t.producerId, firstOffset: t.firstOffset });
    }
    return {
      records: data.records,
      highWatermark: hw,
      lastStableOffset: lso,
      abortedTransactions,
      logStartOffset: this.log.logStartOffset,
      logEndOffset: this.log.logEndOffset,
    };
  }

  /** ListOffsets: -2 earliest, -1 latest (the HW for consumers), else the first offset with timestamp >= it. */
  fetchOffsetForTimestamp(
    timestamp: number,
    currentLeaderEpoch: number,
    fromConsumer: boolean,
    /** READ_COMMITTED: bounded by the last stable offset. */
    readCommitted = false,
  ): { offset: number; timestamp: number } | null {
    this.checkLeader(currentLeaderEpoch);
    const limit = !fromConsumer
      ? this.log.logEndOffset
      : readCommitted
        ? this.log.lastStableOffset(this._highWatermark)
        : this._highWatermark;
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
