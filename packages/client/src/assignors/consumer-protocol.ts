/**
 * The "consumer" protocol type's opaque bytes, as Kafka's ConsumerProtocol carries them
 * in JoinGroup metadata and SyncGroup assignments, encoded with msgpackr through
 * @kzoo/protocol's codec:
 *
 *   Subscription: { version: 0, topics: string[], userData: bin | nil,
 *                   ownedPartitions: [{ topic, partitions: int[] }], generationId: int }
 *   Assignment:   { version: 0, assignedPartitions: [{ topic, partitions: int[] }],
 *                   userData: bin | nil }
 *
 * (Kafka's v1 subscription added ownedPartitions, v2 generationId; kzoo has them from v0.)
 * Decoders accept unknown extra fields (newer versions) and reject malformed input with
 * a typed error.
 */
import { KafkaError } from '@kzoo/common';
import { decodeBody, encodeBody } from '@kzoo/protocol';
import type { TopicPartition } from '../fetcher';

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

function obj(what: string, buf: Buffer): Record<string, unknown> {
  if (!Buffer.isBuffer(buf) || buf.length === 0) throw bad(what, 'no bytes');
  let v: unknown;
  try {
    v = decodeBody(buf);
  } catch (e) {
    throw bad(what, (e as Error).message);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad(what, 'not a map');
  const o = v as Record<string, unknown>;
  if (typeof o.version !== 'number' || !Number.isInteger(o.version) || o.version < 0) {
    throw bad(what, `bad version ${JSON.stringify(o.version)}`);
  }
  return o;
}

function topicPartitions(what: string, v: unknown): TopicPartition[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw bad(what, 'partitions are not a list');
  const out: TopicPartition[] = [];
  for (const e of v) {
    const t = e as { topic?: unknown; partitions?: unknown };
    if (typeof t?.topic !== 'string' || !Array.isArray(t.partitions)) {
      throw bad(what, `bad topic entry ${JSON.stringify(e)}`);
    }
    for (const p of t.partitions) {
      if (!Number.isInteger(p) || (p as number) < 0) throw bad(what, `bad partition ${p}`);
      out.push({ topic: t.topic, partition: p as number });
    }
  }
  return out;
}

function userData(what: string, v: unknown): Buffer | null {
  if (v === undefined || v === null) return null;
  if (!(v instanceof Uint8Array)) throw bad(what, 'userData is not bytes');
  return Buffer.from(v);
}

export function encodeSubscription(s: Subscription): Buffer {
  return Buffer.from(
    encodeBody({
      version: 0,
      topics: [...s.topics].sort(),
      userData: s.userData,
      ownedPartitions: groupByTopic(s.ownedPartitions),
      generationId: s.generationId,
    }),
  );
}

export function decodeSubscription(buf: Buffer): Subscription {
  const o = obj('subscription', buf);
  if (!Array.isArray(o.topics) || !o.topics.every((t) => typeof t === 'string')) {
    throw bad('subscription', 'topics are not a list of strings');
  }
  const gen = o.generationId ?? -1;
  if (!Number.isInteger(gen)) throw bad('subscription', `bad generationId ${gen}`);
  return {
    topics: o.topics as string[],
    userData: userData('subscription', o.userData),
    ownedPartitions: topicPartitions('subscription', o.ownedPartitions),
    generationId: gen as number,
  };
}

export function encodeAssignment(a: Assignment): Buffer {
  return Buffer.from(
    encodeBody({
      version: 0,
      assignedPartitions: groupByTopic(a.partitions),
      userData: a.userData,
    }),
  );
}

/** An empty buffer (what the coordinator gives a member the leader left out) is no partitions. */
export function decodeAssignment(buf: Buffer): Assignment {
  if (buf.length === 0) return { partitions: [], userData: null };
  const o = obj('assignment', buf);
  return {
    partitions: topicPartitions('assignment', o.assignedPartitions),
    userData: userData('assignment', o.userData),
  };
}
