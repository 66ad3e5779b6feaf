/**
 * TopicConfig: the topic-level config keys kzoo knows (Kafka's LogConfig / TopicConfig
 * names), with Kafka's config types, their broker synonyms (Kafka's
 * LogConfig.AllTopicConfigSynonyms: the broker keys that give a topic its default) and a
 * line of documentation; validation of a complete override set (unknown names and bad
 * values are INVALID_CONFIG naming the key) and Kafka's incremental operations
 * (ConfigAdminManager.prepareIncrementalConfigs: SET, DELETE, APPEND, SUBTRACT).
 */
import { KafkaError } from '@kzoo/common';
import { logConfig } from '@kzoo/log';

/** Kafka's ConfigDef.Type, as DescribeConfigs reports it (DescribeConfigsResponse.ConfigType ids). */
export const ConfigDataType = {
  UNKNOWN: 0,
  BOOLEAN: 1,
  STRING: 2,
  INT: 3,
  SHORT: 4,
  LONG: 5,
  DOUBLE: 6,
  LIST: 7,
  CLASS: 8,
  PASSWORD: 9,
} as const;
export type ConfigDataTypeName = keyof typeof ConfigDataType;

export interface TopicConfigDef {
  name: string;
  type: ConfigDataTypeName;
  /** Broker keys giving the default, most specific first (Kafka's brokerConfigSynonyms). */
  brokerSynonyms: readonly string[];
  /** Allowed values (STRING and LIST keys with a closed set). */
  validValues?: readonly string[];
  /** Smallest allowed value (numbers). */
  atLeast?: number;
  doc: string;
}

const def = (
  name: string,
  type: ConfigDataTypeName,
  brokerSynonyms: string[],
  doc: string,
  extra: Partial<TopicConfigDef> = {},
): TopicConfigDef => ({ name, type, brokerSynonyms, doc, ...extra });

/** The topic configs kzoo knows, in Kafka's order of LogConfig. */
export const TOPIC_CONFIG_DEFS: readonly TopicConfigDef[] = [
  def('segment.bytes', 'INT', ['log.segment.bytes'], 'Size of a log segment file.', {
    atLeast: 14,
  }),
  def('segment.ms', 'LONG', ['log.roll.ms', 'log.roll.hours'], 'Roll a segment after this long.', {
    atLeast: 1,
  }),
  def(
    'segment.jitter.ms',
    'LONG',
    ['log.roll.jitter.ms', 'log.roll.jitter.hours'],
    'Random jitter subtracted from segment.ms.',
    { atLeast: 0 },
  ),
  def('segment.index.bytes', 'INT', ['log.index.size.max.bytes'], 'Size of the offset index.', {
    atLeast: 4,
  }),
  def(
    'flush.messages',
    'LONG',
    ['log.flush.interval.messages'],
    'fsync the log after this many records.',
    { atLeast: 1 },
  ),
  def(
    'flush.ms',
    'LONG',
    ['log.flush.interval.ms', 'log.flush.scheduler.interval.ms'],
    'fsync the log after this long.',
    { atLeast: 0 },
  ),
  def(
    'retention.bytes',
    'LONG',
    ['log.retention.bytes'],
    'Size a partition may grow to before old segments are deleted; -1 = no limit.',
  ),
  def(
    'retention.ms',
    'LONG',
    ['log.retention.ms', 'log.retention.minutes', 'log.retention.hours'],
    'How long records are kept before their segment is deleted; -1 = no limit.',
    { atLeast: -1 },
  ),
  def('max.message.bytes', 'INT', ['message.max.bytes'], 'Largest record batch accepted.', {
    atLeast: 0,
  }),
  def(
    'index.interval.bytes',
    'INT',
    ['log.index.interval.bytes'],
    'Bytes between offset index entries.',
    { atLeast: 0 },
  ),
  def(
    'delete.retention.ms',
    'LONG',
    ['log.cleaner.delete.retention.ms'],
    'How long tombstones are kept in a compacted topic.',
    { atLeast: 0 },
  ),
  def(
    'min.compaction.lag.ms',
    'LONG',
    ['log.cleaner.min.compaction.lag.ms'],
    'Records younger than this are not compacted.',
    { atLeast: 0 },
  ),
  def(
    'max.compaction.lag.ms',
    'LONG',
    ['log.cleaner.max.compaction.lag.ms'],
    'Records older than this are compacted even below the dirty ratio.',
    { atLeast: 1 },
  ),
  def(
    'file.delete.delay.ms',
    'LONG',
    ['log.segment.delete.delay.ms'],
    'Wait before a deleted segment file is removed.',
    { atLeast: 0 },
  ),
  def(
    'min.cleanable.dirty.ratio',
    'DOUBLE',
    ['log.cleaner.min.cleanable.ratio'],
    'Dirty share of the log above which it is compacted.',
    { atLeast: 0 },
  ),
  def('cleanup.policy', 'LIST', ['log.cleanup.policy'], 'delete and/or compact.', {
    validValues: ['delete', 'compact'],
  }),
  def(
    'unclean.leader.election.enable',
    'BOOLEAN',
    ['unclean.leader.election.enable'],
    'Elect an out-of-sync replica when no ISR member is live (data loss).',
  ),
  def(
    'min.insync.replicas',
    'INT',
    ['min.insync.replicas'],
    'Smallest ISR with which an acks=all produce succeeds (else NOT_ENOUGH_REPLICAS).',
    { atLeast: 1 },
  ),
  def('compression.type', 'STRING', ['compression.type'], 'Compression of stored batches.', {
    validValues: ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'],
  }),
  def('preallocate', 'BOOLEAN', ['log.preallocate'], 'Preallocate segment files.'),
  def(
    'message.timestamp.type',
    'STRING',
    ['log.message.timestamp.type'],
    'CreateTime or LogAppendTime.',
    { validValues: ['CreateTime', 'LogAppendTime'] },
  ),
  def(
    'message.timestamp.difference.max.ms',
    'LONG',
    ['log.message.timestamp.difference.max.ms'],
    'Largest allowed difference between a record timestamp and the broker clock.',
    { atLeast: 0 },
  ),
  def(
    'message.downconversion.enable',
    'BOOLEAN',
    ['log.message.downconversion.enable'],
    'Down-convert batches for old consumers.',
  ),
  def(
    'leader.replication.throttled.replicas',
    'LIST',
    [],
    'Replicas throttled on the leader side (partition:broker,... or *).',
  ),
  def(
    'follower.replication.throttled.replicas',
    'LIST',
    [],
    'Replicas throttled on the follower side (partition:broker,... or *).',
  ),
];

