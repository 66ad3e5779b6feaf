// cli: the `kzoo` command (yargs).
//   bin.ts (entry), cli.ts (the parser; loads only the command named), commands/ (one file per command group: zk, broker, cluster, topic,
//   configs, produce, consume, group, leader-election, demo, experiment), bench/ (end-to-end benchmark),
//   common.ts (--zk option, error handling), cluster-file.ts (`cluster up`'s cluster.json)

export { clusterStatus, formatClusterStatus } from './commands/cluster';
export type { ClusterStatus } from './commands/cluster';
export { brokerConfigFromArgs } from './commands/broker';
export { buildCli } from './cli';
