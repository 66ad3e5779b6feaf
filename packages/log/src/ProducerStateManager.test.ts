import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KafkaError, MockTime } from '@kzoo/common';
import { buildEndTxnMarkerBatch, buildRecordBatch } from '@kzoo/records';
import { Log } from './Log';
import { ProducerStateManager, snapshotFileName } from './ProducerStateManager';

const tmpDirs: string[] = [];
function tmpLogDir(name = 'topic-0'): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'kzoo-psm-'));
  tmpDirs.push(d);
  return path.join(d, name);
}
afterAll(() => {
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

function idem(pid: number, epoch: number, seq: number, n = 2): Buffer {
  return buildRecordBatch({
    records: Array.from({ length: n }, (_, i) => ({ value: `v${seq + i}`, timestamp: 1000 + i })),
    producerId: pid,
    producerEpoch: epoch,
    baseSequence: seq,
  });
}

function errorName(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as KafkaError).errorName;
  }
  return 'none';
}

describe('Log > ProducerStateManager > leader checks', () => {
  test('an exact duplicate of one of the last 5 batches gets its original offsets, nothing appended', () => {
    const log = Log.open(tmpLogDir(), {}, { time: new MockTime() });
    const first = log.append(idem(7, 0, 0));
    for (let s = 2; s < 10; s += 2) log.append(idem(7, 0, s));
    expect(log.logEndOffset).toBe(10);
    // seq 0-1 is now the 5th newest: still cached.
    const dup = log.append(idem(7, 0, 0));
    expect(dup.duplicate).toBe(true);
    expect([dup.firstOffset, dup.lastOffset]).toEqual([first.firstOffset, first.lastOffset]);
    expect(log.logEndOffset).toBe(10);
    log.append(idem(7, 0, 10));
    // Now seq 0-1 fell out of the cache: an old sequence is out of order.
    expect(errorName(() => log.append(idem(7, 0, 0)))).toBe('OUT_OF_ORDER_SEQUENCE_NUMBER');
    expect(log.logEndOffset).toBe(12);
    log.close();
  });

  test('gaps, epochs, unknown producers and the sequence wrap follow Kafka', () => {
    const log = Log.open(tmpLogDir(), {}, { time: new MockTime() });
    // No state: any first sequence is accepted (KIP-360).
    log.append(idem(1, 3, 42));
    expect(errorName(() => log.append(idem(1, 3, 45)))).toBe('OUT_OF_ORDER_SEQUENCE_NUMBER');
    expect(errorName(() => log.append(idem(1, 2, 44)))).toBe('INVALID_PRODUCER_EPOCH');
    expect(errorName(() => log.append(idem(1, 4, 5)))).toBe('OUT_OF_ORDER_SEQUENCE_NUMBER');
    log.append(idem(1, 4, 0)); // a new epoch starts at 0
    expect(log.producerStateManager.lastEntry(1)!.producerEpoch).toBe(4);
    // Wrap: the batch ending at Int.MaxValue is followed by sequence 0.
    log.append(idem(2, 0, 0x7ffffffe, 2));
    expect(log.producerStateManager.lastEntry(2)!.batches[0].lastSeq).toBe(0x7fffffff);
    log.append(idem(2, 0, 0, 1));
    // Nothing is written by a refused append.
    const end = log.logEndOffset;
    expect(errorName(() => log.append(idem(2, 0, 7)))).toBe('OUT_OF_ORDER_SEQUENCE_NUMBER');
    expect(log.logEndOffset).toBe(end);
    log.close();
  });

  test('batches of one request chain on each other', () => {
    const psm = new ProducerStateManager(tmpLogDir());
    const b = (seq: number) => ({
      producerId: 9,
      producerEpoch: 0,
      baseSequence: seq,
      lastSequence: seq + 1,
    });
    psm.update({
      producerId: 9,
      producerEpoch: 0,
      baseSequence: 0,
      lastSequence: 1,
      firstOffset: 0,
      lastOffset: 1,
      maxTimestamp: 1,
    });
    expect(psm.checkClientAppend([b(2), b(4)], 't-0')).toBeNull();
    expect(errorName(() => psm.checkClientAppend([b(2), b(6)], 't-0'))).toBe(
      'OUT_OF_ORDER_SEQUENCE_NUMBER',
    );
  });

  test('idle producers expire after producer.id.expiration.ms; then any sequence is accepted', () => {
    const psm = new ProducerStateManager(tmpLogDir());
    const at = (pid: number, ts: number) =>
      psm.update({
        producerId: pid,
        producerEpoch: 0,
        baseSequence: 0,
        lastSequence: 0,
        firstOffset: pid,
        lastOffset: pid,
        maxTimestamp: ts,
      });
    at(1, 1_000);
    at(2, 50_000);
    expect(psm.removeExpiredProducers(61_000, 60_000)).toBe(1);
    expect([psm.lastEntry(1), psm.lastEntry(2)?.producerId]).toEqual([undefined, 2]);
    expect(
      psm.checkClientAppend(
        [{ producerId: 1, producerEpoch: 0, baseSequence: 77, lastSequence: 77 }],
        't-0',
      ),
    ).toBeNull();
  });

  test('follower appends update the state without checks', () => {
    const leader = Log.open(tmpLogDir(), {}, { time: new MockTime() });
    const follower = Log.open(tmpLogDir(), {}, { time: new MockTime() });
    for (const seq of [5, 7]) {
      const buf = idem(3, 1, seq);
      leader.append(buf, { leaderEpoch: 0 });
      follower.appendAsFollower(buf);
    }
    expect(follower.producerStateManager.lastEntry(3)!.batches.map((m) => m.firstSeq)).toEqual([
      5, 7,
    ]);
    // The follower, become leader, dedupes a retry of the last batch.
    const dup = follower.append(idem(3, 1, 7));
    expect([dup.duplicate, dup.firstOffset]).toEqual([true, 2]);
    leader.close();
    follower.close();
  });
});

