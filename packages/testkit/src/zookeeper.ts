/**
 * The real Apache ZooKeeper as a child process: standalone or a 3-node ensemble on free
 * loopback ports with temp data dirs (Kafka's EmbeddedZookeeper, but the real server
 * from the OS package). The jar comes from `zookeeperHome` / `ZOOKEEPER_HOME`
 * (Apache tarball layout), `classpath` / `KZOO_ZOOKEEPER_CLASSPATH`, or the Debian
 * package's /usr/share/java/zookeeper.jar. Readiness is ZooKeeper's `srvr` four-letter
 * word reporting a Mode (standalone, leader or follower).
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import {
  DeadlineError,
  freePorts,
  makeTempDir,
  removeDirAtExit,
  portIsFree,
  removeDir,
  trackChild,
  waitForExit,
} from './util';

export interface StartZooKeeperOptions {
  /** 1 = standalone, 3 = ensemble. Default 1. */
  nodes?: 1 | 3;
  /** tickTime; sessions are clamped to [2, 20] × tickTime. Default 500 (sessions 1 s – 10 s). */
  tickTimeMs?: number;
  /** Client port for a standalone server; default a free port. */
  clientPort?: number;
  /** Bind/connect address. Default 127.0.0.1. */
  host?: string;
  /** Data directory (standalone only). Kept on stop; without it a temp dir is used and removed. */
  dataDir?: string;
  /** How long to wait for the server(s) to serve. Default 60000 ms. */
  startTimeoutMs?: number;
  /** An Apache ZooKeeper distribution (its lib/ holds the jars). Default $ZOOKEEPER_HOME. */
  zookeeperHome?: string;
  /** An explicit Java classpath for the server. Default $KZOO_ZOOKEEPER_CLASSPATH. */
  classpath?: string;
  /** The java binary. Default $JAVA_HOME/bin/java, else `java` on PATH. */
  java?: string;
  /** Server log level (slf4j-simple). Default $KZOO_ZK_LOG_LEVEL or `warn`. */
  logLevel?: string;
  /** Also copy the server's output to this process's stderr (the CLI does). */
  echoOutput?: boolean;
}

export interface ZooKeeperNode {
  /** myid, 1-based. */
  readonly id: number;
  readonly host: string;
  readonly clientPort: number;
  readonly dataDir: string;
  /** The server's output (log) file. */
  readonly logFile: string;
  /** `host:clientPort` of this node alone. */
  readonly connectString: string;
  readonly pid: number | undefined;
  readonly running: boolean;
}

export type ZooKeeperMode = 'standalone' | 'leader' | 'follower' | 'observer';

export interface ZooKeeperHandle {
  /** `host:p1,host:p2,host:p3` (no chroot). */
  readonly connectString: string;
  readonly nodes: readonly ZooKeeperNode[];
  /** SIGTERM every node, wait for the exits, remove temp dirs. Idempotent. */
  stop(): Promise<void>;
  /** Kill one node (1-based id), SIGKILL by default, and wait until it has exited. */
  kill(node: number, signal?: NodeJS.Signals): Promise<void>;
  /** Start a stopped/killed node again with its data and ports; resolves once it serves. */
  restart(node: number): Promise<void>;
  /** The id of the node whose `srvr` says leader (or standalone), or null if none. */
  leader(): Promise<number | null>;
  /** What `srvr` says about a node: its mode, or null if it does not serve. */
  mode(node: number): Promise<ZooKeeperMode | null>;
}

const DEBIAN_JAR = '/usr/share/java/zookeeper.jar';
const SLF4J_SIMPLE = '/usr/share/java/slf4j-simple.jar';

/** Finds the server's classpath, or throws saying how to install ZooKeeper. */
export function zookeeperClasspath(
  opts: { zookeeperHome?: string; classpath?: string } = {},
): string {
  const explicit = opts.classpath ?? process.env.KZOO_ZOOKEEPER_CLASSPATH;
  if (explicit) return explicit;
  const home = opts.zookeeperHome ?? process.env.ZOOKEEPER_HOME;
  if (home) {
    const lib = path.join(home, 'lib');
    const jars = [home, lib]
      .filter((d) => fs.existsSync(d))
      .flatMap((d) => fs.readdirSync(d).map((f) => path.join(d, f)))
      .filter((f) => f.endsWith('.jar'));
    if (!jars.some((j) => /zookeeper-3[^/]*\.jar$|zookeeper\.jar$/.test(j))) {
      throw new Error(
        `ZOOKEEPER_HOME=${home} holds no zookeeper jar (expected ${lib}/zookeeper-3.x.jar)`,
      );
    }
    return jars.join(path.delimiter);
  }
  if (fs.existsSync(DEBIAN_JAR)) {
    // The Debian jar's manifest Class-Path pulls in its dependencies; add a logging backend.
    return [DEBIAN_JAR, ...(fs.existsSync(SLF4J_SIMPLE) ? [SLF4J_SIMPLE] : [])].join(
      path.delimiter,
    );
  }
  throw new Error(
    'Apache ZooKeeper not found. Install it (`sudo apt-get install -y zookeeper`, or run ' +
      'scripts/bootstrap.sh) or set ZOOKEEPER_HOME to a ZooKeeper 3.5+ distribution.',
  );
}

