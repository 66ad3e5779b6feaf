/**
 * `kzoo zk start` (the real ZooKeeper in the foreground), `kzoo zk tree [PATH]` and
 * `kzoo zk get PATH` (read znodes, like zkCli.sh `ls -R` and `get`).
 */
import type { Argv, CommandModule } from 'yargs';
import { startZooKeeper } from '@kzoo/testkit';
import { joinPath, NoNodeError, ZkStat } from '@kzoo/zk';
import { fail, run, withZk, withZkClient, ZkArgs } from '../common';

interface StartArgs {
  port?: number;
  'data-dir'?: string;
  'tick-time': number;
  nodes: number;
  host: string;
}

const start: CommandModule<object, StartArgs> = {
  command: 'start',
  describe: 'Run Apache ZooKeeper (the installed server) in the foreground until SIGINT/SIGTERM',
  builder: (y: Argv) =>
    y
      .option('port', { type: 'number', describe: 'Client port (standalone; default a free port)' })
      .option('data-dir', {
        type: 'string',
        describe: 'Data directory, kept on exit (default a temp dir, removed on exit)',
      })
      .option('tick-time', {
        type: 'number',
        default: 2000,
        describe: 'tickTime ms; sessions may last 2..20 ticks',
      })
      .option('nodes', {
        type: 'number',
        default: 1,
        choices: [1, 3],
        describe: '1 = standalone, 3 = local ensemble',
      })
      .option('host', { type: 'string', default: '127.0.0.1', describe: 'Address to bind' })
      .example(
        '$0 zk start --port 2181 --data-dir /tmp/kzoo-zk',
        'standalone ZooKeeper on 127.0.0.1:2181',
      ) as Argv<StartArgs>,
  handler: (args) =>
    run(async () => {
      // A signal during startup (before the server serves) must not orphan the JVM: note
      // it, and stop the server as soon as startZooKeeper hands it over.
      let stopAsked: number | null = null;
      const early = (sig: NodeJS.Signals) => {
        stopAsked ??= sig === 'SIGINT' ? 130 : 143;
      };
      process.on('SIGINT', early);
      process.on('SIGTERM', early);
      const zk = await startZooKeeper({
        nodes: args.nodes as 1 | 3,
        clientPort: args.port,
        dataDir: args['data-dir'],
        tickTimeMs: args['tick-time'],
        host: args.host,
        logLevel: process.env.KZOO_ZK_LOG_LEVEL ?? 'info',
        echoOutput: true,
      });
      process.off('SIGINT', early);
      process.off('SIGTERM', early);
      if (stopAsked !== null) {
        await zk.stop();
        process.exit(stopAsked);
      }
      const pids = zk.nodes.map((n) => n.pid).join(',');
      const dirs = args['data-dir'] ?? zk.nodes.map((n) => n.dataDir).join(',');
      process.stdout.write(
        `zookeeper running at ${zk.connectString} (pid ${pids}, data dir ${dirs})\n`,
      );
      let stopping = false;
      const stop = async (code: number) => {
        if (stopping) return;
        stopping = true;
        clearInterval(watchdog);
        await zk.stop();
        process.exit(code);
      };
      const watchdog = setInterval(() => {
        if (zk.nodes.every((n) => !n.running)) {
          process.stderr.write('kzoo: ZooKeeper exited unexpectedly\n');
          void stop(1);
        }
      }, 500);
      process.on('SIGINT', () => void stop(0));
      process.on('SIGTERM', () => void stop(0));
    }),
};

type TreeArgs = ZkArgs & { path: string; data: boolean; json: boolean };

