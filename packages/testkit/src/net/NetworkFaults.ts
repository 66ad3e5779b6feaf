/**
 * NetworkFaults: the links of a cluster, each a LinkProxy (or a few: one per listener of
 * the same pair), named by who dials whom:
 *
 *   broker:i->zookeeper      (a standalone ZooKeeper; an ensemble has broker:i->zookeeper:k)
 *   broker:i->broker:j       for every ordered pair (i's fetchers, and i's controller
 *                            channel / AlterPartition / controlled shutdown towards j)
 *   client->broker:i         the client listeners (native and Kafka) of broker i
 *
 * Operations name nodes (`broker:1`, `zookeeper`, `zookeeper:2`, `client`) and act on the
 * links between them; a fault on one link never touches another:
 *   partition(a, b)          both directions of both links between a and b held (silence)
 *   isolate(node, from)      partition node from 'zookeeper' | 'brokers' | 'clients' | nodes
 *   dropOneWay(from, to)     bytes from `from` to `to` discarded (the other way passes)
 *   delay(a, b, ms, jitter)  both directions between a and b delayed
 *   reset(a, b)              open connections between a and b closed (both ends see it)
 *   heal(a?, b?)             the links between a and b, touching a, or all, back to pass
 *   links()                  every link with its state
 */
import type { Time } from '@kzoo/common';
import { describeFlows, LinkProxy, type HostPort, type LinkFlows } from './LinkProxy';

export type NodeName = string;
export type IsolateFrom = 'zookeeper' | 'brokers' | 'clients' | NodeName[];

export interface LinkInfo {
  /** `from->to`. */
  name: string;
  from: NodeName;
  to: NodeName;
  /** `pass`, `partition`, `drop forward`, `delay 50±10ms`, ... */
  state: string;
  flows: LinkFlows;
  /** Proxy address → target address, per listener. */
  proxies: Array<{ listener: string; address: string; target: string }>;
}

export class Link {
  readonly name: string;
  private _flows: LinkFlows = { forward: 'pass', backward: 'pass' };
  /** By listener name (`zookeeper`, `PLAINTEXT`, `KAFKA`, ...). */
  readonly proxies = new Map<string, LinkProxy>();

  constructor(
    readonly from: NodeName,
    readonly to: NodeName,
  ) {
    this.name = `${from}->${to}`;
  }

  proxy(listener: string): LinkProxy {
    const p = this.proxies.get(listener);
    if (!p) throw new Error(`link ${this.name} has no ${listener} proxy`);
    return p;
  }

  get flows(): LinkFlows {
    return this._flows;
  }

  setFlows(f: Partial<LinkFlows>): void {
    for (const p of this.proxies.values()) p.setFlows(f);
    this._flows = { ...this._flows, ...f };
  }

  reset(): void {
    for (const p of this.proxies.values()) p.reset();
  }

  info(): LinkInfo {
    return {
      name: this.name,
      from: this.from,
      to: this.to,
      state: describeFlows(this._flows),
      flows: this._flows,
      proxies: [...this.proxies].map(([listener, p]) => ({
        listener,
        address: p.address,
        target: `${p.target.host}:${p.target.port}`,
      })),
    };
  }
}

export function brokerNode(id: number): NodeName {
  return `broker:${id}`;
}

/** `1` or `'1'` or `'broker:1'` → `broker:1`; other names as they are. */
export function nodeName(n: NodeName | number): NodeName {
  if (typeof n === 'number' || /^\d+$/.test(n)) return brokerNode(Number(n));
  return n;
}

export class NetworkFaults {
  private readonly table = new Map<string, Link>();
  private closed = false;

  constructor(private readonly opts: { time?: Time; random?: () => number } = {}) {}

  /**
   * Adds (or extends) the link `from->to` with a proxy for `listener` towards `target`;
   * resolves with the proxy (listening on a free port of 127.0.0.1).
   */
  async addProxy(
    from: NodeName,
    to: NodeName,
    listener: string,
    target: HostPort,
  ): Promise<LinkProxy> {
    if (this.closed) throw new Error('NetworkFaults is closed');
    const name = `${from}->${to}`;
    let link = this.table.get(name);
    if (!link) this.table.set(name, (link = new Link(from, to)));
    if (link.proxies.has(listener)) throw new Error(`link ${name} already has a ${listener} proxy`);
    const p = await LinkProxy.start({
      target,
      name: `${name} (${listener})`,
      time: this.opts.time,
      random: this.opts.random,
    });
    p.setFlows(link.flows);
    link.proxies.set(listener, p);
    return p;
  }

