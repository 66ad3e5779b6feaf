/**
 * CRC-32C (Castagnoli), the checksum of RecordBatch v2 and of kzoo's own files.
 *
 * Two implementations, the same function:
 * - `native`: packages/records/native/crc32c.node, built from crc32c.c by
 *   scripts/build-native.js (bootstrap runs it when the machine has a C compiler). It runs
 *   three chains of the SSE 4.2 crc32 instruction at once: ~0.7–1.2 µs per 16 KiB batch
 *   on the development machine.
 * - `@node-rs/crc32`: one chain of the same instruction, ~4–5 µs per 16 KiB batch; used
 *   when the addon is absent, fails to load, or `KZOO_CRC32C=node-rs` is set.
 * A leader checks the CRC of every batch it appends (as Kafka's
 * UnifiedLog.analyzeAndValidateRecords), so at 100-byte records this is most of the CPU
 * an append costs beyond the write itself.
 */
import * as path from 'node:path';
import { crc32c as nodeRsCrc32c } from '@node-rs/crc32';

type RangeFn = (buf: Buffer, start: number, end: number) => number;

/** The addon's path: next to dist/ in the package (native/crc32c.node). */
export const NATIVE_CRC32C_PATH = path.join(__dirname, '..', 'native', 'crc32c.node');

function loadNative(): { fn: RangeFn | null; error?: string } {
  if (process.env.KZOO_CRC32C === 'node-rs') return { fn: null, error: 'KZOO_CRC32C=node-rs' };
  const mod: { exports: { crc32cRange?: RangeFn } } = { exports: {} };
  try {
    process.dlopen(mod, NATIVE_CRC32C_PATH);
  } catch (e) {
    return { fn: null, error: (e as Error).message.split('\n')[0] };
  }
  const fn = mod.exports.crc32cRange;
  return typeof fn === 'function' ? { fn } : { fn: null, error: 'no crc32cRange export' };
}

const loaded = loadNative();
const nativeRange = loaded.fn;

/** Which implementation this process uses, and why not the native one when it does not. */
export const crc32cImplementation: { name: 'native' | '@node-rs/crc32'; fallbackReason?: string } =
  nativeRange ? { name: 'native' } : { name: '@node-rs/crc32', fallbackReason: loaded.error };

/** CRC-32C of `data[start, end)`, unsigned; no subarray is made for the native one. */
export const crc32cRange: RangeFn = nativeRange
  ? nativeRange
  : (buf, start, end) => {
      if (!(start >= 0 && end >= start && end <= buf.length) || start % 1 || end % 1)
        throw new RangeError(
          'crc32cRange: start and end must satisfy 0 <= start <= end <= buffer.length',
        );
      return nodeRsCrc32c(buf.subarray(start, end)) >>> 0;
    };

/** CRC-32C of `data`, unsigned. */
export function crc32c(data: Buffer): number {
  return crc32cRange(data, 0, data.length);
}

/** The @node-rs/crc32 implementation, whatever this process uses (for tests and benches). */
export function crc32cNodeRs(data: Buffer): number {
  return nodeRsCrc32c(data) >>> 0;
}
