/**
 * DynamicConfigManager: applies entity config changes live, as Kafka's
 * `DynamicConfigManager` over a `ZkNodeChangeNotificationListener`.
 *
 * Whoever changes `/config/<type>/<name>` (AdminZkClient.changeTopicConfig) then creates
 * a PERSISTENT_SEQUENTIAL `/config/changes/config_change_<seq>` naming the entity
 * (`{"version":2,"entity_path":"topics/orders"}`). Every broker keeps a child watch on
 * `/config/changes`; on a change (and at startup, and after a new ZooKeeper session,
 * whose watches start empty) it lists the notifications and processes, in order, those
 * with a sequence number above the last one it processed: it re-reads the entity's
 * config znode and hands the complete override set to the handler of that entity type.
 * Notifications older than `changeExpirationMs` (Kafka: 15 minutes) are deleted by
 * whichever broker sees them. Processing is serial; changes arriving during a pass
 * queue at most one more pass (Kafka's one-slot queue).
 *
 * Handlers: `topics` → TopicConfigHandler (the topic's logs and partitions on this
 * broker; the controller, if this broker is it, elects leaderless partitions when
 * unclean.leader.election.enable turns true); `brokers` → BrokerConfigHandler
 * (`brokers/<default>` and `brokers/<this id>` into DynamicBrokerConfig; other ids are
 * not this broker's business); `clients` → ClientIdConfigHandler and `users` →
 * UserConfigHandler (`users/<user>` and `users/<user>/clients/<id>`: client quotas,
 * ClientQuotaManager). `ips` (connection-rate quotas) are logged and skipped.
 */
import { createLogger, SystemTime, type Logger, type Time } from '@kzoo/common';
import {
  ConfigEntityChangeNotificationSequenceZNode,
  ConfigEntityName,
  ConfigTypes,
  ZkSessionClosedError,
  type ConfigType,
  type KafkaZkClient,
} from '@kzoo/zk';
import type { KafkaController } from '../controller/KafkaController';
import type { DynamicBrokerConfig } from './DynamicBrokerConfig';
import type { ReplicaManager } from './ReplicaManager';

/** Applies one entity's new complete override set (Kafka's ConfigHandler). */
export interface ConfigHandler {
  processConfigChanges(entityName: string, config: Record<string, string>): void | Promise<void>;
}

export interface DynamicConfigManagerOptions {
  zkClient: KafkaZkClient;
  handlers: Partial<Record<ConfigType, ConfigHandler>>;
  /** Notifications older than this are deleted (Kafka: 15 minutes). */
  changeExpirationMs?: number;
  time?: Time;
  logger?: Logger;
}

export class DynamicConfigManager {
  private lastExecutedChange = -1;
  private chain: Promise<void> = Promise.resolve();
  /** A pass queued but not started yet: later triggers join it. */
  private queued: Promise<void> | null = null;
  private closed = false;
  private readonly time: Time;
  private readonly log: Logger;

  constructor(private readonly opts: DynamicConfigManagerOptions) {
    this.time = opts.time ?? SystemTime;
    this.log = opts.logger ?? createLogger('dynamic.config.manager');
  }

  /** The sequence number of the last notification processed (-1: none yet). */
  get lastProcessedChange(): number {
    return this.lastExecutedChange;
  }

  /** Watches `/config/changes` and processes the notifications already there. */
  startup(): Promise<void> {
    this.opts.zkClient.zk.on('newSession', this.onNewSession);
    return this.trigger();
  }

  async shutdown(): Promise<void> {
    this.closed = true;
    this.opts.zkClient.zk.off('newSession', this.onNewSession);
    await this.chain;
  }

