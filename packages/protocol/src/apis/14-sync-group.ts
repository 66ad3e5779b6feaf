/**
 * SyncGroup (key 14). Versions: 0.
 * v0: Kafka SyncGroup v5's fields: groupId, generationId, memberId,
 *     groupInstanceId, protocolType, protocolName, and (from the leader) one opaque
 *     assignment per member; response protocolType, protocolName and this member's
 *     assignment.
 * Not implemented: nothing of v5.
 */
import { defineApi } from '../api';
import { array, bytes, int16, int32, nullableString, string, struct } from '../schema';

export interface SyncGroupRequestAssignment {
  memberId: string;
  assignment: Buffer;
}
export interface SyncGroupRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  protocolType: string | null;
  protocolName: string | null;
  assignments: SyncGroupRequestAssignment[];
}
export interface SyncGroupResponse {
  throttleTimeMs: number;
  errorCode: number;
  protocolType: string | null;
  protocolName: string | null;
  assignment: Buffer;
}

export const SyncGroupApi = defineApi({
  apiKey: 14,
  name: 'SyncGroup',
  latest: {
    request: struct<SyncGroupRequest>({
      groupId: string,
      generationId: int32,
      memberId: string,
      groupInstanceId: nullableString,
      protocolType: nullableString,
      protocolName: nullableString,
      assignments: array(
        struct<SyncGroupRequestAssignment>({ memberId: string, assignment: bytes }),
      ),
    }),
    response: struct<SyncGroupResponse>({
      throttleTimeMs: int32,
      errorCode: int16,
      protocolType: nullableString,
      protocolName: nullableString,
      assignment: bytes,
    }),
  },
});
