/**
 * LeaveGroup (key 13). Versions: 0.
 * v0: Kafka LeaveGroup v5's fields: groupId and a batch of members (memberId,
 *     groupInstanceId, reason); response errorCode and one error per member.
 * Not implemented: nothing of v5.
 */
import { defineApi } from '../api';
import { array, int16, int32, nullableString, string, struct } from '../schema';

export interface LeaveGroupRequestMember {
  memberId: string;
  groupInstanceId: string | null;
  reason: string | null;
}
export interface LeaveGroupRequest {
  groupId: string;
  members: LeaveGroupRequestMember[];
}
export interface LeaveGroupResponseMember {
  memberId: string;
  groupInstanceId: string | null;
  errorCode: number;
}
export interface LeaveGroupResponse {
  throttleTimeMs: number;
  errorCode: number;
  members: LeaveGroupResponseMember[];
}

export const LeaveGroupApi = defineApi({
  apiKey: 13,
  name: 'LeaveGroup',
  latest: {
    request: struct<LeaveGroupRequest>({
      groupId: string,
      members: array(
        struct<LeaveGroupRequestMember>({
          memberId: string,
          groupInstanceId: nullableString,
          reason: nullableString,
        }),
      ),
    }),
    response: struct<LeaveGroupResponse>({
      throttleTimeMs: int32,
      errorCode: int16,
      members: array(
        struct<LeaveGroupResponseMember>({
          memberId: string,
          groupInstanceId: nullableString,
          errorCode: int16,
        }),
      ),
    }),
  },
});
