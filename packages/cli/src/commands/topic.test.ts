import {
  filterPartitions,
  formatTopicDescription,
  replicationFactor,
  type DescribedTopic,
} from './topic';

// kafka-topics --describe while partition 0 moves from 1,2,3 to 2,3,4 (replica set
// 2,3,4,1: target first, then the one being removed) and partition 1 does not move.
const moving: DescribedTopic = {
  name: 't',
  topicId: null,
  isInternal: false,
  partitions: [
    {
      partition: 0,
      leader: 1,
      leaderEpoch: 1,
      replicas: [2, 3, 4, 1],
      isr: [1, 2, 3],
      offlineReplicas: [],
      error: null,
      reassignment: { replicas: [2, 3, 4, 1], addingReplicas: [4], removingReplicas: [1] },
    },
    {
      partition: 1,
      leader: 2,
      leaderEpoch: 0,
      replicas: [2, 3, 1],
      isr: [2, 3],
      offlineReplicas: [],
      error: null,
    },
  ],
};

describe('cli > topic describe (kafka-topics) during a reassignment', () => {
  it('the replication factor leaves out the replicas being added', () => {
    expect(replicationFactor(moving.partitions[0])).toBe(3);
    expect(replicationFactor(moving.partitions[1])).toBe(3);
    // Listed, but completed by the time of the metadata (replicas 2,3,4): still 3.
    const reassignment = moving.partitions[0].reassignment;
    expect(replicationFactor({ ...moving.partitions[0], replicas: [2, 3, 4], reassignment })).toBe(
      3,
    );
    // Listed, and no replica of it left in the set: the set's size.
    expect(
      replicationFactor({
        ...moving.partitions[1],
        reassignment: { replicas: [5, 6], addingReplicas: [6], removingReplicas: [7] },
      }),
    ).toBe(3);
  });

  it('prints Adding Replicas / Removing Replicas and the topic replication factor as kafka-topics', () => {
    expect(formatTopicDescription(moving).split('\n')).toEqual([
      'Topic: t\tPartitionCount: 2\tReplicationFactor: 3',
      '\tTopic: t\tPartition: 0\tLeader: 1\tLeaderEpoch: 1\tReplicas: 2,3,4,1\tIsr: 1,2,3\tAdding Replicas: 4\tRemoving Replicas: 1',
      '\tTopic: t\tPartition: 1\tLeader: 2\tLeaderEpoch: 0\tReplicas: 2,3,1\tIsr: 2,3',
    ]);
  });

  it('--under-replicated-partitions does not count a replica still being added', () => {
    expect(
      filterPartitions(moving, { underReplicated: true }).partitions.map((p) => p.partition),
    ).toEqual([1]);
  });
});
