/**
 * The transaction coordinator as a Broker component: a TransactionCoordinator over the
 * broker's ReplicaManager (the `__transaction_state` partitions it leads), its
 * ProducerIdManager, ZooKeeper for committed group offsets, and an InterBrokerChannel
 * for markers. The transaction APIs' handlers reach it through the BrokerContext
 * (`transactionCoordinator()`).
 */
import { createLogger, Logger, SystemTime, Time } from '@kzoo/common';
import type { Broker, BrokerComponent } from '../../Broker';
import { ZkOffsetStore } from '../group/OffsetStore';
import { InterBrokerChannel } from './InterBrokerChannel';
import { TransactionCoordinator } from './TransactionCoordinator';
import { transactionConfigFrom } from './TransactionConfig';
import { writeTxnMarkers } from './WriteTxnMarkers';

export class TransactionCoordinatorComponent implements BrokerComponent {
  readonly name = 'transaction-coordinator';
  private _coordinator: TransactionCoordinator | null = null;
  private _channel: InterBrokerChannel | null = null;
  private readonly time: Time;
  private readonly log: Logger;

  constructor(opts: { time?: Time; logger?: Logger } = {}) {
    this.time = opts.time ?? SystemTime;
    this.log = opts.logger ?? createLogger('broker');
  }

  get coordinatorOrNull(): TransactionCoordinator | null {
    return this._coordinator;
  }

  /** Requests to peers (WriteTxnMarkers, forwarded TxnOffsetCommit), once started. */
  get channelOrNull(): InterBrokerChannel | null {
    return this._channel;
  }

  async startup(broker: Broker): Promise<void> {
    const dp = broker.dataPlane;
    const rm = dp.replicaManager;
    const log = this.log.child({}, 'transaction.coordinator');
    const channel = new InterBrokerChannel({
      brokerId: broker.brokerId,
      metadataCache: dp.metadataCache,
      listenerName: broker.config.interBrokerListenerName,
      address: broker.config.interBrokerAddress,
      requestTimeoutMs: broker.config.getInt('controller.socket.timeout.ms'),
      logger: log,
    });
    this._channel = channel;
    const offsets = new ZkOffsetStore(broker.zkClient);
    const producerIds = dp.producerIdManager;
    const coordinator = new TransactionCoordinator({
      brokerId: broker.brokerId,
      config: transactionConfigFrom(broker.config),
      replicaManager: rm,
      metadataCache: dp.metadataCache,
      generateProducerId: () => producerIds.generateProducerId(),
      commitGroupOffsets: (groupId, o) => offsets.commitOffsets(groupId, o),
      sendMarkers: (brokerId, req) =>
        brokerId === broker.brokerId
          ? writeTxnMarkers(rm, req, this.time.milliseconds())
          : channel.request(brokerId, 27, req),
      time: this.time,
      logger: log,
    });
    this._coordinator = coordinator;
    rm.onLeadershipChange((p) => coordinator.onLeadershipChange(p));
    coordinator.startup();
  }

  async shutdown(): Promise<void> {
    this._coordinator?.shutdown();
    this._channel?.close();
  }
}
