/**
 * NetworkClient: one `Connection` per broker (as Kafka's NetworkClient keeps one
 * channel per node), opened on demand, dropped when it closes. Nodes are known by id
 * from Metadata; before the first metadata the bootstrap servers are used. A connection
 * closed by the broker calls `onDisconnect` (Kafka's NetworkClient then requests a
 * metadata update: a broker closes an acks=0 producer's connection when a write failed).
 *
 * Reconnects back off per broker as Kafka's (KIP-144, ClusterConnectionStates): after a
 * failed connect or a lost connection, a broker is not connected to again for
 * `reconnect.backoff.ms`, doubling with each consecutive failure up to
 * `reconnect.backoff.max.ms` (±20 % jitter). `connect` to a broker in backoff fails at
 * once, naming the broker and the wait left; `leastLoaded` skips such brokers and, when
 * every broker is in backoff, waits for the first to come out of it.
 */
import * as net from 'node:net';
import {
  KafkaError,
  RepeatedWarning,
  SystemTime,
  type Logger,
  type ScheduledTask,
  type Time,
} from '@kzoo/common';
import { Connection, type ConnectionOptions, type ControlFn } from '@kzoo/protocol';
import { ClusterConnectionStates } from './ClusterConnectionStates';
import { bootstrapServers, type HostPort } from './config';

export interface NetworkClientOptions {
  bootstrap: HostPort[];
  clientId: string;
  requestTimeoutMs: number;
  /** `socket.connection.setup.timeout.ms` and `.max.ms` (KIP-601). */
  connectTimeoutMs: number;
  connectTimeoutMaxMs: number;
  /** `reconnect.backoff.ms` and `reconnect.backoff.max.ms` (KIP-144). */
  reconnectBackoffMs: number;
  reconnectBackoffMaxMs: number;
  logger: Logger;
  /** The clock of the reconnect backoff (default: the system clock). */
  time?: Time;
  /** The backoff jitter's random source, uniform in [0, 1) (default Math.random). */
  random?: () => number;
  /** Opens a connection (default Connection.connect; tests inject refusals). */
  connect?: (opts: ConnectionOptions) => Promise<Connection>;
  /** Called when an open connection closes other than by `close()` of this client. */
  onDisconnect?: (hp: HostPort) => void;
}

/** The connection keys every client (producer, consumer, admin) shares. */
export interface NetworkConfig {
  'bootstrap.servers': string[];
  'client.id': string;
  'request.timeout.ms': number;
  'socket.connection.setup.timeout.ms': number;
  'socket.connection.setup.timeout.max.ms': number;
  'reconnect.backoff.ms': number;
  'reconnect.backoff.max.ms': number;
}

/** A NetworkClient from a client's config, as the Java clients build theirs. */
export function networkClientFor(
  c: NetworkConfig,
  logger: Logger,
  extra: Partial<NetworkClientOptions> = {},
): NetworkClient {
  return new NetworkClient({
    bootstrap: bootstrapServers(c),
    clientId: c['client.id'],
    requestTimeoutMs: c['request.timeout.ms'],
    connectTimeoutMs: c['socket.connection.setup.timeout.ms'],
    connectTimeoutMaxMs: c['socket.connection.setup.timeout.max.ms'],
    reconnectBackoffMs: c['reconnect.backoff.ms'],
    reconnectBackoffMaxMs: c['reconnect.backoff.max.ms'],
    logger,
    ...extra,
  });
}

/**
 * Logs a failure that will be retried: at DEBUG when it is a NETWORK_EXCEPTION (no
 * connection, or one lost), which the NetworkClient has already logged once for the broker
 * as Kafka's clients do; at WARN otherwise.
 */
export function logRetry(log: Logger, msg: string, e: Error): void {
  if (e instanceof KafkaError && e.errorName === 'NETWORK_EXCEPTION')
    log.debug(msg, { error: e.message });
  else log.warn(msg, { error: e.message });
}

/** The key of an address in the client's maps (connections, backoff state). */
function addressKey(hp: HostPort): string {
  return `${hp.host}:${hp.port}`;
}

/** An address as Java prints an InetSocketAddress in Kafka's logs: `/127.0.0.1:9092`. */
function socketAddress(hp: HostPort): string {
  return net.isIP(hp.host) ? `/${hp.host}:${hp.port}` : addressKey(hp);
}

export class NetworkClient {
  private readonly conns = new Map<string, Promise<Connection>>();
  private readonly open = new Map<string, Connection>();
  private readonly nodes = new Map<number, HostPort>();
  private closed = false;
  /** Fault hooks installed on every connection, present and future. */
  private readonly controls: Array<{ apiKey: number; fn: ControlFn }> = [];
  private readonly removers = new Map<Connection, Array<() => void>>();
  /** Reconnect backoff and failure order per address. */
  private readonly states: ClusterConnectionStates;
  /** One WARN per unreachable address, not one per attempt (repeats at DEBUG). */
  private readonly connectWarnings = new Map<string, RepeatedWarning>();
  /** `leastLoaded` callers waiting for a backoff to pass (released by `close`). */
  private readonly sleepers = new Set<{ task: ScheduledTask; wake: () => void }>();
  private readonly time: Time;

