/**
 * TopicDeletionManager (Kafka's TopicDeletionManager): deletes the topics named under
 * /admin/delete_topics.
 * 1. UpdateMetadata to every live broker with the topic's partitions at leader -2
 *    (their metadata drops the topic at once).
 * 2. Partitions → Offline → NonExistent; replicas → Offline → ReplicaDeletionStarted,
 *    which sends StopReplica(deletePartition=true).
 * 3. Each StopReplica response marks the replica ReplicaDeletionSuccessful (or
 *    Ineligible, retried later). A replica on a dead broker is Ineligible: the deletion
 *    waits until the broker is back, as in Kafka.
 * 4. When every replica is deleted: remove `/brokers/topics/<t>` (recursively),
 *    `/config/topics/<t>` and `/admin/delete_topics/<t>` in one multi fenced by the
 *    controller epoch (KafkaZk.deleteTopicZNodes).
 * With `delete.topic.enable=false` the admin znodes are removed and nothing is deleted.
 * A topic with a partition being reassigned is ineligible: its deletion waits until the
 * reassignment completes (Kafka's markTopicIneligibleForDeletion, "topic reassignment in
 * progress"), which queues a TopicDeletion event again.
 */
import { parseTpKey } from '@kzoo/common';
import type { Logger } from '@kzoo/common';
import type { KafkaZk } from '@kzoo/zk';
import type { ControllerBrokerRequestBatch } from './ControllerBrokerRequestBatch';
import type { ControllerContext } from './ControllerContext';
import type { ControllerEpochInfo, PartitionStateMachine } from './PartitionStateMachine';
import type { PartitionAndReplica, ReplicaStateMachine } from './ReplicaStateMachine';
import { PartitionState, ReplicaState } from './states';

export class TopicDeletionManager {
  constructor(
    private readonly context: ControllerContext,
    private readonly psm: PartitionStateMachine,
    private readonly rsm: ReplicaStateMachine,
    private readonly zkClient: KafkaZk,
    private readonly epoch: () => ControllerEpochInfo,
    readonly deleteTopicEnable: boolean,
    private readonly log: Logger,
  ) {}

  /** Queues topics named under /admin/delete_topics (unknown ones just lose their admin znode). */
  async enqueueTopicsForDeletion(topics: string[]): Promise<void> {
    const unknown = topics.filter((t) => !this.context.allTopics.has(t));
    const known = topics.filter((t) => this.context.allTopics.has(t));
    if (!this.deleteTopicEnable) {
      if (topics.length > 0)
        this.log.info('delete.topic.enable=false: ignoring topic deletion requests', {
          topics: topics.join(','),
        });
      await this.deleteAdminZnodes(topics);
      return;
    }
    if (unknown.length > 0) await this.deleteAdminZnodes(unknown);
    for (const t of known) this.context.topicsToBeDeleted.add(t);
  }

  /** Advances every queued deletion as far as it can go now. */
  async resumeDeletions(batch: ControllerBrokerRequestBatch): Promise<void> {
    for (const topic of [...this.context.topicsToBeDeleted]) {
      if (this.context.isTopicBeingReassigned(topic)) {
        if (!this.waitingForReassignment.has(topic))
          this.log.info('topic deletion waits for the reassignment in progress', { topic });
        this.waitingForReassignment.add(topic);
        continue;
      }
      this.waitingForReassignment.delete(topic);
      const replicas = this.rsm.replicasOf(this.context.partitionsOf(topic));
      const states = replicas.map((r) => this.rsm.state(r));
      if (states.every((s) => s === ReplicaState.ReplicaDeletionSuccessful)) {
        await this.completeDeleteTopic(topic);
        continue;
      }
      const started = states.some(
        (s) =>
          s === ReplicaState.ReplicaDeletionStarted ||
          s === ReplicaState.ReplicaDeletionSuccessful ||
          s === ReplicaState.ReplicaDeletionIneligible,
      );
      if (!started) {
        await this.onTopicDeletion(topic, replicas, batch);
        continue;
      }
      // Retry ineligible replicas whose broker is live again.
      const retry = replicas.filter(
        (r) =>
          this.rsm.state(r) === ReplicaState.ReplicaDeletionIneligible &&
          this.context.isLive(r.replica),
      );
      if (retry.length > 0) {
        this.rsm.handleStateChanges(retry, ReplicaState.OfflineReplica, batch);
        this.rsm.handleStateChanges(retry, ReplicaState.ReplicaDeletionStarted, batch);
      }
    }
  }

  /** Topics whose deletion was held back by a reassignment (logged once). */
  private readonly waitingForReassignment = new Set<string>();

  private async onTopicDeletion(
    topic: string,
    replicas: PartitionAndReplica[],
    batch: ControllerBrokerRequestBatch,
  ): Promise<void> {
    const partitions = this.context.partitionsOf(topic);
    this.log.info('deleting topic', { topic, partitions: partitions.length });
    batch.addUpdateMetadataRequestForBrokers(this.context.liveBrokerIds(), partitions);
    const known = partitions.filter(
      (tp) => this.psm.state(tp) !== PartitionState.NonExistentPartition,
    );
    const notOffline = known.filter((tp) => this.psm.state(tp) !== PartitionState.OfflinePartition);
    await this.psm.handleStateChanges(notOffline, PartitionState.OfflinePartition, batch);
    await this.psm.handleStateChanges(known, PartitionState.NonExistentPartition, batch);
    const fresh = replicas.filter((r) => this.rsm.state(r) === ReplicaState.NonExistentReplica);
    for (const r of fresh)
      this.context.replicaStates.set(
        `${r.topic}-${r.partition}:${r.replica}`,
        ReplicaState.OfflineReplica,
      );
    this.rsm.handleStateChanges(
      replicas.filter((r) => this.rsm.state(r) !== ReplicaState.OfflineReplica),
      ReplicaState.OfflineReplica,
      batch,
    );
    const live = replicas.filter((r) => this.context.isLive(r.replica));
    const dead = replicas.filter((r) => !this.context.isLive(r.replica));
    this.rsm.handleStateChanges(live, ReplicaState.ReplicaDeletionStarted, batch);
    this.rsm.handleStateChanges(dead, ReplicaState.ReplicaDeletionIneligible, batch);
    if (dead.length > 0)
      this.log.info('topic deletion waits for dead brokers', {
        topic,
        brokers: [...new Set(dead.map((r) => r.replica))].join(','),
      });
  }

  /** A StopReplica(delete) response from `brokerId` for some replicas. */
  onStopReplicaResponse(brokerId: number, errors: Map<string, number>, errorCode: number): void {
    for (const [key, code] of errors) {
      const r = { ...parseTpKey(key), replica: brokerId };
      if (this.rsm.state(r) !== ReplicaState.ReplicaDeletionStarted) continue;
      const ok = errorCode === 0 && code === 0;
      this.rsm.handleStateChanges(
        [r],
        ok ? ReplicaState.ReplicaDeletionSuccessful : ReplicaState.ReplicaDeletionIneligible,
      );
    }
  }

  private async completeDeleteTopic(topic: string): Promise<void> {
    await this.zkClient.deleteTopicZNodes(topic, this.epoch().epochZkVersion);
    for (const r of this.rsm.replicasOf(this.context.partitionsOf(topic)))
      this.context.replicaStates.delete(`${r.topic}-${r.partition}:${r.replica}`);
    this.context.removeTopic(topic);
    this.log.info('deletion of topic successfully completed', { topic });
  }

  private async deleteAdminZnodes(topics: string[]): Promise<void> {
    await this.zkClient.deleteTopicDeletions(topics, this.epoch().epochZkVersion);
  }
}
