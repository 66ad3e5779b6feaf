/**
 * Kafka's LogManager over one or more `log.dirs`: a `.lock` per dir (refused while
 * another live process holds it), partition logs as `<topic>-<partition>/`, the
 * per-dir checkpoint files (recovery points, log start offsets, high watermarks the
 * caller supplies, cleaner offsets), the clean-shutdown marker, and background
 * retention, flush.ms, checkpoint and cleaner passes on an injected clock.
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createLogger, KafkaError, Logger, ScheduledTask, SystemTime, Time } from '@kzoo/common';
import {
  CLEAN_SHUTDOWN_FILE,
  CLEANER_OFFSET_CHECKPOINT,
  LOG_START_OFFSET_CHECKPOINT,
  OffsetCheckpointFile,
  RECOVERY_POINT_CHECKPOINT,
  REPLICATION_OFFSET_CHECKPOINT,
  TopicPartitionOffset,
  tpKey,
  writeFileAtomic,
} from './checkpoints';
import { logConfig } from './config';
import { Log, parseTopicPartitionName } from './Log';
import { cleanLog } from './LogCleaner';

export const LOCK_FILE = '.lock';

export interface LogManagerOptions {
  logDirs: string[];
  /** Topic-level defaults (Kafka key names); per-topic overrides go to getOrCreateLog. */
  defaultConfig?: Record<string, string | number>;
  time?: Time;
  logger?: Logger;
  /** log.retention.check.interval.ms (300000). */
  retentionCheckIntervalMs?: number;
  /** log.flush.offset.checkpoint.interval.ms (60000). */
  flushOffsetCheckpointIntervalMs?: number;
  /** log.flush.start.offset.checkpoint.interval.ms (60000). */
  flushStartOffsetCheckpointIntervalMs?: number;
  /** How often flush.ms is checked (Kafka's log.flush.scheduler.interval.ms); default 1000. */
  flushCheckIntervalMs?: number;
  /** log.cleaner.enable (true) and log.cleaner.backoff.ms (15000). */
  cleanerEnable?: boolean;
  cleanerBackoffMs?: number;
  /** replica.high.watermark.checkpoint.interval.ms (5000): how often `highWatermark` values are checkpointed. */
  highWatermarkCheckpointIntervalMs?: number;
  /**
   * The partition's high watermark, when known (the caller owns it): retention and cleaning
   * stay below it, and it is written to replication-offset-checkpoint periodically and on close.
   */
  highWatermark?: (topic: string, partition: number) => number | undefined;
  /** producer.id.expiration.ms (86400000) and producer.id.expiration.check.interval.ms (600000). */
  producerIdExpirationMs?: number;
  producerIdExpirationCheckIntervalMs?: number;
}

/** Logs closed at once by close() (their fsyncs run on the libuv pool). */
const CLOSE_CONCURRENCY = 64;

// ---- lock file ---------------------------------------------------------------------------

const heldLocks = new Set<string>();

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes `<dir>/.lock` (holding our pid). Refused with KAFKA_STORAGE_ERROR while another
 * live process, or another LogManager in this process, holds it; a stale lock is taken over.
 */
export function acquireDirLock(dir: string): () => void {
  const real = fs.realpathSync(dir);
  if (heldLocks.has(real))
    throw new KafkaError('KAFKA_STORAGE_ERROR', `log dir ${dir} is already in use by this process`);
  const file = path.join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = fs.openSync(file, 'wx');
      fs.writeSync(fd, `${process.pid}\n`);
      fs.closeSync(fd);
      heldLocks.add(real);
      return () => {
        heldLocks.delete(real);
        fs.rmSync(file, { force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let pid = NaN;
      try {
        pid = Number(fs.readFileSync(file, 'utf8').trim());
      } catch {
        continue;
      }
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && processAlive(pid))
        throw new KafkaError(
          'KAFKA_STORAGE_ERROR',
          `log dir ${dir} is in use by process ${pid} (${file})`,
        );
      fs.rmSync(file, { force: true }); // stale: its process is gone
    }
  }
  throw new KafkaError('KAFKA_STORAGE_ERROR', `cannot lock log dir ${dir}`);
}

// ---- periodic tasks ------------------------------------------------------------------------

