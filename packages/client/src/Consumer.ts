/**
 * Consumer with manual assignment (Kafka's `assign` mode): `assign`, `seek`,
 * `position`, `pause`/`resume`, `poll()` for batches and an async iterator for single
 * records. Positions without a seek are set by `auto.offset.reset` through ListOffsets,
 * and reset the same way on OFFSET_OUT_OF_RANGE. With `group.id`: `subscribe` (topics or
 * a RegExp, with a rebalance listener), `commitSync`/`commitAsync`/`committed`, auto
 * commit, and `run({ eachMessage | eachBatch })`; the group protocol itself lives in
 * ConsumerCoordinator.ts.
 */
import {
  KafkaError,
  SystemTime,
  createLogger,
  type Logger,
  type Time,
  tpKey,
  type TopicPartition,
} from '@kzoo/common';
import { parseConsumerConfig, type ConfigInput, type ConsumerConfig } from './config';
import { Fetcher, type ConsumerRecord, type OffsetResetStrategy } from './Fetcher';
import { metadataOver, type Metadata } from './Metadata';
import { networkClientFor, type NetworkClient } from './NetworkClient';
import { createAssignors } from './assignors';
import {
  ConsumerCoordinator,
  type ConsumerRebalanceListener,
  type OffsetAndPartition,
} from './ConsumerCoordinator';

export type { ConsumerRecord, TopicPartition } from './Fetcher';
export type { ConsumerRebalanceListener, OffsetAndPartition } from './ConsumerCoordinator';

