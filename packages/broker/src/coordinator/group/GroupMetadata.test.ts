import { ErrorCode } from '@kzoo/common';
import {
  GroupMetadata,
  GroupState,
  IllegalGroupStateTransitionError,
  VALID_PREVIOUS_STATES,
} from './GroupMetadata';
import { MemberMetadata } from './MemberMetadata';

const ALL = Object.values(GroupState);

function groupIn(state: GroupState): GroupMetadata {
  const g = new GroupMetadata('g', GroupState.Empty, 0);
  // walk a legal path to `state`
  const path: Record<GroupState, GroupState[]> = {
    [GroupState.Empty]: [],
    [GroupState.PreparingRebalance]: [GroupState.PreparingRebalance],
    [GroupState.CompletingRebalance]: [
      GroupState.PreparingRebalance,
      GroupState.CompletingRebalance,
    ],
    [GroupState.Stable]: [
      GroupState.PreparingRebalance,
      GroupState.CompletingRebalance,
      GroupState.Stable,
    ],
    [GroupState.Dead]: [GroupState.Dead],
  };
  for (const s of path[state]) g.transitionTo(s);
  return g;
}

const member = (id: string, protocols: Array<[string, string]>, type = 'consumer') =>
  new MemberMetadata(
    id,
    'g',
    null,
    'client',
    '/127.0.0.1',
    30000,
    10000,
    type,
    protocols.map(([name, meta]) => ({ name, metadata: Buffer.from(meta) })),
  );

