/**
 * StickyAssignor (Kafka 0.11, KIP-54): an assignment as balanced as round robin that
 * keeps as many partitions as possible with their previous owners.
 *
 * Each member sends its previous assignment and generation as userData (msgpackr:
 * `{ version: 0, previousAssignment: [{ topic, partitions }], generation }`); a member
 * without userData falls back to the subscription's ownedPartitions/generationId.
 *
 * The leader takes one of Kafka's two paths: `constrainedAssign` when every member
 * subscribes to the same topics (quota-based, Kafka's results exactly, see below) and
 * `generalAssign` otherwise (keep owned partitions, place the rest on the least loaded
 * eligible member, then move single partitions until no member holds two more than
 * one that could take one of them). Both are balanced in Kafka's sense: no partition
 * can move from a member to one with 2+ fewer partitions that is subscribed to its
 * topic; with equal subscriptions, member sizes differ by at most one.
 */
import { KafkaError, tpKey, compareTopicPartitions, type TopicPartition } from '@kzoo/common';
import { decodeBody, encodeBody } from '@kzoo/protocol';
import {
  allPartitionsSorted,
  javaHashMapOrder,
  sortedMembers,
  toAssignments,
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
  const topicsOf = new Map([...subscriptions].map(([m, s]) => [m, new Set(s.topics)]));
  const all = allPartitionsSorted(partitionsPerTopic, subscriptions);
  const exists = (tp: TopicPartition) => tp.partition < (partitionsPerTopic.get(tp.topic) ?? 0);
  const previous = new Map(members.map((m) => [m, previousOf(subscriptions.get(m)!)]));
  const sameTopics = (m: string) => [...topicsOf.get(m)!].sort().join('\u0000');
  const allEqual = members.every((m) => sameTopics(m) === sameTopics(members[0]));
  if (allEqual && members.length > 0) {
    return constrainedAssign(members, all, exists, topicsOf, previous);
  }
  return generalAssign(members, all, exists, topicsOf, previous);
}

/**
 * Kafka's `constrainedAssign`, for members that all subscribe to the same topics. Only
 * members of the newest generation keep partitions; a partition two of them claim is
 * kept by neither. With P partitions and C members, `P % C` members may hold
 * `ceil(P/C)` partitions and the others `floor(P/C)`: each member keeps its owned
 * partitions (in its own order) up to its quota; the rest are dealt round robin to the
 * members below `floor(P/C)`, then to those allowed one more.
 */
