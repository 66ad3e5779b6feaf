/**
 * Broker: one kzoo broker (Kafka's `KafkaServer`), as a library object; `kzoo broker
 * start` runs the same object as a process.
 *
 * Startup follows Kafka's order: connect to ZooKeeper → create the top-level paths →
 * get or create /cluster/id → get or generate the broker id (broker.id=-1: meta.properties,
 * else /brokers/seqid) → check meta.properties in every log dir → start the
 * components (the network layer binds its listeners here) → register
 * /brokers/ids/<id> → start the controller module (it tries to become controller) →
 * components' `ready` (start processing requests) → RunningAsBroker.
 *
 * Components are the extension point for what comes next (SocketServer, request
 * handlers, ReplicaManager, ...): `broker.addComponent({ name, startup, ready, shutdown })`
 * before `start()`. A component may call `setAdvertisedListeners()` from `startup`, e.g.
 * after binding port 0.
 */
import { EventEmitter } from 'node:events';
import { createLogger, Logger, SystemTime, Time } from '@kzoo/common';
import { crc32cImplementation } from '@kzoo/records';
import { BrokerInfo, EndPoint, KafkaZkClient, zkFormatsFor } from '@kzoo/zk';
import { ConfigInput, KafkaConfig } from './config';
import { KafkaController } from './controller/KafkaController';
import { controlledShutdown } from './server/ControlledShutdown';
import { checkBrokerMetadata, getOrGenerateBrokerId } from './server/BrokerMetadata';
import { DataPlane } from './server/DataPlane';
import { GroupCoordinatorComponent } from './coordinator/group';
import { BrokerMetrics } from './metrics/BrokerMetrics';
import { TransactionCoordinatorComponent } from './coordinator/transaction/TransactionCoordinatorComponent';

/** Kafka's BrokerState names (the ones a ZooKeeper-mode broker goes through). */
export type BrokerState =
  'NotRunning' | 'Starting' | 'RunningAsBroker' | 'PendingControlledShutdown' | 'ShuttingDown';

export interface BrokerComponent {
  readonly name: string;
  /** Before registration (e.g. bind listeners). */
  startup?(broker: Broker): Promise<void>;
  /** After registration and controller startup (e.g. start processing requests). */
  ready?(broker: Broker): Promise<void>;
  /** On shutdown, in reverse order of addition. */
  shutdown?(broker: Broker): Promise<void>;
}

export interface BrokerOptions {
  time?: Time;
  logger?: Logger;
}

/**
 * Events: `registered` {brokerEpoch} (at startup and after each new ZooKeeper session),
 * `started`, `shutdown`, `fatal` (Error: the broker cannot go on, e.g. its id was taken
 * while its session was expired; the owner should shut it down).
 */
export class Broker extends EventEmitter {
  readonly config: KafkaConfig;
  private _brokerId: number;
  private readonly time: Time;
  private log: Logger;
  private readonly components: BrokerComponent[] = [];
  private _state: BrokerState = 'NotRunning';
  private _zkClient: KafkaZkClient | null = null;
  private _controller: KafkaController | null = null;
  private _clusterId: string | null = null;
  private _brokerEpoch = -1;
  private advertised: EndPoint[];
  private startPromise: Promise<void> | null = null;
  private shutdownPromise: Promise<void> | null = null;
  /** The request path: logs, metadata cache, replica manager, handlers, socket server. */
  readonly dataPlane: DataPlane;
  /** Consumer groups and committed offsets (ZooKeeper). */
  readonly groupCoordinator: GroupCoordinatorComponent;
  /** Prometheus metrics with Kafka's names (served when kzoo.metrics.port is set). */
  readonly metrics: BrokerMetrics;
  /** Transactions (`__transaction_state`). */
  readonly transactionCoordinator: TransactionCoordinatorComponent;
  private stopRequested = false;
  private released = false;

  constructor(config: KafkaConfig | ConfigInput, opts: BrokerOptions = {}) {
    super();
    this.config = config instanceof KafkaConfig ? config : new KafkaConfig(config);
    this._brokerId = this.config.brokerId;
    this.time = opts.time ?? SystemTime;
    this.log = (opts.logger ?? createLogger('broker')).child({ broker: this.brokerId }, 'broker');
    this.advertised = [...this.config.advertisedListeners];
    this.metrics = new BrokerMetrics(this, { time: this.time, logger: this.log });
    this.addComponent(this.metrics);
    this.dataPlane = new DataPlane(this, { time: this.time, logger: this.log });
    this.addComponent(this.dataPlane);
    this.groupCoordinator = new GroupCoordinatorComponent({ time: this.time, logger: this.log });
    this.addComponent(this.groupCoordinator);
    this.transactionCoordinator = new TransactionCoordinatorComponent({
      time: this.time,
      logger: this.log,
    });
    this.addComponent(this.transactionCoordinator);
  }

