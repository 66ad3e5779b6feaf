import type { ClusterEvent, FaultEvent } from '../history';
import { coveredMs } from './availability';
import { check } from './check';
import { failed, history, ok, read, state, unknown } from './testing.test-helpers';

const v = (id: number) => `v${id}`;
const at = (_id: number, tSend: number, tDone: number) => ({ tSend, tDone });
const dereg = (t: number, brokerId: number): ClusterEvent => ({
  t,
  type: 'broker-deregistered',
  brokerId,
});
const reg = (t: number, brokerId: number): ClusterEvent => ({
  t,
  type: 'broker-registered',
  brokerId,
});
const fault = (t: number, target: string, kind = 'kill'): FaultEvent => ({
  t,
  phase: 'start',
  kind,
  role: 'leader of t-0',
  target,
});

describe('experiments > checker > availability', () => {
  it('sends that wait a second or more for any success open a no-ack window', () => {
    const r = check(
      history({
        sends: [
          ok(0, 0, at(0, 0, 5)),
          failed(1, at(1, 1000, 1200)),
          failed(2, at(2, 1500, 2000)),
          ok(3, 1, at(3, 3900, 3905)),
          ok(4, 2, at(4, 4000, 4300)), // slow, but under the threshold
        ],
        cluster: [state(0, 1, 0, [1])],
        finalReads: [read(1, [v(0), v(3), v(4)])],
      }),
    );
    expect(r.partitions[0].unavailability).toEqual([
      { kind: 'no-ack', start: 1000, end: 3905, open: false },
    ]);
    expect(r.partitions[0].unavailableMs).toBe(2905);
  });

  it('a successful send that itself took the threshold or more is a window', () => {
    const r = check(
      history({
        sends: [ok(0, 0, at(0, 100, 1600))],
        cluster: [state(0, 1, 0, [1])],
        finalReads: [read(1, [v(0)])],
      }),
    );
    expect(r.partitions[0].unavailability).toEqual([
      { kind: 'no-ack', start: 100, end: 1600, open: false },
    ]);
  });

  it('a window still open at the end of the history is marked open', () => {
    const r = check(
      history({
        healedAt: 9000,
        sends: [ok(0, 0, at(0, 0, 5)), unknown(1, { tSend: 2000 })],
        cluster: [state(0, 1, 0, [1])],
        finalReads: [read(1, [v(0)])],
      }),
    );
    expect(r.partitions[0].unavailability).toEqual([
      { kind: 'no-ack', start: 2000, end: 9000, open: true },
    ]);
  });

  it('the threshold is an option', () => {
    const h = history({
      sends: [ok(0, 0, at(0, 0, 5)), ok(1, 1, at(1, 100, 400))],
      cluster: [state(0, 1, 0, [1])],
      finalReads: [read(1, [v(0), v(1)])],
    });
    expect(check(h).partitions[0].unavailability).toEqual([]);
    expect(check(h, { minUnavailableMs: 200 }).partitions[0].unavailability).toEqual([
      { kind: 'no-ack', start: 100, end: 400, open: false },
    ]);
  });

  it('no leader: from the leader broker leaving, or leader -1, until a state names a leader', () => {
    const r = check(
      history({
        cluster: [
          state(0, 1, 0, [1, 2]),
          dereg(50, 1),
          state(100, -1, 1, [1]),
          state(900, 2, 2, [2]),
          dereg(1000, 3), // not the leader
          dereg(2000, 2),
          reg(2500, 2), // back before any election
        ],
        finalReads: [read(2, [])],
      }),
    );
    expect(r.partitions[0].unavailability).toEqual([
      { kind: 'no-leader', start: 50, end: 900, open: false },
      { kind: 'no-leader', start: 2000, end: 2500, open: false },
    ]);
    expect(r.partitions[0].leaderChanges).toBe(1);
  });

  it('a partition left leaderless stays open to the end', () => {
    const r = check(
      history({
        healedAt: undefined,
        cluster: [state(0, 1, 0, [1]), state(100, -1, 1, [1])],
        samples: [{ t: 5000, sent: 0, acked: 0, failed: 0, consumed: 0 }],
        finalReads: [read(1, [])],
      }),
    );
    expect(r.partitions[0].unavailability).toEqual([
      { kind: 'no-leader', start: 100, end: 5000, open: true },
    ]);
  });

  it('measures each fault to the next new leader of each affected partition', () => {
    const r = check(
      history({
        config: { partitions: 2 },
        faults: [
          fault(1000, 'broker 1'),
          { t: 1500, phase: 'end', kind: 'kill', role: 'leader of t-0', target: 'broker 1' },
          fault(5000, 'broker 2'),
        ],
        cluster: [
          state(0, 1, 0, [1, 2]),
          state(0, 3, 0, [3, 1], { partition: 1 }),
          state(1200, 1, 0, [1]), // ISR shrink, same leader: not a failover
          state(1800, 2, 1, [2], { unclean: true }),
          state(4000, 2, 1, [2, 1]),
          state(5000, -1, 2, [2]),
          state(7000, 2, 3, [2]), // the same broker after a leaderless spell
        ],
        finalReads: [read(2, []), read(3, [], { partition: 1 })],
      }),
    );
    expect(r.partitions[0].failovers).toEqual([
      {
        faultT: 1000,
        fault: 'kill broker 1 (leader of t-0)',
        partition: 0,
        fromLeader: 1,
        toLeader: 2,
        leaderEpoch: 1,
        unclean: true,
        t: 1800,
        ms: 800,
      },
      expect.objectContaining({
        faultT: 5000,
        fromLeader: 2,
        toLeader: 2,
        leaderEpoch: 3,
        ms: 2000,
      }),
    ]);
    expect(r.partitions[1].failovers).toEqual([]);
  });

  it('ignores faults that did not fire and the final heal', () => {
    const r = check(
      history({
        faults: [
          fault(1000, 'broker 1'),
          { t: 1200, phase: 'start', kind: 'pause', role: 'a follower of t-0', target: 'none' },
          { t: 1300, phase: 'start', kind: 'heal', role: 'everything', target: 'all' },
        ],
        cluster: [state(0, 1, 0, [1, 2]), state(1800, 2, 1, [2])],
        finalReads: [read(2, [])],
      }),
    );
    expect(r.partitions[0].failovers).toEqual([
      expect.objectContaining({ faultT: 1000, fault: 'kill broker 1 (leader of t-0)', ms: 800 }),
    ]);
  });

  it('faults fired in the same millisecond count as one', () => {
    const r = check(
      history({
        faults: [fault(1000, 'broker 1'), fault(1000, 'broker 2', 'pause')],
        cluster: [state(0, 1, 0, [1, 2, 3]), state(1500, 3, 1, [3])],
        finalReads: [read(3, [])],
      }),
    );
    expect(r.partitions[0].failovers.map((f) => [f.fault, f.ms])).toEqual([
      ['kill broker 1 (leader of t-0) + pause broker 2 (leader of t-0)', 500],
    ]);
  });

  it('coveredMs counts overlaps once', () => {
    expect(
      coveredMs([
        { kind: 'no-ack', start: 0, end: 100, open: false },
        { kind: 'no-leader', start: 50, end: 150, open: false },
        { kind: 'no-ack', start: 200, end: 300, open: false },
      ]),
    ).toBe(250);
    expect(coveredMs([])).toBe(0);
  });
});