/** Runs `fn` every `intervalMs` on `time`; a run still going when the next is due skips it. */
class PeriodicTask {
  private stopped = false;
  private task: ScheduledTask | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly time: Time,
    private readonly name: string,
    private readonly intervalMs: number,
    private readonly fn: () => unknown,
    private readonly onError: (e: unknown) => void,
  ) {}

  start(): void {
    this.task = this.time.schedule(this.name, () => this.runOnce(), this.intervalMs, {
      periodMs: this.intervalMs,
      unref: true,
    });
  }

  /** Runs `fn` unless a previous (asynchronous) run is still going; a synchronous run ends at once. */
  private runOnce(): void {
    if (this.running || this.stopped) return;
    let result: unknown;
    try {
      result = this.fn();
    } catch (e) {
      this.onError(e);
      return;
    }
    if (!(result instanceof Promise)) return;
    this.running = result.then(
      () => undefined,
      (e: unknown) => this.onError(e),
    );
    void this.running.finally(() => (this.running = undefined));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.task?.cancel();
    await this.running;
  }
}

// ---- LogManager -----------------------------------------------------------------------------

const recoveryPointOf = (l: Log): number => (l.isClosed ? l.logEndOffset : l.recoveryPoint);
const logStartOffsetOf = (l: Log): number => l.logStartOffset;

export class LogManager {
  private readonly logs = new Map<string, Log>();
  private readonly dirOf = new Map<string, string>();
  /** The broker's topic-level defaults (reconfigureDefaultLogConfig replaces them). */
  private defaults: Record<string, string | number>;
  private producerIdExpiration: number;
  /** Each topic's override set, as last given (getOrCreateLog, updateTopicConfig). */
  private readonly topicOverrides = new Map<string, Record<string, string | number>>();
  private readonly unlocks: Array<() => void> = [];
  private readonly tasks: PeriodicTask[] = [];
  private readonly time: Time;
  private readonly logger: Logger;
  private closed = false;

  private constructor(private readonly opts: LogManagerOptions) {
    this.defaults = { ...(opts.defaultConfig ?? {}) };
    this.producerIdExpiration = opts.producerIdExpirationMs ?? 86400000;
    this.time = opts.time ?? SystemTime;
    this.logger = opts.logger ?? createLogger('log.manager');
  }

  get logDirs(): readonly string[] {
    return this.opts.logDirs;
  }

  /** Locks every dir and loads the logs found there (recovering after an unclean shutdown). */
  static open(opts: LogManagerOptions): LogManager {
    if (opts.logDirs.length === 0) throw new KafkaError('INVALID_CONFIG', 'log.dirs is empty');
    logConfig(opts.defaultConfig ?? {}); // reject a bad default config early
    const m = new LogManager(opts);
    try {
      for (const dir of opts.logDirs) {
        fs.mkdirSync(dir, { recursive: true });
        m.unlocks.push(acquireDirLock(dir));
      }
      for (const dir of opts.logDirs) m.loadDir(dir);
    } catch (e) {
      for (const log of m.logs.values()) log.close();
      for (const u of m.unlocks) u();
      throw e;
    }
    return m;
  }

  private loadDir(dir: string): void {
    const marker = path.join(dir, CLEAN_SHUTDOWN_FILE);
    const hadCleanShutdown = fs.existsSync(marker);
    const recovery = new OffsetCheckpointFile(path.join(dir, RECOVERY_POINT_CHECKPOINT)).readMap();
    const starts = new OffsetCheckpointFile(path.join(dir, LOG_START_OFFSET_CHECKPOINT)).readMap();
    const cleaner = new OffsetCheckpointFile(path.join(dir, CLEANER_OFFSET_CHECKPOINT)).readMap();
    for (const name of fs.readdirSync(dir)) {
      const full = path.join(dir, name);
      if (!fs.statSync(full).isDirectory()) continue;
      if (name.endsWith('-delete')) {
        fs.rmSync(full, { recursive: true, force: true });
        continue;
      }
      // `<tp>.<id>-future` / `-stray` are not ours to load (topics may contain dots).
      const tp = /-(future|stray)$/.test(name) ? null : parseTopicPartitionName(name);
      if (!tp) continue;
      const key = tpKey(tp.topic, tp.partition);
      const log = Log.open(full, this.defaults, {
        time: this.time,
        logger: this.logger,
        recoveryPoint: recovery.get(key) ?? 0,
        logStartOffset: starts.get(key),
        hadCleanShutdown,
      });
      const dirty = cleaner.get(key);
      if (dirty !== undefined)
        log.firstDirtyOffset = Math.max(log.firstDirtyOffset, Math.min(dirty, log.logEndOffset));
      this.logs.set(key, log);
      this.dirOf.set(key, dir);
    }
    // From now on a crash is an unclean shutdown.
    fs.rmSync(marker, { force: true });
    this.logger.info('loaded log dir', { dir, logs: this.logs.size, hadCleanShutdown });
  }

