/**
 * Admin (Kafka's AdminClient): topics (createTopics, createPartitions, deleteTopics,
 * listTopics, describeTopics), configs (describeConfigs, incrementalAlterConfigs), the
 * cluster (describeCluster), offsets (listOffsets) and
 * consumer groups (listGroups, describeGroups, deleteGroups,
 * listConsumerGroupOffsets, alterConsumerGroupOffsets), elections (electLeaders) and
 * client quotas (describeClientQuotas, alterClientQuotas: ClientQuotas.ts).
 * Topic changes and elections go to the controller (retried on NOT_CONTROLLER after a
 * metadata refresh); group requests go to the group's coordinator (FindCoordinator,
 * retried on NOT_COORDINATOR / COORDINATOR_NOT_AVAILABLE); the rest read Metadata from
 * any broker.
 */
import {
  KafkaError,
  SystemTime,
  createLogger,
  type Logger,
  type Time,
  tpKey,
  type TopicPartition,
} from '@kzoo/common';
import { ApiKeys, type MetadataResponse } from '@kzoo/protocol';
import { parseAdminConfig, type AdminConfig, type ConfigInput } from './config';
import { decodeAssignment } from './assignors/consumer-protocol';
import { Cluster, type Node } from './Metadata';
import { networkClientFor, type NetworkClient } from './NetworkClient';
import {
  alterClientQuotas,
  describeClientQuotas,
  type ClientQuotaAlteration,
  type ClientQuotaDescription,
  type ClientQuotaFilter,
} from './ClientQuotas';
import type { Connection } from '@kzoo/protocol';

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
  /** Kafka's base64 topic Uuid (`topic_id` in `/brokers/topics/<t>`); null when it has none. */
  topicId: string | null;
  isInternal: boolean;
  partitions: PartitionDescription[];
}

/** One partition's answer to alterPartitionReassignments. */
export interface PartitionReassignmentResult {
  topic: string;
  partition: number;
  /** null when started (or cancelled); else Kafka's error name. */
  error: string | null;
  message: string | null;
}

