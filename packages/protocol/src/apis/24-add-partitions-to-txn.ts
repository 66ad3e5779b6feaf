/**
 * AddPartitionsToTxn (key 24). Versions: 0.
 * v0: Kafka AddPartitionsToTxn v3's fields (the client form): transactionalId,
 *     producerId, producerEpoch and the topics' partitions to add to the ongoing
 *     transaction; response per partition errorCode.
 * Not implemented: the batched, verify-only broker form of v4+ (KIP-890).
 */
import { defineApi } from '../api';
import { array, int16, int32, int64, string, struct } from '../schema';

export interface AddPartitionsToTxnTopic {
  name: string;
  partitions: number[];
}
export interface AddPartitionsToTxnRequest {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  topics: AddPartitionsToTxnTopic[];
}
export interface AddPartitionsToTxnPartitionResult {
  partitionIndex: number;
  partitionErrorCode: number;
}
export interface AddPartitionsToTxnTopicResult {
  name: string;
  resultsByPartition: AddPartitionsToTxnPartitionResult[];
}
export interface AddPartitionsToTxnResponse {
  throttleTimeMs: number;
  resultsByTopic: AddPartitionsToTxnTopicResult[];
}

export const AddPartitionsToTxnApi = defineApi({
  apiKey: 24,
  name: 'AddPartitionsToTxn',
  latest: {
    request: struct<AddPartitionsToTxnRequest>({
      transactionalId: string,
      producerId: int64,
      producerEpoch: int16,
      topics: array(struct<AddPartitionsToTxnTopic>({ name: string, partitions: array(int32) })),
    }),
    response: struct<AddPartitionsToTxnResponse>({
      throttleTimeMs: int32,
      resultsByTopic: array(
        struct<AddPartitionsToTxnTopicResult>({
          name: string,
          resultsByPartition: array(
            struct<AddPartitionsToTxnPartitionResult>({
              partitionIndex: int32,
              partitionErrorCode: int16,
            }),
          ),
        }),
      ),
    }),
  },
});
