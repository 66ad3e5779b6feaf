// cluster: startCluster(), a real kzoo cluster for an application's tests, runner-neutral.
//   start-cluster.ts (options, KzooCluster: clients, faults, helpers, stop), members.ts
//   (in-process and child-process brokers), broker-main.ts (the child process entry)
import * as startClusterModule from './start-cluster';

export type { ClusterMode } from './members';

export type {
  TopicSpec,
  StartClusterOptions,
  BrokerState,
  ClusterDescription,
} from './start-cluster';
export import startCluster = startClusterModule.startCluster;
export import SHARED_ZOOKEEPER_ENV = startClusterModule.SHARED_ZOOKEEPER_ENV;
export import KzooCluster = startClusterModule.KzooCluster;
