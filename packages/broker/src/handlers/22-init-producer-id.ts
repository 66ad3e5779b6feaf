/**
 * InitProducerId (key 22), v0: gives an idempotent producer a new producer id (from this
 * broker's block in `/latest_producer_id_block`) and epoch 0. Any broker answers for a
 * producer without a transactionalId, as Kafka's TransactionCoordinator does; the
 * producerId/producerEpoch of the request are ignored for such producers (Kafka also
 * hands out a fresh id).
 * With a transactionalId, the transaction coordinator of that id answers (NOT_COORDINATOR
 * elsewhere): the id's producer id with its epoch bumped, fencing older instances
 * (INVALID_TRANSACTION_TIMEOUT above transaction.max.timeout.ms; CONCURRENT_TRANSACTIONS
 * while a transaction of the id completes or is being aborted).
 * Not implemented: the producerId/producerEpoch check of KIP-360 for transactional ids.
 */
import { ErrorCode } from '@kzoo/common';
import type { InitProducerIdRequest, InitProducerIdResponse } from '@kzoo/protocol';
import { transactionCoordinatorOf, type BrokerContext } from '../server/BrokerContext';

export async function handleInitProducerId(
  broker: BrokerContext,
  req: InitProducerIdRequest,
): Promise<InitProducerIdResponse> {
  if (req.transactionalId !== null) {
    const r = await transactionCoordinatorOf(broker).handleInitProducerId(
      req.transactionalId,
      req.transactionTimeoutMs,
    );
    return { throttleTimeMs: 0, ...r };
  }
  if (!broker.producerIdManager)
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE,
      producerId: -1,
      producerEpoch: -1,
    };
  try {
    const producerId = await broker.producerIdManager.generateProducerId();
    return { throttleTimeMs: 0, errorCode: 0, producerId, producerEpoch: 0 };
  } catch (e) {
    broker.logger.warn('cannot allocate a producer id', { error: (e as Error).message });
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE,
      producerId: -1,
      producerEpoch: -1,
    };
  }
}
