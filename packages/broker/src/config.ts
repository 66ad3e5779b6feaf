/**
 * KafkaConfig: broker configuration with Kafka's key names, types, defaults, validators
 * and importance (Kafka's `KafkaConfig.scala`), defined once in BROKER_CONFIG_DEF (the
 * `group.*` keys included). Built from a `key=value` map (server.properties,
 * `--override`s, CLI flags); typed fields for the keys kzoo uses, `get*()` for the rest.
 * Bad values throw KafkaError INVALID_CONFIG with Kafka's message shape:
 * `Invalid value abc for configuration broker.id: Not a number of type INT`; an unknown
 * key is a warning naming it. The table in packages/broker/README.md is generated from
 * BROKER_CONFIG_DEF (`npm run docs:config`).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import {
  AbstractConfig,
  ConfigDef,
  KafkaError,
  NO_DEFAULT_VALUE,
  NonEmptyString,
  Range,
  ValidList,
  ValidString,
  configError,
  createLogger,
  parseProperties,
  type ConfigKey,
  type Logger,
} from '@kzoo/common';
import { EndPoint, endpointString, parseEndpoint } from '@kzoo/zk';
import type { WireProtocol } from './network/wire';
import {
  parsePeerAddressOverrides,
  peerAddressResolver,
  type PeerAddressResolver,
} from './network/peer-address';
import { GROUP_CONFIG_KEYS } from './coordinator/group/GroupConfig';
import { METRICS_CONFIG_KEYS } from './metrics/MetricsConfig';
import { TRANSACTION_CONFIG_KEYS } from './coordinator/transaction/TransactionConfig';
import { REPLICATION_QUOTA_CONFIG_KEYS } from './server/ReplicationQuotaManager';
import { CLIENT_QUOTA_CONFIG_KEYS } from './server/ClientQuotaManager';

/** The broker keys kzoo knows, with Kafka's defaults (2.5+ / 3.x). */
const BROKER_KEYS: readonly ConfigKey[] = [
  {
    name: 'broker.id',
    type: 'INT',
    default: -1,
    importance: 'HIGH',
    doc:
      'Unique broker id. `-1`: the id in `meta.properties`, else a new one from `/brokers/seqid` ' +
      '(`reserved.broker.max.id` + its version: 1001, ...).',
  },
  {
    name: 'listeners',
    type: 'LIST',
    default: 'PLAINTEXT://:9092',
    importance: 'HIGH',
    doc: 'Listeners to bind, `NAME://host:port`, comma separated.',
  },
  {
    name: 'advertised.listeners',
    type: 'LIST',
    default: null,
    importance: 'HIGH',
    doc: 'Listeners registered in /brokers/ids/<id>; default `listeners` (an empty host becomes the machine host name).',
  },
  {
    name: 'listener.security.protocol.map',
    type: 'STRING',
    default: 'PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL',
    importance: 'LOW',
    doc: 'Listener name to security protocol.',
  },
  {
    name: 'listener.wire.protocol.map',
    type: 'STRING',
    default: '',
    importance: 'LOW',
    doc:
      "kzoo only: the wire protocol each listener speaks, `NAME:kafka` (Apache Kafka's binary " +
      "protocol, for Kafka clients and tools) or `NAME:kzoo` (the native protocol of kzoo's " +
      'clients and of inter-broker traffic), comma separated; unnamed listeners speak kzoo. ' +
      'The inter-broker listener must speak kzoo.',
  },
  {
    name: 'kzoo.inter.broker.address.overrides',
    type: 'STRING',
    default: '',
    importance: 'LOW',
    doc:
      'kzoo only, a testing hook for fault injection: `<brokerId>@host:port,...` replaces the ' +
      "address this broker dials for those peers' inter-broker endpoint (replica fetchers, the " +
      "controller's channel, AlterPartition, controlled shutdown), e.g. a per-link proxy of " +
      '@kzoo/testkit. Leave empty in production.',
  },
  {
    name: 'inter.broker.listener.name',
    type: 'STRING',
    default: null,
    importance: 'MEDIUM',
    doc: 'Listener used between brokers; default the first listener.',
  },
  {
    name: 'broker.rack',
    type: 'STRING',
    default: null,
    importance: 'MEDIUM',
    doc: 'Rack of the broker (registered as `rack`).',
  },
  {
    name: 'log.dirs',
    type: 'LIST',
    default: null,
    importance: 'HIGH',
    doc: 'Log directories; default `log.dir`.',
  },
  {
    name: 'log.dir',
    type: 'STRING',
    default: '/tmp/kafka-logs',
    importance: 'HIGH',
    doc: 'Log directory used when `log.dirs` is unset.',
  },
  {
    name: 'zookeeper.connect',
    type: 'STRING',
    default: NO_DEFAULT_VALUE,
    validator: NonEmptyString,
    importance: 'HIGH',
    doc: 'ZooKeeper `host:port[,host:port...][/chroot]`. Required.',
  },
  {
    name: 'zookeeper.session.timeout.ms',
    type: 'INT',
    default: 18000,
    validator: Range.atLeast(1),
    importance: 'HIGH',
    doc: 'ZooKeeper session timeout (6000 before Kafka 2.5).',
  },
  {
    name: 'zookeeper.connection.timeout.ms',
    type: 'INT',
    default: null,
    importance: 'HIGH',
    doc: 'How long to wait for a ZooKeeper session at startup; default the session timeout.',
  },
  {
    name: 'zookeeper.set.acl',
    type: 'BOOLEAN',
    default: false,
    importance: 'HIGH',
    doc: "Create znodes with secure ACLs: only the brokers' ZooKeeper identity may change them (world may read). Needs kzoo.zookeeper.digest (kzoo has no SASL login to ZooKeeper).",
  },
  {
    name: 'kzoo.zookeeper.digest',
    type: 'STRING',
    default: null,
    importance: 'HIGH',
    doc: "kzoo addition: user:password the broker authenticates to ZooKeeper with (digest scheme), its identity in the znodes' ACLs. Kafka uses a SASL (JAAS Client) login instead.",
  },
  {
    name: 'zookeeper.max.in.flight.requests',
    type: 'INT',
    default: 10,
    validator: Range.atLeast(1),
    importance: 'HIGH',
    doc: 'Kafka key, accepted; not enforced by kzoo.',
  },
  {
    name: 'broker.id.generation.enable',
    type: 'BOOLEAN',
    default: true,
    importance: 'MEDIUM',
    doc: 'Lets `broker.id=-1` take a generated id (kept in `meta.properties`); when `false`, `broker.id` must be `>= 0`.',
  },
  {
    name: 'reserved.broker.max.id',
    type: 'INT',
    default: 1000,
    validator: Range.atLeast(0),
    importance: 'MEDIUM',
    doc: 'Highest id a user may configure (`broker.id` above it is refused); generated ids start above it.',
  },
  {
    name: 'controlled.shutdown.enable',
    type: 'BOOLEAN',
    default: true,
    importance: 'MEDIUM',
    doc: 'On shutdown, ask the controller to move leaderships away first (ControlledShutdown).',
  },
  {
    name: 'controlled.shutdown.max.retries',
    type: 'INT',
    default: 3,
    importance: 'MEDIUM',
    doc: 'ControlledShutdown attempts while partitions remain led by this broker.',
  },
  {
    name: 'controlled.shutdown.retry.backoff.ms',
    type: 'LONG',
    default: 5000,
    importance: 'MEDIUM',
    doc: 'Wait between ControlledShutdown attempts.',
  },
  {
    name: 'controller.socket.timeout.ms',
    type: 'INT',
    default: 30000,
    importance: 'MEDIUM',
    doc: 'Controller-to-broker request timeout.',
  },
  {
    name: 'auto.leader.rebalance.enable',
    type: 'BOOLEAN',
    default: true,
    importance: 'HIGH',
    doc: 'Periodically move leadership back to preferred replicas when a broker is imbalanced.',
  },
  {
    name: 'leader.imbalance.check.interval.seconds',
    type: 'LONG',
    default: 300,
    validator: Range.atLeast(1),
    importance: 'HIGH',
    doc: 'Interval of the leader imbalance check (first check 5 s after failover).',
  },
  {
    name: 'leader.imbalance.per.broker.percentage',
    type: 'INT',
    default: 10,
    importance: 'HIGH',
    doc: 'Allowed leader imbalance per broker.',
  },
  {
    name: 'unclean.leader.election.enable',
    type: 'BOOLEAN',
    default: false,
    importance: 'HIGH',
    doc: 'Elect an out-of-sync replica when no ISR member is live (topic config overrides).',
  },
  {
    name: 'min.insync.replicas',
    type: 'INT',
    default: 1,
    validator: Range.atLeast(1),
    importance: 'HIGH',
    doc: 'Minimum ISR size for acks=all.',
  },
  {
    name: 'default.replication.factor',
    type: 'INT',
    default: 1,
    importance: 'MEDIUM',
    doc: 'Replication factor of auto-created topics.',
  },
  {
    name: 'num.partitions',
    type: 'INT',
    default: 1,
    validator: Range.atLeast(1),
    importance: 'MEDIUM',
    doc: 'Partitions of auto-created topics.',
  },
  {
    name: 'auto.create.topics.enable',
    type: 'BOOLEAN',
    default: true,
    importance: 'HIGH',
    doc: 'Create topics on first metadata request.',
  },
  {
    name: 'delete.topic.enable',
    type: 'BOOLEAN',
    default: true,
    importance: 'HIGH',
    doc: 'Allow topic deletion.',
  },
  {
    name: 'replica.lag.time.max.ms',
    type: 'LONG',
    default: 30000,
    importance: 'HIGH',
    doc: 'Followers behind longer than this leave the ISR.',
  },
  {
    name: 'replica.fetch.wait.max.ms',
    type: 'INT',
    default: 500,
    importance: 'HIGH',
    doc: 'Longest a follower fetch waits at the leader for data (long poll).',
  },
  {
    name: 'replica.fetch.min.bytes',
    type: 'INT',
    default: 1,
    importance: 'HIGH',
    doc: 'Bytes a follower fetch waits for before the leader answers.',
  },
  {
    name: 'replica.fetch.max.bytes',
    type: 'INT',
    default: 1048576,
    validator: Range.atLeast(0),
    importance: 'MEDIUM',
    doc: 'Bytes a follower fetches per partition per request (at least one batch).',
  },
  {
    name: 'replica.fetch.response.max.bytes',
    type: 'INT',
    default: 10485760,
    validator: Range.atLeast(0),
    importance: 'MEDIUM',
    doc: 'Bytes a follower fetches per request in all.',
  },
  {
    name: 'replica.fetch.backoff.ms',
    type: 'INT',
    default: 1000,
    validator: Range.atLeast(0),
    importance: 'MEDIUM',
    doc: 'Pause after a follower fetch error.',
  },
  {
    name: 'replica.socket.timeout.ms',
    type: 'INT',
    default: 30000,
    importance: 'HIGH',
    doc: 'Socket timeout of follower fetch requests.',
  },
  {
    name: 'num.replica.fetchers',
    type: 'INT',
    default: 1,
    importance: 'HIGH',
    doc: 'Kafka key, accepted; kzoo runs one fetcher per source broker.',
  },
  {
    name: 'inter.broker.protocol.version',
    type: 'STRING',
    default: '3.5',
    importance: 'MEDIUM',
    doc: 'Below 2.7-IV2 the partition leader writes ISR changes to ZooKeeper itself and signals /isr_change_notification; from it, it asks the controller (AlterPartition).',
  },
  {
    name: 'isr.change.notification.check.interval.ms',
    type: 'LONG',
    default: 2500,
    importance: 'LOW',
    doc: 'kzoo key (hard-coded in Kafka): how often a leader on the ZooKeeper ISR path checks for ISR changes to announce.',
  },
  {
    name: 'isr.change.notification.linger.ms',
    type: 'LONG',
    default: 5000,
    importance: 'LOW',
    doc: 'kzoo key (hard-coded in Kafka): announce ISR changes once none came for this long.',
  },
  {
    name: 'isr.change.notification.max.delay.ms',
    type: 'LONG',
    default: 60000,
    importance: 'LOW',
    doc: 'kzoo key (hard-coded in Kafka): announce ISR changes at the latest after this long.',
  },
  {
    name: 'message.max.bytes',
    type: 'INT',
    default: 1048588,
    validator: Range.atLeast(0),
    importance: 'HIGH',
    doc: 'Largest record batch accepted.',
  },
  // Log defaults (topic-level overrides in /config/topics/<t> win).
  {
    name: 'log.segment.bytes',
    type: 'INT',
    default: 1073741824,
    validator: Range.atLeast(14),
    importance: 'HIGH',
    doc: 'Segment size (topic: segment.bytes).',
  },
  {
    name: 'log.roll.hours',
    type: 'INT',
    default: 168,
    validator: Range.atLeast(1),
    importance: 'HIGH',
    doc: 'Roll a segment after this long (topic: segment.ms).',
  },
  {
    name: 'log.roll.ms',
    type: 'LONG',
    default: null,
    importance: 'HIGH',
    doc: 'Overrides log.roll.hours.',
  },
  {
    name: 'log.retention.hours',
    type: 'INT',
    default: 168,
    importance: 'HIGH',
    doc: 'Retention time (topic: retention.ms).',
  },
  {
    name: 'log.retention.minutes',
    type: 'INT',
    default: null,
    importance: 'HIGH',
    doc: 'Overrides log.retention.hours.',
  },
  {
    name: 'log.retention.ms',
    type: 'LONG',
    default: null,
    importance: 'HIGH',
    doc: 'Overrides log.retention.minutes/hours; -1 = unlimited.',
  },
  {
    name: 'log.retention.bytes',
    type: 'LONG',
    default: -1,
    importance: 'HIGH',
    doc: 'Retention size per partition (topic: retention.bytes).',
  },
  {
    name: 'log.retention.check.interval.ms',
    type: 'LONG',
    default: 300000,
    validator: Range.atLeast(1),
    importance: 'MEDIUM',
    doc: 'How often retention runs.',
  },
  {
    name: 'log.cleanup.policy',
    type: 'LIST',
    default: 'delete',
    validator: ValidList.in('compact', 'delete'),
    importance: 'MEDIUM',
    doc: 'delete and/or compact (topic: cleanup.policy).',
  },
  {
    name: 'log.index.interval.bytes',
    type: 'INT',
    default: 4096,
    validator: Range.atLeast(0),
    importance: 'MEDIUM',
    doc: 'Bytes between offset index entries.',
  },
  {
    name: 'log.index.size.max.bytes',
    type: 'INT',
    default: 10485760,
    validator: Range.atLeast(4),
    importance: 'MEDIUM',
    doc: 'Offset index size (topic: segment.index.bytes).',
  },
  {
    name: 'log.flush.interval.messages',
    type: 'LONG',
    default: Number.MAX_SAFE_INTEGER,
    validator: Range.atLeast(1),
    importance: 'HIGH',
    doc: 'fsync after this many records (topic: flush.messages).',
  },
  {
    name: 'log.flush.interval.ms',
    type: 'LONG',
    default: null,
    importance: 'HIGH',
    doc: 'fsync after this long (topic: flush.ms); default never.',
  },
  {
    name: 'log.flush.offset.checkpoint.interval.ms',
    type: 'INT',
    default: 60000,
    validator: Range.atLeast(0),
    importance: 'HIGH',
    doc: 'Recovery-point checkpoint interval.',
  },
  {
    name: 'log.message.timestamp.type',
    type: 'STRING',
    default: 'CreateTime',
    validator: ValidString.in('CreateTime', 'LogAppendTime'),
    importance: 'MEDIUM',
    doc: 'CreateTime or LogAppendTime (topic: message.timestamp.type).',
  },
  {
    name: 'replica.high.watermark.checkpoint.interval.ms',
    type: 'LONG',
    default: 5000,
    importance: 'HIGH',
    doc: 'High-watermark checkpoint interval.',
  },
  {
    name: 'log.cleaner.enable',
    type: 'BOOLEAN',
    default: true,
    importance: 'MEDIUM',
    doc: 'Run the log cleaner (compaction of cleanup.policy=compact topics).',
  },
  {
    name: 'log.cleaner.backoff.ms',
    type: 'LONG',
    default: 15000,
    validator: Range.atLeast(0),
    importance: 'MEDIUM',
    doc: 'Pause between cleaner passes.',
  },
  {
    name: 'producer.id.expiration.ms',
    type: 'INT',
    default: 86400000,
    validator: Range.atLeast(1),
    importance: 'LOW',
    doc: 'Idempotent producer state is dropped after this long without a batch (Kafka 3.4+).',
  },
  {
    name: 'producer.id.expiration.check.interval.ms',
    type: 'INT',
    default: 600000,
    validator: Range.atLeast(1),
    importance: 'LOW',
    doc: 'How often expired producer state is removed.',
  },
  // Network.
  {
    name: 'socket.request.max.bytes',
    type: 'INT',
    default: 104857600,
    validator: Range.atLeast(1),
    importance: 'HIGH',
    doc: 'Largest request frame; a bigger one closes the connection.',
  },
  {
    name: 'connections.max.idle.ms',
    type: 'LONG',
    default: 600000,
    importance: 'MEDIUM',
    doc: 'Idle connections are closed after this long.',
  },
  {
    name: 'queued.max.requests',
    type: 'INT',
    default: 500,
    validator: Range.atLeast(1),
    importance: 'HIGH',
    doc: "The number of queued requests allowed before the network stops reading (Kafka: one broker-wide queue, the RequestChannel's). kzoo applies the bound to each connection's unanswered requests.",
  },
];

