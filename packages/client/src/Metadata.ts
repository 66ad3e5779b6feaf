/**
 * Metadata: the client's view of the cluster (brokers, controller, topics, partition
 * leaders), as Kafka's `Metadata`/`Cluster`. It is refreshed on demand
 * (`requestUpdate()` after NOT_LEADER_OR_FOLLOWER, UNKNOWN_TOPIC_OR_PARTITION and other
 * metadata errors), when older than `metadata.max.age.ms`, and never more often than
 * every `retry.backoff.ms`. Concurrent refreshes share one request.
 */
import { KafkaError, SystemTime, type Time } from '@kzoo/common';
import { ApiKeys, type MetadataResponse } from '@kzoo/protocol';
import type { NetworkClient } from './NetworkClient';

export interface Node {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

export interface PartitionInfo {
  topic: string;
  partition: number;
  /** -1 when the partition has no leader. */
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
  offlineReplicas: number[];
  errorCode: number;
}

export interface TopicInfo {
  name: string;
  errorCode: number;
  isInternal: boolean;
  /** By partition index. */
  partitions: PartitionInfo[];
  /** Partitions with a leader (Kafka's `availablePartitionsForTopic`). */
  available: PartitionInfo[];
}

/** An immutable snapshot of one metadata response. */
export class Cluster {
  readonly nodes = new Map<number, Node>();
  readonly topics = new Map<string, TopicInfo>();

  constructor(
    readonly clusterId: string | null,
    readonly controllerId: number,
    nodes: Node[],
    topics: TopicInfo[],
  ) {
    for (const n of nodes) this.nodes.set(n.nodeId, n);
    for (const t of topics) this.topics.set(t.name, t);
  }

  static empty(): Cluster {
    return new Cluster(null, -1, [], []);
  }

  static fromResponse(res: MetadataResponse): Cluster {
    const topics: TopicInfo[] = res.topics.map((t) => {
      const partitions: PartitionInfo[] = t.partitions
        .map((p) => ({
          topic: t.name,
          partition: p.partitionIndex,
          leader: p.leaderId,
          leaderEpoch: p.leaderEpoch,
          replicas: p.replicaNodes,
          isr: p.isrNodes,
          offlineReplicas: p.offlineReplicas,
          errorCode: p.errorCode,
        }))
        .sort((a, b) => a.partition - b.partition);
      return {
        name: t.name,
        errorCode: t.errorCode,
        isInternal: t.isInternal,
        partitions,
        available: partitions.filter((p) => p.leader >= 0),
      };
    });
    return new Cluster(
      res.clusterId,
      res.controllerId,
      res.brokers.map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack })),
      topics,
    );
  }

  /** Topic metadata if the topic is known without error. */
  topic(name: string): TopicInfo | undefined {
    const t = this.topics.get(name);
    return t && t.errorCode === 0 ? t : undefined;
  }

  leaderFor(topic: string, partition: number): number {
    return this.topic(topic)?.partitions[partition]?.leader ?? -1;
  }
}

export type MetadataFetch = (
  topics: string[] | null,
  allowAutoTopicCreation: boolean,
) => Promise<MetadataResponse>;

export interface MetadataOptions {
  fetch: MetadataFetch;
  retryBackoffMs: number;
  metadataMaxAgeMs: number;
  allowAutoTopicCreation: boolean;
  time?: Time;
  /** Called with every new snapshot (NetworkClient learns the brokers from it). */
  onUpdate?: (cluster: Cluster) => void;
}

/** A Metadata that asks the least-loaded broker of `network` and tells it the brokers it learns. */
export function metadataOver(
  network: NetworkClient,
  opts: Omit<MetadataOptions, 'fetch' | 'onUpdate'>,
): Metadata {
  return new Metadata({
    ...opts,
    fetch: async (topics, allowAutoTopicCreation) =>
      (await network.leastLoaded()).request(ApiKeys.Metadata, 0, {
        topics: topics && topics.map((name) => ({ name })),
        allowAutoTopicCreation,
      }),
    onUpdate: (cluster) => network.setNodes(cluster.nodes.values()),
  });
}

export class Metadata {
  private snapshot = Cluster.empty();
  private readonly interest = new Set<string>();
  /** When true, refresh every topic (admin). */
  private allTopics = false;
  private needUpdate = true;
  private lastRefreshMs = -Infinity;
  private lastAttemptMs = -Infinity;
  private inFlight: Promise<Cluster> | undefined;
  private readonly time: Time;
  /** Number of metadata requests sent (observability and tests). */
  updates = 0;

  constructor(private readonly opts: MetadataOptions) {
    this.time = opts.time ?? SystemTime;
  }

