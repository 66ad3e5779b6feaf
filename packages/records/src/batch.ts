/**
 * RecordBatch v2 (magic 2), byte-compatible with Kafka's DefaultRecordBatch:
 *
 *   0 baseOffset i64 | 8 batchLength i32 | 12 partitionLeaderEpoch i32 | 16 magic i8 |
 *  17 crc u32 (CRC-32C of [21, end)) | 21 attributes i16 | 23 lastOffsetDelta i32 |
 *  27 baseTimestamp i64 | 35 maxTimestamp i64 | 43 producerId i64 | 51 producerEpoch i16 |
 *  53 baseSequence i32 | 57 recordCount i32 | 61 records (one compressed blob if codec != 0)
 *
 * Header work (read, validate, rewrite baseOffset / leader epoch) never decodes records.
 */
import {
  KafkaError,
  SystemTime,
  getInt16,
  getInt32,
  getInt8,
  getUint32,
  setInt16,
  setInt32,
  setInt8,
  setUint32,
} from '@kzoo/common';
import {
  compress,
  compressionCodec,
  decompress,
  CompressionCodec,
  CompressionName,
} from './compression';
import { crc32c, crc32cRange } from './crc32c';
import { sizeOfVarint, sizeOfVarlong, VarintReader, writeVarint, writeVarlong } from './varint';

export const BASE_OFFSET_OFFSET = 0;
export const LENGTH_OFFSET = 8;
export const PARTITION_LEADER_EPOCH_OFFSET = 12;
export const MAGIC_OFFSET = 16;
export const CRC_OFFSET = 17;
export const ATTRIBUTES_OFFSET = 21;
export const LAST_OFFSET_DELTA_OFFSET = 23;
export const BASE_TIMESTAMP_OFFSET = 27;
export const MAX_TIMESTAMP_OFFSET = 35;
export const PRODUCER_ID_OFFSET = 43;
export const PRODUCER_EPOCH_OFFSET = 51;
export const BASE_SEQUENCE_OFFSET = 53;
export const RECORDS_COUNT_OFFSET = 57;
/** Bytes before `batchLength` counts: baseOffset + batchLength. */
export const LOG_OVERHEAD = 12;
/** Size of the batch header, i.e. of a batch with no records. */
export const RECORD_BATCH_OVERHEAD = 61;
export const CURRENT_MAGIC = 2;

export const COMPRESSION_CODEC_MASK = 0x07;
export const TIMESTAMP_TYPE_MASK = 0x08;
export const TRANSACTIONAL_FLAG_MASK = 0x10;
export const CONTROL_FLAG_MASK = 0x20;
export const DELETE_HORIZON_FLAG_MASK = 0x40;

export const NO_PRODUCER_ID = -1;
export const NO_PRODUCER_EPOCH = -1;
export const NO_SEQUENCE = -1;
export const NO_PARTITION_LEADER_EPOCH = -1;
export const NO_TIMESTAMP = -1;

export type TimestampType = 'CreateTime' | 'LogAppendTime';

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

