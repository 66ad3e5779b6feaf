/**
 * OffsetCommit (key 8), v0 (Kafka v7's fields): stores each partition's next offset
 * to read in ZooKeeper (`/consumers/<group>/offsets/<topic>/<partition>`), all
 * partitions of the request in one ZooKeeper multi. Generation and member are checked
 * by the GroupCoordinator; generationId -1 with memberId '' is a standalone commit,
 * allowed while the group has no members.
 * Per-partition errors: UNKNOWN_TOPIC_OR_PARTITION (not in this broker's metadata),
 * OFFSET_METADATA_TOO_LARGE (> 4096, `offset.metadata.max.bytes`),
 * INVALID_COMMIT_OFFSET_SIZE (not a 64-bit integer; negative offsets are stored, as Kafka), ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID,
 * REBALANCE_IN_PROGRESS, INVALID_GROUP_ID, NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE.
 * Not implemented: committedLeaderEpoch and committedMetadata are checked but not
 * stored (the ZooKeeper format holds only the offset).
 */
import { ErrorCode, tpKey } from '@kzoo/common';
import type { OffsetCommitRequest, OffsetCommitResponse } from '@kzoo/protocol';
import type { CommittedOffset } from '../coordinator/group';
import { groupCoordinatorOf, type BrokerContext } from '../server/BrokerContext';

/** Kafka's `offset.metadata.max.bytes` default. */
export const OFFSET_METADATA_MAX_BYTES = 4096;

export async function handleOffsetCommit(
  broker: BrokerContext,
  req: OffsetCommitRequest,
): Promise<OffsetCommitResponse> {
  const coordinator = groupCoordinatorOf(broker);
  const errors = new Map<string, number>();
  const valid: CommittedOffset[] = [];
  for (const t of req.topics) {
    const n = broker.metadataCache.numPartitions(t.name);
    for (const p of t.partitions) {
      if (n === undefined || p.partitionIndex >= n) {
        errors.set(tpKey(t.name, p.partitionIndex), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      } else if (
        p.committedMetadata !== null &&
        Buffer.byteLength(p.committedMetadata) > OFFSET_METADATA_MAX_BYTES
      ) {
        errors.set(tpKey(t.name, p.partitionIndex), ErrorCode.OFFSET_METADATA_TOO_LARGE);
      } else {
        valid.push({ topic: t.name, partition: p.partitionIndex, offset: p.committedOffset });
      }
    }
  }
  if (valid.length > 0 || errors.size === 0) {
    const results = await coordinator.handleCommitOffsets({
      groupId: req.groupId,
      generationId: req.generationId,
      memberId: req.memberId,
      groupInstanceId: req.groupInstanceId,
      offsets: valid,
    });
    for (const r of results) errors.set(tpKey(r), r.errorCode);
  }
  return {
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({
        partitionIndex: p.partitionIndex,
        errorCode: errors.get(tpKey(t.name, p.partitionIndex)) ?? ErrorCode.NONE,
      })),
    })),
  };
}