describe('Log > ProducerStateManager > rebuild and snapshots', () => {
  test('state survives a clean restart through the snapshot written on close', () => {
    const dir = tmpLogDir();
    const log = Log.open(dir, {}, { time: new MockTime() });
    log.append(idem(11, 0, 0));
    log.append(idem(11, 0, 2));
    log.close();
    expect(fs.existsSync(path.join(dir, snapshotFileName(4)))).toBe(true);
    const again = Log.open(dir, {}, { time: new MockTime(), hadCleanShutdown: true });
    const dup = again.append(idem(11, 0, 2));
    expect([dup.duplicate, dup.firstOffset, dup.lastOffset]).toEqual([true, 2, 3]);
    expect(errorName(() => again.append(idem(11, 0, 9)))).toBe('OUT_OF_ORDER_SEQUENCE_NUMBER');
    again.close();
  });

  test('close writes a snapshot only when state was mapped since the last one (Kafka’s lastSnapOffset rule)', () => {
    const dir = tmpLogDir();
    const snapshots = () => fs.readdirSync(dir).filter((f) => f.endsWith('.snapshot'));
    const idle = Log.open(dir, {}, { time: new MockTime() });
    idle.close();
    expect(snapshots()).toEqual([]); // an idle log: no write, no fsync
    const log = Log.open(dir, {}, { time: new MockTime(), hadCleanShutdown: true });
    log.append(idem(31, 0, 0));
    log.close();
    expect(snapshots()).toEqual([snapshotFileName(2)]);
    const mtime = fs.statSync(path.join(dir, snapshotFileName(2))).mtimeMs;
    fs.utimesSync(path.join(dir, snapshotFileName(2)), 0, 0);
    const reopened = Log.open(dir, {}, { time: new MockTime(), hadCleanShutdown: true });
    reopened.close();
    // nothing new: the snapshot loaded at open is not rewritten
    expect(snapshots()).toEqual([snapshotFileName(2)]);
    expect(fs.statSync(path.join(dir, snapshotFileName(2))).mtimeMs).toBe(0);
    expect(mtime).toBeGreaterThan(0);
    const more = Log.open(dir, {}, { time: new MockTime(), hadCleanShutdown: true });
    more.append(idem(31, 0, 2));
    more.close();
    expect(snapshots()).toEqual([snapshotFileName(2), snapshotFileName(4)]);
    const last = Log.open(dir, {}, { time: new MockTime(), hadCleanShutdown: true });
    expect(last.append(idem(31, 0, 2)).duplicate).toBe(true);
    last.close();
  });

  test('state is rebuilt from batch headers past the last snapshot (and without any)', () => {
    const dir = tmpLogDir();
    const log = Log.open(dir, { 'segment.bytes': 300 }, { time: new MockTime() });
    for (let s = 0; s < 40; s += 2) log.append(idem(21, 0, s));
    expect(log.numberOfSegments()).toBeGreaterThan(2);
    // Simulate a crash: no close (no final snapshot); drop every snapshot too for the second case.
    const reopened = Log.open(dir, { 'segment.bytes': 300 }, { time: new MockTime() });
    expect(reopened.producerStateManager.lastEntry(21)!.batches.map((m) => m.firstSeq)).toEqual([
      30, 32, 34, 36, 38,
    ]);
    reopened.close();
    for (const f of fs.readdirSync(dir)) if (f.endsWith('.snapshot')) fs.rmSync(path.join(dir, f));
    const rebuilt = Log.open(dir, { 'segment.bytes': 300 }, { time: new MockTime() });
    const dup = rebuilt.append(idem(21, 0, 32));
    expect([dup.duplicate, dup.firstOffset]).toEqual([true, 32]);
    rebuilt.close();
  });

  test('a corrupt snapshot is ignored and the state rebuilt from the log', () => {
    const dir = tmpLogDir();
    const log = Log.open(dir, {}, { time: new MockTime() });
    log.append(idem(5, 0, 0));
    log.close();
    const file = path.join(dir, snapshotFileName(2));
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 1] ^= 0xff;
    fs.writeFileSync(file, bytes);
    const again = Log.open(dir, {}, { time: new MockTime() });
    expect(again.producerStateManager.lastEntry(5)!.batches[0].lastSeq).toBe(1);
    again.close();
  });

  test('truncateTo rewinds the state with the log', () => {
    const dir = tmpLogDir();
    const log = Log.open(dir, { 'segment.bytes': 300 }, { time: new MockTime() });
    for (let s = 0; s < 20; s += 2) log.append(idem(8, 0, s));
    log.truncateTo(6);
    expect(log.logEndOffset).toBe(6);
    expect(log.producerStateManager.lastEntry(8)!.batches.at(-1)!.lastSeq).toBe(5);
    expect(
      fs.readdirSync(dir).filter((f) => f.endsWith('.snapshot') && f > snapshotFileName(6)),
    ).toEqual([]);
    // The truncated batches are no longer duplicates: seq 6 is the next one.
    const next = log.append(idem(8, 0, 6));
    expect([next.duplicate, next.firstOffset]).toEqual([undefined, 6]);
    log.truncateFullyAndStartAt(100);
    expect(log.producerStateManager.size).toBe(0);
    log.close();
  });
});

