/**
 * ControllerContext: what the active controller knows (Kafka's ControllerContext):
 * topics and their replica assignments, each partition's leadership (the contents and
 * zkVersion of its `state` znode), partition and replica states, and the topics queued
 * for deletion. Live brokers stay in KafkaController.liveBrokers. Rebuilt from
 * ZooKeeper on every failover, cleared on resignation.
 */
import type { BrokerAndEpoch, PartitionStateAndZkVersion, ReplicaAssignment } from '@kzoo/zk';
import { PartitionState, ReplicaState } from './states';
import { tpKey, type TopicPartition } from '@kzoo/common';

/** A partition's leadership as in its `state` znode, with the znode's zkVersion. */
export type LeaderIsrAndZkVersion = PartitionStateAndZkVersion;

/** The controller's name for Kafka's TopicPartition. */
export type TP = TopicPartition;

export class ControllerContext {
  readonly allTopics = new Set<string>();
  readonly topicIds = new Map<string, string | null>();
  /** topic -> partition -> replicas (preference order). */
  readonly partitionAssignments = new Map<string, Map<number, number[]>>();
  readonly partitionLeadershipInfo = new Map<string, LeaderIsrAndZkVersion>();
  readonly partitionStates = new Map<string, PartitionState>();
  /** `topic-partition:replica` -> state. */
  readonly replicaStates = new Map<string, ReplicaState>();
  readonly topicsToBeDeleted = new Set<string>();
  /**
   * Partitions being reassigned (KIP-455): `topic-partition` → the replicas being added
   * and removed; their `partitionAssignments` entry is the full set (origin + target),
   * target first, as in the topic znode.
   */
  readonly partitionsBeingReassigned = new Map<
    string,
    { addingReplicas: number[]; removingReplicas: number[] }
  >();
  /** Brokers in controlled shutdown: still registered, no longer eligible to lead. */
  readonly shuttingDownBrokerIds = new Set<number>();

  constructor(readonly liveBrokers: Map<number, BrokerAndEpoch>) {}

  clear(): void {
    this.allTopics.clear();
    this.topicIds.clear();
    this.partitionAssignments.clear();
    this.partitionLeadershipInfo.clear();
    this.partitionStates.clear();
    this.replicaStates.clear();
    this.topicsToBeDeleted.clear();
    this.shuttingDownBrokerIds.clear();
    this.partitionsBeingReassigned.clear();
  }

  isLive(brokerId: number): boolean {
    return this.liveBrokers.has(brokerId);
  }

  /** Registered and not shutting down: may lead or be elected (Kafka's isReplicaOnline). */
  isReplicaOnline(brokerId: number): boolean {
    return this.liveBrokers.has(brokerId) && !this.shuttingDownBrokerIds.has(brokerId);
  }

  liveBrokerIds(): number[] {
    return [...this.liveBrokers.keys()].sort((a, b) => a - b);
  }

  partitionsOf(topic: string): TP[] {
    const a = this.partitionAssignments.get(topic);
    if (!a) return [];
    return [...a.keys()].sort((x, y) => x - y).map((partition) => ({ topic, partition }));
  }

  allPartitions(): TP[] {
    return [...this.partitionAssignments.keys()].flatMap((t) => this.partitionsOf(t));
  }

  replicasOf(tp: TP): number[] {
    return this.partitionAssignments.get(tp.topic)?.get(tp.partition) ?? [];
  }

  /** Kafka's partitionFullReplicaAssignment: replicas with the adding/removing ones. */
  fullAssignment(tp: TP): ReplicaAssignment {
    const r = this.partitionsBeingReassigned.get(tpKey(tp));
    return {
      replicas: this.replicasOf(tp),
      addingReplicas: r?.addingReplicas ?? [],
      removingReplicas: r?.removingReplicas ?? [],
    };
  }

  /** Whether a partition of `topic` is being reassigned (it is then ineligible for deletion). */
  isTopicBeingReassigned(topic: string): boolean {
    return this.partitionsOf(topic).some((tp) => this.partitionsBeingReassigned.has(tpKey(tp)));
  }

  /** Sets a partition's full assignment (an empty adding/removing pair ends its reassignment state). */
  setFullAssignment(tp: TP, a: ReplicaAssignment): void {
    let m = this.partitionAssignments.get(tp.topic);
    if (!m) this.partitionAssignments.set(tp.topic, (m = new Map()));
    m.set(tp.partition, [...a.replicas]);
    const k = tpKey(tp);
    if (a.addingReplicas.length + a.removingReplicas.length > 0)
      this.partitionsBeingReassigned.set(k, {
        addingReplicas: [...a.addingReplicas],
        removingReplicas: [...a.removingReplicas],
      });
    else this.partitionsBeingReassigned.delete(k);
  }

  leadership(tp: TP): LeaderIsrAndZkVersion | undefined {
    return this.partitionLeadershipInfo.get(tpKey(tp));
  }

  /** Partitions with a replica on `brokerId`. */
  partitionsOnBroker(brokerId: number): TP[] {
    return this.allPartitions().filter((tp) => this.replicasOf(tp).includes(brokerId));
  }

  removeTopic(topic: string): void {
    for (const tp of this.partitionsOf(topic)) {
      const k = tpKey(tp);
      this.partitionLeadershipInfo.delete(k);
      this.partitionStates.delete(k);
      for (const r of this.replicasOf(tp)) this.replicaStates.delete(`${k}:${r}`);
      this.partitionsBeingReassigned.delete(k);
    }
    this.partitionAssignments.delete(topic);
    this.allTopics.delete(topic);
    this.topicIds.delete(topic);
    this.topicsToBeDeleted.delete(topic);
  }
}
