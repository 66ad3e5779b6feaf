/**
 * KafkaConfig: broker configuration with Kafka's key names, types and defaults
 * (Kafka's `KafkaConfig.scala`). Built from a `key=value` map (server.properties,
 * `--override`s, CLI flags); typed getters for the keys kzoo uses, `get*()` for the rest.
 * Bad values throw KafkaError INVALID_CONFIG with Kafka's message shape:
 * `Invalid value abc for configuration broker.id: Not a number of type INT`.
 * The table below is documented in packages/broker/README.md.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { KafkaError, parseProperties } from '@kzoo/common';
import { EndPoint, endpointString, parseEndpoint } from '@kzoo/zk';
import type { WireProtocol } from './network/wire';

export type ConfigType = 'int' | 'long' | 'boolean' | 'string' | 'list';

export interface ConfigDef {
  name: string;
  type: ConfigType;
  /** undefined = required; null = no default (unset). */
  default: number | boolean | string | null | undefined;
  doc: string;
}

/** The broker keys kzoo knows, with Kafka's defaults (2.5+ / 3.x). */
export const BROKER_CONFIG_DEFS: readonly ConfigDef[] = [
  {
    name: 'broker.id',
    type: 'int',
    default: -1,
    doc:
      'The broker id, unique in the cluster; -1: the one in meta.properties, else generated ' +
      '(above reserved.broker.max.id) when broker.id.generation.enable.',
  },
  {
    name: 'listeners',
    type: 'list',
    default: 'PLAINTEXT://:9092',
    doc: 'Listeners to bind, `NAME://host:port`, comma separated.',
  },
  {
    name: 'advertised.listeners',
    type: 'list',
    default: null,
    doc: 'Listeners registered in /brokers/ids/<id>; default `listeners` (an empty host becomes the machine host name).',
  },
  {
    name: 'listener.security.protocol.map',
    type: 'string',
    default: 'PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL',
    doc: 'Listener name to security protocol.',
  },
  {
    name: 'listener.wire.protocol.map',
    type: 'string',
    default: '',
    doc:
      "kzoo only: the wire protocol each listener speaks, `NAME:kafka` (Apache Kafka's binary " +
      "protocol, for Kafka clients and tools) or `NAME:kzoo` (the native protocol of kzoo's " +
      'clients and of inter-broker traffic), comma separated; unnamed listeners speak kzoo. ' +
      'The inter-broker listener must speak kzoo.',
  },
  {
    name: 'inter.broker.listener.name',
    type: 'string',
    default: null,
    doc: 'Listener used between brokers; default the first listener.',
  },
  {
    name: 'broker.rack',
    type: 'string',
    default: null,
    doc: 'Rack of the broker (registered as `rack`).',
  },
  { name: 'log.dirs', type: 'list', default: null, doc: 'Log directories; default `log.dir`.' },
  {
    name: 'log.dir',
    type: 'string',
    default: '/tmp/kafka-logs',
    doc: 'Log directory used when `log.dirs` is unset.',
  },
  {
    name: 'zookeeper.connect',
    type: 'string',
    default: undefined,
    doc: 'ZooKeeper `host:port[,host:port...][/chroot]`. Required.',
  },
  {
    name: 'zookeeper.session.timeout.ms',
    type: 'int',
    default: 18000,
    doc: 'ZooKeeper session timeout (6000 before Kafka 2.5).',
  },
  {
    name: 'zookeeper.connection.timeout.ms',
    type: 'int',
    default: null,
    doc: 'How long to wait for a ZooKeeper session at startup; default the session timeout.',
  },
  {
    name: 'zookeeper.max.in.flight.requests',
    type: 'int',
    default: 10,
    doc: 'Kafka key, accepted; not enforced by kzoo.',
  },
  {
    name: 'broker.id.generation.enable',
    type: 'boolean',
    default: true,
    doc: 'With broker.id=-1, take a new id from /brokers/seqid (reserved.broker.max.id + its version).',
  },
  {
    name: 'reserved.broker.max.id',
    type: 'int',
    default: 1000,
    doc: 'Highest id a user may configure; generated ids start above it.',
  },
  {
    name: 'controlled.shutdown.enable',
    type: 'boolean',
    default: true,
    doc: 'On shutdown, ask the controller to move leaderships away first (ControlledShutdown).',
  },
  {
    name: 'controlled.shutdown.max.retries',
    type: 'int',
    default: 3,
    doc: 'ControlledShutdown attempts while partitions remain led by this broker.',
  },
  {
    name: 'controlled.shutdown.retry.backoff.ms',
    type: 'long',
    default: 5000,
    doc: 'Wait between ControlledShutdown attempts.',
  },
  {
    name: 'controller.socket.timeout.ms',
    type: 'int',
    default: 30000,
    doc: 'Controller-to-broker request timeout.',
  },
  {
    name: 'auto.leader.rebalance.enable',
    type: 'boolean',
    default: true,
    doc: 'Periodically move leadership back to preferred replicas when a broker is imbalanced.',
  },
  {
    name: 'leader.imbalance.check.interval.seconds',
    type: 'long',
    default: 300,
    doc: 'Interval of the leader imbalance check (first check 5 s after failover).',
  },
  {
    name: 'leader.imbalance.per.broker.percentage',
    type: 'int',
    default: 10,
    doc: 'Allowed leader imbalance per broker.',
  },
  {
    name: 'unclean.leader.election.enable',
    type: 'boolean',
    default: false,
    doc: 'Elect an out-of-sync replica when no ISR member is live (topic config overrides).',
  },
  { name: 'min.insync.replicas', type: 'int', default: 1, doc: 'Minimum ISR size for acks=all.' },
  {
    name: 'default.replication.factor',
    type: 'int',
    default: 1,
    doc: 'Replication factor of auto-created topics.',
  },
  { name: 'num.partitions', type: 'int', default: 1, doc: 'Partitions of auto-created topics.' },
  {
    name: 'auto.create.topics.enable',
    type: 'boolean',
    default: true,
    doc: 'Create topics on first metadata request.',
  },
  { name: 'delete.topic.enable', type: 'boolean', default: true, doc: 'Allow topic deletion.' },
  {
    name: 'replica.lag.time.max.ms',
    type: 'long',
    default: 30000,
    doc: 'Followers behind longer than this leave the ISR.',
  },
  {
    name: 'replica.fetch.wait.max.ms',
    type: 'int',
    default: 500,
    doc: 'Longest a follower fetch waits at the leader for data (long poll).',
  },
  {
    name: 'replica.fetch.min.bytes',
    type: 'int',
    default: 1,
    doc: 'Bytes a follower fetch waits for before the leader answers.',
  },
  {
    name: 'replica.fetch.max.bytes',
    type: 'int',
    default: 1048576,
    doc: 'Bytes a follower fetches per partition per request (at least one batch).',
  },
  {
    name: 'replica.fetch.response.max.bytes',
    type: 'int',
    default: 10485760,
    doc: 'Bytes a follower fetches per request in all.',
  },
  {
    name: 'replica.fetch.backoff.ms',
    type: 'int',
    default: 1000,
    doc: 'Pause after a follower fetch error.',
  },
  {
    name: 'replica.socket.timeout.ms',
    type: 'int',
    default: 30000,
    doc: 'Socket timeout of follower fetch requests.',
  },
  {
    name: 'num.replica.fetchers',
    type: 'int',
    default: 1,
    doc: 'Kafka key, accepted; kzoo runs one fetcher per source broker.',
  },
  {
    name: 'inter.broker.protocol.version',
    type: 'string',
    default: '3.5',
    doc: 'Below 2.7-IV2 the partition leader writes ISR changes to ZooKeeper itself and signals /isr_change_notification; from it, it asks the controller (AlterPartition).',
  },
  {
    name: 'isr.change.notification.check.interval.ms',
    type: 'long',
    default: 2500,
    doc: 'kzoo key (hard-coded in Kafka): how often a leader on the ZooKeeper ISR path checks for ISR changes to announce.',
  },
  {
    name: 'isr.change.notification.linger.ms',
    type: 'long',
    default: 5000,
    doc: 'kzoo key (hard-coded in Kafka): announce ISR changes once none came for this long.',
  },
  {
    name: 'isr.change.notification.max.delay.ms',
    type: 'long',
    default: 60000,
    doc: 'kzoo key (hard-coded in Kafka): announce ISR changes at the latest after this long.',
  },
  {
    name: 'message.max.bytes',
    type: 'int',
    default: 1048588,
    doc: 'Largest record batch accepted.',
  },
  // Log defaults (topic-level overrides in /config/topics/<t> win).
  {
    name: 'log.segment.bytes',
    type: 'int',
    default: 1073741824,
    doc: 'Segment size (topic: segment.bytes).',
  },
  {
    name: 'log.roll.hours',
    type: 'int',
    default: 168,
    doc: 'Roll a segment after this long (topic: segment.ms).',
  },
  { name: 'log.roll.ms', type: 'long', default: null, doc: 'Overrides log.roll.hours.' },
  {
    name: 'log.retention.hours',
    type: 'int',
    default: 168,
    doc: 'Retention time (topic: retention.ms).',
  },
  {
    name: 'log.retention.minutes',
    type: 'int',
    default: null,
    doc: 'Overrides log.retention.hours.',
  },
  {
    name: 'log.retention.ms',
    type: 'long',
    default: null,
    doc: 'Overrides log.retention.minutes/hours; -1 = unlimited.',
  },
  {
    name: 'log.retention.bytes',
    type: 'long',
    default: -1,
    doc: 'Retention size per partition (topic: retention.bytes).',
  },
  {
    name: 'log.retention.check.interval.ms',
    type: 'long',
    default: 300000,
    doc: 'How often retention runs.',
  },
  {
    name: 'log.cleanup.policy',
    type: 'list',
    default: 'delete',
    doc: 'delete and/or compact (topic: cleanup.policy).',
  },
  {
    name: 'log.index.interval.bytes',
    type: 'int',
    default: 4096,
    doc: 'Bytes between offset index entries.',
  },
  {
    name: 'log.index.size.max.bytes',
    type: 'int',
    default: 10485760,
    doc: 'Offset index size (topic: segment.index.bytes).',
  },
  {
    name: 'log.flush.interval.messages',
    type: 'long',
    default: Number.MAX_SAFE_INTEGER,
    doc: 'fsync after this many records (topic: flush.messages).',
  },
  {
    name: 'log.flush.interval.ms',
    type: 'long',
    default: null,
    doc: 'fsync after this long (topic: flush.ms); default never.',
  },
  {
    name: 'log.flush.offset.checkpoint.interval.ms',
    type: 'int',
    default: 60000,
    doc: 'Recovery-point checkpoint interval.',
  },
  {
    name: 'log.message.timestamp.type',
    type: 'string',
    default: 'CreateTime',
    doc: 'CreateTime or LogAppendTime (topic: message.timestamp.type).',
  },
  {
    name: 'replica.high.watermark.checkpoint.interval.ms',
    type: 'long',
    default: 5000,
    doc: 'High-watermark checkpoint interval.',
  },
  {
    name: 'log.cleaner.enable',
    type: 'boolean',
    default: true,
    doc: 'Run the log cleaner (compaction of cleanup.policy=compact topics).',
  },
  {
    name: 'log.cleaner.backoff.ms',
    type: 'long',
    default: 15000,
    doc: 'Pause between cleaner passes.',
  },
  {
    name: 'producer.id.expiration.ms',
    type: 'int',
    default: 86400000,
    doc: 'Idempotent producer state is dropped after this long without a batch (Kafka 3.4+).',
  },
  {
    name: 'producer.id.expiration.check.interval.ms',
    type: 'int',
    default: 600000,
    doc: 'How often expired producer state is removed.',
  },
  // Network.
  {
    name: 'socket.request.max.bytes',
    type: 'int',
    default: 104857600,
    doc: 'Largest request frame; a bigger one closes the connection.',
  },
  {
    name: 'connections.max.idle.ms',
    type: 'long',
    default: 600000,
    doc: 'Idle connections are closed after this long.',
  },
  {
    name: 'queued.max.requests',
    type: 'int',
    default: 500,
    doc: 'Unanswered requests per connection before the broker stops reading it.',
  },
];

