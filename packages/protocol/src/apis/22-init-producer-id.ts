/**
 * InitProducerId (key 22). Versions: 0.
 * v0: Kafka InitProducerId v3's fields: transactionalId (null for an idempotent
 *     producer), transactionTimeoutMs, producerId/producerEpoch (-1/-1 for a new
 *     producer, else the current ones to bump the epoch); response producerId and
 *     producerEpoch.
 * Not implemented: transactions (a non-null transactionalId is refused by the
 * broker), the 2PC fields of v6.
 */
import { defineApi } from '../api';
import { int16, int32, int64, nullableString, struct } from '../schema';

export interface InitProducerIdRequest {
  transactionalId: string | null;
  transactionTimeoutMs: number;
  producerId: number;
  producerEpoch: number;
}
export interface InitProducerIdResponse {
  throttleTimeMs: number;
  errorCode: number;
  producerId: number;
  producerEpoch: number;
}

export const InitProducerIdApi = defineApi({
  apiKey: 22,
  name: 'InitProducerId',
  latest: {
    request: struct<InitProducerIdRequest>({
      transactionalId: nullableString,
      transactionTimeoutMs: int32,
      producerId: int64,
      producerEpoch: int16,
    }),
    response: struct<InitProducerIdResponse>({
      throttleTimeMs: int32,
      errorCode: int16,
      producerId: int64,
      producerEpoch: int16,
    }),
  },
});
