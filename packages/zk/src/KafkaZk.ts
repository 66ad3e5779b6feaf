/**
 * KafkaZk: every ZooKeeper read and write kzoo's brokers make, typed, in Kafka's
 * `KafkaZkClient.scala` vocabulary. Two implementations: `KafkaZkClient` (a real
 * ZooKeeper session, Kafka's znode layout byte for byte) and `InMemoryKafkaZkClient`
 * (the same rules on plain maps, for unit tests on a mock clock). One contract suite
 * (`KafkaZk.contract.ts`) runs on both.
 *
 * Errors, on both: ZooKeeper's typed errors where the caller decides (NodeExistsError,
 * NoNodeError, BadVersionError), ControllerMovedError for a controller write whose
 * `epochZkVersion` is no longer the zkVersion of /controller_epoch (nothing applied),
 * BrokerIdInUseError for a broker id registered by another live session.
 */
import type { Watcher, ZkSessionState } from './session';
import type {
  BrokerInfo,
  BrokerRegistration,
  ConfigType,
  ControllerRegistration,
  FeatureZNodeData,
  LeaderIsrAndControllerEpoch,
  PartitionReplicas,
  ProducerIdBlock,
  TopicAssignment,
  TopicPartition,
} from './znodes';

export interface ControllerEpochAndZkVersion {
  /** The controller epoch (the number in /controller_epoch). */
  epoch: number;
  /** The zkVersion of /controller_epoch this controller wrote: its fencing token. */
  epochZkVersion: number;
}

export interface BrokerAndEpoch {
  broker: BrokerRegistration;
  /** The czxid of /brokers/ids/<id> (KIP-380 broker epoch). */
  epoch: number;
}

/** A committed offset as stored under `/consumers/<group>/offsets/<topic>/<partition>`. */
export interface ConsumerOffsetEntry {
  topic: string;
  partition: number;
  /** The next offset to read. */
  offset: number;
}

/** A partition's `state` znode and its zkVersion (Kafka's LeaderIsrAndControllerEpoch + zkVersion). */
export interface PartitionStateAndZkVersion extends LeaderIsrAndControllerEpoch {
  /** The zkVersion of `…/partitions/<p>/state` (Kafka's partitionEpoch). */
  zkVersion: number;
}

/** `/brokers/topics/<t>` and its zkVersion. */
export interface TopicAssignmentAndZkVersion extends TopicAssignment {
  zkVersion: number;
}

/** One partition for `updateLeaderAndIsr`: the state to write and the zkVersion it replaces. */
export interface LeaderAndIsrUpdate {
  topicPartition: TopicPartition;
  leader: number;
  leaderEpoch: number;
  isr: number[];
  /** The zkVersion the write is conditional on (the one read). */
  zkVersion: number;
  leaderRecoveryState?: 0 | 1;
}

/** Kafka's UpdateLeaderAndIsrResult. Keys are `tpKey(tp)`. */
export interface UpdateLeaderAndIsrResult {
  /** Written partitions (the new state and zkVersion), or the error that refused one (e.g. NoNode). */
  finishedPartitions: Map<string, PartitionStateAndZkVersion | Error>;
  /** Partitions whose zkVersion moved (BADVERSION): read again and decide again. */
  partitionsToRetry: TopicPartition[];
}

/** The content of /latest_producer_id_block and its zkVersion. */
export interface ProducerIdBlockAndZkVersion {
  /** null while the node has no data (created empty at startup). */
  block: ProducerIdBlock | null;
  zkVersion: number;
}

export type ZkSessionEvent = 'expired' | 'newSession';

export interface KafkaZk {
  // ------------------------------------------------------------ session
  readonly sessionId: string;
  readonly sessionState: ZkSessionState;
  /** `expired`: the session is gone (ephemerals and watches with it); `newSession`: a new one is up. */
  onSessionEvent(event: ZkSessionEvent, listener: () => void): void;
  offSessionEvent(event: ZkSessionEvent, listener: () => void): void;
  close(): Promise<void>;

  // ------------------------------------------------------------ setup
  /** Kafka's createTopLevelPaths (ZkData.PersistentZkPaths). */
  createTopLevelPaths(): Promise<void>;
  getClusterId(): Promise<string | null>;
  getOrCreateClusterId(proposedId?: string): Promise<string>;

