/**
 * KafkaController: controller election and broker liveness, as Kafka's
 * `KafkaController.scala` does them in ZooKeeper mode.
 *
 * Every broker runs one. At startup (and whenever /controller goes away) it tries to
 * become controller: create the EPHEMERAL /controller and bump /controller_epoch in one
 * `multi` (KafkaZkClient.registerControllerAndIncrementControllerEpoch). The winner
 * runs `onControllerFailover` (whose first step is an epoch-fenced write, so a stale
 * controller is refused right there), watches /brokers/ids and reports brokers coming
 * and going. The others watch /controller. On session expiry the broker resigns
 * (`Expire`); with the new session it re-registers and runs the election again
 * (`RegisterBrokerAndReelect`). Every write the controller makes is fenced by its
 * epoch's zkVersion: a ControllerMovedError makes it resign.
 *
 * All of this runs on one ControllerEventManager queue; watch callbacks only enqueue.
 * Partition and replica work (elections, ISR removal, controlled shutdown, preferred
 * elections and the auto leader rebalance) lives in ControllerPartitions.
 */
import { EventEmitter } from 'node:events';
import {
  KafkaError,
  Logger,
  ScheduledTask,
  SystemTime,
  createLogger,
  type Time,
  tpKey,
} from '@kzoo/common';
import {
  BrokerAndEpoch,
  ControllerMovedError,
  ReplicaAssignment,
  KafkaZk,
  WatchEvent,
  ZkError,
  ZkSessionClosedError,
  zkFormatsFor,
  type ZkFormats,
} from '@kzoo/zk';
import { ControllerEvent, ControllerEventManager } from './ControllerEventManager';
import type { ControllerChannel } from './ControllerChannelManager';
import { SystemTimer, type Timer, type TimerTaskHandle } from '../server/Timer';
import { AlterPartitionHandler } from './AlterPartitionHandler';
import { ErrorCode } from '@kzoo/common';
import type { AlterPartitionRequest, AlterPartitionResponse } from '@kzoo/protocol';
import type { TP } from './ControllerContext';
import { ControllerPartitions, type ControlledShutdownResult } from './ControllerPartitions';
import type { ElectionFailure } from './PartitionStateMachine';
import type { PeerAddressResolver } from '../network/peer-address';
import type { ReassignmentResult } from './PartitionReassignment';

export interface BrokerChange {
  newBrokers: number[];
  deadBrokers: number[];
  bouncedBrokers: number[];
  liveBrokers: number[];
}

export interface KafkaControllerOptions {
  brokerId: number;
  zkClient: KafkaZk;
  /** Broker connections (default: a ControllerChannelManager; unit tests pass a recorder). */
  channel?: ControllerChannel;
  /** Runs the auto leader rebalance checks (default: a SystemTimer on `time`). */
  timer?: Timer;
  /** The clock of the controller's timers (default: `timer`'s, else the system clock). */
  time?: Time;
  /** Registers /brokers/ids/<id> and returns the broker epoch (used after a new session). */
  registerBroker: () => Promise<number>;
  logger?: Logger;
  /** delete.topic.enable (default true). */
  deleteTopicEnable?: boolean;
  /** inter.broker.listener.name: the endpoint the controller sends requests to. */
  interBrokerListenerName?: string;
  /** kzoo.inter.broker.address.overrides: the address dialed for a broker's endpoint. */
  interBrokerAddress?: PeerAddressResolver;
  /** controller.socket.timeout.ms (default 30000). */
  requestTimeoutMs?: number;
  /** unclean.leader.election.enable, the broker default (false); a function when dynamic. */
  uncleanLeaderElectionEnable?: boolean | (() => boolean);
  /** auto.leader.rebalance.enable (true). */
  autoLeaderRebalanceEnable?: boolean;
  /** leader.imbalance.check.interval.seconds (300), in ms. */
  leaderImbalanceCheckIntervalMs?: number;
  /** leader.imbalance.per.broker.percentage (10). */
  leaderImbalancePerBrokerPercentage?: number;
  /** inter.broker.protocol.version (default 3.5): which znode formats are written (zkFormatsFor). */
  interBrokerProtocolVersion?: string;
}

