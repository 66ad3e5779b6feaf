/**
 * IncrementalAlterConfigs (key 44). Versions: 0.
 * v0: Kafka IncrementalAlterConfigs v1's fields: per resource (type, name) a list
 *     of (name, configOperation 0 SET / 1 DELETE / 2 APPEND / 3 SUBTRACT, value),
 *     validateOnly; response per resource errorCode and errorMessage.
 * Not implemented: nothing of v1.
 */
import { defineApi } from '../api';
import { array, boolean, int32, int8, nullableString, string, struct } from '../schema';
import {
  alterConfigsResourceResponse,
  type AlterConfigsResourceResponse,
} from './33-alter-configs';

export interface IncrementalAlterConfigsRequestConfig {
  name: string;
  configOperation: number;
  value: string | null;
}
export interface IncrementalAlterConfigsRequestResource {
  resourceType: number;
  resourceName: string;
  configs: IncrementalAlterConfigsRequestConfig[];
}
export interface IncrementalAlterConfigsRequest {
  resources: IncrementalAlterConfigsRequestResource[];
  validateOnly: boolean;
}
export interface IncrementalAlterConfigsResponse {
  throttleTimeMs: number;
  responses: AlterConfigsResourceResponse[];
}

export const IncrementalAlterConfigsApi = defineApi({
  apiKey: 44,
  name: 'IncrementalAlterConfigs',
  latest: {
    request: struct<IncrementalAlterConfigsRequest>({
      resources: array(
        struct<IncrementalAlterConfigsRequestResource>({
          resourceType: int8,
          resourceName: string,
          configs: array(
            struct<IncrementalAlterConfigsRequestConfig>({
              name: string,
              configOperation: int8,
              value: nullableString,
            }),
          ),
        }),
      ),
      validateOnly: boolean,
    }),
    response: struct<IncrementalAlterConfigsResponse>({
      throttleTimeMs: int32,
      responses: array(alterConfigsResourceResponse),
    }),
  },
});
