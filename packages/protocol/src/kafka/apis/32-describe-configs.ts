/**
 * DescribeConfigs (key 32) on the Kafka listener. Versions 0-3.
 * v0: resources and keys; per config isDefault (derived from configSource ===
 * DEFAULT_CONFIG (5); decoded back as 5 or -1). v1: includeSynonyms, configSource
 * replaces isDefault, synonyms. v2: same layout. v3: includeDocumentation,
 * configType, documentation.
 * Not implemented: v4 (flexible).
 */
import type {
  DescribeConfigsRequest,
  DescribeConfigsRequestResource,
  DescribeConfigsResourceResult,
  DescribeConfigsResponse,
  DescribeConfigsResult,
  DescribeConfigsSynonym,
} from '../../apis/32-describe-configs';
import { defineKafkaApi } from '../api';
import { arrayOf, kafkaMessage, structOf } from '../schema';

const DEFAULT_CONFIG = 5;

const request = kafkaMessage<DescribeConfigsRequest>('DescribeConfigsRequest', '4+', [
  {
    name: 'resources',
    type: arrayOf(
      structOf<DescribeConfigsRequestResource>([
        { name: 'resourceType', type: 'int8', versions: '0+' },
        { name: 'resourceName', type: 'string', versions: '0+' },
        {
          name: 'configurationKeys',
          type: arrayOf('string'),
          versions: '0+',
          nullableVersions: '0+',
        },
      ]),
    ),
    versions: '0+',
  },
  { name: 'includeSynonyms', type: 'bool', versions: '1+', default: false },
  { name: 'includeDocumentation', type: 'bool', versions: '3+', default: false },
]);

type KafkaConfig = DescribeConfigsResourceResult & { isDefault?: boolean };

const response = kafkaMessage<DescribeConfigsResponse>('DescribeConfigsResponse', '4+', [
  { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
  {
    name: 'results',
    type: arrayOf(
      structOf<DescribeConfigsResult>([
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
        { name: 'resourceType', type: 'int8', versions: '0+' },
        { name: 'resourceName', type: 'string', versions: '0+' },
        {
          name: 'configs',
          type: arrayOf(
            structOf<KafkaConfig>([
              { name: 'name', type: 'string', versions: '0+' },
              { name: 'value', type: 'string', versions: '0+', nullableVersions: '0+' },
              { name: 'readOnly', type: 'bool', versions: '0+' },
              { name: 'isDefault', type: 'bool', versions: '0' },
              { name: 'configSource', type: 'int8', versions: '1+', default: -1 },
              { name: 'isSensitive', type: 'bool', versions: '0+' },
              {
                name: 'synonyms',
                type: arrayOf(
                  structOf<DescribeConfigsSynonym>([
                    { name: 'name', type: 'string', versions: '1+' },
                    { name: 'value', type: 'string', versions: '1+', nullableVersions: '0+' },
                    { name: 'source', type: 'int8', versions: '1+' },
                  ]),
                ),
                versions: '1+',
              },
              { name: 'configType', type: 'int8', versions: '3+', default: 0 },
              {
                name: 'documentation',
                type: 'string',
                versions: '3+',
                nullableVersions: '0+',
                default: null,
              },
            ]),
          ),
          versions: '0+',
        },
      ]),
    ),
    versions: '0+',
  },
]);

function mapConfigs(
  r: { results: DescribeConfigsResult[] },
  f: (c: KafkaConfig) => KafkaConfig,
): { results: DescribeConfigsResult[] } {
  return { ...r, results: r.results.map((res) => ({ ...res, configs: res.configs.map(f) })) };
}

export const KafkaDescribeConfigsApi = defineKafkaApi<
  DescribeConfigsRequest,
  DescribeConfigsResponse
>({
  apiKey: 32,
  name: 'DescribeConfigs',
  minVersion: 0,
  maxVersion: 3,
  request,
  response,
  responseFromNative: (n, v) =>
    v === 0 ? mapConfigs(n, (c) => ({ ...c, isDefault: c.configSource === DEFAULT_CONFIG })) : n,
  // isDefault exists only at v0 (Kafka-only; the decoder fills it elsewhere).
  responseToNative: (k, v) =>
    mapConfigs(k as unknown as DescribeConfigsResponse, (c) => {
      const { isDefault, ...rest } = c;
      return v === 0 ? { ...rest, configSource: isDefault ? DEFAULT_CONFIG : -1 } : rest;
    }) as DescribeConfigsResponse,
  errorResponse: (req, errorCode, message) => ({
    throttleTimeMs: 0,
    results: (req?.resources ?? []).map((r) => ({
      errorCode,
      errorMessage: message,
      resourceType: r.resourceType,
      resourceName: r.resourceName,
      configs: [],
    })),
  }),
});
