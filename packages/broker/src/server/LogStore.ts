/**
 * LogStore: the broker's partition logs over `log.dirs` (the part of Kafka's
 * LogManager the data path needs): opens every `<topic>-<partition>/` at startup with
 * its recovery point and log start offset from the checkpoint files (skipping recovery
 * after a clean shutdown, `.kafka_cleanshutdown`), creates new logs in the directory
 * holding the fewest, runs flush/retention periodically, keeps
 * `recovery-point-offset-checkpoint`, `log-start-offset-checkpoint` and
 * `replication-offset-checkpoint` (high watermarks) per directory, and on shutdown
 * closes every log and leaves the clean-shutdown marker.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createLogger, Logger, SystemTime, Time } from '@kzoo/common';
import {
  CLEAN_SHUTDOWN_FILE,
  LOG_START_OFFSET_CHECKPOINT,
  Log,
  OffsetCheckpointFile,
  RECOVERY_POINT_CHECKPOINT,
  REPLICATION_OFFSET_CHECKPOINT,
  logConfig,
  parseTopicPartitionName,
  tpKey,
  type TopicPartitionOffset,
} from '@kzoo/log';

export interface LogStoreOptions {
  logDirs: readonly string[];
  /** Topic-level defaults (Kafka's topic key names) derived from the broker's log.* keys. */
  defaults: Record<string, string | number>;
  /** log.retention.check.interval.ms; default 300000. */
  retentionCheckIntervalMs?: number;
  /** log.flush.offset.checkpoint.interval.ms; default 60000. */
  checkpointIntervalMs?: number;
  time?: Time;
  logger?: Logger;
}

export class LogStore {
  private readonly logs = new Map<string, Log>();
  private readonly dirOf = new Map<string, string>();
  private readonly hwCheckpoints = new Map<string, Map<string, number>>();
  private readonly time: Time;
  private readonly log: Logger;
  private timers: NodeJS.Timeout[] = [];
  private started = false;

  constructor(private readonly opts: LogStoreOptions) {
    this.time = opts.time ?? SystemTime;
    this.log = opts.logger ?? createLogger('log.manager');
  }

  /** Opens (and recovers where needed) every log found in `log.dirs`. */
  startup(): void {
    if (this.started) return;
    this.started = true;
    for (const dir of this.opts.logDirs) {
      fs.mkdirSync(dir, { recursive: true });
      const clean = fs.existsSync(path.join(dir, CLEAN_SHUTDOWN_FILE));
      const recovery = new OffsetCheckpointFile(
        path.join(dir, RECOVERY_POINT_CHECKPOINT),
      ).readMap();
      const starts = new OffsetCheckpointFile(
        path.join(dir, LOG_START_OFFSET_CHECKPOINT),
      ).readMap();
      this.hwCheckpoints.set(
        dir,
        new OffsetCheckpointFile(path.join(dir, REPLICATION_OFFSET_CHECKPOINT)).readMap(),
      );
      for (const name of fs.readdirSync(dir)) {
        const full = path.join(dir, name);
        if (name.endsWith('-delete')) {
          fs.rmSync(full, { recursive: true, force: true });
          continue;
        }
        const tp = parseTopicPartitionName(name);
        if (!tp || !fs.statSync(full).isDirectory()) continue;
        const key = tpKey(tp.topic, tp.partition);
        const l = Log.open(full, this.opts.defaults, {
          time: this.time,
          logger: this.log,
          recoveryPoint: recovery.get(key),
          logStartOffset: starts.get(key),
          hadCleanShutdown: clean,
        });
        this.logs.set(key, l);
        this.dirOf.set(key, dir);
      }
      fs.rmSync(path.join(dir, CLEAN_SHUTDOWN_FILE), { force: true });
    }
    this.log.info('loaded logs', { logs: this.logs.size, dirs: this.opts.logDirs.join(',') });
    const every = (ms: number, fn: () => void) => {
      const t = setInterval(() => {
        try {
          fn();
        } catch (e) {
          this.log.error('periodic log task failed', { error: e });
        }
      }, ms);
      t.unref();
      this.timers.push(t);
    };
    every(1000, () => {
      for (const l of this.logs.values()) if (!l.isClosed) l.flushIfDue();
    });
    every(this.opts.checkpointIntervalMs ?? 60000, () => this.checkpointLogOffsets());
    every(this.opts.retentionCheckIntervalMs ?? 300000, () => this.cleanupLogs());
  }