  /** Starts retention, flush, checkpoint and cleaner passes in the background. */
  startup(): void {
    const onError = (what: string) => (e: unknown) =>
      this.logger.error(`${what} failed`, { error: e as Error });
    const add = (ms: number, fn: () => unknown, what: string) => {
      const t = new PeriodicTask(this.time, `log-${what}`, ms, fn, onError(what));
      this.tasks.push(t);
      t.start();
    };
    add(this.opts.retentionCheckIntervalMs ?? 300000, () => this.cleanupLogs(), 'retention');
    add(this.opts.flushCheckIntervalMs ?? 1000, () => this.flushDirtyLogs(), 'flush');
    // The periodic checkpoints are written off the event loop (a broker with thousands of
    // partitions stalled 40-400 ms every 5 s on the synchronous fsyncs); close() writes them
    // once more, synchronously, after these tasks have stopped.
    add(
      this.opts.flushOffsetCheckpointIntervalMs ?? 60000,
      () => this.writeCheckpointsAsync(RECOVERY_POINT_CHECKPOINT, recoveryPointOf),
      'recovery-point checkpoint',
    );
    add(
      this.opts.flushStartOffsetCheckpointIntervalMs ?? 60000,
      () => this.writeCheckpointsAsync(LOG_START_OFFSET_CHECKPOINT, logStartOffsetOf),
      'log-start-offset checkpoint',
    );
    const supply = this.opts.highWatermark;
    if (supply)
      add(
        this.opts.highWatermarkCheckpointIntervalMs ?? 5000,
        () =>
          this.writeCheckpointsAsync(REPLICATION_OFFSET_CHECKPOINT, (l) =>
            supply(l.topic, l.partition),
          ),
        'high-watermark checkpoint',
      );
    if (this.opts.cleanerEnable ?? true)
      add(this.opts.cleanerBackoffMs ?? 15000, () => this.runCleaner(), 'cleaner');
    add(
      this.opts.producerIdExpirationCheckIntervalMs ?? 600000,
      () => this.removeExpiredProducers(),
      'producer id expiration',
    );
  }

  /** producer.id.expiration.ms, as it is now (a dynamic broker config may change it). */
  get producerIdExpirationMs(): number {
    return this.producerIdExpiration;
  }

  /** Kafka's DynamicProducerStateManagerConfig: the next expiration pass uses `ms`. */
  reconfigureProducerIdExpirationMs(ms: number): void {
    if (!Number.isSafeInteger(ms) || ms < 1)
      throw new KafkaError(
        'INVALID_CONFIG',
        `Invalid value ${ms} for configuration producer.id.expiration.ms: Value must be at least 1`,
      );
    this.producerIdExpiration = ms;
  }

  /** Drops idle producers' state from every log (producer.id.expiration.ms). */
  removeExpiredProducers(): number {
    const now = this.time.milliseconds();
    const ms = this.producerIdExpiration;
    let n = 0;
    for (const log of this.logs.values())
      if (!log.isClosed) n += log.producerStateManager.removeExpiredProducers(now, ms);
    return n;
  }

  getLog(topic: string, partition: number): Log | undefined {
    return this.logs.get(tpKey(topic, partition));
  }

  allLogs(): Log[] {
    return [...this.logs.values()];
  }

  /** The log, created in the dir holding the fewest logs when it does not exist. */
  getOrCreateLog(
    topic: string,
    partition: number,
    topicConfig: Record<string, string | number> = {},
  ): Log {
    this.ensureOpen();
    if (!/^[a-zA-Z0-9._-]+$/.test(topic) || topic === '.' || topic === '..' || topic.length > 249)
      throw new KafkaError('INVALID_TOPIC_EXCEPTION', `invalid topic name "${topic}"`);
    if (!Number.isInteger(partition) || partition < 0)
      throw new KafkaError('INVALID_PARTITIONS', `invalid partition ${partition}`);
    const key = tpKey(topic, partition);
    const existing = this.logs.get(key);
    const config = { ...this.defaults, ...topicConfig };
    this.topicOverrides.set(topic, { ...topicConfig });
    if (existing) {
      if (Object.keys(topicConfig).length) existing.updateConfig(config);
      return existing;
    }
    const counts = new Map(this.opts.logDirs.map((d) => [d, 0]));
    for (const d of this.dirOf.values()) counts.set(d, (counts.get(d) ?? 0) + 1);
    const dir = [...counts.entries()].sort((a, b) => a[1] - b[1])[0][0];
    const log = Log.open(path.join(dir, key), config, { time: this.time, logger: this.logger });
    this.logs.set(key, log);
    this.dirOf.set(key, dir);
    return log;
  }

