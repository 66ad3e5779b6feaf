/**
 * TopicConfig: what the broker's admin APIs add to the topic keys of TOPIC_CONFIG_DEF
 * (packages/log: name, type, default, validator, doc): each key's broker synonyms
 * (Kafka's LogConfig.AllTopicConfigSynonyms, the broker keys that give a topic its
 * default), validation of an override set with Kafka's AlterConfigs/CreateTopics wording
 * (unknown names and bad values are INVALID_CONFIG naming the key) and Kafka's
 * incremental operations (ConfigAdminManager.prepareIncrementalConfigs: SET, DELETE,
 * APPEND, SUBTRACT).
 */
import { KafkaError, configError, type ConfigKey } from '@kzoo/common';
import { TOPIC_CONFIG_DEF } from '@kzoo/log';

/**
 * Broker keys giving each topic key its default, most specific first (Kafka's
 * brokerConfigSynonyms), in Kafka's order of LogConfig: the order DescribeConfigs lists
 * topic keys in. Its keys are exactly TOPIC_CONFIG_DEF's.
 */
export const TOPIC_BROKER_SYNONYMS: Readonly<Record<string, readonly string[]>> = {
  'segment.bytes': ['log.segment.bytes'],
  'segment.ms': ['log.roll.ms', 'log.roll.hours'],
  'segment.jitter.ms': ['log.roll.jitter.ms', 'log.roll.jitter.hours'],
  'segment.index.bytes': ['log.index.size.max.bytes'],
  'flush.messages': ['log.flush.interval.messages'],
  'flush.ms': ['log.flush.interval.ms', 'log.flush.scheduler.interval.ms'],
  'retention.bytes': ['log.retention.bytes'],
  'retention.ms': ['log.retention.ms', 'log.retention.minutes', 'log.retention.hours'],
  'max.message.bytes': ['message.max.bytes'],
  'index.interval.bytes': ['log.index.interval.bytes'],
  'delete.retention.ms': ['log.cleaner.delete.retention.ms'],
  'min.compaction.lag.ms': ['log.cleaner.min.compaction.lag.ms'],
  'max.compaction.lag.ms': ['log.cleaner.max.compaction.lag.ms'],
  'file.delete.delay.ms': ['log.segment.delete.delay.ms'],
  'min.cleanable.dirty.ratio': ['log.cleaner.min.cleanable.ratio'],
  'cleanup.policy': ['log.cleanup.policy'],
  'unclean.leader.election.enable': ['unclean.leader.election.enable'],
  'min.insync.replicas': ['min.insync.replicas'],
  'compression.type': ['compression.type'],
  preallocate: ['log.preallocate'],
  'message.timestamp.type': ['log.message.timestamp.type'],
  'message.timestamp.difference.max.ms': ['log.message.timestamp.difference.max.ms'],
  'message.downconversion.enable': ['log.message.downconversion.enable'],
  'leader.replication.throttled.replicas': [],
  'follower.replication.throttled.replicas': [],
};

/** The topic keys (TOPIC_CONFIG_DEF's definitions) in DescribeConfigs' order. */
export const TOPIC_CONFIG_KEYS: readonly ConfigKey[] = Object.keys(TOPIC_BROKER_SYNONYMS).map((n) =>
  TOPIC_CONFIG_DEF.configKey(n)!,
);

/** A topic key's definition; INVALID_CONFIG "Unknown topic config name: <k>" for any other name. */
function topicConfigKey(name: string): ConfigKey {
  const key = TOPIC_CONFIG_DEF.configKey(name);
  if (!key) throw new KafkaError('INVALID_CONFIG', `Unknown topic config name: ${name}`);
  return key;
}

/**
 * Allowed values of the LIST keys whose refusal Kafka's admin path words as
 * "[a, b] must be a subset of [...]" (the validator's own wording names one item);
 * the validator still decides what is allowed.
 */
const SUBSET_WORDING: Readonly<Record<string, readonly string[]>> = {
  'cleanup.policy': ['delete', 'compact'],
};

/**
 * Kafka's LogConfig.validate: every name must be a topic config (else INVALID_CONFIG
 * "Unknown topic config name: <k>"), every value must parse and pass its TOPIC_CONFIG_DEF
 * validator (else INVALID_CONFIG "Invalid value <v> for configuration <k>: <reason>"),
 * checked in the order given.
 */
export function validateTopicConfig(props: Readonly<Record<string, string>>): void {
  for (const [k, v] of Object.entries(props)) {
    topicConfigKey(k);
    try {
      TOPIC_CONFIG_DEF.parseValue(k, v);
    } catch (e) {
      const allowed = SUBSET_WORDING[k];
      if (!allowed || !(e instanceof KafkaError)) throw e;
      throw configError(
        k,
        v,
        `[${splitList(v).join(', ')}] must be a subset of [${allowed.join(', ')}]`,
      );
    }
  }
}

function splitList(v: string): string[] {
  return v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Kafka's AlterConfigOp.OpType ids. */
export const AlterConfigOpType = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const;

export interface AlterConfigOp {
  name: string;
  configOperation: number;
  value: string | null;
}

/**
 * Applies incremental operations to a copy of `current` (Kafka's
 * prepareIncrementalConfigs): SET replaces, DELETE removes, APPEND adds the items not
 * yet in the list, SUBTRACT removes items; APPEND and SUBTRACT start from the key's
 * default list when it has no override, and are only allowed on LIST keys. `typeOf`
 * gives a key's type (default: the topic keys', INVALID_CONFIG for an unknown name for
 * any operation); a null value for anything but DELETE, or
 * an unknown operation, is INVALID_REQUEST. The result is not validated here.
 */
export function prepareIncrementalConfigs(
  ops: readonly AlterConfigOp[],
  current: Readonly<Record<string, string>>,
  defaults: Readonly<Record<string, string>> = {},
  typeOf: (name: string) => ConfigKey['type'] | undefined = (n) => topicConfigKey(n).type,
): Record<string, string> {
  const props: Record<string, string> = { ...current };
  for (const op of ops) {
    const type = typeOf(op.name);
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
        if (type !== 'LIST')
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
        if (type !== 'LIST')
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
