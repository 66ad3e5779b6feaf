/**
 * DataPlane: the broker's request path as one Broker component — LogManager (from
 * @kzoo/log), MetadataCache, ReplicaManager, KafkaApis and the SocketServer.
 *
 * startup (before registration, as Kafka): read the dynamic broker configs
 * (`/config/brokers/<default>` and `/<id>`, DynamicBrokerConfig), open (lock, recover)
 * the log dirs with the values they give, bind every
 * listener (one SocketServer each, speaking its `listener.wire.protocol.map` protocol,
 * all dispatching into the one KafkaApis table) and put the bound ports into the
 * endpoints the broker registers. ready (after
 * registration): start the LogManager's background work (retention, flush, checkpoints
 * including high watermarks, cleaner) and the DynamicConfigManager (topic, broker and
 * client/user quota config changes applied live; the quotas are loaded at startup). shutdown: stop accepting, answer the requests in
 * flight (parked fetches and produces complete at once), close the logs (which
 * checkpoints high watermarks and leaves the clean-shutdown marker).
 */
import { createLogger, Logger, SystemTime, Time } from '@kzoo/common';
import { LogManager } from '@kzoo/log';
import type { Broker, BrokerComponent } from '../Broker';
import { logDefaultsFrom } from '../config';
import { AdminZkClient } from '../admin/AdminZkClient';
import {
  SocketServer,
  kafkaCodec,
  nativeCodec,
  type WireCodec,
  type WireProtocol,
} from '../network';
import { ProducerIdManager } from './ProducerIdManager';
import {
  BrokerConfigHandler,
  DynamicConfigManager,
  TopicConfigHandler,
} from './DynamicConfigManager';
import { DynamicBrokerConfig, DynamicLogConfig } from './DynamicBrokerConfig';
import type { ApiSettings, BrokerContext } from './BrokerContext';
import { KafkaApis } from './KafkaApis';
import { MetadataCache } from './MetadataCache';
import { AlterPartitionManager } from './AlterPartitionManager';
import { usesAlterPartition, type IsrManager } from './IsrManager';
import { ReplicaManager } from './ReplicaManager';
import { ReplicationQuotas } from './ReplicationQuotaManager';
import { ClientIdConfigHandler, UserConfigHandler } from './ClientQuotaManager';
import { ClientQuotas } from './QuotaFactory';
import { ZkIsrManager } from './ZkIsrManager';

// Moved to config.ts (a leaf module the config handlers can import); re-exported here.
export { logDefaultsFrom };

export class DataPlane implements BrokerComponent {
  readonly name = 'data-plane';
  /** Made anew at startup, once the broker id is known (it may be generated). */
  private _metadataCache: MetadataCache;
  private _logManager: LogManager | null = null;
  private _replicaManager: ReplicaManager | null = null;
  private _socketServers: SocketServer[] = [];
  private _apis: KafkaApis | null = null;
  private _dynamicConfigManager: DynamicConfigManager | null = null;
  private _dynamicBrokerConfig: DynamicBrokerConfig | null = null;
  private _producerIdManager: ProducerIdManager | null = null;
  private _replicationQuotas: ReplicationQuotas | null = null;
  private _clientQuotas: ClientQuotas | null = null;
  private log: Logger;
  private readonly time: Time;

  constructor(
    private readonly broker: Broker,
    opts: { time?: Time; logger?: Logger } = {},
  ) {
    this.time = opts.time ?? SystemTime;
    this.log = opts.logger ?? createLogger('broker', { broker: broker.brokerId });
    this._metadataCache = new MetadataCache(broker.brokerId, this.time);
  }

  get metadataCache(): MetadataCache {
    return this._metadataCache;
  }

  get logManager(): LogManager {
    if (!this._logManager) throw new Error(`broker ${this.broker.brokerId} is not started`);
    return this._logManager;
  }
  get replicaManager(): ReplicaManager {
    if (!this._replicaManager) throw new Error(`broker ${this.broker.brokerId} is not started`);
    return this._replicaManager;
  }
  /** Producer ids (InitProducerId; the transaction coordinator). */
  get producerIdManager(): ProducerIdManager {
    if (!this._producerIdManager) throw new Error(`broker ${this.broker.brokerId} is not started`);
    return this._producerIdManager;
  }
  /** The SocketServer of the first listener (kzoo's clients and inter-broker traffic by default). */
  get socketServer(): SocketServer {
    const s = this._socketServers[0];
    if (!s) throw new Error(`broker ${this.broker.brokerId} is not started`);
    return s;
  }
  /** The SocketServer of a listener, by name. */
  socketServerOf(listenerName: string): SocketServer {
    const i = this.broker.config.listeners.findIndex((l) => l.listenerName === listenerName);
    const s = i >= 0 ? this._socketServers[i] : undefined;
    if (!s)
      throw new Error(`broker ${this.broker.brokerId} has no started listener ${listenerName}`);
    return s;
  }
  get apis(): KafkaApis {
    if (!this._apis) throw new Error(`broker ${this.broker.brokerId} is not started`);
    return this._apis;
  }

