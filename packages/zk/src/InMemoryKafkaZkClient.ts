/**
 * InMemoryKafkaZkClient: the KafkaZk operations on plain maps, for unit tests (the
 * InMemoryOffsetStore pattern). `InMemoryZooKeeper` is the shared "ensemble"; each
 * `newClient()` is one session with its own ephemerals (broker registrations, the
 * controller) and one-shot watches, delivered on a microtask after the change.
 *
 * Each znode keeps its zkVersion and its content as the JSON znodes.ts writes (decoded on
 * every read), so answers, versions, fencing (ControllerMovedError when `epochZkVersion`
 * is not the zkVersion of /controller_epoch; checked before anything else, nothing
 * applied) and errors (NodeExistsError, NoNodeError, BadVersionError) are those of
 * KafkaZkClient on a real ZooKeeper: `KafkaZk.contract.ts` runs on both.
 * Test hooks: `expireSession(client)` (ephemerals go, watches fire, then `expired` and
 * `newSession` on that client).
 */
import { EventEmitter } from 'node:events';
import { SystemTime, Time, tpKey } from '@kzoo/common';
import { BadVersionError, NodeExistsError, NoNodeError } from './errors';
import {
  BrokerAndEpoch,
  ConsumerOffsetEntry,
  ControllerEpochAndZkVersion,
  KafkaZk,
  KafkaZkDerivedReads,
  LeaderAndIsrUpdate,
  PartitionStateAndZkVersion,
  ProducerIdBlockAndZkVersion,
  TopicAssignmentAndZkVersion,
  UpdateLeaderAndIsrResult,
  ZkSessionEvent,
  leaderAndIsrOf,
} from './KafkaZk';
import { BrokerIdInUseError, ControllerMovedError } from './KafkaZkClient';
import type { Watcher, WatchEventType, ZkSessionState } from './session';
import {
  BrokerIdZNode,
  BrokerIdsZNode,
  BrokerInfo,
  ConfigEntityChangeNotificationSequenceZNode,
  ConfigEntityChangeNotificationZNode,
  ConfigEntityZNode,
  ConfigType,
  ControllerRegistration,
  ControllerZNode,
  DeleteTopicsTopicZNode,
  DeleteTopicsZNode,
  FeatureZNode,
  featureDataEqual,
  ReassignPartitionsZNode,
  PreferredReplicaElectionZNode,
  type PartitionReplicas,
  FeatureZNodeData,
  IsrChangeNotificationSequenceZNode,
  IsrChangeNotificationZNode,
  LeaderIsrAndControllerEpoch,
  ProducerIdBlock,
  ProducerIdBlockZNode,
  TopicAssignment,
  TopicPartition,
  TopicPartitionStateZNode,
  TopicZNode,
  TopicsZNode,
  randomKafkaUuid,
} from './znodes';

interface Versioned {
  json: string;
  version: number;
}

interface Ephemeral extends Versioned {
  czxid: number;
  owner: string;
}

type WatchKind = 'child' | 'data';

/** The shared state every in-memory session sees (one ZooKeeper ensemble). */
export class InMemoryZooKeeper {
  private zxid = 0x100;
  private sessionSeq = 0;
  readonly time: Time;

  // znodes, by concern
  clusterId: string | null = null;
  topLevelPathsCreated = false;
  seqidVersion: number | null = null;
  readonly brokers = new Map<number, Ephemeral>();
  controller: Ephemeral | null = null;
  controllerEpoch: { epoch: number; version: number } | null = null;
  feature: Versioned | null = null;
  readonly topics = new Map<string, Versioned>();
  /** `topic-partition` → state; the topic is kept to delete a topic's states. */
  readonly partitionStates = new Map<string, Versioned & { topic: string }>();
  readonly deletions = new Set<string>();
  readonly configs = new Map<string, string>();
  readonly isrChanges = new Map<string, string>();
  isrChangeCversion = 0;
  /** `/config/changes`: name -> JSON and creation time. */
  readonly configChanges = new Map<string, { json: string; ctime: number }>();
  configChangeCversion = 0;
  producerIdBlock: { json: string | null; version: number } | null = null;
  /** `/admin/reassign_partitions` and `/admin/preferred_replica_election`. */
  reassignPartitions: Versioned | null = null;
  preferredReplicaElection: Versioned | null = null;
  /** group → `topic\0partition` → offset */
  readonly offsets = new Map<string, Map<string, ConsumerOffsetEntry>>();

