import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KafkaError, MockTime } from '@kzoo/common';
import { buildRecordBatch } from '@kzoo/records';
import { LogManager } from './LogManager';
import { LogSegment } from './LogSegment';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kzoo-logmanager-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
let n = 0;
function dirs(k = 1): string[] {
  const base = path.join(root, `m${n++}`);
  return Array.from({ length: k }, (_, i) => path.join(base, `dir${i}`));
}

function batch(count: number, ts = 1_700_000_000_000, key?: string): Buffer {
  return buildRecordBatch({
    records: Array.from({ length: count }, (_, i) => ({
      key: key ?? null,
      value: `value-${i}`.padEnd(60, '.'),
      timestamp: ts,
    })),
  });
}

/** Waits for work done on the libuv pool (fsync can take seconds on a loaded machine). */
async function eventually(check: () => boolean, ceilingMs = 30_000): Promise<void> {
  const deadline = Date.now() + ceilingMs;
  while (Date.now() < deadline) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 2));
  }
  throw new Error(`condition not reached within ${ceilingMs} ms`);
}

function expectStorageError(fn: () => unknown, pattern: RegExp): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(KafkaError);
  expect((err as KafkaError).errorName).toBe('KAFKA_STORAGE_ERROR');
  expect((err as Error).message).toMatch(pattern);
}

