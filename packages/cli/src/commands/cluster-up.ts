/**
 * `kzoo cluster up --brokers N [--zk ...] [--dir D]`: starts an embedded ZooKeeper (unless
 * `--zk` names one) and N broker processes, all detached (they outlive the command, logs in
 * D), writes D/cluster.json and returns once every broker is registered and a controller is
 * elected. `kzoo cluster down`: SIGTERM to the brokers (followers of the controller first,
 * so their controlled shutdowns find it), then the controller, then ZooKeeper; SIGKILL for
 * any still running after `--timeout-ms`; removes the cluster file (`--purge`: the dir too).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { kzooNodeArgs } from '@kzoo/common';
import { freePorts, portIsFree } from '@kzoo/testkit';
import { KafkaZkClient } from '@kzoo/zk';
import {
  bootstrapOf,
  brokerStartArgs,
  clusterFilePath,
  isAlive,
  notOurs,
  processCmdline,
  type ProcessIdentity,
  kafkaBootstrapOf,
  readClusterFile,
  spawnDetached,
  fileSize,
  portTaken,
  PORT_RETRIES,
  tail,
  waitForPidExit,
  writeClusterFile,
  type ClusterFile,
  type ClusterFileBroker,
} from '../cluster-file';
import { run, UsageError } from '../common';
import { serveUntilSignal, startUi } from './ui';

/** `cluster up --port BASE`: broker i's Kafka listener is BASE + this + i - 1 (9092 -> 19092). */
export const KAFKA_PORT_OFFSET = 10000;

export interface UpArgs {
  brokers: number;
  port?: number;
  zk?: string;
  dir?: string;
  'session-timeout-ms': number;
  override: string[];
  'timeout-ms': number;
  ui?: boolean;
  'ui-port'?: number;
}

/** Ends a wait at once (a child died, a signal came): no point waiting for the deadline. */
class UpAborted extends Error {}

/** `cluster up` was interrupted by `signal` and rolled back. */
class UpInterrupted extends UpAborted {
  constructor(readonly signal: NodeJS.Signals) {
    super('interrupted: stopped what `cluster up` started');
  }
}

