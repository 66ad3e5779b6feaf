/**
 * ReplicaManager: the partitions this broker hosts and the data path through them
 * (Kafka's `server.ReplicaManager`).
 *
 * - `becomeLeaderOrFollower` (LeaderAndIsr) and `stopReplicas` (StopReplica) apply the
 *   controller's decisions, fenced by controller epoch and partition leader epoch.
 * - `appendRecords` (Produce): acks 0/1 answer after the local append; acks -1 waits in
 *   the produce purgatory (DelayedProduce) until the HW passes the append — at once
 *   when the ISR is the leader alone.
 * - `fetchMessages` (Fetch): answers at once when minBytes are readable or a partition
 *   has an error, else parks a DelayedFetch that an append to one of its partitions
 *   completes, or its single maxWaitMs timer. Followers woken by the same append at the
 *   same offset share one log read.
 * - Replication: a follower's partitions are fetched from their leaders by the
 *   ReplicaFetcherManager (truncation by OffsetsForLeaderEpoch first); a leader records
 *   each follower fetch (Partition.updateFollowerFetchState: LEO, caught-up time, ISR
 *   expansion, HW); the `isr-expiration` task runs Partition.maybeShrinkIsr every
 *   replica.lag.time.max.ms / 2; ISR changes go through the IsrManager (AlterPartition
 *   or the ZooKeeper write). An HW move wakes parked fetches and acks=-1 produces.
 * - High watermarks: `highWatermarkOf` feeds the LogManager (its retention and cleaner stay
 *   below them, it checkpoints them to `replication-offset-checkpoint` every
 *   `replica.high.watermark.checkpoint.interval.ms` and on close); the checkpointed
 *   values seed new Partition objects after a restart.
 */
import {
  createLogger,
  ErrorCode,
  KafkaError,
  Logger,
  mapToObjects,
  ScheduledTask,
  SystemTime,
  Time,
  tpKey,
} from '@kzoo/common';
import type { BrokerTopicStats } from '../metrics/BrokerTopicStats';
import type {
  EpochEndOffset,
  FetchRequest,
  FetchResponseTopic,
  FetchResponsePartition,
  LeaderAndIsrPartitionError,
  LeaderAndIsrRequest,
  LeaderAndIsrResponse,
  OffsetForLeaderEpochRequest,
  OffsetForLeaderTopicResult,
  ProduceRequestTopic,
  ProduceResponsePartition,
  ProduceResponseTopic,
  StopReplicaRequest,
  StopReplicaResponse,
} from '@kzoo/protocol';
import { DelayedOperationPurgatory } from './DelayedOperation';
import { SystemTimer, type Timer } from './Timer';
import { DelayedFetch, type FetchPartitionStatus } from './DelayedFetch';
import { DelayedProduce } from './DelayedProduce';
import type { LogManager } from '@kzoo/log';
import type { MetadataCache } from './MetadataCache';
import type { IsrManager } from './IsrManager';
import { registeredPeerAddress, type PeerAddressResolver } from '../network/peer-address';
import { Partition } from './Partition';
import {
  UNBOUNDED_QUOTA,
  shouldLeaderThrottle,
  sizeOfThrottledPartitions,
  type ReplicationQuotas,
} from './ReplicationQuotaManager';
import { ReplicaFetcherManager } from './ReplicaFetcherManager';
import type { FetcherConfig, SourceBroker } from './ReplicaFetcherThread';

export interface ReplicaManagerOptions {
  brokerId: number;
  logManager: LogManager;
  metadataCache: MetadataCache;
  /** This broker's epoch (czxid of its registration), for fencing control requests. */
  brokerEpoch: () => number;
  /** Topic-level overrides from /config/topics/<t>. */
  topicConfig: (topic: string) => Promise<Record<string, string>>;
  /** Broker default min.insync.replicas. */
  minInsyncReplicas?: number;
  /** replica.lag.time.max.ms (default 30000). */
  replicaLagTimeMaxMs?: number;
  /** How leader-made ISR changes are committed (none: locally, for unit tests). */
  isrManager?: IsrManager;
  /** replica.fetch.* settings of this broker's fetchers. */
  fetcher?: Partial<Omit<FetcherConfig, 'brokerId'>>;
  /** inter.broker.listener.name: the leader endpoint followers fetch from. */
  interBrokerListenerName?: string;
  /** kzoo.inter.broker.address.overrides: the address dialed for a leader's endpoint. */
  interBrokerAddress?: PeerAddressResolver;
  time?: Time;
  /** Replication throttles (leader and follower quotas); none: nothing is throttled. */
  quotas?: ReplicationQuotas;
  /** Expires parked fetches and produces (default: a SystemTimer on the real clock; tests: MockTimer). */
  timer?: Timer;
  logger?: Logger;
  /** Bytes and messages in and out, per topic (Kafka's BrokerTopicStats; metrics/). */
  brokerTopicStats?: BrokerTopicStats;
}

