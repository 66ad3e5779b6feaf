/**
 * InitProducerId (key 22), v0: gives an idempotent producer a new producer id (from this
 * broker's block in `/latest_producer_id_block`) and epoch 0. Any broker answers for a
 * producer without a transactionalId, as Kafka's TransactionCoordinator does; the
 * producerId/producerEpoch of the request are ignored for such producers (Kafka also
 * hands out a fresh id).
 * Not implemented: transactions (a non-null transactionalId is answered with
 * UNSUPPORTED_VERSION), transactionTimeoutMs.
 */
import { ErrorCode, KafkaError } from '@kzoo/common';
import type { InitProducerIdRequest, InitProducerIdResponse } from '@kzoo/protocol';
import type { BrokerContext } from '../server/BrokerContext';

export async function handleInitProducerId(
  broker: BrokerContext,
  req: InitProducerIdRequest,
): Promise<InitProducerIdResponse> {
  if (req.transactionalId !== null)
    throw new KafkaError('UNSUPPORTED_VERSION', 'transactional producers are not supported');
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
