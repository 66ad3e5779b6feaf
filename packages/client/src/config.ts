/**
 * Client configs with Kafka's key names, types, defaults, validators and importance
 * (ProducerConfig, ConsumerConfig, AdminClientConfig), each defined once as a ConfigDef.
 * `parseProducerConfig(input)` and friends check every value and throw INVALID_CONFIG in
 * Kafka's words (`Invalid value -1 for configuration linger.ms: Value must be at least 0`);
 * an unknown key such as `linger.sm` is a warning naming it, as Kafka's clients log it.
 * The tables in packages/client/README.md are generated from these definitions.
 */
import {
  CaseInsensitiveValidString,
  ConfigDef,
  KafkaError,
  NonEmptyString,
  Range,
  createLogger,
  type ConfigKey,
  type Importance,
  type Logger,
} from '@kzoo/common';
import type { CompressionName } from '@kzoo/records';

const INT_MAX = 2147483647;

function commonKeys(clientIdImportance: Importance): ConfigKey[] {
  return [
    {
      name: 'bootstrap.servers',
      type: 'LIST',
      default: '',
      importance: 'HIGH',
      doc: '`host:port,...` (or an array) of brokers to fetch the first metadata from. Required.',
    },
    {
      name: 'client.id',
      type: 'STRING',
      default: 'kzoo',
      importance: clientIdImportance,
      doc: "Sent with every request (kzoo default; Kafka's is empty).",
    },
    {
      name: 'request.timeout.ms',
      type: 'INT',
      default: 30000,
      validator: Range.atLeast(0),
      importance: 'MEDIUM',
      doc: 'Longest wait for a response (REQUEST_TIMED_OUT, retriable); also the Produce `timeoutMs`.',
    },
    {
      name: 'retry.backoff.ms',
      type: 'LONG',
      default: 100,
      validator: Range.atLeast(0),
      importance: 'LOW',
      doc: 'Pause before retrying a failed request.',
    },
    {
      name: 'metadata.max.age.ms',
      type: 'LONG',
      default: 300000,
      validator: Range.atLeast(0),
      importance: 'LOW',
      doc: 'Refresh metadata at least this often.',
    },
    {
      name: 'socket.connection.setup.timeout.ms',
      type: 'LONG',
      default: 10000,
      validator: Range.atLeast(0),
      importance: 'MEDIUM',
      doc: 'How long to wait for a connection to be established (first attempt).',
    },
    {
      name: 'socket.connection.setup.timeout.max.ms',
      type: 'LONG',
      default: 30000,
      validator: Range.atLeast(0),
      importance: 'MEDIUM',
      doc: 'Consecutive failed connects double the setup timeout (±20 % jitter) up to this.',
    },
    {
      name: 'reconnect.backoff.ms',
      type: 'LONG',
      default: 50,
      validator: Range.atLeast(0),
      importance: 'LOW',
      doc: 'Wait before reconnecting to a broker after a failed connect or a lost connection.',
    },
    {
      name: 'reconnect.backoff.max.ms',
      type: 'LONG',
      default: 1000,
      validator: Range.atLeast(0),
      importance: 'LOW',
      doc: 'Consecutive failures double the reconnect wait (±20 % jitter) up to this; unset while `reconnect.backoff.ms` is set, that value.',
    },
  ];
}

