/**
 * SyncGroup (key 14), v0 (Kafka v5's fields): the leader sends every member's
 * assignment; followers wait until it arrives, then each gets its own.
 * Errors: REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID,
 * INCONSISTENT_GROUP_PROTOCOL, INVALID_GROUP_ID, NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE,
 * FENCED_INSTANCE_ID.
 */
import type { SyncGroupRequest, SyncGroupResponse } from '@kzoo/protocol';
import { groupCoordinatorOf, type BrokerContext } from '../server/BrokerContext';

export async function handleSyncGroup(
  broker: BrokerContext,
  req: SyncGroupRequest,
): Promise<SyncGroupResponse> {
  const coordinator = groupCoordinatorOf(broker);
  const r = await coordinator.handleSyncGroup({
    ...req,
    // own the bytes: the request frame is released after the handler returns
    assignments: req.assignments.map((a) => ({
      memberId: a.memberId,
      assignment: Buffer.from(a.assignment),
    })),
  });
  return {
    throttleTimeMs: 0,
    errorCode: r.errorCode,
    protocolType: r.protocolType,
    protocolName: r.protocolName,
    assignment: r.assignment,
  };
}
