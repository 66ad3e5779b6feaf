import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { MockTime } from '@kzoo/common';
import { buildRecordBatch, iterateBatches, records, validateBatch } from '@kzoo/records';
import { Log } from './Log';
import { cleanLog } from './LogCleaner';

// Random keyed writes and deletes, then cleaning: what a consumer reads must be the
// newest value of every key (offsets unchanged), tombstones until delete.retention.ms.

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kzoo-compaction-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
let run = 0;

type Op = { key: number; value: string | null };

function read(log: Log): Array<{ offset: number; key: string; value: string | null }> {
  const out: Array<{ offset: number; key: string; value: string | null }> = [];
  for (const b of iterateBatches(log.read(log.logStartOffset, 1 << 30).records)) {
    validateBatch(b.bytes);
    for (const r of records(b.bytes))
      out.push({ offset: r.offset, key: r.key!.toString(), value: r.value?.toString() ?? null });
  }
  return out;
}

describe('Log > LogCleaner (property)', () => {
  test('compaction keeps exactly the newest record per key below the active segment, offsets intact', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.array(
            fc.record({
              key: fc.integer({ min: 0, max: 8 }),
              value: fc.option(fc.string({ maxLength: 30 }), { nil: null, freq: 5 }),
            }),
            {
              minLength: 1,
              maxLength: 4,
            },
          ),
          { minLength: 1, maxLength: 40 },
        ),
        fc.constantFrom('none', 'gzip', 'zstd'),
        async (appends: Op[][], compression) => {
          const time = new MockTime(1_000_000);
          const log = Log.open(
            path.join(root, `p${run++}-0`),
            { 'cleanup.policy': 'compact', 'segment.bytes': 400, 'delete.retention.ms': 1000 },
            { time },
          );
          const written: Array<{ offset: number; key: string; value: string | null }> = [];
          for (const ops of appends) {
            const info = log.append(
              buildRecordBatch({
                compression,
                records: ops.map((o) => ({
                  key: `k${o.key}`,
                  value: o.value,
                  timestamp: time.milliseconds(),
                })),
              }),
            );
            ops.forEach((o, i) =>
              written.push({ offset: info.firstOffset + i, key: `k${o.key}`, value: o.value }),
            );
          }
          const activeBase = log.activeSegment.baseOffset;
          const expected = (dropTombstones: boolean) => {
            const newest = new Map<string, number>();
            for (const w of written) if (w.offset < activeBase) newest.set(w.key, w.offset);
            return written.filter(
              (w) =>
                w.offset >= activeBase ||
                (newest.get(w.key) === w.offset && !(dropTombstones && w.value === null)),
            );
          };
          await cleanLog(log, { now: time.milliseconds(), force: true });
          expect(read(log)).toEqual(expected(false));
          time.tick(1001);
          await cleanLog(log, { now: time.milliseconds(), force: true });
          expect(read(log)).toEqual(expected(true));
          expect(log.logEndOffset).toBe(written.length);
          log.delete();
        },
      ),
      { numRuns: 60 },
    );
  });
});
