/**
 * PartitionStateMachine (Kafka's ZkPartitionStateMachine): NonExistent → New when a
 * topic appears; New → Online by writing each partition's first `state` znode — leader
 * = the first live replica in assignment order, ISR = the live replicas, leader_epoch 0,
 * controller_epoch = ours — in a multi fenced by the controller epoch's zkVersion, then
 * LeaderAndIsr(isNew) to the ISR (a New partition with no live replica stays New).
 * Offline/Online → Online elects a leader (Election.ts: offline, preferred, controlled
 * shutdown) and writes leader_epoch + 1 conditionally (`updateLeaderAndIsr`); a failed
 * election leaves the partition where it is. `removeReplicaFromIsr` is OfflineReplica's
 * ZooKeeper write.
 */
import { tpKey } from '@kzoo/common';
import type { ErrorName, Logger } from '@kzoo/common';
import { type KafkaZk, type LeaderIsrAndControllerEpoch } from '@kzoo/zk';
import type { ControllerBrokerRequestBatch } from './ControllerBrokerRequestBatch';
import { type ControllerContext, type LeaderIsrAndZkVersion, type TP } from './ControllerContext';
import {
  controlledShutdownPartitionLeaderElection,
  offlinePartitionLeaderElection,
  preferredReplicaPartitionLeaderElection,
  reassignPartitionLeaderElection,
  removeReplicaFromIsr,
  type ElectionOutcome,
} from './Election';
import { PartitionState, checkPartitionTransition } from './states';

export interface ControllerEpochInfo {
  epoch: number;
  epochZkVersion: number;
}

/** Which rule picks the new leader of an Offline or Online partition. */
export type ElectionStrategy =
  | { kind: 'offline'; allowUnclean?: boolean }
  | { kind: 'preferred' }
  | { kind: 'controlledShutdown' }
  /** Reassignment: the first live ISR member of the target replicas leads. */
  | { kind: 'reassign'; target: readonly number[] };

/** What a state change writes: leader and ISR (and RECOVERING after an unclean election). */
export interface NextLeaderAndIsr {
  leader: number;
  isr: number[];
  leaderRecoveryState?: 0 | 1;
}

/** Why a partition could not be moved: a Kafka error name and a sentence. */
export interface ElectionFailure {
  error: ErrorName;
  message: string;
  /** With NONE from ElectLeaders: the leader elected (what DelayedElectLeader waits for). */
  leader?: number;
}

export interface PartitionStateMachineOptions {
  /**
   * The broker default of unclean.leader.election.enable (topics may override it); a
   * function when it may change at runtime (a dynamic broker config).
   */
  uncleanLeaderElectionEnable: boolean | (() => boolean);
  /**
   * IBP >= 3.2 (Kafka's isLeaderRecoverySupported): an unclean election writes
   * `leader_recovery_state: 1` (RECOVERING); the leader's next AlterPartition clears it.
   */
  leaderRecoverySupported?: boolean;
}

export class PartitionStateMachine {
  readonly stats = { leaderElections: 0, uncleanLeaderElections: 0 };

  constructor(
    private readonly context: ControllerContext,
    private readonly zkClient: KafkaZk,
    private readonly epoch: () => ControllerEpochInfo,
    private readonly stateLog: Logger,
    private readonly opts: PartitionStateMachineOptions = { uncleanLeaderElectionEnable: false },
  ) {}

  state(tp: TP): PartitionState {
    return this.context.partitionStates.get(tpKey(tp)) ?? PartitionState.NonExistentPartition;
  }

  private transitionTo(tp: TP, target: PartitionState): void {
    const from = this.state(tp);
    checkPartitionTransition(`partition ${tpKey(tp)}`, from, target);
    this.context.partitionStates.set(tpKey(tp), target);
    if (from !== target)
      this.stateLog.debug('partition state change', {
        partition: tpKey(tp),
        from,
        to: target,
      });
  }

  /** Failover: Online when the leader is live, New without a state znode, else Offline; then New → Online. */
  async startup(batch: ControllerBrokerRequestBatch): Promise<void> {
    for (const tp of this.context.allPartitions()) {
      const l = this.context.leadership(tp);
      const k = tpKey(tp);
      if (!l) this.context.partitionStates.set(k, PartitionState.NewPartition);
      else if (this.context.isReplicaOnline(l.leader))
        this.context.partitionStates.set(k, PartitionState.OnlinePartition);
      else this.context.partitionStates.set(k, PartitionState.OfflinePartition);
    }
    await this.triggerOnlinePartitionStateChange(batch);
  }

