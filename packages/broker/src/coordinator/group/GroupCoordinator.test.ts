import { ErrorCode, KafkaError } from '@kzoo/common';
import { KafkaConfig } from '../../config';
import { groupConfigFrom } from './GroupConfig';
import { GroupState } from './GroupMetadata';
import {
  INITIAL_DELAY,
  MARK,
  REBALANCE,
  SESSION,
  isPending,
  params,
  proto,
  setup,
  type Fixture,
} from './GroupCoordinator.fixture';

/** First JoinGroup: MEMBER_ID_REQUIRED with an id; returns the id. */
async function memberIdFor(f: Fixture, groupId: string, clientId = 'client'): Promise<string> {
  const r = await f.coord.handleJoinGroup(params(groupId, '', { clientId }));
  expect(r.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
  expect(r.memberId.startsWith(`${clientId}-`)).toBe(true);
  return r.memberId;
}

/** A Stable group of `n` members (generation 1); returns the ids, leader first. */
async function stableGroup(f: Fixture, groupId: string, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push(await memberIdFor(f, groupId, `c${i}`));
  const joins = ids.map((id) => f.coord.handleJoinGroup(params(groupId, id)));
  f.timer.advanceClock(INITIAL_DELAY * (n + 1));
  const results = await Promise.all(joins);
  for (const r of results) expect(r.errorCode).toBe(ErrorCode.NONE);
  const leader = results[0].leaderId;
  const syncs = results.map((r) =>
    f.coord.handleSyncGroup({
      groupId,
      generationId: r.generationId,
      memberId: r.memberId,
      assignments:
        r.memberId === leader
          ? ids.map((id) => ({ memberId: id, assignment: Buffer.from(`a-${id}`) }))
          : [],
    }),
  );
  for (const s of await Promise.all(syncs)) expect(s.errorCode).toBe(ErrorCode.NONE);
  expect(f.coord.getGroup(groupId)!.currentState).toBe(GroupState.Stable);
  return [leader, ...ids.filter((id) => id !== leader)];
}

const heartbeat = (f: Fixture, groupId: string, memberId: string, generationId = 1) =>
  f.coord.handleHeartbeat({ groupId, memberId, generationId });

describe('Broker > GroupCoordinator', () => {
  describe('JoinGroup', () => {
    it('asks a first-time member to rejoin with a member id (MEMBER_ID_REQUIRED)', async () => {
      const f = setup();
      const r = await f.coord.handleJoinGroup(params('g', '', { clientId: 'app' }));
      expect(r).toMatchObject({
        errorCode: ErrorCode.MEMBER_ID_REQUIRED,
        generationId: -1,
        leaderId: '',
      });
      expect(r.memberId).toMatch(/^app-[0-9a-f-]{36}$/);
      expect(f.coord.getGroup('g')!.isPendingMember(r.memberId)).toBe(true);
      expect(f.coord.getGroup('g')!.currentState).toBe(GroupState.Empty);
    });

    it('holds the first rebalance for group.initial.rebalance.delay.ms, then makes generation 1', async () => {
      const f = setup();
      const id = await memberIdFor(f, 'g');
      const join = f.coord.handleJoinGroup(
        params('g', id, { protocols: [proto('range', 'meta-a')] }),
      );
      expect(f.coord.getGroup('g')!.currentState).toBe(GroupState.PreparingRebalance);
      f.timer.advanceClock(INITIAL_DELAY - 1);
      expect(await isPending(join)).toBe(true);
      f.timer.advanceClock(1);
      const r = await join;
      expect(r).toMatchObject({
        errorCode: 0,
        generationId: 1,
        protocolType: 'consumer',
        protocolName: 'range',
        leaderId: id,
        memberId: id,
      });
      expect(r.members.map((m) => [m.memberId, m.metadata.toString()])).toEqual([[id, 'meta-a']]);
      expect(f.coord.getGroup('g')!.currentState).toBe(GroupState.CompletingRebalance);
    });

    it('extends the initial delay while new members keep joining, up to the rebalance timeout', async () => {
      const f = setup();
      const a = await memberIdFor(f, 'g', 'a');
      const b = await memberIdFor(f, 'g', 'b');
      const c = await memberIdFor(f, 'g', 'c');
      const ja = f.coord.handleJoinGroup(params('g', a));
      f.timer.advanceClock(60);
      const jb = f.coord.handleJoinGroup(params('g', b));
      f.timer.advanceClock(60); // first delay over, b joined meanwhile: wait another delay
      expect(await isPending(ja)).toBe(true);
      const jc = f.coord.handleJoinGroup(params('g', c));
      f.timer.advanceClock(INITIAL_DELAY);
      expect(await isPending(ja)).toBe(true); // c joined during the second delay
      f.timer.advanceClock(INITIAL_DELAY);
      const rs = await Promise.all([ja, jb, jc]);
      expect(rs.map((r) => r.generationId)).toEqual([1, 1, 1]);
      expect(rs.map((r) => r.leaderId)).toEqual([a, a, a]);
      expect(rs[0].members.map((m) => m.memberId)).toEqual([a, b, c]);
      expect(rs[1].members).toEqual([]);
      expect(rs[2].members).toEqual([]);
    });

    it('refuses a session timeout outside the broker limits (INVALID_SESSION_TIMEOUT)', async () => {
      const f = setup({ groupMinSessionTimeoutMs: 6000, groupMaxSessionTimeoutMs: 1800000 });
      for (const sessionTimeoutMs of [5999, 1800001]) {
        const r = await f.coord.handleJoinGroup(params('g', '', { sessionTimeoutMs }));
        expect(r.errorCode).toBe(ErrorCode.INVALID_SESSION_TIMEOUT);
      }
      expect(f.coord.getGroup('g')).toBeUndefined();
      const ok = await f.coord.handleJoinGroup(params('g', '', { sessionTimeoutMs: 6000 }));
      expect(ok.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    });

    it('answers UNKNOWN_MEMBER_ID to a member id it does not know', async () => {
      const f = setup();
      expect((await f.coord.handleJoinGroup(params('nope', 'ghost'))).errorCode).toBe(
        ErrorCode.UNKNOWN_MEMBER_ID,
      );
      await stableGroup(f, 'g', 1);
      expect((await f.coord.handleJoinGroup(params('g', 'ghost'))).errorCode).toBe(
        ErrorCode.UNKNOWN_MEMBER_ID,
      );
    });

    it('refuses an empty group id, and protocols the group cannot use (INCONSISTENT_GROUP_PROTOCOL)', async () => {
      const f = setup();
      expect((await f.coord.handleJoinGroup(params('', ''))).errorCode).toBe(
        ErrorCode.INVALID_GROUP_ID,
      );
      expect((await f.coord.handleJoinGroup(params('g', '', { protocolType: '' }))).errorCode).toBe(
        ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
      );
      await stableGroup(f, 'g', 1);
      const other = await f.coord.handleJoinGroup(
        params('g', '', { protocols: [proto('roundrobin')] }),
      );
      expect(other.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
      const type = await f.coord.handleJoinGroup(params('g', '', { protocolType: 'connect' }));
      expect(type.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    });

    it('picks the protocol every member supports that most prefer', async () => {
      const f = setup();
      const ids = [await memberIdFor(f, 'g'), await memberIdFor(f, 'g'), await memberIdFor(f, 'g')];
      const prefs = [
        [proto('range'), proto('roundrobin')],
        [proto('sticky'), proto('roundrobin'), proto('range')],
        [proto('roundrobin'), proto('range')],
      ];
      const joins = ids.map((id, i) =>
        f.coord.handleJoinGroup(params('g', id, { protocols: prefs[i] })),
      );
      f.timer.advanceClock(INITIAL_DELAY * 2);
      const rs = await Promise.all(joins);
      expect(new Set(rs.map((r) => r.protocolName))).toEqual(new Set(['roundrobin']));
      expect(rs[0].members.map((m) => m.metadata.toString())).toEqual([
        'roundrobin',
        'roundrobin',
        'roundrobin',
      ]);
    });

    it('answers a rejoin with unchanged metadata during CompletingRebalance with the same generation', async () => {
      const f = setup();
      const id = await memberIdFor(f, 'g');
      const first = f.coord.handleJoinGroup(params('g', id));
      f.timer.advanceClock(INITIAL_DELAY);
      const r1 = await first;
      const r2 = await f.coord.handleJoinGroup(params('g', id));
      expect(r2).toEqual(r1);
      expect(f.coord.getGroup('g')!.currentState).toBe(GroupState.CompletingRebalance);
    });

    it('lets a Stable follower rejoin without a rebalance, while a leader rejoin starts one', async () => {
      const f = setup();
      const [leader, follower] = await stableGroup(f, 'g', 2);
      const r = await f.coord.handleJoinGroup(params('g', follower));
      expect(r).toMatchObject({ errorCode: 0, generationId: 1, leaderId: leader, members: [] });
      expect(f.coord.getGroup('g')!.currentState).toBe(GroupState.Stable);
      const lj = f.coord.handleJoinGroup(params('g', leader));
      expect(f.coord.getGroup('g')!.currentState).toBe(GroupState.PreparingRebalance);
      expect(heartbeat(f, 'g', follower)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
      const fj = f.coord.handleJoinGroup(params('g', follower));
      const [rl, rf] = await Promise.all([lj, fj]); // all members rejoined: no timeout needed
      expect([rl.generationId, rf.generationId]).toEqual([2, 2]);
    });

    it('refuses new members beyond group.max.size', async () => {
      const f = setup({ groupMaxSize: 1 });
      await stableGroup(f, 'g', 1);
      expect((await f.coord.handleJoinGroup(params('g', ''))).errorCode).toBe(
        ErrorCode.GROUP_MAX_SIZE_REACHED,
      );
    });
  });

  describe('rebalance', () => {
    it('rebalances when a member joins a Stable group; completes once every member rejoined', async () => {
      const f = setup();
      const [a, b] = await stableGroup(f, 'g', 2);
      const c = await memberIdFor(f, 'g', 'c');
      expect(f.coord.getGroup('g')!.currentState).toBe(GroupState.Stable); // a pending id changes nothing yet
      const jc = f.coord.handleJoinGroup(params('g', c));
      expect(f.coord.getGroup('g')!.currentState).toBe(GroupState.PreparingRebalance);
      expect(heartbeat(f, 'g', a)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
      const ja = f.coord.handleJoinGroup(params('g', a));
      expect(await isPending(jc)).toBe(true);
      const jb = f.coord.handleJoinGroup(params('g', b));
      const rs = await Promise.all([ja, jb, jc]);
      expect(rs.map((r) => r.generationId)).toEqual([2, 2, 2]);
      expect(rs.map((r) => r.leaderId)).toEqual([a, a, a]);
      expect(rs[0].members.map((m) => m.memberId).sort()).toEqual([a, b, c].sort());
    });

    it('removes members that do not rejoin within the rebalance timeout', async () => {
      const f = setup();
      const [a, b, c] = await stableGroup(f, 'g', 3);
      const ja = f.coord.handleJoinGroup(params('g', a));
      const jb = f.coord.handleJoinGroup(params('g', b));
      // c keeps heartbeating but never rejoins
      for (let t = 0; t < REBALANCE - 500; t += 500) {
        f.timer.advanceClock(500);
        expect(heartbeat(f, 'g', c)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
      }
      expect(await isPending(ja)).toBe(true);
      f.timer.advanceClock(500);
      const [ra, rb] = await Promise.all([ja, jb]);
      expect([ra.generationId, rb.generationId]).toEqual([2, 2]);
      expect(ra.members.map((m) => m.memberId).sort()).toEqual([a, b].sort());
      expect(f.coord.getGroup('g')!.has(c)).toBe(false);
      expect(heartbeat(f, 'g', c, 2)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    });

    it('answers followers waiting in SyncGroup with REBALANCE_IN_PROGRESS when a rebalance starts', async () => {
      const f = setup();
      const a = await memberIdFor(f, 'g');
      const b = await memberIdFor(f, 'g');
      const joins = [a, b].map((id) => f.coord.handleJoinGroup(params('g', id)));
      f.timer.advanceClock(INITIAL_DELAY * 2); // b joined during the first delay
      await Promise.all(joins);
      const sb = f.coord.handleSyncGroup({
        groupId: 'g',
        generationId: 1,
        memberId: b,
        assignments: [],
      });
      expect(await isPending(sb)).toBe(true);
      // between JoinGroup and SyncGroup a heartbeat is a normal one (Kafka 2.x)
      expect(heartbeat(f, 'g', b)).toBe(ErrorCode.NONE);
      const left = f.coord.handleLeaveGroup('g', [{ memberId: a }]);
      expect(left.members).toEqual([{ memberId: a, groupInstanceId: null, errorCode: 0 }]);
      expect((await sb).errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
      expect(f.coord.getGroup('g')!.leaderId).toBe(b);
    });
  });

  describe('SyncGroup', () => {
    it('heartbeats while the leader has not synced renew the members’ sessions (CompletingRebalance)', async () => {
      const f = setup();
      const a = await memberIdFor(f, 'g');
      const b = await memberIdFor(f, 'g');
      const joins = [a, b].map((id) => f.coord.handleJoinGroup(params('g', id)));
      f.timer.advanceClock(INITIAL_DELAY * 2);
      await Promise.all(joins);
      expect(f.coord.getGroup('g')!.currentState).toBe(GroupState.CompletingRebalance);
      // three session timeouts pass with a heartbeat from each member every half of one
      for (let i = 0; i < 6; i++) {
        f.timer.advanceClock(SESSION / 2);
        expect(heartbeat(f, 'g', a)).toBe(ErrorCode.NONE);
        expect(heartbeat(f, 'g', b)).toBe(ErrorCode.NONE);
      }
      const g = f.coord.getGroup('g')!;
      expect(g.currentState).toBe(GroupState.CompletingRebalance);
      expect(g.generationId).toBe(1);
      expect([...g.allMembers].sort()).toEqual([a, b].sort());
      // and without them b's session ends: it is removed, the group rebalances
      f.timer.advanceClock(SESSION * 2);
      expect(g.has(b)).toBe(false);
    });

    it('holds followers until the leader sends the assignment, then answers everyone', async () => {
      const f = setup();
      const a = await memberIdFor(f, 'g');
      const b = await memberIdFor(f, 'g');
      const c = await memberIdFor(f, 'g');
      const joins = [a, b, c].map((id) => f.coord.handleJoinGroup(params('g', id)));
      f.timer.advanceClock(INITIAL_DELAY * 2);
      await Promise.all(joins);
      const sb = f.coord.handleSyncGroup({
        groupId: 'g',
        generationId: 1,
        memberId: b,
        assignments: [],
      });
      const sc = f.coord.handleSyncGroup({
        groupId: 'g',
        generationId: 1,
        memberId: c,
        assignments: [],
      });
      expect(await isPending(sb)).toBe(true);
      // the leader leaves c out: c gets an empty assignment
      const sa = await f.coord.handleSyncGroup({
        groupId: 'g',
        generationId: 1,
        memberId: a,
        protocolType: 'consumer',
        protocolName: 'range',
        assignments: [
          { memberId: a, assignment: Buffer.from('A') },
          { memberId: b, assignment: Buffer.from('B') },
        ],
      });
      expect(sa).toMatchObject({ errorCode: 0, protocolType: 'consumer', protocolName: 'range' });
      expect(sa.assignment.toString()).toBe('A');
      expect((await sb).assignment.toString()).toBe('B');
      expect((await sc).assignment.length).toBe(0);
      expect(f.coord.getGroup('g')!.currentState).toBe(GroupState.Stable);
      // a late SyncGroup in Stable gets the current assignment
      const again = await f.coord.handleSyncGroup({
        groupId: 'g',
        generationId: 1,
        memberId: b,
        assignments: [],
      });
      expect(again.assignment.toString()).toBe('B');
    });

    it('refuses unknown members, wrong generations and protocols', async () => {
      const f = setup();
      const [a] = await stableGroup(f, 'g', 2);
      const sync = (over: object) =>
        f.coord.handleSyncGroup({
          groupId: 'g',
          generationId: 1,
          memberId: a,
          assignments: [],
          ...over,
        });
      expect((await sync({ memberId: 'x' })).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
      expect((await sync({ groupId: 'other' })).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
      expect((await sync({ generationId: 0 })).errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
      expect((await sync({ protocolName: 'sticky' })).errorCode).toBe(
        ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
      );
      void f.coord.handleJoinGroup(params('g', a)); // leader rejoins: the follower is awaited
      expect((await sync({})).errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    });
  });

  describe('Heartbeat and sessions', () => {
    it('answers by state and generation', async () => {
      const f = setup();
      const [a] = await stableGroup(f, 'g', 1);
      expect(heartbeat(f, 'g', a)).toBe(ErrorCode.NONE);
      expect(heartbeat(f, 'g', a, 0)).toBe(ErrorCode.ILLEGAL_GENERATION);
      expect(heartbeat(f, 'g', 'x')).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
      expect(heartbeat(f, 'unknown-group', a)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
      expect(heartbeat(f, '', a)).toBe(ErrorCode.INVALID_GROUP_ID);
    });

    it('keeps members alive across many session timeouts while they heartbeat', async () => {
      const f = setup();
      const [a, b] = await stableGroup(f, 'g', 2);
      for (let i = 0; i < 20; i++) {
        f.timer.advanceClock(SESSION / 2);
        expect(heartbeat(f, 'g', a)).toBe(ErrorCode.NONE);
        expect(heartbeat(f, 'g', b)).toBe(ErrorCode.NONE);
      }
      expect(f.coord.getGroup('g')!.size).toBe(2);
    });

    it('removes a member whose session expires and rebalances the rest', async () => {
      const f = setup();
      const [a, b] = await stableGroup(f, 'g', 2);
      f.timer.advanceClock(SESSION / 2);
      expect(heartbeat(f, 'g', a)).toBe(ErrorCode.NONE);
      f.timer.advanceClock(SESSION / 2); // b's session ends now
      expect(f.coord.getGroup('g')!.has(b)).toBe(false);
      expect(f.coord.getGroup('g')!.currentState).toBe(GroupState.PreparingRebalance);
      expect(heartbeat(f, 'g', a)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
      const r = await f.coord.handleJoinGroup(params('g', a));
      expect(r).toMatchObject({ generationId: 2, leaderId: a });
      expect(r.members.map((m) => m.memberId)).toEqual([a]);
    });

    it('forgets a handed-out member id that never comes back, so the rebalance can finish', async () => {
      const f = setup();
      const [a] = await stableGroup(f, 'g', 1);
      const pending = await memberIdFor(f, 'g', 'late');
      const ja = f.coord.handleJoinGroup(params('g', a)); // leader rejoin: rebalance
      expect(await isPending(ja)).toBe(true); // waits for the pending member
      f.timer.advanceClock(SESSION);
      const r = await ja;
      expect(r.generationId).toBe(2);
      expect(f.coord.getGroup('g')!.isPendingMember(pending)).toBe(false);
      expect((await f.coord.handleJoinGroup(params('g', pending))).errorCode).toBe(
        ErrorCode.UNKNOWN_MEMBER_ID,
      );
    });

    it('removes a member that stops heartbeating during a rebalance at its session timeout', async () => {
      const f = setup();
      const [a] = await stableGroup(f, 'g', 1);
      const c = await memberIdFor(f, 'g', 'c');
      const jc = f.coord.handleJoinGroup(params('g', c));
      expect(await isPending(jc)).toBe(true);
      f.timer.advanceClock(SESSION); // a neither heartbeats nor rejoins: its session ends
      expect(f.coord.getGroup('g')!.has(a)).toBe(false);
      const r = await jc;
      expect(r).toMatchObject({ errorCode: 0, generationId: 2, leaderId: c });
    });
  });

  describe('LeaveGroup', () => {
    it('removes the member and rebalances; the last one leaving empties the group', async () => {
      const f = setup();
      const [a, b] = await stableGroup(f, 'g', 2);
      const res = f.coord.handleLeaveGroup('g', [{ memberId: b }, { memberId: 'ghost' }]);
      expect(res).toEqual({
        errorCode: 0,
        members: [
          { memberId: b, groupInstanceId: null, errorCode: 0 },
          { memberId: 'ghost', groupInstanceId: null, errorCode: ErrorCode.UNKNOWN_MEMBER_ID },
        ],
      });
      expect(f.coord.getGroup('g')!.currentState).toBe(GroupState.PreparingRebalance);
      const r = await f.coord.handleJoinGroup(params('g', a));
      expect(r.generationId).toBe(2);
      await f.coord.handleSyncGroup({
        groupId: 'g',
        generationId: 2,
        memberId: a,
        assignments: [],
      });
      f.coord.handleLeaveGroup('g', [{ memberId: a }]);
      const g = f.coord.getGroup('g')!;
      expect(g.currentState).toBe(GroupState.Empty);
      expect(g.generationId).toBe(3);
      expect(f.coord.handleLeaveGroup('unknown', [{ memberId: a }]).members[0].errorCode).toBe(
        ErrorCode.UNKNOWN_MEMBER_ID,
      );
    });

    it('answers a parked JoinGroup of a leaving member with UNKNOWN_MEMBER_ID', async () => {
      const f = setup();
      const [a, b] = await stableGroup(f, 'g', 2);
      // new metadata from a follower starts a rebalance; its JoinGroup is parked
      const jb = f.coord.handleJoinGroup(params('g', b, { protocols: [proto('range', 'v2')] }));
      expect(await isPending(jb)).toBe(true);
      f.coord.handleLeaveGroup('g', [{ memberId: b }]);
      expect((await jb).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
      const ra = await f.coord.handleJoinGroup(params('g', a));
      expect(ra.generationId).toBe(2);
    });
  });

  // The bounds behind client/test/groups*.int.test.ts, on the mock clock: what the
  // coordinator adds to a takeover is the session timeout and nothing else.
  describe('timing on the mock clock', () => {
    it('a silent member is removed exactly session.timeout.ms after its last heartbeat', async () => {
      const f = setup();
      const [a, b, c] = await stableGroup(f, 'g', 3);
      const silentSince = f.timer.time.milliseconds();
      // a and c heartbeat every 100 ms (heartbeat.interval.ms); b was killed
      for (let t = 100; t < SESSION; t += 100) {
        f.timer.advanceClock(100);
        expect(heartbeat(f, 'g', a)).toBe(ErrorCode.NONE);
        expect(heartbeat(f, 'g', c)).toBe(ErrorCode.NONE);
      }
      f.timer.advanceClock(SESSION - 1 - (f.timer.time.milliseconds() - silentSince));
      expect(f.coord.getGroup('g')!.has(b)).toBe(true);
      expect(f.coord.getGroup('g')!.currentState).toBe(GroupState.Stable);
      f.timer.advanceClock(1);
      expect(f.timer.time.milliseconds() - silentSince).toBe(SESSION);
      expect(f.coord.getGroup('g')!.has(b)).toBe(false);
      expect(f.coord.getGroup('g')!.currentState).toBe(GroupState.PreparingRebalance);
    });

    it('after a session expiry or a LeaveGroup the rest rebalance without the clock moving', async () => {
      for (const how of ['expiry', 'leave'] as const) {
        const f = setup();
        const [a, b, c] = await stableGroup(f, 'g', 3);
        if (how === 'expiry') {
          f.timer.advanceClock(SESSION / 2);
          heartbeat(f, 'g', a);
          heartbeat(f, 'g', c);
          f.timer.advanceClock(SESSION / 2); // b's session ends
        } else {
          f.coord.handleLeaveGroup('g', [{ memberId: b }]);
        }
        // the survivors learn of it from their next heartbeat and rejoin; from here on
        // the clock stands still, so every answer below needs no timer
        expect(heartbeat(f, 'g', a)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
        const joined = await Promise.race([
          Promise.all([
            f.coord.handleJoinGroup(params('g', a)),
            f.coord.handleJoinGroup(params('g', c)),
          ]),
          new Promise<typeof MARK>((r) => setImmediate(() => r(MARK))),
        ]);
        if (joined === MARK) throw new Error('the rejoin waited for the clock');
        const joins = joined;
        expect(joins.map((j) => [j.errorCode, j.generationId])).toEqual([
          [0, 2],
          [0, 2],
        ]);
        const leader = joins[0].leaderId;
        const syncs = await Promise.all(
          joins.map((j) =>
            f.coord.handleSyncGroup({
              groupId: 'g',
              generationId: 2,
              memberId: j.memberId,
              assignments:
                j.memberId === leader
                  ? [a, c].map((id) => ({ memberId: id, assignment: Buffer.from(id) }))
                  : [],
            }),
          ),
        );
        expect(syncs.map((s) => s.errorCode)).toEqual([0, 0]);
        expect(f.coord.getGroup('g')!.currentState).toBe(GroupState.Stable);
      }
    });
  });

  describe('OffsetCommit and OffsetFetch', () => {
    const offsets = [
      { topic: 't', partition: 0, offset: 42 },
      { topic: 't', partition: 1, offset: 7 },
    ];

    it('stores commits of current-generation members and serves them back', async () => {
      const f = setup();
      const [a] = await stableGroup(f, 'g', 1);
      const res = await f.coord.handleCommitOffsets({
        groupId: 'g',
        generationId: 1,
        memberId: a,
        offsets,
      });
      expect(res.map((r) => r.errorCode)).toEqual([0, 0]);
      const fetched = await f.coord.handleFetchOffsets('g', [
        { topic: 't', partition: 0 },
        { topic: 't', partition: 1 },
        { topic: 't', partition: 2 },
      ]);
      expect(fetched).toEqual({
        errorCode: 0,
        offsets: [
          { topic: 't', partition: 0, offset: 42, errorCode: 0 },
          { topic: 't', partition: 1, offset: 7, errorCode: 0 },
          { topic: 't', partition: 2, offset: -1, errorCode: 0 },
        ],
      });
      expect((await f.coord.handleFetchOffsets('g', null)).offsets.map((o) => o.offset)).toEqual([
        42, 7,
      ]);
    });

    it('refuses commits from stale generations, unknown members and during CompletingRebalance', async () => {
      const f = setup();
      const [a, b] = await stableGroup(f, 'g', 2);
      const commit = (memberId: string, generationId: number) =>
        f.coord.handleCommitOffsets({ groupId: 'g', generationId, memberId, offsets });
      expect((await commit(a, 0))[0].errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
      expect((await commit('ghost', 1))[0].errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
      expect((await commit('', -1))[0].errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
      // PreparingRebalance: the current generation may still commit
      const ja = f.coord.handleJoinGroup(params('g', a));
      expect((await commit(b, 1)).map((r) => r.errorCode)).toEqual([0, 0]);
      const jb = f.coord.handleJoinGroup(params('g', b));
      await Promise.all([ja, jb]);
      expect((await commit(b, 2))[0].errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
      expect((await commit(b, 1))[0].errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
      expect(await f.store.fetchOffsets('g', null)).toEqual(offsets);
    });

    it('allows standalone commits (generation -1, no member) only for an Empty or unknown group', async () => {
      const f = setup();
      const standalone = (groupId: string) =>
        f.coord.handleCommitOffsets({ groupId, generationId: -1, memberId: '', offsets });
      expect((await standalone('solo')).map((r) => r.errorCode)).toEqual([0, 0]);
      expect(f.coord.getGroup('solo')!.currentState).toBe(GroupState.Empty);
      expect((await standalone('solo')).map((r) => r.errorCode)).toEqual([0, 0]);
      const gen = await f.coord.handleCommitOffsets({
        groupId: 'never',
        generationId: 3,
        memberId: 'm',
        offsets,
      });
      expect(gen[0].errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
      expect(await f.store.groupExists('never')).toBe(false);
    });

    it('stores any 64-bit offset as Kafka does, logical ones included; refuses what is not an integer', async () => {
      const f = setup();
      const res = await f.coord.handleCommitOffsets({
        groupId: 'g',
        generationId: -1,
        memberId: '',
        offsets: [
          { topic: 't', partition: 0, offset: -2 },
          { topic: 't', partition: 1, offset: 3 },
          { topic: 't', partition: 2, offset: 1.5 },
        ],
      });
      expect(res.map((r) => r.errorCode)).toEqual([0, 0, ErrorCode.INVALID_COMMIT_OFFSET_SIZE]);
      expect(await f.store.fetchOffsets('g', null)).toEqual([
        { topic: 't', partition: 0, offset: -2 },
        { topic: 't', partition: 1, offset: 3 },
      ]);
    });

    it('answers COORDINATOR_NOT_AVAILABLE when the offset store fails', async () => {
      const f = setup();
      f.store.commitOffsets = async () => {
        throw new Error('ZooKeeper connection lost');
      };
      const res = await f.coord.handleCommitOffsets({
        groupId: 'g',
        generationId: -1,
        memberId: '',
        offsets,
      });
      expect(res.map((r) => r.errorCode)).toEqual([15, 15]);
    });
  });

  describe('coordinator ownership', () => {
    it('answers NOT_COORDINATOR for groups it does not own, and unloads groups that moved', async () => {
      const f = setup();
      const [a, b] = await stableGroup(f, 'g', 2);
      const jb = f.coord.handleJoinGroup(params('g', b, { protocols: [proto('range', 'v2')] }));
      expect(await isPending(jb)).toBe(true);
      f.owns = new Set(['other']);
      expect(f.coord.onCoordinatorChange()).toEqual(['g']);
      expect((await jb).errorCode).toBe(ErrorCode.NOT_COORDINATOR);
      expect(f.coord.getGroup('g')).toBeUndefined();
      expect(heartbeat(f, 'g', a)).toBe(ErrorCode.NOT_COORDINATOR);
      expect((await f.coord.handleJoinGroup(params('g', ''))).errorCode).toBe(
        ErrorCode.NOT_COORDINATOR,
      );
      expect((await f.coord.handleFetchOffsets('g', null)).errorCode).toBe(
        ErrorCode.NOT_COORDINATOR,
      );
      const commit = await f.coord.handleCommitOffsets({
        groupId: 'g',
        generationId: 1,
        memberId: a,
        offsets: [],
      });
      expect(commit).toEqual([]);
      // timers of the unloaded group do nothing
      f.timer.advanceClock(REBALANCE * 2);
      expect(f.coord.getGroup('g')).toBeUndefined();
    });

    it('answers COORDINATOR_NOT_AVAILABLE before startup and after shutdown', async () => {
      const f = setup();
      const [a] = await stableGroup(f, 'g', 2);
      const pending = f.coord.handleJoinGroup(params('g', a));
      expect(await isPending(pending)).toBe(true);
      f.coord.shutdown();
      expect((await pending).errorCode).toBe(ErrorCode.NOT_COORDINATOR);
      expect(heartbeat(f, 'g', a)).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
      expect((await f.coord.handleListGroups()).errorCode).toBe(
        ErrorCode.COORDINATOR_NOT_AVAILABLE,
      );
    });
  });

  describe('DescribeGroups, ListGroups, DeleteGroups', () => {
    it('describes and lists groups, including ones that only have stored offsets', async () => {
      const f = setup();
      const [a] = await stableGroup(f, 'live', 1);
      await f.store.commitOffsets('offsets-only', [{ topic: 't', partition: 0, offset: 1 }]);
      const live = await f.coord.handleDescribeGroup('live');
      expect(live.summary).toMatchObject({
        state: 'Stable',
        protocolType: 'consumer',
        protocol: 'range',
      });
      expect(live.summary.members.map((m) => [m.memberId, m.assignment.toString()])).toEqual([
        [a, `a-${a}`],
      ]);
      expect((await f.coord.handleDescribeGroup('offsets-only')).summary.state).toBe('Empty');
      expect((await f.coord.handleDescribeGroup('nobody')).summary).toEqual({
        state: 'Dead',
        protocolType: '',
        protocol: '',
        members: [],
      });
      const all = await f.coord.handleListGroups();
      expect(all.groups).toEqual([
        { groupId: 'live', protocolType: 'consumer', state: 'Stable' },
        { groupId: 'offsets-only', protocolType: '', state: 'Empty' },
      ]);
      expect((await f.coord.handleListGroups(['empty'])).groups.map((g) => g.groupId)).toEqual([
        'offsets-only',
      ]);
      f.owns = new Set(['live']);
      expect((await f.coord.handleListGroups()).groups.map((g) => g.groupId)).toEqual(['live']);
    });

    it('deletes Empty groups with their offsets, refuses groups with members', async () => {
      const f = setup();
      await stableGroup(f, 'busy', 1);
      await f.coord.handleCommitOffsets({
        groupId: 'idle',
        generationId: -1,
        memberId: '',
        offsets: [{ topic: 't', partition: 0, offset: 5 }],
      });
      await f.store.commitOffsets('stored', [{ topic: 't', partition: 0, offset: 1 }]);
      const res = await f.coord.handleDeleteGroups(['busy', 'idle', 'stored', 'missing', '']);
      expect(Object.fromEntries(res)).toEqual({
        busy: ErrorCode.NON_EMPTY_GROUP,
        idle: 0,
        stored: 0,
        missing: ErrorCode.GROUP_ID_NOT_FOUND,
        '': ErrorCode.GROUP_ID_NOT_FOUND,
      });
      expect(await f.store.listGroups()).toEqual([]);
      expect(f.coord.getGroup('idle')).toBeUndefined();
      expect(
        (await f.coord.handleFetchOffsets('idle', [{ topic: 't', partition: 0 }])).offsets[0]
          .offset,
      ).toBe(-1);
    });
  });

  describe('config', () => {
    const broker = { 'zookeeper.connect': '127.0.0.1:2181/kzoo' };

    it("reads Kafka's group.* broker keys and keeps Kafka's defaults", () => {
      expect(groupConfigFrom(new KafkaConfig(broker))).toEqual({
        groupMinSessionTimeoutMs: 6000,
        groupMaxSessionTimeoutMs: 1800000,
        groupInitialRebalanceDelayMs: 3000,
        groupMaxSize: 2147483647,
      });
      expect(
        groupConfigFrom(
          new KafkaConfig({
            ...broker,
            'group.initial.rebalance.delay.ms': '0',
            'group.min.session.timeout.ms': 100,
          }),
        ),
      ).toMatchObject({ groupInitialRebalanceDelayMs: 0, groupMinSessionTimeoutMs: 100 });
    });

    it.each([
      [
        { 'group.max.size': 'many' },
        'Invalid value many for configuration group.max.size: Not a number of type INT',
      ],
      [
        { 'group.max.size': '0' },
        'Invalid value 0 for configuration group.max.size: Value must be at least 1',
      ],
      [
        { 'group.initial.rebalance.delay.ms': '-1' },
        'Invalid value -1 for configuration group.initial.rebalance.delay.ms: Value must be at least 0',
      ],
      [
        { 'group.min.session.timeout.ms': 10, 'group.max.session.timeout.ms': 5 },
        'Invalid value 10 for configuration group.min.session.timeout.ms: Value must be no more than group.max.session.timeout.ms (5)',
      ],
    ])(
      'a bad group key %j fails KafkaConfig construction with INVALID_CONFIG',
      (extra, message) => {
        expect(() => new KafkaConfig({ ...broker, ...extra })).toThrow(
          new KafkaError('INVALID_CONFIG', message),
        );
      },
    );
  });
});
