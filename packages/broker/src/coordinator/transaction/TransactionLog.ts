/**
 * Records of the `__transaction_state` log (Kafka's TransactionLog), keyed by
 * transactional id so that compaction keeps each id's latest state. Big-endian:
 *   key   int16 version (0) | string transactionalId
 *   value int16 version (0) | int64 producerId | int16 producerEpoch |
 *         int32 transactionTimeoutMs | int8 transactionStatus (TransactionStateIds) |
 *         int32 n × { string topic | int32 m × int32 partition } |
 *         int64 transactionLastUpdateTimestampMs | int64 transactionStartTimestampMs |
 *         kzoo: int32 g × { string groupId | int32 k × { string topic | int32 partition | int64 offset } }
 * (strings: int16 length + UTF-8). The trailing kzoo section holds the offsets a
 * transaction commits for consumer groups (Kafka keeps them in __consumer_offsets; kzoo
 * keeps committed offsets in ZooKeeper, so they wait here until the commit).
 * A tombstone (null value) removes the id.
 */
import {
  KafkaError,
  type TopicPartition,
  getInt16,
  getInt32,
  getInt8,
  setInt16,
  setInt32,
  setInt8,
} from '@kzoo/common';
import { readInt64, writeInt64 } from '@kzoo/records';
import {
  transactionStateOf,
  TransactionStateIds,
  type PendingOffset,
  type TxnTransitMetadata,
} from './TransactionMetadata';

const KEY_VERSION = 0;
const VALUE_VERSION = 0;

class Writer {
  private parts: Buffer[] = [];
  int8(n: number): this {
    const b = Buffer.alloc(1);
    setInt8(b, 0, n);
    this.parts.push(b);
    return this;
  }
  int16(n: number): this {
    const b = Buffer.alloc(2);
    setInt16(b, 0, n);
    this.parts.push(b);
    return this;
  }
  int32(n: number): this {
    const b = Buffer.alloc(4);
    setInt32(b, 0, n);
    this.parts.push(b);
    return this;
  }
  int64(n: number): this {
    const b = Buffer.alloc(8);
    writeInt64(b, 0, n);
    this.parts.push(b);
    return this;
  }
  string(s: string): this {
    const b = Buffer.from(s, 'utf8');
    this.int16(b.length);
    this.parts.push(b);
    return this;
  }
  done(): Buffer {
    return Buffer.concat(this.parts);
  }
}

class Reader {
  pos = 0;
  constructor(private readonly buf: Buffer) {}
  private need(n: number): void {
    if (this.pos + n > this.buf.length)
      throw new KafkaError('CORRUPT_MESSAGE', 'transaction log record is truncated');
  }
  int8(): number {
    this.need(1);
    return getInt8(this.buf, this.pos++);
  }
  int16(): number {
    this.need(2);
    const v = getInt16(this.buf, this.pos);
    this.pos += 2;
    return v;
  }
  int32(): number {
    this.need(4);
    const v = getInt32(this.buf, this.pos);
    this.pos += 4;
    return v;
  }
  int64(): number {
    this.need(8);
    const v = readInt64(this.buf, this.pos);
    this.pos += 8;
    return v;
  }
  string(): string {
    const n = this.int16();
    this.need(n);
    const s = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }
  get remaining(): number {
    return this.buf.length - this.pos;
  }
}

export function encodeTxnKey(transactionalId: string): Buffer {
  return new Writer().int16(KEY_VERSION).string(transactionalId).done();
}

export function decodeTxnKey(buf: Buffer): string {
  const r = new Reader(buf);
  const v = r.int16();
  if (v !== KEY_VERSION)
    throw new KafkaError('CORRUPT_MESSAGE', `transaction log key version ${v}`);
  return r.string();
}

export function encodeTxnValue(m: TxnTransitMetadata): Buffer {
  const w = new Writer()
    .int16(VALUE_VERSION)
    .int64(m.producerId)
    .int16(m.producerEpoch)
    .int32(m.txnTimeoutMs)
    .int8(TransactionStateIds[m.state]);
  const byTopic = new Map<string, number[]>();
  for (const p of m.partitions) {
    const l = byTopic.get(p.topic) ?? [];
    l.push(p.partition);
    byTopic.set(p.topic, l);
  }
  w.int32(byTopic.size);
  for (const [topic, parts] of byTopic) {
    w.string(topic).int32(parts.length);
    for (const p of parts) w.int32(p);
  }
  w.int64(m.txnLastUpdateTimestamp).int64(m.txnStartTimestamp);
  w.int32(m.pendingOffsets.length);
  for (const g of m.pendingOffsets) {
    w.string(g.groupId).int32(g.offsets.length);
    for (const o of g.offsets) w.string(o.topic).int32(o.partition).int64(o.offset);
  }
  return w.done();
}

export function decodeTxnValue(transactionalId: string, buf: Buffer): TxnTransitMetadata {
  const r = new Reader(buf);
  const v = r.int16();
  if (v !== VALUE_VERSION)
    throw new KafkaError('CORRUPT_MESSAGE', `transaction log value version ${v}`);
  const producerId = r.int64();
  const producerEpoch = r.int16();
  const txnTimeoutMs = r.int32();
  const state = transactionStateOf(r.int8());
  const partitions: TopicPartition[] = [];
  const n = r.int32();
  for (let i = 0; i < n; i++) {
    const topic = r.string();
    const m = r.int32();
    for (let j = 0; j < m; j++) partitions.push({ topic, partition: r.int32() });
  }
  const txnLastUpdateTimestamp = r.int64();
  const txnStartTimestamp = r.int64();
  const pendingOffsets: TxnTransitMetadata['pendingOffsets'] = [];
  if (r.remaining > 0) {
    const g = r.int32();
    for (let i = 0; i < g; i++) {
      const groupId = r.string();
      const k = r.int32();
      const offsets: PendingOffset[] = [];
      for (let j = 0; j < k; j++)
        offsets.push({ topic: r.string(), partition: r.int32(), offset: r.int64() });
      pendingOffsets.push({ groupId, offsets });
    }
  }
  return {
    transactionalId,
    producerId,
    producerEpoch,
    txnTimeoutMs,
    state,
    partitions,
    txnStartTimestamp,
    txnLastUpdateTimestamp,
    pendingOffsets,
  };
}
