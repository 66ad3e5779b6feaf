import type { ClusterEvent, FaultEvent } from '../history';
import { check } from './check';
import { history, ok, read, state } from './testing.test-helpers';

const v = (id: number) => `v${id}`;
const reg = (t: number, brokerId: number): ClusterEvent => ({
  t,
  type: 'broker-registered',
  brokerId,
});
const dereg = (t: number, brokerId: number): ClusterEvent => ({
  t,
  type: 'broker-deregistered',
  brokerId,
});
const trunc = (
  t: number,
  brokerId: number,
  fromOffset: number,
  toOffset: number,
): ClusterEvent => ({
  t,
  type: 'truncation',
  brokerId,
  partition: 0,
  fromOffset,
  toOffset,
});
const fault = (t: number, kind: string, role: string, target: string): FaultEvent => ({
  t,
  phase: 'start',
  kind,
  role,
  target,
});

describe('experiments > checker > explain', () => {
  it('names the acknowledging leader and epoch, the unclean election and the truncation', () => {
    const r = check(
      history({
        config: { acks: -1, minInsyncReplicas: 1, uncleanLeaderElection: true },
        sends: [ok(0, 0, { leader: 2 }), ok(1, 1, { leader: 2, tSend: 150, tDone: 160 })],
        faults: [
          fault(120, 'pause', 'a follower of t-0', 'broker 3'),
          fault(170, 'kill', 'leader of t-0', 'broker 2'),
        ],
        cluster: [
          state(0, 2, 3, [2, 3], { controllerEpoch: 1 }),
          state(130, 2, 3, [2], { controllerEpoch: 1 }),
          dereg(180, 2),
          state(200, 3, 4, [3], { controllerEpoch: 2, unclean: true }),
          reg(300, 2),
          trunc(310, 2, 2, 1),
          state(320, 3, 4, [2, 3], { controllerEpoch: 2 }),
        ],
        finalReads: [read(2, [v(0)]), read(3, [v(0)])],
      }),
    );
    expect(r.lost).toHaveLength(1);
    const e = r.lost[0].explanation;
    expect(e).toMatchObject({
      ackedBy: 2,
      ackLeaderEpoch: 3,
      zkLeaderAtAck: 2,
      zombie: false,
      election: {
        t: 200,
        leader: 3,
        leaderEpoch: 4,
        controllerEpoch: 2,
        unclean: true,
        previousIsr: [2],
      },
      truncation: { brokerId: 2, fromOffset: 2, toOffset: 1, t: 310 },
      fault: { t: 170, kind: 'kill', target: 'broker 2' },
      aboveHighWatermark: [],
    });
    expect(e.text).toBe(
      'acknowledged by broker 2 as leader at epoch 3 (offset 1); ' +
        'broker 3 was elected leader at epoch 4 while not in the ISR [2] (unclean, controller epoch 2); ' +
        'broker 2 truncated to offset 1 on rejoining ' +
        '(after the fault "kill broker 2 (leader of t-0)" at 0.2 s)',
    );
  });

  it('a clean election of a follower that had not replicated an acks=1 write', () => {
    const r = check(
      history({
        config: { acks: 1, minInsyncReplicas: 1 },
        sends: [ok(0, 0), ok(1, 1, { tSend: 100, tDone: 101 })],
        cluster: [
          state(0, 1, 0, [1, 2]),
          state(150, 2, 1, [2], { controllerEpoch: 1 }),
          trunc(400, 1, 2, 1),
        ],
        finalReads: [read(1, [v(0)]), read(2, [v(0)])],
      }),
    );
    expect(r.lost[0].explanation.text).toBe(
      'acknowledged by broker 1 as leader at epoch 0 (offset 1); ' +
        'broker 2 was elected leader at epoch 1 from the ISR [1,2] (clean, controller epoch 1); ' +
        'broker 1 truncated to offset 1 at 0.4 s',
    );
    expect(r.ok).toBe(true); // acks=1 allows it
  });

  it('a zombie leader acknowledged after ZooKeeper had moved the leadership', () => {
    const r = check(
      history({
        config: { acks: 1, minInsyncReplicas: 1 },
        sends: [ok(0, 0), ok(1, 1, { tSend: 240, tDone: 250, leader: 1 })],
        faults: [fault(100, 'pause', 'leader of t-0', 'broker 1')],
        cluster: [
          state(0, 1, 0, [1, 2]),
          dereg(180, 1),
          state(200, 2, 1, [2], { controllerEpoch: 1 }),
          reg(390, 1),
          trunc(400, 1, 2, 1),
        ],
        finalReads: [read(1, [v(0)]), read(2, [v(0)])],
      }),
    );
    const e = r.lost[0].explanation;
    expect(e).toMatchObject({ ackedBy: 1, zkLeaderAtAck: 2, zombie: true, ackLeaderEpoch: 0 });
    expect(e.election).toMatchObject({ t: 200, leader: 2, leaderEpoch: 1 });
    expect(e.text).toBe(
      'acknowledged by broker 1 (offset 1) at 0.3 s, after it had stopped being leader at epoch 0; ' +
        'broker 2 was elected leader at epoch 1 from the ISR [1,2] (clean, controller epoch 1) at 0.2 s; ' +
        'broker 1 truncated to offset 1 on rejoining ' +
        '(after the fault "pause broker 1 (leader of t-0)" at 0.1 s)',
    );
  });

  it('prefers the truncation on the acknowledging broker, and one that covers the offset', () => {
    const r = check(
      history({
        config: { acks: 1, minInsyncReplicas: 1 },
        sends: [
          ok(0, 0),
          ok(1, 1, { tSend: 100, tDone: 101 }),
          ok(2, 2, { tSend: 110, tDone: 111 }),
        ],
        cluster: [
          state(0, 1, 0, [1, 2, 3]),
          state(150, 2, 1, [2, 3]),
          trunc(200, 3, 3, 1), // covers offsets 1 and 2, but broker 3 did not ack
          trunc(300, 1, 2, 1), // covers offset 1 only
          trunc(310, 1, 3, 2), // covers offset 2
        ],
        finalReads: [1, 2, 3].map((b) => read(b, [v(0)])),
      }),
    );
    expect(r.lost.map((l) => l.explanation.truncation?.t)).toEqual([300, 310]);
  });

  it('says so when no election or truncation explains the loss', () => {
    const r = check(
      history({
        config: { acks: 1, minInsyncReplicas: 1 },
        sends: [ok(0, 0), ok(1, 1)],
        cluster: [state(0, 1, 0, [1])],
        finalReads: [read(1, [v(0)])],
      }),
    );
    expect(r.lost[0].explanation.text).toBe(
      'acknowledged by broker 1 as leader at epoch 0 (offset 1); no new leader was elected after it; ' +
        'no truncation covering offset 1 was recorded',
    );
  });

  it('acks=0: no offset, and no truncation is guessed', () => {
    const r = check(
      history({
        config: { acks: 0, minInsyncReplicas: 1 },
        sends: [ok(0, -1, { leader: 1 })],
        cluster: [state(0, 1, 0, [1]), trunc(50, 1, 1, 0)],
        finalReads: [read(1, [])],
      }),
    );
    expect(r.lost[0].explanation.truncation).toBeUndefined();
    expect(r.lost[0].explanation.text).toBe(
      'acknowledged by broker 1 as leader at epoch 0 (acks=0, no offset); no new leader was elected after it',
    );
  });

  it('a broker ZooKeeper never named leader', () => {
    const r = check(
      history({
        config: { acks: 1, minInsyncReplicas: 1 },
        sends: [ok(0, 0, { leader: 3 })],
        cluster: [state(0, 1, 0, [1])],
        finalReads: [read(1, [])],
      }),
    );
    expect(r.lost[0].explanation).toMatchObject({ ackedBy: 3, zombie: true, zkLeaderAtAck: 1 });
    expect(r.lost[0].explanation.text).toMatch(
      /^acknowledged by broker 3 \(offset 0\), which ZooKeeper never named leader; broker 1 was leader at epoch 0 since 0\.0 s \(controller epoch 1\); /,
    );
  });

  it('groups lost records that share an explanation into causes, largest first', () => {
    const r = check(
      history({
        config: { acks: 1, minInsyncReplicas: 1 },
        sends: [
          ok(0, 0),
          ok(1, 1, { tSend: 100, tDone: 101 }),
          ok(2, 2, { tSend: 110, tDone: 111 }),
          ok(3, 3, { tSend: 120, tDone: 121 }),
          ok(4, 1, { tSend: 400, tDone: 401, leader: 2 }),
        ],
        cluster: [
          state(0, 1, 0, [1, 2]),
          state(150, 2, 1, [2], { controllerEpoch: 1 }),
          trunc(300, 1, 4, 1),
          state(500, 1, 2, [1], { controllerEpoch: 2, unclean: true }),
        ],
        finalReads: [read(1, [v(0), null, null, v(3)], { highWatermark: 1 }), read(2, [v(0)])],
      }),
    );
    expect(r.lost.map((l) => l.id)).toEqual([1, 2, 3, 4]);
    const causes = r.lossCauses.map((c) => [
      c.count,
      c.firstOffset,
      c.lastOffset,
      c.firstAckT,
      c.lastAckT,
    ]);
    // v1 and v2 share a cause; v3 is still above the high watermark on broker 1; v4 had another leader
    expect(causes).toEqual([
      [2, 1, 2, 101, 111],
      [1, 1, 1, 401, 401],
      [1, 3, 3, 121, 121],
    ]);
    expect(r.lossCauses[0].text).toBe(
      'acknowledged by broker 1 as leader at epoch 0 (offsets 1–2); ' +
        'broker 2 was elected leader at epoch 1 from the ISR [1,2] (clean, controller epoch 1); ' +
        'broker 1 truncated to offset 1 at 0.3 s',
    );
    expect(r.lossCauses[1].text).toBe(r.lost[3].explanation.text);
    expect(r.lossCauses[2].text).toBe(r.lost[2].explanation.text);
  });

  it('a group still held above the high watermark says so once', () => {
    const r = check(
      history({
        config: { acks: 1, minInsyncReplicas: 1 },
        sends: [ok(0, 0), ok(1, 1), ok(2, 2)],
        faults: [{ t: 5, phase: 'start', kind: 'kill', role: 'leader of t-0', target: 'broker 1' }],
        cluster: [state(0, 1, 0, [1])],
        finalReads: [read(1, [v(0), v(1), v(2)], { highWatermark: 1 })],
      }),
    );
    expect(r.lossCauses.map((c) => c.text)).toEqual([
      'acknowledged by broker 1 as leader at epoch 0 (offsets 1–2); no new leader was elected after it; ' +
        'no truncation covering them was recorded; still on a replica, above the high watermark ' +
        '(after the fault "kill broker 1 (leader of t-0)" at 0.0 s)',
    ]);
  });

  it('falls back to the leader in ZooKeeper when the send does not name one', () => {
    const r = check(
      history({
        config: { acks: 1, minInsyncReplicas: 1 },
        sends: [ok(0, 0, { leader: undefined })],
        cluster: [state(0, 3, 2, [3])],
        finalReads: [read(3, [])],
      }),
    );
    expect(r.lost[0].explanation).toMatchObject({ ackedBy: 3, ackLeaderEpoch: 2, zombie: false });
  });
});