describe('Broker > GroupCoordinator > GroupMetadata', () => {
  describe('state machine', () => {
    it("uses Kafka's valid-previous-states table", () => {
      expect(VALID_PREVIOUS_STATES).toEqual({
        Empty: ['PreparingRebalance'],
        PreparingRebalance: ['Stable', 'CompletingRebalance', 'Empty'],
        CompletingRebalance: ['PreparingRebalance'],
        Stable: ['CompletingRebalance'],
        Dead: ['Stable', 'PreparingRebalance', 'CompletingRebalance', 'Empty', 'Dead'],
      });
    });

    for (const from of ALL) {
      for (const to of ALL) {
        const legal = VALID_PREVIOUS_STATES[to].includes(from);
        it(`${legal ? 'allows' : 'refuses'} ${from} -> ${to}`, () => {
          const g = groupIn(from);
          expect(g.currentState).toBe(from);
          if (legal) {
            g.transitionTo(to, 42);
            expect(g.currentState).toBe(to);
            expect(g.currentStateTimestampMs).toBe(42);
          } else {
            expect(() => g.transitionTo(to)).toThrow(IllegalGroupStateTransitionError);
            expect(() => g.transitionTo(to)).toThrow(
              `before moving to ${to}, but it is in ${from}`,
            );
            expect(g.currentState).toBe(from);
          }
        });
      }
    }

    it('counts 11 legal and 14 illegal moves', () => {
      const legal = ALL.flatMap((from) =>
        ALL.filter((to) => VALID_PREVIOUS_STATES[to].includes(from)),
      );
      expect(legal).toHaveLength(11);
      expect(ALL.length * ALL.length - legal.length).toBe(14);
    });
  });

  describe('members and protocols', () => {
    it('makes the first member leader and hands leadership on when the leader leaves', () => {
      const g = new GroupMetadata('g', GroupState.Empty, 0);
      g.add(member('a', [['range', 'x']]), null);
      g.add(member('b', [['range', 'y']]), null);
      expect(g.leaderId).toBe('a');
      g.remove('a');
      expect(g.leaderId).toBe('b');
      g.remove('b');
      expect(g.leaderId).toBeNull();
    });

    it('selects the protocol all members support that most members prefer', () => {
      const g = new GroupMetadata('g', GroupState.Empty, 0);
      g.add(
        member('a', [
          ['range', ''],
          ['roundrobin', ''],
          ['sticky', ''],
        ]),
        null,
      );
      g.add(
        member('b', [
          ['roundrobin', ''],
          ['range', ''],
        ]),
        null,
      );
      g.add(
        member('c', [
          ['sticky', ''],
          ['roundrobin', ''],
          ['range', ''],
        ]),
        null,
      );
      expect(g.candidateProtocols()).toEqual(new Set(['range', 'roundrobin']));
      // a: range, b: roundrobin, c: roundrobin
      expect(g.selectProtocol()).toBe('roundrobin');
    });

    it('accepts a new member only with the group protocol type and a protocol every member has', () => {
      const g = new GroupMetadata('g', GroupState.Empty, 0);
      expect(g.supportsProtocols('', new Set(['range']))).toBe(false);
      expect(g.supportsProtocols('consumer', new Set())).toBe(false);
      g.add(
        member('a', [
          ['range', ''],
          ['sticky', ''],
        ]),
        null,
      );
      g.transitionTo(GroupState.PreparingRebalance);
      expect(g.supportsProtocols('consumer', new Set(['sticky']))).toBe(true);
      expect(g.supportsProtocols('consumer', new Set(['roundrobin']))).toBe(false);
      expect(g.supportsProtocols('connect', new Set(['range']))).toBe(false);
    });

    it('tracks who has joined, and gives the leader every member metadata', () => {
      const g = new GroupMetadata('g', GroupState.Empty, 0);
      const a = member('a', [['range', 'A']]);
      const b = member('b', [['range', 'B']]);
      g.add(a, () => {});
      g.add(b, null);
      expect(g.hasAllMembersJoined).toBe(false);
      expect(g.notYetRejoinedMembers.map((m) => m.memberId)).toEqual(['b']);
      g.updateMember(b, b.supportedProtocols, () => {});
      expect(g.hasAllMembersJoined).toBe(true);
      g.addPendingMember('c');
      expect(g.hasAllMembersJoined).toBe(false);
      g.removePendingMember('c');
      g.transitionTo(GroupState.PreparingRebalance);
      g.initNextGeneration(5);
      expect(g.generationId).toBe(1);
      expect(g.currentState).toBe(GroupState.CompletingRebalance);
      expect(g.protocolName).toBe('range');
      expect(g.currentMemberMetadata().map((m) => [m.memberId, m.metadata.toString()])).toEqual([
        ['a', 'A'],
        ['b', 'B'],
      ]);
    });

    it('goes Empty with a new generation when the last member is gone', () => {
      const g = groupIn(GroupState.PreparingRebalance);
      g.initNextGeneration(1);
      expect(g.currentState).toBe(GroupState.Empty);
      expect(g.generationId).toBe(1);
      expect(g.protocolName).toBeNull();
    });

    it('describes metadata and assignment only when Stable', () => {
      const g = new GroupMetadata('g', GroupState.Empty, 0);
      const a = member('a', [['range', 'meta']]);
      g.add(a, null);
      g.transitionTo(GroupState.PreparingRebalance);
      g.initNextGeneration(1);
      a.assignment = Buffer.from('asg');
      expect(g.summary().members[0].assignment.length).toBe(0);
      expect(g.summary().protocol).toBe('');
      g.transitionTo(GroupState.Stable);
      const s = g.summary();
      expect(s).toMatchObject({ state: 'Stable', protocolType: 'consumer', protocol: 'range' });
      expect(s.members[0].metadata.toString()).toBe('meta');
      expect(s.members[0].assignment.toString()).toBe('asg');
    });
  });

  it("has Kafka's codes for the group deletion errors", () => {
    expect(ErrorCode.NON_EMPTY_GROUP).toBe(68);
    expect(ErrorCode.GROUP_ID_NOT_FOUND).toBe(69);
  });

  describe('static members (KIP-345)', () => {
    const staticMember = (id: string, instanceId: string) =>
      new MemberMetadata(id, 'g', instanceId, 'client', '/127.0.0.1', 30000, 10000, 'consumer', [
        { name: 'range', metadata: Buffer.from('m') },
      ]);

    it('replaces a static member id: same member, the leader follows, parked callbacks fenced', () => {
      const g = new GroupMetadata('g', GroupState.Empty, 0);
      const joins: number[] = [];
      const syncs: number[] = [];
      const a = staticMember('a-1', 'a');
      g.add(a, (r) => joins.push(r.errorCode));
      g.addStaticMember('a', 'a-1');
      g.add(member('d-1', [['range', 'm']]), null);
      a.awaitingSyncCallback = (r) => syncs.push(r.errorCode);
      a.assignment = Buffer.from('p0');
      expect(g.notYetRejoinedMembers.map((m) => m.memberId)).toEqual(['d-1']);
      expect(g.isStaticMemberFenced('a-1', 'a')).toBe(false);
      expect(g.isStaticMemberFenced('x', null)).toBe(false); // dynamic: never fenced

      const replaced = g.replaceStaticMember('a-1', 'a-2', 'a');
      expect(replaced).toBe(a);
      expect(a.memberId).toBe('a-2');
      expect(joins).toEqual([ErrorCode.FENCED_INSTANCE_ID]);
      expect(syncs).toEqual([ErrorCode.FENCED_INSTANCE_ID]);
      expect(g.allMembers.sort()).toEqual(['a-2', 'd-1']);
      expect(g.leaderId).toBe('a-2');
      expect(g.staticMemberId('a')).toBe('a-2');
      expect(g.get('a-2').assignment.toString()).toBe('p0');
      expect(g.isStaticMemberFenced('a-1', 'a')).toBe(true);
      expect(g.isStaticMemberFenced('a-2', 'a')).toBe(false);
      // the fenced JoinGroup no longer counts as joined
      expect(g.notYetRejoinedMembers.map((m) => m.memberId).sort()).toEqual(['a-2', 'd-1']);

      g.remove('a-2');
      expect(g.hasStaticMember('a')).toBe(false);
      expect(g.allStaticMembers).toEqual([]);
      expect(g.leaderId).toBe('d-1');
    });

    it('generates `<instance id>-<uuid>` for static members, `<client id>-<uuid>` otherwise', () => {
      const g = new GroupMetadata('g', GroupState.Empty, 0);
      expect(g.generateMemberId('client', 'app-1')).toMatch(/^app-1-[0-9a-f-]{36}$/);
      expect(g.generateMemberId('client')).toMatch(/^client-[0-9a-f-]{36}$/);
    });
  });
});
