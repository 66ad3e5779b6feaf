/**
 * LeaveGroup (key 13) on the Kafka listener. Versions 0-3.
 * v0: groupId, memberId (one member). v1: throttleTimeMs. v2: same layout. v3: a
 * batch of members (memberId, groupInstanceId); response one error per member.
 * v0-2 map to a native batch of one member; their responses carry only the
 * top-level errorCode (the first member error when the top level is 0, as Kafka does).
 * Not implemented: v4+ (flexible; reason v5).
 */
import type {
  LeaveGroupRequest,
  LeaveGroupRequestMember,
  LeaveGroupResponse,
  LeaveGroupResponseMember,
} from '../../apis/13-leave-group';
import { defineKafkaApi } from '../api';
import { arrayOf, kafkaMessage, structOf } from '../schema';

type KafkaLeaveGroupRequest = LeaveGroupRequest & { memberId?: string };

const request = kafkaMessage<KafkaLeaveGroupRequest>('LeaveGroupRequest', '4+', [
  { name: 'groupId', type: 'string', versions: '0+' },
  { name: 'memberId', type: 'string', versions: '0-2' },
  {
    name: 'members',
    type: arrayOf(
      structOf<LeaveGroupRequestMember>([
        { name: 'memberId', type: 'string', versions: '3+' },
        {
          name: 'groupInstanceId',
          type: 'string',
          versions: '3+',
          nullableVersions: '3+',
          default: null,
        },
        { name: 'reason', type: 'string', versions: '5+', nullableVersions: '5+', default: null },
      ]),
    ),
    versions: '3+',
  },
]);

const response = kafkaMessage<LeaveGroupResponse>('LeaveGroupResponse', '4+', [
  { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
  { name: 'errorCode', type: 'int16', versions: '0+' },
  {
    name: 'members',
    type: arrayOf(
      structOf<LeaveGroupResponseMember>([
        { name: 'memberId', type: 'string', versions: '3+' },
        { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+' },
        { name: 'errorCode', type: 'int16', versions: '3+' },
      ]),
    ),
    versions: '3+',
  },
]);

export const KafkaLeaveGroupApi = defineKafkaApi<LeaveGroupRequest, LeaveGroupResponse>({
  apiKey: 13,
  name: 'LeaveGroup',
  minVersion: 0,
  maxVersion: 3,
  request,
  response,
  requestToNative: (k, v) => {
    if (v >= 3) {
      delete k.memberId;
      return k as unknown as LeaveGroupRequest;
    }
    return {
      groupId: k.groupId as string,
      members: [{ memberId: k.memberId as string, groupInstanceId: null, reason: null }],
    };
  },
  requestFromNative: (n, v) =>
    v >= 3 ? n : { groupId: n.groupId, memberId: n.members[0]?.memberId ?? '' },
  responseFromNative: (n, v) =>
    v >= 3 || n.errorCode !== 0
      ? n
      : { ...n, errorCode: n.members.find((m) => m.errorCode !== 0)?.errorCode ?? 0 },
  errorResponse: (_req, errorCode) => ({ throttleTimeMs: 0, errorCode, members: [] }),
});
