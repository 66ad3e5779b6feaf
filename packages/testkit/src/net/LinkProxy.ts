/**
 * LinkProxy: one network link (a dialer → a listener) as a TCP proxy on 127.0.0.1 whose
 * two directions can be broken on purpose, without root.
 *
 *   forward  = bytes from the side that dials (a client, a follower, a broker's ZooKeeper
 *              client) to the target;
 *   backward = bytes from the target back to the dialer.
 *
 * Each direction has a flow:
 *   - `pass`: bytes go through at once (with TCP back-pressure);
 *   - `blackhole`: bytes are held: the proxy stops reading, so the sender's kernel buffers
 *     fill and it blocks, as it would behind a partition (TCP retransmits into silence).
 *     Nothing is closed and no RST is sent. Connections accepted while a direction is
 *     blackholed (or dropping) are not dialed through (their SYN "did not arrive"); they
 *     are dialed when the link passes again.
 *   - `drop`: bytes are read and discarded. A connection that lost bytes carries a stream
 *     with a hole, which neither end could parse, so it is closed (both ends) when the
 *     direction stops dropping; both ends then reconnect.
 *   - `delay` (ms ± jitter ms, uniform): each chunk is delivered after its delay, never
 *     before an earlier chunk of the same connection (order preserved).
 *
 * Heal (both directions back to pass): held bytes are delivered, like TCP retransmissions
 * that get through after a partition shorter than the TCP timeout; connections accepted
 * during the fault are dialed now; connections that lost bytes are closed. Applications
 * with request timeouts shorter than the partition will have closed their connections
 * themselves meanwhile — the close is held like any byte and reaches the other end at heal.
 *
 * `reset()` is a separate fault: it destroys every open connection at once (both ends see
 * the connection close, as after a RST), and leaves the flows as they are.
 *
 * The delay clock is an injected `Time` (tests use `MockTime`).
 */
import * as net from 'node:net';
import { SystemTime, type ScheduledTask, type Time } from '@kzoo/common';

export type Flow = 'pass' | 'blackhole' | 'drop' | { delayMs: number; jitterMs: number };
export type Direction = 'forward' | 'backward';

export interface LinkFlows {
  forward: Flow;
  backward: Flow;
}

export interface HostPort {
  host: string;
  port: number;
}

export interface LinkProxyOptions {
  /** Where connections go. */
  target: HostPort;
  /** A name for messages (e.g. `broker:1->zookeeper`). */
  name?: string;
  /** Listen address; default 127.0.0.1. */
  host?: string;
  /** Listen port; default a free one (port 0). */
  port?: number;
  /** The clock of delays; default the system clock. */
  time?: Time;
  /** Uniform [0, 1) source of the jitter; default Math.random. */
  random?: () => number;
}

export interface LinkProxyStats {
  /** Connections open now (accepted and not closed). */
  connections: number;
  /** Connections accepted so far. */
  accepted: number;
  /** Bytes delivered / discarded per direction. */
  forwardBytes: number;
  backwardBytes: number;
  droppedForwardBytes: number;
  droppedBackwardBytes: number;
}

/** Human form of a pair of flows: `pass`, `partition`, `drop forward`, `delay 50±10ms`, ... */
export function describeFlows(f: LinkFlows): string {
  const one = (x: Flow): string =>
    typeof x === 'string' ? x : `delay ${x.delayMs}±${x.jitterMs}ms`;
  if (f.forward === 'pass' && f.backward === 'pass') return 'pass';
  if (f.forward === 'blackhole' && f.backward === 'blackhole') return 'partition';
  if (sameFlow(f.forward, f.backward)) return one(f.forward);
  const parts: string[] = [];
  if (f.forward !== 'pass') parts.push(`${one(f.forward)} forward`);
  if (f.backward !== 'pass') parts.push(`${one(f.backward)} backward`);
  return parts.join(', ');
}

function sameFlow(a: Flow, b: Flow): boolean {
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  return a.delayMs === b.delayMs && a.jitterMs === b.jitterMs;
}

function checkFlow(f: Flow): Flow {
  if (typeof f === 'string') {
    if (f !== 'pass' && f !== 'blackhole' && f !== 'drop')
      throw new Error(`unknown flow ${JSON.stringify(f)} (pass, blackhole, drop or a delay)`);
    return f;
  }
  const ok = (n: number) => Number.isFinite(n) && n >= 0;
  if (!ok(f.delayMs) || !ok(f.jitterMs))
    throw new Error(`bad delay ${f.delayMs}±${f.jitterMs} ms: both must be numbers >= 0`);
  return { delayMs: f.delayMs, jitterMs: f.jitterMs };
}

const QUEUE_HIGH_WATER = 1 << 20;

