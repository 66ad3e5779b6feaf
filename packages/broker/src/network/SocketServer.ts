/**
 * The broker's network layer (Kafka's SocketServer + RequestChannel in one class).
 *
 * - Many connections; requests on a connection are pipelined: each decoded request
 *   is handed to the handler at once, in arrival order, and the responses are written
 *   strictly in request order even when handlers finish out of order (as Kafka).
 * - Back-pressure: while a connection has `queuedMaxRequests` requests without a
 *   written response, or its socket's write buffer is full, the server stops reading
 *   that socket (pause) and resumes below the limit.
 * - `connectionsMaxIdleMs`: a connection with nothing in progress and no traffic for
 *   that long is closed.
 * - One listener, one wire codec (`wire.ts`): kzoo's native protocol or Kafka's. The
 *   codec decodes requests into the same typed requests and encodes responses and
 *   request-level errors in its own format; handlers do not know which wire a request
 *   came on unless they ask (`ctx.wire`).
 * - Bad input: what the codec can answer (native: an unsupported apiKey/version with
 *   UNSUPPORTED_VERSION listing the ranges, a body of the wrong shape with
 *   INVALID_REQUEST naming the field; Kafka: an unknown ApiVersions version) is
 *   answered; anything else, and a malformed or oversized frame, closes that
 *   connection. Each logs one line; every other connection is unaffected.
 * - Wrong door: a client of the other wire protocol (recognised from its first
 *   request) is logged in one line naming the listener to use, and failed fast: a
 *   kzoo client gets an INVALID_REQUEST saying so, a Kafka client a closed connection.
 * - Throttling (Kafka's KIP-219): a handler may call `ctx.throttle(ms)` (a client over
 *   its quota); its response is written at once, with the throttle time in it (a
 *   request-level error too, where the codec's error body has the field), and then
 *   the connection is muted: nothing more is read from it for that long (Kafka's
 *   ThrottledChannel). Requests already read are still answered.
 * - Request times (Kafka's RequestChannel.Request, for the request quota, KIP-124):
 *   while `timeRequests()` says so, each request gets `ctx.times` (RequestTimes): when
 *   the handler was called and when its synchronous part returned, and the time spent
 *   decoding, encoding and writing it, reported to the request quota once written.
 * - A handler may call `ctx.closeConnection()` (Produce with acks = 0 that failed, as
 *   Kafka): the responses to the requests before it are still written, then the
 *   connection is closed; requests after it are dropped unanswered.
 * - `shutdown()`: stop accepting, answer the requests already handed to handlers,
 *   then close every connection.
 */
import * as net from 'node:net';
import {
  KafkaError,
  SystemTime,
  createLogger,
  emptyObjectArray,
  type Logger,
  type ScheduledTask,
  type Time,
  getInt32,
} from '@kzoo/common';
import {
  ApiKeys,
  DEFAULT_MAX_FRAME_BYTES,
  FrameDecoder,
  RequestDecodeError,
  encodeErrorResponse,
  type ApiVersionRange,
  type RequestHeader,
} from '@kzoo/protocol';
import { RequestTimes } from './RequestTimes';
import { nativeCodec, type WireCodec, type WireProtocol } from './wire';

export interface RequestContext {
  header: RequestHeader;
  /** The validated request body (its type is `RequestOf<header.apiKey>`). */
  body: unknown;
  connectionId: string;
  /** `host:port` of the peer. */
  clientAddress: string;
  /** The listener the request came in on (Metadata answers with its endpoints). */
  listenerName: string;
  /** The wire protocol of that listener. */
  wire: WireProtocol;
  /** What ApiVersions advertises on this listener. */
  apiVersions: readonly ApiVersionRange[];
  /**
   * Asks for the connection to be closed instead of answering this request: the
   * responses to earlier requests are written first, later requests are dropped.
   */
  closeConnection(): void;
  /**
   * Mutes the connection for `throttleTimeMs` once this request's response (or, with
   * none, its turn) is written: the KIP-219 throttle of a client over its quota.
   * Absent where no connection stands behind the request (unit tests).
   */
  throttle?(throttleTimeMs: number): void;
  /** How long this request keeps the event loop; set while the listener times requests. */
  times?: RequestTimes;
}

/**
 * Handles one request. Resolves with the response body, or `undefined` for no
 * response (Produce with acks = 0). Throwing (or rejecting with) a KafkaError answers
 * with a request-level error of that code; any other exception with
 * UNKNOWN_SERVER_ERROR (and an error log line).
 */
