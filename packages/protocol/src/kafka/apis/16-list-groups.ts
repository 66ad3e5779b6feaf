/**
 * ListGroups (key 16) on the Kafka listener. Versions 0-2.
 * v0: no request fields; response errorCode and (groupId, protocolType). v1:
 * throttleTimeMs. v2: same layout.
 * Not implemented: v3+ (flexible; statesFilter/groupState v4, typesFilter v5).
 * Requests always map to statesFilter [] (all states).
 */
import type { ListGroupsRequest, ListGroupsResponse, ListedGroup } from '../../apis/16-list-groups';
import { defineKafkaApi } from '../api';
import { arrayOf, kafkaMessage, structOf } from '../schema';

const request = kafkaMessage<ListGroupsRequest>('ListGroupsRequest', '3+', [
  { name: 'statesFilter', type: arrayOf('string'), versions: '4+' },
]);

const response = kafkaMessage<ListGroupsResponse>('ListGroupsResponse', '3+', [
  { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
  { name: 'errorCode', type: 'int16', versions: '0+' },
  {
    name: 'groups',
    type: arrayOf(
      structOf<ListedGroup>([
        { name: 'groupId', type: 'string', versions: '0+' },
        { name: 'protocolType', type: 'string', versions: '0+' },
        { name: 'groupState', type: 'string', versions: '4+' },
      ]),
    ),
    versions: '0+',
  },
]);

export const KafkaListGroupsApi = defineKafkaApi<ListGroupsRequest, ListGroupsResponse>({
  apiKey: 16,
  name: 'ListGroups',
  minVersion: 0,
  maxVersion: 2,
  request,
  response,
  errorResponse: (_req, errorCode) => ({ throttleTimeMs: 0, errorCode, groups: [] }),
});
