/**
 * KafkaZkClient: Kafka's ZooKeeper operations (Kafka's `kafka/zk/KafkaZkClient.scala`)
 * over a ZkSession, reading and writing the znodes of znodes.ts; the `KafkaZk` interface
 * (KafkaZk.ts) documents each operation. Grouped by concern: setup (top-level paths,
 * cluster id), broker registration, controller election and controller-fenced writes,
 * topics and topic deletion, partition state (controller and leader writes), ISR change
 * notifications, entity configs, producer-id blocks, consumer offsets (ZooKeeper-era
 * `/consumers/<group>/offsets`). Outside packages/zk nothing touches a znode directly
 * (packages/zk/src/no-direct-znode-access.test.ts checks it); the generic reads
 * (`getDataAndStat`, `getChildren`, `pathExists`) are for inspection tools (`kzoo zk`).
 *
 * Fencing (Kafka 2.2+): every controller write is a `multi` whose first operation is
 * `check(/controller_epoch, epochZkVersion)`; if another controller has been elected
 * since, the check fails and the write throws ControllerMovedError, applying nothing.
 */
import { createLogger, KafkaError, Logger, SystemTime, Time, tpKey } from '@kzoo/common';
import {
  BadVersionError,
  ConnectionLossError,
  NodeExistsError,
  NoNodeError,
  ZkError,
} from './errors';
import {
  joinPath,
  ZkOp,
  ZkOpResult,
  ZkSession,
  ZkSessionOptions,
  ZkSessionState,
  ZkStat,
  Watcher,
} from './session';
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
import {
  BrokerIdsZNode,
  BrokerIdZNode,
  BrokerInfo,
  BrokerSequenceIdZNode,
  ClusterIdZNode,
  ConsumerGroupOffsetsZNode,
  ConsumerGroupZNode,
  ConsumerOffset,
  ConsumerPathZNode,
  ConfigEntityChangeNotificationSequenceZNode,
  ConfigEntityChangeNotificationZNode,
  ConfigEntityTypeZNode,
  ConfigEntityZNode,
  ConfigType,
  ControllerEpochZNode,
  ControllerRegistration,
  ControllerZNode,
  FeatureZNode,
  featureDataEqual,
  FeatureZNodeData,
  IsrChangeNotificationZNode,
  LogDirEventNotificationZNode,
  DeleteTopicsTopicZNode,
  DeleteTopicsZNode,
  IsrChangeNotificationSequenceZNode,
  LeaderIsrAndControllerEpoch,
  PersistentZkPaths,
  ProducerIdBlock,
  ProducerIdBlockZNode,
  TopicAssignment,
  TopicPartition,
  TopicPartitionStateZNode,
  TopicPartitionZNode,
  ReassignPartitionsZNode,
  PreferredReplicaElectionZNode,
  type PartitionReplicas,
  TopicPartitionsZNode,
  TopicZNode,
  TopicsZNode,
  randomKafkaUuid,
} from './znodes';

/** Kafka's ControllerMovedException: this broker's controller epoch is no longer current. */
export class ControllerMovedError extends KafkaError {
  constructor(detail: string) {
    super('NOT_CONTROLLER', detail);
    this.name = 'ControllerMovedError';
  }
}

/** A broker id that is registered by another live ZooKeeper session. */
export class BrokerIdInUseError extends KafkaError {
  constructor(
    readonly brokerId: number,
    readonly ownerSession: string | null,
  ) {
    super(
      'DUPLICATE_BROKER_REGISTRATION',
      `broker.id ${brokerId} is already registered at ${BrokerIdZNode.path(brokerId)} by another live broker` +
        (ownerSession ? ` (ZooKeeper session ${ownerSession})` : '') +
        '; every broker needs its own broker.id',
    );
    this.name = 'BrokerIdInUseError';
  }
}

/** Connection losses a broker registration rides out (about 7 s of backoff in all). */
const REGISTRATION_CONNECTION_LOSS_RETRIES = 10;

export interface KafkaZkClientOptions {
  time?: Time;
  logger?: Logger;
}

/** Partition-state writes per multi (behind the controller-epoch check). */
const STATE_WRITES_PER_MULTI = 50;
/** Microtask turns a partition-state write waits for others to share its multi. */
const STATE_WRITE_GATHER_TURNS = 8;

/** A partition-state write waiting to be sent. */
interface StateWrite {
  op: ZkOp & { op: 'setData' };
  epochZkVersion: number;
  /** The new zkVersion, or the refusal (BadVersionError, NoNodeError). */
  resolve: (r: number | Error) => void;
  reject: (e: unknown) => void;
}

export class KafkaZkClient extends KafkaZkDerivedReads implements KafkaZk {
  private readonly time: Time;
  private readonly log: Logger;

  constructor(
    readonly zk: ZkSession,
    opts: KafkaZkClientOptions = {},
  ) {
    super();
    this.time = opts.time ?? SystemTime;
    this.log = opts.logger ?? createLogger('zk.kafka');
  }

  /** Opens a ZkSession (creating the chroot if missing) and wraps it. */
  static async connect(opts: ZkSessionOptions & KafkaZkClientOptions): Promise<KafkaZkClient> {
    const session = await ZkSession.connect(opts);
    return new KafkaZkClient(session, opts);
  }

  get sessionId(): string {
    return this.zk.sessionId;
  }

  get sessionState(): ZkSessionState {
    return this.zk.state;
  }

  onSessionEvent(event: ZkSessionEvent, listener: () => void): void {
    this.zk.on(event, listener);
  }