  /**
   * This broker's id: the configured broker.id, or with broker.id=-1 the one found in
   * meta.properties or generated from /brokers/seqid, known once start() has read or made
   * it (before any component starts); -1 until then.
   */
  get brokerId(): number {
    return this._brokerId;
  }
  get state(): BrokerState {
    return this._state;
  }
  get clusterId(): string | null {
    return this._clusterId;
  }
  /** The czxid of this broker's registration (KIP-380 broker epoch); -1 before registration. */
  get brokerEpoch(): number {
    return this._brokerEpoch;
  }
  get zkClient(): KafkaZkClient {
    if (!this._zkClient) throw new Error(`broker ${this.brokerId} is not started`);
    return this._zkClient;
  }
  get controller(): KafkaController {
    if (!this._controller) throw new Error(`broker ${this.brokerId} is not started`);
    return this._controller;
  }
  isController(): boolean {
    return this._controller?.isActive() ?? false;
  }
  get advertisedListeners(): readonly EndPoint[] {
    return this.advertised;
  }

  addComponent(c: BrokerComponent): void {
    if (this._state !== 'NotRunning') throw new Error('add components before start()');
    this.components.push(c);
  }

  /** Replaces the endpoints to register (before registration, e.g. after binding port 0). */
  setAdvertisedListeners(endpoints: EndPoint[]): void {
    if (this._brokerEpoch !== -1) throw new Error('advertised listeners are fixed once registered');
    this.advertised = [...endpoints];
  }

  /** The registration written to /brokers/ids/<id>. */
  brokerInfo(): BrokerInfo {
    return {
      id: this.brokerId,
      endpoints: this.advertised,
      rack: this.config.rack,
      jmxPort: -1,
      // v5 (with features) from IBP 2.7, v4 below, as Kafka's createBrokerInfo
      version: zkFormatsFor(this.interBrokerProtocolVersion).brokerRegistrationVersion,
    };
  }

  /** inter.broker.protocol.version (default 3.5). */
  private get interBrokerProtocolVersion(): string {
    return this.config.getString('inter.broker.protocol.version') ?? '3.5';
  }

  start(): Promise<void> {
    if (!this.startPromise) this.startPromise = this.doStart();
    return this.startPromise;
  }

