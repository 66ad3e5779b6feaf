/**
 * ListPartitionReassignments (key 46), v0, answered by the controller: the partitions
 * asked for (every one being reassigned when topics is null) that are moving, with
 * their full replica set and the replicas being added and removed, as the topic znode
 * has them. Top-level NOT_CONTROLLER when this broker is not the controller.
 */
import { ErrorCode } from '@kzoo/common';
import type {
  ListPartitionReassignmentsRequest,
  ListPartitionReassignmentsResponse,
  OngoingTopicReassignment,
} from '@kzoo/protocol';
import type { BrokerContext } from '../server/BrokerContext';

export async function handleListPartitionReassignments(
  broker: BrokerContext,
  req: ListPartitionReassignmentsRequest,
): Promise<ListPartitionReassignmentsResponse> {
  const notController: ListPartitionReassignmentsResponse = {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NOT_CONTROLLER,
    errorMessage: 'This is not the correct controller for this cluster.',
    topics: [],
  };
  const c = broker.controller();
  if (!c || !c.isActive()) return notController;
  const tps =
    req.topics?.flatMap((t) =>
      t.partitionIndexes.map((partition) => ({ topic: t.name, partition })),
    ) ?? null;
  const list = await c.listPartitionReassignments(tps);
  if (!list) return notController;
  const byTopic = new Map<string, OngoingTopicReassignment>();
  for (const { tp, assignment } of list) {
    let t = byTopic.get(tp.topic);
    if (!t) byTopic.set(tp.topic, (t = { name: tp.topic, partitions: [] }));
    t.partitions.push({
      partitionIndex: tp.partition,
      replicas: assignment.replicas,
      addingReplicas: assignment.addingReplicas,
      removingReplicas: assignment.removingReplicas,
    });
  }
  return { throttleTimeMs: 0, errorCode: 0, errorMessage: null, topics: [...byTopic.values()] };
}
