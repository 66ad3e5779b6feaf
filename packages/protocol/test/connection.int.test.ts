import * as net from 'node:net';
import { MockTime } from '@kzoo/common';
import {
  ApiKeys,
  Connection,
  FrameDecoder,
  decodeRequestHeader,
  encodeResponse,
} from '@kzoo/protocol';

// A peer that accepts connections and reads requests but never answers: what a paused
// (SIGSTOPped) broker looks like from a client, since the kernel still accepts for it.
function silentPeer(): Promise<{
  port: number;
  sockets: net.Socket[];
  close: () => Promise<void>;
}> {
  const sockets: net.Socket[] = [];
  const server = net.createServer((s) => {
    sockets.push(s);
    s.on('data', () => undefined);
    s.on('error', () => undefined);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      resolve({
        port,
        sockets,
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

describe('Protocol > Connection > request timeout', () => {
  test('a request that times out disconnects, failing the other requests in flight (as Kafka NetworkClient)', async () => {
    const peer = await silentPeer();
    const conn = await Connection.connect({ host: '127.0.0.1', port: peer.port });
    try {
      const short = conn.request(ApiKeys.Metadata, 0, { topics: null }, { timeoutMs: 200 });
      const long = conn.request(ApiKeys.Metadata, 0, { topics: null }, { timeoutMs: 60000 });
      await expect(short).rejects.toMatchObject({ errorName: 'REQUEST_TIMED_OUT' });
      await expect(long).rejects.toMatchObject({ errorName: 'NETWORK_EXCEPTION' });
      expect(conn.closed).toBe(true);
      // The peer sees the disconnect.
      await new Promise<void>((resolve) => {
        if (peer.sockets[0].destroyed || peer.sockets[0].readableEnded) resolve();
        else peer.sockets[0].once('close', () => resolve());
      });
    } finally {
      await conn.close();
      await peer.close();
    }
  });

  // One clock task times a connection's requests out (not one timer per request): it is
  // armed for the earliest deadline, re-armed earlier by a shorter request, and when it
  // fires after the request it was armed for was answered, re-armed for the next one.
  test('on a mock clock, each request times out at its own deadline', async () => {
    const time = new MockTime(0);
    // answers Metadata requests whose correlation id is even, never the odd ones
    const sockets: net.Socket[] = [];
    const server = net.createServer((s) => {
      sockets.push(s);
      const frames = new FrameDecoder();
      s.on('data', (chunk: Buffer) => {
        frames.push(chunk);
        for (let f = frames.next(); f !== undefined; f = frames.next()) {
          const { correlationId } = decodeRequestHeader(f).header;
          if (correlationId % 2 === 0)
            s.write(
              encodeResponse(correlationId, {
                throttleTimeMs: 0,
                brokers: [],
                clusterId: null,
                controllerId: -1,
                topics: [],
              }),
            );
        }
      });
      s.on('error', () => undefined);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as net.AddressInfo).port;
    const conn = await Connection.connect({ host: '127.0.0.1', port, time });
    try {
      // id 0, answered; armed for its deadline 1000
      await conn.request(ApiKeys.Metadata, 0, { topics: null }, { timeoutMs: 1000 });
      time.tick(500);
      // id 1 (never answered) is due at 500 + 5000; id 2 answered
      const unanswered = conn.request(ApiKeys.Metadata, 0, { topics: null }, { timeoutMs: 5000 });
      let outcome = 'pending';
      unanswered.then(
        () => (outcome = 'answered'),
        (e: { errorName?: string }) => (outcome = e.errorName ?? 'error'),
      );
      await conn.request(ApiKeys.Metadata, 0, { topics: null }, { timeoutMs: 1000 });
      time.tick(500); // 1000: the check armed for id 0 fires, finds nothing expired
      await new Promise((r) => setImmediate(r));
      expect(outcome).toBe('pending');
      expect(conn.closed).toBe(false);
      time.tick(4499); // 5499
      await new Promise((r) => setImmediate(r));
      expect(outcome).toBe('pending');
      time.tick(1); // 5500
      await new Promise((r) => setImmediate(r));
      expect(outcome).toBe('REQUEST_TIMED_OUT');
      expect(conn.closed).toBe(true);
    } finally {
      await conn.close();
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  test('a shorter request sent after a longer one times out first, on a mock clock', async () => {
    const time = new MockTime(0);
    const peer = await silentPeer();
    const conn = await Connection.connect({ host: '127.0.0.1', port: peer.port, time });
    try {
      const long = conn.request(ApiKeys.Metadata, 0, { topics: null }, { timeoutMs: 60000 });
      const short = conn.request(ApiKeys.Metadata, 0, { topics: null }, { timeoutMs: 200 });
      const seen: string[] = [];
      long.catch((e: { errorName: string }) => seen.push(`long ${e.errorName}`));
      short.catch((e: { errorName: string }) => seen.push(`short ${e.errorName}`));
      // one clock task for both, armed for the earlier deadline
      expect(time.pendingTasks().filter((t) => t.name === 'request-timeout')).toEqual([
        { name: 'request-timeout', deadlineMs: 200, periodMs: undefined },
      ]);
      time.tick(199);
      await new Promise((r) => setImmediate(r));
      expect(seen).toEqual([]);
      time.tick(1);
      await new Promise((r) => setImmediate(r));
      expect(seen).toEqual(['short REQUEST_TIMED_OUT', 'long NETWORK_EXCEPTION']);
    } finally {
      await conn.close();
      await peer.close();
    }
  });
});
