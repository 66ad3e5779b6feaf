/**
 * DescribeTransactions (key 65), v0: the state of each transactional id this broker
 * coordinates (NOT_COORDINATOR for the others, TRANSACTIONAL_ID_NOT_FOUND for an
 * unknown one): state, timeout, start time, producer id and epoch, partitions.
 */
import type { DescribeTransactionsRequest, DescribeTransactionsResponse } from '@kzoo/protocol';
import { transactionCoordinatorOf, type BrokerContext } from '../server/BrokerContext';

export function handleDescribeTransactions(
  broker: BrokerContext,
  req: DescribeTransactionsRequest,
): DescribeTransactionsResponse {
  const tc = transactionCoordinatorOf(broker);
  return {
    throttleTimeMs: 0,
    transactionStates: req.transactionalIds.map((id) => {
      const d = tc.describe(id);
      return { ...d, topicPartitions: d.topicPartitions };
    }),
  };
}
