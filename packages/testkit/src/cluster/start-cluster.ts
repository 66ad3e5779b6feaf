/**
 * startCluster(): a real kzoo cluster (real ZooKeeper, N brokers with replication) for
 * an application's integration tests, runner-neutral. It returns the Kafka bootstrap
 * servers (for kafkajs, librdkafka, the Java client) and kzoo's native ones, factories
 * for kzoo's clients, faults (kill, pause, controlled stop, restart, session expiry,
 * network isolation) and helpers that wait on the cluster's state in ZooKeeper.
 * `stop()` (or `await using`) leaves no process, port or temp dir behind.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { setLogLevel, type LogLevel, tpKey } from '@kzoo/common';
import { Admin, Consumer, Producer, type ConfigInput as ClientConfig } from '@kzoo/client';
import { Connection } from '@kzoo/protocol';
import { KafkaZkClient } from '@kzoo/zk';
import { ClusterLinks, type IsolateFrom, type LinkInfo, type NetworkFaults } from '../net';
import { freePort, removeDir, waitFor } from '../util';
import { startZooKeeper, type ZooKeeperHandle } from '../zookeeper';
import {
  InProcessMember,
  ProcessMember,
  type ClusterMember,
  type ClusterMode,
  type MemberSpec,
} from './members';

// Node 20.4+ and 18.18+ define Symbol.asyncDispose; older 20.x do not: `await using`
// (TypeScript's helper) needs it.
(Symbol as { asyncDispose?: symbol }).asyncDispose ??= Symbol.for('nodejs.asyncDispose');

/** The env var naming a ZooKeeper to share (set by the jest and node:test helpers). */
export const SHARED_ZOOKEEPER_ENV = 'KZOO_TEST_ZK';

export type TopicSpec =
  | string
  | {
      name: string;
      /** Default 1. */
      partitions?: number;
      /** Default: min(3, brokers). */
      replicationFactor?: number;
      /** Topic configs (Kafka names). */
      config?: Record<string, string>;
    };

export interface StartClusterOptions {
  /** Number of brokers (ids 1..n). Default 3. */
  brokers?: number;
  /**
   * `'embedded'` (default): the ZooKeeper shared by the test run (env KZOO_TEST_ZK, set by
   * the jest global setup or the node:test helper), else one started for this cluster and
   * stopped with it. `{ connect }`: an existing ZooKeeper. Either way the cluster lives
   * under its own fresh chroot.
   */
  zookeeper?: 'embedded' | { connect: string };
  /**
   * `'in-process'` (default): brokers are `Broker` objects in this process (fastest; no
   * kill/pause). `'process'`: each broker is a child process (real SIGKILL/SIGSTOP).
   */
  mode?: ClusterMode;
  /** Broker config for every broker (Kafka keys); wins over the test defaults. */
  config?: Record<string, string | number | boolean>;
  /** Topics created before startCluster resolves (leaders elected, ISR full). */
  topics?: TopicSpec[];
  /**
   * `'direct'` (default) or `'proxied'`: every link through its own proxy, for
   * isolate()/heal() and `network` (NetworkFaults: partition, drop, delay per link).
   */
  network?: 'direct' | 'proxied';
  /**
   * Log level of in-process brokers and clients (global to this process). Default `warn`
   * unless KZOO_LOG_LEVEL is set. Process-mode brokers: KZOO_BROKER_LOG_LEVEL, default warn.
   */
  logLevel?: LogLevel;
  /** How long start-up may take. Default 30000 ms. */
  startTimeoutMs?: number;
}

export interface BrokerState {
  id: number;
  running: boolean;
  paused: boolean;
  controller: boolean;
  /** host:port clients dial (Kafka protocol / kzoo's protocol). */
  kafka: string;
  native: string;
}

export interface ClusterDescription {
  mode: ClusterMode;
  zookeeper: string;
  controller: number | null;
  brokers: BrokerState[];
  topics: Record<string, Array<{ partition: number; leader: number; isr: number[] }>>;
  links?: LinkInfo[];
}

/** Defaults for tests: fast failure detection and fast group joins, Kafka's test defaults. */
const TEST_DEFAULTS: Record<string, string | number | boolean> = {
  'zookeeper.session.timeout.ms': 3000,
  'controlled.shutdown.retry.backoff.ms': 100,
  'group.initial.rebalance.delay.ms': 0,
  'replica.fetch.wait.max.ms': 100,
  'replica.fetch.backoff.ms': 100,
  'replica.lag.time.max.ms': 5000,
};

