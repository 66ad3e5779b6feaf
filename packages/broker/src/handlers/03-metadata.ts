/**
 * Metadata (key 3), v0-1: answered from this broker's MetadataCache (what the
 * controller's UpdateMetadata requests said): live brokers with their endpoint on the
 * listener the request came in on (as Kafka answers per listener name), cluster id, controller id, and per topic its partitions with
 * leader, leader epoch, replicas, ISR and offline replicas. topics = null lists all.
 * An unknown topic named in the request is created when `allowAutoTopicCreation` and
 * `auto.create.topics.enable` are both true, with `num.partitions` and
 * `default.replication.factor`, and answered LEADER_NOT_AVAILABLE this time (as Kafka).
 * Topic errors: UNKNOWN_TOPIC_OR_PARTITION, INVALID_TOPIC_EXCEPTION,
 * LEADER_NOT_AVAILABLE, INVALID_REPLICATION_FACTOR (auto-creation with too few brokers).
 * Partition errors: LEADER_NOT_AVAILABLE when the leader is not live.
 * v1 (native listener): each known topic's id, the `topic_id` of `/brokers/topics/<t>`
 * (read once per topic and kept in the MetadataCache: UpdateMetadata v0 carries none).
 * Not implemented: topic ids on the Kafka listener (its Metadata stops at v8),
 * authorized operations.
 */
import { ErrorCode, KafkaError } from '@kzoo/common';
import type { MetadataRequest, MetadataResponse, MetadataResponseTopic } from '@kzoo/protocol';
import { detectInvalidTopic, isInternalTopic } from '../admin/Topic';
import type { RequestContext } from '../network';
import type { BrokerContext } from '../server/BrokerContext';

export async function handleMetadata(
  broker: BrokerContext,
  req: MetadataRequest,
  ctx: RequestContext,
): Promise<MetadataResponse> {
  const cache = broker.metadataCache;
  const names =
    req.topics === null ? cache.allTopics() : [...new Set(req.topics.map((t) => t.name))];
  const withIds = ctx.wire === 'kzoo' && ctx.header.apiVersion >= 1;
  if (withIds) await readTopicIds(broker, names);
  const topics: MetadataResponseTopic[] = [];
  for (const name of names) {
    const partitions = cache.topicPartitions(name);
    if (partitions) {
      topics.push({
        errorCode: 0,
        name,
        ...(withIds && { topicId: cache.topicId(name) ?? null }),
        isInternal: isInternalTopic(name),
        partitions,
      });
      continue;
    }
    topics.push({
      errorCode: await unknownTopicError(broker, name, req.allowAutoTopicCreation),
      name,
      isInternal: isInternalTopic(name),
      partitions: [],
    });
  }
  return {
    throttleTimeMs: 0,
    brokers: cache.aliveBrokerNodes(ctx.listenerName),
    clusterId: broker.clusterId(),
    controllerId: cache.controllerId,
    topics,
  };
}

/** Reads the ids of the known topics the cache has none for yet (one ZooKeeper read). */
async function readTopicIds(broker: BrokerContext, names: readonly string[]): Promise<void> {
  const cache = broker.metadataCache;
  const missing = names.filter((n) => cache.contains(n) && cache.topicId(n) === undefined);
  if (missing.length === 0) return;
  const assignments = await broker.adminZkClient.zkClient.getReplicaAssignmentForTopics(missing);
  for (const [topic, a] of assignments) cache.setTopicId(topic, a.topicId ?? null);
}

async function unknownTopicError(
  broker: BrokerContext,
  name: string,
  allowAutoTopicCreation: boolean,
): Promise<number> {
  if (detectInvalidTopic(name) !== null) return ErrorCode.INVALID_TOPIC_EXCEPTION;
  const s = broker.settings;
  if (!allowAutoTopicCreation || !s.autoCreateTopicsEnable)
    return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
  try {
    await broker.adminZkClient.createTopic(name, s.numPartitions, s.defaultReplicationFactor);
    broker.logger.info('auto-created topic', {
      topic: name,
      partitions: s.numPartitions,
      replicationFactor: s.defaultReplicationFactor,
    });
    return ErrorCode.LEADER_NOT_AVAILABLE;
  } catch (e) {
    if (e instanceof KafkaError) {
      return e.code === ErrorCode.TOPIC_ALREADY_EXISTS ? ErrorCode.LEADER_NOT_AVAILABLE : e.code;
    }
    throw e;
  }
}
