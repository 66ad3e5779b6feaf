/**
 * Compression codecs of RecordBatch v2 with Kafka's ids. gzip via node:zlib; snappy
 * written xerial-framed as the Java client does (read: xerial-framed or raw, as
 * librdkafka writes raw); lz4 as the LZ4 frame format with independent blocks
 * (lz4-napi / lz4_flex, what Kafka's Lz4BlockInputStream reads); zstd frames.
 * The three native codecs load on first use: most processes (a broker storing what
 * producers compressed, a CLI command) never call them, and loading them costs every
 * process tens of milliseconds at startup.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { KafkaError, getInt32, setInt32 } from '@kzoo/common';
import type * as Snappy from 'snappy';
import type * as Lz4 from 'lz4-napi';
import type * as Zstd from 'zstd-napi';

let snappyLib: typeof Snappy | undefined;
let lz4Lib: typeof Lz4 | undefined;
let zstdLib: typeof Zstd | undefined;
const snappy = (): typeof Snappy => (snappyLib ??= require('snappy') as typeof Snappy);
const lz4 = (): typeof Lz4 => (lz4Lib ??= require('lz4-napi') as typeof Lz4);
const zstd = (): typeof Zstd => (zstdLib ??= require('zstd-napi') as typeof Zstd);

export type CompressionCodec = 0 | 1 | 2 | 3 | 4;
export type CompressionName = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

const NAMES: readonly CompressionName[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

/** Codec id from a Kafka `compression.type` name or an id. */
export function compressionCodec(c: CompressionName | number): CompressionCodec {
  const id = typeof c === 'number' ? c : NAMES.indexOf(c);
  if (!Number.isInteger(id) || id < 0 || id > 4)
    throw new KafkaError('UNSUPPORTED_COMPRESSION_TYPE', `unknown compression codec ${String(c)}`);
  return id as CompressionCodec;
}

// xerial snappy-java SnappyOutputStream framing: magic, version 1, compatible version 1,
// then blocks of (int32 BE compressed length, raw snappy block); Kafka's block size 32 KiB.
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER = 16;
const XERIAL_BLOCK = 32 * 1024;

function snappyCompress(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  const header = Buffer.alloc(XERIAL_HEADER);
  XERIAL_MAGIC.copy(header, 0);
  setInt32(header, 8, 1);
  setInt32(header, 12, 1);
  parts.push(header);
  for (let off = 0; off < data.length; off += XERIAL_BLOCK) {
    const block = snappy().compressSync(
      data.subarray(off, Math.min(off + XERIAL_BLOCK, data.length)),
    );
    const len = Buffer.allocUnsafe(4);
    setInt32(len, 0, block.length);
    parts.push(len, block);
  }
  return Buffer.concat(parts);
}

function snappyDecompress(data: Buffer): Buffer {
  if (data.length < XERIAL_HEADER || !data.subarray(0, 8).equals(XERIAL_MAGIC)) {
    return snappy().uncompressSync(data, { asBuffer: true }) as Buffer;
  }
  const parts: Buffer[] = [];
  let pos = XERIAL_HEADER;
  while (pos < data.length) {
    if (pos + 4 > data.length) throw new Error('truncated xerial snappy block header');
    const len = getInt32(data, pos);
    pos += 4;
    if (len < 0 || pos + len > data.length) throw new Error('truncated xerial snappy block');
    parts.push(
      snappy().uncompressSync(data.subarray(pos, pos + len), { asBuffer: true }) as Buffer,
    );
    pos += len;
  }
  return parts.length === 1 ? parts[0] : Buffer.concat(parts);
}

export function compress(codec: CompressionCodec, data: Buffer): Buffer {
  switch (codec) {
    case 0:
      return data;
    case 1:
      return gzipSync(data);
    case 2:
      return snappyCompress(data);
    case 3:
      return lz4().compressFrameSync(data);
    case 4:
      return zstd().compress(data);
  }
}

/** Decompresses a batch payload; any codec failure is CORRUPT_MESSAGE. */
export function decompress(codec: number, data: Buffer): Buffer {
  try {
    switch (codec) {
      case 0:
        return data;
      case 1:
        return gunzipSync(data);
      case 2:
        return snappyDecompress(data);
      case 3:
        return lz4().decompressFrameSync(data);
      case 4:
        return zstd().decompress(data);
    }
  } catch (e) {
    throw new KafkaError(
      'CORRUPT_MESSAGE',
      `cannot decompress ${NAMES[codec]} payload: ${(e as Error).message}`,
    );
  }
  throw new KafkaError('UNSUPPORTED_COMPRESSION_TYPE', `unknown compression codec ${codec}`);
}
