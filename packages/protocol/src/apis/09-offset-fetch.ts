/**
 * OffsetFetch (key 9). Versions: 0.
 * v0: Kafka OffsetFetch v7's fields for one group: groupId, topics (null = every
 *     partition the group committed), requireStable; response per partition
 *     committedOffset (-1 = none), committedLeaderEpoch, metadata, errorCode, and a
 *     top-level errorCode.
 * Not implemented: the multi-group form of v8+, member epochs.
 */
import { defineApi } from '../api';
import {
  array,
  boolean,
  int16,
  int32,
  int64,
  nullable,
  nullableString,
  string,
  struct,
} from '../schema';

export interface OffsetFetchRequestTopic {
  name: string;
  partitionIndexes: number[];
}
export interface OffsetFetchRequest {
  groupId: string;
  /** null = all committed partitions of the group. */
  topics: OffsetFetchRequestTopic[] | null;
  requireStable: boolean;
}
export interface OffsetFetchResponsePartition {
  partitionIndex: number;
  committedOffset: number;
  committedLeaderEpoch: number;
  metadata: string | null;
  errorCode: number;
}
export interface OffsetFetchResponseTopic {
  name: string;
  partitions: OffsetFetchResponsePartition[];
}
export interface OffsetFetchResponse {
  throttleTimeMs: number;
  topics: OffsetFetchResponseTopic[];
  errorCode: number;
}

export const OffsetFetchApi = defineApi({
  apiKey: 9,
  name: 'OffsetFetch',
  latest: {
    request: struct<OffsetFetchRequest>({
      groupId: string,
      topics: nullable(
        array(struct<OffsetFetchRequestTopic>({ name: string, partitionIndexes: array(int32) })),
      ),
      requireStable: boolean,
    }),
    response: struct<OffsetFetchResponse>({
      throttleTimeMs: int32,
      topics: array(
        struct<OffsetFetchResponseTopic>({
          name: string,
          partitions: array(
            struct<OffsetFetchResponsePartition>({
              partitionIndex: int32,
              committedOffset: int64,
              committedLeaderEpoch: int32,
              metadata: nullableString,
              errorCode: int16,
            }),
          ),
        }),
      ),
      errorCode: int16,
    }),
  },
});
