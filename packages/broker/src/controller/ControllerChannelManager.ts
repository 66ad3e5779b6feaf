/**
 * ControllerChannelManager: the controller's connections to brokers (Kafka's
 * ControllerChannelManager + RequestSendThread). One `Connection` per live broker,
 * one FIFO queue per broker, one request in flight per broker, so a broker sees the
 * controller's requests in the order they were queued. A failed send (connection
 * lost, timeout) reconnects with a backoff and resends the same request, until the
 * broker is removed (it died) or the channel shuts down.
 */
import { createLogger, Logger, SystemTime, type Time } from '@kzoo/common';
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
const WARN_REPEAT_MS = 30000;

class RequestSendThread {
  private readonly queue: QueueItem[] = [];
  private conn: Connection | null = null;
  private running = false;
  stopped = false;
  private wake: (() => void) | null = null;
  /** The failure last logged at WARN, when, and how many identical ones followed at DEBUG. */
  private lastWarning = { text: '', atMs: 0, repeats: 0 };

  constructor(
    readonly brokerId: number,
    public host: string,
    public port: number,
    private readonly opts: Required<Omit<ChannelOptions, 'logger'>>,
    private readonly log: Logger,
  ) {}

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

  /**
   * A failure that repeats on every retry (a host that does not resolve, a broker that
   * is down) is a warning once, then again every WARN_REPEAT_MS with how many times it
   * happened meanwhile; the repeats in between log at DEBUG.
   */
  private warnFailure(error: string): void {
    const now = this.opts.time.milliseconds();
    const w = this.lastWarning;
    const fields = { brokerId: this.brokerId, host: this.host, port: this.port, error };
    if (error === w.text && now - w.atMs < WARN_REPEAT_MS) {
      w.repeats++;
      this.log.debug('controller request to broker failed; retrying', fields);
      return;
    }
    const repeats = error === w.text ? { failuresSinceLastWarning: w.repeats } : {};
    this.log.warn('controller request to broker failed; retrying', { ...fields, ...repeats });
    this.lastWarning = { text: error, atMs: now, repeats: 0 };
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
          this.queue.shift();
          try {
            item.callback?.(response);
          } catch (e) {
            this.log.error('controller request callback failed', { error: e });
          }
        } catch (e) {
          if (this.stopped) break;
          this.warnFailure((e as Error).message);
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
