// testkit, the runtime entry (no test runner): real ZooKeeper and broker processes.
//   zookeeper.ts (startZooKeeper), brokers.ts (broker processes), cluster/ (startCluster),
//   net/ (link proxies, faults), util.ts (free ports, deadline poller), kafka-tools.ts
//   (kcat), cleanup.ts (where self-cleaning resources register). The jest fixtures (chroot
//   per test, cleanup hooks, TestCluster) are in jest/, `@kzoo/testkit/jest`.
export * from './util';
export * from './zookeeper';
export * from './brokers';
export * from './kafka-tools';
export * from './net';
export * from './cluster';
