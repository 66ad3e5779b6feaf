/**
 * TCP framing: every frame is an int32 big-endian length (not counting itself)
 * followed by that many payload bytes, as in Kafka.
 *
 * `FrameDecoder` is fed socket chunks and hands out whole frames, pull-style, so a
 * caller applying back-pressure can stop taking frames and resume later. A frame that
 * lies inside one chunk is returned as a `subarray` view (no copy); a frame spread
 * over chunks is assembled once. Memory grows only with bytes actually received
 * (never with the size a peer merely announces), and a frame over `maxFrameBytes`
 * is refused from its length prefix alone.
 */
import { KafkaError } from '@kzoo/common';

/** Kafka's `socket.request.max.bytes` default (100 MiB). */
export const DEFAULT_MAX_FRAME_BYTES = 104857600;

/** A frame whose length prefix is invalid; the connection cannot be resynchronised. */
export class InvalidFrameError extends KafkaError {
  constructor(
    readonly frameSize: number,
    detail: string,
  ) {
    super('INVALID_REQUEST', detail);
    this.name = 'InvalidFrameError';
  }
}

/** A frame larger than the configured maximum (`socket.request.max.bytes`). */
export class FrameTooLargeError extends InvalidFrameError {
  constructor(
    frameSize: number,
    readonly maxFrameBytes: number,
  ) {
    super(frameSize, `frame of ${frameSize} bytes exceeds the maximum of ${maxFrameBytes}`);
    this.name = 'FrameTooLargeError';
  }
}

export class FrameDecoder {
  private chunks: Buffer[] = [];
  /** Read offset into chunks[0]. */
  private offset = 0;
  private buffered = 0;
  /** Payload length of the frame being assembled, or -1 while its prefix is unread. */
  private need = -1;

  constructor(readonly maxFrameBytes: number = DEFAULT_MAX_FRAME_BYTES) {
    if (!Number.isInteger(maxFrameBytes) || maxFrameBytes < 0) {
      throw new RangeError(`maxFrameBytes must be a non-negative integer, got ${maxFrameBytes}`);
    }
  }

  /** Bytes received and not yet handed out as frames. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  /**
   * The next complete frame payload, or undefined when more bytes are needed.
   * Throws InvalidFrameError / FrameTooLargeError; the decoder is then unusable.
   */
  next(): Buffer | undefined {
    if (this.need < 0) {
      if (this.buffered < 4) return undefined;
      const size = this.readInt32();
      if (size < 0) throw new InvalidFrameError(size, `negative frame size ${size}`);
      if (size > this.maxFrameBytes) throw new FrameTooLargeError(size, this.maxFrameBytes);
      this.need = size;
    }
    const need = this.need;
    if (this.buffered < need) return undefined;
    this.need = -1;
    this.buffered -= need;
    const head = this.chunks[0];
    if (need === 0) return Buffer.alloc(0);
    if (head.length - this.offset >= need) {
      const frame = head.subarray(this.offset, this.offset + need);
      this.advance(need);
      return frame;
    }
    const frame = Buffer.allocUnsafe(need);
    let copied = 0;
    while (copied < need) {
      const c = this.chunks[0];
      const n = Math.min(c.length - this.offset, need - copied);
      c.copy(frame, copied, this.offset, this.offset + n);
      copied += n;
      this.advance(n);
    }
    return frame;
  }

  /** Drops everything buffered. */
  reset(): void {
    this.chunks = [];
    this.offset = 0;
    this.buffered = 0;
    this.need = -1;
  }

  private advance(n: number): void {
    this.offset += n;
    if (this.offset === this.chunks[0].length) {
      this.chunks.shift();
      this.offset = 0;
    }
  }

  private readInt32(): number {
    const head = this.chunks[0];
    this.buffered -= 4;
    if (head.length - this.offset >= 4) {
      const v = head.readInt32BE(this.offset);
      this.advance(4);
      return v;
    }
    let v = 0;
    for (let i = 0; i < 4; i++) {
      v = (v << 8) | this.chunks[0][this.offset];
      this.advance(1);
    }
    return v | 0;
  }
}

