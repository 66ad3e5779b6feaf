/**
 * DynamicBrokerConfig: broker configs changed at runtime, as Kafka's
 * `kafka.server.DynamicBrokerConfig` in ZooKeeper mode.
 *
 * Two levels live in ZooKeeper: per broker in `/config/brokers/<id>` and cluster-wide in
 * `/config/brokers/<default>` (Kafka's ConfigEntityName.Default), both
 * `{"version":1,"config":{...}}`. The value a broker runs with is, most specific first:
 * its own dynamic config (DYNAMIC_BROKER_CONFIG), the cluster default
 * (DYNAMIC_DEFAULT_BROKER_CONFIG), its server.properties and overrides
 * (STATIC_BROKER_CONFIG), the built-in default (DEFAULT_CONFIG); a topic's override in
 * `/config/topics/<t>` beats all of them for that topic's logs.
 *
 * Only DYNAMIC_BROKER_CONFIGS may change at runtime: the broker keys of Kafka's
 * DynamicLogConfig (the topic defaults) that kzoo has, and the replication throttle rates
 * of Kafka's DynamicConfig.Broker (applied by ReplicationQuotas from this broker's own level). Others are refused with Kafka's
 * "Cannot update these configs dynamically: Set(...)"; keys no definition knows are kept
 * (Kafka allows custom broker configs) but have no effect. The broker reads both znodes
 * at startup (before it opens its logs) and then on each `/config/changes` notification
 * naming `brokers/<id>` or `brokers/<default>` (DynamicConfigManager →
 * BrokerConfigHandler); every change builds a new current KafkaConfig and hands the old
 * and the new one to each reconfigurable (Kafka's BrokerReconfigurable).
 */
import { KafkaError, createLogger, type Logger } from '@kzoo/common';
import type { LogManager } from '@kzoo/log';
import { ConfigEntityName, type KafkaZk } from '@kzoo/zk';
import { BROKER_CONFIG_DEF, KafkaConfig, logDefaultsFrom } from '../config';
import type { KafkaController } from '../controller/KafkaController';
import type { ReplicaManager } from './ReplicaManager';

/**
 * The broker keys kzoo applies without a restart: Kafka's DynamicLogConfig keys (the
 * primary broker synonym of each topic config) that kzoo defines. Kafka's
 * `log.retention.hours`/`minutes` and `log.roll.hours` are not among them (only the
 * `.ms` keys are), exactly as in Kafka.
 */
export const DYNAMIC_BROKER_CONFIGS: ReadonlySet<string> = new Set([
  'log.segment.bytes',
  'log.roll.ms',
  'log.index.size.max.bytes',
  'log.flush.interval.messages',
  'log.flush.interval.ms',
  'log.retention.bytes',
  'log.retention.ms',
  'message.max.bytes',
  'log.index.interval.bytes',
  'log.cleanup.policy',
  'unclean.leader.election.enable',
  'min.insync.replicas',
  'log.message.timestamp.type',
  // Kafka's DynamicProducerStateManagerConfig
  'producer.id.expiration.ms',
  // Kafka's DynamicConfig.Broker (replication throttles, ReplicationQuotaManager)
  'leader.replication.throttled.rate',
  'follower.replication.throttled.rate',
]);

/** Kafka's BrokerReconfigurable: told after the current config changed. */
export interface BrokerReconfigurable {
  reconfigure(oldConfig: KafkaConfig, newConfig: KafkaConfig): void;
}

/** Kafka's ConfigException text for a set of names: `Set(a, b)`. */
function scalaSet(names: readonly string[]): string {
  return `Set(${names.join(', ')})`;
}

/**
 * Kafka's DynamicBrokerConfig.validateConfigs without the KafkaConfig rebuild: non-dynamic
 * keys first ("Cannot update these configs dynamically: Set(k)"), then each known key's
 * value against its definition ("Invalid value v for configuration k: ..."). Throws
 * KafkaError INVALID_CONFIG with that text (the admin path makes it INVALID_REQUEST).
 */
export function validateDynamicConfigs(props: Readonly<Record<string, string>>): void {
  const nonDynamic = Object.keys(props).filter(
    (k) => BROKER_CONFIG_DEF.has(k) && !DYNAMIC_BROKER_CONFIGS.has(k),
  );
  if (nonDynamic.length > 0)
    throw new KafkaError(
      'INVALID_CONFIG',
      `Cannot update these configs dynamically: ${scalaSet(nonDynamic)}`,
    );
  for (const [k, v] of Object.entries(props))
    if (BROKER_CONFIG_DEF.has(k)) BROKER_CONFIG_DEF.parseValue(k, v);
}

/** The ZooKeeper entity name of a broker's dynamic configs: its id, or `<default>`. */
export function brokerEntityName(brokerId: number | null): string {
  return brokerId === null ? ConfigEntityName.Default : String(brokerId);
}

export class DynamicBrokerConfig {
  private dynamicBroker: Record<string, string> = {};
  private dynamicDefault: Record<string, string> = {};
  private current: KafkaConfig;
  private readonly reconfigurables: BrokerReconfigurable[] = [];
  private readonly log: Logger;

  constructor(
    readonly staticConfig: KafkaConfig,
    opts: { logger?: Logger } = {},
  ) {
    this.current = staticConfig;
    this.log = opts.logger ?? createLogger('dynamic.broker.config');
  }

