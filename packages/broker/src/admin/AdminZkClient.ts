/**
 * AdminZkClient: topic administration written through ZooKeeper the way Kafka's
 * `zk.AdminZkClient` does it. Creating a topic validates the name (Kafka's rules and the
 * '.'/'_' collision check), the partition count, replication factor or explicit
 * assignment and the topic configs, then writes `/config/topics/<t>` and
 * `/brokers/topics/<t>` (v3, with a topic id) — the controller takes it from there.
 * Deleting a topic creates `/admin/delete_topics/<t>`.
 */
import { KafkaError } from '@kzoo/common';
import { LOG_CONFIG_DEFAULTS, logConfig } from '@kzoo/log';
import {
  ConfigEntityZNode,
  DeleteTopicsTopicZNode,
  KafkaZkClient,
  NodeExistsError,
  TopicZNode,
  TopicsZNode,
  randomKafkaUuid,
  type ReplicaAssignment,
} from '@kzoo/zk';
import { assignReplicasToBrokers } from './AdminUtils';
import { hasCollision, hasCollisionChars, validateTopicName } from './Topic';

/** Topic-level config keys accepted at creation (Kafka's TopicConfig names). */
export const TOPIC_CONFIG_NAMES: ReadonlySet<string> = new Set([
  ...Object.keys(LOG_CONFIG_DEFAULTS),
  'min.insync.replicas',
  'unclean.leader.election.enable',
  'compression.type',
  'preallocate',
  'message.timestamp.difference.max.ms',
  'message.downconversion.enable',
  'leader.replication.throttled.replicas',
  'follower.replication.throttled.replicas',
]);

export interface CreateTopicResult {
  topicId: string;
  assignment: Map<number, number[]>;
}

export class AdminZkClient {
  constructor(readonly zkClient: KafkaZkClient) {}

  async getAllTopics(): Promise<string[]> {
    return this.zkClient.getChildren(TopicsZNode.path());
  }

  async topicExists(topic: string): Promise<boolean> {
    return this.zkClient.pathExists(TopicZNode.path(topic));
  }

  /** `/config/topics/<t>` as a map ({} when missing). */
  async fetchTopicConfig(topic: string): Promise<Record<string, string>> {
    const r = await this.zkClient.getDataAndStat(ConfigEntityZNode.path('topics', topic));
    return r ? ConfigEntityZNode.decode(r.data) : {};
  }

  /** Rack-unaware assignment over the live brokers (Kafka's createTopic). */
  async createTopic(
    topic: string,
    numPartitions: number,
    replicationFactor: number,
    config: Record<string, string> = {},
    validateOnly = false,
  ): Promise<CreateTopicResult> {
    validateTopicName(topic);
    const brokers = await this.zkClient.getSortedBrokerList();
    const assignment = assignReplicasToBrokers(brokers, numPartitions, replicationFactor);
    return this.createTopicWithAssignment(topic, config, assignment, validateOnly);
  }

  /** Validates, then writes `/config/topics/<t>` and `/brokers/topics/<t>` (unless validateOnly). */
  async createTopicWithAssignment(
    topic: string,
    config: Record<string, string>,
    assignment: Map<number, number[]>,
    validateOnly = false,
  ): Promise<CreateTopicResult> {
    await this.validateTopicCreate(topic, assignment, config);
    const topicId = randomKafkaUuid();
    if (validateOnly) return { topicId, assignment };
    await this.zkClient.makeSurePersistentPathExists('/config/topics');
    const cfgPath = ConfigEntityZNode.path('topics', topic);
    const cfgJson = ConfigEntityZNode.encode(config);
    try {
      await this.zkClient.zk.create(cfgPath, cfgJson);
    } catch (e) {
      if (!(e instanceof NodeExistsError)) throw e;
      await this.zkClient.zk.setData(cfgPath, cfgJson);
    }
    const partitions = new Map<number, ReplicaAssignment>();
    for (const [p, replicas] of assignment)
      partitions.set(p, { replicas, addingReplicas: [], removingReplicas: [] });
    try {
      await this.zkClient.zk.create(
        TopicZNode.path(topic),
        TopicZNode.encode({ topicId, partitions }),
        {
          parents: true,
        },
      );
    } catch (e) {
      if (e instanceof NodeExistsError)
        throw new KafkaError('TOPIC_ALREADY_EXISTS', `Topic '${topic}' already exists.`);
      throw e;
    }
    return { topicId, assignment };
  }

  /** Kafka's validateTopicCreate. */
  async validateTopicCreate(
    topic: string,
    assignment: Map<number, number[]>,
    config: Record<string, string>,
  ): Promise<void> {
    validateTopicName(topic);
    if (await this.topicExists(topic))
      throw new KafkaError('TOPIC_ALREADY_EXISTS', `Topic '${topic}' already exists.`);
    if (hasCollisionChars(topic)) {
      const colliding = (await this.getAllTopics()).filter((t) => hasCollision(t, topic));
      if (colliding.length > 0)
        throw new KafkaError(
          'INVALID_TOPIC_EXCEPTION',
          `Topic '${topic}' collides with existing topics: ${colliding.join(', ')}`,
        );
    }
    if (assignment.size === 0)
      throw new KafkaError('INVALID_PARTITIONS', 'Number of partitions must be larger than 0.');
    const sizes = new Set([...assignment.values()].map((r) => r.length));
    if (sizes.size !== 1)
      throw new KafkaError(
        'INVALID_REPLICA_ASSIGNMENT',
        'All partitions should have the same number of replicas',
      );
    for (const [p, replicas] of assignment) {
      if (new Set(replicas).size !== replicas.length)
        throw new KafkaError(
          'INVALID_REPLICA_ASSIGNMENT',
          `Duplicate replica assignment found: ${p} -> [${replicas.join(',')}]`,
        );
      if (replicas.length === 0)
        throw new KafkaError(
          'INVALID_REPLICATION_FACTOR',
          'Replication factor must be larger than 0.',
        );
    }
    const ids = [...assignment.keys()].sort((a, b) => a - b);
    if (ids.some((p, i) => p !== i))
      throw new KafkaError(
        'INVALID_REPLICA_ASSIGNMENT',
        `partitions should be a consecutive 0-based integer sequence, got ${ids.join(',')}`,
      );
    for (const k of Object.keys(config))
      if (!TOPIC_CONFIG_NAMES.has(k))
        throw new KafkaError('INVALID_CONFIG', `Unknown topic config name: ${k}`);
    logConfig(config); // INVALID_CONFIG on a bad value
    const minIsr = config['min.insync.replicas'];
    if (minIsr !== undefined && !/^[1-9]\d*$/.test(minIsr.trim()))
      throw new KafkaError(
        'INVALID_CONFIG',
        `Invalid value ${minIsr} for configuration min.insync.replicas`,
      );
  }

  /** Marks a topic for deletion: creates `/admin/delete_topics/<t>` (the controller deletes it). */
  async deleteTopic(topic: string): Promise<void> {
    if (!(await this.topicExists(topic)))
      throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `Topic '${topic}' does not exist.`);
    try {
      await this.zkClient.zk.create(DeleteTopicsTopicZNode.path(topic), null, { parents: true });
    } catch (e) {
      if (!(e instanceof NodeExistsError)) throw e;
      // Already marked: Kafka's TopicAlreadyMarkedForDeletion; the deletion is under way.
    }
  }
}
