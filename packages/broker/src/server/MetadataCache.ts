/**
 * MetadataCache: what this broker knows of the cluster, learned only from the
 * controller's UpdateMetadata requests (Kafka's ZkMetadataCache): live brokers with
 * their endpoints, every partition's leader/ISR/replicas, the controller id. Partition
 * states are upserted; a state whose leader is -2 (LeaderDuringDelete) removes the
 * partition; the live-broker list is replaced by each request.
 */
import { ErrorCode, SystemTime, type Time } from '@kzoo/common';
import type {
  MetadataResponseBroker,
  MetadataResponsePartition,
  UpdateMetadataBroker,
  UpdateMetadataPartitionState,
  UpdateMetadataRequest,
} from '@kzoo/protocol';

/** Kafka's LeaderAndIsr.LeaderDuringDelete. */
export const LEADER_DURING_DELETE = -2;

export class MetadataCache {
  private brokers = new Map<number, UpdateMetadataBroker>();
  private readonly topics = new Map<string, Map<number, UpdateMetadataPartitionState>>();
  /**
   * Topic ids read from `/brokers/topics/<t>` for Metadata v1 (UpdateMetadata v0 carries
   * none); forgotten when the topic leaves the cache, so a re-created topic is read again.
   */
  private readonly topicIds = new Map<string, string | null>();
  private _controllerId = -1;
  private listeners = new Set<() => void>();

  constructor(
    readonly brokerId: number,
    private readonly time: Time = SystemTime,
  ) {}

  get controllerId(): number {
    return this._controllerId;
  }

  /** Applies an UpdateMetadata; returns the partitions it removed (topic deletion). */
  updateMetadata(req: UpdateMetadataRequest): Array<{ topic: string; partition: number }> {
    const deleted: Array<{ topic: string; partition: number }> = [];
    this._controllerId = req.controllerId;
    this.brokers = new Map(req.liveBrokers.map((b) => [b.id, b]));
    for (const s of req.partitionStates) {
      if (s.leader === LEADER_DURING_DELETE) {
        const parts = this.topics.get(s.topicName);
        if (parts?.delete(s.partitionIndex)) {
          deleted.push({ topic: s.topicName, partition: s.partitionIndex });
          if (parts.size === 0) {
            this.topics.delete(s.topicName);
            this.topicIds.delete(s.topicName);
          }
        }
        continue;
      }
      let parts = this.topics.get(s.topicName);
      if (!parts) this.topics.set(s.topicName, (parts = new Map()));
      parts.set(s.partitionIndex, s);
    }
    for (const l of [...this.listeners]) l();
    return deleted;
  }

  /** Registers a listener called after each update; returns the remover. */
  onUpdate(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Resolves true once `predicate()` holds (checked now and after each update), false after `timeoutMs`. */
  waitUntil(predicate: () => boolean, timeoutMs: number): Promise<boolean> {
    if (predicate()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const remove = this.onUpdate(() => {
        if (!predicate()) return;
        remove();
        timer.cancel();
        resolve(true);
      });
      const timer = this.time.schedule(
        'metadata-wait',
        () => {
          remove();
          resolve(predicate());
        },
        Math.max(0, timeoutMs),
      );
    });
  }

  isBrokerAlive(id: number): boolean {
    return this.brokers.has(id);
  }

  aliveBrokerIds(): number[] {
    return [...this.brokers.keys()].sort((a, b) => a - b);
  }

  aliveBroker(id: number): UpdateMetadataBroker | undefined {
    return this.brokers.get(id);
  }

  /** Live brokers as Metadata presents them, with their endpoint on `listener`. */
  aliveBrokerNodes(listener: string): MetadataResponseBroker[] {
    const out: MetadataResponseBroker[] = [];
    for (const b of this.brokers.values()) {
      const ep = b.endpoints.find((e) => e.listener === listener) ?? b.endpoints[0];
      if (ep) out.push({ nodeId: b.id, host: ep.host, port: ep.port, rack: b.rack });
    }
    return out.sort((a, b) => a.nodeId - b.nodeId);
  }

  /** A known topic's id (null: it has none); undefined when not read yet. */
  topicId(topic: string): string | null | undefined {
    return this.topicIds.get(topic);
  }

  /** Remembers a topic's id, while the topic is in the cache. */
  setTopicId(topic: string, id: string | null): void {
    if (this.topics.has(topic)) this.topicIds.set(topic, id);
  }

  contains(topic: string): boolean {
    return this.topics.has(topic);
  }

  allTopics(): string[] {
    return [...this.topics.keys()].sort();
  }

  numPartitions(topic: string): number | undefined {
    return this.topics.get(topic)?.size;
  }

  partitionState(topic: string, partition: number): UpdateMetadataPartitionState | undefined {
    return this.topics.get(topic)?.get(partition);
  }

  /** True when every partition of `topic` is known with a leader. */
  hasLeaders(topic: string, numPartitions?: number): boolean {
    const parts = this.topics.get(topic);
    if (!parts || (numPartitions !== undefined && parts.size < numPartitions)) return false;
    for (const s of parts.values()) if (s.leader < 0) return false;
    return true;
  }

  /**
   * A topic's partitions for Metadata: LEADER_NOT_AVAILABLE (5) without a live leader,
   * ISR limited to live brokers, dead replicas listed as offline.
   */
  topicPartitions(topic: string): MetadataResponsePartition[] | undefined {
    const parts = this.topics.get(topic);
    if (!parts) return undefined;
    const out: MetadataResponsePartition[] = [];
    for (const s of [...parts.values()].sort((a, b) => a.partitionIndex - b.partitionIndex)) {
      const leaderAlive = s.leader >= 0 && this.brokers.has(s.leader);
      const offline = s.replicas.filter((r) => !this.brokers.has(r));
      out.push({
        errorCode: leaderAlive ? 0 : ErrorCode.LEADER_NOT_AVAILABLE,
        partitionIndex: s.partitionIndex,
        leaderId: leaderAlive ? s.leader : -1,
        leaderEpoch: s.leaderEpoch,
        replicaNodes: s.replicas,
        isrNodes: s.isr.filter((r) => this.brokers.has(r)),
        offlineReplicas: offline.length > 0 ? offline : s.offlineReplicas,
      });
    }
    return out;
  }
}
