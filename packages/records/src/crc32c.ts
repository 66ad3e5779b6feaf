/**
 * CRC-32C (Castagnoli), the checksum of RecordBatch v2 and of kzoo's own files.
 *
 * Two implementations, the same function:
 * - `native`: native/crc32c.node, built from crc32c.c by native/build.js (bootstrap and
 *   the package's npm install script run it when the machine has a C compiler). On a CPU
 *   with AVX-512 and VPCLMULQDQ it folds 256 bytes at a time with carry-less multiplies
 *   (variant `vpclmulqdq`: ~0.35 µs per 16 KiB batch on the development machine);
 *   elsewhere it runs three chains of the SSE 4.2 crc32 instruction at once (variant
 *   `sse4.2`: ~0.7 µs). `KZOO_CRC32C=sse4.2` picks the second on any CPU.
 * - `@node-rs/crc32`: one chain of the crc32 instruction, ~4–5 µs per 16 KiB batch; used
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

/** The native ways: `vpclmulqdq` (AVX-512 folding) or `sse4.2` (three crc32 chains). */
export type Crc32cVariant = 'vpclmulqdq' | 'sse4.2';

interface NativeExports {
  crc32cRange?: RangeFn;
  crc32cRangeSse42?: RangeFn;
  variant?: Crc32cVariant;
}

function loadNative(): {
  fn: RangeFn | null;
  sse42?: RangeFn;
  variant?: Crc32cVariant;
  error?: string;
} {
  const choice = process.env.KZOO_CRC32C;
  if (choice === 'node-rs') return { fn: null, error: 'KZOO_CRC32C=node-rs' };
  const mod: { exports: NativeExports } = { exports: {} };
  try {
    process.dlopen(mod, NATIVE_CRC32C_PATH);
  } catch (e) {
    return { fn: null, error: (e as Error).message.split('\n')[0] };
  }
  const { crc32cRange: best, crc32cRangeSse42: sse42, variant } = mod.exports;
  if (typeof best !== 'function' || typeof sse42 !== 'function' || !variant)
    return {
      fn: null,
      error: `${NATIVE_CRC32C_PATH} is an older build: run node packages/records/native/build.js`,
    };
  return choice === 'sse4.2'
    ? { fn: sse42, sse42, variant: 'sse4.2' }
    : { fn: best, sse42, variant };
}

const loaded = loadNative();
const nativeRange = loaded.fn;

/**
 * Which implementation this process uses (and for the native one, which way), and why
 * not the native one when it does not.
 */
export const crc32cImplementation: {
  name: 'native' | '@node-rs/crc32';
  variant?: Crc32cVariant;
  fallbackReason?: string;
} = nativeRange
  ? { name: 'native', variant: loaded.variant }
  : { name: '@node-rs/crc32', fallbackReason: loaded.error };

/** The addon's three-chain SSE 4.2 way whatever the CPU has (tests), when the addon loaded. */
export const crc32cRangeSse42: RangeFn | undefined = loaded.sse42;

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
