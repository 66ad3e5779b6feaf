/**
 * DescribeGroups (key 15) on the Kafka listener. Versions 0-4.
 * v0: group ids; per group state, protocol and members. v1: throttleTimeMs. v2:
 * same layout. v3: includeAuthorizedOperations (read and dropped; answered with
 * Kafka's "not requested" INT32_MIN). v4: members' groupInstanceId.
 * Not implemented: authorized operations, v5+ (flexible).
 */
import type {
  DescribeGroupsRequest,
  DescribeGroupsResponse,
  DescribedGroup,
  DescribedGroupMember,
} from '../../apis/15-describe-groups';
import { defineKafkaApi } from '../api';
import { arrayOf, kafkaMessage, structOf } from '../schema';

type KafkaDescribeGroupsRequest = DescribeGroupsRequest & { includeAuthorizedOperations?: boolean };
type KafkaDescribedGroup = DescribedGroup & { authorizedOperations?: number };

const request = kafkaMessage<KafkaDescribeGroupsRequest>('DescribeGroupsRequest', '5+', [
  { name: 'groups', type: arrayOf('string'), versions: '0+' },
  { name: 'includeAuthorizedOperations', type: 'bool', versions: '3+', drop: true },
]);

const response = kafkaMessage<DescribeGroupsResponse>('DescribeGroupsResponse', '5+', [
  { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
  {
    name: 'groups',
    type: arrayOf(
      structOf<KafkaDescribedGroup>([
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'groupId', type: 'string', versions: '0+' },
        { name: 'groupState', type: 'string', versions: '0+' },
        { name: 'protocolType', type: 'string', versions: '0+' },
        { name: 'protocolData', type: 'string', versions: '0+' },
        {
          name: 'members',
          type: arrayOf(
            structOf<DescribedGroupMember>([
              { name: 'memberId', type: 'string', versions: '0+' },
              {
                name: 'groupInstanceId',
                type: 'string',
                versions: '4+',
                nullableVersions: '4+',
                default: null,
              },
              { name: 'clientId', type: 'string', versions: '0+' },
              { name: 'clientHost', type: 'string', versions: '0+' },
              { name: 'memberMetadata', type: 'bytes', versions: '0+' },
              { name: 'memberAssignment', type: 'bytes', versions: '0+' },
            ]),
          ),
          versions: '0+',
        },
        {
          name: 'authorizedOperations',
          type: 'int32',
          versions: '3+',
          default: -2147483648,
          drop: true,
        },
      ]),
    ),
    versions: '0+',
  },
]);

export const KafkaDescribeGroupsApi = defineKafkaApi<DescribeGroupsRequest, DescribeGroupsResponse>(
  {
    apiKey: 15,
    name: 'DescribeGroups',
    minVersion: 0,
    maxVersion: 4,
    request,
    response,
    errorResponse: (req, errorCode) => ({
      throttleTimeMs: 0,
      groups: (req?.groups ?? []).map((groupId) => ({
        errorCode,
        groupId,
        groupState: '',
        protocolType: '',
        protocolData: '',
        members: [],
      })),
    }),
  },
);