const DEFS = new Map(BROKER_CONFIG_DEFS.map((d) => [d.name, d]));

function invalid(name: string, value: unknown, reason: string): KafkaError {
  return new KafkaError(
    'INVALID_CONFIG',
    `Invalid value ${value} for configuration ${name}: ${reason}`,
  );
}

function parseValue(def: ConfigDef, raw: string): number | boolean | string | string[] {
  const v = raw.trim();
  switch (def.type) {
    case 'int':
    case 'long': {
      if (!/^-?\d+$/.test(v))
        throw invalid(def.name, raw, `Not a number of type ${def.type.toUpperCase()}`);
      const n = Number(v);
      const limit = def.type === 'int' ? 2 ** 31 - 1 : Number.MAX_SAFE_INTEGER;
      if (n > limit || n < -limit - 1)
        throw invalid(def.name, raw, `Out of range for type ${def.type.toUpperCase()}`);
      return n;
    }
    case 'boolean':
      if (!/^(true|false)$/i.test(v))
        throw invalid(def.name, raw, 'Expected value to be either true or false');
      return v.toLowerCase() === 'true';
    case 'list':
      return v === ''
        ? []
        : v
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean);
    case 'string':
      return v;
  }
}

export type ConfigInput = Record<string, string | number | boolean | null | undefined>;

