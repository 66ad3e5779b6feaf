/**
 * Kafka's ConsumerPartitionAssignor, as the group leader runs it: given every member's
 * subscription and the partition count of each subscribed topic, it returns each
 * member's assignment. Members are ordered as Kafka's `MemberInfo` orders them: by
 * `group.instance.id` when both have one, members with one first, then by member id.
 */
import type { Assignment, Subscription } from './consumer-protocol';
import { type TopicPartition } from '@kzoo/common';

export interface ConsumerPartitionAssignor {
  /** The protocol name in JoinGroup (`range`, `roundrobin`, `sticky`). */
  readonly name: string;
  /** The userData this member sends in its subscription. */
  subscriptionUserData?(topics: ReadonlySet<string>): Buffer | null;
  /**
   * Assignments by member id, one for every member of `subscriptions`. Topics missing
   * from `partitionsPerTopic` (unknown to the leader's metadata) are skipped.
   */
  assign(
    partitionsPerTopic: ReadonlyMap<string, number>,
    subscriptions: ReadonlyMap<string, Subscription>,
  ): Map<string, Assignment>;
  /** Called with this member's assignment once SyncGroup answered. */
  onAssignment?(assignment: Assignment, generationId: number): void;
}

export interface MemberInfo {
  memberId: string;
  groupInstanceId: string | null;
}

export function compareMembers(a: MemberInfo, b: MemberInfo): number {
  if (a.groupInstanceId !== null && b.groupInstanceId !== null) {
    return cmp(a.groupInstanceId, b.groupInstanceId);
  }
  if (a.groupInstanceId !== null) return -1;
  if (b.groupInstanceId !== null) return 1;
  return cmp(a.memberId, b.memberId);
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Members as MemberInfo, sorted. */
export function sortedMembers(subscriptions: ReadonlyMap<string, Subscription>): MemberInfo[] {
  return [...subscriptions]
    .map(([memberId, s]) => ({ memberId, groupInstanceId: s.groupInstanceId ?? null }))
    .sort(compareMembers);
}

/** Every partition of every subscribed topic the leader knows, sorted by topic then partition. */
export function allPartitionsSorted(
  partitionsPerTopic: ReadonlyMap<string, number>,
  subscriptions: ReadonlyMap<string, Subscription>,
): TopicPartition[] {
  const topics = new Set<string>();
  for (const s of subscriptions.values()) for (const t of s.topics) topics.add(t);
  const out: TopicPartition[] = [];
  for (const topic of [...topics].sort()) {
    const n = partitionsPerTopic.get(topic);
    if (n === undefined) continue;
    for (let partition = 0; partition < n; partition++) out.push({ topic, partition });
  }
  return out;
}

export function emptyAssignments(
  subscriptions: ReadonlyMap<string, Subscription>,
): Map<string, TopicPartition[]> {
  return new Map([...subscriptions.keys()].map((m) => [m, [] as TopicPartition[]]));
}

export function toAssignments(
  partitions: Map<string, TopicPartition[]>,
  userData: (memberId: string) => Buffer | null = () => null,
): Map<string, Assignment> {
  return new Map([...partitions].map(([m, ps]) => [m, { partitions: ps, userData: userData(m) }]));
}

/** Java's `String.hashCode()`. */
export function javaStringHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/**
 * The order in which a `java.util.HashMap<String, _>` holding `keys` (inserted in the
 * given order) iterates them: by bucket `(h ^ (h >>> 16)) & (capacity - 1)`, capacity
 * 16 doubled while more than 3/4 full, then by insertion within a bucket. Kafka's
 * assignors walk such maps, and the walk decides ties (e.g. which members of a sticky
 * assignment keep the larger quota), so matching it matches Kafka's results.
 */
export function javaHashMapOrder(keys: readonly string[]): string[] {
  let capacity = 16;
  while (keys.length > capacity * 0.75) capacity *= 2;
  const bucket = (k: string) => {
    const h = javaStringHashCode(k);
    return (h ^ (h >>> 16)) & (capacity - 1);
  };
  return keys
    .map((k, i) => ({ k, i, b: bucket(k) }))
    .sort((a, b) => a.b - b.b || a.i - b.i)
    .map((e) => e.k);
}
