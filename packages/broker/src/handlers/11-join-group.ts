/**
 * JoinGroup (key 11), v0 (Kafka v7-v8's fields): handed to the GroupCoordinator. A
 * first join without member id is answered MEMBER_ID_REQUIRED with the id to rejoin
 * with (KIP-394: on kzoo's protocol and Kafka's JoinGroup v4+); the response is sent when the join phase completes.
 * clientId and clientHost come from the request header and the connection.
 * Errors: INVALID_GROUP_ID, NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE,
 * INVALID_SESSION_TIMEOUT, MEMBER_ID_REQUIRED, UNKNOWN_MEMBER_ID,
 * INCONSISTENT_GROUP_PROTOCOL, GROUP_MAX_SIZE_REACHED, FENCED_INSTANCE_ID.
 * A static member (groupInstanceId, Kafka's v5+) joins without MEMBER_ID_REQUIRED and,
 * rejoining after a restart, gets its assignment back without a rebalance (KIP-345).
 * Not implemented: `reason`.
 */
import type { JoinGroupRequest, JoinGroupResponse } from '@kzoo/protocol';
import type { RequestContext } from '../network';
import { groupCoordinatorOf, type BrokerContext } from '../server/BrokerContext';

/** Kafka prints client hosts as `/address`. */
export function clientHostOf(ctx: RequestContext): string {
  const addr = ctx.clientAddress;
  const host = addr.includes(':') ? addr.slice(0, addr.lastIndexOf(':')) : addr;
  return `/${host}`;
}

export async function handleJoinGroup(
  broker: BrokerContext,
  req: JoinGroupRequest,
  ctx: RequestContext,
): Promise<JoinGroupResponse> {
  const coordinator = groupCoordinatorOf(broker);
  const r = await coordinator.handleJoinGroup({
    groupId: req.groupId,
    memberId: req.memberId,
    groupInstanceId: req.groupInstanceId,
    // KIP-394: from Kafka's JoinGroup v4 (and always on kzoo's protocol), a first join
    // gets MEMBER_ID_REQUIRED with the id to rejoin with; older Kafka clients join directly,
    // and so do static members (the coordinator skips it for a groupInstanceId).
    requireKnownMemberId: ctx.wire === 'kzoo' || ctx.header.apiVersion >= 4,
    clientId: ctx.header.clientId ?? '',
    clientHost: clientHostOf(ctx),
    rebalanceTimeoutMs: req.rebalanceTimeoutMs,
    sessionTimeoutMs: req.sessionTimeoutMs,
    protocolType: req.protocolType,
    protocols: req.protocols.map((p) => ({ name: p.name, metadata: Buffer.from(p.metadata) })),
  });
  return {
    throttleTimeMs: 0,
    errorCode: r.errorCode,
    generationId: r.generationId,
    protocolType: r.protocolType,
    protocolName: r.protocolName,
    leader: r.leaderId,
    memberId: r.memberId,
    members: r.members,
  };
}
