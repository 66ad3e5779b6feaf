/**
 * OffsetForLeaderEpoch (key 23). Versions: 0.
 * v0: Kafka OffsetForLeaderEpoch v3-v4's fields: replicaId (the follower's id, -1
 *     for consumers), per partition currentLeaderEpoch (fencing) and leaderEpoch
 *     (the epoch whose end offset is wanted); response per partition the largest
 *     epoch <= the requested one and its end offset. Followers truncate with it
 *     after a leader change (KIP-101, KIP-279).
 * Not implemented: nothing of v4.
 */
import { defineApi } from '../api';
import { array, int16, int32, int64, string, struct } from '../schema';

export interface OffsetForLeaderPartition {
  partition: number;
  currentLeaderEpoch: number;
  leaderEpoch: number;
}
export interface OffsetForLeaderTopic {
  topic: string;
  partitions: OffsetForLeaderPartition[];
}
export interface OffsetForLeaderEpochRequest {
  replicaId: number;
  topics: OffsetForLeaderTopic[];
}
export interface EpochEndOffset {
  errorCode: number;
  partition: number;
  leaderEpoch: number;
  endOffset: number;
}
export interface OffsetForLeaderTopicResult {
  topic: string;
  partitions: EpochEndOffset[];
}
export interface OffsetForLeaderEpochResponse {
  throttleTimeMs: number;
  topics: OffsetForLeaderTopicResult[];
}

export const OffsetForLeaderEpochApi = defineApi({
  apiKey: 23,
  name: 'OffsetForLeaderEpoch',
  latest: {
    request: struct<OffsetForLeaderEpochRequest>({
      replicaId: int32,
      topics: array(
        struct<OffsetForLeaderTopic>({
          topic: string,
          partitions: array(
            struct<OffsetForLeaderPartition>({
              partition: int32,
              currentLeaderEpoch: int32,
              leaderEpoch: int32,
            }),
          ),
        }),
      ),
    }),
    response: struct<OffsetForLeaderEpochResponse>({
      throttleTimeMs: int32,
      topics: array(
        struct<OffsetForLeaderTopicResult>({
          topic: string,
          partitions: array(
            struct<EpochEndOffset>({
              errorCode: int16,
              partition: int32,
              leaderEpoch: int32,
              endOffset: int64,
            }),
          ),
        }),
      ),
    }),
  },
});
