/**
 * CreateTopics (key 19), v0: any broker serves it, writing through ZooKeeper as Kafka's
 * AdminZkClient does (`/config/topics/<t>`, then `/brokers/topics/<t>` v3 with a topic
 * id); the controller then elects leaders. numPartitions / replicationFactor -1 take
 * `num.partitions` / `default.replication.factor`; or an explicit assignment (not both).
 * With validateOnly nothing is written. Then, like Kafka's DelayedCreatePartitions, the
 * response waits (at most timeoutMs) until this broker's metadata shows a leader for
 * every partition; topics still without leaders then get REQUEST_TIMED_OUT.
 * Topic errors: INVALID_TOPIC_EXCEPTION (name rules, '.'/'_' collision),
 * TOPIC_ALREADY_EXISTS, INVALID_PARTITIONS, INVALID_REPLICATION_FACTOR (more replicas
 * than live brokers), INVALID_REPLICA_ASSIGNMENT, INVALID_CONFIG, INVALID_REQUEST
 * (a topic named twice, or both counts and an assignment).
 */
import { ErrorCode, KafkaError } from '@kzoo/common';
import type {
  CreatableTopic,
  CreatableTopicResult,
  CreateTopicsRequest,
  CreateTopicsResponse,
} from '@kzoo/protocol';
import type { BrokerContext } from '../server/BrokerContext';

export async function handleCreateTopics(
  broker: BrokerContext,
  req: CreateTopicsRequest,
): Promise<CreateTopicsResponse> {
  const counts = new Map<string, number>();
  for (const t of req.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
  const results: CreatableTopicResult[] = [];
  for (const t of req.topics) {
    const result: CreatableTopicResult = {
      name: t.name,
      errorCode: 0,
      errorMessage: null,
      numPartitions: -1,
      replicationFactor: -1,
    };
    results.push(result);
    try {
      if (counts.get(t.name)! > 1)
        throw new KafkaError(
          'INVALID_REQUEST',
          `Create topics request from client contains ${t.name} more than once.`,
        );
      await createOne(broker, t, req.validateOnly, result);
    } catch (e) {
      if (!(e instanceof KafkaError)) throw e;
      result.errorCode = e.code;
      result.errorMessage = e.message;
      broker.logger.info('CreateTopics refused a topic', { topic: t.name, error: e.message });
    }
  }
  const created = results.filter((r) => r.errorCode === 0);
  if (!req.validateOnly && req.timeoutMs > 0 && created.length > 0) {
    const cache = broker.metadataCache;
    const ready = () => created.every((r) => cache.hasLeaders(r.name, r.numPartitions));
    if (!(await cache.waitUntil(ready, req.timeoutMs))) {
      for (const r of created) {
        if (cache.hasLeaders(r.name, r.numPartitions)) continue;
        r.errorCode = ErrorCode.REQUEST_TIMED_OUT;
        r.errorMessage = `topic ${r.name} was created but its leaders were not elected within ${req.timeoutMs} ms`;
      }
    }
  }
  return { throttleTimeMs: 0, topics: results };
}

async function createOne(
  broker: BrokerContext,
  t: CreatableTopic,
  validateOnly: boolean,
  result: CreatableTopicResult,
): Promise<void> {
  const config: Record<string, string> = {};
  for (const c of t.configs) {
    if (c.value === null)
      throw new KafkaError(
        'INVALID_REQUEST',
        `Null value not supported for topic config ${c.name}`,
      );
    config[c.name] = c.value;
  }
  const admin = broker.adminZkClient;
  if (t.assignments.length > 0) {
    if (t.numPartitions !== -1 || t.replicationFactor !== -1)
      throw new KafkaError(
        'INVALID_REQUEST',
        'Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.',
      );
    const assignment = new Map(t.assignments.map((a) => [a.partitionIndex, a.brokerIds]));
    const live = new Set(await admin.zkClient.getSortedBrokerList());
    const unknown = [...new Set(t.assignments.flatMap((a) => a.brokerIds))].filter(
      (b) => !live.has(b),
    );
    if (unknown.length > 0)
      throw new KafkaError(
        'INVALID_REPLICA_ASSIGNMENT',
        `Unknown broker(s) in replica assignment: ${unknown.join(', ')}.`,
      );
    await admin.createTopicWithAssignment(t.name, config, assignment, validateOnly);
    result.numPartitions = assignment.size;
    result.replicationFactor = t.assignments[0].brokerIds.length;
    return;
  }
  const n = t.numPartitions === -1 ? broker.settings.numPartitions : t.numPartitions;
  const rf =
    t.replicationFactor === -1 ? broker.settings.defaultReplicationFactor : t.replicationFactor;
  await admin.createTopic(t.name, n, rf, config, validateOnly);
  result.numPartitions = n;
  result.replicationFactor = rf;
}