async function poll<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>) {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      if (e instanceof UpAborted) throw e;
      last = e;
    }
    if (Date.now() > deadline)
      throw new Error(
        `${what}: not within ${timeoutMs} ms` + (last ? ` (${(last as Error).message})` : ''),
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function connectZk(connect: string, timeoutMs: number): Promise<KafkaZkClient> {
  return KafkaZkClient.connect({
    connectString: connect,
    sessionTimeoutMs: 6000,
    connectionTimeoutMs: timeoutMs,
  });
}

/** Where `up` writes: `--dir`, else $KZOO_CLUSTER_FILE's dir, else `.kzoo`. */
function upLocation(dir?: string): { dir: string; file: string } {
  const file = clusterFilePath(dir);
  return { dir: path.dirname(file), file };
}

/**
 * Starts the cluster and returns its file once every broker is registered and a controller
 * elected. `pickPorts` hands out free ports (a test passes one that hands out a taken port).
 */
export async function clusterUp(
  args: UpArgs,
  pickPorts: (count: number) => Promise<number[]> = freePorts,
): Promise<ClusterFile> {
  if (!Number.isInteger(args.brokers) || args.brokers < 1 || args.brokers > 100)
    throw new Error(`--brokers must be an integer from 1 to 100, got ${args.brokers}`);
  const { dir, file } = upLocation(args.dir);
  const existing = readClusterFile(file);
  if (
    existing &&
    [existing.zookeeper, ...existing.brokers].some((p) => p !== undefined && notOurs(p) === null)
  )
    throw new Error(`a cluster is already up (${file}); run \`kzoo cluster down\` first`);
  fs.mkdirSync(dir, { recursive: true });
  const session = args['session-timeout-ms'];
  const ports = await pickPorts(2 * args.brokers + 1);
  // Each broker serves Prometheus metrics (kzoo.metrics.port) on a free port.
  const metricsPorts = await pickPorts(args.brokers);
  if (args.port !== undefined) {
    // fixed ports: broker i (1..N) native BASE+i-1, Kafka listener KAFKA_PORT_OFFSET above
    const base = args.port;
    const last = base + KAFKA_PORT_OFFSET + args.brokers - 1;
    if (!Number.isInteger(base) || base < 1 || last > 65535)
      throw new UsageError(
        `--port must be an integer from 1 to ${65535 - KAFKA_PORT_OFFSET - args.brokers + 1} with --brokers ${args.brokers} (Kafka listeners take BASE+${KAFKA_PORT_OFFSET}..), got ${base}`,
      );
    for (let id = 1; id <= args.brokers; id++) {
      ports[id] = base + id - 1;
      ports[args.brokers + id] = base + KAFKA_PORT_OFFSET + id - 1;
    }
    const wanted = ports.slice(1);
    const busy: number[] = [];
    for (const p of wanted) if (!(await portIsFree(p))) busy.push(p);
    if (busy.length > 0)
      throw new Error(`port${busy.length > 1 ? 's' : ''} ${busy.join(', ')} already in use`);
    // the embedded ZooKeeper keeps a free port unless that collides with one of ours
    if (wanted.includes(ports[0])) ports[0] = (await pickPorts(1))[0];
  }
  const cluster: ClusterFile = {
    version: 1,
    zk: args.zk ?? `127.0.0.1:${ports[0]}`,
    sessionTimeoutMs: session,
    // The last broker of a cluster going down cannot hand its leaderships to anyone and
    // retries its controlled shutdown: keep those retries short on a local cluster.
    overrides: args.override.some((o) => o.startsWith('controlled.shutdown.retry.backoff.ms='))
      ? args.override
      : ['controlled.shutdown.retry.backoff.ms=1000', ...args.override],
    brokers: [],
    createdAt: new Date().toISOString(),
    ...(args.port !== undefined ? { fixedPorts: true } : {}),
  };
  let interrupted: NodeJS.Signals | null = null;
  const onSignal = (sig: NodeJS.Signals) => {
    interrupted ??= sig;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // Free ports are picked before ZooKeeper and the brokers bind them, and another process
  // can take one in between: a process that exits on a taken port is started again on new
  // ones, up to PORT_RETRIES times (not with --port, whose ports are the user's).
  const logStart = new Map<string, number>();
  const portRetries = new Map<string, number>();
  const spawnLogged = (args: string[], log: string, nodeArgs: string[] = []): ProcessIdentity => {
    logStart.set(log, fileSize(log));
    return spawnDetached(args, log, {}, nodeArgs);
  };
  const retryOnNewPorts = (log: string): boolean => {
    const tries = portRetries.get(log) ?? 0;
    if (args.port !== undefined || tries >= PORT_RETRIES || !portTaken(log, logStart.get(log)))
      return false;
    portRetries.set(log, tries + 1);
    return true;
  };
  const startZooKeeper = (port: number) => {
    // Sessions may last 2..20 ticks: pick a tick that allows the asked session timeout.
    const tick = String(session <= 10000 ? 500 : 2000);
    const dataDir = path.resolve(dir, 'zookeeper');
    const log = path.resolve(dir, 'zookeeper.log');
    const zkArgs = ['zk', 'start', '--port', String(port), '--data-dir', dataDir];
    const proc = spawnLogged([...zkArgs, '--tick-time', tick], log);
    cluster.zookeeper = { ...proc, port, dataDir, log };
    cluster.zk = `127.0.0.1:${port}`;
    writeClusterFile(file, cluster);
  };
  const startBroker = (b: Omit<ClusterFileBroker, 'pid'>): ClusterFileBroker => ({
    ...b,
    ...spawnLogged(brokerStartArgs(cluster, b), b.log, kzooNodeArgs()),
  });
  /** Throws at once when a signal came or a process `up` started has exited. */
  const check = async () => {
    if (interrupted) throw new UpInterrupted(interrupted);
    const zkProc = cluster.zookeeper;
    if (zkProc && !isAlive(zkProc.pid)) {
      if (cluster.brokers.length === 0 && retryOnNewPorts(zkProc.log))
        return startZooKeeper((await pickPorts(1))[0]);
      throw new UpAborted(
        `ZooKeeper exited before the cluster was ready; last lines of ${zkProc.log}:\n` +
          tail(zkProc.log),
      );
    }
    for (const [i, b] of cluster.brokers.entries()) {
      if (isAlive(b.pid)) continue;
      if (retryOnNewPorts(b.log)) {
        const [port, kafkaPort, metricsPort] = await pickPorts(3);
        const { id, dataDir, log } = b;
        cluster.brokers[i] = startBroker({ id, port, kafkaPort, metricsPort, dataDir, log });
        writeClusterFile(file, cluster);
        continue;
      }
      throw new UpAborted(
        `broker ${b.id} exited before the cluster was ready; last lines of ${b.log}:\n` +
          tail(b.log),
      );
    }
  };
  try {
    if (!args.zk) startZooKeeper(ports[0]);
    const zk = await poll('ZooKeeper reachable', args['timeout-ms'], async () => {
      await check();
      return connectZk(cluster.zk, 2000);
    });
    try {
      for (let id = 1; id <= args.brokers; id++) {
        await check();
        cluster.brokers.push(
          startBroker({
            id,
            port: ports[id],
            kafkaPort: ports[args.brokers + id],
            metricsPort: metricsPorts[id - 1],
            dataDir: path.resolve(dir, `broker-${id}`),
            log: path.resolve(dir, `broker-${id}.log`),
          }),
        );
        writeClusterFile(file, cluster);
      }
      await poll('brokers registered and a controller elected', args['timeout-ms'], async () => {
        await check();
        const ids = await zk.getSortedBrokerList();
        const ctl = await zk.getControllerId();
        return ids.length === args.brokers && ctl !== null ? true : undefined;
      });
    } finally {
      await zk.close();
    }
  } catch (e) {
    // roll back: what was started is stopped and the cluster file removed, so the next
    // `cluster up` starts clean (the logs stay, for reading)
    await stopProcesses(cluster, 10000);
    fs.rmSync(file, { force: true });
    if (interrupted) throw new UpInterrupted(interrupted);
    if (e instanceof UpAborted)
      throw new Error(`${e.message}\nstopped what \`cluster up\` started`);
    throw new Error(`${(e as Error).message}; stopped what \`cluster up\` started`);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  return cluster;
}

const up: CommandModule<object, UpArgs> = {
  command: 'up',
  describe: 'Start ZooKeeper (unless --zk) and N broker processes in the background',
  builder: (y: Argv) =>
    y
      .option('brokers', { type: 'number', default: 3, describe: 'How many brokers (ids 1..N)' })
      .option('port', {
        type: 'number',
        describe: `Fixed ports: broker i's kzoo listener on BASE+i-1 (9092, 9093, ...), its Kafka listener on BASE+${KAFKA_PORT_OFFSET}+i-1 (19092, ...); default free ports`,
      })
      .option('zk', {
        type: 'string',
        describe: 'Use this ZooKeeper (host:port[/chroot]) instead of starting one',
      })
      .option('dir', {
        type: 'string',
        describe:
          'Directory for data, logs and cluster.json (default .kzoo, or $KZOO_CLUSTER_FILE’s)',
      })
      .option('session-timeout-ms', {
        type: 'number',
        default: 6000,
        describe: 'zookeeper.session.timeout.ms of the brokers (how fast a death is noticed)',
      })
      .option('override', {
        type: 'string',
        array: true,
        default: [],
        describe: 'Broker setting key=value for every broker (repeatable)',
      })
      .option('timeout-ms', {
        type: 'number',
        default: 60000,
        describe: 'How long to wait for registration and a controller',
      })
      .option('ui', {
        type: 'boolean',
        default: false,
        describe: 'Then serve the live web view (kzoo ui) until Ctrl-C; the cluster keeps running',
      })
      .option('ui-port', { type: 'number', default: 8080, describe: 'Port of --ui' })
      .example('$0 cluster up --brokers 3', 'ZooKeeper and brokers 1..3 under ./.kzoo')
      .example(
        '$0 cluster up --brokers 3 --port 9092',
        'brokers on 9092-9094, Kafka clients on 19092-19094',
      )
      .example(
        '$0 cluster up --brokers 3 --override unclean.leader.election.enable=true',
        'a cluster that prefers availability',
      ) as Argv<UpArgs>,
  handler: (args) =>
    run(async () => {
      let c: ClusterFile;
      try {
        c = await clusterUp(args);
      } catch (e) {
        if (!(e instanceof UpInterrupted)) throw e;
        process.stderr.write(`kzoo: ${e.message}\n`);
        process.exit(e.signal === 'SIGINT' ? 130 : 143);
      }
      const say = (s: string) => process.stdout.write(s + '\n');
      if (c.zookeeper) say(`zookeeper ${c.zk} (pid ${c.zookeeper.pid}, log ${c.zookeeper.log})`);
      else say(`zookeeper ${c.zk}`);
      for (const b of c.brokers)
        say(
          `broker ${b.id} 127.0.0.1:${b.port} kafka 127.0.0.1:${b.kafkaPort} (pid ${b.pid}, log ${b.log})`,
        );
      say(`cluster file ${upLocation(args.dir).file}`);
      say(`bootstrap servers ${bootstrapOf(c)}`);
      say(
        `kafka bootstrap servers ${kafkaBootstrapOf(c)}  (kcat -b, kafkajs brokers, bootstrap.servers)`,
      );
      if (args.ui) {
        const ui = await startUi({ zk: c.zk, port: args['ui-port'] ?? 8080, bind: '127.0.0.1' });
        say(`kzoo ui at ${ui.url}; Ctrl-C stops the UI (kzoo cluster down stops the cluster)`);
        await serveUntilSignal(ui);
      }
    }),
};

interface DownArgs {
  dir?: string;
  purge: boolean;
  'timeout-ms': number;
}

/**
 * SIGTERM, wait, SIGKILL when still there. Returns how it ended; a pid that is now another
 * process (a stale cluster file) is not signalled, and the result says so.
 */
async function terminate(p: ProcessIdentity, timeoutMs: number): Promise<string> {
  const why = notOurs(p);
  if (why === 'gone') return 'gone'; // also refuses 0, -1 and 1
  if (why !== null) return `not signalled: ${why}`;
  const pid = p.pid;
  try {
    process.kill(pid, 'SIGCONT'); // a paused process must run to handle SIGTERM
    process.kill(pid, 'SIGTERM');
  } catch {
    return 'gone';
  }
  if (await waitForPidExit(pid, timeoutMs)) return 'stopped';
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* exited meanwhile */
  }
  await waitForPidExit(pid, 5000);
  return 'killed';
}

/** The java pids `kzoo zk start` printed in its log (to be sure none is left). */
function zookeeperServerPids(log: string): number[] {
  try {
    const m = /zookeeper running at \S+ \(pid ([\d,]+)/.exec(fs.readFileSync(log, 'utf8'));
    return m
      ? m[1]
          .split(',')
          .map(Number)
          .filter((n) => Number.isInteger(n) && n > 1)
      : [];
  } catch {
    return [];
  }
}

/**
 * Stops a cluster's processes: the brokers (followers of the controller first, so their
 * controlled shutdowns find it), then the controller, then the embedded ZooKeeper.
 */
async function stopProcesses(c: ClusterFile, timeoutMs: number): Promise<string[]> {
  const out: string[] = [];
  let controller: number | null = null;
  if (c.brokers.some((b) => isAlive(b.pid))) {
    try {
      const zk = await connectZk(c.zk, 3000);
      try {
        controller = await zk.getControllerId();
      } finally {
        await zk.close();
      }
    } catch {
      /* ZooKeeper gone: stop in any order */
    }
  }
  const first = c.brokers.filter((b) => b.id !== controller);
  const last = c.brokers.filter((b) => b.id === controller);
  for (const group of [first, last]) {
    const results = await Promise.all(
      group.map(async (b) => [b, await terminate(b, timeoutMs)] as const),
    );
    for (const [b, how] of results) out.push(`broker ${b.id} (pid ${b.pid}): ${how}`);
  }
  if (c.zookeeper) {
    const how = await terminate(c.zookeeper, timeoutMs);
    // the java server, when it outlived `kzoo zk start` (and that pid is still a ZooKeeper)
    for (const pid of zookeeperServerPids(c.zookeeper.log))
      if (/zookeeper/i.test(processCmdline(pid) ?? '')) await terminate({ pid }, 5000);
    out.push(`zookeeper (pid ${c.zookeeper.pid}): ${how}`);
  }
  return out;
}

/** Stops the cluster of the cluster file; null when there is none (nothing is up). */
export async function clusterDown(args: DownArgs): Promise<string[] | null> {
  const file = clusterFilePath(args.dir);
  const c = readClusterFile(file);
  if (!c) return null;
  const out = await stopProcesses(c, args['timeout-ms']);
  fs.rmSync(file, { force: true });
  if (args.purge) {
    for (const b of c.brokers) {
      fs.rmSync(b.dataDir, { recursive: true, force: true });
      fs.rmSync(b.log, { force: true });
    }
    if (c.zookeeper) {
      fs.rmSync(c.zookeeper.dataDir, { recursive: true, force: true });
      fs.rmSync(c.zookeeper.log, { force: true });
    }
  }
  return out;
}

const down: CommandModule<object, DownArgs> = {
  command: 'down',
  describe: 'Stop the brokers and ZooKeeper that `cluster up` started',
  builder: (y: Argv) =>
    y
      .option('dir', { type: 'string', describe: 'The directory given to `cluster up`' })
      .option('purge', {
        type: 'boolean',
        default: false,
        describe: 'Also delete data directories and logs',
      })
      .option('timeout-ms', {
        type: 'number',
        default: 30000,
        describe: 'Per process: wait this long after SIGTERM, then SIGKILL',
      })
      .example('$0 cluster down --purge', 'stop everything and delete its data') as Argv<DownArgs>,
  handler: (args) =>
    run(async () => {
      const lines = await clusterDown(args);
      // like `docker compose down` with nothing up: a note, exit 0
      if (lines === null)
        process.stderr.write(
          `kzoo: no cluster is up (no cluster file at ${clusterFilePath(args.dir)}); nothing to stop\n`,
        );
      for (const line of lines ?? []) process.stdout.write(line + '\n');
    }),
};

export const clusterUpCommand = up;
export const clusterDownCommand = down;
