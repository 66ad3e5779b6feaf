/**
 * ControllerPartitions: the active controller's topic and partition work, called from
 * KafkaController's event queue (Kafka keeps this inside KafkaController; here it
 * lives beside it so neither file grows past reading).
 *
 * - `onControllerFailover`: watch /brokers/topics and /admin/delete_topics, read every
 *   topic, assignment and partition state from ZooKeeper, open a channel to every live
 *   broker, send them all UpdateMetadata (brokers + every partition), LeaderAndIsr to
 *   every live replica, bring New partitions online, resume deletions.
 * - `processTopicChange`: new topics → partitions New → Online (state znodes,
 *   LeaderAndIsr, UpdateMetadata), replicas New → Online.
 * - `processTopicDeletion` / `onStopReplicaResponse`: TopicDeletionManager.
 * - `onBrokerStartup`: UpdateMetadata with everything to the new brokers, the
 *   live-broker list to the others, LeaderAndIsr for every replica they host, retry
 *   partitions still New and deletions waiting for them.
 * - `onBrokerFailure`: forget their channels, mark their replicas Offline, and tell the
 *   remaining brokers (UpdateMetadata), so metadata shows the dead broker. Leader
 *   election after a failure comes with replication.
 */
import type { Logger } from '@kzoo/common';
import {
  DeleteTopicsZNode,
  KafkaZkClient,
  TopicPartitionStateZNode,
  TopicZNode,
  TopicsZNode,
  type BrokerAndEpoch,
} from '@kzoo/zk';
import { ControllerBrokerRequestBatch } from './ControllerBrokerRequestBatch';
import { ControllerChannelManager } from './ControllerChannelManager';
import { ControllerContext, tpKey, type TP } from './ControllerContext';
import type { ControllerEvent } from './ControllerEventManager';
import { PartitionStateMachine, type ControllerEpochInfo } from './PartitionStateMachine';
import { ReplicaStateMachine } from './ReplicaStateMachine';
import { TopicDeletionManager } from './TopicDeletionManager';
import { PartitionState, ReplicaState } from './states';

export interface ControllerPartitionsOptions {
  controllerId: number;
  zkClient: KafkaZkClient;
  liveBrokers: Map<number, BrokerAndEpoch>;
  epoch: () => ControllerEpochInfo;
  put: (event: ControllerEvent) => void;
  /** delete.topic.enable */
  deleteTopicEnable: boolean;
  /** The listener brokers talk to each other on (inter.broker.listener.name). */
  interBrokerListenerName?: string;
  /** controller.socket.timeout.ms */
  requestTimeoutMs?: number;
  log: Logger;
  stateLog: Logger;
}

export class ControllerPartitions {
  readonly context: ControllerContext;
  private readonly channel: ControllerChannelManager;
  private readonly psm: PartitionStateMachine;
  private readonly rsm: ReplicaStateMachine;
  private readonly deletion: TopicDeletionManager;
  private readonly zk: KafkaZkClient;