const live = new Set<KzooCluster>();
let exitHook = false;

export class KzooCluster {
  /** Kafka `bootstrap.servers` (the KAFKA listeners), for kafkajs and other Kafka clients. */
  readonly bootstrapServers: string[];
  /** kzoo's native bootstrap servers (the PLAINTEXT listeners), for @kzoo/client. */
  readonly nativeBootstrapServers: string[];
  private readonly clients = new Set<{ close(): Promise<void> }>();
  private stopped: Promise<void> | null = null;
  /** @internal teardown logs at `error` (the cluster chose the log level itself) */
  quietTeardown = false;

  /** @internal use startCluster() */
  constructor(
    readonly mode: ClusterMode,
    /** `host:port,...[/chroot]` of this cluster. */
    readonly zookeeperConnect: string,
    private readonly members: Map<number, ClusterMember>,
    private readonly zk: KafkaZkClient,
    private readonly links: ClusterLinks | null,
    private readonly ownZooKeeper: ZooKeeperHandle | null,
    /** This cluster's temp dir (data of every broker), removed by stop(). */
    readonly dataDir: string,
  ) {
    const ids = [...members.keys()];
    this.bootstrapServers = ids.map((id) =>
      links ? links.clientAddress(id, 'kafka') : `127.0.0.1:${members.get(id)!.kafkaPort}`,
    );
    this.nativeBootstrapServers = ids.map((id) =>
      links ? links.clientAddress(id, 'native') : `127.0.0.1:${members.get(id)!.port}`,
    );
  }

  /** Broker ids. */
  get brokerIds(): number[] {
    return [...this.members.keys()];
  }

  /** Per-link network faults (`network: 'proxied'`). */
  get network(): NetworkFaults {
    if (!this.links) throw new Error("network faults need startCluster({ network: 'proxied' })");
    return this.links.faults;
  }

  /** The port broker `id` binds for kzoo's protocol (direct, not through a proxy). */
  brokerPort(id: number): number {
    return this.member(id).port;
  }

  private member(id: number): ClusterMember {
    const m = this.members.get(id);
    if (!m)
      throw new Error(`no broker ${id} in this cluster (brokers ${this.brokerIds.join(', ')})`);
    return m;
  }

  private track<T extends { close(): Promise<void> }>(c: T): T {
    this.clients.add(c);
    return c;
  }

  /** kzoo's Admin on this cluster (closed by stop()). */
  admin(config: ClientConfig = {}): Admin {
    return this.track(
      new Admin({ 'bootstrap.servers': this.nativeBootstrapServers.join(','), ...config }),
    );
  }

  /** kzoo's Producer on this cluster (closed by stop()). */
  producer(config: ClientConfig = {}): Producer {
    return this.track(
      new Producer({ 'bootstrap.servers': this.nativeBootstrapServers.join(','), ...config }),
    );
  }

  /** kzoo's Consumer on this cluster (closed by stop()). */
  consumer(config: ClientConfig = {}): Consumer {
    return this.track(
      new Consumer({ 'bootstrap.servers': this.nativeBootstrapServers.join(','), ...config }),
    );
  }

  // ---- faults ----

  /** SIGKILL (process mode): no controlled shutdown; its session expires after the timeout. */
  killBroker(id: number): Promise<void> {
    return this.member(id).kill();
  }

  /** SIGSTOP (process mode): it stops serving and heartbeating (a zombie past the session timeout). */
  pauseBroker(id: number): void {
    this.member(id).pause();
  }

  /** SIGCONT (process mode). */
  resumeBroker(id: number): void {
    this.member(id).resume();
  }

  /** Controlled shutdown (Kafka's SIGTERM): its leaderships move first. */
  stopBroker(id: number): Promise<void> {
    return this.member(id).stop();
  }

  /**
   * Starts a stopped or killed broker again (same id, data and ports); a running one is
   * stopped first (controlled). Resolves once it is registered.
   */
  async restartBroker(
    id: number,
    opts: { config?: Record<string, string | number | boolean> } = {},
  ): Promise<void> {
    const m = this.member(id);
    if (m.running) await m.stop();
    await m.start(opts.config);
  }

