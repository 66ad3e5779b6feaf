/**
 * Metadata (key 3) on the Kafka listener. Versions 0-8.
 * v0: topics [] = all topics. v1: null = all, [] = none; rack, controllerId,
 * isInternal. v2: clusterId. v3: throttleTimeMs. v4: allowAutoTopicCreation (below
 * v4 it is true). v5: offlineReplicas. v6: same layout. v7: leaderEpoch. v8:
 * include{Cluster,Topic}AuthorizedOperations (read and dropped; answered with
 * Kafka's "not requested" INT32_MIN).
 * Not implemented: authorized operations, v9+ (flexible, topic ids).
 */
import type {
  MetadataRequest,
  MetadataRequestTopic,
  MetadataResponse,
  MetadataResponseBroker,
  MetadataResponsePartition,
  MetadataResponseTopic,
} from '../../apis/03-metadata';
import { defineKafkaApi } from '../api';
import { arrayOf, kafkaMessage, structOf } from '../schema';

const NO_OPS = -2147483648;

type KafkaMetadataRequest = MetadataRequest & {
  includeClusterAuthorizedOperations?: boolean;
  includeTopicAuthorizedOperations?: boolean;
};

const request = kafkaMessage<KafkaMetadataRequest>('MetadataRequest', '9+', [
  {
    name: 'topics',
    type: arrayOf(
      structOf<MetadataRequestTopic>([{ name: 'name', type: 'string', versions: '0+' }]),
    ),
    versions: '0+',
    nullableVersions: '1+',
  },
  { name: 'allowAutoTopicCreation', type: 'bool', versions: '4+', default: true },
  { name: 'includeClusterAuthorizedOperations', type: 'bool', versions: '8-10', drop: true },
  { name: 'includeTopicAuthorizedOperations', type: 'bool', versions: '8+', drop: true },
]);

type KafkaMetadataResponse = MetadataResponse & { clusterAuthorizedOperations?: number };
type KafkaMetadataTopic = MetadataResponseTopic & { topicAuthorizedOperations?: number };

const response = kafkaMessage<KafkaMetadataResponse>('MetadataResponse', '9+', [
  { name: 'throttleTimeMs', type: 'int32', versions: '3+' },
  {
    name: 'brokers',
    type: arrayOf(
      structOf<MetadataResponseBroker>([
        { name: 'nodeId', type: 'int32', versions: '0+' },
        { name: 'host', type: 'string', versions: '0+' },
        { name: 'port', type: 'int32', versions: '0+' },
        { name: 'rack', type: 'string', versions: '1+', nullableVersions: '1+', default: null },
      ]),
    ),
    versions: '0+',
  },
  { name: 'clusterId', type: 'string', versions: '2+', nullableVersions: '2+', default: null },
  { name: 'controllerId', type: 'int32', versions: '1+', default: -1 },
  {
    name: 'topics',
    type: arrayOf(
      structOf<KafkaMetadataTopic>([
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'name', type: 'string', versions: '0+', nullableVersions: '12+' },
        { name: 'isInternal', type: 'bool', versions: '1+', default: false },
        {
          name: 'partitions',
          type: arrayOf(
            structOf<MetadataResponsePartition>([
              { name: 'errorCode', type: 'int16', versions: '0+' },
              { name: 'partitionIndex', type: 'int32', versions: '0+' },
              { name: 'leaderId', type: 'int32', versions: '0+' },
              { name: 'leaderEpoch', type: 'int32', versions: '7+', default: -1 },
              { name: 'replicaNodes', type: arrayOf('int32'), versions: '0+' },
              { name: 'isrNodes', type: arrayOf('int32'), versions: '0+' },
              { name: 'offlineReplicas', type: arrayOf('int32'), versions: '5+' },
            ]),
          ),
          versions: '0+',
        },
        {
          name: 'topicAuthorizedOperations',
          type: 'int32',
          versions: '8+',
          default: NO_OPS,
          drop: true,
        },
      ]),
    ),
    versions: '0+',
  },
  {
    name: 'clusterAuthorizedOperations',
    type: 'int32',
    versions: '8-10',
    default: NO_OPS,
    drop: true,
  },
]);

export const KafkaMetadataApi = defineKafkaApi<MetadataRequest, MetadataResponse>({
  apiKey: 3,
  name: 'Metadata',
  minVersion: 0,
  maxVersion: 8,
  request,
  response,
  // v0 has no null: an empty list asks for every topic.
  requestToNative: (k, v) => {
    const req = k as unknown as MetadataRequest;
    if (v === 0 && req.topics !== null && req.topics.length === 0) req.topics = null;
    return req;
  },
  requestFromNative: (n, v) => (v === 0 && n.topics === null ? { ...n, topics: [] } : n),
  errorResponse: (req, errorCode) => ({
    throttleTimeMs: 0,
    brokers: [],
    clusterId: null,
    controllerId: -1,
    topics: (req?.topics ?? []).map((t) => ({
      errorCode,
      name: t.name,
      isInternal: false,
      partitions: [],
    })),
  }),
});
