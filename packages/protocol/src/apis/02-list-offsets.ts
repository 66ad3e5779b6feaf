/**
 * ListOffsets (key 2). Versions: 0.
 * v0: Kafka ListOffsets v4's fields: replicaId, isolationLevel, per partition
 *     currentLeaderEpoch and timestamp (-1 = latest, -2 = earliest, else the first
 *     offset with a timestamp >= it); response timestamp, offset and leaderEpoch.
 * Not implemented: max-timestamp (-3) and tiered-storage specials, timeoutMs.
 */
import { defineApi } from '../api';
import { array, int16, int32, int64, int8, string, struct } from '../schema';

export interface ListOffsetsRequestPartition {
  partitionIndex: number;
  currentLeaderEpoch: number;
  timestamp: number;
}
export interface ListOffsetsRequestTopic {
  name: string;
  partitions: ListOffsetsRequestPartition[];
}
export interface ListOffsetsRequest {
  replicaId: number;
  isolationLevel: number;
  topics: ListOffsetsRequestTopic[];
}
export interface ListOffsetsResponsePartition {
  partitionIndex: number;
  errorCode: number;
  timestamp: number;
  offset: number;
  leaderEpoch: number;
}
export interface ListOffsetsResponseTopic {
  name: string;
  partitions: ListOffsetsResponsePartition[];
}
export interface ListOffsetsResponse {
  throttleTimeMs: number;
  topics: ListOffsetsResponseTopic[];
}

export const ListOffsetsApi = defineApi({
  apiKey: 2,
  name: 'ListOffsets',
  latest: {
    request: struct<ListOffsetsRequest>({
      replicaId: int32,
      isolationLevel: int8,
      topics: array(
        struct<ListOffsetsRequestTopic>({
          name: string,
          partitions: array(
            struct<ListOffsetsRequestPartition>({
              partitionIndex: int32,
              currentLeaderEpoch: int32,
              timestamp: int64,
            }),
          ),
        }),
      ),
    }),
    response: struct<ListOffsetsResponse>({
      throttleTimeMs: int32,
      topics: array(
        struct<ListOffsetsResponseTopic>({
          name: string,
          partitions: array(
            struct<ListOffsetsResponsePartition>({
              partitionIndex: int32,
              errorCode: int16,
              timestamp: int64,
              offset: int64,
              leaderEpoch: int32,
            }),
          ),
        }),
      ),
    }),
  },
});
