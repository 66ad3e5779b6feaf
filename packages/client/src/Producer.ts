/**
 * Producer: `send(topic, records)` resolves with each record's {topic, partition,
 * offset, timestamp}. Records are partitioned (DefaultPartitioner), appended to
 * per-partition batches (RecordAccumulator) and sent by the Sender, as in Kafka's
 * KafkaProducer. Idempotence and transactions are not there yet.
 */
import {
  ErrorCode,
  KafkaError,
  SystemTime,
  createLogger,
  type Logger,
  type ScheduledTask,
  type Time,
} from '@kzoo/common';
import { compressionCodec } from '@kzoo/records';
import { RecordAccumulator } from './RecordAccumulator';
import { acksValue, parseProducerConfig, type ConfigInput, type ProducerConfig } from './config';
import { metadataOver, type Cluster, type Metadata, type TopicInfo } from './Metadata';
import { networkClientFor, type NetworkClient } from './NetworkClient';
import { DefaultPartitioner } from './partitioner';
import {
  maxRecordSize,
  recordTooLarge,
  type EncodedFields,
  type HeaderInput,
  type RecordCallback,
  type RecordMetadata,
  type RecordWaiter,
  type SendCall,
  type SendCallback,
} from './ProducerBatch';
import { Sender } from './Sender';
import { TransactionManager } from './TransactionManager';
import { FATAL_TXN_ERRORS, TransactionalRequests } from './transactions';

/** The transactional producer's states (Kafka's TransactionManager.State). */
export type TransactionState =
  | 'UNINITIALIZED'
  | 'INITIALIZING'
  | 'READY'
  | 'IN_TRANSACTION'
  | 'COMMITTING'
  | 'ABORTING'
  | 'FATAL_ERROR';

/** The first non-zero error code, ignoring OPERATION_NOT_ATTEMPTED when another is there. */
function firstError(codes: number[]): number {
  const real = codes.find((c) => c !== 0 && c !== ErrorCode.OPERATION_NOT_ATTEMPTED);
  return real ?? codes.find((c) => c !== 0) ?? 0;
}
import { ApiKeys, type ControlFn } from '@kzoo/protocol';

export type { CompletedBatch, RecordCallback, RecordMetadata, SendCallback } from './ProducerBatch';

export interface ProducerRecord {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  /** Explicit partition; else the partitioner chooses. */
  partition?: number;
  /** CreateTime; defaults to now. */
  timestamp?: number;
  headers?: HeaderInput[] | Record<string, Buffer | string | null>;
}

interface Prepared extends EncodedFields {
  /** Upper bound of the record's bytes in a batch. */
  size: number;
}

/** A SendCall of several records that reports to a callback (no promise, no closures per call). */
class CallbackSendCall implements SendCall {
  results: RecordMetadata[] | null = null;
  pending = 0;
  done = false;
  constructor(private readonly callback: SendCallback) {}
  resolve(results: RecordMetadata[]): void {
    this.callback(null, results);
  }
  reject(err: Error): void {
    this.callback(err);
  }
}

export interface ClientOptions {
  time?: Time;
  logger?: Logger;
  /** Random source of the sticky partitioner (tests). */
  random?: () => number;
  /**
   * Custom partitioner (Kafka's `partitioner.class`): returns the partition of a record
   * without an explicit one. `key` is the key's bytes (null when none).
   */
  partitioner?: CustomPartitioner;
}

export type CustomPartitioner = (
  topic: string,
  key: Buffer | null,
  value: Buffer | string | null,
  numPartitions: number,
) => number;

function rejectWaiter(w: RecordWaiter, e: Error): void {
  if (typeof w === 'function') w(e);
  else if (isRecordCallback(w)) w.onCompletion(e, null, -1);
  else w.reject(e);
}

function isRecordCallback(w: SendCall | RecordCallback): w is RecordCallback {
  return (w as RecordCallback).onCompletion !== undefined;
}

