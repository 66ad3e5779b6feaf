/**
 * The Kafka listener at the byte level, on one in-process broker with a kzoo listener
 * and a Kafka listener: the handshake real clients open with, Metadata per listener,
 * bad input (malformed, unknown key, oversized: that connection closes, the others go
 * on), the wrong door both ways, SASL refused with Kafka's error, acks=0 silence.
 */
import * as net from 'node:net';
import { setLogSink } from '@kzoo/common';
import {
  Connection,
  FrameDecoder,
  decodeKafkaResponse,
  encodeKafkaRequest,
  type AlterClientQuotasResponse,
  type ApiVersionsResponse,
  type DescribeClientQuotasResponse,
  type MetadataResponse,
  type ProduceResponse,
} from '@kzoo/protocol';
import { buildRecordBatch } from '@kzoo/records';
import { runKcat, waitFor } from '@kzoo/testkit';
import { onCleanup } from '@kzoo/testkit/jest';
import { createTopic, randomTopic, startCluster, type TestCluster } from '../cluster';

const KAFKA_LISTENERS = {
  listeners: 'PLAINTEXT://127.0.0.1:0,KAFKA://127.0.0.1:0',
  'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,KAFKA:PLAINTEXT',
  'listener.wire.protocol.map': 'KAFKA:kafka',
  'socket.request.max.bytes': String(64 * 1024),
};

/** The first frame kcat 1.7.1 / librdkafka 2.0.2 sends: ApiVersions v3, correlation id 1. */
const KCAT_API_VERSIONS = Buffer.from(
  '00000024001200030000000100077264' + '6b61666b6100' + '0b6c696272646b61666b6106322e302e3200',
  'hex',
);

/** A raw socket that collects whole response frames. */
class RawClient {
  private readonly decoder = new FrameDecoder(1 << 24);
  private readonly frames: Buffer[] = [];
  closed = false;
  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d) => {
      this.decoder.push(d);
      for (let f = this.decoder.next(); f !== undefined; f = this.decoder.next())
        this.frames.push(f);
    });
    socket.on('close', () => (this.closed = true));
    socket.on('error', () => undefined);
  }
  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => resolve(new RawClient(s)));
      s.once('error', reject);
      onCleanup(() => {
        s.destroy();
      });
    });
  }
  send(frame: Buffer): void {
    this.socket.write(frame);
  }
  async next(): Promise<Buffer> {
    await waitFor('a response frame', () => this.frames.length > 0 || this.closed);
    const f = this.frames.shift();
    if (!f) throw new Error('connection closed');
    return f;
  }
  async waitClosed(): Promise<void> {
    await waitFor('the connection to close', () => this.closed);
  }
  count(): number {
    return this.frames.length;
  }
}

let correlation = 100;
function kafkaRequest(apiKey: number, apiVersion: number, body: unknown): Buffer {
  return encodeKafkaRequest(
    { apiKey, apiVersion, correlationId: correlation++, clientId: 'wire-test' },
    body,
  );
}

async function ask<T>(c: RawClient, apiKey: number, apiVersion: number, body: unknown): Promise<T> {
  c.send(kafkaRequest(apiKey, apiVersion, body));
  return decodeKafkaResponse(apiKey, apiVersion, await c.next()).body as T;
}

async function apiVersionsOk(c: RawClient): Promise<void> {
  const r = await ask<ApiVersionsResponse>(c, 18, 2, {
    clientSoftwareName: null,
    clientSoftwareVersion: null,
  });
  expect(r.errorCode).toBe(0);
}

