/**
 * `kzoo demo`: a narrated tour of a ZooKeeper-coordinated cluster on this machine.
 * Starts a real ZooKeeper and three broker processes, shows what they wrote in
 * ZooKeeper, kills the controller with SIGKILL and times the election of the next
 * one, then stops everything and removes its files (unless --keep).
 */
import type { Argv, CommandModule } from 'yargs';
import { KafkaZkClient } from '@kzoo/zk';
import {
  BrokerProcess,
  makeTempDir,
  removeDir,
  startBrokerProcess,
  startZooKeeper,
  waitFor,
  ZooKeeperHandle,
} from '@kzoo/testkit';
import { clusterStatus, formatClusterStatus } from './cluster';
import { run } from '../common';

interface DemoArgs {
  brokers: number;
  'session-timeout-ms': number;
  keep: boolean;
}

const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const say = (s = '') => process.stdout.write(s + '\n');
function step(n: number, title: string, why: string): void {
  say();
  say(bold(`[${n}] ${title}`));
  say(`    ${why}`);
}
function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => '    ' + l)
    .join('\n');
}

async function zkTree(zk: KafkaZkClient, path: string, depth: number): Promise<string[]> {
  const out: string[] = [];
  const walk = async (p: string, level: number): Promise<void> => {
    const data = (await zk.getDataAndStat(p))?.data;
    const text = data && data.length > 0 ? ` = ${data.toString('utf8')}` : '';
    out.push(`${'  '.repeat(level)}${p}${text.length > 140 ? text.slice(0, 137) + '...' : text}`);
    if (level >= depth) return;
    const children = await zk.getChildren(p);
    for (const c of children) await walk(p === '/' ? `/${c}` : `${p}/${c}`, level + 1);
  };
  await walk(path, 0);
  return out;
}

export async function runDemo(args: DemoArgs): Promise<void> {
  const dir = makeTempDir('kzoo-demo-');
  const procs = new Map<number, BrokerProcess>();
  let zkServer: ZooKeeperHandle | undefined;
  let zk: KafkaZkClient | undefined;
  const cleanup = async () => {
    await zk?.close().catch(() => undefined);
    await Promise.all([...procs.values()].map((p) => p.kill('SIGKILL').catch(() => undefined)));
    await zkServer?.stop().catch(() => undefined);
    removeDir(dir);
  };
  const onSignal = () => void cleanup().then(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    step(1, 'Start Apache ZooKeeper', 'The real server (QuorumPeerMain) on a free loopback port.');
    const t0 = Date.now();
    zkServer = await startZooKeeper({ nodes: 1, tickTimeMs: 500 });
    const connect = `${zkServer.connectString}/kzoo-demo`;
    say(
      `    serving at ${zkServer.connectString} after ${Date.now() - t0} ms; cluster chroot /kzoo-demo`,
    );

    step(
      2,
      `Start ${args.brokers} broker processes`,
      'Each registers the ephemeral /brokers/ids/<id> and races to create /controller.',
    );
    const t1 = Date.now();
    const ids = Array.from({ length: args.brokers }, (_, i) => i + 1);
    await Promise.all(
      ids.map(async (id) => {
        const p = await startBrokerProcess({
          id,
          zk: connect,
          dataDir: `${dir}/broker-${id}`,
          sessionTimeoutMs: args['session-timeout-ms'],
          cleanup: false,
        });
        procs.set(id, p);
      }),
    );
    zk = await KafkaZkClient.connect({
      connectString: connect,
      sessionTimeoutMs: 6000,
      connectionTimeoutMs: 10000,
    });
    const first = await waitFor(
      'a controller',
      async () => (await zk!.getControllerId()) ?? undefined,
      { timeoutMs: 10000 },
    );
    say(
      `    ${args.brokers} brokers registered in ${Date.now() - t1} ms; controller is broker ${first}`,
    );
    say(indent(formatClusterStatus(await clusterStatus(zk))));

    step(
      3,
      'What the cluster wrote in ZooKeeper',
      "Kafka's own znode layout: `kzoo zk tree / --zk " + connect + '`',
    );
    say(indent((await zkTree(zk, '/', 3)).filter((l) => !l.startsWith('  /zookeeper')).join('\n')));

    step(
      4,
      `SIGKILL the controller (broker ${first})`,
      `Its ZooKeeper session lives on until zookeeper.session.timeout.ms (${args['session-timeout-ms']} ms) passes; then /controller vanishes and the survivors race again. /controller_epoch goes up, fencing the old controller.`,
    );
    const before = await zk.getControllerEpoch();
    const killedAt = Date.now();
    await procs.get(first)!.kill('SIGKILL');
    procs.delete(first);
    const next = await waitFor(
      'a new controller',
      async () => {
        const id = await zk!.getControllerId();
        return id !== null && id !== first ? id : undefined;
      },
      { timeoutMs: args['session-timeout-ms'] * 3 + 10000 },
    );
    const after = await zk.getControllerEpoch();
    say(
      `    broker ${next} became controller ${Date.now() - killedAt} ms after the kill; controller epoch ${before?.epoch} -> ${after?.epoch}`,
    );
    say(indent(formatClusterStatus(await clusterStatus(zk))));

    if (args.keep) {
      say();
      say(bold('Cluster left running (--keep). Try:'));
      say(`    kzoo cluster status --zk ${connect}`);
      say(`    kzoo zk tree / --zk ${connect}`);
      say('    Ctrl-C stops everything.');
      await new Promise(() => undefined);
    }
    step(5, 'Stop', 'Brokers, ZooKeeper and the demo directory are removed.');
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    await cleanup();
  }
  say('    done.');
}

export const demoCommand: CommandModule<object, DemoArgs> = {
  command: 'demo',
  describe:
    'Tour a live ZooKeeper-coordinated cluster: start, inspect, kill the controller, fail over',
  builder: (y: Argv) =>
    y
      .option('brokers', { type: 'number', default: 3, describe: 'How many broker processes' })
      .option('session-timeout-ms', {
        type: 'number',
        default: 3000,
        describe: 'zookeeper.session.timeout.ms of the brokers (Kafka default 18000)',
      })
      .option('keep', {
        type: 'boolean',
        default: false,
        describe: 'Leave the cluster running until Ctrl-C',
      })
      .example('$0 demo', 'the whole tour, about 10 seconds')
      .example(
        '$0 demo --keep',
        'then explore with kzoo cluster status / zk tree',
      ) as Argv<DemoArgs>,
  handler: (args) => run(() => runDemo(args)),
};