  private readonly watches = new Map<string, Array<{ session: string; watcher: Watcher }>>();
  private readonly clients = new Map<string, InMemoryKafkaZkClient>();

  constructor(opts: { time?: Time } = {}) {
    this.time = opts.time ?? SystemTime;
  }

  newClient(): InMemoryKafkaZkClient {
    const c = new InMemoryKafkaZkClient(this, this.newSessionId());
    this.clients.set(c.sessionId, c);
    return c;
  }

  nextZxid(): number {
    return ++this.zxid;
  }

  newSessionId(): string {
    return `0x${(0x1000 + ++this.sessionSeq).toString(16)}`;
  }

  /** Ends `client`'s session as an expiry would: ephemerals deleted, then a new session. */
  expireSession(client: InMemoryKafkaZkClient): void {
    this.endSession(client.sessionId);
    client.renewSession();
    this.clients.set(client.sessionId, client);
  }

  endSession(sessionId: string): void {
    this.clients.delete(sessionId);
    for (const [k, list] of this.watches) {
      const left = list.filter((w) => w.session !== sessionId);
      if (left.length > 0) this.watches.set(k, left);
      else this.watches.delete(k);
    }
    for (const [id, b] of [...this.brokers]) {
      if (b.owner !== sessionId) continue;
      this.brokers.delete(id);
      this.fire('child', BrokerIdsZNode.path());
      this.fire('data', BrokerIdZNode.path(id), 'deleted');
    }
    if (this.controller?.owner === sessionId) {
      this.controller = null;
      this.fire('data', ControllerZNode.path(), 'deleted');
    }
  }

  watch(kind: WatchKind, path: string, session: string, watcher: Watcher | undefined): void {
    if (!watcher) return;
    const k = `${kind} ${path}`;
    const list = this.watches.get(k) ?? [];
    if (!list.some((w) => w.watcher === watcher)) list.push({ session, watcher });
    this.watches.set(k, list);
  }

  /** Fires (and clears) the watches on `path`, each once, after the current operation. */
  fire(kind: WatchKind, path: string, type?: WatchEventType): void {
    const k = `${kind} ${path}`;
    const list = this.watches.get(k);
    if (!list) return;
    this.watches.delete(k);
    const event = { type: type ?? (kind === 'child' ? 'childrenChanged' : 'dataChanged'), path };
    for (const w of list) queueMicrotask(() => w.watcher(event));
  }

  /** The fence of every controller write: the epoch's zkVersion must be current. */
  checkControllerEpoch(epochZkVersion: number, what: string): void {
    const now = this.controllerEpoch;
    if (now && now.version === epochZkVersion) return;
    throw new ControllerMovedError(
      `controller epoch zkVersion ${epochZkVersion} is stale` +
        (now ? ` (/controller_epoch is now epoch ${now.epoch} at zkVersion ${now.version})` : '') +
        `; refused: ${what}`,
    );
  }
}

const noNode = (path: string, op: string) => new NoNodeError('NoNode', path, op);
const nodeExists = (path: string, op: string) => new NodeExistsError('NodeExists', path, op);
const badVersion = (path: string, op: string) => new BadVersionError('BadVersion', path, op);

export class InMemoryKafkaZkClient extends KafkaZkDerivedReads implements KafkaZk {
  private _sessionId: string;
  private state: ZkSessionState = 'connected';
  private readonly events = new EventEmitter();
  private readonly previousSessions: string[] = [];

