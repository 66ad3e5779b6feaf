/**
 * UpdateMetadata (key 6), v0, controller -> every broker: feeds the MetadataCache
 * (live brokers and endpoints, partition states, controller id). Partition states are
 * upserted; leader -2 (LeaderDuringDelete) removes a partition. A request from an older
 * controller epoch gets STALE_CONTROLLER_EPOCH, one with an older broker epoch
 * STALE_BROKER_EPOCH; nothing is applied then.
 */
import { ErrorCode } from '@kzoo/common';
import type { UpdateMetadataRequest, UpdateMetadataResponse } from '@kzoo/protocol';
import type { BrokerContext } from '../server/BrokerContext';

export function handleUpdateMetadata(
  broker: BrokerContext,
  req: UpdateMetadataRequest,
): UpdateMetadataResponse {
  const rm = broker.replicaManager;
  if (req.controllerEpoch < rm.controllerEpoch) {
    broker.logger.warn('ignoring UpdateMetadata from a stale controller', {
      controllerId: req.controllerId,
      controllerEpoch: req.controllerEpoch,
      known: rm.controllerEpoch,
    });
    return { errorCode: ErrorCode.STALE_CONTROLLER_EPOCH };
  }
  if (req.brokerEpoch >= 0 && req.brokerEpoch < rm.brokerEpoch())
    return { errorCode: ErrorCode.STALE_BROKER_EPOCH };
  rm.controllerEpoch = req.controllerEpoch;
  broker.metadataCache.updateMetadata(req);
  return { errorCode: 0 };
}
