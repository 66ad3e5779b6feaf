/**
 * CreatePartitions (key 37), sent to the controller. Versions: 0.
 * v0: Kafka CreatePartitions v3's fields: per topic the new total count and,
 *     optionally, the replicas of each new partition; timeoutMs, validateOnly;
 *     response per topic errorCode and errorMessage.
 * Not implemented: nothing of v3.
 */
import { defineApi } from '../api';
import { array, boolean, int16, int32, nullable, nullableString, string, struct } from '../schema';

export interface CreatePartitionsAssignment {
  brokerIds: number[];
}
export interface CreatePartitionsTopic {
  name: string;
  count: number;
  /** null = let the controller place the new partitions. */
  assignments: CreatePartitionsAssignment[] | null;
}
export interface CreatePartitionsRequest {
  topics: CreatePartitionsTopic[];
  timeoutMs: number;
  validateOnly: boolean;
}
export interface CreatePartitionsTopicResult {
  name: string;
  errorCode: number;
  errorMessage: string | null;
}
export interface CreatePartitionsResponse {
  throttleTimeMs: number;
  results: CreatePartitionsTopicResult[];
}

export const CreatePartitionsApi = defineApi({
  apiKey: 37,
  name: 'CreatePartitions',
  latest: {
    request: struct<CreatePartitionsRequest>({
      topics: array(
        struct<CreatePartitionsTopic>({
          name: string,
          count: int32,
          assignments: nullable(
            array(struct<CreatePartitionsAssignment>({ brokerIds: array(int32) })),
          ),
        }),
      ),
      timeoutMs: int32,
      validateOnly: boolean,
    }),
    response: struct<CreatePartitionsResponse>({
      throttleTimeMs: int32,
      results: array(
        struct<CreatePartitionsTopicResult>({
          name: string,
          errorCode: int16,
          errorMessage: nullableString,
        }),
      ),
    }),
  },
});
