/**
 * Network micro-benchmark: SocketServer + Connection over loopback, beside raw TCP
 * measured in the same run.
 *
 *   npx tsc -b && node packages/broker/dist/network/bench.js [seconds-per-case]
 *
 * Cases: round trips/s of small requests (Heartbeat) at pipeline depths 1 and 100;
 * MB/s of 16 KiB binary payloads echoed (SyncGroup: the request's assignment bytes
 * come back as the response's assignment) at depth 32; raw TCP echo of 16 KiB
 * writes (socket.pipe(socket)) as the physical reference.
 */
import * as net from 'node:net';
import { setLogLevel } from '@kzoo/common';
import {
  ApiKeys,
  Connection,
  decodeRequest,
  encodeRequest,
  type HeartbeatRequest,
  type SyncGroupRequest,
} from '@kzoo/protocol';
import { SocketServer } from './SocketServer';

const seconds = Number(process.argv[2] ?? 3);
const PAYLOAD = 16 * 1024;

async function pipelined(depth: number, send: () => Promise<unknown>): Promise<number> {
  const end = Date.now() + seconds * 1000;
  let done = 0;
  const worker = async () => {
    while (Date.now() < end) {
      await send();
      done++;
    }
  };
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: depth }, worker));
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  return done / secs;
}

async function rawEcho(): Promise<number> {
  const server = net.createServer((s) => s.pipe(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const sock = net.connect({ host: '127.0.0.1', port });
  await new Promise((r) => sock.once('connect', r));
  sock.setNoDelay(true);
  const chunk = Buffer.alloc(PAYLOAD, 1);
  let received = 0;
  let sent = 0;
  const window = 32 * PAYLOAD;
  const end = Date.now() + seconds * 1000;
  const t0 = process.hrtime.bigint();
  await new Promise<void>((resolve) => {
    const pump = () => {
      while (sent - received < window && Date.now() < end) {
        sock.write(chunk);
        sent += PAYLOAD;
      }
      if (Date.now() >= end && received >= sent) resolve();
    };
    sock.on('data', (d: Buffer) => {
      received += d.length;
      pump();
    });
    pump();
  });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  sock.destroy();
  await new Promise((r) => server.close(r));
  return received / secs / 1e6;
}

function codecOpsPerSec(): number {
  const body: SyncGroupRequest = {
    groupId: 'g',
    generationId: 1,
    memberId: 'm',
    groupInstanceId: null,
    protocolType: null,
    protocolName: null,
    assignments: [{ memberId: 'm', assignment: Buffer.alloc(PAYLOAD, 2) }],
  };
  const end = Date.now() + 1000;
  let n = 0;
  const t0 = process.hrtime.bigint();
  while (Date.now() < end) {
    for (let i = 0; i < 1000; i++) {
      const f = encodeRequest({ apiKey: 14, apiVersion: 0, correlationId: i, clientId: 'b' }, body);
      decodeRequest(f.subarray(4));
    }
    n += 1000;
  }
  return n / (Number(process.hrtime.bigint() - t0) / 1e9);
}

async function main(): Promise<void> {
  setLogLevel('warn');
  const server = new SocketServer({
    handler: (ctx) => {
      if (ctx.header.apiKey === ApiKeys.SyncGroup) {
        const req = ctx.body as SyncGroupRequest;
        return {
          throttleTimeMs: 0,
          errorCode: 0,
          protocolType: null,
          protocolName: null,
          assignment: req.assignments[0].assignment,
        };
      }
      // throttleTimeMs stays 0: a client waits out any throttle time it is given (KIP-219).
      return { throttleTimeMs: 0, errorCode: 0 };
    },
  });
  const { port } = await server.start();
  const c = await Connection.connect({ host: '127.0.0.1', port });
  const hb: HeartbeatRequest = {
    groupId: 'g',
    generationId: 1,
    memberId: 'm',
    groupInstanceId: null,
  };
  const payload = Buffer.alloc(PAYLOAD, 3);
  const sync: SyncGroupRequest = {
    groupId: 'g',
    generationId: 1,
    memberId: 'm',
    groupInstanceId: null,
    protocolType: null,
    protocolName: null,
    assignments: [{ memberId: 'm', assignment: payload }],
  };

  const codec = codecOpsPerSec();
  const rt1 = await pipelined(1, () => c.request(ApiKeys.Heartbeat, 0, hb));
  const rt100 = await pipelined(100, () => c.request(ApiKeys.Heartbeat, 0, hb));
  const echoPerSec = await pipelined(32, () => c.request(ApiKeys.SyncGroup, 0, sync));
  const echoMBs = (echoPerSec * PAYLOAD) / 1e6;
  await c.close();
  await server.shutdown();
  const raw = await rawEcho();

  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  console.log(`kzoo network bench (${seconds}s per case, node ${process.version})`);
  console.log(`codec encode+decode, 16 KiB SyncGroup request : ${fmt(codec)} ops/s`);
  console.log(`round trips, Heartbeat, depth 1               : ${fmt(rt1)} req/s`);
  console.log(`round trips, Heartbeat, depth 100             : ${fmt(rt100)} req/s`);
  console.log(
    `16 KiB echo via SocketServer+Connection, d=32  : ${echoMBs.toFixed(1)} MB/s (${fmt(echoPerSec)} req/s)`,
  );
  console.log(`raw TCP echo, 16 KiB writes, window 32        : ${raw.toFixed(1)} MB/s`);
  console.log(`ratio kzoo / raw                              : ${(echoMBs / raw).toFixed(2)}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
