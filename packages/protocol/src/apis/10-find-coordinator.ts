/**
 * FindCoordinator (key 10). Versions: 0.
 * v0: Kafka FindCoordinator v3's fields: key and keyType (0 = group,
 *     1 = transaction); response errorCode, errorMessage, nodeId, host, port.
 * Not implemented: the batched coordinatorKeys form of v4+.
 */
import { defineApi } from '../api';
import { int16, int32, int8, nullableString, string, struct } from '../schema';

export interface FindCoordinatorRequest {
  key: string;
  keyType: number;
}
export interface FindCoordinatorResponse {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  nodeId: number;
  host: string;
  port: number;
}

export const FindCoordinatorApi = defineApi({
  apiKey: 10,
  name: 'FindCoordinator',
  latest: {
    request: struct<FindCoordinatorRequest>({ key: string, keyType: int8 }),
    response: struct<FindCoordinatorResponse>({
      throttleTimeMs: int32,
      errorCode: int16,
      errorMessage: nullableString,
      nodeId: int32,
      host: string,
      port: int32,
    }),
  },
});