export class KafkaConfig {
  /** Everything supplied, unknown keys included (Kafka warns about those; kzoo keeps them). */
  readonly originals: Readonly<Record<string, string>>;
  private readonly values = new Map<string, number | boolean | string | string[] | null>();

  /** The configured broker.id; -1 means found or generated at startup (read `Broker.brokerId`). */
  readonly brokerId: number;
  readonly listeners: readonly EndPoint[];
  readonly advertisedListeners: readonly EndPoint[];
  readonly listenerSecurityProtocolMap: Readonly<Record<string, string>>;
  readonly interBrokerListenerName: string;
  /** listener.wire.protocol.map, completed: every listener name -> its wire protocol. */
  readonly listenerWireProtocolMap: Readonly<Record<string, WireProtocol>>;
  readonly rack: string | null;
  readonly logDirs: readonly string[];
  readonly zkConnect: string;
  readonly zkSessionTimeoutMs: number;
  readonly zkConnectionTimeoutMs: number;

  constructor(input: ConfigInput) {
    const originals: Record<string, string> = {};
    for (const [k, v] of Object.entries(input))
      if (v !== undefined && v !== null) originals[k] = String(v);
    this.originals = originals;
    for (const def of BROKER_CONFIG_DEFS) {
      const raw = originals[def.name];
      if (raw !== undefined) {
        this.values.set(def.name, parseValue(def, raw));
      } else if (def.default === undefined) {
        throw new KafkaError(
          'INVALID_CONFIG',
          `Missing required configuration "${def.name}" which has no default value.`,
        );
      } else {
        this.values.set(
          def.name,
          def.default === null ? null : parseValue(def, String(def.default)),
        );
      }
    }

    this.brokerId = this.getInt('broker.id');
    const maxId = this.getInt('reserved.broker.max.id');
    if (maxId < 0) throw invalid('reserved.broker.max.id', maxId, 'Value must be at least 0');
    if (!this.getBoolean('broker.id.generation.enable')) {
      if (this.brokerId < 0) {
        throw invalid(
          'broker.id',
          this.brokerId,
          'broker.id must be greater than or equal to 0 (broker.id.generation.enable is false)',
        );
      }
    } else if (this.brokerId < -1 || this.brokerId > maxId) {
      throw invalid(
        'broker.id',
        this.brokerId,
        'broker.id must be greater than or equal to -1 and not greater than ' +
          `reserved.broker.max.id (${maxId})`,
      );
    }

    this.listenerSecurityProtocolMap = parseProtocolMap(
      this.getString('listener.security.protocol.map')!,
    );
    this.listeners = this.parseListeners('listeners', this.getList('listeners') ?? []);
    if (this.listeners.length === 0)
      throw invalid('listeners', '""', 'at least one listener is required');
    const advertised = this.getList('advertised.listeners');
    this.advertisedListeners = (
      advertised ? this.parseListeners('advertised.listeners', advertised) : this.listeners
    ).map((ep) => (ep.host === '' ? { ...ep, host: os.hostname() } : ep));
    for (const ep of this.advertisedListeners) {
      if (ep.host === '0.0.0.0' || ep.host === '::') {
        throw invalid(
          'advertised.listeners',
          endpointString(ep),
          'advertised.listeners cannot use the nonroutable meta-address 0.0.0.0. Use a routable IP address.',
        );
      }
    }
    this.interBrokerListenerName = (
      this.getString('inter.broker.listener.name') ?? this.listeners[0].listenerName
    ).toUpperCase();
    if (!this.advertisedListeners.some((e) => e.listenerName === this.interBrokerListenerName)) {
      throw invalid(
        'inter.broker.listener.name',
        this.interBrokerListenerName,
        'must be a listener name defined in advertised.listeners',
      );
    }
    this.listenerWireProtocolMap = parseWireProtocolMap(
      this.getString('listener.wire.protocol.map') ?? '',
      this.listeners.map((l) => l.listenerName),
    );
    if (this.listenerWireProtocolMap[this.interBrokerListenerName] !== 'kzoo') {
      throw invalid(
        'listener.wire.protocol.map',
        this.getString('listener.wire.protocol.map'),
        `the inter-broker listener ${this.interBrokerListenerName} must speak kzoo`,
      );
    }
    this.rack = this.getString('broker.rack');
    this.logDirs = this.getList('log.dirs') ?? [this.getString('log.dir')!];
    if (this.logDirs.length === 0)
      throw invalid('log.dirs', '""', 'at least one log directory is required');
    this.zkConnect = this.getString('zookeeper.connect')!;
    if (!this.zkConnect) throw invalid('zookeeper.connect', '""', 'must not be empty');
    this.zkSessionTimeoutMs = this.getInt('zookeeper.session.timeout.ms');
    if (this.zkSessionTimeoutMs <= 0)
      throw invalid('zookeeper.session.timeout.ms', this.zkSessionTimeoutMs, 'must be > 0');
    this.zkConnectionTimeoutMs =
      this.getIntOrNull('zookeeper.connection.timeout.ms') ?? this.zkSessionTimeoutMs;
  }

