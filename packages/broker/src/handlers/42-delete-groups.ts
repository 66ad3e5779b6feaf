/**
 * DeleteGroups (key 42), v0: deletes Empty groups and their committed offsets
 * (`/consumers/<group>` in ZooKeeper).
 * Errors per group: NON_EMPTY_GROUP (68), GROUP_ID_NOT_FOUND (69), NOT_COORDINATOR,
 * COORDINATOR_NOT_AVAILABLE.
 */
import type { DeleteGroupsRequest, DeleteGroupsResponse } from '@kzoo/protocol';
import { groupCoordinatorOf, type BrokerContext } from '../server/BrokerContext';

export async function handleDeleteGroups(
  broker: BrokerContext,
  req: DeleteGroupsRequest,
): Promise<DeleteGroupsResponse> {
  const coordinator = groupCoordinatorOf(broker);
  const ids = [...new Set(req.groupsNames)];
  const r = await coordinator.handleDeleteGroups(ids);
  return {
    throttleTimeMs: 0,
    results: ids.map((groupId) => ({ groupId, errorCode: r.get(groupId)! })),
  };
}