export const TOPIC_CONFIG_DEF_BY_NAME: ReadonlyMap<string, TopicConfigDef> = new Map(
  TOPIC_CONFIG_DEFS.map((d) => [d.name, d]),
);

/** Kafka defaults of the topic keys that are not log.* keys of kzoo's LogConfig. */
export const OTHER_TOPIC_DEFAULTS: Readonly<Record<string, string>> = {
  'unclean.leader.election.enable': 'false',
  'min.insync.replicas': '1',
  'compression.type': 'producer',
  preallocate: 'false',
  'message.timestamp.difference.max.ms': '9223372036854775807',
  'message.downconversion.enable': 'true',
  'leader.replication.throttled.replicas': '',
  'follower.replication.throttled.replicas': '',
};

/** Kafka's AlterConfigOp.OpType ids. */
export const AlterConfigOpType = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const;

export interface AlterConfigOp {
  name: string;
  configOperation: number;
  value: string | null;
}

function invalidValue(name: string, value: string, reason: string): KafkaError {
  return new KafkaError(
    'INVALID_CONFIG',
    `Invalid value ${value} for configuration ${name}: ${reason}`,
  );
}

const INT_MAX = 2 ** 31 - 1;
const THROTTLED = /^(\*|\s*\d+\s*:\s*\d+\s*(,\s*\d+\s*:\s*\d+\s*)*)?$/;

/** Checks one value against its key's type and range (Kafka's ConfigDef.parse + validators). */
function validateValue(d: TopicConfigDef, raw: string): void {
  const v = raw.trim();
  switch (d.type) {
    case 'INT':
    case 'LONG': {
      if (!/^-?\d+$/.test(v)) throw invalidValue(d.name, raw, `Not a number of type ${d.type}`);
      const n = Number(v);
      if (d.type === 'INT' && (n > INT_MAX || n < -INT_MAX - 1))
        throw invalidValue(d.name, raw, 'Not a number of type INT');
      if (d.type === 'LONG' && (BigInt(v) > 2n ** 63n - 1n || BigInt(v) < -(2n ** 63n)))
        throw invalidValue(d.name, raw, 'Not a number of type LONG');
      if (d.atLeast !== undefined && n < d.atLeast)
        throw invalidValue(d.name, raw, `Value must be at least ${d.atLeast}`);
      return;
    }
    case 'DOUBLE': {
      const n = Number(v);
      if (v === '' || !Number.isFinite(n))
        throw invalidValue(d.name, raw, 'Not a number of type DOUBLE');
      if (d.atLeast !== undefined && n < d.atLeast)
        throw invalidValue(d.name, raw, `Value must be at least ${d.atLeast}`);
      return;
    }
    case 'BOOLEAN':
      if (!/^(true|false)$/i.test(v))
        throw invalidValue(d.name, raw, 'Expected value to be either true or false');
      return;
    case 'STRING':
      if (d.validValues && !d.validValues.includes(v))
        throw invalidValue(d.name, raw, `String must be one of: ${d.validValues.join(', ')}`);
      return;
    case 'LIST': {
      if (d.name.endsWith('.throttled.replicas')) {
        if (!THROTTLED.test(v))
          throw invalidValue(
            d.name,
            raw,
            'must be the literal "*" or a list of replicas in the form [PartitionId]:[BrokerId],...',
          );
        return;
      }
      const items = splitList(v);
      if (d.validValues)
        for (const item of items)
          if (!d.validValues.includes(item))
            throw invalidValue(
              d.name,
              raw,
              `[${items.join(', ')}] must be a subset of [${d.validValues.join(', ')}]`,
            );
      return;
    }
    default:
      return;
  }
}

