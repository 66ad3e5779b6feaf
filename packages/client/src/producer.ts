/**
 * Producer: `send(topic, records)` resolves with each record's {topic, partition,
 * offset, timestamp}. Records are partitioned (DefaultPartitioner), appended to
 * per-partition batches (RecordAccumulator) and sent by the Sender, as in Kafka's
 * KafkaProducer. Idempotence and transactions are not there yet.
 */
import { KafkaError, SystemTime, createLogger, type Logger, type Time } from '@kzoo/common';
import { ApiKeys } from '@kzoo/protocol';
import { compressionCodec } from '@kzoo/records';
import { RecordAccumulator } from './accumulator';
import {
  acksValue,
  bootstrapServers,
  parseProducerConfig,
  type ConfigInput,
  type ProducerConfig,
} from './config';
import { Metadata } from './metadata';
import { NetworkClient } from './network-client';
import { DefaultPartitioner } from './partitioner';
import {
  maxRecordSize,
  recordTooLarge,
  type EncodedFields,
  type HeaderInput,
  type RecordMetadata,
  type SendCall,
} from './producer-batch';
import { Sender } from './sender';

export type { RecordMetadata } from './producer-batch';

export interface ProducerRecord {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  /** Explicit partition; else the partitioner chooses. */
  partition?: number;
  /** CreateTime; defaults to now. */
  timestamp?: number;
  headers?: HeaderInput[] | Record<string, Buffer | string | null>;
}

export interface ClientOptions {
  time?: Time;
  logger?: Logger;
  /** Random source of the sticky partitioner (tests). */
  random?: () => number;
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
  private readonly bufferWaiters: Array<() => void> = [];
  private closed = false;

  constructor(config: ConfigInput, opts: ClientOptions = {}) {
    this.config = parseProducerConfig(config);
    const c = this.config;
    this.time = opts.time ?? SystemTime;
    this.log = (opts.logger ?? createLogger('producer')).child({ clientId: c['client.id'] });
    this.network = new NetworkClient({
      bootstrap: bootstrapServers(c),
      clientId: c['client.id'],
      requestTimeoutMs: c['request.timeout.ms'],
      connectTimeoutMs: c['socket.connection.setup.timeout.ms'],
      logger: this.log,
    });
    this.metadata = new Metadata({
      fetch: async (topics, allowAutoTopicCreation) =>
        (await this.network.leastLoaded()).request(ApiKeys.Metadata, 0, {
          topics: topics && topics.map((name) => ({ name })),
          allowAutoTopicCreation,
        }),
      retryBackoffMs: c['retry.backoff.ms'],
      metadataMaxAgeMs: c['metadata.max.age.ms'],
      allowAutoTopicCreation: true,
      time: this.time,
      onUpdate: (cluster) => this.network.setNodes(cluster.nodes.values()),
    });
    this.accumulator = new RecordAccumulator({
      batchSize: c['batch.size'],
      lingerMs: c['linger.ms'],
      retryBackoffMs: c['retry.backoff.ms'],
      deliveryTimeoutMs: c['delivery.timeout.ms'],
      compression: compressionCodec(c['compression.type']),
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
      },
      this.time,
      this.log,
      this.releaseBufferWaiters,
    );
    this.partitioner = new DefaultPartitioner(opts.random);
  }

  /**
   * Sends records to `topic`; resolves with one RecordMetadata per record, in order,
   * once all are acknowledged (acks=0: once written, offsets -1). Rejects with the
   * KafkaError of the first batch that failed (non-retriable, or retries exhausted).
   */
  send(topic: string, records: ProducerRecord | ProducerRecord[]): Promise<RecordMetadata[]> {
    const list = Array.isArray(records) ? records : [records];
    if (this.closed) return Promise.reject(new KafkaError('INVALID_REQUEST', 'producer is closed'));
    if (typeof topic !== 'string' || topic.length === 0)
      return Promise.reject(
        new KafkaError('INVALID_TOPIC_EXCEPTION', 'topic must be a non-empty string'),
      );
    if (list.length === 0) return Promise.resolve([]);
    const ready =
      this.metadata.cluster.topic(topic) !== undefined &&
      this.accumulator.reservedBytes < this.config['buffer.memory'];
    if (ready) {
      try {
        return this.doSend(topic, list);
      } catch (e) {
        return Promise.reject(e);
      }
    }
    return this.waitThenSend(topic, list);
  }