  private async doStart(): Promise<void> {
    this._state = 'Starting';
    const cfg = this.config;
    this.log.info('starting', { zk: cfg.zkConnect });
    try {
      const secureAcls = cfg.getBoolean('zookeeper.set.acl');
      const digestAuth = cfg.getString('kzoo.zookeeper.digest') ?? undefined;
      // Kafka's KafkaServer refuses secure ACLs without a ZooKeeper login (a SecurityException)
      if (secureAcls && !digestAuth)
        throw new Error(
          'zookeeper.set.acl is true but the broker has no ZooKeeper identity: set kzoo.zookeeper.digest=user:password',
        );
      if (digestAuth !== undefined && !/^[^:]+:.+$/.test(digestAuth))
        throw new Error('kzoo.zookeeper.digest must be user:password');
      const zkClient = await KafkaZkClient.connect({
        connectString: cfg.zkConnect,
        sessionTimeoutMs: cfg.zkSessionTimeoutMs,
        secureAcls,
        digestAuth,
        connectionTimeoutMs: cfg.zkConnectionTimeoutMs,
        time: this.time,
        logger: this.log.child({}, 'zk'),
      });
      this._zkClient = zkClient;
      this.checkNotStopped();
      await zkClient.createTopLevelPaths();
      this._clusterId = await zkClient.getOrCreateClusterId();
      this.log.info('cluster id', { clusterId: this._clusterId });
      this._brokerId = await getOrGenerateBrokerId(cfg.logDirs, cfg.brokerId, async () => {
        const id =
          (await zkClient.generateBrokerSequenceId()) + cfg.getInt('reserved.broker.max.id');
        this.log.info('generated broker id', { brokerId: id });
        return id;
      });
      this.log = this.log.child({ broker: this._brokerId });
      this.checkNotStopped();
      checkBrokerMetadata(cfg.logDirs, this.brokerId, this._clusterId);
      for (const c of this.components) await c.startup?.(this);
      this.checkNotStopped();

      this._brokerEpoch = await zkClient.registerBroker(this.brokerInfo());
      this.emit('registered', { brokerEpoch: this._brokerEpoch });

      const controller = new KafkaController({
        brokerId: this.brokerId,
        zkClient,
        registerBroker: async () => {
          this._brokerEpoch = await zkClient.registerBroker(this.brokerInfo());
          this.emit('registered', { brokerEpoch: this._brokerEpoch });
          return this._brokerEpoch;
        },
        logger: this.log,
        time: this.time,
        deleteTopicEnable: cfg.getBoolean('delete.topic.enable'),
        interBrokerListenerName: cfg.interBrokerListenerName,
        interBrokerAddress: cfg.interBrokerAddress,
        requestTimeoutMs: cfg.getInt('controller.socket.timeout.ms'),
        // the broker default may change at runtime (a dynamic broker config)
        uncleanLeaderElectionEnable: () =>
          (this.dataPlane.dynamicBrokerConfig?.currentConfig ?? cfg).getBoolean(
            'unclean.leader.election.enable',
          ),
        autoLeaderRebalanceEnable: cfg.getBoolean('auto.leader.rebalance.enable'),
        leaderImbalanceCheckIntervalMs:
          cfg.getInt('leader.imbalance.check.interval.seconds') * 1000,
        leaderImbalancePerBrokerPercentage: cfg.getInt('leader.imbalance.per.broker.percentage'),
        interBrokerProtocolVersion: this.interBrokerProtocolVersion,
      });
      controller.on('registrationFailed', (e: Error) => this.emit('fatal', e));
      this._controller = controller;
      controller.startup();

      for (const c of this.components) await c.ready?.(this);
      this.checkNotStopped();
      this._state = 'RunningAsBroker';
      this.log.info('started', {
        brokerEpoch: this._brokerEpoch,
        endpoints: this.advertised.map((e) => `${e.listenerName}://${e.host}:${e.port}`).join(','),
        // which CRC-32C checks every appended batch (a fallback costs 3-12x per batch)
        crc32c:
          crc32cImplementation.name === 'native'
            ? `native ${crc32cImplementation.variant}`
            : `${crc32cImplementation.name} (${crc32cImplementation.fallbackReason})`,
      });
      this.emit('started');
    } catch (e) {
      if (!(e instanceof BrokerShutDownDuringStartup)) {
        this.log.error('fatal error during startup, shutting down', { error: e });
      }
      await this.release();
      throw e;
    }
  }

  private checkNotStopped(): void {
    if (this.stopRequested) throw new BrokerShutDownDuringStartup(this.brokerId);
  }

  /** Stops the controller module and components, then closes the ZooKeeper session (which drops the registration). */
  shutdown(): Promise<void> {
    if (!this.shutdownPromise) this.shutdownPromise = this.doShutdown();
    return this.shutdownPromise;
  }

  private async doShutdown(): Promise<void> {
    this.stopRequested = true;
    if (this.startPromise) await this.startPromise.catch(() => undefined);
    if (this._state === 'RunningAsBroker' && this.config.getBoolean('controlled.shutdown.enable')) {
      this._state = 'PendingControlledShutdown';
      await controlledShutdown(this, {
        maxRetries: this.config.getInt('controlled.shutdown.max.retries'),
        retryBackoffMs: this.config.getInt('controlled.shutdown.retry.backoff.ms'),
        requestTimeoutMs: this.config.getInt('controller.socket.timeout.ms'),
        logger: this.log.child({}, 'controlled.shutdown'),
        time: this.time,
      });
    }
    await this.release();
  }

  /** Tears down whatever was started: controller, components (reverse order), ZooKeeper session. */
  private async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    if (this._state === 'NotRunning' && !this._zkClient) return;
    this._state = 'ShuttingDown';
    this.log.info('shutting down');
    const attempt = async (what: string, fn: () => Promise<void> | undefined) => {
      try {
        await fn();
      } catch (e) {
        this.log.warn(`error during shutdown: ${what}`, { error: e });
      }
    };
    if (this._controller) await attempt('controller', () => this._controller!.shutdown());
    for (const c of [...this.components].reverse()) await attempt(c.name, () => c.shutdown?.(this));
    if (this._zkClient) await attempt('zookeeper', () => this._zkClient!.close());
    this._state = 'NotRunning';
    this.log.info('shut down completed');
    this.emit('shutdown');
  }
}

/** start() was cut short by shutdown(). */
export class BrokerShutDownDuringStartup extends Error {
  constructor(brokerId: number) {
    super(`broker ${brokerId} was shut down during startup`);
    this.name = 'BrokerShutDownDuringStartup';
  }
}