  constructor(private readonly o: ControllerPartitionsOptions) {
    this.zk = o.zkClient;
    this.context = new ControllerContext(o.liveBrokers);
    this.channel = new ControllerChannelManager({
      controllerId: o.controllerId,
      requestTimeoutMs: o.requestTimeoutMs,
      logger: o.log.child({}, 'controller.channel'),
    });
    this.psm = new PartitionStateMachine(this.context, this.zk, o.epoch, o.stateLog);
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

  private addChannel(id: number): void {
    const b = this.context.liveBrokers.get(id);
    if (!b) return;
    const eps = b.broker.endpoints;
    const ep = eps.find((e) => e.listenerName === this.o.interBrokerListenerName) ?? eps[0];
    if (ep) this.channel.addBroker(id, ep.host, ep.port);
  }

  async onControllerFailover(): Promise<void> {
    this.context.clear();
    const topics = await this.zk.getChildren(TopicsZNode.path(), this.topicWatcher);
    await this.readTopics(topics);
    for (const id of this.context.liveBrokerIds()) this.addChannel(id);
    const batch = this.newBatch();
    batch.addUpdateMetadataRequestForBrokers(
      this.context.liveBrokerIds(),
      this.context.allPartitions(),
    );
    this.rsm.startup(batch);
    await this.psm.startup(batch);
    const toDelete = await this.zk.getChildren(DeleteTopicsZNode.path(), this.deleteWatcher);
    await this.deletion.enqueueTopicsForDeletion(toDelete);
    await this.deletion.resumeDeletions(batch);
    this.send(batch);
    this.o.stateLog.info('controller context initialized', {
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
  private async readTopics(topics: string[]): Promise<void> {
    await Promise.all(
      topics.map(async (topic) => {
        const r = await this.zk.getDataAndStat(TopicZNode.path(topic));
        if (!r) return;
        const a = TopicZNode.decode(topic, r.data);
        this.context.allTopics.add(topic);
        this.context.topicIds.set(topic, a.topicId);
        this.context.partitionAssignments.set(
          topic,
          new Map([...a.partitions].map(([p, ra]) => [p, ra.replicas])),
        );
        await Promise.all(
          [...a.partitions.keys()].map(async (partition) => {
            const tp = { topic, partition };
            const s = await this.zk.getDataAndStat(TopicPartitionStateZNode.path(tp));
            if (!s) return;
            const st = TopicPartitionStateZNode.decode(s.data, TopicPartitionStateZNode.path(tp));
            this.context.partitionLeadershipInfo.set(tpKey(topic, partition), {
              ...st,
              zkVersion: s.stat.version,
            });
          }),
        );
      }),
    );
  }

  async processTopicChange(): Promise<void> {
    const topics = await this.zk.getChildren(TopicsZNode.path(), this.topicWatcher);
    const current = new Set(topics);
    const added = topics.filter((t) => !this.context.allTopics.has(t));
    for (const t of [...this.context.allTopics]) {
      if (!current.has(t)) this.context.removeTopic(t);
    }
    if (added.length === 0) return;
    await this.readTopics(added);
    const batch = this.newBatch();
    const partitions = added.flatMap((t) => this.context.partitionsOf(t));
    // NonExistent → New (partitions and replicas), then New → Online.
    for (const tp of partitions) {
      if (this.context.leadership(tp)) continue;
      this.context.partitionStates.set(tpKey(tp.topic, tp.partition), PartitionState.NewPartition);
    }
    const replicas = this.rsm
      .replicasOf(partitions)
      .filter((r) => this.rsm.state(r) === ReplicaState.NonExistentReplica);
    this.rsm.handleStateChanges(replicas, ReplicaState.NewReplica, batch);
    this.o.stateLog.info('new topics', { topics: added.join(','), partitions: partitions.length });
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
    const topics = await this.zk.getChildren(DeleteTopicsZNode.path(), this.deleteWatcher);
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
  }

  async onBrokerFailure(ids: number[]): Promise<void> {
    for (const id of ids) this.channel.removeBroker(id);
    const dead = new Set(ids);
    const affected = ids.flatMap((id) => this.context.partitionsOnBroker(id));
    const replicas = this.rsm
      .replicasOf(affected)
      .filter((r) => dead.has(r.replica) && !this.context.topicsToBeDeleted.has(r.topic));
    this.rsm.handleStateChanges(
      replicas.filter((r) => this.rsm.state(r) !== ReplicaState.NonExistentReplica),
      ReplicaState.OfflineReplica,
    );
    const batch = this.newBatch();
    const unique = new Map(affected.map((tp) => [tpKey(tp.topic, tp.partition), tp]));
    batch.addUpdateMetadataRequestForBrokers(this.context.liveBrokerIds(), [...unique.values()]);
    this.send(batch);
  }

  shutdown(): void {
    this.channel.shutdown();
  }
}
