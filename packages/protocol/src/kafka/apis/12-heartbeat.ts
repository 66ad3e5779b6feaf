/**
 * Heartbeat (key 12) on the Kafka listener. Versions 0-3.
 * v0: groupId, generationId, memberId. v1: throttleTimeMs. v2: same layout. v3:
 * groupInstanceId.
 * Not implemented: v4 (flexible).
 */
import type { HeartbeatRequest, HeartbeatResponse } from '../../apis/12-heartbeat';
import { defineKafkaApi } from '../api';
import { kafkaMessage } from '../schema';

const request = kafkaMessage<HeartbeatRequest>('HeartbeatRequest', '4+', [
  { name: 'groupId', type: 'string', versions: '0+' },
  { name: 'generationId', type: 'int32', versions: '0+' },
  { name: 'memberId', type: 'string', versions: '0+' },
  {
    name: 'groupInstanceId',
    type: 'string',
    versions: '3+',
    nullableVersions: '3+',
    default: null,
  },
]);

const response = kafkaMessage<HeartbeatResponse>('HeartbeatResponse', '4+', [
  { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
  { name: 'errorCode', type: 'int16', versions: '0+' },
]);

export const KafkaHeartbeatApi = defineKafkaApi<HeartbeatRequest, HeartbeatResponse>({
  apiKey: 12,
  name: 'Heartbeat',
  minVersion: 0,
  maxVersion: 3,
  request,
  response,
  errorResponse: (_req, errorCode) => ({ throttleTimeMs: 0, errorCode }),
});
