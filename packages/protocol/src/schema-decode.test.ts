import * as v8 from 'node:v8';
import type { ApiVersionSchemas } from './api';
import { ALL_APIS, apiRegistry } from './apis';
import { decodeBody, encodeBody } from './codec';
import { mutate } from './fuzz-frames';
import { prng, sampleValue } from './sample';
import { array, bytes, int32, int64, nullableString, string, struct, type Type } from './schema';
import { NOT_DECODED, decodeWithSchema } from './schema-decode';
import { encodeSegments } from './segments';

v8.setFlagsFromString('--allow-natives-syntax');
const haveSameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (
  a: object,
  b: object,
) => boolean;

/** msgpackr's path, as decodeRequest takes it for a body the fast path leaves: the reference. */
function reference(
  type: Type<unknown>,
  body: Buffer,
): { ok: true; value: unknown } | { ok: false } {
  try {
    const value = decodeBody(body);
    type.check(value);
    return { ok: true, value };
  } catch {
    return { ok: false };
  }
}

function allSchemas(): Array<{ name: string; type: Type<unknown> }> {
  const out: Array<{ name: string; type: Type<unknown> }> = [];
  for (const api of ALL_APIS) {
    for (let v = api.minVersion; v <= api.maxVersion; v++) {
      const s = apiRegistry.schemas(api.apiKey, v) as ApiVersionSchemas;
      out.push({ name: `${api.name} v${v} request`, type: s.request });
      out.push({ name: `${api.name} v${v} response`, type: s.response });
    }
  }
  return out;
}

const Part = struct<{ partition: number; offset: number; meta: string | null; records: Buffer }>({
  partition: int32,
  offset: int64,
  meta: nullableString,
  records: bytes,
});
const Body = struct<{ topic: string; parts: Array<typeof Part.__t & object> }>({
  topic: string,
  parts: array(Part),
});

/** A MessagePack fixstr. */
const str = (s: string) => [0xa0 | s.length, ...Buffer.from(s)];