export function errorCodeOf(e: unknown): number {
  return e instanceof KafkaError ? e.code : -1;
}

export class ReplicaManager {
  readonly brokerId: number;
  /** The highest controller epoch seen (Kafka's controllerEpoch). */
  controllerEpoch = 0;
  private readonly partitions = new Map<string, Partition>();
  /** min.insync.replicas of partitions without a topic override (a dynamic broker config changes it). */
  private defaultMinIsr: number;
  /** Topics overriding min.insync.replicas, with their value. */
  private readonly topicMinIsr = new Map<string, string>();
  readonly fetchPurgatory: DelayedOperationPurgatory<DelayedFetch>;
  readonly producePurgatory: DelayedOperationPurgatory<DelayedProduce>;
  /**
   * Parked operations that waited until their deadline (Kafka's DelayedFetchMetrics
   * ExpiresPerSec by fetcherType, DelayedProduceMetrics ExpiresPerSec): under a steady load
   * a follower's or consumer's fetch that expires waited max.wait.ms while data came in.
   */
  readonly expirations = { followerFetch: 0, consumerFetch: 0, produce: 0, missedWakeups: 0 };

  private readonly log: Logger;
  private readonly stateLog: Logger;
  private readonly time: Time;
  /** replication-offset-checkpoint as read at startup. */
  private readonly checkpointedHw: Map<string, number>;
  private readonly leadershipListeners: Array<(p: Partition) => void> = [];
  readonly replicaFetcherManager: ReplicaFetcherManager;
  private readonly lagMs: number;
  private isrExpiration: ScheduledTask | null = null;
  /** ISR changes this broker proposed as leader (Kafka's IsrShrinksPerSec / IsrExpandsPerSec). */
  readonly isrStats = { shrinks: 0, expands: 0 };

  constructor(private readonly opts: ReplicaManagerOptions) {
    this.defaultMinIsr = opts.minInsyncReplicas ?? 1;
    this.brokerId = opts.brokerId;
    this.time = opts.time ?? SystemTime;
    const timer = opts.timer ?? new SystemTimer(this.time);
    this.fetchPurgatory = new DelayedOperationPurgatory('Fetch', timer, (op) => {
      if (op.fromFollower) this.expirations.followerFetch++;
      else this.expirations.consumerFetch++;
      this.checkMissedWakeup(op, op.fromFollower ? 'follower fetch' : 'consumer fetch');
    });
    this.producePurgatory = new DelayedOperationPurgatory('Produce', timer, (op) => {
      this.expirations.produce++;
      this.checkMissedWakeup(op, 'acks=all produce');
    });
    const base = opts.logger ?? createLogger('replica.manager', { broker: opts.brokerId });
    this.log = base;
    this.stateLog = base.child({}, 'state.change');
    this.checkpointedHw = opts.logManager.readHighWatermarks();
    opts.metadataCache.onUpdate(() => this.onMetadataUpdate());
    this.lagMs = opts.replicaLagTimeMaxMs ?? 30000;
    const f = opts.fetcher ?? {};
    this.replicaFetcherManager = new ReplicaFetcherManager(
      {
        brokerId: opts.brokerId,
        maxWaitMs: f.maxWaitMs ?? 500,
        minBytes: f.minBytes ?? 1,
        maxBytes: f.maxBytes ?? 1048576,
        responseMaxBytes: f.responseMaxBytes ?? 10485760,
        backoffMs: f.backoffMs ?? 1000,
        requestTimeoutMs: f.requestTimeoutMs ?? 30000,
        time: this.time,
        quota: opts.quotas?.follower,
      },
      base.child({}, 'replica.fetcher'),
      this.stateLog,
    );
  }

