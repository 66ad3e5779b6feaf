/**
 * ElectLeaders (key 43), v0, sent to the controller, for the named partitions or every
 * partition (null). electionType 0 = preferred: NONE, ELECTION_NOT_NEEDED (the preferred
 * replica leads), PREFERRED_LEADER_NOT_AVAILABLE (it is not live or not in the ISR).
 * electionType 1 = unclean, for partitions without a live leader: NONE (a live ISR member,
 * else the first live replica, now leads), ELECTION_NOT_NEEDED (a live leader exists),
 * ELIGIBLE_LEADERS_NOT_AVAILABLE (no live replica). UNKNOWN_TOPIC_OR_PARTITION for
 * partitions that do not exist; another electionType is INVALID_REQUEST. Top-level
 * NOT_CONTROLLER when this broker is not the controller.
 * As Kafka's DelayedElectLeader, the answer waits (at most timeoutMs) until this broker's
 * metadata shows each elected leader; partitions still waiting then get REQUEST_TIMED_OUT.
 */
import { ErrorCode, parseTpKey, tpKey } from '@kzoo/common';
import type {
  ElectLeadersRequest,
  ElectLeadersReplicaElectionResult,
  ElectLeadersResponse,
} from '@kzoo/protocol';
import { type TP } from '../controller/ControllerContext';
import type { BrokerContext } from '../server/BrokerContext';

export async function handleElectLeaders(
  broker: BrokerContext,
  req: ElectLeadersRequest,
): Promise<ElectLeadersResponse> {
  const fail = (errorCode: number): ElectLeadersResponse => ({
    throttleTimeMs: 0,
    errorCode,
    replicaElectionResults: [],
  });
  const c = broker.controller();
  if (!c || !c.isActive()) return fail(ErrorCode.NOT_CONTROLLER);
  if (req.electionType !== 0 && req.electionType !== 1) return fail(ErrorCode.INVALID_REQUEST);
  const tps: TP[] | null =
    req.topicPartitions?.flatMap((t) =>
      t.partitions.map((partition) => ({ topic: t.topic, partition })),
    ) ?? null;
  const results = await c.electLeaders(tps, req.electionType === 0 ? 'preferred' : 'unclean');
  if (!results) return fail(ErrorCode.NOT_CONTROLLER);
  const expected = [...results].filter(
    (e): e is [string, (typeof e)[1] & { leader: number }] =>
      e[1].error === 'NONE' && e[1].leader !== undefined,
  );
  const seen = ([k, r]: [string, { leader: number }]) => {
    const tp = parseTpKey(k);
    return broker.metadataCache.partitionState(tp.topic, tp.partition)?.leader === r.leader;
  };
  if (expected.length > 0)
    await broker.metadataCache.waitUntil(() => expected.every(seen), req.timeoutMs);
  for (const e of expected)
    if (!seen(e))
      results.set(e[0], {
        error: 'REQUEST_TIMED_OUT',
        message: `the new leader ${e[1].leader} of ${e[0]} was not in this broker's metadata after ${req.timeoutMs} ms`,
      });
  const byTopic = new Map<string, ElectLeadersReplicaElectionResult>();
  const order: TP[] = tps ?? [...results.keys()].map(parseTpKey);
  for (const tp of order) {
    const r = results.get(tpKey(tp));
    if (!r) continue;
    let t = byTopic.get(tp.topic);
    if (!t) byTopic.set(tp.topic, (t = { topic: tp.topic, partitionResult: [] }));
    t.partitionResult.push({
      partitionId: tp.partition,
      errorCode: ErrorCode[r.error],
      errorMessage: r.error === 'NONE' ? null : r.message,
    });
  }
  return { throttleTimeMs: 0, errorCode: 0, replicaElectionResults: [...byTopic.values()] };
}
