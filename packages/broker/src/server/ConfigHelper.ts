/**
 * ConfigHelper: what DescribeConfigs answers (Kafka's `kafka.server.ConfigHelper`),
 * built from the broker's KafkaConfig and a topic's overrides, without I/O.
 *
 * A topic config's value is its override in `/config/topics/<t>` (source TOPIC_CONFIG)
 * or else the default the broker gives it now (its log.* key, dynamic or static, or
 * Kafka's default). Its synonyms are, as Kafka lists them: the topic override, then each
 * broker key of the topic key's synonym chain (`retention.ms` → log.retention.ms,
 * log.retention.minutes, log.retention.hours) set in this broker's dynamic config
 * (DYNAMIC_BROKER_CONFIG), then in the cluster-wide dynamic default
 * (DYNAMIC_DEFAULT_BROKER_CONFIG), then in its static config (STATIC_BROKER_CONFIG),
 * then each one with a default (DEFAULT_CONFIG), dropping entries before the chain's
 * first key (Kafka's `dropWhile`: a broker that sets only log.retention.hours shows
 * retention.ms with source DEFAULT_CONFIG and no broker synonym, exactly as Kafka 3.4
 * does). The source of an entry is its first synonym's, DEFAULT_CONFIG without one.
 *
 * A broker config's value is the one the broker runs with, its synonyms Kafka's
 * brokerConfigSynonyms over the same four levels; read-only unless kzoo can change it at
 * runtime (DYNAMIC_BROKER_CONFIGS). The default broker resource (name '') lists only the
 * cluster-wide dynamic defaults. Keys no definition knows (custom dynamic configs) are
 * shown as Kafka shows them: sensitive, without a value.
 */
import { KafkaError, NO_DEFAULT_VALUE, type ConfigKey } from '@kzoo/common';
import type { DescribeConfigsResourceResult, DescribeConfigsSynonym } from '@kzoo/protocol';
import { LOG_CONFIG_DEFAULTS, LONG_MAX } from '@kzoo/log';
import { BROKER_CONFIG_DEF, KafkaConfig, logDefaultsFrom } from '../config';
import { TOPIC_BROKER_SYNONYMS, TOPIC_CONFIG_KEYS } from '../admin/TopicConfig';
import { DYNAMIC_BROKER_CONFIGS } from './DynamicBrokerConfig';

/** A broker's config levels (DynamicBrokerConfig has them; a bare KafkaConfig is static only). */
export interface BrokerConfigLevels {
  /** What the broker runs with now: static overlaid with the dynamic levels. */
  readonly currentConfig: KafkaConfig;
  readonly staticConfig: KafkaConfig;
  readonly currentDynamicBrokerConfigs: Readonly<Record<string, string>>;
  readonly currentDynamicDefaultConfigs: Readonly<Record<string, string>>;
}

function levelsOf(c: KafkaConfig | BrokerConfigLevels): BrokerConfigLevels {
  return c instanceof KafkaConfig
    ? {
        currentConfig: c,
        staticConfig: c,
        currentDynamicBrokerConfigs: {},
        currentDynamicDefaultConfigs: {},
      }
    : c;
}

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

/** Kafka's DescribeConfigsResponse.ConfigSource ids. */
export const ConfigSource = {
  UNKNOWN: 0,
  TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
  DYNAMIC_BROKER_LOGGER_CONFIG: 6,
} as const;

/** Kafka's ConfigResource.Type ids. */
export const ConfigResourceType = { UNKNOWN: 0, TOPIC: 2, BROKER: 4, BROKER_LOGGER: 8 } as const;

/** Kafka's Long.MAX_VALUE, which kzoo holds as LONG_MAX (2^53-1): shown as Kafka shows it. */
const KAFKA_LONG_MAX = '9223372036854775807';

export interface DescribeOptions {
  /** null or empty: every key. */
  keys: readonly string[] | null;
  includeSynonyms: boolean;
  includeDocumentation: boolean;
}

const BROKER_CONFIG_KEYS: readonly ConfigKey[] = BROKER_CONFIG_DEF.configKeys();
const BROKER_DEFS = new Map(BROKER_CONFIG_KEYS.map((d) => [d.name, d]));

/** A key's default as a value (null: unset or required). */
function defaultOf(d: ConfigKey): unknown {
  return d.default === NO_DEFAULT_VALUE ? null : d.default;
}

function show(value: unknown, type: ConfigDataTypeName): string | null {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.join(',');
  if (type === 'LONG' && value === LONG_MAX) return KAFKA_LONG_MAX;
  return String(value);
}

