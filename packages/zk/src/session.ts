/**
 * ZkSession: a promise-based ZooKeeper session over node-zookeeper-client, shaped
 * after Kafka's ZooKeeperClient. It connects with a timeout (a clear error naming the
 * connect string when ZooKeeper is unreachable), creates the chroot of
 * `host:port/chroot` when it is missing (as Kafka does), turns ZooKeeper errors into
 * typed errors carrying the path, delivers watches as `WatchEvent`s, and after a
 * session expiry opens a fresh session by itself (events: `expired`, then
 * `newSession`). Ephemeral nodes and watches belong to one session: owners re-create
 * them on `newSession`.
 */
import { EventEmitter } from 'node:events';
import * as zookeeper from 'node-zookeeper-client';
import { patchZooKeeperClient } from './client-patches';
import { createLogger, Logger, SystemTime, type Time, getInt32 } from '@kzoo/common';
import {
  ConnectionLossError,
  NodeExistsError,
  NoNodeError,
  ZkConnectionTimeoutError,
  ZkError,
  ZkSessionClosedError,
  toZkError,
  zkErrorFromCode,
} from './errors';

patchZooKeeperClient();

export type CreateMode =
  'persistent' | 'ephemeral' | 'persistent_sequential' | 'ephemeral_sequential';

const CREATE_MODES: Record<CreateMode, number> = {
  persistent: zookeeper.CreateMode.PERSISTENT,
  ephemeral: zookeeper.CreateMode.EPHEMERAL,
  persistent_sequential: zookeeper.CreateMode.PERSISTENT_SEQUENTIAL,
  ephemeral_sequential: zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL,
};

/** ZooKeeper's Stat, with zxids as numbers and the ephemeral owner as a `0x…` session id. */
export interface ZkStat {
  czxid: number;
  mzxid: number;
  pzxid: number;
  ctime: number;
  mtime: number;
  /** dataVersion: Kafka's "zkVersion". Starts at 0, +1 on every setData. */
  version: number;
  cversion: number;
  aversion: number;
  /** Session id (`0x…`) owning an ephemeral node, or null for a persistent node. */
  ephemeralOwner: string | null;
  dataLength: number;
  numChildren: number;
}

export type WatchEventType = 'created' | 'deleted' | 'dataChanged' | 'childrenChanged';
export interface WatchEvent {
  type: WatchEventType;
  path: string;
}
/** A one-shot watch, as in ZooKeeper: it fires once, then must be set again. */
export type Watcher = (event: WatchEvent) => void;

export type ZkData = Buffer | string | null | undefined;

export type ZkOp =
  | { op: 'create'; path: string; data?: ZkData; mode?: CreateMode }
  | { op: 'setData'; path: string; data: ZkData; version?: number }
  | { op: 'delete'; path: string; version?: number }
  | { op: 'check'; path: string; version: number };

export type ZkOpResult =
  | { op: 'create'; path: string }
  | { op: 'setData'; stat: ZkStat }
  | { op: 'delete' }
  | { op: 'check' };

export type ZkSessionState = 'connecting' | 'connected' | 'disconnected' | 'expired' | 'closed';

export interface ZkSessionOptions {
  /** `host:port[,host:port...][/chroot]`, as Kafka's zookeeper.connect. */
  connectString: string;
  /** Requested session timeout (zookeeper.session.timeout.ms). Default 18000. */
  sessionTimeoutMs?: number;
  /** How long connect() waits for a session (zookeeper.connection.timeout.ms). Default = session timeout. */
  connectionTimeoutMs?: number;
  /** Create the chroot path when it is missing. Default true. */
  createChroot?: boolean;
  /** The clock of connect timeouts and retry backoffs (default: the system clock). */
  time?: Time;
  logger?: Logger;
  /**
   * Digest credentials `user:password`, sent on every connection (`addauth digest`):
   * kzoo's stand-in for Kafka's SASL login to ZooKeeper.
   */
  digestAuth?: string;
  /**
   * Kafka's zookeeper.set.acl: every znode this session creates gets CREATOR_ALL (only
   * the authenticated identity may change it) plus world READ, as Kafka's defaultAcls.
   */
  secureAcls?: boolean;
}