/** Every broker key kzoo knows: BROKER_KEYS, then Kafka's group coordinator keys. */
export const BROKER_CONFIG_DEF: ConfigDef = new ConfigDef()
  .defineAll(BROKER_KEYS)
  .defineAll(GROUP_CONFIG_KEYS)
  .defineAll(METRICS_CONFIG_KEYS)
  .defineAll(TRANSACTION_CONFIG_KEYS)
  .defineAll(REPLICATION_QUOTA_CONFIG_KEYS)
  .defineAll(CLIENT_QUOTA_CONFIG_KEYS);

const invalid = configError;

const defaultLogger = createLogger('broker.config');

export type ConfigInput = Record<string, string | number | boolean | null | undefined>;

export class KafkaConfig extends AbstractConfig {
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
  /** The address to dial for a peer's inter-broker endpoint (kzoo.inter.broker.address.overrides). */
  readonly interBrokerAddress: PeerAddressResolver;

  /**
   * `opts.logger` receives the warnings about unknown keys (default: `broker.config`);
   * `warnUnknown: false` for a config rebuilt from one already warned about.
   */
  constructor(input: ConfigInput, opts: { logger?: Logger; warnUnknown?: boolean } = {}) {
    super(BROKER_CONFIG_DEF, input, {
      logger: opts.logger ?? defaultLogger,
      warnUnknown: opts.warnUnknown,
    });
    this.brokerId = this.getInt('broker.id');
    const maxId = this.getInt('reserved.broker.max.id');
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
    this.interBrokerAddress = peerAddressResolver(
      parsePeerAddressOverrides(this.getString('kzoo.inter.broker.address.overrides') ?? ''),
    );
    this.rack = this.getString('broker.rack');
    this.logDirs = this.getList('log.dirs') ?? [this.getString('log.dir')!];
    if (this.logDirs.length === 0)
      throw invalid('log.dirs', '""', 'at least one log directory is required');
    this.zkConnect = this.getString('zookeeper.connect')!;
    this.zkSessionTimeoutMs = this.getInt('zookeeper.session.timeout.ms');
    this.zkConnectionTimeoutMs =
      this.getIntOrNull('zookeeper.connection.timeout.ms') ?? this.zkSessionTimeoutMs;
    const minSession = this.getInt('group.min.session.timeout.ms');
    const maxSession = this.getInt('group.max.session.timeout.ms');
    if (minSession > maxSession)
      throw invalid(
        'group.min.session.timeout.ms',
        minSession,
        `Value must be no more than group.max.session.timeout.ms (${maxSession})`,
      );
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
      // Served in plaintext but registered as SSL/SASL would mislead every client: refuse.
      if (ep.securityProtocol !== 'PLAINTEXT')
        throw invalid(
          name,
          s,
          `security protocol ${ep.securityProtocol} is not supported (listener ${ep.listenerName}); kzoo serves PLAINTEXT only`,
        );
      return ep;
    });
  }

  /** The wire protocol a listener speaks (`kzoo` for names not in the map). */
  wireProtocolOf(listenerName: string): WireProtocol {
    return this.listenerWireProtocolMap[listenerName.toUpperCase()] ?? 'kzoo';
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
