/**
 * PartitionStateMachine (Kafka's ZkPartitionStateMachine), the part this release
 * needs: NonExistent → New when a topic appears; New → Online by writing each
 * partition's first `state` znode — leader = the first live replica in assignment
 * order, ISR = the live replicas, leader_epoch 0, controller_epoch = ours — in a
 * multi fenced by the controller epoch's zkVersion, then LeaderAndIsr(isNew) to the
 * ISR. A New partition with no live replica stays New and is retried on the next
 * broker startup. Offline/Online → Online (elections after a broker dies) comes with
 * the replication work; such partitions stay where they are.
 */
import type { Logger } from '@kzoo/common';
import {
  KafkaZkClient,
  NodeExistsError,
  TopicPartitionStateZNode,
  TopicPartitionZNode,
} from '@kzoo/zk';
import type { ControllerBrokerRequestBatch } from './ControllerBrokerRequestBatch';
import { tpKey, type ControllerContext, type TP } from './ControllerContext';
import { PartitionState, checkPartitionTransition } from './states';

export interface ControllerEpochInfo {
  epoch: number;
  epochZkVersion: number;
}

export class PartitionStateMachine {
  constructor(
    private readonly context: ControllerContext,
    private readonly zkClient: KafkaZkClient,
    private readonly epoch: () => ControllerEpochInfo,
    private readonly stateLog: Logger,
  ) {}

  state(tp: TP): PartitionState {
    return (
      this.context.partitionStates.get(tpKey(tp.topic, tp.partition)) ??
      PartitionState.NonExistentPartition
    );
  }

  private transitionTo(tp: TP, target: PartitionState): void {
    const from = this.state(tp);
    checkPartitionTransition(`partition ${tpKey(tp.topic, tp.partition)}`, from, target);
    this.context.partitionStates.set(tpKey(tp.topic, tp.partition), target);
    if (from !== target)
      this.stateLog.debug('partition state change', {
        partition: tpKey(tp.topic, tp.partition),
        from,
        to: target,
      });
  }

  /** Failover: Online when the leader is live, New without a state znode, else Offline; then New → Online. */
  async startup(batch: ControllerBrokerRequestBatch): Promise<void> {
    for (const tp of this.context.allPartitions()) {
      const l = this.context.leadership(tp);
      const k = tpKey(tp.topic, tp.partition);
      if (!l) this.context.partitionStates.set(k, PartitionState.NewPartition);
      else if (this.context.isLive(l.leader))
        this.context.partitionStates.set(k, PartitionState.OnlinePartition);
      else this.context.partitionStates.set(k, PartitionState.OfflinePartition);
    }
    await this.triggerOnlinePartitionStateChange(batch);
  }

  /**
   * Brings New partitions (not being deleted) online; Offline partitions whose recorded
   * leader is live again are Online again (no election needed).
   */
  async triggerOnlinePartitionStateChange(batch: ControllerBrokerRequestBatch): Promise<void> {
    for (const tp of this.context.allPartitions()) {
      const l = this.context.leadership(tp);
      if (this.state(tp) === PartitionState.OfflinePartition && l && this.context.isLive(l.leader))
        this.transitionTo(tp, PartitionState.OnlinePartition);
    }
    const news = this.context
      .allPartitions()
      .filter(
        (tp) =>
          this.state(tp) === PartitionState.NewPartition &&
          !this.context.topicsToBeDeleted.has(tp.topic),
      );
    if (news.length > 0) await this.handleStateChanges(news, PartitionState.OnlinePartition, batch);
  }

  async handleStateChanges(
    tps: TP[],
    target: PartitionState,
    batch: ControllerBrokerRequestBatch,
  ): Promise<void> {
    if (target !== PartitionState.OnlinePartition) {
      for (const tp of tps) this.transitionTo(tp, target);
      if (target === PartitionState.NonExistentPartition)
        for (const tp of tps) this.context.partitionStates.delete(tpKey(tp.topic, tp.partition));
      return;
    }
    const uninitialized = tps.filter((tp) => this.state(tp) === PartitionState.NewPartition);
    for (const tp of tps) {
      if (this.state(tp) !== PartitionState.NewPartition)
        this.stateLog.debug(
          'leader election for an existing partition is not done by this controller yet',
          {
            partition: tpKey(tp.topic, tp.partition),
            state: this.state(tp),
          },
        );
    }
    await Promise.all(uninitialized.map((tp) => this.initializeLeaderAndIsr(tp, batch)));
  }

  private async initializeLeaderAndIsr(tp: TP, batch: ControllerBrokerRequestBatch): Promise<void> {
    const key = tpKey(tp.topic, tp.partition);
    const live = this.context.replicasOf(tp).filter((r) => this.context.isLive(r));
    if (live.length === 0) {
      this.stateLog.warn('no live replica to lead a new partition; it stays NewPartition', {
        partition: key,
      });
      return;
    }
    const { epoch, epochZkVersion } = this.epoch();
    const state = { leader: live[0], leaderEpoch: 0, isr: live, controllerEpoch: epoch };
    await this.zkClient.makeSurePersistentPathExists(TopicPartitionZNode.path(tp));
    const path = TopicPartitionStateZNode.path(tp);
    try {
      await this.zkClient.controllerFencedMulti(epochZkVersion, [
        { op: 'create', path, data: TopicPartitionStateZNode.encode(state) },
      ]);
      this.context.partitionLeadershipInfo.set(key, { ...state, zkVersion: 0 });
    } catch (e) {
      if (!(e instanceof NodeExistsError)) throw e;
      // Written by an earlier controller before it lost the role: adopt what is there.
      const r = await this.zkClient.getDataAndStat(path);
      if (!r) throw e;
      const existing = TopicPartitionStateZNode.decode(r.data, path);
      this.context.partitionLeadershipInfo.set(key, { ...existing, zkVersion: r.stat.version });
      this.stateLog.info('adopted an existing partition state', {
        partition: key,
        leader: existing.leader,
      });
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
