/**
 * ControllerPartitions: the active controller's topic and partition work, called from
 * KafkaController's event queue (Kafka keeps this inside KafkaController; here it
 * lives beside it so neither file grows past reading).
 *
 * - `onControllerFailover`: watch /brokers/topics and /admin/delete_topics, read every
 *   topic, assignment and partition state from ZooKeeper, open a channel to every live
 *   broker, send them all UpdateMetadata (brokers + every partition), LeaderAndIsr to
 *   every live replica, elect New and Offline partitions (leader dead or -1), take dead
 *   replicas out of the ISRs, resume deletions.
 * - `processTopicChange`: new topics → partitions New → Online (state znodes,
 *   LeaderAndIsr, UpdateMetadata), replicas New → Online.
 * - `processPartitionModifications`: a data watch per `/brokers/topics/<t>`; partitions
 *   added there (CreatePartitions) go New → Online the same way.
 * - `processTopicDeletion` / `onStopReplicaResponse`: TopicDeletionManager.
 * - `onBrokerStartup`: UpdateMetadata with everything to the new brokers, the
 *   live-broker list to the others, LeaderAndIsr for every replica they host, retry
 *   partitions still New and deletions waiting for them.
 * - `onBrokerFailure`: partitions they led are elected again (OfflinePartition rule),
 *   their replicas go Offline and leave the ISRs; the remaining brokers learn it all.
 * - `controlledShutdown`, `electLeaders` (preferred, unclean), `checkAndTriggerAutoLeaderRebalance`.
 */
import { SystemTime, tpKey } from '@kzoo/common';
import type { ErrorName, Logger, Time } from '@kzoo/common';
import type { BrokerAndEpoch, KafkaZk, WatchEvent } from '@kzoo/zk';
import { ControllerBrokerRequestBatch } from './ControllerBrokerRequestBatch';
import { ControllerChannelManager, type ControllerChannel } from './ControllerChannelManager';
import { ControllerContext, type TP } from './ControllerContext';
import type { ControllerEvent } from './ControllerEventManager';
import {
  PartitionStateMachine,
  type ControllerEpochInfo,
  type ElectionFailure,
} from './PartitionStateMachine';
import { ReplicaStateMachine, type PartitionAndReplica } from './ReplicaStateMachine';
import { registeredPeerAddress, type PeerAddressResolver } from '../network/peer-address';
import { TopicDeletionManager } from './TopicDeletionManager';
import { PartitionReassignment } from './PartitionReassignment';
import { PartitionState, ReplicaState } from './states';

export interface ControllerPartitionsOptions {
  controllerId: number;
  zkClient: KafkaZk;
  /** The connections to brokers (default: a ControllerChannelManager; tests pass a recorder). */
  channel?: ControllerChannel;
  liveBrokers: Map<number, BrokerAndEpoch>;
  epoch: () => ControllerEpochInfo;
  put: (event: ControllerEvent) => void;
  /** delete.topic.enable */
  deleteTopicEnable: boolean;
  /** The listener brokers talk to each other on (inter.broker.listener.name). */
  interBrokerListenerName?: string;
  /** kzoo.inter.broker.address.overrides: the address dialed for a broker's endpoint. */
  interBrokerAddress?: PeerAddressResolver;
  /** unclean.leader.election.enable (broker default, maybe dynamic; topics may override it). */
  uncleanLeaderElectionEnable?: boolean | (() => boolean);
  /** controller.socket.timeout.ms */
  requestTimeoutMs?: number;
  /** IBP >= 3.2: an unclean election writes leader_recovery_state RECOVERING. */
  leaderRecoverySupported?: boolean;
  /** The clock of the channel's retry backoff (default: the system clock). */
  time?: Time;
  log: Logger;
  stateLog: Logger;
}

export interface ControlledShutdownResult {
  /** NONE, BROKER_NOT_AVAILABLE, STALE_BROKER_EPOCH (or NOT_CONTROLLER). */
  error: ErrorName;
  /** Partitions the broker still leads. */
  remaining: TP[];
}

export class ControllerPartitions {
  readonly context: ControllerContext;
  private readonly channel: ControllerChannel;
  private readonly psm: PartitionStateMachine;
  private readonly rsm: ReplicaStateMachine;
  private readonly deletion: TopicDeletionManager;
  private readonly zk: KafkaZk;
  /** Replica reassignment (KIP-455 on the ZooKeeper path). */
  readonly reassignment: PartitionReassignment;

