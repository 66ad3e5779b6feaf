/**
 * `kzoo broker start`: one broker process (the same Broker object tests run in-process).
 * Config from `--config server.properties` (Kafka's keys), then `--override key=value`,
 * then the flags. Prints one stdout line per registration and per controller change;
 * logs go to stderr. Exits non-zero with one clear line on a duplicate broker id or an
 * unreachable ZooKeeper; SIGTERM/SIGINT shut down cleanly (the session closes, so the
 * registration goes at once) and exit 0.
 * With a cluster file (`kzoo cluster up`) and only `--id`, `start` (re)starts that member
 * in the background; `kill|pause|resume|stop --id N` signal a member (SIGKILL, SIGSTOP,
 * SIGCONT, SIGTERM with controlled shutdown). `health --id N` exits 0 only when broker N is
 * registered in ZooKeeper and serving (a container healthcheck).
 */
import type { Argv, CommandModule } from 'yargs';
import { Broker, ConfigInput, KafkaConfig } from '@kzoo/broker';
import { Admin } from '@kzoo/client';
import { kzooNodeArgs, tuneProcessHeap } from '@kzoo/common';
import * as path from 'node:path';
import { freePorts } from '@kzoo/testkit';
import { endpointString, KafkaZkClient } from '@kzoo/zk';
import {
  brokerStartArgs,
  clusterFilePath,
  fileSize,
  isAlive,
  portTaken,
  PORT_RETRIES,
  readClusterFile,
  requireClusterFile,
  notOurs,
  spawnDetached,
  tail,
  waitForPidExit,
  writeClusterFile,
  type ClusterFileBroker,
} from '../cluster-file';
import { fail, run, withZk, withZkClient, type ZkArgs } from '../common';

interface StartArgs {
  id?: number;
  zk?: string;
  port?: number;
  'kafka-port'?: number;
  host: string;
  'data-dir'?: string;
  config?: string;
  override: string[];
  'session-timeout-ms'?: number;
  'metrics-port'?: number;
}

/** The name of the Kafka-protocol listener that `--kafka-port` (and `kzoo cluster up`) adds. */
export const KAFKA_LISTENER = 'KAFKA';

export function brokerConfigFromArgs(args: StartArgs): KafkaConfig {
  const overrides: ConfigInput = {};
  for (const kv of args.override ?? []) {
    const i = kv.indexOf('=');
    if (i <= 0) throw new Error(`--override expects key=value, got ${JSON.stringify(kv)}`);
    overrides[kv.slice(0, i).trim()] = kv.slice(i + 1).trim();
  }
  if (args.id !== undefined) overrides['broker.id'] = args.id;
  if (args.zk !== undefined) overrides['zookeeper.connect'] = args.zk;
  if (args['kafka-port'] !== undefined && args.port === undefined)
    throw new Error('--kafka-port needs --port (the kzoo listener, used between brokers)');
  if (args.port !== undefined) overrides.listeners = `PLAINTEXT://${args.host}:${args.port}`;
  if (args['kafka-port'] !== undefined) {
    overrides.listeners += `,${KAFKA_LISTENER}://${args.host}:${args['kafka-port']}`;
    overrides['listener.security.protocol.map'] ??=
      `PLAINTEXT:PLAINTEXT,${KAFKA_LISTENER}:PLAINTEXT`;
    overrides['listener.wire.protocol.map'] ??= `${KAFKA_LISTENER}:kafka`;
  }
  if (args['data-dir'] !== undefined) overrides['log.dirs'] = args['data-dir'];
  if (args['session-timeout-ms'] !== undefined)
    overrides['zookeeper.session.timeout.ms'] = args['session-timeout-ms'];
  if (args['metrics-port'] !== undefined) overrides['kzoo.metrics.port'] = args['metrics-port'];
  return args.config ? KafkaConfig.fromFile(args.config, overrides) : new KafkaConfig(overrides);
}

