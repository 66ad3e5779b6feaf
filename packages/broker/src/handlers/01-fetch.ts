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
 * Client quotas (KIP-13, KIP-124, KIP-219), consumers only (a follower's fetch is never
 * client-throttled; its time counts as exempt): maxBytes is capped at what the
 * `consumer_byte_rate` window allows (Kafka's getMaxValueInQuotaWindow); the response's
 * record bytes count against `consumer_byte_rate` and the request's time against
 * `request_percentage`; over either quota the bytes are taken back, the answer is an
 * empty response carrying the larger throttle time (Kafka's getThrottledResponse) and the
 * connection is muted for it. Kafka counts the whole response size; kzoo counts the
 * record bytes.
 * Not implemented: fetch sessions, isolationLevel READ_COMMITTED semantics (same as
 * READ_UNCOMMITTED without transactions).
 */
import { KafkaError } from '@kzoo/common';
import type { FetchRequest, FetchResponse } from '@kzoo/protocol';
import type { RequestContext } from '../network';
import type { BrokerContext } from '../server/BrokerContext';
import { ANONYMOUS_USER } from '../server/ClientQuotaManager';
import type { ClientQuotas } from '../server/QuotaFactory';
import {
  MAX_THROTTLE_MS,
  maybeRecordAndGetRequestThrottleTimeMs,
  recordExempt,
  throttleLarger,
} from '../server/RequestHandlerHelper';

export async function handleFetch(
  broker: BrokerContext,
  req: FetchRequest,
  ctx?: RequestContext,
): Promise<FetchResponse> {
  if (req.maxWaitMs < 0 || req.minBytes < 0 || req.maxBytes < 0)
    throw new KafkaError('INVALID_REQUEST', 'maxWaitMs, minBytes and maxBytes must be >= 0');
  const quotas = broker.clientQuotas;
  const consumer = req.replicaId < 0;
  if (consumer && ctx && (quotas?.fetch.quotasEnabled || quotas?.request.quotasEnabled))
    return fetchUnderClientQuotas(broker, req, ctx, quotas);
  const responses = await broker.replicaManager.fetchMessages(req);
  // a follower's fetch: exempt (Kafka's sendResponseExemptThrottle)
  if (!consumer && ctx) recordExempt(broker, ctx);
  return { throttleTimeMs: 0, errorCode: 0, responses };
}

/**
 * A consumer's fetch while client quotas are set: capped at the byte quota's window,
 * then recorded against both quotas (Kafka's processResponseCallback for a consumer).
 */
async function fetchUnderClientQuotas(
  broker: BrokerContext,
  req: FetchRequest,
  ctx: RequestContext,
  quotas: ClientQuotas,
): Promise<FetchResponse> {
  const clientId = ctx.header.clientId ?? '';
  const maxQuotaWindowBytes = quotas.fetch.getMaxValueInQuotaWindow(ANONYMOUS_USER, clientId);
  const maxBytes = Math.min(req.maxBytes, Math.floor(maxQuotaWindowBytes));
  const responses = await broker.replicaManager.fetchMessages(
    maxBytes === req.maxBytes ? req : { ...req, maxBytes },
  );
  let bytes = 0;
  for (const t of responses) for (const p of t.partitions) bytes += p.records.length;
  const now = broker.time.milliseconds();
  const requestThrottleTimeMs = maybeRecordAndGetRequestThrottleTimeMs(broker, ctx);
  const bandwidthThrottleTimeMs = Math.min(
    MAX_THROTTLE_MS,
    quotas.fetch.maybeRecordAndGetThrottleTimeMs(ANONYMOUS_USER, clientId, bytes, now),
  );
  const throttleTimeMs = Math.max(bandwidthThrottleTimeMs, requestThrottleTimeMs);
  if (throttleTimeMs <= 0) return { throttleTimeMs: 0, errorCode: 0, responses };
  // Over a quota: no data this time, so the bytes do not count either.
  if (quotas.fetch.quotasEnabled)
    quotas.fetch.unrecordQuotaSensor(ANONYMOUS_USER, clientId, bytes, now);
  throttleLarger(quotas.fetch, quotas.request, ctx, bandwidthThrottleTimeMs, requestThrottleTimeMs);
  return { throttleTimeMs, errorCode: 0, responses: [] };
}