export interface ParsedConnectString {
  servers: string;
  chroot: string | null;
}

/** Splits `h1:p1,h2:p2/chroot` into the server list and the chroot (null when none or `/`). */
export function parseConnectString(connectString: string): ParsedConnectString {
  const s = connectString.trim();
  if (!s) throw new Error('ZooKeeper connect string is empty (expected host:port[/chroot])');
  const slash = s.indexOf('/');
  const servers = slash >= 0 ? s.slice(0, slash) : s;
  let chroot = slash >= 0 ? s.slice(slash) : null;
  if (chroot !== null) {
    chroot = chroot.replace(/\/+$/, '');
    if (chroot === '') chroot = null;
  }
  for (const hp of servers.split(',')) {
    if (!/^[^:\s]+:\d+$/.test(hp) && !/^\[[0-9a-fA-F:.]+\]:\d+$/.test(hp)) {
      throw new Error(
        `invalid ZooKeeper connect string ${JSON.stringify(connectString)}: expected host:port[,host:port...][/chroot]`,
      );
    }
  }
  if (chroot !== null && /\/\/|\/\.\.?(\/|$)/.test(chroot)) {
    throw new Error(`invalid chroot in ZooKeeper connect string ${JSON.stringify(connectString)}`);
  }
  return { servers, chroot };
}

function zxid(buf: Buffer): number {
  const v = buf.readBigInt64BE(0);
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new Error(`zxid ${v} is beyond 2^53`);
  return n;
}

/** `0x…` rendering of an 8-byte session id, as ZooKeeper logs it. */
export function sessionIdHex(buf: Buffer): string {
  return '0x' + buf.toString('hex').replace(/^0+(?=.)/, '');
}

function toStat(s: zookeeper.Stat): ZkStat {
  const owner = s.ephemeralOwner;
  const isEphemeral = owner && owner.some((b) => b !== 0);
  return {
    czxid: zxid(s.czxid),
    mzxid: zxid(s.mzxid),
    pzxid: zxid(s.pzxid),
    ctime: zxid(s.ctime),
    mtime: zxid(s.mtime),
    version: s.version,
    cversion: s.cversion,
    aversion: s.aversion,
    ephemeralOwner: isEphemeral ? sessionIdHex(owner) : null,
    dataLength: s.dataLength,
    numChildren: s.numChildren,
  };
}

function toBuffer(data: ZkData): Buffer | undefined {
  if (data === null || data === undefined) return undefined;
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
}

const EVENT_TYPES: Record<number, WatchEventType> = {
  1: 'created',
  2: 'deleted',
  3: 'dataChanged',
  4: 'childrenChanged',
};

// node-zookeeper-client's op codes in multi results
const OP_CREATE = 1;
const OP_DELETE = 2;
const OP_SET_DATA = 5;
const OP_CHECK = 13;
const OP_ERROR = -1;

/**
 * Events: `connected` (sessionId; also after a reconnect within the same session),
 * `disconnected`, `expired` (old sessionId), `newSession` (sessionId, after an expiry),
 * `closed`.
 */
export class ZkSession extends EventEmitter {
  readonly connectString: string;
  readonly servers: string;
  readonly chroot: string | null;
  readonly sessionTimeoutMs: number;
  readonly connectionTimeoutMs: number;
  private readonly log: Logger;
  private readonly time: Time;
  private client: zookeeper.Client | null = null;
  private clientReady: Promise<zookeeper.Client> | null = null;
  private _state: ZkSessionState = 'connecting';
  private closing = false;
  private readonly pastSessionIds: string[] = [];
  private readonly opts: ZkSessionOptions;