  get cluster(): Cluster {
    return this.snapshot;
  }

  /** Adds topics to the set refreshed; returns true if any was new. */
  add(...topics: string[]): boolean {
    let added = false;
    for (const t of topics) {
      if (!this.interest.has(t)) {
        this.interest.add(t);
        added = true;
      }
    }
    if (added) this.needUpdate = true;
    return added;
  }

  remove(topic: string): void {
    this.interest.delete(topic);
  }

  topics(): string[] {
    return [...this.interest];
  }

  fetchAllTopics(on: boolean): void {
    this.allTopics = on;
  }

  /** Marks the cluster view stale; the next `maybeUpdate()` refreshes it. */
  requestUpdate(): void {
    this.needUpdate = true;
  }

  /** Whether a refresh is due (requested, or older than `metadata.max.age.ms`). */
  updateDue(nowMs = this.time.milliseconds()): boolean {
    return this.needUpdate || nowMs - this.lastRefreshMs >= this.opts.metadataMaxAgeMs;
  }

  /** Refreshes if due; resolves with the current view either way. */
  maybeUpdate(): Promise<Cluster> {
    if (this.inFlight) return this.inFlight;
    if (!this.updateDue()) return Promise.resolve(this.snapshot);
    return this.update();
  }

  /**
   * Refreshes now (or joins the refresh in flight), waiting first so refresh attempts
   * are at least `retry.backoff.ms` apart. Rejects with the network error if no broker
   * answers; the view is then left as it was and stays marked stale.
   */
  update(): Promise<Cluster> {
    if (this.inFlight) return this.inFlight;
    const p = this.doUpdate().finally(() => {
      this.inFlight = undefined;
    });
    this.inFlight = p;
    return p;
  }

  private async doUpdate(): Promise<Cluster> {
    const wait = this.lastAttemptMs + this.opts.retryBackoffMs - this.time.milliseconds();
    if (wait > 0) await this.time.sleep(wait);
    this.lastAttemptMs = this.time.milliseconds();
    this.needUpdate = false;
    this.updates++;
    let res: MetadataResponse;
    try {
      res = await this.opts.fetch(
        this.allTopics ? null : [...this.interest],
        this.opts.allowAutoTopicCreation,
      );
    } catch (e) {
      this.needUpdate = true;
      throw e;
    }
    const cluster = Cluster.fromResponse(res);
    this.snapshot = cluster;
    this.lastRefreshMs = this.time.milliseconds();
    // A topic still being created (no leaders yet, or a retriable topic error) is
    // asked for again on the next refresh.
    for (const t of cluster.topics.values()) {
      if (!this.allTopics && !this.interest.has(t.name)) continue;
      if (t.errorCode !== 0 || t.available.length < t.partitions.length) this.needUpdate = true;
    }
    this.opts.onUpdate?.(cluster);
    return cluster;
  }

  /**
   * Waits until `topic` has metadata with at least `partition + 1` partitions (when
   * given), refreshing with backoff; rejects with REQUEST_TIMED_OUT after `maxWaitMs`
   * (Kafka's `max.block.ms`), naming the last topic error seen.
   */
  async waitForTopic(topic: string, maxWaitMs: number, partition = -1): Promise<TopicInfo> {
    this.add(topic);
    const deadline = this.time.milliseconds() + maxWaitMs;
    let lastProblem = 'no metadata yet';
    for (;;) {
      const t = this.snapshot.topics.get(topic);
      if (t && t.errorCode === 0 && t.partitions.length > 0) {
        if (partition < t.partitions.length) return t;
        throw new KafkaError(
          'UNKNOWN_TOPIC_OR_PARTITION',
          `partition ${partition} of topic ${topic} does not exist (topic has ${t.partitions.length})`,
        );
      }
      if (t && t.errorCode !== 0) {
        const err = new KafkaError(t.errorCode);
        if (!err.retriable)
          throw new KafkaError(t.errorCode, `topic ${topic}: ${err.message.split(': ')[1]}`);
        lastProblem = err.errorName;
      }
      if (this.time.milliseconds() >= deadline)
        throw new KafkaError(
          'REQUEST_TIMED_OUT',
          `topic ${topic} not present in metadata after ${maxWaitMs} ms (${lastProblem})`,
        );
      this.needUpdate = true;
      try {
        await this.update();
      } catch (e) {
        lastProblem = (e as Error).message;
        if (this.time.milliseconds() >= deadline)
          throw new KafkaError(
            'REQUEST_TIMED_OUT',
            `topic ${topic} not present in metadata after ${maxWaitMs} ms (${lastProblem})`,
          );
      }
    }
  }
}