function wanted(name: string, keys: readonly string[] | null): boolean {
  return keys === null || keys.length === 0 || keys.includes(name);
}

/**
 * Kafka's brokerConfigSynonyms: the broker keys that set the same thing, most specific
 * first (log.roll.ms/hours, log.retention.ms/minutes/hours, log.flush.interval.ms and the
 * scheduler interval); any other key is its own only synonym.
 */
export function brokerConfigSynonyms(name: string): readonly string[] {
  switch (name) {
    case 'log.roll.ms':
    case 'log.roll.hours':
      return ['log.roll.ms', 'log.roll.hours'];
    case 'log.roll.jitter.ms':
    case 'log.roll.jitter.hours':
      return ['log.roll.jitter.ms', 'log.roll.jitter.hours'];
    case 'log.flush.interval.ms':
      return ['log.flush.interval.ms', 'log.flush.scheduler.interval.ms'];
    case 'log.retention.ms':
    case 'log.retention.minutes':
    case 'log.retention.hours':
      return ['log.retention.ms', 'log.retention.minutes', 'log.retention.hours'];
    default:
      return [name];
  }
}

/**
 * Kafka's configSynonyms: the keys of `chain` set in this broker's dynamic config, then
 * in the cluster-wide dynamic default, then in its static config, then those with a
 * default, from the first entry named `first` on (Kafka's dropWhile).
 */
