/**
 * ControllerBrokerRequestBatch: collects the LeaderAndIsr, UpdateMetadata and
 * StopReplica work of one controller decision and sends it, per broker, in Kafka's
 * order: LeaderAndIsr, then UpdateMetadata, then StopReplica. As in Kafka, every
 * LeaderAndIsr for a partition also puts that partition into an UpdateMetadata for all
 * live brokers; a partition of a topic being deleted goes out with leader -2.
 */
import { tpKey } from '@kzoo/common';
import type {
  LeaderAndIsrPartitionState,
  StopReplicaPartition,
  UpdateMetadataBroker,
  UpdateMetadataPartitionState,
} from '@kzoo/protocol';
import type { ControllerChannel } from './ControllerChannelManager';
import { type ControllerContext, type TP } from './ControllerContext';

const LEADER_DURING_DELETE = -2;

export interface BatchCallbacks {
  /** Response of a StopReplica sent to `brokerId`. */
  onStopReplicaResponse?: (
    brokerId: number,
    partitionErrors: Map<string, number>,
    errorCode: number,
  ) => void;
}

export class ControllerBrokerRequestBatch {
  private readonly leaderAndIsr = new Map<number, Map<string, LeaderAndIsrPartitionState>>();
  private readonly updateMetadataBrokers = new Set<number>();
  private readonly updateMetadataPartitions = new Map<string, TP>();
  private readonly stopReplica = new Map<number, StopReplicaPartition[]>();

  constructor(
    private readonly controllerId: number,
    private readonly context: ControllerContext,
    private readonly channel: ControllerChannel,
    private readonly callbacks: BatchCallbacks = {},
    /** inter.broker.listener.name: the endpoint named in LeaderAndIsr's liveLeaders. */
    private readonly interBrokerListenerName?: string,
  ) {}

  addLeaderAndIsrRequestForBrokers(brokerIds: number[], tp: TP, isNew: boolean): void {
    const l = this.context.leadership(tp);
    if (!l) return;
    for (const b of brokerIds) {
      if (b < 0) continue;
      let m = this.leaderAndIsr.get(b);
      if (!m) this.leaderAndIsr.set(b, (m = new Map()));
      const key = tpKey(tp);
      const wasNew = m.get(key)?.isNew ?? false;
      m.set(key, {
        topicName: tp.topic,
        partitionIndex: tp.partition,
        controllerEpoch: l.controllerEpoch,
        leader: l.leader,
        leaderEpoch: l.leaderEpoch,
        isr: l.isr,
        zkVersion: l.zkVersion,
        replicas: this.context.replicasOf(tp),
        isNew: isNew || wasNew,
      });
    }
    this.addUpdateMetadataRequestForBrokers(this.context.liveBrokerIds(), [tp]);
  }

  /** UpdateMetadata for `partitions` (none: only the live-broker list) to `brokerIds`. */
  addUpdateMetadataRequestForBrokers(brokerIds: number[], partitions: TP[] = []): void {
    for (const b of brokerIds) this.updateMetadataBrokers.add(b);
    for (const tp of partitions) this.updateMetadataPartitions.set(tpKey(tp), tp);
  }

  addStopReplicaRequestForBrokers(brokerIds: number[], tp: TP, deletePartition: boolean): void {
    const deleting = this.context.topicsToBeDeleted.has(tp.topic);
    for (const b of brokerIds) {
      let list = this.stopReplica.get(b);
      if (!list) this.stopReplica.set(b, (list = []));
      list.push({
        topicName: tp.topic,
        partitionIndex: tp.partition,
        leaderEpoch: deleting ? -2 : (this.context.leadership(tp)?.leaderEpoch ?? -1),
        deletePartition,
      });
    }
  }

  /** Sends everything collected (the controller's epoch fences them at the brokers). */
  sendRequestsToBrokers(controllerEpoch: number): void {
    const brokerEpoch = (id: number) => this.context.liveBrokers.get(id)?.epoch ?? -1;
    for (const [b, states] of this.leaderAndIsr) {
      const leaders = new Set([...states.values()].map((s) => s.leader));
      this.channel.sendRequest(b, 4, {
        controllerId: this.controllerId,
        controllerEpoch,
        brokerEpoch: brokerEpoch(b),
        partitionStates: [...states.values()],
        liveLeaders: [...leaders]
          .map((id) => this.liveBroker(id))
          .filter((x): x is UpdateMetadataBroker => x !== undefined)
          .map((x) => {
            const ep =
              x.endpoints.find((e) => e.listener === this.interBrokerListenerName) ??
              x.endpoints[0];
            return { brokerId: x.id, hostName: ep.host, port: ep.port };
          }),
      });
    }
    if (this.updateMetadataBrokers.size > 0) {
      const partitionStates = [...this.updateMetadataPartitions.values()]
        .map((tp) => this.updateMetadataState(tp))
        .filter((s): s is UpdateMetadataPartitionState => s !== undefined);
      const liveBrokers = this.context
        .liveBrokerIds()
        .map((id) => this.liveBroker(id))
        .filter((x): x is UpdateMetadataBroker => x !== undefined);
      for (const b of this.updateMetadataBrokers) {
        if (!this.context.isLive(b)) continue;
        this.channel.sendRequest(b, 6, {
          controllerId: this.controllerId,
          controllerEpoch,
          brokerEpoch: brokerEpoch(b),
          partitionStates,
          liveBrokers,
        });
      }
    }
    for (const [b, partitions] of this.stopReplica) {
      this.channel.sendRequest(
        b,
        5,
        {
          controllerId: this.controllerId,
          controllerEpoch,
          brokerEpoch: brokerEpoch(b),
          partitions,
        },
        (res) => {
          const errors = new Map(
            res.partitionErrors.map((e) => [tpKey(e.topicName, e.partitionIndex), e.errorCode]),
          );
          this.callbacks.onStopReplicaResponse?.(b, errors, res.errorCode);
        },
      );
    }
    this.leaderAndIsr.clear();
    this.updateMetadataBrokers.clear();
    this.updateMetadataPartitions.clear();
    this.stopReplica.clear();
  }

  private updateMetadataState(tp: TP): UpdateMetadataPartitionState | undefined {
    const l = this.context.leadership(tp);
    if (!l) return undefined;
    const replicas = this.context.replicasOf(tp);
    return {
      topicName: tp.topic,
      partitionIndex: tp.partition,
      controllerEpoch: l.controllerEpoch,
      leader: this.context.topicsToBeDeleted.has(tp.topic) ? LEADER_DURING_DELETE : l.leader,
      leaderEpoch: l.leaderEpoch,
      isr: l.isr,
      zkVersion: l.zkVersion,
      replicas,
      offlineReplicas: replicas.filter((r) => !this.context.isLive(r)),
    };
  }

  private liveBroker(id: number): UpdateMetadataBroker | undefined {
    const b = this.context.liveBrokers.get(id);
    if (!b) return undefined;
    return {
      id,
      endpoints: b.broker.endpoints.map((e) => ({
        host: e.host,
        port: e.port,
        listener: e.listenerName,
        securityProtocol: SECURITY_PROTOCOL_IDS[e.securityProtocol] ?? 0,
      })),
      rack: b.broker.rack,
    };
  }
}

/** Kafka's SecurityProtocol ids. */
const SECURITY_PROTOCOL_IDS: Record<string, number> = {
  PLAINTEXT: 0,
  SSL: 1,
  SASL_PLAINTEXT: 2,
  SASL_SSL: 3,
};
