/**
 * The cluster file `kzoo cluster up` writes (`<dir>/cluster.json`, default dir `.kzoo` in
 * the working directory; `$KZOO_CLUSTER_FILE` names another file): the ZooKeeper connect
 * string, the embedded ZooKeeper process (if any) and each broker's id, pid, port, data
 * dir and log file. Later commands read it when no `--zk` / `--bootstrap-server` is given,
 * and `kzoo broker kill|pause|resume|stop|start --id N` act on its processes.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { nodeProcessEnv } from '@kzoo/common';

export const DEFAULT_CLUSTER_DIR = '.kzoo';

/**
 * What makes a pid ours: its start time (/proc/<pid>/stat field 22, clock ticks since
 * boot) and the command line we started. A pid alone is not enough: after a reboot or a
 * crash, a stale cluster file's pid may belong to an unrelated process.
 */
export interface ProcessIdentity {
  pid: number;
  startTime?: string;
  cmdline?: string;
}

export interface ClusterFileBroker extends ProcessIdentity {
  id: number;
  pid: number;
  /** The kzoo (native) listener's port. */
  port: number;
  /** The Kafka-protocol listener's port (listener KAFKA), for Kafka clients and tools. */
  kafkaPort?: number;
  /** Its Prometheus endpoint's port (kzoo.metrics.port), for `kzoo ui` and scrapers. */
  metricsPort?: number;
  dataDir: string;
  log: string;
}

export interface ClusterFile {
  version: 1;
  /** zookeeper.connect of the brokers. */
  zk: string;
  /** The embedded ZooKeeper `cluster up` started (absent with --zk). */
  zookeeper?: ProcessIdentity & { pid: number; port: number; dataDir: string; log: string };
  sessionTimeoutMs: number;
  /** Extra broker settings (`--override key=value`) every broker start gets. */
  overrides: string[];
  brokers: ClusterFileBroker[];
  createdAt: string;
  /** The user chose the ports (`cluster up --port`): a restart never moves them. */
  fixedPorts?: boolean;
}

/** Where the cluster file is: `$KZOO_CLUSTER_FILE`, else `<dir>/cluster.json`. */
export function clusterFilePath(dir?: string): string {
  if (dir) return path.resolve(dir, 'cluster.json');
  if (process.env.KZOO_CLUSTER_FILE) return path.resolve(process.env.KZOO_CLUSTER_FILE);
  return path.resolve(DEFAULT_CLUSTER_DIR, 'cluster.json');
}

/** The cluster file, or null when there is none. A malformed file throws naming it. */
export function readClusterFile(file = clusterFilePath()): ClusterFile | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  let js: ClusterFile;
  try {
    js = JSON.parse(text) as ClusterFile;
  } catch (e) {
    throw new Error(`cluster file ${file} is not JSON: ${(e as Error).message}`);
  }
  if (js.version !== 1 || typeof js.zk !== 'string' || !Array.isArray(js.brokers))
    throw new Error(`cluster file ${file} is not a kzoo cluster file (version 1)`);
  return js;
}

/** Reads the cluster file or fails with a sentence saying how to get one. */
export function requireClusterFile(file = clusterFilePath()): ClusterFile {
  const c = readClusterFile(file);
  if (!c)
    throw new Error(
      `no cluster file at ${file}: run \`kzoo cluster up\` first (or set KZOO_CLUSTER_FILE)`,
    );
  return c;
}

export function writeClusterFile(file: string, c: ClusterFile): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(c, null, 2) + '\n');
  fs.renameSync(tmp, file);
}

/** The cluster file's brokers as `host:port,...` (for --bootstrap-server). */
export function bootstrapOf(c: ClusterFile): string {
  return c.brokers.map((b) => `127.0.0.1:${b.port}`).join(',');
}

/** The brokers' Kafka-protocol listeners as `host:port,...` (Kafka's bootstrap.servers), or ''. */
export function kafkaBootstrapOf(c: ClusterFile): string {
  return c.brokers
    .filter((b) => b.kafkaPort !== undefined)
    .map((b) => `127.0.0.1:${b.kafkaPort}`)
    .join(',');
}

/** Whether process `pid` exists (false for anything but a real pid: never a group). */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 1) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Field 22 of /proc/<pid>/stat (start time), or null without one (gone, or no /proc). */
export function processStartTime(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid ...": comm may hold spaces and parens; fields 3.. follow the last ')'
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[22 - 3] ?? null;
  } catch {
    return null;
  }
}

