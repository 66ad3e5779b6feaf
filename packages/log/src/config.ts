/**
 * Topic-level log configuration with Kafka's key names and defaults
 * (kafka.log.LogConfig / TopicConfig). Accepts a `Record<string, string | number>`
 * and yields a typed `LogConfig`; unknown keys are ignored (they belong to others),
 * bad values are INVALID_CONFIG.
 */
import { KafkaError } from '@kzoo/common';

/** Long.MAX_VALUE in Kafka; here the largest safe integer. */
export const LONG_MAX = Number.MAX_SAFE_INTEGER;

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

/** Kafka's defaults for the topic-level keys we honour. */
export const LOG_CONFIG_DEFAULTS: Readonly<Record<string, string | number>> = Object.freeze({
  'segment.bytes': 1073741824,
  'segment.ms': 604800000,
  'segment.jitter.ms': 0,
  'segment.index.bytes': 10485760,
  'index.interval.bytes': 4096,
  'retention.ms': 604800000,
  'retention.bytes': -1,
  'cleanup.policy': 'delete',
  'delete.retention.ms': 86400000,
  'min.compaction.lag.ms': 0,
  'max.compaction.lag.ms': LONG_MAX,
  'min.cleanable.dirty.ratio': 0.5,
  'max.message.bytes': 1048588,
  'flush.messages': LONG_MAX,
  'flush.ms': LONG_MAX,
  'file.delete.delay.ms': 60000,
  'message.timestamp.type': 'CreateTime',
});

function num(
  props: Record<string, string | number>,
  key: string,
  min: number,
  float = false,
): number {
  const raw = props[key] ?? LOG_CONFIG_DEFAULTS[key];
  const v = typeof raw === 'number' ? raw : Number(String(raw).trim());
  if (!Number.isFinite(v) || (!float && !Number.isInteger(v)) || v < min)
    throw new KafkaError(
      'INVALID_CONFIG',
      `${key}=${String(raw)}: expected ${float ? 'a number' : 'an integer'} >= ${min}`,
    );
  // Kafka's Long.MAX_VALUE and friends land above the safe range: clamp.
  return Math.min(v, LONG_MAX);
}

/** Builds a typed LogConfig from Kafka-named keys over Kafka's defaults. */
export function logConfig(props: Record<string, string | number> = {}): LogConfig {
  const policy = String(props['cleanup.policy'] ?? LOG_CONFIG_DEFAULTS['cleanup.policy'])
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const p of policy)
    if (p !== 'delete' && p !== 'compact')
      throw new KafkaError('INVALID_CONFIG', `cleanup.policy: unknown policy ${p}`);
  const tsType = String(props['message.timestamp.type'] ?? 'CreateTime');
  if (tsType !== 'CreateTime' && tsType !== 'LogAppendTime')
    throw new KafkaError('INVALID_CONFIG', `message.timestamp.type=${tsType}`);
  const cfg: LogConfig = {
    segmentBytes: num(props, 'segment.bytes', 14),
    segmentMs: num(props, 'segment.ms', 1),
    segmentJitterMs: num(props, 'segment.jitter.ms', 0),
    segmentIndexBytes: num(props, 'segment.index.bytes', 4),
    indexIntervalBytes: num(props, 'index.interval.bytes', 0),
    retentionMs: num(props, 'retention.ms', -1),
    retentionBytes: num(props, 'retention.bytes', -1),
    cleanupPolicy: { delete: policy.includes('delete'), compact: policy.includes('compact') },
    deleteRetentionMs: num(props, 'delete.retention.ms', 0),
    minCompactionLagMs: num(props, 'min.compaction.lag.ms', 0),
    maxCompactionLagMs: num(props, 'max.compaction.lag.ms', 1),
    minCleanableDirtyRatio: num(props, 'min.cleanable.dirty.ratio', 0, true),
    maxMessageBytes: num(props, 'max.message.bytes', 0),
    flushMessages: num(props, 'flush.messages', 1),
    flushMs: num(props, 'flush.ms', 0),
    fileDeleteDelayMs: num(props, 'file.delete.delay.ms', 0),
    messageTimestampType: tsType,
  };
  if (cfg.segmentBytes > 2 ** 31 - 1)
    throw new KafkaError('INVALID_CONFIG', `segment.bytes=${cfg.segmentBytes} exceeds 2147483647`);
  if (cfg.minCleanableDirtyRatio > 1)
    throw new KafkaError('INVALID_CONFIG', 'min.cleanable.dirty.ratio must be within [0, 1]');
  return cfg;
}