  /**
   * Kafka's isReplicaIsrEligible (ZooKeeper mode): the broker is alive in the metadata
   * cache. Before the first UpdateMetadata lists any broker, every follower is.
   */
  private readonly isReplicaIsrEligible = (brokerId: number): boolean => {
    const cache = this.opts.metadataCache;
    return cache.isBrokerAlive(brokerId) || cache.aliveBrokerIds().length === 0;
  };

  /** The live brokers of the last UpdateMetadata (to see one leave). */
  private aliveBrokers = new Set<number>();

  /**
   * After an UpdateMetadata that drops a live broker (it shut down or died), the HW of the
   * partitions led here is computed again: a caught-up follower on that broker outside the
   * ISR held it back and no longer does (an acks=-1 produce waiting on it completes now,
   * not at the next append or after replica.lag.time.max.ms).
   */
  private onMetadataUpdate(): void {
    const alive = new Set(this.opts.metadataCache.aliveBrokerIds());
    const gone = [...this.aliveBrokers].some((id) => !alive.has(id));
    this.aliveBrokers = alive;
    if (!gone) return;
    for (const p of this.partitions.values())
      if (p.isLeader && p.maybeIncrementLeaderHighWatermark()) this.onHighWatermarkMoved(p.key);
  }

  /** Starts the isr-expiration task (every replica.lag.time.max.ms / 2) and the IsrManager. */
  startup(): void {
    this.opts.isrManager?.start();
    if (this.isrExpiration) return;
    const interval = Math.max(1, Math.floor(this.lagMs / 2));
    this.isrExpiration = this.time.schedule(
      'isr-expiration',
      () => {
        for (const p of this.partitions.values()) if (p.isLeader) p.maybeShrinkIsr();
      },
      interval,
      { periodMs: interval, unref: true },
    );
  }

  /** Stops the fetchers (before the logs close). */
  async shutdownFetchers(): Promise<void> {
    await this.replicaFetcherManager.shutdown();
  }

  /** This broker's current epoch (czxid of its registration). */
  brokerEpoch(): number {
    return this.opts.brokerEpoch();
  }

  /**
   * The high watermark of a partition's log: the Partition's, or (before its first
   * LeaderAndIsr after a restart) the checkpointed one.
   */
  highWatermarkOf(topic: string, partition: number): number | undefined {
    const key = tpKey(topic, partition);
    return this.partitions.get(key)?.highWatermark ?? this.checkpointedHw.get(key);
  }

  /** Answers parked requests, then writes the high watermarks. */
  shutdown(): void {
    this.isrExpiration?.cancel();
    this.isrExpiration = null;
    this.opts.isrManager?.shutdown();
    void this.replicaFetcherManager.shutdown();
    this.fetchPurgatory.completeAll();
    this.producePurgatory.completeAll();
    this.checkpointHighWatermarks();
  }

  checkpointHighWatermarks(): void {
    this.opts.logManager.checkpointHighWatermarks(
      this.opts.logManager.allLogs().flatMap((l) => {
        const offset = this.highWatermarkOf(l.topic, l.partition);
        return offset === undefined ? [] : [{ topic: l.topic, partition: l.partition, offset }];
      }),
    );
  }

  /** Called when this broker becomes leader or follower of a partition. */
  onLeadershipChange(fn: (p: Partition) => void): void {
    this.leadershipListeners.push(fn);
  }

  getPartition(topic: string, partition: number): Partition | undefined {
    return this.partitions.get(tpKey(topic, partition));
  }

  allPartitions(): Partition[] {
    return [...this.partitions.values()];
  }

