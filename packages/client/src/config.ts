/**
 * Client configs with Kafka's key names and defaults (ProducerConfig, ConsumerConfig,
 * AdminClientConfig). `parseConfig(defs, input)` checks every key and value and
 * throws INVALID_CONFIG naming the offending key; unknown keys are refused (a typo
 * such as `linger.sm` should not pass silently).
 */
import { KafkaError } from '@kzoo/common';
import type { CompressionName } from '@kzoo/records';

type Kind = 'string' | 'int' | 'list' | 'enum' | 'boolean';

interface ConfigDef {
  kind: Kind;
  default: unknown;
  min?: number;
  values?: readonly string[];
}

export type ConfigDefs = Record<string, ConfigDef>;

const INT_MAX = 2147483647;

const common = {
  'bootstrap.servers': { kind: 'list', default: undefined },
  'client.id': { kind: 'string', default: 'kzoo' },
  'request.timeout.ms': { kind: 'int', default: 30000, min: 0 },
  'retry.backoff.ms': { kind: 'int', default: 100, min: 0 },
  'metadata.max.age.ms': { kind: 'int', default: 300000, min: 0 },
  'socket.connection.setup.timeout.ms': { kind: 'int', default: 10000, min: 0 },
} satisfies ConfigDefs;

export const PRODUCER_CONFIG_DEFS = {
  ...common,
  acks: { kind: 'enum', default: 'all', values: ['all', '-1', '0', '1'] },
  'batch.size': { kind: 'int', default: 16384, min: 0 },
  'linger.ms': { kind: 'int', default: 0, min: 0 },
  'compression.type': {
    kind: 'enum',
    default: 'none',
    values: ['none', 'gzip', 'snappy', 'lz4', 'zstd'],
  },
  retries: { kind: 'int', default: INT_MAX, min: 0 },
  'delivery.timeout.ms': { kind: 'int', default: 120000, min: 0 },
  'max.in.flight.requests.per.connection': { kind: 'int', default: 5, min: 1 },
  'max.request.size': { kind: 'int', default: 1048576, min: 0 },
  'buffer.memory': { kind: 'int', default: 33554432, min: 0 },
  'max.block.ms': { kind: 'int', default: 60000, min: 0 },
  'enable.idempotence': { kind: 'boolean', default: true },
} satisfies ConfigDefs;

export const CONSUMER_CONFIG_DEFS = {
  ...common,
  'group.id': { kind: 'string', default: null },
  'group.instance.id': { kind: 'string', default: null },
  'session.timeout.ms': { kind: 'int', default: 45000, min: 1 },
  'heartbeat.interval.ms': { kind: 'int', default: 3000, min: 1 },
  'max.poll.interval.ms': { kind: 'int', default: 300000, min: 1 },
  'enable.auto.commit': { kind: 'boolean', default: true },
  'auto.commit.interval.ms': { kind: 'int', default: 5000, min: 0 },
  'partition.assignment.strategy': { kind: 'list', default: ['range'] },
  'auto.offset.reset': { kind: 'enum', default: 'latest', values: ['earliest', 'latest', 'none'] },
  'fetch.min.bytes': { kind: 'int', default: 1, min: 0 },
  'fetch.max.wait.ms': { kind: 'int', default: 500, min: 0 },
  'fetch.max.bytes': { kind: 'int', default: 52428800, min: 0 },
  'max.partition.fetch.bytes': { kind: 'int', default: 1048576, min: 0 },
  'max.poll.records': { kind: 'int', default: 500, min: 1 },
  'isolation.level': {
    kind: 'enum',
    default: 'read_uncommitted',
    values: ['read_uncommitted', 'read_committed'],
  },
  'check.crcs': { kind: 'boolean', default: true },
  'allow.auto.create.topics': { kind: 'boolean', default: true },
} satisfies ConfigDefs;

export const ADMIN_CONFIG_DEFS = {
  ...common,
  'default.api.timeout.ms': { kind: 'int', default: 60000, min: 0 },
} satisfies ConfigDefs;

type ValueOf<D extends ConfigDef> = D['kind'] extends 'int'
  ? number
  : D['kind'] extends 'boolean'
    ? boolean
    : D['kind'] extends 'list'
      ? string[]
      : D['default'] extends null
        ? string | null
        : string;

export type ParsedConfig<T extends ConfigDefs> = { -readonly [K in keyof T]: ValueOf<T[K]> };

/** What users pass: Kafka key names, values as numbers/booleans or their string forms. */
export type ConfigInput = Record<string, string | number | boolean | string[] | null | undefined>;

export type ProducerConfig = ParsedConfig<typeof PRODUCER_CONFIG_DEFS> & {
  'compression.type': CompressionName;
  acks: 'all' | '-1' | '0' | '1';
};
export type ConsumerConfig = ParsedConfig<typeof CONSUMER_CONFIG_DEFS> & {
  'auto.offset.reset': 'earliest' | 'latest' | 'none';
};
export type AdminConfig = ParsedConfig<typeof ADMIN_CONFIG_DEFS>;

