/**
 * IncrementalAlterConfigs (key 44) on the Kafka listener. Version 0.
 * v0: per resource (name, configOperation, value) edits, validateOnly.
 * Not implemented: v1 (flexible).
 */
import type {
  IncrementalAlterConfigsRequest,
  IncrementalAlterConfigsRequestConfig,
  IncrementalAlterConfigsRequestResource,
  IncrementalAlterConfigsResponse,
} from '../../apis/44-incremental-alter-configs';
import { defineKafkaApi } from '../api';
import { arrayOf, kafkaMessage, structOf } from '../schema';
import { alterConfigsResourceResponse } from './33-alter-configs';

const request = kafkaMessage<IncrementalAlterConfigsRequest>(
  'IncrementalAlterConfigsRequest',
  '1+',
  [
    {
      name: 'resources',
      type: arrayOf(
        structOf<IncrementalAlterConfigsRequestResource>([
          { name: 'resourceType', type: 'int8', versions: '0+' },
          { name: 'resourceName', type: 'string', versions: '0+' },
          {
            name: 'configs',
            type: arrayOf(
              structOf<IncrementalAlterConfigsRequestConfig>([
                { name: 'name', type: 'string', versions: '0+' },
                { name: 'configOperation', type: 'int8', versions: '0+' },
                { name: 'value', type: 'string', versions: '0+', nullableVersions: '0+' },
              ]),
            ),
            versions: '0+',
          },
        ]),
      ),
      versions: '0+',
    },
    { name: 'validateOnly', type: 'bool', versions: '0+' },
  ],
);

const response = kafkaMessage<IncrementalAlterConfigsResponse>(
  'IncrementalAlterConfigsResponse',
  '1+',
  [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'responses', type: arrayOf(alterConfigsResourceResponse), versions: '0+' },
  ],
);

export const KafkaIncrementalAlterConfigsApi = defineKafkaApi<
  IncrementalAlterConfigsRequest,
  IncrementalAlterConfigsResponse
>({
  apiKey: 44,
  name: 'IncrementalAlterConfigs',
  minVersion: 0,
  maxVersion: 0,
  request,
  response,
  errorResponse: (req, errorCode, message) => ({
    throttleTimeMs: 0,
    responses: (req?.resources ?? []).map((r) => ({
      errorCode,
      errorMessage: message,
      resourceType: r.resourceType,
      resourceName: r.resourceName,
    })),
  }),
});