/** A partition being reassigned, as listPartitionReassignments reports it. */
export interface OngoingPartitionReassignmentInfo {
  topic: string;
  partition: number;
  /** The full replica set (target first, then the replicas being removed). */
  replicas: number[];
  addingReplicas: number[];
  removingReplicas: number[];
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

/** A topic's new total partition count (Kafka's NewPartitions). */
export interface NewPartitions {
  topic: string;
  /** The new total number of partitions; must be larger than the current one. */
  count: number;
  /** Replicas of each new partition (preferred leader first); default: the controller places them. */
  assignments?: number[][];
}

export interface GroupListing {
  groupId: string;
  protocolType: string;
  /** Kafka's state name: Empty, PreparingRebalance, CompletingRebalance, Stable, Dead. */
  state: string;
}

export interface MemberDescription {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  /** The member's address as the coordinator saw it (`/127.0.0.1`). */
  host: string;
  /** Its partitions in the current generation (empty while rebalancing). */
  assignment: TopicPartition[];
}

export interface GroupDescription {
  groupId: string;
  state: string;
  protocolType: string;
  /** The assignor chosen (Stable only). */
  protocol: string;
  members: MemberDescription[];
  /** The coordinator's broker id. */
  coordinator: number;
}

export interface PartitionOffset extends TopicPartition {
  offset: number;
}

/** earliest / latest, or the first offset whose record timestamp is >= `timestamp` (-1: none). */
export type OffsetSpec = 'earliest' | 'latest' | { timestamp: number };

/** A config resource (Kafka's ConfigResource): a topic, or a broker by id. */
export interface ConfigResource {
  type: 'topic' | 'broker';
  /** Topic name, or broker id ('' = any broker's view of the broker defaults). */
  name: string;
}

/** Kafka's ConfigEntry.ConfigSource names (Java admin client). */
export type ConfigSourceName =
  | 'UNKNOWN'
  | 'DYNAMIC_TOPIC_CONFIG'
  | 'DYNAMIC_BROKER_CONFIG'
  | 'DYNAMIC_DEFAULT_BROKER_CONFIG'
  | 'STATIC_BROKER_CONFIG'
  | 'DEFAULT_CONFIG'
  | 'DYNAMIC_BROKER_LOGGER_CONFIG';

export interface ConfigSynonym {
  name: string;
  value: string | null;
  source: ConfigSourceName;
}

export interface ConfigEntry {
  name: string;
  value: string | null;
  source: ConfigSourceName;
  /** True when the value is the default (source DEFAULT_CONFIG). */
  isDefault: boolean;
  isReadOnly: boolean;
  isSensitive: boolean;
  synonyms: ConfigSynonym[];
  /** Kafka's ConfigDef.Type name: BOOLEAN, STRING, INT, SHORT, LONG, DOUBLE, LIST, CLASS, PASSWORD, UNKNOWN. */
  type: string;
  documentation: string | null;
}

export interface ResourceConfig {
  resource: ConfigResource;
  configs: ConfigEntry[];
}

/** One incremental change (Kafka's AlterConfigOp): set, delete, append to / subtract from a list. */
export interface AlterConfigOp {
  name: string;
  op: 'set' | 'delete' | 'append' | 'subtract';
  /** Required except for delete. */
  value?: string;
}

const CONFIG_SOURCES: ConfigSourceName[] = [
  'UNKNOWN',
  'DYNAMIC_TOPIC_CONFIG',
  'DYNAMIC_BROKER_CONFIG',
  'DYNAMIC_DEFAULT_BROKER_CONFIG',
  'STATIC_BROKER_CONFIG',
  'DEFAULT_CONFIG',
  'DYNAMIC_BROKER_LOGGER_CONFIG',
];
const CONFIG_TYPES = [
  'UNKNOWN',
  'BOOLEAN',
  'STRING',
  'INT',
  'SHORT',
  'LONG',
  'DOUBLE',
  'LIST',
  'CLASS',
  'PASSWORD',
];
const RESOURCE_TYPE_ID = { topic: 2, broker: 4 } as const;
const OP_ID = { set: 0, delete: 1, append: 2, subtract: 3 } as const;
const sourceName = (id: number): ConfigSourceName => CONFIG_SOURCES[id] ?? 'UNKNOWN';

const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

/** One transaction of `listTransactions` (Kafka's TransactionListing). */
export interface TransactionListing {
  transactionalId: string;
  producerId: number;
  /** Kafka's state name: Empty, Ongoing, PrepareCommit, PrepareAbort, CompleteCommit, CompleteAbort, ... */
  state: string;
  coordinator: number;
}

/** `describeTransactions` (Kafka's TransactionDescription). */
export interface TransactionDescription {
  transactionalId: string;
  coordinator: number;
  state: string;
  producerId: number;
  producerEpoch: number;
  transactionTimeoutMs: number;
  /** -1 when no transaction is open. */
  transactionStartTimeMs: number;
  partitions: Array<{ topic: string; partition: number }>;
}

export class Admin {
  readonly config: AdminConfig;
  private readonly network: NetworkClient;
  private readonly time: Time;
  private readonly log: Logger;

  constructor(config: ConfigInput, opts: { time?: Time; logger?: Logger } = {}) {
    this.config = parseAdminConfig(config, opts.logger ?? createLogger('admin'));
    this.time = opts.time ?? SystemTime;
    this.log = (opts.logger ?? createLogger('admin')).child({ clientId: this.config['client.id'] });
    this.network = networkClientFor(this.config, this.log, { time: this.time });
  }

  /** Metadata from any broker; v1 adds topic ids. */
  private async metadata(topics: string[] | null, version: 0 | 1 = 0): Promise<MetadataResponse> {
    const conn = await this.network.leastLoaded();
    const res = await conn.request(ApiKeys.Metadata, version, {
      topics: topics && topics.map((name) => ({ name })),
      allowAutoTopicCreation: false,
    });
    this.network.setNodes(res.brokers);
    return res;
  }

  /** Runs `fn` against the controller, retrying retriable errors until the API timeout. */
  private withController<T>(what: string, fn: (controllerId: number) => Promise<T>): Promise<T> {
    return this.retrying(what, async () => {
      const md = await this.metadata([]);
      if (md.controllerId < 0) throw new KafkaError('NOT_CONTROLLER', 'no controller elected yet');
      return fn(md.controllerId);
    });
  }

  /** Runs `fn`, retrying retriable KafkaErrors after `retry.backoff.ms` until the API timeout. */
  private async retrying<T>(what: string, fn: () => Promise<T>): Promise<T> {
    const deadline = this.time.milliseconds() + this.config['default.api.timeout.ms'];
    for (;;) {
      let err: Error;
      try {
        return await fn();
      } catch (e) {
        err = e as Error;
      }
      if (!(err instanceof KafkaError && err.retriable) || this.time.milliseconds() >= deadline)
        throw err;
      this.log.debug(`${what}: retrying`, { error: err.message });
      await this.time.sleep(this.config['retry.backoff.ms']);
    }
  }

