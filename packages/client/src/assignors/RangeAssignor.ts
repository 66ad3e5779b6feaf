/**
 * RangeAssignor (Kafka's default up to 2.8): per topic, the members subscribed to it,
 * sorted, each receive a consecutive range. With P partitions and C members, member i
 * gets P/C partitions plus one more if i < P%C, starting at (P/C)*i + min(i, P%C).
 */
import {
  compareMembers,
  emptyAssignments,
  toAssignments,
  type ConsumerPartitionAssignor,
  type MemberInfo,
} from './assignor';

import type { Assignment, Subscription } from './consumer-protocol';
import { type TopicPartition } from '@kzoo/common';

export class RangeAssignor implements ConsumerPartitionAssignor {
  readonly name = 'range';

  assign(
    partitionsPerTopic: ReadonlyMap<string, number>,
    subscriptions: ReadonlyMap<string, Subscription>,
  ): Map<string, Assignment> {
    const consumersPerTopic = new Map<string, MemberInfo[]>();
    for (const [memberId, s] of subscriptions) {
      for (const topic of new Set(s.topics)) {
        let list = consumersPerTopic.get(topic);
        if (!list) consumersPerTopic.set(topic, (list = []));
        list.push({ memberId, groupInstanceId: s.groupInstanceId ?? null });
      }
    }
    const assignment = emptyAssignments(subscriptions);
    for (const [topic, members] of [...consumersPerTopic].sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    )) {
      const numPartitions = partitionsPerTopic.get(topic);
      if (numPartitions === undefined) continue;
      members.sort(compareMembers);
      const perMember = Math.floor(numPartitions / members.length);
      const extra = numPartitions % members.length;
      members.forEach((m, i) => {
        const start = perMember * i + Math.min(i, extra);
        const length = perMember + (i + 1 > extra ? 0 : 1);
        const list: TopicPartition[] = assignment.get(m.memberId)!;
        for (let p = start; p < start + length; p++) list.push({ topic, partition: p });
      });
    }
    return toAssignments(assignment);
  }
}