  /** Parses server.properties text; `overrides` win (like kafka-server-start's --override). */
  static fromProperties(text: string, overrides: ConfigInput = {}): KafkaConfig {
    return new KafkaConfig({ ...parseProperties(text), ...dropUndefined(overrides) });
  }

  static fromFile(file: string, overrides: ConfigInput = {}): KafkaConfig {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      throw new KafkaError(
        'INVALID_CONFIG',
        `cannot read config file ${file}: ${(e as Error).message}`,
      );
    }
    return KafkaConfig.fromProperties(text, overrides);
  }

  private parseListeners(name: string, list: string[]): EndPoint[] {
    const seen = new Set<string>();
    return list.map((s) => {
      let ep: EndPoint;
      try {
        ep = parseEndpoint(s, this.listenerSecurityProtocolMap);
      } catch (e) {
        throw invalid(name, s, (e as Error).message);
      }
      if (seen.has(ep.listenerName))
        throw invalid(
          name,
          list.join(','),
          `Each listener must have a different name, ${ep.listenerName} is repeated`,
        );
      seen.add(ep.listenerName);
      return ep;
    });
  }

  private known(name: string): ConfigDef {
    const d = DEFS.get(name);
    if (!d) throw new Error(`unknown broker config ${name}`);
    return d;
  }

  getInt(name: string): number {
    const v = this.getIntOrNull(name);
    if (v === null) throw new Error(`${name} has no value`);
    return v;
  }
  getIntOrNull(name: string): number | null {
    this.known(name);
    return this.values.get(name) as number | null;
  }
  getBoolean(name: string): boolean {
    this.known(name);
    return this.values.get(name) as boolean;
  }
  getString(name: string): string | null {
    this.known(name);
    return this.values.get(name) as string | null;
  }
  getList(name: string): string[] | null {
    this.known(name);
    return this.values.get(name) as string[] | null;
  }
  /** The wire protocol a listener speaks (`kzoo` for names not in the map). */
  wireProtocolOf(listenerName: string): WireProtocol {
    return this.listenerWireProtocolMap[listenerName.toUpperCase()] ?? 'kzoo';
  }

  /** A supplied value of any key, including keys kzoo does not know. */
  getOriginal(name: string): string | undefined {
    return this.originals[name];
  }
}

