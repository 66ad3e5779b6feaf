/**
 * ListOffsets (key 2), v0: per partition, timestamp -2 = the log start offset
 * (earliest), -1 = the high watermark for consumers or the log end offset for
 * replicaId >= 0 (latest), otherwise the first offset whose record timestamp is >= the
 * timestamp (offset -1 when there is none below the high watermark). Answered by the
 * leader only; leaderEpoch is the partition's current leader epoch.
 * Per-partition errors: UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER,
 * FENCED_LEADER_EPOCH, UNKNOWN_LEADER_EPOCH.
 * Not implemented: max-timestamp (-3), READ_COMMITTED's last stable offset (= HW here).
 */
import type {
  ListOffsetsRequest,
  ListOffsetsResponse,
  ListOffsetsResponsePartition,
} from '@kzoo/protocol';
import type { BrokerContext } from '../server/BrokerContext';
import { errorCodeOf } from '../server/ReplicaManager';

export function handleListOffsets(
  broker: BrokerContext,
  req: ListOffsetsRequest,
): ListOffsetsResponse {
  const fromConsumer = req.replicaId < 0;
  return {
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((rp): ListOffsetsResponsePartition => {
        try {
          const p = broker.replicaManager.getPartitionOrError(t.name, rp.partitionIndex);
          const found = p.fetchOffsetForTimestamp(
            rp.timestamp,
            rp.currentLeaderEpoch,
            fromConsumer,
            req.isolationLevel === 1,
          );
          return {
            partitionIndex: rp.partitionIndex,
            errorCode: 0,
            timestamp: found ? found.timestamp : -1,
            offset: found ? found.offset : -1,
            leaderEpoch: p.leaderEpoch,
          };
        } catch (e) {
          return {
            partitionIndex: rp.partitionIndex,
            errorCode: errorCodeOf(e),
            timestamp: -1,
            offset: -1,
            leaderEpoch: -1,
          };
        }
      }),
    })),
  };
}
