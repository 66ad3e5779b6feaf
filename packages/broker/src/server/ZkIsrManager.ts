/**
 * ZkIsrManager (Kafka's ZkIsrManager, the path of inter.broker.protocol.version < 2.7):
 * the partition leader writes the new ISR into `.../partitions/<p>/state` itself —
 * same leader and leader_epoch, the controller_epoch of its last LeaderAndIsr —
 * conditional on the zkVersion it holds (BADVERSION → INVALID_UPDATE_VERSION: "cached
 * zkVersion not equal to that in zookeeper, skip updating ISR"). Changed partitions
 * are collected and announced in one `/isr_change_notification/isr_change_<seq>` when
 * no change came for `isr.change.notification.linger.ms` (Kafka: 5000) or the last
 * announcement is older than `isr.change.notification.max.delay.ms` (60000), checked
 * every `isr.change.notification.check.interval.ms` (2500). The controller then sends
 * UpdateMetadata with the new ISRs.
 */
import { Logger, SystemTime, type ScheduledTask, type Time, tpKey } from '@kzoo/common';
import type { KafkaZk } from '@kzoo/zk';
import type { IsrManager, IsrUpdate, IsrUpdateResult } from './IsrManager';
import { ErrorCode } from '@kzoo/common';

export interface ZkIsrManagerOptions {
  zkClient: KafkaZk;
  /** The clock and scheduler of the linger and max-delay rules (default: the system clock). */
  time?: Time;
  checkIntervalMs?: number;
  lingerMs?: number;
  maxDelayMs?: number;
  log: Logger;
  stateLog: Logger;
}

export class ZkIsrManager implements IsrManager {
  private readonly inFlight = new Set<string>();
  private readonly changed = new Map<string, { topic: string; partition: number }>();
  private lastIsrChangeMs = -1;
  private lastPropagationMs: number;
  private timer: ScheduledTask | null = null;
  private stopped = false;
  readonly stats = { writes: 0, notifications: 0 };

  private readonly time: Time;

  constructor(private readonly o: ZkIsrManagerOptions) {
    this.time = o.time ?? SystemTime;
    this.lastPropagationMs = this.time.milliseconds();
  }

  start(): void {
    if (this.timer || this.stopped) return;
    const interval = this.o.checkIntervalMs ?? 2500;
    this.timer = this.time.schedule(
      'isr-change-propagation',
      () => void this.maybePropagateIsrChanges(),
      interval,
      { periodMs: interval, unref: true },
    );
  }

  shutdown(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = null;
  }

  submit(update: IsrUpdate, callback: (r: IsrUpdateResult) => void): boolean {
    const key = tpKey(update);
    if (this.inFlight.has(key)) return false;
    this.inFlight.add(key);
    void this.write(update).then(
      (r) => {
        this.inFlight.delete(key);
        callback(r);
      },
      (e) => {
        this.inFlight.delete(key);
        this.o.log.warn('ISR write to ZooKeeper failed', { partition: key, error: e });
        callback({
          errorCode: ErrorCode.UNKNOWN_SERVER_ERROR,
          leaderEpoch: -1,
          isr: [],
          zkVersion: -1,
        });
      },
    );
    return true;
  }

  private async write(u: IsrUpdate): Promise<IsrUpdateResult> {
    const tp = { topic: u.topic, partition: u.partition };
    const zkVersion = await this.o.zkClient.conditionalUpdateLeaderAndIsr(
      tp,
      {
        leader: u.leader,
        leaderEpoch: u.leaderEpoch,
        isr: u.newIsr,
        controllerEpoch: u.controllerEpoch,
      },
      u.zkVersion,
    );
    if (zkVersion === null) {
      this.o.stateLog.info(
        `cached zkVersion ${u.zkVersion} not equal to that in zookeeper, skip updating ISR`,
        { partition: tpKey(u) },
      );
      return {
        errorCode: ErrorCode.INVALID_UPDATE_VERSION,
        leaderEpoch: -1,
        isr: [],
        zkVersion: -1,
      };
    }
    this.stats.writes++;
    this.changed.set(tpKey(u), tp);
    this.lastIsrChangeMs = this.time.milliseconds();
    this.o.stateLog.info('wrote ISR to ZooKeeper', {
      partition: tpKey(u),
      isr: u.newIsr.join(','),
      leaderEpoch: u.leaderEpoch,
      zkVersion,
    });
    return { errorCode: 0, leaderEpoch: u.leaderEpoch, isr: u.newIsr, zkVersion };
  }

  /** Kafka's maybePropagateIsrChanges. */
  async maybePropagateIsrChanges(force = false): Promise<void> {
    if (this.changed.size === 0 || this.stopped) return;
    const now = this.time.milliseconds();
    const linger = this.o.lingerMs ?? 5000;
    const maxDelay = this.o.maxDelayMs ?? 60000;
    if (!force && this.lastIsrChangeMs + linger >= now && this.lastPropagationMs + maxDelay >= now)
      return;
    const partitions = [...this.changed.values()];
    this.changed.clear();
    this.lastPropagationMs = now;
    try {
      await this.o.zkClient.propagateIsrChanges(partitions);
      this.stats.notifications++;
    } catch (e) {
      this.o.log.warn('could not write an ISR change notification; will retry', { error: e });
      for (const tp of partitions) this.changed.set(tpKey(tp), tp);
    }
  }
}
