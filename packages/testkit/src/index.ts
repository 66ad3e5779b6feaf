// testkit, the runtime entry (no test runner): real ZooKeeper and broker processes.
//   zookeeper.ts (startZooKeeper), brokers.ts (broker processes), cluster/ (startCluster),
//   net/ (link proxies, faults), util.ts (free ports, deadline poller), kafka-tools.ts
//   (kcat), cleanup.ts (where self-cleaning resources register). The jest fixtures (chroot
//   per test, cleanup hooks, TestCluster) are in jest/, `@kzoo/testkit/jest`.
import * as util from './util';
import * as zookeeper from './zookeeper';
import * as brokers from './brokers';
import * as kafkaTools from './kafka-tools';
import * as net from './net';
import * as cluster from './cluster';

export import ephemeralPortRange = util.ephemeralPortRange;
export import freePorts = util.freePorts;
export import portIsFree = util.portIsFree;
export import freePort = util.freePort;
export import waitFor = util.waitFor;
export import makeTempDir = util.makeTempDir;
export import removeDir = util.removeDir;
export import trackChild = util.trackChild;
export import removeDirAtExit = util.removeDirAtExit;
export import exitOnSignals = util.exitOnSignals;
export import waitForExit = util.waitForExit;
export import DeadlineError = util.DeadlineError;

export type {
  StartZooKeeperOptions,
  ZooKeeperNode,
  ZooKeeperMode,
  ZooKeeperHandle,
} from './zookeeper';
export import zookeeperClasspath = zookeeper.zookeeperClasspath;
export import fourLetterWord = zookeeper.fourLetterWord;
export import startZooKeeper = zookeeper.startZooKeeper;

export type { CliResult, BrokerProcessOptions } from './brokers';
export import cliBinPath = brokers.cliBinPath;
export import runCli = brokers.runCli;
export import spawnBrokerProcess = brokers.spawnBrokerProcess;
export import startBrokerProcess = brokers.startBrokerProcess;
export import SETTLE_TIMEOUT_MS = brokers.SETTLE_TIMEOUT_MS;
export import BrokerExitedError = brokers.BrokerExitedError;
export import BrokerProcess = brokers.BrokerProcess;

export type { ToolResult } from './kafka-tools';
export import requireKcat = kafkaTools.requireKcat;
export import runKcat = kafkaTools.runKcat;

export type {
  Flow,
  Direction,
  LinkFlows,
  HostPort,
  LinkProxyOptions,
  LinkProxyStats,
  NodeName,
  IsolateFrom,
  LinkInfo,
} from './net';
export import describeFlows = net.describeFlows;
export import LinkProxy = net.LinkProxy;
export import brokerNode = net.brokerNode;
export import nodeName = net.nodeName;
export import Link = net.Link;
export import NetworkFaults = net.NetworkFaults;
export import NATIVE_LISTENER = net.NATIVE_LISTENER;
export import KAFKA_LISTENER = net.KAFKA_LISTENER;
export import ClusterLinks = net.ClusterLinks;

export type {
  ClusterMode,
  TopicSpec,
  StartClusterOptions,
  BrokerState,
  ClusterDescription,
} from './cluster';
export import startCluster = cluster.startCluster;
export import SHARED_ZOOKEEPER_ENV = cluster.SHARED_ZOOKEEPER_ENV;
export import KzooCluster = cluster.KzooCluster;
