/**
 * GroupCoordinator: group membership and committed offsets, as Kafka's
 * `GroupCoordinator.scala` (2.4–2.8 behaviour, dynamic members): JoinGroup with
 * MEMBER_ID_REQUIRED (KIP-394), the initial rebalance delay of an empty group, the
 * join phase ending when every known member rejoined or the rebalance timeout passed,
 * SyncGroup, Heartbeat, LeaveGroup, session expiry, DescribeGroups, ListGroups,
 * DeleteGroups, OffsetCommit (generation and member checks) and OffsetFetch.
 *
 * Membership lives in memory; committed offsets go through an OffsetStore (ZooKeeper
 * in a broker). On coordinator failover the members rejoin at the new coordinator
 * and their offsets are read back from ZooKeeper.
 *
 * JS runs one callback at a time, so Kafka's group lock is implicit: every method
 * below runs to completion before any other touches the group. Only the offset store
 * is asynchronous.
 *
 * Static membership (KIP-345), as Kafka 2.8: a member with a `groupInstanceId` joins
 * without MEMBER_ID_REQUIRED; when it rejoins without member id (a restart) it gets a
 * new id, the old one is fenced (FENCED_INSTANCE_ID on JoinGroup, SyncGroup, Heartbeat,
 * OffsetCommit and LeaveGroup carrying the instance id with another member id), and a
 * Stable group whose chosen protocol stays the same does not rebalance: the member
 * gets its assignment back. Static members that miss a join phase stay until their
 * session times out; LeaveGroup (v3+) may name them by instance id alone.
 *
 * Not implemented: transactional offset commits, offset retention/expiry (offsets stay
 * in ZooKeeper until DeleteGroups), the leader's skipAssignment of later versions (KIP-814).
 */
import { createLogger, ErrorCode, Logger, SystemTime, Time, tpKey } from '@kzoo/common';
import { DelayedOperationPurgatory } from '../../server/DelayedOperation';
import { SystemTimer, type Timer } from '../../server/Timer';
import {
  DelayedJoin,
  GroupCoordinatorCallbacks,
  groupKey,
  InitialDelayedJoin,
  memberKey,
} from './DelayedJoin';
import { DelayedHeartbeat } from './DelayedHeartbeat';
import { GroupMetadata, GroupOverview, GroupState, GroupSummary } from './GroupMetadata';
import {
  joinError,
  JoinGroupResult,
  MemberMetadata,
  NEW_MEMBER_JOIN_TIMEOUT_MS,
  syncError,
  SyncGroupResult,
} from './MemberMetadata';
import type { CommittedOffset, OffsetStore } from './OffsetStore';
import { GROUP_CONFIG_DEFAULTS, type GroupConfig } from './GroupConfig';
import type {
  GroupCoordinatorOptions,
  HeartbeatParams,
  JoinGroupParams,
  LeaveGroupResult,
  OffsetCommitParams,
  OffsetFetchResult,
  PartitionResult,
  SyncGroupParams,
} from './GroupCoordinatorTypes';

type Api =
  | 'JoinGroup'
  | 'SyncGroup'
  | 'Heartbeat'
  | 'LeaveGroup'
  | 'OffsetCommit'
  | 'OffsetFetch'
  | 'DescribeGroups'
  | 'DeleteGroups';

export class GroupCoordinator implements GroupCoordinatorCallbacks {
  readonly brokerId: number;
  readonly config: GroupConfig;
  private readonly time: Time;
  private readonly timer: Timer;
  private readonly ownsTimer: boolean;
  private readonly offsetStore: OffsetStore;
  private readonly isCoordinatorFor: (groupId: string) => boolean;
  private readonly log: Logger;
  private readonly groups = new Map<string, GroupMetadata>();
  private readonly heartbeatPurgatory: DelayedOperationPurgatory<DelayedHeartbeat>;
  private readonly joinPurgatory: DelayedOperationPurgatory<DelayedJoin>;
  private active = false;

  constructor(opts: GroupCoordinatorOptions) {
    this.brokerId = opts.brokerId;
    this.config = { ...GROUP_CONFIG_DEFAULTS, ...opts.config };
    this.ownsTimer = !opts.timer;
    this.timer = opts.timer ?? new SystemTimer(opts.time ?? SystemTime);
    this.time = this.timer.time;
    this.offsetStore = opts.offsetStore;
    this.isCoordinatorFor = opts.isCoordinatorFor ?? (() => true);
    this.log = (opts.logger ?? createLogger('group.coordinator')).child({ broker: this.brokerId });
    this.heartbeatPurgatory = new DelayedOperationPurgatory('Heartbeat', this.timer);
    this.joinPurgatory = new DelayedOperationPurgatory('Rebalance', this.timer);
  }

  startup(): void {
    this.active = true;
    this.log.info('started');
  }

