/**
 * EndTxn (key 26) on the Kafka listener. Versions 0-2.
 * v0: transactionalId, producerId, producerEpoch, committed; response errorCode. v1:
 * same layout. v2: PRODUCER_FENCED instead of INVALID_PRODUCER_EPOCH.
 * Not implemented: v3+ (flexible; KIP-890's epoch in the response).
 */
import type { EndTxnRequest, EndTxnResponse } from '../../apis/26-end-txn';
import { defineKafkaApi } from '../api';
import { kafkaMessage } from '../schema';

const request = kafkaMessage<EndTxnRequest>('EndTxnRequest', '3+', [
  { name: 'transactionalId', type: 'string', versions: '0+' },
  { name: 'producerId', type: 'int64', versions: '0+' },
  { name: 'producerEpoch', type: 'int16', versions: '0+' },
  { name: 'committed', type: 'bool', versions: '0+' },
]);

const response = kafkaMessage<EndTxnResponse>('EndTxnResponse', '3+', [
  { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
  { name: 'errorCode', type: 'int16', versions: '0+' },
]);

export const KafkaEndTxnApi = defineKafkaApi<EndTxnRequest, EndTxnResponse>({
  apiKey: 26,
  name: 'EndTxn',
  minVersion: 0,
  maxVersion: 2,
  request,
  response,
  errorResponse: (_req, errorCode) => ({ throttleTimeMs: 0, errorCode }),
});
