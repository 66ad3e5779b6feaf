/**
 * ListTransactions (key 66). Versions: 0.
 * v0: Kafka ListTransactions v0's fields (KIP-664): state and producer id filters
 *     (empty = all); response the transactions this broker coordinates, and the state
 *     filters it did not recognise.
 * Not implemented: the duration filter of v1.
 */
import { defineApi } from '../api';
import { array, int16, int32, int64, string, struct } from '../schema';

export interface ListTransactionsRequest {
  stateFilters: string[];
  producerIdFilters: number[];
}
export interface ListTransactionsState {
  transactionalId: string;
  producerId: number;
  transactionState: string;
}
export interface ListTransactionsResponse {
  throttleTimeMs: number;
  errorCode: number;
  unknownStateFilters: string[];
  transactionStates: ListTransactionsState[];
}

export const ListTransactionsApi = defineApi({
  apiKey: 66,
  name: 'ListTransactions',
  latest: {
    request: struct<ListTransactionsRequest>({
      stateFilters: array(string),
      producerIdFilters: array(int64),
    }),
    response: struct<ListTransactionsResponse>({
      throttleTimeMs: int32,
      errorCode: int16,
      unknownStateFilters: array(string),
      transactionStates: array(
        struct<ListTransactionsState>({
          transactionalId: string,
          producerId: int64,
          transactionState: string,
        }),
      ),
    }),
  },
});
