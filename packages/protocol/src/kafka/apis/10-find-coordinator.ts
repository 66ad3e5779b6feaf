/**
 * FindCoordinator (key 10) on the Kafka listener. Versions 0-2.
 * v0: key (a group id). v1: keyType (0 group, 1 transaction), throttleTimeMs,
 * errorMessage. v2: same layout.
 * Not implemented: v3+ (flexible; batched coordinatorKeys from v4).
 */
import type {
  FindCoordinatorRequest,
  FindCoordinatorResponse,
} from '../../apis/10-find-coordinator';
import { defineKafkaApi } from '../api';
import { kafkaMessage } from '../schema';

const request = kafkaMessage<FindCoordinatorRequest>('FindCoordinatorRequest', '3+', [
  { name: 'key', type: 'string', versions: '0-3' },
  { name: 'keyType', type: 'int8', versions: '1+', default: 0 },
]);

const response = kafkaMessage<FindCoordinatorResponse>('FindCoordinatorResponse', '3+', [
  { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
  { name: 'errorCode', type: 'int16', versions: '0-3' },
  { name: 'errorMessage', type: 'string', versions: '1-3', nullableVersions: '1-3' },
  { name: 'nodeId', type: 'int32', versions: '0-3' },
  { name: 'host', type: 'string', versions: '0-3' },
  { name: 'port', type: 'int32', versions: '0-3' },
]);

export const KafkaFindCoordinatorApi = defineKafkaApi<
  FindCoordinatorRequest,
  FindCoordinatorResponse
>({
  apiKey: 10,
  name: 'FindCoordinator',
  minVersion: 0,
  maxVersion: 2,
  request,
  response,
  errorResponse: (_req, errorCode, message) => ({
    throttleTimeMs: 0,
    errorCode,
    errorMessage: message,
    nodeId: -1,
    host: '',
    port: -1,
  }),
});