describe('Log > ProducerStateManager > transactions', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kzoo-psm-txn-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const data = (pid: number, first: number, last: number, seq: number) => ({
    producerId: pid,
    producerEpoch: 0,
    baseSequence: seq,
    lastSequence: seq + last - first,
    firstOffset: first,
    lastOffset: last,
    maxTimestamp: 1,
    isTransactional: true,
  });

  test('the first unstable offset is the oldest open transaction, until its marker is below the HW', () => {
    const psm = new ProducerStateManager(dir);
    expect(psm.firstUnstableOffset()).toBe(-1);
    psm.update(data(1, 10, 11, 0));
    psm.update(data(2, 12, 12, 0));
    psm.update(data(1, 13, 13, 2)); // same transaction: the first offset stays 10
    expect(psm.firstUnstableOffset()).toBe(10);
    const done = psm.completeTxn(1, 0, 14, true, 2);
    expect(done).toEqual({ producerId: 1, firstOffset: 10, lastOffset: 14, isAborted: true });
    expect(psm.lastStableOffsetAfter(done!)).toBe(12); // producer 2 is still open
    expect(psm.firstUnstableOffset()).toBe(10); // the marker is not replicated yet
    psm.onHighWatermarkUpdated(15);
    expect(psm.firstUnstableOffset()).toBe(12);
    expect(psm.completeTxn(2, 0, 15, false, 3)?.firstOffset).toBe(12);
    psm.onHighWatermarkUpdated(16);
    expect(psm.firstUnstableOffset()).toBe(-1);
    expect(psm.completeTxn(2, 0, 16, false, 3)).toBeNull(); // a retried marker completes nothing
  });

  test('an open transaction survives a snapshot; an older epoch marker is INVALID_PRODUCER_EPOCH', () => {
    const psm = new ProducerStateManager(dir);
    psm.update(data(7, 20, 21, 0));
    psm.update({ ...data(8, 22, 22, 0), producerEpoch: 3 });
    psm.mapEndOffset = 23;
    psm.takeSnapshot();
    const again = new ProducerStateManager(dir);
    expect(again.loadLatestSnapshot(23)).toBe(23);
    expect(again.firstUnstableOffset()).toBe(20);
    expect(again.ongoingTxns().map((t) => [t.producerId, t.firstOffset])).toEqual([
      [7, 20],
      [8, 22],
    ]);
    expect(() => again.checkMarker(8, 2, 0, 't-0')).toThrow(/INVALID_PRODUCER_EPOCH/);
    expect(() => again.checkMarker(8, 4, 0, 't-0')).not.toThrow();
  });

  test('a marker from an older transaction coordinator epoch is TRANSACTION_COORDINATOR_FENCED, also after a snapshot', () => {
    const psm = new ProducerStateManager(dir);
    psm.update(data(7, 0, 1, 0));
    expect(() => psm.checkMarker(7, 0, 0, 't-0')).not.toThrow(); // no marker yet: any epoch
    psm.completeTxn(7, 0, 2, false, 3, 5); // committed by the coordinator at epoch 5
    psm.update(data(7, 3, 3, 1));
    expect(() => psm.checkMarker(7, 0, 4, 't-0')).toThrow(
      /TRANSACTION_COORDINATOR_FENCED.*4 \(zombie\), 5 \(current\)/,
    );
    expect(() => psm.checkMarker(7, 0, 5, 't-0')).not.toThrow();
    expect(() => psm.checkMarker(7, 0, 6, 't-0')).not.toThrow();
    psm.mapEndOffset = 4;
    psm.takeSnapshot();
    const again = new ProducerStateManager(dir);
    expect(again.loadLatestSnapshot(4)).toBe(4);
    expect(again.lastEntry(7)?.coordinatorEpoch).toBe(5);
    expect(() => again.checkMarker(7, 0, 4, 't-0')).toThrow(/TRANSACTION_COORDINATOR_FENCED/);
  });
});

