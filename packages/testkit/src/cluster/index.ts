// cluster: startCluster(), a real kzoo cluster for an application's tests, runner-neutral.
//   start-cluster.ts (options, KzooCluster: clients, faults, helpers, stop), members.ts
//   (in-process and child-process brokers), broker-main.ts (the child process entry)
export * from './start-cluster';
export type { ClusterMode } from './members';
