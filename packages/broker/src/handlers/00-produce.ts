/**
 * Produce (key 0), v0: appends each partition's RecordBatch v2 bytes to the partition
 * leader's log without decoding records (the log checks CRCs and headers and assigns
 * offsets in place).
 * acks 0: no response is written; if any partition failed the connection is closed
 * instead (after the responses to earlier requests), so the producer sees a disconnect
 * and refreshes its metadata, as Kafka does. acks 1: answered after the local append; acks -1:
 * answered when the high watermark passes the append, i.e. every ISR member has it
 * (NOT_ENOUGH_REPLICAS_AFTER_APPEND if the ISR shrank below min.insync.replicas
 * meanwhile), or REQUEST_TIMED_OUT after timeoutMs.
 * Per-partition errors: UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER,
 * INVALID_REQUIRED_ACKS, NOT_ENOUGH_REPLICAS, MESSAGE_TOO_LARGE, CORRUPT_MESSAGE,
 * INVALID_RECORD, RECORD_LIST_TOO_LARGE.
 * Transactional batches (transactionalId set) are appended like idempotent ones; the
 * log tracks the open transaction until the coordinator's marker.
 * Client quotas (KIP-13, KIP-124, KIP-219): the request's record bytes count against the
 * client's `producer_byte_rate` once appended, and the request's time against its
 * `request_percentage`; over either quota the response carries the larger throttle time
 * and the connection is muted for it (also with acks 0, which has no response; acks 0 is
 * exempt from the request quota, as in Kafka). Kafka counts the whole request size for
 * the byte rate; kzoo counts the record bytes.
 * Not implemented: KIP-890 verification that the partition was added to the transaction.
 */
import { errorDef } from '@kzoo/common';
import type { ProduceRequest, ProduceResponse } from '@kzoo/protocol';
import type { RequestContext } from '../network';
import type { BrokerContext } from '../server/BrokerContext';
import { ANONYMOUS_USER } from '../server/ClientQuotaManager';
import {
  MAX_THROTTLE_MS,
  maybeRecordAndGetRequestThrottleTimeMs,
  recordExempt,
  throttleLarger,
} from '../server/RequestHandlerHelper';

export async function handleProduce(
  broker: BrokerContext,
  req: ProduceRequest,
  ctx: RequestContext,
): Promise<ProduceResponse | undefined> {
  const topics = await broker.replicaManager.appendRecords(req.acks, req.timeoutMs, req.topics);
  const throttleTimeMs = recordProduceQuotas(broker, req, ctx);
  if (req.acks === 0) {
    // exempt from the request quota (Kafka's sendNoOpResponseExemptThrottle; kzoo counts a
    // failed one there too, where Kafka's closed connection records nothing)
    recordExempt(broker, ctx);
    const failed: string[] = [];
    for (const t of topics)
      for (const p of t.partitions)
        if (p.errorCode !== 0) failed.push(`${t.name}-${p.index}: ${errorDef(p.errorCode).name}`);
    if (failed.length > 0) {
      broker.logger.info(
        `Closing connection due to error during produce request with correlation id ${ctx.header.correlationId} from client id ${ctx.header.clientId ?? ''} with ack=0`,
        { connection: ctx.connectionId, errors: failed.join(', ') },
      );
      ctx.closeConnection();
    }
    return undefined;
  }
  return { topics, throttleTimeMs };
}

/**
 * Kafka's produce quota step: records the request's record bytes (producer_byte_rate)
 * and, unless acks is 0, its time (request_percentage) for (user, client-id); over
 * either quota, mutes the connection (after the response) for the larger throttle time,
 * recorded in that quota's throttle-time sensor, and returns it.
 */
function recordProduceQuotas(
  broker: BrokerContext,
  req: ProduceRequest,
  ctx: RequestContext,
): number {
  const quotas = broker.clientQuotas;
  if (!quotas) return 0;
  const bandwidthThrottleTimeMs = recordProducedBytes(broker, req, ctx);
  const requestThrottleTimeMs =
    req.acks === 0 ? 0 : maybeRecordAndGetRequestThrottleTimeMs(broker, ctx);
  return throttleLarger(
    quotas.produce,
    quotas.request,
    ctx,
    bandwidthThrottleTimeMs,
    requestThrottleTimeMs,
  );
}

/** The producer_byte_rate throttle of the request's record bytes (0 without a quota). */
function recordProducedBytes(
  broker: BrokerContext,
  req: ProduceRequest,
  ctx: RequestContext,
): number {
  const quota = broker.clientQuotas?.produce;
  if (!quota?.quotasEnabled) return 0;
  let bytes = 0;
  for (const t of req.topics) for (const p of t.partitions) bytes += p.records?.length ?? 0;
  const clientId = ctx.header.clientId ?? '';
  return Math.min(
    MAX_THROTTLE_MS,
    quota.recordAndGetThrottleTimeMs(ANONYMOUS_USER, clientId, bytes),
  );
}
