/**
 * The Kafka wire codec against captured frames (kafka-wire.md §1.7, §4.5), error
 * answers, and a round trip of every advertised API and version.
 */
import { KafkaError } from '@kzoo/common';
import { ApiKeys, apiRegistry } from '../apis';
import { RequestDecodeError } from '../messages';
import { prng, sampleValue } from '../sample';
import {
  KAFKA_API_VERSIONS,
  KAFKA_APIS,
  KafkaDecodeError,
  KafkaReader,
  KafkaWriter,
  decodeKafkaRequest,
  decodeKafkaResponse,
  encodeKafkaErrorResponse,
  encodeKafkaRequest,
  encodeKafkaResponse,
  isKafkaApiVersionsProbe,
  kafkaSupports,
} from '.';
import { KAFKA_API_TABLE } from './apis';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

const KCAT_API_VERSIONS_V3 = hex(`
  0012 0003 00000001
  0007 72646b61666b61
  00
  0b 6c696272646b61666b61
  06 322e302e32
  00`);

describe('protocol > kafka > ApiVersions', () => {
  it('decodes the kcat/librdkafka 2.0.2 v3 frame', () => {
    const { header, body } = decodeKafkaRequest(KCAT_API_VERSIONS_V3);
    expect(header).toEqual({ apiKey: 18, apiVersion: 3, correlationId: 1, clientId: 'rdkafka' });
    expect(body).toEqual({ clientSoftwareName: 'librdkafka', clientSoftwareVersion: '2.0.2' });
    expect(isKafkaApiVersionsProbe(KCAT_API_VERSIONS_V3)).toBe(true);
  });

  it('encodes the v3 response with header v0, a compact array and empty tag buffers', () => {
    const frame = encodeKafkaResponse(
      { apiKey: 18, apiVersion: 3, correlationId: 1, clientId: 'rdkafka' },
      {
        errorCode: 0,
        apiKeys: [
          { apiKey: 0, minVersion: 3, maxVersion: 8 },
          { apiKey: 18, minVersion: 0, maxVersion: 3 },
        ],
        throttleTimeMs: 0,
      },
    );
    expect(frame.toString('hex')).toBe(
      '0000001a' +
        '00000001' +
        '0000' +
        '03' +
        '0000000300080' +
        '0' +
        '00120000000300' +
        '00000000' +
        '00',
    );
  });

  it('answers ApiVersions v7 with UNSUPPORTED_VERSION in the v0 layout', () => {
    const req = hex('0012 0007 0000002a 0003 616263 00 0b6c696272646b61666b61 06322e302e32 00');
    let err: unknown;
    try {
      decodeKafkaRequest(req);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RequestDecodeError);
    const rde = err as RequestDecodeError;
    expect(rde.answerable).toBe(true);
    expect(rde.code).toBe(35);
    const frame = encodeKafkaErrorResponse(
      { apiKey: 18, apiVersion: 7, correlationId: 42, clientId: 'abc' },
      undefined,
      rde,
    );
    expect(frame.toString('hex')).toBe(
      '00000010' + '0000002a' + '0023' + '00000001' + '0012' + '0000' + '0003',
    );
  });

  it('refuses other unknown keys and versions as not answerable', () => {
    for (const [key, version] of [
      [0, 2],
      [1, 12],
      [99, 0],
    ]) {
      const frame = hex(
        `${key.toString(16).padStart(4, '0')}${version.toString(16).padStart(4, '0')}00000001ffff`,
      );
      expect(() => decodeKafkaRequest(frame)).toThrow(RequestDecodeError);
      try {
        decodeKafkaRequest(frame);
      } catch (e) {
        expect((e as RequestDecodeError).answerable).toBe(false);
      }
    }
  });
});

