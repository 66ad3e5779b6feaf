/**
 * JoinGroup (key 11). Versions: 0.
 * v0: Kafka JoinGroup v7-v8's fields: groupId, sessionTimeoutMs,
 *     rebalanceTimeoutMs, memberId ("" on first join; MEMBER_ID_REQUIRED hands one
 *     out), groupInstanceId (static membership), protocolType, protocols with their
 *     opaque metadata, reason; response generationId, protocolType, protocolName,
 *     leader, memberId and, for the leader, every member's metadata.
 * Not implemented: skipAssignment (v9, KIP-814).
 */
import { defineApi } from '../api';
import { array, bytes, int16, int32, nullableString, string, struct } from '../schema';

export interface JoinGroupRequestProtocol {
  name: string;
  metadata: Buffer;
}
export interface JoinGroupRequest {
  groupId: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  memberId: string;
  groupInstanceId: string | null;
  protocolType: string;
  protocols: JoinGroupRequestProtocol[];
  reason: string | null;
}
export interface JoinGroupResponseMember {
  memberId: string;
  groupInstanceId: string | null;
  metadata: Buffer;
}
export interface JoinGroupResponse {
  throttleTimeMs: number;
  errorCode: number;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leader: string;
  memberId: string;
  members: JoinGroupResponseMember[];
}

export const JoinGroupApi = defineApi({
  apiKey: 11,
  name: 'JoinGroup',
  latest: {
    request: struct<JoinGroupRequest>({
      groupId: string,
      sessionTimeoutMs: int32,
      rebalanceTimeoutMs: int32,
      memberId: string,
      groupInstanceId: nullableString,
      protocolType: string,
      protocols: array(struct<JoinGroupRequestProtocol>({ name: string, metadata: bytes })),
      reason: nullableString,
    }),
    response: struct<JoinGroupResponse>({
      throttleTimeMs: int32,
      errorCode: int16,
      generationId: int32,
      protocolType: nullableString,
      protocolName: nullableString,
      leader: string,
      memberId: string,
      members: array(
        struct<JoinGroupResponseMember>({
          memberId: string,
          groupInstanceId: nullableString,
          metadata: bytes,
        }),
      ),
    }),
  },
});