  constructor(private readonly opts: NetworkClientOptions) {
    this.time = opts.time ?? SystemTime;
    this.states = new ClusterConnectionStates({
      reconnectBackoffMs: opts.reconnectBackoffMs,
      reconnectBackoffMaxMs: opts.reconnectBackoffMaxMs,
      connectionSetupTimeoutMs: opts.connectTimeoutMs,
      connectionSetupTimeoutMaxMs: opts.connectTimeoutMaxMs,
      random: opts.random,
    });
  }

  /** Called by Metadata with the brokers of each response. */
  setNodes(nodes: Iterable<{ nodeId: number; host: string; port: number }>): void {
    this.nodes.clear();
    for (const n of nodes) this.nodes.set(n.nodeId, { host: n.host, port: n.port });
  }

  nodeAddress(nodeId: number): HostPort | undefined {
    return this.nodes.get(nodeId);
  }

  /** The open connection to a node, if any (no connect attempt). */
  connectionIfOpen(nodeId: number): Connection | undefined {
    const hp = this.nodes.get(nodeId);
    if (!hp) return undefined;
    const c = this.open.get(addressKey(hp));
    return c && !c.closed ? c : undefined;
  }

  /**
   * How long until a connection to the node may be attempted: its reconnect backoff left,
   * 0 when it is not in backoff (Kafka's NetworkClient.connectionDelay, for callers that
   * schedule their own retry, as the Sender does).
   */
  connectionDelay(nodeId: number, nowMs = this.time.milliseconds()): number {
    const hp = this.nodes.get(nodeId);
    return hp ? this.states.connectionDelay(addressKey(hp), nowMs) : 0;
  }

  /** Connects (or reuses the connection) to a broker by node id. */
  connectionTo(nodeId: number): Promise<Connection> {
    const hp = this.nodes.get(nodeId);
    if (!hp)
      return Promise.reject(
        new KafkaError('LEADER_NOT_AVAILABLE', `broker ${nodeId} is not in the cluster metadata`),
      );
    return this.connect(hp);
  }

  /**
   * The connection to `hp`: the open or pending one, else a new attempt. Rejects at once
   * with NETWORK_EXCEPTION (retriable) while the address is in reconnect backoff.
   */
  connect(hp: HostPort): Promise<Connection> {
    if (this.closed) return Promise.reject(new KafkaError('NETWORK_EXCEPTION', 'client closed'));
    const key = addressKey(hp);
    const existing = this.conns.get(key);
    if (existing) return existing;
    const now = this.time.milliseconds();
    const delay = this.states.connectionDelay(key, now);
    if (delay > 0) {
      const failures = this.states.failedAttempts(key);
      return Promise.reject(
        new KafkaError(
          'NETWORK_EXCEPTION',
          `${this.describe(hp)} is in reconnect backoff for another ${delay} ms after ${failures} failed attempt${failures === 1 ? '' : 's'}`,
        ),
      );
    }
    const p = (this.opts.connect ?? Connection.connect)({
      host: hp.host,
      port: hp.port,
      clientId: this.opts.clientId,
      requestTimeoutMs: this.opts.requestTimeoutMs,
      connectTimeoutMs: this.states.connecting(key, now),
      logger: this.opts.logger,
    }).then(
      (conn) => {
        if (this.closed) {
          void conn.close();
          throw new KafkaError('NETWORK_EXCEPTION', 'client closed');
        }
        this.states.ready(key);
        this.connectWarnings.get(key)?.reset();
        this.open.set(key, conn);
        for (const c of this.controls) this.installControl(conn, c);
        conn.onClose(() => this.onConnectionClosed(hp, p, conn));
        return conn;
      },
      (err: unknown) => {
        if (this.conns.get(key) === p) this.conns.delete(key);
        if (!this.closed) this.onConnectFailed(hp, err as Error);
        throw err;
      },
    );
    this.conns.set(key, p);
    return p;
  }

  /** A connect failed: backoff, and Kafka's WARN (once per streak of failures). */
  private onConnectFailed(hp: HostPort, err: Error): void {
    const key = addressKey(hp);
    this.states.disconnected(key, this.time.milliseconds());
    let warning = this.connectWarnings.get(key);
    if (!warning) {
      warning = new RepeatedWarning(this.opts.logger, this.time);
      this.connectWarnings.set(key, warning);
    }
    warning.warn(
      `${this.describe(hp)} could not be established. Node may not be available.`,
      err.message,
    );
  }

  /** An open connection closed: forgotten, and unless we closed it, a backoff starts. */
  private onConnectionClosed(hp: HostPort, p: Promise<Connection>, conn: Connection): void {
    const key = addressKey(hp);
    this.removers.delete(conn);
    if (this.conns.get(key) === p) this.conns.delete(key);
    if (this.open.get(key) === conn) this.open.delete(key);
    if (this.closed) return;
    this.states.disconnected(key, this.time.milliseconds());
    this.opts.logger.info(`Node ${this.nodeIdOf(hp) ?? socketAddress(hp)} disconnected.`);
    this.opts.onDisconnect?.(hp);
  }

