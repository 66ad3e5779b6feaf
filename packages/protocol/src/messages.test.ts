import { ErrorCode } from '@kzoo/common';
import { apiRegistry, type ProduceRequest } from './apis';
import { encodeBody } from './codec';
import {
  ErrorResponse,
  RequestDecodeError,
  decodeRequest,
  decodeResponseBody,
  decodeResponseHeader,
  encodeErrorResponse,
  encodeRequest,
  encodeResponse,
} from './messages';
import { KafkaError } from '@kzoo/common';

const produce = (records: Buffer): ProduceRequest => ({
  transactionalId: null,
  acks: -1,
  timeoutMs: 30000,
  topics: [{ name: 't', partitions: [{ index: 0, records }] }],
});

function decodeError(frame: Buffer): RequestDecodeError {
  try {
    decodeRequest(frame);
  } catch (e) {
    if (e instanceof RequestDecodeError) return e;
    throw e;
  }
  throw new Error('decoded');
}

/** A request frame payload with a hand-made header and raw body bytes. */
function rawRequest(
  apiKey: number,
  apiVersion: number,
  correlationId: number,
  body: Buffer,
): Buffer {
  const h = Buffer.alloc(10);
  h.writeInt16BE(apiKey, 0);
  h.writeInt16BE(apiVersion, 2);
  h.writeInt32BE(correlationId, 4);
  h.writeInt16BE(-1, 8);
  return Buffer.concat([h, body]);
}

describe('protocol > messages > request frames', () => {
  it('round-trips header and body; records arrive as a view of the frame', () => {
    const records = Buffer.alloc(16384, 7);
    const frame = encodeRequest(
      { apiKey: 0, apiVersion: 0, correlationId: 42, clientId: 'producer-1' },
      produce(records),
    );
    expect(frame.readInt32BE(0)).toBe(frame.length - 4);
    const { header, body } = decodeRequest(frame.subarray(4));
    expect(header).toEqual({ apiKey: 0, apiVersion: 0, correlationId: 42, clientId: 'producer-1' });
    const got = (body as ProduceRequest).topics[0].partitions[0].records;
    expect(got.equals(records)).toBe(true);
    expect(got.buffer).toBe(frame.buffer); // no copy on decode
  });

  it('supports a null clientId and a clientId too long for the reserved prefix', () => {
    for (const clientId of [null, 'c'.repeat(1000)]) {
      const frame = encodeRequest(
        { apiKey: 18, apiVersion: 0, correlationId: 1, clientId },
        {
          clientSoftwareName: null,
          clientSoftwareVersion: null,
        },
      );
      expect(decodeRequest(frame.subarray(4)).header.clientId).toBe(clientId);
    }
  });

  it('answers an unknown apiKey or version with UNSUPPORTED_VERSION and the correlationId', () => {
    const e1 = decodeError(rawRequest(999, 0, 7, Buffer.from([0xc0])));
    expect(e1).toMatchObject({
      code: ErrorCode.UNSUPPORTED_VERSION,
      answerable: true,
      correlationId: 7,
    });
    const e2 = decodeError(rawRequest(0, 5, 8, Buffer.from('garbage')));
    expect(e2).toMatchObject({ code: 35, apiKey: 0, apiVersion: 5, correlationId: 8 });
    expect(e2.message).toContain('Produce v5 is not supported (versions 0-0)');
  });

  it('names the bad field of a wrongly typed body (INVALID_REQUEST)', () => {
    const body = produce(Buffer.alloc(1)) as unknown as { acks: unknown };
    body.acks = 'all';
    const e = decodeError(rawRequest(0, 0, 9, encodeBody(body)));
    expect(e).toMatchObject({
      code: ErrorCode.INVALID_REQUEST,
      answerable: true,
      correlationId: 9,
    });
    expect(e.message).toContain('Produce v0 request: acks: expected int16, got string');
  });

  it('refuses truncated bodies, trailing bytes and empty bodies', () => {
    const good = encodeBody(produce(Buffer.alloc(100)));
    for (const body of [
      good.subarray(0, good.length - 10),
      Buffer.concat([good, Buffer.from([1])]),
      Buffer.alloc(0),
    ]) {
      expect(decodeError(rawRequest(0, 0, 3, body))).toMatchObject({ code: 42, answerable: true });
    }
  });

  it('closes (not answerable) on an unreadable header', () => {
    expect(decodeError(Buffer.alloc(5))).toMatchObject({ answerable: false });
    const bad = rawRequest(0, 0, 1, Buffer.alloc(0));
    bad.writeInt16BE(50, 8); // clientId longer than the frame
    expect(decodeError(bad)).toMatchObject({ answerable: false, correlationId: 1 });
  });
});

describe('protocol > messages > response frames', () => {
  it('round-trips a response body and validates it', () => {
    const frame = encodeResponse(5, {
      errorCode: 0,
      apiKeys: apiRegistry.ranges,
      throttleTimeMs: 0,
    });
    const payload = frame.subarray(4);
    expect(decodeResponseHeader(payload)).toEqual({ correlationId: 5, errorCode: 0 });
    expect(decodeResponseBody(payload, 18, 0)).toMatchObject({ errorCode: 0 });
  });

  it('turns a request-level error into an ErrorResponse carrying the supported ranges', () => {
    const frame = encodeErrorResponse(6, new KafkaError('UNSUPPORTED_VERSION', 'nope'));
    let err: unknown;
    try {
      decodeResponseBody(frame.subarray(4), 18, 3);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ErrorResponse);
    expect((err as ErrorResponse).code).toBe(35);
    expect((err as ErrorResponse).apiKeys).toContainEqual({
      apiKey: 18,
      minVersion: 0,
      maxVersion: 0,
    });
    // The error body is also a valid ApiVersions v0 response.
    apiRegistry.schemas(18, 0)!.response.check(require('./codec').decodeBody(frame.subarray(10)));
  });

  it('rejects a response that does not match its schema', () => {
    const frame = encodeResponse(1, { errorCode: 'x' });
    expect(() => decodeResponseBody(frame.subarray(4), 18, 0)).toThrow(
      /ApiVersions v0 response: errorCode/,
    );
  });
});
