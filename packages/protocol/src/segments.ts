/**
 * A MessagePack encoder that leaves large byte fields where they are: the body comes out as
 * a list of Buffers (segments) to be written with one vectored write (cork + write per
 * segment), where every `bytes` value of at least `SPLIT_BYTES` is its own segment — the
 * caller's Buffer itself, not a copy — and the bytes around them (map headers, field names,
 * numbers, the `bin` headers) are packed into one small Buffer that the other segments are
 * views of. Used for the two messages that carry record batches in bulk: Fetch responses
 * (the broker) and Produce requests (the producer). msgpackr copies each batch into its
 * output buffer (fresh memory for each large frame), which the profiles of `kzoo perf`
 * showed as one of the largest costs per record on both sides.
 *
 * The output decodes with msgpackr exactly as msgpackr's own encoding of the value does:
 * plain MessagePack, `undefined` as nil, integers within 32 bits as MessagePack integers
 * and other numbers as float64 (as msgpackr), strings as str, Buffers as bin, arrays and
 * plain objects (all own enumerable keys, in order) as arrays and maps. Any other value
 * (Map, Date, bigint, ...) makes `encodeSegments` return undefined: the caller then uses
 * msgpackr.
 *
 * Lifetime: the large segments ARE the caller's Buffers. They must not be changed or
 * reused until the write of the frame has completed (the socket write's callback): the
 * producer keeps a batch's buffer out of its pool until then (ProducerBatch.writeStarted /
 * writeDone); the broker's fetch responses are fresh reads of the log.
 *
 * `encodeWithSchema` is the same encoder driven by a message's schema (every request and
 * response that matches its schema; see its comment), into one Buffer or into segments.
 */
import type { Type } from './schema';
import { setInt16, setInt32, setInt8, setUint16, setUint32 } from '@kzoo/common';

/** Byte fields at least this long are written as segments of their own (not copied). */
export const SPLIT_BYTES = 2048;

class Unsupported extends Error {}
const UNSUPPORTED = new Unsupported('unsupported value');

let scratch = Buffer.allocUnsafe(16 * 1024);
let pos = 0;
/** Large buffers, and the scratch position each one follows. */
const bigs: Buffer[] = [];
const bigAt: number[] = [];
/** Whether large byte fields become segments of their own (else they are copied). */
let split = true;

function room(n: number): void {
  if (pos + n <= scratch.length) return;
  const next = Buffer.allocUnsafe(Math.max(scratch.length * 2, pos + n));
  scratch.copy(next, 0, 0, pos);
  scratch = next;
}

function writeNumber(v: number): void {
  room(9);
  const s = scratch;
  if (v >>> 0 === v) {
    if (v < 0x80) s[pos++] = v;
    else if (v < 0x100) {
      s[pos++] = 0xcc;
      s[pos++] = v;
    } else if (v < 0x10000) {
      s[pos++] = 0xcd;
      setUint16(s, pos, v);
      pos += 2;
    } else {
      s[pos++] = 0xce;
      setUint32(s, pos, v);
      pos += 4;
    }
  } else if (v >> 0 === v) {
    if (v >= -0x20) s[pos++] = v & 0xff;
    else if (v >= -0x80) {
      s[pos++] = 0xd0;
      setInt8(s, pos, v);
      pos += 1;
    } else if (v >= -0x8000) {
      s[pos++] = 0xd1;
      setInt16(s, pos, v);
      pos += 2;
    } else {
      s[pos++] = 0xd2;
      setInt32(s, pos, v);
      pos += 4;
    }
  } else {
    s[pos++] = 0xcb;
    s.writeDoubleBE(v, pos);
    pos += 8;
  }
}

function writeString(v: string): void {
  // At most 3 bytes per UTF-16 unit, plus the str header.
  const max = v.length * 3;
  room(max + 5);
  const s = scratch;
  if (max < 0x20) {
    const n = s.write(v, pos + 1, 'utf8');
    s[pos] = 0xa0 | n;
    pos += 1 + n;
  } else if (max < 0x100) {
    const n = s.write(v, pos + 2, 'utf8');
    s[pos] = 0xd9;
    s[pos + 1] = n;
    pos += 2 + n;
  } else if (max < 0x10000) {
    const n = s.write(v, pos + 3, 'utf8');
    s[pos] = 0xda;
    setUint16(s, pos + 1, n);
    pos += 3 + n;
  } else {
    const n = s.write(v, pos + 5, 'utf8');
    s[pos] = 0xdb;
    setUint32(s, pos + 1, n);
    pos += 5 + n;
  }
}

