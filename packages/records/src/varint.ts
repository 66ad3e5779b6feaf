/**
 * Zigzag VARINT / VARLONG as used inside v2 records (protobuf sint32/sint64).
 * VARLONG values are JS numbers and must stay within the safe-integer range.
 */
import { KafkaError } from '@kzoo/common';

/** Bytes a zigzag VARINT of the 32-bit value `n` takes. */
export function sizeOfVarint(n: number): number {
  let v = ((n << 1) ^ (n >> 31)) >>> 0;
  let size = 1;
  while (v >= 0x80) {
    v >>>= 7;
    size++;
  }
  return size;
}

function zigzagLong(n: number): number {
  return n >= 0 ? n * 2 : -n * 2 - 1;
}

/** Bytes a zigzag VARLONG of the safe integer `n` takes. */
export function sizeOfVarlong(n: number): number {
  let v = zigzagLong(n);
  let size = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    size++;
  }
  return size;
}

/** Writes a zigzag VARINT at `pos`; returns the position after it. */
export function writeVarint(buf: Buffer, pos: number, n: number): number {
  let v = ((n << 1) ^ (n >> 31)) >>> 0;
  while (v >= 0x80) {
    buf[pos++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[pos++] = v;
  return pos;
}

/** Writes a zigzag VARLONG at `pos`; returns the position after it. */
export function writeVarlong(buf: Buffer, pos: number, n: number): number {
  if (!Number.isSafeInteger(n)) throw new RangeError(`varlong out of safe range: ${n}`);
  let v = zigzagLong(n);
  while (v >= 0x80) {
    buf[pos++] = (v % 128) | 0x80;
    v = Math.floor(v / 128);
  }
  buf[pos++] = v;
  return pos;
}

/** A cursor for reading varints; `pos` advances. Errors are CORRUPT_MESSAGE. */
export class VarintReader {
  constructor(
    readonly buf: Buffer,
    public pos: number,
    readonly end: number = buf.length,
  ) {}

  varint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (this.pos >= this.end)
        throw new KafkaError('CORRUPT_MESSAGE', 'varint past end of record');
      const b = this.buf[this.pos++];
      if (shift === 28) {
        if (b > 0x0f) throw new KafkaError('CORRUPT_MESSAGE', 'varint longer than 5 bytes');
        result |= b << 28;
        break;
      }
      result |= (b & 0x7f) << shift;
      if (b < 0x80) break;
      shift += 7;
    }
    return (result >>> 1) ^ -(result & 1);
  }

  varlong(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; ; i++) {
      if (this.pos >= this.end)
        throw new KafkaError('CORRUPT_MESSAGE', 'varlong past end of record');
      if (i >= 8) throw new KafkaError('CORRUPT_MESSAGE', 'varlong outside the safe-integer range');
      const b = this.buf[this.pos++];
      result += (b & 0x7f) * mul;
      if (b < 0x80) break;
      mul *= 128;
    }
    if (result > Number.MAX_SAFE_INTEGER)
      throw new KafkaError('CORRUPT_MESSAGE', 'varlong outside the safe-integer range');
    return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
  }
}
