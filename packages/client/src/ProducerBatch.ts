/**
 * ProducerBatch: the records bound for one partition, written straight into one
 * RecordBatch v2 buffer as they are appended (as Kafka's MemoryRecordsBuilder does),
 * then closed (compressed if configured, header and CRC-32C written) when drained.
 * It carries the per-record results and the send calls waiting on them.
 */
import { KafkaError, getInt16, setInt16, setInt32, setInt8, setUint32 } from '@kzoo/common';
import {
  ATTRIBUTES_OFFSET,
  BASE_SEQUENCE_OFFSET,
  BASE_TIMESTAMP_OFFSET,
  CRC_OFFSET,
  CURRENT_MAGIC,
  LAST_OFFSET_DELTA_OFFSET,
  LENGTH_OFFSET,
  LOG_OVERHEAD,
  MAGIC_OFFSET,
  MAX_TIMESTAMP_OFFSET,
  NO_PARTITION_LEADER_EPOCH,
  NO_PRODUCER_EPOCH,
  NO_PRODUCER_ID,
  NO_SEQUENCE,
  PARTITION_LEADER_EPOCH_OFFSET,
  PRODUCER_EPOCH_OFFSET,
  PRODUCER_ID_OFFSET,
  RECORDS_COUNT_OFFSET,
  RECORD_BATCH_OVERHEAD,
  TRANSACTIONAL_FLAG_MASK,
  compress,
  computeBatchCrc,
  writeInt64,
  type CompressionCodec,
} from '@kzoo/records';

// Zigzag varint helpers local to the append hot path (same encoding as @kzoo/records'
// writeVarint/writeVarlong, which are checked against them in the unit tests); calling
// through the package entry's re-export getters costs measurably per record.
function sizeOfVarint(n: number): number {
  let v = ((n << 1) ^ (n >> 31)) >>> 0;
  let size = 1;
  while (v >= 0x80) {
    v >>>= 7;
    size++;
  }
  return size;
}

function sizeOfVarlong(n: number): number {
  if (n >= -0x40000000 && n < 0x40000000) return sizeOfVarint(n);
  let v = n >= 0 ? n * 2 : -n * 2 - 1;
  let size = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    size++;
  }
  return size;
}

