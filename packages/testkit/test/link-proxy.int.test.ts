/**
 * LinkProxy and NetworkFaults on plain loopback sockets (no broker): what each fault does
 * to bytes and connections, and that a fault on one link leaves the others alone.
 */
import * as net from 'node:net';
import { MockTime } from '@kzoo/common';
import { LinkProxy, NetworkFaults, waitFor } from '@kzoo/testkit';
import { onCleanup } from '@kzoo/testkit/jest';

/** A server that records what each connection sent, and can write to them. */
class Sink {
  readonly conns: Array<{ sock: net.Socket; data: string; ended: boolean; closed: boolean }> = [];
  private constructor(readonly server: net.Server) {}
  static async start(): Promise<Sink> {
    const server = net.createServer({ allowHalfOpen: true });
    const sink = new Sink(server);
    server.on('connection', (sock) => {
      const c = { sock, data: '', ended: false, closed: false };
      sink.conns.push(c);
      sock.on('data', (d) => (c.data += d.toString('utf8')));
      sock.on('end', () => (c.ended = true));
      sock.on('error', () => undefined);
      sock.on('close', () => (c.closed = true));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    onCleanup(async () => {
      for (const c of sink.conns) c.sock.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    });
    return sink;
  }
  get target() {
    return { host: '127.0.0.1', port: (this.server.address() as net.AddressInfo).port };
  }
}

/** A client socket through the proxy, recording what it receives. */
async function dial(port: number) {
  const sock = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true });
  const c = { sock, data: '', ended: false, closed: false };
  sock.on('data', (d) => (c.data += d.toString('utf8')));
  sock.on('end', () => (c.ended = true));
  sock.on('error', () => undefined);
  sock.on('close', () => (c.closed = true));
  await new Promise<void>((resolve, reject) => {
    sock.once('connect', resolve);
    sock.once('error', reject);
  });
  onCleanup(() => void sock.destroy());
  return c;
}

async function proxyTo(sink: Sink, opts: { time?: MockTime; random?: () => number } = {}) {
  const p = await LinkProxy.start({ target: sink.target, name: 'test', ...opts });
  onCleanup(() => p.close());
  return p;
}

/** Lets the event loop run for `ms` (to show that something does NOT happen meanwhile). */
const settle = (ms = 300) => new Promise((r) => setTimeout(r, ms));

describe('testkit > net > LinkProxy', () => {
  it('passes bytes both ways and forwards a half-close', async () => {
    const sink = await Sink.start();
    const proxy = await proxyTo(sink);
    const c = await dial(proxy.port);
    c.sock.write('hello');
    await waitFor('the sink to receive hello', () => sink.conns[0]?.data === 'hello');
    sink.conns[0].sock.write('world');
    await waitFor('the client to receive world', () => c.data === 'world');
    c.sock.end();
    await waitFor('the sink to see the FIN', () => sink.conns[0].ended);
    expect(proxy.state).toBe('pass');
    expect(proxy.getStats()).toMatchObject({ accepted: 1, forwardBytes: 5, backwardBytes: 5 });
  });

  it('partition holds bytes in silence (no close, no reset), then delivers them at heal', async () => {
    const sink = await Sink.start();
    const proxy = await proxyTo(sink);
    const before = await dial(proxy.port);
    await waitFor('the first connection to reach the sink', () => sink.conns.length === 1);
    proxy.partition();
    expect(proxy.state).toBe('partition');
    before.sock.write('held-forward');
    sink.conns[0].sock.write('held-backward');
    // a connection opened during the partition is accepted, but nothing reaches the target
    const during = await dial(proxy.port);
    during.sock.write('late');
    await settle();
    expect(sink.conns).toHaveLength(1);
    expect(sink.conns[0].data).toBe('');
    expect(before.data).toBe('');
    expect([before.closed, before.ended, during.closed, sink.conns[0].closed]).toEqual([
      false,
      false,
      false,
      false,
    ]);

    proxy.heal();
    expect(proxy.state).toBe('pass');
    await waitFor('the held bytes to arrive', () => sink.conns[0].data === 'held-forward');
    await waitFor('the held reply to arrive', () => before.data === 'held-backward');
    await waitFor('the connection made during the partition to be dialed', () =>
      sink.conns.some((x) => x.data === 'late'),
    );
    expect(before.closed).toBe(false);
  });

  it('drop discards one direction only; a connection that lost bytes is closed at heal', async () => {
    const sink = await Sink.start();
    const proxy = await proxyTo(sink);
    const c = await dial(proxy.port);
    await waitFor('the connection to reach the sink', () => sink.conns.length === 1);
    proxy.drop('forward');
    expect(proxy.state).toBe('drop forward');
    c.sock.write('lost');
    sink.conns[0].sock.write('still-flows');
    await waitFor('the backward bytes to pass', () => c.data === 'still-flows');
    await waitFor(
      'the forward bytes to be dropped',
      () => proxy.getStats().droppedForwardBytes === 4,
    );
    expect(sink.conns[0].data).toBe('');

    proxy.heal();
    // (both sockets allow half-open connections: the close shows as their 'end')
    await waitFor('both ends to see the damaged connection close', () =>
      c.ended && sink.conns[0].ended ? true : undefined,
    );
    // a new connection after heal works
    const again = await dial(proxy.port);
    again.sock.write('ok');
    await waitFor('a new connection to pass', () => sink.conns[1]?.data === 'ok');
  });

  it('delay holds each chunk ms ± jitter on the injected clock, keeping the order', async () => {
    const time = new MockTime();
    // jitter draws: +40 for the first chunk, -40 for the second (which must still wait)
    const draws = [0.9, 0.1];
    const sink = await Sink.start();
    const proxy = await proxyTo(sink, { time, random: () => draws.shift() ?? 0.5 });
    const c = await dial(proxy.port);
    await waitFor('the connection to reach the sink', () => sink.conns.length === 1);
    proxy.delay(100, 50, 'forward');
    expect(proxy.state).toBe('delay 100±50ms forward');
    c.sock.write('first;');
    await waitFor('the proxy to read the first chunk', () => draws.length === 1);
    c.sock.write('second;');
    await waitFor('the proxy to read the second chunk', () => draws.length === 0);

    time.tick(60); // the second chunk alone would be due at +60: it waits for the first
    await settle(200);
    expect(sink.conns[0].data).toBe('');
    time.tick(79); // +139: still before the first chunk's +140
    await settle(200);
    expect(sink.conns[0].data).toBe('');
    time.tick(1); // +140
    await waitFor('both chunks, in order', () => sink.conns[0].data === 'first;second;');
    expect(proxy.getStats().forwardBytes).toBe('first;second;'.length);
  });

  it('reset closes the open connections at both ends and keeps accepting', async () => {
    const sink = await Sink.start();
    const proxy = await proxyTo(sink);
    const c = await dial(proxy.port);
    await waitFor('the connection to reach the sink', () => sink.conns.length === 1);
    proxy.reset();
    await waitFor('both ends to see the close', () => c.ended && sink.conns[0].ended);
    expect(proxy.state).toBe('pass');
    const again = await dial(proxy.port);
    again.sock.write('x');
    await waitFor('a new connection to pass', () => sink.conns[1]?.data === 'x');
    expect(proxy.getStats().connections).toBe(1);
  });

  it('refuses a bad delay with a clear error', async () => {
    const sink = await Sink.start();
    const proxy = await proxyTo(sink);
    expect(() => proxy.delay(-1, 0)).toThrow('bad delay -1±0 ms: both must be numbers >= 0');
  });
});