export type RequestHandler = (ctx: RequestContext) => Promise<unknown> | unknown;

export interface SocketServerOptions {
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default 0: any free port; `start()` reports the bound port. */
  port?: number;
  handler: RequestHandler;
  /** The wire protocol spoken here. Default: kzoo's native protocol. */
  codec?: WireCodec;
  /** The listener's name, e.g. `PLAINTEXT`. Default 'PLAINTEXT'. */
  listenerName?: string;
  /** Whether the handler serves an API key; ApiVersions advertises only those. Default: all. */
  serves?: (apiKey: number) => boolean;
  /**
   * Where clients of another wire protocol should go, for the wrong-door log line and
   * error (e.g. `listener EXTERNAL at 127.0.0.1:9093`); undefined when nowhere.
   */
  listenerFor?: (wire: WireProtocol) => string | undefined;
  /** The clock of the shutdown grace period. Default the system clock. */
  time?: Time;
  /** Kafka's `socket.request.max.bytes`. Default 104857600. */
  maxFrameBytes?: number;
  /**
   * `queued.max.requests`, applied per connection (Kafka's is one broker-wide request
   * queue). Default 100.
   */
  queuedMaxRequests?: number;
  /** Kafka's `connections.max.idle.ms`. Default 600000. */
  connectionsMaxIdleMs?: number;
  /**
   * Whether to time each request (`ctx.times`), asked once per request: the broker's
   * request quota, while one is set. Default: never.
   */
  timeRequests?: () => boolean;
  logger?: Logger;
}

/** The SocketServer's settled options. */
interface ServerSettings {
  handler: RequestHandler;
  codec: WireCodec;
  listenerName: string;
  apiVersions: readonly ApiVersionRange[];
  listenerFor: (wire: WireProtocol) => string | undefined;
  maxFrameBytes: number;
  queuedMaxRequests: number;
  connectionsMaxIdleMs: number;
  timeRequests: () => boolean;
}

export interface ConnectionStats {
  connectionId: string;
  clientAddress: string;
  /** Requests read whose responses are not written yet. */
  queued: number;
  /** True while back-pressure stops reading the socket. */
  paused: boolean;
  /** True while a quota throttle mutes the connection (KIP-219). */
  throttled: boolean;
}

interface Slot {
  correlationId: number;
  done: boolean;
  /** The encoded response frame (or its segments, see WireCodec), or null for none. */
  frame: Buffer | Buffer[] | null;
  /** Close the connection once the responses before this slot are written. */
  close?: boolean;
  /** Mute the connection this long once this slot is written (a quota throttle). */
  throttleMs?: number;
  /** The request's times, while the listener times requests. */
  times?: RequestTimes;
}

let nextConnectionIndex = 0;

class ServerConnection {
  readonly id: string;
  readonly clientAddress: string;
  private readonly decoder: FrameDecoder;
  /** Requests in arrival order whose responses are not written yet. */
  private readonly queue: Slot[] = emptyObjectArray<Slot>();
  private paused = false;
  private taking = false;
  private corked = false;
  private draining = false;
  private closed = false;
  /** A handler asked for the close: nothing more is read or written. */
  private closing = false;
  private sawFirstFrame = false;
  /** A quota throttle mutes reading until this task runs. */
  private unmuteTask: ScheduledTask | null = null;
  private mutedUntilMs = 0;