function parseWireProtocolMap(s: string, listenerNames: string[]): Record<string, WireProtocol> {
  const out: Record<string, WireProtocol> = {};
  for (const name of listenerNames) out[name] = 'kzoo';
  for (const pair of s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)) {
    const [rawName, rawWire, ...rest] = pair.split(':').map((x) => x.trim());
    const name = (rawName ?? '').toUpperCase();
    const wire = (rawWire ?? '').toLowerCase();
    if (!name || rest.length > 0 || (wire !== 'kafka' && wire !== 'kzoo'))
      throw invalid(
        'listener.wire.protocol.map',
        s,
        `bad entry ${JSON.stringify(pair)}: expected NAME:kafka or NAME:kzoo`,
      );
    if (!listenerNames.includes(name))
      throw invalid(
        'listener.wire.protocol.map',
        s,
        `${name} is not one of the listeners (${listenerNames.join(', ')})`,
      );
    out[name] = wire;
  }
  return out;
}

function parseProtocolMap(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)) {
    const [k, v] = pair.split(':').map((x) => x.trim().toUpperCase());
    if (!k || !v || !['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'].includes(v)) {
      throw invalid('listener.security.protocol.map', s, `bad entry ${JSON.stringify(pair)}`);
    }
    out[k] = v;
  }
  return out;
}

