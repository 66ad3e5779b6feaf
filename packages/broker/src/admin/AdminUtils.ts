/**
 * Replica assignment for new topics: Kafka's rack-unaware
 * `AdminUtils.assignReplicasToBrokers`. Brokers are taken in sorted id order; the first
 * replica of partition p is broker `(p + startIndex) % n`; the other replicas follow at
 * a shift that grows by one each time p wraps around the broker list, so leaders and
 * followers spread evenly. `startIndex` and the initial shift are random unless fixed.
 */
import { KafkaError } from '@kzoo/common';

export function assignReplicasToBrokers(
  brokerIds: readonly number[],
  numPartitions: number,
  replicationFactor: number,
  opts: { fixedStartIndex?: number; startPartitionId?: number; random?: () => number } = {},
): Map<number, number[]> {
  if (!Number.isInteger(numPartitions) || numPartitions <= 0)
    throw new KafkaError('INVALID_PARTITIONS', 'Number of partitions must be larger than 0.');
  if (!Number.isInteger(replicationFactor) || replicationFactor <= 0)
    throw new KafkaError('INVALID_REPLICATION_FACTOR', 'Replication factor must be larger than 0.');
  if (replicationFactor > brokerIds.length)
    throw new KafkaError(
      'INVALID_REPLICATION_FACTOR',
      `Replication factor: ${replicationFactor} larger than available brokers: ${brokerIds.length}.`,
    );
  const brokers = [...brokerIds].sort((a, b) => a - b);
  const n = brokers.length;
  const rand = opts.random ?? Math.random;
  const fixed = opts.fixedStartIndex ?? -1;
  const startIndex = fixed >= 0 ? fixed : Math.floor(rand() * n);
  let nextReplicaShift = fixed >= 0 ? fixed : Math.floor(rand() * n);
  let partitionId = Math.max(0, opts.startPartitionId ?? 0);
  const out = new Map<number, number[]>();
  for (let i = 0; i < numPartitions; i++) {
    if (partitionId > 0 && partitionId % n === 0) nextReplicaShift++;
    const first = (partitionId + startIndex) % n;
    const replicas = [brokers[first]];
    for (let j = 0; j < replicationFactor - 1; j++) {
      const shift = 1 + ((nextReplicaShift + j) % (n - 1));
      replicas.push(brokers[(first + shift) % n]);
    }
    out.set(partitionId, replicas);
    partitionId++;
  }
  return out;
}