function writeHeader(n: number, fix: number, fixMax: number, c16: number, c32: number): void {
  room(5);
  const s = scratch;
  if (n < fixMax) s[pos++] = fix | n;
  else if (n < 0x10000) {
    s[pos++] = c16;
    setUint16(s, pos, n);
    pos += 2;
  } else {
    s[pos++] = c32;
    setUint32(s, pos, n);
    pos += 4;
  }
}

function writeBytes(v: Uint8Array): void {
  const n = v.length;
  room(5);
  const s = scratch;
  if (n < 0x100) {
    s[pos++] = 0xc4;
    s[pos++] = n;
  } else if (n < 0x10000) {
    s[pos++] = 0xc5;
    setUint16(s, pos, n);
    pos += 2;
  } else {
    s[pos++] = 0xc6;
    setUint32(s, pos, n);
    pos += 4;
  }
  if (split && n >= SPLIT_BYTES && Buffer.isBuffer(v)) {
    bigs.push(v);
    bigAt.push(pos);
    return;
  }
  room(n);
  scratch.set(v, pos);
  pos += n;
}

function write(v: unknown): void {
  switch (typeof v) {
    case 'number':
      return writeNumber(v);
    case 'string':
      return writeString(v);
    case 'boolean':
      room(1);
      scratch[pos++] = v ? 0xc3 : 0xc2;
      return;
    case 'undefined':
      room(1);
      scratch[pos++] = 0xc0;
      return;
    case 'object':
      if (v === null) {
        room(1);
        scratch[pos++] = 0xc0;
        return;
      }
      if (Array.isArray(v)) {
        writeHeader(v.length, 0x90, 16, 0xdc, 0xdd);
        for (let i = 0; i < v.length; i++) write(v[i]);
        return;
      }
      if (v instanceof Uint8Array) return writeBytes(v);
      {
        const proto: unknown = Object.getPrototypeOf(v);
        if (proto !== Object.prototype && proto !== null) throw UNSUPPORTED;
        const keys = Object.keys(v);
        writeHeader(keys.length, 0x80, 16, 0xde, 0xdf);
        for (const k of keys) {
          writeString(k);
          write((v as Record<string, unknown>)[k]);
        }
      }
      return;
    default:
      throw UNSUPPORTED;
  }
}

/**
 * Encodes `value` as segments, the first of which starts with `prefixBytes` uninitialised
 * bytes for the caller's frame header. Returns undefined when the value holds something
 * this encoder leaves to msgpackr. Buffers of at least SPLIT_BYTES are segments of their
 * own (the same Buffer objects: see the lifetime rule above).
 */
export function encodeSegments(value: unknown, prefixBytes: number): Buffer[] | undefined {
  return encodeWith(write, value, prefixBytes, true);
}

/**
 * Encodes `value` with its schema: the schema's fields in the schema's order, each map key
 * written from bytes prepared once, each field read by name from code made for its struct
 * (so the reads stay monomorphic where the generic walk over `Object.keys` was not).
 * Returns undefined when `value` does not match the schema (a missing required field, a
 * wrong type, an integer out of range): the caller then encodes it as before, and the
 * receiver's check reports it. Fields the schema does not have are not written. With
 * `splitBytes` false the body is one Buffer (large byte fields copied into it).
 */
export function encodeWithSchema(
  type: Type<unknown>,
  value: unknown,
  prefixBytes: number,
  splitBytes: boolean,
): Buffer[] | undefined {
  return encodeWith(writerOf(type), value, prefixBytes, splitBytes);
}

