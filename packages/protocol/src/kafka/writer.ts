/**
 * Writer of Kafka's primitive types into a Buffer sized in advance (the schema
 * walker computes the exact size first, so a frame is one allocation and record
 * bytes are copied once). `sizeOf*` helpers give the bytes each type takes.
 */
import { setInt16, setInt32, setInt8, setUint32 } from '@kzoo/common';
const TWO_32 = 4294967296;

/** Bytes of an UNSIGNED_VARINT. */
export function uvarintSize(v: number): number {
  if (v < 0x80) return 1;
  if (v < 0x4000) return 2;
  if (v < 0x200000) return 3;
  if (v < 0x10000000) return 4;
  return 5;
}

export class KafkaWriter {
  pos: number;
  constructor(
    readonly buf: Buffer,
    pos = 0,
  ) {
    this.pos = pos;
  }

  int8(v: number): void {
    this.pos = setInt8(this.buf, this.pos, v);
  }
  int16(v: number): void {
    this.pos = setInt16(this.buf, this.pos, v);
  }
  int32(v: number): void {
    this.pos = setInt32(this.buf, this.pos, v);
  }
  float64(v: number): void {
    this.pos = this.buf.writeDoubleBE(v, this.pos);
  }
  uint32(v: number): void {
    this.pos = setUint32(this.buf, this.pos, v);
  }
  /** int64 from a JS safe integer. */
  int64(v: number): void {
    if (!Number.isSafeInteger(v)) throw new RangeError(`int64 ${v} is not a safe integer`);
    const hi = Math.floor(v / TWO_32);
    setInt32(this.buf, this.pos, hi);
    setUint32(this.buf, this.pos + 4, v - hi * TWO_32);
    this.pos += 8;
  }
  boolean(v: boolean): void {
    this.buf[this.pos++] = v ? 1 : 0;
  }
  uuid(v: Buffer): void {
    if (v.length !== 16) throw new RangeError(`uuid of ${v.length} bytes`);
    this.raw(v);
  }
  uvarint(v: number): void {
    while (v >= 0x80) {
      this.buf[this.pos++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.pos++] = v;
  }
  /** Zigzag VARINT (records only). */
  varint(v: number): void {
    this.uvarint(v >= 0 ? v * 2 : -v * 2 - 1);
  }
  /** Zigzag VARLONG (records only). */
  varlong(v: number): void {
    let u = v >= 0 ? BigInt(v) << 1n : (BigInt(-v) << 1n) - 1n;
    while (u >= 0x80n) {
      this.buf[this.pos++] = Number(u & 0x7fn) | 0x80;
      u >>= 7n;
    }
    this.buf[this.pos++] = Number(u);
  }
  raw(b: Buffer): void {
    this.pos += b.copy(this.buf, this.pos);
  }

  /** STRING / NULLABLE_STRING, or COMPACT_(NULLABLE_)STRING; `byteLength` if already known. */
  string(
    v: string | null,
    compact: boolean,
    byteLength = v === null ? -1 : Buffer.byteLength(v),
  ): void {
    if (compact) this.uvarint(byteLength + 1);
    else this.int16(byteLength);
    if (v !== null) this.pos += this.buf.write(v, this.pos, 'utf8');
  }
  /** BYTES / NULLABLE_BYTES / RECORDS, or their compact forms. */
  bytes(v: Buffer | null, compact: boolean): void {
    const n = v === null ? -1 : v.length;
    if (compact) this.uvarint(n + 1);
    else this.int32(n);
    if (v !== null) this.raw(v);
  }
  arrayLength(n: number, compact: boolean): void {
    if (compact) this.uvarint(n + 1);
    else this.int32(n);
  }
}
