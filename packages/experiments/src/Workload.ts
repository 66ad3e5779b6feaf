/**
 * The recorded workload: N producers (@kzoo/client) writing unique values (`v<id>`) per
 * key in sequence, each send's outcome recorded with its timestamps; one consumer of a
 * group reading concurrently and committing what it read. Everything goes into the
 * History's `sends`, `consumes` and `commits`.
 */
import { randomBytes } from 'node:crypto';
import { createLogger, KafkaError, type Time } from '@kzoo/common';
import { Consumer, Producer } from '@kzoo/client';
import { within } from './wait';
import type {
  CommitRecord,
  ConsumeRecord,
  ExperimentConfig,
  SendRecord,
  WorkloadSample,
} from './history';

export interface WorkloadOptions {
  bootstrap: string[];
  topic: string;
  group: string;
  config: ExperimentConfig;
  producers: number;
  /** Keys per producer. */
  keysPerProducer: number;
  /** Sends per second, all producers together. */
  ratePerSec: number;
  /** Unacknowledged sends allowed per producer; beyond it the producer skips a tick. */
  maxOutstanding: number;
  deliveryTimeoutMs: number;
  requestTimeoutMs: number;
  /** Consumer group session.timeout.ms. */
  groupSessionTimeoutMs: number;
  time: Time;
  /** Wall clock of t = 0. */
  startedAt: number;
}

interface ProducerState {
  producer: Producer;
  index: number;
  outstanding: number;
  nextSeq: number[];
  nextKey: number;
}

export class Workload {
  readonly sends: SendRecord[] = [];
  readonly consumes: ConsumeRecord[] = [];
  readonly commits: CommitRecord[] = [];
  private readonly pending = new Set<Promise<void>>();
  private producers: ProducerState[] = [];
  private consumer: Consumer | null = null;
  private sending = false;
  private consuming = false;
  private sendLoop: Promise<void> | null = null;
  private consumeLoop: Promise<void> | null = null;
  private nextId = 0;
  private cutOff = false;
  private readonly log = createLogger('experiment.workload');

  constructor(private readonly o: WorkloadOptions) {}

  private now(): number {
    return this.o.time.milliseconds() - this.o.startedAt;
  }

  startProducers(): void {
    const c = this.o.config;
    const clientLog = createLogger('experiment.client');
    for (let i = 0; i < this.o.producers; i++) {
      const producer = new Producer(
        {
          'bootstrap.servers': this.o.bootstrap.join(','),
          'client.id': `exp-producer-${i}`,
          acks: c.acks === -1 ? 'all' : String(c.acks),
          'enable.idempotence': c.idempotence,
          retries: c.retries,
          'delivery.timeout.ms': this.o.deliveryTimeoutMs,
          'request.timeout.ms': this.o.requestTimeoutMs,
          'retry.backoff.ms': 100,
          'linger.ms': 5,
          'max.block.ms': this.o.deliveryTimeoutMs,
        },
        { time: this.o.time, logger: clientLog },
      );
      this.producers.push({
        producer,
        index: i,
        outstanding: 0,
        nextSeq: new Array<number>(this.o.keysPerProducer).fill(0),
        nextKey: 0,
      });
    }
    this.sending = true;
    const tickMs = 20;
    const perTick = (this.o.ratePerSec * tickMs) / 1000 / this.o.producers;
    this.sendLoop = (async () => {
      let credit = 0;
      while (this.sending) {
        credit += perTick;
        const n = Math.floor(credit);
        credit -= n;
        for (const p of this.producers) for (let k = 0; k < n; k++) this.sendOne(p);
        await this.o.time.sleep(tickMs);
      }
    })();
  }

  private sendOne(p: ProducerState): void {
    if (p.outstanding >= this.o.maxOutstanding) return;
    const keyIndex = p.nextKey;
    p.nextKey = (p.nextKey + 1) % this.o.keysPerProducer;
    const key = `p${p.index}-k${keyIndex}`;
    const partition = (p.index * this.o.keysPerProducer + keyIndex) % this.o.config.partitions;
    const rec: SendRecord = {
      id: this.nextId++,
      key,
      seq: p.nextSeq[keyIndex]++,
      partition,
      tSend: this.now(),
      outcome: 'unknown',
    };
    this.sends.push(rec);
    p.outstanding++;
    const done = p.producer
      .send(this.o.topic, { key, value: `v${rec.id}`, partition })
      .then(
        ([meta]) => {
          if (this.cutOff) return;
          rec.outcome = 'ok';
          rec.offset = meta.offset;
          const leader = p.producer.leaderFor(this.o.topic, partition);
          if (leader >= 0) rec.leader = leader;
        },
        (e: unknown) => {
          if (this.cutOff) return;
          // a retriable error at the delivery timeout: it may have been written
          const retriable = e instanceof KafkaError ? e.retriable : true;
          rec.outcome = retriable ? 'unknown' : 'fail';
          rec.error = e instanceof KafkaError ? e.errorName : String((e as Error)?.message ?? e);
        },
      )
      .finally(() => {
        if (!this.cutOff) rec.tDone = this.now();
        p.outstanding--;
        this.pending.delete(done);
      });
    this.pending.add(done);
  }

