/**
 * The cluster an experiment runs on: a real ZooKeeper (standalone or a 3-node ensemble,
 * or an external connect string with a fresh chroot) and broker processes
 * (`kzoo broker start` via @kzoo/testkit's spawnBrokerProcess: real SIGKILL, SIGSTOP,
 * SIGTERM, restarts with the same id, data dir and ports), plus a KafkaZkClient that
 * watches it. It owns everything it starts and releases it in `close()` without jest
 * (testkit's TestCluster registers jest cleanups, so the CLI cannot use it).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { KafkaZkClient } from '@kzoo/zk';
import {
  BrokerExitedError,
  freePorts,
  spawnBrokerProcess,
  startZooKeeper,
  type BrokerProcess,
  type ZooKeeperHandle,
} from '@kzoo/testkit';

export interface ExperimentClusterOptions {
  brokers: number;
  /** 1 = standalone, 3 = ensemble (ignored with `zk`). */
  zookeeperNodes: 1 | 3;
  /** An external ZooKeeper `host:port[,...]`: the cluster runs under a fresh chroot of it. */
  zk?: string;
  sessionTimeoutMs: number;
  /** Further broker keys (Kafka names). */
  brokerConfig: Record<string, string | number | boolean>;
  /** Where data dirs go (removed on close unless `keep`). */
  workDir: string;
  /** Route every link through a per-link proxy (needed by the network faults). */
  network?: boolean;
}

export class ExperimentCluster {
  readonly brokers = new Map<number, BrokerProcess>();
  private readonly ports = new Map<number, { port: number; kafkaPort: number }>();
  private closed = false;

  private constructor(
    readonly opts: ExperimentClusterOptions,
    /** zookeeper.connect of the brokers, with the chroot. */
    readonly zkConnect: string,
    readonly zkClient: KafkaZkClient,
    /** The ZooKeeper this cluster started (null with an external one). */
    readonly zookeeper: ZooKeeperHandle | null,
  ) {}

  /** Whether this build has per-link network faults. */
  static readonly networkFaultsAvailable: boolean = false;

  static async start(opts: ExperimentClusterOptions): Promise<ExperimentCluster> {
    fs.mkdirSync(opts.workDir, { recursive: true });
    let zookeeper: ZooKeeperHandle | null = null;
    let servers = opts.zk;
    if (!servers) {
      zookeeper = await startZooKeeper({
        nodes: opts.zookeeperNodes,
        // sessions are clamped to [2, 20] x tickTime
        tickTimeMs: Math.min(500, Math.floor(opts.sessionTimeoutMs / 2)),
      });
      servers = zookeeper.connectString;
    }
    const zkConnect = `${servers.replace(/\/.*$/, '')}/kzoo-exp-${randomBytes(5).toString('hex')}`;
    let zkClient: KafkaZkClient;
    try {
      zkClient = await KafkaZkClient.connect({
        connectString: zkConnect,
        sessionTimeoutMs: Math.max(opts.sessionTimeoutMs, 4000),
        connectionTimeoutMs: 15000,
      });
    } catch (e) {
      await zookeeper?.stop();
      throw e;
    }
    const cluster = new ExperimentCluster(opts, zkConnect, zkClient, zookeeper);
    try {
      const ids = Array.from({ length: opts.brokers }, (_, i) => i + 1);
      await Promise.all(ids.map((id) => cluster.startBroker(id)));
    } catch (e) {
      await cluster.close();
      throw e;
    }
    return cluster;
  }

  get ids(): number[] {
    return [...this.brokers.keys()].sort((a, b) => a - b);
  }

  broker(id: number): BrokerProcess {
    const b = this.brokers.get(id);
    if (!b) throw new Error(`no broker ${id} in this cluster (brokers ${this.ids.join(', ')})`);
    return b;
  }

  /** kzoo-protocol bootstrap servers. */
  bootstrap(): string[] {
    return this.ids.map((id) => `127.0.0.1:${this.broker(id).port}`);
  }

  dataDir(id: number): string {
    return path.join(this.opts.workDir, `broker-${id}`);
  }

