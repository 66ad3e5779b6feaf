/**
 * Which broker coordinates a group.
 *
 * Kafka: the leader of partition `Utils.abs(groupId.hashCode) % 50` of
 * `__consumer_offsets` (`offsets.topic.num.partitions`), where `abs(Integer.MIN_VALUE)`
 * is 0. kzoo has no offsets topic (committed offsets live in ZooKeeper), so it keeps
 * the same first step and replaces the partition leader with a deterministic pick:
 *
 *   virtual partition p = abs(javaStringHashCode(groupId)) % 50
 *   coordinator        = liveBrokerIds sorted ascending, at index p % count
 *
 * Every broker computes the same answer from the same live-broker set, and the answer
 * moves when that broker dies (the set shrinks). A group whose Kafka partition would
 * be p keeps "partition p" as its number for logs and tools.
 */

/** Kafka's `offsets.topic.num.partitions` default. */
export const OFFSETS_TOPIC_NUM_PARTITIONS = 50;

/** Java's `String.hashCode()` (UTF-16 code units, 32-bit wrap-around). */
export function javaStringHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/** Kafka's `Utils.abs`: `abs(Integer.MIN_VALUE) == 0`, so the result is never negative. */
export function kafkaAbs(n: number): number {
  return n === -2147483648 ? 0 : Math.abs(n);
}

/** The `__consumer_offsets` partition Kafka would use for the group. */
export function partitionForGroup(
  groupId: string,
  numPartitions: number = OFFSETS_TOPIC_NUM_PARTITIONS,
): number {
  return kafkaAbs(javaStringHashCode(groupId)) % numPartitions;
}

/** The coordinator's broker id among `liveBrokerIds`, or null when none is alive. */
export function coordinatorForGroup(
  groupId: string,
  liveBrokerIds: readonly number[],
  numPartitions: number = OFFSETS_TOPIC_NUM_PARTITIONS,
): number | null {
  if (liveBrokerIds.length === 0) return null;
  const sorted = [...new Set(liveBrokerIds)].sort((a, b) => a - b);
  return sorted[partitionForGroup(groupId, numPartitions) % sorted.length];
}
