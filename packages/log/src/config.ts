/**
 * Topic-level log configuration (Kafka's `LogConfig` / `TopicConfig`): TOPIC_CONFIG_DEF
 * defines every topic key with Kafka's name, type, default, validator and importance;
 * `logConfig(props)` parses Kafka-named keys over those defaults into a typed `LogConfig`.
 * Bad values are INVALID_CONFIG in Kafka's words; unknown keys are a warning naming them.
 * The table in packages/log/README.md is generated from TOPIC_CONFIG_DEF.
 */
import {
  ConfigDef,
  LONG_MAX,
  Range,
  ValidList,
  ValidString,
  configError,
  createLogger,
  lambdaValidator,
  type ConfigValue,
} from '@kzoo/common';

export { LONG_MAX };

/**
 * Kafka's ThrottledReplicaListValidator: `*`, or `partition:broker` pairs (an empty
 * list throttles nothing). Throws INVALID_CONFIG in Kafka's words.
 */
export function ensureValidThrottledReplicaList(
  name: string,
  value: unknown,
  items: readonly string[],
): void {
  const trimmed = items.map((i) => i.trim());
  const ok = trimmed.every((i) => /^(\d+:\d+)?$/.test(i)) || trimmed.join('') === '*';
  if (!ok)
    throw configError(
      name,
      value,
      `${name} must be the literal '*' or a list of replicas in the following format: [partitionId]:[brokerId],[partitionId]:[brokerId],...`,
    );
}

const THROTTLED_REPLICAS = lambdaValidator(
  (name, value) => {
    const items = (value as string[] | null) ?? [];
    ensureValidThrottledReplicaList(name, value, items);
  },
  () => '[partitionId]:[brokerId],... or *',
);

export interface LogConfig {
  segmentBytes: number;
  segmentMs: number;
  segmentJitterMs: number;
  segmentIndexBytes: number;
  indexIntervalBytes: number;
  retentionMs: number;
  retentionBytes: number;
  cleanupPolicy: { delete: boolean; compact: boolean };
  deleteRetentionMs: number;
  minCompactionLagMs: number;
  maxCompactionLagMs: number;
  minCleanableDirtyRatio: number;
  maxMessageBytes: number;
  flushMessages: number;
  flushMs: number;
  fileDeleteDelayMs: number;
  messageTimestampType: 'CreateTime' | 'LogAppendTime';
}

