/**
 * Fuzzes the Kafka listener's request path on untrusted bytes: FrameDecoder (fed in
 * random chunk sizes) then decodeKafkaRequest. Over 100,000 frames, random and
 * mutated from valid requests of every advertised API and version, the only
 * exceptions allowed are the typed ones (InvalidFrameError, RequestDecodeError,
 * KafkaDecodeError), valid frames interleaved with the junk still decode, and
 * memory stays bounded by the frame limit.
 */
import { apiRegistry } from '../apis';
import { fuzzFrames, mutate, randomFrame } from '../fuzz-frames';
import { RequestDecodeError } from '../messages';
import { prng, sampleValue } from '../sample';
import { KAFKA_APIS, KafkaDecodeError, decodeKafkaRequest, encodeKafkaRequest } from '.';

const MAX_FRAME = 64 * 1024;
const INTERESTING = [0x00, 0xff, 0x7f, 0x80, 0x01, 0xfe, 0x81];

function corpus(rnd: () => number): Buffer[] {
  const out: Buffer[] = [];
  for (const api of KAFKA_APIS) {
    const schemas = apiRegistry.schemas(api.apiKey, 0);
    for (let v = api.minVersion; v <= api.maxVersion; v++) {
      for (let i = 0; i < 2; i++) {
        const body = schemas
          ? sampleValue(schemas.request, rnd)
          : api.apiKey === 17
            ? { mechanism: 'PLAIN' }
            : { authBytes: Buffer.from('token') };
        out.push(
          encodeKafkaRequest(
            { apiKey: api.apiKey, apiVersion: v, correlationId: i, clientId: 'fuzz' },
            body,
          ),
        );
      }
    }
  }
  return out;
}

const MUTATE = { interesting: INTERESTING, hugeSizeOffset: 0, hugeSize: 0x7fffffff };

/** Random bytes, often under a plausible header: an advertised key and version. */
function plausibleHeader(rnd: () => number) {
  return (b: Buffer, len: number) => {
    if (len >= 4 && rnd() < 0.7) {
      const api = KAFKA_APIS[Math.floor(rnd() * KAFKA_APIS.length)];
      b.writeInt16BE(api.apiKey, 4);
      b.writeInt16BE(api.minVersion + Math.floor(rnd() * (api.maxVersion - api.minVersion + 1)), 6);
      if (len >= 10) b.writeInt16BE(rnd() < 0.5 ? -1 : Math.floor(rnd() * 4), 12);
    }
  };
}

describe('protocol > kafka > fuzz > FrameDecoder + decodeKafkaRequest', () => {
  it('survives 100,000+ random and mutated Kafka frames with typed errors only', () => {
    const rnd = prng(20261204);
    const valid = corpus(rnd);
    const check = valid[0];
    const counts = fuzzFrames({
      rnd,
      maxFrame: MAX_FRAME,
      frames: 100_000,
      nextInput: () =>
        rnd() < 0.6
          ? mutate(valid[Math.floor(rnd() * valid.length)], rnd, MUTATE)
          : randomFrame(rnd, plausibleHeader(rnd)),
      decode: (frame) => decodeKafkaRequest(frame),
      isDecodeError: (e) => e instanceof RequestDecodeError || e instanceof KafkaDecodeError,
      checkValid: () => expect(decodeKafkaRequest(check.subarray(4)).header.correlationId).toBe(0),
    });
    expect(counts.frames).toBeGreaterThanOrEqual(100_000);
    expect(counts.ok).toBeGreaterThan(1000);
    expect(counts.requestErrors).toBeGreaterThan(10_000);
    expect(counts.frameErrors).toBeGreaterThan(100);
    expect(counts.memoryGrowth).toBeLessThan(256 * 1024 * 1024);
  });

  it('refuses absurd array counts and string lengths before allocating', () => {
    // Metadata v1, topics count 0x7ffffff0, nothing after
    const f = Buffer.from('00030001000000090001787ffffff0', 'hex');
    expect(() => decodeKafkaRequest(f)).toThrow(/topics: array of 2147483632 elements/);
    // Heartbeat v0, groupId length -2
    const g = Buffer.from('000c0000000000090001' + '78' + 'fffe', 'hex');
    expect(() => decodeKafkaRequest(g)).toThrow(/groupId: string length -2/);
    // Produce v3, records length -2
    const p = Buffer.from(
      '00000003000000090001' +
        '78' +
        'ffff' +
        'ffff' +
        '00000001' +
        '00000001' +
        '000174' +
        '00000001' +
        '00000000' +
        'fffffffe',
      'hex',
    );
    expect(() => decodeKafkaRequest(p)).toThrow(
      /topics\[0\]\.partitions\[0\]\.records: bytes length -2/,
    );
  });
});
