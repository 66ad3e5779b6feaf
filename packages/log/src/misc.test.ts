import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KafkaError, Logger, MockTime } from '@kzoo/common';
import { buildRecordBatch } from '@kzoo/records';
import {
  LeaderEpochCheckpointFile,
  OffsetCheckpointFile,
  writeFileAtomicAsync,
} from './checkpoints';
import { logConfig, LONG_MAX } from './config';
import { LeaderEpochFileCache } from './LeaderEpochFileCache';
import { Log } from './Log';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kzoo-log-misc-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('Log > LeaderEpochFileCache', () => {
  function cache(): { c: LeaderEpochFileCache; file: string } {
    const file = path.join(fs.mkdtempSync(path.join(root, 'e')), 'leader-epoch-checkpoint');
    return { c: new LeaderEpochFileCache(new LeaderEpochCheckpointFile(file)), file };
  }

  test('assign keeps epochs increasing and persists each change', () => {
    const { c, file } = cache();
    c.assign(1, 0);
    c.assign(1, 5); // same epoch, later offset: ignored
    c.assign(3, 10);
    c.assign(2, 12); // older epoch: ignored
    expect(c.epochEntries()).toEqual([
      { epoch: 1, startOffset: 0 },
      { epoch: 3, startOffset: 10 },
    ]);
    expect(fs.readFileSync(file, 'utf8')).toBe('0\n2\n1 0\n3 10\n');
    expect(new LeaderEpochFileCache(new LeaderEpochCheckpointFile(file)).epochEntries()).toEqual(
      c.epochEntries(),
    );
  });

  test('assignAsync: concurrent writes, of many caches and of one cache, end on disk with every entry; a reload reads them', async () => {
    const many = Array.from({ length: 200 }, () => cache());
    const one = cache();
    const writes = many.map(({ c }, i) => c.assignAsync(5, i));
    // 50 epochs on one cache without waiting: one write at a time, each of the latest entries.
    for (let e = 0; e < 50; e++) writes.push(one.c.assignAsync(e, e * 10));
    expect(one.c.isDurable).toBe(false);
    await Promise.all(writes);
    expect(one.c.isDurable).toBe(true);
    const want = Array.from({ length: 50 }, (_, e) => ({ epoch: e, startOffset: e * 10 }));
    // Reload as after a crash: a new cache reads only what the file holds.
    expect(
      new LeaderEpochFileCache(new LeaderEpochCheckpointFile(one.file)).epochEntries(),
    ).toEqual(want);
    many.forEach(({ file }, i) =>
      expect(new LeaderEpochCheckpointFile(file).read()).toEqual([{ epoch: 5, startOffset: i }]),
    );
    expect(fs.readdirSync(path.dirname(one.file))).toEqual(['leader-epoch-checkpoint']);
  });

  test('assignAsync: a synchronous write during it wins; the older async write is dropped', async () => {
    const { c, file } = cache();
    const first = c.assignAsync(1, 0);
    c.assign(2, 5); // synchronous: on disk now, with both entries
    expect(new LeaderEpochCheckpointFile(file).read()).toEqual([
      { epoch: 1, startOffset: 0 },
      { epoch: 2, startOffset: 5 },
    ]);
    await first;
    // The dropped async write removes its temp file (generous ceiling: a loaded machine).
    const tmp = `${file}.async.tmp`;
    for (const end = Date.now() + 10_000; fs.existsSync(tmp) && Date.now() < end;)
      await new Promise((r) => setTimeout(r, 5));
    expect(fs.readdirSync(path.dirname(file))).toEqual(['leader-epoch-checkpoint']);
    expect(new LeaderEpochCheckpointFile(file).read()).toEqual([
      { epoch: 1, startOffset: 0 },
      { epoch: 2, startOffset: 5 },
    ]);
    // Nothing changed: resolves at once, no write.
    await c.assignAsync(2, 9);
    expect(c.isDurable).toBe(true);
  });

  test('assignAsync rejects when the write fails, and a later flush retries', async () => {
    const { c, file } = cache();
    fs.rmSync(path.dirname(file), { recursive: true });
    await expect(c.assignAsync(1, 0)).rejects.toThrow(/ENOENT/);
    expect(c.isDurable).toBe(false);
    fs.mkdirSync(path.dirname(file));
    await c.flushed();
    expect(new LeaderEpochCheckpointFile(file).read()).toEqual([{ epoch: 1, startOffset: 0 }]);
  });

  test('endOffsetFor answers as KIP-101 / KIP-279', () => {
    const { c } = cache();
    c.assign(2, 0);
    c.assign(4, 10);
    c.assign(7, 25);
    expect(c.endOffsetFor(7, 40)).toEqual({ epoch: 7, endOffset: 40 }); // latest: the LEO
    expect(c.endOffsetFor(4, 40)).toEqual({ epoch: 4, endOffset: 25 });
    expect(c.endOffsetFor(5, 40)).toEqual({ epoch: 4, endOffset: 25 }); // unknown epoch: largest below
    expect(c.endOffsetFor(1, 40)).toEqual({ epoch: 1, endOffset: 0 }); // older than all
    expect(c.endOffsetFor(9, 40)).toEqual({ epoch: -1, endOffset: -1 }); // newer than all
    expect(c.endOffsetFor(-1, 40)).toEqual({ epoch: -1, endOffset: -1 });
  });

  test('truncateFromEnd and truncateFromStart, written asynchronously', async () => {
    const { c, file } = cache();
    c.assign(2, 0);
    c.assign(4, 10);
    c.assign(7, 25);
    c.truncateFromEnd(25);
    expect(c.epochEntries()).toEqual([
      { epoch: 2, startOffset: 0 },
      { epoch: 4, startOffset: 10 },
    ]);
    expect(c.isDurable).toBe(false);
    await c.flushed();
    expect(new LeaderEpochCheckpointFile(file).read()).toEqual(c.epochEntries());
    c.truncateFromStart(12);
    expect(c.epochEntries()).toEqual([{ epoch: 4, startOffset: 12 }]);
    await c.flushed();
    expect(new LeaderEpochCheckpointFile(file).read()).toEqual([{ epoch: 4, startOffset: 12 }]);
  });

  test('close(true) writes pending changes at once; close(false) fails the waiters', async () => {
    const a = cache();
    a.c.assign(1, 0);
    a.c.truncateFromEnd(0);
    a.c.close(true);
    expect(new LeaderEpochCheckpointFile(a.file).read()).toEqual([]);
    const b = cache();
    const pending = b.c.assignAsync(1, 0);
    b.c.close(false);
    await expect(pending).rejects.toThrow(/closed before written/);
  });
});

