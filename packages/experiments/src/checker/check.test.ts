import { check } from './check';
import { failed, history, ok, read, state, unknown } from './testing.test-helpers';

const v = (id: number) => `v${id}`;

describe('experiments > checker > check', () => {
  describe('a clean run', () => {
    const h = history({
      sends: [ok(0, 0), ok(1, 1), ok(2, 2)],
      consumes: [0, 1, 2].map((i) => ({
        t: 100 + i,
        member: 'c1',
        partition: 0,
        offset: i,
        key: 'k',
        value: v(i),
      })),
      commits: [{ t: 200, member: 'c1', partition: 0, offset: 3 }],
      cluster: [state(0, 1, 0, [1, 2, 3])],
      finalReads: [1, 2, 3].map((b) => read(b, [v(0), v(1), v(2)])),
    });
    const r = check(h);

    it('finds nothing and keeps every expectation', () => {
      expect(r.ok).toBe(true);
      expect(r.violations).toEqual([]);
      expect(r.counts).toMatchObject({
        sends: 3,
        acknowledged: 3,
        lost: 0,
        duplicated: 0,
        reordered: 0,
        phantoms: 0,
        divergences: 0,
        unseen: 0,
      });
    });

    it('summarises the partition', () => {
      expect(r.partitions).toHaveLength(1);
      expect(r.partitions[0]).toMatchObject({
        partition: 0,
        finalLeader: 1,
        finalIsr: [1, 2, 3],
        finalHighWatermark: 3,
        sent: 3,
        acknowledged: 3,
        leaderChanges: 0,
        unavailability: [],
      });
    });
  });

  describe('acknowledged loss', () => {
    it('an acknowledged record absent from every replica is lost', () => {
      const r = check(
        history({
          config: { acks: 1, minInsyncReplicas: 1 },
          sends: [ok(0, 0), ok(1, 1)],
          cluster: [state(0, 1, 0, [1, 2])],
          finalReads: [read(1, [v(0)]), read(2, [v(0)])],
        }),
      );
      expect(r.lost.map((l) => l.value)).toEqual([v(1)]);
      expect(r.lost[0]).toMatchObject({
        id: 1,
        key: 'k',
        seq: 1,
        partition: 0,
        offset: 1,
        consumed: false,
      });
    });

    it('a record held only above the final high watermark is lost', () => {
      const r = check(
        history({
          config: { acks: 1, minInsyncReplicas: 1 },
          sends: [ok(0, 0), ok(1, 1)],
          cluster: [state(0, 1, 0, [1, 2])],
          finalReads: [read(1, [v(0), v(1)], { highWatermark: 1 }), read(2, [v(0)])],
        }),
      );
      expect(r.lost.map((l) => l.value)).toEqual([v(1)]);
      expect(r.lost[0].explanation.aboveHighWatermark).toEqual([{ brokerId: 1, offset: 1 }]);
      expect(r.lost[0].explanation.text).toContain('above the high watermark 1');
    });

    it('a record on any replica below the high watermark is not lost (divergence is reported apart)', () => {
      const r = check(
        history({
          sends: [ok(0, 0), ok(1, 1)],
          cluster: [state(0, 1, 0, [1])],
          finalReads: [read(1, [v(0), v(1)]), read(2, [v(0)], { highWatermark: 1 })],
        }),
      );
      expect(r.counts.lost).toBe(0);
    });

    it('unknown sends never count as lost', () => {
      const r = check(
        history({
          sends: [ok(0, 0), unknown(1)],
          cluster: [state(0, 1, 0, [1, 2])],
          finalReads: [read(1, [v(0)]), read(2, [v(0)])],
        }),
      );
      expect(r.counts.lost).toBe(0);
      expect(r.counts.unknown).toBe(1);
      expect(r.ok).toBe(true);
    });

    it('unknown sends that made it are counted as present', () => {
      const r = check(
        history({
          sends: [ok(0, 0), unknown(1)],
          cluster: [state(0, 1, 0, [1])],
          finalReads: [read(1, [v(0), v(1)])],
        }),
      );
      expect(r.counts.unknownPresent).toBe(1);
    });

    it('failed sends present in the log are reported, not violations', () => {
      const r = check(
        history({
          sends: [ok(0, 0), failed(1)],
          cluster: [state(0, 1, 0, [1])],
          finalReads: [read(1, [v(0), v(1)])],
        }),
      );
      expect(r.failedButPresent).toEqual([
        { id: 1, key: 'k', seq: 1, partition: 0, offset: 1, error: 'NOT_ENOUGH_REPLICAS' },
      ]);
      expect(r.ok).toBe(true);
    });

    it('failed sends absent from the log are neither lost nor present', () => {
      const r = check(
        history({
          sends: [ok(0, 0), failed(1)],
          cluster: [state(0, 1, 0, [1])],
          finalReads: [read(1, [v(0)])],
        }),
      );
      expect(r.counts).toMatchObject({ lost: 0, failedButPresent: 0, failed: 1 });
    });

    it('records below the log start offset were deleted by retention, not lost', () => {
      const r = check(
        history({
          sends: [ok(0, 0), ok(1, 1)],
          cluster: [state(0, 1, 0, [1])],
          finalReads: [read(1, [null, v(1)], { logStartOffset: 1 })],
        }),
      );
      expect(r.counts).toMatchObject({ lost: 0, beyondRetention: 1 });
    });

    it('acks=0 sends (offset -1) absent from the log are lost, and loss is allowed', () => {
      const r = check(
        history({
          config: { acks: 0, minInsyncReplicas: 1, idempotence: false },
          sends: [ok(0, -1), ok(1, -1)],
          cluster: [state(0, 1, 0, [1])],
          finalReads: [read(1, [v(0)])],
        }),
      );
      expect(r.lost.map((l) => l.offset)).toEqual([-1]);
      expect(r.ok).toBe(true);
      expect(r.expectations.find((e) => e.id === 'no-acknowledged-loss')).toMatchObject({
        applies: false,
        held: false,
        count: 1,
      });
    });

    it('uses the final leader as the reference for the high watermark', () => {
      // broker 2 is the final leader with hw 1; broker 1 claims hw 2 (stale)
      const r = check(
        history({
          config: { acks: 1, minInsyncReplicas: 1 },
          sends: [ok(0, 0), ok(1, 1)],
          cluster: [state(0, 1, 0, [1, 2]), state(50, 2, 1, [2])],
          finalReads: [read(1, [v(0), v(1)], { highWatermark: 2 }), read(2, [v(0)])],
        }),
      );
      expect(r.partitions[0]).toMatchObject({ finalLeader: 2, finalHighWatermark: 1 });
      expect(r.lost.map((l) => l.value)).toEqual([v(1)]);
    });
  });

  describe('consumer-observed loss', () => {
    it('a record consumed and then absent from the final log', () => {
      const r = check(
        history({
          config: { acks: 1, minInsyncReplicas: 1 },
          sends: [ok(0, 0), ok(1, 1)],
          consumes: [
            { t: 30, member: 'c1', partition: 0, offset: 1, key: 'k', value: v(1) },
            { t: 31, member: 'c2', partition: 0, offset: 1, key: 'k', value: v(1) },
          ],
          cluster: [state(0, 1, 0, [1])],
          finalReads: [read(1, [v(0)])],
        }),
      );
      expect(r.consumerObservedLoss).toEqual([
        { value: v(1), key: 'k', partition: 0, offset: 1, t: 30, member: 'c1', outcome: 'ok' },
      ]);
      expect(r.lost[0].consumed).toBe(true);
    });

    it('breaks the no-loss promise of acks=all, min.insync=2, unclean off', () => {
      const r = check(
        history({
          sends: [ok(0, 0), unknown(1)],
          consumes: [{ t: 30, member: 'c1', partition: 0, offset: 1, key: 'k', value: v(1) }],
          cluster: [state(0, 1, 0, [1, 2])],
          finalReads: [read(1, [v(0)]), read(2, [v(0)])],
        }),
      );
      expect(r.counts.lost).toBe(0);
      expect(r.ok).toBe(false);
      expect(r.violations).toEqual([expect.stringMatching(/^no-consumer-observed-loss: /)]);
    });
  });

  describe('duplicates, reordering and phantoms', () => {
    it('one value at two offsets is a duplicate, a violation with idempotence', () => {
      const r = check(
        history({
          sends: [ok(0, 0), ok(1, 1)],
          cluster: [state(0, 1, 0, [1])],
          finalReads: [read(1, [v(0), v(1), v(1)])],
        }),
      );
      expect(r.duplicates).toEqual([{ value: v(1), key: 'k', partition: 0, offsets: [1, 2] }]);
      expect(r.ok).toBe(false);
      expect(r.violations[0]).toMatch(/^no-duplicates: /);
    });

    it('duplicates without idempotence are reported, not violations', () => {
      const r = check(
        history({
          config: { idempotence: false },
          sends: [ok(0, 0), ok(1, 1)],
          cluster: [state(0, 1, 0, [1])],
          finalReads: [read(1, [v(0), v(1), v(1)])],
        }),
      );
      expect(r.counts.duplicated).toBe(1);
      expect(r.ok).toBe(true);
    });

    it('duplicates above the high watermark are not counted', () => {
      const r = check(
        history({
          sends: [ok(0, 0), ok(1, 1)],
          cluster: [state(0, 1, 0, [1])],
          finalReads: [read(1, [v(0), v(1), v(1)], { highWatermark: 2 })],
        }),
      );
      expect(r.counts.duplicated).toBe(0);
    });

    it('within a key, a lower seq after a higher one is reordered', () => {
      const r = check(
        history({
          sends: [ok(0, 1, { seq: 0 }), ok(1, 0, { seq: 1 }), ok(2, 2, { seq: 2 })],
          cluster: [state(0, 1, 0, [1])],
          finalReads: [read(1, [v(1), v(0), v(2)])],
        }),
      );
      expect(r.reordered).toEqual([
        { key: 'k', partition: 0, seq: 0, offset: 1, afterSeq: 1, afterOffset: 0 },
      ]);
      expect(r.violations).toEqual([expect.stringMatching(/^no-reorder: /)]);
    });

    it('interleaved keys each in order are not reordered', () => {
      const a = (id: number, seq: number) => ok(id, id, { key: 'a', seq });
      const b = (id: number, seq: number) => ok(id, id, { key: 'b', seq });
      const rec = (id: number, key: string) => ({ key, value: v(id) });
      const r = check(
        history({
          sends: [a(0, 0), b(1, 0), a(2, 1), b(3, 1)],
          cluster: [state(0, 1, 0, [1])],
          finalReads: [read(1, [rec(0, 'a'), rec(1, 'b'), rec(2, 'a'), rec(3, 'b')])],
        }),
      );
      expect(r.counts.reordered).toBe(0);
    });

    it('failed or unknown sends do not count for reordering', () => {
      const r = check(
        history({
          sends: [
            ok(0, 0, { seq: 0 }),
            unknown(1, { seq: 1 }),
            ok(2, 2, { seq: 2 }),
            failed(3, { seq: 3 }),
          ],
          cluster: [state(0, 1, 0, [1])],
          finalReads: [read(1, [v(0), v(3), v(2), v(1)])],
        }),
      );
      expect(r.counts.reordered).toBe(0);
    });

    it('reordering without idempotence is reported, not a violation', () => {
      const r = check(
        history({
          config: { idempotence: false },
          sends: [ok(0, 1, { seq: 0 }), ok(1, 0, { seq: 1 })],
          cluster: [state(0, 1, 0, [1])],
          finalReads: [read(1, [v(1), v(0)])],
        }),
      );
      expect(r.counts.reordered).toBe(1);
      expect(r.ok).toBe(true);
    });

    it('values never sent, or with another key, are phantoms', () => {
      const r = check(
        history({
          sends: [ok(0, 0), unknown(5)],
          consumes: [{ t: 5, member: 'c1', partition: 0, offset: 3, key: 'k', value: 'garbage' }],
          cluster: [state(0, 1, 0, [1, 2])],
          finalReads: [1, 2].map((b) =>
            read(b, [v(0), v(7), { key: 'x', value: v(5) }, { key: 'k', value: 'garbage' }]),
          ),
        }),
      );
      expect(r.phantoms.map((p) => [p.value, p.offset, p.reason])).toEqual([
        [v(7), 1, 'no send wrote "v7"'],
        [v(5), 2, 'sent with key "k", found with key "x"'],
        ['garbage', 3, 'no send wrote "garbage"'],
      ]);
      expect(r.phantoms[0].where).toEqual({ brokerId: 1 });
      expect(r.phantoms[2].where).toEqual({ brokerId: 1 });
      expect(r.counts.phantoms).toBe(3); // the consumed copy of "garbage" is the same record
      expect(r.violations).toEqual([expect.stringMatching(/^no-phantoms: /)]);
    });
  });

  describe('phantoms seen only by a consumer', () => {
    it('name the member that received them', () => {
      const r = check(
        history({
          sends: [ok(0, 0)],
          consumes: [{ t: 5, member: 'c1', partition: 0, offset: 1, key: 'k', value: 'v99' }],
          cluster: [state(0, 1, 0, [1])],
          finalReads: [read(1, [v(0)])],
        }),
      );
      expect(r.phantoms).toEqual([
        {
          value: 'v99',
          key: 'k',
          partition: 0,
          offset: 1,
          where: { member: 'c1' },
          reason: 'no send wrote "v99"',
        },
      ]);
    });
  });

  describe('replica divergence', () => {
    it('replicas of the final ISR that disagree below the high watermark diverge', () => {
      const r = check(
        history({
          sends: [ok(0, 0), ok(1, 1), ok(2, 1, { leader: 2 })],
          cluster: [state(0, 1, 0, [1, 2])],
          finalReads: [
            read(1, [v(0), v(1)]),
            read(2, [v(0), { value: v(2), key: 'k', leaderEpoch: 1 }]),
          ],
        }),
      );
      expect(r.divergences).toEqual([
        {
          partition: 0,
          offset: 1,
          replicas: [
            { brokerId: 1, value: v(1), leaderEpoch: 0 },
            { brokerId: 2, value: v(2), leaderEpoch: 1 },
          ],
        },
      ]);
      // v2 was acknowledged at offset 1, where the final leader holds v1
      expect(r.violations).toEqual([
        expect.stringMatching(/^replicas-agree: /),
        expect.stringMatching(/^consistent-offsets: /),
      ]);
    });

    it('the same value under another leader epoch diverges too', () => {
      const r = check(
        history({
          sends: [ok(0, 0)],
          cluster: [state(0, 1, 0, [1, 2])],
          finalReads: [read(1, [v(0)]), read(2, [{ value: v(0), key: 'k', leaderEpoch: 3 }])],
        }),
      );
      expect(r.counts.divergences).toBe(1);
    });

    it('a replica of the ISR missing an offset below the high watermark diverges', () => {
      const r = check(
        history({
          sends: [ok(0, 0), ok(1, 1)],
          cluster: [state(0, 1, 0, [1, 2])],
          finalReads: [read(1, [v(0), v(1)]), read(2, [v(0)])],
        }),
      );
      expect(r.divergences[0].replicas[1]).toEqual({ brokerId: 2, value: null, leaderEpoch: null });
    });

    it('replicas outside the final ISR and offsets above the high watermark are not compared', () => {
      const r = check(
        history({
          sends: [ok(0, 0), ok(1, 1)],
          cluster: [state(0, 1, 0, [1, 2])],
          finalReads: [
            read(1, [v(0), v(1), v(9)], { highWatermark: 2 }),
            read(2, [v(0), v(1), v(8)], { highWatermark: 2 }),
            read(3, [v(0), v(5)]),
          ],
        }),
      );
      expect(r.counts.divergences).toBe(0);
    });
  });

  describe('inconsistent offsets', () => {
    it('an acknowledged or consumed offset that holds another value in the final log', () => {
      const r = check(
        history({
          sends: [ok(0, 0), ok(1, 1), ok(2, 2)],
          consumes: [
            { t: 50, member: 'c1', partition: 0, offset: 2, key: 'k', value: v(2) },
            { t: 60, member: 'c2', partition: 0, offset: 1, key: 'k', value: v(2) },
          ],
          cluster: [state(0, 1, 0, [1])],
          finalReads: [read(1, [v(0), v(2), v(1)])],
        }),
      );
      expect(r.inconsistentOffsets).toEqual([
        { partition: 0, offset: 1, expected: v(1), found: v(2), source: 'ack' },
        { partition: 0, offset: 2, expected: v(2), found: v(1), source: 'ack' },
        { partition: 0, offset: 2, expected: v(2), found: v(1), source: 'consume', member: 'c1' },
      ]);
      expect(r.counts.lost).toBe(0);
      expect(r.violations).toEqual([
        expect.stringMatching(/^no-reorder: /),
        expect.stringMatching(/^consistent-offsets: /),
      ]);
    });

    it('offsets above the high watermark or below the log start are not judged', () => {
      const r = check(
        history({
          config: { acks: 1, minInsyncReplicas: 1 },
          sends: [ok(0, 0), ok(1, 1), ok(2, 2)],
          cluster: [state(0, 1, 0, [1])],
          finalReads: [read(1, [null, v(1), v(9)], { logStartOffset: 1, highWatermark: 2 })],
        }),
      );
      expect(r.inconsistentOffsets).toEqual([]);
    });
  });

  describe('replicas outside the final ISR', () => {
    it('do not make a record present, and the explanation says where it still is', () => {
      const r = check(
        history({
          config: { acks: 1, minInsyncReplicas: 1 },
          sends: [ok(0, 0), ok(1, 1)],
          cluster: [state(0, 1, 0, [1, 2])],
          finalReads: [read(1, [v(0)]), read(2, [v(0)]), read(3, [v(0), v(1)])],
        }),
      );
      expect(r.lost.map((l) => l.value)).toEqual([v(1)]);
      expect(r.lost[0].explanation.outsideIsr).toEqual([{ brokerId: 3, offset: 1 }]);
      expect(r.lost[0].explanation.text).toContain(
        'still on broker 3 at offset 1, outside the final ISR',
      );
    });
  });

  describe('committed offsets', () => {
    it('a commit lower than the previous one for the partition went backwards', () => {
      const r = check(
        history({
          sends: [ok(0, 0)],
          cluster: [state(0, 1, 0, [1])],
          finalReads: [read(1, [v(0)])],
          commits: [
            { t: 10, member: 'a', partition: 0, offset: 5 },
            { t: 30, member: 'b', partition: 0, offset: 3 },
            { t: 20, member: 'a', partition: 0, offset: 7 },
            { t: 40, member: 'b', partition: 1, offset: 1 },
          ],
        }),
      );
      expect(r.commitRegressions).toEqual([
        {
          partition: 0,
          t: 30,
          member: 'b',
          offset: 3,
          previousOffset: 7,
          previousT: 20,
          previousMember: 'a',
        },
      ]);
      expect(r.violations).toEqual([expect.stringMatching(/^commits-monotonic: /)]);
    });

    it('are allowed to go back when the configuration allows loss', () => {
      const r = check(
        history({
          config: { uncleanLeaderElection: true },
          sends: [ok(0, 0)],
          cluster: [state(0, 1, 0, [1])],
          finalReads: [read(1, [v(0)])],
          commits: [
            { t: 10, member: 'a', partition: 0, offset: 5 },
            { t: 30, member: 'b', partition: 0, offset: 3 },
          ],
        }),
      );
      expect(r.counts.commitRegressions).toBe(1);
      expect(r.ok).toBe(true);
    });
  });

  describe('verdict', () => {
    it.each([
      [{ acks: -1 as const, minInsyncReplicas: 2, uncleanLeaderElection: false }, true],
      [{ acks: -1 as const, minInsyncReplicas: 3, uncleanLeaderElection: false }, true],
      [{ acks: -1 as const, minInsyncReplicas: 1, uncleanLeaderElection: false }, false],
      [{ acks: -1 as const, minInsyncReplicas: 2, uncleanLeaderElection: true }, false],
      [{ acks: 1 as const, minInsyncReplicas: 2, uncleanLeaderElection: false }, false],
      [{ acks: 0 as const, minInsyncReplicas: 2, uncleanLeaderElection: false }, false],
    ])('%j promises no acknowledged loss: %s', (c, promised) => {
      const r = check(
        history({
          config: c,
          sends: [ok(0, 0), ok(1, 1)],
          cluster: [state(0, 1, 0, [1])],
          finalReads: [read(1, [v(0)])],
        }),
      );
      expect(r.counts.lost).toBe(1);
      expect(r.ok).toBe(!promised);
      const e = r.expectations.find((x) => x.id === 'no-acknowledged-loss');
      expect(e).toMatchObject({ applies: promised, held: false, count: 1 });
    });

    it('retries=0 without idempotence still promises no duplicates', () => {
      const r = check(
        history({
          config: { idempotence: false, retries: 0 },
          sends: [ok(0, 0), ok(1, 1)],
          cluster: [state(0, 1, 0, [1])],
          finalReads: [read(1, [v(0), v(1), v(1)])],
        }),
      );
      expect(r.expectations.find((e) => e.id === 'no-duplicates')).toMatchObject({
        applies: true,
        because: 'retries=0: the producer never sends a record twice',
        held: false,
      });
      expect(r.ok).toBe(false);
    });

    it('a run that never healed is a violation and a warning', () => {
      const r = check(
        history({
          healedAt: undefined,
          sends: [ok(0, 0)],
          cluster: [state(0, 1, 0, [1])],
          finalReads: [read(1, [v(0)])],
        }),
      );
      expect(r.ok).toBe(false);
      expect(r.violations).toEqual([
        'healed: the cluster never healed after the faults (no broker back or no ISR full by the end)',
      ]);
      expect(r.warnings).toEqual([expect.stringContaining('never healed')]);
    });

    it('a partition without any final read is a violation; its sends are not judged', () => {
      const r = check(
        history({
          config: { partitions: 2 },
          sends: [ok(0, 0), ok(1, 0, { partition: 1 })],
          cluster: [state(0, 1, 0, [1])],
          finalReads: [read(1, [v(0)])],
        }),
      );
      expect(r.counts.lost).toBe(0);
      expect(r.violations).toEqual([expect.stringMatching(/^final-read-complete: /)]);
      expect(r.warnings).toEqual([
        expect.stringContaining('partition 1: no replica was read back'),
      ]);
    });

    it('is deterministic: the same history gives the same result', () => {
      const h = history({
        config: { acks: 1, minInsyncReplicas: 1 },
        sends: [ok(0, 0), ok(1, 1), ok(2, 2)],
        cluster: [state(0, 1, 0, [1, 2]), state(40, 2, 1, [2])],
        finalReads: [read(2, [v(0)]), read(1, [v(0)])],
      });
      expect(JSON.stringify(check(h))).toEqual(JSON.stringify(check(structuredClone(h))));
    });
  });
});
