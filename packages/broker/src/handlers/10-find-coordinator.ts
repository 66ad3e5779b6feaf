/**
 * FindCoordinator (key 10), v0: for keyType 0 (group), the live broker chosen by
 * coordinatorForGroup (Kafka's `abs(groupId.hashCode) % 50` virtual partition, then the
 * live broker at that index in sorted order), with its endpoint on the request's listener.
 * The live brokers are the MetadataCache's (the controller's UpdateMetadata), so the
 * answer moves when that broker dies.
 * For keyType 1 (transaction), the leader of partition
 * `abs(javaHashCode(transactionalId)) % transaction.state.log.num.partitions` of
 * `__transaction_state`; the first request creates that topic (Kafka's
 * `transaction.state.log.*` settings, compacted) and is answered
 * COORDINATOR_NOT_AVAILABLE until it has leaders.
 * Errors: COORDINATOR_NOT_AVAILABLE (no live broker or leader known yet; fewer live
 * brokers than transaction.state.log.replication.factor), INVALID_REQUEST (another
 * keyType, an empty transactional id).
 * Not implemented: the batched form of v4+.
 */
import { ErrorCode } from '@kzoo/common';
import type { FindCoordinatorRequest, FindCoordinatorResponse } from '@kzoo/protocol';
import { coordinatorForGroup } from '../coordinator/group/coordinator-selection';
import type { RequestContext } from '../network';
import type { BrokerContext } from '../server/BrokerContext';
import { findTransactionCoordinator } from './transaction-coordinator-lookup';

const none = (errorCode: number, errorMessage: string): FindCoordinatorResponse => ({
  throttleTimeMs: 0,
  errorCode,
  errorMessage,
  nodeId: -1,
  host: '',
  port: -1,
});

export function handleFindCoordinator(
  broker: BrokerContext,
  req: FindCoordinatorRequest,
  ctx: RequestContext,
): FindCoordinatorResponse | Promise<FindCoordinatorResponse> {
  if (req.keyType === 1) return findTransactionCoordinator(broker, req.key, ctx.listenerName);
  if (req.keyType !== 0) {
    return none(
      ErrorCode.INVALID_REQUEST,
      `keyType ${req.keyType} is not supported (0 = group, 1 = transaction)`,
    );
  }
  const cache = broker.metadataCache;
  const id = coordinatorForGroup(req.key, cache.aliveBrokerIds());
  const node =
    id === null ? undefined : cache.aliveBrokerNodes(ctx.listenerName).find((n) => n.nodeId === id);
  if (!node) {
    return none(ErrorCode.COORDINATOR_NOT_AVAILABLE, 'no live broker is known yet');
  }
  return {
    throttleTimeMs: 0,
    errorCode: 0,
    errorMessage: null,
    nodeId: node.nodeId,
    host: node.host,
    port: node.port,
  };
}