  /** Runs `fn` on a connection to the group's coordinator, retrying coordinator errors. */
  private withCoordinator<T>(
    groupId: string,
    what: string,
    fn: (conn: Connection, coordinatorId: number) => Promise<T>,
  ): Promise<T> {
    if (typeof groupId !== 'string' || groupId === '')
      throw new KafkaError('INVALID_GROUP_ID', `${what}: the group id must be a non-empty string`);
    return this.retrying(what, async () => {
      const conn = await this.network.leastLoaded();
      const r = await conn.request(ApiKeys.FindCoordinator, 0, { key: groupId, keyType: 0 });
      if (r.errorCode !== 0)
        throw new KafkaError(
          r.errorCode,
          `group ${groupId}: ${r.errorMessage ?? 'FindCoordinator'}`,
        );
      const coord = await this.network.connect({ host: r.host, port: r.port });
      return fn(coord, r.nodeId);
    });
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
    const md = await this.metadata(topics, 1);
    const ids = new Map(md.topics.map((t) => [t.name, t.topicId ?? null]));
    const cluster = Cluster.fromResponse(md);
    return topics.map((name) => {
      const t = cluster.topics.get(name);
      if (!t) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `topic ${name} does not exist`);
      if (t.errorCode === 3)
        throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `topic ${name} does not exist`);
      if (t.errorCode !== 0) throw new KafkaError(t.errorCode, `topic ${name}`);
      return {
        name,
        topicId: ids.get(name) ?? null,
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
   * Grows topics to `count` partitions each (Kafka's createPartitions); throws the first
   * topic's KafkaError (INVALID_PARTITIONS when the count would not grow,
   * UNKNOWN_TOPIC_OR_PARTITION, INVALID_REPLICA_ASSIGNMENT), naming the topic.
   */
  async createPartitions(topics: NewPartitions[], opts: CreateTopicsOptions = {}): Promise<void> {
    if (!Array.isArray(topics) || topics.length === 0)
      throw new KafkaError('INVALID_REQUEST', 'createPartitions expects a non-empty array');
    const body = topics.map((t) => {
      if (!t || typeof t.topic !== 'string' || !TOPIC_NAME.test(t.topic))
        throw new KafkaError(
          'INVALID_TOPIC_EXCEPTION',
          `invalid topic name ${JSON.stringify(t?.topic)}`,
        );
      if (!Number.isInteger(t.count) || t.count < 1)
        throw new KafkaError('INVALID_PARTITIONS', `topic ${t.topic}: partitions must be >= 1`);
      return {
        name: t.topic,
        count: t.count,
        assignments: t.assignments ? t.assignments.map((brokerIds) => ({ brokerIds })) : null,
      };
    });
    const timeoutMs = opts.timeoutMs ?? this.config['request.timeout.ms'];
    const res = await this.withController('createPartitions', async (controller) => {
      const conn = await this.network.connectionTo(controller);
      return conn.request(ApiKeys.CreatePartitions, 0, {
        topics: body,
        timeoutMs,
        validateOnly: opts.validateOnly ?? false,
      });
    });
    for (const t of res.results) {
      if (t.errorCode !== 0)
        throw new KafkaError(
          t.errorCode,
          `topic ${t.name}${t.errorMessage ? `: ${t.errorMessage}` : ''}`,
        );
    }
  }

  /**
   * The earliest (log start) or latest (high watermark) offset of each partition, asked
   * of its leader with ListOffsets; retried on leader changes until the API timeout.
   * With `partial`, nothing is retried or thrown per partition: a partition that cannot
   * be answered now (no leader, unknown, broker unreachable) has offset -1 and `error`.
   */
  async listOffsets(
    tps: TopicPartition[],
    spec: OffsetSpec,
    opts: { partial?: boolean } = {},
  ): Promise<Array<PartitionOffset & { error?: string }>> {
    const byTime = typeof spec === 'object' && spec !== null;
    if (!byTime && spec !== 'earliest' && spec !== 'latest')
      throw new KafkaError(
        'INVALID_REQUEST',
        `listOffsets: spec must be earliest, latest or { timestamp }`,
      );
    if (byTime && !(Number.isSafeInteger(spec.timestamp) && spec.timestamp >= 0))
      throw new KafkaError('INVALID_REQUEST', `listOffsets: bad timestamp ${spec.timestamp}`);
    if (tps.length === 0) return [];
    const timestamp = byTime ? spec.timestamp : spec === 'latest' ? -1 : -2;
    const attempt = async () => {
      const topics = [...new Set(tps.map((tp) => tp.topic))];
      const cluster = Cluster.fromResponse(await this.metadata(topics));
      const byLeader = new Map<number, Map<string, number[]>>();
      const out = new Map<string, number | KafkaError>();
      for (const tp of tps) {
        const t = cluster.topics.get(tp.topic);
        const p = t && t.errorCode === 0 && t.partitions.find((x) => x.partition === tp.partition);
        if (!p || p.leader < 0) {
          out.set(
            tpKey(tp),
            !p
              ? new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', tpKey(tp))
              : new KafkaError('LEADER_NOT_AVAILABLE', `${tpKey(tp)} has no leader`),
          );
          continue;
        }
        let m = byLeader.get(p.leader);
        if (!m) byLeader.set(p.leader, (m = new Map()));
        let list = m.get(tp.topic);
        if (!list) m.set(tp.topic, (list = []));
        list.push(tp.partition);
      }
      await Promise.all(
        [...byLeader].map(async ([leader, m]) => {
          try {
            const conn = await this.network.connectionTo(leader);
            const res = await conn.request(ApiKeys.ListOffsets, 0, {
              replicaId: -1,
              isolationLevel: 0,
              topics: [...m].map(([name, ps]) => ({
                name,
                partitions: ps.map((partitionIndex) => ({
                  partitionIndex,
                  currentLeaderEpoch: -1,
                  timestamp,
                })),
              })),
            });
            for (const t of res.topics)
              for (const p of t.partitions)
                out.set(
                  tpKey(t.name, p.partitionIndex),
                  p.errorCode === 0
                    ? p.offset
                    : new KafkaError(p.errorCode, `ListOffsets ${t.name}-${p.partitionIndex}`),
                );
          } catch (e) {
            const err =
              e instanceof KafkaError ? e : new KafkaError('NETWORK_EXCEPTION', String(e));
            for (const [t, ps] of m) for (const p of ps) out.set(tpKey(t, p), err);
          }
        }),
      );
      return tps.map((tp) => {
        const v = out.get(tpKey(tp)) ?? new KafkaError('UNKNOWN_SERVER_ERROR');
        if (typeof v === 'number') return { ...tp, offset: v };
        if (!opts.partial) throw v;
        return { ...tp, offset: -1, error: v.errorName };
      });
    };
    return opts.partial ? attempt() : this.retrying('listOffsets', attempt);
  }

  /** Every group of the cluster (ListGroups to each broker, merged), sorted by id. */
  async listGroups(): Promise<GroupListing[]> {
    const md = await this.metadata([]);
    const all = new Map<string, GroupListing>();
    await Promise.all(
      md.brokers.map(async (b) => {
        const r = await this.retrying('listGroups', async () => {
          const conn = await this.network.connectionTo(b.nodeId);
          const res = await conn.request(ApiKeys.ListGroups, 0, { statesFilter: [] });
          if (res.errorCode !== 0)
            throw new KafkaError(res.errorCode, `ListGroups on broker ${b.nodeId}`);
          return res;
        });
        for (const g of r.groups)
          all.set(g.groupId, {
            groupId: g.groupId,
            protocolType: g.protocolType,
            state: g.groupState,
          });
      }),
    );
    return [...all.values()].sort((a, b) => (a.groupId < b.groupId ? -1 : 1));
  }

  /**
   * Every transaction the cluster's coordinators know (ListTransactions to each broker,
   * merged), optionally filtered by Kafka's state names and producer ids, sorted by id.
   */
  async listTransactions(
    opts: { states?: string[]; producerIds?: number[] } = {},
  ): Promise<TransactionListing[]> {
    const md = await this.metadata([]);
    const all = new Map<string, TransactionListing>();
    await Promise.all(
      md.brokers.map(async (b) => {
        const r = await this.retrying('listTransactions', async () => {
          const conn = await this.network.connectionTo(b.nodeId);
          const res = await conn.request(ApiKeys.ListTransactions, 0, {
            stateFilters: opts.states ?? [],
            producerIdFilters: opts.producerIds ?? [],
          });
          if (res.errorCode !== 0)
            throw new KafkaError(res.errorCode, `ListTransactions on broker ${b.nodeId}`);
          if (res.unknownStateFilters.length > 0)
            throw new KafkaError(
              'INVALID_REQUEST',
              `unknown transaction state(s): ${res.unknownStateFilters.join(', ')}`,
            );
          return res;
        });
        for (const t of r.transactionStates)
          all.set(t.transactionalId, {
            transactionalId: t.transactionalId,
            producerId: t.producerId,
            state: t.transactionState,
            coordinator: b.nodeId,
          });
      }),
    );
    return [...all.values()].sort((a, b) => (a.transactionalId < b.transactionalId ? -1 : 1));
  }

  /** State, producer id and epoch, timeout, start time and partitions of each transactional id. */
  async describeTransactions(transactionalIds: string[]): Promise<TransactionDescription[]> {
    return Promise.all(
      transactionalIds.map((id) => {
        if (typeof id !== 'string' || id === '')
          throw new KafkaError(
            'INVALID_REQUEST',
            'the transactional id must be a non-empty string',
          );
        return this.retrying('describeTransactions', async () => {
          const conn = await this.network.leastLoaded();
          const r = await conn.request(ApiKeys.FindCoordinator, 0, { key: id, keyType: 1 });
          if (r.errorCode !== 0)
            throw new KafkaError(
              r.errorCode,
              `transactional id ${id}: ${r.errorMessage ?? 'FindCoordinator'}`,
            );
          const coord = await this.network.connect({ host: r.host, port: r.port });
          const res = await coord.request(ApiKeys.DescribeTransactions, 0, {
            transactionalIds: [id],
          });
          const t = res.transactionStates[0];
          if (t.errorCode !== 0) throw new KafkaError(t.errorCode, `transactional id ${id}`);
          return {
            transactionalId: id,
            coordinator: r.nodeId,
            state: t.transactionState,
            producerId: t.producerId,
            producerEpoch: t.producerEpoch,
            transactionTimeoutMs: t.transactionTimeoutMs,
            transactionStartTimeMs: t.transactionStartTimeMs,
            partitions: t.topicPartitions.flatMap((tp) =>
              tp.partitionIndexes.map((partition) => ({ topic: tp.name, partition })),
            ),
          };
        });
      }),
    );
  }

  /** State, members (client id, host, assigned partitions) and coordinator of each group. */
  async describeGroups(groupIds: string[]): Promise<GroupDescription[]> {
    return Promise.all(
      groupIds.map((groupId) =>
        this.withCoordinator(groupId, 'describeGroups', async (conn, coordinator) => {
          const res = await conn.request(ApiKeys.DescribeGroups, 0, { groups: [groupId] });
          const g = res.groups[0];
          if (g.errorCode !== 0) throw new KafkaError(g.errorCode, `group ${groupId}`);
          return {
            groupId,
            state: g.groupState,
            protocolType: g.protocolType,
            protocol: g.protocolData,
            coordinator,
            members: g.members.map((m) => ({
              memberId: m.memberId,
              groupInstanceId: m.groupInstanceId,
              clientId: m.clientId,
              host: m.clientHost,
              assignment:
                g.protocolType === 'consumer' && m.memberAssignment.length > 0
                  ? decodeAssignment(m.memberAssignment).partitions
                  : [],
            })),
          };
        }),
      ),
    );
  }

  /**
   * Deletes Empty groups and their committed offsets; throws the first group's error
   * (NON_EMPTY_GROUP, GROUP_ID_NOT_FOUND), naming it.
   */
  async deleteGroups(groupIds: string[]): Promise<void> {
    for (const groupId of groupIds) {
      const code = await this.withCoordinator(groupId, 'deleteGroups', async (conn) => {
        const res = await conn.request(ApiKeys.DeleteGroups, 0, { groupsNames: [groupId] });
        const r = res.results[0];
        if (r.errorCode !== 0 && new KafkaError(r.errorCode).retriable)
          throw new KafkaError(r.errorCode, `group ${groupId}`);
        return r.errorCode;
      });
      if (code !== 0) throw new KafkaError(code, `group ${groupId}`);
    }
  }

  /** The group's committed offsets (next offset to read), sorted by topic and partition. */
  async listConsumerGroupOffsets(groupId: string): Promise<PartitionOffset[]> {
    return this.withCoordinator(groupId, 'listConsumerGroupOffsets', async (conn) => {
      const res = await conn.request(ApiKeys.OffsetFetch, 0, {
        groupId,
        topics: null,
        requireStable: false,
      });
      if (res.errorCode !== 0) throw new KafkaError(res.errorCode, `group ${groupId}`);
      const out: PartitionOffset[] = [];
      for (const t of res.topics)
        for (const p of t.partitions) {
          if (p.errorCode !== 0)
            throw new KafkaError(p.errorCode, `group ${groupId} ${t.name}-${p.partitionIndex}`);
          if (p.committedOffset >= 0)
            out.push({ topic: t.name, partition: p.partitionIndex, offset: p.committedOffset });
        }
      return out.sort((a, b) =>
        a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1,
      );
    });
  }

  /**
   * Commits `offsets` for the group as a standalone commit (generation -1, no member), as
   * Kafka's alterConsumerGroupOffsets: refused (UNKNOWN_MEMBER_ID) while the group has
   * members. Throws the first partition's error.
   */
  async alterConsumerGroupOffsets(groupId: string, offsets: PartitionOffset[]): Promise<void> {
    for (const o of offsets)
      if (!Number.isSafeInteger(o.offset) || o.offset < 0)
        throw new KafkaError(
          'INVALID_COMMIT_OFFSET_SIZE',
          `${o.topic}-${o.partition}: offset ${o.offset} must be a non-negative integer`,
        );
    const byTopic = new Map<string, PartitionOffset[]>();
    for (const o of offsets) {
      let list = byTopic.get(o.topic);
      if (!list) byTopic.set(o.topic, (list = []));
      list.push(o);
    }
    await this.withCoordinator(groupId, 'alterConsumerGroupOffsets', async (conn) => {
      const res = await conn.request(ApiKeys.OffsetCommit, 0, {
        groupId,
        generationId: -1,
        memberId: '',
        groupInstanceId: null,
        topics: [...byTopic].map(([name, list]) => ({
          name,
          partitions: list.map((o) => ({
            partitionIndex: o.partition,
            committedOffset: o.offset,
            committedLeaderEpoch: -1,
            committedMetadata: null,
          })),
        })),
      });
      for (const t of res.topics)
        for (const p of t.partitions)
          if (p.errorCode !== 0)
            throw new KafkaError(p.errorCode, `group ${groupId} ${t.name}-${p.partitionIndex}`);
    });
  }

  /**
   * Leader election (ElectLeaders to the controller) for `partitions`, or every partition
   * when null: preferred (default) or `electionType: 'unclean'` (partitions without a live
   * leader get one, out of sync if need be). Resolves with each partition's outcome: error
   * null when elected, else Kafka's error name (ELECTION_NOT_NEEDED,
   * PREFERRED_LEADER_NOT_AVAILABLE, ELIGIBLE_LEADERS_NOT_AVAILABLE, UNKNOWN_TOPIC_OR_PARTITION).
   */
  async electLeaders(
    partitions: Array<{ topic: string; partition: number }> | null,
    opts: { timeoutMs?: number; electionType?: 'preferred' | 'unclean' } = {},
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
        electionType: opts.electionType === 'unclean' ? 1 : 0,
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

  /**
   * AlterPartitionReassignments (KIP-455): moves each partition to `replicas` (its new
   * replica list, preferred leader first), or cancels its reassignment when `replicas`
   * is null. Resolves once the controller has started them, with each partition's
   * outcome: error null, else Kafka's error name (INVALID_REPLICA_ASSIGNMENT,
   * NO_REASSIGNMENT_IN_PROGRESS, UNKNOWN_TOPIC_OR_PARTITION) and message.
   */
  async alterPartitionReassignments(
    reassignments: Array<{ topic: string; partition: number; replicas: number[] | null }>,
    opts: { timeoutMs?: number } = {},
  ): Promise<PartitionReassignmentResult[]> {
    const byTopic = new Map<string, Array<{ partitionIndex: number; replicas: number[] | null }>>();
    for (const r of reassignments) {
      if (!r || typeof r.topic !== 'string' || !Number.isInteger(r.partition))
        throw new KafkaError(
          'INVALID_REQUEST',
          'alterPartitionReassignments expects {topic, partition, replicas} entries',
        );
      if (r.replicas !== null && !(Array.isArray(r.replicas) && r.replicas.every(Number.isInteger)))
        throw new KafkaError(
          'INVALID_REPLICA_ASSIGNMENT',
          `replicas of ${r.topic}-${r.partition} must be a list of broker ids or null`,
        );
      byTopic.set(r.topic, [
        ...(byTopic.get(r.topic) ?? []),
        { partitionIndex: r.partition, replicas: r.replicas },
      ]);
    }
    const res = await this.withController('alterPartitionReassignments', async (controller) => {
      const conn = await this.network.connectionTo(controller);
      const r = await conn.request(ApiKeys.AlterPartitionReassignments, 0, {
        timeoutMs: opts.timeoutMs ?? this.config['request.timeout.ms'],
        topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })),
      });
      if (r.errorCode !== 0)
        throw new KafkaError(
          r.errorCode,
          `alterPartitionReassignments sent to broker ${controller}${r.errorMessage ? `: ${r.errorMessage}` : ''}`,
        );
      return r;
    });
    return res.responses.flatMap((t) =>
      t.partitions.map((p) => ({
        topic: t.name,
        partition: p.partitionIndex,
        error: p.errorCode === 0 ? null : new KafkaError(p.errorCode).errorName,
        message: p.errorMessage,
      })),
    );
  }

