/**
 * DeleteTopics (key 20) on the Kafka listener. Versions 0-3.
 * v0: topicNames, timeoutMs. v1: throttleTimeMs. v2, v3: same layout.
 * Not implemented: v4+ (flexible; errorMessage v5, topic ids v6).
 */
import type {
  DeletableTopicResult,
  DeleteTopicsRequest,
  DeleteTopicsResponse,
} from '../../apis/20-delete-topics';
import { defineKafkaApi } from '../api';
import { arrayOf, kafkaMessage, structOf } from '../schema';

const request = kafkaMessage<DeleteTopicsRequest>('DeleteTopicsRequest', '4+', [
  { name: 'topicNames', type: arrayOf('string'), versions: '0-5' },
  { name: 'timeoutMs', type: 'int32', versions: '0+' },
]);

const response = kafkaMessage<DeleteTopicsResponse>('DeleteTopicsResponse', '4+', [
  { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
  {
    name: 'responses',
    type: arrayOf(
      structOf<DeletableTopicResult>([
        { name: 'name', type: 'string', versions: '0+', nullableVersions: '6+' },
        { name: 'errorCode', type: 'int16', versions: '0+' },
        {
          name: 'errorMessage',
          type: 'string',
          versions: '5+',
          nullableVersions: '5+',
          default: null,
        },
      ]),
    ),
    versions: '0+',
  },
]);

export const KafkaDeleteTopicsApi = defineKafkaApi<DeleteTopicsRequest, DeleteTopicsResponse>({
  apiKey: 20,
  name: 'DeleteTopics',
  minVersion: 0,
  maxVersion: 3,
  request,
  response,
  errorResponse: (req, errorCode, message) => ({
    throttleTimeMs: 0,
    responses: (req?.topicNames ?? []).map((name) => ({ name, errorCode, errorMessage: message })),
  }),
});