  /** Ends broker `id`'s ZooKeeper session from the server side; resolves once it is registered again. */
  async expireSession(id: number, timeoutMs = 15000): Promise<void> {
    const before = await this.zk.getBrokerAndEpoch(id);
    await this.member(id).expireSession();
    await waitFor(
      `broker ${id} to register with a new session`,
      async () => {
        const now = await this.zk.getBrokerAndEpoch(id);
        return now !== null && now.epoch !== before?.epoch;
      },
      { timeoutMs, intervalMs: 50 },
    );
  }

  /** Kills the current controller (process mode; in-process: a controlled stop). Returns its id. */
  async killController(): Promise<number> {
    const id = await this.waitForController();
    const m = this.member(id);
    if (m.mode === 'process') await m.kill();
    else await m.stop();
    return id;
  }

  /** Partitions broker `id` from ZooKeeper, the other brokers, the clients, or given nodes (`network: 'proxied'`). */
  isolate(id: number, from: IsolateFrom): void {
    this.network.isolate(id, from);
  }

  /** Heals the links of broker `id`, or every link. */
  heal(id?: number): void {
    this.network.heal(id);
  }

  // ---- helpers ----

  /** The controller's id, or null. */
  controller(): Promise<number | null> {
    return this.zk.getControllerId();
  }

  /** Waits for a controller (other than `not`); returns its id. */
  waitForController(opts: { not?: number; timeoutMs?: number } = {}): Promise<number> {
    return waitFor(
      'a controller' + (opts.not !== undefined ? ` other than ${opts.not}` : ''),
      async () => {
        const id = await this.zk.getControllerId();
        return id !== null && id !== opts.not ? id : undefined;
      },
      { timeoutMs: opts.timeoutMs ?? 20000, intervalMs: 25 },
    );
  }

  /** The leader of `topic`-`partition` per ZooKeeper (-1: none), or null if it has no state. */
  async leaderOf(topic: string, partition = 0): Promise<number | null> {
    const s = await this.partitionState(topic, partition);
    return s ? s.leader : null;
  }

  private async partitionState(topic: string, partition: number) {
    const states = await this.zk.getTopicPartitionStates([{ topic, partition }]);
    return states.get(tpKey(topic, partition)) ?? null;
  }

  /** Waits for a leader of `topic`-`partition` (other than `not`); returns its id. */
  waitForLeader(
    topic: string,
    partition = 0,
    opts: { not?: number; timeoutMs?: number } = {},
  ): Promise<number> {
    return waitFor(
      `a leader of ${topic}-${partition}` +
        (opts.not !== undefined ? ` other than ${opts.not}` : ''),
      async () => {
        const l = await this.leaderOf(topic, partition);
        return l !== null && l >= 0 && l !== opts.not ? l : undefined;
      },
      { timeoutMs: opts.timeoutMs ?? 20000, intervalMs: 25 },
    );
  }

  /** Waits until the ISR of `topic`-`partition` has `size` members; returns it. */
  waitForIsr(
    topic: string,
    partition: number,
    size: number,
    opts: { timeoutMs?: number } = {},
  ): Promise<number[]> {
    return waitFor(
      `${size} in the ISR of ${topic}-${partition}`,
      async () => {
        const s = await this.partitionState(topic, partition);
        return s && s.isr.length === size ? [...s.isr] : undefined;
      },
      { timeoutMs: opts.timeoutMs ?? 20000, intervalMs: 25 },
    );
  }

  /** Brokers, controller, every topic's leaders and ISRs (from ZooKeeper), and the links. */
  async describe(): Promise<ClusterDescription> {
    const controller = await this.zk.getControllerId();
    const topics: ClusterDescription['topics'] = {};
    const names = await this.zk.getAllTopicsInCluster();
    const assignments = await this.zk.getReplicaAssignmentForTopics(names);
    const tps = [...assignments].flatMap(([topic, a]) =>
      [...a.partitions.keys()].map((partition) => ({ topic, partition })),
    );
    const states = await this.zk.getTopicPartitionStates(tps);
    for (const tp of tps) {
      const s = states.get(tpKey(tp));
      (topics[tp.topic] ??= []).push({
        partition: tp.partition,
        leader: s?.leader ?? -1,
        isr: s ? [...s.isr] : [],
      });
    }
    for (const list of Object.values(topics)) list.sort((a, b) => a.partition - b.partition);
    return {
      mode: this.mode,
      zookeeper: this.zookeeperConnect,
      controller,
      brokers: [...this.members.values()].map((m, i) => ({
        id: m.id,
        running: m.running,
        paused: m.paused,
        controller: m.id === controller,
        kafka: this.bootstrapServers[i],
        native: this.nativeBootstrapServers[i],
      })),
      topics,
      ...(this.links ? { links: this.links.faults.links() } : {}),
    };
  }