function encodeHeaders(h: ProducerRecord['headers']): EncodedFields['headers'] {
  if (h === undefined || h === null) return null;
  const list: HeaderInput[] = Array.isArray(h)
    ? h
    : Object.entries(h).map(([key, value]) => ({ key, value }));
  if (list.length === 0) return null;
  return list.map((x) => {
    if (typeof x.key !== 'string')
      throw new KafkaError('INVALID_RECORD', 'header keys must be strings');
    const value = x.value ?? null;
    return {
      key: x.key,
      keyLength: Buffer.byteLength(x.key, 'utf8'),
      value,
      valueLength:
        value === null ? 0 : typeof value === 'string' ? Buffer.byteLength(value) : value.length,
    };
  });
}

function toKey(k: Buffer | string | null | undefined): Buffer | null {
  if (k === null || k === undefined) return null;
  if (typeof k === 'string') return Buffer.from(k, 'utf8');
  if (Buffer.isBuffer(k)) return k;
  throw new KafkaError('INVALID_RECORD', 'record key must be a Buffer, a string or null');
}

export class Producer {
  readonly config: ProducerConfig;
  private readonly time: Time;
  private readonly log: Logger;
  private readonly network: NetworkClient;
  private readonly metadata: Metadata;
  private readonly accumulator: RecordAccumulator;
  private readonly sender: Sender;
  private readonly partitioner: DefaultPartitioner;
  private readonly customPartitioner: CustomPartitioner | undefined;
  /** Present when enable.idempotence is on. */
  readonly transactionManager: TransactionManager | undefined;
  /** Present with transactional.id. */
  private readonly txn: TransactionalRequests | undefined;
  private txnState: TransactionState = 'UNINITIALIZED';
  private fatalTxnError: Error | null = null;
  /** The ongoing transaction's first failure (it can then only be aborted). */
  private abortableTxnError: Error | null = null;
  /** Partitions written to in this transaction, not yet sent in AddPartitionsToTxn. */
  private readonly partitionsToAdd = new Map<string, { topic: string; partition: number }>();
  private addPartitionsLoop: Promise<void> | null = null;
  /** The transaction added partitions or offsets (EndTxn is needed). */
  private txnHasContent = false;
  private readonly bufferWaiters: Array<() => void> = [];
  /** Sends still waiting for metadata or buffer space (flush waits for them too). */
  private readonly blockedSends = new Set<Promise<unknown>>();
  /** The last send that waited (see sendWith), until it appended or failed. */
  private lastBlockedSend: Promise<void> | undefined;
  private closed = false;

  constructor(config: ConfigInput, opts: ClientOptions = {}) {
    this.config = parseProducerConfig(config, opts.logger ?? createLogger('producer'));
    const c = this.config;
    this.time = opts.time ?? SystemTime;
    this.log = (opts.logger ?? createLogger('producer')).child({ clientId: c['client.id'] });
    this.network = networkClientFor(c, this.log, {
      time: this.time,
      // As Kafka's NetworkClient: any disconnect asks for fresh metadata (an acks=0
      // producer learns of a leader change only from the broker closing the connection).
      onDisconnect: () => {
        this.metadata.requestUpdate();
        this.sender.wakeup();
      },
    });
    this.metadata = metadataOver(this.network, {
      retryBackoffMs: c['retry.backoff.ms'],
      metadataMaxAgeMs: c['metadata.max.age.ms'],
      allowAutoTopicCreation: true,
      time: this.time,
    });
    this.transactionManager = c['enable.idempotence']
      ? new TransactionManager(c['transactional.id'])
      : undefined;
    if (c['transactional.id'] !== null)
      this.txn = new TransactionalRequests(
        this.network,
        c['transactional.id'],
        { retryBackoffMs: c['retry.backoff.ms'], maxBlockMs: c['max.block.ms'] },
        this.time,
        this.log,
      );
    this.accumulator = new RecordAccumulator({
      transactionManager: this.transactionManager,
      batchSize: c['batch.size'],
      lingerMs: c['linger.ms'],
      retryBackoffMs: c['retry.backoff.ms'],
      deliveryTimeoutMs: c['delivery.timeout.ms'],
      compression: compressionCodec(c['compression.type']),
      bufferMemory: c['buffer.memory'],
      time: this.time,
    });
    this.sender = new Sender(
      this.accumulator,
      this.metadata,
      this.network,
      {
        acks: acksValue(c.acks),
        requestTimeoutMs: c['request.timeout.ms'],
        retries: c.retries,
        retryBackoffMs: c['retry.backoff.ms'],
        deliveryTimeoutMs: c['delivery.timeout.ms'],
        maxInFlight: c['max.in.flight.requests.per.connection'],
        maxRequestSize: c['max.request.size'],
        transactionManager: this.transactionManager,
      },
      this.time,
      this.log,
      this.releaseBufferWaiters,
    );
    this.partitioner = new DefaultPartitioner(opts.random);
    if (opts.partitioner !== undefined && typeof opts.partitioner !== 'function')
      throw new KafkaError('INVALID_CONFIG', 'partitioner must be a function');
    this.customPartitioner = opts.partitioner;
  }

