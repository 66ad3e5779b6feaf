/**
 * ListPartitionReassignments (key 46), sent to the controller. Versions: 0.
 * v0: Kafka's v0 fields (KIP-455): timeoutMs; topics with partition indexes (null =
 *     every partition being reassigned); response a top-level errorCode/errorMessage
 *     and, per moving partition, replicas, addingReplicas, removingReplicas.
 * Not implemented: nothing of v0.
 */
import { defineApi } from '../api';
import { array, int16, int32, nullable, nullableString, string, struct } from '../schema';

export interface ListPartitionReassignmentsTopics {
  name: string;
  partitionIndexes: number[];
}
export interface ListPartitionReassignmentsRequest {
  timeoutMs: number;
  /** null = every partition being reassigned. */
  topics: ListPartitionReassignmentsTopics[] | null;
}
export interface OngoingPartitionReassignment {
  partitionIndex: number;
  replicas: number[];
  addingReplicas: number[];
  removingReplicas: number[];
}
export interface OngoingTopicReassignment {
  name: string;
  partitions: OngoingPartitionReassignment[];
}
export interface ListPartitionReassignmentsResponse {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  topics: OngoingTopicReassignment[];
}

export const ListPartitionReassignmentsApi = defineApi({
  apiKey: 46,
  name: 'ListPartitionReassignments',
  latest: {
    request: struct<ListPartitionReassignmentsRequest>({
      timeoutMs: int32,
      topics: nullable(
        array(
          struct<ListPartitionReassignmentsTopics>({
            name: string,
            partitionIndexes: array(int32),
          }),
        ),
      ),
    }),
    response: struct<ListPartitionReassignmentsResponse>({
      throttleTimeMs: int32,
      errorCode: int16,
      errorMessage: nullableString,
      topics: array(
        struct<OngoingTopicReassignment>({
          name: string,
          partitions: array(
            struct<OngoingPartitionReassignment>({
              partitionIndex: int32,
              replicas: array(int32),
              addingReplicas: array(int32),
              removingReplicas: array(int32),
            }),
          ),
        }),
      ),
    }),
  },
});
