/**
 * The broker's SocketServer and the protocol's Connection over real loopback sockets.
 */
import * as net from 'node:net';
import { KafkaError, MockTime, setLogSink } from '@kzoo/common';
import {
  ApiKeys,
  Connection,
  ErrorResponse,
  FrameDecoder,
  apiRegistry,
  encodeRequest,
  type HeartbeatRequest,
  type ProduceRequest,
} from '@kzoo/protocol';
import { SocketServer, type RequestContext, type RequestHandler } from '../src/network';

const servers: SocketServer[] = [];
const conns: Connection[] = [];
const sockets: net.Socket[] = [];

afterEach(async () => {
  for (const c of conns.splice(0)) await c.close();
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(servers.splice(0).map((s) => s.shutdown(100)));
});

async function startServer(
  handler: RequestHandler,
  opts: Partial<ConstructorParameters<typeof SocketServer>[0]> = {},
): Promise<{ server: SocketServer; port: number }> {
  const server = new SocketServer({ handler, ...opts });
  servers.push(server);
  const { port } = await server.start();
  return { server, port };
}

async function connect(port: number, requestTimeoutMs = 10000): Promise<Connection> {
  const c = await Connection.connect({ host: '127.0.0.1', port, requestTimeoutMs });
  conns.push(c);
  return c;
}

/** Polls `cond` until true or the deadline passes. */
async function waitFor(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

interface Deferred {
  resolve: (v: unknown) => void;
  promise: Promise<unknown>;
}
function deferred(): Deferred {
  let resolve!: (v: unknown) => void;
  const promise = new Promise<unknown>((r) => (resolve = r));
  return { resolve, promise };
}

const heartbeat = (generationId: number): HeartbeatRequest => ({
  groupId: 'g',
  generationId,
  memberId: 'm',
  groupInstanceId: null,
});

/** Echoes Heartbeat's generationId back as throttleTimeMs. */
const echo: RequestHandler = (ctx) => ({
  throttleTimeMs: (ctx.body as HeartbeatRequest).generationId,
  errorCode: 0,
});

function rawSocket(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => resolve(s));
    s.once('error', reject);
    sockets.push(s);
  });
}

function closed(s: net.Socket): Promise<void> {
  return new Promise((resolve) => (s.destroyed ? resolve() : s.once('close', () => resolve())));
}