  async startup(broker: Broker): Promise<void> {
    this.log = this.log.child({ broker: broker.brokerId });
    // Dynamic broker configs (/config/brokers/<default>, /config/brokers/<id>) first, as
    // Kafka's KafkaServer does: the logs open with the values the broker runs with.
    const dynamicConfig = new DynamicBrokerConfig(broker.config, {
      logger: this.log.child({}, 'dynamic.broker.config'),
    });
    await dynamicConfig.initialize(broker.zkClient, broker.brokerId);
    this._dynamicBrokerConfig = dynamicConfig;
    const config = dynamicConfig.currentConfig;
    this._metadataCache = new MetadataCache(broker.brokerId, this.time);
    const logManager = LogManager.open({
      logDirs: [...config.logDirs],
      defaultConfig: logDefaultsFrom(config),
      retentionCheckIntervalMs: config.getInt('log.retention.check.interval.ms'),
      flushOffsetCheckpointIntervalMs: config.getInt('log.flush.offset.checkpoint.interval.ms'),
      highWatermarkCheckpointIntervalMs: config.getInt(
        'replica.high.watermark.checkpoint.interval.ms',
      ),
      cleanerEnable: config.getBoolean('log.cleaner.enable'),
      cleanerBackoffMs: config.getInt('log.cleaner.backoff.ms'),
      producerIdExpirationMs: config.getInt('producer.id.expiration.ms'),
      producerIdExpirationCheckIntervalMs: config.getInt(
        'producer.id.expiration.check.interval.ms',
      ),
      highWatermark: (t, p) => this._replicaManager?.highWatermarkOf(t, p),
      time: this.time,
      logger: this.log.child({}, 'log'),
    });
    this._logManager = logManager;
    const admin = new AdminZkClient(broker.zkClient);
    const interBroker = config.interBrokerListenerName;
    const stateLog = this.log.child({}, 'state.change');
    const isrManager: IsrManager = usesAlterPartition(
      config.getString('inter.broker.protocol.version') ?? '3.5',
    )
      ? new AlterPartitionManager({
          brokerId: broker.brokerId,
          brokerEpoch: () => broker.brokerEpoch,
          metadataCache: this.metadataCache,
          listenerName: interBroker,
          interBrokerAddress: config.interBrokerAddress,
          // An AlterPartition queued at a controller that then lost its session is never
          // answered; retrying sooner is safe (a repeat of an applied change is answered
          // with the current state).
          requestTimeoutMs: Math.min(config.getInt('controller.socket.timeout.ms'), 10000),
          time: this.time,
          log: this.log.child({}, 'alter.partition'),
        })
      : new ZkIsrManager({
          zkClient: broker.zkClient,
          checkIntervalMs: config.getInt('isr.change.notification.check.interval.ms'),
          lingerMs: config.getInt('isr.change.notification.linger.ms'),
          maxDelayMs: config.getInt('isr.change.notification.max.delay.ms'),
          time: this.time,
          log: this.log.child({}, 'isr.manager'),
          stateLog,
        });
    // Replication throttles (Kafka's QuotaFactory + BrokerConfigHandler): this broker's own
    // dynamic rates, now and on every change of /config/brokers/<id>.
    const quotas = new ReplicationQuotas(
      broker.brokerId,
      {
        numQuotaSamples: config.getInt('replication.quota.window.num'),
        quotaWindowSizeSeconds: config.getInt('replication.quota.window.size.seconds'),
      },
      this.time,
      this.log.child({}, 'replication.quota'),
    );
    quotas.updateQuotas(dynamicConfig.currentDynamicBrokerConfigs);
    this._replicationQuotas = quotas;
    dynamicConfig.addReconfigurable({
      reconfigure: () => quotas.updateQuotas(dynamicConfig.currentDynamicBrokerConfigs),
    });
    // Client quotas (Kafka's QuotaFactory): every quota entity under /config/clients and
    // /config/users now (Kafka's DynamicConfigManager.startup), changes through /config/changes.
    const clientQuotas = new ClientQuotas(
      {
        numQuotaSamples: config.getInt('quota.window.num'),
        quotaWindowSizeSeconds: config.getInt('quota.window.size.seconds'),
      },
      this.time,
      this.log.child({}, 'client.quota'),
    );
    await loadClientQuotas(broker, clientQuotas, this.log);
    this._clientQuotas = clientQuotas;
    this._replicaManager = new ReplicaManager({
      brokerId: broker.brokerId,
      logManager,
      metadataCache: this.metadataCache,
      brokerEpoch: () => broker.brokerEpoch,
      topicConfig: (t) => admin.fetchTopicConfig(t),
      minInsyncReplicas: config.getInt('min.insync.replicas'),
      replicaLagTimeMaxMs: config.getInt('replica.lag.time.max.ms'),
      isrManager,
      interBrokerListenerName: interBroker,
      interBrokerAddress: config.interBrokerAddress,
      fetcher: {
        maxWaitMs: config.getInt('replica.fetch.wait.max.ms'),
        minBytes: config.getInt('replica.fetch.min.bytes'),
        maxBytes: config.getInt('replica.fetch.max.bytes'),
        responseMaxBytes: config.getInt('replica.fetch.response.max.bytes'),
        backoffMs: config.getInt('replica.fetch.backoff.ms'),
        requestTimeoutMs: config.getInt('replica.socket.timeout.ms'),
      },
      time: this.time,
      quotas,
      logger: this.log.child({}, 'replica.manager'),
      brokerTopicStats: broker.metrics.brokerTopicStats,
    });
    dynamicConfig.addReconfigurable(
      new DynamicLogConfig({
        logManager,
        replicaManager: this._replicaManager,
        controller: () => controllerOf(broker),
        logger: this.log.child({}, 'dynamic.broker.config'),
      }),
    );
    const settings: ApiSettings = {
      autoCreateTopicsEnable: config.getBoolean('auto.create.topics.enable'),
      numPartitions: config.getInt('num.partitions'),
      defaultReplicationFactor: config.getInt('default.replication.factor'),
      deleteTopicEnable: config.getBoolean('delete.topic.enable'),
    };
    const ctx: BrokerContext = {
      brokerId: broker.brokerId,
      settings,
      metadataCache: this.metadataCache,
      replicaManager: this._replicaManager,
      adminZkClient: admin,
      producerIdManager: (this._producerIdManager = new ProducerIdManager(
        broker.brokerId,
        broker.zkClient,
        this.log.child({}, 'producer.id.manager'),
      )),
      config,
      dynamicConfig,
      clientQuotas,
      controller: () => (broker.state === 'NotRunning' ? null : controllerOf(broker)),
      groupCoordinator: () => broker.groupCoordinator.coordinatorOrNull,
      transactionCoordinator: () => broker.transactionCoordinator.coordinatorOrNull,
      interBrokerChannel: () => broker.transactionCoordinator.channelOrNull,
      clusterId: () => broker.clusterId,
      time: this.time,
      logger: this.log.child({}, 'kafka.apis'),
    };
    const apis = new KafkaApis(ctx);
    this._apis = apis;
    const bound = new Map<string, number>();
    for (const listener of config.listeners) {
      const wire = config.wireProtocolOf(listener.listenerName);
      const server = new SocketServer({
        host: listener.host || '0.0.0.0',
        port: listener.port,
        handler: broker.metrics.instrument(apis.handle),
        codec: codecFor(wire),
        listenerName: listener.listenerName,
        serves: (k) => apis.handles(k),
        listenerFor: (wire) => listenerFor(broker, wire),
        maxFrameBytes: config.getInt('socket.request.max.bytes'),
        connectionsMaxIdleMs: config.getInt('connections.max.idle.ms'),
        queuedMaxRequests: config.getInt('queued.max.requests'),
        // request quotas (KIP-124) need each request's time; no clock reads otherwise
        timeRequests: () => clientQuotas.request.quotasEnabled,
        time: this.time,
        logger: this.log.child({ listener: listener.listenerName }, 'network'),
      });
      this._socketServers.push(server);
      bound.set(listener.listenerName, (await server.start()).port);
    }
    // Register the bound ports (listeners may ask for port 0).
    broker.setAdvertisedListeners(
      broker.advertisedListeners.map((ep) =>
        ep.port === 0 && bound.has(ep.listenerName)
          ? { ...ep, port: bound.get(ep.listenerName)! }
          : ep,
      ),
    );
  }

