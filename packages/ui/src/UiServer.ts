/**
 * UiServer: `kzoo ui`'s web server: node:http, the routes matched by find-my-way (the
 * router of fastify), `ws` for the socket.
 *
 *   GET  /                    the page (one self-contained app: no CDN, no external request)
 *   GET  /app/...             its compiled scripts (dist/public)
 *   GET  /ws                  WebSocket: a snapshot on connect, then every change pushed
 *   GET  /api/znode?path=/x   the znode browser: children, data (JSON decoded), stat
 *   GET  /api/state, /api/events   the current view and the recent events, as JSON
 *   POST /api/fault/<action>/<brokerId>   kill | pause | resume | restart, and on a cluster
 *                             with per-link proxies isolate-zookeeper | isolate-brokers |
 *                             isolate-clients | heal (fault buttons)
 *
 * Binds 127.0.0.1 by default. Fault buttons exist only when the owner passes a fault
 * handler (a cluster started locally by `kzoo cluster up`), and never while bound to a
 * non-loopback address unless `allowRemoteFaults` says so. A fault request must carry the
 * header `x-kzoo-ui: 1`, which a page of another origin cannot send without CORS.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import FindMyWay = require('find-my-way');
import { WebSocketServer, type WebSocket } from 'ws';
import { createLogger, SystemTime, type Logger, type Time } from '@kzoo/common';
import { KafkaZkClient } from '@kzoo/zk';
import { ClusterWatcher } from './ClusterWatcher';
import { renderIndexHtml } from './html';
import { StateChangeLogTailer, type StateChangeSource } from './StateChangeLog';
import { PROCESS_FAULTS, type FaultAction, type ServerMessage, type ZnodeView } from './protocol';

/** Acts on a broker of a local cluster; resolves with a one-line outcome. */
export type FaultHandler = (action: FaultAction, brokerId: number) => Promise<string>;

export interface UiServerOptions {
  /** zookeeper.connect of the cluster (`host:port[/chroot]`). */
  zk: string;
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Fault buttons: only for a cluster started locally by kzoo. */
  faults?: FaultHandler;
  /** The faults `faults` can do (default: the process faults, PROCESS_FAULTS). */
  faultActions?: readonly FaultAction[];
  /** Fault buttons even when bound off loopback (default false). */
  allowRemoteFaults?: boolean;
  /** Base URL (`http://host:port`) of broker `id`'s metrics endpoint, for per-replica LEOs. */
  metricsUrl?: (brokerId: number) => string | undefined;
  pollIntervalMs?: number;
  /** Brokers' log files to follow for their `state.change` lines (Kafka's state-change.log). */
  stateChangeLogs?: () => StateChangeSource[];
  time?: Time;
  logger?: Logger;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/** Where the compiled page is: dist/public next to the compiled server (or the source's dist). */
function publicDir(): string {
  for (const d of [path.join(__dirname, 'public'), path.join(__dirname, '..', 'dist', 'public')])
    if (fs.existsSync(path.join(d, 'page', 'main.js'))) return d;
  throw new Error(
    'the UI page is not built: run `npx tsc -b` (packages/ui/dist/public is missing)',
  );
}

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
};

export class UiServer {
  private server: http.Server | null = null;
  private wss: WebSocketServer | null = null;
  private zkClient: KafkaZkClient | null = null;
  private watcher: ClusterWatcher | null = null;
  private tailer: StateChangeLogTailer | null = null;
  private readonly log: Logger;
  private readonly time: Time;
  private _url = '';
  private readonly faultsOn: boolean;

  constructor(private readonly opts: UiServerOptions) {
    this.log = opts.logger ?? createLogger('ui');
    this.time = opts.time ?? SystemTime;
    const host = opts.host ?? '127.0.0.1';
    this.faultsOn = !!opts.faults && (isLoopback(host) || !!opts.allowRemoteFaults);
  }

  /** `http://host:port` once started. */
  get url(): string {
    return this._url;
  }

  get faultsEnabled(): boolean {
    return this.faultsOn;
  }

  /** Adds a line to the page's event feed (e.g. an experiment's own faults). */
  note(text: string): void {
    this.watcher?.note('fault', text);
  }

  static async start(opts: UiServerOptions): Promise<UiServer> {
    const s = new UiServer(opts);
    try {
      await s.startup();
    } catch (e) {
      await s.close();
      throw e;
    }
    return s;
  }

