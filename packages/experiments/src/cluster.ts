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
import { SystemTime, type Time } from '@kzoo/common';
import { KafkaZkClient } from '@kzoo/zk';
import {
  brokerNode,
  BrokerExitedError,
  NetworkFaults,
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
  time?: Time;
}

export class ExperimentCluster {
  readonly brokers = new Map<number, BrokerProcess>();
  /** The bound (hidden, when proxied) listener ports of each broker. */
  private readonly ports = new Map<number, { port: number; kafkaPort: number }>();
  /** Every link through its own proxy (`network: true`), else null. */
  readonly links: NetworkFaults | null;
  /** A proxied broker's `zookeeper.connect`: its own proxies to each ZooKeeper server. */
  private readonly brokerZk = new Map<number, string>();
  private closed = false;

  private constructor(
    readonly opts: ExperimentClusterOptions,
    /** zookeeper.connect of the brokers, with the chroot. */
    readonly zkConnect: string,
    readonly zkClient: KafkaZkClient,
    /** The ZooKeeper this cluster started (null with an external one). */
    readonly zookeeper: ZooKeeperHandle | null,
  ) {
    this.links = opts.network ? new NetworkFaults() : null;
    this.time = opts.time ?? SystemTime;
  }

  private readonly time: Time;

  /** Whether this build has per-link network faults. */
  static readonly networkFaultsAvailable: boolean = true;

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
      if (cluster.links) await cluster.wireLinks(ids);
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

  /** kzoo-protocol bootstrap servers (the client proxies when proxied). */
  bootstrap(): string[] {
    if (this.links)
      return this.ids.map((id) => this.links!.link('client', id).proxy('PLAINTEXT').address);
    return this.ids.map((id) => `127.0.0.1:${this.broker(id).port}`);
  }

  /**
   * Every link through its own proxy, named as testkit's NetworkFaults names them:
   * broker:i->zookeeper (zookeeper:k in an ensemble), broker:i->broker:j, client->broker:i.
   * Brokers bind hidden ports, advertise the client proxies and dial their peers through
   * `kzoo.inter.broker.address.overrides`; the observer's own ZooKeeper client is direct.
   */
  private async wireLinks(ids: number[]): Promise<void> {
    const links = this.links!;
    const slash = this.zkConnect.indexOf('/');
    const servers = this.zkConnect.slice(0, slash).split(',');
    const chroot = this.zkConnect.slice(slash);
    const ports = await freePorts(2 * ids.length);
    for (const [n, id] of ids.entries()) {
      const zkProxies: string[] = [];
      for (const [k, server] of servers.entries()) {
        const i = server.lastIndexOf(':');
        const target = { host: server.slice(0, i), port: Number(server.slice(i + 1)) };
        const node = servers.length === 1 ? 'zookeeper' : `zookeeper:${k + 1}`;
        zkProxies.push((await links.addProxy(brokerNode(id), node, 'zookeeper', target)).address);
      }
      this.brokerZk.set(id, zkProxies.join(',') + chroot);
      const p = { port: ports[2 * n], kafkaPort: ports[2 * n + 1] };
      this.ports.set(id, p);
      await links.addProxy('client', brokerNode(id), 'PLAINTEXT', {
        host: '127.0.0.1',
        port: p.port,
      });
      await links.addProxy('client', brokerNode(id), 'KAFKA', {
        host: '127.0.0.1',
        port: p.kafkaPort,
      });
    }
    for (const i of ids) {
      for (const j of ids) {
        if (i === j) continue;
        const target = { host: '127.0.0.1', port: this.ports.get(j)!.port };
        await links.addProxy(brokerNode(i), brokerNode(j), 'PLAINTEXT', target);
      }
    }
  }