/** One direction of one connection: reads `src`, delivers to the other socket. */
class Pipe {
  private queue: Array<{ data: Buffer; dueMs: number }> = [];
  private queuedBytes = 0;
  private lastDueMs = 0;
  private timer: ScheduledTask | null = null;
  private waitingDrain = false;
  /** The source sent FIN, or closed. */
  private srcDone = false;
  private srcClosed = false;
  private finished = false;
  /** Bytes discarded by `drop` on this connection: it carries a hole. */
  damaged = false;

  constructor(
    private readonly proxy: LinkProxy,
    private readonly conn: ProxiedConnection,
    private readonly src: net.Socket,
    private readonly dir: Direction,
    /** The destination, or null while the upstream is not dialed (then bytes wait). */
    private readonly dst: () => net.Socket | null,
  ) {
    src.on('data', (d: Buffer) => this.onData(d));
    src.on('end', () => {
      this.srcDone = true;
      this.pump();
    });
    src.on('error', () => undefined); // 'close' follows
    src.on('close', () => {
      this.srcDone = true;
      this.srcClosed = true;
      this.pump();
    });
    this.update();
  }

  private get flow(): Flow {
    return this.proxy.flows[this.dir];
  }

  private onData(d: Buffer): void {
    const flow = this.flow;
    if (flow === 'drop') {
      this.proxy.countDropped(this.dir, d.length);
      this.damaged = true;
      return;
    }
    const now = this.proxy.time.milliseconds();
    let due = now;
    if (typeof flow === 'object') {
      const jitter = flow.jitterMs * (2 * this.proxy.random() - 1);
      due = Math.max(now + Math.max(0, flow.delayMs + jitter), this.lastDueMs);
    }
    this.lastDueMs = due;
    this.queue.push({ data: d, dueMs: due });
    this.queuedBytes += d.length;
    this.pump();
  }

  /** Delivers what is due (unless held), arms the timer for the rest, then adjusts reading. */
  pump(): void {
    if (this.finished) return;
    const dst = this.dst();
    const flow = this.flow;
    this.timer?.cancel();
    this.timer = null;
    if (dst && flow !== 'blackhole' && !this.waitingDrain) {
      const now = this.proxy.time.milliseconds();
      while (this.queue.length > 0 && this.queue[0].dueMs <= now) {
        const { data } = this.queue.shift()!;
        this.queuedBytes -= data.length;
        if (dst.destroyed) continue;
        this.proxy.countDelivered(this.dir, data.length);
        if (!dst.write(data)) {
          this.waitingDrain = true;
          dst.once('drain', () => {
            this.waitingDrain = false;
            this.pump();
          });
          break;
        }
      }
      if (this.queue.length > 0 && !this.waitingDrain) {
        this.timer = this.proxy.time.schedule(
          'link-proxy-delay',
          () => {
            this.timer = null;
            this.pump();
          },
          this.queue[0].dueMs - now,
        );
      }
      if (this.queue.length === 0 && this.srcDone) {
        // The source's FIN (or close) reaches the destination after its last byte.
        this.finished = true;
        if (this.srcClosed) dst.end(() => this.conn.destroy());
        else dst.end();
      }
    }
    this.update();
  }

  /** Reads from the source only when its bytes can go somewhere (or are to be dropped). */
  private update(): void {
    if (this.src.destroyed) return;
    const flow = this.flow;
    const reading =
      flow === 'drop' ||
      (flow !== 'blackhole' &&
        this.dst() !== null &&
        !this.waitingDrain &&
        this.queuedBytes < QUEUE_HIGH_WATER);
    if (reading) this.src.resume();
    else this.src.pause();
  }

  stop(): void {
    this.finished = true;
    this.timer?.cancel();
    this.timer = null;
    this.queue = [];
    this.queuedBytes = 0;
  }
}

class ProxiedConnection {
  upstream: net.Socket | null = null;
  private dialing = false;
  readonly forward: Pipe;
  backward: Pipe | null = null;
  closed = false;

  constructor(
    private readonly proxy: LinkProxy,
    readonly client: net.Socket,
  ) {
    this.forward = new Pipe(proxy, this, client, 'forward', () => this.upstream);
    this.flowsChanged();
  }

  private passes(): boolean {
    const { forward, backward } = this.proxy.flows;
    const ok = (f: Flow) => f === 'pass' || typeof f === 'object';
    return ok(forward) && ok(backward);
  }

  private dial(): void {
    if (this.dialing || this.upstream || this.closed) return;
    this.dialing = true;
    const t = this.proxy.target;
    const up = net.connect({ host: t.host, port: t.port, allowHalfOpen: true });
    up.setNoDelay(true);
    up.on('error', () => undefined); // 'close' follows
    up.once('close', () => {
      // The target refused or vanished before the connection was made: close the client.
      if (this.upstream !== up) this.destroy();
    });
    up.once('connect', () => {
      if (this.closed) {
        up.destroy();
        return;
      }
      up.pause();
      this.upstream = up;
      this.backward = new Pipe(this.proxy, this, up, 'backward', () =>
        this.client.destroyed ? null : this.client,
      );
      this.forward.pump();
    });
  }

