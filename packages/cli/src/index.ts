// cli: the `kzoo` command (yargs).
//   bin.ts (entry), commands/ (one file per command group: zk, broker, cluster, topic,
//   configs, produce, consume, group, leader-election, demo, experiment), bench/ (end-to-end benchmark),
//   common.ts (--zk option, error handling), cluster-file.ts (`cluster up`'s cluster.json)
import yargs from 'yargs';
import { USAGE_EXIT_CODE } from './common';
import { brokerCommand } from './commands/broker';
import { clusterCommand } from './commands/cluster';
import { configsCommand } from './commands/configs';
import { consumeCommand } from './commands/consume';
import { demoCommand } from './commands/demo';
import { experimentCommand } from './commands/experiment';
import { groupCommand } from './commands/group';
import { leaderElectionCommand } from './commands/leader-election';
import { perfCommand } from './commands/perf';
import { reassignPartitionsCommand } from './commands/reassign-partitions';
import { produceCommand } from './commands/produce';
import { topicCommand } from './commands/topic';
import { transactionsCommand } from './commands/transactions';
import { zkCommand } from './commands/zk';
import { uiCommand } from './commands/ui';

export { clusterStatus, formatClusterStatus } from './commands/cluster';
export type { ClusterStatus } from './commands/cluster';
export { brokerConfigFromArgs } from './commands/broker';

/** Builds the `kzoo` parser over `argv` (without node and script). */
export function buildCli(argv: string[]) {
  return (
    yargs(argv)
      .scriptName('kzoo')
      .command(zkCommand)
      .command(brokerCommand)
      .command(clusterCommand)
      .command(topicCommand)
      .command(configsCommand)
      .command(produceCommand)
      .command(consumeCommand)
      .command(groupCommand)
      .command(transactionsCommand)
      .command(leaderElectionCommand)
      .command(reassignPartitionsCommand)
      .command(demoCommand)
      .command(experimentCommand)
      .command(uiCommand)
      .command(perfCommand)
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