describe('Log > LogManager', () => {
  test('creates logs across dirs, writes Kafka-shaped checkpoints, reopens after a clean shutdown', async () => {
    const logDirs = dirs(2);
    const time = new MockTime();
    const m = LogManager.open({ logDirs, time });
    for (let p = 0; p < 4; p++)
      m.getOrCreateLog('orders', p).append(batch(p + 1), { leaderEpoch: 3 });
    expect(
      logDirs.map((d) => fs.readdirSync(d).filter((x) => x.startsWith('orders-')).length),
    ).toEqual([2, 2]);
    m.checkpointHighWatermarks([
      { topic: 'orders', partition: 0, offset: 1 },
      { topic: 'orders', partition: 3, offset: 2 },
    ]);
    await m.close();
    for (const d of logDirs) {
      expect(fs.existsSync(path.join(d, '.kafka_cleanshutdown'))).toBe(true);
      expect(fs.existsSync(path.join(d, '.lock'))).toBe(false);
      const rp = fs
        .readFileSync(path.join(d, 'recovery-point-offset-checkpoint'), 'utf8')
        .split('\n');
      expect(rp[0]).toBe('0');
      expect(rp[1]).toBe('2');
      expect(rp.slice(2, 4).every((l) => /^orders \d \d+$/.test(l))).toBe(true);
      expect(fs.readFileSync(path.join(d, 'log-start-offset-checkpoint'), 'utf8')).toMatch(
        /^0\n2\norders \d 0\norders \d 0\n$/,
      );
    }
    const epochFile = fs.readFileSync(
      path.join(m.getLog('orders', 0)!.dir, 'leader-epoch-checkpoint'),
      'utf8',
    );
    expect(epochFile).toBe('0\n1\n3 0\n');
    const again = LogManager.open({ logDirs, time });
    expect([0, 1, 2, 3].map((p) => again.getLog('orders', p)!.logEndOffset)).toEqual([1, 2, 3, 4]);
    expect(Object.fromEntries(again.readHighWatermarks())).toEqual({
      'orders-0': 1,
      'orders-3': 2,
    });
    for (const d of logDirs)
      expect(fs.existsSync(path.join(d, '.kafka_cleanshutdown'))).toBe(false);
    await again.close();
  });

  test('close flushes the logs together and fsyncs only what was written since the last fsync', async () => {
    const logDirs = dirs(1);
    const time = new MockTime();
    const m = LogManager.open({ logDirs, time });
    for (let p = 0; p < 6; p++) m.getOrCreateLog('idle', p).append(batch(2), { leaderEpoch: 0 });
    await m.close();
    // Every log's producer-state snapshot at its end offset, written asynchronously.
    for (let p = 0; p < 6; p++)
      expect(fs.readdirSync(path.join(logDirs[0], `idle-${p}`)).sort()).toEqual([
        '00000000000000000000.index',
        '00000000000000000000.log',
        '00000000000000000000.timeindex',
        '00000000000000000002.snapshot',
        'leader-epoch-checkpoint',
      ]);
    const nodeFs = jest.requireActual<typeof fs>('node:fs');
    const fsync = jest.spyOn(nodeFs, 'fsync');
    const fsyncSync = jest.spyOn(nodeFs, 'fsyncSync');
    const openAsync = jest.spyOn(nodeFs.promises, 'open');
    try {
      // After a clean shutdown, idle logs: no partition file is fsynced on close (only
      // the checkpoints and the clean-shutdown marker: 3 files + their dir, each).
      const again = LogManager.open({ logDirs, time });
      await again.close();
      expect(fsync).not.toHaveBeenCalled();
      expect(openAsync).not.toHaveBeenCalled();
      expect(fsyncSync.mock.calls.length).toBeLessThanOrEqual(8);
      // One log written: its segment and snapshot are fsynced, on the libuv pool.
      fsyncSync.mockClear();
      const third = LogManager.open({ logDirs, time });
      third.getLog('idle', 3)!.append(batch(1), { leaderEpoch: 0 });
      await third.close();
      expect(fsync).toHaveBeenCalledTimes(1); // 00000000000000000000.log of idle-3
      expect(openAsync.mock.calls.map((c) => path.basename(String(c[0])))).toEqual([
        '00000000000000000003.snapshot.tmp',
      ]);
      expect(fsyncSync.mock.calls.length).toBeLessThanOrEqual(8);
    } finally {
      fsync.mockRestore();
      fsyncSync.mockRestore();
      openAsync.mockRestore();
    }
    const last = LogManager.open({ logDirs, time });
    expect([0, 1, 2, 3, 4, 5].map((p) => last.getLog('idle', p)!.logEndOffset)).toEqual([
      2, 2, 2, 3, 2, 2,
    ]);
    await last.close();
  });

  test('close fsyncs no segment of a log created and never written; it reopens clean and empty', async () => {
    const logDirs = dirs(1);
    const time = new MockTime();
    const m = LogManager.open({ logDirs, time });
    for (let p = 0; p < 5; p++) m.getOrCreateLog('fresh', p);
    const nodeFs = jest.requireActual<typeof fs>('node:fs');
    const fsync = jest.spyOn(nodeFs, 'fsync');
    const fsyncSync = jest.spyOn(nodeFs, 'fsyncSync');
    try {
      await m.close();
      // No fsync of the 5 empty segments, on the pool or not; only the checkpoints and
      // the clean-shutdown marker (3 files + their dir, each) are fsynced.
      expect(fsync).not.toHaveBeenCalled();
      expect(fsyncSync.mock.calls.length).toBeLessThanOrEqual(8);
    } finally {
      fsync.mockRestore();
      fsyncSync.mockRestore();
    }
    expect(fs.existsSync(path.join(logDirs[0], '.kafka_cleanshutdown'))).toBe(true);
    // nor any index file: an empty .log's indexes are empty, missing files reopen as such
    expect(fs.readdirSync(path.join(logDirs[0], 'fresh-0'))).toEqual(['00000000000000000000.log']);
    const recover = jest.spyOn(LogSegment.prototype, 'recover');
    const again = LogManager.open({ logDirs, time });
    expect(recover).not.toHaveBeenCalled();
    recover.mockRestore();
    for (let p = 0; p < 5; p++) {
      const log = again.getLog('fresh', p)!;
      expect(log.logEndOffset).toBe(0);
      // Written after the reopen: that segment is fsynced at the next close.
      if (p === 2) log.append(batch(3), { leaderEpoch: 0 });
    }
    const fsync2 = jest.spyOn(nodeFs, 'fsync');
    try {
      await again.close();
      expect(
        fsync2.mock.calls.filter((c) => typeof c[0] === 'number').length,
      ).toBeGreaterThanOrEqual(1);
    } finally {
      fsync2.mockRestore();
    }
    const last = LogManager.open({ logDirs, time });
    expect([0, 1, 2, 3, 4].map((p) => last.getLog('fresh', p)!.logEndOffset)).toEqual([
      0, 0, 3, 0, 0,
    ]);
    await last.close();
  });

  test('refuses a dir locked by another live process or another manager; takes over a stale lock', async () => {
    const [dir] = dirs(1);
    const m = LogManager.open({ logDirs: [dir] });
    expectStorageError(() => LogManager.open({ logDirs: [dir] }), /already in use by this process/);
    await m.close();
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], {
      stdio: 'ignore',
    });
    try {
      fs.writeFileSync(path.join(dir, '.lock'), `${child.pid}\n`);
      expectStorageError(
        () => LogManager.open({ logDirs: [dir] }),
        new RegExp(`in use by process ${child.pid}`),
      );
    } finally {
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    }
    // Its process is gone: the lock is stale.
    const again = LogManager.open({ logDirs: [dir] });
    expect(fs.readFileSync(path.join(dir, '.lock'), 'utf8').trim()).toBe(String(process.pid));
    await again.close();
  });

  test('after a crash, recovers from the recovery-point checkpoint and cuts a torn tail', async () => {
    const [dir] = dirs(1);
    const time = new MockTime();
    const m = LogManager.open({ logDirs: [dir], time, defaultConfig: { 'segment.bytes': 2000 } });
    const log = m.getOrCreateLog('events', 0);
    for (let i = 0; i < 20; i++) log.append(batch(3));
    log.flush();
    m.checkpointRecoveryPoints();
    for (let i = 0; i < 5; i++) log.append(batch(3));
    // The crash: copy what is on disk now, without a clean shutdown.
    const crashed = path.join(root, `crash${n++}`);
    fs.cpSync(dir, crashed, { recursive: true });
    await m.close();
    const active = path.join(
      crashed,
      'events-0',
      fs
        .readdirSync(path.join(crashed, 'events-0'))
        .filter((f) => f.endsWith('.log'))
        .sort()
        .pop()!,
    );
    fs.truncateSync(active, fs.statSync(active).size - 10);
    const again = LogManager.open({
      logDirs: [crashed],
      time,
      defaultConfig: { 'segment.bytes': 2000 },
    });
    const rec = again.getLog('events', 0)!;
    expect(rec.logEndOffset).toBe(72); // the last batch (3 records) was torn
    expect(rec.read(0, 1 << 20).firstOffset).toBe(0);
    await again.close();
  });

  test('retention and the cleaner run in the background on the injected clock', async () => {
    const [dir] = dirs(1);
    const time = new MockTime(1_700_000_000_000);
    const m = LogManager.open({
      logDirs: [dir],
      time,
      retentionCheckIntervalMs: 1000,
      cleanerBackoffMs: 1000,
      defaultConfig: { 'segment.bytes': 600, 'retention.ms': 60_000 },
    });
    const old = m.getOrCreateLog('old', 0);
    for (let i = 0; i < 10; i++) old.append(batch(2, 1_700_000_000_000));
    const compacted = m.getOrCreateLog('table', 0, { 'cleanup.policy': 'compact' });
    for (let i = 0; i < 20; i++) compacted.append(batch(2, 1_700_000_000_000, `key${i % 2}`));
    const segsBefore = old.numberOfSegments();
    const bytesBefore = compacted.size();
    expect(segsBefore).toBeGreaterThan(2);
    m.startup();
    time.tick(1000);
    const cleanerCheckpoint = path.join(dir, 'cleaner-offset-checkpoint');
    await eventually(() => compacted.size() < bytesBefore && fs.existsSync(cleanerCheckpoint));
    expect(old.numberOfSegments()).toBe(segsBefore); // not yet past retention.ms
    time.tick(60_000);
    await eventually(() => old.numberOfSegments() === 1);
    expect(old.logStartOffset).toBe(old.activeSegment.baseOffset);
    expect(fs.readFileSync(path.join(dir, 'cleaner-offset-checkpoint'), 'utf8')).toMatch(
      /^0\n1\ntable 0 \d+\n$/,
    );
    await m.close();
  });

  test('deleteLog removes the partition directory; bad names are rejected', async () => {
    const [dir] = dirs(1);
    const m = LogManager.open({ logDirs: [dir] });
    const log = m.getOrCreateLog('gone', 7);
    log.append(batch(1));
    expect(m.deleteLog('gone', 7)).toBe(true);
    expect(fs.readdirSync(dir).filter((x) => x.startsWith('gone'))).toEqual([]);
    expect(m.getLog('gone', 7)).toBeUndefined();
    expect(() => m.getOrCreateLog('../evil', 0)).toThrow(KafkaError);
    expect(() => m.getOrCreateLog('ok', -1)).toThrow(KafkaError);
    await m.close();
  });
  test('reconfigureDefaultLogConfig: new defaults reach every open log under its topic overrides', async () => {
    const [dir] = dirs(1);
    const m = LogManager.open({ logDirs: [dir], defaultConfig: { 'retention.ms': 1000 } });
    const plain = m.getOrCreateLog('plain', 0);
    const pinned = m.getOrCreateLog('pinned', 0, { 'retention.ms': 5000 });
    m.updateTopicConfig('pinned', { 'retention.ms': 7000, 'segment.bytes': 2048 });
    expect(m.reconfigureDefaultLogConfig({ 'retention.ms': 2000, 'segment.bytes': 4096 })).toBe(2);
    expect(plain.config.retentionMs).toBe(2000);
    expect(plain.config.segmentBytes).toBe(4096);
    expect(pinned.config.retentionMs).toBe(7000); // the topic override wins
    expect(pinned.config.segmentBytes).toBe(2048);
    expect(m.defaultConfig).toEqual({ 'retention.ms': 2000, 'segment.bytes': 4096 });
    // a log created later starts from the new defaults
    expect(m.getOrCreateLog('later', 0).config.retentionMs).toBe(2000);
    // a bad set changes nothing
    expect(() => m.reconfigureDefaultLogConfig({ 'segment.bytes': 'banana' })).toThrow(KafkaError);
    expect(plain.config.segmentBytes).toBe(4096);
    expect(m.defaultConfig['segment.bytes']).toBe(4096);
    await m.close();
  });
  test('reconfigureProducerIdExpirationMs: the next expiration pass uses the new value', async () => {
    const [dir] = dirs(1);
    const time = new MockTime();
    const m = LogManager.open({ logDirs: [dir], time });
    const idem = buildRecordBatch({
      records: [{ value: 'a', timestamp: time.milliseconds() }],
      producerId: 5,
      producerEpoch: 0,
      baseSequence: 0,
    });
    m.getOrCreateLog('idem', 0).append(idem, { leaderEpoch: 0 });
    time.tick(120_000);
    expect(m.removeExpiredProducers()).toBe(0); // the default: 24 h
    m.reconfigureProducerIdExpirationMs(60_000);
    expect(m.producerIdExpirationMs).toBe(60_000);
    expect(m.removeExpiredProducers()).toBe(1);
    expect(() => m.reconfigureProducerIdExpirationMs(0)).toThrow(KafkaError);
    await m.close();
  });
  test('checkpoints the high watermarks the caller supplies, periodically and on close', async () => {
    const [dir] = dirs(1);
    const time = new MockTime();
    const hws = new Map([['hw-0', 3]]);
    const m = LogManager.open({
      logDirs: [dir],
      time,
      highWatermarkCheckpointIntervalMs: 5000,
      highWatermark: (t, p) => hws.get(`${t}-${p}`),
    });
    m.getOrCreateLog('hw', 0).append(batch(5));
    m.getOrCreateLog('hw', 1).append(batch(5));
    m.startup();
    const file = path.join(dir, 'replication-offset-checkpoint');
    time.tick(5000);
    // written off the event loop (fsyncs on the libuv pool): not there yet when tick returns
    expect(fs.existsSync(file)).toBe(false);
    await eventually(() => fs.existsSync(file));
    expect(fs.readFileSync(file, 'utf8')).toBe('0\n1\nhw 0 3\n');
    hws.set('hw-1', 4);
    await m.close();
    expect(fs.readFileSync(file, 'utf8')).toMatch(/^0\n2\n(hw 0 3\nhw 1 4|hw 1 4\nhw 0 3)\n$/);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
  test('topics with dots and dashes reload; -delete leftovers are removed on open', async () => {
    const [dir] = dirs(1);
    const m = LogManager.open({ logDirs: [dir] });
    m.getOrCreateLog('app.events-v2', 11).append(batch(2));
    await m.close();
    fs.mkdirSync(path.join(dir, 'old-0.0123456789abcdef-delete'));
    const again = LogManager.open({ logDirs: [dir] });
    expect(again.getLog('app.events-v2', 11)!.logEndOffset).toBe(2);
    expect(again.allLogs()).toHaveLength(1);
    expect(fs.existsSync(path.join(dir, 'old-0.0123456789abcdef-delete'))).toBe(false);
    await again.close();
  });
});
