import { ALL_APIS, ApiKeys, apiRegistry, type FetchResponse, type ProduceRequest } from './apis';
import { decodeBody, encodeBody } from './codec';
import {
  decodeRequest,
  decodeRequestHeader,
  decodeResponseBody,
  decodeResponseHeader,
  encodeRequest,
  encodeRequestSegments,
  encodeResponse,
  encodeResponseSegments,
} from './messages';
import { prng, sampleValue } from './sample';
import { bytes as bytesType, int32, nullableString, struct, type Type } from './schema';
import { NOT_DECODED, decodeWithSchema } from './schema-decode';
import { SPLIT_BYTES, encodeSegments, encodeWithSchema, segmentsLength } from './segments';

const bytes = (n: number, fill: number) => Buffer.alloc(n, fill);

describe('encodeSegments', () => {
  const values: unknown[] = [
    0,
    1,
    127,
    128,
    255,
    256,
    65535,
    65536,
    0xffffffff,
    2 ** 32,
    2 ** 53 - 1,
    -1,
    -32,
    -33,
    -128,
    -129,
    -32768,
    -32769,
    -(2 ** 31),
    -(2 ** 31) - 1,
    -(2 ** 53 - 1),
    1.5,
    -0.25,
    true,
    false,
    null,
    '',
    'a',
    'x'.repeat(31),
    'x'.repeat(32),
    'é€😀'.repeat(30),
    'y'.repeat(70000),
    [],
    Array.from({ length: 15 }, (_, i) => i),
    Array.from({ length: 16 }, (_, i) => i),
    Array.from({ length: 70000 }, (_, i) => i % 3),
    {},
    Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${i}`, i])),
    bytes(0, 0),
    bytes(10, 1),
    bytes(300, 2),
    bytes(SPLIT_BYTES - 1, 3),
    bytes(SPLIT_BYTES, 4),
    bytes(70000, 5),
    { a: { b: [1, 'two', null, { c: bytes(5000, 6), d: bytes(7000, 7) }] }, e: -5 },
  ];

  it.each(values.map((v, i) => [i, v]))('value %i decodes as msgpackr encodes it', (_i, v) => {
    const segs = encodeSegments(v, 3)!;
    expect(segs).toBeDefined();
    const body = Buffer.concat(segs).subarray(3);
    expect(body.length).toBe(segmentsLength(segs) - 3);
    expect(decodeBody(body)).toEqual(decodeBody(encodeBody(v)));
  });

  it('writes undefined as nil, as msgpackr with encodeUndefinedAsNil', () => {
    const segs = encodeSegments({ a: undefined, b: 1 }, 0)!;
    expect(decodeBody(Buffer.concat(segs))).toEqual(decodeBody(encodeBody({ a: undefined, b: 1 })));
  });

  it('leaves byte fields of SPLIT_BYTES or more in place, copies smaller ones', () => {
    const big1 = bytes(SPLIT_BYTES, 1);
    const big2 = bytes(100000, 2);
    const small = bytes(SPLIT_BYTES - 1, 3);
    const segs = encodeSegments({ x: [big1, big2], y: small, z: 'after' }, 10)!;
    // The big ones are the very same Buffers (no copy); the small one is not a segment.
    expect(segs.filter((s) => s === big1 || s === big2)).toHaveLength(2);
    expect(segs.some((s) => s.buffer === small.buffer)).toBe(false);
    // Adjacent big buffers: no empty segment between them.
    expect(segs.every((s) => s.length > 0)).toBe(true);
    const decoded = decodeBody(Buffer.concat(segs).subarray(10)) as {
      x: Buffer[];
      y: Buffer;
      z: string;
    };
    expect(decoded.x[0].equals(big1)).toBe(true);
    expect(decoded.x[1].equals(big2)).toBe(true);
    expect(decoded.y.equals(small)).toBe(true);
    expect(decoded.z).toBe('after');
  });

  it('the small segments do not change when the next encoding reuses the scratch space', () => {
    const big = bytes(5000, 9);
    const first = encodeSegments({ a: 'first', r: big, b: 1 }, 0)!;
    const copy = Buffer.concat(first);
    encodeSegments({ a: 'second, longer, written over the same scratch', r: big, b: 2 }, 0);
    expect(Buffer.concat(first).equals(copy)).toBe(true);
  });

  it('returns undefined for values left to msgpackr', () => {
    expect(encodeSegments({ m: new Map([[1, 2]]) }, 0)).toBeUndefined();
    expect(encodeSegments({ d: new Date(0) }, 0)).toBeUndefined();
    expect(encodeSegments({ n: 10n }, 0)).toBeUndefined();
    // ...and the next call is not disturbed by the abandoned one.
    const big = bytes(4096, 1);
    const segs = encodeSegments({ r: big }, 0)!;
    expect(segs).toContain(big);
    expect((decodeBody(Buffer.concat(segs)) as { r: Buffer }).r.equals(big)).toBe(true);
  });
});

describe('request and response frames as segments', () => {
  it('a Produce request decodes as the broker decodes any request, batches not copied', () => {
    const b0 = bytes(16384, 0x41);
    const b1 = bytes(16384, 0x42);
    const body: ProduceRequest = {
      transactionalId: null,
      acks: 1,
      timeoutMs: 30000,
      topics: [
        {
          name: 'topic',
          partitions: [
            { index: 0, records: b0 },
            { index: 1, records: b1 },
          ],
        },
      ],
    };
    const header = { apiKey: ApiKeys.Produce, apiVersion: 0, correlationId: 77, clientId: 'c' };
    const segs = encodeRequestSegments(header, body);
    expect(segs).toContain(b0);
    expect(segs).toContain(b1);
    const frame = Buffer.concat(segs);
    expect(frame.readInt32BE(0)).toBe(frame.length - 4);
    const d = decodeRequest(frame.subarray(4));
    expect(d.header).toEqual(header);
    const got = d.body as ProduceRequest;
    expect(got.topics[0].partitions[1].records.equals(b1)).toBe(true);
    expect(got).toEqual(body);
  });

  it('a Fetch response decodes and validates as the client decodes it', () => {
    const records = bytes(50000, 0x43);
    const body: FetchResponse = {
      throttleTimeMs: 0,
      errorCode: 0,
      responses: [
        {
          topic: 't',
          partitions: [
            {
              partitionIndex: 0,
              errorCode: 0,
              highWatermark: 123456789012,
              lastStableOffset: 123456789012,
              logStartOffset: 0,
              abortedTransactions: null,
              records,
            },
          ],
        },
      ],
    };
    const segs = encodeResponseSegments(5, body);
    expect(segs).toContain(records);
    const frame = Buffer.concat(segs);
    expect(frame.readInt32BE(0)).toBe(frame.length - 4);
    expect(decodeResponseHeader(frame.subarray(4))).toEqual({ correlationId: 5, errorCode: 0 });
    expect(decodeResponseBody(frame.subarray(4), ApiKeys.Fetch, 0)).toEqual(body);
  });
});

describe('encodeWithSchema', () => {
  const schemas = () => {
    const out: Array<{ name: string; type: Type<unknown> }> = [];
    for (const api of ALL_APIS)
      for (let v = api.minVersion; v <= api.maxVersion; v++) {
        const s = apiRegistry.schemas(api.apiKey, v)!;
        out.push({ name: `${api.name} v${v} request`, type: s.request });
        out.push({ name: `${api.name} v${v} response`, type: s.response });
      }
    return out;
  };

  it("writes seeded samples of every API's schemas so that msgpackr and the schema decoder read them back", () => {
    const rnd = prng(4242);
    for (const { name, type } of schemas()) {
      for (let i = 0; i < 25; i++) {
        const value = sampleValue(type, rnd);
        for (const split of [true, false]) {
          const segs = encodeWithSchema(type, value, 3, split);
          expect({ name, encoded: segs !== undefined }).toEqual({ name, encoded: true });
          const body = Buffer.concat(segs!).subarray(3);
          const decoded = decodeBody(body);
          type.check(decoded);
          expect(decoded).toEqual(value);
          const fast = decodeWithSchema(type, body, 0);
          if (fast !== NOT_DECODED) expect(fast).toEqual(value);
        }
      }
    }
  });

  const Part = struct<{ index: number; meta: string | null; records: Buffer }>({
    index: int32,
    meta: nullableString,
    records: bytesType,
  });

  it("writes the schema's fields in its order, absent nullable fields as nil, and no field it does not have", () => {
    const segs = encodeWithSchema(Part, { extra: 'x', records: bytes(3, 1), index: 7 }, 0, true)!;
    expect(segs).toHaveLength(1);
    const decoded = decodeBody(segs[0]) as Record<string, unknown>;
    expect(Object.keys(decoded)).toEqual(['index', 'meta', 'records']);
    expect(decoded).toEqual({ index: 7, meta: null, records: bytes(3, 1) });
  });

  it('leaves large byte fields in place when splitting, copies them into one Buffer when not', () => {
    const big = bytes(SPLIT_BYTES, 9);
    const split = encodeWithSchema(Part, { index: 1, meta: null, records: big }, 0, true)!;
    expect(split).toHaveLength(2);
    expect(split[1]).toBe(big);
    const whole = encodeWithSchema(Part, { index: 1, meta: null, records: big }, 0, false)!;
    expect(whole).toHaveLength(1);
    expect(whole[0].buffer).not.toBe(big.buffer);
    expect(decodeBody(whole[0])).toEqual(decodeBody(Buffer.concat(split)));
  });

  it('returns undefined for a value that does not match the schema, for the caller to encode as before', () => {
    const ok = { index: 1, meta: 'm', records: bytes(1, 0) };
    expect(encodeWithSchema(Part, ok, 0, true)).toBeDefined();
    for (const bad of [
      { ...ok, index: 2 ** 31 },
      { ...ok, index: 1.5 },
      { ...ok, index: '1' },
      { ...ok, meta: 5 },
      { ...ok, records: 'text' },
      { index: 1, meta: null },
      [ok],
      null,
    ])
      expect(encodeWithSchema(Part, bad, 0, true)).toBeUndefined();
  });

  it('requests and responses that match their schemas go out by the schema, others as before', () => {
    const header = { apiKey: ApiKeys.Produce, apiVersion: 0, correlationId: 5, clientId: 'c' };
    const records = bytes(SPLIT_BYTES * 2, 4);
    const body: ProduceRequest & { note: string } = {
      transactionalId: null,
      acks: -1,
      timeoutMs: 1000,
      topics: [{ name: 't', partitions: [{ index: 0, records }] }],
      note: 'not in the schema',
    };
    const segs = encodeRequestSegments(header, body);
    const frame = Buffer.concat(segs).subarray(4);
    const { body: got } = decodeRequest(frame);
    expect(got).toEqual({ ...body, note: undefined });
    const { bodyOffset } = decodeRequestHeader(frame);
    expect(decodeBody(frame.subarray(bodyOffset)) as object).not.toHaveProperty('note');
    // A body the schema refuses still goes out (msgpackr), for the receiver to refuse.
    const bad = encodeRequest(header, { ...body, acks: 'all' });
    expect(() => decodeRequest(bad.subarray(4))).toThrow(/acks: expected int16, got string/);
  });
});

describe('encodeResponse with a schema', () => {
  it('writes a request-level error body as it is, though it matches the API response schema but for errorMessage', () => {
    const schema = apiRegistry.schemas(ApiKeys.ApiVersions, 0)!.response;
    const body = {
      errorCode: 35,
      errorMessage: 'Fetch v9 is not supported',
      apiKeys: [],
      throttleTimeMs: 0,
    };
    for (const frame of [
      encodeResponse(7, body, 35, schema),
      Buffer.concat(encodeResponseSegments(7, body, 35, schema)),
    ]) {
      const e = (() => {
        try {
          decodeResponseBody(frame.subarray(4), ApiKeys.ApiVersions, 0);
        } catch (err) {
          return err as Error;
        }
        return undefined;
      })();
      expect(e?.message).toContain('Fetch v9 is not supported');
    }
  });
});
