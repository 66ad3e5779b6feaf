/**
 * AlterPartitionReassignments (key 45), sent to the controller. Versions: 0.
 * v0: Kafka's v0 fields (KIP-455): timeoutMs; per topic and partition the target
 *     replicas, or null to cancel the partition's reassignment; response a top-level
 *     errorCode/errorMessage and per partition errorCode/errorMessage.
 * Not implemented: nothing of v0.
 */
import { defineApi } from '../api';
import { array, int16, int32, nullable, nullableString, string, struct } from '../schema';

export interface ReassignablePartition {
  partitionIndex: number;
  /** The target replicas; null cancels a pending reassignment of this partition. */
  replicas: number[] | null;
}
export interface ReassignableTopic {
  name: string;
  partitions: ReassignablePartition[];
}
export interface AlterPartitionReassignmentsRequest {
  timeoutMs: number;
  topics: ReassignableTopic[];
}
export interface ReassignablePartitionResponse {
  partitionIndex: number;
  errorCode: number;
  errorMessage: string | null;
}
export interface ReassignableTopicResponse {
  name: string;
  partitions: ReassignablePartitionResponse[];
}
export interface AlterPartitionReassignmentsResponse {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  responses: ReassignableTopicResponse[];
}

const reassignableTopicFields = {
  name: string,
  partitions: array(
    struct<ReassignablePartition>({ partitionIndex: int32, replicas: nullable(array(int32)) }),
  ),
};

export const AlterPartitionReassignmentsApi = defineApi({
  apiKey: 45,
  name: 'AlterPartitionReassignments',
  latest: {
    request: struct<AlterPartitionReassignmentsRequest>({
      timeoutMs: int32,
      topics: array(struct<ReassignableTopic>(reassignableTopicFields)),
    }),
    response: struct<AlterPartitionReassignmentsResponse>({
      throttleTimeMs: int32,
      errorCode: int16,
      errorMessage: nullableString,
      responses: array(
        struct<ReassignableTopicResponse>({
          name: string,
          partitions: array(
            struct<ReassignablePartitionResponse>({
              partitionIndex: int32,
              errorCode: int16,
              errorMessage: nullableString,
            }),
          ),
        }),
      ),
    }),
  },
});