  /**
   * Bytes of `buffer.memory` not held by unfinished batches (Kafka's producer metric
   * buffer-available-bytes); `send` waits while this is 0 or less.
   */
  get bufferAvailableBytes(): number {
    return this.config['buffer.memory'] - this.accumulator.reservedBytes;
  }

  /**
   * Fault hook for tests: `fn` sees each request of `apiKey` this producer sends, on
   * every broker connection, and may 'drop' its response (the request then times out
   * after request.timeout.ms and is retried) or delay it (`{delayMs}`). Returns a
   * function that removes the hook. See Connection.controlKey.
   */
  controlKey(apiKey: number, fn: ControlFn): () => void {
    return this.network.controlKey(apiKey, fn);
  }

  /**
   * Sends records to `topic`; resolves with one RecordMetadata per record, in order,
   * once all are acknowledged (acks=0: once written, offsets -1). Rejects with the
   * KafkaError of the first batch that failed (non-retriable, or retries exhausted).
   */
  send(topic: string, records: ProducerRecord | ProducerRecord[]): Promise<RecordMetadata[]>;
  /**
   * Callback form (as Kafka's `send(record, callback)`): `callback(null, results)` once
   * acknowledged, or `callback(err)`. Allocates no promise per call.
   */
  send(topic: string, records: ProducerRecord | ProducerRecord[], callback: SendCallback): void;
  /**
   * One record with Kafka's `Callback` shape: `callback.onCompletion(null, batch, slot)` once
   * acknowledged (`batch.offsetOf(slot)`, `batch.timestampOf(slot)`), or
   * `callback.onCompletion(err, batch | null, slot)`. Allocates nothing per record.
   */
  send(topic: string, record: ProducerRecord, callback: RecordCallback): void;
  send(
    topic: string,
    records: ProducerRecord | ProducerRecord[],
    callback?: SendCallback | RecordCallback,
  ): Promise<RecordMetadata[]> | void {
    if (callback) {
      // One record: the callback itself waits for it (nothing allocated per record).
      if (!Array.isArray(records)) this.sendWith(topic, records, callback);
      else if (typeof callback === 'function')
        this.sendWith(topic, records, new CallbackSendCall(callback));
      else
        callback.onCompletion(
          new KafkaError(
            'INVALID_REQUEST',
            'a RecordCallback takes one record: send an array with a function callback',
          ),
          null,
          -1,
        );
      return;
    }
    return this.sendForPromise(topic, records);
  }

  // The closures of the promise form and of a waiting send live in methods of their own: a
  // function with a closure allocates its context on every call, whichever branch it takes
  // (`send` and `sendWith` run per record; their contexts were two fifths of the producer's
  // allocations under `kzoo perf produce`).
  private sendForPromise(
    topic: string,
    records: ProducerRecord | ProducerRecord[],
  ): Promise<RecordMetadata[]> {
    return new Promise((resolve, reject) => {
      this.sendWith(topic, records, { results: null, pending: 0, done: false, resolve, reject });
    });
  }

