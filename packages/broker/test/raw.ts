/**
 * Raw native-protocol requests for the broker's integration tests, one copy for every
 * test file: `produce` and `fetch` (the whole response, or one partition's), the
 * records of a fetched partition, a partition's state znode, random topic names.
 * Requests name their API as `ApiKeys.X`; tests compare error codes with `ErrorCode.X`.
 */
import { randomBytes } from 'node:crypto';
import { ErrorCode, KafkaError } from '@kzoo/common';
import {
  ApiKeys,
  type Connection,
  type FetchResponse,
  type FetchResponsePartition,
  type ProduceResponse,
  type ProduceResponsePartition,
} from '@kzoo/protocol';
import { iterateBatches, records as readRecords } from '@kzoo/records';
import type { KafkaZk, LeaderIsrAndControllerEpoch } from '@kzoo/zk';

/** A topic name no other test uses: `<prefix>-<8 random hex>`. */
export function randomTopic(prefix = 't'): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export interface ProduceOptions {
  /** 1 (default), 0 or -1 (all). */
  acks?: number;
  /** The request's timeoutMs (how long acks=-1 may wait), default 5000. */
  timeoutMs?: number;
}

/** Produce of one batch to one partition; the whole response. */
export function produce(
  conn: Connection,
  topic: string,
  partition: number,
  records: Buffer,
  opts: ProduceOptions = {},
): Promise<ProduceResponse> {
  return conn.request(ApiKeys.Produce, 0, {
    transactionalId: null,
    acks: opts.acks ?? 1,
    timeoutMs: opts.timeoutMs ?? 5000,
    topics: [{ name: topic, partitions: [{ index: partition, records }] }],
  });
}

/** Produce of one batch to one partition; that partition's answer. */
export async function producePartition(
  conn: Connection,
  topic: string,
  partition: number,
  records: Buffer,
  opts: ProduceOptions = {},
): Promise<ProduceResponsePartition> {
  return (await produce(conn, topic, partition, records, opts)).topics[0].partitions[0];
}

export interface FetchOptions {
  maxWaitMs?: number;
  /** Default 0: answer at once, even empty. */
  minBytes?: number;
  /** Of the whole response; default 50 MiB. */
  maxBytes?: number;
  /** The request's own timeout on the connection (default maxWaitMs + 30 s). */
  requestTimeoutMs?: number;
}

/** A consumer Fetch (replicaId -1) of some partitions of one topic; the whole response. */
export function fetch(
  conn: Connection,
  topic: string,
  parts: ReadonlyArray<{ partition: number; offset: number; maxBytes?: number }>,
  opts: FetchOptions = {},
): Promise<FetchResponse> {
  return conn.request(
    ApiKeys.Fetch,
    0,
    {
      replicaId: -1,
      maxWaitMs: opts.maxWaitMs ?? 0,
      minBytes: opts.minBytes ?? 0,
      maxBytes: opts.maxBytes ?? 50 << 20,
      isolationLevel: 0,
      topics: [
        {
          topic,
          partitions: parts.map((p) => ({
            partition: p.partition,
            currentLeaderEpoch: -1,
            fetchOffset: p.offset,
            logStartOffset: -1,
            partitionMaxBytes: p.maxBytes ?? 10 << 20,
          })),
        },
      ],
    },
    { timeoutMs: opts.requestTimeoutMs ?? (opts.maxWaitMs ?? 0) + 30000 },
  );
}

/** A consumer Fetch of one partition from `offset`; that partition's answer. */
export async function fetchPartition(
  conn: Connection,
  topic: string,
  partition: number,
  offset = 0,
  opts: FetchOptions = {},
): Promise<FetchResponsePartition> {
  return (await fetch(conn, topic, [{ partition, offset }], opts)).responses[0].partitions[0];
}

/** The values of a partition from `offset` (one Fetch, minBytes 0); throws on a partition error. */
export async function fetchValues(
  conn: Connection,
  topic: string,
  partition: number,
  offset = 0,
): Promise<string[]> {
  const p = await fetchPartition(conn, topic, partition, offset);
  if (p.errorCode !== ErrorCode.NONE)
    throw new KafkaError(p.errorCode, `fetch of ${topic}-${partition} from ${offset}`);
  return valuesIn(p.records);
}

/** Every record in fetched record-batch bytes: offset, key and value as strings. */
export function recordsIn(
  buf: Buffer,
): Array<{ offset: number; key: string | null; value: string | null }> {
  return [...iterateBatches(buf)].flatMap((b) =>
    [...readRecords(buf, b.position)].map((r) => ({
      offset: r.offset,
      key: r.key === null ? null : r.key.toString(),
      value: r.value === null ? null : r.value.toString(),
    })),
  );
}

/** The values of every record in fetched record-batch bytes. */
export function valuesIn(buf: Buffer): string[] {
  return recordsIn(buf).map((r) => r.value ?? '');
}

/** A partition's state znode (`.../partitions/<p>/state`) without its zkVersion; throws when missing. */
export async function partitionState(
  zk: KafkaZk,
  topic: string,
  partition: number,
): Promise<LeaderIsrAndControllerEpoch> {
  const s = (await zk.getTopicPartitionStates([{ topic, partition }])).get(`${topic}-${partition}`);
  if (!s) throw new Error(`${topic}-${partition} has no partition state`);
  const { zkVersion: _zkVersion, ...state } = s;
  return state;
}
