/**
 * ElectLeaders (key 43), sent to the controller. Versions: 0.
 * v0: Kafka ElectLeaders v2's fields: electionType (0 = preferred, 1 = unclean),
 *     topicPartitions (null = every partition), timeoutMs; response a top-level
 *     errorCode and per partition errorCode/errorMessage.
 * Not implemented: nothing of v2.
 */
import { defineApi } from '../api';
import { array, int16, int32, int8, nullable, nullableString, string, struct } from '../schema';

export interface ElectLeadersTopicPartitions {
  topic: string;
  partitions: number[];
}
export interface ElectLeadersRequest {
  electionType: number;
  /** null = all partitions. */
  topicPartitions: ElectLeadersTopicPartitions[] | null;
  timeoutMs: number;
}
export interface ElectLeadersPartitionResult {
  partitionId: number;
  errorCode: number;
  errorMessage: string | null;
}
export interface ElectLeadersReplicaElectionResult {
  topic: string;
  partitionResult: ElectLeadersPartitionResult[];
}
export interface ElectLeadersResponse {
  throttleTimeMs: number;
  errorCode: number;
  replicaElectionResults: ElectLeadersReplicaElectionResult[];
}

export const ElectLeadersApi = defineApi({
  apiKey: 43,
  name: 'ElectLeaders',
  latest: {
    request: struct<ElectLeadersRequest>({
      electionType: int8,
      topicPartitions: nullable(
        array(struct<ElectLeadersTopicPartitions>({ topic: string, partitions: array(int32) })),
      ),
      timeoutMs: int32,
    }),
    response: struct<ElectLeadersResponse>({
      throttleTimeMs: int32,
      errorCode: int16,
      replicaElectionResults: array(
        struct<ElectLeadersReplicaElectionResult>({
          topic: string,
          partitionResult: array(
            struct<ElectLeadersPartitionResult>({
              partitionId: int32,
              errorCode: int16,
              errorMessage: nullableString,
            }),
          ),
        }),
      ),
    }),
  },
});