  constructor(private readonly o: ControllerPartitionsOptions) {
    this.zk = o.zkClient;
    this.context = new ControllerContext(o.liveBrokers);
    this.channel =
      o.channel ??
      new ControllerChannelManager({
        controllerId: o.controllerId,
        requestTimeoutMs: o.requestTimeoutMs,
        time: o.time,
        logger: o.log.child({}, 'controller.channel'),
      });
    this.psm = new PartitionStateMachine(this.context, this.zk, o.epoch, o.stateLog, {
      uncleanLeaderElectionEnable: o.uncleanLeaderElectionEnable ?? false,
      leaderRecoverySupported: o.leaderRecoverySupported ?? true,
    });
    this.rsm = new ReplicaStateMachine(this.context, o.stateLog);
    this.deletion = new TopicDeletionManager(
      this.context,
      this.psm,
      this.rsm,
      this.zk,
      o.epoch,
      o.deleteTopicEnable,
      o.stateLog,
    );
    this.reassignment = new PartitionReassignment({
      context: this.context,
      zkClient: this.zk,
      psm: this.psm,
      rsm: this.rsm,
      epoch: o.epoch,
      put: o.put,
      newBatch: () => this.newBatch(),
      send: (b) => this.send(b),
      stateLog: o.stateLog,
    });
  }

  /**
   * Kafka's processTopicUncleanLeaderElectionEnable: `topic` now allows unclean
   * elections, so its partitions without a leader are elected again at once.
   */
  async onTopicUncleanLeaderElectionEnable(topic: string): Promise<void> {
    if (this.context.topicsToBeDeleted.has(topic)) return;
    const batch = this.newBatch();
    await this.psm.triggerOnlinePartitionStateChange(batch, topic);
    this.send(batch);
  }

  /**
   * Kafka's processUncleanLeaderElectionEnable: the broker default turned true (a dynamic
   * broker config); every leaderless partition gets the OfflinePartition election again.
   */
  async onUncleanLeaderElectionEnable(): Promise<void> {
    const batch = this.newBatch();
    await this.psm.triggerOnlinePartitionStateChange(batch);
    this.send(batch);
  }

  private newBatch(): ControllerBrokerRequestBatch {
    return new ControllerBrokerRequestBatch(
      this.o.controllerId,
      this.context,
      this.channel,
      {
        onStopReplicaResponse: (brokerId, partitionErrors, errorCode) =>
          this.o.put({
            type: 'TopicDeletionStopReplicaResponseReceived',
            stopReplica: { brokerId, partitionErrors, errorCode },
          }),
      },
      this.o.interBrokerListenerName,
    );
  }

  private send(batch: ControllerBrokerRequestBatch): void {
    batch.sendRequestsToBrokers(this.o.epoch().epoch);
  }

  /** UpdateMetadata for `tps` to every live broker (ISR changes made by partition leaders). */
  sendUpdateMetadata(tps: TP[]): void {
    const batch = this.newBatch();
    batch.addUpdateMetadataRequestForBrokers(this.context.liveBrokerIds(), tps);
    this.send(batch);
  }

  private readonly topicWatcher = (): void => this.o.put({ type: 'TopicChange' });
  private readonly deleteWatcher = (): void => this.o.put({ type: 'TopicDeletion' });
  /** Data watch on `/brokers/topics/<t>` (Kafka's PartitionModificationsHandler). */
  private readonly partitionModificationsWatcher = (e: WatchEvent): void => {
    if (e.type !== 'dataChanged') return;
    const topic = e.path.slice(e.path.lastIndexOf('/') + 1);
    this.o.put({ type: 'PartitionModifications', topic });
  };

  private addChannel(id: number): void {
    const b = this.context.liveBrokers.get(id);
    if (!b) return;
    const eps = b.broker.endpoints;
    const ep = eps.find((e) => e.listenerName === this.o.interBrokerListenerName) ?? eps[0];
    if (!ep) return;
    const to = (this.o.interBrokerAddress ?? registeredPeerAddress)(id, ep);
    this.channel.addBroker(id, to.host, to.port);
  }

