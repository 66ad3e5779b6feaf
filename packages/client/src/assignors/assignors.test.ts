import fc from 'fast-check';
import { javaHashMapOrder, javaStringHashCode } from './assignor';

import {
  createAssignors,
  decodeAssignment,
  decodeStickyUserData,
  decodeSubscription,
  encodeAssignment,
  encodeStickyUserData,
  encodeSubscription,
  RangeAssignor,
  RoundRobinAssignor,
  StickyAssignor,
  type ConsumerPartitionAssignor,
  type Subscription,
} from './index';
import { type TopicPartition } from '@kzoo/common';

const tp = (topic: string, partition: number): TopicPartition => ({ topic, partition });
const sub = (
  topics: string[],
  owned: TopicPartition[] = [],
  generationId = -1,
  groupInstanceId: string | null = null,
): Subscription => ({
  topics,
  userData: null,
  ownedPartitions: owned,
  generationId,
  groupInstanceId,
});

type Subs = Record<string, Subscription>;

function run(
  a: ConsumerPartitionAssignor,
  partitions: Record<string, number>,
  subs: Subs,
): Record<string, string[]> {
  const out = a.assign(new Map(Object.entries(partitions)), new Map(Object.entries(subs)));
  expect([...out.keys()].sort()).toEqual(Object.keys(subs).sort());
  return Object.fromEntries(
    [...out].map(([m, asg]) => [m, asg.partitions.map((p) => `${p.topic}-${p.partition}`)]),
  );
}

const names = (...s: string[]) => s;

/** Kafka's AbstractStickyAssignorTest.verifyValidityAndBalance. */
function verifyValidityAndBalance(
  subs: Subs,
  assignment: Record<string, string[]>,
  partitions: Record<string, number>,
): void {
  const owners = new Map<string, string>();
  for (const [m, list] of Object.entries(assignment)) {
    for (const p of list) {
      const topic = p.slice(0, p.lastIndexOf('-'));
      // only subscribed topics, existing partitions
      expect(subs[m].topics).toContain(topic);
      expect(Number(p.slice(p.lastIndexOf('-') + 1))).toBeLessThan(partitions[topic]);
      // each partition once
      expect(owners.get(p)).toBeUndefined();
      owners.set(p, m);
    }
  }
  // every partition of a subscribed topic is assigned
  for (const [topic, n] of Object.entries(partitions)) {
    if (!Object.values(subs).some((s) => s.topics.includes(topic))) continue;
    for (let i = 0; i < n; i++) expect(owners.has(`${topic}-${i}`)).toBe(true);
  }
  // balance: nothing can move from a fuller member to one 2+ emptier that could take it
  const ms = Object.keys(assignment);
  for (const a of ms) {
    for (const b of ms) {
      if (assignment[a].length - assignment[b].length < 2) continue;
      for (const p of assignment[a]) {
        expect(subs[b].topics).not.toContain(p.slice(0, p.lastIndexOf('-')));
      }
    }
  }
}

function isFullyBalanced(assignment: Record<string, string[]>): boolean {
  const sizes = Object.values(assignment).map((l) => l.length);
  return Math.max(...sizes) - Math.min(...sizes) <= 1;
}

const toTps = (list: string[]) =>
  list.map((p) => tp(p.slice(0, p.lastIndexOf('-')), Number(p.slice(p.lastIndexOf('-') + 1))));

/** Subscriptions for the next round: each member reports what it got, at `generation`. */
function withOwned(subs: Subs, assignment: Record<string, string[]>, generation: number): Subs {
  return Object.fromEntries(
    Object.entries(subs).map(([m, s]) => [
      m,
      sub(s.topics, toTps(assignment[m] ?? []), generation),
    ]),
  );
}

