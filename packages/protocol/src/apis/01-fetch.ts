/**
 * Fetch (key 1). Versions: 0.
 * v0: Kafka Fetch v11's fields without sessions: replicaId (-1 for consumers, the
 *     follower's broker id for replication), maxWaitMs/minBytes/maxBytes long-poll
 *     limits, isolationLevel, currentLeaderEpoch fencing, follower logStartOffset;
 *     response with highWatermark, lastStableOffset, logStartOffset and whole
 *     RecordBatch v2 bytes as read from the log; with isolationLevel 1
 *     (READ_COMMITTED) up to the last stable offset, with the aborted transactions
 *     (producerId, firstOffset) overlapping them (null for READ_UNCOMMITTED).
 * Not implemented: fetch sessions (sessionId/sessionEpoch/forgottenTopicsData),
 * rackId and preferred read replicas, divergingEpoch (followers
 * use OffsetForLeaderEpoch), topic ids.
 */
import { defineApi } from '../api';
import {
  array,
  bytes,
  int16,
  int32,
  int64,
  int8,
  nullable,
  string,
  struct,
  type Type,
} from '../schema';

export interface FetchRequestPartition {
  partition: number;
  /** -1 when the fetcher does not know the leader epoch. */
  currentLeaderEpoch: number;
  fetchOffset: number;
  /** Followers report their log start offset; consumers send -1. */
  logStartOffset: number;
  partitionMaxBytes: number;
}
export interface FetchRequestTopic {
  topic: string;
  partitions: FetchRequestPartition[];
}
export interface FetchRequest {
  replicaId: number;
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  /** 0 = READ_UNCOMMITTED, 1 = READ_COMMITTED. */
  isolationLevel: number;
  topics: FetchRequestTopic[];
}
export interface FetchResponsePartition {
  partitionIndex: number;
  errorCode: number;
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
  /** READ_COMMITTED: aborted transactions overlapping the records (absent/null otherwise). */
  abortedTransactions?: FetchAbortedTransaction[] | null;
  /** Whole record batches (possibly empty); the first may start before fetchOffset. */
  records: Buffer;
}
export interface FetchAbortedTransaction {
  producerId: number;
  firstOffset: number;
}
export interface FetchResponseTopic {
  topic: string;
  partitions: FetchResponsePartition[];
}
export interface FetchResponse {
  throttleTimeMs: number;
  errorCode: number;
  responses: FetchResponseTopic[];
}

export const FetchApi = defineApi({
  apiKey: 1,
  name: 'Fetch',
  latest: {
    request: struct<FetchRequest>({
      replicaId: int32,
      maxWaitMs: int32,
      minBytes: int32,
      maxBytes: int32,
      isolationLevel: int8,
      topics: array(
        struct<FetchRequestTopic>({
          topic: string,
          partitions: array(
            struct<FetchRequestPartition>({
              partition: int32,
              currentLeaderEpoch: int32,
              fetchOffset: int64,
              logStartOffset: int64,
              partitionMaxBytes: int32,
            }),
          ),
        }),
      ),
    }),
    response: struct<FetchResponse>({
      throttleTimeMs: int32,
      errorCode: int16,
      responses: array(
        struct<FetchResponseTopic>({
          topic: string,
          partitions: array(
            struct<FetchResponsePartition>({
              partitionIndex: int32,
              errorCode: int16,
              highWatermark: int64,
              lastStableOffset: int64,
              logStartOffset: int64,
              abortedTransactions: nullable(
                array(struct<FetchAbortedTransaction>({ producerId: int64, firstOffset: int64 })),
              ) as Type<FetchAbortedTransaction[] | null | undefined>,
              records: bytes,
            }),
          ),
        }),
      ),
    }),
  },
});
