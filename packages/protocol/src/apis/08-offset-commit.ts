/**
 * OffsetCommit (key 8). Versions: 0.
 * v0: Kafka OffsetCommit v7's fields: groupId, generationId (-1 for a simple,
 *     group-less commit), memberId, groupInstanceId, per partition committedOffset,
 *     committedLeaderEpoch and committedMetadata; response one error per partition.
 * Not implemented: retentionTimeMs (v2-v4, removed by Kafka), topic ids.
 */
import { defineApi } from '../api';
import { array, int16, int32, int64, nullableString, string, struct } from '../schema';

export interface OffsetCommitRequestPartition {
  partitionIndex: number;
  committedOffset: number;
  committedLeaderEpoch: number;
  committedMetadata: string | null;
}
export interface OffsetCommitRequestTopic {
  name: string;
  partitions: OffsetCommitRequestPartition[];
}
export interface OffsetCommitRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  topics: OffsetCommitRequestTopic[];
}
export interface OffsetCommitResponsePartition {
  partitionIndex: number;
  errorCode: number;
}
export interface OffsetCommitResponseTopic {
  name: string;
  partitions: OffsetCommitResponsePartition[];
}
export interface OffsetCommitResponse {
  throttleTimeMs: number;
  topics: OffsetCommitResponseTopic[];
}

export const OffsetCommitApi = defineApi({
  apiKey: 8,
  name: 'OffsetCommit',
  latest: {
    request: struct<OffsetCommitRequest>({
      groupId: string,
      generationId: int32,
      memberId: string,
      groupInstanceId: nullableString,
      topics: array(
        struct<OffsetCommitRequestTopic>({
          name: string,
          partitions: array(
            struct<OffsetCommitRequestPartition>({
              partitionIndex: int32,
              committedOffset: int64,
              committedLeaderEpoch: int32,
              committedMetadata: nullableString,
            }),
          ),
        }),
      ),
    }),
    response: struct<OffsetCommitResponse>({
      throttleTimeMs: int32,
      topics: array(
        struct<OffsetCommitResponseTopic>({
          name: string,
          partitions: array(
            struct<OffsetCommitResponsePartition>({ partitionIndex: int32, errorCode: int16 }),
          ),
        }),
      ),
    }),
  },
});
