/**
 * TxnOffsetCommit (key 28), v0: offsets a transaction commits for a consumer group.
 * kzoo keeps committed offsets in ZooKeeper, so whichever broker receives this (the
 * group coordinator, for Kafka's clients) hands the offsets to the transactional id's
 * coordinator (locally, or forwarded over the inter-broker listener), which keeps them
 * in `__transaction_state` and writes them to `/consumers/<group>/offsets/...` only
 * when the transaction commits. When generationId >= 0 (KIP-447), the group
 * coordinator checks the member's generation first (ILLEGAL_GENERATION,
 * UNKNOWN_MEMBER_ID). Errors per partition: UNKNOWN_TOPIC_OR_PARTITION, and for all
 * the coordinator's (PRODUCER_FENCED, CONCURRENT_TRANSACTIONS, NOT_COORDINATOR, ...).
 */
import { ErrorCode } from '@kzoo/common';
import type { TxnOffsetCommitRequest, TxnOffsetCommitResponse } from '@kzoo/protocol';
import { TRANSACTION_STATE_TOPIC_NAME } from '../admin/Topic';
import type { RequestContext } from '../network';
import type { BrokerContext } from '../server/BrokerContext';

export async function handleTxnOffsetCommit(
  broker: BrokerContext,
  req: TxnOffsetCommitRequest,
  ctx: RequestContext,
): Promise<TxnOffsetCommitResponse> {
  const answer = (code: (t: string, p: number) => number): TxnOffsetCommitResponse => ({
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({
        partitionIndex: p.partitionIndex,
        errorCode: code(t.name, p.partitionIndex),
      })),
    })),
  });
  const unknown = (t: string, p: number) => {
    const n = broker.metadataCache.numPartitions(t);
    return n === undefined || p >= n;
  };
  if (req.topics.some((t) => t.partitions.some((p) => unknown(t.name, p.partitionIndex))))
    return answer((t, p) =>
      unknown(t, p) ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.OPERATION_NOT_ATTEMPTED,
    );
  if (req.generationId >= 0) {
    const gc = broker.groupCoordinator();
    const group = gc?.getGroup(req.groupId);
    if (group && group.generationId !== req.generationId)
      return answer(() => ErrorCode.ILLEGAL_GENERATION);
    if (group && req.memberId !== '' && !group.has(req.memberId))
      return answer(() => ErrorCode.UNKNOWN_MEMBER_ID);
  }
  const tc = broker.transactionCoordinator?.();
  if (!tc) return answer(() => ErrorCode.COORDINATOR_NOT_AVAILABLE);
  const partition = tc.partitionFor(req.transactionalId);
  const leader =
    broker.metadataCache.partitionState(TRANSACTION_STATE_TOPIC_NAME, partition)?.leader ?? -1;
  let errorCode: number;
  if (leader === broker.brokerId || leader < 0) {
    errorCode = await tc.handleTxnOffsetCommit(
      req.transactionalId,
      req.producerId,
      req.producerEpoch,
      req.groupId,
      req.topics.flatMap((t) =>
        t.partitions.map((p) => ({
          topic: t.name,
          partition: p.partitionIndex,
          offset: p.committedOffset,
        })),
      ),
      ctx.wire === 'kafka' && ctx.header.apiVersion < 2,
    );
  } else {
    const channel = broker.interBrokerChannel?.();
    if (!channel) return answer(() => ErrorCode.COORDINATOR_NOT_AVAILABLE);
    try {
      const res = await channel.request(leader, 28, { ...req, generationId: -1, memberId: '' });
      errorCode = res.topics[0]?.partitions[0]?.errorCode ?? 0;
      // The native wire has no old versions: map back for old Kafka clients.
      if (
        errorCode === ErrorCode.PRODUCER_FENCED &&
        ctx.wire === 'kafka' &&
        ctx.header.apiVersion < 2
      )
        errorCode = ErrorCode.INVALID_PRODUCER_EPOCH;
    } catch (e) {
      broker.logger.debug('forwarding TxnOffsetCommit failed', {
        transactionalId: req.transactionalId,
        error: (e as Error).message,
      });
      errorCode = ErrorCode.COORDINATOR_NOT_AVAILABLE;
    }
  }
  return answer(() => errorCode);
}
