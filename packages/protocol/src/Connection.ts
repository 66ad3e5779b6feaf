/**
 * The client side of one TCP connection to a broker (used by clients and by brokers
 * talking to each other): requests are pipelined with correlation ids, responses are
 * matched to their requests, writes made in one tick leave in one vectored write.
 *
 * Failures are KafkaErrors: a request that gets no answer in time fails with
 * REQUEST_TIMED_OUT, a lost connection fails every request in flight with
 * NETWORK_EXCEPTION (retriable), a request-level refusal by the broker is an
 * `ErrorResponse` (UNSUPPORTED_VERSION carries the broker's version ranges).
 *
 * Quota throttling, the client's side of KIP-219 (Kafka's NetworkClient throttleDelayMs):
 * a response carrying `throttleTimeMs` > 0 means the broker muted this connection for
 * that long; nothing is written to it before the time has passed (requests made meanwhile
 * wait, in order, and their timeout starts when the throttle ends).
 *
 * `controlKey(apiKey, fn)` is a fault hook for tests (after franz-go kfake's
 * ControlKey): fn sees each request of that key and may drop or delay its response.
 */
import * as net from 'node:net';
import {
  KafkaError,
  SystemTime,
  createLogger,
  type Logger,
  type ScheduledTask,
  type Time,
} from '@kzoo/common';
import type { ApiRegistry } from './api';
import { apiRegistry, type ApiKey, type RequestOf, type ResponseOf } from './apis';
import { DEFAULT_MAX_FRAME_BYTES, FrameDecoder } from './frame';
import {
  decodeResponseBody,
  decodeResponseHeader,
  encodeRequest,
  encodeRequestSegments,
} from './messages';

/** The longest delay Node's timers take (2^31 - 1 ms). */
const MAX_TIMER_DELAY_MS = 2_147_483_647;

export interface ConnectionOptions {
  host: string;
  port: number;
  /** Sent in every request header. Default 'kzoo'. */
  clientId?: string | null;
  /** Kafka's `socket.connection.setup.timeout.ms`. Default 10000. */
  connectTimeoutMs?: number;
  /** Kafka's `request.timeout.ms`, used when a request names none. Default 30000. */
  requestTimeoutMs?: number;
  /** Largest response frame accepted. Default 104857600. */
  maxFrameBytes?: number;
  registry?: ApiRegistry;
  /** The clock of connect and request timeouts (default: the system clock). */
  time?: Time;
  logger?: Logger;
}

export interface RequestOptions {
  timeoutMs?: number;
  /**
   * Write the frame as segments (see segments.ts): its large byte fields (record
   * batches) are written from the caller's Buffers, not copied. They must stay unchanged
   * until `onWritten` runs: once the socket is done with the frame (written to the kernel,
   * or dropped because the connection failed); always after the request was handed over.
   */
  onWritten?: () => void;
}

/** What a `controlKey` hook decides for the response of one request. */
export type ControlDecision = 'keep' | 'drop' | { delayMs: number } | undefined | void;

export interface ControlledRequest {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  body: unknown;
}

export type ControlFn = (request: ControlledRequest) => ControlDecision;

interface Pending {
  apiKey: number;
  apiVersion: number;
  resolve: (body: unknown) => void;
  reject: (err: Error) => void;
  /** When it times out (this.time), and its timeout for the error message. */
  deadlineMs: number;
  timeoutMs: number;
  control: ControlDecision;
}

export class Connection {
  readonly host: string;
  readonly port: number;
  readonly clientId: string | null;
  private readonly requestTimeoutMs: number;
  private readonly time: Time;
  private readonly registry: ApiRegistry;
  private readonly log: Logger;
  private readonly decoder: FrameDecoder;
  private readonly pending = new Map<number, Pending>();
  private readonly controls = new Map<number, ControlFn[]>();
  private readonly closeListeners: Array<(err: KafkaError) => void> = [];
  private nextCorrelationId = 0;
  private corked = false;
  private closedWith: KafkaError | undefined;
  /**
   * The one clock task that times requests out, armed for the earliest deadline (as Kafka's
   * NetworkClient checks its in-flight requests in poll(), rather than a timer per request):
   * it stays armed past the answers, and when it fires with nothing expired it re-arms for
   * the earliest deadline left. So a request costs no timer of its own. Unref'd: an open
   * socket, not this check, keeps a process alive.
   */
  private timeoutTask: ScheduledTask | null = null;
  private timeoutAt = Infinity;
  /** The broker's last throttle ends then (this.time); writes wait until it has. */
  private throttleUntilMs = 0;
  private readonly throttledWrites: Array<{ frame: Buffer | Buffer[]; onWritten?: () => void }> =
    [];
  private throttleTask: ScheduledTask | null = null;

