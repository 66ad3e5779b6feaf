/**
 * DescribeGroups (key 15), v0: each group's state (Kafka's names), protocol type,
 * chosen protocol (Stable only) and members; metadata and assignments while Stable.
 * A group this broker does not know is Dead with no error (as Kafka); a group with only
 * committed offsets in ZooKeeper is Empty.
 * Errors per group: INVALID_GROUP_ID, NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE.
 * Not implemented: authorized operations.
 */
import type { DescribeGroupsRequest, DescribeGroupsResponse } from '@kzoo/protocol';
import { groupCoordinatorOf, type BrokerContext } from '../server/BrokerContext';

export async function handleDescribeGroups(
  broker: BrokerContext,
  req: DescribeGroupsRequest,
): Promise<DescribeGroupsResponse> {
  const coordinator = groupCoordinatorOf(broker);
  const groups = await Promise.all(
    req.groups.map(async (groupId) => {
      const { errorCode, summary } = await coordinator.handleDescribeGroup(groupId);
      return {
        errorCode,
        groupId,
        groupState: summary.state,
        protocolType: summary.protocolType,
        protocolData: summary.protocol,
        members: summary.members.map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          memberMetadata: m.metadata,
          memberAssignment: m.assignment,
        })),
      };
    }),
  );
  return { throttleTimeMs: 0, groups };
}
