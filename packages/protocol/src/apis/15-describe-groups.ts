/**
 * DescribeGroups (key 15). Versions: 0.
 * v0: Kafka DescribeGroups v4's fields: group ids; response per group errorCode,
 *     groupState (Kafka's names: Empty, PreparingRebalance, CompletingRebalance,
 *     Stable, Dead), protocolType, protocolData and members with their metadata and
 *     assignment.
 * Not implemented: includeAuthorizedOperations, errorMessage (v6).
 */
import { defineApi } from '../api';
import { array, bytes, int16, int32, nullableString, string, struct } from '../schema';

export interface DescribeGroupsRequest {
  groups: string[];
}
export interface DescribedGroupMember {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  memberMetadata: Buffer;
  memberAssignment: Buffer;
}
export interface DescribedGroup {
  errorCode: number;
  groupId: string;
  groupState: string;
  protocolType: string;
  protocolData: string;
  members: DescribedGroupMember[];
}
export interface DescribeGroupsResponse {
  throttleTimeMs: number;
  groups: DescribedGroup[];
}

export const DescribeGroupsApi = defineApi({
  apiKey: 15,
  name: 'DescribeGroups',
  latest: {
    request: struct<DescribeGroupsRequest>({ groups: array(string) }),
    response: struct<DescribeGroupsResponse>({
      throttleTimeMs: int32,
      groups: array(
        struct<DescribedGroup>({
          errorCode: int16,
          groupId: string,
          groupState: string,
          protocolType: string,
          protocolData: string,
          members: array(
            struct<DescribedGroupMember>({
              memberId: string,
              groupInstanceId: nullableString,
              clientId: string,
              clientHost: string,
              memberMetadata: bytes,
              memberAssignment: bytes,
            }),
          ),
        }),
      ),
    }),
  },
});
