/**
 * FindCoordinator for a transactional id (keyType 1): the leader of its
 * `__transaction_state` partition, creating the topic on first use as Kafka does
 * (`transaction.state.log.num.partitions`, `.replication.factor`, `.min.isr`,
 * `.segment.bytes`; cleanup.policy=compact, unclean election off, uncompressed).
 */
import { ErrorCode, KafkaError } from '@kzoo/common';
import type { FindCoordinatorResponse } from '@kzoo/protocol';
import { TRANSACTION_STATE_TOPIC_NAME } from '../admin/Topic';
import { TRANSACTION_CONFIG_DEFAULTS } from '../coordinator/transaction/TransactionConfig';
import type { BrokerContext } from '../server/BrokerContext';

const creating = new WeakMap<BrokerContext, Promise<void>>();

function none(errorCode: number, errorMessage: string): FindCoordinatorResponse {
  return { throttleTimeMs: 0, errorCode, errorMessage, nodeId: -1, host: '', port: -1 };
}

function setting(broker: BrokerContext, key: string, dflt: number): number {
  return broker.config ? broker.config.getInt(key) : dflt;
}

/** Creates `__transaction_state` (once at a time per broker); errors are logged. */
function ensureTransactionTopic(broker: BrokerContext): Promise<void> {
  const inFlight = creating.get(broker);
  if (inFlight) return inFlight;
  const d = TRANSACTION_CONFIG_DEFAULTS;
  const p = broker.adminZkClient
    .createTopic(
      TRANSACTION_STATE_TOPIC_NAME,
      setting(broker, 'transaction.state.log.num.partitions', d.transactionLogNumPartitions),
      setting(
        broker,
        'transaction.state.log.replication.factor',
        d.transactionLogReplicationFactor,
      ),
      {
        'cleanup.policy': 'compact',
        'compression.type': 'uncompressed',
        'min.insync.replicas': String(
          setting(broker, 'transaction.state.log.min.isr', d.transactionLogMinIsr),
        ),
        'segment.bytes': String(
          setting(broker, 'transaction.state.log.segment.bytes', d.transactionLogSegmentBytes),
        ),
        'unclean.leader.election.enable': 'false',
      },
    )
    .then(
      () => broker.logger.info('created the transaction state topic'),
      (e: unknown) => {
        if (e instanceof KafkaError && e.is('TOPIC_ALREADY_EXISTS')) return;
        broker.logger.warn('cannot create the transaction state topic', {
          error: (e as Error).message,
        });
      },
    )
    .finally(() => creating.delete(broker));
  creating.set(broker, p);
  return p;
}

export async function findTransactionCoordinator(
  broker: BrokerContext,
  transactionalId: string,
  listenerName: string,
): Promise<FindCoordinatorResponse> {
  if (transactionalId === '')
    return none(ErrorCode.INVALID_REQUEST, 'the transactional id must not be empty');
  const tc = broker.transactionCoordinator?.();
  if (!tc)
    return none(ErrorCode.COORDINATOR_NOT_AVAILABLE, 'the transaction coordinator is not started');
  const cache = broker.metadataCache;
  if (!cache.contains(TRANSACTION_STATE_TOPIC_NAME)) {
    await ensureTransactionTopic(broker);
    return none(
      ErrorCode.COORDINATOR_NOT_AVAILABLE,
      'the transaction state topic is being created',
    );
  }
  const partition = tc.partitionFor(transactionalId);
  const leader = cache.partitionState(TRANSACTION_STATE_TOPIC_NAME, partition)?.leader ?? -1;
  const node = cache.aliveBrokerNodes(listenerName).find((n) => n.nodeId === leader);
  if (!node)
    return none(
      ErrorCode.COORDINATOR_NOT_AVAILABLE,
      `${TRANSACTION_STATE_TOPIC_NAME}-${partition} has no live leader`,
    );
  return {
    throttleTimeMs: 0,
    errorCode: 0,
    errorMessage: null,
    nodeId: node.nodeId,
    host: node.host,
    port: node.port,
  };
}
