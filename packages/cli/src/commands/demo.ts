/**
 * `kzoo demo`: a narrated tour of a ZooKeeper-coordinated cluster on this machine.
 * A real ZooKeeper and three broker processes; what they write in ZooKeeper; a
 * replicated topic written with acks=all; SIGKILL of a partition leader (election from
 * the ISR, nothing acknowledged lost); SIGKILL of the controller (epoch fencing);
 * min.insync.replicas refusing acks=all on a lone survivor; the dead brokers' return
 * and the ISR growing back. Everything is stopped and removed at the end unless --keep.
 */
import { spawnSync } from 'node:child_process';
import type { Argv, CommandModule } from 'yargs';
import { KafkaZkClient } from '@kzoo/zk';
import { Admin, Consumer, Producer, type TopicDescription } from '@kzoo/client';
import { KafkaError, setLogLevel } from '@kzoo/common';
import {
  BrokerProcess,
  freePorts,
  makeTempDir,
  removeDir,
  startBrokerProcess,
  startZooKeeper,
  waitFor,
  ZooKeeperHandle,
} from '@kzoo/testkit';
import { UiServer } from '@kzoo/ui';
import { clusterStatus, formatClusterStatus } from './cluster';
import { formatTopicDescription } from './topic';
import { run } from '../common';

interface DemoArgs {
  brokers: number;
  records: number;
  'session-timeout-ms': number;
  keep: boolean;
  ui?: boolean;
  'ui-port'?: number;
}

const TOPIC = 'orders';
const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const say = (s = '') => process.stdout.write(s + '\n');
let stepNo = 0;
function step(title: string, why: string): void {
  say();
  say(bold(`[${++stepNo}] ${title}`));
  for (const line of why.split('\n')) say(`    ${line}`);
}
const indent = (text: string) =>
  text
    .split('\n')
    .map((l) => '    ' + l)
    .join('\n');

async function zkTree(zk: KafkaZkClient, path: string, depth: number): Promise<string[]> {
  const out: string[] = [];
  const walk = async (p: string, level: number): Promise<void> => {
    const data = (await zk.getDataAndStat(p))?.data;
    const text = data && data.length > 0 ? ` = ${data.toString('utf8')}` : '';
    out.push(`${'  '.repeat(level)}${p}${text.length > 110 ? text.slice(0, 107) + '...' : text}`);
    if (level >= depth) return;
    for (const c of await zk.getChildren(p))
      await walk(p === '/' ? `/${c}` : `${p}/${c}`, level + 1);
  };
  await walk(path, 0);
  return out;
}

class Demo {
  readonly dir = makeTempDir('kzoo-demo-');
  readonly procs = new Map<number, BrokerProcess>();
  readonly ports = new Map<number, number>();
  readonly kafkaPorts = new Map<number, number>();
  /** Brokers' kzoo.metrics.port (with --ui, for the per-replica log end offsets). */
  readonly metricsPorts = new Map<number, number>();
  ui?: UiServer;
  zkServer?: ZooKeeperHandle;
  zk?: KafkaZkClient;
  admin?: Admin;
  connect = '';

  constructor(readonly args: DemoArgs) {}

  bootstrap(): string {
    return [...this.procs.values()].map((p) => `127.0.0.1:${p.port}`).join(',');
  }

  /** The brokers' Kafka-protocol listeners: what any Kafka client or tool bootstraps from. */
  kafkaBootstrap(): string {
    return [...this.procs.values()].map((p) => `127.0.0.1:${p.kafkaPort}`).join(',');
  }

  async startBroker(id: number): Promise<void> {
    const p = await startBrokerProcess({
      id,
      zk: this.connect,
      dataDir: `${this.dir}/broker-${id}`,
      port: this.ports.get(id),
      kafkaPort: this.kafkaPorts.get(id),
      sessionTimeoutMs: this.args['session-timeout-ms'],
      cleanup: false,
      extraConfig: {
        'replica.lag.time.max.ms': 4000,
        'controlled.shutdown.retry.backoff.ms': 500,
        'auto.leader.rebalance.enable': false,
        ...(this.metricsPorts.has(id) ? { 'kzoo.metrics.port': this.metricsPorts.get(id)! } : {}),
      },
    });
    this.procs.set(id, p);
    this.ports.set(id, p.port);
    this.kafkaPorts.set(id, p.kafkaPort);
  }

  async kill(id: number): Promise<void> {
    await this.procs.get(id)!.kill('SIGKILL');
    this.procs.delete(id);
  }