  async onControllerFailover(): Promise<void> {
    // each phase's duration, logged at the end as one line (Kafka's controller logs its
    // failover steps at info), to see where a failover at thousands of partitions goes
    const clock = this.o.time ?? SystemTime;
    const phases: string[] = [];
    let mark = clock.nanoseconds();
    const phase = (name: string): void => {
      const now = clock.nanoseconds();
      phases.push(`${name} ${(Number(now - mark) / 1e6).toFixed(0)} ms`);
      mark = now;
    };
    this.context.clear();
    const topics = await this.zk.getAllTopicsInCluster(this.topicWatcher);
    await this.readTopics(topics, phase);
    for (const id of this.context.liveBrokerIds()) this.addChannel(id);
    const batch = this.newBatch();
    batch.addUpdateMetadataRequestForBrokers(
      this.context.liveBrokerIds(),
      this.context.allPartitions(),
    );
    // Kafka's replicaStateMachine.startup, before partitionStateMachine.startup: replicas
    // on dead brokers go OfflineReplica, which takes them out of the ISRs (a dead leader
    // leaves leader -1, leader_epoch + 1); only then are the leaderless partitions
    // elected (leader_epoch + 1 again), so the epochs match Kafka's after a controller
    // and a leader die together.
    this.rsm.startup(batch);
    phase('replica states');
    const registered = new Set(this.context.liveBrokerIds());
    const offline = this.rsm
      .replicasOf(this.context.allPartitions())
      .filter((r) => !registered.has(r.replica) && !this.context.topicsToBeDeleted.has(r.topic));
    await this.removeOfflineReplicasFromIsr(offline, batch);
    phase(`ISR removals (${offline.length} replicas)`);
    await this.psm.startup(batch);
    phase('partition states and elections');
    if (offline.length > 0)
      batch.addUpdateMetadataRequestForBrokers(this.context.liveBrokerIds(), [
        ...new Map(offline.map((r) => [tpKey(r), r as TP])).values(),
      ]);
    this.send(batch);
    phase('LeaderAndIsr and UpdateMetadata sent');
    // Kafka's order after "ready to serve": reassignments, topic deletions, pending
    // preferred replica elections.
    await this.reassignment.onControllerFailover();
    const deletions = this.newBatch();
    const toDelete = await this.zk.getTopicDeletions(this.deleteWatcher);
    await this.deletion.enqueueTopicsForDeletion(toDelete);
    await this.deletion.resumeDeletions(deletions);
    this.send(deletions);
    await this.processZkPreferredReplicaElection();
    phase('reassignments, deletions, preferred elections');
    this.o.stateLog.info(`controller context initialized: ${phases.join(', ')}`, {
      topics: this.context.allTopics.size,
      partitions: this.context.allPartitions().length,
      liveBrokers: this.context.liveBrokerIds().join(','),
    });
  }

  onControllerResignation(): void {
    this.channel.shutdown();
    this.context.clear();
  }

  /** Reads assignments and partition states of `topics` into the context. */
  private async readTopics(topics: string[], phase?: (name: string) => void): Promise<void> {
    const assignments = await this.zk.getReplicaAssignmentForTopics(
      topics,
      this.partitionModificationsWatcher,
    );
    phase?.(`read ${topics.length} topics' assignments`);
    const partitions: TP[] = [];
    for (const [topic, a] of assignments) {
      this.context.allTopics.add(topic);
      this.context.topicIds.set(topic, a.topicId);
      this.context.partitionAssignments.set(topic, new Map());
      for (const [partition, ra] of a.partitions) {
        this.context.setFullAssignment({ topic, partition }, ra);
        partitions.push({ topic, partition });
      }
    }
    const states = await this.zk.getTopicPartitionStates(partitions);
    for (const [key, st] of states) this.context.partitionLeadershipInfo.set(key, st);
    phase?.(`read ${partitions.length} partition states`);
  }

  async processTopicChange(): Promise<void> {
    const topics = await this.zk.getAllTopicsInCluster(this.topicWatcher);
    const current = new Set(topics);
    const added = topics.filter((t) => !this.context.allTopics.has(t));
    for (const t of [...this.context.allTopics]) {
      if (!current.has(t)) this.context.removeTopic(t);
    }
    if (added.length === 0) return;
    await this.readTopics(added);
    this.o.stateLog.info('new topics', { topics: added.join(',') });
    await this.onNewPartitions(added.flatMap((t) => this.context.partitionsOf(t)));
  }

