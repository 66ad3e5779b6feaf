/**
 * AddPartitionsToTxn (key 24), v0: adds partitions to the ongoing transaction of a
 * transactional id, at its coordinator (written to `__transaction_state` before the
 * answer). Per-partition errors: UNKNOWN_TOPIC_OR_PARTITION (and OPERATION_NOT_ATTEMPTED
 * for the others), NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS,
 * COORDINATOR_NOT_AVAILABLE, CONCURRENT_TRANSACTIONS, INVALID_PRODUCER_ID_MAPPING,
 * PRODUCER_FENCED (INVALID_PRODUCER_EPOCH for Kafka-wire versions below 2).
 */
import type { AddPartitionsToTxnRequest, AddPartitionsToTxnResponse } from '@kzoo/protocol';
import type { RequestContext } from '../network';
import { transactionCoordinatorOf, type BrokerContext } from '../server/BrokerContext';
import { tpKey } from '@kzoo/common';

export async function handleAddPartitionsToTxn(
  broker: BrokerContext,
  req: AddPartitionsToTxnRequest,
  ctx: RequestContext,
): Promise<AddPartitionsToTxnResponse> {
  const partitions = req.topics.flatMap((t) =>
    t.partitions.map((partition) => ({ topic: t.name, partition })),
  );
  const codes = await transactionCoordinatorOf(broker).handleAddPartitions(
    req.transactionalId,
    req.producerId,
    req.producerEpoch,
    partitions,
    ctx.wire === 'kafka' && ctx.header.apiVersion < 2,
  );
  return {
    throttleTimeMs: 0,
    resultsByTopic: req.topics.map((t) => ({
      name: t.name,
      resultsByPartition: t.partitions.map((p) => ({
        partitionIndex: p,
        partitionErrorCode: codes.get(tpKey(t.name, p)) ?? 0,
      })),
    })),
  };
}