describe('Log > ProducerStateManager > coordinator epoch of markers', () => {
  test('a leader append of a marker from a zombie coordinator is refused; the epoch is rebuilt from the log', () => {
    const dir = tmpLogDir();
    const log = Log.open(dir, {}, { time: new MockTime() });
    const txn = (seq: number) =>
      buildRecordBatch({
        records: [{ value: `v${seq}`, timestamp: 1000 }],
        producerId: 9,
        producerEpoch: 0,
        baseSequence: seq,
        isTransactional: true,
      });
    const marker = (coordinatorEpoch: number, commit: boolean) =>
      buildEndTxnMarkerBatch({
        producerId: 9,
        producerEpoch: 0,
        coordinatorEpoch,
        commit,
        timestamp: 1000,
      });
    const coordinator = { leaderEpoch: 0, origin: 'coordinator' as const };
    log.append(txn(0), { leaderEpoch: 0 });
    log.append(marker(3, true), coordinator);
    log.append(txn(1), { leaderEpoch: 0 });
    expect(errorName(() => log.append(marker(2, false), coordinator))).toBe(
      'TRANSACTION_COORDINATOR_FENCED',
    );
    expect(log.logEndOffset).toBe(3); // nothing appended
    // Rebuilt from the batches alone (no snapshot), the fence holds.
    log.close();
    for (const f of fs.readdirSync(dir)) if (f.endsWith('.snapshot')) fs.rmSync(path.join(dir, f));
    const again = Log.open(dir, {}, { time: new MockTime(), recoveryPoint: 0 });
    expect(again.producerStateManager.lastEntry(9)?.coordinatorEpoch).toBe(3);
    expect(errorName(() => again.append(marker(2, false), coordinator))).toBe(
      'TRANSACTION_COORDINATOR_FENCED',
    );
    expect(again.append(marker(4, false), coordinator).lastOffset).toBe(3);
    again.close();
  });
});
