/**
 * The request quota steps of Kafka's RequestHandlerHelper (KIP-124), around every
 * handler: a client's request records its time and, over the quota, is answered with the
 * throttle time in `throttleTimeMs` (when the response has the field, on either wire)
 * while its connection is muted for that long; a request only brokers send is exempt.
 * Produce and Fetch take the request throttle themselves, to combine it with their byte
 * quota (KIP-219: the larger of the two is the throttle).
 */
import { ApiKeys } from '@kzoo/protocol';
import type { RequestContext } from '../network';
import type { BrokerContext } from './BrokerContext';
import { ANONYMOUS_USER, type ClientQuotaManager } from './ClientQuotaManager';

/**
 * The APIs kzoo serves that Kafka marks `clusterAction` (only brokers send them): their
 * time is exempt from request quotas, errors included.
 */
export const CLUSTER_ACTION_APIS: ReadonlySet<number> = new Set([
  ApiKeys.LeaderAndIsr,
  ApiKeys.StopReplica,
  ApiKeys.UpdateMetadata,
  ApiKeys.ControlledShutdown,
  ApiKeys.WriteTxnMarkers,
  ApiKeys.AlterPartition,
]);

/**
 * Records the request's time against the client's request quota and returns the
 * throttle time (Kafka's RequestHandlerHelper.maybeRecordAndGetThrottleTimeMs); 0 when
 * no request quota is set.
 */
export function maybeRecordAndGetRequestThrottleTimeMs(
  broker: BrokerContext,
  ctx: RequestContext,
): number {
  const quota = broker.clientQuotas?.request;
  return quota?.maybeRecordRequestAndGetThrottleTimeMs(ctx, broker.time.milliseconds()) ?? 0;
}

/** Records an exempt request's time in exempt-request-time (Kafka's maybeRecordExempt). */
export function recordExempt(broker: BrokerContext, ctx: RequestContext): void {
  broker.clientQuotas?.request.maybeRecordExempt(ctx);
}

/**
 * Kafka's ClientQuotaManager.throttle: the throttle goes in that quota's throttle-time
 * sensor and the connection is muted for it once the response is written.
 */
export function throttle(
  quota: ClientQuotaManager,
  ctx: RequestContext,
  throttleTimeMs: number,
): void {
  if (throttleTimeMs <= 0) return;
  quota.throttle(ANONYMOUS_USER, ctx.header.clientId ?? '', throttleTimeMs);
  ctx.throttle?.(throttleTimeMs);
}

/** The longest throttle a response can carry (throttle_time_ms is an int32). */
export const MAX_THROTTLE_MS = 2147483647;

/**
 * Produce and Fetch under KIP-219: of the byte quota's and the request quota's throttle
 * times, the larger is applied and recorded in its quota's throttle-time sensor (Kafka's
 * KafkaApis does the same). Returns it (0: not throttled).
 */
export function throttleLarger(
  byteQuota: ClientQuotaManager,
  requestQuota: ClientQuotaManager,
  ctx: RequestContext,
  bandwidthThrottleTimeMs: number,
  requestThrottleTimeMs: number,
): number {
  if (bandwidthThrottleTimeMs > requestThrottleTimeMs)
    throttle(byteQuota, ctx, bandwidthThrottleTimeMs);
  else throttle(requestQuota, ctx, requestThrottleTimeMs);
  return Math.max(bandwidthThrottleTimeMs, requestThrottleTimeMs);
}

/**
 * The request quota step after a handler answered (Kafka's sendResponseMaybeThrottle,
 * or sendResponseExemptThrottle for a cluster action): returns the response, carrying
 * the request throttle time if it has a `throttleTimeMs` field.
 */
export function sendResponseMaybeThrottle(
  broker: BrokerContext,
  ctx: RequestContext,
  response: unknown,
): unknown {
  const throttleTimeMs = recordMaybeThrottle(broker, ctx);
  return throttleTimeMs > 0 ? withThrottleTime(response, throttleTimeMs) : response;
}

/**
 * The request quota step when a handler failed (Kafka's handleError): the network layer
 * puts the throttle in the error body where it has the field.
 */
export function handleErrorMaybeThrottle(broker: BrokerContext, ctx: RequestContext): void {
  recordMaybeThrottle(broker, ctx);
}

/**
 * What answering and failing share: a cluster action's time is exempt; a client's
 * request is recorded and, over its quota, throttled. Returns the throttle time (0:
 * none). Nothing to do when the handler already recorded the request (Produce, Fetch).
 */
function recordMaybeThrottle(broker: BrokerContext, ctx: RequestContext): number {
  if (ctx.times?.recordNetworkThreadTimeCallback) return 0;
  if (CLUSTER_ACTION_APIS.has(ctx.header.apiKey)) {
    recordExempt(broker, ctx);
    return 0;
  }
  const throttleTimeMs = maybeRecordAndGetRequestThrottleTimeMs(broker, ctx);
  if (throttleTimeMs > 0) throttle(broker.clientQuotas!.request, ctx, throttleTimeMs);
  return throttleTimeMs;
}

/** `response` with throttleTimeMs raised to `throttleTimeMs`, if it has that field. */
function withThrottleTime(response: unknown, throttleTimeMs: number): unknown {
  const current = (response as { throttleTimeMs?: unknown } | null | undefined)?.throttleTimeMs;
  if (typeof current !== 'number' || current >= throttleTimeMs) return response;
  return { ...(response as object), throttleTimeMs };
}