  /**
   * Kafka's processPartitionModifications: partitions that appeared in
   * `/brokers/topics/<topic>` go New → Online. Ignored while the topic is being deleted.
   */
  async processPartitionModifications(topic: string): Promise<void> {
    const a = (
      await this.zk.getReplicaAssignmentForTopics([topic], this.partitionModificationsWatcher)
    ).get(topic);
    const known = this.context.partitionAssignments.get(topic);
    if (!a || !known || this.context.topicsToBeDeleted.has(topic)) return;
    const added = [...a.partitions.keys()].filter((p) => !known.has(p));
    if (added.length === 0) return;
    for (const p of added) known.set(p, a.partitions.get(p)!.replicas);
    this.o.stateLog.info(`new partitions of ${topic}`, { partitions: added.join(',') });
    await this.onNewPartitions(added.map((partition) => ({ topic, partition })));
  }

  /** NonExistent → New (partitions and replicas), then New → Online. */
  private async onNewPartitions(partitions: TP[]): Promise<void> {
    const batch = this.newBatch();
    for (const tp of partitions) {
      if (this.context.leadership(tp)) continue;
      this.context.partitionStates.set(tpKey(tp), PartitionState.NewPartition);
    }
    const replicas = this.rsm
      .replicasOf(partitions)
      .filter((r) => this.rsm.state(r) === ReplicaState.NonExistentReplica);
    this.rsm.handleStateChanges(replicas, ReplicaState.NewReplica, batch);
    await this.psm.handleStateChanges(
      partitions.filter((tp) => this.psm.state(tp) === PartitionState.NewPartition),
      PartitionState.OnlinePartition,
      batch,
    );
    this.rsm.handleStateChanges(
      replicas.filter((r) => this.context.isLive(r.replica)),
      ReplicaState.OnlineReplica,
      batch,
    );
    this.send(batch);
  }

  async processTopicDeletion(): Promise<void> {
    const topics = await this.zk.getTopicDeletions(this.deleteWatcher);
    await this.deletion.enqueueTopicsForDeletion(topics);
    const batch = this.newBatch();
    await this.deletion.resumeDeletions(batch);
    this.send(batch);
  }

  async onStopReplicaResponse(
    brokerId: number,
    partitionErrors: Map<string, number>,
    errorCode: number,
  ): Promise<void> {
    this.deletion.onStopReplicaResponse(brokerId, partitionErrors, errorCode);
    const batch = this.newBatch();
    await this.deletion.resumeDeletions(batch);
    this.send(batch);
  }

  async onBrokerStartup(ids: number[]): Promise<void> {
    const newSet = new Set(ids);
    for (const id of ids) this.context.shuttingDownBrokerIds.delete(id);
    for (const id of ids) this.addChannel(id);
    const batch = this.newBatch();
    const others = this.context.liveBrokerIds().filter((id) => !newSet.has(id));
    batch.addUpdateMetadataRequestForBrokers(others);
    batch.addUpdateMetadataRequestForBrokers(ids, this.context.allPartitions());
    const replicas = this.rsm
      .replicasOf(ids.flatMap((id) => this.context.partitionsOnBroker(id)))
      .filter((r) => newSet.has(r.replica) && !this.context.topicsToBeDeleted.has(r.topic));
    const movable = new Set<ReplicaState>([
      ReplicaState.NewReplica,
      ReplicaState.OnlineReplica,
      ReplicaState.OfflineReplica,
    ]);
    this.rsm.handleStateChanges(
      replicas.filter((r) => movable.has(this.rsm.state(r))),
      ReplicaState.OnlineReplica,
      batch,
    );
    await this.psm.triggerOnlinePartitionStateChange(batch);
    await this.deletion.resumeDeletions(batch);
    this.send(batch);
    await this.reassignment.onBrokerStartup(ids);
  }

  private readonly preferredElectionWatcher = (): void =>
    this.o.put({ type: 'ZkPreferredReplicaElection' });