  // ------------------------------------------------------------ brokers
  /** `setData(/brokers/seqid, -1)`: the node's new dataVersion (1, 2, ...). */
  generateBrokerSequenceId(): Promise<number>;
  /** Creates the EPHEMERAL /brokers/ids/<id>; returns the broker epoch (czxid). */
  registerBroker(info: BrokerInfo): Promise<number>;
  updateBrokerInfo(info: BrokerInfo): Promise<void>;
  getBroker(id: number): Promise<BrokerRegistration | null>;
  getBrokerAndEpoch(id: number): Promise<BrokerAndEpoch | null>;
  /** Live broker ids, sorted; `watch` fires once on the next change of /brokers/ids. */
  getSortedBrokerList(watch?: Watcher): Promise<number[]>;
  getAllBrokerAndEpochsInCluster(watch?: Watcher): Promise<Map<number, BrokerAndEpoch>>;
  getAllBrokersInCluster(): Promise<BrokerRegistration[]>;

  // ------------------------------------------------------------ controller
  getControllerRegistration(): Promise<ControllerRegistration | null>;
  getControllerId(): Promise<number | null>;
  /** Sets an exists-watch on /controller (created, deleted, data changed); returns whether it exists. */
  watchControllerZNode(watch: Watcher): Promise<boolean>;
  getControllerEpoch(): Promise<ControllerEpochAndZkVersion | null>;
  /** `controllerZNodeVersion`: 1 (default) or 2 (IBP 3.4+, with kraftControllerEpoch -1). */
  registerControllerAndIncrementControllerEpoch(
    controllerId: number,
    controllerZNodeVersion?: 1 | 2,
  ): Promise<ControllerEpochAndZkVersion>;
  /** Deletes /controller, fenced (a missing node is fine). */
  deleteController(epochZkVersion: number): Promise<void>;
  /** Created when missing, rewritten only when the content differs (Kafka's enableFeatureVersioning). */
  createOrUpdateFeatureZNode(
    data: FeatureZNodeData,
    epochZkVersion: number,
  ): Promise<{ written: boolean; zkVersion: number }>;
  getFeatureZNode(): Promise<FeatureZNodeData | null>;
  deleteLogDirEventNotifications(epochZkVersion: number): Promise<number>;

  // ------------------------------------------------------------ topics
  /** Children of /brokers/topics, sorted; `watch` fires on the next child change. */
  getAllTopicsInCluster(watch?: Watcher): Promise<string[]>;
  topicExists(topic: string): Promise<boolean>;
  /**
   * `/brokers/topics/<t>` of each topic that exists (missing ones left out). `watch` is
   * set as a data watch on each (Kafka's PartitionModificationsHandler).
   */
  getReplicaAssignmentForTopics(
    topics: readonly string[],
    watch?: Watcher,
  ): Promise<Map<string, TopicAssignmentAndZkVersion>>;
  /** Creates `/brokers/topics/<t>` (NodeExistsError when it exists). */
  createTopicAssignment(topic: string, assignment: TopicAssignment): Promise<void>;
  /** Rewrites `/brokers/topics/<t>` conditionally on `expectedZkVersion` (BadVersionError, NoNodeError). */
  setTopicAssignment(
    topic: string,
    assignment: TopicAssignment,
    expectedZkVersion: number,
  ): Promise<number>;

  /**
   * Kafka's setTopicAssignmentRaw: the controller rewrites `/brokers/topics/<t>` (any
   * version) in a multi fenced by its epoch (reassignment steps).
   */
  setTopicAssignmentFenced(
    topic: string,
    assignment: TopicAssignment,
    epochZkVersion: number,
  ): Promise<void>;

  // ------------------------------------------------------------ admin triggers
  /** Exists-watch on /admin/reassign_partitions; true when it exists now. */
  watchPartitionReassignment(watch: Watcher): Promise<boolean>;
  /** The partitions listed in /admin/reassign_partitions ([] when absent). */
  getPartitionReassignment(): Promise<PartitionReplicas[]>;
  /** Creates /admin/reassign_partitions (NodeExistsError while one is in progress). */
  createPartitionReassignment(partitions: readonly PartitionReplicas[]): Promise<void>;
  /** Kafka's setOrCreatePartitionReassignment / deletePartitionReassignment (empty): fenced. */
  setOrDeletePartitionReassignment(
    partitions: readonly PartitionReplicas[],
    epochZkVersion: number,
  ): Promise<void>;
  /** Exists-watch on /admin/preferred_replica_election; true when it exists now. */
  watchPreferredReplicaElection(watch: Watcher): Promise<boolean>;
  /** The partitions listed in /admin/preferred_replica_election ([] when absent). */
  getPreferredReplicaElection(): Promise<TopicPartition[]>;
  /** Creates /admin/preferred_replica_election (NodeExistsError while one is pending). */
  createPreferredReplicaElection(partitions: readonly TopicPartition[]): Promise<void>;
  /** Deletes /admin/preferred_replica_election (if present), fenced. */
  deletePreferredReplicaElection(epochZkVersion: number): Promise<void>;

