/**
 * ReplicationQuotaManager: replication throttles (KIP-73), as Kafka's
 * `kafka.server.ReplicationQuotaManager` with the pieces of QuotaFactory,
 * BrokerConfigHandler and TopicConfigHandler that feed it.
 *
 * Each broker has two: `LeaderReplication` (bytes this broker, as leader, sends to
 * followers) and `FollowerReplication` (bytes this broker, as follower, fetches). Each
 * has a bound in bytes/s — the broker's own dynamic config `leader.replication.throttled.rate`
 * / `follower.replication.throttled.rate` in `/config/brokers/<id>` (Kafka reads only the
 * per-broker level, not `<default>` nor server.properties; Long.MaxValue = unthrottled) —
 * and a set of throttled partitions, from each topic's `leader.replication.throttled.replicas`
 * / `follower.replication.throttled.replicas` (`[partitionId]:[brokerId],...` or `*`): the
 * partitions listed with this broker's id (`*`: all of the topic's).
 *
 * The measured rate is Kafka's SimpleRate over a windowed sum (`Rate.ts`, shared with the
 * client quotas): `replication.quota.window.num`
 * (11) samples of `replication.quota.window.size.seconds` (1 s), the bytes in the retained
 * samples divided by the time since the oldest one started (at least one window); the
 * quota is exceeded when that rate is above the bound. Recording never refuses bytes: the
 * callers leave partitions out while the quota is exceeded.
 *
 * - Leader (Kafka's shouldLeaderThrottle in readFromLocalLog): a follower fetch gets no
 *   data for a partition that is throttled here, whose fetching replica is not in the ISR,
 *   while the leader quota is exceeded; the bytes answered for throttled partitions (in
 *   sync or not) are recorded.
 * - Follower (ReplicaFetcherThread.shouldFollowerThrottle): a throttled partition that is
 *   not in sync (its lag, leader HW − our log end after the last fetch that brought data,
 *   above 0) is left out of the fetch while the follower quota is exceeded; the bytes
 *   fetched for throttled partitions are recorded.
 *
 * In-sync replicas are never held back (that would shrink the ISR), but their bytes count.
 */
import {
  LONG_MAX,
  Range,
  SystemTime,
  createLogger,
  type ConfigKey,
  type Logger,
  type Time,
} from '@kzoo/common';
import { ensureValidThrottledReplicaList } from '@kzoo/log';
import { Rate } from './Rate';

export const LEADER_REPLICATION_THROTTLED_RATE = 'leader.replication.throttled.rate';
export const FOLLOWER_REPLICATION_THROTTLED_RATE = 'follower.replication.throttled.rate';
export const LEADER_REPLICATION_THROTTLED_REPLICAS = 'leader.replication.throttled.replicas';
export const FOLLOWER_REPLICATION_THROTTLED_REPLICAS = 'follower.replication.throttled.replicas';
/** Kafka's ReplicationQuotaManagerConfig.QuotaBytesPerSecondDefault (Long.MaxValue: no throttle). */
export const QUOTA_BYTES_PER_SECOND_DEFAULT = LONG_MAX;

const rateDoc = (side: 'leaders' | 'followers', list: string) =>
  `Bound (bytes/s) on replication traffic for ${side} listed in each topic's ${list}. ` +
  'Only its per-broker dynamic value (`/config/brokers/<id>`) applies, as in Kafka.';

/** The broker keys of replication quotas (Kafka's KafkaConfig and DynamicConfig.Broker). */
export const REPLICATION_QUOTA_CONFIG_KEYS: readonly ConfigKey[] = [
  {
    name: 'replication.quota.window.num',
    type: 'INT',
    default: 11,
    validator: Range.atLeast(1),
    importance: 'LOW',
    doc: 'The number of samples to retain in memory for replication quotas.',
  },
  {
    name: 'replication.quota.window.size.seconds',
    type: 'INT',
    default: 1,
    validator: Range.atLeast(1),
    importance: 'LOW',
    doc: 'The time span of each sample for replication quotas.',
  },
  {
    name: LEADER_REPLICATION_THROTTLED_RATE,
    type: 'LONG',
    default: QUOTA_BYTES_PER_SECOND_DEFAULT,
    validator: Range.atLeast(0),
    importance: 'MEDIUM',
    doc: rateDoc('leaders', LEADER_REPLICATION_THROTTLED_REPLICAS),
  },
  {
    name: FOLLOWER_REPLICATION_THROTTLED_RATE,
    type: 'LONG',
    default: QUOTA_BYTES_PER_SECOND_DEFAULT,
    validator: Range.atLeast(0),
    importance: 'MEDIUM',
    doc: rateDoc('followers', FOLLOWER_REPLICATION_THROTTLED_REPLICAS),
  },
];

