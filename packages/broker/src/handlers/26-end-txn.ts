/**
 * EndTxn (key 26), v0: commits or aborts the ongoing transaction. Answered once
 * PrepareCommit/PrepareAbort is durable in `__transaction_state`; the coordinator then
 * writes the markers and (commit) the group offsets. A retry after completion answers
 * NONE. Errors: INVALID_TXN_STATE (no transaction, or the other outcome),
 * CONCURRENT_TRANSACTIONS, PRODUCER_FENCED (INVALID_PRODUCER_EPOCH for Kafka-wire
 * versions below 2), INVALID_PRODUCER_ID_MAPPING, NOT_COORDINATOR,
 * COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE.
 */
import type { EndTxnRequest, EndTxnResponse } from '@kzoo/protocol';
import type { RequestContext } from '../network';
import { transactionCoordinatorOf, type BrokerContext } from '../server/BrokerContext';

export async function handleEndTxn(
  broker: BrokerContext,
  req: EndTxnRequest,
  ctx: RequestContext,
): Promise<EndTxnResponse> {
  const errorCode = await transactionCoordinatorOf(broker).handleEndTxn(
    req.transactionalId,
    req.producerId,
    req.producerEpoch,
    req.committed,
    ctx.wire === 'kafka' && ctx.header.apiVersion < 2,
  );
  return { throttleTimeMs: 0, errorCode };
}
