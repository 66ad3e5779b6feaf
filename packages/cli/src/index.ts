// cli: the `kzoo` command (yargs).
//   bin.ts (entry), cli.ts (the parser; loads only the command named), commands/ (one file per command group: zk, broker, cluster, topic,
//   configs, produce, consume, group, leader-election, demo, experiment), bench/ (end-to-end benchmark),
//   common.ts (--zk option, error handling), cluster-file.ts (`cluster up`'s cluster.json)

import * as cluster from './commands/cluster';
import * as broker from './commands/broker';
import * as cli from './cli';

export type { ClusterStatus } from './commands/cluster';

export import clusterStatus = cluster.clusterStatus;
export import formatClusterStatus = cluster.formatClusterStatus;

export import brokerConfigFromArgs = broker.brokerConfigFromArgs;

export import buildCli = cli.buildCli;