/**
 * Events (for tests, the broker and later replication work):
 * - `failover` {epoch, epochZkVersion}: this broker became controller
 * - `resignation` {epoch}: it stopped being controller
 * - `controllerChange` {activeControllerId}: who the controller is, as this broker learned
 * - `brokerChange` BrokerChange; `brokerStartup` ids; `brokerFailure` ids (controller only)
 * - `fenced` ControllerMovedError: a controller write was refused by the epoch check
 * - `registered` {brokerEpoch}: re-registered with a new session
 * - `registrationFailed` Error: could not re-register (e.g. the id was taken meanwhile)
 * - `eventProcessed` {type, durationMs}: an event of the queue was processed (metrics)
 */
export class KafkaController extends EventEmitter {
  readonly brokerId: number;
  private readonly zkClient: KafkaZk;
  private readonly registerBrokerFn: () => Promise<number>;
  private readonly log: Logger;
  private readonly stateLog: Logger;
  private readonly eventManager: ControllerEventManager;
  /** Topics, partitions and the controller-to-broker requests (while active). */
  readonly partitions: ControllerPartitions;
  /** ISR changes made by partition leaders (AlterPartition, /isr_change_notification). */
  readonly isrChanges: AlterPartitionHandler;

  /** The controller this broker knows of; -1 when none. */
  activeControllerId = -1;
  /** This broker's controller epoch while (or since) it was controller; 0 before. */
  epoch = 0;
  /** The zkVersion of /controller_epoch this controller wrote: its fencing token. */
  epochZkVersion = 0;
  /** Live brokers and their epochs (czxids), maintained while controller. */
  readonly liveBrokers = new Map<number, BrokerAndEpoch>();
  readonly stats = { elections: 0, resignations: 0, fencedWrites: 0 };

  /** Leader elections and unclean ones made by this controller (Kafka's ControllerStats). */
  get electionStats(): { leaderElections: number; uncleanLeaderElections: number } {
    return this.partitions.electionStats;
  }
  private started = false;
  private readonly opts: KafkaControllerOptions;
  private rebalanceTimer: TimerTaskHandle | null = null;
  private readonly timer: Timer;
  private readonly ownsTimer: boolean;
  private readonly clock: Time;
  /** The znode formats this IBP writes. */
  private readonly formats: ZkFormats;

  constructor(opts: KafkaControllerOptions) {
    super();
    this.brokerId = opts.brokerId;
    this.zkClient = opts.zkClient;
    this.registerBrokerFn = opts.registerBroker;
    this.opts = opts;
    this.formats = zkFormatsFor(opts.interBrokerProtocolVersion ?? '3.5');
    this.ownsTimer = opts.timer === undefined;
    this.timer = opts.timer ?? new SystemTimer(opts.time ?? SystemTime);
    this.clock = opts.time ?? SystemTime;
    const base = opts.logger ?? createLogger('controller', { broker: opts.brokerId });
    this.log = base.child({}, 'controller');
    this.stateLog = base.child({}, 'state.change');
    this.eventManager = new ControllerEventManager((e) => this.timedProcess(e), this.log);
    this.partitions = new ControllerPartitions({
      controllerId: this.brokerId,
      zkClient: this.zkClient,
      channel: opts.channel,
      liveBrokers: this.liveBrokers,
      epoch: () => ({ epoch: this.epoch, epochZkVersion: this.epochZkVersion }),
      put: (e) => this.eventManager.put(e),
      deleteTopicEnable: opts.deleteTopicEnable ?? true,
      interBrokerListenerName: opts.interBrokerListenerName,
      interBrokerAddress: opts.interBrokerAddress,
      requestTimeoutMs: opts.requestTimeoutMs,
      time: this.timer.time,
      uncleanLeaderElectionEnable: opts.uncleanLeaderElectionEnable ?? false,
      leaderRecoverySupported: zkFormatsFor(opts.interBrokerProtocolVersion ?? '3.5')
        .leaderRecoverySupported,
      log: this.log,
      stateLog: this.stateLog,
    });
    this.isrChanges = new AlterPartitionHandler({
      context: this.partitions.context,
      zkClient: this.zkClient,
      epoch: () => ({ epoch: this.epoch, epochZkVersion: this.epochZkVersion }),
      put: (e) => this.eventManager.put(e),
      sendUpdateMetadata: (tps) => this.partitions.sendUpdateMetadata(tps),
      onIsrChanged: (tps) => {
        const moving = tps.filter((tp) =>
          this.partitions.context.partitionsBeingReassigned.has(tpKey(tp)),
        );
        if (moving.length > 0)
          this.eventManager.put({ type: 'PartitionReassignmentIsrChange', partitions: moving });
      },
      stateLog: this.stateLog,
    });
  }

