/**
 * AddOffsetsToTxn (key 25) on the Kafka listener. Versions 0-2.
 * v0: transactionalId, producerId, producerEpoch, groupId; response errorCode. v1: same
 * layout. v2: PRODUCER_FENCED instead of INVALID_PRODUCER_EPOCH.
 * Not implemented: v3+ (flexible).
 */
import type {
  AddOffsetsToTxnRequest,
  AddOffsetsToTxnResponse,
} from '../../apis/25-add-offsets-to-txn';
import { defineKafkaApi } from '../api';
import { kafkaMessage } from '../schema';

const request = kafkaMessage<AddOffsetsToTxnRequest>('AddOffsetsToTxnRequest', '3+', [
  { name: 'transactionalId', type: 'string', versions: '0+' },
  { name: 'producerId', type: 'int64', versions: '0+' },
  { name: 'producerEpoch', type: 'int16', versions: '0+' },
  { name: 'groupId', type: 'string', versions: '0+' },
]);

const response = kafkaMessage<AddOffsetsToTxnResponse>('AddOffsetsToTxnResponse', '3+', [
  { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
  { name: 'errorCode', type: 'int16', versions: '0+' },
]);

export const KafkaAddOffsetsToTxnApi = defineKafkaApi<
  AddOffsetsToTxnRequest,
  AddOffsetsToTxnResponse
>({
  apiKey: 25,
  name: 'AddOffsetsToTxn',
  minVersion: 0,
  maxVersion: 2,
  request,
  response,
  errorResponse: (_req, errorCode) => ({ throttleTimeMs: 0, errorCode }),
});