  /**
   * Every ZooKeeper request's latency as it completes (Kafka's ZooKeeperClientMetrics
   * ZooKeeperRequestLatencyMs). Returns a function that removes the listener.
   */
  onRequestLatency(listener: (e: { op: string; latencyMs: number }) => void): () => void {
    this.zk.on('request', listener);
    return () => this.zk.off('request', listener);
  }

  offSessionEvent(event: ZkSessionEvent, listener: () => void): void {
    this.zk.off(event, listener);
  }

  close(): Promise<void> {
    return this.zk.close();
  }

  // ------------------------------------------------------------ generic reads

  /** Data and stat of a node, or null when it does not exist. */
  async getDataAndStat(
    path: string,
    watch?: Watcher,
  ): Promise<{ data: Buffer | null; stat: ZkStat } | null> {
    try {
      return await this.zk.getData(path, watch);
    } catch (e) {
      if (e instanceof NoNodeError) return null;
      throw e;
    }
  }

  /** Children of a node, sorted; [] when it does not exist. */
  async getChildren(path: string, watch?: Watcher): Promise<string[]> {
    try {
      return (await this.zk.getChildren(path, watch)).sort();
    } catch (e) {
      if (e instanceof NoNodeError) return [];
      throw e;
    }
  }

  async pathExists(path: string): Promise<boolean> {
    return (await this.zk.exists(path)) !== null;
  }

  /** Creates a persistent node and its missing parents; an existing node is fine. */
  async makeSurePersistentPathExists(path: string): Promise<void> {
    try {
      await this.zk.create(path, null, { parents: true });
    } catch (e) {
      if (!(e instanceof NodeExistsError)) throw e;
    }
  }

  // ------------------------------------------------------------ setup

  /** Kafka's createTopLevelPaths: the persistent paths of ZkData.PersistentZkPaths. */
  async createTopLevelPaths(): Promise<void> {
    for (const p of PersistentZkPaths) await this.makeSurePersistentPathExists(p);
  }

  async getClusterId(): Promise<string | null> {
    const r = await this.getDataAndStat(ClusterIdZNode.path());
    return r ? ClusterIdZNode.decode(r.data) : null;
  }

  /** Reads /cluster/id, creating it with `proposedId` (a fresh Kafka Uuid) if missing. */
  async getOrCreateClusterId(proposedId: string = randomKafkaUuid()): Promise<string> {
    const existing = await this.getClusterId();
    if (existing) return existing;
    try {
      await this.zk.create(ClusterIdZNode.path(), ClusterIdZNode.encode(proposedId), {
        parents: true,
      });
      this.log.info('created cluster id', { clusterId: proposedId });
      return proposedId;
    } catch (e) {
      if (!(e instanceof NodeExistsError)) throw e;
      const id = await this.getClusterId();
      if (!id) throw new Error('/cluster/id vanished while reading it');
      return id;
    }
  }

  // ------------------------------------------------------------ brokers

  /**
   * Kafka's generateBrokerSequenceId: `setData(/brokers/seqid, empty, -1)` and returns the
   * node's new dataVersion (1, 2, ...); creates the node when it is missing.
   */
  async generateBrokerSequenceId(): Promise<number> {
    const path = BrokerSequenceIdZNode.path();
    try {
      return (await this.zk.setData(path, Buffer.alloc(0), -1)).version;
    } catch (e) {
      if (!(e instanceof NoNodeError)) throw e;
    }
    await this.makeSurePersistentPathExists(path);
    return (await this.zk.setData(path, Buffer.alloc(0), -1)).version;
  }

  /**
   * Registers the broker: one `multi` that creates the EPHEMERAL /brokers/ids/<id> with
   * no data and then sets its JSON at version 0. Returns the broker epoch (the node's
   * czxid). A node owned by this session is reused; one left by this client's previous
   * (expired) session is replaced; one owned by any other session is BrokerIdInUseError.
   * A connection loss (the session lives on) sends the multi again once reconnected, as
   * Kafka's ZooKeeperClient retries every request until connected
   * (KafkaZkClient.registerBroker → checkedEphemeralCreate): if the lost multi was applied,
   * the retry finds the node owned by this session and takes it (NodeExists path below).
   */
  async registerBroker(info: BrokerInfo): Promise<number> {
    const path = BrokerIdZNode.path(info.id);
    const data = BrokerIdZNode.encode(info, this.time.milliseconds());
    for (let attempt = 0, lost = 0; ; attempt++) {
      try {
        const results = await this.zk.multi([
          { op: 'create', path, data: null, mode: 'ephemeral' },
          { op: 'setData', path, data, version: 0 },
        ]);
        const set = results[1] as Extract<ZkOpResult, { op: 'setData' }>;
        const epoch = set.stat.czxid;
        this.log.info('registered broker', { brokerId: info.id, path, brokerEpoch: epoch });
        return epoch;
      } catch (e) {
        if (e instanceof ConnectionLossError && lost < REGISTRATION_CONNECTION_LOSS_RETRIES) {
          this.log.warn('connection loss while registering the broker; retrying', {
            brokerId: info.id,
            retry: ++lost,
          });
          await this.time.sleep(Math.min(50 * 2 ** lost, 1000));
          attempt--;
          continue;
        }
        if (!(e instanceof NodeExistsError)) {
          if (e instanceof NoNodeError) {
            await this.makeSurePersistentPathExists(BrokerIdsZNode.path());
            if (attempt < 2) continue;
          }
          throw e;
        }
      }
      const existing = await this.zk.exists(path);
      if (!existing) {
        if (attempt < 2) continue;
        throw new Error(`${path} keeps appearing and vanishing while registering`);
      }
      const owner = existing.ephemeralOwner;
      if (owner === this.zk.sessionId) {
        await this.zk.setData(path, data);
        return existing.czxid;
      }
      if (owner !== null && this.zk.previousSessionIds.includes(owner) && attempt < 2) {
        // KAFKA-7165: our own previous session's node, not yet removed by the server.
        try {
          await this.zk.delete(path, existing.version);
        } catch (e) {
          if (!(e instanceof NoNodeError) && !(e instanceof BadVersionError)) throw e;
        }
        continue;
      }
      throw new BrokerIdInUseError(info.id, owner);
    }
  }

