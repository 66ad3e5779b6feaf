/**
 * Sender: moves ready batches from the RecordAccumulator to the partition leaders in
 * Produce requests (at most `max.in.flight.requests.per.connection` per broker), and
 * completes, retries or fails them from the responses. Kafka runs it on its own
 * thread; here it runs on the event loop, woken by appends, responses and timers.
 */
import { ErrorCode, KafkaError, type Logger, type ScheduledTask, type Time } from '@kzoo/common';
import { ApiKeys, type ProduceRequest, type ProduceResponse } from '@kzoo/protocol';
import type { RecordAccumulator } from './RecordAccumulator';
import type { Metadata } from './Metadata';
import { logRetry, type NetworkClient } from './NetworkClient';
import type { ProducerBatch } from './ProducerBatch';
import type { TransactionManager } from './TransactionManager';

export interface SenderOptions {
  acks: number;
  requestTimeoutMs: number;
  retries: number;
  retryBackoffMs: number;
  deliveryTimeoutMs: number;
  maxInFlight: number;
  maxRequestSize: number;
  /** Set when enable.idempotence is on. */
  transactionManager?: TransactionManager;
}

const METADATA_ERRORS = new Set([
  'UNKNOWN_TOPIC_OR_PARTITION',
  'LEADER_NOT_AVAILABLE',
  'NOT_LEADER_OR_FOLLOWER',
  'FENCED_LEADER_EPOCH',
  'UNKNOWN_LEADER_EPOCH',
  'KAFKA_STORAGE_ERROR',
  'NETWORK_EXCEPTION',
  'REQUEST_TIMED_OUT',
]);

export class Sender {
  private scheduled = false;
  private timer: ScheduledTask | undefined;
  private timerAt = Infinity;
  private readonly connecting = new Set<number>();
  private running = true;
  /** Produce requests in flight (acks != 0). */
  inFlightRequests = 0;
  private initInFlight = false;

  constructor(
    private readonly accumulator: RecordAccumulator,
    private readonly metadata: Metadata,
    private readonly network: NetworkClient,
    private readonly opts: SenderOptions,
    private readonly time: Time,
    private readonly log: Logger,
    /** Called after batches complete or fail (the producer releases buffer.memory waiters). */
    private readonly onBatchDone: () => void = () => undefined,
  ) {}

  /** Schedules a run on the event loop (appends made in the same tick share it). */
  wakeup(): void {
    if (this.scheduled || !this.running) return;
    this.scheduled = true;
    setImmediate(this.runOnce);
  }

  stop(): void {
    this.running = false;
    this.timer?.cancel();
    this.timer = undefined;
  }

  private readonly runOnce = (): void => {
    this.scheduled = false;
    if (!this.running) return;
    try {
      this.run();
    } catch (e) {
      this.log.error('sender run failed', { error: e as Error });
    }
  };

  private run(): void {
    const now = this.time.milliseconds();
    for (const b of this.accumulator.expiredBatches(now)) {
      this.finish(
        b,
        new KafkaError(
          'REQUEST_TIMED_OUT',
          `expiring ${b.count} record(s) for ${b.topic}-${b.partition}: ${now - b.createdMs} ms has passed since batch creation (delivery.timeout.ms)` +
            (b.lastError ? `; last error: ${errorText(b.lastError)}` : ''),
        ),
      );
    }
    const tm = this.opts.transactionManager;
    if (tm) {
      // Kafka's maybeSendAndPollTransactionalRequest, idempotence only: a producer id
      // first; an epoch bump once nothing is in flight.
      if (tm.epochBumpPending && this.inFlightRequests === 0) {
        const old = tm.producerEpoch;
        if (tm.bumpEpoch())
          this.log.info('bumped the producer epoch after a sequence gap', {
            producerId: tm.producerId,
            epoch: tm.producerEpoch,
            previous: old,
          });
        else tm.setProducerIdAndEpoch(-1, -1);
      }
      if (!tm.hasProducerId()) {
        // A transactional producer gets its id from initTransactions (the coordinator).
        if (tm.transactionalId === null) this.initProducerId(tm);
        return;
      }
    }
    // A disconnect (or a metadata error) asked for fresh metadata.
    if (this.metadata.updateDue(now)) this.refreshMetadata();
    const cluster = this.metadata.cluster;
    const ready = this.accumulator.ready(cluster, now);
    let nextDelay = ready.nextReadyCheckDelayMs;
    if (ready.unknownLeaderTopics.size > 0) {
      for (const t of ready.unknownLeaderTopics) this.metadata.add(t);
      this.metadata.requestUpdate();
      this.refreshMetadata();
    }
    const sendable: number[] = [];
    for (const node of ready.readyNodes) {
      const conn = this.network.connectionIfOpen(node);
      if (!conn) {
        // As Kafka's Sender (client.ready / pollDelayMs): a leader in reconnect backoff
        // is tried again once its backoff has passed.
        const backoff = this.network.connectionDelay(node, now);
        if (backoff > 0) nextDelay = Math.min(nextDelay, backoff);
        else this.connect(node);
        continue;
      }
      if (conn.inFlight >= this.opts.maxInFlight) continue; // a response wakes us
      sendable.push(node);
    }
    if (sendable.length > 0) {
      const drained = this.accumulator.drain(cluster, sendable, this.opts.maxRequestSize, now);
      for (const [node, batches] of drained) this.sendProduce(node, batches);
    }
    if (nextDelay !== Infinity) this.schedule(nextDelay);
  }

