/**
 * OffsetFetch (key 9), v0: the group's committed offsets from ZooKeeper, whatever the
 * group's state. topics = null returns every committed partition; otherwise each
 * requested partition, with committedOffset -1 where none is committed. Leader epoch is
 * -1 and metadata '' (not kept in the ZooKeeper format).
 * Errors: top level INVALID_GROUP_ID, NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE (then
 * no topics are returned).
 * Not implemented: requireStable (no transactions).
 */
import type {
  OffsetFetchRequest,
  OffsetFetchResponse,
  OffsetFetchResponseTopic,
} from '@kzoo/protocol';
import { groupCoordinatorOf, type BrokerContext } from '../server/BrokerContext';

export async function handleOffsetFetch(
  broker: BrokerContext,
  req: OffsetFetchRequest,
): Promise<OffsetFetchResponse> {
  const coordinator = groupCoordinatorOf(broker);
  const partitions =
    req.topics === null
      ? null
      : req.topics.flatMap((t) =>
          t.partitionIndexes.map((partition) => ({ topic: t.name, partition })),
        );
  const r = await coordinator.handleFetchOffsets(req.groupId, partitions);
  const topics = new Map<string, OffsetFetchResponseTopic>();
  for (const o of r.offsets) {
    let t = topics.get(o.topic);
    if (!t) topics.set(o.topic, (t = { name: o.topic, partitions: [] }));
    t.partitions.push({
      partitionIndex: o.partition,
      committedOffset: o.offset,
      committedLeaderEpoch: -1,
      metadata: '',
      errorCode: o.errorCode,
    });
  }
  return { throttleTimeMs: 0, topics: [...topics.values()], errorCode: r.errorCode };
}
