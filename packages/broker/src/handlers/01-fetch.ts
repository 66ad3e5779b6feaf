/**
 * Fetch (key 1), v0: consumers (replicaId -1) read up to the high watermark, followers
 * (replicaId = their broker id) up to the log end. Many partitions per request, each
 * bounded by partitionMaxBytes and all by maxBytes; the first partition with data
 * returns at least one whole batch even when larger (KIP-74). Long polling: the
 * request waits (DelayedFetch) until minBytes are readable or maxWaitMs passes; an
 * append to a fetched partition wakes it at once.
 * Per-partition errors: OFFSET_OUT_OF_RANGE outside [logStartOffset, logEndOffset],
 * NOT_LEADER_OR_FOLLOWER, UNKNOWN_TOPIC_OR_PARTITION, FENCED_LEADER_EPOCH,
 * UNKNOWN_LEADER_EPOCH. highWatermark and logStartOffset come with every partition;
 * lastStableOffset equals the high watermark (no transactions).
 * A follower's fetch (replicaId >= 0) also records its progress at the leader (LEO,
 * caught-up time), which may add it to the ISR and move the HW (Partition).
 * Not implemented: fetch sessions, isolationLevel READ_COMMITTED semantics (same as
 * READ_UNCOMMITTED without transactions).
 */
import { KafkaError } from '@kzoo/common';
import type { FetchRequest, FetchResponse } from '@kzoo/protocol';
import type { BrokerContext } from '../server/BrokerContext';

export async function handleFetch(
  broker: BrokerContext,
  req: FetchRequest,
): Promise<FetchResponse> {
  if (req.maxWaitMs < 0 || req.minBytes < 0 || req.maxBytes < 0)
    throw new KafkaError('INVALID_REQUEST', 'maxWaitMs, minBytes and maxBytes must be >= 0');
  const responses = await broker.replicaManager.fetchMessages(req);
  return { throttleTimeMs: 0, errorCode: 0, responses };
}
