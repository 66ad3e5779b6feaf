/**
 * Static group membership (KIP-345) in the GroupCoordinator, on the mock clock: a
 * restarted static member gets its assignment back without a rebalance, its old member
 * id is fenced, a static member away past its session timeout is removed, LeaveGroup by
 * group.instance.id, protocol changes, static and dynamic members together.
 */
import { ErrorCode } from '@kzoo/common';
import type { JoinGroupParams } from './GroupCoordinatorTypes';
import { GroupState } from './GroupMetadata';
import {
  INITIAL_DELAY,
  REBALANCE,
  SESSION,
  isPending,
  params as joinParams,
  proto,
  setup,
  type Fixture,
} from './GroupCoordinator.fixture';

/** A static (instance id) or dynamic (null) member's JoinGroup to group `g`. */
function params(
  memberId: string,
  groupInstanceId: string | null,
  over: Partial<JoinGroupParams> = {},
): JoinGroupParams {
  return joinParams('g', memberId, { groupInstanceId, ...over });
}

interface Member {
  memberId: string;
  instanceId: string | null;
}

/**
 * A Stable group (generation 1) of the given members (an instance id = static, null =
 * dynamic); each member's assignment is `a-<instance id or index>`. Leader first.
 */
async function stableGroup(
  f: Fixture,
  instanceIds: Array<string | null>,
  over: Partial<JoinGroupParams> = {},
): Promise<Member[]> {
  const ids: string[] = [];
  for (const [i, instanceId] of instanceIds.entries()) {
    if (instanceId === null) {
      const r = await f.coord.handleJoinGroup(params('', null, { clientId: `c${i}`, ...over }));
      expect(r.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
      ids.push(r.memberId);
    } else {
      ids.push('');
    }
  }
  const joins = instanceIds.map((instanceId, i) =>
    f.coord.handleJoinGroup(params(ids[i], instanceId, { clientId: `c${i}`, ...over })),
  );
  f.timer.advanceClock(INITIAL_DELAY * (instanceIds.length + 1));
  const results = await Promise.all(joins);
  for (const r of results) expect(r.errorCode).toBe(ErrorCode.NONE);
  const members = results.map((r, i) => ({ memberId: r.memberId, instanceId: instanceIds[i] }));
  const leader = results[0].leaderId;
  const syncs = members.map((m) =>
    f.coord.handleSyncGroup({
      groupId: 'g',
      generationId: 1,
      memberId: m.memberId,
      groupInstanceId: m.instanceId,
      assignments:
        m.memberId === leader
          ? members.map((x, i) => ({
              memberId: x.memberId,
              assignment: Buffer.from(`a-${x.instanceId ?? i}`),
            }))
          : [],
    }),
  );
  for (const s of await Promise.all(syncs)) expect(s.errorCode).toBe(ErrorCode.NONE);
  expect(f.coord.getGroup('g')!.currentState).toBe(GroupState.Stable);
  return [
    members.find((m) => m.memberId === leader)!,
    ...members.filter((m) => m.memberId !== leader),
  ];
}

const heartbeat = (f: Fixture, m: Member, generationId = 1) =>
  f.coord.handleHeartbeat({
    groupId: 'g',
    memberId: m.memberId,
    groupInstanceId: m.instanceId,
    generationId,
  });

const sync = (f: Fixture, m: Member, generationId = 1) =>
  f.coord.handleSyncGroup({
    groupId: 'g',
    generationId,
    memberId: m.memberId,
    groupInstanceId: m.instanceId,
    assignments: [],
  });

const commit = (f: Fixture, m: Member, generationId = 1) =>
  f.coord.handleCommitOffsets({
    groupId: 'g',
    generationId,
    memberId: m.memberId,
    groupInstanceId: m.instanceId,
    offsets: [{ topic: 't', partition: 0, offset: 5 }],
  });

describe('Broker > GroupCoordinator static membership (KIP-345)', () => {
  it('a static member joins without MEMBER_ID_REQUIRED, with an id made from its instance id', async () => {
    const f = setup();
    const join = f.coord.handleJoinGroup(params('', 'app-1'));
    f.timer.advanceClock(INITIAL_DELAY);
    const r = await join;
    expect(r).toMatchObject({ errorCode: 0, generationId: 1 });
    expect(r.memberId).toMatch(/^app-1-[0-9a-f-]{36}$/);
    expect(r.members).toEqual([
      { memberId: r.memberId, groupInstanceId: 'app-1', metadata: Buffer.from('range') },
    ]);
    const { summary } = await f.coord.handleDescribeGroup('g');
    expect(summary.members.map((m) => [m.memberId, m.groupInstanceId])).toEqual([
      [r.memberId, 'app-1'],
    ]);
  });

  it('a static member restarting within its session timeout gets its assignment back, no rebalance', async () => {
    const f = setup();
    const [a, b] = await stableGroup(f, ['a', 'b']);
    f.timer.advanceClock(SESSION / 2); // b's process is down for a while; a heartbeats
    expect(heartbeat(f, a)).toBe(ErrorCode.NONE);
    const rejoin = await f.coord.handleJoinGroup(params('', 'b'));
    expect(rejoin).toMatchObject({
      errorCode: 0,
      generationId: 1,
      protocolName: 'range',
      leaderId: a.memberId,
      members: [],
    });
    expect(rejoin.memberId).not.toBe(b.memberId);
    expect(rejoin.memberId).toMatch(/^b-/);
    const group = f.coord.getGroup('g')!;
    expect(group.currentState).toBe(GroupState.Stable);
    expect(group.generationId).toBe(1);
    const b2 = { memberId: rejoin.memberId, instanceId: 'b' };
    const s = await sync(f, b2);
    expect(s.errorCode).toBe(0);
    expect(s.assignment.toString()).toBe('a-b');
    // the other member sees no rebalance
    expect(heartbeat(f, a)).toBe(ErrorCode.NONE);
    expect(heartbeat(f, b2)).toBe(ErrorCode.NONE);
    const { summary } = await f.coord.handleDescribeGroup('g');
    expect(summary.state).toBe('Stable');
    expect(
      summary.members.map((m) => [m.groupInstanceId, m.memberId, m.assignment.toString()]).sort(),
    ).toEqual([
      ['a', a.memberId, 'a-a'],
      ['b', b2.memberId, 'a-b'],
    ]);
    // the new id's session runs from the rejoin: alive past the old id's deadline
    f.timer.advanceClock(SESSION - 1);
    expect(heartbeat(f, a)).toBe(ErrorCode.NONE);
    expect(group.has(b2.memberId)).toBe(true);
  });

  it('fences the old member id of a restarted static member on every API (FENCED_INSTANCE_ID)', async () => {
    const f = setup();
    const [a, b] = await stableGroup(f, ['a', 'b']);
    const rejoin = await f.coord.handleJoinGroup(params('', 'b'));
    expect(rejoin.errorCode).toBe(0);
    expect(heartbeat(f, b)).toBe(ErrorCode.FENCED_INSTANCE_ID);
    expect((await sync(f, b)).errorCode).toBe(ErrorCode.FENCED_INSTANCE_ID);
    expect((await commit(f, b)).map((r) => r.errorCode)).toEqual([ErrorCode.FENCED_INSTANCE_ID]);
    expect((await f.coord.handleJoinGroup(params(b.memberId, 'b'))).errorCode).toBe(
      ErrorCode.FENCED_INSTANCE_ID,
    );
    expect(f.coord.handleLeaveGroup('g', [{ memberId: b.memberId, groupInstanceId: 'b' }])).toEqual(
      {
        errorCode: 0,
        members: [
          { memberId: b.memberId, groupInstanceId: 'b', errorCode: ErrorCode.FENCED_INSTANCE_ID },
        ],
      },
    );
    // none of that disturbed the group; the new id commits in the same generation
    const b2 = { memberId: rejoin.memberId, instanceId: 'b' };
    expect((await commit(f, b2)).map((r) => r.errorCode)).toEqual([0]);
    expect(heartbeat(f, a)).toBe(ErrorCode.NONE);
    expect(f.coord.getGroup('g')!.currentState).toBe(GroupState.Stable);
    expect(f.coord.getGroup('g')!.size).toBe(2);
  });

  it('a restarted static leader keeps the group stable and is not told to assign again', async () => {
    const f = setup();
    const [a, b] = await stableGroup(f, ['a', 'b']);
    const rejoin = await f.coord.handleJoinGroup(params('', 'a'));
    // answered with the old leader id, so the new id does not think it must assign
    expect(rejoin).toMatchObject({ errorCode: 0, generationId: 1, leaderId: a.memberId });
    expect(rejoin.members).toEqual([]);
    const group = f.coord.getGroup('g')!;
    expect(group.leaderId).toBe(rejoin.memberId);
    expect(group.currentState).toBe(GroupState.Stable);
    const s = await sync(f, { memberId: rejoin.memberId, instanceId: 'a' });
    expect(s.assignment.toString()).toBe('a-a');
    expect(heartbeat(f, b)).toBe(ErrorCode.NONE);
  });

  it('a JoinGroup the old id still waits for is answered FENCED_INSTANCE_ID when the instance rejoins', async () => {
    const f = setup();
    const [a, b, c] = await stableGroup(f, ['a', 'b', 'c']);
    // a's leader rejoin starts a rebalance; b's old process rejoins with its id and waits
    const ja = f.coord.handleJoinGroup(params(a.memberId, 'a'));
    const jbOld = f.coord.handleJoinGroup(params(b.memberId, 'b'));
    expect(await isPending(jbOld)).toBe(true);
    // ... when b's new process comes (a restart mid-rebalance)
    const jbNew = f.coord.handleJoinGroup(params('', 'b'));
    expect((await jbOld).errorCode).toBe(ErrorCode.FENCED_INSTANCE_ID);
    expect(await isPending(jbNew)).toBe(true);
    const jc = f.coord.handleJoinGroup(params(c.memberId, 'c'));
    const [ra, rb] = await Promise.all([ja, jbNew, jc]);
    expect([ra.generationId, rb.generationId]).toEqual([2, 2]);
    expect(ra.members.map((m) => [m.groupInstanceId, m.memberId]).sort()).toEqual([
      ['a', a.memberId],
      ['b', rb.memberId],
      ['c', c.memberId],
    ]);
  });

  it('removes a static member that stays away past its session timeout; the group rebalances', async () => {
    const f = setup();
    const [a, b] = await stableGroup(f, ['a', 'b']);
    for (let t = 0; t < SESSION - 200; t += 200) {
      f.timer.advanceClock(200);
      expect(heartbeat(f, a)).toBe(ErrorCode.NONE);
    }
    expect(f.coord.getGroup('g')!.has(b.memberId)).toBe(true);
    f.timer.advanceClock(200);
    const group = f.coord.getGroup('g')!;
    expect(group.has(b.memberId)).toBe(false);
    expect(group.hasStaticMember('b')).toBe(false);
    expect(group.currentState).toBe(GroupState.PreparingRebalance);
    expect(heartbeat(f, a)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const ra = await f.coord.handleJoinGroup(params(a.memberId, 'a'));
    expect(ra.generationId).toBe(2);
    expect(ra.members.map((m) => m.groupInstanceId)).toEqual(['a']);
    // b coming back later is a new member: it joins and the group rebalances again
    const jb = f.coord.handleJoinGroup(params('', 'b'));
    expect(group.currentState).toBe(GroupState.PreparingRebalance);
    const ja = f.coord.handleJoinGroup(params(a.memberId, 'a'));
    const [ra3, rb3] = await Promise.all([ja, jb]);
    expect([ra3.generationId, rb3.generationId]).toEqual([3, 3]);
  });

  it('LeaveGroup names static members by group.instance.id; unknown ones get UNKNOWN_MEMBER_ID', async () => {
    const f = setup();
    const [a, b, c] = await stableGroup(f, ['a', 'b', 'c']);
    const r = f.coord.handleLeaveGroup('g', [
      { memberId: '', groupInstanceId: 'b' },
      { memberId: '', groupInstanceId: 'nobody' },
      { memberId: c.memberId, groupInstanceId: 'c' },
    ]);
    expect(r).toEqual({
      errorCode: 0,
      members: [
        { memberId: '', groupInstanceId: 'b', errorCode: 0 },
        { memberId: '', groupInstanceId: 'nobody', errorCode: ErrorCode.UNKNOWN_MEMBER_ID },
        { memberId: c.memberId, groupInstanceId: 'c', errorCode: 0 },
      ],
    });
    const group = f.coord.getGroup('g')!;
    expect(group.allMembers).toEqual([a.memberId]);
    expect(group.allStaticMembers).toEqual(['a']);
    expect(group.currentState).toBe(GroupState.PreparingRebalance);
    expect(heartbeat(f, b)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('a static member rejoining with its member id and changed metadata makes the group rebalance', async () => {
    const f = setup();
    const [a, b] = await stableGroup(f, ['a', 'b']);
    const jb = f.coord.handleJoinGroup(
      params(b.memberId, 'b', { protocols: [proto('range', 'topics: t, u')] }),
    );
    expect(f.coord.getGroup('g')!.currentState).toBe(GroupState.PreparingRebalance);
    const ja = f.coord.handleJoinGroup(params(a.memberId, 'a'));
    const [ra, rb] = await Promise.all([ja, jb]);
    expect([ra.generationId, rb.generationId]).toEqual([2, 2]);
    expect(rb.memberId).toBe(b.memberId);
    expect(ra.members.find((m) => m.groupInstanceId === 'b')!.metadata.toString()).toBe(
      'topics: t, u',
    );
  });

  it('a restarted static member rebalances the group when it changes the protocol chosen', async () => {
    const f = setup();
    const both = [proto('range'), proto('roundrobin')];
    const [a] = await stableGroup(f, ['a'], { protocols: both });
    const rejoin = f.coord.handleJoinGroup(
      params('', 'a', { protocols: [proto('roundrobin'), proto('range')] }),
    );
    // the only member has joined: the new join phase completes at once
    expect(heartbeat(f, a)).toBe(ErrorCode.FENCED_INSTANCE_ID);
    const r = await rejoin;
    expect(r).toMatchObject({ errorCode: 0, generationId: 2, protocolName: 'roundrobin' });
    expect(r.leaderId).toBe(r.memberId);
  });

  it("a restarted static member with new metadata for the same protocol does not rebalance (Kafka 2.8's rule)", async () => {
    const f = setup();
    const [a, b] = await stableGroup(f, ['a', 'b']);
    const r = await f.coord.handleJoinGroup(
      params('', 'b', { protocols: [proto('range', 'other-metadata')] }),
    );
    expect(r).toMatchObject({ errorCode: 0, generationId: 1, leaderId: a.memberId });
    const group = f.coord.getGroup('g')!;
    expect(group.currentState).toBe(GroupState.Stable);
    expect(group.get(r.memberId).metadata('range').toString()).toBe('other-metadata');
    expect(heartbeat(f, a)).toBe(ErrorCode.NONE);
    expect(group.has(b.memberId)).toBe(false);
  });

  it('static and dynamic members together: only dynamic members are dropped for missing a join phase', async () => {
    const f = setup();
    // sessions longer than the rebalance timeout, so the join phase ends first
    const long = { sessionTimeoutMs: 3 * REBALANCE };
    const [s, d1] = await stableGroup(f, ['s', null], long);
    expect(s.instanceId).toBe('s'); // the static member joined first: it leads
    // a dynamic restart is a new member: the group rebalances (unlike a static restart)
    const req = await f.coord.handleJoinGroup(params('', null, { clientId: 'd2', ...long }));
    expect(req.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    const j2 = f.coord.handleJoinGroup(params(req.memberId, null, { clientId: 'd2', ...long }));
    const group = f.coord.getGroup('g')!;
    expect(group.currentState).toBe(GroupState.PreparingRebalance);
    // s and d1 stay silent through the whole join phase
    f.timer.advanceClock(REBALANCE);
    const r2 = await j2;
    expect(r2.generationId).toBe(2);
    expect(group.has(d1.memberId)).toBe(false); // dynamic, did not rejoin: out
    expect(group.has(s.memberId)).toBe(true); // static: kept until its session expires
    expect(r2.leaderId).toBe(r2.memberId); // the leader did not rejoin: d2 leads
    expect(r2.members.map((m) => m.groupInstanceId).sort()).toEqual([null, 's']);
    expect(group.currentState).toBe(GroupState.CompletingRebalance);
    // s's session (renewed when the phase completed) runs out: removed, rebalance
    await f.coord.handleSyncGroup({
      groupId: 'g',
      generationId: 2,
      memberId: r2.memberId,
      assignments: [],
    });
    expect(group.currentState).toBe(GroupState.Stable);
    for (let t = 0; t < 3 * REBALANCE - 1000; t += 1000) {
      f.timer.advanceClock(1000);
      expect(heartbeat(f, { memberId: r2.memberId, instanceId: null }, 2)).toBe(ErrorCode.NONE);
    }
    expect(group.has(s.memberId)).toBe(true);
    f.timer.advanceClock(1000);
    expect(group.has(s.memberId)).toBe(false);
    expect(group.currentState).toBe(GroupState.PreparingRebalance);
  });
});
