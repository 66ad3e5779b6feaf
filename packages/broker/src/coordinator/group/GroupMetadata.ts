/**
 * A group's state, as Kafka's `GroupMetadata.scala`: the state machine (enum +
 * valid-previous-states table + `transitionTo()` that throws on an illegal move),
 * the members, the generation, the chosen protocol and the leader. Membership is
 * kept in memory only (committed offsets live in ZooKeeper, see OffsetStore).
 */
import { randomUUID } from 'node:crypto';
import { ErrorCode } from '@kzoo/common';
import {
  GroupProtocol,
  JoinCallback,
  joinError,
  JoinGroupResultMember,
  MemberMetadata,
  syncError,
} from './MemberMetadata';

export enum GroupState {
  /**
   * Group has no more members, but lingers until all offsets have expired. This state
   * also represents groups which use Kafka only for offset commits and have no members.
   *
   * action: respond normally to join group from new members;
   *         respond to sync group with UNKNOWN_MEMBER_ID;
   *         respond to heartbeat with UNKNOWN_MEMBER_ID;
   *         respond to leave group with UNKNOWN_MEMBER_ID;
   *         respond to offset commit with UNKNOWN_MEMBER_ID, or store it when it comes
   *         with generation -1 and no member id (a "standalone" commit);
   *         allow offset fetch requests.
   * transition: new member joins => PreparingRebalance;
   *             group is deleted (DeleteGroups) or no longer coordinated here => Dead.
   */
  Empty = 'Empty',
  /**
   * Group is preparing to rebalance.
   *
   * action: respond to heartbeats with REBALANCE_IN_PROGRESS;
   *         respond to sync group with REBALANCE_IN_PROGRESS;
   *         remove member on leave group request;
   *         park join group requests from new or existing members until all expected
   *         members have joined (or the rebalance timeout passes);
   *         allow offset commits from members of the current generation;
   *         allow offset fetch requests.
   * transition: some members have joined by the timeout => CompletingRebalance;
   *             all members have left the group => Empty;
   *             group is no longer coordinated here => Dead.
   */
  PreparingRebalance = 'PreparingRebalance',
  /**
   * Group is awaiting the state assignment from the leader (called AwaitingSync
   * before Kafka 1.1).
   *
   * action: respond to heartbeats with REBALANCE_IN_PROGRESS;
   *         respond to offset commits with REBALANCE_IN_PROGRESS;
   *         park sync group requests from followers until transition to Stable;
   *         allow offset fetch requests.
   * transition: sync group with the assignment received from the leader => Stable;
   *             join group from a new member or an existing member with updated
   *             metadata => PreparingRebalance;
   *             leave group from an existing member => PreparingRebalance;
   *             member failure detected => PreparingRebalance;
   *             group is no longer coordinated here => Dead.
   */
  CompletingRebalance = 'CompletingRebalance',
  /**
   * Group is stable.
   *
   * action: respond to member heartbeats normally;
   *         respond to sync group from any member with its current assignment;
   *         respond to join group from followers with matching metadata with the
   *         current group metadata;
   *         allow offset commits from members of the current generation;
   *         allow offset fetch requests.
   * transition: member failure detected via heartbeat => PreparingRebalance;
   *             leave group from an existing member => PreparingRebalance;
   *             leader join group received => PreparingRebalance;
   *             follower join group with new metadata => PreparingRebalance;
   *             group is no longer coordinated here => Dead.
   */
  Stable = 'Stable',
  /**
   * Group has no more members and its metadata is being removed.
   *
   * action: respond to join group with UNKNOWN_MEMBER_ID (COORDINATOR_NOT_AVAILABLE
   *         for a member id the coordinator never saw: let it find the coordinator again);
   *         respond to sync group, heartbeat, leave group and offset commit with
   *         COORDINATOR_NOT_AVAILABLE;
   *         allow offset fetch requests.
   * transition: Dead is a final state before group metadata is cleaned up, so there
   *             are no transitions (Dead => Dead is allowed, as in Kafka).
   */
  Dead = 'Dead',
}

