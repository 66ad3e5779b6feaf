/**
 * BatchRecords: the records of one RecordBatch v2 decoded straight into ConsumerRecords,
 * one `next()` at a time. It reads the bytes exactly as @kzoo/records' `records()`
 * iterator does (the unit tests compare the two on the same batches), without the
 * generator's result object and the intermediate record per record: the consumer's
 * per-record cost is most of what `kzoo perf consume` measures (Kafka's
 * CompletedFetch.nextFetchedRecord likewise builds the ConsumerRecord from the batch).
 */
import { KafkaError } from '@kzoo/common';
import {
  RECORD_BATCH_OVERHEAD,
  VarintReader,
  decompress,
  readBatchHeader,
  type RecordHeader,
} from '@kzoo/records';

/** A record as the consumer returns it. */
export interface ConsumerRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

export class BatchRecords {
  private readonly r: VarintReader;
  private readonly payload: Buffer;
  private readonly count: number;
  private readonly baseOffset: number;
  private readonly baseTimestamp: number;
  /** The batch's LogAppendTime, or -1 for CreateTime. */
  private readonly logAppendTime: number;
  private i = 0;

  /** `batch` holds one whole batch from its first byte. */
  constructor(
    batch: Buffer,
    private readonly topic: string,
    private readonly partition: number,
  ) {
    const h = readBatchHeader(batch, 0);
    if (h.sizeInBytes > batch.length) throw new KafkaError('CORRUPT_MESSAGE', 'truncated batch');
    let payload = batch.subarray(RECORD_BATCH_OVERHEAD, h.sizeInBytes);
    if (h.compression !== 0) payload = decompress(h.compression, payload);
    this.payload = payload;
    this.r = new VarintReader(payload, 0);
    this.count = h.recordCount;
    this.baseOffset = h.baseOffset;
    this.baseTimestamp = h.baseTimestamp;
    this.logAppendTime = h.timestampType === 'LogAppendTime' ? h.maxTimestamp : -1;
  }

  /** The next record, or undefined after the last (then the batch must be used up). */
  next(): ConsumerRecord | undefined {
    const r = this.r;
    if (this.i >= this.count) {
      if (r.pos !== this.payload.length)
        throw new KafkaError(
          'CORRUPT_MESSAGE',
          `${this.payload.length - r.pos} bytes left after the ${this.count} declared records`,
        );
      return undefined;
    }
    const i = this.i++;
    const length = r.varint();
    const start = r.pos;
    const end = start + length;
    if (length < 0 || end > this.payload.length)
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
    return {
      topic: this.topic,
      partition: this.partition,
      offset: this.baseOffset + offsetDelta,
      timestamp: this.logAppendTime >= 0 ? this.logAppendTime : this.baseTimestamp + timestampDelta,
      key,
      value,
      headers,
    };
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