  constructor(
    readonly zookeeper: InMemoryZooKeeper,
    sessionId: string,
  ) {
    super();
    this._sessionId = sessionId;
  }

  get sessionId(): string {
    return this._sessionId;
  }

  get sessionState(): ZkSessionState {
    return this.state;
  }

  /** Called by InMemoryZooKeeper.expireSession: `expired`, a new session id, `newSession`. */
  renewSession(): void {
    this.state = 'expired';
    this.events.emit('expired');
    this.previousSessions.push(this._sessionId);
    this._sessionId = this.zookeeper.newSessionId();
    this.state = 'connected';
    this.events.emit('newSession');
  }

  onSessionEvent(event: ZkSessionEvent, listener: () => void): void {
    this.events.on(event, listener);
  }

  offSessionEvent(event: ZkSessionEvent, listener: () => void): void {
    this.events.off(event, listener);
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.zookeeper.endSession(this._sessionId);
    this.state = 'closed';
  }

  private get zk(): InMemoryZooKeeper {
    return this.zookeeper;
  }

  private watch(kind: WatchKind, path: string, watcher?: Watcher): void {
    this.zk.watch(kind, path, this._sessionId, watcher);
  }

  // ------------------------------------------------------------ setup

  async createTopLevelPaths(): Promise<void> {
    this.zk.topLevelPathsCreated = true;
    this.zk.seqidVersion ??= 0;
    this.zk.producerIdBlock ??= { json: null, version: 0 };
  }

  async getClusterId(): Promise<string | null> {
    return this.zk.clusterId;
  }

  async getOrCreateClusterId(proposedId: string = randomKafkaUuid()): Promise<string> {
    this.zk.clusterId ??= proposedId;
    return this.zk.clusterId;
  }

  // ------------------------------------------------------------ brokers

  async generateBrokerSequenceId(): Promise<number> {
    this.zk.seqidVersion = (this.zk.seqidVersion ?? 0) + 1;
    return this.zk.seqidVersion;
  }

  async registerBroker(info: BrokerInfo): Promise<number> {
    const json = BrokerIdZNode.encode(info, this.zk.time.milliseconds());
    const existing = this.zk.brokers.get(info.id);
    if (existing && existing.owner === this._sessionId) {
      existing.json = json;
      existing.version++;
      this.zk.fire('data', BrokerIdZNode.path(info.id));
      return existing.czxid;
    }
    if (existing && !this.previousSessions.includes(existing.owner))
      throw new BrokerIdInUseError(info.id, existing.owner);
    const czxid = this.zk.nextZxid();
    // create (null data) then setData at version 0, in one multi: version 1
    this.zk.brokers.set(info.id, { json, version: 1, czxid, owner: this._sessionId });
    this.zk.fire('child', BrokerIdsZNode.path());
    return czxid;
  }

  async updateBrokerInfo(info: BrokerInfo): Promise<void> {
    const b = this.zk.brokers.get(info.id);
    if (!b) throw noNode(BrokerIdZNode.path(info.id), 'setData');
    b.json = BrokerIdZNode.encode(info, this.zk.time.milliseconds());
    b.version++;
    this.zk.fire('data', BrokerIdZNode.path(info.id));
  }

  async getBrokerAndEpoch(id: number): Promise<BrokerAndEpoch | null> {
    const b = this.zk.brokers.get(id);
    return b ? { broker: BrokerIdZNode.decode(id, b.json), epoch: b.czxid } : null;
  }

  async getSortedBrokerList(watch?: Watcher): Promise<number[]> {
    this.watch('child', BrokerIdsZNode.path(), watch);
    return [...this.zk.brokers.keys()].sort((a, b) => a - b);
  }

  // ------------------------------------------------------------ controller

  async getControllerRegistration(): Promise<ControllerRegistration | null> {
    const c = this.zk.controller;
    return c ? ControllerZNode.decode(c.json) : null;
  }

  async watchControllerZNode(watch: Watcher): Promise<boolean> {
    this.watch('data', ControllerZNode.path(), watch);
    return this.zk.controller !== null;
  }