  private sendWith(
    topic: string,
    records: ProducerRecord | ProducerRecord[],
    call: RecordWaiter,
  ): void {
    if (this.closed)
      return rejectWaiter(call, new KafkaError('INVALID_REQUEST', 'producer is closed'));
    if (typeof topic !== 'string' || topic.length === 0)
      return rejectWaiter(
        call,
        new KafkaError('INVALID_TOPIC_EXCEPTION', 'topic must be a non-empty string'),
      );
    if (this.txn && this.txnState !== 'IN_TRANSACTION')
      return rejectWaiter(
        call,
        this.fatalTxnError ??
          new KafkaError(
            'INVALID_TXN_STATE',
            `cannot send in transaction state ${this.txnState}: call beginTransaction() first`,
          ),
      );
    if (Array.isArray(records) && records.length === 0)
      return typeof call === 'function' ? call(null, []) : (call as SendCall).resolve([]); // a RecordCallback never comes with an array
    // Behind sends that wait (for metadata or buffer.memory) a send waits too: Kafka's
    // send() blocks its thread, so one caller's records keep their order.
    const canAppend =
      this.blockedSends.size === 0 &&
      this.topicInfo(topic) !== undefined &&
      this.accumulator.reservedBytes < this.config['buffer.memory'];
    if (canAppend) {
      try {
        this.doSend(topic, records, call);
      } catch (e) {
        rejectWaiter(call, e as Error);
      }
      return;
    }
    this.sendWhenReady(topic, records, call);
  }

  /**
   * Waiting sends append one after the other, in the order they were made (each starts
   * waiting once the one before it has appended or failed); max.block.ms counts from now.
   */
  private sendWhenReady(
    topic: string,
    records: ProducerRecord | ProducerRecord[],
    call: RecordWaiter,
  ): void {
    const start = this.time.milliseconds();
    const before = this.lastBlockedSend;
    const ready = before
      ? before.then(() => this.waitUntilReady(topic, start))
      : this.waitUntilReady(topic, start);
    const appended = ready.then(
      () => {
        try {
          this.doSend(topic, records, call);
        } catch (e) {
          rejectWaiter(call, e as Error);
        }
      },
      (e: Error) => rejectWaiter(call, e),
    );
    this.lastBlockedSend = appended;
    this.blockedSends.add(appended);
    const forget = () => {
      this.blockedSends.delete(appended);
      if (this.lastBlockedSend === appended) this.lastBlockedSend = undefined;
    };
    appended.then(forget, forget);
  }

  /** The last topic looked up, in which metadata snapshot (a send looks it up per record). */
  private cachedCluster: Cluster | undefined;
  private cachedTopic = '';
  private cachedInfo: TopicInfo | undefined;

  /** `metadata.cluster.topic(topic)`, remembered for the same topic and snapshot. */
  private topicInfo(topic: string): TopicInfo | undefined {
    const cluster = this.metadata.cluster;
    if (cluster === this.cachedCluster && topic === this.cachedTopic) return this.cachedInfo;
    const info = cluster.topic(topic);
    this.cachedCluster = cluster;
    this.cachedTopic = topic;
    this.cachedInfo = info;
    return info;
  }

  /** Waits for the topic's metadata and for buffer space (up to `max.block.ms` from `start`). */
  private async waitUntilReady(topic: string, start: number): Promise<void> {
    const maxBlock = this.config['max.block.ms'];
    await this.metadata.waitForTopic(
      topic,
      Math.max(0, maxBlock - (this.time.milliseconds() - start)),
    );
    while (this.accumulator.reservedBytes >= this.config['buffer.memory']) {
      const left = maxBlock - (this.time.milliseconds() - start);
      if (left <= 0)
        throw new KafkaError(
          'REQUEST_TIMED_OUT',
          `failed to allocate memory within max.block.ms=${maxBlock} (buffer.memory=${this.config['buffer.memory']} in use)`,
        );
      await new Promise<void>((resolve) => {
        const t = this.time.schedule('producer-buffer-wait', resolve, left);
        this.bufferWaiters.push(() => {
          t.cancel();
          resolve();
        });
      });
    }
  }

  /**
   * The Prepared of a single-record send, reused: nothing keeps it once the record is
   * appended (its bytes are copied into the batch), and a fresh object per record was a
   * fifth of the producer's allocations under `kzoo perf produce`. Not used when a custom
   * partitioner is set (user code, which may send, runs while it is in use).
   */
  private readonly single: Prepared = {
    key: null,
    value: null,
    valueLength: 0,
    headers: null,
    size: 0,
  };

