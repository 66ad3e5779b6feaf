/**
 * ListGroups (key 16), v0: the groups this broker coordinates (clients ask every
 * broker and merge), including groups that only have committed offsets in ZooKeeper
 * (Empty, protocol type ''). statesFilter matches state names case-insensitively.
 * Errors: COORDINATOR_NOT_AVAILABLE.
 */
import type { ListGroupsRequest, ListGroupsResponse } from '@kzoo/protocol';
import { groupCoordinatorOf, type BrokerContext } from '../server/BrokerContext';

export async function handleListGroups(
  broker: BrokerContext,
  req: ListGroupsRequest,
): Promise<ListGroupsResponse> {
  const coordinator = groupCoordinatorOf(broker);
  const r = await coordinator.handleListGroups(req.statesFilter);
  return {
    throttleTimeMs: 0,
    errorCode: r.errorCode,
    groups: r.groups.map((g) => ({
      groupId: g.groupId,
      protocolType: g.protocolType,
      groupState: g.state,
    })),
  };
}