/** Kafka's ReplicaQuota. */
export interface ReplicaQuota {
  record(bytes: number): void;
  isThrottled(topic: string, partition: number): boolean;
  isQuotaExceeded(): boolean;
}

/** Kafka's UnboundedQuota: nothing throttled (consumer fetches, unit tests). */
export const UNBOUNDED_QUOTA: ReplicaQuota = {
  record: () => undefined,
  isThrottled: () => false,
  isQuotaExceeded: () => false,
};

/** `*` in a throttled-replicas list: every partition of the topic (Kafka's AllReplicas). */
export const ALL_REPLICAS = 'all';
export type ThrottledPartitions = readonly number[] | typeof ALL_REPLICAS;

/**
 * Kafka's parseThrottledPartitions: the partitions of a `*.replication.throttled.replicas`
 * value that name broker `brokerId` (`*`: all). Bad input throws INVALID_CONFIG in Kafka's
 * words.
 */
export function parseThrottledPartitions(
  value: string,
  brokerId: number,
  prop: string,
): ThrottledPartitions {
  const v = value.trim();
  const items = v.split(',');
  ensureValidThrottledReplicaList(prop, value, items);
  if (v === '') return [];
  if (v === '*') return ALL_REPLICAS;
  const partitions: number[] = [];
  for (const item of items) {
    if (item.trim() === '') continue;
    const [partition, broker] = item.trim().split(':').map(Number);
    if (broker === brokerId) partitions.push(partition!);
  }
  return partitions;
}

export interface ReplicationQuotaManagerConfig {
  /** replication.quota.window.num (Kafka: 11, ten whole windows and the current one). */
  numQuotaSamples?: number;
  /** replication.quota.window.size.seconds (Kafka: 1). */
  quotaWindowSizeSeconds?: number;
}

/** Kafka's QuotaType of the two inter-broker replication quotas. */
export type ReplicationQuotaType = 'LeaderReplication' | 'FollowerReplication';

export class ReplicationQuotaManager implements ReplicaQuota {
  private readonly measured: Rate;
  private bound = QUOTA_BYTES_PER_SECOND_DEFAULT;
  private readonly throttled = new Map<string, ThrottledPartitions>();
  private readonly numSamples: number;
  private readonly windowMs: number;

  constructor(
    readonly replicationType: ReplicationQuotaType,
    config: ReplicationQuotaManagerConfig = {},
    private readonly time: Time = SystemTime,
  ) {
    this.numSamples = config.numQuotaSamples ?? 11;
    this.windowMs = (config.quotaWindowSizeSeconds ?? 1) * 1000;
    if (!(this.numSamples >= 1) || !(this.windowMs >= 1000))
      throw new Error(
        `replication quota needs at least one sample of at least one second, got ${this.numSamples} × ${this.windowMs} ms`,
      );
    this.measured = new Rate({
      numSamples: this.numSamples,
      windowMs: this.windowMs,
      simple: true,
    });
  }

  /** The bound in bytes/s (Long.MaxValue: unthrottled). */
  updateQuota(bytesPerSecond: number): void {
    this.bound = bytesPerSecond;
  }

  get upperBound(): number {
    return this.bound;
  }

  /** The measured rate, bytes/s (Kafka's `byte-rate` metric of this quota type). */
  rate(): number {
    return this.measured.measure(this.time.milliseconds());
  }

  isQuotaExceeded(): boolean {
    if (this.bound >= QUOTA_BYTES_PER_SECOND_DEFAULT) return false;
    return this.rate() > this.bound;
  }

  isThrottled(topic: string, partition: number): boolean {
    const t = this.throttled.get(topic);
    return t !== undefined && (t === ALL_REPLICAS || t.includes(partition));
  }

  /** Adds bytes to the measured rate, even past the quota (the callers hold back instead). */
  record(bytes: number): void {
    if (bytes <= 0) return;
    this.measured.record(bytes, this.time.milliseconds());
  }

  /** The throttled partitions of `topic` (replacing the previous set). */
  markThrottled(topic: string, partitions: ThrottledPartitions = ALL_REPLICAS): void {
    this.throttled.set(topic, partitions);
  }

  removeThrottle(topic: string): void {
    this.throttled.delete(topic);
  }

  /** The topics with throttled partitions on this side, and which. */
  throttledPartitions(): ReadonlyMap<string, ThrottledPartitions> {
    return this.throttled;
  }
}

/** Kafka's QuotaManagers, the two replication quotas, fed from the broker's configs. */
export class ReplicationQuotas {
  readonly leader: ReplicationQuotaManager;
  readonly follower: ReplicationQuotaManager;

  private readonly log: Logger;

  constructor(
    private readonly brokerId: number,
    config: ReplicationQuotaManagerConfig = {},
    time: Time = SystemTime,
    logger?: Logger,
  ) {
    this.leader = new ReplicationQuotaManager('LeaderReplication', config, time);
    this.follower = new ReplicationQuotaManager('FollowerReplication', config, time);
    this.log = logger ?? createLogger('replication.quota', { broker: brokerId });
  }

