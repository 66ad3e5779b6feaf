/**
 * NetworkClient: one `Connection` per broker (as Kafka's NetworkClient keeps one
 * channel per node), opened on demand, dropped when it closes. Nodes are known by id
 * from Metadata; before the first metadata the bootstrap servers are used. A connection
 * closed by the broker calls `onDisconnect` (Kafka's NetworkClient then requests a
 * metadata update: a broker closes an acks=0 producer's connection when a write failed).
 */
import { KafkaError, type Logger } from '@kzoo/common';
import { Connection, type ControlFn } from '@kzoo/protocol';
import { bootstrapServers, type HostPort } from './config';

export interface NetworkClientOptions {
  bootstrap: HostPort[];
  clientId: string;
  requestTimeoutMs: number;
  connectTimeoutMs: number;
  logger: Logger;
  /** Called when an open connection closes other than by `close()` of this client. */
  onDisconnect?: (hp: HostPort) => void;
}

/** The connection keys every client (producer, consumer, admin) shares. */
export interface NetworkConfig {
  'bootstrap.servers': string[];
  'client.id': string;
  'request.timeout.ms': number;
  'socket.connection.setup.timeout.ms': number;
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
    logger,
    ...extra,
  });
}

export class NetworkClient {
  private readonly conns = new Map<string, Promise<Connection>>();
  private readonly open = new Map<string, Connection>();
  private readonly nodes = new Map<number, HostPort>();
  private closed = false;
  /** Fault hooks installed on every connection, present and future. */
  private readonly controls: Array<{ apiKey: number; fn: ControlFn }> = [];
  private readonly removers = new Map<Connection, Array<() => void>>();
  /**
   * When each address last failed (a refused connect, or an open connection lost or timed
   * out), as a sequence number: the most recent failure is tried last.
   */
  private readonly failedAt = new Map<string, number>();
  private failures = 0;

  constructor(private readonly opts: NetworkClientOptions) {}

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
    const c = this.open.get(`${hp.host}:${hp.port}`);
    return c && !c.closed ? c : undefined;
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

  connect(hp: HostPort): Promise<Connection> {
    if (this.closed) return Promise.reject(new KafkaError('NETWORK_EXCEPTION', 'client closed'));
    const key = `${hp.host}:${hp.port}`;
    const existing = this.conns.get(key);
    if (existing) return existing;
    const p = Connection.connect({
      host: hp.host,
      port: hp.port,
      clientId: this.opts.clientId,
      requestTimeoutMs: this.opts.requestTimeoutMs,
      connectTimeoutMs: this.opts.connectTimeoutMs,
      logger: this.opts.logger,
    }).then(
      (conn) => {
        if (this.closed) {
          void conn.close();
          throw new KafkaError('NETWORK_EXCEPTION', 'client closed');
        }
        this.open.set(key, conn);
        for (const c of this.controls) this.installControl(conn, c);
        conn.onClose(() => {
          if (!this.closed) this.failedAt.set(key, ++this.failures);
          this.removers.delete(conn);
          if (this.conns.get(key) === p) this.conns.delete(key);
          if (this.open.get(key) === conn) this.open.delete(key);
          if (!this.closed) this.opts.onDisconnect?.(hp);
        });
        return conn;
      },
      (err: unknown) => {
        if (this.conns.get(key) === p) this.conns.delete(key);
        this.failedAt.set(key, ++this.failures);
        throw err;
      },
    );
    this.conns.set(key, p);
    return p;
  }

  /**
   * A connection to the least loaded broker: an open one with the fewest requests in
   * flight, else the first known node (then bootstrap server) that accepts a connection,
   * those that never failed first and the one that failed last at the end. A broker that
   * is paused still accepts connections and never answers: once a request to it timed out
   * (which closes the connection), the others are asked before it again, as Kafka's
   * leastLoadedNode skips a node in reconnect backoff.
   */
  async leastLoaded(): Promise<Connection> {
    let best: Connection | undefined;
    for (const c of this.open.values()) {
      if (!c.closed && (!best || c.inFlight < best.inFlight)) best = c;
    }
    if (best) return best;
    const byKey = new Map<string, HostPort>();
    for (const hp of [...this.nodes.values(), ...this.opts.bootstrap])
      if (!byKey.has(`${hp.host}:${hp.port}`)) byKey.set(`${hp.host}:${hp.port}`, hp);
    const failedAt = (k: string): number => this.failedAt.get(k) ?? 0;
    const candidates = [...byKey.keys()]
      .sort((a, b) => failedAt(a) - failedAt(b))
      .map((k) => byKey.get(k)!);
    let lastErr: unknown;
    for (const hp of candidates) {
      try {
        return await this.connect(hp);
      } catch (e) {
        lastErr = e;
      }
    }
    const list = this.opts.bootstrap.map((b) => `${b.host}:${b.port}`).join(',');
    throw new KafkaError(
      'NETWORK_EXCEPTION',
      `no broker reachable (bootstrap.servers=${list}): ${(lastErr as Error | undefined)?.message ?? 'no candidates'}`,
    );
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
    const all = [...this.conns.values()];
    this.conns.clear();
    this.open.clear();
    await Promise.all(all.map((p) => p.then((c) => c.close()).catch(() => undefined)));
  }
}
