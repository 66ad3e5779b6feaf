/**
 * Admin (Kafka's AdminClient, the topic and cluster parts): createTopics,
 * deleteTopics, listTopics, describeTopics, describeCluster, electLeaders. Topic creation,
 * deletion and elections go to the controller (retried on NOT_CONTROLLER after a metadata refresh);
 * the rest read Metadata from any broker.
 */
import { KafkaError, SystemTime, createLogger, type Logger, type Time } from '@kzoo/common';
import { ApiKeys, type MetadataResponse } from '@kzoo/protocol';
import { bootstrapServers, parseAdminConfig, type AdminConfig, type ConfigInput } from './config';
import { Cluster, type Node } from './metadata';
import { NetworkClient } from './network-client';

export interface NewTopic {
  topic: string;
  /** Default -1: the broker's `num.partitions`. */
  numPartitions?: number;
  /** Default -1: the broker's `default.replication.factor`. */
  replicationFactor?: number;
  /** Partition -> broker ids; replaces numPartitions/replicationFactor. */
  replicaAssignment?: Record<number, number[]>;
  /** Topic configs, Kafka names (`retention.ms`, `cleanup.policy`, ...). */
  configs?: Record<string, string>;
}

export interface CreateTopicsOptions {
  validateOnly?: boolean;
  timeoutMs?: number;
}

export interface PartitionDescription {
  partition: number;
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
  offlineReplicas: number[];
  /** Error name for this partition, if any (e.g. LEADER_NOT_AVAILABLE). */
  error: string | null;
}

export interface TopicDescription {
  name: string;
  isInternal: boolean;
  partitions: PartitionDescription[];
}

export interface ElectLeadersResult {
  topic: string;
  partition: number;
  /** null when elected; else Kafka's error name. */
  error: string | null;
  message: string | null;
}

export interface ClusterDescription {
  clusterId: string | null;
  controller: Node | null;
  brokers: Node[];
}

const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

export class Admin {
  readonly config: AdminConfig;
  private readonly network: NetworkClient;
  private readonly time: Time;
  private readonly log: Logger;

  constructor(config: ConfigInput, opts: { time?: Time; logger?: Logger } = {}) {
    this.config = parseAdminConfig(config);
    this.time = opts.time ?? SystemTime;
    this.log = (opts.logger ?? createLogger('admin')).child({ clientId: this.config['client.id'] });
    this.network = new NetworkClient({
      bootstrap: bootstrapServers(this.config),
      clientId: this.config['client.id'],
      requestTimeoutMs: this.config['request.timeout.ms'],
      connectTimeoutMs: this.config['socket.connection.setup.timeout.ms'],
      logger: this.log,
    });
  }

  private async metadata(topics: string[] | null): Promise<MetadataResponse> {
    const conn = await this.network.leastLoaded();
    const res = await conn.request(ApiKeys.Metadata, 0, {
      topics: topics && topics.map((name) => ({ name })),
      allowAutoTopicCreation: false,
    });
    this.network.setNodes(res.brokers);
    return res;
  }

  /** Runs `fn` against the controller, retrying retriable errors until the API timeout. */
  private async withController<T>(
    what: string,
    fn: (controllerId: number) => Promise<T>,
  ): Promise<T> {
    const timeout = this.config['default.api.timeout.ms'];
    const deadline = this.time.milliseconds() + timeout;
    for (;;) {
      let err: Error;
      try {
        const md = await this.metadata([]);
        if (md.controllerId < 0)
          throw new KafkaError('NOT_CONTROLLER', 'no controller elected yet');
        return await fn(md.controllerId);
      } catch (e) {
        err = e as Error;
      }
      if (!(err instanceof KafkaError && err.retriable) || this.time.milliseconds() >= deadline)
        throw err;
      this.log.debug(`${what}: retrying`, { error: err.message });
      await this.time.sleep(this.config['retry.backoff.ms']);
    }
  }

