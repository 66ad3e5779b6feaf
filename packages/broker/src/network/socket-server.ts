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
 * - Bad input: an unsupported apiKey/version gets an UNSUPPORTED_VERSION response
 *   listing the supported ranges, a body of the wrong shape INVALID_REQUEST naming
 *   the field; a malformed or oversized frame closes that connection. Each logs one
 *   line; every other connection is unaffected.
 * - ApiVersions is answered here, from the registry.
 * - A handler may call `ctx.closeConnection()` (Produce with acks = 0 that failed, as
 *   Kafka): the responses to the requests before it are still written, then the
 *   connection is closed; requests after it are dropped unanswered.
 * - `shutdown()`: stop accepting, answer the requests already handed to handlers,
 *   then close every connection.
 */
import * as net from 'node:net';
import { KafkaError, createLogger, type Logger } from '@kzoo/common';
import {
  ApiKeys,
  DEFAULT_MAX_FRAME_BYTES,
  FrameDecoder,
  RequestDecodeError,
  apiRegistry,
  decodeRequest,
  encodeErrorResponse,
  encodeResponse,
  type ApiRegistry,
  type ApiVersionsResponse,
  type RequestHeader,
} from '@kzoo/protocol';

export interface RequestContext {
  header: RequestHeader;
  /** The validated request body (its type is `RequestOf<header.apiKey>`). */
  body: unknown;
  connectionId: string;
  /** `host:port` of the peer. */
  clientAddress: string;
  /**
   * Asks for the connection to be closed instead of answering this request: the
   * responses to earlier requests are written first, later requests are dropped.
   */
  closeConnection(): void;
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
  /** Kafka's `socket.request.max.bytes`. Default 104857600. */
  maxFrameBytes?: number;
  /** Per connection, like Kafka's `queued.max.requests`. Default 100. */
  queuedMaxRequests?: number;
  /** Kafka's `connections.max.idle.ms`. Default 600000. */
  connectionsMaxIdleMs?: number;
  registry?: ApiRegistry;
  logger?: Logger;
}

export interface ConnectionStats {
  connectionId: string;
  clientAddress: string;
  /** Requests read whose responses are not written yet. */
  queued: number;
  /** True while back-pressure stops reading the socket. */
  paused: boolean;
}

interface Slot {
  correlationId: number;
  done: boolean;
  /** The encoded response frame, or null for none. */
  frame: Buffer | null;
  /** Close the connection once the responses before this slot are written. */
  close?: boolean;
}

let nextConnectionIndex = 0;

class ServerConnection {
  readonly id: string;
  readonly clientAddress: string;
  private readonly decoder: FrameDecoder;
  /** Requests in arrival order whose responses are not written yet. */
  private readonly queue: Slot[] = [];
  private paused = false;
  private taking = false;
  private corked = false;
  private draining = false;
  private closed = false;
  /** A handler asked for the close: nothing more is read or written. */
  private closing = false;

  constructor(
    private readonly server: SocketServer,
    private readonly socket: net.Socket,
    private readonly opts: Required<Omit<SocketServerOptions, 'host' | 'port' | 'logger'>>,
    private readonly log: Logger,
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

  /** Stop reading; close once every request already read is answered. */
  drain(): void {
    this.draining = true;
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
    let header: RequestHeader;
    let body: unknown;
    try {
      ({ header, body } = decodeRequest(frame, this.opts.registry));
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
        this.queue.push({
          correlationId: e.correlationId,
          done: true,
          frame: encodeErrorResponse(e.correlationId, e, this.opts.registry),
        });
        this.flush();
        return;
      }
      throw e;
    }
    const slot: Slot = { correlationId: header.correlationId, done: false, frame: null };
    this.queue.push(slot);
    if (header.apiKey === ApiKeys.ApiVersions) {
      const response: ApiVersionsResponse = {
        errorCode: 0,
        apiKeys: [...this.opts.registry.ranges],
        throttleTimeMs: 0,
      };
      this.complete(slot, header, response);
      return;
    }
    let result: unknown;
    try {
      result = this.opts.handler({
        header,
        body,
        connectionId: this.id,
        clientAddress: this.clientAddress,
        closeConnection: () => {
          slot.close = true;
        },
      });
    } catch (e) {
      this.completeWithError(slot, header, e);
      return;
    }
    if (
      result !== null &&
      typeof result === 'object' &&
      typeof (result as Promise<unknown>).then === 'function'
    ) {
      (result as Promise<unknown>).then(
        (response) => this.complete(slot, header, response),
        (e) => this.completeWithError(slot, header, e),
      );
    } else {
      this.complete(slot, header, result);
    }
  }

  private complete(slot: Slot, header: RequestHeader, response: unknown): void {
    if (response !== undefined) {
      try {
        slot.frame = encodeResponse(header.correlationId, response);
      } catch (e) {
        this.completeWithError(slot, header, e);
        return;
      }
    }
    slot.done = true;
    this.flush();
  }

  private completeWithError(slot: Slot, header: RequestHeader, e: unknown): void {
    let err: KafkaError;
    if (e instanceof KafkaError) {
      err = e;
    } else {
      err = new KafkaError('UNKNOWN_SERVER_ERROR', (e as Error)?.message ?? String(e));
      this.log.error('request handler failed', {
        conn: this.id,
        api: this.opts.registry.name(header.apiKey),
        correlationId: header.correlationId,
        error: (e as Error)?.stack ?? String(e),
      });
    }
    slot.frame = encodeErrorResponse(header.correlationId, err, this.opts.registry);
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
      if (frame !== null && !this.closed) {
        if (!this.corked) {
          this.corked = true;
          this.socket.cork();
          process.nextTick(this.uncork);
        }
        this.socket.write(frame);
      }
      n++;
    }
    q.splice(0, n);
    if (this.draining) this.maybeEnd();
    else this.maybeResume();
  }

  private maybeResume(): void {
    if (this.closed || this.draining) return;
    if (this.queue.length < this.opts.queuedMaxRequests && !this.socket.writableNeedDrain) {
      this.takeFrames();
    }
  }

  private updatePause(): void {
    const full = this.queue.length >= this.opts.queuedMaxRequests || this.socket.writableNeedDrain;
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
  private readonly opts: Required<Omit<SocketServerOptions, 'host' | 'port' | 'logger'>>;
  private readonly log: Logger;
  private readonly host: string;
  private readonly requestedPort: number;
  private boundPort = -1;
  private shuttingDown: Promise<void> | undefined;
  private allClosed: (() => void) | undefined;

  constructor(options: SocketServerOptions) {
    this.host = options.host ?? '127.0.0.1';
    this.requestedPort = options.port ?? 0;
    this.opts = {
      handler: options.handler,
      maxFrameBytes: options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
      queuedMaxRequests: options.queuedMaxRequests ?? 100,
      connectionsMaxIdleMs: options.connectionsMaxIdleMs ?? 600000,
      registry: options.registry ?? apiRegistry,
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
        this.log.info('listening', { host: this.host, port: this.boundPort });
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
          clearTimeout(timer);
          resolve();
        }
      };
      const timer = setTimeout(() => {
        for (const c of this.connections) c.destroy();
      }, timeoutMs);
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
    const c = new ServerConnection(this, socket, this.opts, this.log);
    this.connections.add(c);
    this.log.debug('connection accepted', { conn: c.id });
  }
}
