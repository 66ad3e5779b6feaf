/**
 * AddPartitionsToTxn (key 24) on the Kafka listener. Versions 0-2.
 * v0: transactionalId, producerId, producerEpoch, topics; response per partition
 * errorCode. v1: same layout. v2: PRODUCER_FENCED instead of INVALID_PRODUCER_EPOCH.
 * Not implemented: v3 (flexible), the batched broker form of v4+.
 */
import type {
  AddPartitionsToTxnRequest,
  AddPartitionsToTxnResponse,
  AddPartitionsToTxnTopic,
  AddPartitionsToTxnTopicResult,
  AddPartitionsToTxnPartitionResult,
} from '../../apis/24-add-partitions-to-txn';
import { defineKafkaApi } from '../api';
import { arrayOf, kafkaMessage, structOf } from '../schema';

const request = kafkaMessage<AddPartitionsToTxnRequest>('AddPartitionsToTxnRequest', '3+', [
  { name: 'transactionalId', type: 'string', versions: '0-3' },
  { name: 'producerId', type: 'int64', versions: '0-3' },
  { name: 'producerEpoch', type: 'int16', versions: '0-3' },
  {
    name: 'topics',
    type: arrayOf(
      structOf<AddPartitionsToTxnTopic>([
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'partitions', type: arrayOf('int32'), versions: '0+' },
      ]),
    ),
    versions: '0-3',
  },
]);

const response = kafkaMessage<AddPartitionsToTxnResponse>('AddPartitionsToTxnResponse', '3+', [
  { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
  {
    name: 'resultsByTopic',
    type: arrayOf(
      structOf<AddPartitionsToTxnTopicResult>([
        { name: 'name', type: 'string', versions: '0+' },
        {
          name: 'resultsByPartition',
          type: arrayOf(
            structOf<AddPartitionsToTxnPartitionResult>([
              { name: 'partitionIndex', type: 'int32', versions: '0+' },
              { name: 'partitionErrorCode', type: 'int16', versions: '0+' },
            ]),
          ),
          versions: '0+',
        },
      ]),
    ),
    versions: '0-3',
  },
]);

export const KafkaAddPartitionsToTxnApi = defineKafkaApi<
  AddPartitionsToTxnRequest,
  AddPartitionsToTxnResponse
>({
  apiKey: 24,
  name: 'AddPartitionsToTxn',
  minVersion: 0,
  maxVersion: 2,
  request,
  response,
  errorResponse: (req, errorCode) => ({
    throttleTimeMs: 0,
    resultsByTopic: (req?.topics ?? []).map((t) => ({
      name: t.name,
      resultsByPartition: t.partitions.map((p) => ({
        partitionIndex: p,
        partitionErrorCode: errorCode,
      })),
    })),
  }),
});