  /** Queues a pass over the notifications (at most one waits); resolves when it ran. */
  trigger(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.queued) return this.queued;
    const pass = this.chain.then(() => {
      this.queued = null;
      return this.processNotifications();
    });
    this.queued = pass;
    this.chain = pass.catch(() => undefined);
    return pass;
  }

  private readonly onNewSession = (): void => {
    void this.trigger();
  };

  private readonly watcher = (): void => {
    void this.trigger();
  };

  private async processNotifications(): Promise<void> {
    if (this.closed) return;
    const zk = this.opts.zkClient;
    try {
      const notifications = await zk.getConfigChangeNotifications(this.watcher);
      if (notifications.length === 0) return;
      const now = this.time.milliseconds();
      for (const name of notifications) {
        const changeId = changeNumber(name);
        if (changeId === null || changeId <= this.lastExecutedChange) continue;
        await this.processNotification(name);
        this.lastExecutedChange = changeId;
      }
      await this.purgeObsoleteNotifications(now, notifications);
    } catch (e) {
      if (e instanceof ZkSessionClosedError || this.closed) return;
      this.log.error('error while processing config change notifications', { error: e });
    }
  }

  private async processNotification(name: string): Promise<void> {
    let entityPath: string | undefined;
    try {
      const n = await this.opts.zkClient.getConfigChangeNotification(name);
      if (!n) return; // purged meanwhile
      entityPath = n.entityPath;
      const slash = entityPath.indexOf('/');
      const type = entityPath.slice(0, slash) as ConfigType;
      const entity = entityPath.slice(slash + 1);
      if (slash <= 0 || !entity || !ConfigTypes.includes(type))
        throw new Error(`invalid entity path ${entityPath}`);
      const handler = this.opts.handlers[type];
      if (!handler) {
        this.log.debug('config change not applied: kzoo has no dynamic configs of this type', {
          entityPath,
        });
        return;
      }
      const config = await this.opts.zkClient.getEntityConfigs(type, entity);
      this.log.info('processing config change', { entityPath, config: JSON.stringify(config) });
      await handler.processConfigChanges(entity, config);
    } catch (e) {
      if (e instanceof ZkSessionClosedError) throw e;
      // One bad notification must not stop the others (Kafka logs it and goes on).
      this.log.error('error processing config change notification', {
        notification: name,
        entityPath,
        error: e,
      });
    }
  }

  private async purgeObsoleteNotifications(now: number, notifications: string[]): Promise<void> {
    const expiration = this.opts.changeExpirationMs ?? 15 * 60 * 1000;
    for (const name of notifications) {
      const n = await this.opts.zkClient.getConfigChangeNotification(name).catch(() => null);
      if (n && now - n.ctime > expiration) {
        this.log.debug('purging config change notification', { notification: name });
        await this.opts.zkClient.deleteConfigChangeNotification(name);
      }
    }
  }
}

/** `config_change_0000000042` → 42 (null for a foreign child). */
function changeNumber(name: string): number | null {
  const prefix = ConfigEntityChangeNotificationSequenceZNode.prefix;
  if (!name.startsWith(prefix)) return null;
  const n = Number(name.slice(prefix.length));
  return Number.isSafeInteger(n) ? n : null;
}

/** Kafka's TopicConfigHandler: a topic's new overrides reach its logs and partitions here. */
export class TopicConfigHandler implements ConfigHandler {
  constructor(
    private readonly opts: {
      replicaManager: ReplicaManager;
      /** This broker's controller module (it acts only while active). */
      controller: () => KafkaController | null;
      logger: Logger;
    },
  ) {}

  processConfigChanges(topic: string, config: Record<string, string>): void {
    const n = this.opts.replicaManager.updateTopicConfig(topic, config);
    this.opts.logger.info('applied topic config change', { topic, partitions: n });
    if (config['unclean.leader.election.enable']?.trim().toLowerCase() === 'true')
      this.opts.controller()?.enableTopicUncleanLeaderElection(topic);
  }
}

/** Kafka's BrokerConfigHandler: the cluster default and this broker's dynamic configs. */
export class BrokerConfigHandler implements ConfigHandler {
  constructor(
    private readonly opts: {
      brokerId: number;
      dynamicConfig: DynamicBrokerConfig;
      logger: Logger;
    },
  ) {}

  processConfigChanges(entity: string, config: Record<string, string>): void {
    if (entity === ConfigEntityName.Default) this.opts.dynamicConfig.updateDefaultConfig(config);
    else if (entity === String(this.opts.brokerId))
      this.opts.dynamicConfig.updateBrokerConfig(config);
    else return;
    this.opts.logger.info('applied broker config change', {
      entity,
      config: JSON.stringify(config),
    });
  }
}