  /** The config this broker runs with now: static, overlaid with the dynamic levels. */
  get currentConfig(): KafkaConfig {
    return this.current;
  }
  /** This broker's dynamic configs (`/config/brokers/<id>`), as applied. */
  get currentDynamicBrokerConfigs(): Readonly<Record<string, string>> {
    return this.dynamicBroker;
  }
  /** The cluster-wide dynamic defaults (`/config/brokers/<default>`), as applied. */
  get currentDynamicDefaultConfigs(): Readonly<Record<string, string>> {
    return this.dynamicDefault;
  }

  /** Kafka's initialize: reads both levels from ZooKeeper before anything uses the config. */
  async initialize(zk: KafkaZk, brokerId: number): Promise<void> {
    this.dynamicDefault = this.usable(
      await zk.getEntityConfigs('brokers', ConfigEntityName.Default),
      ConfigEntityName.Default,
    );
    this.dynamicBroker = this.usable(
      await zk.getEntityConfigs('brokers', String(brokerId)),
      String(brokerId),
    );
    this.current = this.build(this.dynamicDefault, this.dynamicBroker);
  }

  addReconfigurable(r: BrokerReconfigurable): void {
    this.reconfigurables.push(r);
  }

  /**
   * Kafka's validate: would `props` as the complete new set of this broker's
   * (`perBroker`) or the cluster's dynamic configs be accepted? Throws KafkaError
   * INVALID_CONFIG with Kafka's ConfigException text.
   */
  validate(props: Readonly<Record<string, string>>, perBroker: boolean): void {
    validateDynamicConfigs(props);
    const def = perBroker ? this.dynamicDefault : props;
    const broker = perBroker ? props : this.dynamicBroker;
    this.build(def, broker); // cross-key checks of KafkaConfig
  }

  /** A new complete set of this broker's dynamic configs (Kafka's updateBrokerConfig). */
  updateBrokerConfig(props: Readonly<Record<string, string>>): void {
    this.update(this.dynamicDefault, this.usable(props, 'this broker'), 'broker');
  }

  /** A new complete set of the cluster-wide dynamic defaults (Kafka's updateDefaultConfig). */
  updateDefaultConfig(props: Readonly<Record<string, string>>): void {
    this.update(this.usable(props, ConfigEntityName.Default), this.dynamicBroker, 'default');
  }

  private update(
    def: Record<string, string>,
    broker: Record<string, string>,
    which: 'broker' | 'default',
  ): void {
    let next: KafkaConfig;
    try {
      next = this.build(def, broker);
    } catch (e) {
      this.log.error('dynamic broker config refused, keeping the current config', {
        level: which,
        error: e,
      });
      return;
    }
    const old = this.current;
    this.dynamicDefault = def;
    this.dynamicBroker = broker;
    this.current = next;
    for (const r of this.reconfigurables) {
      try {
        r.reconfigure(old, next);
      } catch (e) {
        this.log.error('reconfiguration failed', { level: which, error: e });
      }
    }
  }

  /**
   * Kafka's removeInvalidConfigs for what ZooKeeper holds: known non-dynamic keys and bad
   * values are dropped with a warning (someone wrote the znode by hand); custom keys stay.
   */
  private usable(props: Readonly<Record<string, string>>, entity: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(props)) {
      try {
        validateDynamicConfigs({ [k]: v });
        out[k] = v;
      } catch (e) {
        this.log.warn('dynamic broker config ignored', {
          entity,
          key: k,
          error: (e as Error).message,
        });
      }
    }
    return out;
  }

  /** Static originals, overlaid with the dynamic default, then this broker's (known keys only). */
  private build(def: Readonly<Record<string, string>>, broker: Readonly<Record<string, string>>) {
    const known = (o: Readonly<Record<string, string>>) =>
      Object.fromEntries(Object.entries(o).filter(([k]) => BROKER_CONFIG_DEF.has(k)));
    return new KafkaConfig(
      { ...this.staticConfig.originals, ...known(def), ...known(broker) },
      { warnUnknown: false },
    );
  }
}

/**
 * Kafka's DynamicLogConfig (and DynamicProducerStateManagerConfig): new broker defaults
 * reach the live logs (each under its topic's overrides), the partitions without a
 * min.insync.replicas override, the producer-state expiration, and, when
 * unclean.leader.election.enable turns true, the controller (if this broker is it),
 * which elects the leaderless partitions.
 */
export class DynamicLogConfig implements BrokerReconfigurable {
  constructor(
    private readonly opts: {
      logManager: Pick<
        LogManager,
        'reconfigureDefaultLogConfig' | 'reconfigureProducerIdExpirationMs'
      >;
      replicaManager: Pick<ReplicaManager, 'reconfigureMinInsyncReplicas'>;
      controller: () => Pick<KafkaController, 'enableDefaultUncleanLeaderElection'> | null;
      logger: Logger;
    },
  ) {}

  reconfigure(oldConfig: KafkaConfig, newConfig: KafkaConfig): void {
    const logs = this.opts.logManager.reconfigureDefaultLogConfig(logDefaultsFrom(newConfig));
    this.opts.logManager.reconfigureProducerIdExpirationMs(
      newConfig.getInt('producer.id.expiration.ms'),
    );
    const partitions = this.opts.replicaManager.reconfigureMinInsyncReplicas(
      newConfig.getInt('min.insync.replicas'),
    );
    this.opts.logger.info('applied dynamic broker config', { logs, partitions });
    const unclean = 'unclean.leader.election.enable';
    if (newConfig.getBoolean(unclean) && !oldConfig.getBoolean(unclean))
      this.opts.controller()?.enableDefaultUncleanLeaderElection();
  }
}
