import { FrameDecoder, FrameTooLargeError, InvalidFrameError } from './frame';

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