/** The states each state may be entered from (Kafka's `validPreviousStates`). */
export const VALID_PREVIOUS_STATES: Readonly<Record<GroupState, readonly GroupState[]>> = {
  [GroupState.Dead]: [
    GroupState.Stable,
    GroupState.PreparingRebalance,
    GroupState.CompletingRebalance,
    GroupState.Empty,
    GroupState.Dead,
  ],
  [GroupState.CompletingRebalance]: [GroupState.PreparingRebalance],
  [GroupState.Stable]: [GroupState.CompletingRebalance],
  [GroupState.PreparingRebalance]: [
    GroupState.Stable,
    GroupState.CompletingRebalance,
    GroupState.Empty,
  ],
  [GroupState.Empty]: [GroupState.PreparingRebalance],
};

export class IllegalGroupStateTransitionError extends Error {
  constructor(
    readonly groupId: string,
    readonly from: GroupState,
    readonly to: GroupState,
  ) {
    super(
      `group ${groupId} should be in one of the states ${VALID_PREVIOUS_STATES[to].join(', ')} ` +
        `before moving to ${to}, but it is in ${from}`,
    );
    this.name = 'IllegalGroupStateTransitionError';
  }
}

export interface GroupOverview {
  groupId: string;
  protocolType: string;
  state: GroupState;
}

export interface MemberSummary {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  metadata: Buffer;
  assignment: Buffer;
}

export interface GroupSummary {
  state: GroupState;
  protocolType: string;
  /** The chosen protocol while Stable, '' otherwise (as Kafka). */
  protocol: string;
  members: MemberSummary[];
}

export class GroupMetadata {
  private state: GroupState;
  generationId = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  /** A member joined the first rebalance of an empty group: the initial delay may extend. */
  newMemberAdded = false;
  currentStateTimestampMs: number;
  private readonly members = new Map<string, MemberMetadata>();
  /** Member ids handed out with MEMBER_ID_REQUIRED whose second JoinGroup is awaited. */
  private readonly pendingMembers = new Set<string>();
  /** Static members (KIP-345): group.instance.id -> its current member id. */
  private readonly staticMembers = new Map<string, string>();
  private numMembersAwaitingJoin = 0;
  /** How many members support each protocol. */
  private readonly supportedProtocols = new Map<string, number>();

  constructor(
    readonly groupId: string,
    initialState: GroupState,
    nowMs: number,
  ) {
    this.state = initialState;
    this.currentStateTimestampMs = nowMs;
  }

  get currentState(): GroupState {
    return this.state;
  }

  is(state: GroupState): boolean {
    return this.state === state;
  }

  has(memberId: string): boolean {
    return this.members.has(memberId);
  }

  get(memberId: string): MemberMetadata {
    const m = this.members.get(memberId);
    if (!m) throw new Error(`group ${this.groupId} has no member ${memberId}`);
    return m;
  }

  get size(): number {
    return this.members.size;
  }

  isLeader(memberId: string): boolean {
    return this.leaderId === memberId;
  }

  get allMembers(): string[] {
    return [...this.members.keys()];
  }

  get allMemberMetadata(): MemberMetadata[] {
    return [...this.members.values()];
  }

  /** The largest rebalance timeout of the members: how long a join phase may last. */
  get rebalanceTimeoutMs(): number {
    let max = 0;
    for (const m of this.members.values()) max = Math.max(max, m.rebalanceTimeoutMs);
    return max;
  }

  /** `<group.instance.id>-<uuid>` for a static member, `<client.id>-<uuid>` otherwise (as Kafka). */
  generateMemberId(clientId: string, groupInstanceId: string | null = null): string {
    return `${groupInstanceId ?? clientId}-${randomUUID()}`;
  }

  add(member: MemberMetadata, callback: JoinCallback | null): void {
    if (this.members.size === 0) this.protocolType = member.protocolType;
    if (member.groupId !== this.groupId) throw new Error('member of another group');
    if (this.protocolType !== member.protocolType) throw new Error('inconsistent protocol type');
    if (!this.leaderId) this.leaderId = member.memberId;
    this.members.set(member.memberId, member);
    this.incSupportedProtocols(member);
    member.awaitingJoinCallback = callback;
    if (member.isAwaitingJoin) this.numMembersAwaitingJoin++;
  }