describe('broker > network > SocketServer', () => {
  it("reports the bound port and hands handlers the listener's advertised versions", async () => {
    const { server, port } = await startServer(
      (ctx) => ({ errorCode: 0, apiKeys: ctx.apiVersions, throttleTimeMs: 0 }),
      { serves: (k) => k !== ApiKeys.Heartbeat },
    );
    expect(port).toBeGreaterThan(0);
    expect(server.port).toBe(port);
    const c = await connect(port);
    const res = await c.request(ApiKeys.ApiVersions, 0, {
      clientSoftwareName: 'kzoo-test',
      clientSoftwareVersion: '0',
    });
    expect(res.errorCode).toBe(0);
    expect(res.apiKeys).toEqual(apiRegistry.ranges.filter((r) => r.apiKey !== ApiKeys.Heartbeat));
  });

  it('writes responses in request order when handlers finish out of order', async () => {
    const n = 50;
    const { port } = await startServer(async (ctx) => {
      const g = (ctx.body as HeartbeatRequest).generationId;
      // later requests finish first
      await new Promise((r) => setTimeout(r, (n - g) * 2));
      return { throttleTimeMs: g, errorCode: 0 };
    });
    const s = await rawSocket(port);
    const frames: Buffer[] = [];
    for (let i = 0; i < n; i++) {
      frames.push(
        encodeRequest(
          { apiKey: 12, apiVersion: 0, correlationId: 1000 + i, clientId: 'raw' },
          heartbeat(i),
        ),
      );
    }
    s.write(Buffer.concat(frames));
    const decoder = new FrameDecoder();
    const ids: number[] = [];
    await new Promise<void>((resolve) => {
      s.on('data', (chunk: Buffer) => {
        decoder.push(chunk);
        let f: Buffer | undefined;
        while ((f = decoder.next()) !== undefined) ids.push(f.readInt32BE(0));
        if (ids.length === n) resolve();
      });
    });
    expect(ids).toEqual(frames.map((_, i) => 1000 + i));
  });

  it('pipelines 10,000 requests on one connection', async () => {
    const { port } = await startServer(echo);
    const c = await connect(port);
    const all = [];
    for (let i = 0; i < 10_000; i++) all.push(c.request(ApiKeys.Heartbeat, 0, heartbeat(i)));
    const res = await Promise.all(all);
    expect(res.map((r) => r.throttleTimeMs)).toEqual(res.map((_, i) => i));
    expect(c.inFlight).toBe(0);
  });

  it('serves many connections at once, each in its own order', async () => {
    const { server, port } = await startServer(async (ctx) => {
      await new Promise((r) => setImmediate(r));
      return echo(ctx);
    });
    const clients = await Promise.all(Array.from({ length: 40 }, () => connect(port)));
    await waitFor(() => server.connectionCount === 40, 'forty accepted connections');
    const results = await Promise.all(
      clients.map((c, k) =>
        Promise.all(
          Array.from({ length: 250 }, (_, i) =>
            c.request(ApiKeys.Heartbeat, 0, heartbeat(k * 1000 + i)),
          ),
        ),
      ),
    );
    results.forEach((res, k) =>
      expect(res.map((r) => r.throttleTimeMs)).toEqual(res.map((_, i) => k * 1000 + i)),
    );
  });

  it('carries record batches as binary, unchanged', async () => {
    const seen: Buffer[] = [];
    const { port } = await startServer((ctx) => {
      const req = ctx.body as ProduceRequest;
      seen.push(req.topics[0].partitions[0].records);
      return {
        topics: [
          {
            name: req.topics[0].name,
            partitions: [
              {
                index: 0,
                errorCode: 0,
                baseOffset: 2 ** 40,
                logAppendTimeMs: -1,
                logStartOffset: 0,
                errorMessage: null,
              },
            ],
          },
        ],
        throttleTimeMs: 0,
      };
    });
    const c = await connect(port);
    const records = Buffer.alloc(300_000);
    for (let i = 0; i < records.length; i++) records[i] = (i * 31) & 0xff;
    const res = await c.request(ApiKeys.Produce, 0, {
      transactionalId: null,
      acks: -1,
      timeoutMs: 1000,
      topics: [{ name: 't', partitions: [{ index: 0, records }] }],
    });
    expect(res.topics[0].partitions[0].baseOffset).toBe(2 ** 40);
    expect(seen[0].equals(records)).toBe(true);
  });

  it('stops reading a connection while queuedMaxRequests responses are pending', async () => {
    const held: Deferred[] = [];
    let active = 0;
    let maxActive = 0;
    const { server, port } = await startServer(
      async (ctx) => {
        active++;
        maxActive = Math.max(maxActive, active);
        const d = deferred();
        held.push(d);
        await d.promise;
        active--;
        return echo(ctx);
      },
      { queuedMaxRequests: 5 },
    );
    const c = await connect(port);
    const all = [];
    for (let i = 0; i < 40; i++) all.push(c.request(ApiKeys.Heartbeat, 0, heartbeat(i)));
    await waitFor(() => server.connectionStats()[0]?.paused === true, 'the connection to pause');
    expect(server.connectionStats()[0].queued).toBe(5);
    expect(held).toHaveLength(5);
    // release one at a time: the server takes one more request per answer
    for (let released = 0; released < 40; released++) {
      await waitFor(() => held.length > released, 'the next request in the handler');
      held[released].resolve(undefined);
    }
    const res = await Promise.all(all);
    expect(res.map((r) => r.throttleTimeMs)).toEqual(res.map((_, i) => i));
    expect(maxActive).toBe(5);
    await waitFor(() => server.connectionStats()[0]?.paused === false, 'the connection to resume');
  });

  it('stops reading a connection whose client does not read its responses', async () => {
    const big = Buffer.alloc(256 * 1024, 5);
    let handled = 0;
    const { server, port } = await startServer(
      () => {
        handled++;
        return {
          throttleTimeMs: 0,
          errorCode: 0,
          protocolType: null,
          protocolName: null,
          assignment: big,
        };
      },
      { queuedMaxRequests: 10_000 },
    );
    const s = await rawSocket(port);
    s.pause(); // a client that does not read
    const n = 400; // 100 MiB of responses if all were answered
    const frames: Buffer[] = [];
    for (let i = 0; i < n; i++) {
      frames.push(
        encodeRequest(
          { apiKey: ApiKeys.SyncGroup, apiVersion: 0, correlationId: i, clientId: 'slow' },
          {
            groupId: 'g',
            generationId: 1,
            memberId: 'm',
            groupInstanceId: null,
            protocolType: null,
            protocolName: null,
            assignments: [],
          },
        ),
      );
    }
    s.write(Buffer.concat(frames));
    await waitFor(() => server.connectionStats()[0]?.paused === true, 'the connection to pause');
    expect(handled).toBeLessThan(n);
    // once the client reads, everything is answered, in order
    const decoder = new FrameDecoder(1 << 20);
    const ids: number[] = [];
    await new Promise<void>((resolve) => {
      s.on('data', (chunk: Buffer) => {
        decoder.push(chunk);
        let f: Buffer | undefined;
        while ((f = decoder.next()) !== undefined) ids.push(f.readInt32BE(0));
        if (ids.length === n) resolve();
      });
      s.resume();
    });
    expect(ids).toEqual(frames.map((_, i) => i));
    expect(handled).toBe(n);
  });

  it('closes idle connections, not busy ones', async () => {
    const { server, port } = await startServer(
      async (ctx) => {
        await new Promise((r) => setTimeout(r, 600));
        return echo(ctx);
      },
      { connectionsMaxIdleMs: 200 },
    );
    const busy = await connect(port);
    const idle = await connect(port);
    const idleClosed = new Promise<KafkaError>((r) => idle.onClose(r));
    const res = await busy.request(ApiKeys.Heartbeat, 0, heartbeat(7));
    expect(res.throttleTimeMs).toBe(7);
    const err = await idleClosed;
    expect(err.errorName).toBe('NETWORK_EXCEPTION');
    expect(busy.closed).toBe(false);
    await waitFor(() => server.connectionCount === 1, 'the idle connection to go');
  });

  it('shuts down gracefully: stops accepting, answers in-flight requests, then closes', async () => {
    const held: Deferred[] = [];
    const { server, port } = await startServer(async (ctx) => {
      const d = deferred();
      held.push(d);
      await d.promise;
      return echo(ctx);
    });
    const c = await connect(port);
    const inflight = [1, 2, 3].map((g) => c.request(ApiKeys.Heartbeat, 0, heartbeat(g)));
    await waitFor(() => held.length === 3, 'three requests in the handler');
    const done = server.shutdown();
    await expect(
      Connection.connect({ host: '127.0.0.1', port, connectTimeoutMs: 2000 }),
    ).rejects.toMatchObject({
      errorName: 'NETWORK_EXCEPTION',
    });
    const clientClosed = new Promise<KafkaError>((r) => c.onClose(r));
    for (const d of held) d.resolve(undefined);
    const res = await Promise.all(inflight);
    expect(res.map((r) => r.throttleTimeMs)).toEqual([1, 2, 3]);
    await done;
    await clientClosed;
    expect(server.connectionCount).toBe(0);
  });

  it('closes only the connection that sent a malformed or oversized frame, logging one line', async () => {
    const lines: string[] = [];
    setLogSink((line) => lines.push(line));
    try {
      const { server, port } = await startServer(echo, { maxFrameBytes: 1024 });
      const good = await connect(port);
      expect((await good.request(ApiKeys.Heartbeat, 0, heartbeat(1))).throttleTimeMs).toBe(1);
      for (const bad of [
        Buffer.from([0x00, 0x10, 0x00, 0x00, 1, 2, 3]), // 1 MiB frame announced, limit 1 KiB
        Buffer.from([0xff, 0xff, 0xff, 0xff]), // negative size
        Buffer.from([0, 0, 0, 3, 0, 12, 0]), // a frame too short for a request header
      ]) {
        const s = await rawSocket(port);
        s.write(bad);
        await closed(s);
      }
      expect((await good.request(ApiKeys.Heartbeat, 0, heartbeat(2))).throttleTimeMs).toBe(2);
      expect(server.connectionCount).toBe(1);
      const malformed = lines.filter((l) => l.includes('malformed frame'));
      expect(malformed).toHaveLength(3);
      expect(malformed[0]).toContain('exceeds the maximum of 1024');
    } finally {
      setLogSink((line) => process.stderr.write(line + '\n'));
    }
  });

  it('answers unsupported versions and unknown keys with UNSUPPORTED_VERSION and keeps serving', async () => {
    const { port } = await startServer(echo);
    const c = await connect(port);
    const err = await c.request(ApiKeys.Heartbeat, 9, heartbeat(1)).catch((e) => e);
    expect(err).toBeInstanceOf(ErrorResponse);
    expect(err).toMatchObject({ code: 35, errorName: 'UNSUPPORTED_VERSION' });
    expect(err.message).toContain('Heartbeat v9 is not supported');
    expect((err as ErrorResponse).apiKeys).toEqual(apiRegistry.ranges);
    await expect(c.request(99, 0, {})).rejects.toMatchObject({ code: 35 });
    // ApiVersions at an unknown version: a v0 body with the ranges, as Kafka does
    const av = (await c.request(ApiKeys.ApiVersions, 7, {}).catch((e) => e)) as ErrorResponse;
    expect(av.code).toBe(35);
    expect(av.apiKeys).toContainEqual({ apiKey: 18, minVersion: 0, maxVersion: 0 });
    expect((await c.request(ApiKeys.Heartbeat, 0, heartbeat(3))).throttleTimeMs).toBe(3);
  });

  it('answers a wrongly typed body with INVALID_REQUEST naming the field', async () => {
    const { port } = await startServer(echo);
    const c = await connect(port);
    const bad = { ...heartbeat(1), generationId: 'one' };
    const err = (await c.request(ApiKeys.Heartbeat, 0, bad).catch((e) => e)) as KafkaError;
    expect(err).toMatchObject({ code: 42, errorName: 'INVALID_REQUEST' });
    expect(err.message).toContain('generationId: expected int32, got string');
    expect((await c.request(ApiKeys.Heartbeat, 0, heartbeat(4))).throttleTimeMs).toBe(4);
  });

  it('sends no response when the handler returns undefined (acks=0), keeping later responses matched', async () => {
    const produced: number[] = [];
    const { port } = await startServer((ctx: RequestContext) => {
      if (ctx.header.apiKey === ApiKeys.Produce) {
        produced.push(ctx.header.correlationId);
        return undefined;
      }
      return echo(ctx);
    });
    const c = await connect(port);
    for (let i = 0; i < 3; i++) {
      c.sendOneWay(ApiKeys.Produce, 0, {
        transactionalId: null,
        acks: 0,
        timeoutMs: 100,
        topics: [{ name: 't', partitions: [{ index: 0, records: Buffer.from([i]) }] }],
      });
    }
    expect((await c.request(ApiKeys.Heartbeat, 0, heartbeat(5))).throttleTimeMs).toBe(5);
    expect(produced).toEqual([0, 1, 2]);
  });

  it('closes the connection on ctx.closeConnection() after the earlier responses, dropping later requests', async () => {
    const slow = deferred();
    const seen: number[] = [];
    const { server, port } = await startServer((ctx: RequestContext) => {
      const g = (ctx.body as HeartbeatRequest).generationId;
      seen.push(g);
      if (g === 1) return slow.promise.then(() => echo(ctx));
      if (g === 2) {
        ctx.closeConnection();
        return undefined;
      }
      return echo(ctx);
    });
    const c = await connect(port);
    const other = await connect(port);
    const onClose = new Promise<KafkaError>((resolve) => c.onClose(resolve));
    const first = c.request(ApiKeys.Heartbeat, 0, heartbeat(1));
    const second = c.request(ApiKeys.Heartbeat, 0, heartbeat(2));
    const third = c.request(ApiKeys.Heartbeat, 0, heartbeat(3));
    second.catch(() => undefined);
    third.catch(() => undefined);
    await waitFor(() => seen.length === 3, 'three requests handled');
    // The close waits for the earlier, slower response.
    expect(c.closed).toBe(false);
    slow.resolve(undefined);
    expect((await first).throttleTimeMs).toBe(1);
    await expect(second).rejects.toMatchObject({ errorName: 'NETWORK_EXCEPTION' });
    await expect(third).rejects.toMatchObject({ errorName: 'NETWORK_EXCEPTION' });
    expect((await onClose).errorName).toBe('NETWORK_EXCEPTION');
    expect((await other.request(ApiKeys.Heartbeat, 0, heartbeat(7))).throttleTimeMs).toBe(7);
    await waitFor(() => server.connectionCount === 1, 'the closed connection removed');
  });

  it('reports handler failures as request-level errors', async () => {
    const logged: string[] = [];
    setLogSink((line) => logged.push(line));
    try {
      const { port } = await startServer((ctx) => {
        const g = (ctx.body as HeartbeatRequest).generationId;
        if (g === 1) throw new KafkaError('NOT_CONTROLLER', 'ask broker 2');
        if (g === 2) return Promise.reject(new Error('bug'));
        return echo(ctx);
      });
      const c = await connect(port);
      await expect(c.request(ApiKeys.Heartbeat, 0, heartbeat(1))).rejects.toMatchObject({
        code: 41,
        retriable: true,
      });
      await expect(c.request(ApiKeys.Heartbeat, 0, heartbeat(2))).rejects.toMatchObject({
        errorName: 'UNKNOWN_SERVER_ERROR',
      });
      expect(logged.filter((l) => l.includes('request handler failed'))).toHaveLength(1);
    } finally {
      setLogSink((line) => process.stderr.write(line + '\n'));
    }
  });
});