  /**
   * Creates topics; throws the KafkaError (Kafka's name, e.g. TOPIC_ALREADY_EXISTS,
   * INVALID_REPLICATION_FACTOR) of the first topic that failed, naming the topic.
   */
  async createTopics(topics: NewTopic[], opts: CreateTopicsOptions = {}): Promise<void> {
    if (!Array.isArray(topics) || topics.length === 0)
      throw new KafkaError('INVALID_REQUEST', 'createTopics expects a non-empty array of topics');
    const body = topics.map((t) => {
      if (
        !t ||
        typeof t.topic !== 'string' ||
        !TOPIC_NAME.test(t.topic) ||
        t.topic === '.' ||
        t.topic === '..'
      )
        throw new KafkaError(
          'INVALID_TOPIC_EXCEPTION',
          `invalid topic name ${JSON.stringify(t?.topic)}: up to 249 of [a-zA-Z0-9._-]`,
        );
      const assignments = Object.entries(t.replicaAssignment ?? {}).map(([p, ids]) => ({
        partitionIndex: Number(p),
        brokerIds: ids,
      }));
      const numPartitions = t.numPartitions ?? -1;
      const replicationFactor = t.replicationFactor ?? -1;
      if (!Number.isInteger(numPartitions) || (numPartitions < 1 && numPartitions !== -1))
        throw new KafkaError('INVALID_PARTITIONS', `topic ${t.topic}: partitions must be >= 1`);
      if (
        !Number.isInteger(replicationFactor) ||
        (replicationFactor < 1 && replicationFactor !== -1)
      )
        throw new KafkaError(
          'INVALID_REPLICATION_FACTOR',
          `topic ${t.topic}: replication factor must be >= 1`,
        );
      return {
        name: t.topic,
        numPartitions: assignments.length > 0 ? -1 : numPartitions,
        replicationFactor: assignments.length > 0 ? -1 : replicationFactor,
        assignments,
        configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({
          name,
          value: String(value),
        })),
      };
    });
    const timeoutMs = opts.timeoutMs ?? this.config['request.timeout.ms'];
    const res = await this.withController('createTopics', async (controller) => {
      const conn = await this.network.connectionTo(controller);
      const r = await conn.request(ApiKeys.CreateTopics, 0, {
        topics: body,
        timeoutMs,
        validateOnly: opts.validateOnly ?? false,
      });
      const notController = r.topics.find((t) => t.errorCode === 41);
      if (notController)
        throw new KafkaError('NOT_CONTROLLER', `createTopics sent to broker ${controller}`);
      return r;
    });
    for (const t of res.topics) {
      if (t.errorCode !== 0)
        throw new KafkaError(
          t.errorCode,
          `topic ${t.name}${t.errorMessage ? `: ${t.errorMessage}` : ''}`,
        );
    }
  }

  /** Deletes topics; throws the first per-topic KafkaError (e.g. UNKNOWN_TOPIC_OR_PARTITION). */
  async deleteTopics(topics: string[], opts: { timeoutMs?: number } = {}): Promise<void> {
    if (!Array.isArray(topics) || topics.length === 0 || topics.some((t) => typeof t !== 'string'))
      throw new KafkaError(
        'INVALID_REQUEST',
        'deleteTopics expects a non-empty array of topic names',
      );
    const timeoutMs = opts.timeoutMs ?? this.config['request.timeout.ms'];
    const res = await this.withController('deleteTopics', async (controller) => {
      const conn = await this.network.connectionTo(controller);
      const r = await conn.request(ApiKeys.DeleteTopics, 0, { topicNames: topics, timeoutMs });
      if (r.responses.some((t) => t.errorCode === 41))
        throw new KafkaError('NOT_CONTROLLER', `deleteTopics sent to broker ${controller}`);
      return r;
    });
    for (const t of res.responses) {
      if (t.errorCode !== 0)
        throw new KafkaError(
          t.errorCode,
          `topic ${t.name}${t.errorMessage ? `: ${t.errorMessage}` : ''}`,
        );
    }
  }

  /** Topic names, sorted; internal topics only with `listInternal`. */
  async listTopics(opts: { listInternal?: boolean } = {}): Promise<string[]> {
    const md = await this.metadata(null);
    return md.topics
      .filter((t) => t.errorCode === 0 && (opts.listInternal || !t.isInternal))
      .map((t) => t.name)
      .sort();
  }

  /** Partitions with leader, replicas, ISR and leader epoch; throws for unknown topics. */
  async describeTopics(topics: string[]): Promise<TopicDescription[]> {
    if (!Array.isArray(topics) || topics.length === 0)
      throw new KafkaError(
        'INVALID_REQUEST',
        'describeTopics expects a non-empty array of topic names',
      );
    const cluster = Cluster.fromResponse(await this.metadata(topics));
    return topics.map((name) => {
      const t = cluster.topics.get(name);
      if (!t) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `topic ${name} does not exist`);
      if (t.errorCode === 3)
        throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `topic ${name} does not exist`);
      if (t.errorCode !== 0) throw new KafkaError(t.errorCode, `topic ${name}`);
      return {
        name,
        isInternal: t.isInternal,
        partitions: t.partitions.map((p) => ({
          partition: p.partition,
          leader: p.leader,
          leaderEpoch: p.leaderEpoch,
          replicas: p.replicas,
          isr: p.isr,
          offlineReplicas: p.offlineReplicas,
          error: p.errorCode === 0 ? null : new KafkaError(p.errorCode).errorName,
        })),
      };
    });
  }

  /**
   * Preferred replica election (ElectLeaders to the controller) for `partitions`, or every
   * partition when null. Resolves with each partition's outcome: error null when its
   * preferred replica now leads, else Kafka's error name (ELECTION_NOT_NEEDED,
   * PREFERRED_LEADER_NOT_AVAILABLE, UNKNOWN_TOPIC_OR_PARTITION).
   */
  async electLeaders(
    partitions: Array<{ topic: string; partition: number }> | null,
    opts: { timeoutMs?: number } = {},
  ): Promise<ElectLeadersResult[]> {
    const byTopic = new Map<string, number[]>();
    for (const tp of partitions ?? []) {
      if (!tp || typeof tp.topic !== 'string' || !Number.isInteger(tp.partition))
        throw new KafkaError('INVALID_REQUEST', 'electLeaders expects {topic, partition} entries');
      byTopic.set(tp.topic, [...(byTopic.get(tp.topic) ?? []), tp.partition]);
    }
    const res = await this.withController('electLeaders', async (controller) => {
      const conn = await this.network.connectionTo(controller);
      const r = await conn.request(ApiKeys.ElectLeaders, 0, {
        electionType: 0,
        topicPartitions:
          partitions === null
            ? null
            : [...byTopic].map(([topic, ps]) => ({ topic, partitions: ps })),
        timeoutMs: opts.timeoutMs ?? this.config['request.timeout.ms'],
      });
      if (r.errorCode !== 0)
        throw new KafkaError(r.errorCode, `electLeaders sent to broker ${controller}`);
      return r;
    });
    return res.replicaElectionResults.flatMap((t) =>
      t.partitionResult.map((p) => ({
        topic: t.topic,
        partition: p.partitionId,
        error: p.errorCode === 0 ? null : new KafkaError(p.errorCode).errorName,
        message: p.errorMessage,
      })),
    );
  }

  async describeCluster(): Promise<ClusterDescription> {
    const cluster = Cluster.fromResponse(await this.metadata([]));
    return {
      clusterId: cluster.clusterId,
      controller: cluster.nodes.get(cluster.controllerId) ?? null,
      brokers: [...cluster.nodes.values()].sort((a, b) => a.nodeId - b.nodeId),
    };
  }

  async close(): Promise<void> {
    await this.network.close();
  }
}