  private constructor(opts: ZkSessionOptions) {
    super();
    this.opts = opts;
    const parsed = parseConnectString(opts.connectString);
    this.connectString = opts.connectString;
    this.servers = parsed.servers;
    this.chroot = parsed.chroot;
    this.sessionTimeoutMs = opts.sessionTimeoutMs ?? 18000;
    this.connectionTimeoutMs = opts.connectionTimeoutMs ?? this.sessionTimeoutMs;
    this.log = opts.logger ?? createLogger('zk', { zk: opts.connectString });
    this.time = opts.time ?? SystemTime;
  }

  /** Opens a session (creating the chroot first when asked); rejects with ZkConnectionTimeoutError. */
  static async connect(opts: ZkSessionOptions): Promise<ZkSession> {
    const session = new ZkSession(opts);
    if (session.chroot && opts.createChroot !== false) {
      const root = await session.openClient(session.servers, false);
      try {
        await mkdirp(root, session.chroot, session.acls);
      } finally {
        await closeClient(root, undefined, session.time);
      }
    }
    const client = await session.openClient(opts.connectString, true);
    session.client = client;
    session.clientReady = Promise.resolve(client);
    session._state = 'connected';
    return session;
  }

  get state(): ZkSessionState {
    return this._state;
  }

  /** The current session id as `0x…`. */
  get sessionId(): string {
    return this.client ? sessionIdHex(this.client.getSessionId()) : '0x0';
  }

  /**
   * The raw session id and password (ZooKeeper#getSessionId/getSessionPasswd). A second
   * client connecting with them and closing ends this session: tests use that to force
   * an expiry (testkit `expireSession`).
   */
  sessionCredentials(): { servers: string; sessionId: Buffer; password: Buffer } {
    if (!this.client) throw new ZkSessionClosedError('sessionCredentials');
    return {
      servers: this.servers,
      sessionId: this.client.getSessionId(),
      password: this.client.getSessionPassword(),
    };
  }

  /**
   * Fault injection: ends this session on the server as an expiry would (ephemerals
   * deleted at once), then lets the client reconnect, so it sees `expired` and opens a
   * new session. Reconnects are held while the session is closed from another client,
   * so the two connections do not race for the session.
   */
  async forceExpire(): Promise<void> {
    const client = this.client;
    if (!client) throw new ZkSessionClosedError('forceExpire');
    const creds = this.sessionCredentials();
    const cm = (
      client as unknown as { connectionManager: ConnectionManagerInternals & { connect(): void } }
    ).connectionManager;
    const reconnect = cm.connect;
    let held = false;
    cm.connect = () => {
      held = true;
    };
    try {
      cm.socket?.destroy();
      await closeSessionFromOutside(creds);
    } finally {
      cm.connect = reconnect;
      if (held) reconnect.call(cm);
    }
  }

  /** Session ids this object held before expiries (oldest first). */
  get previousSessionIds(): readonly string[] {
    return this.pastSessionIds;
  }

  /** The session timeout ZooKeeper granted (it clamps to [2, 20] × tickTime). */
  get negotiatedSessionTimeoutMs(): number {
    return this.client ? this.client.getSessionTimeout() : this.sessionTimeoutMs;
  }

  /** The ACL of every create: Kafka's defaultAcls (secure: creator all + world read). */
  get acls(): zookeeper.ACL[] {
    const anyone = new zookeeper.Id('world', 'anyone');
    return this.opts.secureAcls
      ? [
          new zookeeper.ACL(zookeeper.Permission.ALL, new zookeeper.Id('auth', '')),
          new zookeeper.ACL(zookeeper.Permission.READ, anyone),
        ]
      : [new zookeeper.ACL(zookeeper.Permission.ALL, anyone)];
  }