/** A decoded record. `key`/`value` are views into the (decompressed) batch bytes. */
export interface KafkaRecord {
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

/** All header fields of a batch; read without decoding records. */
export interface RecordBatchHeader {
  baseOffset: number;
  /** batchLength: bytes after the length field; the batch is `batchLength + 12` bytes. */
  batchLength: number;
  sizeInBytes: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  compression: CompressionCodec;
  timestampType: TimestampType;
  isTransactional: boolean;
  isControlBatch: boolean;
  hasDeleteHorizonMs: boolean;
  lastOffsetDelta: number;
  lastOffset: number;
  /** Field 27: firstTimestamp, or the delete horizon when `hasDeleteHorizonMs`. */
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

/** Reads a signed int64 as a JS number; throws CORRUPT_MESSAGE outside the safe range. */
export function readInt64(buf: Buffer, pos: number): number {
  const hi = getInt32(buf, pos);
  const lo = getUint32(buf, pos + 4);
  if (hi > 0x1fffff || hi < -0x200000)
    throw new KafkaError('CORRUPT_MESSAGE', `int64 at ${pos} outside the safe-integer range`);
  return hi * 0x100000000 + lo;
}

export function writeInt64(buf: Buffer, pos: number, n: number): void {
  if (!Number.isSafeInteger(n)) throw new RangeError(`int64 value not a safe integer: ${n}`);
  const hi = Math.floor(n / 0x100000000);
  setInt32(buf, pos, hi);
  setUint32(buf, pos + 4, n - hi * 0x100000000);
}

export function readBatchHeader(buf: Buffer, pos = 0): RecordBatchHeader {
  if (buf.length - pos < RECORD_BATCH_OVERHEAD)
    throw new KafkaError('CORRUPT_MESSAGE', `truncated batch header at ${pos}`);
  const attributes = getInt16(buf, pos + ATTRIBUTES_OFFSET);
  const baseOffset = readInt64(buf, pos);
  const batchLength = getInt32(buf, pos + LENGTH_OFFSET);
  const lastOffsetDelta = getInt32(buf, pos + LAST_OFFSET_DELTA_OFFSET);
  return {
    baseOffset,
    batchLength,
    sizeInBytes: batchLength + LOG_OVERHEAD,
    partitionLeaderEpoch: getInt32(buf, pos + PARTITION_LEADER_EPOCH_OFFSET),
    magic: getInt8(buf, pos + MAGIC_OFFSET),
    crc: getUint32(buf, pos + CRC_OFFSET),
    attributes,
    compression: (attributes & COMPRESSION_CODEC_MASK) as CompressionCodec,
    timestampType: attributes & TIMESTAMP_TYPE_MASK ? 'LogAppendTime' : 'CreateTime',
    isTransactional: (attributes & TRANSACTIONAL_FLAG_MASK) !== 0,
    isControlBatch: (attributes & CONTROL_FLAG_MASK) !== 0,
    hasDeleteHorizonMs: (attributes & DELETE_HORIZON_FLAG_MASK) !== 0,
    lastOffsetDelta,
    lastOffset: baseOffset + lastOffsetDelta,
    baseTimestamp: readInt64(buf, pos + BASE_TIMESTAMP_OFFSET),
    maxTimestamp: readInt64(buf, pos + MAX_TIMESTAMP_OFFSET),
    producerId: readInt64(buf, pos + PRODUCER_ID_OFFSET),
    producerEpoch: getInt16(buf, pos + PRODUCER_EPOCH_OFFSET),
    baseSequence: getInt32(buf, pos + BASE_SEQUENCE_OFFSET),
    recordCount: getInt32(buf, pos + RECORDS_COUNT_OFFSET),
  };
}

/** CRC-32C of a whole buffer (unsigned), for files that carry their own checksum. */
export function crc32cOf(buf: Buffer): number {
  return crc32c(buf);
}

/** CRC-32C over [attributes, end) of the batch at `pos` of `size` bytes. */
export function computeBatchCrc(buf: Buffer, pos: number, size: number): number {
  return crc32cRange(buf, pos + ATTRIBUTES_OFFSET, pos + size);
}

/**
 * Checks the batch at `pos`: enough bytes, a sane length, magic 2, a known codec and
 * the CRC-32C. Returns its size in bytes. Throws a KafkaError naming the problem:
 * CORRUPT_MESSAGE (truncated, bad length, CRC), UNSUPPORTED_VERSION (magic 0/1),
 * INVALID_RECORD (other magic), UNSUPPORTED_COMPRESSION_TYPE (codec 5-7).
 */
export function validateBatch(buf: Buffer, pos = 0): number {
  const remaining = buf.length - pos;
  if (remaining < LOG_OVERHEAD + 5)
    throw new KafkaError('CORRUPT_MESSAGE', `truncated batch at ${pos}: ${remaining} bytes`);
  const magic = getInt8(buf, pos + MAGIC_OFFSET);
  if (magic !== CURRENT_MAGIC) {
    if (magic === 0 || magic === 1)
      throw new KafkaError(
        'UNSUPPORTED_VERSION',
        `message format v${magic} (magic ${magic}) is not supported, only RecordBatch v2`,
      );
    throw new KafkaError('INVALID_RECORD', `invalid magic byte ${magic} at ${pos + MAGIC_OFFSET}`);
  }
  const batchLength = getInt32(buf, pos + LENGTH_OFFSET);
  const size = batchLength + LOG_OVERHEAD;
  if (size < RECORD_BATCH_OVERHEAD)
    throw new KafkaError(
      'CORRUPT_MESSAGE',
      `batch size ${size} below the header size ${RECORD_BATCH_OVERHEAD}`,
    );
  if (size > remaining)
    throw new KafkaError(
      'CORRUPT_MESSAGE',
      `truncated batch at ${pos}: ${size} bytes declared, ${remaining} present`,
    );
  const stored = getUint32(buf, pos + CRC_OFFSET);
  const computed = computeBatchCrc(buf, pos, size);
  if (stored !== computed)
    throw new KafkaError(
      'CORRUPT_MESSAGE',
      `CRC mismatch at ${pos}: stored ${stored.toString(16)}, computed ${computed.toString(16)}`,
    );
  const codec = getInt16(buf, pos + ATTRIBUTES_OFFSET) & COMPRESSION_CODEC_MASK;
  if (codec > 4) throw new KafkaError('UNSUPPORTED_COMPRESSION_TYPE', `compression codec ${codec}`);
  if (
    getInt32(buf, pos + LAST_OFFSET_DELTA_OFFSET) < 0 ||
    getInt32(buf, pos + RECORDS_COUNT_OFFSET) < 0
  )
    throw new KafkaError('CORRUPT_MESSAGE', `negative lastOffsetDelta or record count at ${pos}`);
  return size;
}

/** Rewrites baseOffset (outside the CRC) in place. */
export function setBaseOffset(buf: Buffer, pos: number, offset: number): void {
  writeInt64(buf, pos + BASE_OFFSET_OFFSET, offset);
}

/** Rewrites partitionLeaderEpoch (outside the CRC) in place. */
export function setPartitionLeaderEpoch(buf: Buffer, pos: number, epoch: number): void {
  setInt32(buf, pos + PARTITION_LEADER_EPOCH_OFFSET, epoch);
}

/** A batch found in a buffer of concatenated batches: a view, no copy. */
export interface BatchView {
  position: number;
  size: number;
  baseOffset: number;
  lastOffset: number;
  /** The batch bytes (a subarray of the source buffer). */
  bytes: Buffer;
}

/** Size of the whole batch at `pos` if it is complete in `buf`, else -1. Checks nothing else. */
export function batchSizeAt(buf: Buffer, pos: number): number {
  if (buf.length - pos < LOG_OVERHEAD) return -1;
  const size = getInt32(buf, pos + LENGTH_OFFSET) + LOG_OVERHEAD;
  if (size < RECORD_BATCH_OVERHEAD) return -1;
  return pos + size <= buf.length ? size : -1;
}

/**
 * Iterates over concatenated batches, stopping cleanly at a partial trailing batch
 * (as a fetch response may end with one). Does not check CRCs (see validateBatch).
 */
export function* iterateBatches(buf: Buffer): Generator<BatchView> {
  let pos = 0;
  for (;;) {
    const size = batchSizeAt(buf, pos);
    if (size < 0) return;
    const baseOffset = readInt64(buf, pos);
    yield {
      position: pos,
      size,
      baseOffset,
      lastOffset: baseOffset + getInt32(buf, pos + LAST_OFFSET_DELTA_OFFSET),
      bytes: buf.subarray(pos, pos + size),
    };
    pos += size;
  }
}

/**
 * Lazily decodes the records of one batch (decompressing first when needed).
 * Offsets are baseOffset + offsetDelta; timestamps are baseTimestamp + delta, or the
 * batch's maxTimestamp for LogAppendTime batches (as Kafka does).
 */
export function* records(batch: Buffer, pos = 0): Generator<KafkaRecord> {
  const r = new RecordReader(batch, pos);
  while (r.advance())
    yield {
      offset: r.offset,
      timestamp: r.timestamp,
      key: r.key,
      value: r.value,
      headers: r.headers,
    };
}

/**
 * The records of one batch, one at a time, without a generator: `advance()` reads the
 * next record into `offset`, `timestamp`, `key`, `value` and `headers` (the caller builds
 * its own record object from them: the consumer's hot path, one object per record).
 * Decodes as `records()` does and throws the same KafkaErrors; the batch header is read
 * (and the payload decompressed) on the first `advance()`.
 */
export class RecordReader {
  offset = 0;
  timestamp = 0;
  key: Buffer | null = null;
  value: Buffer | null = null;
  headers: RecordHeader[] = [];
  private r: VarintReader | undefined;
  private i = 0;
  private count = 0;
  private baseOffset = 0;
  private baseTimestamp = 0;
  private logAppendTime = -1;