function encodeWith(
  writeValue: (v: unknown) => void,
  value: unknown,
  prefixBytes: number,
  splitBytes: boolean,
): Buffer[] | undefined {
  pos = prefixBytes;
  bigs.length = 0;
  bigAt.length = 0;
  split = splitBytes;
  try {
    room(prefixBytes);
    writeValue(value);
  } catch (e) {
    bigs.length = 0;
    bigAt.length = 0;
    if (e instanceof Unsupported) return undefined;
    throw e;
  }
  // The small bytes leave the shared scratch: one Buffer, of which the segments are views.
  const small = Buffer.allocUnsafe(pos);
  scratch.copy(small, 0, 0, pos);
  if (bigs.length === 0) return [small];
  const out: Buffer[] = [];
  let from = 0;
  for (let i = 0; i < bigs.length; i++) {
    if (bigAt[i] > from) out.push(small.subarray(from, bigAt[i]));
    out.push(bigs[i]);
    from = bigAt[i];
  }
  if (from < pos) out.push(small.subarray(from, pos));
  bigs.length = 0;
  bigAt.length = 0;
  return out;
}

// ---- writers made from schemas ----------------------------------------------------------

type Writer = (v: unknown) => void;
const writers = new WeakMap<Type<unknown>, Writer>();

function writerOf(type: Type<unknown>): Writer {
  let w = writers.get(type);
  if (!w) {
    w = buildWriter(type);
    writers.set(type, w);
  }
  return w;
}

function writeNil(): void {
  room(1);
  scratch[pos++] = 0xc0;
}

function buildWriter(type: Type<unknown>): Writer {
  const s = type.shape;
  switch (s.kind) {
    case 'int': {
      const { min, max } = s;
      return (v) => {
        if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw UNSUPPORTED;
        writeNumber(v);
      };
    }
    case 'float':
      return (v) => {
        if (typeof v !== 'number' || !Number.isFinite(v)) throw UNSUPPORTED;
        writeNumber(v);
      };
    case 'boolean':
      return (v) => {
        if (typeof v !== 'boolean') throw UNSUPPORTED;
        room(1);
        scratch[pos++] = v ? 0xc3 : 0xc2;
      };
    case 'string':
      return (v) => {
        if (typeof v !== 'string') throw UNSUPPORTED;
        writeString(v);
      };
    case 'bytes':
      return (v) => {
        if (!Buffer.isBuffer(v)) throw UNSUPPORTED;
        writeBytes(v);
      };
    case 'nullable': {
      const inner = writerOf(s.inner);
      return (v) => (v === null || v === undefined ? writeNil() : inner(v));
    }
    case 'array': {
      const item = writerOf(s.item);
      return (v) => {
        if (!Array.isArray(v)) throw UNSUPPORTED;
        const n = v.length;
        writeHeader(n, 0x90, 16, 0xdc, 0xdd);
        for (let i = 0; i < n; i++) item(v[i]);
      };
    }
    case 'struct': {
      const names = Object.keys(s.fields);
      const keys = names.map((k) => {
        const b = Buffer.from(k, 'utf8');
        if (b.length > 255) throw new Error(`field name ${k} longer than 255 bytes`);
        return Buffer.concat([
          Buffer.from(b.length < 32 ? [0xa0 | b.length] : [0xd9, b.length]),
          b,
        ]);
      });
      const fieldWriters = names.map((k) => writerOf(s.fields[k]));
      // Each field read by name (a property load V8 keeps monomorphic per struct type).
      const body = names
        .map((k, i) => `key(K[${i}]); W[${i}](o[${JSON.stringify(k)}]);`)
        .join('\n');
      return new Function(
        'K',
        'W',
        'key',
        'header',
        'fail',
        `return function writeStruct(o) {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) fail();
  header(${names.length});
  ${body}
};`,
      )(keys, fieldWriters, writeKey, writeMapHeader, unsupported) as Writer;
    }
  }
}

function unsupported(): never {
  throw UNSUPPORTED;
}

function writeMapHeader(n: number): void {
  writeHeader(n, 0x80, 16, 0xde, 0xdf);
}

/** A key's bytes (str header included), prepared once per field. */
function writeKey(k: Buffer): void {
  const n = k.length;
  room(n);
  const s = scratch;
  for (let i = 0; i < n; i++) s[pos + i] = k[i];
  pos += n;
}

/** Total bytes of `segments`. */
export function segmentsLength(segments: readonly Buffer[]): number {
  let n = 0;
  for (const s of segments) n += s.length;
  return n;
}
