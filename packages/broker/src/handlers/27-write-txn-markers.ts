/**
 * WriteTxnMarkers (key 27), v0 (inter-broker): a transaction coordinator asks this
 * partition leader to append COMMIT/ABORT markers. Per-partition errors are the
 * append's (NOT_LEADER_OR_FOLLOWER, UNKNOWN_TOPIC_OR_PARTITION, NOT_ENOUGH_REPLICAS,
 * INVALID_PRODUCER_EPOCH for a marker older than the producer's epoch,
 * TRANSACTION_COORDINATOR_FENCED for one from an older coordinator epoch than the
 * producer's last marker, as Kafka's ProducerAppendInfo.checkCoordinatorEpoch).
 */
import type { WriteTxnMarkersRequest, WriteTxnMarkersResponse } from '@kzoo/protocol';
import { writeTxnMarkers } from '../coordinator/transaction/WriteTxnMarkers';
import type { BrokerContext } from '../server/BrokerContext';

export function handleWriteTxnMarkers(
  broker: BrokerContext,
  req: WriteTxnMarkersRequest,
): Promise<WriteTxnMarkersResponse> {
  return writeTxnMarkers(broker.replicaManager, req, broker.time.milliseconds());
}
