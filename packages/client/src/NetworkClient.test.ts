/**
 * NetworkClient's per-broker reconnect backoff (KIP-144) and connection setup timeout
 * (KIP-601) on a mock clock, with connects injected: a broker is "up" when its address is
 * in `up`, else the connect is refused at once.
 */
import { KafkaError, Logger, MockTime } from '@kzoo/common';
import type { Connection, ConnectionOptions } from '@kzoo/protocol';
import { NetworkClient } from './NetworkClient';

const A = { host: '127.0.0.1', port: 9001 };
const B = { host: '127.0.0.1', port: 9002 };
const C = { host: '127.0.0.1', port: 9003 };
const key = (hp: { host: string; port: number }) => `${hp.host}:${hp.port}`;

/** What NetworkClient uses of a Connection. */
class FakeConnection {
  closed = false;
  inFlight = 0;
  private readonly listeners: Array<(err: KafkaError) => void> = [];
  constructor(readonly address: string) {}
  onClose(l: (err: KafkaError) => void): void {
    this.listeners.push(l);
  }
  controlKey(): () => void {
    return () => undefined;
  }
  /** The broker went away (or the client closed it). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const l of this.listeners) l(new KafkaError('NETWORK_EXCEPTION', 'closed'));
  }
}

function harness(opts: { random?: () => number; reconnectBackoffMs?: number } = {}) {
  const time = new MockTime();
  const up = new Set<string>();
  const attempts: Array<{ address: string; atMs: number; timeoutMs: number }> = [];
  const opened: FakeConnection[] = [];
  const logger = new Logger('test');
  const warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
  jest.spyOn(logger, 'debug').mockImplementation(() => undefined);
  jest.spyOn(logger, 'info').mockImplementation(() => undefined);
  const connect = async (o: ConnectionOptions): Promise<Connection> => {
    const address = `${o.host}:${o.port}`;
    attempts.push({ address, atMs: time.milliseconds(), timeoutMs: o.connectTimeoutMs! });
    if (!up.has(address))
      throw new KafkaError(
        'NETWORK_EXCEPTION',
        `connect to ${address}: connect ECONNREFUSED ${address}`,
      );
    const c = new FakeConnection(address);
    opened.push(c);
    return c as unknown as Connection;
  };
  const client = new NetworkClient({
    bootstrap: [A, B, C],
    clientId: 'test',
    requestTimeoutMs: 30000,
    connectTimeoutMs: 10000,
    connectTimeoutMaxMs: 30000,
    reconnectBackoffMs: opts.reconnectBackoffMs ?? 50,
    reconnectBackoffMaxMs: 1000,
    logger,
    time,
    random: opts.random ?? (() => 0.5), // factor 1.0: no jitter
    connect,
  });
  client.setNodes([
    { nodeId: 1, ...A },
    { nodeId: 2, ...B },
    { nodeId: 3, ...C },
  ]);
  return { time, up, attempts, opened, warn, client };
}

/** Lets pending promise callbacks run (the injected connects settle in microtasks). */
const settle = () => new Promise<void>((r) => setImmediate(r));

/** Fails a connect to node 1 `n` times, each as soon as its backoff allows; the waits seen. */
async function failRepeatedly(h: ReturnType<typeof harness>, n: number): Promise<number[]> {
  const waits: number[] = [];
  for (let i = 0; i < n; i++) {
    await expect(h.client.connectionTo(1)).rejects.toThrow(/ECONNREFUSED/);
    const wait = h.client.connectionDelay(1);
    waits.push(wait);
    h.time.tick(wait);
  }
  return waits;
}

describe('Client > NetworkClient > reconnect backoff', () => {
  test('the wait after each consecutive failure doubles from reconnect.backoff.ms to reconnect.backoff.max.ms', async () => {
    const h = harness();
    expect(await failRepeatedly(h, 8)).toEqual([50, 100, 200, 400, 800, 1000, 1000, 1000]);
    // One attempt per backoff, each started as soon as the previous backoff ended.
    const start = h.attempts[0].atMs;
    expect(h.attempts.map((a) => a.atMs - start)).toEqual([0, 50, 150, 350, 750, 1550, 2550, 3550]);
  });

  test('jitter keeps each wait within ±20 % of the computed one, never above the max', async () => {
    expect(await failRepeatedly(harness({ random: () => 0 }), 7)).toEqual([
      40, 80, 160, 320, 640, 800, 800,
    ]);
    expect(await failRepeatedly(harness({ random: () => 0.999999 }), 7)).toEqual([
      59, 119, 239, 479, 959, 1000, 1000,
    ]);
  });

  test('a connect to a node in backoff fails at once, naming the node and the wait left', async () => {
    const h = harness();
    await failRepeatedly(h, 2); // backoff 100 ms, fully waited
    await expect(h.client.connectionTo(1)).rejects.toThrow(/ECONNREFUSED/);
    h.time.tick(130);
    const err = await h.client.connectionTo(1).catch((e: KafkaError) => e);
    expect(err).toBeInstanceOf(KafkaError);
    expect((err as KafkaError).errorName).toBe('NETWORK_EXCEPTION');
    expect((err as KafkaError).retriable).toBe(true);
    expect((err as KafkaError).message).toContain(
      'Connection to node 1 (/127.0.0.1:9001) is in reconnect backoff for another 70 ms after 3 failed attempts',
    );
    expect(h.attempts).toHaveLength(3); // no connect was attempted
    h.time.tick(70);
    h.up.add(key(A));
    await expect(h.client.connectionTo(1)).resolves.toBeDefined();
    expect(h.attempts).toHaveLength(4);
  });

  test('a connection established resets the backoff; losing it starts again from reconnect.backoff.ms', async () => {
    const h = harness();
    expect(await failRepeatedly(h, 4)).toEqual([50, 100, 200, 400]);
    h.up.add(key(A));
    await h.client.connectionTo(1);
    expect(h.client.connectionDelay(1)).toBe(0);
    // The broker closes the connection: a lost connection counts as a first failure.
    await h.opened[0].close();
    expect(h.client.connectionDelay(1)).toBe(50);
    h.time.tick(50);
    h.up.delete(key(A));
    expect(await failRepeatedly(h, 2)).toEqual([100, 200]);
  });

  test('the connection setup timeout grows with failed connects up to its max, reset once connected (KIP-601)', async () => {
    const h = harness();
    await failRepeatedly(h, 4);
    h.up.add(key(A));
    await h.client.connectionTo(1);
    expect(h.attempts.map((a) => a.timeoutMs)).toEqual([10000, 20000, 30000, 30000, 30000]);
    await h.opened[0].close();
    h.time.tick(50);
    await h.client.connectionTo(1);
    expect(h.attempts[5].timeoutMs).toBe(10000);
  });

  test('one WARN per unreachable broker in Kafka words, not one per attempt', async () => {
    const h = harness();
    await failRepeatedly(h, 10);
    expect(h.warn.mock.calls).toEqual([
      [
        'Connection to node 1 (/127.0.0.1:9001) could not be established. Node may not be available.',
        {
          error:
            'NETWORK_EXCEPTION: connect to 127.0.0.1:9001: connect ECONNREFUSED 127.0.0.1:9001',
        },
      ],
    ]);
    // Back for a while, then down again: that is worth a new warning.
    h.up.add(key(A));
    await h.client.connectionTo(1);
    await h.opened[0].close();
    h.up.delete(key(A));
    h.time.tick(50);
    await expect(h.client.connectionTo(1)).rejects.toThrow(/ECONNREFUSED/);
    expect(h.warn).toHaveBeenCalledTimes(2);
  });

  test('bootstrap servers are named as Kafka names them before metadata: node -1, -2, ...', async () => {
    const h = harness();
    h.client.setNodes([]);
    await expect(h.client.connect(B)).rejects.toThrow(/ECONNREFUSED/);
    await expect(h.client.connect(B)).rejects.toThrow(
      'Connection to node -2 (/127.0.0.1:9002) is in reconnect backoff for another 50 ms',
    );
  });
});

describe('Client > NetworkClient > leastLoaded and reconnect backoff', () => {
  test('skips a node in backoff', async () => {
    const h = harness();
    await failRepeatedly(h, 4);
    await expect(h.client.connectionTo(1)).rejects.toThrow(/ECONNREFUSED/); // backoff 800 ms
    h.up.add(key(A));
    h.up.add(key(B));
    const before = h.attempts.length;
    const conn = (await h.client.leastLoaded()) as unknown as FakeConnection;
    expect(conn.address).toBe(key(B));
    expect(h.attempts.slice(before).map((a) => a.address)).toEqual([key(B)]);
  });

  test('tries the nodes that never failed first and the one that failed last at the end', async () => {
    const h = harness();
    for (const hp of [A, B, C]) h.up.add(key(hp));
    await h.client.connect(C);
    await h.client.connect(A);
    await h.opened[0].close(); // C lost first
    await h.opened[1].close(); // then A
    h.up.clear();
    h.time.tick(50); // both out of backoff
    const before = h.attempts.length;
    await expect(h.client.leastLoaded()).rejects.toThrow(/no broker reachable/);
    expect(h.attempts.slice(before).map((a) => a.address)).toEqual([key(B), key(C), key(A)]);
  });

  test('when every node is in backoff, waits for the first to come out of it, without attempts meanwhile', async () => {
    const h = harness();
    const t0 = h.time.milliseconds();
    await expect(h.client.leastLoaded()).rejects.toThrow(
      'no broker reachable (bootstrap.servers=127.0.0.1:9001,127.0.0.1:9002,127.0.0.1:9003)',
    );
    expect(h.attempts.map((a) => a.address)).toEqual([key(A), key(B), key(C)]);
    // Second failures: A and B in backoff until t0+150, C until t0+160.
    h.time.tick(50);
    await expect(h.client.connectionTo(1)).rejects.toThrow(/ECONNREFUSED/);
    await expect(h.client.connectionTo(2)).rejects.toThrow(/ECONNREFUSED/);
    h.time.tick(10);
    await expect(h.client.connectionTo(3)).rejects.toThrow(/ECONNREFUSED/);
    h.up.add(key(B));
    const before = h.attempts.length;
    let resolved: FakeConnection | undefined;
    const p = h.client.leastLoaded().then((c) => (resolved = c as unknown as FakeConnection));
    await settle();
    expect(h.time.pendingTasks()).toEqual([
      { name: 'reconnect-backoff', deadlineMs: t0 + 150, periodMs: undefined },
    ]);
    for (let t = 60; t < 149; t++) {
      h.time.tick(1);
      await settle();
    }
    expect(h.attempts.length).toBe(before);
    expect(resolved).toBeUndefined();
    h.time.tick(1);
    await p;
    // At t0+150: A (refused, it failed before B) then B, which is up; C still waits.
    expect(h.attempts.slice(before).map((a) => [a.address, a.atMs - t0])).toEqual([
      [key(A), 150],
      [key(B), 150],
    ]);
    expect(resolved?.address).toBe(key(B));
  });

  test('close releases a leastLoaded waiting for a backoff', async () => {
    const h = harness();
    await expect(h.client.leastLoaded()).rejects.toThrow(/no broker reachable/);
    const p = h.client.leastLoaded();
    await settle();
    await h.client.close();
    await expect(p).rejects.toThrow('client closed');
    expect(h.time.pendingTasks()).toEqual([]);
  });
});