/** /proc/<pid>/cmdline as one space-separated line, or null. */
export function processCmdline(pid: number): string | null {
  try {
    return fs
      .readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      .replace(/\0+$/, '')
      .split('\0')
      .join(' ');
  } catch {
    return null;
  }
}

/**
 * Why `p.pid` is not the process we started: null when it is (same start time and command
 * line, or nothing recorded to compare), 'gone' when no process has that pid, else a
 * sentence naming what the pid is now.
 */
export function notOurs(p: ProcessIdentity): null | 'gone' | string {
  if (!isAlive(p.pid)) return 'gone';
  const start = processStartTime(p.pid);
  const cmd = processCmdline(p.pid);
  if (p.startTime !== undefined && start !== null && start !== p.startTime)
    return `pid ${p.pid} is now another process (started at tick ${start}, not ${p.startTime}: ${cmd ?? '?'})`;
  if (p.cmdline !== undefined && cmd !== null && cmd !== p.cmdline)
    return `pid ${p.pid} is now another process (${cmd})`;
  return null;
}

/** Polls until `pid` has exited; false after `timeoutMs`. */
export async function waitForPidExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

/** Path of the compiled `kzoo` entry that is running now. */
export function kzooBin(): string {
  const beside = path.resolve(__dirname, 'bin.js');
  // loaded from src/ (a test under ts-jest): the compiled CLI in dist/
  return fs.existsSync(beside) ? beside : path.resolve(__dirname, '..', 'dist', 'bin.js');
}

/**
 * Starts `kzoo <args>` detached (it outlives this command), output appended to `log`.
 * Returns its pid, start time and command line (what the cluster file records).
 */
export function spawnDetached(
  args: string[],
  log: string,
  env?: NodeJS.ProcessEnv,
  nodeArgs: readonly string[] = [],
): ProcessIdentity {
  fs.mkdirSync(path.dirname(log), { recursive: true });
  const fd = fs.openSync(log, 'a');
  try {
    const argv = [...nodeArgs, kzooBin(), ...args];
    const child = spawn(process.execPath, argv, {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: nodeProcessEnv({ ...process.env, ...env }),
    });
    if (child.pid === undefined) throw new Error(`could not start kzoo ${args.join(' ')}`);
    child.unref();
    const startTime = processStartTime(child.pid);
    return {
      pid: child.pid,
      ...(startTime !== null ? { startTime } : {}),
      cmdline: [process.execPath, ...argv].join(' '),
    };
  } finally {
    fs.closeSync(fd);
  }
}

/** Arguments of `kzoo broker start` for cluster member `b`. */
export function brokerStartArgs(c: ClusterFile, b: Omit<ClusterFileBroker, 'pid'>): string[] {
  const args = [
    'broker',
    'start',
    '--id',
    String(b.id),
    '--zk',
    c.zk,
    '--port',
    String(b.port),
    ...(b.kafkaPort !== undefined ? ['--kafka-port', String(b.kafkaPort)] : []),
    ...(b.metricsPort !== undefined ? ['--metrics-port', String(b.metricsPort)] : []),
    '--data-dir',
    b.dataDir,
    '--session-timeout-ms',
    String(c.sessionTimeoutMs),
  ];
  for (const o of c.overrides) args.push('--override', o);
  return args;
}

/**
 * How often `cluster up` and `broker start --id` start a process again on new ports after
 * its log said a port was taken (free ports are picked before the process binds them, and
 * another process can take one in between).
 */
export const PORT_RETRIES = 3;

/** The size of `file` in bytes, 0 when it does not exist. */
export function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

/** Whether `log`, from byte `from` on (what one start wrote), says a port was taken. */
export function portTaken(log: string, from = 0): boolean {
  try {
    return /EADDRINUSE|already in use/.test(fs.readFileSync(log).subarray(from).toString('utf8'));
  } catch {
    return false;
  }
}

/** The last `lines` lines of a log file, indented (for an error message). */
export function tail(file: string, lines = 10): string {
  try {
    const all = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
    return all
      .slice(-lines)
      .map((l) => `  ${l}`)
      .join('\n');
  } catch {
    return '  (no log)';
  }
}