  /**
   * Checks one record and prepares its bytes; throws a KafkaError naming the problem.
   * With `into`, fills and returns that object instead of a new one.
   */
  private prepare(
    r: ProducerRecord,
    i: number,
    topic: string,
    numPartitions: number,
    into?: Prepared,
  ): Prepared {
    if (r === null || typeof r !== 'object')
      throw new KafkaError('INVALID_RECORD', `record ${i} is not an object`);
    const v = r.value ?? null;
    if (v !== null && typeof v !== 'string' && !Buffer.isBuffer(v))
      throw new KafkaError(
        'INVALID_RECORD',
        `record ${i}: value must be a Buffer, a string or null`,
      );
    const partition = r.partition;
    if (
      partition !== undefined &&
      (!Number.isInteger(partition) || partition < 0 || partition >= numPartitions)
    )
      throw new KafkaError(
        'UNKNOWN_TOPIC_OR_PARTITION',
        `partition ${partition} of topic ${topic} does not exist (topic has ${numPartitions})`,
      );
    const ts = r.timestamp;
    if (ts !== undefined && (!Number.isSafeInteger(ts) || ts < 0))
      throw new KafkaError('INVALID_RECORD', `record ${i}: invalid timestamp ${ts}`);
    const key = toKey(r.key);
    const valueLength =
      v === null ? 0 : typeof v === 'string' ? Buffer.byteLength(v, 'utf8') : v.length;
    const headers = r.headers === undefined ? null : encodeHeaders(r.headers);
    let p: Prepared;
    if (into) {
      p = into;
      p.key = key;
      p.value = v;
      p.valueLength = valueLength;
      p.headers = headers;
    } else p = { key, value: v, valueLength, headers, size: 0 };
    p.size = maxRecordSize(p);
    const maxSize = this.config['max.request.size'];
    if (p.size + 61 > maxSize) throw recordTooLarge(p.size, maxSize);
    return p;
  }

  /** Partitions and appends one prepared record; returns true if the sender should run. */
  private appendOne(
    topic: string,
    r: ProducerRecord,
    p: Prepared,
    cluster: Cluster,
    call: RecordWaiter,
    i: number,
    /** The clock at the send, or -1 when not read yet (a record with its own timestamp). */
    now: number,
  ): boolean {
    if (r.timestamp === undefined && now < 0) now = this.time.milliseconds();
    const timestamp = r.timestamp ?? now;
    const custom = this.customPartitioner;
    const sticky = r.partition === undefined && p.key === null && !custom;
    let partition =
      r.partition !== undefined
        ? r.partition
        : custom
          ? this.customPartition(custom, topic, p, cluster.topic(topic)!.partitions.length)
          : this.partitioner.partition(topic, p.key, cluster);
    const acc = this.accumulator;
    let res = acc.append(topic, partition, timestamp, p, p.size, call, i, sticky, now);
    if (res.abortForNewBatch) {
      this.partitioner.onNewBatch(topic, cluster, partition);
      partition = this.partitioner.partition(topic, null, cluster);
      res = acc.append(topic, partition, timestamp, p, p.size, call, i, false, now);
    }
    if (this.txn) this.maybeAddPartition(topic, partition);
    return res.batchIsFull || res.newBatchCreated;
  }

  private customPartition(
    fn: CustomPartitioner,
    topic: string,
    p: Prepared,
    numPartitions: number,
  ): number {
    const n = fn(topic, p.key, p.value, numPartitions);
    if (!Number.isInteger(n) || n < 0 || n >= numPartitions)
      throw new KafkaError(
        'UNKNOWN_TOPIC_OR_PARTITION',
        `the custom partitioner returned ${n} for topic ${topic} with ${numPartitions} partitions`,
      );
    return n;
  }