  async describe(): Promise<TopicDescription> {
    const [d] = await this.admin!.describeTopics([TOPIC]);
    return d;
  }

  async newAdmin(): Promise<void> {
    await this.admin?.close().catch(() => undefined);
    this.admin = new Admin({ 'bootstrap.servers': this.bootstrap(), 'client.id': 'kzoo-demo' });
  }

  async cleanup(): Promise<void> {
    await this.ui?.close().catch(() => undefined);
    await this.admin?.close().catch(() => undefined);
    await this.zk?.close().catch(() => undefined);
    await Promise.all(
      [...this.procs.values()].map((p) => p.kill('SIGKILL').catch(() => undefined)),
    );
    await this.zkServer?.stop().catch(() => undefined);
    removeDir(this.dir);
  }
}

async function produce(
  demo: Demo,
  n: number,
  from: number,
): Promise<{ acked: number; ms: number }> {
  const producer = new Producer({
    'bootstrap.servers': demo.bootstrap(),
    'client.id': 'kzoo-demo-producer',
    acks: 'all',
    'linger.ms': 5,
  });
  const t0 = Date.now();
  try {
    const sends = [];
    for (let i = from; i < from + n; i++) {
      sends.push(producer.send(TOPIC, { key: `customer-${i % 97}`, value: `order ${i}` }));
    }
    const results = await Promise.all(sends);
    return { acked: results.length, ms: Date.now() - t0 };
  } finally {
    await producer.close();
  }
}

async function consumeAll(demo: Demo, partitions: number): Promise<number> {
  const consumer = new Consumer({
    'bootstrap.servers': demo.bootstrap(),
    'client.id': 'kzoo-demo-consumer',
    'auto.offset.reset': 'earliest',
  });
  try {
    consumer.assign(Array.from({ length: partitions }, (_, p) => ({ topic: TOPIC, partition: p })));
    let count = 0;
    let idle = 0;
    while (idle < 3) {
      const records = await consumer.poll(500);
      count += records.length;
      idle = records.length === 0 ? idle + 1 : 0;
    }
    return count;
  } finally {
    await consumer.close();
  }
}