  /**
   * ListPartitionReassignments: the partitions being reassigned among `partitions`
   * (every one when null), with the full replica set and the replicas being added and
   * removed.
   */
  async listPartitionReassignments(
    partitions: Array<{ topic: string; partition: number }> | null = null,
    opts: { timeoutMs?: number } = {},
  ): Promise<OngoingPartitionReassignmentInfo[]> {
    const byTopic = new Map<string, number[]>();
    for (const tp of partitions ?? [])
      byTopic.set(tp.topic, [...(byTopic.get(tp.topic) ?? []), tp.partition]);
    const res = await this.withController('listPartitionReassignments', async (controller) => {
      const conn = await this.network.connectionTo(controller);
      const r = await conn.request(ApiKeys.ListPartitionReassignments, 0, {
        timeoutMs: opts.timeoutMs ?? this.config['request.timeout.ms'],
        topics:
          partitions === null
            ? null
            : [...byTopic].map(([name, partitionIndexes]) => ({ name, partitionIndexes })),
      });
      if (r.errorCode !== 0)
        throw new KafkaError(
          r.errorCode,
          `listPartitionReassignments sent to broker ${controller}`,
        );
      return r;
    });
    return res.topics.flatMap((t) =>
      t.partitions.map((p) => ({
        topic: t.name,
        partition: p.partitionIndex,
        replicas: p.replicas,
        addingReplicas: p.addingReplicas,
        removingReplicas: p.removingReplicas,
      })),
    );
  }

