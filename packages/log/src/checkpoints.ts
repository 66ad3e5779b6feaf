/**
 * Kafka's checkpoint files (kafka.server.checkpoints): text, line 1 the version `0`,
 * line 2 the entry count, then one entry per line. Offset checkpoints hold
 * `topic partition offset` (recovery-point-offset-checkpoint, log-start-offset-checkpoint,
 * replication-offset-checkpoint, cleaner-offset-checkpoint); leader-epoch-checkpoint holds
 * `epoch startOffset`. Written atomically: temp file, fsync, rename, fsync of the folder.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KafkaError } from '@kzoo/common';

export const RECOVERY_POINT_CHECKPOINT = 'recovery-point-offset-checkpoint';
export const LOG_START_OFFSET_CHECKPOINT = 'log-start-offset-checkpoint';
export const REPLICATION_OFFSET_CHECKPOINT = 'replication-offset-checkpoint';
export const CLEANER_OFFSET_CHECKPOINT = 'cleaner-offset-checkpoint';
export const LEADER_EPOCH_CHECKPOINT = 'leader-epoch-checkpoint';
export const CLEAN_SHUTDOWN_FILE = '.kafka_cleanshutdown';

/**
 * Writes `text` to `file` atomically and durably. `supersedes`: the temp file of an
 * asynchronous writer of the same file (writeFileAtomicAsync), removed just before the
 * rename so that its pending rename fails (ENOENT) instead of landing after this newer
 * content; if it already landed, this rename comes after it. Either way the newest wins.
 */