  /** No new sends from now on. */
  stopSending(): void {
    this.sending = false;
  }

  /** Stops sending; waits up to `timeoutMs` for the outcomes (the rest stay `unknown`, no tDone). */
  async stopProducers(timeoutMs: number): Promise<void> {
    this.sending = false;
    await this.sendLoop;
    await within(this.o.time, Promise.all([...this.pending]), timeoutMs, undefined);
    // sends with no answer by now stay `unknown` without tDone (what the producer's close
    // does to them is not an outcome of the run)
    this.cutOff = true;
    await Promise.all(
      this.producers.map((p) =>
        p.producer
          .close({ timeoutMs: 1000 })
          .catch((e: unknown) => this.log.debug('producer close', { error: e })),
      ),
    );
  }

  startConsumer(): void {
    const member = `exp-consumer-${randomBytes(3).toString('hex')}`;
    const consumer = new Consumer(
      {
        'bootstrap.servers': this.o.bootstrap.join(','),
        'client.id': member,
        'group.id': this.o.group,
        'auto.offset.reset': 'earliest',
        'enable.auto.commit': false,
        'session.timeout.ms': this.o.groupSessionTimeoutMs,
        'heartbeat.interval.ms': Math.max(100, Math.floor(this.o.groupSessionTimeoutMs / 3)),
        'request.timeout.ms': this.o.requestTimeoutMs,
      },
      { time: this.o.time, logger: createLogger('experiment.client') },
    );
    this.consumer = consumer;
    consumer.subscribe([this.o.topic]);
    this.consuming = true;
    const next = new Map<number, number>();
    let lastCommit = this.now();
    this.consumeLoop = (async () => {
      while (this.consuming) {
        try {
          const records = await consumer.poll(300);
          const t = this.now();
          for (const r of records) {
            this.consumes.push({
              t,
              member,
              partition: r.partition,
              offset: r.offset,
              key: r.key?.toString() ?? '',
              value: r.value?.toString() ?? '',
            });
            next.set(r.partition, r.offset + 1);
          }
          if (this.now() - lastCommit >= 1000 && this.consuming) {
            lastCommit = this.now();
            const assigned = new Set(consumer.assignment().map((tp) => tp.partition));
            const offsets = [...next]
              .filter(([p]) => assigned.has(p))
              .map(([partition, offset]) => ({ topic: this.o.topic, partition, offset }));
            if (offsets.length > 0) {
              await consumer.commitSync(offsets);
              const tc = this.now();
              for (const o of offsets)
                this.commits.push({ t: tc, member, partition: o.partition, offset: o.offset });
            }
          }
        } catch (e) {
          this.log.debug('consumer', { error: e });
          await this.o.time.sleep(200);
        }
      }
    })();
  }

  /** Stops the consumer (gives its loop up to `timeoutMs`). */
  async stopConsumer(timeoutMs: number): Promise<void> {
    this.consuming = false;
    if (!this.consumeLoop) return;
    await within(this.o.time, this.consumeLoop, timeoutMs, undefined);
    await within(
      this.o.time,
      this.consumer!.close().catch(() => undefined),
      timeoutMs,
      undefined,
    );
  }

  /** Counts per second of the run: sent (by tSend), acknowledged and failed (by tDone), consumed. */
  samples(untilMs: number): WorkloadSample[] {
    const n = Math.max(1, Math.ceil(untilMs / 1000));
    const out: WorkloadSample[] = Array.from({ length: n }, (_, i) => ({
      t: i * 1000,
      sent: 0,
      acked: 0,
      failed: 0,
      consumed: 0,
    }));
    const at = (t: number) => out[Math.min(n - 1, Math.max(0, Math.floor(t / 1000)))];
    for (const s of this.sends) {
      at(s.tSend).sent++;
      if (s.tDone === undefined) continue;
      if (s.outcome === 'ok') at(s.tDone).acked++;
      else at(s.tDone).failed++;
    }
    for (const c of this.consumes) at(c.t).consumed++;
    return out;
  }
}
