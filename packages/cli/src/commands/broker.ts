/**
 * `kzoo broker start`: one broker process (the same Broker object tests run in-process).
 * Config from `--config server.properties` (Kafka's keys), then `--override key=value`,
 * then the flags. Prints one stdout line per registration and per controller change;
 * logs go to stderr. Exits non-zero with one clear line on a duplicate broker id or an
 * unreachable ZooKeeper; SIGTERM/SIGINT shut down cleanly (the session closes, so the
 * registration goes at once) and exit 0.
 */
import type { Argv, CommandModule } from 'yargs';
import { Broker, ConfigInput, KafkaConfig } from '@kzoo/broker';
import { endpointString } from '@kzoo/zk';
import { fail, run } from '../common';

interface StartArgs {
  id?: number;
  zk?: string;
  port?: number;
  host: string;
  'data-dir'?: string;
  config?: string;
  override: string[];
  'session-timeout-ms'?: number;
}

export function brokerConfigFromArgs(args: StartArgs): KafkaConfig {
  const overrides: ConfigInput = {};
  for (const kv of args.override ?? []) {
    const i = kv.indexOf('=');
    if (i <= 0) throw new Error(`--override expects key=value, got ${JSON.stringify(kv)}`);
    overrides[kv.slice(0, i).trim()] = kv.slice(i + 1).trim();
  }
  if (args.id !== undefined) overrides['broker.id'] = args.id;
  if (args.zk !== undefined) overrides['zookeeper.connect'] = args.zk;
  if (args.port !== undefined) overrides.listeners = `PLAINTEXT://${args.host}:${args.port}`;
  if (args['data-dir'] !== undefined) overrides['log.dirs'] = args['data-dir'];
  if (args['session-timeout-ms'] !== undefined)
    overrides['zookeeper.session.timeout.ms'] = args['session-timeout-ms'];
  return args.config ? KafkaConfig.fromFile(args.config, overrides) : new KafkaConfig(overrides);
}

const start: CommandModule<object, StartArgs> = {
  command: 'start',
  describe: 'Start a broker: register in ZooKeeper, take part in controller election',
  builder: (y: Argv) =>
    y
      .option('id', { type: 'number', describe: 'broker.id' })
      .option('zk', {
        type: 'string',
        describe: 'zookeeper.connect, host:port[,host:port...][/chroot]',
      })
      .option('port', {
        type: 'number',
        describe: 'Port of the PLAINTEXT listener (listeners=PLAINTEXT://HOST:PORT)',
      })
      .option('host', {
        type: 'string',
        default: '127.0.0.1',
        describe: 'Host of the listener given by --port',
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
      .example(
        '$0 broker start --id 1 --zk 127.0.0.1:2181/kzoo --port 9092 --data-dir /tmp/kzoo-1',
        'broker 1 on 127.0.0.1:9092',
      )
      .example(
        '$0 broker start --config server.properties --override broker.id=2',
        'from a Kafka properties file',
      ) as Argv<StartArgs>,
  handler: (args) =>
    run(async () => {
      let config: KafkaConfig;
      try {
        config = brokerConfigFromArgs(args);
      } catch (e) {
        fail(e);
      }
      const broker = new Broker(config);
      const id = config.brokerId;
      const say = (line: string) => process.stdout.write(line + '\n');
      broker.on('registered', ({ brokerEpoch }: { brokerEpoch: number }) =>
        say(
          `broker ${id} registered at ${broker.advertisedListeners.map(endpointString).join(',')} ` +
            `(zk ${config.zkConnect}, broker epoch ${brokerEpoch})`,
        ),
      );
      let stopping = false;
      const stop = async (code: number, why?: unknown) => {
        if (stopping) return;
        stopping = true;
        if (why)
          process.stderr.write(`kzoo: ${why instanceof Error ? why.message : String(why)}\n`);
        setTimeout(() => {
          process.stderr.write('kzoo: shutdown took longer than 15 s, exiting\n');
          process.exit(code === 0 ? 1 : code);
        }, 15000).unref();
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
        say(`broker ${id} is the controller (epoch ${epoch})`),
      );
      broker.controller.on('resignation', ({ epoch }: { epoch: number }) =>
        say(`broker ${id} resigned as controller (epoch ${epoch})`),
      );
      broker.controller.on('fenced', (e: Error) =>
        say(`broker ${id} controller write fenced: ${e.message}`),
      );
    }),
};

export const brokerCommand: CommandModule = {
  command: 'broker <command>',
  describe: 'Run a kzoo broker',
  builder: (y: Argv) => y.command(start).demandCommand(1, 'name a broker command, e.g. start'),
  handler: () => undefined,
};