  async getControllerEpoch(): Promise<ControllerEpochAndZkVersion | null> {
    const e = this.zk.controllerEpoch;
    return e ? { epoch: e.epoch, epochZkVersion: e.version } : null;
  }

  async registerControllerAndIncrementControllerEpoch(
    controllerId: number,
    controllerZNodeVersion: 1 | 2 = 1,
  ): Promise<ControllerEpochAndZkVersion> {
    this.zk.controllerEpoch ??= { epoch: 0, version: 0 };
    const current = this.zk.controllerEpoch;
    if (this.zk.controller !== null) {
      const holder = ControllerZNode.decode(this.zk.controller.json).brokerId;
      throw new ControllerMovedError(
        `broker ${controllerId} lost the controller election: /controller is broker ${holder}, controller epoch ${current.epoch}`,
      );
    }
    this.zk.controller = {
      json: ControllerZNode.encode(
        controllerId,
        this.zk.time.milliseconds(),
        controllerZNodeVersion,
      ),
      version: 0,
      czxid: this.zk.nextZxid(),
      owner: this._sessionId,
    };
    this.zk.controllerEpoch = { epoch: current.epoch + 1, version: current.version + 1 };
    this.zk.fire('data', ControllerZNode.path(), 'created');
    return { epoch: current.epoch + 1, epochZkVersion: current.version + 1 };
  }

  async deleteController(epochZkVersion: number): Promise<void> {
    this.zk.checkControllerEpoch(epochZkVersion, `delete ${ControllerZNode.path()}`);
    if (!this.zk.controller) return;
    this.zk.controller = null;
    this.zk.fire('data', ControllerZNode.path(), 'deleted');
  }

  async createOrUpdateFeatureZNode(
    data: FeatureZNodeData,
    epochZkVersion: number,
  ): Promise<{ written: boolean; zkVersion: number }> {
    const cur = this.zk.feature;
    if (cur && featureDataEqual(FeatureZNode.decode(cur.json), data))
      return { written: false, zkVersion: cur.version };
    this.zk.checkControllerEpoch(epochZkVersion, `write ${FeatureZNode.path()}`);
    const json = FeatureZNode.encode(data);
    this.zk.feature = cur ? { json, version: cur.version + 1 } : { json, version: 0 };
    return { written: true, zkVersion: this.zk.feature.version };
  }

  async getFeatureZNode(): Promise<FeatureZNodeData | null> {
    return this.zk.feature ? FeatureZNode.decode(this.zk.feature.json) : null;
  }

  async deleteLogDirEventNotifications(): Promise<number> {
    return 0; // nothing writes log-dir events in kzoo
  }

  // ------------------------------------------------------------ topics

  async getAllTopicsInCluster(watch?: Watcher): Promise<string[]> {
    this.watch('child', TopicsZNode.path(), watch);
    return [...this.zk.topics.keys()].sort();
  }

  async topicExists(topic: string): Promise<boolean> {
    return this.zk.topics.has(topic);
  }

  async getReplicaAssignmentForTopics(
    topics: readonly string[],
    watch?: Watcher,
  ): Promise<Map<string, TopicAssignmentAndZkVersion>> {
    const out = new Map<string, TopicAssignmentAndZkVersion>();
    for (const t of topics) {
      const n = this.zk.topics.get(t);
      if (!n) continue;
      this.watch('data', TopicZNode.path(t), watch);
      out.set(t, { ...TopicZNode.decode(t, n.json), zkVersion: n.version });
    }
    return out;
  }

  async createTopicAssignment(topic: string, assignment: TopicAssignment): Promise<void> {
    const path = TopicZNode.path(topic);
    if (this.zk.topics.has(topic)) throw nodeExists(path, 'create');
    this.zk.topics.set(topic, { json: TopicZNode.encode(assignment), version: 0 });
    this.zk.fire('child', TopicsZNode.path());
  }