  getLog(topic: string, partition: number): Log | undefined {
    return this.logs.get(tpKey(topic, partition));
  }

  allLogs(): Log[] {
    return [...this.logs.values()];
  }

  /** The high watermark last checkpointed for a partition, or undefined. */
  checkpointedHighWatermark(topic: string, partition: number): number | undefined {
    const key = tpKey(topic, partition);
    const dir = this.dirOf.get(key);
    return dir ? this.hwCheckpoints.get(dir)?.get(key) : undefined;
  }

  /** The existing log, or a new empty one (topic-level `overrides` over the broker defaults). */
  getOrCreateLog(topic: string, partition: number, overrides: Record<string, string> = {}): Log {
    const key = tpKey(topic, partition);
    const existing = this.logs.get(key);
    if (existing) {
      if (Object.keys(overrides).length > 0)
        existing.updateConfig({ ...this.opts.defaults, ...overrides });
      return existing;
    }
    const dir = this.leastLoadedDir();
    const cfg = logConfig({ ...this.opts.defaults, ...overrides });
    const l = Log.open(path.join(dir, key), cfg, { time: this.time, logger: this.log });
    this.logs.set(key, l);
    this.dirOf.set(key, dir);
    this.log.info('created log', { partition: key, dir });
    return l;
  }

  /** Closes and removes a partition's log (StopReplica with deletePartition). */
  deleteLog(topic: string, partition: number): boolean {
    const key = tpKey(topic, partition);
    const l = this.logs.get(key);
    if (!l) return false;
    this.logs.delete(key);
    this.dirOf.delete(key);
    l.delete();
    this.log.info('deleted log', { partition: key });
    return true;
  }

  /** Writes `replication-offset-checkpoint` in every log dir from `hws` (topic-partition → HW). */
  checkpointHighWatermarks(hws: Iterable<TopicPartitionOffset>): void {
    const byDir = new Map<string, TopicPartitionOffset[]>();
    for (const d of this.opts.logDirs) byDir.set(d, []);
    for (const e of hws) {
      const dir = this.dirOf.get(tpKey(e.topic, e.partition));
      if (dir) byDir.get(dir)!.push(e);
    }
    for (const [dir, entries] of byDir) {
      new OffsetCheckpointFile(path.join(dir, REPLICATION_OFFSET_CHECKPOINT)).write(entries);
      this.hwCheckpoints.set(
        dir,
        new Map(entries.map((e) => [tpKey(e.topic, e.partition), e.offset])),
      );
    }
  }

  /** Writes the recovery-point and log-start-offset checkpoints of every dir. */
  checkpointLogOffsets(): void {
    for (const dir of this.opts.logDirs) {
      const logs = [...this.logs.entries()]
        .filter(([k]) => this.dirOf.get(k) === dir)
        .map(([, l]) => l);
      new OffsetCheckpointFile(path.join(dir, RECOVERY_POINT_CHECKPOINT)).write(
        logs.map((l) => ({ topic: l.topic, partition: l.partition, offset: l.recoveryPoint })),
      );
      new OffsetCheckpointFile(path.join(dir, LOG_START_OFFSET_CHECKPOINT)).write(
        logs.map((l) => ({ topic: l.topic, partition: l.partition, offset: l.logStartOffset })),
      );
    }
  }

  /** Retention; `highWatermark` bounds what may go (defaults to each log's end). */
  cleanupLogs(highWatermark?: (l: Log) => number): number {
    let n = 0;
    for (const l of this.logs.values()) {
      if (!l.isClosed) n += l.deleteOldSegments(highWatermark ? highWatermark(l) : undefined);
    }
    return n;
  }

  /** Stops the periodic tasks, flushes and closes every log, writes checkpoints and the clean-shutdown marker. */
  shutdown(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    if (!this.started) return;
    this.started = false;
    for (const l of this.logs.values()) l.close();
    this.checkpointLogOffsets();
    for (const dir of this.opts.logDirs) {
      fs.writeFileSync(path.join(dir, CLEAN_SHUTDOWN_FILE), '');
    }
    this.log.info('closed logs', { logs: this.logs.size });
  }

  private leastLoadedDir(): string {
    const counts = new Map(this.opts.logDirs.map((d) => [d, 0]));
    for (const d of this.dirOf.values()) counts.set(d, (counts.get(d) ?? 0) + 1);
    let best = this.opts.logDirs[0];
    for (const [d, c] of counts) if (c < counts.get(best)!) best = d;
    return best;
  }
}
