// buildCli: the `kzoo` parser (yargs). Only the command named on the command line is
// loaded (`kzoo broker start` loads the broker, not the web UI, the experiments or the perf
// tools); help, a mistyped command or none at all loads every command to list them.
import type { CommandModule } from 'yargs';
// The module itself (a CommonJS function): its `.default` is the singleton's .default().
import yargs = require('yargs');
import { USAGE_EXIT_CODE } from './common';

type Commands = Record<string, () => CommandModule<any, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The top-level commands, in the order help lists them, by the first word of each. */
export const COMMANDS: Commands = {
  zk: () => (require('./commands/zk') as typeof import('./commands/zk')).zkCommand,
  broker: () => (require('./commands/broker') as typeof import('./commands/broker')).brokerCommand,
  cluster: () =>
    (require('./commands/cluster') as typeof import('./commands/cluster')).clusterCommand,
  topic: () => (require('./commands/topic') as typeof import('./commands/topic')).topicCommand,
  configs: () =>
    (require('./commands/configs') as typeof import('./commands/configs')).configsCommand,
  produce: () =>
    (require('./commands/produce') as typeof import('./commands/produce')).produceCommand,
  consume: () =>
    (require('./commands/consume') as typeof import('./commands/consume')).consumeCommand,
  group: () => (require('./commands/group') as typeof import('./commands/group')).groupCommand,
  transactions: () =>
    (require('./commands/transactions') as typeof import('./commands/transactions'))
      .transactionsCommand,
  'leader-election': () =>
    (require('./commands/leader-election') as typeof import('./commands/leader-election'))
      .leaderElectionCommand,
  'reassign-partitions': () =>
    (require('./commands/reassign-partitions') as typeof import('./commands/reassign-partitions'))
      .reassignPartitionsCommand,
  demo: () => (require('./commands/demo') as typeof import('./commands/demo')).demoCommand,
  experiment: () =>
    (require('./commands/experiment') as typeof import('./commands/experiment')).experimentCommand,
  ui: () => (require('./commands/ui') as typeof import('./commands/ui')).uiCommand,
  perf: () => (require('./commands/perf') as typeof import('./commands/perf')).perfCommand,
};

/** Builds the `kzoo` parser over `argv` (without node and script). */
export function buildCli(argv: string[]) {
  const named = argv.find((a) => !a.startsWith('-'));
  const load =
    named !== undefined && Object.hasOwn(COMMANDS, named)
      ? [COMMANDS[named]]
      : Object.values(COMMANDS);
  const parser = yargs(argv).scriptName('kzoo');
  for (const command of load) parser.command(command());
  return (
    parser
      .demandCommand(
        1,
        'name a command: demo, zk, broker, cluster, topic, configs, produce, consume, group, leader-election or experiment',
      )
      .strict()
      .recommendCommands()
      .example('$0 zk start --port 2181', 'run ZooKeeper')
      .example(
        '$0 broker start --id 1 --zk 127.0.0.1:2181/kzoo --port 9092 --data-dir /tmp/k1',
        'run a broker',
      )
      .example('$0 cluster status --zk 127.0.0.1:2181/kzoo', 'see brokers and the controller')
      .example('$0 cluster up --brokers 3', 'a local cluster in the background (./.kzoo)')
      // usage errors (unknown command or option, missing or invalid argument): the usage,
      // the message, exit code 2, as Kafka's tools; failures of a command exit 1
      .fail((msg, err, y) => {
        if (err && !msg) throw err;
        y.showHelp((usage) => process.stderr.write(usage + '\n\n'));
        process.stderr.write(`kzoo: ${msg ?? err?.message}\n`);
        process.exit(USAGE_EXIT_CODE);
      })
      .help()
      .alias('h', 'help')
      .wrap(Math.min(110, process.stdout.columns || 100))
  );
}