  async setTopicAssignment(
    topic: string,
    assignment: TopicAssignment,
    expectedZkVersion: number,
  ): Promise<number> {
    const path = TopicZNode.path(topic);
    const n = this.zk.topics.get(topic);
    if (!n) throw noNode(path, 'setData');
    if (expectedZkVersion !== -1 && n.version !== expectedZkVersion)
      throw badVersion(path, 'setData');
    n.json = TopicZNode.encode(assignment);
    n.version++;
    this.zk.fire('data', path);
    return n.version;
  }

  // ------------------------------------------------------------ topic deletion

  async setTopicAssignmentFenced(
    topic: string,
    assignment: TopicAssignment,
    epochZkVersion: number,
  ): Promise<void> {
    const path = TopicZNode.path(topic);
    this.zk.checkControllerEpoch(epochZkVersion, `setData ${path}`);
    const n = this.zk.topics.get(topic);
    if (!n) throw noNode(path, 'setData');
    n.json = TopicZNode.encode(assignment);
    n.version++;
    this.zk.fire('data', path);
  }

  async watchPartitionReassignment(watch: Watcher): Promise<boolean> {
    this.watch('data', ReassignPartitionsZNode.path(), watch);
    return this.zk.reassignPartitions !== null;
  }

  async getPartitionReassignment(): Promise<PartitionReplicas[]> {
    const n = this.zk.reassignPartitions;
    return n ? ReassignPartitionsZNode.decode(n.json) : [];
  }

  async createPartitionReassignment(partitions: readonly PartitionReplicas[]): Promise<void> {
    const path = ReassignPartitionsZNode.path();
    if (this.zk.reassignPartitions) throw nodeExists(path, 'create');
    this.zk.reassignPartitions = { json: ReassignPartitionsZNode.encode(partitions), version: 0 };
    this.zk.fire('data', path, 'created');
  }

  async setOrDeletePartitionReassignment(
    partitions: readonly PartitionReplicas[],
    epochZkVersion: number,
  ): Promise<void> {
    const path = ReassignPartitionsZNode.path();
    this.zk.checkControllerEpoch(epochZkVersion, `write ${path}`);
    const cur = this.zk.reassignPartitions;
    if (partitions.length === 0) {
      if (!cur) return;
      this.zk.reassignPartitions = null;
      this.zk.fire('data', path, 'deleted');
      return;
    }
    const json = ReassignPartitionsZNode.encode(partitions);
    this.zk.reassignPartitions = cur ? { json, version: cur.version + 1 } : { json, version: 0 };
    this.zk.fire('data', path, cur ? 'dataChanged' : 'created');
  }

  async watchPreferredReplicaElection(watch: Watcher): Promise<boolean> {
    this.watch('data', PreferredReplicaElectionZNode.path(), watch);
    return this.zk.preferredReplicaElection !== null;
  }

  async getPreferredReplicaElection(): Promise<TopicPartition[]> {
    const n = this.zk.preferredReplicaElection;
    return n ? PreferredReplicaElectionZNode.decode(n.json) : [];
  }

  async createPreferredReplicaElection(partitions: readonly TopicPartition[]): Promise<void> {
    const path = PreferredReplicaElectionZNode.path();
    if (this.zk.preferredReplicaElection) throw nodeExists(path, 'create');
    this.zk.preferredReplicaElection = {
      json: PreferredReplicaElectionZNode.encode(partitions),
      version: 0,
    };
    this.zk.fire('data', path, 'created');
  }

  async deletePreferredReplicaElection(epochZkVersion: number): Promise<void> {
    const path = PreferredReplicaElectionZNode.path();
    this.zk.checkControllerEpoch(epochZkVersion, `delete ${path}`);
    if (!this.zk.preferredReplicaElection) return;
    this.zk.preferredReplicaElection = null;
    this.zk.fire('data', path, 'deleted');
  }

  async getTopicDeletions(watch?: Watcher): Promise<string[]> {
    this.watch('child', DeleteTopicsZNode.path(), watch);
    return [...this.zk.deletions].sort();
  }

