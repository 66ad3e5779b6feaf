import { FrameDecoder, FrameReader, FrameTooLargeError, InvalidFrameError } from './frame';

function frameOf(payload: Buffer): Buffer {
  const b = Buffer.allocUnsafe(4 + payload.length);
  b.writeInt32BE(payload.length, 0);
  payload.copy(b, 4);
  return b;
}

function drain(d: FrameDecoder): Buffer[] {
  const out: Buffer[] = [];
  let f: Buffer | undefined;
  while ((f = d.next()) !== undefined) out.push(f);
  return out;
}

describe('protocol > frame > FrameDecoder', () => {
  const payloads = [
    Buffer.from('hello'),
    Buffer.alloc(0),
    Buffer.alloc(70000, 9),
    Buffer.from('x'),
  ];
  const stream = Buffer.concat(payloads.map(frameOf));

  it('returns the frames of one chunk, as views of that chunk', () => {
    const d = new FrameDecoder(1 << 20);
    d.push(stream);
    const frames = drain(d);
    expect(frames).toEqual(payloads);
    expect(frames[0].buffer).toBe(stream.buffer);
    expect(d.bufferedBytes).toBe(0);
  });

  it('reassembles frames split at every possible byte boundary', () => {
    for (const step of [1, 2, 3, 5, 4096, 65536]) {
      const d = new FrameDecoder(1 << 20);
      const got: Buffer[] = [];
      for (let i = 0; i < stream.length; i += step) {
        d.push(stream.subarray(i, i + step));
        got.push(...drain(d));
      }
      expect(got).toEqual(payloads);
      expect(d.bufferedBytes).toBe(0);
    }
  });

  it('refuses a frame over the limit from its length prefix alone', () => {
    const d = new FrameDecoder(1000);
    const prefix = Buffer.alloc(4);
    prefix.writeInt32BE(0x7fffffff, 0);
    d.push(prefix);
    let err: unknown;
    try {
      d.next();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FrameTooLargeError);
    expect(err).toMatchObject({ frameSize: 0x7fffffff, maxFrameBytes: 1000, code: 42 });
  });

  it('refuses a negative length', () => {
    const d = new FrameDecoder(1000);
    d.push(Buffer.from([0xff, 0xff, 0xff, 0xfe]));
    expect(() => d.next()).toThrow(InvalidFrameError);
  });

  it('accepts a frame of exactly the limit', () => {
    const d = new FrameDecoder(10);
    d.push(frameOf(Buffer.alloc(10, 1)));
    expect(drain(d)).toEqual([Buffer.alloc(10, 1)]);
  });
});

describe('protocol > frame > FrameReader', () => {
  /** Feeds `stream` as a socket with `onread` would: reads of at most `step` bytes into the buffer the reader hands out. */
  function feed(r: FrameReader, stream: Buffer, step: (i: number) => number): Buffer[] {
    const out: Buffer[] = [];
    let i = 0;
    let reads = 0;
    while (i < stream.length) {
      const buf = r.nextBuffer();
      const n = Math.min(buf.length, step(reads++), stream.length - i);
      stream.copy(buf, 0, i, i + n);
      i += n;
      r.onRead(n, buf, (f) => out.push(f));
    }
    return out;
  }
  /** Same frames, compared with Buffer#equals (jest's toEqual walks Buffers byte by byte). */
  const sameFrames = (got: Buffer[], want: Buffer[]) =>
    got.length === want.length && got.every((f, k) => f.equals(want[k]));
  const payloads = [
    Buffer.from('hello'),
    Buffer.alloc(0),
    Buffer.alloc(300000, 9),
    Buffer.from('x'),
    Buffer.alloc(20000, 7),
    Buffer.alloc(70000, 8),
  ];
  const stream = Buffer.concat(payloads.map(frameOf));

  it('hands out every frame whole, for reads of any size', () => {
    const smallStream = Buffer.concat(payloads.slice(0, 2).concat(payloads.slice(3)).map(frameOf));
    for (const step of [1, 3]) {
      const frames = feed(new FrameReader(1 << 20), smallStream, () => step);
      expect(sameFrames(frames, payloads.slice(0, 2).concat(payloads.slice(3)))).toBe(true);
    }
    for (const step of [4096, 65536, 1 << 20]) {
      const frames = feed(new FrameReader(1 << 20), stream, () => step);
      expect(sameFrames(frames, payloads)).toBe(true);
    }
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) % 90000) + 1;
    expect(sameFrames(feed(new FrameReader(1 << 20), stream, random), payloads)).toBe(true);
  });

  it('reads the rest of a large frame straight into the frame', () => {
    const r = new FrameReader(1 << 20);
    const big = frameOf(Buffer.alloc(300000, 5));
    const first = r.nextBuffer();
    big.copy(first, 0, 0, 1000);
    r.onRead(1000, first, () => {
      throw new Error('not yet');
    });
    const direct = r.nextBuffer();
    expect(direct.length).toBe(300000 - 996);
    big.copy(direct, 0, 1000);
    const got: Buffer[] = [];
    r.onRead(direct.length, direct, (f) => got.push(f));
    expect(got).toHaveLength(1);
    expect(got[0].equals(big.subarray(4))).toBe(true);
    // The socket wrote into the frame itself: no copy of the bytes read.
    expect(direct.buffer).toBe(got[0].buffer);
    expect(direct.byteOffset).toBe(got[0].byteOffset + 996);
  });

  it('never reuses the memory of a frame it handed out', () => {
    const r = new FrameReader(1 << 20);
    // Many small frames read through the reusable buffer, then large ones read directly,
    // then small ones again: every frame handed out keeps its bytes.
    const expected = [
      ...Array.from({ length: 2000 }, (_, i) => Buffer.alloc(100, i & 0xff)),
      Buffer.alloc(50000, 0xaa),
      Buffer.alloc(50000, 0xbb),
      ...Array.from({ length: 2000 }, (_, i) => Buffer.alloc(60, (i * 7) & 0xff)),
    ];
    const many = Buffer.concat(expected.map(frameOf));
    const got: Buffer[] = [];
    let i = 0;
    while (i < many.length) {
      const buf = r.nextBuffer();
      const n = Math.min(buf.length, 9000, many.length - i);
      many.copy(buf, 0, i, i + n);
      i += n;
      r.onRead(n, buf, (f) => got.push(f));
      // Whatever the socket reads next goes over the reusable buffer.
      const next = r.nextBuffer();
      if (next.length === 64 * 1024) next.fill(0xee);
    }
    expect(sameFrames(got, expected)).toBe(true);
  });

  it('refuses a negative or oversized length prefix', () => {
    const neg = Buffer.alloc(4);
    neg.writeInt32BE(-1, 0);
    expect(() => feed(new FrameReader(100), neg, () => 4)).toThrow(InvalidFrameError);
    const big = Buffer.alloc(4);
    big.writeInt32BE(101, 0);
    expect(() => feed(new FrameReader(100), big, () => 4)).toThrow(FrameTooLargeError);
  });
});