  private constructor(
    private readonly socket: net.Socket,
    opts: ConnectionOptions,
  ) {
    this.host = opts.host;
    this.port = opts.port;
    this.clientId = opts.clientId === undefined ? 'kzoo' : opts.clientId;
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 30000;
    this.time = opts.time ?? SystemTime;
    this.registry = opts.registry ?? apiRegistry;
    this.log = (opts.logger ?? createLogger('network.client')).child({
      broker: `${opts.host}:${opts.port}`,
    });
    this.decoder = new FrameDecoder(opts.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) =>
      this.fail(
        new KafkaError('NETWORK_EXCEPTION', `connection to ${this.address}: ${err.message}`),
      ),
    );
    socket.on('close', () =>
      this.fail(new KafkaError('NETWORK_EXCEPTION', `connection to ${this.address} closed`)),
    );
  }

  /** Opens a connection; rejects with NETWORK_EXCEPTION on refusal or connect timeout. */
  static connect(opts: ConnectionOptions): Promise<Connection> {
    const timeoutMs = opts.connectTimeoutMs ?? 10000;
    const time = opts.time ?? SystemTime;
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: opts.host, port: opts.port });
      const timer = time.schedule(
        'connect-timeout',
        () => {
          socket.destroy();
          reject(
            new KafkaError(
              'NETWORK_EXCEPTION',
              `connect to ${opts.host}:${opts.port} timed out after ${timeoutMs} ms`,
            ),
          );
        },
        timeoutMs,
      );
      const onError = (err: Error) => {
        timer.cancel();
        socket.destroy();
        reject(
          new KafkaError(
            'NETWORK_EXCEPTION',
            `connect to ${opts.host}:${opts.port}: ${err.message}`,
          ),
        );
      };
      socket.once('error', onError);
      socket.once('connect', () => {
        timer.cancel();
        socket.off('error', onError);
        resolve(new Connection(socket, opts));
      });
    });
  }

  get address(): string {
    return `${this.host}:${this.port}`;
  }

  /** Requests sent and not yet answered, failed or timed out. */
  get inFlight(): number {
    return this.pending.size;
  }

  get closed(): boolean {
    return this.closedWith !== undefined;
  }

  /** Called once when the connection closes, with the error that failed in-flight requests. */
  onClose(listener: (err: KafkaError) => void): void {
    if (this.closedWith) listener(this.closedWith);
    else this.closeListeners.push(listener);
  }

  /**
   * Sends a request and resolves with the validated response body. Rejects with
   * REQUEST_TIMED_OUT, NETWORK_EXCEPTION, or an `ErrorResponse` from the broker.
   */
  request<K extends ApiKey>(
    apiKey: K,
    apiVersion: number,
    body: RequestOf<K>,
    opts?: RequestOptions,
  ): Promise<ResponseOf<K>>;
  request(
    apiKey: number,
    apiVersion: number,
    body: unknown,
    opts?: RequestOptions,
  ): Promise<unknown>;
  request(
    apiKey: number,
    apiVersion: number,
    body: unknown,
    opts?: RequestOptions,
  ): Promise<unknown> {
    const onWritten = opts?.onWritten;
    if (this.closedWith) {
      onWritten?.();
      return Promise.reject(this.closedWith);
    }
    const correlationId = this.takeCorrelationId();
    let frame: Buffer | Buffer[];
    try {
      const header = { apiKey, apiVersion, correlationId, clientId: this.clientId };
      frame = onWritten ? encodeRequestSegments(header, body) : encodeRequest(header, body);
    } catch (e) {
      onWritten?.();
      return Promise.reject(
        new KafkaError('INVALID_REQUEST', `cannot encode request: ${(e as Error).message}`),
      );
    }
    const controls = this.controls.get(apiKey);
    let control: ControlDecision;
    if (controls) {
      for (const fn of controls) {
        control = fn({ apiKey, apiVersion, correlationId, body });
        if (control !== undefined && control !== 'keep') break;
      }
    }
    const timeoutMs = opts?.timeoutMs ?? this.requestTimeoutMs;
    return new Promise((resolve, reject) => {
      const deadlineMs = this.time.milliseconds() + this.throttleDelayMs() + Math.max(0, timeoutMs);
      this.pending.set(correlationId, {
        apiKey,
        apiVersion,
        resolve,
        reject,
        deadlineMs,
        timeoutMs,
        control,
      });
      if (deadlineMs < this.timeoutAt) this.armTimeout(deadlineMs);
      this.write(frame, onWritten);
    });
  }

  /**
   * Sends a request that gets no response (Produce with acks = 0). Throws
   * NETWORK_EXCEPTION when the connection is closed.
   */
  sendOneWay<K extends ApiKey>(apiKey: K, apiVersion: number, body: RequestOf<K>): void;
  sendOneWay(apiKey: number, apiVersion: number, body: unknown): void;
  sendOneWay(apiKey: number, apiVersion: number, body: unknown): void {
    if (this.closedWith) throw this.closedWith;
    const correlationId = this.takeCorrelationId();
    this.write(encodeRequest({ apiKey, apiVersion, correlationId, clientId: this.clientId }, body));
  }

  /**
   * Installs a fault hook for requests of `apiKey`: `fn` returns 'keep' (or nothing),
   * 'drop' (the response is discarded, so the request times out) or `{delayMs}`.
   * Returns a function that removes the hook.
   */
  controlKey(apiKey: number, fn: ControlFn): () => void {
    const list = this.controls.get(apiKey) ?? [];
    list.push(fn);
    this.controls.set(apiKey, list);
    return () => {
      const i = list.indexOf(fn);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) this.controls.delete(apiKey);
    };
  }

  /** Closes the connection; requests still in flight fail with NETWORK_EXCEPTION. */
  close(): Promise<void> {
    if (this.socket.destroyed) {
      this.fail(new KafkaError('NETWORK_EXCEPTION', `connection to ${this.address} closed`));
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.fail(
        new KafkaError('NETWORK_EXCEPTION', `connection to ${this.address} closed by client`),
      );
      this.socket.destroy();
    });
  }

  /** How long writes still wait for the broker's quota throttle (0: none). */
  throttleDelayMs(): number {
    if (this.throttleUntilMs === 0) return 0;
    const left = this.throttleUntilMs - this.time.milliseconds();
    if (left > 0) return left;
    // passed: no clock read per request and per write until the next throttle
    this.throttleUntilMs = 0;
    return 0;
  }

  private takeCorrelationId(): number {
    const id = this.nextCorrelationId;
    this.nextCorrelationId = id === 0x7fffffff ? 0 : id + 1;
    return id;
  }

  private readonly uncork = (): void => {
    this.corked = false;
    this.socket.uncork();
  };

  /**
   * Writes made in the same tick are corked and leave together (one writev). `onWritten`
   * runs once the socket is done with the frame: the write callback of its last segment
   * (called on success, and with an error when the socket is destroyed first).
   */
  private write(frame: Buffer | Buffer[], onWritten?: () => void): void {
    if (this.socket.destroyed) {
      onWritten?.();
      return;
    }
    if (this.throttledWrites.length > 0 || this.throttleDelayMs() > 0) {
      this.throttledWrites.push({ frame, onWritten });
      this.scheduleThrottledWrites();
      return;
    }
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(this.uncork);
    }
    if (!Array.isArray(frame)) {
      this.socket.write(frame, onWritten);
      return;
    }
    const last = frame.length - 1;
    for (let i = 0; i < last; i++) this.socket.write(frame[i]);
    this.socket.write(frame[last], onWritten);
  }

  private scheduleThrottledWrites(): void {
    if (this.throttleTask) return;
    this.throttleTask = this.time.schedule(
      'quota-throttle',
      () => {
        this.throttleTask = null;
        if (this.throttleDelayMs() > 0) {
          this.scheduleThrottledWrites();
          return;
        }
        for (const w of this.throttledWrites.splice(0)) this.write(w.frame, w.onWritten);
      },
      this.throttleDelayMs(),
    );
  }

  /** A response's throttle time (KIP-219): the broker reads nothing more from us until it ends. */
  private noteThrottle(body: unknown): void {
    const t = (body as { throttleTimeMs?: unknown } | null)?.throttleTimeMs;
    if (typeof t !== 'number' || !(t > 0)) return;
    const until = this.time.milliseconds() + t;
    if (until > this.throttleUntilMs) this.throttleUntilMs = until;
    this.log.debug('throttled by the broker', { throttleTimeMs: t });
  }

  private onData(chunk: Buffer): void {
    this.decoder.push(chunk);
    try {
      let frame: Buffer | undefined;
      while ((frame = this.decoder.next()) !== undefined) this.onFrame(frame);
    } catch (e) {
      this.log.warn('closing connection: bad response frame', { error: (e as Error).message });
      this.fail(new KafkaError('NETWORK_EXCEPTION', `bad response frame: ${(e as Error).message}`));
      this.socket.destroy();
    }
  }

  private onFrame(frame: Buffer): void {
    const { correlationId } = decodeResponseHeader(frame);
    const p = this.pending.get(correlationId);
    if (!p) return; // timed out, or dropped by a control hook
    const control = p.control;
    if (control === 'drop') return;
    if (control !== undefined && control !== 'keep') {
      p.control = undefined;
      this.time.schedule(
        'response-delay',
        () => {
          if (this.pending.get(correlationId) === p) this.onFrame(frame);
        },
        control.delayMs,
      );
      return;
    }
    this.pending.delete(correlationId);
    let body: unknown;
    try {
      body = decodeResponseBody(frame, p.apiKey, p.apiVersion, this.registry);
    } catch (e) {
      p.reject(e as Error);
      return;
    }
    this.noteThrottle(body);
    p.resolve(body);
  }

  private armTimeout(deadlineMs: number): void {
    this.timeoutTask?.cancel();
    this.timeoutAt = deadlineMs;
    this.timeoutTask = this.time.schedule(
      'request-timeout',
      this.checkTimeouts,
      // at most Node's longest timer (it runs a longer one after 1 ms); a farther deadline is
      // re-armed when that fires
      Math.min(MAX_TIMER_DELAY_MS, Math.max(0, deadlineMs - this.time.milliseconds())),
      { unref: true },
    );
  }

  /** The earliest request past its deadline times out (closing the connection); else re-arm. */
  private readonly checkTimeouts = (): void => {
    this.timeoutTask = null;
    this.timeoutAt = Infinity;
    const now = this.time.milliseconds();
    let next = Infinity;
    let expired: [number, Pending] | undefined;
    for (const entry of this.pending) {
      const d = entry[1].deadlineMs;
      if (d <= now) {
        if (!expired || d < expired[1].deadlineMs) expired = entry;
      } else if (d < next) next = d;
    }
    if (expired) this.timeout(expired[0], expired[1].timeoutMs);
    else if (next !== Infinity) this.armTimeout(next);
  };

  private timeout(correlationId: number, timeoutMs: number): void {
    const p = this.pending.get(correlationId);
    if (!p) return;
    this.pending.delete(correlationId);
    const what = `${this.registry.name(p.apiKey)} request ${correlationId} to ${this.address} got no response in ${timeoutMs} ms`;
    p.reject(new KafkaError('REQUEST_TIMED_OUT', what));
    // As Kafka's NetworkClient (processTimeoutDisconnection): a node that does not answer
    // in time is disconnected, so the next request goes to a fresh connection, or to
    // another node, instead of queueing behind a peer that may be paused or gone.
    if (this.closedWith) return;
    this.fail(new KafkaError('NETWORK_EXCEPTION', `disconnected: ${what}`));
    this.socket.destroy();
  }

  private fail(err: KafkaError): void {
    this.timeoutTask?.cancel();
    this.timeoutTask = null;
    this.timeoutAt = Infinity;
    this.throttleTask?.cancel();
    this.throttleTask = null;
    for (const w of this.throttledWrites.splice(0)) w.onWritten?.();
    if (!this.closedWith) {
      this.closedWith = err;
      for (const l of this.closeListeners.splice(0)) l(err);
    }
    if (this.pending.size === 0) return;
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(err);
  }
}
