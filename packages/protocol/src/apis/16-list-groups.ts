/**
 * ListGroups (key 16). Versions: 0.
 * v0: Kafka ListGroups v4's fields: statesFilter ([] = all states); response
 *     errorCode and groups with protocolType and groupState.
 * Not implemented: typesFilter (v5).
 */
import { defineApi } from '../api';
import { array, int16, int32, string, struct } from '../schema';

export interface ListGroupsRequest {
  statesFilter: string[];
}
export interface ListedGroup {
  groupId: string;
  protocolType: string;
  groupState: string;
}
export interface ListGroupsResponse {
  throttleTimeMs: number;
  errorCode: number;
  groups: ListedGroup[];
}

export const ListGroupsApi = defineApi({
  apiKey: 16,
  name: 'ListGroups',
  latest: {
    request: struct<ListGroupsRequest>({ statesFilter: array(string) }),
    response: struct<ListGroupsResponse>({
      throttleTimeMs: int32,
      errorCode: int16,
      groups: array(
        struct<ListedGroup>({ groupId: string, protocolType: string, groupState: string }),
      ),
    }),
  },
});
