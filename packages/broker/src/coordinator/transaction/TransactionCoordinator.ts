/**
 * TransactionCoordinator (Kafka's TransactionCoordinator + TransactionStateManager +
 * TransactionMarkerChannelManager, KIP-98/KIP-447, ZooKeeper-mode placement): the
 * coordinator of a transactional id is the leader of partition
 * `abs(javaHashCode(transactionalId)) % transaction.state.log.num.partitions` of
 * `__transaction_state`. Becoming that leader loads the partition's log (the latest
 * record per id wins); a transaction found in PrepareCommit/PrepareAbort is completed.
 * The coordinator epoch is the partition's leader epoch.
 *
 * Every transition is written to the log with acks=all before it takes effect and
 * before the client is answered (one write per id at a time: CONCURRENT_TRANSACTIONS).
 * EndTxn answers once PrepareCommit/PrepareAbort is durable; the markers then go to
 * each partition leader (WriteTxnMarkers, retried until written), the group offsets of
 * a commit go to ZooKeeper (`/consumers/<group>/offsets/...`), and CompleteCommit /
 * CompleteAbort is written. Transactions open longer than their timeout are aborted
 * with the epoch bumped, which fences the producer (PRODUCER_FENCED, or
 * INVALID_PRODUCER_EPOCH for old request versions); InitProducerId for an id with an
 * open transaction does the same and answers CONCURRENT_TRANSACTIONS until it is done.
 *
 * Markers carry the coordinator epoch (the `__transaction_state` partition's leader
 * epoch); a partition leader refuses one older than the last it took for the producer
 * (TRANSACTION_COORDINATOR_FENCED), and a zombie coordinator that gets it stops sending.
 * A transactional id idle (Empty, CompleteCommit, CompleteAbort) for
 * `transactional.id.expiration.ms` is removed: a tombstone for its key is written to the
 * log, then it leaves the cache (Kafka's removeExpiredTransactionalIds, state Dead); its
 * next InitProducerId starts afresh with a new producer id.
 * Not implemented: KIP-890 verification.
 */
import {
  createLogger,
  ErrorCode,
  type Logger,
  type ScheduledTask,
  type Time,
  tpKey,
  type TopicPartition,
} from '@kzoo/common';
import { buildRecordBatch, iterateBatches, readBatchHeader, records } from '@kzoo/records';
import type { WriteTxnMarkersRequest, WriteTxnMarkersResponse } from '@kzoo/protocol';
import { TRANSACTION_STATE_TOPIC_NAME } from '../../admin/Topic';
import { javaStringHashCode, kafkaAbs } from '../group/coordinator-selection';
import type { MetadataCache } from '../../server/MetadataCache';
import type { Partition } from '../../server/Partition';
import type { ReplicaManager } from '../../server/ReplicaManager';
import { decodeTxnKey, decodeTxnValue, encodeTxnKey, encodeTxnValue } from './TransactionLog';
import {
  TRANSACTION_STATES,
  TransactionMetadata,
  type PendingOffset,
  type TransactionState,
  type TxnTransitMetadata,
} from './TransactionMetadata';
import type { TransactionConfig } from './TransactionConfig';

export { TRANSACTION_STATE_TOPIC_NAME };

const MAX_EPOCH = 32767;
const RETRY_BACKOFF_MS = 100;
const APPEND_TIMEOUT_MS = 15000;

export interface TransactionCoordinatorOptions {
  brokerId: number;
  config: TransactionConfig;
  replicaManager: ReplicaManager;
  metadataCache: MetadataCache;
  generateProducerId: () => Promise<number>;
  /** Makes a committed transaction's offsets the group's committed offsets (ZooKeeper). */
  commitGroupOffsets: (groupId: string, offsets: PendingOffset[]) => Promise<void>;
  /** Sends WriteTxnMarkers to a partition leader (this broker included). */
  sendMarkers: (brokerId: number, req: WriteTxnMarkersRequest) => Promise<WriteTxnMarkersResponse>;
  time: Time;
  logger?: Logger;
}

