/**
 * Fuzzes the Kafka listener's request path on untrusted bytes: FrameDecoder (fed in
 * random chunk sizes) then decodeKafkaRequest. Over 100,000 frames, random and
 * mutated from valid requests of every advertised API and version, the only
 * exceptions allowed are the typed ones (InvalidFrameError, RequestDecodeError,
 * KafkaDecodeError), valid frames interleaved with the junk still decode, and
 * memory stays bounded by the frame limit.
 */
import { apiRegistry } from '../apis';
import { FrameDecoder, InvalidFrameError } from '../frame';
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
      // a huge or negative length/count
      if (at + 4 <= b.length)
        b.writeUInt32BE(rnd() < 0.5 ? 0x7fffffff : Math.floor(rnd() * 2 ** 32), at);
    } else if (op < 0.85) {
      const extra = Buffer.allocUnsafe(Math.floor(rnd() * 16));
      for (let i = 0; i < extra.length; i++) extra[i] = Math.floor(rnd() * 256);
      b = Buffer.concat([b.subarray(0, at), extra, b.subarray(at)]);
    } else {
      b = Buffer.concat([b, b.subarray(at, at + Math.floor(rnd() * 32))]);
    }
  }
  if (b.length >= 4 && rnd() < 0.9) b.writeInt32BE(b.length - 4, 0);
  return b;
}

function randomFrame(rnd: () => number): Buffer {
  const len = Math.floor(rnd() * (rnd() < 0.9 ? 64 : 4096));
  const b = Buffer.allocUnsafe(4 + len);
  b.writeInt32BE(len, 0);
  for (let i = 4; i < b.length; i++) b[i] = Math.floor(rnd() * 256);
  if (len >= 4 && rnd() < 0.7) {
    const api = KAFKA_APIS[Math.floor(rnd() * KAFKA_APIS.length)];
    b.writeInt16BE(api.apiKey, 4);
    b.writeInt16BE(api.minVersion + Math.floor(rnd() * (api.maxVersion - api.minVersion + 1)), 6);
    if (len >= 10) b.writeInt16BE(rnd() < 0.5 ? -1 : Math.floor(rnd() * 4), 12);
  }
  return b;
}

describe('protocol > kafka > fuzz > FrameDecoder + decodeKafkaRequest', () => {
  it('survives 100,000+ random and mutated Kafka frames with typed errors only', () => {
    const rnd = prng(20261204);
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
        rnd() < 0.6 ? mutate(valid[Math.floor(rnd() * valid.length)], rnd) : randomFrame(rnd);
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
            decoder = new FrameDecoder(MAX_FRAME);
            break;
          }
          if (frame === undefined) break;
          counts.frames++;
          if (frame.length > MAX_FRAME)
            throw new Error(`frame of ${frame.length} bytes over the limit`);
          try {
            decodeKafkaRequest(frame);
            counts.ok++;
          } catch (e) {
            if (!(e instanceof RequestDecodeError || e instanceof KafkaDecodeError)) throw e;
            counts.requestErrors++;
          }
        }
      }
      if (decoder.bufferedBytes > MAX_FRAME + 4) throw new Error('decoder over-buffered');
      if (iter % 2000 === 0) {
        expect(decodeKafkaRequest(check.subarray(4)).header.correlationId).toBe(0);
        peak = Math.max(peak, mem());
      }
      if (rnd() < 0.05) decoder = new FrameDecoder(MAX_FRAME);
    }
    if (process.env.KZOO_FUZZ_VERBOSE) console.log(counts, (peak - baseline) >> 20);
    expect(counts.frames).toBeGreaterThanOrEqual(100_000);
    expect(counts.ok).toBeGreaterThan(1000);
    expect(counts.requestErrors).toBeGreaterThan(10_000);
    expect(counts.frameErrors).toBeGreaterThan(100);
    expect(peak - baseline).toBeLessThan(256 * 1024 * 1024);
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
