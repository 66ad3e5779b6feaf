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
import { KafkaError, emptyObjectArray, getInt32 } from '@kzoo/common';

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
  // of the object kind from the start: see emptyObjectArray (a fresh `[]` per connection
  // deoptimized the read path at each new connection's first chunk)
  private chunks: Buffer[] = emptyObjectArray<Buffer>();
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
    this.chunks = emptyObjectArray<Buffer>();
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
      const v = getInt32(head, this.offset);
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
