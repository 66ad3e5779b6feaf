/**
 * ListTransactions (key 66), v0: the transactional ids this broker coordinates, filtered
 * by state names and producer ids (empty filters: all); unknown state names come back
 * in unknownStateFilters.
 */
import type { ListTransactionsRequest, ListTransactionsResponse } from '@kzoo/protocol';
import { transactionCoordinatorOf, type BrokerContext } from '../server/BrokerContext';

export function handleListTransactions(
  broker: BrokerContext,
  req: ListTransactionsRequest,
): ListTransactionsResponse {
  const r = transactionCoordinatorOf(broker).list(req.stateFilters, req.producerIdFilters);
  return { throttleTimeMs: 0, errorCode: 0, ...r };
}
