/**
 * ApiVersions (key 18) on the Kafka listener. Versions 0-3.
 * v0: empty request; response errorCode and the (key, min, max) table. v1:
 * throttleTimeMs. v2: same layout. v3: flexible (request header v2;
 * clientSoftwareName/Version; compact array; tag buffers). The response header is
 * v0 at every version (ApiVersionsResponse.json).
 * An unsupported version (>= 4) is answered in the v0 layout with
 * UNSUPPORTED_VERSION and only key 18's range: see encodeKafkaErrorResponse.
 * Not implemented: supported/finalized features and zkMigrationReady (v3 tagged
 * fields: skipped on decode, never written).
 */
import type {
  ApiVersionsRequest,
  ApiVersionsResponse,
  ApiVersionsResponseKey,
} from '../../apis/18-api-versions';
import { defineKafkaApi } from '../api';
import { arrayOf, kafkaMessage, structOf } from '../schema';

const request = kafkaMessage<ApiVersionsRequest>('ApiVersionsRequest', '3+', [
  { name: 'clientSoftwareName', type: 'string', versions: '3+', default: null },
  { name: 'clientSoftwareVersion', type: 'string', versions: '3+', default: null },
]);

type KafkaApiVersionsResponse = ApiVersionsResponse & {
  supportedFeatures?: unknown[];
  finalizedFeaturesEpoch?: number;
  finalizedFeatures?: unknown[];
  zkMigrationReady?: boolean;
};

const response = kafkaMessage<KafkaApiVersionsResponse>('ApiVersionsResponse', '3+', [
  { name: 'errorCode', type: 'int16', versions: '0+' },
  {
    name: 'apiKeys',
    type: arrayOf(
      structOf<ApiVersionsResponseKey>([
        { name: 'apiKey', type: 'int16', versions: '0+' },
        { name: 'minVersion', type: 'int16', versions: '0+' },
        { name: 'maxVersion', type: 'int16', versions: '0+' },
      ]),
    ),
    versions: '0+',
  },
  { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
  {
    name: 'supportedFeatures',
    type: arrayOf(
      structOf<{ name: string; minVersion: number; maxVersion: number }>([
        { name: 'name', type: 'string', versions: '3+' },
        { name: 'minVersion', type: 'int16', versions: '3+' },
        { name: 'maxVersion', type: 'int16', versions: '3+' },
      ]),
    ),
    versions: '3+',
    taggedVersions: '3+',
    tag: 0,
    drop: true,
  },
  {
    name: 'finalizedFeaturesEpoch',
    type: 'int64',
    versions: '3+',
    taggedVersions: '3+',
    tag: 1,
    default: -1,
    drop: true,
  },
  {
    name: 'finalizedFeatures',
    type: arrayOf(
      structOf<{ name: string; maxVersionLevel: number; minVersionLevel: number }>([
        { name: 'name', type: 'string', versions: '3+' },
        { name: 'maxVersionLevel', type: 'int16', versions: '3+' },
        { name: 'minVersionLevel', type: 'int16', versions: '3+' },
      ]),
    ),
    versions: '3+',
    taggedVersions: '3+',
    tag: 2,
    drop: true,
  },
  {
    name: 'zkMigrationReady',
    type: 'bool',
    versions: '3+',
    taggedVersions: '3+',
    tag: 3,
    default: false,
    drop: true,
  },
]);

export const KafkaApiVersionsApi = defineKafkaApi<ApiVersionsRequest, ApiVersionsResponse>({
  apiKey: 18,
  name: 'ApiVersions',
  minVersion: 0,
  maxVersion: 3,
  request,
  response,
  errorResponse: (_req, errorCode) => ({
    errorCode,
    apiKeys: errorCode === 35 ? [{ apiKey: 18, minVersion: 0, maxVersion: 3 }] : [],
    throttleTimeMs: 0,
  }),
});
