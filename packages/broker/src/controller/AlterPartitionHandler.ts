/**
 * The controller's side of leader-made ISR changes, on the controller's event queue:
 *
 * - `AlterPartitionReceived` (IBP >= 2.7, Kafka's processAlterPartition): checks the
 *   sender's broker epoch (STALE_BROKER_EPOCH), then per partition, in Kafka 3.4's order:
 *   known (UNKNOWN_TOPIC_OR_PARTITION); a partition or leader epoch newer than ours
 *   (NOT_CONTROLLER: the leader heard from a newer controller); an older leader epoch,
 *   or a sender that is not the leader (FENCED_LEADER_EPOCH); a proposal equal to the
 *   current state just returns it; an older partitionEpoch (INVALID_UPDATE_VERSION);
 *   a RECOVERING proposal with more than one ISR member or RECOVERED → RECOVERING
 *   (INVALID_REQUEST); an ISR member that is dead or shutting down (INELIGIBLE_REPLICA,
 *   KIP-841). Accepted changes are written
 *   with this controller's epoch in an epoch-fenced multi conditional on the zkVersion —
 *   leader and leader_epoch unchanged — and sent to every live broker as UpdateMetadata;
 *   the answer carries the new zkVersion.
 * - `IsrChangeNotification` (IBP < 2.7): the child watch on /isr_change_notification
 *   fired; read the notifications, delete them (fenced), re-read the named partitions'
 *   state znodes and send UpdateMetadata with them to every live broker.
 */
import { ErrorCode, type Logger, tpKey } from '@kzoo/common';
import type {
  AlterPartitionRequest,
  AlterPartitionResponse,
  AlterPartitionResponsePartition,
  AlterPartitionResponseTopic,
} from '@kzoo/protocol';
import type { KafkaZk } from '@kzoo/zk';
import { type ControllerContext, type TP } from './ControllerContext';
import type { ControllerEvent } from './ControllerEventManager';
import type { ControllerEpochInfo } from './PartitionStateMachine';

export interface AlterPartitionHandlerOptions {
  context: ControllerContext;
  zkClient: KafkaZk;
  epoch: () => ControllerEpochInfo;
  put: (event: ControllerEvent) => void;
  /** UpdateMetadata for these partitions to every live broker. */
  sendUpdateMetadata: (tps: TP[]) => void;
  /** ISRs written or re-read (reassignments may complete: Kafka's maybeCompleteReassignment). */
  onIsrChanged?: (tps: TP[]) => void;
  stateLog: Logger;
}

export class AlterPartitionHandler {
  readonly stats = { alterPartitionWrites: 0, isrChangeNotifications: 0 };

  constructor(private readonly o: AlterPartitionHandlerOptions) {}

  private readonly isrChangeWatcher = (): void => this.o.put({ type: 'IsrChangeNotification' });

  /** Failover: watch /isr_change_notification (the stale children were deleted before). */
  async onControllerFailover(): Promise<void> {
    await this.o.zkClient.getAllIsrChangeNotifications(this.isrChangeWatcher);
  }

  async processAlterPartition(req: AlterPartitionRequest): Promise<AlterPartitionResponse> {
    const ctx = this.o.context;
    const b = ctx.liveBrokers.get(req.brokerId);
    if (!b || b.epoch !== req.brokerEpoch) {
      this.o.stateLog.info('ignoring AlterPartition from a broker with a stale epoch', {
        brokerId: req.brokerId,
        brokerEpoch: req.brokerEpoch,
        known: b?.epoch ?? -1,
      });
      return { throttleTimeMs: 0, errorCode: ErrorCode.STALE_BROKER_EPOCH, topics: [] };
    }
    const updated: TP[] = [];
    const topics: AlterPartitionResponseTopic[] = await Promise.all(
      req.topics.map(async (t) => ({
        topicName: t.topicName,
        partitions: await Promise.all(
          t.partitions.map(async (p): Promise<AlterPartitionResponsePartition> => {
            const tp = { topic: t.topicName, partition: p.partitionIndex };
            const answer = (errorCode: number): AlterPartitionResponsePartition => {
              const l = ctx.leadership(tp);
              return {
                partitionIndex: p.partitionIndex,
                errorCode,
                leaderId: l?.leader ?? -1,
                leaderEpoch: l?.leaderEpoch ?? -1,
                isr: l?.isr ?? [],
                leaderRecoveryState: 0,
                partitionEpoch: l?.zkVersion ?? -1,
              };
            };
            const err = this.check(
              req.brokerId,
              tp,
              p.leaderEpoch,
              p.partitionEpoch,
              p.newIsr,
              p.leaderRecoveryState,
            );
            if (err !== null) return answer(err);
            const l = ctx.leadership(tp)!;
            if (sameList(l.isr, p.newIsr)) return answer(0);
            const wrote = await this.writeIsr(tp, p.newIsr);
            if (wrote) updated.push(tp);
            return answer(wrote ? 0 : ErrorCode.INVALID_UPDATE_VERSION);
          }),
        ),
      })),
    );
    if (updated.length > 0) this.o.sendUpdateMetadata(updated);
    if (updated.length > 0) this.o.onIsrChanged?.(updated);
    return { throttleTimeMs: 0, errorCode: 0, topics };
  }