const start: CommandModule<object, StartArgs> = {
  command: 'start',
  describe: 'Start a broker: register in ZooKeeper, take part in controller election',
  builder: (y: Argv) =>
    y
      .option('id', {
        type: 'number',
        describe:
          'broker.id (default -1: the one in meta.properties, else generated from ZooKeeper)',
      })
      .option('zk', {
        type: 'string',
        describe: 'zookeeper.connect, host:port[,host:port...][/chroot]',
      })
      .option('port', {
        type: 'number',
        describe: 'Port of the PLAINTEXT listener (listeners=PLAINTEXT://HOST:PORT)',
      })
      .option('kafka-port', {
        type: 'number',
        describe:
          "Port of a second listener speaking Kafka's protocol, for Kafka clients and tools " +
          '(adds KAFKA://HOST:PORT with listener.wire.protocol.map=KAFKA:kafka)',
      })
      .option('host', {
        type: 'string',
        default: '127.0.0.1',
        describe: 'Host of the listeners given by --port and --kafka-port',
      })
      .option('data-dir', { type: 'string', describe: 'log.dirs' })
      .option('config', {
        type: 'string',
        describe: "server.properties file (Kafka's key=value format and key names)",
      })
      .option('override', {
        type: 'string',
        array: true,
        default: [],
        describe: 'key=value, wins over --config',
      })
      .option('session-timeout-ms', { type: 'number', describe: 'zookeeper.session.timeout.ms' })
      .option('metrics-port', {
        type: 'number',
        describe:
          'kzoo.metrics.port: serve Prometheus metrics (Kafka names) at http://127.0.0.1:PORT/metrics',
      })
      .example(
        '$0 broker start --id 1 --zk 127.0.0.1:2181/kzoo --port 9092 --data-dir /tmp/kzoo-1',
        'broker 1 on 127.0.0.1:9092',
      )
      .example(
        '$0 broker start --id 1 --zk 127.0.0.1:2181/kzoo --port 9092 --kafka-port 19092',
        'also serving Kafka clients (kcat -b 127.0.0.1:19092)',
      )
      .example(
        '$0 broker start --config server.properties --override broker.id=2',
        'from a Kafka properties file',
      ) as Argv<StartArgs>,
  handler: (args) =>
    run(async () => {
      if (
        args.id !== undefined &&
        args.zk === undefined &&
        args.config === undefined &&
        args.port === undefined &&
        args['data-dir'] === undefined &&
        readClusterFile() !== null
      ) {
        process.stdout.write((await startClusterMember(args.id)) + '\n');
        return;
      }
      let config: KafkaConfig;
      try {
        tuneProcessHeap(); // fewer full GCs under load (common/process-heap.ts)
        config = brokerConfigFromArgs(args);
      } catch (e) {
        fail(e);
      }
      const broker = new Broker(config);
      const say = (line: string) => process.stdout.write(line + '\n');
      broker.on('registered', ({ brokerEpoch }: { brokerEpoch: number }) =>
        say(
          `broker ${broker.brokerId} registered at ${broker.advertisedListeners.map(endpointString).join(',')} ` +
            `(zk ${config.zkConnect}, broker epoch ${brokerEpoch})`,
        ),
      );
      let stopping = false;
      // 15 s for the shutdown itself, plus what controlled shutdown may spend asking.
      const guardMs =
        15000 +
        (config.getBoolean('controlled.shutdown.enable')
          ? config.getInt('controlled.shutdown.max.retries') *
            (config.getInt('controller.socket.timeout.ms') +
              config.getInt('controlled.shutdown.retry.backoff.ms'))
          : 0);
      const stop = async (code: number, why?: unknown) => {
        if (stopping) return;
        stopping = true;
        if (why)
          process.stderr.write(`kzoo: ${why instanceof Error ? why.message : String(why)}\n`);
        setTimeout(() => {
          process.stderr.write(`kzoo: shutdown took longer than ${guardMs} ms, exiting\n`);
          process.exit(code === 0 ? 1 : code);
        }, guardMs).unref();
        await broker.shutdown().catch(() => undefined);
        process.exit(code);
      };
      process.on('SIGTERM', () => void stop(0));
      process.on('SIGINT', () => void stop(0));
      broker.on('fatal', (e: Error) => void stop(1, e));
      try {
        await broker.start();
      } catch (e) {
        if (stopping) return; // SIGTERM during startup: stop() exits 0
        fail(e);
      }
      broker.controller.on('failover', ({ epoch }: { epoch: number }) =>
        say(`broker ${broker.brokerId} is the controller (epoch ${epoch})`),
      );
      broker.controller.on('resignation', ({ epoch }: { epoch: number }) =>
        say(`broker ${broker.brokerId} resigned as controller (epoch ${epoch})`),
      );
      broker.controller.on('fenced', (e: Error) =>
        say(`broker ${broker.brokerId} controller write fenced: ${e.message}`),
      );
    }),
};

interface MemberArgs {
  id: number;
  'timeout-ms': number;
}

