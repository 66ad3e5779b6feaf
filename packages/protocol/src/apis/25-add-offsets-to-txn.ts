/**
 * AddOffsetsToTxn (key 25). Versions: 0.
 * v0: Kafka AddOffsetsToTxn v3's fields: transactionalId, producerId, producerEpoch,
 *     groupId (the consumer group whose offsets the transaction will commit);
 *     response errorCode.
 */
import { defineApi } from '../api';
import { int16, int32, int64, string, struct } from '../schema';

export interface AddOffsetsToTxnRequest {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  groupId: string;
}
export interface AddOffsetsToTxnResponse {
  throttleTimeMs: number;
  errorCode: number;
}

export const AddOffsetsToTxnApi = defineApi({
  apiKey: 25,
  name: 'AddOffsetsToTxn',
  latest: {
    request: struct<AddOffsetsToTxnRequest>({
      transactionalId: string,
      producerId: int64,
      producerEpoch: int16,
      groupId: string,
    }),
    response: struct<AddOffsetsToTxnResponse>({ throttleTimeMs: int32, errorCode: int16 }),
  },
});