  /**
   * Kafka 2.8's /admin/preferred_replica_election trigger (processReplicaLeaderElection,
   * ZkTriggered): the exists-watch is set again each time; when the znode exists, a
   * preferred election for the listed partitions that exist, are not being deleted and
   * are not led by their preferred replica; then the znode is deleted (fenced).
   */
  async processZkPreferredReplicaElection(): Promise<void> {
    if (!(await this.zk.watchPreferredReplicaElection(this.preferredElectionWatcher))) return;
    const listed = await this.zk.getPreferredReplicaElection();
    try {
      const electable = listed.filter((tp) => {
        if (!this.context.partitionAssignments.get(tp.topic)?.has(tp.partition)) {
          this.o.stateLog.info(
            `skipping preferred replica election for ${tpKey(tp)}: it does not exist`,
          );
          return false;
        }
        if (this.context.topicsToBeDeleted.has(tp.topic)) return false;
        return this.context.leadership(tp)?.leader !== this.context.replicasOf(tp)[0];
      });
      if (electable.length > 0) {
        const batch = this.newBatch();
        const failures = await this.psm.handleStateChanges(
          electable,
          PartitionState.OnlinePartition,
          batch,
          { kind: 'preferred' },
        );
        this.send(batch);
        for (const [k, f] of failures)
          this.o.stateLog.warn(`preferred replica election failed for ${k}`, { error: f.error });
      }
    } finally {
      await this.zk.deletePreferredReplicaElection(this.o.epoch().epochZkVersion);
    }
  }

  /**
   * Kafka's onBrokerFailure → onReplicasBecomeOffline: partitions led by a dead broker go
   * Offline and are elected (OfflinePartition rule, unclean per topic); then the dead
   * brokers' replicas go Offline, which removes them from the ISRs (never emptying one).
   * LeaderAndIsr to the replicas concerned; UpdateMetadata to every live broker.
   */
  async onBrokerFailure(ids: number[]): Promise<void> {
    for (const id of ids) {
      this.channel.removeBroker(id);
      this.context.shuttingDownBrokerIds.delete(id);
    }
    // A bounced broker (registered again with a new epoch) is handled as dead first, as
    // Kafka does: out of the live set while its old replicas go offline.
    const bounced = ids
      .map((id) => [id, this.context.liveBrokers.get(id)] as const)
      .filter((e): e is readonly [number, BrokerAndEpoch] => e[1] !== undefined);
    for (const [id] of bounced) this.context.liveBrokers.delete(id);
    const batch = this.newBatch();
    try {
      await this.onReplicasBecomeOffline(new Set(ids), batch);
    } finally {
      for (const [id, b] of bounced) this.context.liveBrokers.set(id, b);
    }
    this.send(batch);
  }

  private async onReplicasBecomeOffline(
    dead: ReadonlySet<number>,
    batch: ControllerBrokerRequestBatch,
  ): Promise<void> {
    const affected = [...dead].flatMap((id) => this.context.partitionsOnBroker(id));
    const unique = new Map(affected.map((tp) => [tpKey(tp), tp]));
    const alive = (tp: TP) => !this.context.topicsToBeDeleted.has(tp.topic);
    const leaderless = [...unique.values()].filter((tp) => {
      const l = this.context.leadership(tp);
      return alive(tp) && l !== undefined && dead.has(l.leader);
    });
    await this.psm.handleStateChanges(leaderless, PartitionState.OfflinePartition, batch);
    await this.psm.triggerOnlinePartitionStateChange(batch);
    const replicas = this.rsm
      .replicasOf([...unique.values()])
      .filter((r) => dead.has(r.replica) && alive(r));
    this.rsm.handleStateChanges(
      replicas.filter((r) => this.rsm.state(r) !== ReplicaState.NonExistentReplica),
      ReplicaState.OfflineReplica,
    );
    await this.removeOfflineReplicasFromIsr(replicas, batch);
    batch.addUpdateMetadataRequestForBrokers(this.context.liveBrokerIds(), [...unique.values()]);
  }

  /** OfflineReplica's ZooKeeper part: out of the ISR, one write per partition at a time. */
  private async removeOfflineReplicasFromIsr(
    replicas: PartitionAndReplica[],
    batch: ControllerBrokerRequestBatch,
  ): Promise<void> {
    const byPartition = new Map<string, { tp: TP; ids: number[] }>();
    for (const r of replicas) {
      const k = tpKey(r);
      const e = byPartition.get(k) ?? { tp: { topic: r.topic, partition: r.partition }, ids: [] };
      e.ids.push(r.replica);
      byPartition.set(k, e);
    }
    await Promise.all(
      [...byPartition.values()].map(async ({ tp, ids }) => {
        if (!this.context.leadership(tp)) return;
        for (const id of ids) await this.psm.removeReplicaFromIsr(tp, id, batch);
      }),
    );
  }

