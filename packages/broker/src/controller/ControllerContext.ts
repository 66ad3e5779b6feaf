/**
 * ControllerContext: what the active controller knows (Kafka's ControllerContext):
 * topics and their replica assignments, each partition's leadership (the contents and
 * zkVersion of its `state` znode), partition and replica states, and the topics queued
 * for deletion. Live brokers stay in KafkaController.liveBrokers. Rebuilt from
 * ZooKeeper on every failover, cleared on resignation.
 */
import type { BrokerAndEpoch, PartitionStateAndZkVersion } from '@kzoo/zk';
import { PartitionState, ReplicaState } from './states';

/** A partition's leadership as in its `state` znode, with the znode's zkVersion. */
export type LeaderIsrAndZkVersion = PartitionStateAndZkVersion;

export interface TP {
  topic: string;
  partition: number;
}

export function tpKey(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

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

  leadership(tp: TP): LeaderIsrAndZkVersion | undefined {
    return this.partitionLeadershipInfo.get(tpKey(tp.topic, tp.partition));
  }

  /** Partitions with a replica on `brokerId`. */
  partitionsOnBroker(brokerId: number): TP[] {
    return this.allPartitions().filter((tp) => this.replicasOf(tp).includes(brokerId));
  }

  removeTopic(topic: string): void {
    for (const tp of this.partitionsOf(topic)) {
      const k = tpKey(tp.topic, tp.partition);
      this.partitionLeadershipInfo.delete(k);
      this.partitionStates.delete(k);
      for (const r of this.replicasOf(tp)) this.replicaStates.delete(`${k}:${r}`);
    }
    this.partitionAssignments.delete(topic);
    this.allTopics.delete(topic);
    this.topicIds.delete(topic);
    this.topicsToBeDeleted.delete(topic);
  }
}