describe('protocol > Connection', () => {
  it('fails with REQUEST_TIMED_OUT when a response is dropped (then disconnects, as Kafka), and delays responses on demand', async () => {
    const { port } = await startServer(echo);
    const c = await connect(port, 300);
    const remove = c.controlKey(ApiKeys.Heartbeat, (req) =>
      (req.body as HeartbeatRequest).generationId === 1 ? 'drop' : { delayMs: 50 },
    );
    const dropped = c.request(ApiKeys.Heartbeat, 0, heartbeat(1));
    const delayed = c.request(ApiKeys.Heartbeat, 0, heartbeat(2));
    await expect(dropped).rejects.toMatchObject({
      errorName: 'REQUEST_TIMED_OUT',
      retriable: true,
    });
    expect((await delayed).throttleTimeMs).toBe(2);
    remove();
    // The timeout closed the connection: the next request fails at once.
    expect(c.closed).toBe(true);
    await expect(c.request(ApiKeys.Heartbeat, 0, heartbeat(3))).rejects.toMatchObject({
      errorName: 'NETWORK_EXCEPTION',
    });
    const fresh = await connect(port, 5000);
    expect((await fresh.request(ApiKeys.Heartbeat, 0, heartbeat(3))).throttleTimeMs).toBe(3);
  });

  it('fails every in-flight request with NETWORK_EXCEPTION when the connection drops', async () => {
    const { server, port } = await startServer(() => new Promise(() => {}));
    const c = await connect(port);
    const inflight = [1, 2, 3].map((g) => c.request(ApiKeys.Heartbeat, 0, heartbeat(g)));
    await waitFor(() => server.connectionStats()[0]?.queued === 3, 'three queued requests');
    const outcomes = Promise.allSettled(inflight);
    await server.shutdown(0);
    for (const r of await outcomes) {
      expect(r).toMatchObject({
        status: 'rejected',
        reason: { errorName: 'NETWORK_EXCEPTION', retriable: true },
      });
    }
    await expect(c.request(ApiKeys.Heartbeat, 0, heartbeat(4))).rejects.toMatchObject({
      errorName: 'NETWORK_EXCEPTION',
    });
  });

  it('rejects a refused connection with NETWORK_EXCEPTION', async () => {
    const probe = net.createServer();
    const port = await new Promise<number>((r) =>
      probe.listen(0, '127.0.0.1', () => r((probe.address() as net.AddressInfo).port)),
    );
    await new Promise((r) => probe.close(r));
    await expect(Connection.connect({ host: '127.0.0.1', port })).rejects.toMatchObject({
      errorName: 'NETWORK_EXCEPTION',
    });
  });
});

