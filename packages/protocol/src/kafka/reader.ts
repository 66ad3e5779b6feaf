/**
 * Bounds-checked reader of Kafka's primitive types over one frame. Every read past
 * the end, negative length other than -1 where null is allowed, or count larger
 * than the bytes left throws a `KafkaDecodeError`; the schema walker prepends the
 * field path while the error unwinds (`topics[2].partitions[0].index`).
 * bytes/records come back as `subarray` views of the frame: no copy.
 */
import { FieldPathError } from '../schema';
import { getInt16, getInt32, getInt8, getUint32 } from '@kzoo/common';

/**
 * Bytes that do not decode as the Kafka type expected; `path` names the field.
 * Hostile input makes these by the thousand and the path says where, so no stack
 * trace is captured (that is most of an Error's cost).
 */
export class KafkaDecodeError extends FieldPathError {
  constructor(path: string, problem: string) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(path, problem);
    Error.stackTraceLimit = limit;
    this.name = 'KafkaDecodeError';
  }
}

const TWO_32 = 4294967296;
const EMPTY = Buffer.alloc(0);

export class KafkaReader {
  pos: number;
  constructor(
    readonly buf: Buffer,
    pos = 0,
    readonly end = buf.length,
  ) {
    this.pos = pos;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number, what: string): number {
    const at = this.pos;
    if (n > this.end - at) {
      throw new KafkaDecodeError(
        '',
        `${what} needs ${n} bytes at offset ${at}, ${this.end - at} left`,
      );
    }
    this.pos = at + n;
    return at;
  }

  int8(): number {
    return getInt8(this.buf, this.need(1, 'int8'));
  }
  int16(): number {
    return getInt16(this.buf, this.need(2, 'int16'));
  }
  int32(): number {
    return getInt32(this.buf, this.need(4, 'int32'));
  }
  float64(): number {
    return this.buf.readDoubleBE(this.need(8, 'float64'));
  }
  uint32(): number {
    return getUint32(this.buf, this.need(4, 'uint32'));
  }
  /** int64 as a JS number; values outside the safe-integer range are refused. */
  int64(): number {
    const at = this.need(8, 'int64');
    const hi = getInt32(this.buf, at);
    const lo = getUint32(this.buf, at + 4);
    const v = hi * TWO_32 + lo;
    if (hi > 0x1fffff || hi < -0x200000 || !Number.isSafeInteger(v)) {
      this.pos = at;
      throw new KafkaDecodeError(
        '',
        `int64 0x${this.buf.toString('hex', at, at + 8)} is outside the safe-integer range`,
      );
    }
    return v;
  }
  boolean(): boolean {
    return this.buf[this.need(1, 'boolean')] !== 0;
  }
  uuid(): Buffer {
    const at = this.need(16, 'uuid');
    return this.buf.subarray(at, at + 16);
  }

  /** UNSIGNED_VARINT (LEB128, at most 5 bytes, 32 bits). */
  uvarint(): number {
    let v = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.buf[this.need(1, 'varint')];
      v += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) {
        if (v > 0xffffffff) throw new KafkaDecodeError('', 'unsigned varint over 32 bits');
        return v;
      }
    }
    throw new KafkaDecodeError('', 'unsigned varint longer than 5 bytes');
  }
  /** Zigzag VARINT (records only). */
  varint(): number {
    const u = this.uvarint();
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }
  /** Zigzag VARLONG (records only), refused outside the safe-integer range. */
  varlong(): number {
    let u = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      const b = this.buf[this.need(1, 'varlong')];
      u |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) {
        const v = (u >> 1n) ^ -(u & 1n);
        if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
          throw new KafkaDecodeError('', 'varlong outside the safe-integer range');
        }
        return Number(v);
      }
    }
    throw new KafkaDecodeError('', 'varlong longer than 10 bytes');
  }

  /** A length: INT16/INT32 (classic) or UNSIGNED_VARINT N+1 (compact); -1 = null. */
  private length(
    kind: 'int16' | 'int32',
    compact: boolean,
    nullable: boolean,
    what: string,
  ): number {
    const n = compact ? this.uvarint() - 1 : kind === 'int16' ? this.int16() : this.int32();
    if (n < -1 || (n === -1 && !nullable)) {
      throw new KafkaDecodeError('', `${what} length ${n} at offset ${this.pos}`);
    }
    return n;
  }

  string(compact = false): string {
    return this.nullableStringOf(compact, false) as string;
  }
  nullableString(compact = false): string | null {
    return this.nullableStringOf(compact, true);
  }
  private nullableStringOf(compact: boolean, nullable: boolean): string | null {
    const n = this.length('int16', compact, nullable, 'string');
    if (n < 0) return null;
    const at = this.need(n, 'string');
    return this.buf.toString('utf8', at, at + n);
  }

  /** BYTES / NULLABLE_BYTES / RECORDS as a view of the frame. */
  bytes(compact = false): Buffer {
    return this.nullableBytesOf(compact, false) as Buffer;
  }
  nullableBytes(compact = false): Buffer | null {
    return this.nullableBytesOf(compact, true);
  }
  private nullableBytesOf(compact: boolean, nullable: boolean): Buffer | null {
    const n = this.length('int32', compact, nullable, 'bytes');
    if (n < 0) return null;
    if (n === 0) return EMPTY;
    const at = this.need(n, 'bytes');
    return this.buf.subarray(at, at + n);
  }

  /**
   * An array's element count (-1 = null when nullable). A count larger than the
   * bytes left is refused before anything is allocated.
   */
  arrayLength(compact: boolean, nullable: boolean): number {
    const n = this.length('int32', compact, nullable, 'array');
    if (n > this.end - this.pos) {
      throw new KafkaDecodeError(
        '',
        `array of ${n} elements but only ${this.end - this.pos} bytes left`,
      );
    }
    return n;
  }

  /** Skips a whole tag buffer (tagged fields nobody asked for). */
  skipTags(): void {
    const n = this.uvarint();
    for (let i = 0; i < n; i++) {
      this.uvarint();
      this.need(this.uvarint(), 'tagged field');
    }
  }

  /** Skips `n` bytes (a tagged field's body). */
  skip(n: number, what = 'bytes'): number {
    return this.need(n, what);
  }
}