  // ------------------------------------------------------------ topic deletion
  /** Children of /admin/delete_topics, sorted; `watch` fires on the next child change. */
  getTopicDeletions(watch?: Watcher): Promise<string[]>;
  isTopicMarkedForDeletion(topic: string): Promise<boolean>;
  /** Creates `/admin/delete_topics/<t>` (NodeExistsError when already marked). */
  createDeleteTopicPath(topic: string): Promise<void>;
  /** Deletes `/admin/delete_topics/<t>` of those topics that have one; fenced. */
  deleteTopicDeletions(topics: readonly string[], epochZkVersion: number): Promise<void>;
  /**
   * Kafka's deleteTopicZNode + deleteTopicConfigs + deleteTopicDeletions for one topic, in
   * one fenced multi: `/brokers/topics/<t>` with its partitions and states,
   * `/config/topics/<t>`, `/admin/delete_topics/<t>` (each if present).
   */
  deleteTopicZNodes(topic: string, epochZkVersion: number): Promise<void>;

  // ------------------------------------------------------------ partition state
  /** The `state` znode of each partition that has one. Keys: `tpKey` (`<topic>-<partition>`). */
  getTopicPartitionStates(
    partitions: readonly TopicPartition[],
  ): Promise<Map<string, PartitionStateAndZkVersion>>;
  /**
   * Creates `…/partitions/<p>/state` (parents as needed), each in a multi fenced by the
   * controller epoch. Per partition: the created state (zkVersion 0) or the
   * NodeExistsError of one already there. ControllerMovedError applies nothing more.
   */
  createTopicPartitionStates(
    states: ReadonlyArray<{ topicPartition: TopicPartition; state: LeaderIsrAndControllerEpoch }>,
    epochZkVersion: number,
  ): Promise<Map<string, PartitionStateAndZkVersion | Error>>;
  /**
   * The controller's conditional state writes: each partition's state with
   * `controller_epoch = controllerEpoch`, conditional on its zkVersion, in a multi fenced
   * by `epochZkVersion`. BADVERSION → partitionsToRetry.
   */
  updateLeaderAndIsr(
    updates: readonly LeaderAndIsrUpdate[],
    controllerEpoch: number,
    epochZkVersion: number,
  ): Promise<UpdateLeaderAndIsrResult>;
  /**
   * The partition leader's ISR write (IBP < 2.7, Kafka's ReplicationUtils.updateLeaderAndIsr):
   * conditional on `expectedZkVersion`, not fenced by the controller epoch. Returns the new
   * zkVersion, or null when the zkVersion moved (BADVERSION); NoNodeError when it is gone.
   */
  conditionalUpdateLeaderAndIsr(
    tp: TopicPartition,
    state: LeaderIsrAndControllerEpoch,
    expectedZkVersion: number,
  ): Promise<number | null>;

  // ------------------------------------------------------------ ISR change notifications
  /** Creates one `/isr_change_notification/isr_change_<seq>` naming `partitions`. */
  propagateIsrChanges(partitions: readonly TopicPartition[]): Promise<void>;
  /** Sequence numbers of the pending notifications, sorted; `watch` on the next child change. */
  getAllIsrChangeNotifications(watch?: Watcher): Promise<string[]>;
  /** The partitions named by these notifications (vanished or unreadable ones skipped). */
  getPartitionsFromIsrChangeNotifications(
    sequenceNumbers: readonly string[],
  ): Promise<TopicPartition[]>;
  /** Deletes these notifications (all of them when omitted); fenced. Returns how many. */
  deleteIsrChangeNotifications(
    epochZkVersion: number,
    sequenceNumbers?: readonly string[],
  ): Promise<number>;