function dropUndefined(o: ConfigInput): ConfigInput {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null));
}

/** Topic-level log defaults from the broker's log.* keys (Kafka's LogConfig defaults). */
export function logDefaultsFrom(config: KafkaConfig): Record<string, string | number> {
  const hours = config.getInt('log.retention.hours');
  const minutes = config.getIntOrNull('log.retention.minutes');
  const retentionMs =
    config.getIntOrNull('log.retention.ms') ??
    (minutes !== null ? minutes * 60000 : hours * 3600000);
  const out: Record<string, string | number> = {
    'segment.bytes': config.getInt('log.segment.bytes'),
    'segment.ms': config.getIntOrNull('log.roll.ms') ?? config.getInt('log.roll.hours') * 3600000,
    'retention.ms': retentionMs,
    'retention.bytes': config.getInt('log.retention.bytes'),
    'cleanup.policy': (config.getList('log.cleanup.policy') ?? ['delete']).join(','),
    'index.interval.bytes': config.getInt('log.index.interval.bytes'),
    'segment.index.bytes': config.getInt('log.index.size.max.bytes'),
    'max.message.bytes': config.getInt('message.max.bytes'),
    'flush.messages': config.getInt('log.flush.interval.messages'),
    'message.timestamp.type': config.getString('log.message.timestamp.type') ?? 'CreateTime',
  };
  const flushMs = config.getIntOrNull('log.flush.interval.ms');
  if (flushMs !== null) out['flush.ms'] = flushMs;
  return out;
}