  /**
   * DescribeConfigs: every config of each resource (or `configNames`), with value,
   * source and, on request, synonyms and documentation. Topics are asked of any broker,
   * a broker resource of that broker. Throws the first resource's KafkaError (e.g.
   * UNKNOWN_TOPIC_OR_PARTITION), naming the resource.
   */
  async describeConfigs(
    resources: ConfigResource[],
    opts: {
      configNames?: string[];
      includeSynonyms?: boolean;
      includeDocumentation?: boolean;
    } = {},
  ): Promise<ResourceConfig[]> {
    checkResources('describeConfigs', resources);
    const out: ResourceConfig[] = [];
    for (const resource of resources) {
      const res = await this.retrying('describeConfigs', async () => {
        const conn = await this.connectionFor(resource);
        return conn.request(ApiKeys.DescribeConfigs, 0, {
          resources: [
            {
              resourceType: RESOURCE_TYPE_ID[resource.type],
              resourceName: resource.name,
              configurationKeys: opts.configNames ?? null,
            },
          ],
          includeSynonyms: opts.includeSynonyms ?? false,
          includeDocumentation: opts.includeDocumentation ?? false,
        });
      });
      const r = res.results[0];
      if (!r) throw new KafkaError('UNKNOWN_SERVER_ERROR', 'describeConfigs: empty response');
      if (r.errorCode !== 0)
        throw new KafkaError(
          r.errorCode,
          `${resource.type} ${resource.name}${r.errorMessage ? `: ${r.errorMessage}` : ''}`,
        );
      out.push({
        resource,
        configs: r.configs.map((c) => ({
          name: c.name,
          value: c.value,
          source: sourceName(c.configSource),
          isDefault: c.configSource === 5,
          isReadOnly: c.readOnly,
          isSensitive: c.isSensitive,
          synonyms: c.synonyms.map((y) => ({ ...y, source: sourceName(y.source) })),
          type: CONFIG_TYPES[c.configType] ?? 'UNKNOWN',
          documentation: c.documentation,
        })),
      });
    }
    return out;
  }

