/**
 * StickyAssignor (Kafka 0.11, KIP-54): an assignment as balanced as round robin that
 * keeps as many partitions as possible with their previous owners.
 *
 * Each member sends its previous assignment and generation as userData (msgpackr:
 * `{ version: 0, previousAssignment: [{ topic, partitions }], generation }`); a member
 * without userData falls back to the subscription's ownedPartitions/generationId.
 *
 * The leader then
 *   1. keeps each previously owned partition with its owner, if the owner is still
 *      subscribed to the topic and the partition still exists; when several members
 *      claim one partition, the highest generation wins, and a tie keeps it with none;
 *   2. hands out the other partitions, those with the fewest eligible members first,
 *      each to the eligible member with the fewest partitions (ties: member order);
 *   3. while some member has at least two partitions more than a member that could take
 *      one of them, moves one (the most recently added of the fuller member's) to the
 *      least loaded such member.
 * The result is balanced in Kafka's sense: no partition can move from a member to one
 * with fewer partitions (by 2 or more) that is subscribed to its topic; with equal
 * subscriptions, member sizes differ by at most one.
 */
import { KafkaError } from '@kzoo/common';
import { decodeBody, encodeBody } from '@kzoo/protocol';
import type { TopicPartition } from '../fetcher';
import {
  allPartitionsSorted,
  compareTopicPartitions,
  sortedMembers,
  toAssignments,
  tpKey,
  type ConsumerPartitionAssignor,
} from './assignor';
import { groupByTopic, type Assignment, type Subscription } from './consumer-protocol';

export interface StickyUserData {
  previousAssignment: TopicPartition[];
  generation: number;
}

export function encodeStickyUserData(d: StickyUserData): Buffer {
  return Buffer.from(
    encodeBody({
      version: 0,
      previousAssignment: groupByTopic(d.previousAssignment),
      generation: d.generation,
    }),
  );
}

export function decodeStickyUserData(buf: Buffer): StickyUserData {
  const fail = (detail: string) =>
    new KafkaError('INVALID_REQUEST', `malformed sticky assignor userData: ${detail}`);
  let v: unknown;
  try {
    v = decodeBody(buf);
  } catch (e) {
    throw fail((e as Error).message);
  }
  const o = v as { previousAssignment?: unknown; generation?: unknown };
  if (typeof o !== 'object' || o === null || !Array.isArray(o.previousAssignment)) {
    throw fail('no previousAssignment list');
  }
  const generation = o.generation ?? -1;
  if (!Number.isInteger(generation)) throw fail(`bad generation ${generation}`);
  const previousAssignment: TopicPartition[] = [];
  for (const e of o.previousAssignment) {
    const t = e as { topic?: unknown; partitions?: unknown };
    if (typeof t?.topic !== 'string' || !Array.isArray(t.partitions)) throw fail('bad topic entry');
    for (const p of t.partitions) {
      if (!Number.isInteger(p) || p < 0) throw fail(`bad partition ${p}`);
      previousAssignment.push({ topic: t.topic, partition: p });
    }
  }
  return { previousAssignment, generation: generation as number };
}

/** What a member says it owned, from the sticky userData or the subscription fields. */
function previousOf(s: Subscription): StickyUserData {
  if (s.userData && s.userData.length > 0) {
    try {
      return decodeStickyUserData(s.userData);
    } catch {
      // a member of another assignor version: fall back to the subscription fields
    }
  }
  return { previousAssignment: s.ownedPartitions, generation: s.generationId };
}

export class StickyAssignor implements ConsumerPartitionAssignor {
  readonly name: string = 'sticky';
  private memberAssignment: TopicPartition[] | null = null;
  private generation = -1;

  subscriptionUserData(): Buffer | null {
    if (this.memberAssignment === null) return null;
    return encodeStickyUserData({
      previousAssignment: this.memberAssignment,
      generation: this.generation,
    });
  }

