// testkit: real ZooKeeper and broker processes for kzoo's integration tests.
//   zookeeper.ts (startZooKeeper), brokers.ts (broker processes), fixtures.ts (chroot per
//   test, cleanup hooks), util.ts (free ports, deadline poller), jest/ (global setup)
export * from './util';
export * from './zookeeper';
export * from './fixtures';
export * from './brokers';
export * from './kafka-tools';
export * from './net';
export * from './cluster';
