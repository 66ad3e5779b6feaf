/**
 * The "consumer" protocol type's bytes, in Kafka's own ConsumerProtocol format (the
 * bytes every Kafka client puts in JoinGroup metadata and SyncGroup assignments, so
 * kzoo's consumers share groups with kafkajs, librdkafka or Java consumers):
 *
 *   ConsumerProtocolSubscription  int16 version (kzoo writes 2)
 *     v0+ topics: [string]   userData: nullable bytes
 *     v1+ ownedPartitions: [topic: string, partitions: [int32]]   (KIP-429)
 *     v2+ generationId: int32 (-1: none)                          (KIP-792)
 *     v3+ rackId: nullable string                                 (KIP-881; read, not used)
 *   ConsumerProtocolAssignment    int16 version (kzoo writes 0)
 *     v0+ assignedPartitions: [topic: string, partitions: [int32]]   userData: nullable bytes
 *
 * As Kafka's, a version newer than ours is read as far as we know it (later versions
 * only append fields); malformed input is refused with a typed error.
 */
import { KafkaError, type TopicPartition, getInt16 } from '@kzoo/common';
import { KafkaReader, KafkaWriter } from '@kzoo/protocol';

export const CONSUMER_PROTOCOL_TYPE = 'consumer';

export interface Subscription {
  topics: string[];
  userData: Buffer | null;
  /** Partitions the member owned in its last generation (KIP-429). */
  ownedPartitions: TopicPartition[];
  /** The member's last generation, -1 if none. */
  generationId: number;
  /** Filled in by the leader from the JoinGroup member list; not encoded. */
  groupInstanceId?: string | null;
}

export interface Assignment {
  partitions: TopicPartition[];
  userData: Buffer | null;
}

interface TopicPartitions {
  topic: string;
  partitions: number[];
}

/** Groups partitions by topic, topics and partitions sorted. */
export function groupByTopic(tps: readonly TopicPartition[]): TopicPartitions[] {
  const m = new Map<string, number[]>();
  for (const tp of tps) {
    let list = m.get(tp.topic);
    if (!list) m.set(tp.topic, (list = []));
    list.push(tp.partition);
  }
  return [...m.keys()]
    .sort()
    .map((topic) => ({ topic, partitions: m.get(topic)!.sort((a, b) => a - b) }));
}

function bad(what: string, detail: string): KafkaError {
  return new KafkaError('INVALID_REQUEST', `malformed consumer protocol ${what}: ${detail}`);
}

const SUBSCRIPTION_VERSION = 2;
const ASSIGNMENT_VERSION = 0;

function sizeOfTopicPartitions(tps: TopicPartitions[]): number {
  let n = 4;
  for (const t of tps) n += 2 + Buffer.byteLength(t.topic) + 4 + 4 * t.partitions.length;
  return n;
}

function writeTopicPartitions(w: KafkaWriter, tps: TopicPartitions[]): void {
  w.arrayLength(tps.length, false);
  for (const t of tps) {
    w.string(t.topic, false);
    w.arrayLength(t.partitions.length, false);
    for (const p of t.partitions) w.int32(p);
  }
}

function readTopicPartitions(what: string, r: KafkaReader): TopicPartition[] {
  const out: TopicPartition[] = [];
  const n = r.arrayLength(false, false);
  for (let i = 0; i < n; i++) {
    const topic = r.string(false);
    const m = r.arrayLength(false, false);
    for (let j = 0; j < m; j++) {
      const partition = r.int32();
      if (partition < 0) throw bad(what, `bad partition ${partition} of ${topic}`);
      out.push({ topic, partition });
    }
  }
  return out;
}

/** Runs a decoder, turning short or malformed input into the typed error. */
function decoding<T>(what: string, buf: Buffer, read: (r: KafkaReader) => T): T {
  if (!Buffer.isBuffer(buf) || buf.length === 0) throw bad(what, 'no bytes');
  const r = new KafkaReader(buf);
  try {
    const version = r.int16();
    if (version < 0) throw bad(what, `bad version ${version}`);
    return read(r);
  } catch (e) {
    if (e instanceof KafkaError) throw e;
    throw bad(what, (e as Error).message);
  }
}

export function encodeSubscription(s: Subscription): Buffer {
  const topics = [...s.topics].sort();
  const owned = groupByTopic(s.ownedPartitions);
  let size = 2 + 4 + 4 + (s.userData?.length ?? 0) + sizeOfTopicPartitions(owned) + 4;
  for (const t of topics) size += 2 + Buffer.byteLength(t);
  const w = new KafkaWriter(Buffer.allocUnsafe(size));
  w.int16(SUBSCRIPTION_VERSION);
  w.arrayLength(topics.length, false);
  for (const t of topics) w.string(t, false);
  w.bytes(s.userData, false);
  writeTopicPartitions(w, owned);
  w.int32(s.generationId);
  return w.buf;
}

export function decodeSubscription(buf: Buffer): Subscription {
  return decoding('subscription', buf, (r) => {
    const version = getInt16(buf, 0);
    const topics: string[] = [];
    const n = r.arrayLength(false, false);
    for (let i = 0; i < n; i++) topics.push(r.string(false));
    const userData = r.nullableBytes(false);
    const ownedPartitions = version >= 1 ? readTopicPartitions('subscription', r) : [];
    const generationId = version >= 2 ? r.int32() : -1;
    return {
      topics,
      userData: userData && Buffer.from(userData),
      ownedPartitions,
      generationId,
    };
  });
}

export function encodeAssignment(a: Assignment): Buffer {
  const assigned = groupByTopic(a.partitions);
  const size = 2 + sizeOfTopicPartitions(assigned) + 4 + (a.userData?.length ?? 0);
  const w = new KafkaWriter(Buffer.allocUnsafe(size));
  w.int16(ASSIGNMENT_VERSION);
  writeTopicPartitions(w, assigned);
  w.bytes(a.userData, false);
  return w.buf;
}

/** An empty buffer (what the coordinator gives a member the leader left out) is no partitions. */
export function decodeAssignment(buf: Buffer): Assignment {
  if (buf.length === 0) return { partitions: [], userData: null };
  return decoding('assignment', buf, (r) => {
    const partitions = readTopicPartitions('assignment', r);
    const userData = r.remaining > 0 ? r.nullableBytes(false) : null;
    return { partitions, userData: userData && Buffer.from(userData) };
  });
}
