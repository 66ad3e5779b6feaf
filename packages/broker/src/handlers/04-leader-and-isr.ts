/**
 * LeaderAndIsr (key 4), v0, controller -> broker: makes this broker leader or
 * follower of the listed partitions (creating their logs, with the topic's configs from
 * /config/topics/<t>). A request from an older controller epoch is refused whole with
 * STALE_CONTROLLER_EPOCH, one with an older broker epoch with STALE_BROKER_EPOCH; a
 * partition state is applied only when its leaderEpoch is newer than the one held
 * (else STALE_CONTROLLER_EPOCH for that partition); a partition whose replicas do not
 * include this broker gets UNKNOWN_TOPIC_OR_PARTITION.
 * Making this broker follower starts fetching from the leader (truncation first); making
 * it leader stops that. Not implemented: reassignment fields.
 */
import type { LeaderAndIsrRequest, LeaderAndIsrResponse } from '@kzoo/protocol';
import type { BrokerContext } from '../server/BrokerContext';

export function handleLeaderAndIsr(
  broker: BrokerContext,
  req: LeaderAndIsrRequest,
): Promise<LeaderAndIsrResponse> {
  return broker.replicaManager.becomeLeaderOrFollower(req);
}
