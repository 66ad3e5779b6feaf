/**
 * ListTransactions (key 66) on the Kafka listener. Versions 0 (flexible).
 * v0: stateFilters, producerIdFilters; response errorCode, unknownStateFilters,
 * transactionStates (transactionalId, producerId, transactionState).
 * Not implemented: v1 (durationFilter).
 */
import type {
  ListTransactionsRequest,
  ListTransactionsResponse,
  ListTransactionsState,
} from '../../apis/66-list-transactions';
import { defineKafkaApi } from '../api';
import { arrayOf, kafkaMessage, structOf } from '../schema';

const request = kafkaMessage<ListTransactionsRequest>('ListTransactionsRequest', '0+', [
  { name: 'stateFilters', type: arrayOf('string'), versions: '0+' },
  { name: 'producerIdFilters', type: arrayOf('int64'), versions: '0+' },
]);

const response = kafkaMessage<ListTransactionsResponse>('ListTransactionsResponse', '0+', [
  { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
  { name: 'errorCode', type: 'int16', versions: '0+' },
  { name: 'unknownStateFilters', type: arrayOf('string'), versions: '0+' },
  {
    name: 'transactionStates',
    type: arrayOf(
      structOf<ListTransactionsState>([
        { name: 'transactionalId', type: 'string', versions: '0+' },
        { name: 'producerId', type: 'int64', versions: '0+' },
        { name: 'transactionState', type: 'string', versions: '0+' },
      ]),
    ),
    versions: '0+',
  },
]);

export const KafkaListTransactionsApi = defineKafkaApi<
  ListTransactionsRequest,
  ListTransactionsResponse
>({
  apiKey: 66,
  name: 'ListTransactions',
  minVersion: 0,
  maxVersion: 0,
  request,
  response,
  errorResponse: (_req, errorCode) => ({
    throttleTimeMs: 0,
    errorCode,
    unknownStateFilters: [],
    transactionStates: [],
  }),
});