  /** Answers every waiting member with NOT_COORDINATOR and drops all groups and timers. */
  shutdown(): void {
    if (!this.active) return;
    this.active = false;
    for (const group of [...this.groups.values()]) this.unloadGroup(group);
    this.heartbeatPurgatory.shutdown();
    this.joinPurgatory.shutdown();
    if (this.ownsTimer) this.timer.shutdown();
    this.log.info('shut down');
  }

  /** The group's in-memory metadata (tests and tools). */
  getGroup(groupId: string): GroupMetadata | undefined {
    return this.groups.get(groupId);
  }

  /**
   * Drops the groups this broker no longer coordinates (after the live-broker set
   * changed): members waiting in JoinGroup/SyncGroup get NOT_COORDINATOR and will find
   * the new coordinator. Returns the ids of the groups unloaded.
   */
  onCoordinatorChange(): string[] {
    const moved: string[] = [];
    for (const group of [...this.groups.values()]) {
      if (!this.isCoordinatorFor(group.groupId)) {
        this.unloadGroup(group);
        moved.push(group.groupId);
      }
    }
    if (moved.length > 0)
      this.log.info('unloaded groups now coordinated elsewhere', { groups: moved });
    return moved;
  }

  // ------------------------------------------------------------ JoinGroup

  handleJoinGroup(p: JoinGroupParams): Promise<JoinGroupResult> {
    return new Promise((resolve) => this.joinGroup(p, resolve));
  }

  private joinGroup(p: JoinGroupParams, respond: (r: JoinGroupResult) => void): void {
    const error = this.validateGroupStatus(p.groupId, 'JoinGroup');
    if (error !== null) return respond(joinError(p.memberId, error));
    if (
      p.sessionTimeoutMs < this.config.groupMinSessionTimeoutMs ||
      p.sessionTimeoutMs > this.config.groupMaxSessionTimeoutMs
    ) {
      return respond(joinError(p.memberId, ErrorCode.INVALID_SESSION_TIMEOUT));
    }
    const params = {
      ...p,
      rebalanceTimeoutMs: p.rebalanceTimeoutMs > 0 ? p.rebalanceTimeoutMs : p.sessionTimeoutMs,
    };
    const isUnknownMember = p.memberId === '';
    let group = this.groups.get(p.groupId);
    if (!group) {
      // create the group only for a member without id; a known id with no group is stale
      if (!isUnknownMember) return respond(joinError(p.memberId, ErrorCode.UNKNOWN_MEMBER_ID));
      group = new GroupMetadata(p.groupId, GroupState.Empty, this.time.milliseconds());
      this.groups.set(p.groupId, group);
    }
    if (isUnknownMember && group.size >= this.config.groupMaxSize) {
      return respond(joinError('', ErrorCode.GROUP_MAX_SIZE_REACHED));
    }
    if (isUnknownMember) this.doUnknownJoinGroup(group, params, respond);
    else this.doJoinGroup(group, params, respond);
    if (group.is(GroupState.PreparingRebalance)) {
      this.joinPurgatory.checkAndComplete(groupKey(group.groupId));
    }
  }