function constrainedAssign(
  members: string[],
  all: TopicPartition[],
  exists: (tp: TopicPartition) => boolean,
  topicsOf: Map<string, Set<string>>,
  previous: Map<string, StickyUserData>,
): Map<string, TopicPartition[]> {
  const maxGeneration = Math.max(...members.map((m) => previous.get(m)!.generation));
  const claimedBy = new Map<string, string>();
  const multiplyClaimed = new Set<string>();
  const owned = new Map<string, TopicPartition[]>(members.map((m) => [m, []]));
  for (const m of members) {
    const prev = previous.get(m)!;
    if (prev.generation < maxGeneration) continue; // a stale member's claims are invalid
    for (const tp of prev.previousAssignment) {
      if (!exists(tp) || !topicsOf.get(m)!.has(tp.topic)) continue;
      const key = tpKey(tp);
      const other = claimedBy.get(key);
      if (other === m) continue;
      if (other === undefined && !multiplyClaimed.has(key)) {
        claimedBy.set(key, m);
        owned.get(m)!.push(tp);
      } else {
        if (other !== undefined) {
          owned.set(
            other,
            owned.get(other)!.filter((x) => tpKey(x) !== key),
          );
        }
        claimedBy.delete(key);
        multiplyClaimed.add(key);
      }
    }
  }
  const total = all.length;
  const minQuota = Math.floor(total / members.length);
  const maxQuota = Math.ceil(total / members.length);
  const expectedOverMin = total % members.length;
  let currentOverMin = 0;
  const assignment = new Map<string, TopicPartition[]>(members.map((m) => [m, []]));
  const assigned = new Set<string>();
  const underMin: string[] = [];
  let exactlyMin: string[] = [];
  // members are visited as Kafka's HashMap of them iterates: that decides which of
  // several members owning enough keeps the larger quota
  for (const m of javaHashMapOrder(members)) {
    const mine = owned.get(m)!;
    let keep: TopicPartition[];
    if (mine.length < minQuota) {
      keep = mine;
      underMin.push(m);
    } else if (mine.length >= maxQuota && currentOverMin < expectedOverMin) {
      currentOverMin++;
      if (currentOverMin === expectedOverMin) exactlyMin = [];
      keep = mine.slice(0, maxQuota);
    } else {
      keep = mine.slice(0, minQuota);
      if (currentOverMin < expectedOverMin) exactlyMin.push(m);
    }
    assignment.get(m)!.push(...keep);
    for (const tp of keep) assigned.add(tpKey(tp));
  }
  const order = new Map(members.map((m, i) => [m, i]));
  const byRank = (a: string, b: string) => order.get(a)! - order.get(b)!;
  underMin.sort(byRank);
  exactlyMin.sort(byRank);
  let i = 0; // round-robin position in underMin
  for (const tp of all) {
    if (assigned.has(tpKey(tp))) continue;
    let m: string;
    if (underMin.length > 0) {
      if (i >= underMin.length) i = 0;
      m = underMin[i];
    } else {
      const next = exactlyMin.shift();
      if (next === undefined)
        throw new Error('sticky assignor: no member can take more partitions');
      m = next;
    }
    const list = assignment.get(m)!;
    list.push(tp);
    if (underMin.length > 0 && list.length === minQuota) {
      underMin.splice(i, 1); // the next member moves into position i
      if (currentOverMin < expectedOverMin) exactlyMin.push(m);
    } else if (underMin.length > 0) {
      i++;
    } else if (list.length === maxQuota) {
      currentOverMin++;
    }
  }
  return assignment;
}

/**
 * The general case (members subscribe to different topics), Kafka's `generalAssign`
 * in outline: keep each previously owned partition with its owner (the newest
 * generation wins a partition two members claim; a tie keeps it with none), hand out
 * the rest (the partitions with the fewest eligible members first) each to the least
 * loaded eligible member, then move single partitions from fuller to emptier eligible
 * members until no member holds two more than one that could take one of its partitions.
 */
function generalAssign(
  members: string[],
  all: TopicPartition[],
  exists: (tp: TopicPartition) => boolean,
  topicsOf: Map<string, Set<string>>,
  previous: Map<string, StickyUserData>,
): Map<string, TopicPartition[]> {
  const rank = new Map(members.map((m, i) => [m, i]));
  const eligible = new Map<string, string[]>(); // topic -> subscribed members, in order
  for (const tp of all) {
    if (!eligible.has(tp.topic)) {
      eligible.set(
        tp.topic,
        members.filter((m) => topicsOf.get(m)!.has(tp.topic)),
      );
    }
  }

  // 1. previous owners
  const claims = new Map<string, Array<{ member: string; generation: number }>>();
  for (const member of members) {
    const prev = previous.get(member)!;
    for (const tp of prev.previousAssignment) {
      if (!exists(tp) || !topicsOf.get(member)!.has(tp.topic)) continue;
      const key = tpKey(tp);
      let list = claims.get(key);
      if (!list) claims.set(key, (list = []));
      if (!list.some((c) => c.member === member))
        list.push({ member, generation: prev.generation });
    }
  }
  const owner = new Map<string, string>();
  for (const [key, list] of claims) {
    const max = Math.max(...list.map((c) => c.generation));
    const winners = list.filter((c) => c.generation === max);
    if (winners.length === 1) owner.set(key, winners[0].member);
  }
  const current = new Map<string, TopicPartition[]>(members.map((m) => [m, []]));
  for (const m of members) {
    const seen = new Set<string>();
    for (const tp of previous.get(m)!.previousAssignment) {
      const key = tpKey(tp);
      if (owner.get(key) !== m || seen.has(key)) continue;
      seen.add(key);
      current.get(m)!.push({ topic: tp.topic, partition: tp.partition });
    }
  }
  const unassigned = all.filter((tp) => !owner.has(tpKey(tp)));

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
  return current;
}
