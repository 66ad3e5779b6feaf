/**
 * OffsetForLeaderEpoch (key 23), v0: the leader answers, per partition, the largest
 * leader epoch <= the requested one that its log knows and that epoch's end offset
 * (the start of the next epoch, or its LEO for the latest), from its leader-epoch cache
 * (KIP-101, KIP-279). Followers ask it before fetching after a leader change.
 * Per-partition errors: FENCED_LEADER_EPOCH (currentLeaderEpoch older than the
 * leader's), UNKNOWN_LEADER_EPOCH (newer), NOT_LEADER_OR_FOLLOWER,
 * UNKNOWN_TOPIC_OR_PARTITION; an unknown epoch answers leaderEpoch -1 / endOffset -1.
 * Not implemented: answering consumers from followers (replicaId -1 is served by the
 * leader only).
 */
import type { OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse } from '@kzoo/protocol';
import type { BrokerContext } from '../server/BrokerContext';

export function handleOffsetForLeaderEpoch(
  broker: BrokerContext,
  req: OffsetForLeaderEpochRequest,
): OffsetForLeaderEpochResponse {
  return { throttleTimeMs: 0, topics: broker.replicaManager.lastOffsetForLeaderEpoch(req) };
}