function writeVarint(buf: Buffer, pos: number, n: number): number {
  let v = ((n << 1) ^ (n >> 31)) >>> 0;
  while (v >= 0x80) {
    buf[pos++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[pos++] = v;
  return pos;
}

function writeVarlong(buf: Buffer, pos: number, n: number): number {
  if (n >= -0x40000000 && n < 0x40000000) return writeVarint(buf, pos, n);
  let v = n >= 0 ? n * 2 : -n * 2 - 1;
  while (v >= 0x80) {
    buf[pos++] = (v % 128) | 0x80;
    v = Math.floor(v / 128);
  }
  buf[pos++] = v;
  return pos;
}

const EMPTY = Buffer.alloc(0);

export const varintForTests = { sizeOfVarint, sizeOfVarlong, writeVarint, writeVarlong };

/** What `send` resolves with, per record (Kafka's RecordMetadata). */
export interface RecordMetadata {
  topic: string;
  partition: number;
  /** baseOffset + index in batch; -1 with acks=0. */
  offset: number;
  /** The record's CreateTime, or the broker's LogAppendTime for such topics. */
  timestamp: number;
}

/** One `send()` call: resolves when all its records are acknowledged. */
export interface SendCall {
  /** Results in record order; null for a single-record call (built at completion). */
  results: RecordMetadata[] | null;
  pending: number;
  done: boolean;
  resolve(results: RecordMetadata[]): void;
  reject(err: Error): void;
}

/** `send`'s callback form: results on success, the KafkaError otherwise. */
export type SendCallback = (err: Error | null, results?: RecordMetadata[]) => void;

/**
 * The batch a record was acknowledged in, as a `RecordCallback` sees it: the record's
 * metadata read by its slot, without an object per record. Valid during the callback only
 * (the batch's per-record arrays are reused by a later batch).
 */
export interface CompletedBatch {
  readonly topic: string;
  readonly partition: number;
  /** The record's offset (baseOffset + slot), -1 with acks=0 or on error. */
  offsetOf(slot: number): number;
  /** The record's CreateTime, or the broker's LogAppendTime for such topics. */
  timestampOf(slot: number): number;
  /** The record's CreateTime (its timestamp as sent), whatever the topic's timestamp type. */
  createTimeOf(slot: number): number;
  /** The record's RecordMetadata (a new object). */
  metadataOf(slot: number): RecordMetadata;
}

/**
 * `send`'s allocation-free callback for one record, as Kafka's `Callback.onCompletion`:
 * `err` null once acknowledged (read offset and timestamp from `batch` at `slot`), else the
 * error; `batch` is null (and `slot` -1) when the record failed before it joined a batch.
 */
export interface RecordCallback {
  onCompletion(err: Error | null, batch: CompletedBatch | null, slot: number): void;
}

/**
 * Who waits for a record: a `send` call (one record or several), or, for a single record
 * sent with a callback, the callback itself (no object per record).
 */
export type RecordWaiter = SendCall | SendCallback | RecordCallback;

function isRecordCallback(w: SendCall | RecordCallback): w is RecordCallback {
  return (w as RecordCallback).onCompletion !== undefined;
}

/**
 * A batch's per-record state: timestamp, waiter, index in the waiter's results. Kept by the
 * accumulator for the next batch once a batch finishes (growing them per batch was a quarter
 * of the producer's allocations under `kzoo perf produce`).
 */
export class RecordSlots {
  timestamps: Float64Array;
  indexes: Int32Array;
  waiters: RecordWaiter[];
  constructor(capacity: number) {
    this.timestamps = new Float64Array(capacity);
    this.indexes = new Int32Array(capacity);
    this.waiters = new Array<RecordWaiter>(capacity);
  }

  get capacity(): number {
    return this.timestamps.length;
  }

  grow(): void {
    const n = this.timestamps.length * 2;
    const t = new Float64Array(n);
    t.set(this.timestamps);
    this.timestamps = t;
    const x = new Int32Array(n);
    x.set(this.indexes);
    this.indexes = x;
    this.waiters.length = n;
  }

  /** Drops the references to the first `count` waiters (before reuse). */
  clear(count: number): void {
    this.waiters.fill(undefined as unknown as RecordWaiter, 0, count);
  }
}

export type HeaderInput = { key: string; value: Buffer | string | null };

/** A record's key/value/header bytes ready to encode (strings stay strings until written). */
export interface EncodedFields {
  key: Buffer | null;
  value: Buffer | string | null;
  valueLength: number;
  headers: Array<{
    key: string;
    keyLength: number;
    value: Buffer | string | null;
    valueLength: number;
  }> | null;
}

function fieldSize(len: number, present: boolean): number {
  return present ? sizeOfVarint(len) + len : 1;
}

/** Bytes the record body takes after its length varint. */
export function recordBodySize(
  timestampDelta: number,
  offsetDelta: number,
  f: EncodedFields,
): number {
  let s = 1 + sizeOfVarlong(timestampDelta) + sizeOfVarint(offsetDelta);
  s += f.key ? sizeOfVarint(f.key.length) + f.key.length : 1;
  s += fieldSize(f.valueLength, f.value !== null);
  const hs = f.headers;
  if (hs === null) return s + 1;
  s += sizeOfVarint(hs.length);
  for (const h of hs)
    s += sizeOfVarint(h.keyLength) + h.keyLength + fieldSize(h.valueLength, h.value !== null);
  return s;
}

/** Upper bound of the bytes a record takes in a batch (for size checks before appending). */
export function maxRecordSize(f: EncodedFields): number {
  const body = recordBodySize(0, 0, f) + 10 + 5; // worst-case varlong/varint growth
  return sizeOfVarint(body) + body;
}

function writeField(buf: Buffer, pos: number, v: Buffer | string | null, len: number): number {
  if (v === null) {
    buf[pos] = 1; // zigzag(-1)
    return pos + 1;
  }
  pos = writeVarint(buf, pos, len);
  if (typeof v === 'string') buf.write(v, pos, len, 'utf8');
  else buf.set(v, pos); // Buffer#copy makes a view of the source per call; set does not
  return pos + len;
}

export class ProducerBatch implements CompletedBatch {
  readonly createdMs: number;
  /** When the batch was last sent (or created); retry backoff counts from here. */
  lastAttemptMs: number;
  attempts = 0;
  /** The error of the last failed attempt (retried); named when the batch expires. */
  lastError: Error | undefined;
  private buf: Buffer;
  private pos = RECORD_BATCH_OVERHEAD;
  count = 0;
  private baseTimestamp = 0;
  private maxTimestamp = -1;
  private full = false;
  private built: Buffer | undefined;
  /**
   * Per record: its timestamp, its waiter and its index in the waiter's results. The
   * RecordMetadata are built at completion, so a record waiting for its acknowledgement
   * holds no object of its own (fewer survivors for the garbage collector).
   */
  private slots: RecordSlots | undefined;
  /** Set by `complete`: the offset of the first record (-1: none, acks=0 or failed). */
  private baseOffset = -1;
  private logAppendTimeMs = -1;
  private doneListeners: Array<() => void> | undefined;
  finished = false;
  /** Idempotence: set when the batch is first drained (kept for its retries). */
  producerId = NO_PRODUCER_ID;
  /** A batch of a transactional producer (attribute bit 4). */
  isTransactional = false;
  producerEpoch = NO_PRODUCER_EPOCH;
  baseSequence = NO_SEQUENCE;

  constructor(
    readonly topic: string,
    readonly partition: number,
    private readonly batchSize: number,
    nowMs: number,
    firstRecordSize: number,
    /** A free buffer of `batchSize` bytes from the accumulator's pool, if any. */
    pooled?: Buffer,
    /** Free per-record arrays from the accumulator's pool, if any. */
    pooledSlots?: RecordSlots,
  ) {
    this.createdMs = nowMs;
    this.lastAttemptMs = nowMs;
    const size = Math.max(batchSize, RECORD_BATCH_OVERHEAD + firstRecordSize);
    this.buf = pooled !== undefined && pooled.length === size ? pooled : Buffer.allocUnsafe(size);
    // Sized for as many records as the first one's size lets the batch hold (they grow past
    // that if needed; the first record's size is an upper bound of its bytes, by up to 15).
    this.slots =
      pooledSlots ??
      new RecordSlots(Math.min(4096, Math.ceil(size / Math.max(firstRecordSize - 15, 8))));
  }

  /**
   * Hands the per-record arrays back once the batch is finished (its waiters have been
   * called), for the accumulator's pool; undefined when already taken.
   */
  releaseSlots(): RecordSlots | undefined {
    const s = this.slots;
    if (!this.finished || s === undefined) return undefined;
    this.slots = undefined;
    s.clear(this.count);
    return s;
  }

  /**
   * Requests carrying this batch whose frames the socket may still read: a Produce
   * request is written from the batch's own buffer (no copy into the frame), so the
   * buffer must not be reused before the socket is done with it.
   */
  private writesPending = 0;

  /** A request carrying this batch was handed to a connection (see `writeDone`). */
  writeStarted(): void {
    this.writesPending++;
  }

  /** The connection is done with a frame that carried this batch. */
  writeDone(): void {
    if (this.writesPending > 0) this.writesPending--;
  }

  /**
   * Hands the batch's buffer back once the batch is finished (for the accumulator's pool,
   * as Kafka's BufferPool takes back a deallocated batch), unless a socket may still be
   * reading it (a frame carrying the batch not yet written): then undefined, and the
   * buffer is left to the garbage collector rather than reused under the write.
   */
  releaseBuffer(): Buffer | undefined {
    if (!this.finished || this.buf.length === 0 || this.writesPending > 0) return undefined;
    const b = this.buf;
    this.buf = EMPTY;
    if (this.built) this.built = EMPTY;
    return b;
  }

  /** Bytes reserved by this batch (counted against `buffer.memory`). */
  get capacity(): number {
    return this.buf.length;
  }

  /** Uncompressed bytes written so far, header included. */
  get sizeInBytes(): number {
    return this.built ? this.built.length : this.pos;
  }

  isFull(): boolean {
    return this.full || this.built !== undefined || this.pos >= this.batchSize;
  }

  get isClosed(): boolean {
    return this.built !== undefined;
  }

  /**
   * Appends one record; returns false (and marks the batch full) when it does not fit.
   * The first record always fits: the buffer was sized for it.
   */
  tryAppend(timestamp: number, f: EncodedFields, waiter: RecordWaiter, index: number): boolean {
    if (this.built) return false;
    const first = this.count === 0;
    const tsDelta = first ? 0 : timestamp - this.baseTimestamp;
    const body = recordBodySize(tsDelta, this.count, f);
    const size = sizeOfVarint(body) + body;
    if (this.pos + size > this.buf.length) {
      this.full = true;
      return false;
    }
    if (first) this.baseTimestamp = timestamp;
    if (timestamp > this.maxTimestamp) this.maxTimestamp = timestamp;
    const buf = this.buf;
    let p = writeVarint(buf, this.pos, body);
    buf[p++] = 0; // attributes
    p = writeVarlong(buf, p, tsDelta);
    p = writeVarint(buf, p, this.count);
    p = writeField(buf, p, f.key, f.key ? f.key.length : 0);
    p = writeField(buf, p, f.value, f.valueLength);
    const hs = f.headers;
    if (hs === null) buf[p++] = 0;
    else {
      p = writeVarint(buf, p, hs.length);
      for (const h of hs) {
        p = writeField(buf, p, h.key, h.keyLength);
        p = writeField(buf, p, h.value, h.valueLength);
      }
    }
    this.pos = p;
    const n = this.count++;
    const slots = this.slots!;
    if (n === slots.capacity) slots.grow();
    slots.timestamps[n] = timestamp;
    slots.waiters[n] = waiter;
    slots.indexes[n] = index;
    if (p >= this.batchSize) this.full = true;
    return true;
  }

  /**
   * Stamps the idempotent producer's id, epoch and base sequence (before `close`, or on
   * a built batch when its sequence is reset after an epoch bump: header and CRC are
   * rewritten).
   */
  setProducerState(producerId: number, producerEpoch: number, baseSequence: number): void {
    const out0 = this.built;
    if (out0 && this.isTransactional)
      setInt16(
        out0,
        ATTRIBUTES_OFFSET,
        getInt16(out0, ATTRIBUTES_OFFSET) | TRANSACTIONAL_FLAG_MASK,
      );
    this.producerId = producerId;
    this.producerEpoch = producerEpoch;
    this.baseSequence = baseSequence;
    const out = this.built;
    if (!out) return;
    writeInt64(out, PRODUCER_ID_OFFSET, producerId);
    setInt16(out, PRODUCER_EPOCH_OFFSET, producerEpoch);
    setInt32(out, BASE_SEQUENCE_OFFSET, baseSequence);
    setUint32(out, CRC_OFFSET, computeBatchCrc(out, 0, out.length));
  }

  /** Closes the batch for appends and returns its RecordBatch v2 bytes (built once). */
  close(codec: CompressionCodec): Buffer {
    if (this.built) return this.built;
    let out: Buffer;
    if (codec === 0) {
      out = this.buf.subarray(0, this.pos);
    } else {
      const payload = compress(codec, this.buf.subarray(RECORD_BATCH_OVERHEAD, this.pos));
      out = Buffer.allocUnsafe(RECORD_BATCH_OVERHEAD + payload.length);
      payload.copy(out, RECORD_BATCH_OVERHEAD);
    }
    const size = out.length;
    writeInt64(out, 0, 0);
    setInt32(out, LENGTH_OFFSET, size - LOG_OVERHEAD);
    setInt32(out, PARTITION_LEADER_EPOCH_OFFSET, NO_PARTITION_LEADER_EPOCH);
    setInt8(out, MAGIC_OFFSET, CURRENT_MAGIC);
    setInt16(out, ATTRIBUTES_OFFSET, codec | (this.isTransactional ? TRANSACTIONAL_FLAG_MASK : 0));
    setInt32(out, LAST_OFFSET_DELTA_OFFSET, this.count - 1);
    writeInt64(out, BASE_TIMESTAMP_OFFSET, this.baseTimestamp);
    writeInt64(out, MAX_TIMESTAMP_OFFSET, this.maxTimestamp);
    writeInt64(out, PRODUCER_ID_OFFSET, this.producerId);
    setInt16(out, PRODUCER_EPOCH_OFFSET, this.producerEpoch);
    setInt32(out, BASE_SEQUENCE_OFFSET, this.baseSequence);
    setInt32(out, RECORDS_COUNT_OFFSET, this.count);
    setUint32(out, CRC_OFFSET, computeBatchCrc(out, 0, size));
    this.built = out;
    return out;
  }

  offsetOf(slot: number): number {
    return this.baseOffset < 0 ? -1 : this.baseOffset + slot;
  }

  timestampOf(slot: number): number {
    return this.logAppendTimeMs >= 0 ? this.logAppendTimeMs : this.createTimeOf(slot);
  }

  createTimeOf(slot: number): number {
    const slots = this.slots;
    if (slots === undefined)
      throw new Error(
        `the batch of ${this.topic}-${this.partition} was released: read it in onCompletion`,
      );
    return slots.timestamps[slot];
  }

  metadataOf(slot: number): RecordMetadata {
    return {
      topic: this.topic,
      partition: this.partition,
      offset: this.offsetOf(slot),
      timestamp: this.timestampOf(slot),
    };
  }

  /** Completes every record: offset = baseOffset + index (or -1), LogAppendTime if given. */
  complete(baseOffset: number, logAppendTimeMs: number): void {
    if (this.finished) return;
    this.finished = true;
    this.baseOffset = baseOffset < 0 ? -1 : baseOffset;
    this.logAppendTimeMs = logAppendTimeMs;
    const { waiters, indexes } = this.slots!;
    const count = this.count;
    for (let i = 0; i < count; i++) {
      const w = waiters[i];
      if (typeof w === 'function') {
        w(null, [this.metadataOf(i)]);
        continue;
      }
      if (isRecordCallback(w)) {
        w.onCompletion(null, this, i);
        continue;
      }
      const r = this.metadataOf(i);
      if (w.results) w.results[indexes[i]] = r;
      if (--w.pending === 0 && !w.done) {
        w.done = true;
        w.resolve(w.results ?? [r]);
      }
    }
    this.notifyDone();
  }

  fail(err: Error): void {
    if (this.finished) return;
    this.finished = true;
    this.baseOffset = -1;
    const waiters = this.slots!.waiters;
    for (let i = 0; i < this.count; i++) {
      const w = waiters[i];
      if (typeof w === 'function') w(err);
      else if (isRecordCallback(w)) w.onCompletion(err, this, i);
      else if (!w.done) {
        w.done = true;
        w.reject(err);
      }
    }
    this.notifyDone();
  }

  /** Resolves when the batch is completed or failed. */
  whenDone(): Promise<void> {
    if (this.finished) return Promise.resolve();
    return new Promise((resolve) => (this.doneListeners ??= []).push(resolve));
  }

  private notifyDone(): void {
    const ls = this.doneListeners;
    this.doneListeners = undefined;
    if (ls) for (const l of ls) l();
  }
}

export function recordTooLarge(size: number, max: number): KafkaError {
  return new KafkaError(
    'MESSAGE_TOO_LARGE',
    `the record is ${size} bytes when serialized, larger than max.request.size ${max}`,
  );
}
