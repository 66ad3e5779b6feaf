import {
  IllegalStateTransition,
  PartitionState,
  ReplicaState,
  checkPartitionTransition,
  checkReplicaTransition,
} from './states';

describe('broker > controller > states', () => {
  it('allows Kafka’s partition moves and refuses the others', () => {
    const P = PartitionState;
    expect(() =>
      checkPartitionTransition('p', P.NonExistentPartition, P.NewPartition),
    ).not.toThrow();
    expect(() => checkPartitionTransition('p', P.NewPartition, P.OnlinePartition)).not.toThrow();
    expect(() =>
      checkPartitionTransition('p', P.OnlinePartition, P.OfflinePartition),
    ).not.toThrow();
    expect(() =>
      checkPartitionTransition('p', P.OfflinePartition, P.NonExistentPartition),
    ).not.toThrow();
    expect(() => checkPartitionTransition('p', P.NonExistentPartition, P.OnlinePartition)).toThrow(
      IllegalStateTransition,
    );
    expect(() => checkPartitionTransition('p', P.OnlinePartition, P.NewPartition)).toThrow(
      'p: illegal state transition from OnlinePartition to NewPartition',
    );
  });

  it('allows Kafka’s replica moves and refuses the others', () => {
    const R = ReplicaState;
    expect(() => checkReplicaTransition('r', R.NonExistentReplica, R.NewReplica)).not.toThrow();
    expect(() =>
      checkReplicaTransition('r', R.OfflineReplica, R.ReplicaDeletionStarted),
    ).not.toThrow();
    expect(() =>
      checkReplicaTransition('r', R.ReplicaDeletionStarted, R.ReplicaDeletionSuccessful),
    ).not.toThrow();
    expect(() => checkReplicaTransition('r', R.OnlineReplica, R.ReplicaDeletionStarted)).toThrow(
      IllegalStateTransition,
    );
    expect(() => checkReplicaTransition('r', R.NonExistentReplica, R.OnlineReplica)).toThrow(
      IllegalStateTransition,
    );
  });
});