  /** Rewrites this broker's registration JSON (e.g. after a listener change). */
  async updateBrokerInfo(info: BrokerInfo): Promise<void> {
    await this.zk.setData(
      BrokerIdZNode.path(info.id),
      BrokerIdZNode.encode(info, this.time.milliseconds()),
    );
  }

  async getBrokerAndEpoch(id: number): Promise<BrokerAndEpoch | null> {
    const r = await this.getDataAndStat(BrokerIdZNode.path(id));
    return r ? { broker: BrokerIdZNode.decode(id, r.data), epoch: r.stat.czxid } : null;
  }

  /** Live broker ids, sorted; `watch` fires once on the next change of /brokers/ids. */
  async getSortedBrokerList(watch?: Watcher): Promise<number[]> {
    const ids = await this.getChildren(BrokerIdsZNode.path(), watch);
    return ids
      .filter((s) => /^\d+$/.test(s))
      .map(Number)
      .sort((a, b) => a - b);
  }

  // ------------------------------------------------------------ controller

  /** The registration in /controller, or null when there is no controller. */
  async getControllerRegistration(
    watch?: Watcher,
  ): Promise<(ControllerRegistration & { stat: ZkStat }) | null> {
    const r = await this.getDataAndStat(ControllerZNode.path(), watch);
    return r ? { ...ControllerZNode.decode(r.data), stat: r.stat } : null;
  }

  async watchControllerZNode(watch: Watcher): Promise<boolean> {
    return (await this.zk.exists(ControllerZNode.path(), watch)) !== null;
  }

  /** The controller epoch and the zkVersion of /controller_epoch, or null before any election. */
  async getControllerEpoch(): Promise<ControllerEpochAndZkVersion | null> {
    const r = await this.getDataAndStat(ControllerEpochZNode.path());
    return r
      ? { epoch: ControllerEpochZNode.decode(r.data), epochZkVersion: r.stat.version }
      : null;
  }

  /**
   * Kafka 2.1+'s election step: in one `multi`, create the EPHEMERAL /controller for
   * `controllerId` and bump /controller_epoch conditionally on the zkVersion read. A
   * missing /controller_epoch is first created as "0". If another broker won (NodeExists
   * on /controller or BadVersion on the epoch), re-reads: this broker still won only if
   * /controller names it with the epoch it wrote; otherwise ControllerMovedError.
   */
  async registerControllerAndIncrementControllerEpoch(
    controllerId: number,
    controllerZNodeVersion: 1 | 2 = 1,
  ): Promise<ControllerEpochAndZkVersion> {
    let current = await this.getControllerEpoch();
    if (!current) {
      try {
        await this.zk.create(ControllerEpochZNode.path(), ControllerEpochZNode.encode(0));
      } catch (e) {
        if (!(e instanceof NodeExistsError)) throw e;
      }
      current = await this.getControllerEpoch();
      if (!current) throw new Error('/controller_epoch vanished while electing');
    }
    const newEpoch = current.epoch + 1;
    try {
      const results = await this.zk.multi([
        {
          op: 'create',
          path: ControllerZNode.path(),
          data: ControllerZNode.encode(
            controllerId,
            this.time.milliseconds(),
            controllerZNodeVersion,
          ),
          mode: 'ephemeral',
        },
        {
          op: 'setData',
          path: ControllerEpochZNode.path(),
          data: ControllerEpochZNode.encode(newEpoch),
          version: current.epochZkVersion,
        },
      ]);
      const set = results[1] as Extract<ZkOpResult, { op: 'setData' }>;
      return { epoch: newEpoch, epochZkVersion: set.stat.version };
    } catch (e) {
      if (!(e instanceof NodeExistsError) && !(e instanceof BadVersionError)) throw e;
      const controller = await this.getControllerRegistration();
      const epoch = await this.getControllerEpoch();
      if (controller?.brokerId === controllerId && epoch?.epoch === newEpoch) {
        return epoch;
      }
      throw new ControllerMovedError(
        `broker ${controllerId} lost the controller election: /controller is ` +
          `${controller ? `broker ${controller.brokerId}` : 'gone'}, controller epoch ${epoch?.epoch ?? 'unknown'}`,
      );
    }
  }

  /**
   * A controller write: `check(/controller_epoch, epochZkVersion)` then `ops`, atomically.
   * Throws ControllerMovedError when the epoch has moved on (nothing is applied); other
   * failures throw the typed error of the refused op, whose `opIndex` counts within `ops`.
   */
  private async controllerFencedMulti(epochZkVersion: number, ops: ZkOp[]): Promise<ZkOpResult[]> {
    try {
      const results = await this.zk.multi([
        { op: 'check', path: ControllerEpochZNode.path(), version: epochZkVersion },
        ...ops,
      ]);
      return results.slice(1);
    } catch (e) {
      if (
        e instanceof ZkError &&
        e.opIndex === 0 &&
        (e instanceof BadVersionError || e instanceof NoNodeError)
      ) {
        const now = await this.getControllerEpoch().catch(() => null);
        throw new ControllerMovedError(
          `controller epoch zkVersion ${epochZkVersion} is stale` +
            (now
              ? ` (/controller_epoch is now epoch ${now.epoch} at zkVersion ${now.epochZkVersion})`
              : '') +
            `; refused: ${ops.map((o) => `${o.op} ${o.path}`).join(', ')}`,
        );
      }
      if (e instanceof ZkError && e.opIndex !== undefined) e.opIndex -= 1;
      throw e;
    }
  }