  /**
   * IncrementalAlterConfigs: applies `ops` to each resource's overrides (set, delete,
   * append to / subtract from list keys such as cleanup.policy). Topics go to any
   * broker, which writes `/config/topics/<t>` and the change notification; a broker
   * resource goes to that broker (`/config/brokers/<id>`), the cluster-wide default
   * (name '') to any (`/config/brokers/<default>`); brokers apply them live. Throws the
   * first resource's KafkaError (INVALID_CONFIG naming the key, UNKNOWN_TOPIC_OR_PARTITION,
   * INVALID_REQUEST for a config that cannot be set dynamically). With validateOnly
   * nothing changes.
   */
  async incrementalAlterConfigs(
    changes: Array<{ resource: ConfigResource; ops: AlterConfigOp[] }>,
    opts: { validateOnly?: boolean } = {},
  ): Promise<void> {
    checkResources(
      'incrementalAlterConfigs',
      changes.map((c) => c?.resource),
    );
    for (const { resource, ops } of changes) {
      const configs = ops.map((o) => {
        if (!o || typeof o.name !== 'string' || !(o.op in OP_ID))
          throw new KafkaError(
            'INVALID_REQUEST',
            `incrementalAlterConfigs: bad operation ${JSON.stringify(o)} (op: set, delete, append or subtract)`,
          );
        return { name: o.name, configOperation: OP_ID[o.op], value: o.value ?? null };
      });
      const res = await this.retrying('incrementalAlterConfigs', async () => {
        const conn = await this.connectionFor(resource);
        return conn.request(ApiKeys.IncrementalAlterConfigs, 0, {
          resources: [
            { resourceType: RESOURCE_TYPE_ID[resource.type], resourceName: resource.name, configs },
          ],
          validateOnly: opts.validateOnly ?? false,
        });
      });
      const r = res.responses[0];
      if (!r)
        throw new KafkaError('UNKNOWN_SERVER_ERROR', 'incrementalAlterConfigs: empty response');
      if (r.errorCode !== 0)
        throw new KafkaError(
          r.errorCode,
          `${resource.type} ${resource.name}${r.errorMessage ? `: ${r.errorMessage}` : ''}`,
        );
    }
  }