  /**
   * AlterPartitionReassignments: per partition a target replica list, or null to cancel.
   * Null when this broker is not the controller.
   */
  alterPartitionReassignments(
    requests: ReadonlyArray<{ tp: TP; replicas: number[] | null }>,
  ): Promise<Map<string, ReassignmentResult> | null> {
    return this.onQueue('ApiPartitionReassignment', async () =>
      this.isActive() ? this.partitions.reassignment.alterPartitionReassignments(requests) : null,
    );
  }

  /** ListPartitionReassignments: the moving partitions among `tps` (all when null); null when not controller. */
  listPartitionReassignments(
    tps: TP[] | null,
  ): Promise<Array<{ tp: TP; assignment: ReplicaAssignment }> | null> {
    return this.onQueue('ListPartitionReassignments', async () =>
      this.isActive() ? this.partitions.reassignment.listPartitionReassignments(tps) : null,
    );
  }

  /** AlterPartition from a partition leader: answered once the controller queue processed it. */
  alterPartition(request: AlterPartitionRequest): Promise<AlterPartitionResponse> {
    const notController = { throttleTimeMs: 0, errorCode: ErrorCode.NOT_CONTROLLER, topics: [] };
    return this.onQueue('AlterPartitionReceived', async () =>
      this.isActive() ? this.isrChanges.processAlterPartition(request) : notController,
    ).catch(() => notController);
  }

  isActive(): boolean {
    return this.activeControllerId === this.brokerId;
  }

  /** The event being processed, or Idle. */
  get state(): string {
    return this.eventManager.state;
  }

  /** Resolves once every queued controller event has been processed. */
  idle(): Promise<void> {
    return this.eventManager.idle();
  }

  /** Hooks session changes and enqueues Startup (Kafka's KafkaController.startup). */
  startup(): void {
    if (this.started) return;
    this.started = true;
    this.zkClient.onSessionEvent('expired', this.onSessionExpired);
    this.zkClient.onSessionEvent('newSession', this.onNewSession);
    this.eventManager.put({ type: 'Startup' });
  }

  /** Stops the event queue and resigns (the closing session then deletes /controller). */
  async shutdown(): Promise<void> {
    this.zkClient.offSessionEvent('expired', this.onSessionExpired);
    this.zkClient.offSessionEvent('newSession', this.onNewSession);
    // An event stuck on an unreachable ZooKeeper must not hold the shutdown forever: the
    // session close that follows fails its request.
    let timer: ScheduledTask | undefined;
    const closed = await Promise.race([
      this.eventManager.close().then(() => true),
      new Promise<boolean>(
        (r) => (timer = this.timer.time.schedule('controller-shutdown-wait', () => r(false), 3000)),
      ),
    ]);
    timer?.cancel();
    if (!closed)
      this.log.warn(`controller event ${this.eventManager.state} still running at shutdown`);
    this.rebalanceTimer?.cancel();
    this.rebalanceTimer = null;
    if (this.ownsTimer) this.timer.shutdown();
    if (this.isActive()) this.onControllerResignation('shutdown');
    this.partitions.shutdown();
    this.activeControllerId = -1;
  }