  private openClient(connectString: string, main: boolean): Promise<zookeeper.Client> {
    const client = zookeeper.createClient(connectString, {
      sessionTimeout: this.sessionTimeoutMs,
      spinDelay: 200,
      retries: 0,
    });
    if (this.opts.digestAuth) client.addAuthInfo('digest', Buffer.from(this.opts.digestAuth));
    pipelineConnection(client);
    return new Promise((resolve, reject) => {
      let settled = false;
      const timer = this.time.schedule(
        'zk-connect-timeout',
        () => {
          if (settled) return;
          settled = true;
          void closeClient(client, 0, this.time);
          reject(new ZkConnectionTimeoutError(this.connectString, this.connectionTimeoutMs));
        },
        this.connectionTimeoutMs,
      );
      client.on('state', (state: zookeeper.State) => {
        if (!settled && state === zookeeper.State.SYNC_CONNECTED) {
          settled = true;
          timer.cancel();
          resolve(client);
        }
        if (main && settled) this.onClientState(client, state);
      });
      client.connect();
    });
  }

  private onClientState(client: zookeeper.Client, state: zookeeper.State): void {
    if (client !== this.client) return;
    const id = sessionIdHex(client.getSessionId());
    if (state === zookeeper.State.SYNC_CONNECTED) {
      if (this._state === 'disconnected')
        this.log.info('reconnected to ZooKeeper', { session: id });
      this._state = 'connected';
      this.emit('connected', id);
    } else if (state === zookeeper.State.DISCONNECTED) {
      if (this.closing) return;
      this._state = 'disconnected';
      this.log.info('disconnected from ZooKeeper', { session: id });
      this.emit('disconnected');
    } else if (state === zookeeper.State.EXPIRED) {
      this._state = 'expired';
      this.log.warn('ZooKeeper session expired', { session: id });
      this.pastSessionIds.push(id);
      this.emit('expired', id);
      if (!this.closing) this.reinitialize(client);
    }
  }

  /** After an expiry: a fresh session, retried until it connects or the session is closed. */
  private reinitialize(old: zookeeper.Client): void {
    failQueued(old, SESSION_EXPIRED);
    void closeClient(old, 0, this.time);
    this.clientReady = (async () => {
      for (;;) {
        if (this.closing) throw new ZkSessionClosedError('reinitialize');
        try {
          const c = await this.openClient(this.connectString, true);
          if (this.closing) {
            await closeClient(c, undefined, this.time);
            throw new ZkSessionClosedError('reinitialize');
          }
          this.client = c;
          this._state = 'connected';
          const id = sessionIdHex(c.getSessionId());
          this.log.info('new ZooKeeper session after expiry', { session: id });
          this.emit('newSession', id);
          return c;
        } catch (e) {
          if (e instanceof ZkSessionClosedError) throw e;
          this.log.warn('could not open a new ZooKeeper session, retrying', { error: e });
        }
      }
    })();
    this.clientReady.catch(() => undefined);
  }

  private async current(op: string, path?: string): Promise<zookeeper.Client> {
    if (this.closing || !this.clientReady) throw new ZkSessionClosedError(op, path);
    return this.clientReady;
  }

  // One wrapper per Watcher, so node-zookeeper-client's per-path dedupe of identical
  // watcher functions works: re-arming a watch that has not fired yet adds nothing.
  private readonly wrapped = new WeakMap<Watcher, (e: zookeeper.Event) => void>();

  private wrapWatcher(watch: Watcher | undefined): ((e: zookeeper.Event) => void) | undefined {
    if (!watch) return undefined;
    let w = this.wrapped.get(watch);
    if (!w) {
      w = this.makeWrapper(watch);
      this.wrapped.set(watch, w);
    }
    return w;
  }

  private makeWrapper(watch: Watcher): (e: zookeeper.Event) => void {
    return (e: zookeeper.Event) => {
      const type = EVENT_TYPES[e.getType()];
      if (!type || this.closing) return;
      try {
        watch({ type, path: e.getPath() });
      } catch (err) {
        this.log.error('watch callback threw', { path: e.getPath(), error: err });
      }
    };
  }

