/**
 * CreateTopics (key 19), sent to the controller. Versions: 0.
 * v0: Kafka CreateTopics v4's fields: topics with numPartitions/replicationFactor
 *     (-1 = broker default) or an explicit assignment, configs, timeoutMs,
 *     validateOnly; response per topic errorCode, errorMessage, and the resulting
 *     numPartitions/replicationFactor (v5).
 * Not implemented: returned topic configs and topic ids (v5+).
 */
import { defineApi } from '../api';
import { array, boolean, int16, int32, nullableString, string, struct } from '../schema';

export interface CreatableReplicaAssignment {
  partitionIndex: number;
  brokerIds: number[];
}
export interface CreatableTopicConfig {
  name: string;
  value: string | null;
}
export interface CreatableTopic {
  name: string;
  numPartitions: number;
  replicationFactor: number;
  assignments: CreatableReplicaAssignment[];
  configs: CreatableTopicConfig[];
}
export interface CreateTopicsRequest {
  topics: CreatableTopic[];
  timeoutMs: number;
  validateOnly: boolean;
}
export interface CreatableTopicResult {
  name: string;
  errorCode: number;
  errorMessage: string | null;
  numPartitions: number;
  replicationFactor: number;
}
export interface CreateTopicsResponse {
  throttleTimeMs: number;
  topics: CreatableTopicResult[];
}

export const CreateTopicsApi = defineApi({
  apiKey: 19,
  name: 'CreateTopics',
  latest: {
    request: struct<CreateTopicsRequest>({
      topics: array(
        struct<CreatableTopic>({
          name: string,
          numPartitions: int32,
          replicationFactor: int16,
          assignments: array(
            struct<CreatableReplicaAssignment>({ partitionIndex: int32, brokerIds: array(int32) }),
          ),
          configs: array(struct<CreatableTopicConfig>({ name: string, value: nullableString })),
        }),
      ),
      timeoutMs: int32,
      validateOnly: boolean,
    }),
    response: struct<CreateTopicsResponse>({
      throttleTimeMs: int32,
      topics: array(
        struct<CreatableTopicResult>({
          name: string,
          errorCode: int16,
          errorMessage: nullableString,
          numPartitions: int32,
          replicationFactor: int16,
        }),
      ),
    }),
  },
});