describe('protocol > decodeWithSchema', () => {
  it("decodes seeded samples of every API's schemas as msgpackr's path does, from msgpackr's and from the segments encoder's bytes", () => {
    const rnd = prng(20261206);
    let fast = 0;
    let total = 0;
    for (const { name, type } of allSchemas()) {
      for (let i = 0; i < 25; i++) {
        const value = sampleValue(type, rnd);
        const segs = encodeSegments(value, 0);
        const encodings = [encodeBody(value), ...(segs ? [Buffer.concat(segs)] : [])];
        for (const body of encodings) {
          const ref = reference(type, body);
          expect({ name, ok: ref.ok }).toEqual({ name, ok: true });
          const got = decodeWithSchema(type, body, 0);
          total++;
          if (got === NOT_DECODED) continue;
          fast++;
          expect(got).toEqual((ref as { value: unknown }).value);
        }
      }
    }
    // Samples with non-ASCII strings go to msgpackr; the rest must not.
    expect(fast / total).toBeGreaterThan(0.3);
  });

  it('decodes nothing that msgpackr and the schema check would refuse, over 50,000 mutated bodies', () => {
    const rnd = prng(7);
    const schemas = allSchemas();
    const opts = {
      interesting: [0xc0, 0xc3, 0xcb, 0xd2, 0xdc, 0xde, 0xa1, 0x91, 0x81],
      hugeSizeOffset: 1,
      hugeSize: 0xffffffff,
    };
    let decoded = 0;
    for (let i = 0; i < 50_000; i++) {
      const { type } = schemas[Math.floor(rnd() * schemas.length)];
      const valid = encodeBody(sampleValue(type, rnd));
      // mutate() rewrites a 4-byte length prefix: give it one and take it off again.
      const framed = Buffer.concat([Buffer.alloc(4), valid]);
      const body = mutate(framed, rnd, opts).subarray(4);
      const got = decodeWithSchema(type, body, 0);
      if (got === NOT_DECODED) continue;
      decoded++;
      const ref = reference(type, body);
      expect(ref.ok).toBe(true);
      expect(got).toEqual((ref as { value: unknown }).value);
    }
    expect(decoded).toBeGreaterThan(500); // 913 with this seed: mutations mostly break a body
  });

  it('reads byte fields as views of the frame, from any offset, and builds every object of a struct with one shape', () => {
    const records = Buffer.from('batch bytes');
    const a = { topic: 't', parts: [{ partition: 1, offset: 2 ** 40, meta: null, records }] };
    // Fields in another order than the schema's, and an absent nullable field.
    const b = { parts: [{ records, offset: -1, partition: 7 }], topic: 'u' };
    const frame = Buffer.concat([Buffer.from([9, 9, 9]), encodeBody(a)]);
    const got = decodeWithSchema(Body, frame, 3) as typeof a;
    expect(got).toEqual(a);
    expect(got.parts[0].records.buffer).toBe(frame.buffer);
    expect(got.parts[0].records.byteOffset).toBeGreaterThan(frame.byteOffset);
    const got2 = decodeWithSchema(Body, encodeBody(b), 0) as typeof a;
    expect(got2).toEqual({
      topic: 'u',
      parts: [{ partition: 7, offset: -1, meta: null, records }],
    });
    expect(Object.keys(got2.parts[0])).toEqual(['partition', 'offset', 'meta', 'records']);
    expect(haveSameMap(got, got2)).toBe(true);
    expect(haveSameMap(got.parts[0], got2.parts[0])).toBe(true);
  });

  it('leaves to msgpackr what it does not read: unknown or repeated fields, a missing required field, wrong types, non-ASCII strings, 64-bit integer types, trailing bytes, truncation', () => {
    const records = Buffer.alloc(3);
    const ok = { topic: 't', parts: [{ partition: 1, offset: 2, meta: 'm', records }] };
    expect(decodeWithSchema(Body, encodeBody(ok), 0)).toEqual(ok);
    // prettier-ignore
    const cases: Buffer[] = [
      encodeBody({ ...ok, extra: 1 }),
      encodeBody({ topic: 't' }),
      encodeBody({ ...ok, topic: 5 }),
      encodeBody({ ...ok, topic: 'tópico' }),
      encodeBody({ ...ok, parts: [{ ...ok.parts[0], partition: 2 ** 31 }] }),
      encodeBody({ ...ok, parts: [{ ...ok.parts[0], offset: 1.5 }] }),
      encodeBody({ ...ok, parts: [{ ...ok.parts[0], records: 'text' }] }),
      Buffer.concat([encodeBody(ok), Buffer.from([0xc0])]),
      encodeBody(ok).subarray(0, 10),
      // {topic: 't', topic: 't', parts: []}: one key twice
      Buffer.from([0x83, ...str('topic'), ...str('t'), ...str('topic'), ...str('t'), ...str('parts'), 0x90]),
      // an int64 field written as uint64 (0xcf): msgpackr's path reads it as a number
      Buffer.from([
        0x82, ...str('topic'), ...str('t'), ...str('parts'), 0x91,
        0x84, ...str('partition'), 0x01, ...str('offset'), 0xcf, 0, 0, 0, 0, 0, 0, 0, 2,
        ...str('meta'), 0xc0, ...str('records'), 0xc4, 0x00,
      ]),
      // an array count far past the end of the body
      Buffer.from([0x82, ...str('topic'), ...str('t'), ...str('parts'), 0xdd, 0xff, 0xff, 0xff, 0xff]),
    ];
    for (const body of cases) expect(decodeWithSchema(Body, body, 0)).toBe(NOT_DECODED);
    // The uint64 case is valid to msgpackr's path, which reads it as the number 2.
    const u64 = reference(Body, cases[10]);
    expect(u64).toEqual({
      ok: true,
      value: {
        topic: 't',
        parts: [{ partition: 1, offset: 2, meta: null, records: Buffer.alloc(0) }],
      },
    });
  });
});