  /**
   * Reads are idempotent, so a read cut by a connection loss is sent again once the
   * client has reconnected (as Kafka's ZooKeeperClient does); a session expiry is not
   * retried (the caller must see it).
   */
  private async read<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (e) {
        if (!(e instanceof ConnectionLossError) || this.closing || attempt >= 10) throw e;
        await this.time.sleep(Math.min(20 * 2 ** attempt, 500));
      }
    }
  }

  /** Creates a node; with `parents: true` creates missing ancestors (persistent, no data) first. Returns the created path. */
  async create(
    path: string,
    data?: ZkData,
    opts: { mode?: CreateMode; parents?: boolean } = {},
  ): Promise<string> {
    const mode = opts.mode ?? 'persistent';
    try {
      return await this.createOnce(path, data, mode);
    } catch (e) {
      if (!(e instanceof NoNodeError) || !opts.parents) throw e;
    }
    await this.createParents(path);
    return this.createOnce(path, data, mode);
  }

  private async createParents(path: string): Promise<void> {
    const parts = path.split('/').filter(Boolean);
    let p = '';
    for (let i = 0; i < parts.length - 1; i++) {
      p += '/' + parts[i];
      try {
        await this.createOnce(p, null, 'persistent');
      } catch (e) {
        if (!(e instanceof NodeExistsError)) throw e;
      }
    }
  }

  private async createOnce(path: string, data: ZkData, mode: CreateMode): Promise<string> {
    const c = await this.current('create', path);
    const start = this.time.nanoseconds();
    return this.timed(
      'create',
      start,
      new Promise((resolve, reject) => {
        const buf = toBuffer(data);
        const cb = (err: unknown, created: string) =>
          err ? reject(toZkError(err, path, 'create')) : resolve(created);
        if (buf) c.create(path, buf, this.acls, CREATE_MODES[mode], cb);
        else c.create(path, this.acls, CREATE_MODES[mode], cb);
      }),
    );
  }

  /** Reads data and stat; `watch` fires once on the node's next data change or deletion. */
  getData(path: string, watch?: Watcher): Promise<{ data: Buffer | null; stat: ZkStat }> {
    return this.read(() => this.getDataOnce(path, watch));
  }

  private async getDataOnce(
    path: string,
    watch?: Watcher,
  ): Promise<{ data: Buffer | null; stat: ZkStat }> {
    const c = await this.current('getData', path);
    const w = this.wrapWatcher(watch);
    const start = this.time.nanoseconds();
    return this.timed(
      'getData',
      start,
      new Promise((resolve, reject) => {
        const cb = (err: unknown, data: Buffer | null | undefined, stat: zookeeper.Stat) =>
          err
            ? reject(toZkError(err, path, 'getData'))
            : resolve({ data: data ?? null, stat: toStat(stat) });
        if (w) c.getData(path, w, cb);
        else c.getData(path, cb);
      }),
    );
  }

  /** Writes data if the node's version equals `version` (-1: any). Returns the new stat. */
  async setData(path: string, data: ZkData, version = -1): Promise<ZkStat> {
    const c = await this.current('setData', path);
    const start = this.time.nanoseconds();
    return this.timed(
      'setData',
      start,
      new Promise((resolve, reject) => {
        c.setData(path, toBuffer(data) ?? null, version, (err, stat) =>
          err ? reject(toZkError(err, path, 'setData')) : resolve(toStat(stat)),
        );
      }),
    );
  }

  /** Deletes the node if its version equals `version` (-1: any). */
  async delete(path: string, version = -1): Promise<void> {
    const c = await this.current('delete', path);
    const start = this.time.nanoseconds();
    return this.timed(
      'delete',
      start,
      new Promise((resolve, reject) => {
        c.remove(path, version, (err) =>
          err ? reject(toZkError(err, path, 'delete')) : resolve(),
        );
      }),
    );
  }

  /** Deletes a node and everything under it (no version check); a missing node is fine. */
  async deleteRecursive(path: string): Promise<void> {
    let children: string[];
    try {
      children = await this.getChildren(path);
    } catch (e) {
      if (e instanceof NoNodeError) return;
      throw e;
    }
    for (const child of children) await this.deleteRecursive(joinPath(path, child));
    try {
      await this.delete(path);
    } catch (e) {
      if (!(e instanceof NoNodeError)) throw e;
    }
  }

  /** The node's stat or null; `watch` fires once on creation, data change or deletion. */
  exists(path: string, watch?: Watcher): Promise<ZkStat | null> {
    return this.read(() => this.existsOnce(path, watch));
  }

  private async existsOnce(path: string, watch?: Watcher): Promise<ZkStat | null> {
    const c = await this.current('exists', path);
    const w = this.wrapWatcher(watch);
    const start = this.time.nanoseconds();
    return this.timed(
      'exists',
      start,
      new Promise((resolve, reject) => {
        const cb = (err: unknown, stat: zookeeper.Stat | undefined) =>
          err ? reject(toZkError(err, path, 'exists')) : resolve(stat ? toStat(stat) : null);
        if (w) c.exists(path, w, cb);
        else c.exists(path, cb);
      }),
    );
  }

  /** Child names (unsorted, as ZooKeeper returns them); `watch` fires once on a child change or deletion. */
  async getChildren(path: string, watch?: Watcher): Promise<string[]> {
    return (await this.getChildrenAndStat(path, watch)).children;
  }

  getChildrenAndStat(path: string, watch?: Watcher): Promise<{ children: string[]; stat: ZkStat }> {
    return this.read(() => this.getChildrenOnce(path, watch));
  }

  private async getChildrenOnce(
    path: string,
    watch?: Watcher,
  ): Promise<{ children: string[]; stat: ZkStat }> {
    const c = await this.current('getChildren', path);
    const w = this.wrapWatcher(watch);
    const start = this.time.nanoseconds();
    return this.timed(
      'getChildren',
      start,
      new Promise((resolve, reject) => {
        const cb = (err: unknown, children: string[], stat: zookeeper.Stat) =>
          err
            ? reject(toZkError(err, path, 'getChildren'))
            : resolve({ children, stat: toStat(stat) });
        if (w) c.getChildren(path, w, cb);
        else c.getChildren(path, cb);
      }),
    );
  }

  /**
   * Runs the operations atomically (ZooKeeper `multi`). On failure nothing is applied
   * and the typed error of the refused operation is thrown, with its path and `opIndex`.
   */
  async multi(ops: ZkOp[]): Promise<ZkOpResult[]> {
    const c = await this.current('multi', ops[0]?.path);
    const tx = c.transaction();
    for (const o of ops) {
      switch (o.op) {
        case 'create': {
          const buf = toBuffer(o.data);
          if (buf) tx.create(o.path, buf, this.acls, CREATE_MODES[o.mode ?? 'persistent']);
          else tx.create(o.path, this.acls, CREATE_MODES[o.mode ?? 'persistent']);
          break;
        }
        case 'setData':
          tx.setData(o.path, toBuffer(o.data) ?? null, o.version ?? -1);
          break;
        case 'delete':
          tx.remove(o.path, o.version ?? -1);
          break;
        case 'check':
          tx.check(o.path, o.version);
          break;
      }
      // node-zookeeper-client's Transaction turns version 0 into -1 (`version || -1`),
      // which would make "expect version 0" match any version: set it ourselves.
      if (o.op !== 'create') {
        const ops = (tx as unknown as { ops: Array<{ version?: number }> }).ops;
        ops[ops.length - 1].version = o.version ?? -1;
      }
    }
    const start = this.time.nanoseconds();
    return this.timed(
      'multi',
      start,
      new Promise((resolve, reject) => {
        tx.commit(
          (
            err,
            results: Array<{ type: number; err?: number; path?: string; stat?: zookeeper.Stat }>,
          ) => {
            if (err && !Array.isArray(results)) {
              reject(toZkError(err, ops[0]?.path, 'multi'));
              return;
            }
            const failed = (results ?? []).findIndex(
              (r) => r.type === OP_ERROR && r.err !== undefined && r.err !== 0,
            );
            if (failed >= 0 || err) {
              const idx = failed >= 0 ? failed : 0;
              const e: ZkError =
                failed >= 0
                  ? zkErrorFromCode(
                      results[idx].err as number,
                      ops[idx]?.path,
                      `multi ${ops[idx]?.op}`,
                    )
                  : (toZkError(err, ops[0]?.path, 'multi') as ZkError);
              e.opIndex = idx;
              reject(e);
              return;
            }
            resolve(
              results.map((r): ZkOpResult => {
                switch (r.type) {
                  case OP_CREATE:
                    return { op: 'create', path: r.path as string };
                  case OP_SET_DATA:
                    return { op: 'setData', stat: toStat(r.stat as zookeeper.Stat) };
                  case OP_DELETE:
                    return { op: 'delete' };
                  case OP_CHECK:
                    return { op: 'check' };
                  default:
                    throw new Error(`unexpected multi result type ${r.type}`);
                }
              }),
            );
          },
        );
      }),
    );
  }

  /**
   * Emits `request` {op, latencyMs} when `p` settles (Kafka's ZooKeeperRequestLatencyMs),
   * `start` being `this.time.nanoseconds()` taken before the request was sent.
   */
  private timed<T>(op: string, start: bigint, p: Promise<T>): Promise<T> {
    if (this.listenerCount('request') === 0) return p;
    const done = () =>
      this.emit('request', { op, latencyMs: Number(this.time.nanoseconds() - start) / 1e6 });
    p.then(done, done);
    return p;
  }

  /** Closes the session; its ephemeral nodes go away at once. Idempotent. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this._state = 'closed';
    const c = this.client;
    this.client = null;
    if (c) await closeClient(c, undefined, this.time);
    this.emit('closed');
  }
}

/**
 * Attaches to an existing session with its id and password and closes it (what
 * ZooKeeper does on expiry: ephemerals deleted, the owner sees `expired` next time).
 */
