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
 * Client quotas (KIP-13, KIP-219), consumers only (a follower's fetch is never
 * client-throttled): maxBytes is capped at what the quota window allows (Kafka's
 * getMaxValueInQuotaWindow); the response's record bytes count against the client's
 * `consumer_byte_rate`; over the quota the bytes are taken back, the answer is an empty
 * response carrying the throttle time (Kafka's getThrottledResponse) and the connection
 * is muted for it. Kafka counts the whole response size; kzoo counts the record bytes.
 * Not implemented: fetch sessions, isolationLevel READ_COMMITTED semantics (same as
 * READ_UNCOMMITTED without transactions), request_percentage.
 */
import { KafkaError } from '@kzoo/common';
import type { FetchRequest, FetchResponse } from '@kzoo/protocol';
import type { RequestContext } from '../network';
import type { BrokerContext } from '../server/BrokerContext';
import { ANONYMOUS_USER } from '../server/ClientQuotaManager';

/** The longest throttle a response can carry (throttle_time_ms is an int32). */
const MAX_THROTTLE_MS = 2147483647;

export async function handleFetch(
  broker: BrokerContext,
  req: FetchRequest,
  ctx?: RequestContext,
): Promise<FetchResponse> {
  if (req.maxWaitMs < 0 || req.minBytes < 0 || req.maxBytes < 0)
    throw new KafkaError('INVALID_REQUEST', 'maxWaitMs, minBytes and maxBytes must be >= 0');
  const quota = req.replicaId < 0 ? broker.clientQuotas?.fetch : undefined;
  if (!quota?.quotasEnabled) {
    const responses = await broker.replicaManager.fetchMessages(req);
    return { throttleTimeMs: 0, errorCode: 0, responses };
  }
  const clientId = ctx?.header.clientId ?? '';
  const maxQuotaWindowBytes = quota.getMaxValueInQuotaWindow(ANONYMOUS_USER, clientId);
  const maxBytes = Math.min(req.maxBytes, Math.floor(maxQuotaWindowBytes));
  const responses = await broker.replicaManager.fetchMessages(
    maxBytes === req.maxBytes ? req : { ...req, maxBytes },
  );
  let bytes = 0;
  for (const t of responses) for (const p of t.partitions) bytes += p.records.length;
  const now = broker.time.milliseconds();
  const throttleTimeMs = Math.min(
    MAX_THROTTLE_MS,
    quota.recordAndGetThrottleTimeMs(ANONYMOUS_USER, clientId, bytes, now),
  );
  if (throttleTimeMs <= 0) return { throttleTimeMs: 0, errorCode: 0, responses };
  // Over the quota: no data this time, so the bytes do not count either.
  quota.unrecordQuotaSensor(ANONYMOUS_USER, clientId, bytes, now);
  quota.throttle(ANONYMOUS_USER, clientId, throttleTimeMs);
  ctx?.throttle?.(throttleTimeMs);
  return { throttleTimeMs, errorCode: 0, responses: [] };
}
