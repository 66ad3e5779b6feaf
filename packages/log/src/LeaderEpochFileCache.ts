/**
 * Kafka's LeaderEpochFileCache (KIP-101/279): the (epoch, startOffset) of each leader
 * epoch in this log, persisted in `leader-epoch-checkpoint` on every change.
 *
 * `assign` (a follower or log recovery meeting a new epoch in a batch) writes synchronously.
 * `assignAsync`, used when a LeaderAndIsr makes this broker leader, changes the cache at
 * once and writes the file on the libuv pool, so thousands of partitions' checkpoints are
 * written concurrently instead of one fsync after another; its promise (and `flushed()`)
 * resolves once the file holds the change. Truncations (`truncateFromEnd/Start`) are
 * written asynchronously too, without anyone waiting (as Kafka since KAFKA-16541): a lost
 * truncation only leaves entries past the log end, which the next load truncates again.
 * Writes are versioned: a synchronous write made while an asynchronous one is in flight
 * wins, and the older asynchronous write is dropped before its rename (the checkpoint
 * file orders the writes of its path, checkpoints.ts).
 */
import { EpochEntry, LeaderEpochCheckpointFile } from './checkpoints';

export const UNDEFINED_EPOCH = -1;
export const UNDEFINED_EPOCH_OFFSET = -1;

interface Waiter {
  version: number;
  resolve: () => void;
  reject: (e: Error) => void;
}

export class LeaderEpochFileCache {
  private entries: EpochEntry[];
  /** Bumped on every change; `durableVersion` is the newest one known to be on disk. */
  private version = 0;
  private durableVersion = 0;
  private writing = false;
  private waiters: Waiter[] = [];

  private closed = false;

  constructor(
    private readonly checkpoint: LeaderEpochCheckpointFile | null,
    /** Told of a failed asynchronous write nobody waits for (a truncation). */
    private readonly onWriteError: (e: Error) => void = () => undefined,
  ) {
    this.entries = checkpoint ? checkpoint.read() : [];
  }

  epochEntries(): readonly EpochEntry[] {
    return this.entries;
  }

  latestEpoch(): number {
    return this.entries.length ? this.entries[this.entries.length - 1].epoch : UNDEFINED_EPOCH;
  }

  earliestEntry(): EpochEntry | undefined {
    return this.entries[0];
  }

  /**
   * Records that `epoch` starts at `startOffset`. Ignored unless the epoch is newer than
   * the latest one; entries at or past `startOffset` with lower epochs are dropped.
   */
  assign(epoch: number, startOffset: number): void {
    if (this.assignInMemory(epoch, startOffset)) this.persist();
  }

  /**
   * As `assign`, but the checkpoint is written off the event loop; resolves when the file
   * holds the entry (at once when nothing changed and nothing is pending), rejects when
   * the write fails.
   */
  assignAsync(epoch: number, startOffset: number): Promise<void> {
    if (this.assignInMemory(epoch, startOffset) && this.checkpoint) this.version++;
    return this.flushed();
  }

  /** True when every change is on disk. */
  get isDurable(): boolean {
    return this.durableVersion >= this.version;
  }

  /** Resolves when every change made so far is on disk (writing it if an async write is due). */
  flushed(): Promise<void> {
    if (this.isDurable) return Promise.resolve();
    if (this.closed)
      return Promise.reject(new Error(`${this.checkpoint?.file} closed before written`));
    const p = new Promise<void>((resolve, reject) =>
      this.waiters.push({ version: this.version, resolve, reject }),
    );
    if (!this.writing) void this.writeLoop();
    return p;
  }

  /**
   * No more writes: with `flush`, pending changes are written synchronously first (the log
   * closes); without, they are dropped (the log is being deleted).
   */
  close(flush: boolean): void {
    if (flush && !this.isDurable) this.persist();
    this.closed = true;
    const dropped = this.waiters;
    this.waiters = [];
    for (const w of dropped) w.reject(new Error(`${this.checkpoint?.file} closed before written`));
  }