  /** Runs `fn` on the controller's event queue (as Kafka's request-driven events do). */
  private onQueue<T>(
    type:
      | 'ControlledShutdown'
      | 'ReplicaLeaderElection'
      | 'AlterPartitionReceived'
      | 'ApiPartitionReassignment'
      | 'ListPartitionReassignments',
    fn: () => Promise<T>,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const ok = this.eventManager.put({
        type,
        task: { run: fn, resolve: resolve as (v: unknown) => void, reject },
      });
      if (!ok) reject(new KafkaError('NOT_CONTROLLER', `broker ${this.brokerId} is shutting down`));
    });
  }

  /**
   * ControlledShutdown from `brokerId`: moves its leaderships and ISR memberships away;
   * answers the partitions it still leads. NOT_CONTROLLER when this broker is not it.
   */
  controlledShutdown(brokerId: number, brokerEpoch: number): Promise<ControlledShutdownResult> {
    return this.onQueue('ControlledShutdown', async () => {
      if (!this.isActive()) return { error: 'NOT_CONTROLLER', remaining: [] };
      return this.partitions.controlledShutdown(brokerId, brokerEpoch);
    });
  }

  /** Preferred replica election (ElectLeaders API); `null` = every partition. */
  electPreferredLeaders(tps: TP[] | null): Promise<Map<string, ElectionFailure> | null> {
    return this.electLeaders(tps, 'preferred');
  }

  /** ElectLeaders: preferred or unclean election; `null` = every partition. Null when not controller. */
  electLeaders(
    tps: TP[] | null,
    type: 'preferred' | 'unclean',
  ): Promise<Map<string, ElectionFailure> | null> {
    return this.onQueue('ReplicaLeaderElection', async () => {
      if (!this.isActive()) return null;
      return this.partitions.electLeaders(tps, type);
    });
  }

  /**
   * Kafka's enableTopicUncleanLeaderElection: a topic's unclean.leader.election.enable
   * became true (a config change); while active, elect its leaderless partitions.
   */
  enableTopicUncleanLeaderElection(topic: string): void {
    this.eventManager.put({ type: 'TopicUncleanLeaderElectionEnable', topic });
  }

  /**
   * Kafka's enableDefaultUncleanLeaderElection: the broker default of
   * unclean.leader.election.enable became true (a dynamic broker config); while active,
   * elect every leaderless partition.
   */
  enableDefaultUncleanLeaderElection(): void {
    this.eventManager.put({ type: 'UncleanLeaderElectionEnable' });
  }

  private scheduleAutoLeaderRebalance(delayMs: number): void {
    this.rebalanceTimer?.cancel();
    this.rebalanceTimer = this.timer.schedule(this.timer.time.milliseconds() + delayMs, () => {
      this.rebalanceTimer = null;
      this.eventManager.put({ type: 'AutoPreferredReplicaLeaderElection' });
    });
  }

  // ---------------------------------------------------------------- watches

  private readonly onSessionExpired = (): void => {
    this.eventManager.clearAndPut({ type: 'Expire' });
  };
  private readonly onNewSession = (): void => {
    this.eventManager.put({ type: 'RegisterBrokerAndReelect' });
  };
  /** exists-watch on /controller: deletion → Reelect, creation/data change → ControllerChange. */
  private readonly controllerWatcher = (e: WatchEvent): void => {
    this.eventManager.put({ type: e.type === 'deleted' ? 'Reelect' : 'ControllerChange' });
  };
  /** child watch on /brokers/ids. */
  private readonly brokerChangeWatcher = (): void => {
    this.eventManager.put({ type: 'BrokerChange' });
  };

  private async watchController(): Promise<void> {
    await this.zkClient.watchControllerZNode(this.controllerWatcher);
  }

  // ---------------------------------------------------------------- events

  /** Runs an event, then emits `eventProcessed` {type, durationMs} (Kafka's ControllerStats timers). */
  private async timedProcess(event: ControllerEvent): Promise<void> {
    const start = this.clock.nanoseconds();
    try {
      await this.process(event);
    } finally {
      const durationMs = Number(this.clock.nanoseconds() - start) / 1e6;
      this.emit('eventProcessed', { type: event.type, durationMs });
    }
  }

  private async process(event: ControllerEvent): Promise<void> {
    try {
      switch (event.type) {
        case 'Startup':
          await this.watchController();
          await this.elect();
          return;
        case 'ControllerChange':
          await this.watchController();
          await this.maybeResign();
          return;
        case 'Reelect':
          await this.watchController();
          await this.maybeResign();
          await this.elect();
          return;
        case 'BrokerChange':
          await this.processBrokerChange();
          return;
        case 'Expire':
          this.processExpire();
          return;
        case 'RegisterBrokerAndReelect':
          await this.processRegisterBrokerAndReelect();
          return;
        case 'TopicChange':
          if (this.isActive()) await this.partitions.processTopicChange();
          return;
        case 'PartitionModifications':
          if (this.isActive()) await this.partitions.processPartitionModifications(event.topic);
          return;
        case 'TopicDeletion':
          if (this.isActive()) await this.partitions.processTopicDeletion();
          return;
        case 'ZkPartitionReassignment':
          if (this.isActive()) await this.partitions.reassignment.processZkPartitionReassignment();
          return;
        case 'PartitionReassignmentIsrChange':
          if (this.isActive())
            for (const tp of event.partitions)
              await this.partitions.reassignment.maybeCompleteReassignment(tp);
          return;
        case 'ZkPreferredReplicaElection':
          if (this.isActive()) await this.partitions.processZkPreferredReplicaElection();
          return;
        case 'ControlledShutdown':
        case 'ReplicaLeaderElection':
        case 'AlterPartitionReceived':
        case 'ApiPartitionReassignment':
        case 'ListPartitionReassignments': {
          const t = event.task;
          try {
            t.resolve(await t.run());
          } catch (e) {
            t.reject(e);
            throw e;
          }
          return;
        }
        case 'IsrChangeNotification':
          if (this.isActive()) await this.isrChanges.processIsrChangeNotification();
          return;
        case 'UncleanLeaderElectionEnable':
          if (this.isActive()) await this.partitions.onUncleanLeaderElectionEnable();
          return;
        case 'TopicUncleanLeaderElectionEnable':
          if (this.isActive())
            await this.partitions.onTopicUncleanLeaderElectionEnable(event.topic);
          return;
        case 'AutoPreferredReplicaLeaderElection':
          if (!this.isActive()) return;
          try {
            const n = await this.partitions.checkAndTriggerAutoLeaderRebalance(
              this.opts.leaderImbalancePerBrokerPercentage ?? 10,
            );
            if (n > 0) this.stateLog.info(`auto leader rebalance moved ${n} leaderships`);
          } finally {
            this.scheduleAutoLeaderRebalance(this.opts.leaderImbalanceCheckIntervalMs ?? 300_000);
          }
          return;
        case 'TopicDeletionStopReplicaResponseReceived': {
          const r = event.stopReplica;
          if (this.isActive())
            await this.partitions.onStopReplicaResponse(r.brokerId, r.partitionErrors, r.errorCode);
          return;
        }
      }
    } catch (e) {
      if (e instanceof ZkSessionClosedError) return; // shutting down
      if (e instanceof ControllerMovedError) {
        this.onFenced(e);
        await this.maybeResign();
        return;
      }
      if (e instanceof ZkError && e.code === 'SessionExpired') {
        // The session went under us; Expire and RegisterBrokerAndReelect follow.
        this.log.warn(`controller event ${event.type} cut short by the session expiry`, {
          error: e.message,
        });
        return;
      }
      if (e instanceof ZkError && e.code === 'ConnectionLoss' && (event.retries ?? 0) < 5) {
        // Handlers re-read ZooKeeper, so running the event again is safe.
        this.log.warn(`controller event ${event.type} hit a connection loss; retrying`, {
          error: e.message,
        });
        this.eventManager.put({ ...event, retries: (event.retries ?? 0) + 1 });
        return;
      }
      throw e;
    }
  }

  private processExpire(): void {
    const was = this.isActive();
    this.activeControllerId = -1;
    this.stateLog.info('ZooKeeper session expired', { wasController: was, epoch: this.epoch });
    if (was) this.onControllerResignation('session expired');
  }

  private async processRegisterBrokerAndReelect(): Promise<void> {
    let brokerEpoch: number;
    try {
      brokerEpoch = await this.registerBrokerFn();
    } catch (e) {
      this.log.error('could not register the broker with the new ZooKeeper session', { error: e });
      this.emit('registrationFailed', e);
      return;
    }
    this.emit('registered', { brokerEpoch });
    await this.watchController();
    await this.maybeResign();
    await this.elect();
  }

  /** Kafka's elect(): learn the controller, or try to become it. */
  private async elect(): Promise<void> {
    const current = await this.zkClient.getControllerId();
    if (current !== null) {
      this.setActiveController(current);
      this.log.info(
        `broker ${current} has been elected as the controller, so stopping the election process`,
      );
      return;
    }
    try {
      const { epoch, epochZkVersion } =
        await this.zkClient.registerControllerAndIncrementControllerEpoch(
          this.brokerId,
          this.formats.controllerZNodeVersion,
        );
      this.epoch = epoch;
      this.epochZkVersion = epochZkVersion;
      this.setActiveController(this.brokerId);
      this.stateLog.info(
        `${this.brokerId} successfully elected as the controller. Epoch incremented to ${epoch} and epoch zk version is now ${epochZkVersion}`,
        { epoch, epochZkVersion },
      );
      await this.onControllerFailover();
    } catch (e) {
      if (e instanceof ControllerMovedError) {
        this.log.info(`controller moved to another broker while electing: ${e.message}`);
        await this.maybeResign();
        return;
      }
      if (e instanceof ZkError && (e.code === 'SessionExpired' || e.code === 'ConnectionLoss'))
        throw e;
      this.log.error('error while electing or becoming controller', { error: e });
      await this.triggerControllerMove();
    }
  }

  private setActiveController(id: number): void {
    if (id !== this.activeControllerId) {
      this.activeControllerId = id;
      this.emit('controllerChange', { activeControllerId: id });
    }
  }

  /** Re-reads /controller; resigns if this broker was controller and no longer is. */
  private async maybeResign(): Promise<void> {
    const was = this.isActive();
    const now = (await this.zkClient.getControllerId()) ?? -1;
    this.setActiveController(now);
    if (was && !this.isActive()) this.onControllerResignation(`controller moved to broker ${now}`);
  }

  /**
   * onControllerFailover, the steps that exist so far: the fenced /feature write (a
   * zombie is refused here), the /brokers/ids watch, the fenced cleanup of stale
   * notifications, then the live brokers and their epochs.
   */
  private async onControllerFailover(): Promise<void> {
    try {
      await this.zkClient.createOrUpdateFeatureZNode(
        { status: 1, features: {}, version: this.formats.featureZNodeVersion },
        this.epochZkVersion,
      );
      await this.zkClient.deleteIsrChangeNotifications(this.epochZkVersion);
      await this.zkClient.deleteLogDirEventNotifications(this.epochZkVersion);
      const brokers = await this.zkClient.getAllBrokerAndEpochsInCluster(this.brokerChangeWatcher);
      this.liveBrokers.clear();
      for (const [id, b] of brokers) this.liveBrokers.set(id, b);
      await this.partitions.onControllerFailover();
      await this.isrChanges.onControllerFailover();
      this.stats.elections++;
      this.stateLog.info(`ready to serve as the new controller with epoch ${this.epoch}`, {
        epoch: this.epoch,
        epochZkVersion: this.epochZkVersion,
        liveBrokers: [...this.liveBrokers.keys()].join(','),
      });
      // As Kafka: the first imbalance check 5 s after failover, then every interval.
      if (this.opts.autoLeaderRebalanceEnable ?? true)
        this.scheduleAutoLeaderRebalance(
          Math.min(5000, this.opts.leaderImbalanceCheckIntervalMs ?? 300_000),
        );
      this.emit('failover', { epoch: this.epoch, epochZkVersion: this.epochZkVersion });
    } catch (e) {
      if (e instanceof ControllerMovedError) {
        this.onFenced(e);
        await this.maybeResign();
        return;
      }
      throw e;
    }
  }

  private onFenced(e: ControllerMovedError): void {
    this.stats.fencedWrites++;
    this.stateLog.warn('controller write refused: this controller has been fenced', {
      epoch: this.epoch,
      epochZkVersion: this.epochZkVersion,
      error: e.message,
    });
    this.emit('fenced', e);
  }

  private onControllerResignation(reason: string): void {
    this.rebalanceTimer?.cancel();
    this.rebalanceTimer = null;
    this.partitions.onControllerResignation();
    this.liveBrokers.clear();
    this.stats.resignations++;
    this.stateLog.info(`resigned as the controller (${reason})`, { epoch: this.epoch });
    this.emit('resignation', { epoch: this.epoch });
  }

  /** Gives up the controller role and deletes /controller, fenced by our epoch. */
  private async triggerControllerMove(): Promise<void> {
    const was = this.isActive();
    this.activeControllerId = -1;
    if (was) this.onControllerResignation('controller move triggered');
    try {
      await this.zkClient.deleteController(this.epochZkVersion);
    } catch (e) {
      if (e instanceof ControllerMovedError) this.onFenced(e);
      else throw e;
    }
  }

  private async processBrokerChange(): Promise<void> {
    if (!this.isActive()) return;
    const current = await this.zkClient.getAllBrokerAndEpochsInCluster(this.brokerChangeWatcher);
    const known = this.liveBrokers;
    const newBrokers = [...current.keys()].filter((id) => !known.has(id));
    const deadBrokers = [...known.keys()].filter((id) => !current.has(id)).sort((a, b) => a - b);
    const bouncedBrokers = [...current.keys()].filter(
      (id) => known.has(id) && current.get(id)!.epoch > known.get(id)!.epoch,
    );
    known.clear();
    for (const [id, b] of current) known.set(id, b);
    const liveBrokers = [...current.keys()];
    if (newBrokers.length + deadBrokers.length + bouncedBrokers.length === 0) return;
    this.stateLog.info(
      `Newly added brokers: ${newBrokers.join(',')}, deleted brokers: ${deadBrokers.join(',')}, ` +
        `bounced brokers: ${bouncedBrokers.join(',')}, all live brokers: ${liveBrokers.join(',')}`,
    );
    const change: BrokerChange = { newBrokers, deadBrokers, bouncedBrokers, liveBrokers };
    // A bounced broker is a failure followed by a startup, as in Kafka.
    if (deadBrokers.length + bouncedBrokers.length > 0) {
      await this.partitions.onBrokerFailure([...deadBrokers, ...bouncedBrokers]);
      this.onBrokerFailure([...deadBrokers, ...bouncedBrokers]);
    }
    if (newBrokers.length + bouncedBrokers.length > 0) {
      await this.partitions.onBrokerStartup([...newBrokers, ...bouncedBrokers]);
      this.onBrokerStartup([...newBrokers, ...bouncedBrokers]);
    }
    this.emit('brokerChange', change);
  }

  /** Partition/replica work for returning brokers goes here (later issue). */
  protected onBrokerStartup(ids: number[]): void {
    this.emit('brokerStartup', ids);
  }

  /** Partition/replica work for dead brokers goes here (later issue). */
  protected onBrokerFailure(ids: number[]): void {
    this.emit('brokerFailure', ids);
  }
}