  /** A proxied broker's advertised listeners and peer address overrides. */
  private proxiedConfig(id: number): Record<string, string> {
    const links = this.links!;
    const overrides = [`${id}@127.0.0.1:${this.ports.get(id)!.port}`];
    for (const j of this.ports.keys()) {
      if (j !== id) overrides.push(`${j}@${links.link(id, j).proxy('PLAINTEXT').address}`);
    }
    const client = links.link('client', id);
    return {
      'advertised.listeners':
        `PLAINTEXT://${client.proxy('PLAINTEXT').address},` +
        `KAFKA://${client.proxy('KAFKA').address}`,
      'kzoo.inter.broker.address.overrides': overrides.join(','),
    };
  }

  /** Points the proxies towards broker `id` at its new bound ports. */
  private retarget(id: number): void {
    if (!this.links) return;
    const p = this.ports.get(id)!;
    this.links.link('client', id).proxy('PLAINTEXT').setTarget({ host: '127.0.0.1', port: p.port });
    this.links
      .link('client', id)
      .proxy('KAFKA')
      .setTarget({ host: '127.0.0.1', port: p.kafkaPort });
    for (const j of this.ports.keys()) {
      if (j !== id)
        this.links.link(j, id).proxy('PLAINTEXT').setTarget({ host: '127.0.0.1', port: p.port });
    }
  }

  dataDir(id: number): string {
    return path.join(this.opts.workDir, `broker-${id}`);
  }

  /** Starts (or restarts, keeping its data dir and ports) broker `id`; resolves once registered. */
  async startBroker(id: number): Promise<BrokerProcess> {
    if (this.closed) throw new Error('the cluster is closed');
    const prev = this.brokers.get(id);
    if (prev?.running) throw new Error(`broker ${id} is running`);
    // A killed broker's ephemeral /brokers/ids/<id> lives until its session expires; a
    // broker restarted before that refuses to start (DUPLICATE_BROKER_REGISTRATION), as
    // Kafka's does. Wait for it to go, as an operator would.
    if (prev) await this.waitForDeregistration(id);
    let ports = this.ports.get(id);
    if (!ports) {
      const [port, kafkaPort] = await freePorts(2);
      this.ports.set(id, (ports = { port, kafkaPort }));
    }
    const spawn = async (p: { port: number; kafkaPort: number }) => {
      const proc = await spawnBrokerProcess({
        id,
        zk: this.brokerZk.get(id) ?? this.zkConnect,
        dataDir: this.dataDir(id),
        port: p.port,
        kafkaPort: p.kafkaPort,
        sessionTimeoutMs: this.opts.sessionTimeoutMs,
        extraConfig: { ...this.opts.brokerConfig, ...(this.links ? this.proxiedConfig(id) : {}) },
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
      this.retarget(id);
      return spawn({ port, kafkaPort });
    }
  }

  private async waitForDeregistration(id: number): Promise<void> {
    const deadline = this.time.milliseconds() + this.opts.sessionTimeoutMs * 2 + 10000;
    while (this.time.milliseconds() < deadline) {
      const live = await this.zkClient.getSortedBrokerList().catch(() => null);
      if (live && !live.includes(id)) return;
      await this.time.sleep(100);
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
    if (!this.links)
      throw new Error(`cannot isolate broker ${id} from ${from}: the links are not proxied`);
    this.links.isolate(brokerNode(id), from);
  }

  /** Heals what `isolate(id, from)` cut (and nothing else). */
  healIsolation(id: number, from: 'zookeeper' | 'brokers' | 'clients'): void {
    if (!this.links) return;
    const self = brokerNode(id);
    if (from === 'zookeeper') this.links.heal(self, 'zookeeper');
    else if (from === 'clients') this.links.heal(self, 'client');
    else for (const j of this.ids) if (j !== id) this.links.heal(self, brokerNode(j));
  }

  /** Every link back to pass. */
  healAllLinks(): void {
    this.links?.heal();
  }

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
    await this.links?.close();
    await this.zkClient.close().catch(() => undefined);
    await this.zookeeper?.stop();
    if (!opts.keepData) {
      for (const id of this.ports.keys())
        fs.rmSync(this.dataDir(id), { recursive: true, force: true });
    }
  }
}