  private assignInMemory(epoch: number, startOffset: number): boolean {
    if (epoch < 0) return false;
    const latest = this.entries[this.entries.length - 1];
    if (
      latest &&
      (epoch < latest.epoch || (epoch === latest.epoch && startOffset >= latest.startOffset))
    )
      return false;
    this.entries = this.entries.filter((e) => e.epoch < epoch && e.startOffset < startOffset);
    this.entries.push({ epoch, startOffset });
    return true;
  }

  /** One asynchronous write at a time, of the latest entries, until all is durable. */
  private async writeLoop(): Promise<void> {
    this.writing = true;
    try {
      // Start after the current synchronous work: a close() in the same turn (a log opened
      // and closed at once) then needs no write at all.
      await Promise.resolve();
      while (!this.isDurable && this.checkpoint && !this.closed) {
        const v = this.version;
        // a synchronous persist() meanwhile supersedes this write (LeaderEpochCheckpointFile
        // orders the writes of a path), so only a close needs checking here
        const written = await this.checkpoint.writeAsync(this.entries, () => !this.closed);
        if (written) this.markDurable(v);
      }
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      const failed = this.waiters;
      this.waiters = [];
      for (const w of failed) w.reject(err);
      if (failed.length === 0 && !this.closed) this.onWriteError(err);
    } finally {
      this.writing = false;
    }
  }

  private markDurable(version: number): void {
    if (version <= this.durableVersion) return;
    this.durableVersion = version;
    const done = this.waiters.filter((w) => w.version <= version);
    this.waiters = this.waiters.filter((w) => w.version > version);
    for (const w of done) w.resolve();
  }

  /**
   * KIP-101 / KIP-279 OffsetsForLeaderEpoch answer: the largest epoch <= `requestedEpoch`
   * and its end offset (the start of the next higher epoch, or `logEndOffset` for the latest).
   */
  endOffsetFor(requestedEpoch: number, logEndOffset: number): { epoch: number; endOffset: number } {
    if (requestedEpoch === UNDEFINED_EPOCH || this.entries.length === 0)
      return { epoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET };
    if (requestedEpoch === this.latestEpoch())
      return { epoch: requestedEpoch, endOffset: logEndOffset };
    const higher = this.entries.find((e) => e.epoch > requestedEpoch);
    if (!higher) return { epoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET };
    let floor: EpochEntry | undefined;
    for (const e of this.entries) if (e.epoch <= requestedEpoch) floor = e;
    return { epoch: floor ? floor.epoch : requestedEpoch, endOffset: higher.startOffset };
  }

  /** Removes entries starting at or after `endOffset` (the log was truncated to it). */
  truncateFromEnd(endOffset: number): void {
    const kept = this.entries.filter((e) => e.startOffset < endOffset);
    if (kept.length !== this.entries.length) {
      this.entries = kept;
      this.persistAsync();
    }
  }

  /**
   * The log now starts at `startOffset`: drop entries wholly before it and move the
   * start of the epoch that holds it up to `startOffset`.
   */
  truncateFromStart(startOffset: number): void {
    let idx = -1;
    for (let i = 0; i < this.entries.length; i++)
      if (this.entries[i].startOffset <= startOffset) idx = i;
    if (idx < 0) return;
    const kept = this.entries.slice(idx);
    const changed = idx > 0 || kept[0].startOffset !== startOffset;
    kept[0] = { epoch: kept[0].epoch, startOffset };
    this.entries = kept;
    if (changed) this.persistAsync();
  }

  clear(): void {
    this.entries = [];
    this.persist();
  }

  /** Writes the change off the event loop, nobody waiting (errors go to `onWriteError`). */
  private persistAsync(): void {
    if (!this.checkpoint || this.closed) return;
    this.version++;
    if (!this.writing) void this.writeLoop();
  }

  private persist(): void {
    if (!this.checkpoint) return;
    const v = ++this.version;
    this.checkpoint.write(this.entries);
    this.markDurable(v);
  }
}
