/**
 * DescribeTransactions (key 65) on the Kafka listener. Versions 0 (flexible).
 * v0: transactionalIds; response per id errorCode, transactionState,
 * transactionTimeoutMs, transactionStartTimeMs, producerId, producerEpoch (int32 on the
 * wire, as Kafka's schema), topicPartitions.
 */
import type {
  DescribeTransactionsRequest,
  DescribeTransactionsResponse,
  DescribeTransactionsState,
  DescribeTransactionsTopicData,
} from '../../apis/65-describe-transactions';
import { defineKafkaApi } from '../api';
import { arrayOf, kafkaMessage, structOf } from '../schema';

const request = kafkaMessage<DescribeTransactionsRequest>('DescribeTransactionsRequest', '0+', [
  { name: 'transactionalIds', type: arrayOf('string'), versions: '0+' },
]);

const response = kafkaMessage<DescribeTransactionsResponse>('DescribeTransactionsResponse', '0+', [
  { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
  {
    name: 'transactionStates',
    type: arrayOf(
      structOf<DescribeTransactionsState>([
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'transactionalId', type: 'string', versions: '0+' },
        { name: 'transactionState', type: 'string', versions: '0+' },
        { name: 'transactionTimeoutMs', type: 'int32', versions: '0+' },
        { name: 'transactionStartTimeMs', type: 'int64', versions: '0+' },
        { name: 'producerId', type: 'int64', versions: '0+' },
        { name: 'producerEpoch', type: 'int32', versions: '0+' },
        {
          name: 'topicPartitions',
          type: arrayOf(
            structOf<DescribeTransactionsTopicData>([
              { name: 'name', type: 'string', versions: '0+' },
              { name: 'partitionIndexes', type: arrayOf('int32'), versions: '0+' },
            ]),
          ),
          versions: '0+',
        },
      ]),
    ),
    versions: '0+',
  },
]);

export const KafkaDescribeTransactionsApi = defineKafkaApi<
  DescribeTransactionsRequest,
  DescribeTransactionsResponse
>({
  apiKey: 65,
  name: 'DescribeTransactions',
  minVersion: 0,
  maxVersion: 0,
  request,
  response,
  errorResponse: (req, errorCode) => ({
    throttleTimeMs: 0,
    transactionStates: (req?.transactionalIds ?? []).map((transactionalId) => ({
      errorCode,
      transactionalId,
      transactionState: '',
      transactionTimeoutMs: 0,
      transactionStartTimeMs: -1,
      producerId: -1,
      producerEpoch: -1,
      topicPartitions: [],
    })),
  }),
});