  remove(memberId: string): void {
    const member = this.members.get(memberId);
    if (!member) return;
    this.members.delete(memberId);
    this.decSupportedProtocols(member);
    if (member.isAwaitingJoin) this.numMembersAwaitingJoin--;
    if (member.groupInstanceId !== null) this.staticMembers.delete(member.groupInstanceId);
    if (this.isLeader(memberId)) this.leaderId = this.members.keys().next().value ?? null;
  }

  /** Whether `groupInstanceId` (null = a dynamic member) names a static member of the group. */
  hasStaticMember(groupInstanceId: string | null | undefined): groupInstanceId is string {
    return groupInstanceId != null && this.staticMembers.has(groupInstanceId);
  }

  /** The current member id of a static member. */
  staticMemberId(groupInstanceId: string): string {
    const id = this.staticMembers.get(groupInstanceId);
    if (id === undefined)
      throw new Error(`group ${this.groupId} has no static member ${groupInstanceId}`);
    return id;
  }

  addStaticMember(groupInstanceId: string, memberId: string): void {
    this.staticMembers.set(groupInstanceId, memberId);
  }

  /** The group.instance.ids of the static members. */
  get allStaticMembers(): string[] {
    return [...this.staticMembers.keys()];
  }

  /**
   * A request carrying a known group.instance.id with a member id that is not that
   * instance's current one comes from a fenced (replaced) instance: FENCED_INSTANCE_ID.
   */
  isStaticMemberFenced(memberId: string, groupInstanceId: string | null | undefined): boolean {
    return (
      this.hasStaticMember(groupInstanceId) && this.staticMemberId(groupInstanceId) !== memberId
    );
  }

  /**
   * A static member rejoined without its member id: the member keeps everything
   * (assignment, protocols, leadership) under `newMemberId`; a JoinGroup or SyncGroup
   * the old id still waits for is answered FENCED_INSTANCE_ID. Returns the member.
   */
  replaceStaticMember(
    oldMemberId: string,
    newMemberId: string,
    groupInstanceId: string,
  ): MemberMetadata {
    const member = this.get(oldMemberId);
    this.maybeInvokeJoinCallback(member, joinError(oldMemberId, ErrorCode.FENCED_INSTANCE_ID));
    member.invokeSync(syncError(ErrorCode.FENCED_INSTANCE_ID));
    this.members.delete(oldMemberId);
    member.memberId = newMemberId;
    this.members.set(newMemberId, member);
    if (this.isLeader(oldMemberId)) this.leaderId = newMemberId;
    this.staticMembers.set(groupInstanceId, newMemberId);
    return member;
  }

  addPendingMember(memberId: string): void {
    this.pendingMembers.add(memberId);
  }

  removePendingMember(memberId: string): void {
    this.pendingMembers.delete(memberId);
  }

  isPendingMember(memberId: string): boolean {
    return this.pendingMembers.has(memberId);
  }

  get numPending(): number {
    return this.pendingMembers.size;
  }

  updateMember(
    member: MemberMetadata,
    protocols: GroupProtocol[],
    callback: JoinCallback | null,
  ): void {
    this.decSupportedProtocols(member);
    member.supportedProtocols = protocols;
    this.incSupportedProtocols(member);
    if (callback) {
      if (!member.isAwaitingJoin) this.numMembersAwaitingJoin++;
    } else if (member.isAwaitingJoin) {
      this.numMembersAwaitingJoin--;
    }
    member.awaitingJoinCallback = callback;
  }

  /** Answers a member's pending JoinGroup; keeps the awaiting-join count right. */
  maybeInvokeJoinCallback(member: MemberMetadata, result: Parameters<JoinCallback>[0]): boolean {
    if (!member.isAwaitingJoin) return false;
    this.numMembersAwaitingJoin--;
    return member.invokeJoin(result);
  }

  /** Every known member has sent its JoinGroup and no handed-out id is outstanding. */
  get hasAllMembersJoined(): boolean {
    return this.members.size === this.numMembersAwaitingJoin && this.pendingMembers.size === 0;
  }

  get notYetRejoinedMembers(): MemberMetadata[] {
    return this.allMemberMetadata.filter((m) => !m.isAwaitingJoin);
  }

  /** If the leader has not rejoined, makes the first rejoined member leader; false if none. */
  maybeElectNewJoinedLeader(): boolean {
    if (this.leaderId && this.members.get(this.leaderId)?.isAwaitingJoin) return true;
    const joined = this.allMemberMetadata.find((m) => m.isAwaitingJoin);
    if (!joined) return false;
    this.leaderId = joined.memberId;
    return true;
  }