describe('Log > checkpoints', () => {
  test('offset checkpoint files are Kafka text, written atomically', () => {
    const file = path.join(root, 'recovery-point-offset-checkpoint');
    const f = new OffsetCheckpointFile(file);
    expect(f.read()).toEqual([]);
    f.write([
      { topic: 'a-b', partition: 0, offset: 5 },
      { topic: 'c', partition: 12, offset: 2 ** 40 },
    ]);
    expect(fs.readFileSync(file, 'utf8')).toBe(`0\n2\na-b 0 5\nc 12 ${2 ** 40}\n`);
    expect(f.readMap()).toEqual(
      new Map([
        ['a-b-0', 5],
        ['c-12', 2 ** 40],
      ]),
    );
    expect(fs.existsSync(file + '.tmp')).toBe(false);
    fs.writeFileSync(file, '0\n3\na 0 1\n');
    expect(() => f.read()).toThrow(KafkaError);
  });

  test('a synchronous write after an asynchronous one passed its check wins: the async rename is dropped', async () => {
    const file = path.join(root, 'leader-epoch-checkpoint-race');
    const f = new LeaderEpochCheckpointFile(file);
    // the synchronous write lands between the async writer's check and its rename
    const written = await writeFileAtomicAsync(file, '0\n1\n1 0\n', `${file}.async.tmp`, () => {
      f.write([{ epoch: 2, startOffset: 7 }]);
      return true;
    });
    expect(written).toBe(false);
    expect(f.read()).toEqual([{ epoch: 2, startOffset: 7 }]);
    expect(fs.existsSync(`${file}.async.tmp`)).toBe(false);
    // without a competing write the async one lands
    expect(await f.writeAsync([{ epoch: 3, startOffset: 9 }])).toBe(true);
    expect(f.read()).toEqual([{ epoch: 3, startOffset: 9 }]);
  });
});

