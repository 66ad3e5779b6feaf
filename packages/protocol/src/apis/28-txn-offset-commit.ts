/**
 * TxnOffsetCommit (key 28). Versions: 0.
 * v0: Kafka TxnOffsetCommit v3's fields: transactionalId, groupId, producerId,
 *     producerEpoch, generationId/memberId/groupInstanceId (KIP-447; -1/''/null when the
 *     client does not send them), per partition committedOffset, committedLeaderEpoch,
 *     committedMetadata; response per partition errorCode. The offsets become the
 *     group's committed offsets only when the transaction commits.
 */
import { defineApi } from '../api';
import { array, int16, int32, int64, nullableString, string, struct } from '../schema';

export interface TxnOffsetCommitRequestPartition {
  partitionIndex: number;
  committedOffset: number;
  committedLeaderEpoch: number;
  committedMetadata: string | null;
}
export interface TxnOffsetCommitRequestTopic {
  name: string;
  partitions: TxnOffsetCommitRequestPartition[];
}
export interface TxnOffsetCommitRequest {
  transactionalId: string;
  groupId: string;
  producerId: number;
  producerEpoch: number;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  topics: TxnOffsetCommitRequestTopic[];
}
export interface TxnOffsetCommitResponsePartition {
  partitionIndex: number;
  errorCode: number;
}
export interface TxnOffsetCommitResponseTopic {
  name: string;
  partitions: TxnOffsetCommitResponsePartition[];
}
export interface TxnOffsetCommitResponse {
  throttleTimeMs: number;
  topics: TxnOffsetCommitResponseTopic[];
}

export const TxnOffsetCommitApi = defineApi({
  apiKey: 28,
  name: 'TxnOffsetCommit',
  latest: {
    request: struct<TxnOffsetCommitRequest>({
      transactionalId: string,
      groupId: string,
      producerId: int64,
      producerEpoch: int16,
      generationId: int32,
      memberId: string,
      groupInstanceId: nullableString,
      topics: array(
        struct<TxnOffsetCommitRequestTopic>({
          name: string,
          partitions: array(
            struct<TxnOffsetCommitRequestPartition>({
              partitionIndex: int32,
              committedOffset: int64,
              committedLeaderEpoch: int32,
              committedMetadata: nullableString,
            }),
          ),
        }),
      ),
    }),
    response: struct<TxnOffsetCommitResponse>({
      throttleTimeMs: int32,
      topics: array(
        struct<TxnOffsetCommitResponseTopic>({
          name: string,
          partitions: array(
            struct<TxnOffsetCommitResponsePartition>({ partitionIndex: int32, errorCode: int16 }),
          ),
        }),
      ),
    }),
  },
});