interface TxnPartitionState {
  coordinatorEpoch: number;
  loading: boolean;
  txns: Map<string, TransactionMetadata>;
}

export interface InitProducerIdResult {
  errorCode: number;
  producerId: number;
  producerEpoch: number;
}

export interface DescribedTransaction {
  errorCode: number;
  transactionalId: string;
  transactionState: string;
  transactionTimeoutMs: number;
  transactionStartTimeMs: number;
  producerId: number;
  producerEpoch: number;
  topicPartitions: Array<{ name: string; partitionIndexes: number[] }>;
}

type Lookup =
  | { errorCode: number }
  | { errorCode: 0; partition: number; state: TxnPartitionState; meta?: TransactionMetadata };

export class TransactionCoordinator {
  private readonly owned = new Map<number, TxnPartitionState>();
  private readonly log: Logger;
  private expiry: ScheduledTask | null = null;
  private idExpiry: ScheduledTask | null = null;
  private active = false;

  constructor(private readonly opts: TransactionCoordinatorOptions) {
    this.log = (opts.logger ?? createLogger('transaction.coordinator')).child({
      broker: opts.brokerId,
    });
  }

  startup(): void {
    this.active = true;
    this.expiry = this.opts.time.schedule(
      'transaction-abort-expired',
      () => this.abortTimedOutTransactions(),
      this.opts.config.abortTimedOutTransactionsIntervalMs,
      { periodMs: this.opts.config.abortTimedOutTransactionsIntervalMs, unref: true },
    );
    this.idExpiry = this.opts.time.schedule(
      'transactional-id-expiration',
      () => void this.removeExpiredTransactionalIds(),
      this.opts.config.removeExpiredTransactionalIdsIntervalMs,
      { periodMs: this.opts.config.removeExpiredTransactionalIdsIntervalMs, unref: true },
    );
    for (const p of this.opts.replicaManager.allPartitions()) this.onLeadershipChange(p);
    this.log.info('started');
  }

  shutdown(): void {
    this.active = false;
    this.expiry?.cancel();
    this.idExpiry?.cancel();
    this.owned.clear();
  }

  /** The `__transaction_state` partition of a transactional id. */
  partitionFor(transactionalId: string): number {
    const n =
      this.opts.metadataCache.numPartitions(TRANSACTION_STATE_TOPIC_NAME) ??
      this.opts.config.transactionLogNumPartitions;
    return kafkaAbs(javaStringHashCode(transactionalId)) % n;
  }

  /** ReplicaManager's leadership listener: load or unload a transaction log partition. */
  onLeadershipChange(p: Partition): void {
    if (!this.active || p.topic !== TRANSACTION_STATE_TOPIC_NAME) return;
    const cur = this.owned.get(p.partition);
    if (p.isLeader) {
      if (cur && cur.coordinatorEpoch === p.leaderEpoch) return;
      this.load(p);
    } else if (cur) {
      this.owned.delete(p.partition);
      this.log.info('unloaded transaction log partition', { partition: p.partition });
    }
  }