  constructor(
    private readonly server: SocketServer,
    private readonly socket: net.Socket,
    private readonly opts: ServerSettings,
    private readonly log: Logger,
    private readonly time: Time,
  ) {
    this.clientAddress = `${socket.remoteAddress}:${socket.remotePort}`;
    this.id = `${socket.localAddress}:${socket.localPort}-${this.clientAddress}-${nextConnectionIndex++}`;
    this.decoder = new FrameDecoder(opts.maxFrameBytes);
    socket.setNoDelay(true);
    if (opts.connectionsMaxIdleMs > 0) socket.setTimeout(opts.connectionsMaxIdleMs);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.maybeResume());
    socket.on('timeout', () => this.onIdle());
    socket.on('error', (err) =>
      this.log.debug('socket error', { conn: this.id, error: err.message }),
    );
    socket.on('close', () => {
      this.closed = true;
      this.unmuteTask?.cancel();
      this.unmuteTask = null;
      this.server.onConnectionClosed(this);
    });
  }

  /** Requests read and not yet answered. */
  get queued(): number {
    return this.queue.length;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  get isThrottled(): boolean {
    return this.unmuteTask !== null;
  }

  /** Stop reading; close once every request already read is answered. */
  drain(): void {
    this.draining = true;
    this.unmuteTask?.cancel();
    this.unmuteTask = null;
    // Keep reading (and dropping) so the peer's FIN is seen and the socket can close.
    this.socket.resume();
    this.decoder.reset();
    this.maybeEnd();
  }

  destroy(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.draining || this.closing) return;
    this.decoder.push(chunk);
    this.takeFrames();
  }

  /** Dispatches complete frames until the queue is full or the socket's write buffer is. */
  private takeFrames(): void {
    if (this.taking) return; // re-entered from a handler that completed synchronously
    this.taking = true;
    try {
      while (
        !this.closed &&
        !this.closing &&
        !this.draining &&
        this.unmuteTask === null &&
        this.queue.length < this.opts.queuedMaxRequests &&
        !this.socket.writableNeedDrain
      ) {
        const frame = this.decoder.next();
        if (frame === undefined) break;
        this.dispatch(frame);
      }
    } catch (e) {
      this.closeForBadInput(e as Error);
      return;
    } finally {
      this.taking = false;
    }
    this.updatePause();
  }

  private dispatch(frame: Buffer): void {
    const codec = this.opts.codec;
    if (!this.sawFirstFrame) {
      this.sawFirstFrame = true;
      const other = codec.otherWire(frame);
      if (other) {
        this.wrongDoor(frame, other);
        return;
      }
    }
    let header: RequestHeader;
    let body: unknown;
    const decodeStart = this.opts.timeRequests() ? this.time.nanoseconds() : undefined;
    try {
      ({ header, body } = codec.decodeRequest(frame));
    } catch (e) {
      if (e instanceof RequestDecodeError && e.answerable && e.correlationId !== undefined) {
        // A client probing ApiVersions at a newer version is normal negotiation.
        const level = e.apiKey === ApiKeys.ApiVersions ? 'debug' : 'warn';
        this.log[level]('bad request', {
          conn: this.id,
          apiKey: e.apiKey,
          apiVersion: e.apiVersion,
          correlationId: e.correlationId,
          error: e.message,
        });
        const h: RequestHeader = {
          apiKey: e.apiKey ?? -1,
          apiVersion: e.apiVersion ?? -1,
          correlationId: e.correlationId,
          clientId: null,
        };
        this.queue.push({
          correlationId: e.correlationId,
          done: true,
          frame: codec.encodeError(h, undefined, e, 0),
        });
        this.flush();
        return;
      }
      throw e;
    }
    const slot: Slot = { correlationId: header.correlationId, done: false, frame: null };
    if (decodeStart !== undefined) {
      const now = this.time.nanoseconds();
      slot.times = new RequestTimes(this.time, now, now - decodeStart);
    }
    this.queue.push(slot);
    let result: unknown;
    try {
      result = this.opts.handler({
        header,
        body,
        connectionId: this.id,
        clientAddress: this.clientAddress,
        listenerName: this.opts.listenerName,
        wire: codec.wire,
        apiVersions: this.opts.apiVersions,
        closeConnection: () => {
          slot.close = true;
        },
        throttle: (ms: number) => {
          if (ms > 0) slot.throttleMs = Math.max(slot.throttleMs ?? 0, ms);
        },
        times: slot.times,
      });
    } catch (e) {
      slot.times?.localComplete();
      this.completeWithError(slot, header, body, e);
      return;
    }
    slot.times?.localComplete();
    if (
      result !== null &&
      typeof result === 'object' &&
      typeof (result as Promise<unknown>).then === 'function'
    ) {
      (result as Promise<unknown>).then(
        (response) => this.complete(slot, header, body, response),
        (e) => this.completeWithError(slot, header, body, e),
      );
    } else {
      this.complete(slot, header, body, result);
    }
  }

  /**
   * A client of the other wire protocol: one log line naming the listener to use; a
   * kzoo client gets an INVALID_REQUEST saying so (its first request's header is
   * readable), a Kafka client a closed connection (answering in Kafka's format
   * here would only invite it to go on).
   */
  private wrongDoor(frame: Buffer, other: WireProtocol): void {
    const where = this.opts.listenerFor(other);
    const message =
      `this is the ${this.opts.codec.wire} listener ${this.opts.listenerName}; ` +
      (where ? `${other} clients use ${where}` : `no listener of this broker speaks ${other}`);
    this.log.warn(`a ${other} client connected to the wrong listener: ${message}`, {
      conn: this.id,
      client: this.clientAddress,
    });
    if (other === 'kzoo' && frame.length >= 8) {
      const correlationId = getInt32(frame, 4);
      this.queue.push({
        correlationId,
        done: true,
        frame: encodeErrorResponse(correlationId, new KafkaError('INVALID_REQUEST', message)),
      });
      this.queue.push({ correlationId, done: true, frame: null, close: true });
      this.flush();
      return;
    }
    this.closing = true;
    this.decoder.reset();
    this.socket.destroy();
  }

  private complete(slot: Slot, header: RequestHeader, body: unknown, response: unknown): void {
    if (response !== undefined) {
      const start = slot.times ? this.time.nanoseconds() : undefined;
      try {
        slot.frame = this.opts.codec.encodeResponse(header, response);
      } catch (e) {
        this.completeWithError(slot, header, body, e);
        return;
      }
      if (start !== undefined) slot.times?.addNetworkTime(start);
    }
    slot.done = true;
    this.flush();
  }

  private completeWithError(slot: Slot, header: RequestHeader, body: unknown, e: unknown): void {
    let err: KafkaError;
    if (e instanceof KafkaError) {
      err = e;
    } else {
      err = new KafkaError('UNKNOWN_SERVER_ERROR', (e as Error)?.message ?? String(e));
      this.log.error('request handler failed', {
        conn: this.id,
        apiKey: header.apiKey,
        correlationId: header.correlationId,
        error: (e as Error)?.stack ?? String(e),
      });
    }
    slot.frame = this.opts.codec.encodeError(header, body, err, slot.throttleMs ?? 0);
    slot.done = true;
    this.flush();
  }

  private readonly uncork = (): void => {
    this.corked = false;
    if (!this.socket.destroyed) this.socket.uncork();
  };

  /** Writes the finished responses at the head of the queue, in request order. */
  private flush(): void {
    const q = this.queue;
    if (this.closing || q.length === 0 || !q[0].done) return;
    let n = 0;
    while (n < q.length && q[n].done) {
      if (q[n].close) {
        this.closeAfterWrites();
        return;
      }
      const frame = q[n].frame;
      const times = q[n].times;
      if (frame !== null && !this.closed) {
        const start = times ? this.time.nanoseconds() : undefined;
        if (!this.corked) {
          this.corked = true;
          this.socket.cork();
          process.nextTick(this.uncork);
        }
        if (Array.isArray(frame)) for (const seg of frame) this.socket.write(seg);
        else this.socket.write(frame);
        if (start !== undefined) times?.addNetworkTime(start);
      }
      times?.recordNetworkThreadTimeCallback?.(Number(times.networkThreadTimeNanos));
      const throttleMs = q[n].throttleMs;
      if (throttleMs !== undefined && throttleMs > 0) this.mute(throttleMs);
      n++;
    }
    q.splice(0, n);
    if (this.draining) this.maybeEnd();
    else this.maybeResume();
  }

  /** Stops reading for `ms` (Kafka's ThrottledChannel); a longer throttle extends it. */
  private mute(ms: number): void {
    if (this.closed) return;
    const until = this.time.milliseconds() + ms;
    if (this.unmuteTask && until <= this.mutedUntilMs) return;
    this.unmuteTask?.cancel();
    this.mutedUntilMs = until;
    this.unmuteTask = this.time.schedule('throttled-channel', this.unmute, ms);
    this.updatePause();
  }

  private readonly unmute = (): void => {
    this.unmuteTask = null;
    if (this.closed || this.closing || this.draining) return;
    this.takeFrames();
  };

  private maybeResume(): void {
    if (this.closed || this.draining) return;
    if (this.queue.length < this.opts.queuedMaxRequests && !this.socket.writableNeedDrain) {
      this.takeFrames();
    }
  }

  private updatePause(): void {
    const full =
      this.queue.length >= this.opts.queuedMaxRequests ||
      this.socket.writableNeedDrain ||
      this.unmuteTask !== null;
    if (full && !this.paused) {
      this.paused = true;
      this.socket.pause();
    } else if (!full && this.paused) {
      this.paused = false;
      this.socket.resume();
    }
  }

  private maybeEnd(): void {
    if (this.queue.length === 0 && !this.closed) {
      this.socket.end();
    }
  }

  /**
   * Ends the socket once what was written is flushed (the peer sees the close after
   * the earlier responses); later requests, answered or not, are dropped.
   */
  private closeAfterWrites(): void {
    this.closing = true;
    this.queue.length = 0;
    this.decoder.reset();
    // Keep reading (and dropping) so a paused socket still sees the peer's FIN.
    this.paused = false;
    this.socket.resume();
    this.socket.destroySoon();
  }

  private onIdle(): void {
    if (this.queue.length > 0 || this.closed) return;
    this.log.info('closing idle connection', {
      conn: this.id,
      idleMs: this.opts.connectionsMaxIdleMs,
    });
    this.socket.destroy();
  }

  private closeForBadInput(e: Error): void {
    this.log.warn('closing connection: malformed frame', { conn: this.id, error: e.message });
    this.closed = true;
    this.decoder.reset();
    this.socket.destroy();
  }
}

