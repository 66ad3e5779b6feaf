import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { MockTime } from '@kzoo/common';
import { buildEndTxnMarkerBatch, buildRecordBatch } from '@kzoo/records';
import { Log } from './Log';

// Random transactional appends by three producers (data batches, commit and abort
// markers, plain batches), a flush somewhere, then the tail cut at a random byte past
// the recovery point (a broker SIGKILLed with transactions open). After reopening, the
// last stable offset and the aborted transactions must be those of the intact prefix.

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kzoo-txn-recovery-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
let run = 0;

const CONFIG = { 'segment.bytes': 2048, 'index.interval.bytes': 256 };

type Kind = 'data' | 'commit' | 'abort' | 'plain';
interface Op {
  kind: Kind;
  pid: number;
  records: number;
  size: number;
}

const op: fc.Arbitrary<Op> = fc.record({
  kind: fc.constantFrom<Kind>('data', 'data', 'data', 'commit', 'abort', 'plain'),
  pid: fc.integer({ min: 1, max: 3 }),
  records: fc.integer({ min: 1, max: 4 }),
  size: fc.integer({ min: 0, max: 80 }),
});

interface Appended {
  kind: Kind;
  pid: number;
  baseOffset: number;
  lastOffset: number;
}

/** LSO and aborted transactions of the batches below `end`, computed from the model. */
function expected(batches: Appended[], end: number) {
  const ongoing = new Map<number, number>();
  const aborted: Array<{ producerId: number; firstOffset: number; lastOffset: number }> = [];
  for (const b of batches) {
    if (b.lastOffset >= end) break;
    if (b.kind === 'data') {
      if (!ongoing.has(b.pid)) ongoing.set(b.pid, b.baseOffset);
    } else if (b.kind === 'commit' || b.kind === 'abort') {
      const first = ongoing.get(b.pid);
      if (first !== undefined) {
        if (b.kind === 'abort')
          aborted.push({ producerId: b.pid, firstOffset: first, lastOffset: b.baseOffset });
        ongoing.delete(b.pid);
      }
    }
  }
  const lso = ongoing.size === 0 ? end : Math.min(...ongoing.values());
  return { lso, aborted };
}

function observed(log: Log) {
  const end = log.logEndOffset;
  return {
    lso: log.lastStableOffset(end),
    aborted: log.collectAbortedTxns(log.logStartOffset, end).map((t) => ({
      producerId: t.producerId,
      firstOffset: t.firstOffset,
      lastOffset: t.lastOffset,
    })),
  };
}

describe('Log > transactions > recovery (property)', () => {
  test('after a torn tail, the LSO and aborted index equal those of the intact prefix', () => {
    fc.assert(
      fc.property(
        fc.array(op, { minLength: 1, maxLength: 60 }),
        fc.nat(),
        fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
        (ops, flushAfter, cutAt) => {
          const dir = path.join(root, `t${run++}-0`);
          const time = new MockTime();
          const log = Log.open(dir, CONFIG, { time });
          const seq = new Map<number, number>();
          const batches: Appended[] = [];
          let recoveryPoint = 0;
          ops.forEach((o, i) => {
            let buf: Buffer;
            if (o.kind === 'commit' || o.kind === 'abort') {
              buf = buildEndTxnMarkerBatch({
                producerId: o.pid,
                producerEpoch: 0,
                coordinatorEpoch: 0,
                commit: o.kind === 'commit',
                timestamp: time.milliseconds(),
              });
            } else {
              const s = seq.get(o.pid) ?? 0;
              const txn = o.kind === 'data';
              buf = buildRecordBatch({
                records: Array.from({ length: o.records }, () => ({ value: 'x'.repeat(o.size) })),
                now: time.milliseconds(),
                ...(txn
                  ? { producerId: o.pid, producerEpoch: 0, baseSequence: s, isTransactional: true }
                  : {}),
              });
              if (txn) seq.set(o.pid, s + o.records);
            }
            const info = log.append(buf, { leaderEpoch: 0, origin: 'coordinator' });
            batches.push({
              kind: o.kind,
              pid: o.pid,
              baseOffset: info.firstOffset,
              lastOffset: info.lastOffset,
            });
            time.tick(1);
            if (i === flushAfter % ops.length) {
              log.flush();
              recoveryPoint = log.recoveryPoint;
            }
          });
          // Before any damage the log agrees with the model.
          expect(observed(log)).toEqual(expected(batches, log.logEndOffset));

          const segments = log.logSegments().map((seg, i, all) => ({
            seg,
            base: seg.baseOffset,
            size: seg.size,
            scanned: i === all.length - 1 || all[i + 1].baseOffset > recoveryPoint,
          }));
          log.close();
          const scanned = segments.filter((x) => x.scanned && x.size > 0);
          if (scanned.length > 0) {
            const total = scanned.reduce((n, x) => n + x.size, 0);
            let target = Math.floor(cutAt * total);
            let hit = scanned[0];
            for (const x of scanned) {
              if (target < x.size) {
                hit = x;
                break;
              }
              target -= x.size;
            }
            fs.truncateSync(hit.seg.file, target);
            for (const later of segments.filter((x) => x.base > hit.base))
              for (const f of [
                later.seg.file,
                later.seg.offsetIndex.file,
                later.seg.timeIndex.file,
                later.seg.txnIndex.file,
              ])
                fs.rmSync(f, { force: true });
          }

          const again = Log.open(dir, CONFIG, { time, recoveryPoint });
          expect(observed(again)).toEqual(expected(batches, again.logEndOffset));
          // And once more, from the snapshot the clean close writes.
          again.close();
          const third = Log.open(dir, CONFIG, { time, hadCleanShutdown: true });
          expect(observed(third)).toEqual(expected(batches, third.logEndOffset));
          third.close();
          fs.rmSync(dir, { recursive: true, force: true });
        },
      ),
      { numRuns: 120 },
    );
  });
});
