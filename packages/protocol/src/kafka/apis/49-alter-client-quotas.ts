/**
 * AlterClientQuotas (key 49) on the Kafka listener. Versions 0-1, as Kafka's
 * AlterClientQuotasRequest.json (v1: flexible versions).
 * v0: entries (entity, ops: key, value, remove) and validateOnly; response one
 *     errorCode/errorMessage per entry with its entity.
 * Not implemented: nothing of v0-v1.
 */
import type {
  AlterClientQuotasEntry,
  AlterClientQuotasOp,
  AlterClientQuotasRequest,
  AlterClientQuotasResponse,
  AlterClientQuotasResponseEntry,
} from '../../apis/49-alter-client-quotas';
import { defineKafkaApi } from '../api';
import { arrayOf, kafkaMessage, structOf } from '../schema';
import { kafkaClientQuotaEntityData } from './48-describe-client-quotas';

const request = kafkaMessage<AlterClientQuotasRequest>('AlterClientQuotasRequest', '1+', [
  {
    name: 'entries',
    type: arrayOf(
      structOf<AlterClientQuotasEntry>([
        { name: 'entity', type: arrayOf(kafkaClientQuotaEntityData), versions: '0+' },
        {
          name: 'ops',
          type: arrayOf(
            structOf<AlterClientQuotasOp>([
              { name: 'key', type: 'string', versions: '0+' },
              { name: 'value', type: 'float64', versions: '0+' },
              { name: 'remove', type: 'bool', versions: '0+' },
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

const response = kafkaMessage<AlterClientQuotasResponse>('AlterClientQuotasResponse', '1+', [
  { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
  {
    name: 'entries',
    type: arrayOf(
      structOf<AlterClientQuotasResponseEntry>([
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
        { name: 'entity', type: arrayOf(kafkaClientQuotaEntityData), versions: '0+' },
      ]),
    ),
    versions: '0+',
  },
]);

export const KafkaAlterClientQuotasApi = defineKafkaApi<
  AlterClientQuotasRequest,
  AlterClientQuotasResponse
>({
  apiKey: 49,
  name: 'AlterClientQuotas',
  minVersion: 0,
  maxVersion: 1,
  request,
  response,
  errorResponse: (req, errorCode, message) => ({
    throttleTimeMs: 0,
    entries: (req?.entries ?? []).map((e) => ({
      errorCode,
      errorMessage: message,
      entity: e.entity,
    })),
  }),
});
