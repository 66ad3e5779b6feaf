import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { MockTime } from '@kzoo/common';
import { buildRecordBatch, iterateBatches, validateBatch } from '@kzoo/records';
import { Log } from './Log';

// Random appends, a flush somewhere (the recovery point), then the tail cut at a random
// byte or one byte flipped past the recovery point. Reopening must recover exactly the
// batches before the damage, with continuous offsets, and serve nothing corrupt.

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kzoo-recovery-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
let run = 0;

const CONFIG = { 'segment.bytes': 4096, 'index.interval.bytes': 256 };

interface Scenario {
  appends: Array<{ batches: Array<{ records: number; size: number }> }>;
  flushAfter: number;
  damage: { kind: 'cut' | 'flip'; at: number; bit: number };
}

const scenario: fc.Arbitrary<Scenario> = fc.record({
  appends: fc.array(
    fc.record({
      batches: fc.array(
        fc.record({
          records: fc.integer({ min: 1, max: 6 }),
          size: fc.integer({ min: 0, max: 120 }),
        }),
        {
          minLength: 1,
          maxLength: 3,
        },
      ),
    }),
    { minLength: 1, maxLength: 40 },
  ),
  flushAfter: fc.nat(),
  damage: fc.record({
    kind: fc.constantFrom('cut' as const, 'flip' as const),
    at: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
    bit: fc.integer({ min: 0, max: 7 }),
  }),
});

/** Byte positions within a batch outside any check (Kafka's too): the leader epoch. */
function isUncheckedField(posInBatch: number): boolean {
  return posInBatch >= 12 && posInBatch < 16;
}

describe('Log > recovery (property)', () => {
  test('reopening after a torn or corrupt tail recovers exactly the intact batches', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const dir = path.join(root, `t${run++}-0`);
        const time = new MockTime();
        const log = Log.open(dir, CONFIG, { time });
        let ts = 1_000;
        let recoveryPoint = 0;
        s.appends.forEach((a, i) => {
          const buf = Buffer.concat(
            a.batches.map((b) =>
              buildRecordBatch({
                records: Array.from({ length: b.records }, (_, j) => ({
                  key: `k${j}`,
                  value: 'x'.repeat(b.size),
                  timestamp: ts++,
                })),
              }),
            ),
          );
          log.append(buf, { leaderEpoch: 0 });
          if (i === s.flushAfter % s.appends.length) {
            log.flush();
            recoveryPoint = log.recoveryPoint;
          }
        });
        const original = log.read(0, 1 << 30).records;
        const segments = log.logSegments().map((seg, i, all) => ({
          file: seg.file,
          index: seg.offsetIndex.file,
          timeindex: seg.timeIndex.file,
          base: seg.baseOffset,
          size: seg.size,
          scanned: i === all.length - 1 || all[i + 1].baseOffset > recoveryPoint,
        }));
        log.close();

        // Where in the concatenated log the damage lands: only in segments recovery scans.
        let globalStart = 0;
        const spans = segments.map((seg) => {
          const span = { ...seg, start: globalStart };
          globalStart += seg.size;
          return span;
        });
        const scannedSpans = spans.filter((x) => x.scanned && x.size > 0);
        if (scannedSpans.length === 0) return; // everything flushed and nothing to damage
        const scannedBytes = scannedSpans.reduce((n, x) => n + x.size, 0);
        let target = Math.floor(s.damage.at * scannedBytes);
        let hit = scannedSpans[0];
        for (const x of scannedSpans) {
          if (target < x.size) {
            hit = x;
            break;
          }
          target -= x.size;
        }
        const globalPos = hit.start + target;

        // The batch that the damage falls in, and the expected intact prefix.
        let expectedEnd = 0;
        let expectedNextOffset = 0;
        for (const b of iterateBatches(original)) {
          if (b.position + b.size <= globalPos) {
            expectedEnd = b.position + b.size;
            expectedNextOffset = b.lastOffset + 1;
          }
        }
        if (s.damage.kind === 'cut') {
          fs.truncateSync(hit.file, target);
          for (const later of spans.filter((x) => x.base > hit.base))
            for (const f of [later.file, later.index, later.timeindex])
              fs.rmSync(f, { force: true });
        } else {
          const posInBatch = globalPos - expectedEnd;
          if (isUncheckedField(posInBatch)) return;
          const fd = fs.openSync(hit.file, 'r+');
          const one = Buffer.alloc(1);
          fs.readSync(fd, one, 0, 1, target);
          one[0] ^= 1 << s.damage.bit;
          fs.writeSync(fd, one, 0, 1, target);
          fs.closeSync(fd);
        }

        const again = Log.open(dir, CONFIG, { time, recoveryPoint });
        expect(again.logEndOffset).toBe(expectedNextOffset);
        const served = again.read(0, 1 << 30).records;
        expect(served.equals(original.subarray(0, expectedEnd))).toBe(true);
        let next = 0;
        for (const b of iterateBatches(served)) {
          validateBatch(b.bytes);
          expect(b.baseOffset).toBe(next);
          next = b.lastOffset + 1;
        }
        // Appends carry on from the recovered end.
        const info = again.append(buildRecordBatch({ records: [{ value: 'after' }] }), {
          leaderEpoch: 1,
        });
        expect(info.firstOffset).toBe(expectedNextOffset);
        again.close();
        fs.rmSync(dir, { recursive: true, force: true });
      }),
      { numRuns: 150 },
    );
  });
});
