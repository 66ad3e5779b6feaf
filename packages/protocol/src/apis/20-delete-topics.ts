/**
 * DeleteTopics (key 20), sent to the controller. Versions: 0.
 * v0: Kafka DeleteTopics v5's fields: topicNames, timeoutMs; response per topic
 *     errorCode and errorMessage.
 * Not implemented: deletion by topic id (v6).
 */
import { defineApi } from '../api';
import { array, int16, int32, nullableString, string, struct } from '../schema';

export interface DeleteTopicsRequest {
  topicNames: string[];
  timeoutMs: number;
}
export interface DeletableTopicResult {
  name: string;
  errorCode: number;
  errorMessage: string | null;
}
export interface DeleteTopicsResponse {
  throttleTimeMs: number;
  responses: DeletableTopicResult[];
}

export const DeleteTopicsApi = defineApi({
  apiKey: 20,
  name: 'DeleteTopics',
  latest: {
    request: struct<DeleteTopicsRequest>({ topicNames: array(string), timeoutMs: int32 }),
    response: struct<DeleteTopicsResponse>({
      throttleTimeMs: int32,
      responses: array(
        struct<DeletableTopicResult>({
          name: string,
          errorCode: int16,
          errorMessage: nullableString,
        }),
      ),
    }),
  },
});