  /** Starts (or restarts, keeping its data dir and ports) broker `id`; resolves once registered. */
  async startBroker(id: number): Promise<BrokerProcess> {
    if (this.closed) throw new Error('the cluster is closed');
    const prev = this.brokers.get(id);
    if (prev?.running) throw new Error(`broker ${id} is running`);
    let ports = this.ports.get(id);
    if (!ports) {
      const [port, kafkaPort] = await freePorts(2);
      this.ports.set(id, (ports = { port, kafkaPort }));
    }
    const spawn = async (p: { port: number; kafkaPort: number }) => {
      const proc = await spawnBrokerProcess({
        id,
        zk: this.zkConnect,
        dataDir: this.dataDir(id),
        port: p.port,
        kafkaPort: p.kafkaPort,
        sessionTimeoutMs: this.opts.sessionTimeoutMs,
        extraConfig: this.opts.brokerConfig,
        env: { KZOO_LOG_FORMAT: 'json', KZOO_LOG_LEVEL: 'info' },
        cleanup: false,
      });
      this.brokers.set(id, proc);
      await proc.waitForRegistration(1, 30000);
      return proc;
    };
    fs.mkdirSync(this.dataDir(id), { recursive: true });
    try {
      return await spawn(ports);
    } catch (e) {
      // a released port can be taken meanwhile by an outgoing connection: new ports then
      if (!(e instanceof BrokerExitedError && e.portInUse)) throw e;
      const [port, kafkaPort] = await freePorts(2);
      this.ports.set(id, { port, kafkaPort });
      return spawn({ port, kafkaPort });
    }
  }

  async kill(id: number): Promise<void> {
    await this.broker(id).kill('SIGKILL');
  }

  pause(id: number): void {
    this.broker(id).pause();
  }

  resume(id: number): void {
    this.broker(id).resume();
  }

  /** SIGTERM: a controlled shutdown (SIGKILL after 20 s). */
  async stop(id: number): Promise<void> {
    await this.broker(id).stop(20000);
  }

  /** Restarts broker `id` if it is not running; resumes it if paused. */
  async ensureRunning(id: number): Promise<void> {
    const b = this.broker(id);
    if (b.running && b.isPaused) b.resume();
    if (!b.running) await this.startBroker(id);
  }

  private zk(): ZooKeeperHandle {
    if (!this.zookeeper) throw new Error('ZooKeeper faults need the ZooKeeper this run started');
    return this.zookeeper;
  }

  zookeeperNodes(): number[] {
    return this.zookeeper ? this.zookeeper.nodes.map((n) => n.id) : [];
  }

  zookeeperLeader(): Promise<number | null> {
    return this.zookeeper ? this.zookeeper.leader() : Promise.resolve(null);
  }

  async zkKill(node: number): Promise<void> {
    await this.zk().kill(node, 'SIGKILL');
  }

  async zkRestart(node: number): Promise<void> {
    const n = this.zk().nodes.find((x) => x.id === node);
    if (n && !n.running) await this.zk().restart(node);
  }

  /** Every ZooKeeper node that is down, started again. */
  async zkHealAll(): Promise<void> {
    if (!this.zookeeper) return;
    for (const n of this.zookeeper.nodes) if (!n.running) await this.zookeeper.restart(n.id);
  }

  /** Cuts broker `id` from ZooKeeper, from the other brokers or from clients (both ways). */
  isolate(id: number, from: 'zookeeper' | 'brokers' | 'clients'): void {
    throw new Error(
      `cannot isolate broker ${id} from ${from}: no per-link network faults in this build`,
    );
  }

  /** Heals what `isolate(id, from)` cut. */
  healIsolation(id: number, from: 'zookeeper' | 'brokers' | 'clients'): void {
    void id;
    void from;
  }

  /** Every link back to pass. */
  healAllLinks(): void {}

  /** Kills every broker, stops ZooKeeper (if started here), removes the data dirs. Idempotent. */
  async close(opts: { keepData?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(
      [...this.brokers.values()].map(async (b) => {
        if (b.isPaused) b.resume();
        await b.kill('SIGKILL').catch(() => undefined);
      }),
    );
    await this.zkClient.close().catch(() => undefined);
    await this.zookeeper?.stop();
    if (!opts.keepData) {
      for (const id of this.ports.keys())
        fs.rmSync(this.dataDir(id), { recursive: true, force: true });
    }
  }
}