/** Kafka's ProducerConfig keys that kzoo's Producer honours. */
export const PRODUCER_CONFIG_DEF = new ConfigDef().defineAll([
  ...commonKeys('MEDIUM'),
  {
    name: 'acks',
    type: 'STRING',
    default: 'all',
    validator: CaseInsensitiveValidString.in('all', '-1', '0', '1'),
    importance: 'LOW',
    doc: 'Kafka 3.x default. `all` waits for the ISR; with replication factor 1 it behaves as `1`.',
  },
  {
    name: 'transactional.id',
    type: 'STRING',
    default: null,
    validator: NonEmptyString,
    importance: 'LOW',
    doc: 'Makes the producer transactional (initTransactions, beginTransaction, commitTransaction); needs idempotence.',
  },
  {
    name: 'transaction.timeout.ms',
    type: 'INT',
    default: 60000,
    validator: Range.atLeast(1),
    importance: 'LOW',
    doc: 'The coordinator aborts a transaction open longer than this (at most the broker transaction.max.timeout.ms).',
  },
  {
    name: 'enable.idempotence',
    type: 'BOOLEAN',
    default: true,
    importance: 'LOW',
    doc: 'Needs acks=all, retries > 0, max.in.flight.requests.per.connection <= 5 (see Idempotence).',
  },
  {
    name: 'batch.size',
    type: 'INT',
    default: 16384,
    validator: Range.atLeast(0),
    importance: 'MEDIUM',
    doc: 'Bytes per partition batch (uncompressed).',
  },
  {
    name: 'linger.ms',
    type: 'LONG',
    default: 0,
    validator: Range.atLeast(0),
    importance: 'MEDIUM',
    doc: "Kafka's default; appends in the same event-loop turn still share a batch.",
  },
  {
    name: 'compression.type',
    type: 'STRING',
    default: 'none',
    validator: CaseInsensitiveValidString.in('none', 'gzip', 'snappy', 'lz4', 'zstd'),
    importance: 'HIGH',
    doc: 'Codec of the record batches: `none`, `gzip`, `snappy`, `lz4`, `zstd`.',
  },
  {
    name: 'retries',
    type: 'INT',
    default: INT_MAX,
    validator: Range.between(0, INT_MAX),
    importance: 'HIGH',
    doc: 'Bounded in practice by `delivery.timeout.ms`.',
  },
  {
    name: 'delivery.timeout.ms',
    type: 'INT',
    default: 120000,
    validator: Range.atLeast(0),
    importance: 'MEDIUM',
    doc: 'From append to acknowledgement, retries included.',
  },
  {
    name: 'max.in.flight.requests.per.connection',
    type: 'INT',
    default: 5,
    validator: Range.atLeast(1),
    importance: 'LOW',
    doc: 'Unacknowledged Produce requests per broker.',
  },
  {
    name: 'max.request.size',
    type: 'INT',
    default: 1048576,
    validator: Range.atLeast(0),
    importance: 'MEDIUM',
    doc: 'Larger records fail with MESSAGE_TOO_LARGE.',
  },
  {
    name: 'buffer.memory',
    type: 'LONG',
    default: 33554432,
    validator: Range.atLeast(0),
    importance: 'HIGH',
    doc: '`send` waits (up to `max.block.ms`) when batches hold more.',
  },
  {
    name: 'max.block.ms',
    type: 'LONG',
    default: 60000,
    validator: Range.atLeast(0),
    importance: 'MEDIUM',
    doc: 'Longest wait for topic metadata or buffer space.',
  },
]);

/**
 * Kafka's ConsumerConfig keys that kzoo's Consumer honours. Kafka has no validator on
 * session.timeout.ms and heartbeat.interval.ms; kzoo keeps its lower bound of 1 ms, and of
 * 0 for socket.connection.setup.timeout.ms.
 */
