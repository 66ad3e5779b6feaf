import * as net from 'node:net';
import { ApiKeys, Connection } from '@kzoo/protocol';

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
});
