/**
 * DescribeConfigs (key 32). Versions: 0.
 * v0: Kafka DescribeConfigs v4's fields: per resource (type, name) the keys to
 *     describe (null = all), includeSynonyms, includeDocumentation; response per
 *     resource errorCode/errorMessage and each config's value, readOnly,
 *     configSource, isSensitive, synonyms, configType and documentation.
 * Not implemented: nothing of v4.
 */
import { defineApi } from '../api';
import {
  array,
  boolean,
  int16,
  int32,
  int8,
  nullable,
  nullableString,
  string,
  struct,
} from '../schema';

export interface DescribeConfigsRequestResource {
  resourceType: number;
  resourceName: string;
  /** null = every config of the resource. */
  configurationKeys: string[] | null;
}
export interface DescribeConfigsRequest {
  resources: DescribeConfigsRequestResource[];
  includeSynonyms: boolean;
  includeDocumentation: boolean;
}
export interface DescribeConfigsSynonym {
  name: string;
  value: string | null;
  source: number;
}
export interface DescribeConfigsResourceResult {
  name: string;
  value: string | null;
  readOnly: boolean;
  configSource: number;
  isSensitive: boolean;
  synonyms: DescribeConfigsSynonym[];
  configType: number;
  documentation: string | null;
}
export interface DescribeConfigsResult {
  errorCode: number;
  errorMessage: string | null;
  resourceType: number;
  resourceName: string;
  configs: DescribeConfigsResourceResult[];
}
export interface DescribeConfigsResponse {
  throttleTimeMs: number;
  results: DescribeConfigsResult[];
}

export const DescribeConfigsApi = defineApi({
  apiKey: 32,
  name: 'DescribeConfigs',
  latest: {
    request: struct<DescribeConfigsRequest>({
      resources: array(
        struct<DescribeConfigsRequestResource>({
          resourceType: int8,
          resourceName: string,
          configurationKeys: nullable(array(string)),
        }),
      ),
      includeSynonyms: boolean,
      includeDocumentation: boolean,
    }),
    response: struct<DescribeConfigsResponse>({
      throttleTimeMs: int32,
      results: array(
        struct<DescribeConfigsResult>({
          errorCode: int16,
          errorMessage: nullableString,
          resourceType: int8,
          resourceName: string,
          configs: array(
            struct<DescribeConfigsResourceResult>({
              name: string,
              value: nullableString,
              readOnly: boolean,
              configSource: int8,
              isSensitive: boolean,
              synonyms: array(
                struct<DescribeConfigsSynonym>({
                  name: string,
                  value: nullableString,
                  source: int8,
                }),
              ),
              configType: int8,
              documentation: nullableString,
            }),
          ),
        }),
      ),
    }),
  },
});
