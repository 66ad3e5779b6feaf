/**
 * Broker processes: `node packages/cli/dist/bin.js broker start ...` as a child process
 * (real SIGKILL, SIGSTOP/SIGCONT, restarts), with its output captured. Child processes run
 * compiled JS: run `npx tsc -b` before such tests. Unless `cleanup: false`, each is
 * stopped (and its temp dir removed) by the test runner's cleanup that
 * `@kzoo/testkit/jest` registers (see cleanup.ts); the CLI passes `cleanup: false`.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { kzooNodeArgs, nodeProcessEnv } from '@kzoo/common';
import { registerCleanup } from './cleanup';
import { DeadlineError, freePort, makeTempDir, removeDir, trackChild, waitFor } from './util';

/**
 * How long a wait for something that must happen (a registration, a line of output, an
 * exit) may take before it fails: a ceiling that holds on a 2-core machine at load 20, not
 * a measure of speed (the benches measure that).
 */
export const SETTLE_TIMEOUT_MS = 60000;

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
    env: nodeProcessEnv({ ...process.env, ...opts.env }),
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

/** zookeeper.connection.timeout.ms of test brokers unless `extraConfig` sets it. */
const STARTUP_CONNECTION_TIMEOUT_MS = 30000;

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
    const childEnv = nodeProcessEnv({
      ...process.env,
      KZOO_LOG_LEVEL: process.env.KZOO_BROKER_LOG_LEVEL ?? 'info',
      ...env,
    });
    this.child = spawn(process.execPath, [...kzooNodeArgs(childEnv), cliBinPath(), ...args], {
      env: childEnv,
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
    const timeoutMs = opts.timeoutMs ?? SETTLE_TIMEOUT_MS;
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

  /** Resolves once the broker printed its `nth` registration; rejects at once if it exits first. */
  async waitForRegistration(nth = 1, timeoutMs = SETTLE_TIMEOUT_MS): Promise<void> {
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
    timeoutMs = SETTLE_TIMEOUT_MS,
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
  // Test brokers use short sessions so that failover is quick, but establishing the first
  // session must not fail on a loaded machine: zookeeper.connection.timeout.ms defaults to
  // the session timeout (Kafka's rule), 2 s here, which a busy 2-core machine exceeded.
  const extra = {
    'zookeeper.connection.timeout.ms': STARTUP_CONNECTION_TIMEOUT_MS,
    ...opts.extraConfig,
  };
  for (const [k, v] of Object.entries(extra)) args.push('--override', `${k}=${v}`);
  const proc = new BrokerProcess(opts.id, opts.zk, port, dataDir, args, opts.env, kafkaPort);
  if (opts.cleanup !== false) {
    registerCleanup(async () => {
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
  await proc.waitForRegistration(1, opts.startTimeoutMs ?? SETTLE_TIMEOUT_MS);
  return proc;
}
