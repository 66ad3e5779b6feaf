/**
 * ClusterLinks: the proxies of a proxied cluster and the broker settings that route each
 * broker through them (shared by TestCluster and startCluster):
 *   - broker i's `zookeeper.connect`: its own proxies to each ZooKeeper server (chroot kept);
 *   - its listeners bind hidden ports and advertise the `client->broker:i` proxies
 *     (`advertised.listeners`, as Kafka deployments behind proxies do);
 *   - `kzoo.inter.broker.address.overrides`: broker i dials peer j through
 *     `broker:i->broker:j`, and itself directly.
 */
import { freePorts } from '../util';
import { brokerNode, NetworkFaults, type NodeName } from './NetworkFaults';

const LOOPBACK = (port: number) => ({ host: '127.0.0.1', port });

/** The native (PLAINTEXT) and Kafka (KAFKA) listener names the clusters use. */
export const NATIVE_LISTENER = 'PLAINTEXT';
export const KAFKA_LISTENER = 'KAFKA';

interface Wired {
  /** Hidden (bound) ports. */
  port: number;
  kafkaPort: number;
  /** `zookeeper.connect` through this broker's own proxies. */
  zk: string;
}

export class ClusterLinks {
  private readonly wired = new Map<number, Wired>();

  private constructor(readonly faults: NetworkFaults) {}

  /**
   * Creates every proxy for brokers `ids` on ZooKeeper `zkConnect` (`host:port,...[/chroot]`):
   * broker i -> each ZooKeeper server, broker i -> broker j (ordered pairs), client ->
   * broker i (native and Kafka listeners). Hidden ports are picked free now.
   */
  static async create(ids: readonly number[], zkConnect: string): Promise<ClusterLinks> {
    const links = new ClusterLinks(new NetworkFaults());
    try {
      await links.wire(ids, zkConnect);
    } catch (e) {
      await links.faults.close();
      throw e;
    }
    return links;
  }

  private async wire(ids: readonly number[], zkConnect: string): Promise<void> {
    const faults = this.faults;
    const slash = zkConnect.indexOf('/');
    const servers = (slash >= 0 ? zkConnect.slice(0, slash) : zkConnect).split(',');
    const chroot = slash >= 0 ? zkConnect.slice(slash) : '';
    const zkNode = (k: number): NodeName =>
      servers.length === 1 ? 'zookeeper' : `zookeeper:${k + 1}`;
    const ports = await freePorts(2 * ids.length);
    for (const [n, id] of ids.entries()) {
      const zkProxies = [];
      for (const [k, server] of servers.entries()) {
        const i = server.lastIndexOf(':');
        const target = { host: server.slice(0, i), port: Number(server.slice(i + 1)) };
        zkProxies.push(await faults.addProxy(brokerNode(id), zkNode(k), 'zookeeper', target));
      }
      const p = { port: ports[2 * n], kafkaPort: ports[2 * n + 1] };
      this.wired.set(id, { ...p, zk: zkProxies.map((x) => x.address).join(',') + chroot });
      await faults.addProxy('client', brokerNode(id), NATIVE_LISTENER, LOOPBACK(p.port));
      await faults.addProxy('client', brokerNode(id), KAFKA_LISTENER, LOOPBACK(p.kafkaPort));
    }
    for (const i of ids) {
      for (const j of ids) {
        if (i === j) continue;
        const target = LOOPBACK(this.wired.get(j)!.port);
        await faults.addProxy(brokerNode(i), brokerNode(j), NATIVE_LISTENER, target);
      }
    }
  }

  has(id: number): boolean {
    return this.wired.has(id);
  }

  private get(id: number): Wired {
    const w = this.wired.get(id);
    if (!w) throw new Error(`broker ${id} is not one of this proxied cluster's brokers`);
    return w;
  }

  /** The hidden ports broker `id` binds. */
  ports(id: number): { port: number; kafkaPort: number } {
    const w = this.get(id);
    return { port: w.port, kafkaPort: w.kafkaPort };
  }

  /** Broker `id`'s `zookeeper.connect`: its proxies, with the chroot. */
  zkConnect(id: number): string {
    return this.get(id).zk;
  }

  /** `advertised.listeners` and `kzoo.inter.broker.address.overrides` of broker `id`. */
  brokerConfig(id: number): Record<string, string> {
    const self = this.get(id);
    const overrides = [`${id}@127.0.0.1:${self.port}`];
    for (const [j] of this.wired) {
      if (j !== id) {
        overrides.push(`${j}@${this.faults.link(id, j).proxy(NATIVE_LISTENER).address}`);
      }
    }
    return {
      'advertised.listeners':
        `${NATIVE_LISTENER}://${this.clientAddress(id, 'native')},` +
        `${KAFKA_LISTENER}://${this.clientAddress(id, 'kafka')}`,
      'kzoo.inter.broker.address.overrides': overrides.join(','),
    };
  }

  /** The address clients dial for broker `id` (its `client->broker:i` proxy). */
  clientAddress(id: number, listener: 'native' | 'kafka'): string {
    return this.faults
      .link('client', id)
      .proxy(listener === 'native' ? NATIVE_LISTENER : KAFKA_LISTENER).address;
  }

  /** Points the proxies towards broker `id` at new hidden ports (a restart on other ports). */
  retarget(id: number, port: number, kafkaPort: number): void {
    const w = this.get(id);
    w.port = port;
    w.kafkaPort = kafkaPort;
    this.faults.link('client', id).proxy(NATIVE_LISTENER).setTarget(LOOPBACK(port));
    this.faults.link('client', id).proxy(KAFKA_LISTENER).setTarget(LOOPBACK(kafkaPort));
    for (const [j] of this.wired) {
      if (j !== id) this.faults.link(j, id).proxy(NATIVE_LISTENER).setTarget(LOOPBACK(port));
    }
  }

  close(): Promise<void> {
    return this.faults.close();
  }
}