  private load(p: Partition): void {
    const state: TxnPartitionState = {
      coordinatorEpoch: p.leaderEpoch,
      loading: true,
      txns: new Map(),
    };
    this.owned.set(p.partition, state);
    const log = p.log;
    const end = log.logEndOffset;
    let offset = log.logStartOffset;
    let loaded = 0;
    while (offset < end) {
      const { records: buf } = log.read(offset, 1 << 20);
      if (buf.length === 0) break;
      for (const b of iterateBatches(buf)) {
        offset = b.lastOffset + 1;
        if (readBatchHeader(b.bytes).isControlBatch) continue;
        for (const r of records(b.bytes)) {
          if (!r.key) continue;
          try {
            const id = decodeTxnKey(r.key);
            if (r.value === null) state.txns.delete(id);
            else {
              const m = decodeTxnValue(id, r.value);
              const existing = state.txns.get(id);
              if (existing) existing.apply(m);
              else state.txns.set(id, new TransactionMetadata(id, m));
            }
            loaded++;
          } catch (e) {
            this.log.warn('skipping an unreadable transaction log record', {
              partition: p.partition,
              offset: r.offset,
              error: (e as Error).message,
            });
          }
        }
      }
    }
    state.loading = false;
    this.log.info('loaded transaction log partition', {
      partition: p.partition,
      coordinatorEpoch: state.coordinatorEpoch,
      records: loaded,
      transactionalIds: state.txns.size,
    });
    for (const meta of state.txns.values())
      if (meta.state === 'PrepareCommit' || meta.state === 'PrepareAbort')
        void this.completeTransaction(p.partition, state, meta);
  }

  private isOwner(partition: number, state: TxnPartitionState): boolean {
    if (!this.active || this.owned.get(partition) !== state) return false;
    const p = this.opts.replicaManager.getPartition(TRANSACTION_STATE_TOPIC_NAME, partition);
    return !!p && p.isLeader && p.leaderEpoch === state.coordinatorEpoch;
  }

  private lookup(transactionalId: string): Lookup {
    if (transactionalId === '') return { errorCode: ErrorCode.INVALID_REQUEST };
    const partition = this.partitionFor(transactionalId);
    const state = this.owned.get(partition);
    if (!state || !this.isOwner(partition, state)) return { errorCode: ErrorCode.NOT_COORDINATOR };
    if (state.loading) return { errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS };
    return { errorCode: 0, partition, state, meta: state.txns.get(transactionalId) };
  }