export class SocketServer {
  private readonly server: net.Server;
  private readonly connections = new Set<ServerConnection>();
  private readonly opts: ServerSettings;
  private readonly log: Logger;
  private readonly time: Time;
  private readonly host: string;
  private readonly requestedPort: number;
  private boundPort = -1;
  private shuttingDown: Promise<void> | undefined;
  private allClosed: (() => void) | undefined;

  constructor(options: SocketServerOptions) {
    this.host = options.host ?? '127.0.0.1';
    this.requestedPort = options.port ?? 0;
    this.time = options.time ?? SystemTime;
    const codec = options.codec ?? nativeCodec();
    const serves = options.serves ?? (() => true);
    this.opts = {
      handler: options.handler,
      codec,
      listenerName: options.listenerName ?? 'PLAINTEXT',
      apiVersions: codec.apiVersions.filter((r) => serves(r.apiKey)),
      listenerFor: options.listenerFor ?? (() => undefined),
      maxFrameBytes: options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
      queuedMaxRequests: options.queuedMaxRequests ?? 100,
      connectionsMaxIdleMs: options.connectionsMaxIdleMs ?? 600000,
      timeRequests: options.timeRequests ?? (() => false),
    };
    if (!(this.opts.queuedMaxRequests >= 1)) {
      throw new RangeError(`queuedMaxRequests must be >= 1, got ${this.opts.queuedMaxRequests}`);
    }
    this.log = options.logger ?? createLogger('network.server');
    this.server = net.createServer((socket) => this.onConnection(socket));
  }

