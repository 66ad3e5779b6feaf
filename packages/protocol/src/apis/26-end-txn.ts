/**
 * EndTxn (key 26). Versions: 0.
 * v0: Kafka EndTxn v3's fields: transactionalId, producerId, producerEpoch, committed
 *     (true = commit, false = abort); response errorCode.
 * Not implemented: the epoch-bump-per-transaction response fields of v5 (KIP-890).
 */
import { defineApi } from '../api';
import { boolean, int16, int32, int64, string, struct } from '../schema';

export interface EndTxnRequest {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  committed: boolean;
}
export interface EndTxnResponse {
  throttleTimeMs: number;
  errorCode: number;
}

export const EndTxnApi = defineApi({
  apiKey: 26,
  name: 'EndTxn',
  latest: {
    request: struct<EndTxnRequest>({
      transactionalId: string,
      producerId: int64,
      producerEpoch: int16,
      committed: boolean,
    }),
    response: struct<EndTxnResponse>({ throttleTimeMs: int32, errorCode: int16 }),
  },
});
