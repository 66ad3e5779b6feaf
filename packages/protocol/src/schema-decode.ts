/**
 * A MessagePack decoder driven by a schema: it reads a body and checks it against its
 * schema in one pass, and builds each struct as one object literal with the schema's
 * fields in the schema's order.
 *
 * Why: msgpackr builds each map key by key (`obj[key] = value`, with key strings sliced
 * from its native string extraction), so every store looks its key up in V8's string
 * table, every body object has a shape of its own, and the code that reads the bodies
 * (the schema check, the handlers) goes through V8's generic property loads. In a
 * `perf record` of three brokers replicating with acks=all, msgpackr's decode and the
 * schema check took about 9 % of the brokers' CPU. Here the keys are compared as bytes
 * with the schema's field names, and every object of one struct type has one shape.
 *
 * This is a fast path, not a second definition of the protocol: it accepts only the
 * plain cases (each struct's keys known and present at most once, ASCII strings,
 * integers within 32 bits or as float64, no ext types), and for anything else — a
 * malformed body, a field of the wrong type, an unknown field, a 64-bit integer type —
 * it returns `NOT_DECODED`, and the caller decodes with msgpackr and the schema's
 * `check` as before (so an invalid body gets exactly the error it got before). A body
 * that it decodes is one that path accepts, with the same values (the unit tests check
 * both on seeded samples of every API's schemas and on mutated frames).
 */
import type { Type } from './schema';
import { getInt16, getInt32, getInt8, getUint16, getUint32 } from '@kzoo/common';

/** What `decodeWithSchema` returns for a body it leaves to msgpackr. */
export const NOT_DECODED: unique symbol = Symbol('NOT_DECODED');

/** Thrown inside the decoder to leave the body to msgpackr; never escapes this module. */
class Fallback {}
const FALLBACK = new Fallback();

// The body being read; module state, as one decode never yields.
const EMPTY = Buffer.alloc(0);
let src: Buffer = EMPTY;
let pos = 0;
let end = 0;

type Reader = () => unknown;
const readers = new WeakMap<Type<unknown>, Reader>();

/**
 * Decodes `buf[start, buf.length)` as one value of `type`. Returns the value (byte
 * fields are views into `buf`), or NOT_DECODED when the body is not one this fast path
 * reads (then decode it with msgpackr and check it against `type`).
 */
export function decodeWithSchema<T>(
  type: Type<T>,
  buf: Buffer,
  start: number,
): T | typeof NOT_DECODED {
  const read = readerOf(type as Type<unknown>);
  src = buf;
  pos = start;
  end = buf.length;
  try {
    const value = read();
    return pos === end ? (value as T) : NOT_DECODED;
  } catch (e) {
    if (e === FALLBACK || e instanceof RangeError) return NOT_DECODED;
    throw e;
  } finally {
    src = EMPTY; // the frame is not kept alive by this module
  }
}

function readerOf(type: Type<unknown>): Reader {
  let r = readers.get(type);
  if (!r) {
    r = build(type);
    readers.set(type, r);
  }
  return r;
}

function build(type: Type<unknown>): Reader {
  const s = type.shape;
  switch (s.kind) {
    case 'int': {
      const { min, max } = s;
      return () => {
        const v = readNumber();
        if (!Number.isInteger(v) || v < min || v > max) throw FALLBACK;
        return v;
      };
    }
    case 'float':
      return () => {
        const v = readNumber();
        if (!Number.isFinite(v)) throw FALLBACK;
        return v;
      };
    case 'boolean':
      return () => {
        const b = byte();
        if (b === 0xc2) return false;
        if (b === 0xc3) return true;
        throw FALLBACK;
      };
    case 'string':
      return readString;
    case 'bytes':
      return readBytes;
    case 'nullable': {
      const inner = readerOf(s.inner);
      return () => {
        if (src[pos] === 0xc0) {
          pos++;
          return null;
        }
        return inner();
      };
    }
    case 'array': {
      const item = readerOf(s.item);
      return () => {
        const n = arrayHeader();
        // Each item takes at least one byte: a count past the end is malformed.
        if (n > end - pos) throw FALLBACK;
        const out = new Array(n);
        for (let i = 0; i < n; i++) out[i] = item();
        return out;
      };
    }
    case 'struct':
      return buildStruct(s.fields);
  }
}