  /**
   * Kafka's LogManager.updateTopicConfig: every log of `topic` takes the broker's
   * defaults overlaid with `topicConfig` (the topic's complete override set, so a removed
   * override falls back to the default). Invalid configs are INVALID_CONFIG and change
   * nothing. Returns how many logs were updated.
   */
  updateTopicConfig(topic: string, topicConfig: Record<string, string | number>): number {
    const config = logConfig({ ...this.defaults, ...topicConfig });
    this.topicOverrides.set(topic, { ...topicConfig });
    let n = 0;
    for (const [key, log] of this.logs) {
      if (log.isClosed || key.slice(0, key.lastIndexOf('-')) !== topic) continue;
      log.updateConfig(config);
      n++;
    }
    return n;
  }

  /** The topic-level defaults logs without an override take (Kafka key names). */
  get defaultConfig(): Readonly<Record<string, string | number>> {
    return this.defaults;
  }

  /**
   * Kafka's reconfigureDefaultLogConfig plus DynamicLogConfig.updateLogsConfig: the
   * broker's topic-level defaults changed (a dynamic broker config); every open log takes
   * the new defaults overlaid with its topic's overrides, and logs created later start
   * from them. Invalid defaults are INVALID_CONFIG and change nothing. Returns how many
   * logs were updated.
   */
  reconfigureDefaultLogConfig(defaults: Record<string, string | number>): number {
    logConfig(defaults); // refuse a bad set before changing anything
    const configs = new Map<string, ReturnType<typeof logConfig>>();
    for (const log of this.logs.values()) {
      if (log.isClosed || configs.has(log.topic)) continue;
      configs.set(log.topic, logConfig({ ...defaults, ...this.topicOverrides.get(log.topic) }));
    }
    this.defaults = { ...defaults };
    let n = 0;
    for (const log of this.logs.values()) {
      const config = configs.get(log.topic);
      if (log.isClosed || !config) continue;
      log.updateConfig(config);
      n++;
    }
    return n;
  }

  /** Closes the log and removes its directory (renamed `<tp>.<id>-delete` first, as Kafka). */
  deleteLog(topic: string, partition: number): boolean {
    const key = tpKey(topic, partition);
    const log = this.logs.get(key);
    if (!log) return false;
    log.close();
    this.logs.delete(key);
    this.dirOf.delete(key);
    const doomed = `${log.dir}.${randomUUID().replace(/-/g, '')}-delete`;
    fs.renameSync(log.dir, doomed);
    // Retries: an asynchronous leader-epoch checkpoint write may be creating its temp file.
    fs.rmSync(doomed, { recursive: true, force: true, maxRetries: 3 });
    return true;
  }

  // ---- checkpoints ----------------------------------------------------------------------------

  private perDir(value: (log: Log) => number | undefined): Map<string, TopicPartitionOffset[]> {
    const out = new Map<string, TopicPartitionOffset[]>(this.opts.logDirs.map((d) => [d, []]));
    for (const [key, log] of this.logs) {
      const offset = value(log);
      if (offset !== undefined)
        out.get(this.dirOf.get(key)!)!.push({ topic: log.topic, partition: log.partition, offset });
    }
    return out;
  }

  /** Writes checkpoint `name` of each dir with `offsetOf` of its logs, off the event loop. */
  private async writeCheckpointsAsync(
    name: string,
    offsetOf: (log: Log) => number | undefined,
  ): Promise<void> {
    await Promise.all(
      [...this.perDir(offsetOf)].map(([dir, entries]) =>
        new OffsetCheckpointFile(path.join(dir, name)).writeAsync(entries),
      ),
    );
  }

  checkpointRecoveryPoints(): void {
    for (const [dir, entries] of this.perDir(recoveryPointOf))
      new OffsetCheckpointFile(path.join(dir, RECOVERY_POINT_CHECKPOINT)).write(entries);
  }

  checkpointLogStartOffsets(): void {
    for (const [dir, entries] of this.perDir(logStartOffsetOf))
      new OffsetCheckpointFile(path.join(dir, LOG_START_OFFSET_CHECKPOINT)).write(entries);
  }

