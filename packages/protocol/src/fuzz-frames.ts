/**
 * The frame fuzzer both request paths are tested with (fuzz.test.ts: the native
 * protocol; kafka/fuzz.test.ts: Kafka's): seeded mutations of valid requests and random
 * frames, fed to a FrameDecoder in random chunk sizes, every frame handed to the path's
 * decoder. Checks as it goes that frames stay within the limit, that the decoder never
 * buffers more than one frame, and that only the path's typed errors are thrown.
 * Not used on any production path (like sample.ts).
 */
import { FrameDecoder, InvalidFrameError } from './frame';
import { setInt32, setUint32 } from '@kzoo/common';

export interface MutateOptions {
  /** Byte values worth planting: the codec's markers and boundary values. */
  interesting: readonly number[];
  /** Where a huge size field goes, relative to the mutated byte (1: after a marker). */
  hugeSizeOffset: number;
  /** The huge size written half of the time (else a random 32-bit value). */
  hugeSize: number;
}

/** 1-6 random edits of a valid request: bit flips, planted bytes, cuts, huge sizes, junk. */
export function mutate(src: Buffer, rnd: () => number, opts: MutateOptions): Buffer {
  let b = Buffer.from(src);
  const n = 1 + Math.floor(rnd() * 6);
  for (let m = 0; m < n; m++) {
    const at = Math.floor(rnd() * b.length);
    const op = rnd();
    if (op < 0.3) b[at] ^= 1 << Math.floor(rnd() * 8);
    else if (op < 0.55) b[at] = opts.interesting[Math.floor(rnd() * opts.interesting.length)];
    else if (op < 0.65) b = b.subarray(0, at);
    else if (op < 0.75) {
      const sizeAt = at + opts.hugeSizeOffset;
      if (sizeAt + 4 <= b.length)
        setUint32(b, sizeAt, rnd() < 0.5 ? opts.hugeSize : Math.floor(rnd() * 2 ** 32));
    } else if (op < 0.85) {
      const extra = Buffer.allocUnsafe(Math.floor(rnd() * 16));
      for (let i = 0; i < extra.length; i++) extra[i] = Math.floor(rnd() * 256);
      b = Buffer.concat([b.subarray(0, at), extra, b.subarray(at)]);
    } else {
      b = Buffer.concat([b, b.subarray(at, at + Math.floor(rnd() * 32))]);
    }
  }
  // Usually keep the length prefix true to the payload, so the body decoder is reached.
  if (b.length >= 4 && rnd() < 0.9) setInt32(b, 0, b.length - 4);
  return b;
}

/**
 * A frame of random bytes (mostly short); `plausibleHeader` may then write a header the
 * path would accept into it (`len` is the payload length).
 */
export function randomFrame(
  rnd: () => number,
  plausibleHeader: (b: Buffer, len: number) => void,
): Buffer {
  const len = Math.floor(rnd() * (rnd() < 0.9 ? 64 : 4096));
  const b = Buffer.allocUnsafe(4 + len);
  setInt32(b, 0, len);
  for (let i = 4; i < b.length; i++) b[i] = Math.floor(rnd() * 256);
  plausibleHeader(b, len);
  return b;
}

export interface FuzzFramesOptions {
  rnd: () => number;
  maxFrame: number;
  /** How many frames (decoded or refused) to get through. */
  frames: number;
  /** One input: usually a mutated valid request or a random frame. */
  nextInput(): Buffer;
  /** Decodes one frame; throws only the path's typed errors. */
  decode(frame: Buffer): void;
  /** Whether `e` is one of the path's typed decode errors. */
  isDecodeError(e: unknown): boolean;
  /** Called every 2,000 inputs: a valid request must still decode. */
  checkValid(): void;
}

export interface FuzzFramesResult {
  frames: number;
  ok: number;
  requestErrors: number;
  frameErrors: number;
  /** Peak heap + array buffer growth over the run, in bytes. */
  memoryGrowth: number;
}

/** Runs the fuzzer; throws on the first untyped error or broken bound. */
export function fuzzFrames(opts: FuzzFramesOptions): FuzzFramesResult {
  const { rnd, maxFrame } = opts;
  let decoder = new FrameDecoder(maxFrame);
  const counts = { frames: 0, ok: 0, requestErrors: 0, frameErrors: 0 };
  const mem = () => {
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const baseline = mem();
  let peak = baseline;

  for (let iter = 0; counts.frames < opts.frames; iter++) {
    const wire = opts.nextInput();
    // feed in random chunk sizes
    for (let off = 0; off < wire.length;) {
      const step = 1 + Math.floor(rnd() * (rnd() < 0.5 ? 8 : wire.length));
      decoder.push(wire.subarray(off, off + step));
      off += step;
      for (;;) {
        let frame: Buffer | undefined;
        try {
          frame = decoder.next();
        } catch (e) {
          if (!(e instanceof InvalidFrameError)) throw e;
          counts.frameErrors++;
          counts.frames++;
          decoder = new FrameDecoder(maxFrame); // the server closes such a connection
          break;
        }
        if (frame === undefined) break;
        counts.frames++;
        if (frame.length > maxFrame)
          throw new Error(`frame of ${frame.length} bytes over the limit`);
        try {
          opts.decode(frame);
          counts.ok++;
        } catch (e) {
          if (!opts.isDecodeError(e)) throw e;
          counts.requestErrors++;
        }
      }
    }
    // Bytes a peer merely announced are never allocated.
    if (decoder.bufferedBytes > maxFrame + 4) throw new Error('decoder over-buffered');
    if (iter % 2000 === 0) {
      opts.checkValid();
      peak = Math.max(peak, mem());
    }
    // A desynchronised stream is dropped now and then, as a closed connection would be.
    if (rnd() < 0.05) decoder = new FrameDecoder(maxFrame);
  }
  const result = { ...counts, memoryGrowth: peak - baseline };
  if (process.env.KZOO_FUZZ_VERBOSE) console.log(counts, result.memoryGrowth >> 20);
  return result;
}
