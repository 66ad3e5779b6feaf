/**
 * ConfigHelper: what DescribeConfigs answers (Kafka's `kafka.server.ConfigHelper`),
 * built from the broker's KafkaConfig and a topic's overrides, without I/O.
 *
 * A topic config's value is its override in `/config/topics/<t>` (source TOPIC_CONFIG)
 * or else the default the broker gives it (its log.* key or Kafka's default). Its
 * synonyms are, as Kafka lists them: the topic override, then each broker key of the
 * topic key's synonym chain (`retention.ms` → log.retention.ms, log.retention.minutes,
 * log.retention.hours) set in the broker's config (STATIC_BROKER_CONFIG), then each one
 * with a default (DEFAULT_CONFIG), dropping entries before the chain's first key
 * (Kafka's `dropWhile`: a broker that sets only log.retention.hours shows retention.ms
 * with source DEFAULT_CONFIG and no broker synonym, exactly as Kafka 3.4 does). The
 * source of an entry is its first synonym's, DEFAULT_CONFIG without one.
 *
 * A broker config's value is the one the broker runs with; source STATIC_BROKER_CONFIG
 * when set in its config, else DEFAULT_CONFIG; every broker key is read-only (kzoo has
 * no dynamic broker configs).
 */
import { KafkaError, NO_DEFAULT_VALUE, type ConfigKey } from '@kzoo/common';
import type { DescribeConfigsResourceResult, DescribeConfigsSynonym } from '@kzoo/protocol';
import { LOG_CONFIG_DEFAULTS, LONG_MAX } from '@kzoo/log';
import { BROKER_CONFIG_DEF, logDefaultsFrom, type KafkaConfig } from '../config';
import { TOPIC_BROKER_SYNONYMS, TOPIC_CONFIG_KEYS } from '../admin/TopicConfig';

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
 * Kafka's configSynonyms over kzoo's static config: the broker keys of `chain` set in
 * the config, then those with a default, from the chain's first key on.
 */
function brokerSynonyms(config: KafkaConfig, chain: readonly string[]): DescribeConfigsSynonym[] {
  const out: DescribeConfigsSynonym[] = [];
  for (const name of chain) {
    const raw = config.getOriginal(name);
    const d = BROKER_DEFS.get(name);
    if (raw !== undefined && d)
      out.push({ name, value: raw, source: ConfigSource.STATIC_BROKER_CONFIG });
  }
  for (const name of chain) {
    const d = BROKER_DEFS.get(name);
    if (d && defaultOf(d) !== null)
      out.push({
        name,
        value: show(defaultOf(d), d.type),
        source: ConfigSource.DEFAULT_CONFIG,
      });
  }
  const first = out.findIndex((s) => s.name === chain[0]);
  return first < 0 ? [] : out.slice(first);
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
  config: KafkaConfig,
  overrides: Readonly<Record<string, string>>,
  opts: DescribeOptions,
): DescribeConfigsResourceResult[] {
  const defaults = topicDefaults(config);
  return TOPIC_CONFIG_KEYS.filter((d) => wanted(d.name, opts.keys)).map((d) => {
    const overridden = Object.prototype.hasOwnProperty.call(overrides, d.name);
    const value = overridden ? overrides[d.name] : (defaults[d.name] ?? null);
    const chain = TOPIC_BROKER_SYNONYMS[d.name];
    const synonyms: DescribeConfigsSynonym[] = [
      ...(overridden ? [{ name: d.name, value, source: ConfigSource.TOPIC_CONFIG }] : []),
      ...(chain.length > 0 ? brokerSynonyms(config, chain) : []),
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

/** Every broker config entry (or those asked for) kzoo knows, as this broker runs with them. */
export function describeBrokerConfigs(
  config: KafkaConfig,
  opts: DescribeOptions,
): DescribeConfigsResourceResult[] {
  return BROKER_CONFIG_KEYS.filter((d) => wanted(d.name, opts.keys)).map((d) => {
    const type: ConfigDataTypeName = d.type;
    const raw = config.getOriginal(d.name);
    const synonyms = brokerSynonyms(config, [d.name]);
    return {
      name: d.name,
      value: raw !== undefined ? raw : show(defaultOf(d), type),
      readOnly: true,
      configSource:
        raw !== undefined ? ConfigSource.STATIC_BROKER_CONFIG : ConfigSource.DEFAULT_CONFIG,
      isSensitive: false,
      synonyms: opts.includeSynonyms ? synonyms : [],
      configType: ConfigDataType[type],
      documentation: opts.includeDocumentation ? d.doc : null,
    };
  });
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