export function writeFileAtomic(file: string, text: string | Buffer, supersedes?: string): void {
  const tmp = `${file}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, typeof text === 'string' ? Buffer.from(text, 'utf8') : text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  if (supersedes !== undefined) fs.rmSync(supersedes, { force: true });
  fs.renameSync(tmp, file);
  fsyncDir(path.dirname(file));
}

/**
 * As writeFileAtomic but on the libuv pool, off the event loop (the rename too: at
 * thousands of partitions a synchronous rename per checkpoint held the event loop for
 * seconds), through `tmp` (default `<file>.tmp`). When `beforeRename` returns false the
 * write is dropped (the temp file is removed) and the result is false: a newer version was
 * written meanwhile. A synchronous writer of the same file passes `tmp` as writeFileAtomic's
 * `supersedes`: the rename then fails with ENOENT and the result is false as well.
 */
export async function writeFileAtomicAsync(
  file: string,
  text: string | Buffer,
  tmp = `${file}.tmp`,
  beforeRename: () => boolean = () => true,
): Promise<boolean> {
  // fs callbacks, not FileHandles: a LeaderAndIsr making 1,700 partitions leader wrote as
  // many epoch checkpoints, and fs.promises' open/FileHandle/write cost ~0.6 s of the
  // event loop (openFileHandle, writeBuffer, open, write self time in the controller's profile)
  const data = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  const fd = await call<number>((cb) => fs.open(tmp, 'w', cb));
  try {
    let off = 0;
    while (off < data.length)
      off += await call<number>((cb) => fs.write(fd, data, off, data.length - off, off, cb));
    await call<void>((cb) => fs.fsync(fd, cb));
  } finally {
    await call<void>((cb) => fs.close(fd, cb));
  }
  if (!beforeRename()) {
    await call<void>((cb) => fs.rm(tmp, { force: true }, cb));
    return false;
  }
  try {
    await call<void>((cb) => fs.rename(tmp, file, cb));
  } catch (e) {
    // a synchronous writer removed our temp file: its newer content is (or will be) in place
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
  await fsyncDirAsync(path.dirname(file));
  return true;
}

export async function fsyncDirAsync(dir: string): Promise<void> {
  let fd: number;
  try {
    fd = await call<number>((cb) => fs.open(dir, 'r', cb));
  } catch {
    return; // Some platforms cannot open a directory; the rename is still atomic.
  }
  try {
    await call<void>((cb) => fs.fsync(fd, cb));
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic.
  } finally {
    await call<void>((cb) => fs.close(fd, cb)).catch(() => undefined);
  }
}

/** A node-style callback call as a promise. */
function call<T>(
  fn: (cb: (err: NodeJS.ErrnoException | null, value?: T) => void) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) =>
    fn((err, value) => (err ? reject(err) : resolve(value as T))),
  );
}

export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function parse(file: string, fields: number): string[][] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const lines = text.split('\n').filter((l) => l.length > 0);
  const bad = (why: string) =>
    new KafkaError('KAFKA_STORAGE_ERROR', `malformed checkpoint ${file}: ${why}`);
  if (lines.length < 2) throw bad('missing header');
  if (lines[0].trim() !== '0') throw bad(`unknown version ${lines[0]}`);
  const n = Number(lines[1]);
  if (!Number.isInteger(n) || n !== lines.length - 2)
    throw bad(`expected ${lines[1]} entries, found ${lines.length - 2}`);
  return lines.slice(2).map((l) => {
    const parts = l.trim().split(/\s+/);
    if (parts.length !== fields) throw bad(`bad line "${l}"`);
    return parts;
  });
}

/** `topic-partition` key used in checkpoint maps. */
export function tpKey(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

export interface TopicPartitionOffset {
  topic: string;
  partition: number;
  offset: number;
}

/**
 * Write order per checkpoint path, across the instances made for it (callers make a new
 * OffsetCheckpointFile per write). While an asynchronous write of a path is in flight its
 * entry counts the writes started since; the asynchronous write renames only if it is still
 * the latest, so a synchronous write made before its temp file even exists is not
 * overwritten by its older content.
 */
const writesInFlight = new Map<string, { latest: number; inFlight: number }>();

/** A synchronous write of `file` supersedes asynchronous writes in flight. */
function noteSyncWrite(file: string): void {
  const w = writesInFlight.get(file);
  if (w) w.latest++;
}

/** Runs an asynchronous write of `file` that renames only while no later write started. */
async function orderedAsyncWrite(
  file: string,
  write: (stillLatest: () => boolean) => Promise<boolean>,
): Promise<boolean> {
  let w = writesInFlight.get(file);
  if (!w) writesInFlight.set(file, (w = { latest: 0, inFlight: 0 }));
  const mine = ++w.latest;
  w.inFlight++;
  const entry = w;
  try {
    return await write(() => entry.latest === mine);
  } finally {
    if (--entry.inFlight === 0) writesInFlight.delete(file);
  }
}

export class OffsetCheckpointFile {
  constructor(readonly file: string) {}

  /** Synchronous; supersedes an asynchronous write in flight (its rename is dropped). */
  write(entries: Iterable<TopicPartitionOffset>): void {
    noteSyncWrite(this.file);
    writeFileAtomic(this.file, OffsetCheckpointFile.format(entries), this.asyncTmp);
  }

  private get asyncTmp(): string {
    return `${this.file}.async.tmp`;
  }

  /**
   * Writes off the event loop (the fsyncs on the libuv pool, as Kafka writes its periodic
   * checkpoints from a scheduler thread) through `<file>.async.tmp`, so it never shares a
   * temp file with a synchronous write. One asynchronous writer per file at a time; a
   * synchronous `write` started meanwhile, even before the temp file exists, wins (this
   * resolves false then).
   */
  writeAsync(entries: Iterable<TopicPartitionOffset>): Promise<boolean> {
    const text = OffsetCheckpointFile.format(entries);
    return orderedAsyncWrite(this.file, (stillLatest) =>
      writeFileAtomicAsync(this.file, text, this.asyncTmp, stillLatest),
    );
  }

  private static format(entries: Iterable<TopicPartitionOffset>): string {
    const list = [...entries];
    const body = list.map((e) => `${e.topic} ${e.partition} ${e.offset}\n`).join('');
    return `0\n${list.length}\n${body}`;
  }

  read(): TopicPartitionOffset[] {
    return parse(this.file, 3).map(([topic, p, o]) => {
      const partition = Number(p);
      const offset = Number(o);
      if (!Number.isInteger(partition) || !Number.isSafeInteger(offset))
        throw new KafkaError(
          'KAFKA_STORAGE_ERROR',
          `malformed checkpoint ${this.file}: ${topic} ${p} ${o}`,
        );
      return { topic, partition, offset };
    });
  }

  /** As a map keyed by `topic-partition`. */
  readMap(): Map<string, number> {
    return new Map(this.read().map((e) => [tpKey(e.topic, e.partition), e.offset]));
  }
}

export interface EpochEntry {
  epoch: number;
  startOffset: number;
}

export class LeaderEpochCheckpointFile {
  constructor(readonly file: string) {}

  /** Synchronous; supersedes an asynchronous write in flight (its rename is dropped). */
  write(entries: readonly EpochEntry[]): void {
    noteSyncWrite(this.file);
    writeFileAtomic(this.file, LeaderEpochCheckpointFile.format(entries), this.asyncTmp);
  }

  private get asyncTmp(): string {
    return `${this.file}.async.tmp`;
  }

  /**
   * Writes off the event loop through `<file>.async.tmp` (so it never shares a temp file
   * with a synchronous write); dropped, resolving false, when `beforeRename` says so or a
   * synchronous `write` superseded it.
   */
  writeAsync(entries: readonly EpochEntry[], beforeRename?: () => boolean): Promise<boolean> {
    const text = LeaderEpochCheckpointFile.format(entries);
    return orderedAsyncWrite(this.file, (stillLatest) =>
      writeFileAtomicAsync(
        this.file,
        text,
        this.asyncTmp,
        () => stillLatest() && (beforeRename?.() ?? true),
      ),
    );
  }

  private static format(entries: readonly EpochEntry[]): string {
    const body = entries.map((e) => `${e.epoch} ${e.startOffset}\n`).join('');
    return `0\n${entries.length}\n${body}`;
  }

  read(): EpochEntry[] {
    return parse(this.file, 2).map(([e, o]) => ({ epoch: Number(e), startOffset: Number(o) }));
  }
}
