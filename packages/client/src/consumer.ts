/**
 * Consumer with manual assignment (Kafka's `assign` mode): `assign`, `seek`,
 * `position`, `pause`/`resume`, `poll()` for batches and an async iterator for single
 * records. Positions without a seek are set by `auto.offset.reset` through ListOffsets,
 * and reset the same way on OFFSET_OUT_OF_RANGE. Consumer groups (`subscribe`,
 * commits) come later; `group.id` is refused until then.
 */
import { KafkaError, SystemTime, createLogger, type Logger, type Time } from '@kzoo/common';
import { ApiKeys } from '@kzoo/protocol';
import {
  bootstrapServers,
  parseConsumerConfig,
  type ConfigInput,
  type ConsumerConfig,
} from './config';
import {
  Fetcher,
  type ConsumerRecord,
  type OffsetResetStrategy,
  type TopicPartition,
} from './fetcher';
import { Metadata } from './metadata';
import { NetworkClient } from './network-client';

export type { ConsumerRecord, TopicPartition } from './fetcher';

export interface ConsumerOptions {
  time?: Time;
  logger?: Logger;
}

function checkTp(tp: TopicPartition): void {
  if (
    !tp ||
    typeof tp.topic !== 'string' ||
    tp.topic.length === 0 ||
    !Number.isInteger(tp.partition) ||
    tp.partition < 0
  )
    throw new KafkaError(
      'INVALID_REQUEST',
      `invalid topic partition ${JSON.stringify(tp)}: expected {topic, partition}`,
    );
}

export class Consumer {
  readonly config: ConsumerConfig;
  private readonly time: Time;
  private readonly log: Logger;
  private readonly network: NetworkClient;
  private readonly metadata: Metadata;
  private readonly fetcher: Fetcher;
  private closed = false;