function javaBinary(opt?: string): string {
  if (opt) return opt;
  if (process.env.JAVA_HOME) return path.join(process.env.JAVA_HOME, 'bin', 'java');
  return 'java';
}

/** Sends a four-letter word (`ruok`, `srvr`, `stat`, `mntr`) and returns the reply, or null if unreachable. */
export function fourLetterWord(
  host: string,
  port: number,
  word: string,
  timeoutMs = 2000,
): Promise<string | null> {
  return new Promise((resolve) => {
    const sock = net.connect(port, host);
    let out = '';
    const t = setTimeout(() => sock.destroy(), timeoutMs);
    sock.on('connect', () => sock.write(word));
    sock.on('data', (d) => (out += d.toString('utf8')));
    sock.on('error', () => undefined);
    sock.on('close', (hadError) => {
      clearTimeout(t);
      resolve(hadError && !out ? null : out);
    });
  });
}

function parseMode(srvr: string | null): ZooKeeperMode | null {
  const m = srvr ? /^Mode: (\w+)/m.exec(srvr) : null;
  return m ? (m[1] as ZooKeeperMode) : null;
}

interface NodeSpec {
  id: number;
  host: string;
  clientPort: number;
  quorumPort: number;
  electionPort: number;
  dir: string;
  dataDir: string;
  cfgFile: string;
  logFile: string;
}

class ZkNodeProcess implements ZooKeeperNode {
  child: ChildProcess | null = null;
  constructor(
    readonly spec: NodeSpec,
    private readonly javaCmd: string,
    private readonly classpath: string,
    private readonly logLevel: string,
    private readonly echo: boolean,
  ) {}
  get id() {
    return this.spec.id;
  }
  get host() {
    return this.spec.host;
  }
  get clientPort() {
    return this.spec.clientPort;
  }
  get dataDir() {
    return this.spec.dataDir;
  }
  get logFile() {
    return this.spec.logFile;
  }
  get connectString() {
    return `${this.spec.host}:${this.spec.clientPort}`;
  }
  get pid() {
    return this.child?.pid;
  }
  get running() {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  launch(): void {
    const out = fs.openSync(this.spec.logFile, 'a');
    const child = spawn(
      this.javaCmd,
      [
        '-Xshare:auto',
        '-XX:TieredStopAtLevel=1',
        '-XX:+UseSerialGC',
        '-Xms32m',
        '-Xmx256m',
        `-Dorg.slf4j.simpleLogger.defaultLogLevel=${this.logLevel}`,
        '-Dorg.slf4j.simpleLogger.showDateTime=true',
        // wall-clock ISO 8601 like the brokers' logs (without a format: ms since start)
        "-Dorg.slf4j.simpleLogger.dateTimeFormat=yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
        '-Dzookeeper.admin.enableServer=false',
        '-cp',
        this.classpath,
        'org.apache.zookeeper.server.quorum.QuorumPeerMain',
        this.spec.cfgFile,
      ],
      { stdio: ['ignore', this.echo ? 'pipe' : out, this.echo ? 'pipe' : out], detached: false },
    );
    if (this.echo) {
      const ws = fs.createWriteStream('', { fd: out });
      for (const s of [child.stdout!, child.stderr!]) {
        s.on('data', (d: Buffer) => {
          ws.write(d);
          process.stderr.write(d);
        });
      }
    } else {
      fs.closeSync(out);
    }
    child.on('error', (e) => {
      fs.appendFileSync(
        this.spec.logFile,
        `\n[kzoo] failed to start ${this.javaCmd}: ${e.message}\n`,
      );
    });
    trackChild(child);
    this.child = child;
  }

  async serving(): Promise<ZooKeeperMode | null> {
    if (!this.running) return null;
    return parseMode(await fourLetterWord(this.spec.host, this.spec.clientPort, 'srvr', 1000));
  }

  logTail(lines = 30): string {
    try {
      return fs
        .readFileSync(this.spec.logFile, 'utf8')
        .trimEnd()
        .split('\n')
        .slice(-lines)
        .join('\n');
    } catch {
      return '';
    }
  }

  async terminate(signal: NodeJS.Signals, graceMs = 5000): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = waitForExit(child);
    child.kill(signal);
    const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(t);
  }
}