  onAssignment(assignment: Assignment, generationId: number): void {
    this.memberAssignment = assignment.partitions.map((tp) => ({ ...tp }));
    this.generation = generationId;
  }

  assign(
    partitionsPerTopic: ReadonlyMap<string, number>,
    subscriptions: ReadonlyMap<string, Subscription>,
  ): Map<string, Assignment> {
    return toAssignments(stickyAssign(partitionsPerTopic, subscriptions));
  }
}

export function stickyAssign(
  partitionsPerTopic: ReadonlyMap<string, number>,
  subscriptions: ReadonlyMap<string, Subscription>,
): Map<string, TopicPartition[]> {
  const members = sortedMembers(subscriptions).map((m) => m.memberId);
  const rank = new Map(members.map((m, i) => [m, i]));
  const topicsOf = new Map([...subscriptions].map(([m, s]) => [m, new Set(s.topics)]));
  const all = allPartitionsSorted(partitionsPerTopic, subscriptions);
  const eligible = new Map<string, string[]>(); // topic -> subscribed members, in order
  for (const tp of all) {
    if (!eligible.has(tp.topic)) {
      eligible.set(
        tp.topic,
        members.filter((m) => topicsOf.get(m)!.has(tp.topic)),
      );
    }
  }

  // 1. previous owners (highest generation wins; a tie keeps the partition with none)
  const claims = new Map<string, Array<{ member: string; generation: number }>>();
  for (const member of members) {
    const prev = previousOf(subscriptions.get(member)!);
    for (const tp of prev.previousAssignment) {
      const n = partitionsPerTopic.get(tp.topic);
      if (n === undefined || tp.partition >= n || !topicsOf.get(member)!.has(tp.topic)) continue;
      const key = tpKey(tp);
      let list = claims.get(key);
      if (!list) claims.set(key, (list = []));
      if (!list.some((c) => c.member === member))
        list.push({ member, generation: prev.generation });
    }
  }
  const current = new Map<string, TopicPartition[]>(members.map((m) => [m, []]));
  const unassigned: TopicPartition[] = [];
  for (const tp of all) {
    const list = claims.get(tpKey(tp));
    if (list) {
      const max = Math.max(...list.map((c) => c.generation));
      const winners = list.filter((c) => c.generation === max);
      if (winners.length === 1) {
        current.get(winners[0].member)!.push(tp);
        continue;
      }
    }
    unassigned.push(tp);
  }

  const size = (m: string) => current.get(m)!.length;
  const lessLoaded = (a: string, b: string) =>
    size(a) < size(b) || (size(a) === size(b) && rank.get(a)! < rank.get(b)!);

  // 2. the rest, the most constrained partitions first
  unassigned.sort(
    (a, b) =>
      eligible.get(a.topic)!.length - eligible.get(b.topic)!.length || compareTopicPartitions(a, b),
  );
  for (const tp of unassigned) {
    let best: string | null = null;
    for (const m of eligible.get(tp.topic)!) if (best === null || lessLoaded(m, best)) best = m;
    current.get(best!)!.push(tp);
  }

  // 3. balance by single moves from fuller to emptier members
  for (;;) {
    const byLoad = [...members].sort((a, b) => size(b) - size(a) || rank.get(a)! - rank.get(b)!);
    let moved = false;
    for (const from of byLoad) {
      const list = current.get(from)!;
      for (let i = list.length - 1; i >= 0; i--) {
        const tp = list[i];
        let to: string | null = null;
        for (const m of eligible.get(tp.topic)!) {
          if (m !== from && size(m) <= list.length - 2 && (to === null || lessLoaded(m, to)))
            to = m;
        }
        if (to !== null) {
          list.splice(i, 1);
          current.get(to)!.push(tp);
          moved = true;
          break;
        }
      }
      if (moved) break;
    }
    if (!moved) break;
  }
  for (const list of current.values()) list.sort(compareTopicPartitions);
  return current;
}