describe('protocol > kafka > Produce', () => {
  it('decodes the kcat Produce v7 sample with records as a view of the frame', () => {
    const batch = hex(`
      0000000000000000 00000045 00000000 02 a828cd5e
      0000 00000000 0000000000000000 0000000000000000
      ffffffffffffffff ffff ffffffff 00000001
      26 00 00 00 04 6b31 0a 68656c6c6f 02 04 6831 04 7631`);
    expect(batch.length).toBe(81);
    const head = hex(
      '0000 0007 00000005 0004 6b636174 ffff ffff 00007530 00000001 0004 64656d6f 00000001 00000000',
    );
    const size = Buffer.alloc(4);
    size.writeInt32BE(batch.length);
    const frame = Buffer.concat([head, size, batch]);
    const { header, body } = decodeKafkaRequest(frame);
    expect(header).toEqual({ apiKey: 0, apiVersion: 7, correlationId: 5, clientId: 'kcat' });
    const req = body as {
      transactionalId: null;
      acks: number;
      timeoutMs: number;
      topics: { name: string; partitions: { index: number; records: Buffer }[] }[];
    };
    expect(req.transactionalId).toBeNull();
    expect(req.acks).toBe(-1);
    expect(req.timeoutMs).toBe(30000);
    expect(req.topics[0].name).toBe('demo');
    const records = req.topics[0].partitions[0].records;
    expect(records.equals(batch)).toBe(true);
    expect(records.buffer).toBe(frame.buffer);
  });
});

describe('protocol > kafka > primitives', () => {
  it('reads and writes varints, varlongs, int64 and refuses unsafe int64', () => {
    const b = Buffer.alloc(64);
    const w = new KafkaWriter(b);
    w.uvarint(300);
    w.varint(-1);
    w.varint(63);
    w.varlong(-(2 ** 40));
    w.int64(-1);
    w.int64(Number.MAX_SAFE_INTEGER);
    const r = new KafkaReader(b, 0, w.pos);
    expect(r.uvarint()).toBe(300);
    expect(r.varint()).toBe(-1);
    expect(r.varint()).toBe(63);
    expect(r.varlong()).toBe(-(2 ** 40));
    expect(r.int64()).toBe(-1);
    expect(r.int64()).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => new KafkaReader(hex('7fffffffffffffff')).int64()).toThrow(KafkaDecodeError);
    expect(() => new KafkaReader(hex('0005 6162')).string()).toThrow(KafkaDecodeError);
    expect(() => new KafkaReader(hex('fffe')).nullableString()).toThrow(KafkaDecodeError);
    expect(() => new KafkaReader(hex('ffff')).string()).toThrow(KafkaDecodeError);
    expect(() => new KafkaReader(hex('7fffffff 00')).arrayLength(false, false)).toThrow(
      /only 1 bytes left/,
    );
  });

  it('names the field path of a malformed body', () => {
    const frame = encodeKafkaRequest(
      { apiKey: 1, apiVersion: 11, correlationId: 1, clientId: null },
      {
        replicaId: -1,
        maxWaitMs: 1,
        minBytes: 1,
        maxBytes: 1,
        isolationLevel: 0,
        topics: [
          {
            topic: 't',
            partitions: [
              {
                partition: 0,
                currentLeaderEpoch: -1,
                fetchOffset: 0,
                logStartOffset: -1,
                partitionMaxBytes: 1,
              },
            ],
          },
        ],
      },
    );
    // cut inside the first partition's fetchOffset
    const cut = frame.subarray(4, 4 + 10 + 4 * 3 + 1 + 8 + 4 + 2 + 1 + 4 + 4 + 4 + 4);
    expect(() => decodeKafkaRequest(cut)).toThrow(
      /Fetch v11 request: topics\[0\]\.partitions\[0\]\.fetchOffset/,
    );
  });
});

