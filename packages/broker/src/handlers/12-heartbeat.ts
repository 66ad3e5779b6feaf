/**
 * Heartbeat (key 12), v0: renews the member's session at the GroupCoordinator.
 * Errors: REBALANCE_IN_PROGRESS (rejoin), ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID,
 * INVALID_GROUP_ID, NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE, FENCED_INSTANCE_ID (a
 * static member's old member id, replaced by a newer instance).
 */
import type { HeartbeatRequest, HeartbeatResponse } from '@kzoo/protocol';
import { groupCoordinatorOf, type BrokerContext } from '../server/BrokerContext';

export function handleHeartbeat(broker: BrokerContext, req: HeartbeatRequest): HeartbeatResponse {
  const coordinator = groupCoordinatorOf(broker);
  return { throttleTimeMs: 0, errorCode: coordinator.handleHeartbeat(req) };
}