  checkpointCleanerOffsets(): void {
    for (const [dir, entries] of this.perDir((l) =>
      l.config.cleanupPolicy.compact ? l.firstDirtyOffset : undefined,
    ))
      new OffsetCheckpointFile(path.join(dir, CLEANER_OFFSET_CHECKPOINT)).write(entries);
  }

  /** Writes replication-offset-checkpoint (high watermarks) for the partitions in each dir. */
  checkpointHighWatermarks(highWatermarks: Iterable<TopicPartitionOffset>): void {
    const byKey = new Map([...highWatermarks].map((e) => [tpKey(e.topic, e.partition), e.offset]));
    for (const [dir, entries] of this.perDir((l) => byKey.get(tpKey(l.topic, l.partition))))
      new OffsetCheckpointFile(path.join(dir, REPLICATION_OFFSET_CHECKPOINT)).write(entries);
  }

  /** Checkpoints the high watermarks the `highWatermark` option reports. */
  checkpointSuppliedHighWatermarks(): void {
    const supply = this.opts.highWatermark;
    if (!supply) return;
    const entries: TopicPartitionOffset[] = [];
    for (const log of this.logs.values()) {
      const offset = supply(log.topic, log.partition);
      if (offset !== undefined)
        entries.push({ topic: log.topic, partition: log.partition, offset });
    }
    this.checkpointHighWatermarks(entries);
  }

  /** High watermarks from every dir's replication-offset-checkpoint. */
  readHighWatermarks(): Map<string, number> {
    const out = new Map<string, number>();
    for (const dir of this.opts.logDirs)
      for (const [k, v] of new OffsetCheckpointFile(
        path.join(dir, REPLICATION_OFFSET_CHECKPOINT),
      ).readMap())
        out.set(k, v);
    return out;
  }

  // ---- background passes ---------------------------------------------------------------------

  private hw(log: Log): number {
    return this.opts.highWatermark?.(log.topic, log.partition) ?? log.logEndOffset;
  }

  /** One retention pass over every log; returns the segments deleted. */
  cleanupLogs(): number {
    let n = 0;
    for (const log of this.logs.values())
      if (!log.isClosed) n += log.deleteOldSegments(this.hw(log));
    return n;
  }

  flushDirtyLogs(): void {
    const now = this.time.milliseconds();
    for (const log of this.logs.values()) if (!log.isClosed) log.flushIfDue(now);
  }

  /** One cleaner pass: compacts each compacted log that is due; returns how many it cleaned. */
  async runCleaner(): Promise<number> {
    let n = 0;
    for (const log of [...this.logs.values()]) {
      if (this.closed || log.isClosed || !log.config.cleanupPolicy.compact) continue;
      const res = await cleanLog(log, {
        now: this.time.milliseconds(),
        highWatermark: this.hw(log),
      });
      if (res) n++;
    }
    if (n > 0 && !this.closed) this.checkpointCleanerOffsets();
    return n;
  }

  /** Stops background work, flushes and closes every log, writes checkpoints and the clean-shutdown marker. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.tasks.map((t) => t.stop()));
    // All logs' fsyncs at once on the libuv pool (Kafka: a thread pool per log dir), and
    // only of files written since their last fsync. A log whose asynchronous close failed
    // is closed synchronously, which reports the error.
    // At most CLOSE_CONCURRENCY at a time: the libuv pool runs 4 anyway, and 10,000 logs
    // closed at once opened ~20,000 files together (EMFILE at the default ulimit, each
    // failure then closed synchronously) and made a burst of garbage
    const logs = [...this.logs.values()];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < logs.length) await logs[next++].closeAsync().catch(() => undefined);
    };
    await Promise.all(Array.from({ length: Math.min(CLOSE_CONCURRENCY, logs.length) }, worker));
    for (const log of this.logs.values()) log.close();
    this.checkpointRecoveryPoints();
    this.checkpointLogStartOffsets();
    this.checkpointCleanerOffsets();
    this.checkpointSuppliedHighWatermarks();
    for (const dir of this.opts.logDirs) writeFileAtomic(path.join(dir, CLEAN_SHUTDOWN_FILE), '');
    for (const u of this.unlocks) u();
  }

  private ensureOpen(): void {
    if (this.closed) throw new KafkaError('KAFKA_STORAGE_ERROR', 'the log manager is closed');
  }
}
