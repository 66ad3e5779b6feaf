/**
 * The group coordinator as a Broker component: a GroupCoordinator whose committed
 * offsets live in ZooKeeper (ZkOffsetStore over the broker's KafkaZkClient), which
 * coordinates the groups that coordinatorForGroup maps to this broker among the live
 * brokers of the MetadataCache, and unloads the others whenever the controller's
 * UpdateMetadata changes that set. The group APIs' handlers reach it through the
 * BrokerContext (`groupCoordinator()`). Settings: `group.min.session.timeout.ms`,
 * `group.max.session.timeout.ms`, `group.initial.rebalance.delay.ms`, `group.max.size`.
 */
import { createLogger, Logger, SystemTime, Time } from '@kzoo/common';
import type { Broker, BrokerComponent } from '../../Broker';
import { coordinatorForGroup } from './coordinator-selection';
import { GroupCoordinator } from './GroupCoordinator';
import { groupConfigFrom } from './GroupConfig';
import { ZkOffsetStore } from './OffsetStore';

export class GroupCoordinatorComponent implements BrokerComponent {
  readonly name = 'group-coordinator';
  private _coordinator: GroupCoordinator | null = null;
  private removeListener: (() => void) | null = null;
  private readonly time: Time;
  private readonly log: Logger;

  constructor(opts: { time?: Time; logger?: Logger } = {}) {
    this.time = opts.time ?? SystemTime;
    this.log = opts.logger ?? createLogger('broker');
  }

  /** The coordinator once started, else null. */
  get coordinatorOrNull(): GroupCoordinator | null {
    return this._coordinator;
  }

  get coordinator(): GroupCoordinator {
    if (!this._coordinator) throw new Error('the group coordinator is not started');
    return this._coordinator;
  }

  async startup(broker: Broker): Promise<void> {
    const cache = broker.dataPlane.metadataCache;
    const coordinator = new GroupCoordinator({
      brokerId: broker.brokerId,
      offsetStore: new ZkOffsetStore(broker.zkClient),
      config: groupConfigFrom(broker.config),
      time: this.time,
      isCoordinatorFor: (groupId) =>
        coordinatorForGroup(groupId, cache.aliveBrokerIds()) === broker.brokerId,
      logger: this.log.child({}, 'group.coordinator'),
    });
    this._coordinator = coordinator;
    this.removeListener = cache.onUpdate(() => coordinator.onCoordinatorChange());
    coordinator.startup();
  }

  async shutdown(): Promise<void> {
    this.removeListener?.();
    this.removeListener = null;
    this._coordinator?.shutdown();
  }
}
