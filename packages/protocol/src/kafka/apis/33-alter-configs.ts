/**
 * AlterConfigs (key 33) on the Kafka listener. Versions 0-1.
 * v0: resources with their complete new configs, validateOnly. v1: same layout.
 * Not implemented: v2 (flexible).
 */
import type {
  AlterConfigsRequest,
  AlterConfigsRequestConfig,
  AlterConfigsRequestResource,
  AlterConfigsResourceResponse,
  AlterConfigsResponse,
} from '../../apis/33-alter-configs';
import { defineKafkaApi } from '../api';
import { arrayOf, kafkaMessage, structOf, type KafkaStructType } from '../schema';

/** Per-resource result; IncrementalAlterConfigs answers with the same struct. */
export const alterConfigsResourceResponse: KafkaStructType = structOf<AlterConfigsResourceResponse>(
  [
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
    { name: 'resourceType', type: 'int8', versions: '0+' },
    { name: 'resourceName', type: 'string', versions: '0+' },
  ],
);

const request = kafkaMessage<AlterConfigsRequest>('AlterConfigsRequest', '2+', [
  {
    name: 'resources',
    type: arrayOf(
      structOf<AlterConfigsRequestResource>([
        { name: 'resourceType', type: 'int8', versions: '0+' },
        { name: 'resourceName', type: 'string', versions: '0+' },
        {
          name: 'configs',
          type: arrayOf(
            structOf<AlterConfigsRequestConfig>([
              { name: 'name', type: 'string', versions: '0+' },
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
]);

const response = kafkaMessage<AlterConfigsResponse>('AlterConfigsResponse', '2+', [
  { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
  { name: 'responses', type: arrayOf(alterConfigsResourceResponse), versions: '0+' },
]);

export const KafkaAlterConfigsApi = defineKafkaApi<AlterConfigsRequest, AlterConfigsResponse>({
  apiKey: 33,
  name: 'AlterConfigs',
  minVersion: 0,
  maxVersion: 1,
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
