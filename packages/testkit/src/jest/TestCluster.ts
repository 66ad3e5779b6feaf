/**
 * TestCluster: broker processes on one chroot of the run's ZooKeeper, plus a
 * KafkaZkClient to look at ZooKeeper; stopped by the fixture cleanup after the test (or
 * the file, when started in beforeAll). kzoo's own integration tests use it; application
 * tests use `startCluster` / `useCluster`.
 */
import { Connection } from '@kzoo/protocol';
import { KafkaZkClient } from '@kzoo/zk';
import {
  BrokerExitedError,
  SETTLE_TIMEOUT_MS,
  startBrokerProcess,
  type BrokerProcess,
} from '../brokers';
import { ClusterLinks, type NetworkFaults } from '../net';
import { freePorts, waitFor } from '../util';
import { onCleanup, zkConnectForTest } from './fixtures';

export interface ControllerInfo {
  brokerId: number;
  epoch: number;
  epochZkVersion: number;
}

export interface TestClusterOptions {
  /** Broker ids to start (or a count: ids 1..n). */
  brokers: number | number[];
  /** zookeeper.connect; default a fresh chroot of the run's ZooKeeper. */
  zk?: string;
  sessionTimeoutMs?: number;
  extraConfig?: Record<string, string | number | boolean>;
  /**
   * Resolve only once every broker's metadata knows every broker and the controller
   * (what a client sees first). Default false: resolve at registration.
   */
  waitForMetadata?: boolean;
  /**
   * `direct` (default): brokers, ZooKeeper and clients dial each other directly.
   * `proxied`: every link goes through its own LinkProxy (see `faults`): broker i's
   * `zookeeper.connect` names its own proxies to each ZooKeeper server (the chroot kept);
   * its listeners bind on hidden ports and advertise the `client->broker:i` proxies
   * (`advertised.listeners`); `kzoo.inter.broker.address.overrides` makes it dial peer j
   * through the `broker:i->broker:j` proxy (and itself directly). The broker ids must all
   * be given at start.
   */
  network?: 'direct' | 'proxied';
}

/** Broker processes on one chroot, and a ZooKeeper client to watch them. Cleaned up by the fixture hooks. */
export class TestCluster {
  readonly brokers = new Map<number, BrokerProcess>();
  private links: ClusterLinks | null = null;

  private constructor(
    readonly zk: string,
    readonly zkClient: KafkaZkClient,
    private readonly opts: TestClusterOptions,
  ) {}

  /** The links and their faults (`network: 'proxied'`), else null. */
  get faults(): NetworkFaults | null {
    return this.links?.faults ?? null;
  }

  static async start(opts: TestClusterOptions): Promise<TestCluster> {
    const zk = opts.zk ?? zkConnectForTest();
    const zkClient = await KafkaZkClient.connect({
      connectString: zk,
      sessionTimeoutMs: 4000,
      connectionTimeoutMs: 10000,
    });
    const cluster = new TestCluster(zk, zkClient, opts);
    onCleanup(() => cluster.stop());
    const ids =
      typeof opts.brokers === 'number'
        ? Array.from({ length: opts.brokers }, (_, i) => i + 1)
        : opts.brokers;
    if (opts.network === 'proxied') cluster.links = await ClusterLinks.create(ids, zk);
    await Promise.all(ids.map((id) => cluster.startBroker(id)));
    if (opts.waitForMetadata) await cluster.waitForMetadata();
    return cluster;
  }

  /**
   * Waits until every running broker answers Metadata with all of them and a
   * controller, i.e. the controller's UpdateMetadata reached them all.
   */
  async waitForMetadata(timeoutMs = SETTLE_TIMEOUT_MS): Promise<void> {
    const procs = [...this.brokers.values()];
    const want = procs
      .map((b) => b.id)
      .sort((a, b) => a - b)
      .join(',');
    await Promise.all(
      procs.map((b) =>
        waitFor(
          `broker ${b.id}'s metadata to list brokers ${want} and a controller`,
          async () => {
            const c = await Connection.connect({
              host: '127.0.0.1',
              port: b.port,
              requestTimeoutMs: 5000,
            });
            try {
              const md = await c.request(3, 0, { topics: [], allowAutoTopicCreation: false });
              const ids = md.brokers
                .map((x) => x.nodeId)
                .sort((x, y) => x - y)
                .join(',');
              return ids === want && md.controllerId >= 0;
            } finally {
              await c.close();
            }
          },
          { timeoutMs, intervalMs: 100 },
        ),
      ),
    );
  }