  /** Creates topics and waits until each partition has a leader and a full ISR. */
  async createTopics(topics: TopicSpec[], timeoutMs = 20000): Promise<void> {
    if (topics.length === 0) return;
    const rf = Math.min(3, this.members.size);
    const specs = topics.map((t) => (typeof t === 'string' ? { name: t } : t));
    const admin = this.admin();
    try {
      await admin.createTopics(
        specs.map((t) => ({
          topic: t.name,
          numPartitions: t.partitions ?? 1,
          replicationFactor: t.replicationFactor ?? rf,
          configs: t.config,
        })),
      );
    } finally {
      await admin.close();
      this.clients.delete(admin);
    }
    await Promise.all(
      specs.flatMap((t) =>
        Array.from({ length: t.partitions ?? 1 }, (_, p) =>
          this.waitForIsr(t.name, p, t.replicationFactor ?? rf, { timeoutMs }),
        ),
      ),
    );
  }

  /**
   * Stops everything: clients, brokers (process mode: SIGKILL; in-process: shutdown, the
   * controller last), proxies, the ZooKeeper client, its own ZooKeeper; removes the temp
   * dir. Idempotent; never throws for a broker already gone.
   */
  stop(): Promise<void> {
    this.stopped ??= this.doStop();
    return this.stopped;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  private async doStop(): Promise<void> {
    live.delete(this);
    const quiet = async (p: Promise<unknown> | undefined) => {
      try {
        await p;
      } catch {
        // best effort: teardown goes on
      }
    };
    await Promise.all([...this.clients].map((c) => quiet(c.close())));
    this.clients.clear();
    const members = [...this.members.values()];
    if (this.mode === 'process') {
      await Promise.all(members.map((m) => quiet(m.kill())));
    } else {
      if (this.quietTeardown) setLogLevel('error');
      const controller = await Promise.race([
        this.zk.getControllerId().catch(() => null),
        new Promise<null>((r) => setTimeout(() => r(null), 1000)),
      ]);
      await Promise.all(members.filter((m) => m.id !== controller).map((m) => quiet(m.stop())));
      await Promise.all(members.filter((m) => m.id === controller).map((m) => quiet(m.stop())));
      if (this.quietTeardown) setLogLevel('warn');
    }
    await quiet(this.links?.close());
    await quiet(this.zk.close());
    await quiet(this.ownZooKeeper?.stop());
    removeDir(this.dataDir);
  }

  /** @internal */
  static abandonAll(): void {
    for (const c of live) {
      try {
        removeDir(c.dataDir);
      } catch {
        // best effort at exit
      }
    }
  }

  /** @internal */
  static register(c: KzooCluster): void {
    live.add(c);
    if (!exitHook) {
      exitHook = true;
      // Child processes are killed by trackChild's exit hook; temp dirs go here.
      process.once('exit', () => KzooCluster.abandonAll());
    }
  }
}

/** A fresh chroot name for a cluster. */
function chroot(): string {
  return `/kzoo-cluster-${randomBytes(6).toString('hex')}`;
}

/**
 * Starts ZooKeeper (or uses the shared one) and `brokers` brokers, creates `topics`, and
 * resolves once every broker knows every other and the controller (a produce with
 * acks=all can go). On failure everything started is stopped again.
 */
export async function startCluster(opts: StartClusterOptions = {}): Promise<KzooCluster> {
  const n = opts.brokers ?? 3;
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`brokers must be a positive integer, got ${n}`);
  const mode = opts.mode ?? 'in-process';
  if (mode !== 'in-process' && mode !== 'process')
    throw new Error(`mode must be 'in-process' or 'process', got ${JSON.stringify(mode)}`);
  const network = opts.network ?? 'direct';
  if (network !== 'direct' && network !== 'proxied')
    throw new Error(`network must be 'direct' or 'proxied', got ${JSON.stringify(network)}`);
  const timeoutMs = opts.startTimeoutMs ?? 30000;
  let quietLogs = false;
  if (mode === 'in-process') {
    const level = opts.logLevel ?? (process.env.KZOO_LOG_LEVEL ? undefined : 'warn');
    if (level) setLogLevel(level);
    // Teardown warnings (the last broker cannot hand its leaderships to anyone) are noise.
    quietLogs = !opts.logLevel && !process.env.KZOO_LOG_LEVEL;
  }

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `kzoo-cluster-${process.pid}-`));
  let ownZooKeeper: ZooKeeperHandle | null = null;
  let zkStarting: Promise<ZooKeeperHandle> | null = null;
  let zk: KafkaZkClient | null = null;
  let links: ClusterLinks | null = null;
  const members = new Map<number, ClusterMember>();
  try {
    let servers: string;
    const z = opts.zookeeper ?? 'embedded';
    if (z === 'embedded') {
      servers = process.env[SHARED_ZOOKEEPER_ENV] ?? '';
      if (!servers) {
        // Its port is known before it serves: broker code loads meanwhile.
        const clientPort = await freePort();
        servers = `127.0.0.1:${clientPort}`;
        zkStarting = startZooKeeper({
          nodes: 1,
          tickTimeMs: 500,
          clientPort,
          dataDir: path.join(dataDir, 'zookeeper'),
        });
        zkStarting.then(
          (h) => (ownZooKeeper = h),
          () => undefined,
        );
      }
    } else if (typeof z === 'object' && typeof z.connect === 'string' && z.connect) {
      servers = z.connect.replace(/\/+$/, '');
    } else {
      throw new Error(`zookeeper must be 'embedded' or { connect: 'host:port' }`);
    }
    const zkConnect = servers + chroot();
    const ids = Array.from({ length: n }, (_, i) => i + 1);
    if (network === 'proxied') links = await ClusterLinks.create(ids, zkConnect);
    const config = { ...TEST_DEFAULTS, ...opts.config };
    for (const id of ids) {
      const brokerDir = path.join(dataDir, `broker-${id}`);
      fs.mkdirSync(brokerDir);
      const spec: MemberSpec = {
        id,
        dataDir: brokerDir,
        zkConnect: links ? links.zkConnect(id) : zkConnect,
        config: { ...config, ...(links ? links.brokerConfig(id) : {}) },
        ports: links?.ports(id),
      };
      members.set(id, mode === 'process' ? new ProcessMember(spec) : new InProcessMember(spec));
    }
    // The cluster's own view of ZooKeeper (below) goes direct, never through a faulty link.
    for (const m of members.values()) m.prepare();
    await zkStarting;
    const zkOpen = KafkaZkClient.connect({
      connectString: zkConnect,
      sessionTimeoutMs: 10000,
      connectionTimeoutMs: timeoutMs,
    });
    const started = Promise.all([...members.values()].map((m) => m.start()));
    [zk] = await Promise.all([zkOpen, started]);
    const cluster = new KzooCluster(mode, zkConnect, members, zk, links, ownZooKeeper, dataDir);
    cluster.quietTeardown = quietLogs;
    KzooCluster.register(cluster);
    try {
      await waitForMetadata(cluster, timeoutMs);
      await cluster.createTopics(opts.topics ?? [], timeoutMs);
    } catch (e) {
      await cluster.stop();
      throw e;
    }
    return cluster;
  } catch (e) {
    // undo what was started (a cluster object, if made, has stopped itself already)
    await Promise.all(
      [...members.values()].map((m) =>
        (m.mode === 'process' ? m.kill() : m.stop()).catch(() => undefined),
      ),
    );
    await links?.close().catch(() => undefined);
    await zk?.close().catch(() => undefined);
    await zkStarting?.catch(() => undefined);
    await (ownZooKeeper as ZooKeeperHandle | null)?.stop().catch(() => undefined);
    removeDir(dataDir);
    throw e;
  }
}

/** Every broker's metadata lists every broker and a controller (the first thing a client needs). */
async function waitForMetadata(cluster: KzooCluster, timeoutMs: number): Promise<void> {
  const want = cluster.brokerIds.length;
  await Promise.all(
    cluster.brokerIds.map((id) =>
      waitFor(
        `broker ${id}'s metadata to list ${want} brokers and a controller`,
        async () => {
          const c = await Connection.connect({
            host: '127.0.0.1',
            port: cluster.brokerPort(id),
            requestTimeoutMs: 5000,
          });
          try {
            const md = await c.request(3, 0, { topics: [], allowAutoTopicCreation: false });
            return md.brokers.length === want && md.controllerId >= 0;
          } finally {
            await c.close();
          }
        },
        { timeoutMs, intervalMs: 25 },
      ),
    ),
  );
}
