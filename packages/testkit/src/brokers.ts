/**
 * Broker processes for tests: `node packages/cli/dist/bin.js broker start ...` as a
 * child process (real SIGKILL, SIGSTOP/SIGCONT, restarts), with its output captured, and
 * TestCluster, a few of them on one chroot plus a KafkaZkClient to look at ZooKeeper.
 * Child processes run compiled JS: run `npx tsc -b` before such tests.
 * Everything started here is stopped (and temp dirs removed) by the fixture cleanup.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Connection } from '@kzoo/protocol';
import { KafkaZkClient } from '@kzoo/zk';
import { onCleanup, zkConnectForTest } from './fixtures';
import { ClusterLinks, type NetworkFaults } from './net';
import {
  DeadlineError,
  freePort,
  freePorts,
  makeTempDir,
  removeDir,
  trackChild,
  waitFor,
} from './util';

/** Path of the compiled `kzoo` entry (packages/cli/dist/bin.js). */
export function cliBinPath(): string {
  const bin = path.resolve(__dirname, '..', '..', 'cli', 'dist', 'bin.js');
  if (!fs.existsSync(bin)) {
    throw new Error(
      `${bin} is missing: build first with \`npx tsc -b\` (broker processes run compiled JS)`,
    );
  }
  return bin;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `kzoo <args>` to completion (killed after `timeoutMs`). */
export function runCli(
  args: string[],
  opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<CliResult> {
  const child = spawn(process.execPath, [cliBinPath(), ...args], {
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  trackChild(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const t = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30000);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(t);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

export interface BrokerProcessOptions {
  id: number;
  /** zookeeper.connect, usually with a chroot. */
  zk: string;
  /** log.dirs; default a temp dir removed at cleanup. */
  dataDir?: string;
  /** PLAINTEXT listener port (kzoo's native protocol); default a free port. */
  port?: number;
  /** KAFKA listener port (Kafka's protocol, for Kafka clients); default a free port. */
  kafkaPort?: number;
  /** zookeeper.session.timeout.ms; default 2000. */
  sessionTimeoutMs?: number;
  /** Further Kafka keys, passed as `--override key=value`. */
  extraConfig?: Record<string, string | number | boolean>;
  env?: NodeJS.ProcessEnv;
  /** Register cleanup through the jest fixture hooks. Default true. */
  cleanup?: boolean;
}

/** A broker process that exited before it registered. */
export class BrokerExitedError extends Error {
  constructor(
    readonly brokerId: number,
    readonly exitCode: number | null,
    readonly stderrTail: string,
  ) {
    super(`broker ${brokerId} exited (code ${exitCode}); stderr:\n${stderrTail}`);
    this.name = 'BrokerExitedError';
  }
  /** Its listener port was taken (by then, often an outgoing connection's ephemeral port). */
  get portInUse(): boolean {
    return /EADDRINUSE/.test(this.stderrTail);
  }
}

export class BrokerProcess {
  readonly child: ChildProcess;
  /** Everything the process wrote so far. */
  stdout = '';
  stderr = '';
  private paused = false;
  private readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private waiters: Array<() => void> = [];

  constructor(
    readonly id: number,
    readonly zk: string,
    readonly port: number,
    readonly dataDir: string,
    readonly args: readonly string[],
    env?: NodeJS.ProcessEnv,
    /** The Kafka-protocol listener's port (point kcat or kafkajs here). */
    readonly kafkaPort = -1,
  ) {
    this.child = spawn(process.execPath, [cliBinPath(), ...args], {
      env: { ...process.env, KZOO_LOG_LEVEL: process.env.KZOO_BROKER_LOG_LEVEL ?? 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    trackChild(this.child);
    this.child.stdout!.on('data', (d) => {
      this.stdout += d;
      this.notify();
    });
    this.child.stderr!.on('data', (d) => {
      this.stderr += d;
      this.notify();
    });
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => {
        resolve({ code, signal });
        this.notify();
      }),
    );
  }

  get pid(): number | undefined {
    return this.child.pid;
  }
  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }
  get exitCode(): number | null {
    return this.child.exitCode;
  }
  get isPaused(): boolean {
    return this.paused;
  }

  private notify(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private changed(): Promise<void> {
    return new Promise((r) => this.waiters.push(r));
  }

  /** Waits until stdout or stderr (from `since` chars on stdout) matches `re`. */
  async waitForOutput(
    re: RegExp,
    opts: { timeoutMs?: number; stream?: 'stdout' | 'stderr' | 'both' } = {},
  ): Promise<RegExpMatchArray> {
    const timeoutMs = opts.timeoutMs ?? 15000;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text =
        opts.stream === 'stdout'
          ? this.stdout
          : opts.stream === 'stderr'
            ? this.stderr
            : this.stdout + '\n' + this.stderr;
      const m = text.match(re);
      if (m) return m;
      if (!this.running) {
        throw new Error(
          `broker ${this.id} exited (code ${this.child.exitCode}) before printing ${re}; stderr:\n${tail(this.stderr)}`,
        );
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new DeadlineError(
          `broker ${this.id} to print ${re} (stderr:\n${tail(this.stderr)})`,
          timeoutMs,
        );
      }
      await Promise.race([this.changed(), new Promise((r) => setTimeout(r, Math.min(left, 1000)))]);
    }
  }

  /** Resolves once the broker printed its registration line (the nth one, 1-based). */
  /** Resolves once the broker printed its `nth` registration; rejects at once if it exits first. */
  async waitForRegistration(nth = 1, timeoutMs = 15000): Promise<void> {
    const re = new RegExp(`^broker ${this.id} registered at .*$`, 'gm');
    let exited: BrokerExitedError | null = null;
    await waitFor(
      `broker ${this.id} registration #${nth}`,
      () => {
        if ((this.stdout.match(re)?.length ?? 0) >= nth) return true;
        if (!this.running) {
          exited = new BrokerExitedError(this.id, this.child.exitCode, tail(this.stderr));
          return true;
        }
        return false;
      },
      { timeoutMs, intervalMs: 20 },
    );
    if (exited) throw exited;
  }

  /** Resolves with the exit code / signal (after `timeoutMs` a DeadlineError). */
  async waitForExit(
    timeoutMs = 15000,
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    let t: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      t = setTimeout(
        () => reject(new DeadlineError(`broker ${this.id} to exit`, timeoutMs)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(t);
    }
  }

  /** Sends `signal` (default SIGKILL) and waits for the exit. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (!this.running) return;
    this.child.kill(signal);
    if (this.paused && signal !== 'SIGKILL') this.resume();
    await this.waitForExit();
  }

  /** SIGSTOP: the process freezes (its ZooKeeper session stops heartbeating). */
  pause(): void {
    if (!this.running) throw new Error(`broker ${this.id} is not running`);
    this.child.kill('SIGSTOP');
    this.paused = true;
  }

  /** SIGCONT. */
  resume(): void {
    if (!this.running) return;
    this.child.kill('SIGCONT');
    this.paused = false;
  }

  /** SIGTERM (a clean shutdown), waits for the exit; SIGKILL after `timeoutMs`. Returns the exit code. */
  async stop(timeoutMs = 10000): Promise<number | null> {
    if (!this.running) return this.child.exitCode;
    this.child.kill('SIGTERM');
    if (this.paused) this.resume();
    try {
      return (await this.waitForExit(timeoutMs)).code;
    } catch {
      this.child.kill('SIGKILL');
      return (await this.waitForExit()).code;
    }
  }
}

function tail(s: string, lines = 20): string {
  return s.trimEnd().split('\n').slice(-lines).join('\n');
}

/** Spawns a broker process without waiting for it to register. */
export async function spawnBrokerProcess(opts: BrokerProcessOptions): Promise<BrokerProcess> {
  const port = opts.port ?? (await freePort());
  let kafkaPort = opts.kafkaPort ?? (await freePort());
  while (kafkaPort === port) kafkaPort = await freePort();
  let dataDir = opts.dataDir;
  let ownDir = false;
  if (!dataDir) {
    dataDir = makeTempDir(`kzoo-broker-${opts.id}-`);
    ownDir = true;
  }
  const args = [
    'broker',
    'start',
    '--id',
    String(opts.id),
    '--zk',
    opts.zk,
    '--port',
    String(port),
    '--kafka-port',
    String(kafkaPort),
    '--data-dir',
    dataDir,
    '--session-timeout-ms',
    String(opts.sessionTimeoutMs ?? 2000),
  ];
  for (const [k, v] of Object.entries(opts.extraConfig ?? {})) args.push('--override', `${k}=${v}`);
  const proc = new BrokerProcess(opts.id, opts.zk, port, dataDir, args, opts.env, kafkaPort);
  if (opts.cleanup !== false) {
    onCleanup(async () => {
      await proc.kill('SIGKILL');
      if (ownDir) removeDir(dataDir!);
    });
  }
  return proc;
}

/** Spawns a broker process and resolves once it is registered in ZooKeeper (it printed its registration line). */
export async function startBrokerProcess(
  opts: BrokerProcessOptions & { startTimeoutMs?: number },
): Promise<BrokerProcess> {
  const proc = await spawnBrokerProcess(opts);
  await proc.waitForRegistration(1, opts.startTimeoutMs ?? 15000);
  return proc;
}

export interface ControllerInfo {
  brokerId: number;
  epoch: number;
  epochZkVersion: number;
}

export interface TestClusterOptions {
  /** Broker ids to start (or a count: ids 1..n). */
  brokers: number | number[];
  /** zookeeper.connect; default a fresh chroot of the run's ZooKeeper. */
  zk?: string;
  sessionTimeoutMs?: number;
  extraConfig?: Record<string, string | number | boolean>;
  /**
   * Resolve only once every broker's metadata knows every broker and the controller
   * (what a client sees first). Default false: resolve at registration.
   */
  waitForMetadata?: boolean;
  /**
   * `direct` (default): brokers, ZooKeeper and clients dial each other directly.
   * `proxied`: every link goes through its own LinkProxy (see `faults`): broker i's
   * `zookeeper.connect` names its own proxies to each ZooKeeper server (the chroot kept);
   * its listeners bind on hidden ports and advertise the `client->broker:i` proxies
   * (`advertised.listeners`); `kzoo.inter.broker.address.overrides` makes it dial peer j
   * through the `broker:i->broker:j` proxy (and itself directly). The broker ids must all
   * be given at start.
   */
  network?: 'direct' | 'proxied';
}

/** Broker processes on one chroot, and a ZooKeeper client to watch them. Cleaned up by the fixture hooks. */
export class TestCluster {
  readonly brokers = new Map<number, BrokerProcess>();
  private links: ClusterLinks | null = null;

  private constructor(
    readonly zk: string,
    readonly zkClient: KafkaZkClient,
    private readonly opts: TestClusterOptions,
  ) {}

  /** The links and their faults (`network: 'proxied'`), else null. */
  get faults(): NetworkFaults | null {
    return this.links?.faults ?? null;
  }

  static async start(opts: TestClusterOptions): Promise<TestCluster> {
    const zk = opts.zk ?? zkConnectForTest();
    const zkClient = await KafkaZkClient.connect({
      connectString: zk,
      sessionTimeoutMs: 4000,
      connectionTimeoutMs: 10000,
    });
    const cluster = new TestCluster(zk, zkClient, opts);
    onCleanup(() => cluster.stop());
    const ids =
      typeof opts.brokers === 'number'
        ? Array.from({ length: opts.brokers }, (_, i) => i + 1)
        : opts.brokers;
    if (opts.network === 'proxied') cluster.links = await ClusterLinks.create(ids, zk);
    await Promise.all(ids.map((id) => cluster.startBroker(id)));
    if (opts.waitForMetadata) await cluster.waitForMetadata();
    return cluster;
  }

  /**
   * Waits until every running broker answers Metadata with all of them and a
   * controller, i.e. the controller's UpdateMetadata reached them all.
   */
  async waitForMetadata(timeoutMs = 20000): Promise<void> {
    const procs = [...this.brokers.values()];
    const want = procs
      .map((b) => b.id)
      .sort((a, b) => a - b)
      .join(',');
    await Promise.all(
      procs.map((b) =>
        waitFor(
          `broker ${b.id}'s metadata to list brokers ${want} and a controller`,
          async () => {
            const c = await Connection.connect({
              host: '127.0.0.1',
              port: b.port,
              requestTimeoutMs: 5000,
            });
            try {
              const md = await c.request(3, 0, { topics: [], allowAutoTopicCreation: false });
              const ids = md.brokers
                .map((x) => x.nodeId)
                .sort((x, y) => x - y)
                .join(',');
              return ids === want && md.controllerId >= 0;
            } finally {
              await c.close();
            }
          },
          { timeoutMs, intervalMs: 100 },
        ),
      ),
    );
  }

  /** Starts (or restarts) broker `id` and waits for its registration. */
  async startBroker(
    id: number,
    extraConfig: Record<string, string | number | boolean> = {},
  ): Promise<BrokerProcess> {
    const prev = this.brokers.get(id);
    const links = this.links;
    if (links && !links.has(id)) {
      throw new Error(`broker ${id} was not in this proxied cluster's broker ids at start`);
    }
    const start = (ports: { port?: number; kafkaPort?: number }) =>
      startBrokerProcess({
        id,
        zk: links ? links.zkConnect(id) : this.zk,
        sessionTimeoutMs: this.opts.sessionTimeoutMs,
        dataDir: prev?.dataDir,
        ...ports,
        extraConfig: {
          ...this.opts.extraConfig,
          ...(links ? links.brokerConfig(id) : {}),
          ...extraConfig,
        },
      });
    const wired = links?.ports(id);
    let proc: BrokerProcess;
    try {
      // a restart keeps its ports, as a restarted Kafka broker keeps its listeners
      proc = await start({
        port: prev?.port ?? wired?.port,
        kafkaPort: prev?.kafkaPort ?? wired?.kafkaPort,
      });
    } catch (e) {
      // A port found free can be taken by any outgoing connection before the broker binds
      // it (a restart keeps its old ports, released meanwhile): then the broker starts on
      // new ports (clients find them in metadata; in a proxied cluster the proxies are
      // pointed at the new ports).
      if (!(e instanceof BrokerExitedError && e.portInUse)) throw e;
      if (links) {
        const [port, kafkaPort] = await freePorts(2);
        links.retarget(id, port, kafkaPort);
        proc = await start({ port, kafkaPort });
      } else proc = await start({});
    }
    this.brokers.set(id, proc);
    return proc;
  }

  broker(id: number): BrokerProcess {
    const b = this.brokers.get(id);
    if (!b) throw new Error(`no broker ${id} in this cluster`);
    return b;
  }

  /**
   * Kafka's `bootstrap.servers` for this cluster: every broker's Kafka-protocol listener
   * (in a proxied cluster, the `client->broker:i` proxies).
   */
  kafkaBootstrap(): string[] {
    const links = this.links;
    if (links) return [...this.brokers.keys()].map((id) => links.clientAddress(id, 'kafka'));
    return [...this.brokers.values()].map((b) => `127.0.0.1:${b.kafkaPort}`);
  }

  /** kzoo's native bootstrap servers (in a proxied cluster, the client proxies). */
  nativeBootstrap(): string[] {
    const links = this.links;
    if (links) return [...this.brokers.keys()].map((id) => links.clientAddress(id, 'native'));
    return [...this.brokers.values()].map((b) => `127.0.0.1:${b.port}`);
  }

  /** Registered broker ids, from ZooKeeper. */
  liveBrokers(): Promise<number[]> {
    return this.zkClient.getSortedBrokerList();
  }

  /** The controller per /controller and /controller_epoch, or null. */
  async controller(): Promise<ControllerInfo | null> {
    const id = await this.zkClient.getControllerId();
    if (id === null) return null;
    const e = await this.zkClient.getControllerEpoch();
    return e ? { brokerId: id, epoch: e.epoch, epochZkVersion: e.epochZkVersion } : null;
  }

  /** Waits until there is a controller satisfying `pred` (default: any). */
  waitForController(
    pred: (c: ControllerInfo) => boolean = () => true,
    timeoutMs = 15000,
  ): Promise<ControllerInfo> {
    return waitFor(
      'a controller',
      async () => {
        const c = await this.controller();
        return c && pred(c) ? c : undefined;
      },
      { timeoutMs },
    );
  }

  /** Waits until exactly `ids` are registered. */
  waitForBrokers(ids: number[], timeoutMs = 15000): Promise<number[]> {
    const want = [...ids].sort((a, b) => a - b).join(',');
    return waitFor(
      `brokers ${want} registered`,
      async () => {
        const live = await this.liveBrokers();
        return live.join(',') === want ? live : undefined;
      },
      { timeoutMs },
    );
  }

  /** Kills every broker, closes the proxies and the ZooKeeper client. Idempotent. */
  async stop(): Promise<void> {
    await Promise.all([...this.brokers.values()].map((b) => b.kill('SIGKILL')));
    await this.links?.close();
    await this.zkClient.close();
  }
}