  /**
   * Kafka's triggerOnlinePartitionStateChange: Offline partitions whose recorded leader
   * is live are Online again (no election needed); New and Offline partitions (not being
   * deleted) are brought online by the OfflinePartition election. With `topic`, only
   * that topic's partitions.
   */
  async triggerOnlinePartitionStateChange(
    batch: ControllerBrokerRequestBatch,
    topic?: string,
  ): Promise<void> {
    const all = this.context
      .allPartitions()
      .filter((tp) => topic === undefined || tp.topic === topic);
    for (const tp of all) {
      const l = this.context.leadership(tp);
      if (
        this.state(tp) === PartitionState.OfflinePartition &&
        l &&
        this.context.isReplicaOnline(l.leader)
      )
        this.transitionTo(tp, PartitionState.OnlinePartition);
    }
    const candidates = all.filter(
      (tp) =>
        (this.state(tp) === PartitionState.NewPartition ||
          this.state(tp) === PartitionState.OfflinePartition) &&
        !this.context.topicsToBeDeleted.has(tp.topic),
    );
    if (candidates.length > 0)
      await this.handleStateChanges(candidates, PartitionState.OnlinePartition, batch);
  }

  /**
   * Moves `tps` to `target`. To Online: New partitions get their first leader; Offline
   * and Online ones are elected by `strategy` (default: the OfflinePartition rule).
   * Returns, per partition key, the error of partitions that could not be moved.
   */
  async handleStateChanges(
    tps: TP[],
    target: PartitionState,
    batch: ControllerBrokerRequestBatch,
    strategy: ElectionStrategy = { kind: 'offline' },
  ): Promise<Map<string, ElectionFailure>> {
    const failures = new Map<string, ElectionFailure>();
    if (target !== PartitionState.OnlinePartition) {
      for (const tp of tps) this.transitionTo(tp, target);
      if (target === PartitionState.NonExistentPartition)
        for (const tp of tps) this.context.partitionStates.delete(tpKey(tp));
      return failures;
    }
    const uninitialized = tps.filter((tp) => this.state(tp) === PartitionState.NewPartition);
    const toElect = tps.filter(
      (tp) =>
        this.state(tp) === PartitionState.OfflinePartition ||
        this.state(tp) === PartitionState.OnlinePartition,
    );
    await this.initializeLeaderAndIsrForPartitions(uninitialized, batch);
    const results = await Promise.all(
      toElect.map(async (tp) => [tp, await this.electLeader(tp, strategy, batch)] as const),
    );
    for (const [tp, err] of results) if (err) failures.set(tpKey(tp), err);
    return failures;
  }

  /** Topic config `unclean.leader.election.enable` over the broker default (read only when needed). */
  private async uncleanEnabled(topic: string): Promise<boolean> {
    const v = (await this.zkClient.getEntityConfigs('topics', topic))[
      'unclean.leader.election.enable'
    ];
    if (v !== undefined) return v.trim() === 'true';
    const d = this.opts.uncleanLeaderElectionEnable;
    return typeof d === 'function' ? d() : d;
  }