  private async startup(): Promise<void> {
    const dir = publicDir();
    this.zkClient = await KafkaZkClient.connect({
      connectString: this.opts.zk,
      sessionTimeoutMs: 10000,
      connectionTimeoutMs: 10000,
      createChroot: false,
      time: this.time,
      logger: this.log.child({}, 'ui.zk'),
    });
    const watcher = new ClusterWatcher({
      zkClient: this.zkClient,
      zk: this.opts.zk,
      time: this.time,
      logger: this.log.child({}, 'ui.watcher'),
      pollIntervalMs: this.opts.pollIntervalMs,
      metricsUrl: this.opts.metricsUrl,
      faults: this.faultsOn,
      faultActions: this.opts.faultActions,
    });
    this.watcher = watcher;
    await watcher.start();
    if (this.opts.stateChangeLogs) {
      this.tailer = new StateChangeLogTailer(
        this.opts.stateChangeLogs,
        (brokerId, line) => watcher.note('state-change', `broker ${brokerId}: ${line.text}`),
        this.time,
      );
      this.tailer.start();
    }

    const router = this.routes(dir);
    const server = http.createServer((req, res) => router.lookup(req, res));
    const wss = new WebSocketServer({ noServer: true });
    server.on('upgrade', (req, socket, head) => {
      if ((req.url ?? '').split('?')[0] !== '/ws') {
        socket.destroy();
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => this.onSocket(ws));
    });
    watcher.on('message', (msg: ServerMessage) => {
      const text = JSON.stringify(msg);
      for (const c of wss.clients) if (c.readyState === c.OPEN) c.send(text);
    });
    this.server = server;
    this.wss = wss;
    const host = this.opts.host ?? '127.0.0.1';
    const port = this.opts.port ?? 8080;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e) =>
        reject(new Error(`kzoo ui: cannot listen on ${host}:${port}: ${e.message}`)),
      );
      server.listen(port, host, () => resolve());
    });
    const bound = (server.address() as AddressInfo).port;
    this._url = `http://${host.includes(':') ? `[${host}]` : host}:${bound}`;
    if (this.opts.faults && !this.faultsOn)
      this.log.warn(
        `fault buttons are off: bound to ${host}, not loopback (--allow-remote-faults turns them on)`,
      );
  }

  private onSocket(ws: WebSocket): void {
    ws.send(JSON.stringify(this.watcher!.snapshot()));
    ws.on('error', () => ws.terminate());
  }

  /** The routes (find-my-way); an unknown path or method is 404, a handler's failure 500. */
  private routes(dir: string): FindMyWay.Instance<FindMyWay.HTTPVersion.V1> {
    type Handler = (
      req: http.IncomingMessage,
      res: http.ServerResponse,
      params: Record<string, string | undefined>,
      query: Record<string, string>,
    ) => Promise<void> | void;
    const router = FindMyWay<FindMyWay.HTTPVersion.V1>({
      defaultRoute: (_req, res) => notFound(res),
      onBadUrl: (_path, _req, res) => notFound(res),
    });
    const on = (method: 'GET' | 'POST', path: string, h: Handler) =>
      router.on(method, path, (req, res, params, _store, query) => {
        Promise.resolve(h(req, res, params, query as Record<string, string>)).catch((e: Error) => {
          if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(`${e.message}\n`);
        });
      });
    const page: Handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(renderIndexHtml());
    };
    on('GET', '/', page);
    on('GET', '/index.html', page);
    on('GET', '/app/*', (_req, res, params) => {
      const file = path.resolve(dir, params['*'] ?? '');
      if (!file.startsWith(dir + path.sep) || !fs.existsSync(file)) return notFound(res);
      res.writeHead(200, {
        'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
      });
      res.end(fs.readFileSync(file));
    });
    on('GET', '/api/znode', async (_req, res, _params, query) => {
      const zpath = query.path ?? '/';
      if (
        !zpath.startsWith('/') ||
        /\/\/|\/\.\.?(\/|$)/.test(zpath) ||
        (zpath.length > 1 && zpath.endsWith('/'))
      )
        return json(res, 400, { error: `not a znode path: ${zpath}` });
      json(res, 200, await this.znode(zpath));
    });
    on('GET', '/api/state', (_req, res) => json(res, 200, this.watcher!.view()));
    on('GET', '/api/events', (_req, res) => {
      const snap = this.watcher!.snapshot();
      json(res, 200, snap.type === 'snapshot' ? snap.events : []);
    });
    on('POST', '/api/fault/:action/:id', async (req, res, params) => {
      const action = params.action as FaultAction;
      const id = Number(params.id);
      if (!/^\d+$/.test(params.id ?? '')) return notFound(res);
      if (!this.faultsOn || !this.opts.faults)
        return json(res, 403, { error: 'fault buttons are off for this cluster' });
      if (req.headers['x-kzoo-ui'] !== '1')
        return json(res, 403, { error: 'missing header x-kzoo-ui: 1' });
      const offered = this.opts.faultActions ?? PROCESS_FAULTS;
      if (!offered.includes(action))
        return json(res, 400, {
          error: `unknown fault ${action}: this cluster offers ${offered.join(', ')}`,
        });
      try {
        const outcome = await this.opts.faults(action, id);
        this.watcher!.note('fault', `fault: ${outcome}`);
        json(res, 200, { ok: true, outcome });
      } catch (e) {
        json(res, 409, { error: (e as Error).message });
      }
    });
    return router;
  }

  private async znode(zpath: string): Promise<ZnodeView> {
    const zk = this.zkClient!;
    const r = await zk.getDataAndStat(zpath);
    const children = r ? await zk.getChildren(zpath) : [];
    const text = r?.data ? r.data.toString('utf8') : null;
    let parsed: unknown = null;
    if (text !== null) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = null;
      }
    }
    return {
      path: zpath,
      children,
      data: text,
      json: parsed,
      stat: r ? { ...r.stat } : null,
    };
  }

  /** Closes the sockets, the server, the watcher and the ZooKeeper session. */
  async close(): Promise<void> {
    for (const c of this.wss?.clients ?? []) c.terminate();
    this.wss?.close();
    this.wss = null;
    const s = this.server;
    this.server = null;
    if (s) {
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
    this.tailer?.stop();
    this.tailer = null;
    await this.watcher?.stop();
    this.watcher = null;
    await this.zkClient?.close();
    this.zkClient = null;
  }
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function notFound(res: http.ServerResponse): void {
  res.writeHead(404, { 'content-type': 'text/plain' });
  res.end('not found\n');
}