  get canRebalance(): boolean {
    return VALID_PREVIOUS_STATES[GroupState.PreparingRebalance].includes(this.state);
  }

  transitionTo(target: GroupState, nowMs: number = this.currentStateTimestampMs): void {
    if (!VALID_PREVIOUS_STATES[target].includes(this.state)) {
      throw new IllegalGroupStateTransitionError(this.groupId, this.state, target);
    }
    this.state = target;
    this.currentStateTimestampMs = nowMs;
  }

  /** Protocols every member supports. */
  candidateProtocols(): Set<string> {
    const n = this.members.size;
    return new Set([...this.supportedProtocols].filter(([, c]) => c === n).map(([p]) => p));
  }

  /**
   * The protocol for the next generation: each member votes for its most preferred
   * candidate; the most votes wins (ties go to the protocol voted for first).
   */
  selectProtocol(): string {
    if (this.members.size === 0)
      throw new Error(`cannot select protocol for empty group ${this.groupId}`);
    const candidates = this.candidateProtocols();
    const votes = new Map<string, number>();
    for (const m of this.members.values()) {
      const v = m.vote(candidates);
      votes.set(v, (votes.get(v) ?? 0) + 1);
    }
    let best = '';
    let bestVotes = -1;
    for (const [p, c] of votes) {
      if (c > bestVotes) {
        best = p;
        bestVotes = c;
      }
    }
    return best;
  }

  /** Whether a member with this protocol type and these protocols may join. */
  supportsProtocols(memberProtocolType: string, memberProtocols: Set<string>): boolean {
    if (this.is(GroupState.Empty) || this.members.size === 0) {
      return memberProtocolType.length > 0 && memberProtocols.size > 0;
    }
    return (
      this.protocolType === memberProtocolType &&
      [...memberProtocols].some((p) => this.supportedProtocols.get(p) === this.members.size)
    );
  }

  /** Moves to the next generation: CompletingRebalance with members, Empty without. */
  initNextGeneration(nowMs: number): void {
    this.generationId += 1;
    if (this.members.size > 0) {
      this.protocolName = this.selectProtocol();
      this.transitionTo(GroupState.CompletingRebalance, nowMs);
    } else {
      this.protocolName = null;
      this.transitionTo(GroupState.Empty, nowMs);
    }
  }

  /** Each member's metadata for the chosen protocol (what the leader receives). */
  currentMemberMetadata(): JoinGroupResultMember[] {
    const protocol = this.protocolName;
    if (!protocol || this.is(GroupState.Dead) || this.is(GroupState.PreparingRebalance)) {
      throw new Error(
        `cannot obtain member metadata for group ${this.groupId} in state ${this.state}`,
      );
    }
    return this.allMemberMetadata.map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      metadata: m.metadata(protocol),
    }));
  }

  summary(): GroupSummary {
    const stable = this.is(GroupState.Stable);
    return {
      state: this.state,
      protocolType: this.protocolType ?? '',
      protocol: stable ? (this.protocolName ?? '') : '',
      members: this.allMemberMetadata.map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        metadata: stable && this.protocolName ? m.metadata(this.protocolName) : Buffer.alloc(0),
        assignment: stable ? m.assignment : Buffer.alloc(0),
      })),
    };
  }

  overview(): GroupOverview {
    return { groupId: this.groupId, protocolType: this.protocolType ?? '', state: this.state };
  }

  private incSupportedProtocols(member: MemberMetadata): void {
    for (const p of member.protocols()) {
      this.supportedProtocols.set(p, (this.supportedProtocols.get(p) ?? 0) + 1);
    }
  }

  private decSupportedProtocols(member: MemberMetadata): void {
    for (const p of member.protocols()) {
      const c = (this.supportedProtocols.get(p) ?? 0) - 1;
      if (c <= 0) this.supportedProtocols.delete(p);
      else this.supportedProtocols.set(p, c);
    }
  }

  toString(): string {
    return `GroupMetadata(groupId=${this.groupId}, generation=${this.generationId}, protocolType=${this.protocolType}, currentState=${this.state}, members=${this.members.size})`;
  }
}
