/**
 * DescribeTransactions (key 65). Versions: 0.
 * v0: Kafka DescribeTransactions v0's fields (KIP-664): the transactional ids to
 *     describe; response per id errorCode, state (Kafka's state names), timeout, start
 *     time, producer id and epoch, and the partitions in the transaction.
 */
import { defineApi } from '../api';
import { array, int16, int32, int64, string, struct } from '../schema';

export interface DescribeTransactionsRequest {
  transactionalIds: string[];
}
export interface DescribeTransactionsTopicData {
  name: string;
  partitionIndexes: number[];
}
export interface DescribeTransactionsState {
  errorCode: number;
  transactionalId: string;
  transactionState: string;
  transactionTimeoutMs: number;
  transactionStartTimeMs: number;
  producerId: number;
  producerEpoch: number;
  topicPartitions: DescribeTransactionsTopicData[];
}
export interface DescribeTransactionsResponse {
  throttleTimeMs: number;
  transactionStates: DescribeTransactionsState[];
}

export const DescribeTransactionsApi = defineApi({
  apiKey: 65,
  name: 'DescribeTransactions',
  latest: {
    request: struct<DescribeTransactionsRequest>({ transactionalIds: array(string) }),
    response: struct<DescribeTransactionsResponse>({
      throttleTimeMs: int32,
      transactionStates: array(
        struct<DescribeTransactionsState>({
          errorCode: int16,
          transactionalId: string,
          transactionState: string,
          transactionTimeoutMs: int32,
          transactionStartTimeMs: int64,
          producerId: int64,
          producerEpoch: int32,
          topicPartitions: array(
            struct<DescribeTransactionsTopicData>({
              name: string,
              partitionIndexes: array(int32),
            }),
          ),
        }),
      ),
    }),
  },
});
