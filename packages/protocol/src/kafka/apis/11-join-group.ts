/**
 * JoinGroup (key 11) on the Kafka listener. Versions 0-5.
 * v0: groupId, sessionTimeoutMs, memberId, protocolType, protocols. v1:
 * rebalanceTimeoutMs (v0: the session timeout, as Kafka does). v2: throttleTimeMs.
 * v3: same layout. v4: MEMBER_ID_REQUIRED handshake (same layout). v5:
 * groupInstanceId (static membership), members' groupInstanceId.
 * Not implemented: v6+ (flexible; response protocolType v7, reason v8,
 * skipAssignment v9). Below v7 a null protocolName is written as "".
 */
import type {
  JoinGroupRequest,
  JoinGroupRequestProtocol,
  JoinGroupResponse,
  JoinGroupResponseMember,
} from '../../apis/11-join-group';
import { defineKafkaApi } from '../api';
import { arrayOf, kafkaMessage, structOf } from '../schema';

const request = kafkaMessage<JoinGroupRequest>('JoinGroupRequest', '6+', [
  { name: 'groupId', type: 'string', versions: '0+' },
  { name: 'sessionTimeoutMs', type: 'int32', versions: '0+' },
  { name: 'rebalanceTimeoutMs', type: 'int32', versions: '1+', default: -1 },
  { name: 'memberId', type: 'string', versions: '0+' },
  {
    name: 'groupInstanceId',
    type: 'string',
    versions: '5+',
    nullableVersions: '5+',
    default: null,
  },
  { name: 'protocolType', type: 'string', versions: '0+' },
  {
    name: 'protocols',
    type: arrayOf(
      structOf<JoinGroupRequestProtocol>([
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'metadata', type: 'bytes', versions: '0+' },
      ]),
    ),
    versions: '0+',
  },
  { name: 'reason', type: 'string', versions: '8+', nullableVersions: '8+', default: null },
]);

type KafkaJoinGroupResponse = JoinGroupResponse & { skipAssignment?: boolean };

const response = kafkaMessage<KafkaJoinGroupResponse>('JoinGroupResponse', '6+', [
  { name: 'throttleTimeMs', type: 'int32', versions: '2+' },
  { name: 'errorCode', type: 'int16', versions: '0+' },
  { name: 'generationId', type: 'int32', versions: '0+', default: -1 },
  { name: 'protocolType', type: 'string', versions: '7+', nullableVersions: '7+', default: null },
  { name: 'protocolName', type: 'string', versions: '0+', nullableVersions: '7+' },
  { name: 'leader', type: 'string', versions: '0+' },
  { name: 'skipAssignment', type: 'bool', versions: '9+', default: false, drop: true },
  { name: 'memberId', type: 'string', versions: '0+' },
  {
    name: 'members',
    type: arrayOf(
      structOf<JoinGroupResponseMember>([
        { name: 'memberId', type: 'string', versions: '0+' },
        {
          name: 'groupInstanceId',
          type: 'string',
          versions: '5+',
          nullableVersions: '5+',
          default: null,
        },
        { name: 'metadata', type: 'bytes', versions: '0+' },
      ]),
    ),
    versions: '0+',
  },
]);

export const KafkaJoinGroupApi = defineKafkaApi<JoinGroupRequest, JoinGroupResponse>({
  apiKey: 11,
  name: 'JoinGroup',
  minVersion: 0,
  maxVersion: 5,
  request,
  response,
  requestToNative: (k, v) => {
    const req = k as unknown as JoinGroupRequest;
    if (v === 0) req.rebalanceTimeoutMs = req.sessionTimeoutMs;
    return req;
  },
  errorResponse: (_req, errorCode, _message, v) => ({
    throttleTimeMs: 0,
    errorCode,
    generationId: -1,
    protocolType: null,
    protocolName: v >= 7 ? null : '',
    leader: '',
    memberId: '',
    members: [],
  }),
});