  /** Kafka's triggerControllerMove/resign path: delete /controller, fenced by the epoch. */
  async deleteController(epochZkVersion: number): Promise<void> {
    try {
      await this.controllerFencedMulti(epochZkVersion, [
        { op: 'delete', path: ControllerZNode.path() },
      ]);
    } catch (e) {
      if (!(e instanceof NoNodeError)) throw e;
    }
  }

  /**
   * Sets /feature as the controller does on failover (Kafka's enableFeatureVersioning):
   * created when missing, rewritten only when its content differs (status, features);
   * fenced. Returns whether it wrote and the znode's zkVersion after the call.
   */
  async createOrUpdateFeatureZNode(
    data: FeatureZNodeData,
    epochZkVersion: number,
  ): Promise<{ written: boolean; zkVersion: number }> {
    const path = FeatureZNode.path();
    const existing = await this.getDataAndStat(path);
    if (existing && featureDataEqual(FeatureZNode.decode(existing.data), data))
      return { written: false, zkVersion: existing.stat.version };
    const json = FeatureZNode.encode(data);
    await this.controllerFencedMulti(epochZkVersion, [
      existing
        ? { op: 'setData', path, data: json, version: existing.stat.version }
        : { op: 'create', path, data: json },
    ]);
    return { written: true, zkVersion: existing ? existing.stat.version + 1 : 0 };
  }

  async getFeatureZNode(): Promise<FeatureZNodeData | null> {
    const r = await this.getDataAndStat(FeatureZNode.path());
    return r ? FeatureZNode.decode(r.data) : null;
  }

  /** Deletes every log_dir_event_* notification (controller failover step); fenced. */
  async deleteLogDirEventNotifications(epochZkVersion: number): Promise<number> {
    return this.deleteChildrenFenced(LogDirEventNotificationZNode.path(), epochZkVersion);
  }

  private async deleteChildrenFenced(parent: string, epochZkVersion: number): Promise<number> {
    const children = await this.getChildren(parent);
    if (children.length === 0) return 0;
    await this.controllerFencedMulti(
      epochZkVersion,
      children.map((c) => ({ op: 'delete' as const, path: joinPath(parent, c) })),
    );
    return children.length;
  }

  // ------------------------------------------------------------ topics

  async getAllTopicsInCluster(watch?: Watcher): Promise<string[]> {
    return this.getChildren(TopicsZNode.path(), watch);
  }

  async topicExists(topic: string): Promise<boolean> {
    return this.pathExists(TopicZNode.path(topic));
  }

  async getReplicaAssignmentForTopics(
    topics: readonly string[],
    watch?: Watcher,
  ): Promise<Map<string, TopicAssignmentAndZkVersion>> {
    const read = await Promise.all(
      topics.map((t) => this.getDataAndStat(TopicZNode.path(t), watch)),
    );
    const out = new Map<string, TopicAssignmentAndZkVersion>();
    read.forEach((r, i) => {
      if (r)
        out.set(topics[i], { ...TopicZNode.decode(topics[i], r.data), zkVersion: r.stat.version });
    });
    return out;
  }

  async createTopicAssignment(topic: string, assignment: TopicAssignment): Promise<void> {
    await this.zk.create(TopicZNode.path(topic), TopicZNode.encode(assignment), { parents: true });
  }

  async setTopicAssignment(
    topic: string,
    assignment: TopicAssignment,
    expectedZkVersion: number,
  ): Promise<number> {
    const stat = await this.zk.setData(
      TopicZNode.path(topic),
      TopicZNode.encode(assignment),
      expectedZkVersion,
    );
    return stat.version;
  }

  // ------------------------------------------------------------ topic deletion

  async getTopicDeletions(watch?: Watcher): Promise<string[]> {
    return this.getChildren(DeleteTopicsZNode.path(), watch);
  }

  async isTopicMarkedForDeletion(topic: string): Promise<boolean> {
    return this.pathExists(DeleteTopicsTopicZNode.path(topic));
  }

  async createDeleteTopicPath(topic: string): Promise<void> {
    await this.zk.create(DeleteTopicsTopicZNode.path(topic), null, { parents: true });
  }

  async setTopicAssignmentFenced(
    topic: string,
    assignment: TopicAssignment,
    epochZkVersion: number,
  ): Promise<void> {
    await this.controllerFencedMulti(epochZkVersion, [
      { op: 'setData', path: TopicZNode.path(topic), data: TopicZNode.encode(assignment) },
    ]);
  }

  async watchPartitionReassignment(watch: Watcher): Promise<boolean> {
    return (await this.zk.exists(ReassignPartitionsZNode.path(), watch)) !== null;
  }

  async getPartitionReassignment(): Promise<PartitionReplicas[]> {
    const r = await this.getDataAndStat(ReassignPartitionsZNode.path());
    return r ? ReassignPartitionsZNode.decode(r.data) : [];
  }