  async isTopicMarkedForDeletion(topic: string): Promise<boolean> {
    return this.zk.deletions.has(topic);
  }

  async createDeleteTopicPath(topic: string): Promise<void> {
    const path = DeleteTopicsTopicZNode.path(topic);
    if (this.zk.deletions.has(topic)) throw nodeExists(path, 'create');
    this.zk.deletions.add(topic);
    this.zk.fire('child', DeleteTopicsZNode.path());
  }

  async deleteTopicDeletions(topics: readonly string[], epochZkVersion: number): Promise<void> {
    const present = topics.filter((t) => this.zk.deletions.has(t));
    if (present.length === 0) return;
    this.zk.checkControllerEpoch(epochZkVersion, `delete ${DeleteTopicsZNode.path()}/…`);
    for (const t of present) this.zk.deletions.delete(t);
    this.zk.fire('child', DeleteTopicsZNode.path());
  }

  async deleteTopicZNodes(topic: string, epochZkVersion: number): Promise<void> {
    const cfgKey = `topics/${topic}`;
    const hasTopic = this.zk.topics.has(topic);
    const hasDeletion = this.zk.deletions.has(topic);
    if (!hasTopic && !hasDeletion && !this.zk.configs.has(cfgKey)) return;
    this.zk.checkControllerEpoch(epochZkVersion, `delete topic ${topic}`);
    for (const [k, s] of [...this.zk.partitionStates])
      if (s.topic === topic) this.zk.partitionStates.delete(k);
    this.zk.topics.delete(topic);
    this.zk.configs.delete(cfgKey);
    this.zk.deletions.delete(topic);
    if (hasTopic) {
      this.zk.fire('data', TopicZNode.path(topic), 'deleted');
      this.zk.fire('child', TopicsZNode.path());
    }
    if (hasDeletion) this.zk.fire('child', DeleteTopicsZNode.path());
  }

  // ------------------------------------------------------------ partition state

  async getTopicPartitionStates(
    partitions: readonly TopicPartition[],
  ): Promise<Map<string, PartitionStateAndZkVersion>> {
    const out = new Map<string, PartitionStateAndZkVersion>();
    for (const tp of partitions) {
      const key = tpKey(tp);
      const s = this.zk.partitionStates.get(key);
      if (s) out.set(key, { ...TopicPartitionStateZNode.decode(s.json), zkVersion: s.version });
    }
    return out;
  }

  async createTopicPartitionStates(
    states: ReadonlyArray<{ topicPartition: TopicPartition; state: LeaderIsrAndControllerEpoch }>,
    epochZkVersion: number,
  ): Promise<Map<string, PartitionStateAndZkVersion | Error>> {
    const out = new Map<string, PartitionStateAndZkVersion | Error>();
    for (const { topicPartition: tp, state } of states) {
      const path = TopicPartitionStateZNode.path(tp);
      this.zk.checkControllerEpoch(epochZkVersion, `create ${path}`);
      const key = tpKey(tp);
      if (this.zk.partitionStates.has(key)) {
        out.set(key, nodeExists(path, 'create'));
        continue;
      }
      const json = TopicPartitionStateZNode.encode(state);
      this.zk.partitionStates.set(key, { json, version: 0, topic: tp.topic });
      out.set(key, { ...TopicPartitionStateZNode.decode(json), zkVersion: 0 });
    }
    return out;
  }