  /**
   * ControlledShutdown from `brokerId` (Kafka's doControlledShutdown): mark it shutting
   * down, move the leadership of partitions it leads (RF > 1) to another ISR member,
   * take it out of the ISR of partitions it follows (StopReplica without delete), and
   * return the partitions it still leads.
   */
  async controlledShutdown(
    brokerId: number,
    brokerEpoch: number,
  ): Promise<ControlledShutdownResult> {
    const registered = this.context.liveBrokers.get(brokerId);
    if (!registered) return { error: 'BROKER_NOT_AVAILABLE', remaining: [] };
    if (brokerEpoch >= 0 && brokerEpoch < registered.epoch)
      return { error: 'STALE_BROKER_EPOCH', remaining: [] };
    const clock = this.o.time ?? SystemTime;
    const t0 = clock.nanoseconds();
    const ms = (from: bigint) => (Number(clock.nanoseconds() - from) / 1e6).toFixed(0);
    this.context.shuttingDownBrokerIds.add(brokerId);
    this.o.stateLog.info(`shutting down broker ${brokerId}`, {
      shuttingDown: [...this.context.shuttingDownBrokerIds].join(','),
    });
    const hosted = this.context
      .partitionsOnBroker(brokerId)
      .filter((tp) => !this.context.topicsToBeDeleted.has(tp.topic));
    const batch = this.newBatch();
    const led = hosted.filter(
      (tp) =>
        this.context.leadership(tp)?.leader === brokerId && this.context.replicasOf(tp).length > 1,
    );
    // As Kafka's doControlledShutdown: led and followed are split before the election; the
    // controlled-shutdown election already takes the broker out of the ISR of those it led
    const followed = hosted.filter((tp) => {
      const l = this.context.leadership(tp);
      return l !== undefined && l.leader !== brokerId;
    });
    // Kafka's order of the requests: the new leaders go out first (handleStateChanges sends
    // its own batch), so clients find them while the ISR removals are still being written;
    // then StopReplica to the broker for what it follows, then the ISR removals
    // (OfflineReplica) with their LeaderAndIsr to the remaining replicas. The ISR removals'
    // ZooKeeper writes (other partitions than the elections') start with the elections'
    // instead of after them: they share multis and round trips (at 10,000 partitions the
    // 6,700 removals took 3.3 s after the 1.1 s of elections, the broker waiting for both)
    const removals = this.newBatch();
    const replicas = this.rsm
      .replicasOf(followed)
      .filter(
        (r) => r.replica === brokerId && this.rsm.state(r) !== ReplicaState.NonExistentReplica,
      );
    const elected = this.psm.handleStateChanges(led, PartitionState.OnlinePartition, batch, {
      kind: 'controlledShutdown',
    });
    this.rsm.handleStateChanges(replicas, ReplicaState.OfflineReplica);
    const removed = Promise.all(
      followed.map((tp) => this.psm.removeReplicaFromIsr(tp, brokerId, removals)),
    );
    // a failed election write must not leave the removals' rejection unhandled
    removed.catch(() => undefined);
    await elected;
    this.send(batch);
    const electedMs = ms(t0);
    const t1 = clock.nanoseconds();
    const stops = this.newBatch();
    for (const tp of followed) stops.addStopReplicaRequestForBrokers([brokerId], tp, false);
    this.send(stops);
    await removed;
    const removedMs = ms(t1);
    const t2 = clock.nanoseconds();
    this.send(removals);
    const remaining = hosted.filter(
      (tp) =>
        this.context.leadership(tp)?.leader === brokerId && this.context.replicasOf(tp).length > 1,
    );
    this.o.stateLog.info(
      `controlled shutdown of broker ${brokerId}: ${led.length} leaderships moved in ${electedMs} ms, ` +
        `${followed.length} ISR removals ${removedMs} ms later, their requests sent in ${ms(t2)} ms; ` +
        `${remaining.length} still led`,
    );
    return { error: 'NONE', remaining };
  }

  /**
   * Preferred replica election for `tps` (all partitions when null): ElectLeaders API and
   * the auto rebalance. Returns an error name per partition (NONE when elected).
   */
  electPreferredLeaders(tps: TP[] | null): Promise<Map<string, ElectionFailure>> {
    return this.electLeaders(tps, 'preferred');
  }