/** Bytes left of a frame at or above which the socket reads straight into it. */
const DIRECT_READ_BYTES = 16 * 1024;
/** Size of a FrameReader's reusable read buffer (net's default read size). */
const READ_BUFFER_BYTES = 64 * 1024;

/**
 * The receiving side for a socket opened with net's `onread` option (a buffer function):
 * the socket reads into buffers this reader hands out, and the reader hands back whole
 * frames. A large frame is read straight into its own Buffer, allocated once its length
 * prefix is read (as Kafka's NetworkReceive allocates the announced size, up to
 * `maxFrameBytes`): no 64 KiB chunk per read and no copy of the chunks into the frame
 * (FrameDecoder's assembly, which the consumer's profiles showed as its largest cost after
 * garbage collection). Bytes read between frames go into one reusable buffer; the small
 * frames among them are copied out of it (a frame handed out is never overwritten).
 *
 *   const reader = new FrameReader(max);
 *   net.connect({ host, port, onread: { buffer: () => reader.nextBuffer(),
 *                 callback: (n, buf) => reader.onRead(n, buf, onFrame) } });
 *
 * `onRead` throws InvalidFrameError / FrameTooLargeError as FrameDecoder.next does; the
 * reader is then unusable.
 */
export class FrameReader {
  private readonly scratch: Buffer;
  /** The frame being filled (payload only), or null while its length prefix is read. */
  private frame: Buffer | null = null;
  private filled = 0;
  /** The buffer last handed to the socket, when it is the frame itself. */
  private direct: Buffer | null = null;
  private readonly prefix = Buffer.alloc(4);
  private prefixHave = 0;

  constructor(
    readonly maxFrameBytes: number = DEFAULT_MAX_FRAME_BYTES,
    readBufferBytes = READ_BUFFER_BYTES,
  ) {
    if (!Number.isInteger(maxFrameBytes) || maxFrameBytes < 0) {
      throw new RangeError(`maxFrameBytes must be a non-negative integer, got ${maxFrameBytes}`);
    }
    this.scratch = Buffer.allocUnsafe(readBufferBytes);
  }

  /** The buffer for the socket's next read: the rest of a large frame, else the reusable one. */
  nextBuffer(): Buffer {
    const f = this.frame;
    if (f !== null && f.length - this.filled >= DIRECT_READ_BYTES) {
      this.direct = f.subarray(this.filled);
      return this.direct;
    }
    this.direct = null;
    return this.scratch;
  }

  /** Takes `nread` bytes read into `buf` (the buffer handed out last); calls `onFrame` per frame. */
  onRead(nread: number, buf: Buffer, onFrame: (frame: Buffer) => void): void {
    if (buf === this.direct && this.direct !== null) {
      this.direct = null;
      this.filled += nread;
      const f = this.frame!;
      if (this.filled === f.length) {
        this.frame = null;
        onFrame(f);
      }
      return;
    }
    let p = 0;
    while (p < nread) {
      let f = this.frame;
      if (f === null) {
        while (this.prefixHave < 4 && p < nread) this.prefix[this.prefixHave++] = buf[p++];
        if (this.prefixHave < 4) return;
        this.prefixHave = 0;
        const size = this.prefix.readInt32BE(0);
        if (size < 0) throw new InvalidFrameError(size, `negative frame size ${size}`);
        if (size > this.maxFrameBytes) throw new FrameTooLargeError(size, this.maxFrameBytes);
        if (size === 0) {
          onFrame(Buffer.alloc(0));
          continue;
        }
        f = this.frame = Buffer.allocUnsafe(size);
        this.filled = 0;
      }
      const n = Math.min(nread - p, f.length - this.filled);
      buf.copy(f, this.filled, p, p + n);
      this.filled += n;
      p += n;
      if (this.filled === f.length) {
        this.frame = null;
        onFrame(f);
      }
    }
  }
}
