/**
 * RecordAccumulator: per-partition queues of ProducerBatches, as in Kafka's Java
 * producer. A partition is ready to send when its first batch is full (or is followed
 * by another), has waited `linger.ms`, or a flush/close is in progress; a retried
 * batch waits `retry.backoff.ms` first. `drain` takes at most one batch per partition
 * for each ready broker, up to `max.request.size` per request.
 */
import { KafkaError, SystemTime, type Time } from '@kzoo/common';
import type { CompressionCodec } from '@kzoo/records';
import type { Cluster } from './Metadata';
import {
  ProducerBatch,
  type EncodedFields,
  type RecordSlots,
  type RecordWaiter,
} from './ProducerBatch';
import type { TransactionManager } from './TransactionManager';

export interface AccumulatorOptions {
  batchSize: number;
  lingerMs: number;
  retryBackoffMs: number;
  deliveryTimeoutMs: number;
  compression: CompressionCodec;
  /**
   * `buffer.memory`: finished batches' buffers of `batch.size` bytes are kept for new
   * batches (Kafka's BufferPool free list), at most this many bytes of them.
   */
  bufferMemory?: number;
  /** Idempotence: sequence numbers and the order of retries. */
  transactionManager?: TransactionManager;
  /** The clock read when `append` is given no time and creates a batch (default: system). */
  time?: Time;
}

export interface AppendResult {
  /** The batch written to is full (or a new one follows it): the sender should run. */
  readonly batchIsFull: boolean;
  readonly newBatchCreated: boolean;
  /** Nothing was appended: the sticky partitioner should pick a partition first. */
  readonly abortForNewBatch: boolean;
}

export interface ReadyCheckResult {
  readyNodes: Set<number>;
  /** Time until some partition may become ready; Infinity when nothing waits. */
  nextReadyCheckDelayMs: number;
  unknownLeaderTopics: Set<string>;
}

// The outcomes of append, allocated once (append runs per record).
const APPENDED: AppendResult = Object.freeze({
  batchIsFull: false,
  newBatchCreated: false,
  abortForNewBatch: false,
});
const APPENDED_FULL: AppendResult = Object.freeze({
  batchIsFull: true,
  newBatchCreated: false,
  abortForNewBatch: false,
});
const NEW_BATCH: AppendResult = Object.freeze({
  batchIsFull: false,
  newBatchCreated: true,
  abortForNewBatch: false,
});
const NEW_BATCH_FULL: AppendResult = Object.freeze({
  batchIsFull: true,
  newBatchCreated: true,
  abortForNewBatch: false,
});
const ABORTED_FOR_NEW_BATCH: AppendResult = Object.freeze({
  batchIsFull: false,
  newBatchCreated: false,
  abortForNewBatch: true,
});

/** Finished batches' per-record arrays kept for new batches (a response completes a few). */
const MAX_FREE_SLOTS = 256;

class PartitionQueue {
  readonly batches: ProducerBatch[] = [];
  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {}
}

export class RecordAccumulator {
  private readonly queues = new Map<string, Map<number, PartitionQueue>>();
  /** Every queue, in creation order; drain starts one further each time (fairness). */
  private readonly all: PartitionQueue[] = [];
  private drainIndex = 0;
  private readonly incomplete = new Set<ProducerBatch>();
  private flushesInProgress = 0;
  private closed = false;
  /** Bytes reserved by incomplete batches (checked against `buffer.memory`). */
  reservedBytes = 0;
  /** Buffers of `batch.size` bytes from finished batches, reused by new ones. */
  private readonly free: Buffer[] = [];
  /** Per-record arrays of finished batches, reused by new ones (at most MAX_FREE_SLOTS). */
  private readonly freeSlots: RecordSlots[] = [];

  constructor(private readonly opts: AccumulatorOptions) {}

  /** The last queue looked up (records of a send loop mostly go to the same one). */
  private lastQueue: PartitionQueue | undefined;