  /**
   * Kafka's BrokerConfigHandler: the rates from this broker's own dynamic configs
   * (`/config/brokers/<id>`); a key absent or unusable means unthrottled.
   */
  updateQuotas(brokerDynamicConfigs: Readonly<Record<string, string>>): void {
    const rate = (k: string) => {
      const v = brokerDynamicConfigs[k]?.trim();
      const n = v === undefined || v === '' ? NaN : Number(v);
      return Number.isFinite(n) && n >= 0
        ? Math.min(n, QUOTA_BYTES_PER_SECOND_DEFAULT)
        : QUOTA_BYTES_PER_SECOND_DEFAULT;
    };
    for (const [k, q] of [
      [LEADER_REPLICATION_THROTTLED_RATE, this.leader],
      [FOLLOWER_REPLICATION_THROTTLED_RATE, this.follower],
    ] as const) {
      const bound = rate(k);
      if (bound === q.upperBound) continue;
      q.updateQuota(bound);
      this.log.info(
        `${k} ${bound >= QUOTA_BYTES_PER_SECOND_DEFAULT ? 'removed' : `set to ${bound} B/s`}`,
      );
    }
  }

  /**
   * Kafka's TopicConfigHandler.updateThrottledList for both sides: the topic's override
   * set names its throttled replicas; absent or empty removes the throttle. A value the
   * validator refuses (someone wrote the znode by hand) is logged and leaves that side
   * unchanged.
   */
  updateTopicConfig(topic: string, overrides: Readonly<Record<string, string>>): void {
    for (const [prop, q] of [
      [LEADER_REPLICATION_THROTTLED_REPLICAS, this.leader],
      [FOLLOWER_REPLICATION_THROTTLED_REPLICAS, this.follower],
    ] as const) {
      const v = overrides[prop];
      if (v === undefined || v.trim() === '') {
        if (q.throttledPartitions().has(topic)) this.log.info(`Removing ${prop}`, { topic });
        q.removeThrottle(topic);
        continue;
      }
      try {
        const partitions = parseThrottledPartitions(v, this.brokerId, prop);
        q.markThrottled(topic, partitions);
        this.log.info(`Setting ${prop}`, {
          topic,
          partitions: partitions === ALL_REPLICAS ? '*' : partitions.join(','),
        });
      } catch (e) {
        this.log.warn(`${prop} ignored`, { topic, error: (e as Error).message });
      }
    }
  }
}

/**
 * Kafka's shouldLeaderThrottle: hold back a follower's data for `partition` when the
 * follower is not in the ISR, the partition is throttled here and the quota is exceeded.
 */
export function shouldLeaderThrottle(
  quota: ReplicaQuota,
  partition: {
    readonly topic: string;
    readonly partition: number;
    readonly isr: readonly number[];
  },
  replicaId: number,
): boolean {
  return (
    !partition.isr.includes(replicaId) &&
    quota.isThrottled(partition.topic, partition.partition) &&
    quota.isQuotaExceeded()
  );
}

/**
 * Kafka's shouldFollowerThrottle: leave `partition` out of the follower's fetch when it is
 * not in sync, is throttled here and the quota is exceeded.
 */
export function shouldFollowerThrottle(
  quota: ReplicaQuota,
  isReplicaInSync: boolean,
  partition: { readonly topic: string; readonly partition: number },
): boolean {
  return (
    !isReplicaInSync &&
    quota.isThrottled(partition.topic, partition.partition) &&
    quota.isQuotaExceeded()
  );
}

/** Kafka's sizeOfThrottledPartitions: the record bytes a fetch answers for throttled partitions. */
export function sizeOfThrottledPartitions(
  topics: readonly {
    topic: string;
    partitions: readonly { partitionIndex: number; records: { length: number } }[];
  }[],
  quota: ReplicaQuota,
): number {
  let bytes = 0;
  for (const t of topics)
    for (const p of t.partitions)
      if (p.records.length > 0 && quota.isThrottled(t.topic, p.partitionIndex))
        bytes += p.records.length;
  return bytes;
}

/**
 * The follower's side after a fetch brought data (Kafka's processPartitionData and the
 * fetch state's lag): bytes of a throttled partition count against the quota, and the
 * partition is in sync when the leader's HW is not past our new log end.
 */
export function recordFollowerFetch(
  quota: ReplicaQuota,
  state: { inSync?: boolean },
  partition: { readonly topic: string; readonly partition: number; readonly logEndOffset: number },
  response: { readonly records: { length: number }; readonly highWatermark: number },
): void {
  if (quota.isThrottled(partition.topic, partition.partition))
    quota.record(response.records.length);
  state.inSync = response.highWatermark - partition.logEndOffset <= 0;
}
