/**
 * Heartbeat (key 12). Versions: 0.
 * v0: Kafka Heartbeat v3's fields: groupId, generationId, memberId,
 *     groupInstanceId; response errorCode (REBALANCE_IN_PROGRESS asks the member to
 *     rejoin).
 * Not implemented: nothing of v3.
 */
import { defineApi } from '../api';
import { int16, int32, nullableString, string, struct } from '../schema';

export interface HeartbeatRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
}
export interface HeartbeatResponse {
  throttleTimeMs: number;
  errorCode: number;
}

export const HeartbeatApi = defineApi({
  apiKey: 12,
  name: 'Heartbeat',
  latest: {
    request: struct<HeartbeatRequest>({
      groupId: string,
      generationId: int32,
      memberId: string,
      groupInstanceId: nullableString,
    }),
    response: struct<HeartbeatResponse>({ throttleTimeMs: int32, errorCode: int16 }),
  },
});