const tree: CommandModule<object, TreeArgs> = {
  command: 'tree [path]',
  describe: 'List a znode and everything under it (like zkCli.sh ls -R)',
  builder: (y: Argv) =>
    withZk(y)
      .positional('path', { type: 'string', default: '/', describe: 'Starting znode' })
      .option('data', { type: 'boolean', default: false, describe: 'Also print each node’s data' })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'A JSON array of {path} (with --data: {path, data}), depth first',
      })
      .example('$0 zk tree /brokers --zk 127.0.0.1:2181/kzoo', 'the brokers subtree')
      .example(
        '$0 zk tree /config --data --json',
        'the config znodes and their data as JSON',
      ) as Argv<TreeArgs>,
  handler: (args) =>
    run(async () => {
      await withZkClient(args, async (kzk) => {
        const nodes: Array<{ path: string; data?: string | null }> = [];
        const walk = async (path: string): Promise<void> => {
          if (args.data) {
            const d = await kzk.getDataAndStat(path);
            nodes.push({
              path,
              data: d?.data && d.data.length > 0 ? d.data.toString('utf8') : null,
            });
          } else nodes.push({ path });
          const children = await kzk.getChildren(path);
          for (const c of children) await walk(joinPath(path, c));
        };
        if (!(await kzk.pathExists(args.path))) throw new NoNodeError('NoNode', args.path, 'tree');
        await walk(args.path);
        if (args.json) {
          process.stdout.write(JSON.stringify(nodes) + '\n');
          return;
        }
        const lines = nodes.map((n) => (n.data ? `${n.path}  ${n.data}` : n.path));
        process.stdout.write(lines.join('\n') + '\n');
      });
    }),
};

type GetArgs = ZkArgs & { path: string; stat: boolean; json: boolean };

function formatStat(s: ZkStat): string {
  const hex = (n: number) => '0x' + n.toString(16);
  return [
    `cZxid = ${hex(s.czxid)}`,
    `ctime = ${new Date(s.ctime).toString()}`,
    `mZxid = ${hex(s.mzxid)}`,
    `mtime = ${new Date(s.mtime).toString()}`,
    `pZxid = ${hex(s.pzxid)}`,
    `cversion = ${s.cversion}`,
    `dataVersion = ${s.version}`,
    `aclVersion = ${s.aversion}`,
    `ephemeralOwner = ${s.ephemeralOwner ?? '0x0'}`,
    `dataLength = ${s.dataLength}`,
    `numChildren = ${s.numChildren}`,
  ].join('\n');
}

const get: CommandModule<object, GetArgs> = {
  command: 'get <path>',
  describe: 'Print a znode’s data (like zkCli.sh get)',
  builder: (y: Argv) =>
    withZk(y)
      .positional('path', { type: 'string', demandOption: true, describe: 'The znode' })
      .option('stat', {
        type: 'boolean',
        default: false,
        describe: 'Also print the Stat (zxids, versions, owner)',
      })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'One JSON object: path, data (a string, null when empty) and the Stat',
      })
      .example('$0 zk get /brokers/ids/1 --zk 127.0.0.1:2181/kzoo', 'broker 1’s registration')
      .example('$0 zk get /controller --json', 'data and Stat as JSON') as Argv<GetArgs>,
  handler: (args) =>
    run(async () => {
      await withZkClient(args, async (kzk) => {
        const d = await kzk.getDataAndStat(args.path);
        if (!d) fail(new NoNodeError('NoNode', args.path, 'get'));
        if (args.json) {
          const data = d.data && d.data.length > 0 ? d.data.toString('utf8') : null;
          process.stdout.write(JSON.stringify({ path: args.path, data, stat: d.stat }) + '\n');
          return;
        }
        process.stdout.write((d.data ? d.data.toString('utf8') : 'null') + '\n');
        if (args.stat) process.stdout.write(formatStat(d.stat) + '\n');
      });
    }),
};

export const zkCommand: CommandModule = {
  command: 'zk <command>',
  describe: 'Run ZooKeeper, read znodes',
  builder: (y: Argv) =>
    y
      .command(start)
      .command(tree)
      .command(get)
      .demandCommand(1, 'name a zk command: start, tree or get'),
  handler: () => undefined,
};
