/**
 * RoundRobinAssignor: every subscribed partition, sorted by topic then partition, is
 * dealt in turn around the sorted members, skipping members not subscribed to its topic.
 */
import {
  allPartitionsSorted,
  emptyAssignments,
  sortedMembers,
  toAssignments,
  type ConsumerPartitionAssignor,
} from './assignor';

import type { Assignment, Subscription } from './consumer-protocol';

export class RoundRobinAssignor implements ConsumerPartitionAssignor {
  readonly name = 'roundrobin';

  assign(
    partitionsPerTopic: ReadonlyMap<string, number>,
    subscriptions: ReadonlyMap<string, Subscription>,
  ): Map<string, Assignment> {
    const assignment = emptyAssignments(subscriptions);
    const members = sortedMembers(subscriptions);
    const topicsOf = new Map([...subscriptions].map(([m, s]) => [m, new Set(s.topics)]));
    let next = 0; // the circular iterator's position
    for (const tp of allPartitionsSorted(partitionsPerTopic, subscriptions)) {
      // every partition's topic has at least one subscriber, so this ends
      while (!topicsOf.get(members[next].memberId)!.has(tp.topic)) {
        next = (next + 1) % members.length;
      }
      assignment.get(members[next].memberId)!.push(tp);
      next = (next + 1) % members.length;
    }
    return toAssignments(assignment);
  }
}