export async function closeSessionFromOutside(
  creds: { servers: string; sessionId: Buffer; password: Buffer },
  timeoutMs = 10000,
  time: Time = SystemTime,
): Promise<void> {
  const other = zookeeper.createClient(creds.servers, {
    sessionTimeout: 30000,
    spinDelay: 200,
    sessionId: creds.sessionId,
    sessionPassword: creds.password,
  } as Partial<zookeeper.Option>);
  await new Promise<void>((resolve, reject) => {
    const t = time.schedule(
      'zk-attach-timeout',
      () => {
        void closeClient(other, 0, time);
        reject(new ZkConnectionTimeoutError(creds.servers, timeoutMs));
      },
      timeoutMs,
    );
    other.once('connected', () => {
      t.cancel();
      resolve();
    });
    other.connect();
  });
  await closeClient(other, undefined, time);
}

export function joinPath(parent: string, child: string): string {
  return parent === '/' ? `/${child}` : `${parent}/${child}`;
}

async function mkdirp(
  client: zookeeper.Client,
  path: string,
  acls: zookeeper.ACL[],
): Promise<void> {
  await new Promise<void>((resolve, reject) =>
    client.mkdirp(path, acls, (err) => (err ? reject(toZkError(err, path, 'mkdirp')) : resolve())),
  );
}

