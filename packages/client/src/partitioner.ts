/**
 * The producer's partitioner, as Kafka's Java client 2.4–3.2 (DefaultPartitioner with
 * StickyPartitionCache, KIP-480):
 * - an explicit partition is used as given;
 * - a keyed record goes to `toPositive(murmur2(key)) % numPartitions`, counting all
 *   partitions, with or without a leader;
 * - a record without a key goes to the topic's sticky partition, picked at random
 *   among the available partitions (those with a leader; all when none is), and
 *   replaced by a different one when the producer starts a new batch (`onNewBatch`).
 */
import { partitionForKey } from '@kzoo/records';
import type { Cluster } from './Metadata';

export class StickyPartitionCache {
  private readonly cache = new Map<string, number>();

  constructor(private readonly random: () => number = Math.random) {}

  /** The last topic looked up and its sticky partition (a Map lookup per record saved). */
  private lastTopic: string | undefined;
  private lastPartition = -1;

  partition(topic: string, cluster: Cluster): number {
    if (topic === this.lastTopic) return this.lastPartition;
    const p = this.cache.get(topic);
    if (p === undefined) return this.nextPartition(topic, cluster, -1);
    this.lastTopic = topic;
    this.lastPartition = p;
    return p;
  }

  /** Picks a new sticky partition if `prevPartition` is still the current one. */
  nextPartition(topic: string, cluster: Cluster, prevPartition: number): number {
    const old = this.cache.get(topic);
    if (old !== undefined && old !== prevPartition) return old;
    const info = cluster.topic(topic);
    const all = info?.partitions.length ?? 0;
    const available = info?.available ?? [];
    let next: number;
    if (available.length < 1) {
      next = Math.floor(this.random() * all);
    } else if (available.length === 1) {
      next = available[0].partition;
    } else {
      do {
        next = available[Math.floor(this.random() * available.length)].partition;
      } while (next === old);
    }
    this.cache.set(topic, next);
    this.lastTopic = topic;
    this.lastPartition = next;
    return next;
  }
}

export class DefaultPartitioner {
  private readonly sticky: StickyPartitionCache;

  constructor(random?: () => number) {
    this.sticky = new StickyPartitionCache(random);
  }

  /** The partition for a record with this key (null: the sticky partition). */
  partition(topic: string, key: Buffer | null, cluster: Cluster): number {
    if (key === null) return this.sticky.partition(topic, cluster);
    const n = cluster.topic(topic)?.partitions.length ?? 0;
    return partitionForKey(key, n);
  }

  /** Called when a record without key would start a new batch on `prevPartition`. */
  onNewBatch(topic: string, cluster: Cluster, prevPartition: number): void {
    this.sticky.nextPartition(topic, cluster, prevPartition);
  }
}
