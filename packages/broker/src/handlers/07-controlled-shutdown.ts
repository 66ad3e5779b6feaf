/**
 * ControlledShutdown (key 7), v0, broker → controller: the controller moves the
 * leadership of every partition the broker leads (RF > 1) to another ISR member and
 * takes it out of the ISRs it is in, then answers the partitions it still leads.
 * Errors: NOT_CONTROLLER (this broker is not the controller), BROKER_NOT_AVAILABLE (not
 * registered), STALE_BROKER_EPOCH (an older registration of that broker).
 */
import { ErrorCode } from '@kzoo/common';
import type { ControlledShutdownRequest, ControlledShutdownResponse } from '@kzoo/protocol';
import type { BrokerContext } from '../server/BrokerContext';

export async function handleControlledShutdown(
  broker: BrokerContext,
  req: ControlledShutdownRequest,
): Promise<ControlledShutdownResponse> {
  const c = broker.controller();
  if (!c || !c.isActive()) return { errorCode: ErrorCode.NOT_CONTROLLER, remainingPartitions: [] };
  const r = await c.controlledShutdown(req.brokerId, req.brokerEpoch);
  return {
    errorCode: ErrorCode[r.error],
    remainingPartitions: r.remaining.map((tp) => ({
      topicName: tp.topic,
      partitionIndex: tp.partition,
    })),
  };
}
