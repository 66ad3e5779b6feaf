/**
 * Fuzzes the request path a broker runs on untrusted bytes: FrameDecoder (fed in
 * random chunk sizes) then decodeRequest. Over 100,000 frames, random and mutated
 * from valid requests of every API, the only exceptions allowed are the typed ones
 * (InvalidFrameError for framing, RequestDecodeError for requests), valid frames
 * interleaved with the junk still decode, and memory stays bounded by the frame limit.
 */
import { ALL_APIS, apiRegistry } from './apis';
import { fuzzFrames, mutate, randomFrame } from './fuzz-frames';
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

const MUTATE = { interesting: INTERESTING, hugeSizeOffset: 1, hugeSize: 0xffffffff };

/** Random bytes, often under a plausible header: a known key at version 0, a short or null clientId. */
function plausibleHeader(rnd: () => number) {
  return (b: Buffer, len: number) => {
    if (len >= 2 && rnd() < 0.7) {
      b.writeInt16BE(ALL_APIS[Math.floor(rnd() * ALL_APIS.length)].apiKey, 4);
      if (len >= 4) b.writeInt16BE(0, 6);
      if (len >= 10) b.writeInt16BE(rnd() < 0.5 ? -1 : Math.floor(rnd() * 4), 12);
    }
  };
}

describe('protocol > fuzz > FrameDecoder + decodeRequest', () => {
  it('survives 100,000+ random and mutated frames with typed errors only', () => {
    const rnd = prng(20261121);
    const valid = corpus(rnd);
    const check = valid[0];
    const counts = fuzzFrames({
      rnd,
      maxFrame: MAX_FRAME,
      frames: 100_000,
      nextInput: () =>
        rnd() < 0.5
          ? mutate(valid[Math.floor(rnd() * valid.length)], rnd, MUTATE)
          : randomFrame(rnd, plausibleHeader(rnd)),
      decode: (frame) => {
        const { header, body } = decodeRequest(frame);
        apiRegistry.schemas(header.apiKey, header.apiVersion)!.request.check(body);
      },
      isDecodeError: (e) => e instanceof RequestDecodeError,
      checkValid: () => expect(decodeRequest(check.subarray(4)).header.correlationId).toBe(0),
    });
    expect(counts.frames).toBeGreaterThanOrEqual(100_000);
    expect(counts.ok).toBeGreaterThan(1000);
    expect(counts.requestErrors).toBeGreaterThan(10_000);
    expect(counts.frameErrors).toBeGreaterThan(100);
    expect(counts.memoryGrowth).toBeLessThan(256 * 1024 * 1024);
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