/** Handlers for `run()`: one record at a time, or one partition's records at a time. */
export interface RunOptions {
  eachMessage?(record: ConsumerRecord): void | Promise<void>;
  eachBatch?(batch: {
    topic: string;
    partition: number;
    messages: ConsumerRecord[];
  }): void | Promise<void>;
  /** poll() timeout of each round (default 1000). */
  pollTimeoutMs?: number;
}

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
  /** The group machinery when `group.id` is set. */
  private readonly coordinator: ConsumerCoordinator | null = null;
  private manualAssignment = false;
  private closed = false;

  constructor(config: ConfigInput, opts: ConsumerOptions = {}) {
    this.config = parseConsumerConfig(config, opts.logger ?? createLogger('consumer'));
    const c = this.config;
    this.time = opts.time ?? SystemTime;
    this.log = (opts.logger ?? createLogger('consumer')).child({ clientId: c['client.id'] });
    this.network = networkClientFor(c, this.log, { time: this.time });
    this.metadata = metadataOver(this.network, {
      retryBackoffMs: c['retry.backoff.ms'],
      metadataMaxAgeMs: c['metadata.max.age.ms'],
      allowAutoTopicCreation: c['allow.auto.create.topics'],
      time: this.time,
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
        time: this.time,
      },
      this.log,
    );
    const groupId = c['group.id'];
    if (groupId !== null) {
      this.coordinator = new ConsumerCoordinator({
        groupId,
        groupInstanceId: c['group.instance.id'],
        clientId: c['client.id'],
        sessionTimeoutMs: c['session.timeout.ms'],
        rebalanceTimeoutMs: c['max.poll.interval.ms'],
        heartbeatIntervalMs: c['heartbeat.interval.ms'],
        retryBackoffMs: c['retry.backoff.ms'],
        requestTimeoutMs: c['request.timeout.ms'],
        connectTimeoutMs: c['socket.connection.setup.timeout.ms'],
        autoCommit: c['enable.auto.commit'],
        autoCommitIntervalMs: c['auto.commit.interval.ms'],
        assignors: createAssignors(c['partition.assignment.strategy']),
        network: this.network,
        metadata: this.metadata,
        time: this.time,
        logger: this.log,
        hooks: {
          positions: () => this.positions(),
          assign: (tps, committed) => {
            this.fetcher.assign(tps);
            for (const tp of tps) {
              const offset = committed.get(tpKey(tp));
              if (offset !== undefined) this.fetcher.state(tp).seek(offset);
            }
            this.fetcher.sendFetches();
          },
        },
      });
    }
  }

  private positions(): OffsetAndPartition[] {
    const out: OffsetAndPartition[] = [];
    for (const s of this.fetcher.states.values()) {
      if (s.position !== null)
        out.push({ topic: s.topic, partition: s.partition, offset: s.position });
    }
    return out;
  }

  private requireGroup(what: string): ConsumerCoordinator {
    if (!this.coordinator)
      throw new KafkaError('INVALID_GROUP_ID', `${what} needs group.id in the consumer config`);
    return this.coordinator;
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
    if (this.coordinator?.subscribed)
      throw new KafkaError(
        'INVALID_REQUEST',
        'assign() is not allowed while subscribed; unsubscribe() first',
      );
    this.manualAssignment = true;
    this.fetcher.assign(partitions);
  }

  assignment(): TopicPartition[] {
    return [...this.fetcher.states.values()].map((s) => ({
      topic: s.topic,
      partition: s.partition,
    }));
  }

  /**
   * Joins the group (`group.id`) for these topics, or every topic matching `pattern`;
   * partitions are assigned by the group leader's assignor at the next poll(). The
   * listener runs inside poll() before partitions are taken away and after new ones
   * are assigned.
   */
  subscribe(topics: string[] | RegExp, listener?: ConsumerRebalanceListener): void {
    this.checkOpen();
    const group = this.requireGroup('subscribe()');
    if (this.manualAssignment && this.assignment().length > 0)
      throw new KafkaError(
        'INVALID_REQUEST',
        'subscribe() is not allowed after assign(); assign([]) first',
      );
    if (topics instanceof RegExp) {
      group.subscribe({ pattern: topics }, listener);
      return;
    }
    if (!Array.isArray(topics) || topics.some((t) => typeof t !== 'string' || t.length === 0))
      throw new KafkaError('INVALID_REQUEST', 'subscribe expects topic names or a RegExp');
    group.subscribe({ topics: new Set(topics) }, listener);
  }

  /** Leaves the group: the listener's onPartitionsRevoked runs, the assignment empties. */
  async unsubscribe(): Promise<void> {
    await this.coordinator?.unsubscribe();
  }

  /**
   * Commits offsets (the next offset to read, per partition) to the group; by
   * default the current positions of every assigned partition. Throws when the group
   * rebalanced meanwhile (ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, REBALANCE_IN_PROGRESS).
   */
  async commitSync(offsets?: OffsetAndPartition[]): Promise<void> {
    this.checkOpen();
    const group = this.requireGroup('commitSync()');
    const list = offsets ?? this.positions();
    for (const o of list) {
      checkTp(o);
      if (!Number.isSafeInteger(o.offset) || o.offset < 0)
        throw new KafkaError(
          'INVALID_REQUEST',
          `invalid offset ${o.offset} for ${o.topic}-${o.partition}`,
        );
    }
    await group.commitSync(list, this.time.milliseconds() + this.config['request.timeout.ms']);
  }

  /** commitSync without waiting; `callback` gets the outcome. */
  commitAsync(offsets?: OffsetAndPartition[], callback?: (err: Error | null) => void): void {
    this.commitSync(offsets).then(
      () => callback?.(null),
      (e: Error) => {
        if (callback) callback(e);
        else this.log.warn('commitAsync failed', { error: e.message });
      },
    );
  }

  /** The group's committed offsets of `partitions` (null where none is committed). */
  async committed(
    partitions: TopicPartition[],
  ): Promise<Array<TopicPartition & { offset: number | null }>> {
    this.checkOpen();
    partitions.forEach(checkTp);
    const got = await this.requireGroup('committed()').fetchCommitted(
      partitions,
      this.time.milliseconds() + this.config['request.timeout.ms'],
    );
    return partitions.map((tp) => ({ ...tp, offset: got.get(tpKey(tp)) ?? null }));
  }

  /** The member id and generation of this consumer in its group. */
  groupMetadata(): { groupId: string | null; generationId: number; memberId: string } {
    const g = this.coordinator?.generation;
    return {
      groupId: this.config['group.id'],
      generationId: g?.generationId ?? -1,
      memberId: g?.memberId ?? '',
    };
  }

  /**
   * Polls until close(), handing records to `eachMessage` one at a time, or to
   * `eachBatch` one partition's records at a time. A handler that throws stops the
   * loop with its error (positions are already past the records of that poll).
   */
  async run(opts: RunOptions): Promise<void> {
    if (!opts.eachMessage && !opts.eachBatch)
      throw new KafkaError('INVALID_REQUEST', 'run() needs eachMessage or eachBatch');
    while (!this.closed) {
      const records = await this.poll(opts.pollTimeoutMs ?? 1000);
      if (opts.eachBatch) {
        const byPartition = new Map<string, ConsumerRecord[]>();
        for (const r of records) {
          const k = tpKey(r);
          const list = byPartition.get(k);
          if (list) list.push(r);
          else byPartition.set(k, [r]);
        }
        for (const messages of byPartition.values()) {
          await opts.eachBatch({
            topic: messages[0].topic,
            partition: messages[0].partition,
            messages,
          });
        }
      } else {
        for (const r of records) await opts.eachMessage!(r);
      }
    }
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
    const group = this.coordinator?.subscribed ? this.coordinator : null;
    if (!group) return this.pollOnce(timeoutMs);
    // time spent inside poll() does not count against max.poll.interval.ms
    group.enterPoll();
    try {
      await group.poll(this.time.milliseconds() + timeoutMs);
      return await this.pollOnce(timeoutMs);
    } finally {
      group.leavePoll();
    }
  }

  private async pollOnce(timeoutMs: number): Promise<ConsumerRecord[]> {
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
    await this.coordinator?.close();
    this.closed = true;
    this.fetcher.close();
    await this.network.close();
  }
}