  private queue(topic: string, partition: number): PartitionQueue {
    const last = this.lastQueue;
    if (last !== undefined && last.partition === partition && last.topic === topic) return last;
    let byPartition = this.queues.get(topic);
    if (!byPartition) this.queues.set(topic, (byPartition = new Map()));
    let q = byPartition.get(partition);
    if (!q) {
      byPartition.set(partition, (q = new PartitionQueue(topic, partition)));
      this.all.push(q);
    }
    this.lastQueue = q;
    return q;
  }

  /**
   * Appends a record to the last open batch of its partition, or to a new batch.
   * With `abortOnNewBatch`, a record that would need a new batch is not appended (the
   * caller lets the sticky partitioner move on first, as Kafka's KafkaProducer does).
   */
  append(
    topic: string,
    partition: number,
    timestamp: number,
    fields: EncodedFields,
    recordSize: number,
    waiter: RecordWaiter,
    /** The record's index in its `send` call's results. */
    index: number,
    abortOnNewBatch: boolean,
    /** The time of the send; -1: read the clock if a batch is created. */
    nowMs: number,
  ): AppendResult {
    if (this.closed) throw new KafkaError('INVALID_REQUEST', 'producer is closed');
    const q = this.queue(topic, partition);
    const last = q.batches.length > 0 ? q.batches[q.batches.length - 1] : undefined;
    if (last && last.tryAppend(timestamp, fields, waiter, index))
      return q.batches.length > 1 || last.isFull() ? APPENDED_FULL : APPENDED;
    if (abortOnNewBatch) return ABORTED_FOR_NEW_BATCH;
    const batch = new ProducerBatch(
      topic,
      partition,
      this.opts.batchSize,
      nowMs < 0 ? (this.opts.time ?? SystemTime).milliseconds() : nowMs,
      recordSize,
      this.free.pop(),
      this.freeSlots.pop(),
    );
    batch.tryAppend(timestamp, fields, waiter, index);
    q.batches.push(batch);
    this.incomplete.add(batch);
    this.reservedBytes += batch.capacity;
    return q.batches.length > 1 || batch.isFull() ? NEW_BATCH_FULL : NEW_BATCH;
  }

  /** Which brokers have a partition ready to send; see the file comment. */
  ready(cluster: Cluster, nowMs: number): ReadyCheckResult {
    const readyNodes = new Set<number>();
    const unknownLeaderTopics = new Set<string>();
    let next = Infinity;
    const flushing = this.flushesInProgress > 0 || this.closed;
    for (const byPartition of this.queues.values()) {
      for (const q of byPartition.values()) {
        const batch = q.batches[0];
        if (!batch) continue;
        const leader = cluster.leaderFor(q.topic, q.partition);
        if (leader < 0) {
          unknownLeaderTopics.add(q.topic);
          continue;
        }
        if (readyNodes.has(leader)) continue;
        // Idempotence: a retry waits until it is the lowest unresolved sequence (a
        // response wakes the sender).
        if (this.opts.transactionManager && !this.opts.transactionManager.canSend(batch)) continue;
        const backingOff =
          batch.attempts > 0 && nowMs - batch.lastAttemptMs < this.opts.retryBackoffMs;
        const waited = nowMs - batch.lastAttemptMs;
        const timeToWait = batch.attempts > 0 ? this.opts.retryBackoffMs : this.opts.lingerMs;
        const full = q.batches.length > 1 || batch.isFull();
        const expired = waited >= timeToWait;
        const sendable = full || expired || flushing;
        if (sendable && !backingOff) readyNodes.add(leader);
        else next = Math.min(next, Math.max(0, timeToWait - waited));
      }
    }
    return { readyNodes, nextReadyCheckDelayMs: next, unknownLeaderTopics };
  }

