/**
 * CRC-32C (Castagnoli), the checksum of RecordBatch v2 and of kzoo's own files.
 *
 * Two native implementations; CPU time per 16 KiB batch on the AMD EPYC bench machine:
 * aws-crt's (aws-c-checksums: carry-less multiply folding, PCLMULQDQ/VPCLMULQDQ)
 * ~15-25 GB/s, @node-rs/crc32's (SSE 4.2 crc32 instruction) ~5-6 GB/s. The first that
 * loads is used; both give the same result (a unit test compares them).
 */
import * as os from 'node:os';
import { crc32c as nodeRsCrc32c } from '@node-rs/crc32';

type Crc32c = (data: Buffer) => number;

/** @node-rs/crc32's CRC-32C, unsigned. */
export function crc32cSse42(data: Buffer): number {
  return nodeRsCrc32c(data) >>> 0;
}

/**
 * aws-crt's native binary, opened directly: its JS entry runs `ldd --version` in a child
 * process to choose glibc or musl, which every kzoo process would pay at start; here the
 * wrong libc's binary simply fails to load and the next is tried.
 */
function loadAwsCrt(): Crc32c | null {
  const libcs = os.platform() === 'linux' ? ['glibc', 'musl'] : ['cruntime'];
  for (const libc of libcs) {
    try {
      const binding = require(
        `aws-crt/dist/bin/${os.platform()}-${os.arch()}-${libc}/aws-crt-nodejs.node`,
      ) as { checksums_crc32c(data: Buffer, previous: number | undefined): number };
      const f = (data: Buffer) => binding.checksums_crc32c(data, undefined) >>> 0;
      // The standard check value of CRC-32C.
      if (f(Buffer.from('123456789')) === 0xe3069283) return f;
    } catch {
      // not this platform's binary; try the next
    }
  }
  return null;
}

let clmul: Crc32c | null | undefined;
/**
 * aws-crt's CRC-32C (unsigned), or null when its native binary does not load here.
 * Loaded on first use: opening the 7 MB binary costs tens of ms, which processes that
 * never check a CRC (most CLI commands) need not pay.
 */
export function crc32cClmul(): Crc32c | null {
  if (clmul === undefined) clmul = loadAwsCrt();
  return clmul;
}

let impl: Crc32c | undefined;
/** CRC-32C of `data`, unsigned: the fastest implementation that loaded. */
export function crc32c(data: Buffer): number {
  return (impl ??= crc32cClmul() ?? crc32cSse42)(data);
}
