/**
 * Metadata (key 3). Versions: 0-1.
 * v0: Kafka Metadata v7-v8's fields: topics (null = all topics, [] = none),
 *     allowAutoTopicCreation; response brokers with rack, clusterId, controllerId,
 *     topics with isInternal and partitions with leaderEpoch and offlineReplicas.
 * v1: each response topic also has its topicId (Kafka Metadata v10's field): the
 *     `topic_id` of `/brokers/topics/<t>`, Kafka's base64 Uuid; null for a topic
 *     written without one.
 * Not implemented: topic ids in the request, authorized operations.
 */
import { defineApi } from '../api';
import { array, boolean, int16, int32, nullable, nullableString, string, struct } from '../schema';

export interface MetadataRequestTopic {
  name: string;
}
export interface MetadataRequest {
  /** null = all topics. */
  topics: MetadataRequestTopic[] | null;
  allowAutoTopicCreation: boolean;
}
export interface MetadataResponseBroker {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}
export interface MetadataResponsePartition {
  errorCode: number;
  partitionIndex: number;
  /** -1 when the partition has no leader. */
  leaderId: number;
  leaderEpoch: number;
  replicaNodes: number[];
  isrNodes: number[];
  offlineReplicas: number[];
}
export interface MetadataResponseTopic {
  errorCode: number;
  name: string;
  /** v1+: Kafka's base64 topic Uuid (null: none recorded); absent in v0. */
  topicId?: string | null;
  isInternal: boolean;
  partitions: MetadataResponsePartition[];
}
export interface MetadataResponse {
  throttleTimeMs: number;
  brokers: MetadataResponseBroker[];
  clusterId: string | null;
  /** -1 when no controller is known. */
  controllerId: number;
  topics: MetadataResponseTopic[];
}

const requestSchema = struct<MetadataRequest>({
  topics: nullable(array(struct<MetadataRequestTopic>({ name: string }))),
  allowAutoTopicCreation: boolean,
});

const brokerSchema = struct<MetadataResponseBroker>({
  nodeId: int32,
  host: string,
  port: int32,
  rack: nullableString,
});

const partitionSchema = struct<MetadataResponsePartition>({
  errorCode: int16,
  partitionIndex: int32,
  leaderId: int32,
  leaderEpoch: int32,
  replicaNodes: array(int32),
  isrNodes: array(int32),
  offlineReplicas: array(int32),
});

type MetadataResponseTopicV0 = Omit<MetadataResponseTopic, 'topicId'>;

export const MetadataApi = defineApi({
  apiKey: 3,
  name: 'Metadata',
  older: [
    {
      request: requestSchema,
      response: struct<Omit<MetadataResponse, 'topics'> & { topics: MetadataResponseTopicV0[] }>({
        throttleTimeMs: int32,
        brokers: array(brokerSchema),
        clusterId: nullableString,
        controllerId: int32,
        topics: array(
          struct<MetadataResponseTopicV0>({
            errorCode: int16,
            name: string,
            isInternal: boolean,
            partitions: array(partitionSchema),
          }),
        ),
      }),
    },
  ],
  latest: {
    request: requestSchema,
    response: struct<MetadataResponse>({
      throttleTimeMs: int32,
      brokers: array(brokerSchema),
      clusterId: nullableString,
      controllerId: int32,
      topics: array(
        struct<MetadataResponseTopic>({
          errorCode: int16,
          name: string,
          topicId: nullableString,
          isInternal: boolean,
          partitions: array(partitionSchema),
        }),
      ),
    }),
  },
});