  private async waitThenSend(topic: string, list: ProducerRecord[]): Promise<RecordMetadata[]> {
    const maxBlock = this.config['max.block.ms'];
    const start = this.time.milliseconds();
    await this.metadata.waitForTopic(topic, maxBlock);
    while (this.accumulator.reservedBytes >= this.config['buffer.memory']) {
      const left = maxBlock - (this.time.milliseconds() - start);
      if (left <= 0)
        throw new KafkaError(
          'REQUEST_TIMED_OUT',
          `failed to allocate memory within max.block.ms=${maxBlock} (buffer.memory=${this.config['buffer.memory']} in use)`,
        );
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.bufferWaiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.doSend(topic, list);
  }

  private doSend(topic: string, list: ProducerRecord[]): Promise<RecordMetadata[]> {
    const cluster = this.metadata.cluster;
    const info = cluster.topic(topic)!;
    const numPartitions = info.partitions.length;
    const now = this.time.milliseconds();
    const maxSize = this.config['max.request.size'];
    // Validate and encode everything first: bad input changes nothing.
    const encoded: EncodedFields[] = new Array(list.length);
    const sizes: number[] = new Array(list.length);
    for (let i = 0; i < list.length; i++) {
      const r = list[i];
      if (r === null || typeof r !== 'object')
        throw new KafkaError('INVALID_RECORD', `record ${i} is not an object`);
      const v = r.value ?? null;
      if (v !== null && typeof v !== 'string' && !Buffer.isBuffer(v))
        throw new KafkaError(
          'INVALID_RECORD',
          `record ${i}: value must be a Buffer, a string or null`,
        );
      if (
        r.partition !== undefined &&
        (!Number.isInteger(r.partition) || r.partition < 0 || r.partition >= numPartitions)
      )
        throw new KafkaError(
          'UNKNOWN_TOPIC_OR_PARTITION',
          `partition ${r.partition} of topic ${topic} does not exist (topic has ${numPartitions})`,
        );
      if (r.timestamp !== undefined && (!Number.isSafeInteger(r.timestamp) || r.timestamp < 0))
        throw new KafkaError('INVALID_RECORD', `record ${i}: invalid timestamp ${r.timestamp}`);
      const f: EncodedFields = {
        key: toKey(r.key),
        value: v,
        valueLength:
          v === null ? 0 : typeof v === 'string' ? Buffer.byteLength(v, 'utf8') : v.length,
        headers: encodeHeaders(r.headers),
      };
      const size = maxRecordSize(f);
      if (size + 61 > maxSize) throw recordTooLarge(size, maxSize);
      encoded[i] = f;
      sizes[i] = size;
    }
    let wake = false;
    const promise = new Promise<RecordMetadata[]>((resolve, reject) => {
      const call: SendCall = {
        results: new Array(list.length),
        pending: list.length,
        done: false,
        resolve,
        reject,
      };
      for (let i = 0; i < list.length; i++) {
        const r = list[i];
        const f = encoded[i];
        const timestamp = r.timestamp ?? now;
        const sticky = r.partition === undefined && f.key === null;
        let partition =
          r.partition !== undefined
            ? r.partition
            : this.partitioner.partition(topic, f.key, cluster);
        const result: RecordMetadata = { topic, partition, offset: -1, timestamp };
        let res = this.accumulator.append(
          topic,
          partition,
          timestamp,
          f,
          sizes[i],
          call,
          result,
          sticky,
          now,
        );
        if (res.abortForNewBatch) {
          this.partitioner.onNewBatch(topic, cluster, partition);
          partition = this.partitioner.partition(topic, null, cluster);
          result.partition = partition;
          res = this.accumulator.append(
            topic,
            partition,
            timestamp,
            f,
            sizes[i],
            call,
            result,
            false,
            now,
          );
        }
        call.results[i] = result;
        if (res.batchIsFull || res.newBatchCreated) wake = true;
      }
    });
    if (wake) this.sender.wakeup();
    return promise;
  }

  private readonly releaseBufferWaiters = (): void => {
    if (this.bufferWaiters.length === 0) return;
    if (this.accumulator.reservedBytes >= this.config['buffer.memory']) return;
    for (const w of this.bufferWaiters.splice(0)) w();
  };

  /** Sends everything buffered now (ignoring linger.ms) and waits for it to complete. */
  async flush(): Promise<void> {
    this.accumulator.beginFlush();
    this.sender.wakeup();
    await this.accumulator.awaitFlushCompletion();
  }

  /** Partition metadata of a topic (waits for it, up to `max.block.ms`). */
  async partitionsFor(topic: string): Promise<number[]> {
    const t = await this.metadata.waitForTopic(topic, this.config['max.block.ms']);
    return t.partitions.map((p) => p.partition);
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
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        flushed,
        new Promise<void>((resolve) => (timer = setTimeout(resolve, opts.timeoutMs))),
      ]);
      clearTimeout(timer);
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