  /** A broker resource with an id goes to that broker; anything else to any broker. */
  private async connectionFor(resource: ConfigResource): Promise<Connection> {
    if (resource.type === 'broker' && resource.name !== '') {
      await this.metadata([]);
      return this.network.connectionTo(Number(resource.name));
    }
    return this.network.leastLoaded();
  }

  /**
   * DescribeClientQuotas: the quota entities matching `filter` with their values, e.g.
   * `{ components: [{ entityType: 'client-id', match: 'app' }], strict: true }`.
   */
  describeClientQuotas(filter: ClientQuotaFilter): Promise<ClientQuotaDescription[]> {
    return describeClientQuotas(this.sendToAny, filter);
  }

  /**
   * AlterClientQuotas: sets (value) or removes (null) quota keys of each entity
   * (`{ entity: { 'client-id': 'app' }, ops: [{ key: 'producer_byte_rate', value: 102400 }] }`);
   * every broker applies them live. Throws the first refused entry's KafkaError.
   */
  alterClientQuotas(
    entries: ClientQuotaAlteration[],
    opts: { validateOnly?: boolean } = {},
  ): Promise<void> {
    return alterClientQuotas(this.sendToAny, entries, opts);
  }

  private readonly sendToAny = <T>(what: string, fn: (conn: Connection) => Promise<T>) =>
    this.retrying(what, async () => fn(await this.network.leastLoaded()));

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

function checkResources(what: string, resources: Array<ConfigResource | undefined>): void {
  if (!Array.isArray(resources) || resources.length === 0)
    throw new KafkaError('INVALID_REQUEST', `${what} expects a non-empty array of resources`);
  for (const r of resources) {
    if (!r || (r.type !== 'topic' && r.type !== 'broker') || typeof r.name !== 'string')
      throw new KafkaError(
        'INVALID_REQUEST',
        `${what}: bad resource ${JSON.stringify(r)} (expected { type: 'topic' | 'broker', name })`,
      );
    if (r.type === 'broker' && r.name !== '' && !/^\d+$/.test(r.name))
      throw new KafkaError(
        'INVALID_REQUEST',
        `${what}: broker id must be an integer, got ${r.name}`,
      );
  }
}
