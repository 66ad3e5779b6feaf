/**
 * DeleteGroups (key 42). Versions: 0.
 * v0: Kafka DeleteGroups v2's fields: groupsNames; response per group errorCode
 *     (GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP, ...).
 * Not implemented: nothing of v2.
 */
import { defineApi } from '../api';
import { array, int16, int32, string, struct } from '../schema';

export interface DeleteGroupsRequest {
  groupsNames: string[];
}
export interface DeletableGroupResult {
  groupId: string;
  errorCode: number;
}
export interface DeleteGroupsResponse {
  throttleTimeMs: number;
  results: DeletableGroupResult[];
}

export const DeleteGroupsApi = defineApi({
  apiKey: 42,
  name: 'DeleteGroups',
  latest: {
    request: struct<DeleteGroupsRequest>({ groupsNames: array(string) }),
    response: struct<DeleteGroupsResponse>({
      throttleTimeMs: int32,
      results: array(struct<DeletableGroupResult>({ groupId: string, errorCode: int16 })),
    }),
  },
});