  /**
   * ElectLeaders: `preferred` moves leadership to the first assigned replica (live and in
   * the ISR); `unclean` elects partitions without a live leader by the OfflinePartition
   * rule with unclean allowed (a live ISR member still wins). Per partition: NONE,
   * ELECTION_NOT_NEEDED, PREFERRED_LEADER_NOT_AVAILABLE / ELIGIBLE_LEADERS_NOT_AVAILABLE,
   * UNKNOWN_TOPIC_OR_PARTITION.
   */
  async electLeaders(
    tps: TP[] | null,
    type: 'preferred' | 'unclean',
  ): Promise<Map<string, ElectionFailure>> {
    const batch = this.newBatch();
    const all = tps ?? this.context.allPartitions();
    const results = new Map<string, ElectionFailure>();
    const eligible: TP[] = [];
    const unavailable =
      type === 'preferred' ? 'PREFERRED_LEADER_NOT_AVAILABLE' : 'ELIGIBLE_LEADERS_NOT_AVAILABLE';
    for (const tp of all) {
      const k = tpKey(tp);
      const l = this.context.leadership(tp);
      if (
        !this.context.partitionAssignments.get(tp.topic)?.has(tp.partition) ||
        this.context.topicsToBeDeleted.has(tp.topic)
      )
        results.set(k, { error: 'UNKNOWN_TOPIC_OR_PARTITION', message: `${k} does not exist` });
      else if (this.psm.state(tp) === PartitionState.NewPartition || !l)
        results.set(k, { error: unavailable, message: `${k} has no leader yet` });
      else if (type === 'unclean' && this.context.isReplicaOnline(l.leader))
        results.set(k, { error: 'ELECTION_NOT_NEEDED', message: `${k} has a live leader` });
      else eligible.push(tp);
    }
    if (type === 'unclean')
      await this.psm.handleStateChanges(eligible, PartitionState.OfflinePartition, batch);
    const failures = await this.psm.handleStateChanges(
      eligible,
      PartitionState.OnlinePartition,
      batch,
      type === 'preferred' ? { kind: 'preferred' } : { kind: 'offline', allowUnclean: true },
    );
    for (const tp of eligible) {
      const k = tpKey(tp);
      results.set(
        k,
        failures.get(k) ?? {
          error: 'NONE',
          message: '',
          leader: this.context.leadership(tp)?.leader,
        },
      );
    }
    this.send(batch);
    return results;
  }

  /**
   * Kafka's checkAndTriggerAutoLeaderRebalance: per preferred broker, the share of its
   * partitions led by someone else; above `imbalancePercentage` → preferred election for
   * those whose preferred replica is online and in the ISR.
   */
  async checkAndTriggerAutoLeaderRebalance(imbalancePercentage: number): Promise<number> {
    const byPreferred = new Map<number, TP[]>();
    for (const tp of this.context.allPartitions()) {
      if (this.context.topicsToBeDeleted.has(tp.topic)) continue;
      const preferred = this.context.replicasOf(tp)[0];
      if (preferred === undefined) continue;
      const list = byPreferred.get(preferred) ?? [];
      list.push(tp);
      byPreferred.set(preferred, list);
    }
    const toElect: TP[] = [];
    for (const [broker, tps] of byPreferred) {
      const notLed = tps.filter((tp) => this.context.leadership(tp)?.leader !== broker);
      const ratio = notLed.length / tps.length;
      if (ratio * 100 <= imbalancePercentage) continue;
      this.o.stateLog.info(`leader imbalance ratio for broker ${broker} is ${ratio.toFixed(3)}`);
      if (!this.context.isReplicaOnline(broker)) continue;
      toElect.push(
        ...notLed.filter((tp) => {
          const l = this.context.leadership(tp);
          return l !== undefined && l.isr.includes(broker);
        }),
      );
    }
    if (toElect.length === 0) return 0;
    const r = await this.electPreferredLeaders(toElect);
    return [...r.values()].filter((f) => f.error === 'NONE').length;
  }

  get electionStats(): { leaderElections: number; uncleanLeaderElections: number } {
    return this.psm.stats;
  }

  shutdown(): void {
    this.channel.shutdown();
  }
}