  async createPartitionReassignment(partitions: readonly PartitionReplicas[]): Promise<void> {
    await this.zk.create(
      ReassignPartitionsZNode.path(),
      ReassignPartitionsZNode.encode(partitions),
    );
  }

  async setOrDeletePartitionReassignment(
    partitions: readonly PartitionReplicas[],
    epochZkVersion: number,
  ): Promise<void> {
    const path = ReassignPartitionsZNode.path();
    try {
      if (partitions.length === 0)
        await this.controllerFencedMulti(epochZkVersion, [{ op: 'delete', path }]);
      else
        await this.controllerFencedMulti(epochZkVersion, [
          { op: 'setData', path, data: ReassignPartitionsZNode.encode(partitions) },
        ]);
    } catch (e) {
      if (!(e instanceof NoNodeError)) throw e;
      if (partitions.length > 0)
        await this.controllerFencedMulti(epochZkVersion, [
          { op: 'create', path, data: ReassignPartitionsZNode.encode(partitions) },
        ]);
    }
  }

  async watchPreferredReplicaElection(watch: Watcher): Promise<boolean> {
    return (await this.zk.exists(PreferredReplicaElectionZNode.path(), watch)) !== null;
  }

  async getPreferredReplicaElection(): Promise<TopicPartition[]> {
    const r = await this.getDataAndStat(PreferredReplicaElectionZNode.path());
    return r ? PreferredReplicaElectionZNode.decode(r.data) : [];
  }

  async createPreferredReplicaElection(partitions: readonly TopicPartition[]): Promise<void> {
    await this.zk.create(
      PreferredReplicaElectionZNode.path(),
      PreferredReplicaElectionZNode.encode(partitions),
    );
  }

  async deletePreferredReplicaElection(epochZkVersion: number): Promise<void> {
    try {
      await this.controllerFencedMulti(epochZkVersion, [
        { op: 'delete', path: PreferredReplicaElectionZNode.path() },
      ]);
    } catch (e) {
      if (!(e instanceof NoNodeError)) throw e;
    }
  }

  async deleteTopicDeletions(topics: readonly string[], epochZkVersion: number): Promise<void> {
    const paths = topics.map((t) => DeleteTopicsTopicZNode.path(t));
    const present = await Promise.all(paths.map((p) => this.pathExists(p)));
    const ops = paths.filter((_, i) => present[i]).map((path) => ({ op: 'delete' as const, path }));
    if (ops.length > 0) await this.controllerFencedMulti(epochZkVersion, ops);
  }

  async deleteTopicZNodes(topic: string, epochZkVersion: number): Promise<void> {
    const ops: ZkOp[] = [];
    const collect = async (path: string): Promise<void> => {
      for (const c of await this.getChildren(path)) await collect(joinPath(path, c));
      ops.push({ op: 'delete', path });
    };
    const root = TopicZNode.path(topic);
    if (await this.pathExists(root)) await collect(root);
    for (const path of [
      ConfigEntityZNode.path('topics', topic),
      DeleteTopicsTopicZNode.path(topic),
    ])
      if (await this.pathExists(path)) ops.push({ op: 'delete', path });
    if (ops.length > 0) await this.controllerFencedMulti(epochZkVersion, ops);
  }

  // ------------------------------------------------------------ partition state

  async getTopicPartitionStates(
    partitions: readonly TopicPartition[],
  ): Promise<Map<string, PartitionStateAndZkVersion>> {
    const read = await Promise.all(
      partitions.map((tp) => this.getDataAndStat(TopicPartitionStateZNode.path(tp))),
    );
    const out = new Map<string, PartitionStateAndZkVersion>();
    read.forEach((r, i) => {
      if (!r) return;
      const path = TopicPartitionStateZNode.path(partitions[i]);
      out.set(tpKey(partitions[i]), {
        ...TopicPartitionStateZNode.decode(r.data, path),
        zkVersion: r.stat.version,
      });
    });
    return out;
  }

  /**
   * One partition's state znode, decoded, with its stat (mtime: when the controller or the
   * leader wrote it), or null when it does not exist; `watch` fires once on its next
   * change (for watchers such as `kzoo ui`).
   */
  async getTopicPartitionStateAndStat(
    tp: TopicPartition,
    watch?: Watcher,
  ): Promise<{ state: PartitionStateAndZkVersion; stat: ZkStat } | null> {
    const path = TopicPartitionStateZNode.path(tp);
    const r = await this.getDataAndStat(path, watch);
    if (!r) return null;
    return {
      state: { ...TopicPartitionStateZNode.decode(r.data, path), zkVersion: r.stat.version },
      stat: r.stat,
    };
  }

  async createTopicPartitionStates(
    states: ReadonlyArray<{ topicPartition: TopicPartition; state: LeaderIsrAndControllerEpoch }>,
    epochZkVersion: number,
  ): Promise<Map<string, PartitionStateAndZkVersion | Error>> {
    const out = new Map<string, PartitionStateAndZkVersion | Error>();
    // Kafka's createTopicPartitionStatesRaw: createTopicPartitions (one /partitions parent
    // per topic), then createTopicPartition (one parent per partition), then the state
    // znodes, each step's requests pipelined, all under the controller-epoch fence.
    const createParent = async (parent: string): Promise<void> => {
      try {
        await this.controllerFencedMulti(epochZkVersion, [
          { op: 'create', path: parent, data: null },
        ]);
      } catch (e) {
        if (!(e instanceof NodeExistsError)) throw e;
      }
    };
    const topics = new Set(states.map((s) => s.topicPartition.topic));
    await Promise.all([...topics].map((t) => createParent(TopicPartitionsZNode.path(t))));
    await Promise.all(states.map((s) => createParent(TopicPartitionZNode.path(s.topicPartition))));
    await Promise.all(
      states.map(async ({ topicPartition: tp, state }) => {
        try {
          await this.controllerFencedMulti(epochZkVersion, [
            {
              op: 'create',
              path: TopicPartitionStateZNode.path(tp),
              data: TopicPartitionStateZNode.encode(state),
            },
          ]);
          out.set(tpKey(tp), { ...state, zkVersion: 0 });
        } catch (e) {
          if (!(e instanceof NodeExistsError)) throw e;
          out.set(tpKey(tp), e);
        }
      }),
    );
    return out;
  }