/** Real time passes (for an absence check: what must not happen has had its chance). */
const settle = (ms = 200) => new Promise((r) => setTimeout(r, ms));

describe('broker > network > quota throttling (KIP-219)', () => {
  it('answers at once, then reads nothing from a throttled connection until the throttle ends', async () => {
    const time = new MockTime();
    const handled: number[] = [];
    const { server, port } = await startServer(
      (ctx) => {
        const g = (ctx.body as HeartbeatRequest).generationId;
        handled.push(g);
        if (g === 1) ctx.throttle?.(1000);
        return { throttleTimeMs: 0, errorCode: 0 };
      },
      { time },
    );
    const c = await connect(port);
    const other = await connect(port);
    expect((await c.request(ApiKeys.Heartbeat, 0, heartbeat(1))).errorCode).toBe(0);
    await waitFor(() => server.connectionStats().some((s) => s.throttled), 'a muted connection');
    const second = c.request(ApiKeys.Heartbeat, 0, heartbeat(2));
    // another connection is served meanwhile
    expect((await other.request(ApiKeys.Heartbeat, 0, heartbeat(3))).errorCode).toBe(0);
    await settle();
    expect(handled).toEqual([1, 3]);
    time.tick(999);
    await settle(50);
    expect(handled).toEqual([1, 3]);
    time.tick(1);
    expect((await second).errorCode).toBe(0);
    expect(handled).toEqual([1, 3, 2]);
    expect(server.connectionStats().every((s) => !s.throttled)).toBe(true);
  });

  it('a client writes nothing to a broker before the throttle time it was given has passed', async () => {
    const handled: number[] = [];
    const { port } = await startServer((ctx) => {
      handled.push((ctx.body as HeartbeatRequest).generationId);
      return echo(ctx);
    });
    const time = new MockTime();
    const c = await Connection.connect({ host: '127.0.0.1', port, time });
    conns.push(c);
    expect((await c.request(ApiKeys.Heartbeat, 0, heartbeat(5000))).throttleTimeMs).toBe(5000);
    expect(c.throttleDelayMs()).toBe(5000);
    const next = c.request(ApiKeys.Heartbeat, 0, heartbeat(0));
    const after = c.request(ApiKeys.Heartbeat, 0, heartbeat(0));
    await settle();
    expect(handled).toEqual([5000]);
    time.tick(4999);
    await settle(50);
    expect(handled).toEqual([5000]);
    time.tick(1);
    await Promise.all([next, after]);
    expect(handled).toEqual([5000, 0, 0]);
    expect(c.throttleDelayMs()).toBe(0);
  });
});

