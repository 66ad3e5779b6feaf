/**
 * AlterPartition (key 56, formerly AlterIsr), v0, partition leader -> controller
 * (inter.broker.protocol.version >= 2.7): a leader proposes a new ISR; the active
 * controller checks it and writes the partition's state znode without bumping
 * leader_epoch (controller/AlterPartitionHandler.ts). A broker that is not the active
 * controller answers NOT_CONTROLLER (the leader retries against the new one).
 * Not implemented: leaderRecoveryState changes (KIP-704), topic ids.
 */
import { ErrorCode } from '@kzoo/common';
import type { AlterPartitionRequest, AlterPartitionResponse } from '@kzoo/protocol';
import type { BrokerContext } from '../server/BrokerContext';

export async function handleAlterPartition(
  broker: BrokerContext,
  req: AlterPartitionRequest,
): Promise<AlterPartitionResponse> {
  const controller = broker.controller();
  if (!controller || !controller.isActive())
    return { throttleTimeMs: 0, errorCode: ErrorCode.NOT_CONTROLLER, topics: [] };
  return controller.alterPartition(req);
}