/** Restarts (or adds) cluster member `id` in the background; resolves once it is registered. */
export async function startClusterMember(id: number, timeoutMs = 30000): Promise<string> {
  const file = clusterFilePath();
  const c = requireClusterFile(file);
  let b = c.brokers.find((x) => x.id === id);
  if (b && notOurs(b) === null) throw new Error(`broker ${id} is already running (pid ${b.pid})`);
  if (!b) {
    const [port, kafkaPort] = await freePorts(2);
    const dir = path.dirname(file);
    b = {
      id,
      pid: -1,
      port,
      kafkaPort,
      dataDir: path.resolve(dir, `broker-${id}`),
      log: path.resolve(dir, `broker-${id}.log`),
    };
    c.brokers.push(b);
  }
  const entry = b; // narrowed for the closure below
  let logStart = 0;
  const spawn = () => {
    logStart = fileSize(entry.log);
    const proc = spawnDetached(brokerStartArgs(c, entry), entry.log, {}, kzooNodeArgs());
    delete entry.startTime;
    Object.assign(entry, proc);
    writeClusterFile(file, c);
  };
  spawn();
  let retries = 0;
  const zk = await KafkaZkClient.connect({
    connectString: c.zk,
    sessionTimeoutMs: 6000,
    connectionTimeoutMs: 10000,
    createChroot: false,
  });
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const reg = await zk.getBrokerAndEpoch(id);
      if (reg && reg.broker.endpoints.some((e) => e.port === entry.port)) break;
      if (!isAlive(entry.pid)) {
        // Its port was taken while it was down (as `cluster up` does: new ports, again,
        // unless the user chose them with `cluster up --port`).
        if (!c.fixedPorts && retries < PORT_RETRIES && portTaken(entry.log, logStart)) {
          retries++;
          const [port, kafkaPort, metricsPort] = await freePorts(3);
          entry.port = port;
          if (entry.kafkaPort !== undefined) entry.kafkaPort = kafkaPort;
          if (entry.metricsPort !== undefined) entry.metricsPort = metricsPort;
          spawn();
          continue;
        }
        throw new Error(`broker ${id} exited; last lines of ${entry.log}:\n${tail(entry.log)}`);
      }
      if (Date.now() > deadline)
        throw new Error(`broker ${id} did not register within ${timeoutMs} ms; see ${entry.log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await zk.close();
  }
  const kafka = entry.kafkaPort !== undefined ? `, kafka 127.0.0.1:${entry.kafkaPort}` : '';
  const moved = retries > 0 ? '; on new ports: its old ones were taken' : '';
  return `broker ${id} started (pid ${entry.pid}, 127.0.0.1:${entry.port}${kafka})${moved}`;
}

function member(id: number): ClusterFileBroker {
  const b = requireClusterFile().brokers.find((x) => x.id === id);
  if (!b) throw new Error(`broker ${id} is not in the cluster file ${clusterFilePath()}`);
  return b;
}

/** Signals broker `id`, only if its pid is still the process the cluster file recorded. */
export function signalMember(id: number, signal: NodeJS.Signals): ClusterFileBroker {
  const b = member(id);
  const why = notOurs(b);
  if (why === 'gone') throw new Error(`broker ${id} is not running (pid ${b.pid})`);
  if (why !== null)
    throw new Error(
      `broker ${id} is not running: ${why}; not signalling it (the cluster file ${clusterFilePath()} is stale)`,
    );
  process.kill(b.pid, signal);
  return b;
}

const memberOptions = (y: Argv) =>
  y
    .option('id', { type: 'number', demandOption: true, describe: 'broker.id in the cluster file' })
    .option('timeout-ms', {
      type: 'number',
      default: 60000,
      describe: 'How long to wait for the process to exit',
    }) as Argv<MemberArgs>;

const kill: CommandModule<object, MemberArgs> = {
  command: 'kill',
  describe: 'SIGKILL a broker of the `cluster up` cluster (its session expires later)',
  builder: memberOptions,
  handler: (args) =>
    run(async () => {
      const b = signalMember(args.id, 'SIGKILL');
      await waitForPidExit(b.pid, args['timeout-ms']);
      process.stdout.write(`broker ${args.id} killed (pid ${b.pid})\n`);
    }),
};

const pause: CommandModule<object, MemberArgs> = {
  command: 'pause',
  describe: 'SIGSTOP a broker (it freezes; its ZooKeeper session times out)',
  builder: memberOptions,
  handler: (args) =>
    run(async () => {
      const b = signalMember(args.id, 'SIGSTOP');
      process.stdout.write(`broker ${args.id} paused (pid ${b.pid})\n`);
    }),
};

const resume: CommandModule<object, MemberArgs> = {
  command: 'resume',
  describe: 'SIGCONT a paused broker',
  builder: memberOptions,
  handler: (args) =>
    run(async () => {
      const b = signalMember(args.id, 'SIGCONT');
      process.stdout.write(`broker ${args.id} resumed (pid ${b.pid})\n`);
    }),
};

const stop: CommandModule<object, MemberArgs> = {
  command: 'stop',
  describe: 'SIGTERM a broker: controlled shutdown, then exit; waits for the exit',
  builder: memberOptions,
  handler: (args) =>
    run(async () => {
      const b = signalMember(args.id, 'SIGCONT'); // a paused broker must run to shut down
      signalMember(args.id, 'SIGTERM');
      if (!(await waitForPidExit(b.pid, args['timeout-ms'])))
        throw new Error(
          `broker ${args.id} (pid ${b.pid}) still running after ${args['timeout-ms']} ms`,
        );
      process.stdout.write(`broker ${args.id} stopped (pid ${b.pid})\n`);
    }),
};

interface HealthArgs extends ZkArgs {
  id: number;
  'bootstrap-server': string;
  'timeout-ms': number;
}

/**
 * Whether broker `id` is healthy: registered in ZooKeeper (`/brokers/ids/<id>`), and the
 * broker at `bootstrap` answers Metadata listing itself among the live brokers with a
 * controller. Its Metadata comes from the controller's UpdateMetadata, so this also says the
 * controller has seen the registration. Resolves to a one-line description; throws one naming
 * what is missing.
 */
export async function brokerHealth(args: HealthArgs): Promise<string> {
  const reg = await withZkClient(args, (zk) => zk.getBrokerAndEpoch(args.id));
  if (!reg) throw new Error(`broker ${args.id} is not registered in ZooKeeper (${args.zk})`);
  const timeout = args['timeout-ms'];
  const admin = new Admin({
    'bootstrap.servers': args['bootstrap-server'],
    'client.id': 'kzoo-health',
    'request.timeout.ms': timeout,
    'socket.connection.setup.timeout.ms': timeout,
    'default.api.timeout.ms': timeout,
  });
  try {
    const cluster = await admin.describeCluster().catch((e: Error) => {
      throw new Error(
        `broker ${args.id} does not answer at ${args['bootstrap-server']}: ${e.message}`,
      );
    });
    if (!cluster.brokers.some((b) => b.nodeId === args.id))
      throw new Error(
        `broker ${args.id} is registered but the metadata at ${args['bootstrap-server']} does not list it yet ` +
          `(live: ${cluster.brokers.map((b) => b.nodeId).join(',') || 'none'})`,
      );
    if (!cluster.controller)
      throw new Error(`broker ${args.id} is registered and serving but knows no controller`);
    return (
      `broker ${args.id} healthy: registered (broker epoch ${reg.epoch}), serving at ${args['bootstrap-server']}, ` +
      `controller ${cluster.controller.nodeId}`
    );
  } finally {
    await admin.close();
  }
}

const health: CommandModule<object, HealthArgs> = {
  command: 'health',
  describe:
    'Exit 0 if broker N is registered in ZooKeeper and serves Metadata listing itself (a healthcheck)',
  builder: (y: Argv) =>
    withZk(y)
      .option('id', { type: 'number', demandOption: true, describe: 'broker.id to check' })
      .option('bootstrap-server', {
        type: 'string',
        default: '127.0.0.1:9092',
        describe: "The broker's own listener, HOST:PORT",
      })
      .option('timeout-ms', {
        type: 'number',
        default: 3000,
        describe: 'How long to wait for ZooKeeper and for the broker',
      })
      .option('zk-timeout-ms', { type: 'number', default: 3000, hidden: true })
      .example(
        '$0 broker health --id 1 --zk zookeeper:2181/kzoo --bootstrap-server 127.0.0.1:9092',
        "docker-compose.yml's healthcheck",
      ) as unknown as Argv<HealthArgs>,
  handler: (args) =>
    run(async () => {
      // A healthcheck must answer: give up (exit 1) if ZooKeeper or the broker hangs.
      setTimeout(() => {
        process.stderr.write(
          `kzoo: broker ${args.id}: no answer within ${2 * args['timeout-ms']} ms\n`,
        );
        process.exit(1);
      }, 2 * args['timeout-ms']).unref();
      process.stdout.write((await brokerHealth(args)) + '\n');
    }),
};

export const brokerCommand: CommandModule = {
  command: 'broker <command>',
  describe: 'Run a kzoo broker; kill, pause, resume, stop or restart one of a `cluster up` cluster',
  builder: (y: Argv) =>
    y
      .command(start)
      .command(kill)
      .command(pause)
      .command(resume)
      .command(stop)
      .command(health)
      .demandCommand(1, 'name a broker command: start, kill, pause, resume, stop or health'),
  handler: () => undefined,
};