  constructor(config: ConfigInput, opts: ConsumerOptions = {}) {
    this.config = parseConsumerConfig(config);
    const c = this.config;
    this.time = opts.time ?? SystemTime;
    this.log = (opts.logger ?? createLogger('consumer')).child({ clientId: c['client.id'] });
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
      allowAutoTopicCreation: c['allow.auto.create.topics'],
      time: this.time,
      onUpdate: (cluster) => this.network.setNodes(cluster.nodes.values()),
    });
    this.fetcher = new Fetcher(
      this.metadata,
      this.network,
      {
        minBytes: c['fetch.min.bytes'],
        maxWaitMs: c['fetch.max.wait.ms'],
        maxBytes: c['fetch.max.bytes'],
        maxPartitionBytes: c['max.partition.fetch.bytes'],
        isolationLevel: c['isolation.level'] === 'read_committed' ? 1 : 0,
        checkCrcs: c['check.crcs'],
        requestTimeoutMs: c['request.timeout.ms'],
        retryBackoffMs: c['retry.backoff.ms'],
        defaultResetStrategy: c['auto.offset.reset'],
      },
      this.log,
    );
  }

  private checkOpen(): void {
    if (this.closed) throw new KafkaError('INVALID_REQUEST', 'consumer is closed');
  }

  /** Replaces the assignment. Partitions kept keep their positions. */
  assign(partitions: TopicPartition[]): void {
    this.checkOpen();
    if (!Array.isArray(partitions))
      throw new KafkaError('INVALID_REQUEST', 'assign expects an array of {topic, partition}');
    partitions.forEach(checkTp);
    this.fetcher.assign(partitions);
  }

  assignment(): TopicPartition[] {
    return [...this.fetcher.states.values()].map((s) => ({
      topic: s.topic,
      partition: s.partition,
    }));
  }

  /** Consumer groups are not implemented yet. */
  subscribe(_topics: string[]): never {
    throw new KafkaError(
      'INVALID_REQUEST',
      'subscribe needs consumer groups, which kzoo does not have yet; use assign()',
    );
  }

  /** The next poll returns records from `offset` of this partition. */
  seek(tp: TopicPartition, offset: number): void {
    this.checkOpen();
    checkTp(tp);
    if (!Number.isSafeInteger(offset) || offset < 0)
      throw new KafkaError('INVALID_REQUEST', `invalid offset ${offset} for seek`);
    this.fetcher.state(tp).seek(offset);
  }

  seekToBeginning(tps: TopicPartition[] = this.assignment()): void {
    this.resetTo(tps, 'earliest');
  }

  seekToEnd(tps: TopicPartition[] = this.assignment()): void {
    this.resetTo(tps, 'latest');
  }

  private resetTo(tps: TopicPartition[], strategy: OffsetResetStrategy): void {
    this.checkOpen();
    for (const tp of tps) {
      const s = this.fetcher.state(tp);
      s.seek(0);
      s.position = null;
      s.fetchOffset = null;
      s.resetStrategy = strategy;
    }
  }

  /**
   * The offset of the next record the consumer returns for `tp`; looks it up with
   * `auto.offset.reset` when not yet known (up to `timeoutMs`).
   */
  async position(tp: TopicPartition, timeoutMs = 60000): Promise<number> {
    this.checkOpen();
    const s = this.fetcher.state(tp);
    const deadline = this.time.milliseconds() + timeoutMs;
    while (s.position === null) {
      const err = this.fetcher.takeError();
      if (err) throw err;
      const left = deadline - this.time.milliseconds();
      if (left <= 0)
        throw new KafkaError(
          'REQUEST_TIMED_OUT',
          `position of ${tp.topic}-${tp.partition} not known after ${timeoutMs} ms`,
        );
      this.fetcher.sendFetches();
      await this.fetcher.waitForData(Math.min(left, this.config['retry.backoff.ms']));
    }
    return s.position;
  }

  /** The high watermark seen in the last fetch of `tp` (-1 before one). */
  highWatermark(tp: TopicPartition): number {
    return this.fetcher.state(tp).highWatermark;
  }

  pause(tps: TopicPartition[]): void {
    for (const tp of tps) this.fetcher.state(tp).paused = true;
  }

  resume(tps: TopicPartition[]): void {
    for (const tp of tps) this.fetcher.state(tp).paused = false;
    this.fetcher.sendFetches();
  }

  paused(): TopicPartition[] {
    return [...this.fetcher.states.values()]
      .filter((s) => s.paused)
      .map((s) => ({ topic: s.topic, partition: s.partition }));
  }

  /**
   * Returns up to `max.poll.records` records, waiting up to `timeoutMs` for some;
   * an empty array when none came. Throws the KafkaError of a non-retriable failure.
   */
  async poll(timeoutMs = 1000): Promise<ConsumerRecord[]> {
    this.checkOpen();
    const deadline = this.time.milliseconds() + timeoutMs;
    const max = this.config['max.poll.records'];
    for (;;) {
      const err = this.fetcher.takeError();
      if (err) throw err;
      const recs = this.fetcher.drain(max);
      this.fetcher.sendFetches();
      if (recs.length > 0) return recs;
      if (this.metadata.updateDue() && !this.closed) {
        this.metadata.maybeUpdate().then(
          () => this.fetcher.sendFetches(),
          () => undefined,
        );
      }
      const left = deadline - this.time.milliseconds();
      if (left <= 0 || this.closed) return [];
      await this.fetcher.waitForData(left);
    }
  }

  /** Async iterator over batches of records (each a poll result), until close(). */
  async *batches(pollTimeoutMs = 1000): AsyncGenerator<ConsumerRecord[]> {
    while (!this.closed) {
      const recs = await this.poll(pollTimeoutMs);
      if (recs.length > 0) yield recs;
    }
  }

  /** Async iterator over single records, until close() (or `break`). */
  async *[Symbol.asyncIterator](): AsyncGenerator<ConsumerRecord> {
    for await (const batch of this.batches()) {
      for (const r of batch) yield r;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.fetcher.close();
    await this.network.close();
  }
}