  /** Starts listening; resolves with the bound address (the real port when 0 was asked). */
  start(): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.server.once('error', onError);
      this.server.listen(this.requestedPort, this.host, () => {
        this.server.off('error', onError);
        this.server.on('error', (err) => this.log.error('server error', { error: err.message }));
        this.boundPort = (this.server.address() as net.AddressInfo).port;
        this.log.info('listening', {
          listener: this.opts.listenerName,
          wire: this.opts.codec.wire,
          host: this.host,
          port: this.boundPort,
        });
        resolve({ host: this.host, port: this.boundPort });
      });
    });
  }

  /** The bound port (after `start()`), else -1. */
  get port(): number {
    return this.boundPort;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** One entry per open connection: requests awaiting their response, and whether reading is paused. */
  connectionStats(): ConnectionStats[] {
    return [...this.connections].map((c) => ({
      connectionId: c.id,
      clientAddress: c.clientAddress,
      queued: c.queued,
      paused: c.isPaused,
      throttled: c.isThrottled,
    }));
  }

  /**
   * Stops accepting connections, lets the requests already handed to handlers be
   * answered, then closes every connection. After `timeoutMs` the remaining
   * connections are destroyed.
   */
  shutdown(timeoutMs = 30000): Promise<void> {
    if (this.shuttingDown) return this.shuttingDown;
    this.shuttingDown = new Promise<void>((resolve) => {
      let serverClosed = false;
      let connectionsClosed = this.connections.size === 0;
      const finish = () => {
        if (serverClosed && connectionsClosed) {
          grace.cancel();
          resolve();
        }
      };
      const grace = this.time.schedule(
        'socket-server-shutdown-grace',
        () => {
          for (const c of this.connections) c.destroy();
        },
        timeoutMs,
      );
      this.allClosed = () => {
        connectionsClosed = true;
        finish();
      };
      this.server.close(() => {
        serverClosed = true;
        finish();
      });
      for (const c of this.connections) c.drain();
      finish();
    });
    return this.shuttingDown;
  }

  /** @internal */
  onConnectionClosed(c: ServerConnection): void {
    this.connections.delete(c);
    if (this.connections.size === 0 && this.allClosed) this.allClosed();
  }

  private onConnection(socket: net.Socket): void {
    if (this.shuttingDown) {
      socket.destroy();
      return;
    }
    const c = new ServerConnection(this, socket, this.opts, this.log, this.time);
    this.connections.add(c);
    this.log.debug('connection accepted', { conn: c.id });
  }
}