/** Keeps the event loop busy for `ms` (a handler's synchronous work). */
function spin(ms: number): void {
  const end = process.hrtime.bigint() + BigInt(ms) * 1_000_000n;
  while (process.hrtime.bigint() < end);
}

describe('broker > network > request times (request quotas, KIP-124)', () => {
  it('times a request only while timeRequests() says so: the handler up to its synchronous return, then decode, encode and write once written', async () => {
    let timing = false;
    const seen: Array<RequestContext['times']> = [];
    const reported: number[] = [];
    const { port } = await startServer(
      async (ctx) => {
        seen.push(ctx.times);
        if (ctx.times) ctx.times.recordNetworkThreadTimeCallback = (n) => reported.push(n);
        spin(20);
        await new Promise((r) => setTimeout(r, 100)); // waiting is not the loop's time
        return echo(ctx);
      },
      { timeRequests: () => timing },
    );
    const c = await connect(port);
    expect((await c.request(ApiKeys.Heartbeat, 0, heartbeat(1))).throttleTimeMs).toBe(1);
    expect(seen).toEqual([undefined]);
    timing = true;
    expect((await c.request(ApiKeys.Heartbeat, 0, heartbeat(2))).throttleTimeMs).toBe(2);
    const handlerMs = seen[1]!.requestThreadTimeNanos() / 1e6;
    expect(handlerMs).toBeGreaterThanOrEqual(20);
    expect(handlerMs).toBeLessThan(100);
    // reported once the response was written, before the client read it
    expect(reported).toHaveLength(1);
    expect(reported[0]).toBeGreaterThan(0);
    expect(reported[0]).toBe(Number(seen[1]!.networkThreadTimeNanos));
  });
});