describe('protocol > kafka > every advertised API and version', () => {
  it("names each API as Kafka does, with its native API's key where it has one", () => {
    for (const [name, api] of Object.entries(KAFKA_API_TABLE)) {
      expect(api.name).toBe(name);
      if (name in ApiKeys) expect(api.apiKey).toBe(ApiKeys[name as keyof typeof ApiKeys]);
      else expect(['SaslHandshake', 'SaslAuthenticate']).toContain(name);
    }
  });

  it('advertises a table sorted by key, non-flexible except ApiVersions 3, AlterPartitionReassignments 0, ListPartitionReassignments 0, Describe/AlterClientQuotas 1, DescribeCluster 0 and the flexible-only DescribeTransactions/ListTransactions 0', () => {
    const keys = KAFKA_API_VERSIONS.map((r) => r.apiKey);
    expect(keys).toEqual([...keys].sort((a, b) => a - b));
    for (const api of KAFKA_APIS) {
      for (let v = api.minVersion; v <= api.maxVersion; v++) {
        expect(kafkaSupports(api.apiKey, v)).toBe(true);
        const flexible = api.request.isFlexible(v);
        expect(flexible).toBe(
          (api.apiKey === 18 && v === 3) ||
            ([48, 49].includes(api.apiKey) && v === 1) ||
            [45, 46, 60, 65, 66].includes(api.apiKey),
        );
      }
      expect(kafkaSupports(api.apiKey, api.maxVersion + 1)).toBe(false);
    }
  });

  for (const api of KAFKA_APIS) {
    const nativeSchemas = apiRegistry.schemas(api.apiKey, 0);
    for (let v = api.minVersion; v <= api.maxVersion; v++) {
      it(`${api.apiKey} ${api.name} v${v}: request and response round-trip`, () => {
        const rnd = prng(api.apiKey * 100 + v);
        for (let i = 0; i < 10; i++) {
          const header = {
            apiKey: api.apiKey,
            apiVersion: v,
            correlationId: i,
            clientId: i % 2 ? 'c' : null,
          };
          // request: native sample -> Kafka frame -> native; a second trip is exact
          const req = nativeSchemas
            ? sampleValue(nativeSchemas.request, rnd)
            : sampleKafkaOnly(api.apiKey, true);
          const frame = encodeKafkaRequest(header, req);
          expect(frame.readInt32BE(0)).toBe(frame.length - 4);
          const once = decodeKafkaRequest(frame.subarray(4));
          expect(once.header).toEqual(header);
          if (nativeSchemas) nativeSchemas.request.check(once.body);
          const frame2 = encodeKafkaRequest(header, once.body);
          expect(frame2.equals(frame)).toBe(true);
          expect(decodeKafkaRequest(frame2.subarray(4)).body).toEqual(once.body);
          // response: native sample -> Kafka frame -> native; a second trip is exact
          const res = nativeSchemas
            ? sampleValue(nativeSchemas.response, rnd)
            : sampleKafkaOnly(api.apiKey, false);
          const rframe = encodeKafkaResponse(header, res);
          expect(rframe.readInt32BE(0)).toBe(rframe.length - 4);
          const back = decodeKafkaResponse(api.apiKey, v, rframe.subarray(4));
          expect(back.correlationId).toBe(i);
          if (nativeSchemas) nativeSchemas.response.check(back.body);
          const rframe2 = encodeKafkaResponse(header, back.body);
          expect(rframe2.equals(rframe)).toBe(true);
          // error response mirrors the request and decodes
          const eframe = encodeKafkaErrorResponse(header, once.body, new KafkaError(6));
          decodeKafkaResponse(api.apiKey, v, eframe.subarray(4));
        }
      });
    }
  }
});

function sampleKafkaOnly(apiKey: number, request: boolean): unknown {
  if (apiKey === 17)
    return request ? { mechanism: 'PLAIN' } : { errorCode: 0, mechanisms: ['PLAIN'] };
  return request
    ? { authBytes: Buffer.from('\0u\0p') }
    : { errorCode: 0, errorMessage: null, authBytes: Buffer.from('ok'), sessionLifetimeMs: 0 };
}