  /**
   * One election: re-read the state znode, refuse a state written by a newer controller,
   * choose the leader by `strategy`, write leader_epoch + 1 with our controller epoch
   * (conditional on the znode's version, fenced by ours; BADVERSION → read again), then
   * LeaderAndIsr to the live replicas and UpdateMetadata to every broker.
   */
  private async electLeader(
    tp: TP,
    strategy: ElectionStrategy,
    batch: ControllerBrokerRequestBatch,
  ): Promise<ElectionFailure | undefined> {
    const key = tpKey(tp);
    const assignment = this.context.replicasOf(tp);
    const online = (id: number) => this.context.isReplicaOnline(id);
    let outcome: ElectionOutcome | null = null;
    const result = await this.updateLeaderAndIsr(tp, async (cur) => {
      switch (strategy.kind) {
        case 'offline': {
          let unclean: boolean | undefined;
          if (!cur.isr.some((r) => online(r)))
            unclean = strategy.allowUnclean || (await this.uncleanEnabled(tp.topic));
          outcome = offlinePartitionLeaderElection(assignment, cur.isr, online, () => !!unclean);
          if (!outcome)
            return {
              error: 'ELIGIBLE_LEADERS_NOT_AVAILABLE',
              message: `no live replica of ${key} in its ISR [${cur.isr.join(',')}] and unclean leader election is disabled`,
            };
          break;
        }
        case 'preferred':
          if (assignment[0] === cur.leader)
            return { error: 'ELECTION_NOT_NEEDED', message: `${key}: preferred replica leads` };
          outcome = preferredReplicaPartitionLeaderElection(assignment, cur.isr, online);
          if (!outcome)
            return {
              error: 'PREFERRED_LEADER_NOT_AVAILABLE',
              message: `${key}: preferred replica ${assignment[0]} is not live or not in the ISR [${cur.isr.join(',')}]`,
            };
          break;
        case 'reassign':
          outcome = reassignPartitionLeaderElection(strategy.target, cur.isr, online);
          if (!outcome)
            return {
              error: 'ELIGIBLE_LEADERS_NOT_AVAILABLE',
              message: `${key}: no replica of [${strategy.target.join(',')}] is live and in the ISR [${cur.isr.join(',')}]`,
            };
          break;
        case 'controlledShutdown':
          outcome = controlledShutdownPartitionLeaderElection(
            assignment,
            cur.isr,
            (id) => this.context.isLive(id),
            this.context.shuttingDownBrokerIds,
          );
          if (!outcome)
            return {
              error: 'ELIGIBLE_LEADERS_NOT_AVAILABLE',
              message: `${key}: no other ISR member to take over`,
            };
          break;
      }
      const recovering = outcome.unclean && (this.opts.leaderRecoverySupported ?? true);
      return recovering
        ? { leader: outcome.leader, isr: outcome.isr, leaderRecoveryState: 1 as const }
        : { leader: outcome.leader, isr: outcome.isr };
    });
    if ('error' in result) {
      this.stateLog.warn('leader election failed', {
        partition: key,
        strategy: strategy.kind,
        error: result.error,
        detail: result.message,
      });
      return result;
    }
    const o = outcome as ElectionOutcome | null;
    if (o?.unclean) {
      this.stats.uncleanLeaderElections++;
      this.stateLog.warn(
        `Unclean leader election. Partition ${key} has been assigned leader ${o.leader} from deposed leader ${result.previous.leader}.`,
        { partition: key, leader: o.leader, leaderEpoch: result.state.leaderEpoch },
      );
    }
    this.stats.leaderElections++;
    this.transitionTo(tp, PartitionState.OnlinePartition);
    this.stateLog.info('elected leader', {
      partition: key,
      strategy: strategy.kind,
      leader: result.state.leader,
      isr: result.state.isr.join(','),
      leaderEpoch: result.state.leaderEpoch,
      controllerEpoch: result.state.controllerEpoch,
    });
    const recipients =
      strategy.kind === 'controlledShutdown'
        ? assignment.filter((r) => this.context.isLive(r))
        : strategy.kind === 'reassign'
          ? strategy.target.filter((r) => online(r))
          : assignment.filter((r) => online(r));
    batch.addLeaderAndIsrRequestForBrokers(recipients, tp, false);
    return undefined;
  }

  /**
   * OfflineReplica: removes `replica` from the ISR of `tp` (leader -1 if it led; the last
   * ISR member stays listed), bumping leader_epoch, then LeaderAndIsr to the other live
   * replicas. Nothing is written when the replica is not in the ISR.
   */
  async removeReplicaFromIsr(
    tp: TP,
    replica: number,
    batch: ControllerBrokerRequestBatch,
  ): Promise<void> {
    const key = tpKey(tp);
    const result = await this.updateLeaderAndIsr(tp, (cur) => {
      const next = removeReplicaFromIsr(cur.leader, cur.isr, replica);
      return next ?? { error: 'NONE', message: 'not in the ISR' };
    });
    if ('error' in result) {
      if (result.error !== 'NONE')
        this.stateLog.warn('could not remove a replica from the ISR', {
          partition: key,
          replica,
          error: result.message,
        });
      return;
    }
    this.stateLog.info('removed replica from the ISR', {
      partition: key,
      replica,
      leader: result.state.leader,
      isr: result.state.isr.join(','),
      leaderEpoch: result.state.leaderEpoch,
    });
    if (result.state.leader < 0 && this.state(tp) === PartitionState.OnlinePartition)
      this.transitionTo(tp, PartitionState.OfflinePartition);
    batch.addLeaderAndIsrRequestForBrokers(
      this.context.replicasOf(tp).filter((r) => r !== replica && this.context.isLive(r)),
      tp,
      false,
    );
  }