  /** The link `from->to` (throws naming the known links if there is none). */
  link(from: NodeName | number, to: NodeName | number): Link {
    const name = `${nodeName(from)}->${nodeName(to)}`;
    const l = this.table.get(name);
    if (!l) {
      throw new Error(`no link ${name}; links: ${[...this.table.keys()].join(', ') || 'none'}`);
    }
    return l;
  }

  /** Every node that appears on a link. */
  nodes(): NodeName[] {
    const s = new Set<NodeName>();
    for (const l of this.table.values()) s.add(l.from).add(l.to);
    return [...s];
  }

  links(): LinkInfo[] {
    return [...this.table.values()].map((l) => l.info());
  }

  /** The links between a and b, in either direction (throws if there is none). */
  private between(a: NodeName | number, b: NodeName | number): Link[] {
    const x = this.resolveNode(a);
    const y = this.resolveNode(b);
    const out = [...this.table.values()].filter(
      (l) => (l.from === x && l.to === y) || (l.from === y && l.to === x),
    );
    if (out.length === 0) throw new Error(`no link between ${x} and ${y}`);
    return out;
  }

  /** `zookeeper` also names every node of an ensemble (`zookeeper:k`). */
  private resolveNode(n: NodeName | number): NodeName {
    const name = nodeName(n);
    if (!this.nodes().includes(name) && !this.expandGroup(name).length) {
      throw new Error(`unknown node ${name}; nodes: ${this.nodes().join(', ')}`);
    }
    return name;
  }

  private expandGroup(name: NodeName): NodeName[] {
    if (name === 'zookeeper') return this.nodes().filter((n) => /^zookeeper(:\d+)?$/.test(n));
    return [];
  }

  private expand(n: NodeName | number): NodeName[] {
    const name = nodeName(n);
    const group = this.expandGroup(name);
    if (group.length > 0) return group;
    this.resolveNode(name);
    return [name];
  }

  private pairs(a: NodeName | number, b: NodeName | number): Link[] {
    const out: Link[] = [];
    for (const x of this.expand(a)) for (const y of this.expand(b)) out.push(...this.between(x, y));
    return out;
  }

  /** Both directions of every link between a and b held: silence, nothing closed. */
  partition(a: NodeName | number, b: NodeName | number): void {
    for (const l of this.pairs(a, b)) l.setFlows({ forward: 'blackhole', backward: 'blackhole' });
  }

  /** Partitions `node` from ZooKeeper, from every other broker, from clients, or from the nodes listed. */
  isolate(node: NodeName | number, from: IsolateFrom): void {
    const self = nodeName(node);
    this.resolveNode(self);
    let others: NodeName[];
    if (from === 'zookeeper') others = this.expandGroup('zookeeper');
    else if (from === 'brokers')
      others = this.nodes().filter((n) => n.startsWith('broker:') && n !== self);
    else if (from === 'clients') others = ['client'];
    else if (Array.isArray(from)) others = from.map(nodeName);
    else throw new Error(`isolate: from must be zookeeper, brokers, clients or a list of nodes`);
    const links = others.flatMap((o) => this.pairs(self, o));
    for (const l of links) l.setFlows({ forward: 'blackhole', backward: 'blackhole' });
  }

  /** Bytes from `from` to `to` are discarded; the other way passes. */
  dropOneWay(from: NodeName | number, to: NodeName | number): void {
    const f = this.expand(from);
    const t = this.expand(to);
    for (const l of this.pairs(from, to)) {
      if (f.includes(l.from) && t.includes(l.to)) l.setFlows({ forward: 'drop' });
      else l.setFlows({ backward: 'drop' });
    }
  }

  /** Delays both directions between a and b by `ms` ± `jitterMs` (uniform), order kept per connection. */
  delay(a: NodeName | number, b: NodeName | number, ms: number, jitterMs = 0): void {
    const d = { delayMs: ms, jitterMs };
    for (const l of this.pairs(a, b)) l.setFlows({ forward: d, backward: d });
  }

  /** Closes the open connections between a and b (both ends see the close). */
  reset(a: NodeName | number, b: NodeName | number): void {
    for (const l of this.pairs(a, b)) l.reset();
  }

  /** Back to pass: the links between a and b; every link touching a; or every link. */
  heal(a?: NodeName | number, b?: NodeName | number): void {
    let links: Link[];
    if (a === undefined) links = [...this.table.values()];
    else if (b === undefined) {
      const xs = this.expand(a);
      links = [...this.table.values()].filter((l) => xs.includes(l.from) || xs.includes(l.to));
    } else links = this.pairs(a, b);
    for (const l of links) l.setFlows({ forward: 'pass', backward: 'pass' });
  }

  /** Closes every proxy. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.table.values()].flatMap((l) => [...l.proxies.values()]);
    await Promise.all(all.map((p) => p.close()));
  }
}
