/**
 * ControllerChannelManager: the controller's connections to brokers (Kafka's
 * ControllerChannelManager + RequestSendThread). One `Connection` per live broker,
 * one FIFO queue per broker, one request in flight per broker, so a broker sees the
 * controller's requests in the order they were queued. A failed send (connection
 * lost, timeout) reconnects with a backoff and resends the same request, until the
 * broker is removed (it died) or the channel shuts down.
 */
import { createLogger, Logger, RepeatedWarning, SystemTime, type Time } from '@kzoo/common';
import { Connection, type ApiKey, type RequestOf, type ResponseOf } from '@kzoo/protocol';

interface QueueItem {
  apiKey: ApiKey;
  body: unknown;
  callback?: (response: unknown) => void;
}

export interface ChannelOptions {
  controllerId: number;
  /** controller.socket.timeout.ms */
  requestTimeoutMs?: number;
  retryBackoffMs?: number;
  /** The clock of the retry backoff (default: the system clock). */
  time?: Time;
  logger?: Logger;
}

/** How often a repeating send failure is logged again at WARN. */

class RequestSendThread {
  private readonly queue: QueueItem[] = [];
  private conn: Connection | null = null;
  private running = false;
  stopped = false;
  private wake: (() => void) | null = null;
  /** A failure that repeats on every retry is one WARN, then one per 30 s with the count. */
  private readonly failures: RepeatedWarning;

  constructor(
    readonly brokerId: number,
    public host: string,
    public port: number,
    private readonly opts: Required<Omit<ChannelOptions, 'logger'>>,
    private readonly log: Logger,
  ) {
    this.failures = new RepeatedWarning(log, opts.time);
  }

  get queueSize(): number {
    return this.queue.length;
  }

  enqueue(item: QueueItem): void {
    this.queue.push(item);
    if (!this.running) void this.run();
  }

  stop(): void {
    this.stopped = true;
    this.queue.length = 0;
    this.wake?.();
    void this.conn?.close();
    this.conn = null;
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (!this.stopped && this.queue.length > 0) {
        const item = this.queue[0];
        try {
          if (!this.conn || this.conn.closed) {
            this.conn = await Connection.connect({
              host: this.host,
              port: this.port,
              clientId: `controller-${this.opts.controllerId}`,
              requestTimeoutMs: this.opts.requestTimeoutMs,
              connectTimeoutMs: this.opts.requestTimeoutMs,
              logger: this.log,
            });
            if (this.stopped) {
              void this.conn.close();
              this.conn = null;
              break;
            }
          }
          const response = await this.conn.request(item.apiKey, 0, item.body as never);
          this.failures.reset();
          this.queue.shift();
          try {
            item.callback?.(response);
          } catch (e) {
            this.log.error('controller request callback failed', { error: e });
          }
        } catch (e) {
          if (this.stopped) break;
          this.failures.warn(
            'controller request to broker failed; retrying',
            (e as Error).message,
            {
              brokerId: this.brokerId,
              host: this.host,
              port: this.port,
            },
          );
          void this.conn?.close();
          this.conn = null;
          await new Promise<void>((r) => {
            const t = this.opts.time.schedule(
              'controller-channel-backoff',
              r,
              this.opts.retryBackoffMs,
              { unref: true },
            );
            this.wake = () => {
              t.cancel();
              r();
            };
          });
          this.wake = null;
        }
      }
    } finally {
      this.running = false;
    }
  }
}

/** What the controller needs of its broker connections (ControllerChannelManager; tests record). */
export interface ControllerChannel {
  addBroker(id: number, host: string, port: number): void;
  removeBroker(id: number): void;
  hasBroker(id: number): boolean;
  sendRequest<K extends ApiKey>(
    brokerId: number,
    apiKey: K,
    body: RequestOf<K>,
    callback?: (response: ResponseOf<K>) => void,
  ): void;
  shutdown(): void;
}

export class ControllerChannelManager implements ControllerChannel {
  private readonly brokers = new Map<number, RequestSendThread>();
  private readonly opts: Required<Omit<ChannelOptions, 'logger'>>;
  private readonly log: Logger;

  constructor(opts: ChannelOptions) {
    this.opts = {
      controllerId: opts.controllerId,
      requestTimeoutMs: opts.requestTimeoutMs ?? 30000,
      retryBackoffMs: opts.retryBackoffMs ?? 100,
      time: opts.time ?? SystemTime,
    };
    this.log = opts.logger ?? createLogger('controller.channel');
  }

  addBroker(id: number, host: string, port: number): void {
    const existing = this.brokers.get(id);
    if (existing && existing.host === host && existing.port === port) return;
    existing?.stop();
    this.brokers.set(
      id,
      new RequestSendThread(id, host, port, this.opts, this.log.child({ targetBroker: id })),
    );
  }

  removeBroker(id: number): void {
    this.brokers.get(id)?.stop();
    this.brokers.delete(id);
  }

  hasBroker(id: number): boolean {
    return this.brokers.has(id);
  }

  /** Queues a request; it is dropped silently when the broker is not (or no longer) known. */
  sendRequest<K extends ApiKey>(
    brokerId: number,
    apiKey: K,
    body: RequestOf<K>,
    callback?: (response: ResponseOf<K>) => void,
  ): void {
    const t = this.brokers.get(brokerId);
    if (!t) {
      this.log.debug('dropping request to a broker that is not live', { brokerId, apiKey });
      return;
    }
    t.enqueue({ apiKey, body, callback: callback as (r: unknown) => void });
  }

  shutdown(): void {
    for (const t of this.brokers.values()) t.stop();
    this.brokers.clear();
  }
}
