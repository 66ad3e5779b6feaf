/**
 * AlterPartitionReassignments (key 45), v0, answered by the controller (Kafka's
 * KafkaApis.handleAlterPartitionReassignmentsRequest → KafkaController
 * .alterPartitionReassignments): per partition a target replica list, or null to
 * cancel. Per partition: NONE (started, or cancelled), INVALID_REPLICA_ASSIGNMENT
 * (empty, duplicate or negative ids, new replicas on dead brokers),
 * NO_REASSIGNMENT_IN_PROGRESS (cancel with nothing moving), UNKNOWN_TOPIC_OR_PARTITION.
 * Top-level NOT_CONTROLLER when this broker is not the controller. The answer comes
 * when the reassignment has started, not when it completes (ListPartitionReassignments
 * shows the progress).
 */
import { ErrorCode, tpKey } from '@kzoo/common';
import type {
  AlterPartitionReassignmentsRequest,
  AlterPartitionReassignmentsResponse,
} from '@kzoo/protocol';
import type { BrokerContext } from '../server/BrokerContext';

export async function handleAlterPartitionReassignments(
  broker: BrokerContext,
  req: AlterPartitionReassignmentsRequest,
): Promise<AlterPartitionReassignmentsResponse> {
  const notController: AlterPartitionReassignmentsResponse = {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NOT_CONTROLLER,
    errorMessage: 'This is not the correct controller for this cluster.',
    responses: [],
  };
  const c = broker.controller();
  if (!c || !c.isActive()) return notController;
  const requests = req.topics.flatMap((t) =>
    t.partitions.map((p) => ({
      tp: { topic: t.name, partition: p.partitionIndex },
      replicas: p.replicas,
    })),
  );
  const results = await c.alterPartitionReassignments(requests);
  if (!results) return notController;
  return {
    throttleTimeMs: 0,
    errorCode: 0,
    errorMessage: null,
    responses: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => {
        const r = results.get(tpKey(t.name, p.partitionIndex));
        return {
          partitionIndex: p.partitionIndex,
          errorCode: r ? ErrorCode[r.error] : ErrorCode.UNKNOWN_SERVER_ERROR,
          errorMessage: r?.message ?? null,
        };
      }),
    })),
  };
}