const SESSION_EXPIRED = -112;
const CONNECTION_LOSS = -4;

interface ConnectionManagerInternals {
  socket?: { destroy(): void };
  packetQueue?: { shift(): { callback?: (e: unknown) => void } | undefined };
  cleanupPendingQueue?: (code: number) => void;
}

interface PipelineInternals {
  socket?: { destroyed: boolean; cork(): void; uncork(): void };
  pendingBuffer: Buffer | null;
  onSocketData(data: Buffer): void;
  onPacketQueueReadable(): void;
  packetQueue: { removeAllListeners(event: string): void; on(event: string, f: () => void): void };
}

/**
 * Makes node-zookeeper-client's connection linear in the number of pipelined requests
 * (the controller reads and writes thousands of partition states at once, as Kafka's
 * ZooKeeperClient.handleRequests pipelines them):
 * - responses: its onSocketData handles one frame, then copies the rest of the chunk
 *   (Buffer.concat) and recurses, so a chunk of k responses costs O(k²) bytes copied and k
 *   stack frames; here each complete frame is handed to it alone, and a partial frame
 *   is joined only once it is complete;
 * - requests: it writes each request with its own socket.write (one syscall each); here
 *   the requests queued in one tick go out corked, in one writev.
 * Must run before `client.connect()` (the socket's data handler is bound there).
 */
