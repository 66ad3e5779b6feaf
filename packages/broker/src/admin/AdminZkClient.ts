/**
 * AdminZkClient: topic administration written through ZooKeeper the way Kafka's
 * `zk.AdminZkClient` does it. Creating a topic validates the name (Kafka's rules and the
 * '.'/'_' collision check), the partition count, replication factor or explicit
 * assignment and the topic configs, then writes `/config/topics/<t>` and
 * `/brokers/topics/<t>` (v3, with a topic id) — the controller takes it from there.
 * Adding partitions rewrites `/brokers/topics/<t>` with the old and the new partitions
 * (keeping the topic id); the controller's data watch on that znode creates them.
 * Deleting a topic creates `/admin/delete_topics/<t>`. Changing a topic's configs
 * (changeTopicConfig) validates the complete new override set, writes it to
 * `/config/topics/<t>` and announces it with a `/config/changes/config_change_<seq>`
 * notification, which every broker's DynamicConfigManager applies. Client quotas
 * (changeClientIdConfig, changeUserOrUserClientIdConfig) go the same way to
 * `/config/clients/<id>`, `/config/users/<user>` and `/config/users/<user>/clients/<id>`
 * (sanitized names, `<default>` at each level).
 */
import { KafkaError, isClientOrUserQuotaConfig } from '@kzoo/common';
import {
  BadVersionError,
  ConfigEntityName,
  NodeExistsError,
  randomKafkaUuid,
  type ConfigType,
  type KafkaZk,
  type ReplicaAssignment,
} from '@kzoo/zk';
import { assignReplicasToBrokers } from './AdminUtils';
import { validateTopicConfig } from './TopicConfig';
import { hasCollision, hasCollisionChars, validateTopicName } from './Topic';

export interface CreateTopicResult {
  topicId: string;
  assignment: Map<number, number[]>;
}

export class AdminZkClient {
  constructor(readonly zkClient: KafkaZk) {}

  async getAllTopics(): Promise<string[]> {
    return this.zkClient.getAllTopicsInCluster();
  }

  async topicExists(topic: string): Promise<boolean> {
    return this.zkClient.topicExists(topic);
  }

  /** `/config/topics/<t>` as a map ({} when missing). */
  async fetchTopicConfig(topic: string): Promise<Record<string, string>> {
    return this.zkClient.getEntityConfigs('topics', topic);
  }

