/**
 * StopReplica (key 5), v0, controller -> broker: stops serving the listed partitions;
 * with deletePartition (topic deletion) also removes their logs. Fenced by controller
 * epoch and broker epoch (STALE_CONTROLLER_EPOCH / STALE_BROKER_EPOCH for the whole
 * request) and by the partition's leader epoch (FENCED_LEADER_EPOCH when older;
 * -1 and -2 skip the check). Parked fetches and produces on them complete at once.
 */
import type { StopReplicaRequest, StopReplicaResponse } from '@kzoo/protocol';
import type { BrokerContext } from '../server/BrokerContext';

export function handleStopReplica(
  broker: BrokerContext,
  req: StopReplicaRequest,
): StopReplicaResponse {
  return broker.replicaManager.stopReplicas(req);
}