  /**
   * Kafka writes each partition state in a multi of its own (check of /controller_epoch,
   * setData), pipelined. Here the writes requested within a few microtasks of each other
   * (a controller step calls this per partition, thousands at once) share multis of up to
   * STATE_WRITES_PER_MULTI setData behind the one check: ZooKeeper applied 10,000
   * single-partition multis in 1.8-1.9 s, 200 multis of 50 in 0.19 s (pipelined, on a
   * 2-core machine). A multi is atomic: when one of its writes is refused (BADVERSION,
   * NONODE) nothing was applied, and each of its writes is made again alone, so every
   * partition gets the answer a write of its own would have.
   */
  async updateLeaderAndIsr(
    updates: readonly LeaderAndIsrUpdate[],
    controllerEpoch: number,
    epochZkVersion: number,
  ): Promise<UpdateLeaderAndIsrResult> {
    const result: UpdateLeaderAndIsrResult = {
      finishedPartitions: new Map(),
      partitionsToRetry: [],
    };
    await Promise.all(
      updates.map(async (u) => {
        const state = leaderAndIsrOf(u, controllerEpoch);
        const r = await new Promise<number | Error>((resolve, reject) =>
          this.queueStateWrite({
            op: {
              op: 'setData',
              path: TopicPartitionStateZNode.path(u.topicPartition),
              data: TopicPartitionStateZNode.encode(state),
              version: u.zkVersion,
            },
            epochZkVersion,
            resolve,
            reject,
          }),
        );
        if (r instanceof BadVersionError) result.partitionsToRetry.push(u.topicPartition);
        else if (r instanceof Error) result.finishedPartitions.set(tpKey(u.topicPartition), r);
        else result.finishedPartitions.set(tpKey(u.topicPartition), { ...state, zkVersion: r });
      }),
    );
    return result;
  }

  private stateWrites: StateWrite[] = [];
  private stateWritesScheduled = false;

  private queueStateWrite(w: StateWrite): void {
    this.stateWrites.push(w);
    if (this.stateWritesScheduled) return;
    this.stateWritesScheduled = true;
    // A few microtask turns before sending: the partitions of one controller step reach
    // this call a few awaits apart, each turn lets every one of them advance one await.
    let turns = 0;
    const turn = (): void => {
      if (++turns < STATE_WRITE_GATHER_TURNS) {
        queueMicrotask(turn);
        return;
      }
      this.stateWritesScheduled = false;
      const writes = this.stateWrites;
      this.stateWrites = [];
      const byFence = new Map<number, StateWrite[]>();
      for (const x of writes) {
        const g = byFence.get(x.epochZkVersion);
        if (g) g.push(x);
        else byFence.set(x.epochZkVersion, [x]);
      }
      for (const [fence, group] of byFence)
        for (let i = 0; i < group.length; i += STATE_WRITES_PER_MULTI)
          void this.writeStates(fence, group.slice(i, i + STATE_WRITES_PER_MULTI));
    };
    queueMicrotask(turn);
  }

  /** One multi for `writes`; each settles with the new zkVersion, its refusal, or a thrown error. */
  private async writeStates(epochZkVersion: number, writes: StateWrite[]): Promise<void> {
    try {
      const res = await this.controllerFencedMulti(
        epochZkVersion,
        writes.map((w) => w.op),
      );
      writes.forEach((w, i) => {
        const r = res[i];
        w.resolve(r?.op === 'setData' ? r.stat.version : (w.op.version ?? -1) + 1);
      });
    } catch (e) {
      const refused = e instanceof BadVersionError || e instanceof NoNodeError;
      if (refused && writes.length > 1) {
        await Promise.all(writes.map((w) => this.writeStates(epochZkVersion, [w])));
      } else if (refused) {
        writes[0].resolve(e);
      } else {
        for (const w of writes) w.reject(e);
      }
    }
  }

  async conditionalUpdateLeaderAndIsr(
    tp: TopicPartition,
    state: LeaderIsrAndControllerEpoch,
    expectedZkVersion: number,
  ): Promise<number | null> {
    try {
      const stat = await this.zk.setData(
        TopicPartitionStateZNode.path(tp),
        TopicPartitionStateZNode.encode(state),
        expectedZkVersion,
      );
      return stat.version;
    } catch (e) {
      if (e instanceof BadVersionError) return null;
      throw e;
    }
  }

  // ------------------------------------------------------------ ISR change notifications

  async propagateIsrChanges(partitions: readonly TopicPartition[]): Promise<void> {
    await this.zk.create(
      IsrChangeNotificationSequenceZNode.path(),
      IsrChangeNotificationSequenceZNode.encode([...partitions]),
      { mode: 'persistent_sequential' },
    );
  }

  async getAllIsrChangeNotifications(watch?: Watcher): Promise<string[]> {
    const children = await this.getChildren(IsrChangeNotificationZNode.path(), watch);
    return children
      .filter((c) => c.startsWith(IsrChangeNotificationSequenceZNode.prefix))
      .map((c) => IsrChangeNotificationSequenceZNode.sequenceNumber(c));
  }