async function waitServing(node: ZkNodeProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!node.running) {
      throw new Error(
        `ZooKeeper node ${node.id} exited during startup (port ${node.clientPort}); its log:\n${node.logTail()}`,
      );
    }
    if (await node.serving()) return;
    if (Date.now() > deadline) {
      const e = new DeadlineError(
        `ZooKeeper node ${node.id} on ${node.connectString} to serve`,
        timeoutMs,
      );
      e.message += `; its log:\n${node.logTail()}`;
      throw e;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Spawns ZooKeeper (standalone or a 3-node ensemble) and resolves once every node serves. */
export async function startZooKeeper(opts: StartZooKeeperOptions = {}): Promise<ZooKeeperHandle> {
  const n = opts.nodes ?? 1;
  if (n !== 1 && n !== 3) throw new Error(`startZooKeeper: nodes must be 1 or 3, got ${n}`);
  if (n !== 1 && (opts.dataDir || opts.clientPort)) {
    throw new Error('startZooKeeper: dataDir and clientPort apply to a standalone server only');
  }
  const classpath = zookeeperClasspath(opts);
  const javaCmd = javaBinary(opts.java);
  const host = opts.host ?? '127.0.0.1';
  const tick = opts.tickTimeMs ?? 500;
  const logLevel = opts.logLevel ?? process.env.KZOO_ZK_LOG_LEVEL ?? 'warn';
  // A given port must be free: otherwise another server's `srvr` answer would pass for ours.
  if (n === 1 && opts.clientPort && !(await portIsFree(opts.clientPort, host)))
    throw new Error(`${host}:${opts.clientPort} is already in use (another ZooKeeper?)`);
  const ownRoot = !opts.dataDir;
  // Its own temp dir goes at this process's exit too: the nodes are tracked children, which
  // die with it.
  const root = opts.dataDir ? path.resolve(opts.dataDir) : removeDirAtExit(makeTempDir('kzoo-zk-'));
  fs.mkdirSync(root, { recursive: true });

  const ports = await freePorts(n === 1 ? 1 : 9, host);
  if (n === 1 && opts.clientPort) ports[0] = opts.clientPort;
  const specs: NodeSpec[] = [];
  for (let i = 0; i < n; i++) {
    const id = i + 1;
    const dir = n === 1 ? root : path.join(root, `node-${id}`);
    const dataDir = n === 1 && opts.dataDir ? root : path.join(dir, 'data');
    fs.mkdirSync(dataDir, { recursive: true });
    specs.push({
      id,
      host,
      clientPort: n === 1 ? ports[0] : ports[i * 3],
      quorumPort: n === 1 ? 0 : ports[i * 3 + 1],
      electionPort: n === 1 ? 0 : ports[i * 3 + 2],
      dir,
      dataDir,
      cfgFile: path.join(dir, 'zoo.cfg'),
      logFile: path.join(dir, 'zookeeper.log'),
    });
  }
  for (const s of specs) {
    const lines = [
      `tickTime=${tick}`,
      'initLimit=10',
      'syncLimit=5',
      `dataDir=${s.dataDir}`,
      `clientPort=${s.clientPort}`,
      `clientPortAddress=${host}`,
      'admin.enableServer=false',
      '4lw.commands.whitelist=ruok,srvr,stat,mntr,conf,cons',
      'maxClientCnxns=0',
    ];
    if (n > 1) {
      fs.writeFileSync(path.join(s.dataDir, 'myid'), `${s.id}\n`);
      for (const o of specs) lines.push(`server.${o.id}=${host}:${o.quorumPort}:${o.electionPort}`);
    }
    fs.writeFileSync(s.cfgFile, lines.join('\n') + '\n');
  }

  const nodes = specs.map(
    (s) => new ZkNodeProcess(s, javaCmd, classpath, logLevel, !!opts.echoOutput),
  );
  const startTimeout = opts.startTimeoutMs ?? 60000;
  let stopped = false;

  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await Promise.all(nodes.map((node) => node.terminate('SIGTERM')));
    if (ownRoot) removeDir(root);
  };

  try {
    for (const node of nodes) node.launch();
    await Promise.all(nodes.map((node) => waitServing(node, startTimeout)));
  } catch (e) {
    await stop();
    throw e;
  }

  const byId = (id: number): ZkNodeProcess => {
    const node = nodes[id - 1];
    if (!node) throw new Error(`no ZooKeeper node ${id} (nodes are 1..${nodes.length})`);
    return node;
  };

  return {
    connectString: nodes.map((x) => x.connectString).join(','),
    nodes,
    stop,
    async kill(id, signal = 'SIGKILL') {
      await byId(id).terminate(signal, 2000);
    },
    async restart(id) {
      const node = byId(id);
      if (stopped) throw new Error('ZooKeeper was stopped');
      if (node.running) await node.terminate('SIGTERM');
      node.launch();
      await waitServing(node, startTimeout);
    },
    async leader() {
      for (const node of nodes) {
        const m = await node.serving();
        if (m === 'leader' || m === 'standalone') return node.id;
      }
      return null;
    },
    mode: (id) => byId(id).serving(),
  };
}