  async ready(): Promise<void> {
    this._logManager?.startup();
    this._replicaManager?.startup();
    // Kafka 2.8's ProducerIdManager claims its first block when the transaction
    // coordinator is built at broker start, not on the first InitProducerId.
    await this._apis?.broker.producerIdManager?.startup();
    // Topic config changes (/config/changes) applied live to this broker's logs and partitions.
    const replicaManager = this._replicaManager;
    if (replicaManager) {
      this._dynamicConfigManager = new DynamicConfigManager({
        zkClient: this.broker.zkClient,
        handlers: {
          topics: new TopicConfigHandler({
            replicaManager,
            controller: () => controllerOf(this.broker),
            logger: this.log.child({}, 'dynamic.config'),
          }),
          ...(this._clientQuotas && {
            clients: new ClientIdConfigHandler(this._clientQuotas),
            users: new UserConfigHandler(this._clientQuotas),
          }),
          ...(this._dynamicBrokerConfig && {
            brokers: new BrokerConfigHandler({
              brokerId: this.broker.brokerId,
              dynamicConfig: this._dynamicBrokerConfig,
              logger: this.log.child({}, 'dynamic.config'),
            }),
          }),
        },
        time: this.time,
        logger: this.log.child({}, 'dynamic.config'),
      });
      await this._dynamicConfigManager.startup();
    }
  }