  /**
   * Takes, for each ready node, the first batch of each partition it leads (not backing
   * off), closing them, until a request would exceed `maxSize` bytes.
   */
  drain(
    cluster: Cluster,
    nodes: Iterable<number>,
    maxSize: number,
    nowMs: number,
  ): Map<number, ProducerBatch[]> {
    const wanted = new Set(nodes);
    const out = new Map<number, ProducerBatch[]>();
    const sizes = new Map<number, number>();
    const all = this.all;
    const n = all.length;
    const start = n > 0 ? this.drainIndex % n : 0;
    this.drainIndex = start + 1;
    for (let k = 0; k < n; k++) {
      const q = all[(start + k) % n];
      const batch = q.batches[0];
      if (!batch) continue;
      const leader = cluster.leaderFor(q.topic, q.partition);
      if (!wanted.has(leader)) continue;
      if (batch.attempts > 0 && nowMs - batch.lastAttemptMs < this.opts.retryBackoffMs) continue;
      const tm = this.opts.transactionManager;
      if (tm && !tm.canSend(batch)) continue;
      const size = sizes.get(leader) ?? 0;
      const list = out.get(leader);
      if (list && size + batch.sizeInBytes > maxSize) continue;
      q.batches.shift();
      if (tm) tm.onDrain(batch);
      batch.close(this.opts.compression);
      batch.attempts++;
      batch.lastAttemptMs = nowMs;
      if (list) list.push(batch);
      else out.set(leader, [batch]);
      sizes.set(leader, size + batch.sizeInBytes);
    }
    return out;
  }

  /**
   * Puts a batch back at the head of its partition's queue for a retry; with
   * idempotence, among the other retried batches in sequence order.
   */
  reenqueue(batch: ProducerBatch, nowMs: number): void {
    batch.lastAttemptMs = nowMs;
    const list = this.queue(batch.topic, batch.partition).batches;
    const tm = this.opts.transactionManager;
    const key = tm ? tm.sequenceOrderKey(batch) : -1;
    if (key < 0) {
      list.unshift(batch);
      return;
    }
    let i = 0;
    while (i < list.length) {
      const k = tm!.sequenceOrderKey(list[i]);
      if (k < 0 || k > key) break;
      i++;
    }
    list.splice(i, 0, batch);
  }

  /** Batches waiting in the accumulator longer than `delivery.timeout.ms`, removed. */
  expiredBatches(nowMs: number): ProducerBatch[] {
    const out: ProducerBatch[] = [];
    for (const byPartition of this.queues.values()) {
      for (const q of byPartition.values()) {
        while (
          q.batches.length > 0 &&
          nowMs - q.batches[0].createdMs >= this.opts.deliveryTimeoutMs
        ) {
          out.push(q.batches.shift()!);
        }
      }
    }
    return out;
  }

  /** Called by the sender once a batch is completed or failed. */
  deallocate(batch: ProducerBatch): void {
    if (!this.incomplete.delete(batch)) return;
    this.reservedBytes -= batch.capacity;
    const slots = batch.releaseSlots();
    if (slots !== undefined && this.freeSlots.length < MAX_FREE_SLOTS) this.freeSlots.push(slots);
    const buf = batch.releaseBuffer();
    const size = this.opts.batchSize;
    if (
      buf !== undefined &&
      buf.length === size &&
      (this.free.length + 1) * size + this.reservedBytes <= (this.opts.bufferMemory ?? 0)
    )
      this.free.push(buf);
  }

  hasUndrained(): boolean {
    for (const byPartition of this.queues.values())
      for (const q of byPartition.values()) if (q.batches.length > 0) return true;
    return false;
  }

  hasIncomplete(): boolean {
    return this.incomplete.size > 0;
  }

  beginFlush(): void {
    this.flushesInProgress++;
  }

  /** Waits for every batch incomplete at the call, then ends the flush. */
  async awaitFlushCompletion(): Promise<void> {
    try {
      await Promise.all([...this.incomplete].map((b) => b.whenDone()));
    } finally {
      this.flushesInProgress--;
    }
  }

  close(): void {
    this.closed = true;
  }

  /** Fails every batch not yet completed (forced close). */
  /** Fails the batches not yet drained (a transaction being aborted); in-flight ones complete. */
  abortUndrained(err: Error): void {
    for (const byPartition of this.queues.values())
      for (const q of byPartition.values()) {
        for (const b of q.batches.splice(0)) {
          b.fail(err);
          this.deallocate(b);
        }
      }
  }

  abortIncomplete(err: Error): void {
    for (const byPartition of this.queues.values())
      for (const q of byPartition.values()) q.batches.length = 0;
    for (const b of [...this.incomplete]) {
      b.fail(err);
      this.deallocate(b);
    }
  }
}
