import { tpKey, type TopicPartition } from '@kzoo/common';
/**
 * One transactional id's state at its coordinator (Kafka's TransactionMetadata and
 * TransactionState): the producer id and epoch it owns, the transaction timeout, the
 * state, the partitions of the ongoing transaction, and (kzoo: committed offsets live
 * in ZooKeeper, not in __consumer_offsets) the offsets it will commit for each group.
 */

/**
 * Kafka's transaction states, with their ids in the transaction log.
 *   Empty             no transaction yet, or the producer just (re)initialised
 *   Ongoing           partitions or offsets were added; the producer is writing
 *   PrepareCommit     EndTxn(commit) is durable; commit markers are being written
 *   PrepareAbort      EndTxn(abort) or a timeout/fence is durable; abort markers are being written
 *   CompleteCommit    every marker is written (and the offsets are in ZooKeeper)
 *   CompleteAbort     every abort marker is written
 *   Dead              the transactional id expired (not produced by kzoo)
 *   PrepareEpochFence the epoch is being bumped to abort a zombie's transaction
 */
export const TransactionStateIds = {
  Empty: 0,
  Ongoing: 1,
  PrepareCommit: 2,
  PrepareAbort: 3,
  CompleteCommit: 4,
  CompleteAbort: 5,
  Dead: 6,
  PrepareEpochFence: 7,
} as const;
export type TransactionState = keyof typeof TransactionStateIds;

export const TRANSACTION_STATES = Object.keys(TransactionStateIds) as TransactionState[];

export function transactionStateOf(id: number): TransactionState {
  const s = TRANSACTION_STATES.find((n) => TransactionStateIds[n] === id);
  if (!s) throw new Error(`unknown transaction state id ${id}`);
  return s;
}

/** Kafka's TransactionState.validPreviousStates. */
export const VALID_PREVIOUS_TXN_STATES: Readonly<
  Record<TransactionState, readonly TransactionState[]>
> = {
  Empty: ['Empty', 'CompleteCommit', 'CompleteAbort'],
  Ongoing: ['Ongoing', 'Empty', 'CompleteCommit', 'CompleteAbort'],
  PrepareCommit: ['Ongoing'],
  PrepareAbort: ['Ongoing', 'PrepareEpochFence'],
  CompleteCommit: ['PrepareCommit'],
  CompleteAbort: ['PrepareAbort'],
  Dead: ['Empty', 'CompleteAbort', 'CompleteCommit'],
  PrepareEpochFence: ['Ongoing'],
};

export interface PendingOffset extends TopicPartition {
  offset: number;
}

/** What one transaction log record holds (the value, with its key). */
export interface TxnTransitMetadata {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  txnTimeoutMs: number;
  state: TransactionState;
  partitions: TopicPartition[];
  txnStartTimestamp: number;
  txnLastUpdateTimestamp: number;
  /** kzoo: offsets to commit per group when the transaction commits. */
  pendingOffsets: Array<{ groupId: string; offsets: PendingOffset[] }>;
}

export class TransactionMetadata {
  producerId: number;
  producerEpoch: number;
  txnTimeoutMs: number;
  state: TransactionState;
  readonly partitions = new Map<string, TopicPartition>();
  txnStartTimestamp: number;
  txnLastUpdateTimestamp: number;
  readonly pendingOffsets = new Map<string, Map<string, PendingOffset>>();
  /** A log write for this id is in flight (Kafka's pendingState): other requests get CONCURRENT_TRANSACTIONS. */
  pendingWrite = false;

  constructor(
    readonly transactionalId: string,
    m: Omit<TxnTransitMetadata, 'transactionalId'>,
  ) {
    this.producerId = m.producerId;
    this.producerEpoch = m.producerEpoch;
    this.txnTimeoutMs = m.txnTimeoutMs;
    this.state = m.state;
    this.txnStartTimestamp = m.txnStartTimestamp;
    this.txnLastUpdateTimestamp = m.txnLastUpdateTimestamp;
    this.apply({ transactionalId, ...m });
  }

  /** The state after a transition, as it will be written to the log. */
  prepare(changes: Partial<Omit<TxnTransitMetadata, 'transactionalId'>>): TxnTransitMetadata {
    const next: TxnTransitMetadata = { ...this.snapshot(), ...changes };
    if (next.state !== this.state && !VALID_PREVIOUS_TXN_STATES[next.state].includes(this.state))
      throw new Error(
        `transactional id ${this.transactionalId}: illegal transition ${this.state} -> ${next.state}`,
      );
    return next;
  }

  snapshot(): TxnTransitMetadata {
    return {
      transactionalId: this.transactionalId,
      producerId: this.producerId,
      producerEpoch: this.producerEpoch,
      txnTimeoutMs: this.txnTimeoutMs,
      state: this.state,
      partitions: [...this.partitions.values()],
      txnStartTimestamp: this.txnStartTimestamp,
      txnLastUpdateTimestamp: this.txnLastUpdateTimestamp,
      pendingOffsets: [...this.pendingOffsets].map(([groupId, m]) => ({
        groupId,
        offsets: [...m.values()],
      })),
    };
  }

  /** Makes a written (or loaded) record the current state. */
  apply(m: TxnTransitMetadata): void {
    this.producerId = m.producerId;
    this.producerEpoch = m.producerEpoch;
    this.txnTimeoutMs = m.txnTimeoutMs;
    this.state = m.state;
    this.txnStartTimestamp = m.txnStartTimestamp;
    this.txnLastUpdateTimestamp = m.txnLastUpdateTimestamp;
    this.partitions.clear();
    for (const p of m.partitions) this.partitions.set(tpKey(p), { ...p });
    this.pendingOffsets.clear();
    for (const g of m.pendingOffsets) {
      const map = new Map<string, PendingOffset>();
      for (const o of g.offsets) map.set(tpKey(o), { ...o });
      this.pendingOffsets.set(g.groupId, map);
    }
  }
}
