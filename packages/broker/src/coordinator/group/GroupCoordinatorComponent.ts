/**
 * The group coordinator as a Broker component: a GroupCoordinator whose committed
 * offsets live in ZooKeeper (ZkOffsetStore over the broker's KafkaZkClient), which
 * coordinates the groups that coordinatorForGroup maps to this broker among the live
 * brokers of the MetadataCache, and unloads the others whenever the controller's
 * UpdateMetadata changes that set. It registers the group APIs' handlers (08, 09, 10,
 * 11-16, 42) with the broker's KafkaApis. Settings: `group.min.session.timeout.ms`,
 * `group.max.session.timeout.ms`, `group.initial.rebalance.delay.ms`, `group.max.size`.
 */
import { createLogger, Logger, SystemTime, Time } from '@kzoo/common';
import type { Broker, BrokerComponent } from '../../Broker';
import { handleOffsetCommit } from '../../handlers/08-offset-commit';
import { handleOffsetFetch } from '../../handlers/09-offset-fetch';
import { handleFindCoordinator } from '../../handlers/10-find-coordinator';
import { handleJoinGroup } from '../../handlers/11-join-group';
import { handleHeartbeat } from '../../handlers/12-heartbeat';
import { handleLeaveGroup } from '../../handlers/13-leave-group';
import { handleSyncGroup } from '../../handlers/14-sync-group';
import { handleDescribeGroups } from '../../handlers/15-describe-groups';
import { handleListGroups } from '../../handlers/16-list-groups';
import { handleDeleteGroups } from '../../handlers/42-delete-groups';
import { coordinatorForGroup } from './coordinatorSelection';
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
    const apis = broker.dataPlane.apis;
    apis.register(8, (b, req) => handleOffsetCommit(coordinator, b, req));
    apis.register(9, (_b, req) => handleOffsetFetch(coordinator, req));
    apis.register(10, (b, req) => handleFindCoordinator(b, req));
    apis.register(11, (_b, req, ctx) => handleJoinGroup(coordinator, req, ctx));
    apis.register(12, (_b, req) => handleHeartbeat(coordinator, req));
    apis.register(13, (_b, req) => handleLeaveGroup(coordinator, req));
    apis.register(14, (_b, req) => handleSyncGroup(coordinator, req));
    apis.register(15, (_b, req) => handleDescribeGroups(coordinator, req));
    apis.register(16, (_b, req) => handleListGroups(coordinator, req));
    apis.register(42, (_b, req) => handleDeleteGroups(coordinator, req));
    coordinator.startup();
  }

  async shutdown(): Promise<void> {
    this.removeListener?.();
    this.removeListener = null;
    this._coordinator?.shutdown();
  }
}