  /** InitProducerId to any broker; retried after retry.backoff.ms on failure. */
  private initProducerId(tm: TransactionManager): void {
    if (this.initInFlight) return;
    this.initInFlight = true;
    this.network
      .leastLoaded()
      .then((conn) =>
        conn.request(ApiKeys.InitProducerId, 0, {
          transactionalId: null,
          transactionTimeoutMs: 60000,
          producerId: -1,
          producerEpoch: -1,
        }),
      )
      .then((res) => {
        this.initInFlight = false;
        if (res.errorCode !== 0) throw new KafkaError(res.errorCode, 'InitProducerId');
        tm.setProducerIdAndEpoch(res.producerId, res.producerEpoch);
        this.log.info('got a producer id', {
          producerId: res.producerId,
          epoch: res.producerEpoch,
        });
        this.wakeup();
      })
      .catch((e: Error) => {
        this.initInFlight = false;
        if (!this.running) return;
        logRetry(this.log, 'InitProducerId failed, retrying', e);
        this.schedule(this.opts.retryBackoffMs);
      });
  }

  private schedule(delayMs: number): void {
    const at = this.time.milliseconds() + delayMs;
    if (this.timer && this.timerAt <= at) return;
    this.timer?.cancel();
    this.timerAt = at;
    this.timer = this.time.schedule(
      'sender-wakeup',
      () => {
        this.timer = undefined;
        this.timerAt = Infinity;
        this.wakeup();
      },
      Math.max(0, delayMs),
    );
  }

  private refreshMetadata(): void {
    this.metadata.maybeUpdate().then(
      () => this.wakeup(),
      (e: Error) => {
        if (!this.running) return;
        logRetry(this.log, 'metadata refresh failed', e);
        this.schedule(this.opts.retryBackoffMs);
      },
    );
  }

  private connect(node: number): void {
    if (this.connecting.has(node)) return;
    this.connecting.add(node);
    this.network.connectionTo(node).then(
      () => {
        this.connecting.delete(node);
        this.wakeup();
      },
      (e: Error) => {
        // A refused connect was logged by the NetworkClient, which put the node in
        // reconnect backoff (run() waits for it). The leader may have moved, or not be
        // in the metadata at all (not a connect attempt, no backoff): fresh metadata, and
        // a run after retry.backoff.ms at the latest.
        this.connecting.delete(node);
        this.log.debug('cannot connect to broker', { node, error: e.message });
        this.metadata.requestUpdate();
        this.refreshMetadata();
        this.schedule(this.opts.retryBackoffMs);
      },
    );
  }

  private sendProduce(node: number, batches: ProducerBatch[]): void {
    const conn = this.network.connectionIfOpen(node)!;
    const byTopic = new Map<string, ProduceRequest['topics'][number]>();
    for (const b of batches) {
      let t = byTopic.get(b.topic);
      if (!t) byTopic.set(b.topic, (t = { name: b.topic, partitions: [] }));
      t.partitions.push({ index: b.partition, records: b.close(0) });
    }
    const request: ProduceRequest = {
      transactionalId: this.opts.transactionManager?.transactionalId ?? null,
      acks: this.opts.acks,
      timeoutMs: this.opts.requestTimeoutMs,
      topics: [...byTopic.values()],
    };
    if (this.opts.acks === 0) {
      try {
        conn.sendOneWay(ApiKeys.Produce, 0, request);
      } catch (e) {
        for (const b of batches) this.retryOrFail(b, e as Error);
        this.wakeup();
        return;
      }
      for (const b of batches) this.finish(b, null, -1, -1);
      // No response will wake the sender: the partitions' next batches (a drain takes one
      // per partition) go in the next run.
      this.wakeup();
      return;
    }
    this.inFlightRequests++;
    // The frame is written from the batches' own buffers (no copy): they stay out of the
    // accumulator's pool until the socket is done with them (ProducerBatch.releaseBuffer).
    for (const b of batches) b.writeStarted();
    const onWritten = () => {
      for (const b of batches) b.writeDone();
    };
    conn.request(ApiKeys.Produce, 0, request, { onWritten }).then(
      (res) => {
        this.inFlightRequests--;
        this.onResponse(batches, res);
        this.wakeup();
      },
      (e: Error) => {
        this.inFlightRequests--;
        for (const b of batches) this.retryOrFail(b, e);
        this.wakeup();
      },
    );
  }