export const CONSUMER_CONFIG_DEF = new ConfigDef().defineAll([
  ...commonKeys('LOW'),
  {
    name: 'group.id',
    type: 'STRING',
    default: null,
    importance: 'HIGH',
    doc: 'Consumer group; needed by subscribe, commit and committed.',
  },
  {
    name: 'group.instance.id',
    type: 'STRING',
    default: null,
    validator: NonEmptyString,
    importance: 'MEDIUM',
    doc: 'Static member (KIP-345): restarts keep the partitions; no LeaveGroup on close.',
  },
  {
    name: 'session.timeout.ms',
    type: 'INT',
    default: 45000,
    validator: Range.atLeast(1),
    importance: 'HIGH',
    doc: "Within the broker's group.min/max.session.timeout.ms.",
  },
  {
    name: 'heartbeat.interval.ms',
    type: 'INT',
    default: 3000,
    validator: Range.atLeast(1),
    importance: 'HIGH',
    doc: 'Must be lower than session.timeout.ms.',
  },
  {
    name: 'max.poll.interval.ms',
    type: 'INT',
    default: 300000,
    validator: Range.atLeast(1),
    importance: 'MEDIUM',
    doc: 'The rebalance timeout; no poll() for this long = leave the group.',
  },
  {
    name: 'enable.auto.commit',
    type: 'BOOLEAN',
    default: true,
    importance: 'MEDIUM',
    doc: 'Positions committed every interval, before rebalances and on close.',
  },
  {
    name: 'auto.commit.interval.ms',
    type: 'INT',
    default: 5000,
    validator: Range.atLeast(0),
    importance: 'LOW',
    doc: 'How often positions are committed with enable.auto.commit.',
  },
  {
    name: 'partition.assignment.strategy',
    type: 'LIST',
    default: 'range',
    importance: 'MEDIUM',
    doc: '`range`, `roundrobin`, `sticky` (or Kafka class names), in order of preference.',
  },
  {
    name: 'auto.offset.reset',
    type: 'STRING',
    default: 'latest',
    validator: CaseInsensitiveValidString.in('latest', 'earliest', 'none'),
    importance: 'MEDIUM',
    doc: 'Where to start without a committed offset or out of range; `none` throws OFFSET_OUT_OF_RANGE.',
  },
  {
    name: 'fetch.min.bytes',
    type: 'INT',
    default: 1,
    validator: Range.atLeast(0),
    importance: 'HIGH',
    doc: 'Bytes a fetch waits for (up to fetch.max.wait.ms) before the broker answers.',
  },
  {
    name: 'fetch.max.wait.ms',
    type: 'INT',
    default: 500,
    validator: Range.atLeast(0),
    importance: 'LOW',
    doc: 'Longest a fetch waits at the broker for fetch.min.bytes.',
  },
  {
    name: 'fetch.max.bytes',
    type: 'INT',
    default: 52428800,
    validator: Range.atLeast(0),
    importance: 'MEDIUM',
    doc: 'Bytes per fetch response in all (at least one batch).',
  },
  {
    name: 'max.partition.fetch.bytes',
    type: 'INT',
    default: 1048576,
    validator: Range.atLeast(0),
    importance: 'HIGH',
    doc: 'Bytes per partition per fetch (at least one batch).',
  },
  {
    name: 'max.poll.records',
    type: 'INT',
    default: 500,
    validator: Range.atLeast(1),
    importance: 'MEDIUM',
    doc: 'Most records one poll() returns.',
  },
  {
    name: 'isolation.level',
    type: 'STRING',
    default: 'read_uncommitted',
    validator: CaseInsensitiveValidString.in('read_committed', 'read_uncommitted'),
    importance: 'MEDIUM',
    doc: 'read_committed: only committed transactional records, up to the last stable offset; aborted ones are skipped.',
  },
  {
    name: 'check.crcs',
    type: 'BOOLEAN',
    default: true,
    importance: 'LOW',
    doc: 'CRC-32C of each batch checked before decoding.',
  },
  {
    name: 'allow.auto.create.topics',
    type: 'BOOLEAN',
    default: true,
    importance: 'MEDIUM',
    doc: 'Ask for auto-creation in Metadata requests (the broker decides).',
  },
]);

/** Kafka's AdminClientConfig keys that kzoo's Admin honours. */
export const ADMIN_CONFIG_DEF = new ConfigDef().defineAll([
  ...commonKeys('MEDIUM'),
  {
    name: 'default.api.timeout.ms',
    type: 'INT',
    default: 60000,
    validator: Range.atLeast(0),
    importance: 'MEDIUM',
    doc: 'Timeout of Admin calls that take no timeout of their own.',
  },
]);

/** The keys every client has. */
export interface CommonClientConfig {
  'bootstrap.servers': string[];
  'client.id': string;
  'request.timeout.ms': number;
  'retry.backoff.ms': number;
  'metadata.max.age.ms': number;
  'socket.connection.setup.timeout.ms': number;
  'socket.connection.setup.timeout.max.ms': number;
  'reconnect.backoff.ms': number;
  'reconnect.backoff.max.ms': number;
}

export interface ProducerConfig extends CommonClientConfig {
  acks: 'all' | '-1' | '0' | '1';
  'transactional.id': string | null;
  'transaction.timeout.ms': number;
  'enable.idempotence': boolean;
  'batch.size': number;
  'linger.ms': number;
  'compression.type': CompressionName;
  retries: number;
  'delivery.timeout.ms': number;
  'max.in.flight.requests.per.connection': number;
  'max.request.size': number;
  'buffer.memory': number;
  'max.block.ms': number;
}

export interface ConsumerConfig extends CommonClientConfig {
  'group.id': string | null;
  'group.instance.id': string | null;
  'session.timeout.ms': number;
  'heartbeat.interval.ms': number;
  'max.poll.interval.ms': number;
  'enable.auto.commit': boolean;
  'auto.commit.interval.ms': number;
  'partition.assignment.strategy': string[];
  'auto.offset.reset': 'earliest' | 'latest' | 'none';
  'fetch.min.bytes': number;
  'fetch.max.wait.ms': number;
  'fetch.max.bytes': number;
  'max.partition.fetch.bytes': number;
  'max.poll.records': number;
  'isolation.level': 'read_uncommitted' | 'read_committed';
  'check.crcs': boolean;
  'allow.auto.create.topics': boolean;
}

