import { ApiRegistry, defineApi } from './api';
import { RequestDecodeError, decodeRequest, encodeRequest } from './messages';
import { int16, int32, nullableString, string, struct } from './schema';

// A two-version API, as a future version bump of a real one would look.
interface EchoV1Request {
  name: string;
  count: number;
  rack: string | null;
}
const EchoApi = defineApi<EchoV1Request, { errorCode: number }>({
  apiKey: 200,
  name: 'Echo',
  older: [
    {
      request: struct<{ name: string }>({ name: string }),
      response: struct<{ errorCode: number }>({ errorCode: int16 }),
    },
  ],
  latest: {
    request: struct<EchoV1Request>({ name: string, count: int32, rack: nullableString }),
    response: struct<{ errorCode: number }>({ errorCode: int16 }),
  },
});
const registry = new ApiRegistry([EchoApi]);

const frame = (apiVersion: number, body: unknown) =>
  encodeRequest({ apiKey: 200, apiVersion, correlationId: 1, clientId: null }, body).subarray(4);

describe('protocol > api > ApiRegistry', () => {
  it('advertises the version range of a multi-version API', () => {
    expect(registry.supportedVersions(200)).toEqual({ minVersion: 0, maxVersion: 1 });
    expect(registry.ranges).toEqual([{ apiKey: 200, minVersion: 0, maxVersion: 1 }]);
    expect(registry.isSupported(200, 2)).toBe(false);
  });

  it('validates each version against its own schema', () => {
    expect(decodeRequest(frame(0, { name: 'a' }), registry).body).toEqual({ name: 'a' });
    expect(decodeRequest(frame(1, { name: 'a', count: 2, rack: null }), registry).body).toEqual({
      name: 'a',
      count: 2,
      rack: null,
    });
    expect(() => decodeRequest(frame(1, { name: 'a' }), registry)).toThrow(
      /Echo v1 request: count: expected int32, got missing/,
    );
    expect(() => decodeRequest(frame(2, { name: 'a' }), registry)).toThrow(RequestDecodeError);
  });

  it('refuses duplicate keys', () => {
    expect(() => new ApiRegistry([EchoApi, EchoApi])).toThrow(/duplicate apiKey 200/);
  });
});