  /**
   * The node id of an address as Kafka names it: the broker's id from metadata, else the
   * bootstrap server's (-1 for the first, -2 for the second, ...).
   */
  private nodeIdOf(hp: HostPort): number | undefined {
    for (const [id, n] of this.nodes) if (n.host === hp.host && n.port === hp.port) return id;
    const i = this.opts.bootstrap.findIndex((b) => b.host === hp.host && b.port === hp.port);
    return i >= 0 ? -(i + 1) : undefined;
  }

  /** `Connection to node 2 (/127.0.0.1:9093)`, as Kafka's NetworkClient logs it. */
  private describe(hp: HostPort): string {
    const id = this.nodeIdOf(hp);
    return `Connection to ${id === undefined ? '' : `node ${id} `}(${socketAddress(hp)})`;
  }

  /**
   * A connection to the least loaded broker (Kafka's leastLoadedNode): an open one with
   * the fewest requests in flight, else the first known node (then bootstrap server) not
   * in reconnect backoff that accepts a connection, those that never failed first and
   * the one that failed last at the end. A broker that is paused still accepts
   * connections and never answers: once a request to it timed out (which closes the
   * connection), the others are asked before it again. When every broker is in backoff,
   * waits until the first one is out of it rather than retrying in a loop; rejects with
   * NETWORK_EXCEPTION once every broker tried has failed.
   */
  async leastLoaded(): Promise<Connection> {
    for (;;) {
      let best: Connection | undefined;
      for (const c of this.open.values()) {
        if (!c.closed && (!best || c.inFlight < best.inFlight)) best = c;
      }
      if (best) return best;
      const now = this.time.milliseconds();
      const all = this.candidates();
      const ready = all.filter((hp) => this.states.canConnect(addressKey(hp), now));
      if (ready.length === 0) {
        const waitMs = Math.min(
          ...all.map((hp) => this.states.connectionDelay(addressKey(hp), now)),
        );
        await this.sleep(waitMs);
        continue;
      }
      let lastErr: unknown;
      for (const hp of ready) {
        try {
          return await this.connect(hp);
        } catch (e) {
          lastErr = e;
        }
      }
      const list = this.opts.bootstrap.map((b) => `${b.host}:${b.port}`).join(',');
      throw new KafkaError(
        'NETWORK_EXCEPTION',
        `no broker reachable (bootstrap.servers=${list}): ${(lastErr as Error).message}`,
      );
    }
  }

  /** Known nodes then bootstrap servers, one per address, the most recently failed last. */
  private candidates(): HostPort[] {
    const byKey = new Map<string, HostPort>();
    for (const hp of [...this.nodes.values(), ...this.opts.bootstrap])
      if (!byKey.has(addressKey(hp))) byKey.set(addressKey(hp), hp);
    const lastFailure = (k: string): number => this.states.lastFailure(k);
    return [...byKey.keys()]
      .sort((a, b) => lastFailure(a) - lastFailure(b))
      .map((k) => byKey.get(k)!);
  }

  /** Waits `ms` on the client's clock; rejects if the client is closed meanwhile. */
  private async sleep(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const sleeper = {
        task: this.time.schedule(
          'reconnect-backoff',
          () => {
            this.sleepers.delete(sleeper);
            resolve();
          },
          ms,
        ),
        wake: resolve,
      };
      this.sleepers.add(sleeper);
    });
    if (this.closed) throw new KafkaError('NETWORK_EXCEPTION', 'client closed');
  }

  private installControl(conn: Connection, c: { apiKey: number; fn: ControlFn }): void {
    const remove = conn.controlKey(c.apiKey, c.fn);
    const list = this.removers.get(conn);
    if (list) list.push(remove);
    else this.removers.set(conn, [remove]);
  }

  /**
   * Fault hook for tests (Connection.controlKey on every broker connection, present and
   * future): `fn` sees each request of `apiKey` and returns 'keep', 'drop' (the response
   * is discarded: the request times out after request.timeout.ms) or `{delayMs}`.
   * Returns a function that removes the hook everywhere.
   */
  controlKey(apiKey: number, fn: ControlFn): () => void {
    const c = { apiKey, fn };
    this.controls.push(c);
    for (const conn of this.open.values()) this.installControl(conn, c);
    return () => {
      const i = this.controls.indexOf(c);
      if (i >= 0) this.controls.splice(i, 1);
      for (const conn of this.open.values()) {
        // Re-install the remaining hooks: simplest way to drop just this one.
        for (const r of this.removers.get(conn) ?? []) r();
        this.removers.delete(conn);
        for (const other of this.controls) this.installControl(conn, other);
      }
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const s of this.sleepers) {
      s.task.cancel();
      s.wake();
    }
    this.sleepers.clear();
    const all = [...this.conns.values()];
    this.conns.clear();
    this.open.clear();
    await Promise.all(all.map((p) => p.then((c) => c.close()).catch(() => undefined)));
  }
}