  private check(
    brokerId: number,
    tp: TP,
    leaderEpoch: number,
    partitionEpoch: number,
    newIsr: number[],
    leaderRecoveryState: number,
  ): number | null {
    const ctx = this.o.context;
    const l = ctx.leadership(tp);
    const refuse = (code: number, why: string): number => {
      this.o.stateLog.info(`AlterPartition refused: ${why}`, {
        partition: tpKey(tp),
        from: brokerId,
        leaderEpoch,
        partitionEpoch,
        newIsr: newIsr.join(','),
        current: l ? `leader=${l.leader},epoch=${l.leaderEpoch},zkVersion=${l.zkVersion}` : 'none',
      });
      return code;
    };
    // A topic queued for deletion but held back by a reassignment still takes ISR changes:
    // its reassignment completes through them (then the deletion starts).
    if (!l || (ctx.topicsToBeDeleted.has(tp.topic) && !ctx.isTopicBeingReassigned(tp.topic)))
      return refuse(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'unknown partition');
    // Kafka 3.4's tryProcessAlterPartition, in its order. A leader ahead of us (newer
    // partition or leader epoch) means this controller is probably not the current one.
    if (partitionEpoch > l.zkVersion || leaderEpoch > l.leaderEpoch)
      return refuse(
        ErrorCode.NOT_CONTROLLER,
        'the leader knows a newer epoch than this controller',
      );
    if (leaderEpoch < l.leaderEpoch)
      return refuse(ErrorCode.FENCED_LEADER_EPOCH, 'stale leader epoch');
    if (l.leader !== brokerId)
      return refuse(ErrorCode.FENCED_LEADER_EPOCH, 'the sender is not the current leader');
    const recovering = (l.leaderRecoveryState ?? 0) === 1;
    if (sameList(l.isr, newIsr) && (leaderRecoveryState === 1) === recovering) return null;
    if (partitionEpoch < l.zkVersion)
      return refuse(ErrorCode.INVALID_UPDATE_VERSION, 'stale partition epoch');
    if (leaderRecoveryState === 1 && newIsr.length > 1)
      return refuse(ErrorCode.INVALID_REQUEST, 'a recovering leader with an ISR of more than one');
    if (!recovering && leaderRecoveryState === 1)
      return refuse(ErrorCode.INVALID_REQUEST, 'leader recovery state RECOVERED to RECOVERING');
    // KIP-841: every ISR member must be a live broker that is not shutting down
    // (Kafka's controllerContext.liveBrokerIds excludes shutting-down brokers).
    if (newIsr.some((r) => !ctx.isReplicaOnline(r)))
      return refuse(ErrorCode.INELIGIBLE_REPLICA, 'ISR with a dead or shutting-down broker');
    return null;
  }

  /** Writes the new ISR (leader and leader_epoch as they are); false when the zkVersion moved. */
  private async writeIsr(tp: TP, newIsr: number[]): Promise<boolean> {
    const ctx = this.o.context;
    const l = ctx.leadership(tp)!;
    const { epoch, epochZkVersion } = this.o.epoch();
    const key = tpKey(tp);
    const r = await this.o.zkClient.updateLeaderAndIsr(
      [
        {
          topicPartition: tp,
          leader: l.leader,
          leaderEpoch: l.leaderEpoch,
          isr: newIsr,
          zkVersion: l.zkVersion,
        },
      ],
      epoch,
      epochZkVersion,
    );
    const written = r.finishedPartitions.get(key);
    if (written instanceof Error) throw written;
    if (!written) {
      await this.reread([tp]);
      return false;
    }
    ctx.partitionLeadershipInfo.set(key, written);
    this.stats.alterPartitionWrites++;
    this.o.stateLog.info('ISR changed by the partition leader (AlterPartition)', {
      partition: key,
      leader: l.leader,
      leaderEpoch: l.leaderEpoch,
      from: l.isr.join(','),
      to: newIsr.join(','),
      zkVersion: written.zkVersion,
    });
    return true;
  }

  /** Re-reads partition states from ZooKeeper into the context; returns those that exist. */
  private async reread(tps: TP[]): Promise<TP[]> {
    const ctx = this.o.context;
    const known = tps.filter((tp) => ctx.replicasOf(tp).length > 0);
    const states = await this.o.zkClient.getTopicPartitionStates(known);
    for (const [key, st] of states) ctx.partitionLeadershipInfo.set(key, st);
    return known.filter((tp) => states.has(tpKey(tp)));
  }

  /** Kafka's processIsrChangeNotification. */
  async processIsrChangeNotification(): Promise<void> {
    const zk = this.o.zkClient;
    const sequenceNumbers = await zk.getAllIsrChangeNotifications(this.isrChangeWatcher);
    if (sequenceNumbers.length === 0) return;
    const seen = new Map<string, TP>();
    for (const tp of await zk.getPartitionsFromIsrChangeNotifications(sequenceNumbers))
      seen.set(tpKey(tp), tp);
    await zk.deleteIsrChangeNotifications(this.o.epoch().epochZkVersion, sequenceNumbers);
    const tps = await this.reread([...seen.values()]);
    this.stats.isrChangeNotifications += sequenceNumbers.length;
    this.o.stateLog.info('ISR change notifications processed', {
      notifications: sequenceNumbers.length,
      partitions: tps.map((tp) => tpKey(tp)).join(','),
    });
    if (tps.length > 0) this.o.sendUpdateMetadata(tps);
    if (tps.length > 0) this.o.onIsrChanged?.(tps);
  }
}

/** Kafka's equalsAllowStalePartitionEpoch compares the ISR as a list. */
function sameList(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