  flowsChanged(): void {
    if (this.closed) return;
    if (this.forward.damaged || this.backward?.damaged) {
      const { forward, backward } = this.proxy.flows;
      if (forward !== 'drop' && backward !== 'drop') {
        this.destroy();
        return;
      }
    }
    if (!this.upstream && this.passes()) this.dial();
    this.forward.pump();
    this.backward?.pump();
  }

  destroy(): void {
    if (this.closed) return;
    this.closed = true;
    this.forward.stop();
    this.backward?.stop();
    this.client.destroy();
    this.upstream?.destroy();
    this.proxy.forget(this);
  }
}

export class LinkProxy {
  readonly name: string;
  readonly time: Time;
  readonly random: () => number;
  private _target: HostPort;
  private _flows: LinkFlows = { forward: 'pass', backward: 'pass' };
  private server: net.Server | null = null;
  private readonly conns = new Set<ProxiedConnection>();
  private _port = 0;
  private closed = false;
  private readonly stats = {
    accepted: 0,
    forwardBytes: 0,
    backwardBytes: 0,
    droppedForwardBytes: 0,
    droppedBackwardBytes: 0,
  };

  constructor(private readonly opts: LinkProxyOptions) {
    this.name = opts.name ?? `proxy->${opts.target.host}:${opts.target.port}`;
    this._target = { ...opts.target };
    this.time = opts.time ?? SystemTime;
    this.random = opts.random ?? Math.random;
  }

  /** Starts listening; resolves with the port. */
  static async start(opts: LinkProxyOptions): Promise<LinkProxy> {
    const p = new LinkProxy(opts);
    await p.listen();
    return p;
  }

  async listen(): Promise<number> {
    if (this.server) return this._port;
    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, (sock) => {
      if (this.closed) {
        sock.destroy();
        return;
      }
      sock.setNoDelay(true);
      this.stats.accepted++;
      this.conns.add(new ProxiedConnection(this, sock));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port ?? 0, this.opts.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this._port = (server.address() as net.AddressInfo).port;
    return this._port;
  }

  /** The listening port (0 before `listen()`). */
  get port(): number {
    return this._port;
  }
  get host(): string {
    return this.opts.host ?? '127.0.0.1';
  }
  /** `host:port` to dial instead of the target. */
  get address(): string {
    return `${this.host}:${this._port}`;
  }
  get target(): HostPort {
    return this._target;
  }
  get flows(): LinkFlows {
    return this._flows;
  }
  /** `pass`, `partition`, `drop forward`, `delay 50±10ms`, ... */
  get state(): string {
    return describeFlows(this._flows);
  }

  /** New connections go to `target` (open ones keep theirs), e.g. after a restart on new ports. */
  setTarget(target: HostPort): void {
    this._target = { ...target };
  }

  /** Sets both flows (or one direction's). */
  setFlows(flows: Partial<LinkFlows>): void {
    this._flows = {
      forward: checkFlow(flows.forward ?? this._flows.forward),
      backward: checkFlow(flows.backward ?? this._flows.backward),
    };
    for (const c of [...this.conns]) c.flowsChanged();
  }

  /** Both directions blackholed: silence, nothing closed. */
  partition(): void {
    this.setFlows({ forward: 'blackhole', backward: 'blackhole' });
  }

  /** Bytes in `direction` are discarded (the other direction unchanged). */
  drop(direction: Direction): void {
    this.setFlows({ [direction]: 'drop' });
  }

  /** Delays both directions (or one) by `ms` ± `jitterMs`. */
  delay(ms: number, jitterMs = 0, direction?: Direction): void {
    const d: Flow = { delayMs: ms, jitterMs };
    this.setFlows(direction ? { [direction]: d } : { forward: d, backward: d });
  }

  /** Both directions back to pass (see the file comment for what happens to held bytes). */
  heal(): void {
    this.setFlows({ forward: 'pass', backward: 'pass' });
  }

  /** Closes every open connection at once (both ends see it); the flows stay as they are. */
  reset(): void {
    for (const c of [...this.conns]) c.destroy();
  }

  getStats(): LinkProxyStats {
    return { connections: this.conns.size, ...this.stats };
  }

  /** Stops listening and destroys every connection. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    this.reset();
    const s = this.server;
    this.server = null;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }

  /** @internal */
  countDelivered(dir: Direction, n: number): void {
    if (dir === 'forward') this.stats.forwardBytes += n;
    else this.stats.backwardBytes += n;
  }
  /** @internal */
  countDropped(dir: Direction, n: number): void {
    if (dir === 'forward') this.stats.droppedForwardBytes += n;
    else this.stats.droppedBackwardBytes += n;
  }
  /** @internal */
  forget(c: ProxiedConnection): void {
    this.conns.delete(c);
  }
}