  /** Starts (or restarts) broker `id` and waits for its registration. */
  async startBroker(
    id: number,
    extraConfig: Record<string, string | number | boolean> = {},
  ): Promise<BrokerProcess> {
    const prev = this.brokers.get(id);
    const links = this.links;
    if (links && !links.has(id)) {
      throw new Error(`broker ${id} was not in this proxied cluster's broker ids at start`);
    }
    const start = (ports: { port?: number; kafkaPort?: number }) =>
      startBrokerProcess({
        id,
        zk: links ? links.zkConnect(id) : this.zk,
        sessionTimeoutMs: this.opts.sessionTimeoutMs,
        dataDir: prev?.dataDir,
        ...ports,
        extraConfig: {
          ...this.opts.extraConfig,
          ...(links ? links.brokerConfig(id) : {}),
          ...extraConfig,
        },
      });
    const wired = links?.ports(id);
    let proc: BrokerProcess;
    try {
      // a restart keeps its ports, as a restarted Kafka broker keeps its listeners
      proc = await start({
        port: prev?.port ?? wired?.port,
        kafkaPort: prev?.kafkaPort ?? wired?.kafkaPort,
      });
    } catch (e) {
      // A port found free can be taken by any outgoing connection before the broker binds
      // it (a restart keeps its old ports, released meanwhile): then the broker starts on
      // new ports (clients find them in metadata; in a proxied cluster the proxies are
      // pointed at the new ports).
      if (!(e instanceof BrokerExitedError && e.portInUse)) throw e;
      if (links) {
        const [port, kafkaPort] = await freePorts(2);
        links.retarget(id, port, kafkaPort);
        proc = await start({ port, kafkaPort });
      } else proc = await start({});
    }
    this.brokers.set(id, proc);
    return proc;
  }

  broker(id: number): BrokerProcess {
    const b = this.brokers.get(id);
    if (!b) throw new Error(`no broker ${id} in this cluster`);
    return b;
  }

  /**
   * Kafka's `bootstrap.servers` for this cluster: every broker's Kafka-protocol listener
   * (in a proxied cluster, the `client->broker:i` proxies).
   */
  kafkaBootstrap(): string[] {
    const links = this.links;
    if (links) return [...this.brokers.keys()].map((id) => links.clientAddress(id, 'kafka'));
    return [...this.brokers.values()].map((b) => `127.0.0.1:${b.kafkaPort}`);
  }

  /** kzoo's native bootstrap servers (in a proxied cluster, the client proxies). */
  nativeBootstrap(): string[] {
    const links = this.links;
    if (links) return [...this.brokers.keys()].map((id) => links.clientAddress(id, 'native'));
    return [...this.brokers.values()].map((b) => `127.0.0.1:${b.port}`);
  }

  /** Registered broker ids, from ZooKeeper. */
  liveBrokers(): Promise<number[]> {
    return this.zkClient.getSortedBrokerList();
  }

  /** The controller per /controller and /controller_epoch, or null. */
  async controller(): Promise<ControllerInfo | null> {
    const id = await this.zkClient.getControllerId();
    if (id === null) return null;
    const e = await this.zkClient.getControllerEpoch();
    return e ? { brokerId: id, epoch: e.epoch, epochZkVersion: e.epochZkVersion } : null;
  }

  /** Waits until there is a controller satisfying `pred` (default: any). */
  waitForController(
    pred: (c: ControllerInfo) => boolean = () => true,
    timeoutMs = SETTLE_TIMEOUT_MS,
  ): Promise<ControllerInfo> {
    return waitFor(
      'a controller',
      async () => {
        const c = await this.controller();
        return c && pred(c) ? c : undefined;
      },
      { timeoutMs },
    );
  }

  /** Waits until exactly `ids` are registered. */
  waitForBrokers(ids: number[], timeoutMs = SETTLE_TIMEOUT_MS): Promise<number[]> {
    const want = [...ids].sort((a, b) => a - b).join(',');
    return waitFor(
      `brokers ${want} registered`,
      async () => {
        const live = await this.liveBrokers();
        return live.join(',') === want ? live : undefined;
      },
      { timeoutMs },
    );
  }

  /** Kills every broker, closes the proxies and the ZooKeeper client. Idempotent. */
  async stop(): Promise<void> {
    await Promise.all([...this.brokers.values()].map((b) => b.kill('SIGKILL')));
    await this.links?.close();
    await this.zkClient.close();
  }
}