  async getPartitionsFromIsrChangeNotifications(
    sequenceNumbers: readonly string[],
  ): Promise<TopicPartition[]> {
    // Kafka's getPartitionsFromIsrChangeNotifications: every getData at once (pipelined)
    const read = await Promise.all(
      sequenceNumbers.map((seq) =>
        this.getDataAndStat(IsrChangeNotificationSequenceZNode.path(seq)),
      ),
    );
    const out: TopicPartition[] = [];
    for (const [i, seq] of sequenceNumbers.entries()) {
      const r = read[i];
      if (!r) continue;
      try {
        out.push(...IsrChangeNotificationSequenceZNode.decode(r.data));
      } catch (e) {
        this.log.warn('unreadable ISR change notification', { sequenceNumber: seq, error: e });
      }
    }
    return out;
  }

  async deleteIsrChangeNotifications(
    epochZkVersion: number,
    sequenceNumbers?: readonly string[],
  ): Promise<number> {
    if (sequenceNumbers === undefined)
      return this.deleteChildrenFenced(IsrChangeNotificationZNode.path(), epochZkVersion);
    if (sequenceNumbers.length === 0) return 0;
    await this.controllerFencedMulti(
      epochZkVersion,
      sequenceNumbers.map((seq) => ({
        op: 'delete' as const,
        path: IsrChangeNotificationSequenceZNode.path(seq),
      })),
    );
    return sequenceNumbers.length;
  }

  // ------------------------------------------------------------ configs

  async getEntityConfigs(
    rootEntityType: ConfigType,
    entityName: string,
  ): Promise<Record<string, string>> {
    const r = await this.getDataAndStat(ConfigEntityZNode.path(rootEntityType, entityName));
    return r ? ConfigEntityZNode.decode(r.data) : {};
  }

  async getAllEntitiesWithConfig(rootEntityType: ConfigType): Promise<string[]> {
    const root = ConfigEntityTypeZNode.path(rootEntityType);
    const out: string[] = [];
    for (const name of await this.getChildren(root)) {
      out.push(name);
      if (rootEntityType !== 'users') continue;
      for (const c of await this.getChildren(joinPath(joinPath(root, name), 'clients')))
        out.push(`${name}/clients/${c}`);
    }
    return out.sort();
  }

  async setOrCreateEntityConfigs(
    rootEntityType: ConfigType,
    entityName: string,
    config: Record<string, string>,
  ): Promise<void> {
    const path = ConfigEntityZNode.path(rootEntityType, entityName);
    const json = ConfigEntityZNode.encode(config);
    try {
      await this.zk.setData(path, json);
    } catch (e) {
      if (!(e instanceof NoNodeError)) throw e;
      try {
        await this.zk.create(path, json, { parents: true });
      } catch (e2) {
        if (!(e2 instanceof NodeExistsError)) throw e2;
        await this.zk.setData(path, json);
      }
    }
  }

  /**
   * Kafka's createConfigChangeNotification: a PERSISTENT_SEQUENTIAL
   * `/config/changes/config_change_<seq>` with `{"version":2,"entity_path":"<type>/<name>"}`.
   * Returns the created path.
   */
  async createConfigChangeNotification(entityPath: string): Promise<string> {
    await this.makeSurePersistentPathExists(ConfigEntityChangeNotificationZNode.path());
    return this.zk.create(
      ConfigEntityChangeNotificationSequenceZNode.createPath(),
      ConfigEntityChangeNotificationSequenceZNode.encode(entityPath),
      { mode: 'persistent_sequential' },
    );
  }

  /** The children of `/config/changes` (`config_change_<seq>`), sorted; `watch` fires on the next change. */
  async getConfigChangeNotifications(watch?: Watcher): Promise<string[]> {
    return this.getChildren(ConfigEntityChangeNotificationZNode.path(), watch);
  }

  /** One notification: the entity path it names and its creation time; null when it is gone. */
  async getConfigChangeNotification(
    name: string,
  ): Promise<{ entityPath: string; ctime: number } | null> {
    const r = await this.getDataAndStat(joinPath(ConfigEntityChangeNotificationZNode.path(), name));
    if (!r) return null;
    return {
      entityPath: ConfigEntityChangeNotificationSequenceZNode.decode(r.data),
      ctime: r.stat.ctime,
    };
  }

  /** Deletes one notification (an expired one); a missing node is fine. */
  async deleteConfigChangeNotification(name: string): Promise<void> {
    try {
      await this.zk.delete(joinPath(ConfigEntityChangeNotificationZNode.path(), name));
    } catch (e) {
      if (!(e instanceof NoNodeError)) throw e;
    }
  }

  // ------------------------------------------------------------ producer ids

  async getLatestProducerIdBlock(): Promise<ProducerIdBlockAndZkVersion | null> {
    const r = await this.getDataAndStat(ProducerIdBlockZNode.path());
    if (!r) return null;
    const block = r.data && r.data.length > 0 ? ProducerIdBlockZNode.decode(r.data) : null;
    return { block, zkVersion: r.stat.version };
  }

  async conditionalUpdateLatestProducerIdBlock(
    block: ProducerIdBlock,
    expectedZkVersion: number | null,
  ): Promise<boolean> {
    const path = ProducerIdBlockZNode.path();
    const data = ProducerIdBlockZNode.encode(block);
    try {
      if (expectedZkVersion === null) await this.zk.create(path, data);
      else await this.zk.setData(path, data, expectedZkVersion);
      return true;
    } catch (e) {
      if (e instanceof BadVersionError || e instanceof NodeExistsError || e instanceof NoNodeError)
        return false;
      throw e;
    }
  }