  constructor(
    private readonly batch: Buffer,
    private readonly pos = 0,
  ) {}

  /** Reads the next record; false after the last one (the batch is then fully checked). */
  advance(): boolean {
    let r = this.r;
    if (r === undefined) {
      const h = readBatchHeader(this.batch, this.pos);
      if (h.sizeInBytes > this.batch.length - this.pos)
        throw new KafkaError('CORRUPT_MESSAGE', 'truncated batch');
      let payload = this.batch.subarray(this.pos + RECORD_BATCH_OVERHEAD, this.pos + h.sizeInBytes);
      if (h.compression !== 0) payload = decompress(h.compression, payload);
      this.logAppendTime = h.timestampType === 'LogAppendTime' ? h.maxTimestamp : -1;
      this.count = h.recordCount;
      this.baseOffset = h.baseOffset;
      this.baseTimestamp = h.baseTimestamp;
      r = this.r = new VarintReader(payload, 0);
    }
    const payloadLength = r.buf.length;
    const i = this.i;
    if (i >= this.count) {
      if (r.pos !== payloadLength)
        throw new KafkaError(
          'CORRUPT_MESSAGE',
          `${payloadLength - r.pos} bytes left after the ${this.count} declared records`,
        );
      return false;
    }
    const length = r.varint();
    const start = r.pos;
    const end = start + length;
    if (length < 0 || end > payloadLength)
      throw new KafkaError('CORRUPT_MESSAGE', `record ${i} length ${length} runs past the batch`);
    r.pos++; // attributes (unused)
    const timestampDelta = r.varlong();
    const offsetDelta = r.varint();
    const key = readBytes(r, end);
    const value = readBytes(r, end);
    const headerCount = r.varint();
    if (headerCount < 0)
      throw new KafkaError('CORRUPT_MESSAGE', `negative header count in record ${i}`);
    const headers: RecordHeader[] = [];
    for (let j = 0; j < headerCount; j++) {
      const hk = readBytes(r, end);
      if (hk === null) throw new KafkaError('CORRUPT_MESSAGE', 'null header key');
      headers.push({ key: hk.toString('utf8'), value: readBytes(r, end) });
    }
    if (r.pos !== end)
      throw new KafkaError(
        'CORRUPT_MESSAGE',
        `record ${i} declared ${length} bytes, used ${r.pos - start}`,
      );
    this.i = i + 1;
    this.offset = this.baseOffset + offsetDelta;
    this.timestamp =
      this.logAppendTime >= 0 ? this.logAppendTime : this.baseTimestamp + timestampDelta;
    this.key = key;
    this.value = value;
    this.headers = headers;
    return true;
  }
}

function readBytes(r: VarintReader, end: number): Buffer | null {
  const len = r.varint();
  if (len < 0) return null;
  if (r.pos + len > end)
    throw new KafkaError('CORRUPT_MESSAGE', 'field runs past the end of its record');
  const b = r.buf.subarray(r.pos, r.pos + len);
  r.pos += len;
  return b;
}

export interface RecordInput {
  key?: Buffer | string | null;
  value?: Buffer | string | null;
  headers?: Array<{ key: string; value: Buffer | string | null }>;
  /** Defaults to `now` (the builder's option, else the system clock). */
  timestamp?: number;
  /** Offset delta within the batch; defaults to the record's index. Kept by compaction. */
  offsetDelta?: number;
}

export interface BuildRecordBatchOptions {
  records: RecordInput[];
  compression?: CompressionName | number;
  baseOffset?: number;
  partitionLeaderEpoch?: number;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  isTransactional?: boolean;
  isControlBatch?: boolean;
  timestampType?: TimestampType;
  /** Default timestamp for records without one. */
  now?: number;
  /** Defaults to the last record's offsetDelta. Compaction keeps the original one. */
  lastOffsetDelta?: number;
  /** Defaults to the largest record timestamp (LogAppendTime batches: pass the append time). */
  maxTimestamp?: number;
  /** KIP-534: stored in the baseTimestamp field, with attribute bit 6. */
  deleteHorizonMs?: number;
}

function toBytes(v: Buffer | string | null | undefined): Buffer | null {
  if (v === null || v === undefined) return null;
  return typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
}

/** Builds one RecordBatch v2 with a correct CRC-32C. */
export function buildRecordBatch(opts: BuildRecordBatchOptions): Buffer {
  const codec = compressionCodec(opts.compression ?? 0);
  const now = opts.now ?? SystemTime.milliseconds();
  const recs = opts.records.map((r, i) => ({
    key: toBytes(r.key),
    value: toBytes(r.value),
    headers: (r.headers ?? []).map((h) => ({
      key: Buffer.from(h.key, 'utf8'),
      value: toBytes(h.value),
    })),
    timestamp: r.timestamp ?? now,
    offsetDelta: r.offsetDelta ?? i,
  }));
  let maxTs = NO_TIMESTAMP;
  let firstTs = NO_TIMESTAMP;
  for (const r of recs) {
    if (firstTs === NO_TIMESTAMP) firstTs = r.timestamp;
    if (r.timestamp > maxTs) maxTs = r.timestamp;
  }
  if (opts.maxTimestamp !== undefined) maxTs = opts.maxTimestamp;
  const baseTimestamp = opts.deleteHorizonMs ?? firstTs;
  const tsBase = baseTimestamp === NO_TIMESTAMP ? 0 : baseTimestamp;

  // Size pass, then one write pass into one buffer.
  const bodySizes = recs.map((r) => {
    let s = 1 + sizeOfVarlong(r.timestamp - tsBase) + sizeOfVarint(r.offsetDelta);
    s += r.key ? sizeOfVarint(r.key.length) + r.key.length : 1;
    s += r.value ? sizeOfVarint(r.value.length) + r.value.length : 1;
    s += sizeOfVarint(r.headers.length);
    for (const h of r.headers) {
      s += sizeOfVarint(h.key.length) + h.key.length;
      s += h.value ? sizeOfVarint(h.value.length) + h.value.length : 1;
    }
    return s;
  });
  let recordsSize = 0;
  for (const s of bodySizes) recordsSize += sizeOfVarint(s) + s;
  const raw = Buffer.allocUnsafe(recordsSize);
  let p = 0;
  recs.forEach((r, i) => {
    p = writeVarint(raw, p, bodySizes[i]);
    raw[p++] = 0;
    p = writeVarlong(raw, p, r.timestamp - tsBase);
    p = writeVarint(raw, p, r.offsetDelta);
    p = writeField(raw, p, r.key);
    p = writeField(raw, p, r.value);
    p = writeVarint(raw, p, r.headers.length);
    for (const h of r.headers) {
      p = writeField(raw, p, h.key);
      p = writeField(raw, p, h.value);
    }
  });
  const payload = codec === 0 ? raw : compress(codec, raw);
  const size = RECORD_BATCH_OVERHEAD + payload.length;
  const buf = Buffer.allocUnsafe(size);
  payload.copy(buf, RECORD_BATCH_OVERHEAD);
  let attributes = codec;
  if (opts.timestampType === 'LogAppendTime') attributes |= TIMESTAMP_TYPE_MASK;
  if (opts.isTransactional) attributes |= TRANSACTIONAL_FLAG_MASK;
  if (opts.isControlBatch) attributes |= CONTROL_FLAG_MASK;
  if (opts.deleteHorizonMs !== undefined) attributes |= DELETE_HORIZON_FLAG_MASK;
  const lastOffsetDelta =
    opts.lastOffsetDelta ?? (recs.length ? recs[recs.length - 1].offsetDelta : 0);
  writeInt64(buf, BASE_OFFSET_OFFSET, opts.baseOffset ?? 0);
  setInt32(buf, LENGTH_OFFSET, size - LOG_OVERHEAD);
  setInt32(
    buf,
    PARTITION_LEADER_EPOCH_OFFSET,
    opts.partitionLeaderEpoch ?? NO_PARTITION_LEADER_EPOCH,
  );
  setInt8(buf, MAGIC_OFFSET, CURRENT_MAGIC);
  setInt16(buf, ATTRIBUTES_OFFSET, attributes);
  setInt32(buf, LAST_OFFSET_DELTA_OFFSET, lastOffsetDelta);
  writeInt64(buf, BASE_TIMESTAMP_OFFSET, baseTimestamp);
  writeInt64(buf, MAX_TIMESTAMP_OFFSET, maxTs);
  writeInt64(buf, PRODUCER_ID_OFFSET, opts.producerId ?? NO_PRODUCER_ID);
  setInt16(buf, PRODUCER_EPOCH_OFFSET, opts.producerEpoch ?? NO_PRODUCER_EPOCH);
  setInt32(buf, BASE_SEQUENCE_OFFSET, opts.baseSequence ?? NO_SEQUENCE);
  setInt32(buf, RECORDS_COUNT_OFFSET, recs.length);
  setUint32(buf, CRC_OFFSET, computeBatchCrc(buf, 0, size));
  return buf;
}

function writeField(buf: Buffer, pos: number, b: Buffer | null): number {
  if (b === null) return writeVarint(buf, pos, -1);
  pos = writeVarint(buf, pos, b.length);
  b.copy(buf, pos);
  return pos + b.length;
}
