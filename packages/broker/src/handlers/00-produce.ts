/**
 * Produce (key 0), v0: appends each partition's RecordBatch v2 bytes to the partition
 * leader's log without decoding records (the log checks CRCs and headers and assigns
 * offsets in place).
 * acks 0: no response is written; acks 1: answered after the local append; acks -1:
 * answered when the high watermark passes the append, i.e. every ISR member has it
 * (NOT_ENOUGH_REPLICAS_AFTER_APPEND if the ISR shrank below min.insync.replicas
 * meanwhile), or REQUEST_TIMED_OUT after timeoutMs.
 * Per-partition errors: UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER,
 * INVALID_REQUIRED_ACKS, NOT_ENOUGH_REPLICAS, MESSAGE_TOO_LARGE, CORRUPT_MESSAGE,
 * INVALID_RECORD, RECORD_LIST_TOO_LARGE.
 * Not implemented: transactions (transactionalId must be null), closing the
 * connection after a failed acks=0 request, quotas (throttleTimeMs is 0).
 */
import { KafkaError } from '@kzoo/common';
import type { ProduceRequest, ProduceResponse } from '@kzoo/protocol';
import type { BrokerContext } from '../server/KafkaApis';

export async function handleProduce(
  broker: BrokerContext,
  req: ProduceRequest,
): Promise<ProduceResponse | undefined> {
  if (req.transactionalId !== null)
    throw new KafkaError('UNSUPPORTED_VERSION', 'transactional produce is not supported');
  const topics = await broker.replicaManager.appendRecords(req.acks, req.timeoutMs, req.topics);
  if (req.acks === 0) return undefined;
  return { topics, throttleTimeMs: 0 };
}
