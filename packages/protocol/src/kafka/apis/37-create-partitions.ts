/**
 * CreatePartitions (key 37) on the Kafka listener. Versions 0-1.
 * v0: per topic the new count and optional assignments, timeoutMs, validateOnly.
 * v1: same layout.
 * Not implemented: v2+ (flexible).
 */
import type {
  CreatePartitionsAssignment,
  CreatePartitionsRequest,
  CreatePartitionsResponse,
  CreatePartitionsTopic,
  CreatePartitionsTopicResult,
} from '../../apis/37-create-partitions';
import { defineKafkaApi } from '../api';
import { arrayOf, kafkaMessage, structOf } from '../schema';

const request = kafkaMessage<CreatePartitionsRequest>('CreatePartitionsRequest', '2+', [
  {
    name: 'topics',
    type: arrayOf(
      structOf<CreatePartitionsTopic>([
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'count', type: 'int32', versions: '0+' },
        {
          name: 'assignments',
          type: arrayOf(
            structOf<CreatePartitionsAssignment>([
              { name: 'brokerIds', type: arrayOf('int32'), versions: '0+' },
            ]),
          ),
          versions: '0+',
          nullableVersions: '0+',
        },
      ]),
    ),
    versions: '0+',
  },
  { name: 'timeoutMs', type: 'int32', versions: '0+' },
  { name: 'validateOnly', type: 'bool', versions: '0+' },
]);

const response = kafkaMessage<CreatePartitionsResponse>('CreatePartitionsResponse', '2+', [
  { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
  {
    name: 'results',
    type: arrayOf(
      structOf<CreatePartitionsTopicResult>([
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'errorCode', type: 'int16', versions: '0+' },
        {
          name: 'errorMessage',
          type: 'string',
          versions: '0+',
          nullableVersions: '0+',
          default: null,
        },
      ]),
    ),
    versions: '0+',
  },
]);

export const KafkaCreatePartitionsApi = defineKafkaApi<
  CreatePartitionsRequest,
  CreatePartitionsResponse
>({
  apiKey: 37,
  name: 'CreatePartitions',
  minVersion: 0,
  maxVersion: 1,
  request,
  response,
  errorResponse: (req, errorCode, message) => ({
    throttleTimeMs: 0,
    results: (req?.topics ?? []).map((t) => ({ name: t.name, errorCode, errorMessage: message })),
  }),
});
