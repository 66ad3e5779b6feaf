/**
 * AlterConfigs (key 33). Versions: 0.
 * v0: Kafka AlterConfigs v2's fields: per resource (type, name) the complete new
 *     set of configs (name, value), validateOnly; response per resource errorCode
 *     and errorMessage.
 * Not implemented: nothing of v2.
 */
import { defineApi } from '../api';
import { array, boolean, int16, int32, int8, nullableString, string, struct } from '../schema';

export interface AlterConfigsRequestConfig {
  name: string;
  value: string | null;
}
export interface AlterConfigsRequestResource {
  resourceType: number;
  resourceName: string;
  configs: AlterConfigsRequestConfig[];
}
export interface AlterConfigsRequest {
  resources: AlterConfigsRequestResource[];
  validateOnly: boolean;
}
export interface AlterConfigsResourceResponse {
  errorCode: number;
  errorMessage: string | null;
  resourceType: number;
  resourceName: string;
}
export interface AlterConfigsResponse {
  throttleTimeMs: number;
  responses: AlterConfigsResourceResponse[];
}

/** Schema of one per-resource result; IncrementalAlterConfigs answers with the same shape. */
export const alterConfigsResourceResponse = struct<AlterConfigsResourceResponse>({
  errorCode: int16,
  errorMessage: nullableString,
  resourceType: int8,
  resourceName: string,
});

export const AlterConfigsApi = defineApi({
  apiKey: 33,
  name: 'AlterConfigs',
  latest: {
    request: struct<AlterConfigsRequest>({
      resources: array(
        struct<AlterConfigsRequestResource>({
          resourceType: int8,
          resourceName: string,
          configs: array(
            struct<AlterConfigsRequestConfig>({ name: string, value: nullableString }),
          ),
        }),
      ),
      validateOnly: boolean,
    }),
    response: struct<AlterConfigsResponse>({
      throttleTimeMs: int32,
      responses: array(alterConfigsResourceResponse),
    }),
  },
});
