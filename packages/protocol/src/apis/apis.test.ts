import { KafkaError } from '@kzoo/common';
import { ALL_APIS, ApiKeys, apiRegistry } from '.';
import { decodeRequest, decodeResponseBody, encodeRequest, encodeResponse } from '../messages';
import { prng, sampleValue } from '../sample';

describe('protocol > apis', () => {
  it('registers one definition per Kafka key, named as Kafka names them', () => {
    for (const [name, key] of Object.entries(ApiKeys)) {
      expect(apiRegistry.get(key)?.name).toBe(name);
    }
    expect(ALL_APIS).toHaveLength(Object.keys(ApiKeys).length);
    expect(apiRegistry.supportedVersions(ApiKeys.Produce)).toEqual({
      minVersion: 0,
      maxVersion: 0,
    });
    expect(apiRegistry.supportedVersions(17)).toBeUndefined();
  });

  for (const api of ALL_APIS) {
    for (let v = api.minVersion; v <= api.maxVersion; v++) {
      it(`${api.apiKey} ${api.name} v${v}: request and response round-trip`, () => {
        const rnd = prng(api.apiKey * 1000 + v);
        const schemas = apiRegistry.schemas(api.apiKey, v)!;
        for (let i = 0; i < 20; i++) {
          const req = sampleValue(schemas.request, rnd);
          const frame = encodeRequest(
            { apiKey: api.apiKey, apiVersion: v, correlationId: i, clientId: 'c' },
            req,
          );
          const decoded = decodeRequest(frame.subarray(4));
          expect(decoded.body).toEqual(req);
          const res = sampleValue(schemas.response, rnd);
          const rframe = encodeResponse(i, res);
          expect(decodeResponseBody(rframe.subarray(4), api.apiKey, v)).toEqual(res);
        }
      });
    }
  }

  it('refuses a request missing a field, naming the field', () => {
    const frame = encodeRequest(
      { apiKey: ApiKeys.Fetch, apiVersion: 0, correlationId: 1, clientId: null },
      {
        replicaId: -1,
        maxWaitMs: 500,
        minBytes: 1,
        maxBytes: 1 << 20,
        isolationLevel: 0,
        topics: [
          {
            topic: 't',
            partitions: [
              { partition: 0, currentLeaderEpoch: -1, fetchOffset: 0, logStartOffset: -1 },
            ],
          },
        ],
      },
    );
    expect(() => decodeRequest(frame.subarray(4))).toThrow(KafkaError);
    expect(() => decodeRequest(frame.subarray(4))).toThrow(
      /topics\[0\]\.partitions\[0\]\.partitionMaxBytes: expected int32, got missing/,
    );
  });
});