describe('broker > kafka listener > wire', () => {
  let cluster: TestCluster;
  let kafkaPort: number;
  let nativePort: number;
  beforeEach(async () => {
    cluster = await startCluster(1, KAFKA_LISTENERS);
    kafkaPort = cluster.broker(1).dataPlane.socketServerOf('KAFKA').port;
    nativePort = cluster.broker(1).dataPlane.socketServer.port;
  });

  it("answers kcat's opening ApiVersions v3 with Kafka's table in the v3 layout, and an unknown version with the v0 layout", async () => {
    const c = await RawClient.connect(kafkaPort);
    c.send(KCAT_API_VERSIONS);
    const frame = await c.next();
    expect(frame.readInt32BE(0)).toBe(1); // correlation id, response header v0 (no tag byte)
    const r = decodeKafkaResponse(18, 3, frame).body as ApiVersionsResponse;
    expect(r.errorCode).toBe(0);
    const range = (k: number) => r.apiKeys.find((a) => a.apiKey === k);
    expect(range(0)).toEqual({ apiKey: 0, minVersion: 3, maxVersion: 8 });
    expect(range(1)).toEqual({ apiKey: 1, minVersion: 4, maxVersion: 11 });
    expect(range(18)).toEqual({ apiKey: 18, minVersion: 0, maxVersion: 3 });
    expect(range(4)).toBeUndefined(); // inter-broker APIs are not offered to Kafka clients
    expect(r.apiKeys.map((a) => a.apiKey)).toEqual(
      [...r.apiKeys.map((a) => a.apiKey)].sort((a, b) => a - b),
    );

    const v7 = Buffer.from(KCAT_API_VERSIONS);
    v7.writeInt16BE(7, 6);
    c.send(v7);
    const err = await c.next();
    // v0 layout: correlation id, error 35, [ {18, 0, 3} ]
    expect(err.toString('hex')).toBe('00000001' + '0023' + '00000001' + '0012' + '0000' + '0003');
    await apiVersionsOk(c); // and the connection goes on
  });

  it('answers Metadata with every broker on the Kafka listener, never the native one', async () => {
    const c = await RawClient.connect(kafkaPort);
    const topic = randomTopic('wire-md');
    await createTopic(await cluster.connect(), topic, 2);
    const md = await waitFor('leaders', async () => {
      const m = await ask<MetadataResponse>(c, 3, 8, {
        topics: [{ name: topic }],
        allowAutoTopicCreation: false,
      });
      return m.topics[0].partitions.length === 2 &&
        m.topics[0].partitions.every((p) => p.leaderId === 1)
        ? m
        : undefined;
    });
    expect(md.brokers).toEqual([{ nodeId: 1, host: '127.0.0.1', port: kafkaPort, rack: null }]);
    expect(md.controllerId).toBe(1);
    expect(md.clusterId).toBe(cluster.broker(1).clusterId);
    expect(md.topics[0].partitions[0].leaderEpoch).toBe(0);
  });

  it('closes only the connection that sent a malformed body, an unknown API key or an oversized frame, one log line each', async () => {
    const lines: string[] = [];
    setLogSink((l) => lines.push(l));
    onCleanup(() => setLogSink((l) => process.stderr.write(l + '\n')));
    const good = await RawClient.connect(kafkaPort);
    await apiVersionsOk(good);

    const truncated = kafkaRequest(0, 7, {
      transactionalId: null,
      acks: 1,
      timeoutMs: 1000,
      topics: [{ name: 't', partitions: [{ index: 0, records: Buffer.alloc(100) }] }],
    });
    const cut = truncated.subarray(0, truncated.length - 50);
    cut.writeInt32BE(cut.length - 4, 0);
    const unknownKey = kafkaRequest(18, 0, {});
    unknownKey.writeInt16BE(999, 4);
    const oversized = Buffer.alloc(8);
    oversized.writeInt32BE(1 << 20, 0); // 1 MiB announced, socket.request.max.bytes is 64 KiB

    for (const bad of [cut, unknownKey, oversized]) {
      const c = await RawClient.connect(kafkaPort);
      c.send(bad);
      await c.waitClosed();
      expect(c.count()).toBe(0);
    }
    await apiVersionsOk(good);
    expect(lines.filter((l) => /Produce v7 request/.test(l))).toHaveLength(1);
    expect(lines.filter((l) => /unknown apiKey 999/.test(l))).toHaveLength(1);
    expect(lines.filter((l) => /exceeds the maximum of 65536/.test(l))).toHaveLength(1);
  });

  it('a Kafka client at the kzoo listener fails fast, and the broker names the listener to use', async () => {
    const lines: string[] = [];
    setLogSink((l) => lines.push(l));
    onCleanup(() => setLogSink((l) => process.stderr.write(l + '\n')));
    const c = await RawClient.connect(nativePort);
    c.send(KCAT_API_VERSIONS);
    await c.waitClosed();
    expect(c.count()).toBe(0);
    const started = Date.now();
    const r = await runKcat(['-b', `127.0.0.1:${nativePort}`, '-L', '-m', '3'], {
      timeoutMs: 20000,
    });
    expect(r.code).not.toBe(0);
    expect(r.signal).toBeNull();
    expect(Date.now() - started).toBeLessThan(15000);
    const hint = `kafka clients use listener KAFKA at 127.0.0.1:${kafkaPort}`;
    expect(
      lines.filter(
        (l) => l.includes('a kafka client connected to the wrong listener') && l.includes(hint),
      ).length,
    ).toBeGreaterThanOrEqual(2);
  });

  it('a kzoo client at the Kafka listener gets INVALID_REQUEST naming the kzoo listener', async () => {
    const conn = await Connection.connect({
      host: '127.0.0.1',
      port: kafkaPort,
      requestTimeoutMs: 5000,
    });
    onCleanup(() => conn.close());
    const err = await conn
      .request(3, 0, { topics: [], allowAutoTopicCreation: false })
      .catch((e: Error) => e);
    expect(err).toMatchObject({ errorName: 'INVALID_REQUEST' });
    expect((err as Error).message).toContain(
      `this is the kafka listener KAFKA; kzoo clients use listener PLAINTEXT at 127.0.0.1:${nativePort}`,
    );
  });

  it("refuses SASL with Kafka's ILLEGAL_SASL_STATE, keeping the connection", async () => {
    const c = await RawClient.connect(kafkaPort);
    const r = await ask<{ errorCode: number; mechanisms: string[] }>(c, 17, 1, {
      mechanism: 'PLAIN',
    });
    expect(r).toEqual({ errorCode: 34, mechanisms: [] });
    await apiVersionsOk(c);
  });

  it('writes no response to an acks=0 Produce, and answers the next request in order', async () => {
    const topic = randomTopic('wire-acks0');
    await createTopic(await cluster.connect(), topic, 1);
    const c = await RawClient.connect(kafkaPort);
    await waitFor('a leader', async () => {
      const m = await ask<MetadataResponse>(c, 3, 4, {
        topics: [{ name: topic }],
        allowAutoTopicCreation: false,
      });
      return m.topics[0].partitions[0]?.leaderId === 1;
    });
    const records = buildRecordBatch({ records: [{ value: Buffer.from('x') }] });
    const produce = (acks: number) =>
      kafkaRequest(0, 7, {
        transactionalId: null,
        acks,
        timeoutMs: 5000,
        topics: [{ name: topic, partitions: [{ index: 0, records }] }],
      });
    c.send(produce(0));
    const r = await ask<ProduceResponse>(c, 0, 7, {
      transactionalId: null,
      acks: 1,
      timeoutMs: 5000,
      topics: [{ name: topic, partitions: [{ index: 0, records }] }],
    });
    expect(r.topics[0].partitions[0]).toMatchObject({ errorCode: 0, baseOffset: 1 });
    expect(c.count()).toBe(0);
  });

  it('Alter/DescribeClientQuotas v1 (flexible) and v0; a Produce over producer_byte_rate carries throttle_time_ms and mutes the connection', async () => {
    const topic = randomTopic('wire-quota');
    await createTopic(await cluster.connect(), topic, 1);
    const c = await RawClient.connect(kafkaPort);
    const entity = [{ entityType: 'client-id', entityName: 'wire-test' }];
    const alter = await ask<AlterClientQuotasResponse>(c, 49, 1, {
      entries: [{ entity, ops: [{ key: 'producer_byte_rate', value: 1000, remove: false }] }],
      validateOnly: false,
    });
    expect(alter.entries).toEqual([{ errorCode: 0, errorMessage: null, entity }]);
    const bad = await ask<AlterClientQuotasResponse>(c, 49, 0, {
      entries: [{ entity, ops: [{ key: 'nonsense', value: 1, remove: false }] }],
      validateOnly: false,
    });
    expect(bad.entries[0]).toMatchObject({
      errorCode: 42, // INVALID_REQUEST
      errorMessage: 'Invalid configuration key nonsense',
    });
    for (const v of [0, 1])
      expect(
        await ask<DescribeClientQuotasResponse>(c, 48, v, {
          components: [{ entityType: 'client-id', matchType: 0, match: 'wire-test' }],
          strict: true,
        }),
      ).toEqual({
        throttleTimeMs: 0,
        errorCode: 0,
        errorMessage: null,
        entries: [{ entity, values: [{ key: 'producer_byte_rate', value: 1000 }] }],
      });
    const quotas = cluster.broker(1).dataPlane.clientQuotas!;
    await waitFor(
      'the quota applied',
      () => quotas.produce.quota('ANONYMOUS', 'wire-test') === 1000,
    );
    await waitFor('a leader', async () => {
      const m = await ask<MetadataResponse>(c, 3, 4, {
        topics: [{ name: topic }],
        allowAutoTopicCreation: false,
      });
      return m.topics[0].partitions[0]?.leaderId === 1;
    });
    const records = buildRecordBatch({ records: [{ value: Buffer.alloc(20000, 1) }] });
    const r = await ask<ProduceResponse>(c, 0, 7, {
      transactionalId: null,
      acks: 1,
      timeoutMs: 5000,
      topics: [{ name: topic, partitions: [{ index: 0, records }] }],
    });
    expect(r.topics[0].partitions[0].errorCode).toBe(0);
    // L bytes in Kafka's minimum window of 10 s: (L / 10 − 1000) / 1000 × 10 s = L − 10000 ms
    expect(r.throttleTimeMs).toBe(records.length - 10000);
    const server = cluster.broker(1).dataPlane.socketServerOf('KAFKA');
    expect(server.connectionStats().filter((s) => s.throttled)).toHaveLength(1);
    // muted: the next request is not read while the throttle lasts
    c.send(kafkaRequest(18, 2, { clientSoftwareName: null, clientSoftwareVersion: null }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(c.count()).toBe(0);
  });

  it('over request_percentage, Kafka responses carry throttle_time_ms (a request-level error too) and the connection is muted', async () => {
    const c = await RawClient.connect(kafkaPort);
    const entity = [{ entityType: 'client-id', entityName: 'wire-test' }];
    // 0.00001 %: 1 µs of the loop over the 10 s minimum window, so the first request timed
    // is far over it whatever the machine's speed (at 0.1 ms, cheap requests on a fast moment
    // crossed it by little and were throttled 424 ms instead of the bound)
    const alter = await ask<AlterClientQuotasResponse>(c, 49, 1, {
      entries: [{ entity, ops: [{ key: 'request_percentage', value: 0.00001, remove: false }] }],
      validateOnly: false,
    });
    expect(alter.entries).toEqual([{ errorCode: 0, errorMessage: null, entity }]);
    const quotas = cluster.broker(1).dataPlane.clientQuotas!;
    await waitFor(
      'the quota applied',
      () => quotas.request.quota('ANONYMOUS', 'wire-test') === 0.00001,
    );
    const server = cluster.broker(1).dataPlane.socketServerOf('KAFKA');
    let throttleTimeMs = 0;
    for (let i = 0; i < 20 && throttleTimeMs === 0; i++)
      throttleTimeMs = (
        await ask<MetadataResponse>(c, 3, 4, { topics: [], allowAutoTopicCreation: false })
      ).throttleTimeMs;
    // far over the quota: bounded at one quota window
    const mutedAt = Date.now();
    expect(throttleTimeMs).toBe(1000);
    expect(server.connectionStats().filter((s) => s.throttled)).toHaveLength(1);
    // a Fetch that fails as a whole (maxWaitMs < 0): read once the mute ends, still over
    const failed = await ask<{ throttleTimeMs: number; errorCode: number }>(c, 1, 11, {
      replicaId: -1,
      maxWaitMs: -1,
      minBytes: 0,
      maxBytes: 1024,
      isolationLevel: 0,
      topics: [],
    });
    expect(Date.now() - mutedAt).toBeGreaterThanOrEqual(900);
    expect(failed).toMatchObject({ errorCode: 42, throttleTimeMs: 1000 }); // INVALID_REQUEST
  });
});
