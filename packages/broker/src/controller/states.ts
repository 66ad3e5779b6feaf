/**
 * The controller's partition and replica states (Kafka's PartitionStateMachine and
 * ReplicaStateMachine states), each with the states it may be entered from.
 * `checkTransition` throws IllegalStateTransition for any other move.
 */

export enum PartitionState {
  /** Never created, or deleted. */
  NonExistentPartition = 'NonExistentPartition',
  /** Assigned replicas in /brokers/topics, no leader yet (no state znode). */
  NewPartition = 'NewPartition',
  /** Has a live leader; its state znode and the brokers agree. */
  OnlinePartition = 'OnlinePartition',
  /** Its leader is dead (or it is being deleted). */
  OfflinePartition = 'OfflinePartition',
}

export const PARTITION_VALID_PREVIOUS: Readonly<Record<PartitionState, readonly PartitionState[]>> =
  {
    [PartitionState.NonExistentPartition]: [PartitionState.OfflinePartition],
    [PartitionState.NewPartition]: [PartitionState.NonExistentPartition],
    [PartitionState.OnlinePartition]: [
      PartitionState.NewPartition,
      PartitionState.OnlinePartition,
      PartitionState.OfflinePartition,
    ],
    [PartitionState.OfflinePartition]: [
      PartitionState.NewPartition,
      PartitionState.OnlinePartition,
      PartitionState.OfflinePartition,
    ],
  };

export enum ReplicaState {
  NonExistentReplica = 'NonExistentReplica',
  /** Assigned, the partition has no leader yet: only StopReplica may be sent. */
  NewReplica = 'NewReplica',
  /** Its broker is live and has been sent the partition's LeaderAndIsr. */
  OnlineReplica = 'OnlineReplica',
  /** Its broker is dead. */
  OfflineReplica = 'OfflineReplica',
  /** StopReplica(deletePartition) sent during topic deletion. */
  ReplicaDeletionStarted = 'ReplicaDeletionStarted',
  /** The broker confirmed the deletion. */
  ReplicaDeletionSuccessful = 'ReplicaDeletionSuccessful',
  /** The deletion failed or its broker is dead; retried later. */
  ReplicaDeletionIneligible = 'ReplicaDeletionIneligible',
}

export const REPLICA_VALID_PREVIOUS: Readonly<Record<ReplicaState, readonly ReplicaState[]>> = {
  [ReplicaState.NonExistentReplica]: [ReplicaState.ReplicaDeletionSuccessful],
  [ReplicaState.NewReplica]: [ReplicaState.NonExistentReplica],
  [ReplicaState.OnlineReplica]: [
    ReplicaState.NewReplica,
    ReplicaState.OnlineReplica,
    ReplicaState.OfflineReplica,
    ReplicaState.ReplicaDeletionIneligible,
  ],
  [ReplicaState.OfflineReplica]: [
    ReplicaState.NewReplica,
    ReplicaState.OnlineReplica,
    ReplicaState.OfflineReplica,
    ReplicaState.ReplicaDeletionIneligible,
  ],
  [ReplicaState.ReplicaDeletionStarted]: [ReplicaState.OfflineReplica],
  [ReplicaState.ReplicaDeletionSuccessful]: [ReplicaState.ReplicaDeletionStarted],
  [ReplicaState.ReplicaDeletionIneligible]: [
    ReplicaState.OfflineReplica,
    ReplicaState.ReplicaDeletionStarted,
  ],
};

export class IllegalStateTransition extends Error {
  constructor(what: string, from: string, to: string) {
    super(`${what}: illegal state transition from ${from} to ${to}`);
    this.name = 'IllegalStateTransition';
  }
}

export function checkPartitionTransition(
  what: string,
  from: PartitionState,
  to: PartitionState,
): void {
  if (!PARTITION_VALID_PREVIOUS[to].includes(from))
    throw new IllegalStateTransition(what, from, to);
}

export function checkReplicaTransition(what: string, from: ReplicaState, to: ReplicaState): void {
  if (!REPLICA_VALID_PREVIOUS[to].includes(from)) throw new IllegalStateTransition(what, from, to);
}