  /**
   * Kafka's validateTopicConfig: a valid name of an existing topic
   * (UNKNOWN_TOPIC_OR_PARTITION otherwise) and a valid complete override set
   * (INVALID_CONFIG naming the key).
   */
  async validateTopicConfig(topic: string, configs: Record<string, string>): Promise<void> {
    validateTopicName(topic);
    if (!(await this.topicExists(topic)))
      throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `Topic '${topic}' does not exist.`);
    validateTopicConfig(configs);
  }

  /**
   * Kafka's changeTopicConfig: validates, then replaces the topic's overrides with
   * `configs` (the complete new set) in `/config/topics/<t>` and creates the change
   * notification `{"version":2,"entity_path":"topics/<t>"}` under `/config/changes`.
   */
  async changeTopicConfig(topic: string, configs: Record<string, string>): Promise<void> {
    await this.validateTopicConfig(topic, configs);
    await this.changeEntityConfig('topics', topic, configs);
  }

  /** `/config/<type>/<name>` as a map ({} when missing): Kafka's fetchEntityConfig. */
  async fetchEntityConfig(
    entityType: ConfigType,
    entityName: string,
  ): Promise<Record<string, string>> {
    return this.zkClient.getEntityConfigs(entityType, entityName);
  }

  /**
   * Kafka's changeBrokerConfig: replaces the dynamic configs of broker `brokerId` (null:
   * the cluster-wide default, `/config/brokers/<default>`) with `configs` (the complete
   * new set, validated by the caller) and announces `brokers/<id>` (or
   * `brokers/<default>`) under `/config/changes`.
   */
  async changeBrokerConfig(
    brokerId: number | null,
    configs: Record<string, string>,
  ): Promise<void> {
    const entity = brokerId === null ? ConfigEntityName.Default : String(brokerId);
    await this.changeEntityConfig('brokers', entity, configs);
  }

  /**
   * Kafka's changeClientIdConfig: `/config/clients/<sanitized client-id | <default>>`
   * gets `configs` (the complete new set; only quota keys) and the notification.
   */
  async changeClientIdConfig(
    sanitizedClientId: string,
    configs: Record<string, string>,
  ): Promise<void> {
    validateQuotaConfigs(configs);
    await this.changeEntityConfig('clients', sanitizedClientId, configs);
  }

  /**
   * Kafka's changeUserOrUserClientIdConfig: `/config/users/<user>` or
   * `/config/users/<user>/clients/<client-id>` (sanitized, `<default>` at either level).
   */
  async changeUserOrUserClientIdConfig(
    sanitizedEntityName: string,
    configs: Record<string, string>,
  ): Promise<void> {
    validateQuotaConfigs(configs);
    await this.changeEntityConfig('users', sanitizedEntityName, configs);
  }

  /** Kafka's fetchAllEntityConfigs (users: with their `<user>/clients/<id>` children). */
  async fetchAllEntityConfigs(
    entityType: ConfigType,
  ): Promise<Array<[string, Record<string, string>]>> {
    const out: Array<[string, Record<string, string>]> = [];
    for (const name of await this.zkClient.getAllEntitiesWithConfig(entityType))
      out.push([name, await this.zkClient.getEntityConfigs(entityType, name)]);
    return out;
  }

  /** Kafka's changeEntityConfig: the entity's znode, then the change notification. */
  private async changeEntityConfig(
    entityType: ConfigType,
    entityName: string,
    configs: Record<string, string>,
  ): Promise<void> {
    await this.zkClient.setOrCreateEntityConfigs(entityType, entityName, configs);
    await this.zkClient.createConfigChangeNotification(`${entityType}/${entityName}`);
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
    await this.zkClient.setOrCreateEntityConfigs('topics', topic, config);
    const partitions = new Map<number, ReplicaAssignment>();
    for (const [p, replicas] of assignment)
      partitions.set(p, { replicas, addingReplicas: [], removingReplicas: [] });
    try {
      await this.zkClient.createTopicAssignment(topic, { topicId, partitions });
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
    validateTopicConfig(config); // INVALID_CONFIG naming an unknown key or a bad value
  }

  /**
   * Kafka's addPartitions: grows `topic` to `numPartitions` partitions. The new ones are
   * placed by `replicaAssignment` (one replica list per new partition) or, as Kafka's
   * createNewPartitionsAssignment does, by the rack-unaware assignment starting at the
   * broker of partition 0's preferred leader, with partition 0's replication factor and
   * partition ids from the current count. INVALID_PARTITIONS unless the count grows;
   * UNKNOWN_TOPIC_OR_PARTITION for a missing topic; INVALID_TOPIC_EXCEPTION while it is
   * queued for deletion. The znode is written conditionally on the version read.
   * Returns the new partitions' assignment.
   */
  async addPartitions(
    topic: string,
    numPartitions: number,
    replicaAssignment: number[][] | null = null,
    validateOnly = false,
  ): Promise<Map<number, number[]>> {
    const existing = (await this.zkClient.getReplicaAssignmentForTopics([topic])).get(topic);
    if (!existing)
      throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `Topic '${topic}' does not exist.`);
    if (await this.zkClient.isTopicMarkedForDeletion(topic))
      throw new KafkaError('INVALID_TOPIC_EXCEPTION', `The topic ${topic} is queued for deletion.`);
    const current = existing.partitions.size;
    if (!Number.isInteger(numPartitions) || numPartitions <= current)
      throw new KafkaError(
        'INVALID_PARTITIONS',
        `Topic currently has ${current} partitions, ${numPartitions} would not be an increase.`,
      );
    const partition0 = existing.partitions.get(0);
    if (!partition0)
      throw new KafkaError('INVALID_REPLICA_ASSIGNMENT', `Topic '${topic}' has no partition 0.`);
    const rf = partition0.replicas.length;
    const brokers = await this.zkClient.getSortedBrokerList();
    const toAdd = numPartitions - current;
    let added: Map<number, number[]>;
    if (replicaAssignment) {
      if (replicaAssignment.length !== toAdd)
        throw new KafkaError(
          'INVALID_REPLICA_ASSIGNMENT',
          `Increasing the number of partitions by ${toAdd} but ${replicaAssignment.length} assignments provided.`,
        );
      const live = new Set(brokers);
      added = new Map();
      replicaAssignment.forEach((replicas, i) => {
        const p = current + i;
        if (replicas.length !== rf)
          throw new KafkaError(
            'INVALID_REPLICA_ASSIGNMENT',
            `Inconsistent replication factor between partitions, partition 0 has ${rf} while partition ${p} has replication factor ${replicas.length}.`,
          );
        if (new Set(replicas).size !== replicas.length)
          throw new KafkaError(
            'INVALID_REPLICA_ASSIGNMENT',
            `Duplicate brokers not allowed in replica assignment: ${replicas.join(', ')} for partition id ${p}.`,
          );
        const unknown = replicas.filter((b) => !live.has(b));
        if (unknown.length > 0)
          throw new KafkaError(
            'INVALID_REPLICA_ASSIGNMENT',
            `Unknown broker(s) in replica assignment: ${unknown.join(', ')}.`,
          );
        added.set(p, replicas);
      });
    } else {
      const startIndex = Math.max(
        0,
        brokers.findIndex((id) => id >= partition0.replicas[0]),
      );
      added = assignReplicasToBrokers(brokers, toAdd, rf, {
        fixedStartIndex: startIndex,
        startPartitionId: current,
      });
    }
    if (validateOnly) return added;
    const partitions = new Map(existing.partitions);
    for (const [p, replicas] of added)
      partitions.set(p, { replicas, addingReplicas: [], removingReplicas: [] });
    try {
      await this.zkClient.setTopicAssignment(
        topic,
        { topicId: existing.topicId, partitions },
        existing.zkVersion,
      );
    } catch (e) {
      // Changed since we read it: decide again on what is there now.
      if (e instanceof BadVersionError)
        return this.addPartitions(topic, numPartitions, replicaAssignment, validateOnly);
      throw e;
    }
    return added;
  }

  /** Marks a topic for deletion: creates `/admin/delete_topics/<t>` (the controller deletes it). */
  async deleteTopic(topic: string): Promise<void> {
    if (!(await this.topicExists(topic)))
      throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `Topic '${topic}' does not exist.`);
    try {
      await this.zkClient.createDeleteTopicPath(topic);
    } catch (e) {
      if (!(e instanceof NodeExistsError)) throw e;
      // Already marked: Kafka's TopicAlreadyMarkedForDeletion; the deletion is under way.
    }
  }
}

/**
 * Kafka's DynamicConfig.Client/User.validate: only quota keys (INVALID_CONFIG "Unknown
 * Dynamic Configuration: Set(k)." otherwise), each a number.
 */
export function validateQuotaConfigs(configs: Record<string, string>): void {
  const unknown = Object.keys(configs).filter((k) => !isClientOrUserQuotaConfig(k));
  if (unknown.length > 0)
    throw new KafkaError(
      'INVALID_CONFIG',
      `Unknown Dynamic Configuration: Set(${unknown.join(', ')}).`,
    );
  for (const [k, v] of Object.entries(configs))
    if (v.trim() === '' || !Number.isFinite(Number(v)))
      throw new KafkaError('INVALID_CONFIG', `Invalid value ${v} for configuration ${k}`);
}
