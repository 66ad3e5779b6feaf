/**
 * AlterPartitionManager (Kafka's DefaultAlterIsrManager / AlterPartitionManager): the
 * partition leader's channel for ISR changes when inter.broker.protocol.version >= 2.7.
 * Changes are queued per partition (one at a time per partition), sent in one
 * AlterPartition request to the controller this broker knows of (MetadataCache), one
 * request in flight. NOT_CONTROLLER, a stale broker epoch as seen by a new controller,
 * a lost connection or a timeout re-queue the changes and retry after a short backoff
 * with a fresh look at who the controller is; per-partition answers go to the callbacks.
 */
import { ErrorCode, Logger, SystemTime, type ScheduledTask, type Time, tpKey } from '@kzoo/common';
import { Connection, type AlterPartitionRequestTopic } from '@kzoo/protocol';
import type { IsrManager, IsrUpdate, IsrUpdateResult } from './IsrManager';
import type { MetadataCache } from './MetadataCache';
import { registeredPeerAddress, type PeerAddressResolver } from '../network/peer-address';

export interface AlterPartitionManagerOptions {
  brokerId: number;
  brokerEpoch: () => number;
  metadataCache: MetadataCache;
  /** inter.broker.listener.name */
  listenerName: string;
  /** kzoo.inter.broker.address.overrides: the address dialed for the controller's endpoint. */
  interBrokerAddress?: PeerAddressResolver;
  requestTimeoutMs?: number;
  retryBackoffMs?: number;
  /** The clock of the retry backoff (default: the system clock). */
  time?: Time;
  log: Logger;
}

interface Item {
  update: IsrUpdate;
  callback: (r: IsrUpdateResult) => void;
}

export class AlterPartitionManager implements IsrManager {
  /** Queued or in flight, by partition key. */
  private readonly items = new Map<string, Item>();
  private readonly unsent: Item[] = [];
  private inFlight = false;
  private conn: Connection | null = null;
  private connTo = -1;
  private stopped = false;
  private retryTimer: ScheduledTask | null = null;
  private readonly time: Time;
  readonly stats = { requests: 0, retries: 0 };

  constructor(private readonly o: AlterPartitionManagerOptions) {
    this.time = o.time ?? SystemTime;
  }

  start(): void {}

  shutdown(): void {
    this.stopped = true;
    this.retryTimer?.cancel();
    void this.conn?.close();
    this.conn = null;
  }

  submit(update: IsrUpdate, callback: (r: IsrUpdateResult) => void): boolean {
    const key = tpKey(update);
    if (this.items.has(key)) return false;
    const item = { update, callback };
    this.items.set(key, item);
    this.unsent.push(item);
    this.maybeSend();
    return true;
  }

  private maybeSend(): void {
    if (this.inFlight || this.stopped || this.unsent.length === 0 || this.retryTimer) return;
    const batch = this.unsent.splice(0);
    this.inFlight = true;
    void this.send(batch).finally(() => {
      this.inFlight = false;
      this.maybeSend();
    });
  }

  private retryLater(batch: Item[], why: string): void {
    this.stats.retries++;
    this.o.log.debug('AlterPartition not answered; retrying', { why, partitions: batch.length });
    this.unsent.unshift(...batch);
    if (this.retryTimer || this.stopped) return;
    this.retryTimer = this.time.schedule(
      'alter-partition-retry',
      () => {
        this.retryTimer = null;
        this.maybeSend();
      },
      this.o.retryBackoffMs ?? 100,
      { unref: true },
    );
  }

  private async controllerConnection(): Promise<Connection | null> {
    const id = this.o.metadataCache.controllerId;
    if (this.conn && !this.conn.closed && this.connTo === id) return this.conn;
    void this.conn?.close();
    this.conn = null;
    const b = id >= 0 ? this.o.metadataCache.aliveBroker(id) : undefined;
    const ep = b?.endpoints.find((e) => e.listener === this.o.listenerName) ?? b?.endpoints[0];
    if (!ep) return null;
    const to = (this.o.interBrokerAddress ?? registeredPeerAddress)(id, ep);
    const conn = await Connection.connect({
      host: to.host,
      port: to.port,
      clientId: `broker-${this.o.brokerId}-alter-partition`,
      requestTimeoutMs: this.o.requestTimeoutMs ?? 30000,
      connectTimeoutMs: this.o.requestTimeoutMs ?? 30000,
    });
    if (this.stopped) {
      void conn.close();
      return null;
    }
    this.conn = conn;
    this.connTo = id;
    return conn;
  }

  private async send(batch: Item[]): Promise<void> {
    const topics = new Map<string, AlterPartitionRequestTopic>();
    for (const { update: u } of batch) {
      let t = topics.get(u.topic);
      if (!t) topics.set(u.topic, (t = { topicName: u.topic, partitions: [] }));
      t.partitions.push({
        partitionIndex: u.partition,
        leaderEpoch: u.leaderEpoch,
        newIsr: u.newIsr,
        leaderRecoveryState: 0,
        partitionEpoch: u.zkVersion,
      });
    }
    let res;
    try {
      const conn = await this.controllerConnection();
      if (!conn) return this.retryLater(batch, 'no controller known');
      this.stats.requests++;
      res = await conn.request(56, 0, {
        brokerId: this.o.brokerId,
        brokerEpoch: this.o.brokerEpoch(),
        topics: [...topics.values()],
      });
    } catch (e) {
      void this.conn?.close();
      this.conn = null;
      return this.retryLater(batch, (e as Error).message);
    }
    if (this.stopped) return;
    if (res.errorCode !== 0) {
      if (
        res.errorCode === ErrorCode.NOT_CONTROLLER ||
        res.errorCode === ErrorCode.STALE_BROKER_EPOCH
      ) {
        void this.conn?.close();
        this.conn = null;
      }
      return this.retryLater(batch, `error ${res.errorCode}`);
    }
    const answers = new Map<string, IsrUpdateResult>();
    for (const t of res.topics)
      for (const p of t.partitions)
        answers.set(tpKey(t.topicName, p.partitionIndex), {
          errorCode: p.errorCode,
          leaderEpoch: p.leaderEpoch,
          isr: p.isr,
          zkVersion: p.partitionEpoch,
        });
    for (const item of batch) {
      const key = tpKey(item.update);
      const a = answers.get(key);
      this.items.delete(key);
      const result = a ?? {
        errorCode: ErrorCode.UNKNOWN_SERVER_ERROR,
        leaderEpoch: -1,
        isr: [],
        zkVersion: -1,
      };
      try {
        item.callback(result);
      } catch (e) {
        this.o.log.error('ISR update callback failed', { partition: key, error: e });
      }
    }
  }
}
