import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import {
  NATIVE_CRC32C_PATH,
  crc32c,
  crc32cImplementation,
  crc32cNodeRs,
  crc32cRange,
  crc32cRangeSse42,
} from './crc32c';

// A table-driven CRC-32C written from the definition (reflected polynomial 0x82F63B78,
// initial and final XOR 0xFFFFFFFF), independent of both implementations under test.
const TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  return c >>> 0;
});
function reference(buf: Buffer, start = 0, end = buf.length): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = TABLE[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * Lengths that cross every block boundary of the three-chain loop (256, 1024, 4096 × 3)
 * and of the folding loop (from 512 bytes on, 256 at a time, then the chains for the rest).
 */
const LENGTHS = [
  0, 1, 7, 8, 9, 63, 255, 256, 511, 512, 513, 767, 768, 769, 1023, 1024, 1279, 1280, 3071, 3072,
  3073, 4095, 12287, 12288, 12289, 16340, 16384, 40_000, 65_537,
];

/** Every native way this machine has: the one in use, and the three chains. */
const NATIVE_WAYS: [string, (b: Buffer, s: number, e: number) => number][] = [
  ['crc32cRange', crc32cRange],
  ...(crc32cRangeSse42
    ? [['crc32cRangeSse42', crc32cRangeSse42] as [string, typeof crc32cRange]]
    : []),
];

describe('records > crc32c', () => {
  it('matches the check value of the definition for "123456789"', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(reference(Buffer.from('123456789'))).toBe(0xe3069283);
  });

  it.each(LENGTHS)('agrees with the reference at length %d and every alignment 0..8', (n) => {
    const buf = randomBytes(n + 16);
    for (let start = 0; start <= 8; start++) {
      const want = reference(buf, start, start + n);
      for (const [, fn] of NATIVE_WAYS) expect(fn(buf, start, start + n)).toBe(want);
      expect(crc32c(buf.subarray(start, start + n))).toBe(want);
      expect(crc32cNodeRs(buf.subarray(start, start + n))).toBe(want);
    }
  });

  it('agrees with the reference on 300 random lengths and offsets', () => {
    for (let i = 0; i < 300; i++) {
      const n = Math.floor(Math.random() ** 2 * 50_000);
      const buf = randomBytes(n + 64);
      const start = Math.floor(Math.random() * 64);
      for (const [, fn] of NATIVE_WAYS)
        expect(fn(buf, start, start + n)).toBe(reference(buf, start, start + n));
    }
  });

  it('agrees with the reference on all-ones and all-zero data, where a folding slip shows', () => {
    for (const fill of [0x00, 0xff]) {
      for (const n of [512, 4096, 16384]) {
        const buf = Buffer.alloc(n, fill);
        for (const [, fn] of NATIVE_WAYS) expect(fn(buf, 0, n)).toBe(reference(buf));
      }
    }
  });

  it('refuses a range outside the buffer with a RangeError naming the rule', () => {
    const buf = Buffer.alloc(10);
    for (const [s, e] of [
      [5, 3],
      [-1, 3],
      [0, 11],
      [0.5, 3],
    ])
      expect(() => crc32cRange(buf, s, e)).toThrow(/0 <= start <= end <= buffer.length/);
  });

  it('uses the native addon wherever bootstrap can build it (x64, a C compiler, the Node headers)', () => {
    // where native/build.js looks for a compiler and for Node's headers
    const build = createRequire(__filename)('../native/build.js') as {
      findHeaders(): string | undefined;
      findCompiler(): string | undefined;
    };
    const headers = build.findHeaders() !== undefined;
    const compiler = build.findCompiler() !== undefined;
    const buildable =
      process.arch === 'x64' && process.env.KZOO_CRC32C !== 'node-rs' && headers && compiler;
    if (buildable) {
      // the folding way wherever the CPU has AVX-512 (F, VL) and VPCLMULQDQ
      const flags = fs.existsSync('/proc/cpuinfo')
        ? (/^flags\s*:(.*)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '').split(' ')
        : [];
      const fold =
        process.env.KZOO_CRC32C !== 'sse4.2' &&
        ['avx512f', 'avx512vl', 'vpclmulqdq', 'pclmulqdq'].every((f) => flags.includes(f));
      expect(crc32cImplementation).toEqual({
        name: 'native',
        variant: fold ? 'vpclmulqdq' : 'sse4.2',
      });
      expect(crc32cRangeSse42).toEqual(expect.any(Function));
      expect(fs.existsSync(NATIVE_CRC32C_PATH)).toBe(true);
    } else {
      expect(crc32cImplementation.name).toBe('@node-rs/crc32');
      expect(crc32cImplementation.fallbackReason).toEqual(expect.any(String));
    }
  });
});