  // ------------------------------------------------------------ consumer offsets

  /**
   * Writes the offsets of one commit in one `multi` (Kafka's setOrCreateConsumerOffset,
   * batched): existence is checked first, then missing parents and partitions are
   * created and existing partitions set. A concurrent writer creating the same nodes
   * (NodeExists) or deleting the group (NoNode) makes it re-check and retry.
   * Duplicate partitions in `offsets`: the last one wins.
   * Partitions this client wrote before are remembered: a commit of only those skips the
   * checks and is one `multi` of setData (a NoNode, e.g. the group was deleted
   * elsewhere, forgets the group and takes the checked path).
   */
  async setOrCreateConsumerOffsets(
    group: string,
    offsets: ReadonlyArray<ConsumerOffsetEntry>,
  ): Promise<void> {
    if (offsets.length === 0) return;
    const leaves = new Map<string, string>();
    const parents = [
      ConsumerPathZNode.path(),
      ConsumerGroupZNode.path(group),
      ConsumerGroupOffsetsZNode.path(group),
    ];
    for (const o of offsets) {
      const topicPath = ConsumerGroupOffsetsZNode.topicPath(group, o.topic);
      if (!parents.includes(topicPath)) parents.push(topicPath);
      leaves.set(ConsumerOffset.path(group, o.topic, o.partition), ConsumerOffset.encode(o.offset));
    }
    const known = this.knownOffsetPaths.get(group);
    if (known && [...leaves.keys()].every((p) => known.has(p))) {
      try {
        await this.zk.multi(
          [...leaves].map(([path, data]) => ({ op: 'setData' as const, path, data })),
        );
        return;
      } catch (e) {
        if (!(e instanceof NoNodeError)) throw e;
        this.knownOffsetPaths.delete(group);
      }
    }
    for (let attempt = 0; ; attempt++) {
      const parentStats = await Promise.all(parents.map((p) => this.zk.exists(p)));
      const missing = new Set(parents.filter((_, i) => parentStats[i] === null));
      const ops: ZkOp[] = [...missing].map((path) => ({ op: 'create' as const, path, data: null }));
      const leafPaths = [...leaves.keys()];
      const leafStats = await Promise.all(
        leafPaths.map((p) =>
          missing.has(p.slice(0, p.lastIndexOf('/'))) ? null : this.zk.exists(p),
        ),
      );
      leafPaths.forEach((path, i) => {
        const data = leaves.get(path)!;
        ops.push(leafStats[i] ? { op: 'setData', path, data } : { op: 'create', path, data });
      });
      try {
        await this.zk.multi(ops);
        this.rememberOffsetPaths(group, leafPaths);
        return;
      } catch (e) {
        if ((e instanceof NodeExistsError || e instanceof NoNodeError) && attempt < 4) continue;
        throw e;
      }
    }
  }

  /** Offset znodes known to exist, per group (bounded: forgotten wholesale when large). */
  private readonly knownOffsetPaths = new Map<string, Set<string>>();
  private knownOffsetPathCount = 0;

  private rememberOffsetPaths(group: string, paths: string[]): void {
    if (this.knownOffsetPathCount > 100_000) {
      this.knownOffsetPaths.clear();
      this.knownOffsetPathCount = 0;
    }
    let set = this.knownOffsetPaths.get(group);
    if (!set) this.knownOffsetPaths.set(group, (set = new Set()));
    for (const p of paths) {
      if (set.has(p)) continue;
      set.add(p);
      this.knownOffsetPathCount++;
    }
  }

  /** The committed offset of one partition, or null when none is stored. */
  async getConsumerOffset(group: string, topic: string, partition: number): Promise<number | null> {
    const r = await this.getDataAndStat(ConsumerOffset.path(group, topic, partition));
    return r ? ConsumerOffset.decode(r.data) : null;
  }

  /** Every committed offset of the group, sorted by topic then partition. */
  async getConsumerOffsets(group: string): Promise<ConsumerOffsetEntry[]> {
    const topics = await this.getChildren(ConsumerGroupOffsetsZNode.path(group));
    const perTopic = await Promise.all(
      topics.map(async (topic) => {
        const parts = (await this.getChildren(ConsumerGroupOffsetsZNode.topicPath(group, topic)))
          .filter((p) => /^\d+$/.test(p))
          .map(Number)
          .sort((a, b) => a - b);
        const offsets = await Promise.all(
          parts.map((partition) => this.getConsumerOffset(group, topic, partition)),
        );
        return parts
          .map((partition, i) => ({ topic, partition, offset: offsets[i] }))
          .filter((e): e is ConsumerOffsetEntry => e.offset !== null);
      }),
    );
    return perTopic.flat();
  }

  /** Whether `/consumers/<group>` exists. */
  async consumerGroupExists(group: string): Promise<boolean> {
    return this.pathExists(ConsumerGroupZNode.path(group));
  }

  /** The children of `/consumers`, sorted. */
  async getConsumerGroups(): Promise<string[]> {
    return this.getChildren(ConsumerPathZNode.path());
  }

  /** Deletes `/consumers/<group>` and everything under it; a missing group is fine. */
  async deleteConsumerGroup(group: string): Promise<void> {
    this.knownOffsetPaths.delete(group);
    await this.zk.deleteRecursive(ConsumerGroupZNode.path(group));
  }
}
