/**
 * One member of a group, as Kafka's `MemberMetadata.scala`: its ids, timeouts, the
 * protocols it supports (name + opaque metadata, in its order of preference), the
 * assignment the leader gave it, and the JoinGroup / SyncGroup responses it is
 * waiting for.
 */

/** How long a member that joined but never got a JoinGroup response is kept (Kafka: 5 min). */
export const NEW_MEMBER_JOIN_TIMEOUT_MS = 5 * 60 * 1000;

export interface GroupProtocol {
  name: string;
  metadata: Buffer;
}

export interface JoinGroupResultMember {
  memberId: string;
  groupInstanceId: string | null;
  metadata: Buffer;
}

export interface JoinGroupResult {
  errorCode: number;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  /** The leader's member id ('' when none). */
  leaderId: string;
  memberId: string;
  /** Every member's metadata for the chosen protocol, for the leader only. */
  members: JoinGroupResultMember[];
}

export interface SyncGroupResult {
  errorCode: number;
  protocolType: string | null;
  protocolName: string | null;
  assignment: Buffer;
}

export type JoinCallback = (r: JoinGroupResult) => void;
export type SyncCallback = (r: SyncGroupResult) => void;

export function joinError(memberId: string, errorCode: number): JoinGroupResult {
  return {
    errorCode,
    generationId: -1,
    protocolType: null,
    protocolName: null,
    leaderId: '',
    memberId,
    members: [],
  };
}

export function syncError(errorCode: number): SyncGroupResult {
  return { errorCode, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) };
}

export class MemberMetadata {
  assignment: Buffer = Buffer.alloc(0);
  awaitingJoinCallback: JoinCallback | null = null;
  awaitingSyncCallback: SyncCallback | null = null;
  /** Joined but not yet answered with a JoinGroup response of a completed rebalance. */
  isNew = false;
  /** Left (LeaveGroup) or removed: its heartbeat expiry must not act any more. */
  isLeaving = false;
  latestHeartbeatMs = 0;

  constructor(
    /** Changes only when a static member rejoins and replaces its old id (KIP-345). */
    public memberId: string,
    readonly groupId: string,
    readonly groupInstanceId: string | null,
    readonly clientId: string,
    readonly clientHost: string,
    public rebalanceTimeoutMs: number,
    public sessionTimeoutMs: number,
    readonly protocolType: string,
    public supportedProtocols: GroupProtocol[],
  ) {}

  /** A member with a `group.instance.id` (KIP-345). */
  get isStaticMember(): boolean {
    return this.groupInstanceId !== null;
  }

  get isAwaitingJoin(): boolean {
    return this.awaitingJoinCallback !== null;
  }

  get isAwaitingSync(): boolean {
    return this.awaitingSyncCallback !== null;
  }

  protocols(): Set<string> {
    return new Set(this.supportedProtocols.map((p) => p.name));
  }

  /** This member's metadata for `protocol`. */
  metadata(protocol: string): Buffer {
    const p = this.supportedProtocols.find((x) => x.name === protocol);
    if (!p) throw new Error(`member ${this.memberId} does not support protocol ${protocol}`);
    return p.metadata;
  }

  /** Same protocols, same order, same metadata bytes. */
  matches(protocols: GroupProtocol[]): boolean {
    if (protocols.length !== this.supportedProtocols.length) return false;
    return protocols.every(
      (p, i) =>
        p.name === this.supportedProtocols[i].name &&
        Buffer.compare(p.metadata, this.supportedProtocols[i].metadata) === 0,
    );
  }

  /** This member's most preferred protocol among `candidates`. */
  vote(candidates: Set<string>): string {
    const p = this.supportedProtocols.find((x) => candidates.has(x.name));
    if (!p) throw new Error(`member ${this.memberId} supports none of ${[...candidates]}`);
    return p.name;
  }

  /**
   * Whether a heartbeat deadline at `deadlineMs` should not expire this member: one
   * waiting in a JoinGroup is kept (a new one only up to NEW_MEMBER_JOIN_TIMEOUT_MS),
   * one waiting for its SyncGroup answer is kept, otherwise the last heartbeat counts.
   */
  shouldKeepAlive(deadlineMs: number): boolean {
    if (this.isAwaitingJoin) {
      return !this.isNew || this.latestHeartbeatMs + NEW_MEMBER_JOIN_TIMEOUT_MS > deadlineMs;
    }
    return this.isAwaitingSync || this.latestHeartbeatMs + this.sessionTimeoutMs > deadlineMs;
  }

  /** Answers the pending JoinGroup, if any. */
  invokeJoin(r: JoinGroupResult): boolean {
    const cb = this.awaitingJoinCallback;
    if (!cb) return false;
    this.awaitingJoinCallback = null;
    cb(r);
    return true;
  }

  /** Answers the pending SyncGroup, if any. */
  invokeSync(r: SyncGroupResult): boolean {
    const cb = this.awaitingSyncCallback;
    if (!cb) return false;
    this.awaitingSyncCallback = null;
    cb(r);
    return true;
  }

  toString(): string {
    return (
      `MemberMetadata(memberId=${this.memberId}, clientId=${this.clientId}, ` +
      `groupInstanceId=${this.groupInstanceId}, clientHost=${this.clientHost}, sessionTimeoutMs=${this.sessionTimeoutMs}, ` +
      `rebalanceTimeoutMs=${this.rebalanceTimeoutMs}, protocols=${[...this.protocols()]})`
    );
  }
}
