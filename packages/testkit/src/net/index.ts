// net: per-link network faults without root.
//   LinkProxy.ts (one TCP proxy: pass, blackhole, drop, delay, reset, heal per direction),
//   NetworkFaults.ts (the named links of a cluster and the faults on them)
import * as linkProxy from './LinkProxy';
import * as networkFaults from './NetworkFaults';
import * as clusterLinks from './ClusterLinks';

export type {
  Flow,
  Direction,
  LinkFlows,
  HostPort,
  LinkProxyOptions,
  LinkProxyStats,
} from './LinkProxy';
export import describeFlows = linkProxy.describeFlows;
export import LinkProxy = linkProxy.LinkProxy;

export type { NodeName, IsolateFrom, LinkInfo } from './NetworkFaults';
export import brokerNode = networkFaults.brokerNode;
export import nodeName = networkFaults.nodeName;
export import Link = networkFaults.Link;
export import NetworkFaults = networkFaults.NetworkFaults;

export import NATIVE_LISTENER = clusterLinks.NATIVE_LISTENER;
export import KAFKA_LISTENER = clusterLinks.KAFKA_LISTENER;
export import ClusterLinks = clusterLinks.ClusterLinks;
