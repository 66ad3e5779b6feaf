/**
 * CreateTopics (key 19) on the Kafka listener. Versions 0-4.
 * v0: topics (partitions, replication factor, assignments, configs), timeoutMs.
 * v1: validateOnly, response errorMessage. v2: throttleTimeMs. v3: same layout.
 * v4: numPartitions/replicationFactor -1 = broker default (same layout).
 * Not implemented: v5+ (flexible; returned numPartitions, replicationFactor and
 * configs, topic ids).
 */
import type {
  CreatableReplicaAssignment,
  CreatableTopic,
  CreatableTopicConfig,
  CreatableTopicResult,
  CreateTopicsRequest,
  CreateTopicsResponse,
} from '../../apis/19-create-topics';
import { defineKafkaApi } from '../api';
import { arrayOf, kafkaMessage, structOf } from '../schema';

const request = kafkaMessage<CreateTopicsRequest>('CreateTopicsRequest', '5+', [
  {
    name: 'topics',
    type: arrayOf(
      structOf<CreatableTopic>([
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'numPartitions', type: 'int32', versions: '0+' },
        { name: 'replicationFactor', type: 'int16', versions: '0+' },
        {
          name: 'assignments',
          type: arrayOf(
            structOf<CreatableReplicaAssignment>([
              { name: 'partitionIndex', type: 'int32', versions: '0+' },
              { name: 'brokerIds', type: arrayOf('int32'), versions: '0+' },
            ]),
          ),
          versions: '0+',
        },
        {
          name: 'configs',
          type: arrayOf(
            structOf<CreatableTopicConfig>([
              { name: 'name', type: 'string', versions: '0+' },
              { name: 'value', type: 'string', versions: '0+', nullableVersions: '0+' },
            ]),
          ),
          versions: '0+',
        },
      ]),
    ),
    versions: '0+',
  },
  { name: 'timeoutMs', type: 'int32', versions: '0+', default: 60000 },
  { name: 'validateOnly', type: 'bool', versions: '1+', default: false },
]);

const response = kafkaMessage<CreateTopicsResponse>('CreateTopicsResponse', '5+', [
  { name: 'throttleTimeMs', type: 'int32', versions: '2+' },
  {
    name: 'topics',
    type: arrayOf(
      structOf<CreatableTopicResult>([
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'errorMessage', type: 'string', versions: '1+', nullableVersions: '0+' },
        { name: 'numPartitions', type: 'int32', versions: '5+', default: -1 },
        { name: 'replicationFactor', type: 'int16', versions: '5+', default: -1 },
      ]),
    ),
    versions: '0+',
  },
]);

export const KafkaCreateTopicsApi = defineKafkaApi<CreateTopicsRequest, CreateTopicsResponse>({
  apiKey: 19,
  name: 'CreateTopics',
  minVersion: 0,
  maxVersion: 4,
  request,
  response,
  errorResponse: (req, errorCode, message) => ({
    throttleTimeMs: 0,
    topics: (req?.topics ?? []).map((t) => ({
      name: t.name,
      errorCode,
      errorMessage: message,
      numPartitions: -1,
      replicationFactor: -1,
    })),
  }),
});
