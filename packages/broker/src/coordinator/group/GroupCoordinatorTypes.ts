/**
 * The GroupCoordinator's request parameters and results, independent of the wire
 * format (the handlers in ../../handlers map them to and from the protocol's types).
 */
import type { Logger, Time } from '@kzoo/common';
import type { Timer } from '../../server/Timer';
import type { GroupConfig } from './GroupConfig';
import type { GroupProtocol } from './MemberMetadata';
import type { CommittedOffset, OffsetStore } from './OffsetStore';

export interface JoinGroupParams {
  groupId: string;
  /** '' on a member's first join. */
  memberId: string;
  groupInstanceId?: string | null;
  /** KIP-394: answer a first join with MEMBER_ID_REQUIRED (true for every kzoo client). */
  requireKnownMemberId?: boolean;
  clientId: string;
  clientHost: string;
  /** The consumer sends `max.poll.interval.ms`; <= 0 means "same as the session timeout". */
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  protocolType: string;
  protocols: GroupProtocol[];
}

export interface SyncGroupParams {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId?: string | null;
  protocolType?: string | null;
  protocolName?: string | null;
  assignments: Array<{ memberId: string; assignment: Buffer }>;
}

export interface HeartbeatParams {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId?: string | null;
}

export interface LeaveGroupResult {
  errorCode: number;
  members: Array<{ memberId: string; groupInstanceId: string | null; errorCode: number }>;
}

export interface OffsetCommitParams {
  groupId: string;
  /** -1 with memberId '' for a "standalone" commit (no group management). */
  generationId: number;
  memberId: string;
  groupInstanceId?: string | null;
  offsets: CommittedOffset[];
}

export interface PartitionResult {
  topic: string;
  partition: number;
  errorCode: number;
}

export interface OffsetFetchResult {
  errorCode: number;
  /** For a request with partitions: one entry each, offset -1 where none is committed. */
  offsets: Array<CommittedOffset & { errorCode: number }>;
}

export interface GroupCoordinatorOptions {
  brokerId: number;
  offsetStore: OffsetStore;
  config?: Partial<GroupConfig>;
  /** Schedules heartbeat expiry and rebalance timeouts; its `time` is the coordinator's clock. */
  timer?: Timer;
  time?: Time;
  /** Whether this broker coordinates the group now (see coordinatorForGroup); default: all. */
  isCoordinatorFor?: (groupId: string) => boolean;
  logger?: Logger;
}