  /** The broker's dynamic configs and the config it runs with now (made in `startup`). */
  get dynamicBrokerConfig(): DynamicBrokerConfig | null {
    return this._dynamicBrokerConfig;
  }

  /** The leader and follower replication quotas (made in `startup`). */
  get replicationQuotas(): ReplicationQuotas | null {
    return this._replicationQuotas;
  }

  /** The produce, fetch and request client quotas (made in `startup`). */
  get clientQuotas(): ClientQuotas | null {
    return this._clientQuotas;
  }

  /** Applies topic config changes live (started in `ready`). */
  get dynamicConfigManager(): DynamicConfigManager | null {
    return this._dynamicConfigManager;
  }

  async shutdown(): Promise<void> {
    const phases: string[] = [];
    let t = this.time.nanoseconds();
    const phase = (what: string) => {
      const now = this.time.nanoseconds();
      phases.push(`${what} ${(Number(now - t) / 1e6).toFixed(0)} ms`);
      t = now;
    };
    await this._dynamicConfigManager?.shutdown();
    await this._replicaManager?.shutdownFetchers();
    phase('fetchers');
    // Leading nothing (a controlled shutdown moved every leadership away; the coordinators
    // and the fetchers are stopped), no request can write or read a log any more: the logs
    // close while the connections drain, as Kafka closes its socket server last. A drain
    // waits for each peer to close its side, which took 1.7 s at 10,000 partitions while
    // the peers were busy taking over the leaderships. Otherwise the requests in flight are
    // answered (connections closed) before the logs close.
    const leading = this._replicaManager?.allPartitions().some((p) => p.isLeader) ?? false;
    const logs = this._logManager?.allLogs().length ?? 0;
    if (this._socketServers.length > 0) {
      const closing = Promise.all(this._socketServers.map((s) => s.shutdown()));
      // Parked fetches/produces answer now, so their connections can drain.
      this._replicaManager?.shutdown();
      if (leading) {
        await closing;
        phase('connections drained');
        await this._logManager?.close();
        phase(`${logs} logs closed`);
      } else {
        const since = () => `${(Number(this.time.nanoseconds() - t) / 1e6).toFixed(0)} ms`;
        await Promise.all([
          closing.then(() => phases.push(`connections drained ${since()}`)),
          this._logManager?.close().then(() => phases.push(`${logs} logs closed ${since()}`)),
        ]);
      }
    } else {
      this._replicaManager?.shutdown();
      await this._logManager?.close();
      phase(`${logs} logs closed`);
    }
    this.log.info(`data plane shut down: ${phases.join(', ')}`);
  }
}

/** Every client and user quota entity in ZooKeeper into `quotas`; a bad one is logged. */
async function loadClientQuotas(broker: Broker, quotas: ClientQuotas, log: Logger): Promise<void> {
  const zk = broker.zkClient;
  const handlers = {
    clients: new ClientIdConfigHandler(quotas),
    users: new UserConfigHandler(quotas),
  } as const;
  for (const type of ['clients', 'users'] as const)
    for (const entity of await zk.getAllEntitiesWithConfig(type)) {
      try {
        handlers[type].processConfigChanges(entity, await zk.getEntityConfigs(type, entity));
      } catch (e) {
        log.error('quota entity ignored', { entityPath: `${type}/${entity}`, error: e });
      }
    }
}

/** For the wrong-door message: the first advertised listener speaking `wire`. */
function listenerFor(broker: Broker, wire: WireProtocol): string | undefined {
  const ep = broker.advertisedListeners.find(
    (e) => broker.config.wireProtocolOf(e.listenerName) === wire,
  );
  return ep && `listener ${ep.listenerName} at ${ep.host}:${ep.port}`;
}

function codecFor(wire: WireProtocol): WireCodec {
  return wire === 'kafka' ? kafkaCodec() : nativeCodec();
}

function controllerOf(broker: Broker) {
  try {
    return broker.controller;
  } catch {
    return null; // not started yet
  }
}