export async function runDemo(args: DemoArgs): Promise<void> {
  const demo = new Demo(args);
  stepNo = 0;
  // The story is on stdout; the clients' own info lines would interleave with it.
  if (!process.env.KZOO_LOG_LEVEL) setLogLevel('warn');
  const onSignal = () => void demo.cleanup().then(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const session = args['session-timeout-ms'];
  try {
    step('Start Apache ZooKeeper', 'The real server (QuorumPeerMain) on a free loopback port.');
    let t = Date.now();
    demo.zkServer = await startZooKeeper({ nodes: 1, tickTimeMs: 500 });
    demo.connect = `${demo.zkServer.connectString}/kzoo-demo`;
    say(
      `    serving at ${demo.zkServer.connectString} after ${Date.now() - t} ms; the cluster lives under /kzoo-demo`,
    );

    step(
      `Start ${args.brokers} broker processes`,
      'Each registers the ephemeral /brokers/ids/<id>; all race to create /controller.',
    );
    t = Date.now();
    const ids = Array.from({ length: args.brokers }, (_, i) => i + 1);
    if (args.ui) (await freePorts(ids.length)).forEach((p, i) => demo.metricsPorts.set(i + 1, p));
    await Promise.all(ids.map((id) => demo.startBroker(id)));
    demo.zk = await KafkaZkClient.connect({
      connectString: demo.connect,
      sessionTimeoutMs: 6000,
      connectionTimeoutMs: 10000,
    });
    const zk = demo.zk;
    await waitFor('a controller', async () => (await zk.getControllerId()) ?? undefined, {
      timeoutMs: 10000,
    });
    say(`    ${args.brokers} brokers registered in ${Date.now() - t} ms`);
    if (args.ui) {
      demo.ui = await UiServer.start({
        zk: demo.connect,
        port: args['ui-port'] ?? 8080,
        metricsUrl: (id) =>
          demo.metricsPorts.has(id) ? `http://127.0.0.1:${demo.metricsPorts.get(id)}` : undefined,
      });
      say(bold(`    watch it live: ${demo.ui.url}`));
    }
    say(indent(formatClusterStatus(await clusterStatus(zk))));
    say(
      `    each broker has two listeners: PLAINTEXT (kzoo's protocol, used between brokers)\n` +
        `    and KAFKA (Apache Kafka's protocol): point any Kafka client at ${demo.kafkaBootstrap()}`,
    );

    step(
      `Create topic "${TOPIC}": 3 partitions, replication factor ${Math.min(3, args.brokers)}, min.insync.replicas=2`,
      'The controller sees /brokers/topics/orders, elects the first replica of each partition\nand writes partitions/<p>/state (leader, leader_epoch, isr, controller_epoch).',
    );
    await demo.newAdmin();
    await demo.admin!.createTopics([
      {
        topic: TOPIC,
        numPartitions: 3,
        replicationFactor: Math.min(3, args.brokers),
        configs: { 'min.insync.replicas': '2' },
      },
    ]);
    const full = await waitFor(
      'every replica in the ISR',
      async () => {
        const d = await demo.describe();
        return d.partitions.every((p) => p.leader >= 0 && p.isr.length === p.replicas.length)
          ? d
          : undefined;
      },
      { timeoutMs: 15000 },
    );
    say(indent(formatTopicDescription(full)));
    say(indent((await zkTree(zk, `/brokers/topics/${TOPIC}`, 3)).join('\n')));

    step(
      `Produce ${args.records} keyed records with acks=all (idempotent producer)`,
      'acks=all: the leader answers once every ISR member has the batch (the high watermark passed it).',
    );
    const first = await produce(demo, args.records, 0);
    say(
      `    ${first.acked} records acknowledged in ${first.ms} ms (${Math.round((first.acked * 1000) / first.ms)} records/s)`,
    );

    const before = await demo.describe();
    const p0 = before.partitions.find((p) => p.partition === 0)!;
    const victim = p0.leader;
    step(
      `SIGKILL broker ${victim}, the leader of ${TOPIC}-0`,
      `Its session expires after zookeeper.session.timeout.ms (${session} ms); the controller then elects\nthe first live ISR member in assignment order and bumps leader_epoch.`,
    );
    t = Date.now();
    await demo.kill(victim);
    await demo.newAdmin();
    const after = await waitFor(
      'a new leader for partition 0',
      async () => {
        const d = await demo.describe().catch(() => undefined);
        const p = d?.partitions.find((x) => x.partition === 0);
        return p && p.leader >= 0 && p.leader !== victim ? d : undefined;
      },
      { timeoutMs: session * 3 + 10000 },
    );
    const np0 = after.partitions.find((p) => p.partition === 0)!;
    say(
      `    broker ${np0.leader} leads ${TOPIC}-0 ${Date.now() - t} ms after the kill; leader epoch ${p0.leaderEpoch} -> ${np0.leaderEpoch}, ISR [${p0.isr}] -> [${np0.isr}]`,
    );
    say(indent(formatTopicDescription(after)));
    const read = await consumeAll(demo, 3);
    say(
      `    read back ${read} records from the survivors: ${first.acked - read} acknowledged records lost`,
    );

    const controller = (await zk.getControllerId())!;
    const epochBefore = await zk.getControllerEpoch();
    step(
      `SIGKILL the controller, broker ${controller}`,
      'When /controller vanishes, a survivor wins the race and increments /controller_epoch;\nevery later write of the old controller would fail the epoch check.',
    );
    t = Date.now();
    await demo.kill(controller);
    const nextController = await waitFor(
      'a new controller',
      async () => {
        const id = await zk.getControllerId();
        return id !== null && id !== controller ? id : undefined;
      },
      { timeoutMs: session * 3 + 10000 },
    );
    const epochAfter = await zk.getControllerEpoch();
    say(
      `    broker ${nextController} is controller ${Date.now() - t} ms after the kill; controller epoch ${epochBefore?.epoch} -> ${epochAfter?.epoch}`,
    );

    if (demo.procs.size === 1) {
      step(
        'One broker left: min.insync.replicas=2 at work',
        'acks=all is refused (NOT_ENOUGH_REPLICAS) rather than acknowledged by one copy; acks=1 still succeeds.',
      );
      await demo.newAdmin();
      await waitFor(
        'ISRs of one',
        async () => {
          const d = await demo.describe().catch(() => undefined);
          return d?.partitions.every((p) => p.leader >= 0 && p.isr.length === 1) ? d : undefined;
        },
        { timeoutMs: 20000 },
      );
      for (const acks of ['all', '1'] as const) {
        const producer = new Producer({
          'bootstrap.servers': demo.bootstrap(),
          acks,
          'enable.idempotence': false,
          retries: 0,
          'delivery.timeout.ms': 5000,
          'request.timeout.ms': 4000,
        });
        try {
          const [r] = await producer.send(TOPIC, { key: 'late', value: `acks=${acks}` });
          say(`    acks=${acks}: acknowledged at ${TOPIC}-${r.partition} offset ${r.offset}`);
        } catch (e) {
          say(
            `    acks=${acks}: refused with ${e instanceof KafkaError ? e.errorName : String(e)}`,
          );
        } finally {
          await producer.close();
        }
      }
    }

    step(
      `Restart brokers ${victim} and ${controller}`,
      'They register again, truncate any divergent tail (leader epochs, KIP-101), fetch from the leaders\nand rejoin the ISR once caught up.',
    );
    t = Date.now();
    await Promise.all([victim, controller].map((id) => demo.startBroker(id)));
    await demo.newAdmin();
    const healed = await waitFor(
      'full ISRs',
      async () => {
        const d = await demo.describe().catch(() => undefined);
        return d?.partitions.every((p) => p.leader >= 0 && p.isr.length === p.replicas.length)
          ? d
          : undefined;
      },
      { timeoutMs: 30000 },
    );
    say(`    every ISR is full again ${Date.now() - t} ms after the restart`);
    say(indent(formatTopicDescription(healed)));

    step(
      'Read it with a Kafka tool: kcat (librdkafka) on the KAFKA listener',
      `kcat -b ${demo.kafkaBootstrap().split(',')[0]} -C -t ${TOPIC} -o beginning -e: Kafka's own protocol, the same log.`,
    );
    const kcat = spawnSync(
      'kcat',
      ['-b', demo.kafkaBootstrap(), '-C', '-t', TOPIC, '-o', 'beginning', '-e', '-q', '-f', '%p\n'],
      { encoding: 'utf8', timeout: 30000 },
    );
    if (kcat.error) {
      say(
        `    kcat is not installed (${kcat.error.message}); bash scripts/bootstrap.sh installs it`,
      );
    } else {
      const perPartition = new Map<string, number>();
      for (const p of kcat.stdout.split('\n').filter(Boolean))
        perPartition.set(p, (perPartition.get(p) ?? 0) + 1);
      const total = [...perPartition.values()].reduce((a, b) => a + b, 0);
      const parts = [...perPartition.entries()]
        .sort()
        .map(([p, n]) => `${TOPIC}-${p}: ${n}`)
        .join(', ');
      say(`    kcat read ${total} records (${parts}), exit code ${kcat.status}`);
    }

    if (args.keep) {
      say();
      say(bold('Cluster left running (--keep). Try:'));
      say(`    kzoo cluster status --zk ${demo.connect}`);
      say(`    kzoo topic describe ${TOPIC} --bootstrap-server ${demo.bootstrap()}`);
      say(`    kzoo zk tree / --zk ${demo.connect}`);
      say(`    kcat -b ${demo.kafkaBootstrap()} -L`);
      say(`    kcat -b ${demo.kafkaBootstrap()} -C -t ${TOPIC} -e`);
      say('    Ctrl-C stops everything.');
      await new Promise(() => undefined);
    }
    step('Stop', 'Brokers, ZooKeeper and the demo directory are removed.');
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    await demo.cleanup();
  }
  say('    done.');
}

export const demoCommand: CommandModule<object, DemoArgs> = {
  command: 'demo',
  describe:
    'Tour a live cluster: ZooKeeper, 3 brokers, a replicated topic, leader and controller SIGKILLs, recovery',
  builder: (y: Argv) =>
    y
      .option('brokers', {
        type: 'number',
        default: 3,
        describe: 'How many broker processes (at least 3)',
      })
      .option('records', {
        type: 'number',
        default: 30000,
        describe: 'Records produced with acks=all',
      })
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
      .option('ui', {
        type: 'boolean',
        default: false,
        describe: 'Serve the live web view (kzoo ui) while the tour runs',
      })
      .option('ui-port', { type: 'number', default: 8080, describe: 'Port of --ui' })
      .check((a) => {
        if (a.brokers < 3) throw new Error('--brokers must be at least 3');
        return true;
      })
      .example('$0 demo', 'the whole tour, about half a minute')
      .example(
        '$0 demo --keep',
        'then explore with kzoo cluster status / topic describe / zk tree',
      ) as Argv<DemoArgs>,
  handler: (args) => run(() => runDemo(args)),
};