function splitList(v: string): string[] {
  return v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * Kafka's LogConfig.validate: every name must be a topic config (else INVALID_CONFIG
 * "Unknown topic config name: <k>"), every value must parse and be in range (else
 * INVALID_CONFIG "Invalid value <v> for configuration <k>: <reason>"); then the
 * combination must make a LogConfig (packages/log's checks).
 */
export function validateTopicConfig(props: Readonly<Record<string, string>>): void {
  for (const [k, v] of Object.entries(props)) {
    const d = TOPIC_CONFIG_DEF_BY_NAME.get(k);
    if (!d) throw new KafkaError('INVALID_CONFIG', `Unknown topic config name: ${k}`);
    validateValue(d, v);
  }
  logConfig(props); // INVALID_CONFIG on a value the log cannot use
}

/**
 * Applies incremental operations to a copy of `current` (Kafka's
 * prepareIncrementalConfigs): SET replaces, DELETE removes, APPEND adds the items not
 * yet in the list, SUBTRACT removes items; APPEND and SUBTRACT start from the key's
 * default list when it has no override, and are only allowed on LIST keys. An unknown
 * name (for any operation) is INVALID_CONFIG; a null value for anything but DELETE, or
 * an unknown operation, is INVALID_REQUEST. The result is not validated here.
 */
export function prepareIncrementalConfigs(
  ops: readonly AlterConfigOp[],
  current: Readonly<Record<string, string>>,
  defaults: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const props: Record<string, string> = { ...current };
  for (const op of ops) {
    const d = TOPIC_CONFIG_DEF_BY_NAME.get(op.name);
    if (!d) throw new KafkaError('INVALID_CONFIG', `Unknown topic config name: ${op.name}`);
    if (op.configOperation === AlterConfigOpType.DELETE) {
      delete props[op.name];
      continue;
    }
    if (op.value === null)
      throw new KafkaError('INVALID_REQUEST', `Null value not supported for : ${op.name}`);
    switch (op.configOperation) {
      case AlterConfigOpType.SET:
        props[op.name] = op.value;
        break;
      case AlterConfigOpType.APPEND: {
        if (d.type !== 'LIST')
          throw new KafkaError(
            'INVALID_CONFIG',
            `Config value append is not allowed for config key: ${op.name}`,
          );
        const old = splitList(props[op.name] ?? defaults[op.name] ?? '');
        const added = splitList(op.value).filter((x) => !old.includes(x));
        props[op.name] = [...old, ...added].join(',');
        break;
      }
      case AlterConfigOpType.SUBTRACT: {
        if (d.type !== 'LIST')
          throw new KafkaError(
            'INVALID_CONFIG',
            `Config value subtract is not allowed for config key: ${op.name}`,
          );
        const removed = new Set(splitList(op.value));
        props[op.name] = splitList(props[op.name] ?? defaults[op.name] ?? '')
          .filter((x) => !removed.has(x))
          .join(',');
        break;
      }
      default:
        throw new KafkaError(
          'INVALID_REQUEST',
          `Unknown operations type ${op.configOperation} for config ${op.name}`,
        );
    }
  }
  return props;
}

/**
 * The checks Kafka's ConfigAdminManager.preprocess makes before anything else, per
 * resource: a (type, name) named twice ("Each resource must appear at most once."),
 * a key named twice in one resource ("Error due to duplicate config keys"), a null
 * value where one is needed ("Null value not supported for : k1, k2"), all
 * INVALID_REQUEST. Returns the error of each refused resource, by index.
 */
export function preprocessAlterResources(
  resources: ReadonlyArray<{
    resourceType: number;
    resourceName: string;
    configs: ReadonlyArray<{ name: string; value: string | null; configOperation?: number }>;
  }>,
): Map<number, KafkaError> {
  const errors = new Map<number, KafkaError>();
  const seen = new Map<string, number>();
  resources.forEach((r, i) => {
    const id = `${r.resourceType}/${r.resourceName}`;
    const first = seen.get(id);
    if (first === undefined) {
      seen.set(id, i);
      return;
    }
    for (const j of [first, i])
      errors.set(j, new KafkaError('INVALID_REQUEST', 'Each resource must appear at most once.'));
  });
  resources.forEach((r, i) => {
    if (errors.has(i)) return;
    const names = r.configs.map((c) => c.name);
    if (new Set(names).size !== names.length) {
      errors.set(i, new KafkaError('INVALID_REQUEST', 'Error due to duplicate config keys'));
      return;
    }
    const nulls = r.configs
      .filter((c) => c.value === null && c.configOperation !== AlterConfigOpType.DELETE)
      .map((c) => c.name);
    if (nulls.length > 0)
      errors.set(
        i,
        new KafkaError('INVALID_REQUEST', `Null value not supported for : ${nulls.join(', ')}`),
      );
  });
  return errors;
}