  private onResponse(batches: ProducerBatch[], res: ProduceResponse): void {
    const byKey = new Map<string, ProduceResponse['topics'][number]['partitions'][number]>();
    for (const t of res.topics) for (const p of t.partitions) byKey.set(`${t.name}\0${p.index}`, p);
    for (const b of batches) {
      const p = byKey.get(`${b.topic}\0${b.partition}`);
      if (!p) {
        this.finish(
          b,
          new KafkaError('UNKNOWN_SERVER_ERROR', `no response for ${b.topic}-${b.partition}`),
        );
      } else if (p.errorCode === 0) {
        this.finish(b, null, p.baseOffset, p.logAppendTimeMs);
      } else if (p.errorCode === ErrorCode.DUPLICATE_SEQUENCE_NUMBER) {
        this.finish(b, null, -1, -1); // 0.11-1.x brokers: a duplicate, without its offset
      } else if (
        this.opts.transactionManager &&
        (p.errorCode === ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER ||
          p.errorCode === ErrorCode.UNKNOWN_PRODUCER_ID)
      ) {
        const err = new KafkaError(
          p.errorCode,
          `${b.topic}-${b.partition}${p.errorMessage ? `: ${p.errorMessage}` : ''}`,
        );
        // An earlier batch of the partition failed: this one follows it again.
        if (this.opts.transactionManager.hasEarlierUnresolved(b) && this.canRetry(b))
          this.retry(b, err);
        else this.finish(b, err);
      } else {
        const err = new KafkaError(
          p.errorCode,
          `${b.topic}-${b.partition}${p.errorMessage ? `: ${p.errorMessage}` : ''}`,
        );
        this.retryOrFail(b, err);
      }
    }
  }

  private retryOrFail(b: ProducerBatch, err: Error): void {
    const retriable = err instanceof KafkaError && err.retriable;
    if (retriable && METADATA_ERRORS.has(err.errorName)) this.metadata.requestUpdate();
    if (retriable && this.canRetry(b)) {
      this.retry(b, err);
      return;
    }
    this.finish(b, err);
  }

  private canRetry(b: ProducerBatch): boolean {
    return (
      this.running &&
      b.attempts <= this.opts.retries &&
      this.time.milliseconds() - b.createdMs < this.opts.deliveryTimeoutMs
    );
  }

  private retry(b: ProducerBatch, err: Error): void {
    // As Kafka's Sender, a retried error is a warning, so a producer that waits (say, on
    // NOT_ENOUGH_REPLICAS) says why; once per batch and error, not once per backoff.
    const text = errorText(err);
    const repeated = b.lastError !== undefined && errorText(b.lastError) === text;
    b.lastError = err;
    (repeated ? this.log.debug : this.log.warn).call(
      this.log,
      `got error produce response on ${b.topic}-${b.partition}, retrying`,
      { attempt: b.attempts, error: text },
    );
    this.accumulator.reenqueue(b, this.time.milliseconds());
    if (this.metadata.updateDue()) this.refreshMetadata();
    this.schedule(this.opts.retryBackoffMs);
  }

  private finish(b: ProducerBatch, err: Error | null, baseOffset = -1, logAppendTimeMs = -1): void {
    this.opts.transactionManager?.onComplete(b, err !== null);
    if (err) b.fail(err);
    else b.complete(baseOffset, logAppendTimeMs);
    this.accumulator.deallocate(b);
    this.onBatchDone();
  }
}

/** `NAME: message` for a KafkaError (its name is the cause people search for), else the message. */
function errorText(e: Error): string {
  return e instanceof KafkaError && !e.message.startsWith(e.errorName)
    ? `${e.errorName}: ${e.message}`
    : e.message;
}