  /** Checks producer id and epoch; PRODUCER_FENCED becomes INVALID_PRODUCER_EPOCH for old clients. */
  private checkProducer(
    meta: TransactionMetadata | undefined,
    producerId: number,
    producerEpoch: number,
    oldClient: boolean,
  ): number {
    if (!meta || meta.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    if (meta.producerEpoch !== producerEpoch)
      return oldClient ? ErrorCode.INVALID_PRODUCER_EPOCH : ErrorCode.PRODUCER_FENCED;
    if (meta.pendingWrite) return ErrorCode.CONCURRENT_TRANSACTIONS;
    return 0;
  }

  /** Writes `next` for `meta` (acks=all), then makes it current. Returns an error code. */
  private async write(
    partition: number,
    state: TxnPartitionState,
    meta: TransactionMetadata,
    next: TxnTransitMetadata,
  ): Promise<number> {
    meta.pendingWrite = true;
    try {
      const batch = buildRecordBatch({
        records: [{ key: encodeTxnKey(meta.transactionalId), value: encodeTxnValue(next) }],
        now: this.opts.time.milliseconds(),
      });
      const res = await this.opts.replicaManager.appendRecords(-1, APPEND_TIMEOUT_MS, [
        { name: TRANSACTION_STATE_TOPIC_NAME, partitions: [{ index: partition, records: batch }] },
      ]);
      const code = res[0].partitions[0].errorCode;
      if (code !== 0) {
        this.log.warn('transaction log append failed', {
          transactionalId: meta.transactionalId,
          state: next.state,
          errorCode: code,
        });
        return appendErrorToCoordinatorError(code);
      }
      if (!this.isOwner(partition, state)) return ErrorCode.NOT_COORDINATOR;
      meta.apply(next);
      return 0;
    } finally {
      meta.pendingWrite = false;
    }
  }

  // ---------------------------------------------------------------- InitProducerId

  async handleInitProducerId(
    transactionalId: string,
    transactionTimeoutMs: number,
  ): Promise<InitProducerIdResult> {
    const fail = (errorCode: number) => ({ errorCode, producerId: -1, producerEpoch: -1 });
    if (
      transactionTimeoutMs <= 0 ||
      transactionTimeoutMs > this.opts.config.transactionMaxTimeoutMs
    )
      return fail(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
    let l = this.lookup(transactionalId);
    if (l.errorCode !== 0 || !('state' in l)) return fail(l.errorCode);
    if (!l.meta) {
      const producerId = await this.opts.generateProducerId();
      l = this.lookup(transactionalId);
      if (l.errorCode !== 0 || !('state' in l)) return fail(l.errorCode);
      if (!l.meta) {
        const now = this.opts.time.milliseconds();
        l.meta = new TransactionMetadata(transactionalId, {
          producerId,
          producerEpoch: -1,
          txnTimeoutMs: transactionTimeoutMs,
          state: 'Empty',
          partitions: [],
          txnStartTimestamp: -1,
          txnLastUpdateTimestamp: now,
          pendingOffsets: [],
        });
        l.state.txns.set(transactionalId, l.meta);
      }
    }
    const { meta, state, partition } = l;
    if (meta.pendingWrite) return fail(ErrorCode.CONCURRENT_TRANSACTIONS);
    switch (meta.state) {
      case 'PrepareCommit':
      case 'PrepareAbort':
      case 'PrepareEpochFence':
        return fail(ErrorCode.CONCURRENT_TRANSACTIONS);
      case 'Ongoing':
        // A new instance of the producer: abort the open transaction with a bumped epoch
        // (fencing the old one), then the client retries.
        void this.fenceAndAbort(partition, state, meta, 'a new producer instance initialised');
        return fail(ErrorCode.CONCURRENT_TRANSACTIONS);
      default: {
        let producerId = meta.producerId;
        let producerEpoch = meta.producerEpoch + 1;
        if (producerEpoch >= MAX_EPOCH) {
          producerId = await this.opts.generateProducerId();
          producerEpoch = 0;
        }
        const next = meta.prepare({
          producerId,
          producerEpoch,
          txnTimeoutMs: transactionTimeoutMs,
          state: 'Empty',
          partitions: [],
          pendingOffsets: [],
          txnStartTimestamp: -1,
          txnLastUpdateTimestamp: this.opts.time.milliseconds(),
        });
        const code = await this.write(partition, state, meta, next);
        if (code !== 0) return fail(code);
        this.log.info('initialised transactional producer', {
          transactionalId,
          producerId,
          producerEpoch,
        });
        return { errorCode: 0, producerId, producerEpoch };
      }
    }
  }

  // ---------------------------------------------------------------- AddPartitions / AddOffsets

  /** Returns the error code of each partition (UNKNOWN_TOPIC_OR_PARTITION and OPERATION_NOT_ATTEMPTED per partition). */
  async handleAddPartitions(
    transactionalId: string,
    producerId: number,
    producerEpoch: number,
    partitions: TopicPartition[],
    oldClient: boolean,
  ): Promise<Map<string, number>> {
    const all = (code: number) => new Map(partitions.map((p) => [tpKey(p), code]));
    const unknown = partitions.filter((p) => {
      const n = this.opts.metadataCache.numPartitions(p.topic);
      return n === undefined || p.partition >= n || p.partition < 0;
    });
    if (unknown.length > 0) {
      const out = all(ErrorCode.OPERATION_NOT_ATTEMPTED);
      for (const p of unknown) out.set(tpKey(p), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      return out;
    }
    const code = await this.addToTransaction(
      transactionalId,
      producerId,
      producerEpoch,
      oldClient,
      (meta) => {
        const added = partitions.filter((p) => !meta.partitions.has(tpKey(p)));
        if (meta.state === 'Ongoing' && added.length === 0) return null;
        return { partitions: added };
      },
    );
    return all(code);
  }

  async handleAddOffsets(
    transactionalId: string,
    producerId: number,
    producerEpoch: number,
    groupId: string,
    oldClient: boolean,
  ): Promise<number> {
    return this.addToTransaction(transactionalId, producerId, producerEpoch, oldClient, (meta) => {
      if (meta.state === 'Ongoing' && meta.pendingOffsets.has(groupId)) return null;
      return { group: groupId };
    });
  }

  /**
   * TxnOffsetCommit: the offsets the transaction commits for `groupId`, kept (durably,
   * in the transaction log) until it commits.
   */
  async handleTxnOffsetCommit(
    transactionalId: string,
    producerId: number,
    producerEpoch: number,
    groupId: string,
    offsets: PendingOffset[],
    oldClient: boolean,
  ): Promise<number> {
    return this.addToTransaction(transactionalId, producerId, producerEpoch, oldClient, () => ({
      group: groupId,
      offsets,
    }));
  }

  private async addToTransaction(
    transactionalId: string,
    producerId: number,
    producerEpoch: number,
    oldClient: boolean,
    change: (
      meta: TransactionMetadata,
    ) => { partitions?: TopicPartition[]; group?: string; offsets?: PendingOffset[] } | null,
  ): Promise<number> {
    const l = this.lookup(transactionalId);
    if (l.errorCode !== 0 || !('state' in l)) return l.errorCode;
    const { meta, state, partition } = l;
    const check = this.checkProducer(meta, producerId, producerEpoch, oldClient);
    if (check !== 0 || !meta) return check;
    if (
      meta.state === 'PrepareCommit' ||
      meta.state === 'PrepareAbort' ||
      meta.state === 'PrepareEpochFence'
    )
      return ErrorCode.CONCURRENT_TRANSACTIONS;
    if (meta.state === 'Dead') return ErrorCode.INVALID_TXN_STATE;
    const c = change(meta);
    if (!c) return 0;
    const ongoing = meta.state === 'Ongoing';
    const now = this.opts.time.milliseconds();
    const cur = meta.snapshot();
    const partitions = ongoing ? cur.partitions : [];
    const pending = new Map(
      (ongoing ? cur.pendingOffsets : []).map((g) => [
        g.groupId,
        new Map(g.offsets.map((o) => [tpKey(o), o])),
      ]),
    );
    for (const p of c.partitions ?? []) partitions.push(p);
    if (c.group !== undefined) {
      const g = pending.get(c.group) ?? new Map<string, PendingOffset>();
      for (const o of c.offsets ?? []) g.set(tpKey(o), o);
      pending.set(c.group, g);
    }
    const next = meta.prepare({
      state: 'Ongoing',
      partitions,
      pendingOffsets: [...pending].map(([groupId, m]) => ({ groupId, offsets: [...m.values()] })),
      txnStartTimestamp: ongoing ? meta.txnStartTimestamp : now,
      txnLastUpdateTimestamp: now,
    });
    return this.write(partition, state, meta, next);
  }

  // ---------------------------------------------------------------- EndTxn

  async handleEndTxn(
    transactionalId: string,
    producerId: number,
    producerEpoch: number,
    commit: boolean,
    oldClient: boolean,
  ): Promise<number> {
    const l = this.lookup(transactionalId);
    if (l.errorCode !== 0 || !('state' in l)) return l.errorCode;
    const { meta, state, partition } = l;
    const check = this.checkProducer(meta, producerId, producerEpoch, oldClient);
    if (check !== 0 || !meta) return check;
    switch (meta.state) {
      case 'Ongoing': {
        const next = meta.prepare({
          state: commit ? 'PrepareCommit' : 'PrepareAbort',
          txnLastUpdateTimestamp: this.opts.time.milliseconds(),
        });
        const code = await this.write(partition, state, meta, next);
        if (code === 0) void this.completeTransaction(partition, state, meta);
        return code;
      }
      case 'CompleteCommit':
        return commit ? 0 : ErrorCode.INVALID_TXN_STATE;
      case 'CompleteAbort':
        return commit ? ErrorCode.INVALID_TXN_STATE : 0;
      case 'PrepareCommit':
        return commit ? ErrorCode.CONCURRENT_TRANSACTIONS : ErrorCode.INVALID_TXN_STATE;
      case 'PrepareAbort':
        return commit ? ErrorCode.INVALID_TXN_STATE : ErrorCode.CONCURRENT_TRANSACTIONS;
      default:
        return ErrorCode.INVALID_TXN_STATE;
    }
  }

  /** Aborts an open transaction with the epoch bumped (timeout, or a new producer instance). */
  private async fenceAndAbort(
    partition: number,
    state: TxnPartitionState,
    meta: TransactionMetadata,
    reason: string,
  ): Promise<void> {
    if (meta.state !== 'Ongoing' || meta.pendingWrite) return;
    const producerEpoch =
      meta.producerEpoch < MAX_EPOCH - 1 ? meta.producerEpoch + 1 : meta.producerEpoch;
    const next = meta.prepare({
      producerEpoch,
      state: 'PrepareAbort',
      txnLastUpdateTimestamp: this.opts.time.milliseconds(),
    });
    this.log.info('aborting a transaction with a bumped epoch', {
      transactionalId: meta.transactionalId,
      producerId: meta.producerId,
      producerEpoch,
      reason,
    });
    const code = await this.write(partition, state, meta, next);
    if (code === 0) await this.completeTransaction(partition, state, meta);
  }

  /**
   * Periodic (Kafka's TransactionStateManager.removeExpiredTransactionalIds): the ids with
   * no transaction and no update for `transactional.id.expiration.ms` get a tombstone in
   * their log partition (acks=all), then leave the cache. One whose state changed meanwhile
   * stays. Resolves with the number removed.
   */
  async removeExpiredTransactionalIds(): Promise<number> {
    const now = this.opts.time.milliseconds();
    const expiry = this.opts.config.transactionalIdExpirationMs;
    let removed = 0;
    for (const [partition, state] of [...this.owned]) {
      if (state.loading || !this.isOwner(partition, state)) continue;
      const expired = [...state.txns.values()].filter(
        (m) =>
          !m.pendingWrite &&
          (m.state === 'Empty' || m.state === 'CompleteCommit' || m.state === 'CompleteAbort') &&
          m.txnLastUpdateTimestamp <= now - expiry,
      );
      if (expired.length === 0) continue;
      const seen = new Map(expired.map((m) => [m, m.txnLastUpdateTimestamp]));
      for (const m of expired) {
        m.prepare({ state: 'Dead' }); // checks the transition
        m.pendingWrite = true;
      }
      try {
        const batch = buildRecordBatch({
          records: expired.map((m) => ({ key: encodeTxnKey(m.transactionalId), value: null })),
          now,
        });
        const res = await this.opts.replicaManager.appendRecords(-1, APPEND_TIMEOUT_MS, [
          {
            name: TRANSACTION_STATE_TOPIC_NAME,
            partitions: [{ index: partition, records: batch }],
          },
        ]);
        const code = res[0].partitions[0].errorCode;
        if (code !== 0) {
          this.log.warn('could not write the tombstones of expired transactional ids', {
            partition,
            errorCode: code,
          });
          continue;
        }
        if (!this.isOwner(partition, state)) continue;
        for (const m of expired) {
          if (state.txns.get(m.transactionalId) !== m) continue;
          if (m.txnLastUpdateTimestamp !== seen.get(m)) continue; // used again meanwhile
          state.txns.delete(m.transactionalId);
          removed++;
        }
        this.log.info('removed expired transactional ids', {
          partition,
          transactionalIds: expired.map((m) => m.transactionalId).join(','),
        });
      } finally {
        for (const m of expired) m.pendingWrite = false;
      }
    }
    return removed;
  }

  /** Periodic: aborts the transactions open longer than their timeout. */
  abortTimedOutTransactions(): void {
    const now = this.opts.time.milliseconds();
    for (const [partition, state] of this.owned) {
      if (state.loading || !this.isOwner(partition, state)) continue;
      for (const meta of state.txns.values())
        if (
          meta.state === 'Ongoing' &&
          !meta.pendingWrite &&
          meta.txnStartTimestamp >= 0 &&
          now - meta.txnStartTimestamp > meta.txnTimeoutMs
        )
          void this.fenceAndAbort(
            partition,
            state,
            meta,
            `open longer than ${meta.txnTimeoutMs} ms`,
          );
    }
  }

  /**
   * Second phase: markers to every partition, the group offsets of a commit to
   * ZooKeeper, then CompleteCommit/CompleteAbort. Retries until done or the partition is
   * no longer ours (the next coordinator completes it after loading the log).
   */
  private async completeTransaction(
    partition: number,
    state: TxnPartitionState,
    meta: TransactionMetadata,
  ): Promise<void> {
    const owner = () => this.isOwner(partition, state);
    const commit = meta.state === 'PrepareCommit';
    const snap = meta.snapshot();
    try {
      await this.writeMarkers(snap, commit, state.coordinatorEpoch, owner);
      if (!owner()) return;
      if (commit) {
        for (const g of snap.pendingOffsets) {
          if (g.offsets.length === 0) continue;
          for (;;) {
            if (!owner()) return;
            try {
              await this.opts.commitGroupOffsets(g.groupId, g.offsets);
              break;
            } catch (e) {
              this.log.warn('cannot commit transactional offsets, retrying', {
                groupId: g.groupId,
                error: (e as Error).message,
              });
              await this.opts.time.sleep(RETRY_BACKOFF_MS * 5);
            }
          }
        }
      }
      for (;;) {
        if (!owner()) return;
        if (meta.pendingWrite) {
          await this.opts.time.sleep(RETRY_BACKOFF_MS);
          continue;
        }
        const next = meta.prepare({
          state: commit ? 'CompleteCommit' : 'CompleteAbort',
          partitions: [],
          pendingOffsets: [],
          txnLastUpdateTimestamp: this.opts.time.milliseconds(),
        });
        const code = await this.write(partition, state, meta, next);
        if (code === 0) break;
        await this.opts.time.sleep(RETRY_BACKOFF_MS);
      }
      this.log.info(commit ? 'transaction committed' : 'transaction aborted', {
        transactionalId: meta.transactionalId,
        producerId: meta.producerId,
        producerEpoch: meta.producerEpoch,
        partitions: snap.partitions.length,
      });
    } catch (e) {
      this.log.error('completing a transaction failed', {
        transactionalId: meta.transactionalId,
        error: e,
      });
    }
  }

  private async writeMarkers(
    m: TxnTransitMetadata,
    commit: boolean,
    coordinatorEpoch: number,
    owner: () => boolean,
  ): Promise<void> {
    let remaining = m.partitions;
    while (remaining.length > 0 && owner()) {
      const byLeader = new Map<number, TopicPartition[]>();
      const retry: TopicPartition[] = [];
      for (const tp of remaining) {
        if (this.opts.metadataCache.numPartitions(tp.topic) === undefined) continue; // deleted
        const st = this.opts.metadataCache.partitionState(tp.topic, tp.partition);
        if (!st || st.leader < 0) {
          retry.push(tp);
          continue;
        }
        const l = byLeader.get(st.leader) ?? [];
        l.push(tp);
        byLeader.set(st.leader, l);
      }
      await Promise.all(
        [...byLeader].map(async ([brokerId, tps]) => {
          const byTopic = new Map<string, number[]>();
          for (const tp of tps)
            byTopic.set(tp.topic, [...(byTopic.get(tp.topic) ?? []), tp.partition]);
          try {
            const res = await this.opts.sendMarkers(brokerId, {
              markers: [
                {
                  producerId: m.producerId,
                  producerEpoch: m.producerEpoch,
                  transactionResult: commit,
                  coordinatorEpoch,
                  topics: [...byTopic].map(([name, partitionIndexes]) => ({
                    name,
                    partitionIndexes,
                  })),
                },
              ],
            });
            for (const t of res.markers[0]?.topics ?? [])
              for (const p of t.partitions) {
                // A newer producer or coordinator epoch already wrote its marker there:
                // nothing left to do (Kafka's TransactionMarkerRequestCompletionHandler).
                if (
                  p.errorCode === 0 ||
                  p.errorCode === ErrorCode.INVALID_PRODUCER_EPOCH ||
                  p.errorCode === ErrorCode.PRODUCER_FENCED ||
                  p.errorCode === ErrorCode.TRANSACTION_COORDINATOR_FENCED
                )
                  continue;
                retry.push({ topic: t.name, partition: p.partitionIndex });
              }
          } catch (e) {
            this.log.debug('WriteTxnMarkers failed, retrying', {
              broker: brokerId,
              error: (e as Error).message,
            });
            retry.push(...tps);
          }
        }),
      );
      remaining = retry;
      if (remaining.length > 0) await this.opts.time.sleep(RETRY_BACKOFF_MS);
    }
  }

  // ---------------------------------------------------------------- Describe / List

  describe(transactionalId: string): DescribedTransaction {
    const none = (errorCode: number): DescribedTransaction => ({
      errorCode,
      transactionalId,
      transactionState: '',
      transactionTimeoutMs: 0,
      transactionStartTimeMs: -1,
      producerId: -1,
      producerEpoch: -1,
      topicPartitions: [],
    });
    const l = this.lookup(transactionalId);
    if (l.errorCode !== 0 || !('state' in l)) return none(l.errorCode);
    if (!l.meta) return none(ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
    const m = l.meta;
    const byTopic = new Map<string, number[]>();
    for (const p of m.partitions.values())
      byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.partition]);
    return {
      errorCode: 0,
      transactionalId,
      transactionState: m.state,
      transactionTimeoutMs: m.txnTimeoutMs,
      transactionStartTimeMs: m.txnStartTimestamp,
      producerId: m.producerId,
      producerEpoch: m.producerEpoch,
      topicPartitions: [...byTopic].map(([name, partitionIndexes]) => ({
        name,
        partitionIndexes: partitionIndexes.sort((a, b) => a - b),
      })),
    };
  }

  list(
    stateFilters: string[],
    producerIdFilters: number[],
  ): {
    unknownStateFilters: string[];
    transactionStates: Array<{
      transactionalId: string;
      producerId: number;
      transactionState: string;
    }>;
  } {
    const unknownStateFilters = stateFilters.filter(
      (s) => !TRANSACTION_STATES.includes(s as TransactionState),
    );
    const out = [];
    for (const [partition, state] of this.owned) {
      if (state.loading || !this.isOwner(partition, state)) continue;
      for (const m of state.txns.values()) {
        if (stateFilters.length > 0 && !stateFilters.includes(m.state)) continue;
        if (producerIdFilters.length > 0 && !producerIdFilters.includes(m.producerId)) continue;
        out.push({
          transactionalId: m.transactionalId,
          producerId: m.producerId,
          transactionState: m.state,
        });
      }
    }
    out.sort((a, b) => (a.transactionalId < b.transactionalId ? -1 : 1));
    return { unknownStateFilters, transactionStates: out };
  }
}

/** Kafka's TransactionStateManager mapping of append errors to coordinator errors. */
export function appendErrorToCoordinatorError(code: number): number {
  switch (code) {
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
    case ErrorCode.NOT_ENOUGH_REPLICAS:
    case ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case ErrorCode.REQUEST_TIMED_OUT:
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    case ErrorCode.NOT_LEADER_OR_FOLLOWER:
    case ErrorCode.KAFKA_STORAGE_ERROR:
      return ErrorCode.NOT_COORDINATOR;
    default:
      return ErrorCode.UNKNOWN_SERVER_ERROR;
  }
}
