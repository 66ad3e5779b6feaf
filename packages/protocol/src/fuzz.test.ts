/**
 * Fuzzes the request path a broker runs on untrusted bytes: FrameDecoder (fed in
 * random chunk sizes) then decodeRequest. Over 100,000 frames, random and mutated
 * from valid requests of every API, the only exceptions allowed are the typed ones
 * (InvalidFrameError for framing, RequestDecodeError for requests), valid frames
 * interleaved with the junk still decode, and memory stays bounded by the frame limit.
 */
import { ALL_APIS, apiRegistry } from './apis';
import { FrameDecoder, InvalidFrameError } from './frame';
import { RequestDecodeError, decodeRequest, encodeRequest } from './messages';
import { prng, sampleValue } from './sample';

const MAX_FRAME = 64 * 1024;
const INTERESTING = [
  0x00, 0xff, 0x7f, 0x80, 0xc0, 0xc1, 0xc4, 0xc6, 0xd4, 0xd8, 0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0xc7,
  0xc9, 0x90, 0x80, 0xa0,
];

function corpus(rnd: () => number): Buffer[] {
  const out: Buffer[] = [];
  for (const api of ALL_APIS) {
    for (let i = 0; i < 4; i++) {
      const body = sampleValue(apiRegistry.schemas(api.apiKey, api.maxVersion)!.request, rnd);
      out.push(
        encodeRequest(
          { apiKey: api.apiKey, apiVersion: api.maxVersion, correlationId: i, clientId: 'fuzz' },
          body,
        ),
      );
    }
  }
  return out;
}

function mutate(src: Buffer, rnd: () => number): Buffer {
  let b = Buffer.from(src);
  const n = 1 + Math.floor(rnd() * 6);
  for (let m = 0; m < n; m++) {
    const at = Math.floor(rnd() * b.length);
    const op = rnd();
    if (op < 0.3) b[at] ^= 1 << Math.floor(rnd() * 8);
    else if (op < 0.55) b[at] = INTERESTING[Math.floor(rnd() * INTERESTING.length)];
    else if (op < 0.65) b = b.subarray(0, at);
    else if (op < 0.75) {
      // a huge size field right after a container/bin/str marker
      if (at + 5 <= b.length)
        b.writeUInt32BE(rnd() < 0.5 ? 0xffffffff : Math.floor(rnd() * 2 ** 32), at + 1);
    } else if (op < 0.85) {
      const extra = Buffer.allocUnsafe(Math.floor(rnd() * 16));
      for (let i = 0; i < extra.length; i++) extra[i] = Math.floor(rnd() * 256);
      b = Buffer.concat([b.subarray(0, at), extra, b.subarray(at)]);
    } else {
      b = Buffer.concat([b, b.subarray(at, at + Math.floor(rnd() * 32))]);
    }
  }
  // Usually keep the length prefix true to the payload, so the body decoder is reached.
  if (b.length >= 4 && rnd() < 0.9) b.writeInt32BE(b.length - 4, 0);
  return b;
}

function randomFrame(rnd: () => number): Buffer {
  const len = Math.floor(rnd() * (rnd() < 0.9 ? 64 : 4096));
  const b = Buffer.allocUnsafe(4 + len);
  b.writeInt32BE(len, 0);
  for (let i = 4; i < b.length; i++) b[i] = Math.floor(rnd() * 256);
  if (len >= 2 && rnd() < 0.7) {
    // a plausible header: a known key at version 0, a short or null clientId
    b.writeInt16BE(ALL_APIS[Math.floor(rnd() * ALL_APIS.length)].apiKey, 4);
    if (len >= 4) b.writeInt16BE(0, 6);
    if (len >= 10) b.writeInt16BE(rnd() < 0.5 ? -1 : Math.floor(rnd() * 4), 12);
  }
  return b;
}

describe('protocol > fuzz > FrameDecoder + decodeRequest', () => {
  it('survives 100,000+ random and mutated frames with typed errors only', () => {
    const rnd = prng(20261121);
    const valid = corpus(rnd);
    const check = valid[0];
    let decoder = new FrameDecoder(MAX_FRAME);
    const counts = { frames: 0, ok: 0, requestErrors: 0, frameErrors: 0 };
    const mem = () => {
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    };
    const baseline = mem();
    let peak = baseline;

    for (let iter = 0; counts.frames < 100_000; iter++) {
      const wire =
        rnd() < 0.5 ? mutate(valid[Math.floor(rnd() * valid.length)], rnd) : randomFrame(rnd);
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
            decoder = new FrameDecoder(MAX_FRAME); // the server closes such a connection
            break;
          }
          if (frame === undefined) break;
          counts.frames++;
          if (frame.length > MAX_FRAME)
            throw new Error(`frame of ${frame.length} bytes over the limit`);
          try {
            const { header, body } = decodeRequest(frame);
            apiRegistry.schemas(header.apiKey, header.apiVersion)!.request.check(body);
            counts.ok++;
          } catch (e) {
            if (!(e instanceof RequestDecodeError)) throw e;
            counts.requestErrors++;
          }
        }
      }
      // Bytes a peer merely announced are never allocated.
      if (decoder.bufferedBytes > MAX_FRAME + 4) throw new Error('decoder over-buffered');
      if (iter % 2000 === 0) {
        expect(decodeRequest(check.subarray(4)).header.correlationId).toBe(0);
        peak = Math.max(peak, mem());
      }
      // A desynchronised stream is dropped now and then, as a closed connection would be.
      if (rnd() < 0.05) decoder = new FrameDecoder(MAX_FRAME);
    }
    if (process.env.KZOO_FUZZ_VERBOSE) console.log(counts, (peak - baseline) >> 20);
    expect(counts.frames).toBeGreaterThanOrEqual(100_000);
    expect(counts.ok).toBeGreaterThan(1000);
    expect(counts.requestErrors).toBeGreaterThan(10_000);
    expect(counts.frameErrors).toBeGreaterThan(100);
    expect(peak - baseline).toBeLessThan(256 * 1024 * 1024);
  });

  it('refuses deeply nested bodies (stack exhaustion in the decoder) and recovers', () => {
    const header = Buffer.alloc(10);
    header.writeInt16BE(12, 0); // Heartbeat v0
    header.writeInt16BE(-1, 8);
    const deep = Buffer.alloc(60_000, 0x91); // [[[[...]]]]
    expect(() => decodeRequest(Buffer.concat([header, deep]))).toThrow(RequestDecodeError);
    const ok = encodeRequest(
      { apiKey: 12, apiVersion: 0, correlationId: 5, clientId: null },
      { groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: null },
    );
    expect(decodeRequest(ok.subarray(4)).header.correlationId).toBe(5);
  });

  it('refuses bodies announcing huge containers and strings without allocating them', () => {
    const header = Buffer.alloc(10);
    header.writeInt16BE(3, 0); // Metadata v0
    header.writeInt16BE(-1, 8);
    for (const marker of [0xdd, 0xdf, 0xdb, 0xc6, 0xc9]) {
      const body = Buffer.from([marker, 0xff, 0xff, 0xff, 0xff, 0x01]);
      expect(() => decodeRequest(Buffer.concat([header, body]))).toThrow(RequestDecodeError);
      const inMap = Buffer.from([
        0x81,
        0xa6,
        ...Buffer.from('topics'),
        marker,
        0xff,
        0xff,
        0xff,
        0xff,
      ]);
      expect(() => decodeRequest(Buffer.concat([header, inMap]))).toThrow(RequestDecodeError);
    }
  });
});