  /** The hosted partition, or UNKNOWN_TOPIC_OR_PARTITION / NOT_LEADER_OR_FOLLOWER as Kafka's getPartitionOrError. */
  getPartitionOrError(topic: string, partition: number): Partition {
    const p = this.partitions.get(tpKey(topic, partition));
    if (p) return p;
    if (this.opts.metadataCache.partitionState(topic, partition))
      throw new KafkaError(
        'NOT_LEADER_OR_FOLLOWER',
        `broker ${this.brokerId} does not host ${topic}-${partition}`,
      );
    throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `unknown partition ${topic}-${partition}`);
  }

  // ---------------------------------------------------------------- control requests

  private staleControl(controllerEpoch: number, brokerEpoch: number): number {
    if (controllerEpoch < this.controllerEpoch) return ErrorCode.STALE_CONTROLLER_EPOCH;
    if (brokerEpoch >= 0 && brokerEpoch < this.opts.brokerEpoch())
      return ErrorCode.STALE_BROKER_EPOCH;
    return 0;
  }

  /** LeaderAndIsr (Kafka's becomeLeaderOrFollower). */
  async becomeLeaderOrFollower(req: LeaderAndIsrRequest): Promise<LeaderAndIsrResponse> {
    const stale = this.staleControl(req.controllerEpoch, req.brokerEpoch);
    if (stale !== 0) {
      this.stateLog.warn('ignoring LeaderAndIsr', {
        controllerId: req.controllerId,
        controllerEpoch: req.controllerEpoch,
        known: this.controllerEpoch,
        errorCode: stale,
      });
      return { errorCode: stale, partitionErrors: [] };
    }
    this.controllerEpoch = req.controllerEpoch;
    const errors: LeaderAndIsrPartitionError[] = [];
    const configs = new Map<string, Record<string, string>>();
    const changed: string[] = [];
    const startFetching: Array<{
      partition: Partition;
      leader: SourceBroker;
      leaderEpoch: number;
    }> = [];
    for (const s of req.partitionStates) {
      const err = (code: number) =>
        errors.push({ topicName: s.topicName, partitionIndex: s.partitionIndex, errorCode: code });
      if (!s.replicas.includes(this.brokerId)) {
        err(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION); // not an assigned replica
        continue;
      }
      let p = this.getPartition(s.topicName, s.partitionIndex);
      if (p && s.leaderEpoch <= p.leaderEpoch) {
        this.stateLog.info('ignoring LeaderAndIsr for a partition: leader epoch not newer', {
          partition: p.key,
          leaderEpoch: s.leaderEpoch,
          current: p.leaderEpoch,
        });
        err(ErrorCode.STALE_CONTROLLER_EPOCH); // as Kafka answers a stale partition state
        continue;
      }
      try {
        if (!p) {
          let cfg = configs.get(s.topicName);
          if (!cfg) configs.set(s.topicName, (cfg = await this.opts.topicConfig(s.topicName)));
          // Re-check: another request may have created it while we read the config, and
          // applied a newer state to it (Kafka serialises LeaderAndIsr under its
          // replicaStateChangeLock; here a later request runs while this one awaits).
          p = this.getPartition(s.topicName, s.partitionIndex);
          if (p && s.leaderEpoch <= p.leaderEpoch) {
            this.stateLog.info(
              'ignoring LeaderAndIsr for a partition: a newer leader epoch was applied meanwhile',
              { partition: p.key, leaderEpoch: s.leaderEpoch, current: p.leaderEpoch },
            );
            err(ErrorCode.STALE_CONTROLLER_EPOCH);
            continue;
          }
          p ??= this.createPartition(s.topicName, s.partitionIndex, cfg);
        }
        const becameLeader = s.leader === this.brokerId;
        // Stop fetching first, so no fetched batch lands after the role changed.
        this.replicaFetcherManager.removeFetcherForPartitions([p.key]);
        if (becameLeader) p.makeLeader(s);
        else p.makeFollower(s);
        if (!becameLeader && s.leader >= 0) {
          const leader = this.leaderEndpoint(s.leader, req);
          if (leader) startFetching.push({ partition: p, leader, leaderEpoch: s.leaderEpoch });
          else
            this.stateLog.warn('leader endpoint unknown; not fetching', {
              partition: p.key,
              leader: s.leader,
            });
        }
        this.stateLog.info(becameLeader ? 'became leader' : 'became follower', {
          partition: p.key,
          leader: s.leader,
          leaderEpoch: s.leaderEpoch,
          isr: s.isr.join(','),
          controllerEpoch: req.controllerEpoch,
        });
        for (const l of this.leadershipListeners) l(p);
        changed.push(p.key);
        err(0);
      } catch (e) {
        this.log.error('LeaderAndIsr failed for a partition', {
          partition: tpKey(s.topicName, s.partitionIndex),
          error: e,
        });
        err(e instanceof KafkaError ? e.code : ErrorCode.KAFKA_STORAGE_ERROR);
      }
    }
    this.replicaFetcherManager.addFetcherForPartitions(startFetching);
    // parked fetches and produces of the changed partitions re-check once each, after all
    // changed (a follower's fetch parked on thousands of partitions is tried once, not once
    // per partition)
    this.fetchPurgatory.checkAndCompleteKeys(changed);
    this.producePurgatory.checkAndCompleteKeys(changed);
    return { errorCode: 0, partitionErrors: errors };
  }

  /** The leader's inter-broker endpoint: from the request's liveLeaders, else the metadata cache. */
  private leaderEndpoint(id: number, req: LeaderAndIsrRequest): SourceBroker | undefined {
    const dial = this.opts.interBrokerAddress ?? registeredPeerAddress;
    const l = req.liveLeaders.find((x) => x.brokerId === id);
    if (l) return { id, ...dial(id, { host: l.hostName, port: l.port }) };
    const b = this.opts.metadataCache.aliveBroker(id);
    const ep =
      b?.endpoints.find((e) => e.listener === this.opts.interBrokerListenerName) ?? b?.endpoints[0];
    return ep ? { id, ...dial(id, ep) } : undefined;
  }

  private createPartition(
    topic: string,
    partition: number,
    cfg: Record<string, string>,
  ): Partition {
    const log = this.opts.logManager.getOrCreateLog(topic, partition, cfg);
    this.opts.quotas?.updateTopicConfig(topic, cfg);
    this.rememberMinIsr(topic, cfg);
    const p = new Partition(
      topic,
      partition,
      this.brokerId,
      log,
      this.checkpointedHw.get(tpKey(topic, partition)),
      this.minIsrOf(topic),
      {
        replicaLagTimeMaxMs: this.lagMs,
        time: this.time,
        isrManager: this.opts.isrManager,
        stateLog: this.stateLog,
        onHighWatermarkMoved: (x) => this.onHighWatermarkMoved(x.key),
        onIsrChange: (kind) =>
          kind === 'shrink' ? this.isrStats.shrinks++ : this.isrStats.expands++,
        isReplicaIsrEligible: this.isReplicaIsrEligible,
      },
    );
    this.partitions.set(p.key, p);
    return p;
  }

  /**
   * Applies a topic's new override set live (Kafka's TopicConfigHandler): its logs on
   * this broker take the new log config, its partitions the new min.insync.replicas
   * (the broker default when not overridden). Returns the partitions updated.
   */
  updateTopicConfig(topic: string, overrides: Record<string, string>): number {
    this.opts.logManager.updateTopicConfig(topic, overrides);
    this.opts.quotas?.updateTopicConfig(topic, overrides);
    this.rememberMinIsr(topic, overrides);
    const minIsr = this.minIsrOf(topic);
    let n = 0;
    for (const p of this.partitions.values()) {
      if (p.topic !== topic) continue;
      p.minInsyncReplicas = minIsr;
      n++;
    }
    return n;
  }

  /**
   * The broker's min.insync.replicas changed (a dynamic broker config): every partition
   * whose topic does not override it takes the new value. Returns the partitions updated.
   */
  reconfigureMinInsyncReplicas(minInsyncReplicas: number): number {
    this.defaultMinIsr = minInsyncReplicas;
    let n = 0;
    for (const p of this.partitions.values()) {
      if (this.topicMinIsr.has(p.topic)) continue;
      p.minInsyncReplicas = this.minIsrOf(p.topic);
      n++;
    }
    return n;
  }

  private rememberMinIsr(topic: string, overrides: Record<string, string>): void {
    const v = overrides['min.insync.replicas'];
    if (v === undefined) this.topicMinIsr.delete(topic);
    else this.topicMinIsr.set(topic, v);
  }

  /** The topic's override, else the broker's value; 1 for anything unusable. */
  private minIsrOf(topic: string): number {
    const minIsr = Number(this.topicMinIsr.get(topic) ?? this.defaultMinIsr);
    return Number.isInteger(minIsr) && minIsr > 0 ? minIsr : 1;
  }

  /** StopReplica: stop serving partitions; delete their logs when asked (topic deletion). */
  stopReplicas(req: StopReplicaRequest): StopReplicaResponse {
    const stale = this.staleControl(req.controllerEpoch, req.brokerEpoch);
    if (stale !== 0) return { errorCode: stale, partitionErrors: [] };
    this.controllerEpoch = req.controllerEpoch;
    const partitionErrors = req.partitions.map((s) => {
      const key = tpKey(s.topicName, s.partitionIndex);
      const p = this.partitions.get(key);
      let errorCode = 0;
      if (p && s.leaderEpoch >= 0 && s.leaderEpoch < p.leaderEpoch) {
        errorCode = ErrorCode.FENCED_LEADER_EPOCH;
      } else {
        try {
          this.replicaFetcherManager.removeFetcherForPartitions([key]);
          if (p) p.leaderId = -1;
          if (s.deletePartition) {
            this.partitions.delete(key);
            this.opts.logManager.deleteLog(s.topicName, s.partitionIndex);
            this.checkpointedHw.delete(key);
          }
          this.stateLog.info('stopped replica', {
            partition: key,
            deletePartition: s.deletePartition,
          });
        } catch (e) {
          this.log.error('StopReplica failed', { partition: key, error: e });
          errorCode = ErrorCode.KAFKA_STORAGE_ERROR;
        }
      }
      return { topicName: s.topicName, partitionIndex: s.partitionIndex, errorCode };
    });
    const keys = req.partitions.map((s) => tpKey(s.topicName, s.partitionIndex));
    this.fetchPurgatory.checkAndCompleteKeys(keys);
    this.producePurgatory.checkAndCompleteKeys(keys);
    // A deleted topic with no partition left here: its BrokerTopicMetrics go (as Kafka's removeMetrics).
    const stats = this.opts.brokerTopicStats;
    if (stats)
      for (const t of new Set(
        req.partitions.filter((s) => s.deletePartition).map((s) => s.topicName),
      ))
        if (![...this.partitions.values()].some((p) => p.topic === t)) stats.removeTopic(t);
    return { errorCode: 0, partitionErrors };
  }

  // ---------------------------------------------------------------- produce

  /**
   * Appends each partition's batches as leader. Resolves with the per-partition results
   * once `acks` is satisfied (acks -1: when the HW passes the append, or REQUEST_TIMED_OUT
   * after `timeoutMs`).
   */
  appendRecords(
    acks: number,
    timeoutMs: number,
    topics: ProduceRequestTopic[],
    /** `coordinator`: transaction markers (control batches) from WriteTxnMarkers. */
    origin: 'client' | 'coordinator' = 'client',
  ): Promise<ProduceResponseTopic[]> | ProduceResponseTopic[] {
    // A partition that just became leader appends only once its epoch's checkpoint is on
    // disk (a few ms; the writes of a whole LeaderAndIsr run concurrently off the event loop).
    const epochWrites: Promise<void>[] = [];
    for (const t of topics)
      for (const tp of t.partitions) {
        const w = this.getPartition(t.name, tp.index)?.pendingEpochWrite;
        if (w) epochWrites.push(w);
      }
    if (epochWrites.length > 0)
      return Promise.all(epochWrites).then(() =>
        this.appendRecords(acks, timeoutMs, topics, origin),
      );
    const out: ProduceResponseTopic[] = [];
    const waiting: Array<{
      p: Partition;
      result: ProduceResponsePartition;
      requiredOffset: number;
    }> = [];
    for (const t of topics) {
      const parts: ProduceResponsePartition[] = [];
      out.push({ name: t.name, partitions: parts });
      for (const tp of t.partitions) {
        const result: ProduceResponsePartition = {
          index: tp.index,
          errorCode: 0,
          baseOffset: -1,
          logAppendTimeMs: -1,
          logStartOffset: -1,
          errorMessage: null,
        };
        parts.push(result);
        if (acks !== 0 && acks !== 1 && acks !== -1) {
          result.errorCode = ErrorCode.INVALID_REQUIRED_ACKS;
          result.errorMessage = `acks must be 0, 1 or -1, got ${acks}`;
          continue;
        }
        try {
          const p = this.getPartitionOrError(t.name, tp.index);
          const info = p.appendRecordsToLeader(tp.records, acks, origin);
          this.opts.brokerTopicStats?.recordAppend(t.name, tp.records.length, info.numRecords);
          result.baseOffset = info.firstOffset;
          result.logAppendTimeMs = info.logAppendTime;
          result.logStartOffset = p.logStartOffset;
          this.wakeFetchesAfterAppend(p.key);
          if (acks === -1) waiting.push({ p, result, requiredOffset: info.lastOffset + 1 });
        } catch (e) {
          result.errorCode = errorCodeOf(e);
          result.errorMessage = (e as Error).message;
          if (result.errorCode < 0) {
            this.log.error('unexpected error appending to a partition', {
              partition: `${t.name}-${tp.index}`,
              error: e,
            });
          }
        }
      }
    }
    if (waiting.length === 0) return out;
    return new Promise((resolve) => {
      const op = new DelayedProduce(timeoutMs, waiting, () => resolve(out));
      this.producePurgatory.tryCompleteElseWatch(
        op,
        mapToObjects(waiting, (w) => w.p.key),
      );
    });
  }

  // ---------------------------------------------------------------- fetch

  /**
   * Reads the requested partitions (Kafka's readFromLocalLog): per partition up to
   * `partitionMaxBytes`, in all up to `maxBytes`; the first partition with data returns
   * at least one whole batch even when larger (KIP-74).
   */
  readFromLocalLog(
    req: FetchRequest,
    updateFollowers = false,
  ): {
    topics: FetchResponseTopic[];
    bytes: number;
    errors: number;
    status: FetchPartitionStatus[];
  } {
    const fromFollower = req.replicaId >= 0;
    let limit = Math.max(0, req.maxBytes);
    let minOneMessage = true;
    let bytes = 0;
    let errors = 0;
    const status: FetchPartitionStatus[] = [];
    const topics = req.topics.map((t) => ({
      topic: t.topic,
      partitions: t.partitions.map((fp): FetchResponsePartition => {
        const r: FetchResponsePartition = {
          partitionIndex: fp.partition,
          errorCode: 0,
          highWatermark: -1,
          lastStableOffset: -1,
          logStartOffset: -1,
          records: EMPTY,
        };
        try {
          const p = this.getPartitionOrError(t.topic, fp.partition);
          const read = this.readPartition(p, {
            fetchOffset: fp.fetchOffset,
            maxBytes: Math.min(Math.max(0, fp.partitionMaxBytes), limit),
            currentLeaderEpoch: fp.currentLeaderEpoch,
            fromFollower,
            minOneMessage,
            isolationLevel: req.isolationLevel,
          });
          if (fromFollower && updateFollowers) {
            // Kafka's updateFollowerFetchState: LEO, caught-up time, ISR expansion, HW.
            if (
              p.updateFollowerFetchState(
                req.replicaId,
                fp.fetchOffset,
                fp.logStartOffset,
                read.logEndOffset,
              )
            )
              this.onHighWatermarkMoved(p.key);
          }
          // Kafka's shouldLeaderThrottle: a throttled follower out of the ISR gets no data.
          const throttled =
            fromFollower && shouldLeaderThrottle(this.leaderQuota, p, req.replicaId);
          r.records = throttled ? EMPTY : read.records;
          r.highWatermark = read.highWatermark;
          r.lastStableOffset = read.lastStableOffset;
          if (read.abortedTransactions) r.abortedTransactions = read.abortedTransactions;
          r.logStartOffset = read.logStartOffset;
          const n = r.records.length;
          if (n > 0) minOneMessage = false;
          limit = Math.max(0, limit - n);
          bytes += n;
          status.push({
            partition: p,
            fetchOffset: fp.fetchOffset,
            bytesAtHw: fromFollower ? p.bytesAtLogEnd : p.bytesAtHighWatermark,
            bytesRead: n,
            fromFollower,
            throttled,
          });
        } catch (e) {
          r.errorCode = errorCodeOf(e);
          errors++;
          if (r.errorCode < 0) {
            r.errorCode = -1;
            this.log.error('unexpected error reading a partition', {
              partition: tpKey(t.topic, fp.partition),
              error: e,
            });
          }
        }
        return r;
      }),
    }));
    return { topics, bytes, errors, status };
  }

  /**
   * A partition's read; while the fetches parked on an append are answered (one synchronous
   * pass: no log changes meanwhile), followers asking for the same offset and limits share
   * one log read (and its CRC checks) instead of one each: with RF=3 both followers are
   * usually caught up at the same offset when the append wakes them.
   */
  private readPartition(p: Partition, o: Parameters<Partition['readRecords']>[0]) {
    const memo = this.followerReads;
    if (!memo || !o.fromFollower) return p.readRecords(o);
    const key = `${p.key}:${o.fetchOffset}:${o.maxBytes}:${o.minOneMessage}:${o.currentLeaderEpoch}`;
    let read = memo.get(key);
    if (!read) memo.set(key, (read = p.readRecords(o)));
    return read;
  }

  private get leaderQuota() {
    return this.opts.quotas?.leader ?? UNBOUNDED_QUOTA;
  }

  /** Follower reads of the current wake-up pass (see readPartition); null outside it. */
  private followerReads: Map<string, ReturnType<Partition['readRecords']>> | null = null;

  /** Fetch with long polling (see the header). */
  fetchMessages(req: FetchRequest): Promise<FetchResponseTopic[]> | FetchResponseTopic[] {
    const first = this.readFromLocalLog(req, true);
    if (
      req.maxWaitMs <= 0 ||
      req.topics.length === 0 ||
      first.bytes >= req.minBytes ||
      first.errors > 0
    )
      return this.countFetched(req, first.topics);
    return new Promise((resolve) => {
      const op = new DelayedFetch(req.maxWaitMs, req.minBytes, first.status, () =>
        resolve(this.countFetched(req, this.readFromLocalLog(req).topics)),
      );
      this.fetchPurgatory.tryCompleteElseWatch(
        op,
        mapToObjects(first.status, (s) => s.partition.key),
      );
    });
  }

  // ---------------------------------------------------------------- OffsetsForLeaderEpoch

  /** OffsetsForLeaderEpoch (KIP-101/279), answered by the leader from its leader-epoch cache. */
  /** Counts the bytes a fetch answers (BytesOutPerSec / ReplicationBytesOutPerSec). */
  private countFetched(req: FetchRequest, topics: FetchResponseTopic[]): FetchResponseTopic[] {
    const stats = this.opts.brokerTopicStats;
    if (stats)
      for (const t of topics)
        for (const p of t.partitions)
          stats.recordFetch(t.topic, p.records.length, req.replicaId >= 0);
    if (req.replicaId >= 0)
      this.leaderQuota.record(sizeOfThrottledPartitions(topics, this.leaderQuota));
    return topics;
  }

  lastOffsetForLeaderEpoch(req: OffsetForLeaderEpochRequest): OffsetForLeaderTopicResult[] {
    return req.topics.map((t) => ({
      topic: t.topic,
      partitions: t.partitions.map((op): EpochEndOffset => {
        try {
          const p = this.getPartitionOrError(t.topic, op.partition);
          const r = p.lastOffsetForLeaderEpoch(op.currentLeaderEpoch, op.leaderEpoch);
          return { errorCode: 0, partition: op.partition, ...r };
        } catch (e) {
          return {
            errorCode: errorCodeOf(e),
            partition: op.partition,
            leaderEpoch: -1,
            endOffset: -1,
          };
        }
      }),
    }));
  }

  /**
   * Parked fetches of `key` re-check after an append — once per event-loop turn, so the
   * produce requests that arrived together are all in the log before a follower's (or
   * consumer's) fetch is answered: one fetch carries them all instead of one each.
   */
  private wakeFetchesAfterAppend(key: string): void {
    if (this.appendedKeys.size === 0) setImmediate(this.wakeAppended);
    this.appendedKeys.add(key);
  }

  private readonly appendedKeys = new Set<string>();
  private readonly wakeAppended = (): void => {
    const keys = [...this.appendedKeys];
    this.appendedKeys.clear();
    this.followerReads = new Map();
    try {
      for (const k of keys) this.fetchPurgatory.checkAndComplete(k);
    } finally {
      this.followerReads = null;
    }
  };

  /**
   * An operation at its deadline that could have completed before: the event that should
   * have woken it (an append, a high watermark move) did not check it. Never expected; a
   * WARN line and a count, so a latency stall of max.wait.ms or request.timeout.ms under
   * load names its cause.
   */
  private checkMissedWakeup(
    op: { canComplete(): boolean; partitionKeys: string[]; delayMs: number },
    what: string,
  ): void {
    if (!op.canComplete()) return;
    // An append of this loop turn whose wake-up pass has not run yet is no miss.
    if (op.partitionKeys.some((k) => this.appendedKeys.has(k))) return;
    this.expirations.missedWakeups++;
    this.log.warn(
      `a parked ${what} waited its whole ${op.delayMs} ms though it could have been answered earlier (a missed wake-up)`,
      {
        partitions: op.partitionKeys.slice(0, 5).join(','),
      },
    );
  }

  /** Lets parked fetches of `key` re-check (after the HW moved). */
  onHighWatermarkMoved(key: string): void {
    this.fetchPurgatory.checkAndComplete(key);
    this.producePurgatory.checkAndComplete(key);
  }

  get now(): number {
    return this.time.milliseconds();
  }
}

const EMPTY = Buffer.alloc(0);