export interface AdminConfig extends CommonClientConfig {
  'default.api.timeout.ms': number;
}

/** What users pass: Kafka key names, values as numbers/booleans or their string forms. */
export type ConfigInput = Record<string, string | number | boolean | string[] | null | undefined>;

/** Keys whose values kzoo keeps in lower case (accepted in any case). */
const LOWER_CASE_KEYS = ['acks', 'compression.type', 'auto.offset.reset', 'isolation.level'];

/** Checks `input` against `def`, fills in Kafka's defaults, warns about unknown keys. */
function parseWith<T extends CommonClientConfig>(
  def: ConfigDef,
  input: ConfigInput,
  logger: Logger,
): T {
  const out = def.parse(input, { logger });
  for (const k of LOWER_CASE_KEYS)
    if (typeof out[k] === 'string') out[k] = (out[k] as string).toLowerCase();
  const cfg = out as unknown as T;
  reconnectBackoffDefaults(cfg, input, logger);
  return cfg;
}

/**
 * Kafka's postProcessReconnectBackoffConfigs and warnDisablingExponentialBackoff: a
 * `reconnect.backoff.ms` set without `reconnect.backoff.max.ms` is a fixed backoff (the max
 * takes its value), and a base above its max gives a fixed wait of the max, each with
 * Kafka's warning.
 */
function reconnectBackoffDefaults(cfg: CommonClientConfig, input: ConfigInput, logger: Logger) {
  if (input['reconnect.backoff.max.ms'] == null && input['reconnect.backoff.ms'] != null) {
    logger.warn(
      'Disabling exponential reconnect backoff because reconnect.backoff.ms is set, but reconnect.backoff.max.ms is not.',
    );
    cfg['reconnect.backoff.max.ms'] = cfg['reconnect.backoff.ms'];
  }
  const setup = cfg['socket.connection.setup.timeout.ms'];
  const setupMax = cfg['socket.connection.setup.timeout.max.ms'];
  if (setup > setupMax)
    logger.warn(
      `Configuration 'socket.connection.setup.timeout.ms' with value '${setup}' is greater than configuration 'socket.connection.setup.timeout.max.ms' with value '${setupMax}'. A static connection setup timeout with value '${setupMax}' will be applied.`,
    );
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

/** `logger` receives the warnings about unknown keys (default: `producer`). */
export function parseProducerConfig(
  input: ConfigInput,
  logger: Logger = createLogger('producer'),
): ProducerConfig {
  const cfg = parseWith<ProducerConfig>(PRODUCER_CONFIG_DEF, input, logger);
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
    if (explicit || cfg['transactional.id'] !== null)
      throw new KafkaError(
        'INVALID_CONFIG',
        `enable.idempotence=true conflicts with ${conflicts.join(', ')}; set enable.idempotence=false or fix the setting`,
      );
    cfg['enable.idempotence'] = false;
  }
  if (cfg['transactional.id'] !== null && !cfg['enable.idempotence'])
    throw new KafkaError(
      'INVALID_CONFIG',
      'transactional.id needs enable.idempotence=true (the transactional producer is idempotent)',
    );
  return cfg;
}

/** `logger` receives the warnings about unknown keys (default: `consumer`). */
export function parseConsumerConfig(
  input: ConfigInput,
  logger: Logger = createLogger('consumer'),
): ConsumerConfig {
  const cfg = parseWith<ConsumerConfig>(CONSUMER_CONFIG_DEF, input, logger);
  bootstrapServers(cfg);
  if (cfg['heartbeat.interval.ms'] >= cfg['session.timeout.ms'])
    throw new KafkaError(
      'INVALID_CONFIG',
      `heartbeat.interval.ms (${cfg['heartbeat.interval.ms']}) must be lower than session.timeout.ms (${cfg['session.timeout.ms']})`,
    );
  return cfg;
}

/** `logger` receives the warnings about unknown keys (default: `admin`). */
export function parseAdminConfig(
  input: ConfigInput,
  logger: Logger = createLogger('admin'),
): AdminConfig {
  const cfg = parseWith<AdminConfig>(ADMIN_CONFIG_DEF, input, logger);
  bootstrapServers(cfg);
  return cfg;
}

/** `acks` as the Produce request carries it: 0, 1 or -1. */
export function acksValue(acks: string): number {
  return acks === 'all' ? -1 : Number(acks);
}
