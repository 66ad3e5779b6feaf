/**
 * DeleteGroups (key 42) on the Kafka listener. Versions 0-1.
 * v0: groupsNames; per group errorCode. v1: same layout.
 * Not implemented: v2 (flexible).
 */
import type {
  DeletableGroupResult,
  DeleteGroupsRequest,
  DeleteGroupsResponse,
} from '../../apis/42-delete-groups';
import { defineKafkaApi } from '../api';
import { arrayOf, kafkaMessage, structOf } from '../schema';

const request = kafkaMessage<DeleteGroupsRequest>('DeleteGroupsRequest', '2+', [
  { name: 'groupsNames', type: arrayOf('string'), versions: '0+' },
]);

const response = kafkaMessage<DeleteGroupsResponse>('DeleteGroupsResponse', '2+', [
  { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
  {
    name: 'results',
    type: arrayOf(
      structOf<DeletableGroupResult>([
        { name: 'groupId', type: 'string', versions: '0+' },
        { name: 'errorCode', type: 'int16', versions: '0+' },
      ]),
    ),
    versions: '0+',
  },
]);

export const KafkaDeleteGroupsApi = defineKafkaApi<DeleteGroupsRequest, DeleteGroupsResponse>({
  apiKey: 42,
  name: 'DeleteGroups',
  minVersion: 0,
  maxVersion: 1,
  request,
  response,
  errorResponse: (req, errorCode) => ({
    throttleTimeMs: 0,
    results: (req?.groupsNames ?? []).map((groupId) => ({ groupId, errorCode })),
  }),
});