  private doSend(
    topic: string,
    records: ProducerRecord | ProducerRecord[],
    call: RecordWaiter,
  ): void {
    const cluster = this.metadata.cluster;
    const numPartitions = this.topicInfo(topic)!.partitions.length;
    // Check and prepare everything first: bad input changes nothing.
    let wake = false;
    if (!Array.isArray(records)) {
      // One record: the clock is read when needed (no timestamp of its own, or a new batch);
      // a caller that stamps its records (`kzoo perf produce`) costs one clock read less.
      // Not with a custom partitioner: user code runs while `p` is in use (and may send).
      const into = this.customPartitioner ? undefined : this.single;
      const p = this.prepare(records, 0, topic, numPartitions, into);
      if (typeof call !== 'function' && !isRecordCallback(call)) {
        call.results = null;
        call.pending = 1;
      }
      wake = this.appendOne(topic, records, p, cluster, call, 0, -1);
    } else {
      const now = this.time.milliseconds();
      const n = records.length;
      const prepared = new Array<Prepared>(n); // a loop, not map: no closure in doSend
      for (let i = 0; i < n; i++) prepared[i] = this.prepare(records[i], i, topic, numPartitions);
      if (typeof call === 'function' || isRecordCallback(call))
        throw new Error('several records need a SendCall');
      call.results = new Array<RecordMetadata>(n);
      call.pending = n;
      for (let i = 0; i < n; i++)
        if (this.appendOne(topic, records[i], prepared[i], cluster, call, i, now)) wake = true;
    }
    if (wake) this.sender.wakeup();
  }

  private readonly releaseBufferWaiters = (): void => {
    if (this.bufferWaiters.length === 0) return;
    if (this.accumulator.reservedBytes >= this.config['buffer.memory']) return;
    for (const w of this.bufferWaiters.splice(0)) w();
  };

  // ---- transactions (transactional.id) ----------------------------------------------

  private requireTxn(op: string): { txn: TransactionalRequests; tm: TransactionManager } {
    if (!this.txn || !this.transactionManager)
      throw new KafkaError('INVALID_TXN_STATE', `${op} needs transactional.id`);
    if (this.fatalTxnError) throw this.fatalTxnError;
    return { txn: this.txn, tm: this.transactionManager };
  }

  private checkState(op: string, ...allowed: TransactionState[]): void {
    if (!allowed.includes(this.txnState))
      throw new KafkaError(
        'INVALID_TXN_STATE',
        `${op} is not allowed in transaction state ${this.txnState}`,
      );
  }

  /** A fencing error ends the producer; anything else makes the transaction abortable. */
  private onTxnError(e: Error): void {
    if (e instanceof KafkaError && FATAL_TXN_ERRORS.has(e.code)) {
      this.fatalTxnError ??= e;
      this.txnState = 'FATAL_ERROR';
      this.log.error('the transactional producer is fenced', { error: e.message });
    } else {
      this.abortableTxnError ??= e;
    }
  }

  /**
   * Gets the producer id and epoch of `transactional.id` from its coordinator (bumping
   * the epoch fences older producers with the same id; an open transaction of the id is
   * aborted first). Call once before the first transaction.
   */
  async initTransactions(): Promise<void> {
    const { txn, tm } = this.requireTxn('initTransactions');
    this.checkState('initTransactions', 'UNINITIALIZED', 'READY');
    this.txnState = 'INITIALIZING';
    try {
      const res = await txn.request(
        'InitProducerId',
        { keyType: 1 },
        (conn) =>
          conn.request(ApiKeys.InitProducerId, 0, {
            transactionalId: txn.transactionalId,
            transactionTimeoutMs: this.config['transaction.timeout.ms'],
            producerId: -1,
            producerEpoch: -1,
          }),
        (r) => r.errorCode,
      );
      tm.setProducerIdAndEpoch(res.producerId, res.producerEpoch);
      tm.partitionsInTxn.clear();
      tm.txnFailed = false;
      this.txnState = 'READY';
      this.log.info('initialised transactions', {
        transactionalId: txn.transactionalId,
        producerId: res.producerId,
        epoch: res.producerEpoch,
      });
      this.sender.wakeup();
    } catch (e) {
      this.onTxnError(e as Error);
      if (this.txnState === 'INITIALIZING') this.txnState = 'UNINITIALIZED';
      throw e;
    }
  }

  beginTransaction(): void {
    this.requireTxn('beginTransaction');
    this.checkState('beginTransaction', 'READY');
    this.txnState = 'IN_TRANSACTION';
    this.txnHasContent = false;
    this.abortableTxnError = null;
  }

  private maybeAddPartition(topic: string, partition: number): void {
    const key = `${topic}\0${partition}`;
    if (this.transactionManager!.partitionsInTxn.has(key) || this.partitionsToAdd.has(key)) return;
    this.partitionsToAdd.set(key, { topic, partition });
    this.txnHasContent = true;
    this.addPartitionsLoop ??= this.addPartitions().finally(() => (this.addPartitionsLoop = null));
  }

