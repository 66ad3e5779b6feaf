/**
 * ReplicaStateMachine (Kafka's ZkReplicaStateMachine), small: states per replica with
 * their legal transitions (states.ts), and the requests each move sends.
 * - → OnlineReplica: LeaderAndIsr with the partition's current leadership (when it has
 *   one) to that broker, so a returning or newly known broker learns what it hosts.
 * - → ReplicaDeletionStarted: StopReplica(deletePartition=true).
 * - Other moves only change the state. Removing a dead replica from the ISR
 *   (OfflineReplica's ZooKeeper write) comes with the replication work.
 */
import { tpKey } from '@kzoo/common';
import type { Logger } from '@kzoo/common';
import type { ControllerBrokerRequestBatch } from './ControllerBrokerRequestBatch';
import { type ControllerContext, type TP } from './ControllerContext';
import { ReplicaState, checkReplicaTransition } from './states';

export interface PartitionAndReplica extends TP {
  replica: number;
}

export class ReplicaStateMachine {
  constructor(
    private readonly context: ControllerContext,
    private readonly stateLog: Logger,
  ) {}

  private key(r: PartitionAndReplica): string {
    return `${tpKey(r)}:${r.replica}`;
  }

  state(r: PartitionAndReplica): ReplicaState {
    return this.context.replicaStates.get(this.key(r)) ?? ReplicaState.NonExistentReplica;
  }

  /** All replicas of `tps`. */
  replicasOf(tps: TP[]): PartitionAndReplica[] {
    return tps.flatMap((tp) => this.context.replicasOf(tp).map((replica) => ({ ...tp, replica })));
  }

  /** Failover: replicas on live brokers → Online (sending LeaderAndIsr), others → Offline. */
  startup(batch: ControllerBrokerRequestBatch): void {
    const all = this.replicasOf(this.context.allPartitions());
    for (const r of all) this.context.replicaStates.set(this.key(r), ReplicaState.OfflineReplica);
    this.handleStateChanges(
      all.filter((r) => this.context.isLive(r.replica)),
      ReplicaState.OnlineReplica,
      batch,
    );
  }

  /** Moves `replicas` to `target`; `batch` collects the requests (moves that send none may omit it). */
  handleStateChanges(
    replicas: PartitionAndReplica[],
    target: ReplicaState,
    batch?: ControllerBrokerRequestBatch,
  ): void {
    for (const r of replicas) {
      const from = this.state(r);
      checkReplicaTransition(`replica ${r.replica} of ${tpKey(r)}`, from, target);
      switch (target) {
        case ReplicaState.OnlineReplica:
          if (this.context.leadership(r))
            batch?.addLeaderAndIsrRequestForBrokers([r.replica], r, false);
          break;
        case ReplicaState.ReplicaDeletionStarted:
          batch?.addStopReplicaRequestForBrokers([r.replica], r, true);
          break;
        default:
          break;
      }
      if (target === ReplicaState.NonExistentReplica)
        this.context.replicaStates.delete(this.key(r));
      else this.context.replicaStates.set(this.key(r), target);
      if (from !== target)
        this.stateLog.debug('replica state change', {
          partition: tpKey(r),
          replica: r.replica,
          from,
          to: target,
        });
    }
  }
}