  async updateLeaderAndIsr(
    updates: readonly LeaderAndIsrUpdate[],
    controllerEpoch: number,
    epochZkVersion: number,
  ): Promise<UpdateLeaderAndIsrResult> {
    const result: UpdateLeaderAndIsrResult = {
      finishedPartitions: new Map(),
      partitionsToRetry: [],
    };
    for (const u of updates) {
      const path = TopicPartitionStateZNode.path(u.topicPartition);
      this.zk.checkControllerEpoch(epochZkVersion, `setData ${path}`);
      const key = tpKey(u.topicPartition);
      const s = this.zk.partitionStates.get(key);
      if (!s) {
        result.finishedPartitions.set(key, noNode(path, 'setData'));
        continue;
      }
      if (u.zkVersion !== -1 && s.version !== u.zkVersion) {
        result.partitionsToRetry.push(u.topicPartition);
        continue;
      }
      const state = leaderAndIsrOf(u, controllerEpoch);
      s.json = TopicPartitionStateZNode.encode(state);
      s.version++;
      result.finishedPartitions.set(key, {
        ...TopicPartitionStateZNode.decode(s.json),
        zkVersion: s.version,
      });
    }
    return result;
  }

  async conditionalUpdateLeaderAndIsr(
    tp: TopicPartition,
    state: LeaderIsrAndControllerEpoch,
    expectedZkVersion: number,
  ): Promise<number | null> {
    const path = TopicPartitionStateZNode.path(tp);
    const s = this.zk.partitionStates.get(tpKey(tp));
    if (!s) throw noNode(path, 'setData');
    if (expectedZkVersion !== -1 && s.version !== expectedZkVersion) return null;
    s.json = TopicPartitionStateZNode.encode(state);
    s.version++;
    return s.version;
  }

  // ------------------------------------------------------------ ISR change notifications

  async propagateIsrChanges(partitions: readonly TopicPartition[]): Promise<void> {
    const seq = String(this.zk.isrChangeCversion++).padStart(10, '0');
    this.zk.isrChanges.set(seq, IsrChangeNotificationSequenceZNode.encode([...partitions]));
    this.zk.fire('child', IsrChangeNotificationZNode.path());
  }

  async getAllIsrChangeNotifications(watch?: Watcher): Promise<string[]> {
    this.watch('child', IsrChangeNotificationZNode.path(), watch);
    return [...this.zk.isrChanges.keys()].sort();
  }

  async getPartitionsFromIsrChangeNotifications(
    sequenceNumbers: readonly string[],
  ): Promise<TopicPartition[]> {
    return sequenceNumbers.flatMap((seq) => {
      const json = this.zk.isrChanges.get(seq);
      return json ? IsrChangeNotificationSequenceZNode.decode(json) : [];
    });
  }

  async deleteIsrChangeNotifications(
    epochZkVersion: number,
    sequenceNumbers?: readonly string[],
  ): Promise<number> {
    const seqs = sequenceNumbers ?? [...this.zk.isrChanges.keys()];
    if (seqs.length === 0) return 0;
    this.zk.checkControllerEpoch(epochZkVersion, `delete ${IsrChangeNotificationZNode.path()}/…`);
    const missing = seqs.find((s) => !this.zk.isrChanges.has(s));
    if (missing !== undefined)
      throw noNode(IsrChangeNotificationSequenceZNode.path(missing), 'delete');
    for (const s of seqs) this.zk.isrChanges.delete(s);
    this.zk.isrChangeCversion += seqs.length;
    this.zk.fire('child', IsrChangeNotificationZNode.path());
    return seqs.length;
  }

  // ------------------------------------------------------------ configs

  async getEntityConfigs(
    rootEntityType: ConfigType,
    entityName: string,
  ): Promise<Record<string, string>> {
    ConfigEntityZNode.path(rootEntityType, entityName); // validates the name
    const json = this.zk.configs.get(`${rootEntityType}/${entityName}`);
    return json ? ConfigEntityZNode.decode(json) : {};
  }

  async getAllEntitiesWithConfig(rootEntityType: ConfigType): Promise<string[]> {
    const prefix = `${rootEntityType}/`;
    const out = new Set<string>();
    for (const k of this.zk.configs.keys()) {
      if (!k.startsWith(prefix)) continue;
      const name = k.slice(prefix.length);
      out.add(name);
      const nested = name.indexOf('/clients/');
      if (nested > 0) out.add(name.slice(0, nested)); // the parent znode exists too
    }
    return [...out].sort();
  }