  /** AddPartitionsToTxn for the partitions written to since the last one (Kafka's batching). */
  private async addPartitions(): Promise<void> {
    const txn = this.txn!;
    const tm = this.transactionManager!;
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.partitionsToAdd.size > 0) {
      const adding = [...this.partitionsToAdd];
      this.partitionsToAdd.clear();
      const byTopic = new Map<string, number[]>();
      for (const [, p] of adding)
        byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.partition]);
      try {
        await txn.request(
          'AddPartitionsToTxn',
          { keyType: 1 },
          (conn) =>
            conn.request(ApiKeys.AddPartitionsToTxn, 0, {
              transactionalId: txn.transactionalId,
              producerId: tm.producerId,
              producerEpoch: tm.producerEpoch,
              topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })),
            }),
          (r) =>
            firstError(
              r.resultsByTopic.flatMap((t) =>
                t.resultsByPartition.map((p) => p.partitionErrorCode),
              ),
            ),
        );
        for (const [key] of adding) tm.partitionsInTxn.add(key);
        this.sender.wakeup();
      } catch (e) {
        this.onTxnError(e as Error);
        this.accumulator.abortUndrained(e as Error);
        return;
      }
    }
  }

  /**
   * Adds consumed offsets to the transaction (AddOffsetsToTxn, then TxnOffsetCommit to
   * the group's coordinator): they become the group's committed offsets only if the
   * transaction commits. `offsets` are the next offsets to read.
   */
  async sendOffsetsToTransaction(
    offsets: ReadonlyArray<{ topic: string; partition: number; offset: number }>,
    groupId: string,
    groupMetadata: { generationId: number; memberId: string } = { generationId: -1, memberId: '' },
  ): Promise<void> {
    const { txn, tm } = this.requireTxn('sendOffsetsToTransaction');
    this.checkState('sendOffsetsToTransaction', 'IN_TRANSACTION');
    if (typeof groupId !== 'string' || groupId === '')
      throw new KafkaError('INVALID_GROUP_ID', 'sendOffsetsToTransaction needs a group id');
    try {
      await txn.request(
        'AddOffsetsToTxn',
        { keyType: 1 },
        (conn) =>
          conn.request(ApiKeys.AddOffsetsToTxn, 0, {
            transactionalId: txn.transactionalId,
            producerId: tm.producerId,
            producerEpoch: tm.producerEpoch,
            groupId,
          }),
        (r) => r.errorCode,
      );
      this.txnHasContent = true;
      const byTopic = new Map<string, Array<{ partition: number; offset: number }>>();
      for (const o of offsets)
        byTopic.set(o.topic, [
          ...(byTopic.get(o.topic) ?? []),
          { partition: o.partition, offset: o.offset },
        ]);
      await txn.request(
        'TxnOffsetCommit',
        { keyType: 0, groupId },
        (conn) =>
          conn.request(ApiKeys.TxnOffsetCommit, 0, {
            transactionalId: txn.transactionalId,
            groupId,
            producerId: tm.producerId,
            producerEpoch: tm.producerEpoch,
            generationId: groupMetadata.generationId,
            memberId: groupMetadata.memberId,
            groupInstanceId: null,
            topics: [...byTopic].map(([name, parts]) => ({
              name,
              partitions: parts.map((p) => ({
                partitionIndex: p.partition,
                committedOffset: p.offset,
                committedLeaderEpoch: -1,
                committedMetadata: null,
              })),
            })),
          }),
        (r) => firstError(r.topics.flatMap((t) => t.partitions.map((p) => p.errorCode))),
      );
    } catch (e) {
      this.onTxnError(e as Error);
      throw e;
    }
  }

  private async endTxn(commit: boolean): Promise<void> {
    const { txn, tm } = this.requireTxn(commit ? 'commitTransaction' : 'abortTransaction');
    try {
      await txn.request(
        'EndTxn',
        { keyType: 1 },
        (conn) =>
          conn.request(ApiKeys.EndTxn, 0, {
            transactionalId: txn.transactionalId,
            producerId: tm.producerId,
            producerEpoch: tm.producerEpoch,
            committed: commit,
          }),
        (r) => r.errorCode,
      );
    } catch (e) {
      this.onTxnError(e as Error);
      throw e;
    }
  }

  /**
   * Sends everything of the transaction, then commits it (EndTxn). If a record of the
   * transaction failed, rejects with that error and the transaction must be aborted.
   */
  async commitTransaction(): Promise<void> {
    const { tm } = this.requireTxn('commitTransaction');
    this.checkState('commitTransaction', 'IN_TRANSACTION');
    this.txnState = 'COMMITTING';
    try {
      await this.flush();
      await this.addPartitionsLoop;
      if (tm.txnFailed)
        this.abortableTxnError ??= new KafkaError(
          'INVALID_TXN_STATE',
          'a record of the transaction failed',
        );
      if (this.abortableTxnError)
        throw new KafkaError(
          'INVALID_TXN_STATE',
          `the transaction cannot commit, abort it: ${this.abortableTxnError.message}`,
        );
      if (this.txnHasContent) await this.endTxn(true);
      tm.partitionsInTxn.clear();
      this.txnState = 'READY';
    } catch (e) {
      if (this.txnState === 'COMMITTING') this.txnState = 'IN_TRANSACTION';
      throw e;
    }
  }

  /**
   * Aborts the transaction: records not sent yet are dropped (their sends reject), the
   * coordinator writes abort markers. After a failed record the producer re-initialises
   * (a new epoch) so that its next transaction starts clean.
   */
  async abortTransaction(): Promise<void> {
    const { tm } = this.requireTxn('abortTransaction');
    this.checkState('abortTransaction', 'IN_TRANSACTION');
    this.txnState = 'ABORTING';
    try {
      this.accumulator.abortUndrained(
        new KafkaError(
          'INVALID_TXN_STATE',
          'the transaction was aborted before the record was sent',
        ),
      );
      await this.accumulator.awaitFlushCompletion();
      await this.addPartitionsLoop;
      if (this.txnHasContent) await this.endTxn(false);
      const reinit = tm.txnFailed || this.abortableTxnError !== null;
      tm.partitionsInTxn.clear();
      this.abortableTxnError = null;
      this.txnState = 'READY';
      if (reinit) await this.initTransactions();
    } catch (e) {
      if (this.txnState === 'ABORTING') this.txnState = 'IN_TRANSACTION';
      throw e;
    }
  }

  /** Sends everything buffered now (ignoring linger.ms) and waits for it to complete. */
  async flush(): Promise<void> {
    if (this.blockedSends.size > 0) await Promise.allSettled([...this.blockedSends]);
    this.accumulator.beginFlush();
    this.sender.wakeup();
    await this.accumulator.awaitFlushCompletion();
  }

  /** Partition metadata of a topic (waits for it, up to `max.block.ms`). */
  async partitionsFor(topic: string): Promise<number[]> {
    const t = await this.metadata.waitForTopic(topic, this.config['max.block.ms']);
    return t.partitions.map((p) => p.partition);
  }

  /** The partition's leader per this producer's current metadata (-1 when unknown), without a refresh. */
  leaderFor(topic: string, partition: number): number {
    return this.metadata.cluster.leaderFor(topic, partition);
  }

  /**
   * Flushes and closes. With `timeoutMs`, records still unsent after it fail with
   * REQUEST_TIMED_OUT.
   */
  async close(opts: { timeoutMs?: number } = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.accumulator.close();
    const flushed = (async () => {
      this.accumulator.beginFlush();
      this.sender.wakeup();
      await this.accumulator.awaitFlushCompletion();
    })();
    if (opts.timeoutMs !== undefined) {
      let timer: ScheduledTask | undefined;
      const timeoutMs = opts.timeoutMs;
      await Promise.race([
        flushed,
        new Promise<void>(
          (resolve) => (timer = this.time.schedule('producer-close-wait', resolve, timeoutMs)),
        ),
      ]);
      timer?.cancel();
      this.accumulator.abortIncomplete(
        new KafkaError('REQUEST_TIMED_OUT', 'producer closed before the record was sent'),
      );
    } else {
      await flushed;
    }
    this.sender.stop();
    await this.network.close();
  }
}