function pipelineConnection(client: zookeeper.Client): void {
  const cm = (client as unknown as { connectionManager?: PipelineInternals }).connectionManager;
  if (!cm || typeof cm.onSocketData !== 'function' || !cm.packetQueue) return;
  const handleFrame = cm.onSocketData;
  let socket: PipelineInternals['socket'];
  let chunks: Buffer[] = [];
  let buffered = 0;
  cm.onSocketData = (data: Buffer): void => {
    if (cm.socket !== socket) {
      socket = cm.socket;
      chunks = [];
      buffered = 0;
    }
    chunks.push(data);
    buffered += data.length;
    if (buffered < 4) return;
    if (chunks[0].length < 4) chunks = [Buffer.concat(chunks, buffered)];
    if (buffered < getInt32(chunks[0], 0) + 4) return; // the first frame is not complete
    const buf = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, buffered);
    let off = 0;
    while (buf.length - off >= 4) {
      const end = off + 4 + getInt32(buf, off);
      if (end > buf.length) break;
      cm.pendingBuffer = null;
      handleFrame.call(cm, buf.subarray(off, end));
      off = end;
      if (cm.socket !== socket || socket?.destroyed) return; // it dropped the connection
    }
    chunks = off < buf.length ? [buf.subarray(off)] : [];
    buffered = buf.length - off;
  };
  const writeQueued = cm.onPacketQueueReadable;
  let scheduled = false;
  cm.onPacketQueueReadable = (): void => {
    if (scheduled) return;
    scheduled = true;
    process.nextTick(() => {
      scheduled = false;
      const s = cm.socket;
      s?.cork();
      try {
        writeQueued.call(cm);
      } finally {
        s?.uncork();
      }
    });
  };
  cm.packetQueue.removeAllListeners('readable');
  cm.packetQueue.on('readable', () => cm.onPacketQueueReadable());
}

/**
 * node-zookeeper-client keeps requests queued while disconnected and never answers
 * them once the session is gone; fail them so no caller waits forever.
 */
function failQueued(client: zookeeper.Client, code: number): void {
  const cm = (client as unknown as { connectionManager?: ConnectionManagerInternals })
    .connectionManager;
  const create = (zookeeper.Exception as unknown as { create(code: number): unknown }).create;
  for (let p = cm?.packetQueue?.shift(); p !== undefined; p = cm?.packetQueue?.shift()) {
    p.callback?.(create(code));
  }
  cm?.cleanupPendingQueue?.(code);
}

/**
 * Closes a node-zookeeper-client client: sends closeSession when connected (so the
 * server drops ephemerals at once), waits up to `waitMs` for the socket to close, then
 * makes sure no socket or reconnect timer is left behind.
 */
async function closeClient(
  client: zookeeper.Client,
  waitMs = 1000,
  time: Time = SystemTime,
): Promise<void> {
  const connected = client.getState() === zookeeper.State.SYNC_CONNECTED;
  const done = new Promise<void>((resolve) => {
    if (!connected || waitMs <= 0) return resolve();
    const t = time.schedule('zk-close-wait', resolve, waitMs);
    client.once('disconnected', () => {
      t.cancel();
      resolve();
    });
  });
  client.close();
  await done;
  failQueued(client, CONNECTION_LOSS);
  const cm = (client as unknown as { connectionManager?: ConnectionManagerInternals })
    .connectionManager;
  cm?.socket?.destroy();
}