function bad(key: string, value: unknown, why: string): KafkaError {
  return new KafkaError(
    'INVALID_CONFIG',
    `invalid value ${JSON.stringify(value)} for configuration ${key}: ${why}`,
  );
}

function parseValue(key: string, def: ConfigDef, value: unknown): unknown {
  switch (def.kind) {
    case 'int': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isInteger(n)) throw bad(key, value, 'not an integer');
      if (def.min !== undefined && n < def.min) throw bad(key, value, `must be >= ${def.min}`);
      if (n > INT_MAX) throw bad(key, value, `must be <= ${INT_MAX}`);
      return n;
    }
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'false') return value === 'true';
      throw bad(key, value, 'expected true or false');
    case 'string':
      if (value === null && def.default === null) return null;
      if (typeof value !== 'string' && typeof value !== 'number')
        throw bad(key, value, 'expected a string');
      return String(value);
    case 'enum': {
      const s = String(value).toLowerCase();
      if (!def.values!.includes(s))
        throw bad(key, value, `expected one of ${def.values!.join(', ')}`);
      return s;
    }
    case 'list': {
      const items = Array.isArray(value)
        ? value.map(String)
        : typeof value === 'string'
          ? value.split(',')
          : undefined;
      if (!items) throw bad(key, value, 'expected a comma-separated list');
      return items.map((s) => s.trim()).filter((s) => s.length > 0);
    }
  }
}

/** Checks `input` against `defs` and fills in Kafka's defaults. */
export function parseConfig<T extends ConfigDefs>(defs: T, input: ConfigInput): ParsedConfig<T> {
  if (input === null || typeof input !== 'object')
    throw new KafkaError('INVALID_CONFIG', 'config must be an object of Kafka config keys');
  for (const key of Object.keys(input)) {
    if (!(key in defs)) throw new KafkaError('INVALID_CONFIG', `unknown configuration ${key}`);
  }
  const out: Record<string, unknown> = {};
  for (const [key, def] of Object.entries(defs)) {
    const v = input[key];
    out[key] = v === undefined ? def.default : parseValue(key, def, v);
  }
  return out as ParsedConfig<T>;
}

export interface HostPort {
  host: string;
  port: number;
}

/** Parses `host:port` (IPv6 as `[::1]:9092`); throws INVALID_CONFIG. */
export function parseHostPort(s: string): HostPort {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(s.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port < 1 || port > 65535)
    throw new KafkaError('INVALID_CONFIG', `invalid bootstrap server "${s}": expected HOST:PORT`);
  return { host: m[1] ?? m[2], port };
}

/** `bootstrap.servers` as host/port pairs; at least one is required. */
export function bootstrapServers(cfg: { 'bootstrap.servers': string[] }): HostPort[] {
  const list = cfg['bootstrap.servers'];
  if (!list || list.length === 0)
    throw new KafkaError('INVALID_CONFIG', 'bootstrap.servers is required (HOST:PORT,...)');
  return list.map(parseHostPort);
}

export function parseProducerConfig(input: ConfigInput): ProducerConfig {
  const cfg = parseConfig(PRODUCER_CONFIG_DEFS, input) as ProducerConfig;
  bootstrapServers(cfg);
  // Kafka 3.2+: idempotence (default true) needs acks=all, retries > 0 and at most 5
  // requests in flight. Set explicitly, a conflict is an error; left to its default,
  // idempotence is turned off by a conflicting setting.
  const conflicts: string[] = [];
  if (cfg.acks !== 'all' && cfg.acks !== '-1') conflicts.push(`acks=${cfg.acks} (must be all)`);
  if (cfg.retries === 0) conflicts.push('retries=0 (must be > 0)');
  if (cfg['max.in.flight.requests.per.connection'] > 5)
    conflicts.push(
      `max.in.flight.requests.per.connection=${cfg['max.in.flight.requests.per.connection']} (must be <= 5)`,
    );
  if (conflicts.length > 0) {
    const explicit = input['enable.idempotence'] !== undefined && cfg['enable.idempotence'];
    if (explicit)
      throw new KafkaError(
        'INVALID_CONFIG',
        `enable.idempotence=true conflicts with ${conflicts.join(', ')}; set enable.idempotence=false or fix the setting`,
      );
    cfg['enable.idempotence'] = false;
  }
  return cfg;
}

export function parseConsumerConfig(input: ConfigInput): ConsumerConfig {
  const cfg = parseConfig(CONSUMER_CONFIG_DEFS, input) as ConsumerConfig;
  bootstrapServers(cfg);
  if (cfg['heartbeat.interval.ms'] >= cfg['session.timeout.ms'])
    throw new KafkaError(
      'INVALID_CONFIG',
      `heartbeat.interval.ms (${cfg['heartbeat.interval.ms']}) must be lower than session.timeout.ms (${cfg['session.timeout.ms']})`,
    );
  return cfg;
}

export function parseAdminConfig(input: ConfigInput): AdminConfig {
  const cfg = parseConfig(ADMIN_CONFIG_DEFS, input);
  bootstrapServers(cfg);
  return cfg;
}

/** `acks` as the Produce request carries it: 0, 1 or -1. */
export function acksValue(acks: string): number {
  return acks === 'all' ? -1 : Number(acks);
}