describe('Client > assignors', () => {
  describe('RangeAssignor (RangeAssignorTest)', () => {
    const range = new RangeAssignor();
    it('gives nothing for no topic or a nonexistent topic', () => {
      expect(run(range, {}, { c1: sub([]) })).toEqual({ c1: [] });
      expect(run(range, {}, { c1: sub(['missing']) })).toEqual({ c1: [] });
    });
    it('gives one consumer every partition of its topics only', () => {
      expect(run(range, { topic: 3, other: 3 }, { c1: sub(['topic']) })).toEqual({
        c1: names('topic-0', 'topic-1', 'topic-2'),
      });
      expect(run(range, { topic1: 1, topic2: 2 }, { c1: sub(['topic1', 'topic2']) })).toEqual({
        c1: names('topic1-0', 'topic2-0', 'topic2-1'),
      });
    });
    it('splits one topic over two consumers', () => {
      expect(run(range, { topic: 1 }, { c1: sub(['topic']), c2: sub(['topic']) })).toEqual({
        c1: ['topic-0'],
        c2: [],
      });
      expect(run(range, { topic: 2 }, { c1: sub(['topic']), c2: sub(['topic']) })).toEqual({
        c1: ['topic-0'],
        c2: ['topic-1'],
      });
    });
    it('assigns per topic with mixed subscriptions', () => {
      const subs = { c1: sub(['topic1']), c2: sub(['topic1', 'topic2']), c3: sub(['topic1']) };
      expect(run(range, { topic1: 3, topic2: 2 }, subs)).toEqual({
        c1: ['topic1-0'],
        c2: names('topic1-1', 'topic2-0', 'topic2-1'),
        c3: ['topic1-2'],
      });
    });
    it('gives the first members the extra partitions of every topic', () => {
      const subs = { c1: sub(['topic1', 'topic2']), c2: sub(['topic1', 'topic2']) };
      expect(run(range, { topic1: 3, topic2: 3 }, subs)).toEqual({
        c1: names('topic1-0', 'topic1-1', 'topic2-0', 'topic2-1'),
        c2: names('topic1-2', 'topic2-2'),
      });
    });
    it('orders members by group.instance.id first, then member id', () => {
      const subs = {
        a: sub(['t'], [], -1, null),
        b: sub(['t'], [], -1, 'instance-2'),
        c: sub(['t'], [], -1, 'instance-1'),
      };
      expect(run(range, { t: 3 }, subs)).toEqual({ c: ['t-0'], b: ['t-1'], a: ['t-2'] });
    });
    it('starts member i at (P/C)*i + min(i, P%C)', () => {
      const subs = Object.fromEntries(['m0', 'm1', 'm2', 'm3'].map((m) => [m, sub(['t'])]));
      const r = run(range, { t: 10 }, subs);
      expect(r).toEqual({
        m0: names('t-0', 't-1', 't-2'),
        m1: names('t-3', 't-4', 't-5'),
        m2: names('t-6', 't-7'),
        m3: names('t-8', 't-9'),
      });
    });
  });

  describe('RoundRobinAssignor (RoundRobinAssignorTest)', () => {
    const rr = new RoundRobinAssignor();
    it('gives one consumer everything it subscribed to', () => {
      expect(run(rr, { topic: 3, other: 3 }, { c1: sub(['topic']) })).toEqual({
        c1: names('topic-0', 'topic-1', 'topic-2'),
      });
      expect(run(rr, {}, { c1: sub(['missing']) })).toEqual({ c1: [] });
    });
    it('deals partitions in turn, skipping members not subscribed to the topic', () => {
      const subs = { c1: sub(['topic1']), c2: sub(['topic1', 'topic2']), c3: sub(['topic1']) };
      expect(run(rr, { topic1: 3, topic2: 2 }, subs)).toEqual({
        c1: ['topic1-0'],
        c2: names('topic1-1', 'topic2-0', 'topic2-1'),
        c3: ['topic1-2'],
      });
    });
    it('interleaves two topics over two consumers', () => {
      const subs = { c1: sub(['topic1', 'topic2']), c2: sub(['topic1', 'topic2']) };
      expect(run(rr, { topic1: 3, topic2: 3 }, subs)).toEqual({
        c1: names('topic1-0', 'topic1-2', 'topic2-1'),
        c2: names('topic1-1', 'topic2-0', 'topic2-2'),
      });
    });
  });

  describe('StickyAssignor (AbstractStickyAssignorTest)', () => {
    const sticky = new StickyAssignor();

    it('handles no topic, a nonexistent topic, and one consumer', () => {
      expect(run(sticky, {}, { c1: sub([]) })).toEqual({ c1: [] });
      expect(run(sticky, {}, { c1: sub(['missing']) })).toEqual({ c1: [] });
      expect(run(sticky, { topic1: 1, topic2: 2 }, { c1: sub(['topic1', 'topic2']) })).toEqual({
        c1: names('topic1-0', 'topic2-0', 'topic2-1'),
      });
    });

    it('balances mixed subscriptions (testMultipleConsumersMixedTopicSubscriptions)', () => {
      const subs = { c1: sub(['topic1']), c2: sub(['topic1', 'topic2']), c3: sub(['topic1']) };
      const r = run(sticky, { topic1: 3, topic2: 2 }, subs);
      expect(r).toEqual({
        c1: names('topic1-0', 'topic1-2'),
        c2: names('topic2-0', 'topic2-1'),
        c3: ['topic1-1'],
      });
      verifyValidityAndBalance(subs, r, { topic1: 3, topic2: 2 });
    });

    it('testTwoConsumersTwoTopicsSixPartitions', () => {
      const subs = { c1: sub(['topic1', 'topic2']), c2: sub(['topic1', 'topic2']) };
      expect(run(sticky, { topic1: 3, topic2: 3 }, subs)).toEqual({
        c1: names('topic1-0', 'topic1-2', 'topic2-1'),
        c2: names('topic1-1', 'topic2-0', 'topic2-2'),
      });
    });

    it('keeps partitions with their owner as consumers come and go (testAddRemoveConsumerOneTopic)', () => {
      const parts = { topic: 3 };
      const r1 = run(sticky, parts, { c1: sub(['topic']) });
      expect(r1).toEqual({ c1: names('topic-0', 'topic-1', 'topic-2') });
      const subs2 = { c1: sub(['topic'], toTps(r1.c1), 1), c2: sub(['topic'], [], -1) };
      const r2 = run(sticky, parts, subs2);
      expect(r2).toEqual({ c1: names('topic-0', 'topic-1'), c2: ['topic-2'] });
      const r3 = run(sticky, parts, { c2: sub(['topic'], toTps(r2.c2), 2) });
      expect(r3).toEqual({ c2: names('topic-2', 'topic-0', 'topic-1') }); // owned first
    });

    it('keeps the remaining consumers whole when one leaves (testSameSubscriptions)', () => {
      const partitions: Record<string, number> = {};
      for (let i = 1; i <= 15; i++) partitions[`t${i}`] = i;
      const topics = Object.keys(partitions);
      const subs: Subs = {};
      for (let i = 1; i <= 9; i++) subs[`consumer${i}`] = sub(topics);
      const r1 = run(sticky, partitions, subs);
      verifyValidityAndBalance(subs, r1, partitions);
      expect(isFullyBalanced(r1)).toBe(true);
      const next = withOwned(subs, r1, 1);
      delete next.consumer5;
      const r2 = run(sticky, partitions, next);
      verifyValidityAndBalance(next, r2, partitions);
      expect(isFullyBalanced(r2)).toBe(true);
      for (const m of Object.keys(next)) for (const p of r1[m]) expect(r2[m]).toContain(p);
    });

    it('only takes from existing consumers when one joins (stickiness)', () => {
      const partitions = { a: 7, b: 5, c: 3 };
      const subs: Subs = {};
      for (let i = 1; i <= 4; i++) subs[`m${i}`] = sub(['a', 'b', 'c']);
      const r1 = run(sticky, partitions, subs);
      const next = { ...withOwned(subs, r1, 1), m5: sub(['a', 'b', 'c']) };
      const r2 = run(sticky, partitions, next);
      verifyValidityAndBalance(next, r2, partitions);
      expect(isFullyBalanced(r2)).toBe(true);
      for (let i = 1; i <= 4; i++) for (const p of r2[`m${i}`]) expect(r1[`m${i}`]).toContain(p);
      // the minimum number of partitions moved: exactly what m5 received
      const moved = Object.keys(r1).reduce(
        (n, m) => n + r1[m].filter((p) => !r2[m].includes(p)).length,
        0,
      );
      expect(moved).toBe(r2.m5.length);
      expect(r2.m5.length).toBe(3);
    });

    it('stays valid and balanced after a consumer leaves (testReassignmentAfterOneConsumerLeaves)', () => {
      const partitions: Record<string, number> = {};
      for (let i = 1; i <= 20; i++) partitions[`topic${String(i).padStart(2, '0')}`] = i;
      const subs: Subs = {};
      for (let i = 1; i <= 20; i++) {
        subs[`consumer${String(i).padStart(2, '0')}`] = sub(Object.keys(partitions).slice(0, i));
      }
      const r1 = run(sticky, partitions, subs);
      verifyValidityAndBalance(subs, r1, partitions);
      const next = withOwned(subs, r1, 1);
      delete next.consumer10;
      const r2 = run(sticky, partitions, next);
      verifyValidityAndBalance(next, r2, partitions);
    });

    it('assigns only existing topics (testAssignmentUpdatedForDeletedTopic)', () => {
      const r = run(
        sticky,
        { topic01: 1, topic03: 100 },
        { c: sub(['topic01', 'topic02', 'topic03']) },
      );
      expect(r.c).toHaveLength(101);
    });

    it('drops previous partitions of deleted topics (testNoExceptionThrownWhenOnlySubscribedTopicDeleted)', () => {
      const r = run(sticky, {}, { c: sub(['topic'], [tp('topic', 0), tp('topic', 1)], 1) });
      expect(r).toEqual({ c: [] });
    });

    it('resolves two members claiming one partition in the same generation (testConflictingPreviousAssignments)', () => {
      const subs = {
        c1: sub(['topic'], [tp('topic', 0), tp('topic', 1)], 1),
        c2: sub(['topic'], [tp('topic', 0), tp('topic', 1)], 1),
      };
      const r = run(sticky, { topic: 2 }, subs);
      verifyValidityAndBalance(subs, r, { topic: 2 });
      expect(r.c1).toHaveLength(1);
      expect(r.c2).toHaveLength(1);
    });

    it('ignores what a member of an older generation owned (testOwnedPartitionsAreInvalidatedForConsumerWithStaleGeneration)', () => {
      const owned = [tp('topic', 0), tp('topic', 2), tp('topic2', 1)];
      const subs = {
        consumer1: sub(['topic', 'topic2'], owned, 10),
        consumer2: sub(['topic', 'topic2'], owned, 9),
      };
      const r = run(sticky, { topic: 3, topic2: 3 }, subs);
      expect(r.consumer1.sort()).toEqual(names('topic-0', 'topic-2', 'topic2-1'));
      expect(r.consumer2.sort()).toEqual(names('topic-1', 'topic2-0', 'topic2-2'));
      // with different subscriptions the newest claim wins per partition
      const mixed = {
        c1: sub(['t', 'u'], [tp('t', 0), tp('t', 1), tp('t', 2)], 2),
        c2: sub(['t'], [tp('t', 0), tp('t', 3)], 1),
        c3: sub(['u'], [], -1),
      };
      const m = run(sticky, { t: 6, u: 1 }, mixed);
      verifyValidityAndBalance(mixed, m, { t: 6, u: 1 });
      expect(m.c2).toContain('t-3');
      expect(m.c2).not.toContain('t-0');
    });

    it('keeps owned partitions up to the quotas (testConsumerOwningMinQuotaExpectedMaxQuota & co)', () => {
      const both = ['topic1', 'topic2'];
      expect(
        run(
          sticky,
          { topic1: 2, topic2: 3 },
          {
            consumer1: sub(both, [tp('topic1', 0), tp('topic2', 1)], 1),
            consumer2: sub(both, [tp('topic1', 1), tp('topic2', 2)], 1),
          },
        ),
      ).toEqual({
        consumer1: names('topic1-0', 'topic2-1', 'topic2-0'),
        consumer2: names('topic1-1', 'topic2-2'),
      });
      // testMaxQuotaConsumerMoreThanNumExpectedMaxCapacityMembers
      expect(
        run(
          sticky,
          { topic1: 2, topic2: 2 },
          {
            consumer1: sub(both, [tp('topic1', 0), tp('topic2', 0)], 1),
            consumer2: sub(both, [tp('topic1', 1), tp('topic2', 1)], 1),
            consumer3: sub(both, [], 1),
          },
        ),
      ).toEqual({
        consumer1: ['topic1-0'],
        consumer2: names('topic1-1', 'topic2-1'),
        consumer3: ['topic2-0'],
      });
      // testAllConsumersAreUnderMinQuota
      expect(
        run(
          sticky,
          { topic1: 2, topic2: 3 },
          {
            consumer1: sub(both, [tp('topic1', 0)], 1),
            consumer2: sub(both, [tp('topic1', 1)], 1),
            consumer3: sub(both, [], 1),
          },
        ),
      ).toEqual({
        consumer1: names('topic1-0', 'topic2-1'),
        consumer2: names('topic1-1', 'topic2-2'),
        consumer3: ['topic2-0'],
      });
      // four partitions, three members, two already placed
      expect(
        run(
          sticky,
          { topic: 4 },
          {
            consumer1: sub(['topic'], [tp('topic', 0), tp('topic', 1)], 1),
            consumer2: sub(['topic'], [tp('topic', 2)], 1),
            consumer3: sub(['topic'], [], 1),
          },
        ),
      ).toEqual({
        consumer1: names('topic-0', 'topic-1'),
        consumer2: ['topic-2'],
        consumer3: ['topic-3'],
      });
    });

    it('testAddRemoveTwoConsumersTwoTopics', () => {
      const both = ['topic1', 'topic2'];
      const parts = { topic1: 3, topic2: 4 };
      const r1 = run(sticky, parts, { consumer1: sub(both), consumer2: sub(both) });
      expect(r1).toEqual({
        consumer1: names('topic1-0', 'topic1-2', 'topic2-1', 'topic2-3'),
        consumer2: names('topic1-1', 'topic2-0', 'topic2-2'),
      });
      const r2 = run(sticky, parts, {
        consumer1: sub(both, toTps(r1.consumer1), 1),
        consumer2: sub(both, toTps(r1.consumer2), 1),
        consumer3: sub(both, [], 1),
        consumer4: sub(both, [], 1),
      });
      expect(r2).toEqual({
        consumer1: names('topic1-0', 'topic1-2'),
        consumer2: names('topic1-1', 'topic2-0'),
        consumer3: names('topic2-1', 'topic2-3'),
        consumer4: ['topic2-2'],
      });
      const r3 = run(sticky, parts, {
        consumer3: sub(both, toTps(r2.consumer3), 1),
        consumer4: sub(both, toTps(r2.consumer4), 1),
      });
      expect(r3).toEqual({
        consumer3: names('topic2-1', 'topic2-3', 'topic1-0', 'topic2-0'),
        consumer4: names('topic2-2', 'topic1-1', 'topic1-2'),
      });
    });

    it('rebalances for a new subscription (testNewSubscription)', () => {
      const partitions: Record<string, number> = {};
      for (let i = 1; i <= 5; i++) partitions[`topic${i}`] = 1;
      const subs: Subs = {};
      for (let i = 0; i < 3; i++) {
        subs[`consumer${i}`] = sub(Object.keys(partitions).filter((_, j) => j >= i && j <= i * 2));
      }
      const r1 = run(sticky, partitions, subs);
      verifyValidityAndBalance(subs, r1, partitions);
      const next = withOwned(subs, r1, 1);
      next.consumer0 = sub([...next.consumer0.topics, 'topic2'], next.consumer0.ownedPartitions, 1);
      const r2 = run(sticky, partitions, next);
      verifyValidityAndBalance(next, r2, partitions);
    });

    it('is valid, balanced, and perfectly sticky when nothing changes (random subscriptions)', () => {
      fc.assert(
        fc.property(
          fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 8 }),
          fc.array(fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }), {
            minLength: 1,
            maxLength: 10,
          }),
          fc.array(fc.nat(), { maxLength: 3 }),
          (counts, subsMask, leaving) => {
            const partitions = Object.fromEntries(counts.map((n, i) => [`t${i}`, n]));
            const topics = Object.keys(partitions);
            const subs: Subs = {};
            subsMask.forEach((mask, i) => {
              subs[`m${i}`] = sub(topics.filter((_, j) => mask[j]));
            });
            const r1 = run(sticky, partitions, subs);
            verifyValidityAndBalance(subs, r1, partitions);
            // unchanged membership: nothing moves
            const same = run(sticky, partitions, withOwned(subs, r1, 1));
            expect(same).toEqual(r1);
            // some members leave: still valid and balanced
            const next = withOwned(subs, r1, 1);
            for (const l of leaving) delete next[`m${l % subsMask.length}`];
            if (Object.keys(next).length === 0) return;
            const r2 = run(sticky, partitions, next);
            verifyValidityAndBalance(next, r2, partitions);
          },
        ),
        { numRuns: 200 },
      );
    });

    it('carries its previous assignment and generation in the subscription userData', () => {
      const a = new StickyAssignor();
      expect(a.subscriptionUserData()).toBeNull();
      a.onAssignment({ partitions: [tp('t', 2), tp('t', 0), tp('u', 1)], userData: null }, 7);
      const data = a.subscriptionUserData()!;
      expect(decodeStickyUserData(data)).toEqual({
        previousAssignment: [tp('t', 0), tp('t', 2), tp('u', 1)],
        generation: 7,
      });
      // the leader reads it back from the member's subscription bytes
      const wire = decodeSubscription(
        encodeSubscription({
          topics: ['t', 'u'],
          userData: data,
          ownedPartitions: [],
          generationId: -1,
        }),
      );
      const r = new StickyAssignor().assign(
        new Map([
          ['t', 3],
          ['u', 2],
        ]),
        new Map([
          ['old', wire],
          ['new', sub(['t', 'u'])],
        ]),
      );
      expect(
        r
          .get('old')!
          .partitions.map((p) => `${p.topic}-${p.partition}`)
          .sort(),
      ).toEqual(names('t-0', 't-2', 'u-1'));
      expect(() => decodeStickyUserData(Buffer.from([0xc1]))).toThrow(/malformed sticky/);
      // userData wins over the subscription's ownedPartitions
      const ud = encodeStickyUserData({ previousAssignment: [tp('t', 1)], generation: 5 });
      const r2 = new StickyAssignor().assign(
        new Map([['t', 2]]),
        new Map([
          ['x', { ...sub(['t'], [tp('t', 0)], 9), userData: ud }],
          ['y', sub(['t'])],
        ]),
      );
      expect(r2.get('x')!.partitions).toEqual([tp('t', 1)]);
    });
  });

  describe('javaHashMapOrder', () => {
    it('walks keys as java.util.HashMap does (bucket order, capacity doubling)', () => {
      expect(javaStringHashCode('consumer1')).toBe(-421004549);
      // buckets 12, 11, 10, 9 in a 16-slot table
      expect(javaHashMapOrder(['consumer1', 'consumer2', 'consumer3', 'consumer4'])).toEqual([
        'consumer4',
        'consumer3',
        'consumer2',
        'consumer1',
      ]);
      const many = Array.from({ length: 13 }, (_, i) => `m${i}`); // 13 > 12: 32 slots
      const order = javaHashMapOrder(many);
      const bucket = (k: string) => {
        const h = javaStringHashCode(k);
        return (h ^ (h >>> 16)) & 31;
      };
      expect(order.map(bucket)).toEqual([...order.map(bucket)].sort((a, b) => a - b));
      expect(new Set(order)).toEqual(new Set(many));
    });
  });

  describe('consumer protocol bytes', () => {
    it('round-trips subscriptions and assignments', () => {
      const s: Subscription = {
        topics: ['b', 'a'],
        userData: Buffer.from('ud'),
        ownedPartitions: [tp('a', 1), tp('a', 0), tp('b', 4)],
        generationId: 3,
      };
      expect(decodeSubscription(encodeSubscription(s))).toEqual({
        topics: ['a', 'b'],
        userData: Buffer.from('ud'),
        ownedPartitions: [tp('a', 0), tp('a', 1), tp('b', 4)],
        generationId: 3,
      });
      const asg = { partitions: [tp('x', 2), tp('w', 0)], userData: null };
      expect(decodeAssignment(encodeAssignment(asg))).toEqual({
        partitions: [tp('w', 0), tp('x', 2)],
        userData: null,
      });
      expect(decodeAssignment(Buffer.alloc(0))).toEqual({ partitions: [], userData: null });
    });

    it('refuses malformed bytes with a typed error', () => {
      expect(() => decodeSubscription(Buffer.alloc(0))).toThrow(
        /malformed consumer protocol subscription/,
      );
      expect(() => decodeSubscription(Buffer.from([0x01]))).toThrow(/int16 needs 2 bytes/);
      expect(() => decodeSubscription(Buffer.from([0xff, 0xff]))).toThrow(/bad version -1/);
      expect(() => decodeAssignment(encodeSubscription(sub(['t'])).subarray(0, 3))).toThrow(
        /malformed consumer protocol assignment/,
      );
    });

    it("is Kafka's ConsumerProtocol format, as kafkajs (a real Kafka client) writes and reads it", () => {
      const { AssignerProtocol } = require('kafkajs') as typeof import('kafkajs');
      const theirs = AssignerProtocol.MemberMetadata.encode({
        version: 0,
        topics: ['a', 'b'],
        userData: Buffer.from('u'),
      });
      expect(decodeSubscription(theirs)).toEqual({
        topics: ['a', 'b'],
        userData: Buffer.from('u'),
        ownedPartitions: [],
        generationId: -1,
      });
      const ours = encodeSubscription({
        topics: ['b', 'a'],
        userData: null,
        ownedPartitions: [{ topic: 'a', partition: 1 }],
        generationId: 4,
      });
      expect(AssignerProtocol.MemberMetadata.decode(ours)).toMatchObject({
        version: 2,
        topics: ['a', 'b'],
      });
      const assignment = encodeAssignment({
        partitions: [
          { topic: 'x', partition: 2 },
          { topic: 'x', partition: 0 },
          { topic: 'y', partition: 1 },
        ],
        userData: null,
      });
      expect(AssignerProtocol.MemberAssignment.decode(assignment)).toMatchObject({
        version: 0,
        assignment: { x: [0, 2], y: [1] },
      });
      const back = AssignerProtocol.MemberAssignment.encode({
        version: 0,
        assignment: { x: [0, 2], y: [1] },
        userData: Buffer.alloc(0),
      });
      expect(decodeAssignment(back).partitions).toEqual([
        { topic: 'x', partition: 0 },
        { topic: 'x', partition: 2 },
        { topic: 'y', partition: 1 },
      ]);
    });

    it('creates assignors from partition.assignment.strategy', () => {
      expect(createAssignors('roundrobin, range').map((a) => a.name)).toEqual([
        'roundrobin',
        'range',
      ]);
      expect(createAssignors(['org.apache.kafka.clients.consumer.StickyAssignor'])[0].name).toBe(
        'sticky',
      );
      expect(() => createAssignors('cooperative-sticky')).toThrow(
        /unknown assignor "cooperative-sticky"/,
      );
      expect(() => createAssignors('')).toThrow(/names no assignor/);
    });
  });
});