  /**
   * The controller's conditional write of a partition state: read the znode, stop if a
   * newer controller wrote it, let `compute` decide, write leader_epoch + 1 and our
   * controller epoch in a multi fenced by our epoch's zkVersion and conditional on the
   * znode's version; BADVERSION (someone else wrote meanwhile) → read and decide again.
   * ControllerMovedError propagates (the controller resigns).
   */
  async updateLeaderAndIsr(
    tp: TP,
    compute: (
      cur: LeaderIsrAndZkVersion,
    ) => NextLeaderAndIsr | ElectionFailure | Promise<NextLeaderAndIsr | ElectionFailure>,
  ): Promise<{ state: LeaderIsrAndZkVersion; previous: LeaderIsrAndZkVersion } | ElectionFailure> {
    const key = tpKey(tp);
    for (let attempt = 0; ; attempt++) {
      // The first attempt starts from the state the controller holds (read at failover and
      // kept by every write it makes and every ISR change it learns): the write below is
      // conditional on its zkVersion, so a stale copy costs one BADVERSION and a fresh read
      // (Kafka reads every state again first; the conditional write makes that read redundant
      // for the partitions that change, which are the many).
      const cached = attempt === 0 ? this.context.partitionLeadershipInfo.get(key) : undefined;
      const cur = cached ?? (await this.zkClient.getTopicPartitionStates([tp])).get(key);
      if (!cur)
        return { error: 'UNKNOWN_TOPIC_OR_PARTITION', message: `${key} has no partition state` };
      this.context.partitionLeadershipInfo.set(key, cur);
      const { epoch, epochZkVersion } = this.epoch();
      if (cur.controllerEpoch > epoch) {
        this.stateLog.warn(
          `aborted the state change of ${key}: its state was written by controller epoch ${cur.controllerEpoch}, ours is ${epoch}`,
        );
        return {
          error: 'NOT_CONTROLLER',
          message: `${key} was written by a newer controller (epoch ${cur.controllerEpoch})`,
        };
      }
      const next = await compute(cur);
      // a decision not to write is only taken on what ZooKeeper holds now
      if ('error' in next && cached) continue;
      if ('error' in next) return next;
      const r = await this.zkClient.updateLeaderAndIsr(
        [
          {
            topicPartition: tp,
            leader: next.leader,
            leaderEpoch: cur.leaderEpoch + 1,
            isr: next.isr,
            zkVersion: cur.zkVersion,
            // Kafka's newLeaderAndIsr keeps the recovery state; an unclean election sets it
            ...((next.leaderRecoveryState ?? cur.leaderRecoveryState) !== undefined && {
              leaderRecoveryState: next.leaderRecoveryState ?? cur.leaderRecoveryState,
            }),
          },
        ],
        epoch,
        epochZkVersion,
      );
      const written = r.finishedPartitions.get(tpKey(tp));
      if (written instanceof Error) throw written;
      if (written) {
        this.context.partitionLeadershipInfo.set(key, written);
        return { state: written, previous: cur };
      }
      if (attempt >= 10)
        return { error: 'UNKNOWN_SERVER_ERROR', message: `${key} kept changing under us` };
      this.stateLog.debug('partition state changed under us; reading it again', {
        partition: key,
      });
    }
  }

  /**
   * Kafka's initializeLeaderAndIsrForPartitions: the first state znode of every New
   * partition with a live replica, created in one pipelined batch (createTopicPartitionStates).
   */
  private async initializeLeaderAndIsrForPartitions(
    tps: TP[],
    batch: ControllerBrokerRequestBatch,
  ): Promise<void> {
    const { epoch, epochZkVersion } = this.epoch();
    const toCreate: Array<{ topicPartition: TP; state: LeaderIsrAndControllerEpoch }> = [];
    for (const tp of tps) {
      const live = this.context.replicasOf(tp).filter((r) => this.context.isLive(r));
      if (live.length === 0) {
        this.stateLog.warn('no live replica to lead a new partition; it stays NewPartition', {
          partition: tpKey(tp),
        });
        continue;
      }
      toCreate.push({
        topicPartition: tp,
        state: { leader: live[0], leaderEpoch: 0, isr: live, controllerEpoch: epoch },
      });
    }
    if (toCreate.length === 0) return;
    const created = await this.zkClient.createTopicPartitionStates(toCreate, epochZkVersion);
    await Promise.all(
      toCreate.map(({ topicPartition: tp }) =>
        this.onLeaderAndIsrInitialized(tp, created.get(tpKey(tp)), batch),
      ),
    );
  }

  private async onLeaderAndIsrInitialized(
    tp: TP,
    created: LeaderIsrAndZkVersion | Error | undefined,
    batch: ControllerBrokerRequestBatch,
  ): Promise<void> {
    const key = tpKey(tp);
    if (created instanceof Error) {
      // Written by an earlier controller before it lost the role: adopt what is there.
      const existing = (await this.zkClient.getTopicPartitionStates([tp])).get(key);
      if (!existing) throw created;
      this.context.partitionLeadershipInfo.set(key, existing);
      this.stateLog.info('adopted an existing partition state', {
        partition: key,
        leader: existing.leader,
      });
    } else if (created) {
      this.context.partitionLeadershipInfo.set(key, created);
    }
    const l = this.context.partitionLeadershipInfo.get(key)!;
    this.transitionTo(
      tp,
      this.context.isLive(l.leader)
        ? PartitionState.OnlinePartition
        : PartitionState.OfflinePartition,
    );
    this.stateLog.info('initialized partition leadership', {
      partition: key,
      leader: l.leader,
      isr: l.isr.join(','),
      leaderEpoch: l.leaderEpoch,
      controllerEpoch: l.controllerEpoch,
    });
    batch.addLeaderAndIsrRequestForBrokers(
      l.isr.filter((r) => this.context.isLive(r)),
      tp,
      true,
    );
  }
}