  private doUnknownJoinGroup(
    group: GroupMetadata,
    p: JoinGroupParams,
    respond: (r: JoinGroupResult) => void,
  ): void {
    if (group.is(GroupState.Dead)) {
      // the group was just removed here: the member should find the coordinator again
      return respond(joinError('', ErrorCode.COORDINATOR_NOT_AVAILABLE));
    }
    if (!group.supportsProtocols(p.protocolType, new Set(p.protocols.map((x) => x.name)))) {
      return respond(joinError('', ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
    }
    const instanceId = p.groupInstanceId ?? null;
    const newMemberId = group.generateMemberId(p.clientId, instanceId);
    if (group.hasStaticMember(instanceId)) {
      return this.updateStaticMemberAndRebalance(group, newMemberId, instanceId, p, respond);
    }
    // a static member joins at once (Kafka asks only dynamic members for a second join)
    if (instanceId === null && (p.requireKnownMemberId ?? true)) {
      // KIP-394: hand out the id and expect a second JoinGroup carrying it
      group.addPendingMember(newMemberId);
      this.addPendingMemberExpiration(group, newMemberId, p.sessionTimeoutMs);
      this.log.debug('member id required', { group: group.groupId, memberId: newMemberId });
      return respond(joinError(newMemberId, ErrorCode.MEMBER_ID_REQUIRED));
    }
    this.addMemberAndRebalance(group, { ...p, memberId: newMemberId }, respond);
  }

  private doJoinGroup(
    group: GroupMetadata,
    p: JoinGroupParams,
    respond: (r: JoinGroupResult) => void,
  ): void {
    const memberId = p.memberId;
    if (group.is(GroupState.Dead)) {
      return respond(joinError(memberId, ErrorCode.COORDINATOR_NOT_AVAILABLE));
    }
    if (!group.supportsProtocols(p.protocolType, new Set(p.protocols.map((x) => x.name)))) {
      return respond(joinError(memberId, ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
    }
    if (group.isStaticMemberFenced(memberId, p.groupInstanceId)) {
      // another instance with this group.instance.id has joined since: this one must stop
      return respond(joinError(memberId, ErrorCode.FENCED_INSTANCE_ID));
    }
    if (group.isPendingMember(memberId)) {
      return this.addMemberAndRebalance(group, p, respond);
    }
    if (
      !group.has(memberId) ||
      (p.groupInstanceId != null && !group.hasStaticMember(p.groupInstanceId))
    ) {
      // an unknown id, or a static member the group no longer knows: rejoin without id
      return respond(joinError(memberId, ErrorCode.UNKNOWN_MEMBER_ID));
    }
    const member = group.get(memberId);
    switch (group.currentState) {
      case GroupState.PreparingRebalance:
        return this.updateMemberAndRebalance(group, member, p, respond);
      case GroupState.CompletingRebalance:
        if (member.matches(p.protocols)) {
          // the same metadata: the member missed the JoinGroup response; answer again
          return respond(this.joinResult(group, memberId));
        }
        return this.updateMemberAndRebalance(group, member, p, respond);
      case GroupState.Stable:
        if (group.isLeader(memberId) || !member.matches(p.protocols)) {
          // a leader's join or changed metadata forces a rebalance (the leader may have
          // seen topic metadata change that its subscription metadata does not show)
          return this.updateMemberAndRebalance(group, member, p, respond);
        }
        return respond({ ...this.joinResult(group, memberId), members: [] });
      case GroupState.Empty:
      case GroupState.Dead:
        this.log.warn('rejoining member in unexpected group state', {
          group: group.groupId,
          memberId,
          state: group.currentState,
        });
        return respond(joinError(memberId, ErrorCode.UNKNOWN_MEMBER_ID));
    }
  }

  private joinResult(group: GroupMetadata, memberId: string): JoinGroupResult {
    return {
      errorCode: ErrorCode.NONE,
      generationId: group.generationId,
      protocolType: group.protocolType,
      protocolName: group.protocolName,
      leaderId: group.leaderId ?? '',
      memberId,
      members: group.isLeader(memberId) ? group.currentMemberMetadata() : [],
    };
  }

  private addMemberAndRebalance(
    group: GroupMetadata,
    p: JoinGroupParams,
    respond: (r: JoinGroupResult) => void,
  ): void {
    const member = new MemberMetadata(
      p.memberId,
      group.groupId,
      p.groupInstanceId ?? null,
      p.clientId,
      p.clientHost,
      p.rebalanceTimeoutMs,
      p.sessionTimeoutMs,
      p.protocolType,
      p.protocols,
    );
    member.isNew = true;
    // a member joining during the first rebalance lets the initial delay extend
    if (group.is(GroupState.PreparingRebalance) && group.generationId === 0) {
      group.newMemberAdded = true;
    }
    group.add(member, respond);
    // a new member cannot heartbeat before its JoinGroup response: give it longer
    this.completeAndScheduleNextExpiration(group, member, NEW_MEMBER_JOIN_TIMEOUT_MS);
    if (member.groupInstanceId !== null) {
      this.log.info('adding new static member', {
        group: group.groupId,
        groupInstanceId: member.groupInstanceId,
        memberId: p.memberId,
      });
      group.addStaticMember(member.groupInstanceId, p.memberId);
    }
    group.removePendingMember(p.memberId);
    this.maybePrepareRebalance(group, `adding new member ${p.memberId}`);
  }

  /**
   * A known static member rejoined without member id (its process restarted): it gets
   * a new member id, the old one is fenced. A Stable group whose chosen protocol stays
   * the same does not rebalance: the member is answered at once with the current
   * generation (and the current leader's old id, so it does not run an assignment) and
   * its SyncGroup returns the assignment it had. Otherwise the group rebalances.
   */
  private updateStaticMemberAndRebalance(
    group: GroupMetadata,
    newMemberId: string,
    groupInstanceId: string,
    p: JoinGroupParams,
    respond: (r: JoinGroupResult) => void,
  ): void {
    const oldMemberId = group.staticMemberId(groupInstanceId);
    this.log.info('static member rejoins with unknown member id, replacing the old id', {
      group: group.groupId,
      groupInstanceId,
      oldMemberId,
      newMemberId,
    });
    const currentLeader = group.leaderId ?? '';
    const member = group.replaceStaticMember(oldMemberId, newMemberId, groupInstanceId);
    // the old id's session timer ends without effect; the new id gets its own
    this.heartbeatPurgatory.checkAndComplete(memberKey(group.groupId, oldMemberId));
    this.completeAndScheduleNextHeartbeatExpiration(group, member);
    group.updateMember(member, p.protocols, respond);
    switch (group.currentState) {
      case GroupState.Stable:
        if (group.selectProtocol() === group.protocolName) {
          this.log.info(
            'static member rejoined a stable group without changing its protocol: no rebalance',
            {
              group: group.groupId,
              groupInstanceId,
              generation: group.generationId,
            },
          );
          group.maybeInvokeJoinCallback(member, {
            ...this.joinResult(group, newMemberId),
            leaderId: currentLeader,
            members: [],
          });
          return;
        }
        return this.maybePrepareRebalance(
          group,
          `static member ${newMemberId} (instance ${groupInstanceId}) changes the group's protocol`,
        );
      case GroupState.CompletingRebalance:
        // the leader may have assigned to the old id: run the rebalance again
        return this.prepareRebalance(
          group,
          `static member ${newMemberId} (instance ${groupInstanceId}) rejoined during CompletingRebalance`,
        );
      case GroupState.PreparingRebalance:
        return; // waits in the join phase as every member does
      case GroupState.Empty:
      case GroupState.Dead:
        // a group with a static member is neither Empty nor Dead
        throw new Error(
          `group ${group.groupId} is ${group.currentState} while static member ${groupInstanceId} rejoins`,
        );
    }
  }

  private updateMemberAndRebalance(
    group: GroupMetadata,
    member: MemberMetadata,
    p: JoinGroupParams,
    respond: (r: JoinGroupResult) => void,
  ): void {
    member.rebalanceTimeoutMs = p.rebalanceTimeoutMs;
    member.sessionTimeoutMs = p.sessionTimeoutMs;
    group.updateMember(member, p.protocols, respond);
    this.maybePrepareRebalance(group, `updating metadata for member ${member.memberId}`);
  }

  private maybePrepareRebalance(group: GroupMetadata, reason: string): void {
    if (group.canRebalance) this.prepareRebalance(group, reason);
  }

  private prepareRebalance(group: GroupMetadata, reason: string): void {
    // members waiting for their SyncGroup answer must rejoin
    if (group.is(GroupState.CompletingRebalance)) {
      this.resetAndPropagateAssignmentError(group, ErrorCode.REBALANCE_IN_PROGRESS);
    }
    const initialDelay = this.config.groupInitialRebalanceDelayMs;
    const delayed = group.is(GroupState.Empty)
      ? new InitialDelayedJoin(
          this,
          this.joinPurgatory,
          group,
          initialDelay,
          initialDelay,
          Math.max(group.rebalanceTimeoutMs - initialDelay, 0),
        )
      : new DelayedJoin(this, group, group.rebalanceTimeoutMs);
    const from = group.currentState;
    group.transitionTo(GroupState.PreparingRebalance, this.time.milliseconds());
    this.log.info('preparing to rebalance', {
      group: group.groupId,
      from,
      generation: group.generationId,
      reason,
    });
    this.joinPurgatory.tryCompleteElseWatch(delayed, [groupKey(group.groupId)]);
  }

  tryCompleteJoin(group: GroupMetadata, forceComplete: () => boolean): boolean {
    return group.hasAllMembersJoined ? forceComplete() : false;
  }

  onCompleteJoin(group: GroupMetadata): void {
    // dynamic members that did not rejoin in time are out; static members stay until
    // their session times out (KIP-345)
    for (const failed of group.notYetRejoinedMembers.filter((m) => !m.isStaticMember)) {
      this.removeHeartbeatForLeavingMember(group, failed);
      group.remove(failed.memberId);
      this.log.info('member did not rejoin in time, removed', {
        group: group.groupId,
        memberId: failed.memberId,
      });
    }
    if (group.is(GroupState.Dead)) return;
    if (!group.maybeElectNewJoinedLeader() && group.size > 0) {
      // nobody rejoined (only static members are left): wait another round, until
      // their sessions expire or they come back
      this.joinPurgatory.tryCompleteElseWatch(
        new DelayedJoin(this, group, group.rebalanceTimeoutMs),
        [groupKey(group.groupId)],
      );
      return;
    }
    group.initNextGeneration(this.time.milliseconds());
    if (group.is(GroupState.Empty)) {
      this.log.info('group is now empty', { group: group.groupId, generation: group.generationId });
      return;
    }
    this.log.info('stabilized group', {
      group: group.groupId,
      generation: group.generationId,
      protocol: group.protocolName,
      leader: group.leaderId,
      members: group.size,
    });
    for (const member of group.allMemberMetadata) {
      group.maybeInvokeJoinCallback(member, this.joinResult(group, member.memberId));
      this.completeAndScheduleNextHeartbeatExpiration(group, member);
      member.isNew = false;
    }
  }

  // ------------------------------------------------------------ SyncGroup

  handleSyncGroup(p: SyncGroupParams): Promise<SyncGroupResult> {
    return new Promise((resolve) => this.syncGroup(p, resolve));
  }

  private syncGroup(p: SyncGroupParams, respond: (r: SyncGroupResult) => void): void {
    const error = this.validateGroupStatus(p.groupId, 'SyncGroup');
    if (error !== null) return respond(syncError(error));
    const group = this.groups.get(p.groupId);
    if (!group) return respond(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
    if (group.is(GroupState.Dead)) return respond(syncError(ErrorCode.COORDINATOR_NOT_AVAILABLE));
    if (group.isStaticMemberFenced(p.memberId, p.groupInstanceId)) {
      return respond(syncError(ErrorCode.FENCED_INSTANCE_ID));
    }
    if (!group.has(p.memberId)) return respond(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
    if (p.generationId !== group.generationId) {
      return respond(syncError(ErrorCode.ILLEGAL_GENERATION));
    }
    if (
      (p.protocolType != null && p.protocolType !== group.protocolType) ||
      (p.protocolName != null && p.protocolName !== group.protocolName)
    ) {
      return respond(syncError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
    }
    switch (group.currentState) {
      case GroupState.Empty:
        return respond(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
      case GroupState.PreparingRebalance:
        return respond(syncError(ErrorCode.REBALANCE_IN_PROGRESS));
      case GroupState.CompletingRebalance: {
        const member = group.get(p.memberId);
        member.awaitingSyncCallback = respond;
        if (group.isLeader(p.memberId)) {
          this.log.info('assignment received from leader', {
            group: group.groupId,
            generation: group.generationId,
          });
          const given = new Map(p.assignments.map((a) => [a.memberId, a.assignment]));
          // members the leader left out get an empty assignment
          for (const m of group.allMemberMetadata) {
            m.assignment = given.get(m.memberId) ?? Buffer.alloc(0);
          }
          // (Kafka writes the group to __consumer_offsets here; kzoo keeps it in memory)
          group.transitionTo(GroupState.Stable, this.time.milliseconds());
          this.propagateAssignment(group, ErrorCode.NONE);
        }
        return;
      }
      case GroupState.Stable: {
        const member = group.get(p.memberId);
        respond(this.syncResult(group, member.assignment, ErrorCode.NONE));
        this.completeAndScheduleNextHeartbeatExpiration(group, member);
        return;
      }
      case GroupState.Dead:
        return respond(syncError(ErrorCode.COORDINATOR_NOT_AVAILABLE));
    }
  }

  private syncResult(group: GroupMetadata, assignment: Buffer, errorCode: number): SyncGroupResult {
    return {
      errorCode,
      protocolType: errorCode === ErrorCode.NONE ? group.protocolType : null,
      protocolName: errorCode === ErrorCode.NONE ? group.protocolName : null,
      assignment,
    };
  }

  private resetAndPropagateAssignmentError(group: GroupMetadata, errorCode: number): void {
    for (const m of group.allMemberMetadata) m.assignment = Buffer.alloc(0);
    this.propagateAssignment(group, errorCode);
  }

  private propagateAssignment(group: GroupMetadata, errorCode: number): void {
    for (const m of group.allMemberMetadata) {
      if (m.invokeSync(this.syncResult(group, m.assignment, errorCode))) {
        // the session restarts once the member has its answer
        this.completeAndScheduleNextHeartbeatExpiration(group, m);
      }
    }
  }

  // ------------------------------------------------------------ Heartbeat, LeaveGroup

  /** Returns the error code of the Heartbeat response. */
  handleHeartbeat(p: HeartbeatParams): number {
    const error = this.validateGroupStatus(p.groupId, 'Heartbeat');
    if (error !== null) return error;
    const group = this.groups.get(p.groupId);
    if (!group) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (group.is(GroupState.Dead)) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (group.isStaticMemberFenced(p.memberId, p.groupInstanceId)) {
      return ErrorCode.FENCED_INSTANCE_ID;
    }
    if (!group.has(p.memberId)) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (p.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    const member = group.get(p.memberId);
    switch (group.currentState) {
      case GroupState.Empty:
        return ErrorCode.UNKNOWN_MEMBER_ID;
      case GroupState.CompletingRebalance:
        // a member may heartbeat between its JoinGroup answer and its SyncGroup: a normal
        // heartbeat, its session renewed (Kafka 2.x)
        this.completeAndScheduleNextHeartbeatExpiration(group, member);
        return ErrorCode.NONE;
      case GroupState.PreparingRebalance:
        this.completeAndScheduleNextHeartbeatExpiration(group, member);
        return ErrorCode.REBALANCE_IN_PROGRESS;
      case GroupState.Stable:
        this.completeAndScheduleNextHeartbeatExpiration(group, member);
        return ErrorCode.NONE;
      case GroupState.Dead:
        return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    }
  }

  handleLeaveGroup(
    groupId: string,
    leaving: Array<{ memberId: string; groupInstanceId?: string | null }>,
  ): LeaveGroupResult {
    const error = this.validateGroupStatus(groupId, 'LeaveGroup');
    if (error !== null) return { errorCode: error, members: [] };
    const result = (
      m: { memberId: string; groupInstanceId?: string | null },
      errorCode: number,
    ) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId ?? null,
      errorCode,
    });
    const group = this.groups.get(groupId);
    if (!group) {
      return {
        errorCode: ErrorCode.NONE,
        members: leaving.map((m) => result(m, ErrorCode.UNKNOWN_MEMBER_ID)),
      };
    }
    if (group.is(GroupState.Dead))
      return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, members: [] };
    const members = leaving.map((m) => {
      const instanceId = m.groupInstanceId ?? null;
      if (m.memberId !== '' && group.isStaticMemberFenced(m.memberId, instanceId)) {
        return result(m, ErrorCode.FENCED_INSTANCE_ID);
      }
      if (group.isPendingMember(m.memberId)) {
        this.removePendingMemberAndUpdateGroup(group, m.memberId);
        this.heartbeatPurgatory.checkAndComplete(memberKey(group.groupId, m.memberId));
        return result(m, ErrorCode.NONE);
      }
      // a static member may be named by its group.instance.id alone (member id '')
      const member = group.hasStaticMember(instanceId)
        ? group.get(group.staticMemberId(instanceId))
        : group.has(m.memberId)
          ? group.get(m.memberId)
          : null;
      if (!member) return result(m, ErrorCode.UNKNOWN_MEMBER_ID);
      this.removeHeartbeatForLeavingMember(group, member);
      this.log.info('member left the group', {
        group: groupId,
        memberId: member.memberId,
        groupInstanceId: member.groupInstanceId,
      });
      this.removeMemberAndUpdateGroup(group, member, `member ${member.memberId} left (LeaveGroup)`);
      return result(m, ErrorCode.NONE);
    });
    return { errorCode: ErrorCode.NONE, members };
  }

  private removeMemberAndUpdateGroup(
    group: GroupMetadata,
    member: MemberMetadata,
    reason: string,
  ): void {
    // a member removed while its JoinGroup is parked gets UNKNOWN_MEMBER_ID and may rejoin
    group.maybeInvokeJoinCallback(member, joinError('', ErrorCode.UNKNOWN_MEMBER_ID));
    group.remove(member.memberId);
    switch (group.currentState) {
      case GroupState.Dead:
      case GroupState.Empty:
        return;
      case GroupState.Stable:
      case GroupState.CompletingRebalance:
        return this.maybePrepareRebalance(group, reason);
      case GroupState.PreparingRebalance:
        this.joinPurgatory.checkAndComplete(groupKey(group.groupId));
        return;
    }
  }

  private removePendingMemberAndUpdateGroup(group: GroupMetadata, memberId: string): void {
    group.removePendingMember(memberId);
    if (group.is(GroupState.PreparingRebalance)) {
      this.joinPurgatory.checkAndComplete(groupKey(group.groupId));
    }
  }

  // ------------------------------------------------------------ sessions

  private completeAndScheduleNextHeartbeatExpiration(
    group: GroupMetadata,
    member: MemberMetadata,
  ): void {
    this.completeAndScheduleNextExpiration(group, member, member.sessionTimeoutMs);
  }

  private completeAndScheduleNextExpiration(
    group: GroupMetadata,
    member: MemberMetadata,
    timeoutMs: number,
  ): void {
    member.latestHeartbeatMs = this.time.milliseconds();
    const key = memberKey(group.groupId, member.memberId);
    this.heartbeatPurgatory.checkAndComplete(key);
    const deadline = member.latestHeartbeatMs + timeoutMs;
    this.heartbeatPurgatory.tryCompleteElseWatch(
      new DelayedHeartbeat(this, group, member.memberId, false, deadline, timeoutMs),
      [key],
    );
  }

  private addPendingMemberExpiration(
    group: GroupMetadata,
    memberId: string,
    timeoutMs: number,
  ): void {
    const deadline = this.time.milliseconds() + timeoutMs;
    this.heartbeatPurgatory.tryCompleteElseWatch(
      new DelayedHeartbeat(this, group, memberId, true, deadline, timeoutMs),
      [memberKey(group.groupId, memberId)],
    );
  }

  private removeHeartbeatForLeavingMember(group: GroupMetadata, member: MemberMetadata): void {
    member.isLeaving = true;
    this.heartbeatPurgatory.checkAndComplete(memberKey(group.groupId, member.memberId));
  }

  tryCompleteHeartbeat(
    group: GroupMetadata,
    memberId: string,
    isPending: boolean,
    deadlineMs: number,
    forceComplete: () => boolean,
  ): boolean {
    if (isPending) return group.has(memberId) ? forceComplete() : false;
    if (!group.has(memberId)) return forceComplete();
    const member = group.get(memberId);
    return member.shouldKeepAlive(deadlineMs) || member.isLeaving ? forceComplete() : false;
  }

  onExpireHeartbeat(
    group: GroupMetadata,
    memberId: string,
    isPending: boolean,
    deadlineMs: number,
  ): void {
    if (isPending) {
      this.log.info('pending member expired', { group: group.groupId, memberId });
      this.removePendingMemberAndUpdateGroup(group, memberId);
      return;
    }
    if (!group.has(memberId)) return;
    const member = group.get(memberId);
    if (!member.shouldKeepAlive(deadlineMs)) {
      this.log.info('member session expired, removing it from the group', {
        group: group.groupId,
        memberId,
        sessionTimeoutMs: member.sessionTimeoutMs,
      });
      this.removeMemberAndUpdateGroup(group, member, `member ${memberId} session expired`);
    }
  }

  // ------------------------------------------------------------ offsets

  /** One result per offset of the request. */
  async handleCommitOffsets(p: OffsetCommitParams): Promise<PartitionResult[]> {
    const all = (errorCode: number): PartitionResult[] =>
      p.offsets.map((o) => ({ topic: o.topic, partition: o.partition, errorCode }));
    const error = this.validateGroupStatus(p.groupId, 'OffsetCommit');
    if (error !== null) return all(error);
    let group = this.groups.get(p.groupId);
    if (!group) {
      if (p.generationId >= 0) {
        // a commit from a generation this coordinator never had: refuse it
        return all(ErrorCode.ILLEGAL_GENERATION);
      }
      group = new GroupMetadata(p.groupId, GroupState.Empty, this.time.milliseconds());
      this.groups.set(p.groupId, group);
    }
    if (group.is(GroupState.Dead)) return all(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    if (group.isStaticMemberFenced(p.memberId, p.groupInstanceId)) {
      return all(ErrorCode.FENCED_INSTANCE_ID);
    }
    if (!(p.generationId < 0 && group.is(GroupState.Empty))) {
      if (!group.has(p.memberId)) return all(ErrorCode.UNKNOWN_MEMBER_ID);
      if (p.generationId !== group.generationId) return all(ErrorCode.ILLEGAL_GENERATION);
      if (group.is(GroupState.CompletingRebalance)) return all(ErrorCode.REBALANCE_IN_PROGRESS);
      // Stable or PreparingRebalance: the commit counts as a heartbeat
      this.completeAndScheduleNextHeartbeatExpiration(group, group.get(p.memberId));
    }
    return this.storeOffsets(p.groupId, p.offsets);
  }

  private async storeOffsets(
    groupId: string,
    offsets: CommittedOffset[],
  ): Promise<PartitionResult[]> {
    const valid = offsets.filter((o) => isValidOffset(o));
    let storeError: number = ErrorCode.NONE;
    if (valid.length > 0) {
      try {
        await this.offsetStore.commitOffsets(groupId, valid);
      } catch (e) {
        this.log.warn('offset commit failed in the offset store', { group: groupId, error: e });
        storeError = ErrorCode.COORDINATOR_NOT_AVAILABLE;
      }
    }
    return offsets.map((o) => ({
      topic: o.topic,
      partition: o.partition,
      errorCode: isValidOffset(o) ? storeError : ErrorCode.INVALID_COMMIT_OFFSET_SIZE,
    }));
  }

  /**
   * Committed offsets, whatever the group's state (a group may use kzoo only to store
   * offsets). With `partitions`, every requested partition is answered (-1 = none).
   */
  async handleFetchOffsets(
    groupId: string,
    partitions: Array<{ topic: string; partition: number }> | null,
  ): Promise<OffsetFetchResult> {
    const error = this.validateGroupStatus(groupId, 'OffsetFetch');
    if (error !== null) return { errorCode: error, offsets: [] };
    let stored: CommittedOffset[];
    try {
      stored = await this.offsetStore.fetchOffsets(groupId, partitions);
    } catch (e) {
      this.log.warn('offset fetch failed in the offset store', { group: groupId, error: e });
      return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, offsets: [] };
    }
    if (partitions === null) {
      return { errorCode: ErrorCode.NONE, offsets: stored.map((o) => ({ ...o, errorCode: 0 })) };
    }
    const byKey = new Map(stored.map((o) => [tpKey(o), o.offset]));
    return {
      errorCode: ErrorCode.NONE,
      offsets: partitions.map((q) => ({
        topic: q.topic,
        partition: q.partition,
        offset: byKey.get(tpKey(q)) ?? -1,
        errorCode: ErrorCode.NONE,
      })),
    };
  }

  // ------------------------------------------------------------ admin

  /**
   * Groups this broker coordinates: those in memory (not Dead) and those that only have
   * offsets in ZooKeeper (shown Empty, protocol type '' as a group that never joined).
   */
  async handleListGroups(
    statesFilter: string[] = [],
  ): Promise<{ errorCode: number; groups: GroupOverview[] }> {
    if (!this.active) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, groups: [] };
    const out = new Map<string, GroupOverview>();
    let stored: string[] = [];
    try {
      stored = await this.offsetStore.listGroups();
    } catch (e) {
      this.log.warn('listing stored groups failed', { error: e });
    }
    for (const g of stored) {
      if (this.isCoordinatorFor(g))
        out.set(g, { groupId: g, protocolType: '', state: GroupState.Empty });
    }
    for (const group of this.groups.values()) {
      if (!group.is(GroupState.Dead)) out.set(group.groupId, group.overview());
    }
    const filter = new Set(statesFilter.map((s) => s.toLowerCase()));
    const groups = [...out.values()]
      .filter((g) => filter.size === 0 || filter.has(g.state.toLowerCase()))
      .sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0));
    return { errorCode: ErrorCode.NONE, groups };
  }

  /** Kafka answers an unknown group with state Dead and no error. */
  async handleDescribeGroup(
    groupId: string,
  ): Promise<{ errorCode: number; summary: GroupSummary }> {
    const emptySummary = (state: GroupState | ''): GroupSummary => ({
      state: state as GroupState,
      protocolType: '',
      protocol: '',
      members: [],
    });
    const error = this.validateGroupStatus(groupId, 'DescribeGroups');
    if (error !== null) return { errorCode: error, summary: emptySummary('') };
    const group = this.groups.get(groupId);
    if (group) return { errorCode: ErrorCode.NONE, summary: group.summary() };
    try {
      if (await this.offsetStore.groupExists(groupId)) {
        return { errorCode: ErrorCode.NONE, summary: emptySummary(GroupState.Empty) };
      }
    } catch {
      return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, summary: emptySummary('') };
    }
    return { errorCode: ErrorCode.NONE, summary: emptySummary(GroupState.Dead) };
  }

  /** Deletes Empty groups and their committed offsets; NON_EMPTY_GROUP for groups with members. */
  async handleDeleteGroups(groupIds: string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const groupId of groupIds) {
      const error = this.validateGroupStatus(groupId, 'DeleteGroups');
      if (error !== null) {
        out.set(groupId, error);
        continue;
      }
      const group = this.groups.get(groupId);
      if (group && !group.is(GroupState.Empty) && !group.is(GroupState.Dead)) {
        out.set(groupId, ErrorCode.NON_EMPTY_GROUP);
        continue;
      }
      try {
        const stored = await this.offsetStore.groupExists(groupId);
        const known = group !== undefined && group.is(GroupState.Empty);
        // members may have joined while the store answered
        const now = this.groups.get(groupId);
        if (now && !now.is(GroupState.Empty) && !now.is(GroupState.Dead)) {
          out.set(groupId, ErrorCode.NON_EMPTY_GROUP);
          continue;
        }
        if (!stored && !known) {
          out.set(groupId, ErrorCode.GROUP_ID_NOT_FOUND);
          continue;
        }
        if (now) {
          now.transitionTo(GroupState.Dead, this.time.milliseconds());
          this.groups.delete(groupId);
        }
        if (stored) await this.offsetStore.deleteGroup(groupId);
        this.log.info('deleted group', { group: groupId, hadOffsets: stored });
        out.set(groupId, ErrorCode.NONE);
      } catch (e) {
        this.log.warn('group deletion failed in the offset store', { group: groupId, error: e });
        out.set(groupId, ErrorCode.COORDINATOR_NOT_AVAILABLE);
      }
    }
    return out;
  }

  // ------------------------------------------------------------ helpers

  private validateGroupStatus(groupId: string, api: Api): number | null {
    const emptyAllowed =
      api === 'OffsetCommit' ||
      api === 'OffsetFetch' ||
      api === 'DescribeGroups' ||
      api === 'DeleteGroups';
    if (typeof groupId !== 'string' || (!emptyAllowed && groupId === '')) {
      return ErrorCode.INVALID_GROUP_ID;
    }
    if (!this.active) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (!this.isCoordinatorFor(groupId)) return ErrorCode.NOT_COORDINATOR;
    return null;
  }

  /** Kafka's onGroupUnloaded: waiting members learn NOT_COORDINATOR; the group is dropped. */
  private unloadGroup(group: GroupMetadata): void {
    switch (group.currentState) {
      case GroupState.PreparingRebalance:
        for (const m of group.allMemberMetadata) {
          group.maybeInvokeJoinCallback(m, joinError(m.memberId, ErrorCode.NOT_COORDINATOR));
        }
        break;
      case GroupState.CompletingRebalance:
      case GroupState.Stable:
        for (const m of group.allMemberMetadata) m.invokeSync(syncError(ErrorCode.NOT_COORDINATOR));
        break;
      default:
        break;
    }
    for (const m of group.allMemberMetadata) m.isLeaving = true;
    group.transitionTo(GroupState.Dead, this.time.milliseconds());
    // pending timers find the group Dead (or the member gone) and do nothing
    for (const m of group.allMemberMetadata) {
      this.heartbeatPurgatory.checkAndComplete(memberKey(group.groupId, m.memberId));
    }
    this.joinPurgatory.checkAndComplete(groupKey(group.groupId));
    this.groups.delete(group.groupId);
  }
}

/**
 * Any 64-bit offset is stored, as Kafka stores it: clients commit logical offsets too
 * (kafkajs' resetOffsets commits -2 = earliest) and treat a negative committed offset
 * as none, resolving it with their reset policy.
 */
function isValidOffset(o: CommittedOffset): boolean {
  return Number.isSafeInteger(o.offset) && Number.isSafeInteger(o.partition) && o.partition >= 0;
}
