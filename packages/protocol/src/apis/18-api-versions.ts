/**
 * ApiVersions (key 18). Versions: 0.
 * v0: Kafka ApiVersions v3's fields: clientSoftwareName/Version; response
 *     errorCode, the supported range of every API, throttleTimeMs.
 * A request at an unsupported ApiVersions version is answered with a v0 body
 * carrying UNSUPPORTED_VERSION and the ranges (as Kafka answers with its v0 layout),
 * so any future client can learn what this broker speaks.
 * Not implemented: supported/finalized features (tagged fields in Kafka).
 */
import { defineApi } from '../api';
import { array, int16, int32, nullableString, struct } from '../schema';

export interface ApiVersionsRequest {
  clientSoftwareName: string | null;
  clientSoftwareVersion: string | null;
}
export interface ApiVersionsResponseKey {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}
export interface ApiVersionsResponse {
  errorCode: number;
  apiKeys: ApiVersionsResponseKey[];
  throttleTimeMs: number;
}

export const ApiVersionsApi = defineApi({
  apiKey: 18,
  name: 'ApiVersions',
  latest: {
    request: struct<ApiVersionsRequest>({
      clientSoftwareName: nullableString,
      clientSoftwareVersion: nullableString,
    }),
    response: struct<ApiVersionsResponse>({
      errorCode: int16,
      apiKeys: array(
        struct<ApiVersionsResponseKey>({ apiKey: int16, minVersion: int16, maxVersion: int16 }),
      ),
      throttleTimeMs: int32,
    }),
  },
});
