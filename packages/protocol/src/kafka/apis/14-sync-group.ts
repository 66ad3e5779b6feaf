/**
 * SyncGroup (key 14) on the Kafka listener. Versions 0-3.
 * v0: groupId, generationId, memberId, assignments (from the leader). v1:
 * throttleTimeMs. v2: same layout. v3: groupInstanceId.
 * Not implemented: v4+ (flexible; protocolType/protocolName v5).
 */
import type {
  SyncGroupRequest,
  SyncGroupRequestAssignment,
  SyncGroupResponse,
} from '../../apis/14-sync-group';
import { defineKafkaApi } from '../api';
import { arrayOf, kafkaMessage, structOf } from '../schema';

const request = kafkaMessage<SyncGroupRequest>('SyncGroupRequest', '4+', [
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
  { name: 'protocolType', type: 'string', versions: '5+', nullableVersions: '5+', default: null },
  { name: 'protocolName', type: 'string', versions: '5+', nullableVersions: '5+', default: null },
  {
    name: 'assignments',
    type: arrayOf(
      structOf<SyncGroupRequestAssignment>([
        { name: 'memberId', type: 'string', versions: '0+' },
        { name: 'assignment', type: 'bytes', versions: '0+' },
      ]),
    ),
    versions: '0+',
  },
]);

const response = kafkaMessage<SyncGroupResponse>('SyncGroupResponse', '4+', [
  { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
  { name: 'errorCode', type: 'int16', versions: '0+' },
  { name: 'protocolType', type: 'string', versions: '5+', nullableVersions: '5+', default: null },
  { name: 'protocolName', type: 'string', versions: '5+', nullableVersions: '5+', default: null },
  { name: 'assignment', type: 'bytes', versions: '0+' },
]);

export const KafkaSyncGroupApi = defineKafkaApi<SyncGroupRequest, SyncGroupResponse>({
  apiKey: 14,
  name: 'SyncGroup',
  minVersion: 0,
  maxVersion: 3,
  request,
  response,
  errorResponse: (_req, errorCode) => ({
    throttleTimeMs: 0,
    errorCode,
    protocolType: null,
    protocolName: null,
    assignment: Buffer.alloc(0),
  }),
});