describe('Log > config', () => {
  test("Kafka's keys and defaults", () => {
    const c = logConfig();
    expect(c).toMatchObject({
      segmentBytes: 1073741824,
      segmentMs: 604800000,
      segmentIndexBytes: 10485760,
      indexIntervalBytes: 4096,
      retentionMs: 604800000,
      retentionBytes: -1,
      cleanupPolicy: { delete: true, compact: false },
      deleteRetentionMs: 86400000,
      maxMessageBytes: 1048588,
      flushMessages: LONG_MAX,
      flushMs: LONG_MAX,
      fileDeleteDelayMs: 60000,
      minCleanableDirtyRatio: 0.5,
    });
    const d = logConfig({
      'cleanup.policy': 'compact,delete',
      'segment.bytes': '2048',
      'flush.messages': '9223372036854775807',
    });
    expect(d.cleanupPolicy).toEqual({ delete: true, compact: true });
    expect(d.segmentBytes).toBe(2048);
    expect(d.flushMessages).toBe(LONG_MAX);
  });

  test.each([
    [
      { 'segment.bytes': 'big' },
      'Invalid value big for configuration segment.bytes: Not a number of type INT',
    ],
    [
      { 'segment.bytes': '13' },
      'Invalid value 13 for configuration segment.bytes: Value must be at least 14',
    ],
    [
      { 'cleanup.policy': 'shred' },
      'Invalid value shred for configuration cleanup.policy: String must be one of: compact, delete',
    ],
    [
      { 'retention.ms': -5 },
      'Invalid value -5 for configuration retention.ms: Value must be at least -1',
    ],
    [
      { 'min.cleanable.dirty.ratio': 2 },
      'Invalid value 2 for configuration min.cleanable.dirty.ratio: Value must be no more than 1',
    ],
    [
      { 'min.insync.replicas': '0' },
      'Invalid value 0 for configuration min.insync.replicas: Value must be at least 1',
    ],
  ])('%j is INVALID_CONFIG: %s', (bad, message) => {
    let err: unknown;
    try {
      logConfig(bad);
    } catch (e) {
      err = e;
    }
    expect((err as KafkaError).errorName).toBe('INVALID_CONFIG');
    expect((err as KafkaError).message).toBe(`INVALID_CONFIG: ${message}`);
  });

  test('an unknown topic key is a warning naming it', () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => {});
    try {
      expect(logConfig({ 'retention.mss': 1, 'retention.ms': 5 }).retentionMs).toBe(5);
      expect(warn.mock.calls.map((c) => c[0])).toEqual([
        "The configuration 'retention.mss' was supplied but isn't a known config.",
      ]);
    } finally {
      warn.mockRestore();
    }
  });
});

describe('Log > durability and log start', () => {
  test('flush.messages moves the recovery point after that many records', () => {
    const log = Log.open(
      path.join(root, 'flush-0'),
      { 'flush.messages': 5 },
      { time: new MockTime() },
    );
    const b = () => buildRecordBatch({ records: [{ value: 'a' }, { value: 'b' }] });
    log.append(b());
    log.append(b());
    expect(log.recoveryPoint).toBe(0);
    log.append(b());
    expect(log.recoveryPoint).toBe(6);
    log.close();
  });

  test('flush.ms flushes when due', () => {
    const time = new MockTime();
    const log = Log.open(path.join(root, 'flushms-0'), { 'flush.ms': 1000 }, { time });
    log.append(buildRecordBatch({ records: [{ value: 'a' }] }));
    expect(log.flushIfDue()).toBe(false);
    time.tick(1000);
    expect(log.flushIfDue()).toBe(true);
    expect(log.recoveryPoint).toBe(1);
    log.close();
  });

  test('maybeIncrementLogStartOffset (DeleteRecords) and retention of segments below it', () => {
    const log = Log.open(
      path.join(root, 'dr-0'),
      { 'segment.bytes': 300 },
      { time: new MockTime() },
    );
    for (let i = 0; i < 10; i++)
      log.append(buildRecordBatch({ records: [{ value: 'x'.repeat(50) }, { value: 'y' }] }));
    expect(() => log.maybeIncrementLogStartOffset(50)).toThrow(KafkaError);
    expect(log.maybeIncrementLogStartOffset(9)).toBe(true);
    expect(log.logStartOffset).toBe(9);
    expect(() => log.read(8, 1000)).toThrow(KafkaError);
    expect(log.read(9, 1000).firstOffset).toBe(8); // the whole batch holding 9
    log.deleteOldSegments();
    expect(log.logSegments()[0].baseOffset).toBeLessThanOrEqual(9);
    expect(log.logStartOffset).toBe(9);
    log.close();
  });

  test('compacted topics refuse records without a key', () => {
    const log = Log.open(
      path.join(root, 'ck-0'),
      { 'cleanup.policy': 'compact' },
      { time: new MockTime() },
    );
    let err: unknown;
    try {
      log.append(buildRecordBatch({ records: [{ key: 'k', value: 'a' }, { value: 'b' }] }));
    } catch (e) {
      err = e;
    }
    expect((err as KafkaError).errorName).toBe('INVALID_RECORD');
    expect(log.logEndOffset).toBe(0);
    log.close();
  });
});