function brokerSynonyms(
  levels: BrokerConfigLevels,
  chain: readonly string[],
  first: string = chain[0],
): DescribeConfigsSynonym[] {
  const out: DescribeConfigsSynonym[] = [];
  const set = (map: Readonly<Record<string, string>>, source: number) => {
    for (const name of chain) {
      const raw = map[name];
      if (raw !== undefined && BROKER_DEFS.has(name)) out.push({ name, value: raw, source });
    }
  };
  set(levels.currentDynamicBrokerConfigs, ConfigSource.DYNAMIC_BROKER_CONFIG);
  set(levels.currentDynamicDefaultConfigs, ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
  set(levels.staticConfig.originals, ConfigSource.STATIC_BROKER_CONFIG);
  for (const name of chain) {
    const d = BROKER_DEFS.get(name);
    if (d && defaultOf(d) !== null)
      out.push({
        name,
        value: show(defaultOf(d), d.type),
        source: ConfigSource.DEFAULT_CONFIG,
      });
  }
  const start = out.findIndex((s) => s.name === first);
  return start < 0 ? [] : out.slice(start);
}

/** The value each topic key has when the topic does not override it, on this broker. */
export function topicDefaults(config: KafkaConfig): Record<string, string> {
  const out: Record<string, string> = {};
  const merged: Record<string, string | number> = {
    ...LOG_CONFIG_DEFAULTS,
    ...logDefaultsFrom(config),
  };
  for (const d of TOPIC_CONFIG_KEYS) {
    const v = merged[d.name];
    if (v !== undefined) out[d.name] = show(v, d.type) ?? '';
  }
  out['min.insync.replicas'] = String(config.getInt('min.insync.replicas'));
  out['unclean.leader.election.enable'] = String(
    config.getBoolean('unclean.leader.election.enable'),
  );
  return out;
}

/** Every topic config entry (or those asked for) of a topic with `overrides`. */
export function describeTopicConfigs(
  configs: KafkaConfig | BrokerConfigLevels,
  overrides: Readonly<Record<string, string>>,
  opts: DescribeOptions,
): DescribeConfigsResourceResult[] {
  const levels = levelsOf(configs);
  const defaults = topicDefaults(levels.currentConfig);
  return TOPIC_CONFIG_KEYS.filter((d) => wanted(d.name, opts.keys)).map((d) => {
    const overridden = Object.prototype.hasOwnProperty.call(overrides, d.name);
    const value = overridden ? overrides[d.name] : (defaults[d.name] ?? null);
    const chain = TOPIC_BROKER_SYNONYMS[d.name];
    const synonyms: DescribeConfigsSynonym[] = [
      ...(overridden ? [{ name: d.name, value, source: ConfigSource.TOPIC_CONFIG }] : []),
      ...(chain.length > 0 ? brokerSynonyms(levels, brokerConfigSynonyms(chain[0])) : []),
    ];
    return {
      name: d.name,
      value,
      readOnly: false,
      configSource: synonyms[0]?.source ?? ConfigSource.DEFAULT_CONFIG,
      isSensitive: false,
      synonyms: opts.includeSynonyms ? synonyms : [],
      configType: ConfigDataType[d.type],
      documentation: opts.includeDocumentation ? d.doc : null,
    };
  });
}

/**
 * Every broker config entry (or those asked for) as this broker runs with it (Kafka's
 * createBrokerConfigEntry with perBrokerConfig = true), then its custom dynamic keys.
 */
/** Broker keys holding credentials (Kafka's PASSWORD type): never returned. */
const SENSITIVE_BROKER_CONFIGS = new Set(['kzoo.zookeeper.digest']);

export function describeBrokerConfigs(
  configs: KafkaConfig | BrokerConfigLevels,
  opts: DescribeOptions,
): DescribeConfigsResourceResult[] {
  const levels = levelsOf(configs);
  const current = levels.currentConfig;
  const known = BROKER_CONFIG_KEYS.filter((d) => wanted(d.name, opts.keys)).map((d) => {
    const type: ConfigDataTypeName = d.type;
    const raw = current.getOriginal(d.name);
    const secret = SENSITIVE_BROKER_CONFIGS.has(d.name);
    const synonyms = brokerSynonyms(levels, brokerConfigSynonyms(d.name), d.name).map((x) =>
      secret ? { ...x, value: null } : x,
    );
    return {
      name: d.name,
      // a credential is shown as Kafka shows a PASSWORD: sensitive, without its value
      value: secret ? null : raw !== undefined ? raw : show(defaultOf(d), type),
      readOnly: !DYNAMIC_BROKER_CONFIGS.has(d.name),
      configSource: synonyms[0]?.source ?? ConfigSource.DEFAULT_CONFIG,
      isSensitive: secret,
      synonyms: opts.includeSynonyms ? synonyms : [],
      configType: ConfigDataType[type],
      documentation: opts.includeDocumentation ? d.doc : null,
    };
  });
  const custom = { ...levels.currentDynamicDefaultConfigs, ...levels.currentDynamicBrokerConfigs };
  return [
    ...known,
    ...Object.keys(custom)
      .filter((k) => !BROKER_DEFS.has(k) && wanted(k, opts.keys))
      .map((k) =>
        customEntry(
          k,
          k in levels.currentDynamicBrokerConfigs
            ? ConfigSource.DYNAMIC_BROKER_CONFIG
            : ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG,
          opts,
        ),
      ),
  ];
}

/**
 * The default broker resource (name ''): the cluster-wide dynamic defaults only, each
 * with its DYNAMIC_DEFAULT_BROKER_CONFIG synonyms (Kafka's perBrokerConfig = false).
 */
export function describeDefaultBrokerConfigs(
  levels: BrokerConfigLevels,
  opts: DescribeOptions,
): DescribeConfigsResourceResult[] {
  return Object.entries(levels.currentDynamicDefaultConfigs)
    .filter(([name]) => wanted(name, opts.keys))
    .map(([name, value]) => {
      const d = BROKER_DEFS.get(name);
      if (!d) return customEntry(name, ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG, opts);
      const synonyms = brokerSynonyms(levels, brokerConfigSynonyms(name), name).filter(
        (s) => s.source === ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG,
      );
      return {
        name,
        value,
        readOnly: !DYNAMIC_BROKER_CONFIGS.has(name),
        configSource: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG,
        isSensitive: false,
        synonyms: opts.includeSynonyms ? synonyms : [],
        configType: ConfigDataType[d.type],
        documentation: opts.includeDocumentation ? d.doc : null,
      };
    });
}

/** A key no definition knows: Kafka treats an unknown type as sensitive (no value shown). */
function customEntry(
  name: string,
  source: number,
  opts: DescribeOptions,
): DescribeConfigsResourceResult {
  return {
    name,
    value: null,
    readOnly: true,
    configSource: source,
    isSensitive: true,
    synonyms: opts.includeSynonyms ? [{ name, value: null, source }] : [],
    configType: ConfigDataType.UNKNOWN,
    documentation: null,
  };
}

/** Kafka's resourceNameToBrokerId: a BROKER resource's name as a broker id, else INVALID_REQUEST. */
export function brokerIdOf(name: string): number {
  if (!/^-?\d+$/.test(name.trim()))
    throw new KafkaError('INVALID_REQUEST', `Broker id must be an integer, but it is: ${name}`);
  return Number(name.trim());
}

/** A KafkaError's text without its `NAME: ` prefix: what Kafka sends as errorMessage. */
export function errorDetail(e: KafkaError): string {
  const prefix = `${e.errorName}: `;
  return e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
}
