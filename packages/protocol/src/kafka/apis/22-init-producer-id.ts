/**
 * InitProducerId (key 22) on the Kafka listener. Versions 0-1.
 * v0: transactionalId, transactionTimeoutMs; response producerId/producerEpoch.
 * v1: same layout.
 * Not implemented: v2+ (flexible; producerId/producerEpoch in the request v3).
 * Requests map to producerId -1, producerEpoch -1 (a new producer).
 */
import type { InitProducerIdRequest, InitProducerIdResponse } from '../../apis/22-init-producer-id';
import { defineKafkaApi } from '../api';
import { kafkaMessage } from '../schema';

const request = kafkaMessage<InitProducerIdRequest>('InitProducerIdRequest', '2+', [
  { name: 'transactionalId', type: 'string', versions: '0+', nullableVersions: '0+' },
  { name: 'transactionTimeoutMs', type: 'int32', versions: '0+' },
  { name: 'producerId', type: 'int64', versions: '3+', default: -1 },
  { name: 'producerEpoch', type: 'int16', versions: '3+', default: -1 },
]);

const response = kafkaMessage<InitProducerIdResponse>('InitProducerIdResponse', '2+', [
  { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
  { name: 'errorCode', type: 'int16', versions: '0+' },
  { name: 'producerId', type: 'int64', versions: '0+', default: -1 },
  { name: 'producerEpoch', type: 'int16', versions: '0+' },
]);

export const KafkaInitProducerIdApi = defineKafkaApi<InitProducerIdRequest, InitProducerIdResponse>(
  {
    apiKey: 22,
    name: 'InitProducerId',
    minVersion: 0,
    maxVersion: 1,
    request,
    response,
    errorResponse: (_req, errorCode) => ({
      throttleTimeMs: 0,
      errorCode,
      producerId: -1,
      producerEpoch: -1,
    }),
  },
);