describe('testkit > net > NetworkFaults', () => {
  /** Two brokers and one ZooKeeper, every link to its own sink. */
  async function table() {
    const faults = new NetworkFaults();
    onCleanup(() => faults.close());
    const sinks = new Map<string, Sink>();
    for (const [from, to] of [
      ['broker:1', 'zookeeper'],
      ['broker:2', 'zookeeper'],
      ['broker:1', 'broker:2'],
      ['broker:2', 'broker:1'],
      ['client', 'broker:1'],
      ['client', 'broker:2'],
    ]) {
      const sink = await Sink.start();
      sinks.set(`${from}->${to}`, sink);
      await faults.addProxy(from, to, 'main', sink.target);
    }
    return { faults, sinks };
  }

  /** Writes `msg` over link `name` and says whether it arrived within a short while. */
  async function passes(
    faults: NetworkFaults,
    sinks: Map<string, Sink>,
    from: string,
    to: string,
  ): Promise<boolean> {
    const c = await dial(faults.link(from, to).proxy('main').port);
    const msg = `m${Math.random()}`;
    c.sock.write(msg);
    try {
      await waitFor(
        `${msg} over ${from}->${to}`,
        () => sinks.get(`${from}->${to}`)!.conns.some((x) => x.data === msg),
        { timeoutMs: 1500 },
      );
      return true;
    } catch {
      return false;
    }
  }

  it('a partition between two nodes touches only their links', async () => {
    const { faults, sinks } = await table();
    faults.partition(1, 'zookeeper');
    const states = Object.fromEntries(faults.links().map((l) => [l.name, l.state]));
    expect(states).toEqual({
      'broker:1->zookeeper': 'partition',
      'broker:2->zookeeper': 'pass',
      'broker:1->broker:2': 'pass',
      'broker:2->broker:1': 'pass',
      'client->broker:1': 'pass',
      'client->broker:2': 'pass',
    });
    expect(await passes(faults, sinks, 'broker:1', 'zookeeper')).toBe(false);
    expect(await passes(faults, sinks, 'broker:2', 'zookeeper')).toBe(true);
    expect(await passes(faults, sinks, 'broker:1', 'broker:2')).toBe(true);
    expect(await passes(faults, sinks, 'client', 'broker:1')).toBe(true);
  });

  it('isolate from brokers / clients, dropOneWay, delay and heal act on the named links', async () => {
    const { faults } = await table();
    const states = () => Object.fromEntries(faults.links().map((l) => [l.name, l.state]));
    faults.isolate('broker:1', 'brokers');
    expect(states()['broker:1->broker:2']).toBe('partition');
    expect(states()['broker:2->broker:1']).toBe('partition');
    expect(states()['client->broker:1']).toBe('pass');
    faults.isolate(2, 'clients');
    expect(states()['client->broker:2']).toBe('partition');
    faults.heal(1);
    expect(states()['broker:1->broker:2']).toBe('pass');
    expect(states()['client->broker:2']).toBe('partition');
    faults.heal();
    faults.dropOneWay('broker:2', 'broker:1');
    // bytes from 2 to 1: forward on 2->1, backward on 1->2
    expect(states()['broker:2->broker:1']).toBe('drop forward');
    expect(states()['broker:1->broker:2']).toBe('drop backward');
    faults.delay('client', 1, 30, 5);
    expect(states()['client->broker:1']).toBe('delay 30±5ms');
    faults.heal();
    expect(new Set(Object.values(states()))).toEqual(new Set(['pass']));
  });

  it('names the known nodes and links when asked for an unknown one', async () => {
    const { faults } = await table();
    expect(() => faults.partition(1, 'broker:9')).toThrow(
      /unknown node broker:9; nodes: .*broker:1/,
    );
    expect(() => faults.link('zookeeper', 'client')).toThrow(/no link zookeeper->client; links: /);
  });
});
