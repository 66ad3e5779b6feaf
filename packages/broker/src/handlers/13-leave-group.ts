/**
 * LeaveGroup (key 13), v0 (Kafka v5's batch of members): each member leaves at once,
 * and the group rebalances without waiting for its session to expire.
 * Errors: top level INVALID_GROUP_ID, NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE; per
 * member UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID. A static member may be named by its
 * groupInstanceId alone (member id '', as Kafka's Admin removeMembersFromConsumerGroup).
 */
import type { LeaveGroupRequest, LeaveGroupResponse } from '@kzoo/protocol';
import { groupCoordinatorOf, type BrokerContext } from '../server/BrokerContext';

export function handleLeaveGroup(
  broker: BrokerContext,
  req: LeaveGroupRequest,
): LeaveGroupResponse {
  const coordinator = groupCoordinatorOf(broker);
  const r = coordinator.handleLeaveGroup(req.groupId, req.members);
  return { throttleTimeMs: 0, errorCode: r.errorCode, members: r.members };
}
