/**
 * Produce (key 0). Versions: 0.
 * v0: Kafka Produce v7-v8's fields: transactionalId, acks, timeoutMs, per-partition
 *     record batches (RecordBatch v2 bytes, opaque here); response with baseOffset,
 *     logAppendTimeMs, logStartOffset and an errorMessage per partition.
 * Not implemented: per-record errors (recordErrors), topic ids, currentLeader hints.
 * acks = 0: the client sends with `sendOneWay` and the broker writes no response.
 */
import { defineApi } from '../api';
import { array, bytes, int16, int32, int64, nullableString, string, struct } from '../schema';

export interface ProduceRequestPartition {
  index: number;
  /** One or more RecordBatch v2, as the producer built them. */
  records: Buffer;
}
export interface ProduceRequestTopic {
  name: string;
  partitions: ProduceRequestPartition[];
}
export interface ProduceRequest {
  transactionalId: string | null;
  /** 0, 1 or -1 (all). */
  acks: number;
  timeoutMs: number;
  topics: ProduceRequestTopic[];
}
export interface ProduceResponsePartition {
  index: number;
  errorCode: number;
  baseOffset: number;
  /** -1 unless the topic uses LogAppendTime. */
  logAppendTimeMs: number;
  logStartOffset: number;
  errorMessage: string | null;
}
export interface ProduceResponseTopic {
  name: string;
  partitions: ProduceResponsePartition[];
}
export interface ProduceResponse {
  topics: ProduceResponseTopic[];
  throttleTimeMs: number;
}

export const ProduceApi = defineApi({
  apiKey: 0,
  name: 'Produce',
  latest: {
    request: struct<ProduceRequest>({
      transactionalId: nullableString,
      acks: int16,
      timeoutMs: int32,
      topics: array(
        struct<ProduceRequestTopic>({
          name: string,
          partitions: array(struct<ProduceRequestPartition>({ index: int32, records: bytes })),
        }),
      ),
    }),
    response: struct<ProduceResponse>({
      topics: array(
        struct<ProduceResponseTopic>({
          name: string,
          partitions: array(
            struct<ProduceResponsePartition>({
              index: int32,
              errorCode: int16,
              baseOffset: int64,
              logAppendTimeMs: int64,
              logStartOffset: int64,
              errorMessage: nullableString,
            }),
          ),
        }),
      ),
      throttleTimeMs: int32,
    }),
  },
});