function buildStruct(fields: Readonly<Record<string, Type<unknown>>>): Reader {
  const names = Object.keys(fields);
  const n = names.length;
  const keys = names.map((k) => Buffer.from(k, 'utf8'));
  const reads = names.map((k) => readerOf(fields[k]));
  const nullable = names.map((k) => fields[k].nullable);
  // One object literal per struct type: every decoded object of it has one shape.
  const make = new Function(
    'v',
    `return {${names.map((k, i) => `${JSON.stringify(k)}: v[${i}]`).join(', ')}};`,
  ) as (v: unknown[]) => unknown;
  return () => {
    const count = mapHeader();
    const values = new Array<unknown>(n); // holes read as undefined (fill() is a C++ builtin)
    let next = 0;
    for (let e = 0; e < count; e++) {
      const klen = keyHeader();
      // The field expected next (senders write them in schema order), else any other.
      let f = -1;
      if (next < n && sameKey(keys[next], klen)) f = next;
      else {
        for (let j = 0; j < n; j++) {
          if (j !== next && sameKey(keys[j], klen)) {
            f = j;
            break;
          }
        }
        if (f < 0) throw FALLBACK; // an unknown field: msgpackr's path skips it
      }
      pos += klen;
      if (values[f] !== undefined) throw FALLBACK; // the same key twice
      const v = reads[f]();
      values[f] = v;
      next = f + 1;
    }
    for (let j = 0; j < n; j++) {
      if (values[j] === undefined) {
        if (!nullable[j]) throw FALLBACK;
        values[j] = null;
      }
    }
    return make(values);
  };
}

function byte(): number {
  if (pos >= end) throw FALLBACK;
  return src[pos++];
}

function need(n: number): void {
  if (n > end - pos) throw FALLBACK;
}

function u8(): number {
  need(1);
  return src[pos++];
}

function u16(): number {
  need(2);
  const v = getUint16(src, pos);
  pos += 2;
  return v;
}

function u32(): number {
  need(4);
  const v = getUint32(src, pos);
  pos += 4;
  return v;
}

/** Any MessagePack number within 32 bits or float64 (as msgpackr decodes them). */
function readNumber(): number {
  const b = byte();
  if (b < 0x80) return b;
  if (b >= 0xe0) return b - 0x100;
  let v: number;
  switch (b) {
    case 0xcc:
      return u8();
    case 0xcd:
      return u16();
    case 0xce:
      return u32();
    case 0xd0:
      need(1);
      return getInt8(src, pos++);
    case 0xd1:
      need(2);
      v = getInt16(src, pos);
      pos += 2;
      return v;
    case 0xd2:
      need(4);
      v = getInt32(src, pos);
      pos += 4;
      return v;
    case 0xcb:
      need(8);
      v = src.readDoubleBE(pos);
      pos += 8;
      return v;
    default:
      // uint64/int64 (msgpackr's int64 conversion) and float32 (its rounding): msgpackr's path
      throw FALLBACK;
  }
}

function strLength(b: number): number {
  if (b >= 0xa0 && b <= 0xbf) return b - 0xa0;
  if (b === 0xd9) return u8();
  if (b === 0xda) return u16();
  if (b === 0xdb) return u32();
  throw FALLBACK;
}

/** ASCII strings only: any other byte leaves the body to msgpackr's UTF-8 decoding. */
function readString(): string {
  const n = strLength(byte());
  need(n);
  const from = pos;
  const to = pos + n;
  for (let i = from; i < to; i++) if (src[i] > 0x7f) throw FALLBACK;
  pos = to;
  return n === 0 ? '' : src.toString('latin1', from, to);
}

function readBytes(): Buffer {
  const b = byte();
  const n = b === 0xc4 ? u8() : b === 0xc5 ? u16() : b === 0xc6 ? u32() : -1;
  if (n < 0) throw FALLBACK;
  need(n);
  const out = src.subarray(pos, pos + n);
  pos += n;
  return out;
}

/** An array's (0x90, 0xdc, 0xdd) or a map's (0x80, 0xde, 0xdf) element count. */
function countHeader(fix: number, c16: number, c32: number): number {
  const b = byte();
  if (b >= fix && b <= fix + 0x0f) return b - fix;
  if (b === c16) return u16();
  if (b === c32) return u32();
  throw FALLBACK;
}

const arrayHeader = () => countHeader(0x90, 0xdc, 0xdd);
const mapHeader = () => countHeader(0x80, 0xde, 0xdf);

/** A key's length (a str header); the key's bytes start at `pos`. */
function keyHeader(): number {
  const n = strLength(byte());
  need(n);
  return n;
}

function sameKey(key: Buffer, n: number): boolean {
  if (key.length !== n) return false;
  for (let i = 0; i < n; i++) if (src[pos + i] !== key[i]) return false;
  return true;
}