/** Kafka's topic configs (TopicConfig names, LogConfig defaults and validators). */
export const TOPIC_CONFIG_DEF = new ConfigDef().defineAll([
  {
    name: 'segment.bytes',
    type: 'INT',
    default: 1073741824,
    validator: Range.atLeast(14),
    importance: 'MEDIUM',
    doc: 'Roll a new segment when the active one would pass this size.',
  },
  {
    name: 'segment.ms',
    type: 'LONG',
    default: 604800000,
    validator: Range.atLeast(1),
    importance: 'MEDIUM',
    doc: "Roll when an incoming batch's max timestamp is this far past the segment's first batch.",
  },
  {
    name: 'segment.jitter.ms',
    type: 'LONG',
    default: 0,
    validator: Range.atLeast(0),
    importance: 'MEDIUM',
    doc: 'Subtracted from segment.ms (in full; Kafka subtracts a random part of it per segment).',
  },
  {
    name: 'segment.index.bytes',
    type: 'INT',
    default: 10485760,
    validator: Range.atLeast(4),
    importance: 'MEDIUM',
    doc: 'Maximum offset/time index size; a full index rolls the segment.',
  },
  {
    name: 'index.interval.bytes',
    type: 'INT',
    default: 4096,
    validator: Range.atLeast(0),
    importance: 'MEDIUM',
    doc: 'An index entry once more bytes than this were appended since the last one.',
  },
  {
    name: 'retention.ms',
    type: 'LONG',
    default: 604800000,
    validator: Range.atLeast(-1),
    importance: 'MEDIUM',
    doc: 'Delete segments whose largest timestamp is older than this; -1 keeps them.',
  },
  {
    name: 'retention.bytes',
    type: 'LONG',
    default: -1,
    importance: 'MEDIUM',
    doc: 'Delete the oldest segments while the rest still exceeds this size; -1 = no limit.',
  },
  {
    name: 'cleanup.policy',
    type: 'LIST',
    default: 'delete',
    validator: ValidList.in('compact', 'delete'),
    importance: 'MEDIUM',
    doc: '`delete`, `compact`, or `compact,delete`.',
  },
  {
    name: 'delete.retention.ms',
    type: 'LONG',
    default: 86400000,
    validator: Range.atLeast(0),
    importance: 'MEDIUM',
    doc: 'Tombstone lifetime after its first clean (KIP-534 delete horizon).',
  },
  {
    name: 'min.compaction.lag.ms',
    type: 'LONG',
    default: 0,
    validator: Range.atLeast(0),
    importance: 'MEDIUM',
    doc: 'Segments younger than this are not cleaned.',
  },
  {
    name: 'max.compaction.lag.ms',
    type: 'LONG',
    default: LONG_MAX,
    validator: Range.atLeast(1),
    importance: 'MEDIUM',
    doc: 'Accepted; not enforced (cleaning is driven by min.cleanable.dirty.ratio).',
  },
  {
    name: 'min.cleanable.dirty.ratio',
    type: 'DOUBLE',
    default: 0.5,
    validator: Range.between(0, 1),
    importance: 'MEDIUM',
    doc: 'Clean when dirty bytes / cleanable bytes exceed this.',
  },
  {
    name: 'max.message.bytes',
    type: 'INT',
    default: 1048588,
    validator: Range.atLeast(0),
    importance: 'MEDIUM',
    doc: 'Larger record batches are refused with MESSAGE_TOO_LARGE.',
  },
  {
    name: 'flush.messages',
    type: 'LONG',
    default: LONG_MAX,
    validator: Range.atLeast(1),
    importance: 'MEDIUM',
    doc: 'fsync after this many records; by default left to the OS (fsync on roll and close).',
  },
  {
    name: 'flush.ms',
    type: 'LONG',
    default: LONG_MAX,
    validator: Range.atLeast(0),
    importance: 'MEDIUM',
    doc: 'fsync after this long; by default left to the OS (fsync on roll and close).',
  },
  {
    name: 'file.delete.delay.ms',
    type: 'LONG',
    default: 60000,
    validator: Range.atLeast(0),
    importance: 'MEDIUM',
    doc: 'Accepted; files are deleted at once (reads copy bytes out, so nothing holds them).',
  },
  {
    name: 'message.timestamp.type',
    type: 'STRING',
    default: 'CreateTime',
    validator: ValidString.in('CreateTime', 'LogAppendTime'),
    importance: 'MEDIUM',
    doc: '`LogAppendTime` stamps the append time (and recomputes the CRC).',
  },
  {
    name: 'min.insync.replicas',
    type: 'INT',
    default: 1,
    validator: Range.atLeast(1),
    importance: 'MEDIUM',
    doc: 'Minimum ISR size for acks=all (the broker reads it; overrides the broker key).',
  },
  {
    name: 'unclean.leader.election.enable',
    type: 'BOOLEAN',
    default: false,
    importance: 'MEDIUM',
    doc: 'Elect an out-of-sync replica when no ISR member is live (the controller reads it).',
  },
  {
    name: 'compression.type',
    type: 'STRING',
    default: 'producer',
    validator: ValidString.in('uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'),
    importance: 'MEDIUM',
    doc: 'Accepted; batches are stored as the producer compressed them.',
  },
  {
    name: 'preallocate',
    type: 'BOOLEAN',
    default: false,
    importance: 'MEDIUM',
    doc: 'Accepted; segment files are not preallocated.',
  },
  {
    name: 'message.timestamp.difference.max.ms',
    type: 'LONG',
    default: LONG_MAX,
    validator: Range.atLeast(0),
    importance: 'MEDIUM',
    doc: 'Accepted; not enforced.',
  },
  {
    name: 'message.downconversion.enable',
    type: 'BOOLEAN',
    default: true,
    importance: 'LOW',
    doc: 'Accepted; kzoo has one record format.',
  },
  {
    name: 'leader.replication.throttled.replicas',
    type: 'LIST',
    default: '',
    validator: THROTTLED_REPLICAS,
    importance: 'MEDIUM',
    doc: 'Pairs the leader throttles at `leader.replication.throttled.rate` (ISR members: never).',
  },
  {
    name: 'follower.replication.throttled.replicas',
    type: 'LIST',
    default: '',
    validator: THROTTLED_REPLICAS,
    importance: 'MEDIUM',
    doc: 'Pairs the follower throttles at `follower.replication.throttled.rate` (in sync: never).',
  },
]);

/** Kafka's defaults of the topic keys, in their string/number form. */
export const LOG_CONFIG_DEFAULTS: Readonly<Record<string, string | number>> = Object.freeze(
  Object.fromEntries(
    Object.entries(TOPIC_CONFIG_DEF.defaultValues()).map(([k, v]) => [
      k,
      Array.isArray(v) ? v.join(',') : (v as string | number),
    ]),
  ),
);

const logger = createLogger('log.config');

/** Builds a typed LogConfig from Kafka-named keys over Kafka's defaults. */
export function logConfig(
  props: Readonly<Record<string, ConfigValue | undefined>> = {},
): LogConfig {
  const v = TOPIC_CONFIG_DEF.parse(props, { logger });
  const n = (k: string) => v[k] as number;
  const policy = v['cleanup.policy'] as string[];
  return {
    segmentBytes: n('segment.bytes'),
    segmentMs: n('segment.ms'),
    segmentJitterMs: n('segment.jitter.ms'),
    segmentIndexBytes: n('segment.index.bytes'),
    indexIntervalBytes: n('index.interval.bytes'),
    retentionMs: n('retention.ms'),
    retentionBytes: n('retention.bytes'),
    cleanupPolicy: { delete: policy.includes('delete'), compact: policy.includes('compact') },
    deleteRetentionMs: n('delete.retention.ms'),
    minCompactionLagMs: n('min.compaction.lag.ms'),
    maxCompactionLagMs: n('max.compaction.lag.ms'),
    minCleanableDirtyRatio: n('min.cleanable.dirty.ratio'),
    maxMessageBytes: n('max.message.bytes'),
    flushMessages: n('flush.messages'),
    flushMs: n('flush.ms'),
    fileDeleteDelayMs: n('file.delete.delay.ms'),
    messageTimestampType: v['message.timestamp.type'] as LogConfig['messageTimestampType'],
  };
}