  async setOrCreateEntityConfigs(
    rootEntityType: ConfigType,
    entityName: string,
    config: Record<string, string>,
  ): Promise<void> {
    ConfigEntityZNode.path(rootEntityType, entityName);
    this.zk.configs.set(`${rootEntityType}/${entityName}`, ConfigEntityZNode.encode(config));
  }

  async createConfigChangeNotification(entityPath: string): Promise<string> {
    const name =
      ConfigEntityChangeNotificationSequenceZNode.prefix +
      String(this.zk.configChangeCversion++).padStart(10, '0');
    this.zk.configChanges.set(name, {
      json: ConfigEntityChangeNotificationSequenceZNode.encode(entityPath),
      ctime: this.zk.time.milliseconds(),
    });
    this.zk.fire('child', ConfigEntityChangeNotificationZNode.path());
    return `${ConfigEntityChangeNotificationZNode.path()}/${name}`;
  }

  async getConfigChangeNotifications(watch?: Watcher): Promise<string[]> {
    this.watch('child', ConfigEntityChangeNotificationZNode.path(), watch);
    return [...this.zk.configChanges.keys()].sort();
  }

  async getConfigChangeNotification(
    name: string,
  ): Promise<{ entityPath: string; ctime: number } | null> {
    const n = this.zk.configChanges.get(name);
    return n
      ? { entityPath: ConfigEntityChangeNotificationSequenceZNode.decode(n.json), ctime: n.ctime }
      : null;
  }

  async deleteConfigChangeNotification(name: string): Promise<void> {
    if (this.zk.configChanges.delete(name)) {
      this.zk.configChangeCversion++;
      this.zk.fire('child', ConfigEntityChangeNotificationZNode.path());
    }
  }

  // ------------------------------------------------------------ producer ids

  async getLatestProducerIdBlock(): Promise<ProducerIdBlockAndZkVersion | null> {
    const n = this.zk.producerIdBlock;
    if (!n) return null;
    return {
      block: n.json ? ProducerIdBlockZNode.decode(n.json) : null,
      zkVersion: n.version,
    };
  }

  async conditionalUpdateLatestProducerIdBlock(
    block: ProducerIdBlock,
    expectedZkVersion: number | null,
  ): Promise<boolean> {
    const n = this.zk.producerIdBlock;
    const json = ProducerIdBlockZNode.encode(block);
    if (expectedZkVersion === null) {
      if (n) return false;
      this.zk.producerIdBlock = { json, version: 0 };
      return true;
    }
    if (!n || (expectedZkVersion !== -1 && n.version !== expectedZkVersion)) return false;
    n.json = json;
    n.version++;
    return true;
  }

  // ------------------------------------------------------------ consumer offsets

  async setOrCreateConsumerOffsets(
    group: string,
    offsets: ReadonlyArray<ConsumerOffsetEntry>,
  ): Promise<void> {
    if (offsets.length === 0) return;
    let g = this.zk.offsets.get(group);
    if (!g) this.zk.offsets.set(group, (g = new Map()));
    for (const o of offsets) g.set(`${o.topic}\u0000${o.partition}`, { ...o });
  }

  async getConsumerOffset(group: string, topic: string, partition: number): Promise<number | null> {
    return this.zk.offsets.get(group)?.get(`${topic}\u0000${partition}`)?.offset ?? null;
  }

  async getConsumerOffsets(group: string): Promise<ConsumerOffsetEntry[]> {
    const g = this.zk.offsets.get(group);
    if (!g) return [];
    return [...g.values()]
      .map((o) => ({ ...o }))
      .sort((a, b) =>
        a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1,
      );
  }

  async consumerGroupExists(group: string): Promise<boolean> {
    return this.zk.offsets.has(group);
  }

  async getConsumerGroups(): Promise<string[]> {
    return [...this.zk.offsets.keys()].sort();
  }

  async deleteConsumerGroup(group: string): Promise<void> {
    this.zk.offsets.delete(group);
  }
}
