/**
 * DescribeClientQuotas (key 48) on the Kafka listener. Versions 0-1, as Kafka's
 * DescribeClientQuotasRequest.json (v1: flexible versions).
 * v0: components (entityType, matchType, match) and strict; response errorCode,
 *     errorMessage and entries (entity, values) or null on error.
 * Not implemented: nothing of v0-v1.
 */
import type {
  ClientQuotaEntityData,
  DescribeClientQuotasComponent,
  DescribeClientQuotasEntry,
  DescribeClientQuotasRequest,
  DescribeClientQuotasResponse,
  DescribeClientQuotasValue,
} from '../../apis/48-describe-client-quotas';
import { defineKafkaApi } from '../api';
import { arrayOf, kafkaMessage, structOf } from '../schema';

export const kafkaClientQuotaEntityData = structOf<ClientQuotaEntityData>([
  { name: 'entityType', type: 'string', versions: '0+' },
  { name: 'entityName', type: 'string', versions: '0+', nullableVersions: '0+' },
]);

const request = kafkaMessage<DescribeClientQuotasRequest>('DescribeClientQuotasRequest', '1+', [
  {
    name: 'components',
    type: arrayOf(
      structOf<DescribeClientQuotasComponent>([
        { name: 'entityType', type: 'string', versions: '0+' },
        { name: 'matchType', type: 'int8', versions: '0+' },
        { name: 'match', type: 'string', versions: '0+', nullableVersions: '0+' },
      ]),
    ),
    versions: '0+',
  },
  { name: 'strict', type: 'bool', versions: '0+' },
]);

const response = kafkaMessage<DescribeClientQuotasResponse>('DescribeClientQuotasResponse', '1+', [
  { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
  { name: 'errorCode', type: 'int16', versions: '0+' },
  { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
  {
    name: 'entries',
    type: arrayOf(
      structOf<DescribeClientQuotasEntry>([
        { name: 'entity', type: arrayOf(kafkaClientQuotaEntityData), versions: '0+' },
        {
          name: 'values',
          type: arrayOf(
            structOf<DescribeClientQuotasValue>([
              { name: 'key', type: 'string', versions: '0+' },
              { name: 'value', type: 'float64', versions: '0+' },
            ]),
          ),
          versions: '0+',
        },
      ]),
    ),
    versions: '0+',
    nullableVersions: '0+',
  },
]);

export const KafkaDescribeClientQuotasApi = defineKafkaApi<
  DescribeClientQuotasRequest,
  DescribeClientQuotasResponse
>({
  apiKey: 48,
  name: 'DescribeClientQuotas',
  minVersion: 0,
  maxVersion: 1,
  request,
  response,
  errorResponse: (_req, errorCode, message) => ({
    throttleTimeMs: 0,
    errorCode,
    errorMessage: message,
    entries: null,
  }),
});