  // ------------------------------------------------------------ configs
  /** `/config/<type>/<name>` as a map ({} when missing). */
  getEntityConfigs(rootEntityType: ConfigType, entityName: string): Promise<Record<string, string>>;
  /**
   * The entities with a config znode under `/config/<type>`, sorted; for `users` also
   * each `<user>/clients/<client-id>` beneath (Kafka's fetchAllEntityConfigs and
   * fetchAllChildEntityConfigs).
   */
  getAllEntitiesWithConfig(rootEntityType: ConfigType): Promise<string[]>;
  /** Writes `/config/<type>/<name>` (created with parents when missing). */
  setOrCreateEntityConfigs(
    rootEntityType: ConfigType,
    entityName: string,
    config: Record<string, string>,
  ): Promise<void>;
  /**
   * A PERSISTENT_SEQUENTIAL `/config/changes/config_change_<seq>` naming the changed
   * entity (`topics/<t>`); returns its path.
   */
  createConfigChangeNotification(entityPath: string): Promise<string>;
  /** The `config_change_<seq>` children of `/config/changes`, sorted; `watch` fires on the next change. */
  getConfigChangeNotifications(watch?: Watcher): Promise<string[]>;
  /** One notification's entity path and creation time; null when it is gone. */
  getConfigChangeNotification(name: string): Promise<{ entityPath: string; ctime: number } | null>;
  /** Deletes one notification; a missing one is fine. */
  deleteConfigChangeNotification(name: string): Promise<void>;

  // ------------------------------------------------------------ producer ids
  /** /latest_producer_id_block and its zkVersion; null when the node does not exist. */
  getLatestProducerIdBlock(): Promise<ProducerIdBlockAndZkVersion | null>;
  /**
   * Claims a block: setData conditional on `expectedZkVersion`, or create when it is null.
   * False when another broker got there first (BADVERSION / NODEEXISTS).
   */
  conditionalUpdateLatestProducerIdBlock(
    block: ProducerIdBlock,
    expectedZkVersion: number | null,
  ): Promise<boolean>;

  // ------------------------------------------------------------ consumer offsets
  setOrCreateConsumerOffsets(
    group: string,
    offsets: ReadonlyArray<ConsumerOffsetEntry>,
  ): Promise<void>;
  getConsumerOffset(group: string, topic: string, partition: number): Promise<number | null>;
  getConsumerOffsets(group: string): Promise<ConsumerOffsetEntry[]>;
  consumerGroupExists(group: string): Promise<boolean>;
  getConsumerGroups(): Promise<string[]>;
  deleteConsumerGroup(group: string): Promise<void>;
}

/** The partition state a LeaderAndIsrUpdate writes, stamped with the controller's epoch. */
export function leaderAndIsrOf(
  u: LeaderAndIsrUpdate,
  controllerEpoch: number,
): LeaderIsrAndControllerEpoch {
  const state: LeaderIsrAndControllerEpoch = {
    leader: u.leader,
    leaderEpoch: u.leaderEpoch,
    isr: u.isr,
    controllerEpoch,
  };
  if (u.leaderRecoveryState !== undefined) state.leaderRecoveryState = u.leaderRecoveryState;
  return state;
}

/**
 * The KafkaZk reads that both implementations (KafkaZkClient on ZooKeeper,
 * InMemoryKafkaZkClient on maps) derive from their primitive reads the same way.
 */
export abstract class KafkaZkDerivedReads implements Pick<
  KafkaZk,
  'getBroker' | 'getAllBrokerAndEpochsInCluster' | 'getAllBrokersInCluster' | 'getControllerId'
> {
  abstract getBrokerAndEpoch(id: number): Promise<BrokerAndEpoch | null>;
  abstract getSortedBrokerList(watch?: Watcher): Promise<number[]>;
  abstract getControllerRegistration(): Promise<ControllerRegistration | null>;

  async getBroker(id: number): Promise<BrokerRegistration | null> {
    return (await this.getBrokerAndEpoch(id))?.broker ?? null;
  }

  /** Live brokers and their epochs (czxids), by id. Brokers leaving meanwhile are skipped. */
  async getAllBrokerAndEpochsInCluster(watch?: Watcher): Promise<Map<number, BrokerAndEpoch>> {
    const ids = await this.getSortedBrokerList(watch);
    const all = await Promise.all(ids.map((id) => this.getBrokerAndEpoch(id)));
    const out = new Map<number, BrokerAndEpoch>();
    all.forEach((b, i) => {
      if (b) out.set(ids[i], b);
    });
    return out;
  }

  async getAllBrokersInCluster(): Promise<BrokerRegistration[]> {
    return [...(await this.getAllBrokerAndEpochsInCluster()).values()].map((b) => b.broker);
  }

  async getControllerId(): Promise<number | null> {
    return (await this.getControllerRegistration())?.brokerId ?? null;
  }
}
