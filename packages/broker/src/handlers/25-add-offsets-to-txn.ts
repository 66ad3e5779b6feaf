/**
 * AddOffsetsToTxn (key 25), v0: the transaction will commit offsets of `groupId`
 * (kzoo: the coordinator records the group; Kafka adds its __consumer_offsets
 * partition). Errors as AddPartitionsToTxn's.
 */
import type { AddOffsetsToTxnRequest, AddOffsetsToTxnResponse } from '@kzoo/protocol';
import type { RequestContext } from '../network';
import { transactionCoordinatorOf, type BrokerContext } from '../server/BrokerContext';

export async function handleAddOffsetsToTxn(
  broker: BrokerContext,
  req: AddOffsetsToTxnRequest,
  ctx: RequestContext,
): Promise<AddOffsetsToTxnResponse> {
  const errorCode = await transactionCoordinatorOf(broker).handleAddOffsets(
    req.transactionalId,
    req.producerId,
    req.producerEpoch,
    req.groupId,
    ctx.wire === 'kafka' && ctx.header.apiVersion < 2,
  );
  return { throttleTimeMs: 0, errorCode };
}
